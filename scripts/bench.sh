#!/bin/bash
# make bench: the guest_memfd benchmark (scenario gmem-bench) on our test
# kernel and on mainline 7.3 built with the same config fragments
# (scripts/build-mainline.sh), in the same test VM, one kernel after the
# other, ROUNDS times. It prints each figure for both kernels and the ratio
# ours/mainline; above 1.0 means our kernel is faster.
#
# Every figure is the best boot of each kernel (scripts/bench-table.sh);
# the per-boot values are printed too, so that the spread can be seen.
# Under TCG only ratios mean anything, and only between runs on the same
# machine.
#
# Usage: scripts/bench.sh [ROUNDS]     (default 3)
# Output: build/logs/bench/{ours,mainline}-N/gmem-bench.log, the table on
#         stdout and in build/logs/bench/table.txt
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-3}
tree=7.3
out=$top/build/logs/bench

log() { printf 'bench: %s\n' "$*"; }

case $rounds in ''|*[!0-9]*|0) log "ROUNDS must be a number from 1 up"; exit 1 ;; esac

"$top/scripts/build-mainline.sh" "$tree"
mainline=$top/build/mainline-$tree
[ -f "$top/build/obj/arch/x86/boot/bzImage" ] || { log "no test kernel: run 'make build'"; exit 1; }

rm -rf "$out"
mkdir -p "$out"
for r in $(seq "$rounds"); do
	for k in ours mainline; do
		log "round $r/$rounds: $k"
		if [ $k = ours ]; then
			obj=$top/build/obj
		else
			obj=$mainline
		fi
		if ! OBJ=$obj VM_DIR=$top/build/vm/bench-$k LOGS=$out/$k-$r \
			"$top/scripts/vm-test.sh" gmem-bench > "$out/$k-$r.out" 2>&1; then
			cat "$out/$k-$r.out" >&2
			log "the $k kernel's run $r failed (see $out/$k-$r/)"
			exit 1
		fi
		# Both kernels have lockdep (configs/test/50-debug.config); a
		# kernel that turned it off would not be compared like for like.
		if grep -q 'turning off the locking correctness validator' \
				"$out/$k-$r/gmem-bench.console"; then
			log "lockdep turned itself off in the $k kernel's run $r"
			exit 1
		fi
	done
done

"$top/scripts/bench-table.sh" "$out" "$rounds" | tee "$out/table.txt"
