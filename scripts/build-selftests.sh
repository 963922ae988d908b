#!/bin/bash
# Build the KVM selftests of the patched tree, statically linked, against
# the uAPI headers of the test kernel build.
#
# Usage: scripts/build-selftests.sh
# Output: build/selftests/kvm/<test>, build/logs/selftests-build.log
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib/ccache.sh"
. "$top/scripts/lib/selftests.sh"
src=$top/build/linux
hdr=$top/build/obj/usr/include
out=$top/build/selftests/kvm
log=$top/build/logs/selftests-build.log

[ -d "$hdr/linux" ] || { echo "selftests: no uAPI headers in $hdr: run 'make build'" >&2; exit 1; }
# The selftests Makefile does not track header dependencies: build from
# scratch every time (ccache makes that cheap) so that no object is stale.
rm -rf "$out"
mkdir -p "$out" "$(dirname "$log")"
if ! make_kvm_selftests "$src" "$out" "$hdr" > "$log" 2>&1; then
	grep -E 'error|Error' "$log" | head -30 >&2
	echo "selftests: build failed, see build/logs/selftests-build.log" >&2
	exit 1
fi
echo "selftests: $(find "$out" -type f -perm -u+x -name '*[a-z]' ! -name '*.o' | wc -l) KVM selftests in build/selftests/kvm"

# The project's own test programs (tests/psp/), likewise static, against the
# same uAPI headers. The initramfs takes a listed test from here when it is
# not a KVM selftest.
tst=$top/build/tests
rm -rf "$tst"
for c in "$top"/tests/psp/*.c "$top"/tests/kvm/*.c; do
	d=$(basename "$(dirname "$c")")
	mkdir -p "$tst/$d"
	if ! ccache gcc -Wall -Wextra -Werror -O2 -static -isystem "$hdr" \
		"$c" -o "$tst/$d/$(basename "$c" .c)" >> "$log" 2>&1; then
		echo "tests: $c does not build, see build/logs/selftests-build.log" >&2
		exit 1
	fi
done

# The SNP platform status client of the kernel tree (tools/crypto/ccp), for
# the readiness report and the scenarios that show the platform.
mkdir -p "$tst/tools"
for c in "$src/tools/crypto/ccp/snp-status.c" "$top"/tests/tools/*.c; do
	if ! ccache gcc -Wall -Wextra -Werror -O2 -static -isystem "$hdr" \
		"$c" -o "$tst/tools/$(basename "$c" .c)" >> "$log" 2>&1; then
		echo "tests: $c does not build, see build/logs/selftests-build.log" >&2
		exit 1
	fi
done
echo "tests: $(find "$tst" -type f -perm -u+x | wc -l) test programs in build/tests"
