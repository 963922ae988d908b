#!/bin/bash
# Tests of scripts/bisect-check.sh on a small synthetic tree: a git repo
# laid out like a kernel tree, with a Makefile that builds single objects
# and directories the way kbuild is asked to, and writes kbuild's .cmd
# files, and a KVM selftests directory. Each case builds a series on top of
# "base" and checks the verdicts and what was built.
#
# Usage: tests/tooling/test-bisect.sh
set -eu

. "$(dirname "$0")/lib.sh"

# A private copy of the tooling, and the environment bisect-check reads.
copy_tooling
mkdir -p "$work/top/build"
export LINUX=$work/top/build/linux MAIN_OBJ=$work/top/build/obj
export BISECT_DIR=$work/top/build/bisect BISECT_CACHE=$work/cache
export CCACHE_DISABLE=1 JOBS=2
unset MAX_USERS

g() { git -C "$LINUX" -c user.name=t -c user.email=t@t "$@"; }
put() { mkdir -p "$(dirname "$LINUX/$1")"; cat > "$LINUX/$1"; }
commit() { g add -A; g commit -q -m "$1"; }

# The synthetic tree. "make O=DIR all" builds every object and writes
# DIR/vmlinux; "make O=DIR path/x.o" and "make O=DIR path/" build one
# object or a directory. Compiles use -Werror, so that a test can break
# them. Each object gets a kbuild-style .cmd file listing its source and
# the files it includes, relative to the object directory.
mkdir -p "$LINUX"
git init -q "$LINUX"
put Makefile <<'X'
MAKEFLAGS += -r
Makefile: ;
O ?= .
srctree := $(CURDIR)
objtree := $(abspath $(O))
CC ?= gcc
objs = $(patsubst %.c,%.o,$(shell cd $(srctree) && find lib drivers -name '*.c'))
define compile
	@mkdir -p $(objtree)/$(dir $(1))
	cd $(objtree) && $(CC) -Wall -Werror -I$(srctree)/include \
		-I$(srctree)/include/uapi -c \
		$(srctree)/$(1:.o=.c) -o $(1) -MD -MF $(dir $(1)).$(notdir $(1)).d
	@{ echo "source_$(1) := ../linux/$(1:.o=.c)"; echo "deps_$(1) := \\"; \
	   sed -e 's/^[^:]*://' -e 's/\\$$//' $(objtree)/$(dir $(1)).$(notdir $(1)).d | \
	   tr ' ' '\n' | grep . | sed -e 's|^$(srctree)/|../linux/|' -e 's/.*/  & \\/'; \
	   echo; } > $(objtree)/$(dir $(1)).$(notdir $(1)).cmd
endef
.PHONY: all olddefconfig prepare headers_install FORCE
all: $(objs)
	@touch $(objtree)/vmlinux
olddefconfig:
	@test -f $(objtree)/.config
prepare: ;
headers_install:
	@mkdir -p $(INSTALL_HDR_PATH)/include
	@cp -r $(srctree)/include/uapi/. $(INSTALL_HDR_PATH)/include/
%.o: FORCE
	$(call compile,$@)
%/: FORCE
	@set -e; for c in $$(cd $(srctree) && find $@ -name '*.c' ! -path '*tools/*'); do \
		$(MAKE) --no-print-directory O=$(objtree) $${c%.c}.o; done
FORCE:
X
put Kconfig <<'X'
config DEMO
	bool "demo"
X
put include/a.h <<'X'
#define A_VAL 1
struct a { int x; };
X
put include/wide.h <<'X'
#define WIDE 1
X
put include/unused.h <<'X'
#define UNUSED 1
X
put include/uapi/linux/kvmx.h <<'X'
#define KVMX_CAP 1
X
put lib/one.c <<'X'
#include <a.h>
#include <wide.h>
#include <linux/kvmx.h>
int one(void) { return A_VAL + WIDE; }
X
put lib/two.c <<'X'
#include <a.h>
#include <wide.h>
int two(struct a *p) { return p->x + WIDE; }
X
put drivers/three.c <<'X'
#include <wide.h>
int three(void) { return WIDE; }
X
put tools/testing/selftests/kvm/Makefile <<'X'
all: $(OUTPUT)/kvmx_test
$(OUTPUT)/kvmx_test: kvmx_test.c
	$(CC) $(EXTRA_CFLAGS) $(KHDR_INCLUDES) $< -o $@
