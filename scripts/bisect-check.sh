#!/bin/bash
# Build, at each patch of the series, the objects that the patch touches,
# so that every prefix of the series builds (bisectability).
#
#   foo.c                      -> foo.o, or, for a .c file that another
#                                 includes and that is no object of the
#                                 test build, the objects that include it
#   a header                   -> the objects of the test build that depend
#                                 on it, from kbuild's .cmd files (at most
#                                 $MAX_USERS of them); for a uAPI header,
#                                 the KVM selftests too
#   Kconfig, Makefile, Kbuild  -> olddefconfig, then that directory
#   tools/testing/selftests/kvm/... -> the KVM selftests
#   Documentation/, other tools/, MAINTAINERS -> nothing to build
#
# A patch that changes kernel code but maps to nothing to build fails: the
# check would otherwise pass without checking anything.
#
# It works in a worktree of build/linux (build/bisect) with its own object
# directory (build/bisect-obj) and the test config, so the main tree and
# build are left alone. ccache keeps repeated compiles cheap.
#
# Usage: scripts/bisect-check.sh
set -eu
. "$(dirname "$0")/lib/patchq.sh"
. "$top/scripts/lib/ccache.sh"
. "$top/scripts/lib/selftests.sh"

wt=$top/build/bisect
obj=$top/build/bisect-obj
sst=$top/build/bisect-selftests
MAX_USERS=${MAX_USERS:-40}
# Objects that kbuild cannot build as a single target: the decompressor,
# real-mode code, purgatory and the vDSO have their own rules and generated
# inputs; host programs and the initramfs are not kernel objects.
NOT_SINGLE='^(arch/x86/(boot|realmode|purgatory|entry/vdso)/|scripts/|usr/|tools/)'
jobs=${JOBS:-$(nproc)}

log() { printf 'bisect: %s\n' "$*"; }
die() { printf 'bisect: %s\n' "$*" >&2; exit 1; }

[ -f "$top/build/obj/vmlinux" ] ||
	die "no test kernel build: run 'make build' (headers map to the objects it built)"
commits=$(qgit rev-list --reverse base..HEAD)
[ -n "$commits" ] || { log "no patches"; echo "bisect: 0 passed, 0 failed, 0 skipped"; exit 0; }

# The worktree is stale when build/linux was made anew since.
if ! git -C "$wt" rev-parse -q --verify HEAD >/dev/null 2>&1 ||
   [ "$(git -C "$wt" rev-parse --git-common-dir)" != "$LINUX/.git" ]; then
	rm -rf "$wt"
	qgit worktree prune
	qgit worktree add -q --detach "$wt" base
fi
mkdir -p "$obj" "$sst"

kmake() { make -s -C "$wt" O="$obj" -j"$jobs" CC="ccache gcc" "$@"; }

# The make target that builds an object with the right flags. x86 builds
# virt/kvm/*.o as part of arch/x86/kvm (kvm-y += $(KVM)/...), with that
# directory's include paths, so they are built through it.
target_of() {
	case $1 in
	virt/kvm/*) echo arch/x86/kvm/ ;;
	*) echo "$1" ;;
	esac
}

# Build the KVM selftests of the worktree's commit, with -k so that one
# test that fails to build does not hide the others, and print the sorted
# list of those that built. The selftests Makefile does not track headers,
# so every build starts clean (ccache keeps that cheap).
build_selftests() {
	rm -rf "$sst"
	mkdir -p "$sst"
	kmake headers_install INSTALL_HDR_PATH="$obj/usr" >/dev/null
	make_kvm_selftests "$wt" "$sst" "$obj/usr/include" -k > "$sst.log" 2>&1 || true
	(cd "$sst" && find . -type f -perm -u+x ! -name '*.o' | sort)
}

# The selftests that build before the series. A patch fails the check if a
# selftest that built at its parent does not build at the patch; selftests
# that did not build before (the base has such bugs, which base/ patches
# fix one by one) do not fail the patches that do not fix them.
git -C "$wt" checkout -q --detach -f base
cp "$top/build/obj/.config" "$obj/.config"
{ kmake olddefconfig && kmake prepare; } > "$obj/bisect.log" 2>&1 ||
	{ tail -20 "$obj/bisect.log"; die "the base does not prepare"; }
built_before=$(build_selftests)
log "$(echo "$built_before" | grep -c . || true) KVM selftests build at base"

pass=0
fail=0
for c in $commits; do
	subject=$(qgit log -1 --format=%s "$c")
	git -C "$wt" checkout -q --detach -f "$c"
	cp "$top/build/obj/.config" "$obj/.config"
	if ! { kmake olddefconfig && kmake prepare; } > "$obj/bisect.log" 2>&1; then
		fail=$((fail + 1))
		tail -20 "$obj/bisect.log" | sed 's/^/      /'
		echo "  not ok  $subject (olddefconfig/prepare failed)"
		continue
	fi

	targets=""
	selftests=no
	code=no
	for f in $(git -C "$wt" diff --name-only "$c~1" "$c"); do
		[ -e "$wt/$f" ] || continue	# deleted by the patch
		case $f in
		tools/testing/selftests/kvm/*) selftests=yes ;;
		tools/*|Documentation/*|scripts/*|*.rst|*.txt|MAINTAINERS) ;;
		*.c|*.S)
			code=yes
			u=${f%.*}.o
			if [ -e "$top/build/obj/$(dirname "$u")/.$(basename "$u").cmd" ] ||
			   ! grep -q -r -F --include='.*.o.cmd' -e "../linux/$f " \
				"$top/build/obj/$(dirname "$f")" 2>/dev/null; then
				targets="$targets $(target_of "$u")"
				continue
			fi
			# A .c file that another one includes (a KUnit suite, say)
			# is no object of its own: build its includers, as for a
			# header.
			;&
		*.h)
			code=yes
			# The objects of the test build that depend on the header,
			# as kbuild recorded it in their .cmd files.
			users=$(cd "$top/build/obj" &&
				find . -name '.*.o.cmd' ! -name '.vmlinux.o.cmd' -print0 |
				xargs -0 grep -l -F -e "../linux/$f " -e "/build/linux/$f " |
				sed -e 's|^\./||' -e 's|\.\([^/]*\)\.cmd$|\1|' |
				grep -v -E "$NOT_SINGLE" | sort | head -n "$MAX_USERS" || true)
			# The users come from the final build: keep those whose
			# source exists at this patch.
			for u in $users; do
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

	ok=yes
	if [ $code = yes ] && [ -z "$targets" ]; then
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
		lost=$(comm -23 <(echo "$built_before") <(echo "$built") | grep . || true)
		if [ -n "$lost" ]; then
			ok=no
			echo "      built at the parent, not at this patch:" $lost
			grep -E 'error' "$sst.log" | head -10 | sed 's/^/      /'
		fi
		gained=$(comm -13 <(echo "$built_before") <(echo "$built") | grep -c . || true)
		built_before=$built
	fi
	what="$(echo $targets | wc -w) objects"
	if [ $selftests = yes ]; then
		what="$what, $(echo "$built" | grep -c . || true) KVM selftests build"
		[ "$gained" -eq 0 ] || what="$what ($gained more than before)"
	fi
	if [ $ok = yes ]; then
		pass=$((pass + 1))
		echo "  ok      $subject ($what)"
	else
		fail=$((fail + 1))
		echo "  not ok  $subject ($what)"
	fi
done

echo "bisect: $pass passed, $fail failed, 0 skipped"
[ "$fail" -eq 0 ]
