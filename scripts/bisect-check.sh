#!/bin/bash
# Build, at each patch of the series, the objects that the patch touches,
# so that every prefix of the series builds (bisectability).
#
#   foo.c                      -> foo.o
#   a header                   -> the configured objects whose sources
#                                 include it (at most $MAX_USERS of them)
#   Documentation/, other tools/ -> nothing to build
# A patch that changes kernel code but maps to nothing to build fails: the
# check would otherwise pass without checking anything.
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
		tools/*|Documentation/*|scripts/*|*.rst|*.txt) ;;
		*.c|*.S)
			code=yes
			targets="$targets ${f%.*}.o" ;;
		*.h)
			code=yes
			hdr=${f#include/}
			hdr=${hdr#arch/x86/include/}
			hdr=${hdr#uapi/}
			users=$(git -C "$wt" grep -l -e "#include [<\"]$hdr[>\"]" \
					-e "#include \"$(basename "$f")\"" -- '*.c' |
				while read -r u; do
					# Only objects that this config builds.
					[ -f "$obj/${u%.c}.o" ] || [ -f "$top/build/obj/${u%.c}.o" ] &&
						echo "${u%.c}.o"
				done | head -n "$MAX_USERS")
			targets="$targets $users" ;;
		*Kconfig*|*Makefile|*Kbuild)
			code=yes
			targets="$targets $(dirname "$f")/" ;;
		*)
			code=yes ;;
		esac
	done
	[ -z "$targets" ] || targets=$(printf '%s\n' $targets | sort -u | tr '\n' ' ')

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
		# The selftests Makefile does not track headers: start clean.
		rm -rf "$sst"
		mkdir -p "$sst"
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