X
put tools/testing/selftests/kvm/kvmx_test.c <<'X'
#include <linux/kvmx.h>
int main(void) { return KVMX_CAP - 1; }
X
put Documentation/demo.txt <<'X'
demo
X
commit "base"
g tag base
mkdir -p "$MAIN_OBJ"
echo CONFIG_DEMO=y > "$MAIN_OBJ/.config"
make -s -C "$LINUX" O="$MAIN_OBJ" all >/dev/null

run() { # run LOG [ENV...]: bisect-check with its output in LOG; sets rc
	local log=$1
	shift
	rc=0
	env "$@" "$work/top/scripts/bisect-check.sh" > "$log" 2>&1 || rc=$?
}
has() { grep -q -E -- "$2" "$1"; }
# expect LOG RC SUMMARY: the exit status and the closing line
expect() {
	local what=$1 log=$2 want_rc=$3 summary=$4
	if [ "$rc" -eq "$want_rc" ] && [ "$(tail -n 1 "$log")" = "bisect: $summary" ]; then
		ok "$what"
	else
		not_ok "$what (exit $rc, wanted $want_rc; last line: $(tail -n 1 "$log"))"
		sed 's/^/#   /' "$log"
	fi
}
check() { # check DESCRIPTION LOG PATTERN: a line of the output matches
	if has "$2" "$3"; then ok "$1"; else not_ok "$1"; sed 's/^/#   /' "$2"; fi
}
check_not() {
	if has "$2" "$3"; then not_ok "$1"; sed 's/^/#   /' "$2"; else ok "$1"; fi
}

# A good series of four patches.
g checkout -q -b good base
sed -i 's/A_VAL + WIDE/A_VAL + WIDE + 1/' "$LINUX/lib/one.c"; commit "lib: change one.c"
printf '#define A_VAL 1\n#define A_MORE 2\nstruct a { int x; };\n' | put include/a.h; commit "a.h: add A_MORE"
echo more >> "$LINUX/Documentation/demo.txt"; commit "docs: only"
printf '#define KVMX_CAP 1\n#define KVMX_MORE 2\n' | put include/uapi/linux/kvmx.h; commit "uapi: add KVMX_MORE"

run "$work/1.log"
expect "a good series passes" "$work/1.log" 0 "4 passed, 0 failed, 0 skipped"
check "a .c change builds its object" "$work/1.log" '^  ok      lib: change one.c \(1 objects; '
check "a header change builds every user" "$work/1.log" '^  ok      a.h: add A_MORE \(2 objects; '
check "a documentation change builds nothing" "$work/1.log" '^  ok      docs: only \(0 objects; '
check "a uAPI change builds the selftests" "$work/1.log" '^  ok      uapi: add KVMX_MORE \(1 objects, 1 KVM selftests build; '
check "the selftests at the base are counted" "$work/1.log" '1 KVM selftests build before patch 1'

run "$work/2.log"
expect "an unchanged series passes again" "$work/2.log" 0 "4 passed, 0 failed, 0 skipped"
check "an unchanged series is not checked again" "$work/2.log" 'all 4 verdicts from the cache'
check "cached verdicts say so" "$work/2.log" '^  ok      docs: only \(0 objects; [0-9]+ s; cached\)$'

# Change the third patch: the first two stay cached, the rest is checked.
g checkout -q -b changed good~2
echo changed >> "$LINUX/Documentation/demo.txt"; commit "docs: changed"
g cherry-pick good >/dev/null
run "$work/3.log"
expect "a changed patch passes" "$work/3.log" 0 "4 passed, 0 failed, 0 skipped"
check "patches before the change come from the cache" "$work/3.log" '^  ok      a.h: add A_MORE .*cached\)$'
check_not "the changed patch is checked again" "$work/3.log" 'docs: changed.*cached'
check_not "patches after the change are checked again" "$work/3.log" 'uapi: add KVMX_MORE.*cached'
check "the check resumes at the change" "$work/3.log" 'checking from patch 3'

# A different MAX_USERS is a different check: nothing is taken from the cache.
run "$work/4.log" MAX_USERS=100
check_not "the key covers MAX_USERS" "$work/4.log" 'cached'

