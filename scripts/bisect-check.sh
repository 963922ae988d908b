#!/bin/bash
# Build, at each patch of the series, the objects that the patch touches,
# so that every prefix of the series builds (bisectability).
#
#   foo.c                      -> foo.o
#   a header                   -> the configured objects whose sources
#                                 include it (at most $MAX_USERS of them)
#   Kconfig, Makefile, Kbuild  -> olddefconfig, then that directory
#   tools/testing/selftests/kvm/... -> the KVM selftests
#
# It works in a worktree of build/linux (build/bisect) with its own object
# directory (build/bisect-obj) and the test config, so the main tree and
# build are left alone. ccache keeps repeated compiles cheap.
#
# Usage: scripts/bisect-check.sh
set -eu
. "$(dirname "$0")/lib/patchq.sh"
. "$top/scripts/lib/ccache.sh"

wt=$top/build/bisect
obj=$top/build/bisect-obj
sst=$top/build/bisect-selftests
MAX_USERS=${MAX_USERS:-40}
jobs=${JOBS:-$(nproc)}

log() { printf 'bisect: %s\n' "$*"; }
die() { printf 'bisect: %s\n' "$*" >&2; exit 1; }

[ -f "$top/build/obj/.config" ] || die "no test config: run 'make config'"
commits=$(qgit rev-list --reverse base..HEAD)
[ -n "$commits" ] || { log "no patches"; echo "bisect: 0 passed, 0 failed, 0 skipped"; exit 0; }

if [ ! -e "$wt/.git" ]; then
	qgit worktree prune
	qgit worktree add -q --detach "$wt" base
fi
mkdir -p "$obj" "$sst"

kmake() { make -s -C "$wt" O="$obj" -j"$jobs" CC="ccache gcc" "$@"; }

pass=0
fail=0
for c in $commits; do
	subject=$(qgit log -1 --format=%s "$c")
	git -C "$wt" checkout -q --detach -f "$c"
	cp "$top/build/obj/.config" "$obj/.config"
	kmake olddefconfig >/dev/null
	kmake prepare >/dev/null 2>&1 || kmake prepare

	targets=""
	selftests=no
	for f in $(git -C "$wt" diff --name-only "$c~1" "$c"); do
		[ -e "$wt/$f" ] || continue	# deleted by the patch
		case $f in
		tools/testing/selftests/kvm/*) selftests=yes ;;
		tools/*|Documentation/*|scripts/*) ;;
		*.c|*.S)
			targets="$targets ${f%.*}.o" ;;
		*.h)
			hdr=${f#include/}
			hdr=${hdr#arch/x86/include/}
			users=$(git -C "$wt" grep -l -e "#include [<\"]$hdr[>\"]" \
					-e "#include \"$(basename "$f")\"" -- '*.c' |
				while read -r u; do
					# Only objects that this config builds.
					[ -f "$obj/${u%.c}.o" ] || [ -f "$top/build/obj/${u%.c}.o" ] &&
						echo "${u%.c}.o"
				done | head -n "$MAX_USERS")
			targets="$targets $users" ;;
		*Kconfig*|*Makefile|*Kbuild)
			targets="$targets $(dirname "$f")/" ;;
		esac
	done
	[ -z "$targets" ] || targets=$(printf '%s\n' $targets | sort -u | tr '\n' ' ')

	ok=yes
	# shellcheck disable=SC2086
	if [ -n "$targets" ] && ! kmake $targets > "$obj/bisect.log" 2>&1; then
		ok=no
		sed 's/^/      /' "$obj/bisect.log" | tail -20
	fi
	if [ $selftests = yes ]; then
		kmake headers_install INSTALL_HDR_PATH="$obj/usr" >/dev/null
		if ! make -C "$wt/tools/testing/selftests/kvm" -j"$jobs" \
			CC="ccache gcc" OUTPUT="$sst" KHDR_INCLUDES="-isystem $obj/usr/include" \
			EXTRA_CFLAGS="-static" > "$sst/bisect.log" 2>&1; then
			ok=no
			grep -E 'error' "$sst/bisect.log" | head -20 | sed 's/^/      /'
		fi
	fi
	what="$(echo $targets | wc -w) objects$([ $selftests = yes ] && echo ", KVM selftests")"
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
