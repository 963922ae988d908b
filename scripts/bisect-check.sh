#!/bin/bash
# Build, at each patch of the series, the objects that the patch touches,
# so that every prefix of the series builds (bisectability).
#
#   foo.c                      -> foo.o, or, for a .c file that another
#                                 includes and that is no object of the
#                                 test build, the objects that include it
#   a header                   -> the objects of the test build that depend
#                                 on it, from kbuild's .cmd files (see
#                                 "Headers" below); for a uAPI header, the
#                                 KVM selftests too
#   Kconfig                    -> olddefconfig, then that directory
#   Makefile, Kbuild           -> that directory
#   tools/testing/selftests/kvm/... -> the KVM selftests
#   Documentation/, other tools/, MAINTAINERS -> nothing to build
#
# A patch that changes kernel code but maps to nothing to build fails: the
# check would otherwise pass without checking anything.
#
# Headers. A header with at most $MAX_USERS users is checked by building
# every one of them. A header used by more objects (asm/msr-index.h is in
# nearly all 2000 objects of the test build) is checked through what the
# patch changes in it, when every changed line is a definition (#define,
# #undef, an enumerator, a prototype, a new struct, union or enum): the
# objects that depend on a file naming one of those names, the objects
# built from a generated source, plus the header's first user. Any other
# change to such a header (an #include, a conditional, a changed struct
# body, code) needs all its users, and a selection that is still larger
# than $MAX_USERS fails the patch with the numbers: raise MAX_USERS to
# check it. No header is checked through a silent sample.
#
# Verdicts are cached in $BISECT_CACHE (default ~/.cache/snp-host/bisect),
# outside the checkout, so that a fresh clone on the same machine does not
# check again what it has checked. A patch's key covers everything its
# verdict depends on: this script and the libraries it uses, the compiler,
# the test config, MAX_USERS, the base tree and the tree after every patch
# up to and including this one. A change anywhere in the series therefore
# re-checks that patch and every patch after it, and nothing before it.
# Only passing verdicts are cached. One input is left out on purpose: which
# objects use a header comes from the final test build, so a later patch
# can change it for an earlier one; a cached verdict then stays, built
# against the users that the header had when it was checked.
#
# The check works in build/bisect: a worktree of build/linux in
# build/bisect/linux with its object directory in build/bisect/obj, the
# same layout as build/linux and build/obj, so that ccache (which makes
# paths relative to the checkout) gives the main build and this check the
# same keys for the same source.
#
# Usage: scripts/bisect-check.sh
# Environment: MAX_USERS (default 200), BISECT_CACHE, BISECT_DIR (default
# build/bisect), MAIN_OBJ (default build/obj: the test build whose .cmd
# files map headers to objects), JOBS.
set -eu
. "$(dirname "$0")/lib/patchq.sh"
. "$top/scripts/lib/ccache.sh"
. "$top/scripts/lib/selftests.sh"

dir=${BISECT_DIR:-$top/build/bisect}
wt=$dir/linux
obj=$dir/obj
sst=$dir/selftests
main_obj=${MAIN_OBJ:-$top/build/obj}
cache=${BISECT_CACHE:-$HOME/.cache/snp-host/bisect}
MAX_USERS=${MAX_USERS:-200}
# Objects that kbuild cannot build as a single target: the decompressor,
# real-mode code, purgatory and the vDSO have their own rules and generated
# inputs; host programs and the initramfs are not kernel objects.
NOT_SINGLE='^(arch/x86/(boot|realmode|purgatory|entry/vdso)/|scripts/|usr/|tools/)'
jobs=${JOBS:-$(nproc)}

log() { printf 'bisect: %s\n' "$*"; }
die() { printf 'bisect: %s\n' "$*" >&2; exit 1; }

[ -f "$main_obj/.config" ] && [ -f "$main_obj/vmlinux" ] ||
	die "no test kernel build in ${main_obj#"$top"/}: run 'make build' (headers map to the objects it built)"
case $MAX_USERS in ''|*[!0-9]*) die "MAX_USERS must be a number, not '$MAX_USERS'" ;; esac
commits=$(qgit rev-list --reverse base..HEAD)
[ -n "$commits" ] || { log "no patches"; echo "bisect: 0 passed, 0 failed, 0 skipped"; exit 0; }

