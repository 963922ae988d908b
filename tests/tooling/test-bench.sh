#!/bin/bash
# Tests of scripts/bench-table.sh, the table of make bench, on synthetic
# runner logs: the best boots, the ratio ours/mainline and the per-boot
# values are exact, and a missing log or figure is an error.
#
# Usage: tests/tooling/test-bench.sh
set -eu

. "$(dirname "$0")/lib.sh"

bench_log() { # bench_log DIR SHARED PRIVATE TO_SHARED TO_PRIVATE
	mkdir -p "$1"
	cat > "$1/gmem-bench.log" <<X
@@ RUNNER START gmem-bench 6.1.0
   | guest_memfd_perf: 16 MiB regions, 3 repeat(s), 64 pages per call
   | shared fault-in: $2 pages/s
   | private fault-in: $3 pages/s
   | to-shared conversion: $4 pages/s
   | to-private conversion: $5 pages/s
   | ratio private/shared fault-in: 1.00
@@ RESULT PASS x86_64/guest_memfd_perf (5s)
X
}

d=$work/logs
bench_log "$d/ours-1" 100 200 3000 4000
bench_log "$d/ours-2" 300 200 5000 4000
bench_log "$d/mainline-1" 100 400 4000 1000
bench_log "$d/mainline-2" 100 400 4000 1000

if out=$("$top/scripts/bench-table.sh" "$d" 2 2>&1); then
	ok "a complete set of logs gives a table"
else
	not_ok "a complete set of logs gives a table: $out"
fi
expect_row() { # expect_row FIGURE OURS MAINLINE RATIO PER_BOOT
	local row
	row=$(printf '%s\n' "$out" | grep "^$1 ") || true
	if [ "$(echo "$row" | tr -s ' ')" = "$1 $2 $3 $4 $5" ]; then
		ok "$1: $2 vs $3, ratio $4"
	else
		not_ok "$1: expected '$2 $3 $4 $5', got '$row'"
	fi
}
expect_row "shared fault-in" 300 100 3.00 "100 300 | 100 100"
expect_row "private fault-in" 200 400 0.50 "200 200 | 400 400"
expect_row "to-shared conversion" 5000 4000 1.25 "3000 5000 | 4000 4000"
expect_row "to-private conversion" 4000 1000 4.00 "4000 4000 | 1000 1000"

# One round only: the second round's logs are not read.
if out=$("$top/scripts/bench-table.sh" "$d" 1 2>&1) &&
   printf '%s\n' "$out" | grep -q '^shared fault-in  *100  *100  *1.00 '; then
	ok "ROUNDS=1 reads the first round only"
else
	not_ok "ROUNDS=1 reads the first round only: $out"
fi

expect_error() { # expect_error CASE MESSAGE: the table of 2 rounds must fail with MESSAGE
	local out
	if out=$("$top/scripts/bench-table.sh" "$d" 2 2>&1); then
		not_ok "$1 is an error"
	elif printf '%s\n' "$out" | grep -qF "$2"; then
		ok "$1 is an error"
	else
		not_ok "$1: wrong message: $out"
	fi
}

sed -i '/to-private conversion/d' "$d/mainline-2/gmem-bench.log"
expect_error "a figure missing from one log" '"to-private conversion" is not in every log'

rm "$d/ours-2/gmem-bench.log"
expect_error "a missing log" "no $d/ours-2/gmem-bench.log"

# The benchmark did not run: logs without figures.
bench_log "$d/ours-2" 1 1 1 1
for f in "$d"/*/gmem-bench.log; do
	grep -v 'pages/s' "$f" > "$f.new" && mv "$f.new" "$f"
done
expect_error "logs without figures" "no figures in the logs"

tap_done