# A header change that breaks one user.
g checkout -q -b broken base
printf '#define A_VAL 1\nstruct a { int y; };\n' | put include/a.h; commit "a.h: rename x"
echo more >> "$LINUX/Documentation/demo.txt"; commit "docs: after the break"
run "$work/5.log"
expect "a patch that breaks a user fails" "$work/5.log" 1 "1 passed, 1 failed, 0 skipped"
check "the failing patch is named" "$work/5.log" '^  not ok  a.h: rename x '
check "the compiler's error is shown" "$work/5.log" 'has no member named'
run "$work/5b.log"
check_not "a failed verdict is not cached" "$work/5b.log" 'rename x.*cached'

# A header nothing uses.
g checkout -q -b unused base
printf '#define UNUSED 2\n' | put include/unused.h; commit "unused.h: change"
run "$work/6.log"
expect "a kernel change that builds nothing fails" "$work/6.log" 1 "0 passed, 1 failed, 0 skipped"
check "and says why" "$work/6.log" 'no object of the test config uses them'

# A header with more users than MAX_USERS (wide.h: 3).
g checkout -q -b wide-def base
printf '#define WIDE 1\n#define WIDE_MORE 2\n' | put include/wide.h
sed -i 's/A_VAL + WIDE;/A_VAL + WIDE + WIDE_MORE;/' "$LINUX/lib/one.c"
commit "wide.h: add WIDE_MORE for one.c"
run "$work/7.log" MAX_USERS=2
expect "a definition in a wide header passes" "$work/7.log" 0 "1 passed, 0 failed, 0 skipped"
check "it builds the users naming it and the first user" "$work/7.log" \
	'\(2 objects; include/wide.h: 2 of 3 users, those naming WIDE_MORE; '
run "$work/7b.log" MAX_USERS=3
check "within MAX_USERS, every user is built" "$work/7b.log" '\(3 objects; [0-9]+ s\)$'

g checkout -q -b wide-code base
printf '#include <linux/kvmx.h>\n#define WIDE 1\n' | put include/wide.h; commit "wide.h: include kvmx.h"
run "$work/8.log" MAX_USERS=1
expect "a non-definition change to a wide header fails" "$work/8.log" 1 "0 passed, 1 failed, 0 skipped"
check "and says so with the numbers" "$work/8.log" \
	'include/wide.h has 3 users, more than MAX_USERS=1, and the patch changes more than definitions in it'
run "$work/8b.log" MAX_USERS=3
expect "raising MAX_USERS checks it" "$work/8b.log" 0 "1 passed, 0 failed, 0 skipped"

g checkout -q -b wide-many base
printf '#define WIDE 1\n#define WIDE_ALL 3\n' | put include/wide.h
for f in lib/one.c lib/two.c drivers/three.c; do
	echo "int $(basename "$f" .c)_all(void) { return WIDE_ALL; }" >> "$LINUX/$f"
done
commit "wide.h: add WIDE_ALL for everyone"
run "$work/9.log" MAX_USERS=2
expect "too many users naming a definition fail" "$work/9.log" 1 "0 passed, 1 failed, 0 skipped"
check "and say so with the numbers" "$work/9.log" \
	'include/wide.h: 3 of its 3 users name what the patch defines in it, more than MAX_USERS=2'

# A selftest that stops building.
g checkout -q -b selftest base
printf '#define KVMX_OTHER 1\n' | put include/uapi/linux/kvmx.h; commit "uapi: drop KVMX_CAP"
run "$work/10.log"
expect "a uAPI change that breaks a selftest fails" "$work/10.log" 1 "0 passed, 1 failed, 0 skipped"
check "the lost selftest is named" "$work/10.log" 'built at the parent, not at this patch: ./kvmx_test'

# A Kconfig change runs olddefconfig and builds the directory.
g checkout -q -b kconfig base
printf 'config DEMO\n\tbool "demo, renamed"\n' | put Kconfig; commit "Kconfig: rename"
run "$work/11.log"
expect "a Kconfig change passes" "$work/11.log" 0 "1 passed, 0 failed, 0 skipped"
check "and builds its directory" "$work/11.log" '^  ok      Kconfig: rename \(1 objects; '

tap_done "tooling: "