# The key of the base, then one per patch, chained.
key=$({
	echo "bisect-check 2"
	cat "$0" "$top/scripts/lib/selftests.sh" "$top/scripts/lib/ccache.sh" \
		"$top/scripts/lib/cc-split"
	gcc --version | head -n 1
	cat "$main_obj/.config"
	echo "MAX_USERS=$MAX_USERS"
	qgit rev-parse 'base^{tree}'
} | sha256sum | cut -c1-64)
base_key=$key
keys=()
for c in $commits; do
	key=$(printf '%s %s\n' "$key" "$(qgit rev-parse "$c^{tree}")" | sha256sum | cut -c1-64)
	keys+=("$key")
done
mkdir -p "$cache"

# The first patch without a cached verdict.
n=${#keys[@]}
first=0
while [ $first -lt $n ] && [ -f "$cache/${keys[$first]}.ok" ] &&
      [ -f "$cache/${keys[$first]}.selftests" ]; do
	first=$((first + 1))
done

pass=0
fail=0
i=0
for c in $commits; do
	[ $i -lt $first ] || break
	sed 's/)$/; cached)/' "$cache/${keys[$i]}.ok"
	pass=$((pass + 1))
	i=$((i + 1))
done
if [ $first -eq $n ]; then
	log "all $n verdicts from the cache (${cache/#"$HOME"/\~})"
	echo "bisect: $pass passed, $fail failed, 0 skipped"
	exit 0
fi

# The worktree, in the layout of build/linux and build/obj. The old layout
# (build/bisect itself the worktree) and a worktree of an older
# build/linux are replaced.
if [ -e "$dir/.git" ] || ! git -C "$wt" rev-parse -q --verify HEAD >/dev/null 2>&1 ||
   [ "$(git -C "$wt" rev-parse --git-common-dir 2>/dev/null)" != "$LINUX/.git" ]; then
	rm -rf "$dir" "$top/build/bisect-obj" "$top/build/bisect-selftests" \
		"$top/build/bisect-selftests.log"
	qgit worktree prune
	mkdir -p "$dir"
	qgit worktree add -q --detach "$wt" base
fi
mkdir -p "$obj" "$sst"

kmake() { make -s -C "$wt" O="$obj" -j"$jobs" CC="ccache gcc" "$@"; }

# The config of the test build, made valid for the tree as it is checked
# out. Needed when the check starts and after a patch that changes a
# Kconfig file; kbuild re-runs "prepare" for every target by itself.
config() {
	cp "$main_obj/.config" "$obj/.config"
	kmake olddefconfig > "$obj/bisect.log" 2>&1
}

# The make target that builds an object with the right flags. x86 builds
# virt/kvm/*.o as part of arch/x86/kvm (kvm-y += $(KVM)/...), with that
# directory's include paths, so they are built through it.
target_of() {
	case $1 in
	virt/kvm/*) echo arch/x86/kvm/ ;;
	*) echo "$1" ;;
	esac
}

# The objects of the test build whose .cmd files name one of the given
# source files (paths in the tree), sorted.
cmd_files=$dir/cmd-files
find "$main_obj" -name '.*.o.cmd' ! -name '.vmlinux.o.cmd' -print0 > "$cmd_files"
users_of() {
	local f pats=()
	for f in "$@"; do
		pats+=(-e "../linux/$f " -e "$LINUX/$f ")
	done
	(cd "$main_obj" && xargs -0 grep -l -F "${pats[@]}" < "$cmd_files" || true) |
		sed -e "s|^$main_obj/||" -e 's|\.\([^/]*\)\.cmd$|\1|' |
		grep -v -E "$NOT_SINGLE" | sort -u || true
}

# The names a patch defines, undefines or changes in header $2 at commit
# $1, one per line; "*" when a changed line is not a definition.
changed_names() {
	git -C "$wt" diff -U0 "$1~1" "$1" -- "$2" | awk '
	function out(n) { if (n != "") print n }
	/^(\+\+\+|---|@@|diff|index)/ { next }
	!/^[-+]/ { next }
	{
		l = substr($0, 2)
		# Comments: whole comment lines and trailing comments.
		if (incomment) {
			if (l ~ /\*\//) { sub(/.*\*\//, "", l); incomment = 0 } else next
		}
		gsub(/\/\*([^*]|\*+[^*\/])*\*+\//, "", l)
		if (l ~ /\/\*/) { sub(/\/\*.*/, "", l); incomment = 1 }
		sub(/\/\/.*/, "", l)
		if (l ~ /^[ \t]*\*/) next
		if (l ~ /^[ \t]*$/) next
		# The body of a macro defined on an earlier line.
		if (cont) { cont = (l ~ /\\[ \t]*$/); next }
		if (l ~ /^[ \t]*#[ \t]*(define|undef)[ \t]/) {
			n = l; sub(/^[ \t]*#[ \t]*(define|undef)[ \t]+/, "", n)
			sub(/[^A-Za-z0-9_].*/, "", n); out(n)
			cont = (l ~ /\\[ \t]*$/)
			next
		}
		if (l ~ /^[ \t]*#/) { print "*"; next }
		# A new struct, union or enum: its tag, and an enum its constants.
		if (depth == 0 && l ~ /^(struct|union|enum)[ \t]+[A-Za-z_][A-Za-z0-9_]*[ \t]*\{[ \t]*$/) {
			n = l; sub(/^(struct|union|enum)[ \t]+/, "", n)
			sub(/[^A-Za-z0-9_].*/, "", n); out(n)
			kind = (l ~ /^enum/) ? "enum" : "struct"
			depth = 1
			next
		}
		if (depth > 0) {
			t = l; opens = gsub(/\{/, "{", t); closes = gsub(/\}/, "}", t)
			depth += opens - closes
			if (kind == "enum" && l ~ /^[ \t]*[A-Za-z_][A-Za-z0-9_]*[ \t]*(=[^,]*)?,?[ \t]*$/) {
				n = l; sub(/^[ \t]*/, "", n); sub(/[^A-Za-z0-9_].*/, "", n); out(n)
			}
			if (depth < 0) print "*"
			next
		}
		# An enumerator of an existing enum.
		if (l ~ /^[ \t]+[A-Z_][A-Z0-9_]*[ \t]*(=[^,]*)?,[ \t]*$/) {
			n = l; sub(/^[ \t]*/, "", n); sub(/[^A-Za-z0-9_].*/, "", n); out(n)
			next
		}
		# A prototype or a one-line inline function at file scope.
		if (l ~ /^[A-Za-z_][A-Za-z0-9_ \t\*]*[ \t\*][A-Za-z_][A-Za-z0-9_]*\([^;{}]*\)[ \t]*(;|\{[^{}]*\})[ \t]*$/) {
			n = l; sub(/\(.*/, "", n); sub(/.*[^A-Za-z0-9_]/, "", n); out(n)
			next
		}
		# An extern variable.
		if (l ~ /^extern[ \t][^(){}]*[ \t\*][A-Za-z_][A-Za-z0-9_]*(\[[^]]*\])?[ \t]*;[ \t]*$/) {
			n = l; sub(/(\[[^]]*\])?[ \t]*;.*/, "", n); sub(/.*[^A-Za-z0-9_]/, "", n); out(n)
			next
		}
		print "*"
	}
	END { if (depth != 0 || cont) print "*" }' | sort -u
}

# The objects to build for header $2 at commit $1, one per line; or one
# line "!REASON" when the header cannot be checked within MAX_USERS.
header_targets() {
	local c=$1 f=$2 users count names files sel
	users=$(users_of "$f")
	count=$(printf '%s\n' "$users" | grep -c . || true)
	if [ "$count" -le "$MAX_USERS" ]; then
		printf '%s\n' "$users"
		return
	fi
	names=$(changed_names "$c" "$f")
	if [ -z "$names" ] || printf '%s\n' "$names" | grep -q -x -F '*'; then
		echo "!$f has $count users, more than MAX_USERS=$MAX_USERS, and the patch changes more than definitions in it"
		return
	fi
	# Every file of the tree that names one of them, but the header.
	# shellcheck disable=SC2046
	files=$(git -C "$wt" grep -l -w -F $(printf -- '-e %s ' $names) -- . ":!$f" || true)
	# Objects built from a generated source (capflags.c is made from
	# cpufeatures.h) name nothing in the tree: always build them. Module
	# glue (*.mod.o) comes from modpost, not from single-object builds.
	gen=$(printf '%s\n' "$users" | sed 's|\(.*\)/\([^/]*\)$|\1/.\2.cmd|; s|^\([^/]*\)$|.\1.cmd|' |
		(cd "$main_obj" && xargs grep -h '^source_' 2>/dev/null || true) |
		awk '$3 !~ /^(\.\.\/linux\/|\/)/ { sub(/^source_/, "", $1); print $1 }' |
		grep -v '\.mod\.o$' || true)
	# shellcheck disable=SC2086
	sel=$({ printf '%s\n' "$users" | head -n 1; printf '%s\n' "$gen"
		[ -z "$files" ] || users_of $files; } |
		grep . | sort -u | comm -12 - <(printf '%s\n' "$users"))
	count_sel=$(printf '%s\n' "$sel" | grep -c . || true)
	if [ "$count_sel" -gt "$MAX_USERS" ]; then
		echo "!$f: $count_sel of its $count users name what the patch defines in it, more than MAX_USERS=$MAX_USERS"
		return
	fi
	echo "#$f: $count_sel of $count users, those naming $(printf '%s\n' $names | head -n 5 | tr '\n' ' ' | sed 's/ $//')$([ "$(printf '%s\n' $names | wc -l)" -le 5 ] || echo ' ...')"
	printf '%s\n' "$sel"
}

# Build the KVM selftests of the worktree's commit, with -k so that one
# test that fails to build does not hide the others, and print the sorted
# list of those that built. The selftests Makefile does not track headers,
# so every build starts clean (ccache, through cc-split, keeps that cheap).
build_selftests() {
	rm -rf "$sst"
	mkdir -p "$sst"
	kmake headers_install INSTALL_HDR_PATH="$obj/usr" >/dev/null
	make_kvm_selftests "$wt" "$sst" "$obj/usr/include" -k > "$dir/selftests.log" 2>&1 || true
	(cd "$sst" && find . -type f -perm -u+x ! -name '*.o' | sort)
}

# The selftests that build before the first patch to check. A patch fails
# the check if a selftest that built at its parent does not build at the
# patch; selftests that did not build before (the base has such bugs, which
# base/ patches fix one by one) do not fail the patches that do not fix
# them.
if [ $first -gt 0 ]; then
	built_before=$(cat "$cache/${keys[$((first - 1))]}.selftests")
elif [ -f "$cache/$base_key.selftests" ]; then
	built_before=$(cat "$cache/$base_key.selftests")
else
	git -C "$wt" checkout -q --detach -f base
	config || { tail -20 "$obj/bisect.log"; die "olddefconfig fails at the base"; }
	built_before=$(build_selftests)
	printf '%s\n' "$built_before" > "$cache/$base_key.selftests"
fi
[ $first -eq 0 ] || log "patches 1-$first: verdicts from the cache; checking from patch $((first + 1))"
log "$(printf '%s\n' "$built_before" | grep -c . || true) KVM selftests build before patch $((first + 1))"

configured=no
i=0
for c in $commits; do
	if [ $i -lt $first ]; then
		i=$((i + 1))
		continue
	fi
	subject=$(qgit log -1 --format=%s "$c")
	start=$SECONDS
	git -C "$wt" checkout -q --detach -f "$c"
	files=$(git -C "$wt" diff --name-only "$c~1" "$c")
	if [ $configured = no ] || printf '%s\n' "$files" | grep -q 'Kconfig'; then
		if ! config; then
			fail=$((fail + 1))
			configured=no
			tail -20 "$obj/bisect.log" | sed 's/^/      /'
			echo "  not ok  $subject (olddefconfig failed)"
			i=$((i + 1))
			continue
		fi
		configured=yes
	fi

	targets=""
	selftests=no
	code=no
	ok=yes
	notes=""
	for f in $files; do
		[ -e "$wt/$f" ] || continue	# deleted by the patch
		case $f in
		tools/testing/selftests/kvm/*) selftests=yes ;;
		tools/*|Documentation/*|scripts/*|*.rst|*.txt|MAINTAINERS) ;;
		*.c|*.S)
			code=yes
			u=${f%.*}.o
			if [ -e "$main_obj/$(dirname "$u")/.$(basename "$u").cmd" ] ||
			   [ -z "$(users_of "$f")" ]; then
				targets="$targets $(target_of "$u")"
				continue
			fi
			# A .c file that another one includes (a KUnit suite, say)
			# is no object of its own: build its includers, as for a
			# header.
			;&
		*.h)
			code=yes
			sel=$(header_targets "$c" "$f")
			case $sel in
			'!'*)
				ok=no
				echo "      ${sel#!}"
				continue ;;
			'#'*)
				notes="$notes; $(printf '%s\n' "$sel" | head -n 1 | cut -c2-)"
				sel=$(printf '%s\n' "$sel" | tail -n +2) ;;
			esac
			# The users come from the final build: keep those whose
			# source exists at this patch.
			for u in $sel; do
				[ -e "$wt/${u%.o}.c" ] || [ -e "$wt/${u%.o}.S" ] || continue
				targets="$targets $(target_of "$u")"
			done
			# A uAPI header is what the selftests build against.
			case $f in */uapi/*) selftests=yes ;; esac ;;
		*Kconfig*|*Makefile|*Kbuild)
			code=yes
			targets="$targets $(dirname "$f")/" ;;
		*)
			code=yes ;;
		esac
	done
	# A directory target builds everything under it: drop the targets it
	# covers, so that one make does not build the same objects twice, in
	# parallel, through two paths.
	if [ -n "$targets" ]; then
		targets=$(printf '%s\n' $targets | sort -u | awk '
			{ t[NR] = $0 }
			END {
				for (i = 1; i <= NR; i++) {
					keep = 1
					for (j = 1; j <= NR; j++)
						if (i != j && t[j] ~ /\/$/ &&
						    index(t[i], t[j]) == 1)
							keep = 0
					if (keep) print t[i]
				}
			}' | tr '\n' ' ')
	fi

	if [ $code = yes ] && [ -z "$targets" ] && [ $ok = yes ]; then
		ok=no
		echo "      changes kernel files, but no object of the test config uses them"
	fi
	# shellcheck disable=SC2086
	if [ -n "$targets" ] && ! kmake $targets > "$obj/bisect.log" 2>&1; then
		ok=no
		sed 's/^/      /' "$obj/bisect.log" | tail -20
	fi
	if [ $selftests = yes ]; then
		built=$(build_selftests)
		lost=$(comm -23 <(printf '%s\n' "$built_before") <(printf '%s\n' "$built") | grep . || true)
		if [ -n "$lost" ]; then
			ok=no
			echo "      built at the parent, not at this patch:" $lost
			grep -E 'error' "$dir/selftests.log" | head -10 | sed 's/^/      /'
		fi
		gained=$(comm -13 <(printf '%s\n' "$built_before") <(printf '%s\n' "$built") | grep -c . || true)
		built_before=$built
	fi
	what="$(echo $targets | wc -w) objects"
	if [ $selftests = yes ]; then
		what="$what, $(printf '%s\n' "$built" | grep -c . || true) KVM selftests build"
		[ "$gained" -eq 0 ] || what="$what ($gained more than before)"
	fi
	what="$what$notes; $((SECONDS - start)) s"
	if [ $ok = yes ]; then
		pass=$((pass + 1))
		echo "  ok      $subject ($what)" | tee "$cache/${keys[$i]}.ok.tmp"
		printf '%s\n' "$built_before" > "$cache/${keys[$i]}.selftests"
		mv "$cache/${keys[$i]}.ok.tmp" "$cache/${keys[$i]}.ok"
	else
		fail=$((fail + 1))
		echo "  not ok  $subject ($what)"
	fi
	i=$((i + 1))
done

echo "bisect: $pass passed, $fail failed, 0 skipped"
[ "$fail" -eq 0 ]
