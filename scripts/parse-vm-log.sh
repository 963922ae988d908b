#!/bin/bash
# Judge one test VM run from its console log.
#
# Usage: scripts/parse-vm-log.sh SCENARIO LOG [QEMU_EXIT_CODE [CONSOLE]]
#   LOG      the runner's output ("@@ " lines, selftest output, kernel log)
#   CONSOLE  the kernel console, searched for kernel reports too
# Output: one line per selftest and per non-passing KUnit case, the
#         readiness report in "report" mode, and a closing line
#         "vm: SCENARIO: N passed, N failed, N skipped".
#         build/logs/SCENARIO.kunit holds the kunit.py parse output.
#
# The run fails (exit 1, and one more failure counted) when:
#  - QEMU did not exit 0, or the runner did not reach "@@ RUNNER DONE";
#  - the runner did not report one result per listed selftest;
#  - the kernel log has a BUG, WARNING, Oops, panic, lockdep, KASAN, UBSAN,
#    hung task, soft lockup or RCU stall report;
#  - KUNIT=required and kunit.py finds no KUnit results;
#  - kunit.py reports errors in the KTAP output.
# Failed selftests, failed or crashed KUnit cases, and EXPECT_LOG lines
# missing from (or REJECT_LOG lines present in) the kernel log count one
# each.
set -eu

top=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top/scripts/lib/scenario.sh"
load_scenario "$1"
shown_log=$2
qrc=${3:-0}
console=${4:-}
logs=$(dirname "$2")
# A serial port may end lines with CR LF: read the lines without the CR.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
tr -d '\r' < "$2" > "$log"
kunitpy=${KUNIT_PY:-$top/build/linux/tools/testing/kunit/kunit.py}

passed=0
failed=0
skipped=0
problems=""
problem() { problems="$problems$*"$'\n'; }

[ "$qrc" -eq 0 ] || problem "QEMU exited with $qrc$([ "$qrc" -eq 124 ] && echo " (timed out after ${VM_TIMEOUT}s)")"
grep -q '^@@ RUNNER DONE' "$log" ||
	problem "the VM did not finish (no '@@ RUNNER DONE' in ${shown_log#"$top"/})"

# Kernel reports. Lockdep and sleep-in-atomic reports start with WARNING:
# or BUG:; KASAN and UBSAN with their own names. The runner's own lines
# ("@@ ...", "   | ..." selftest output) are not kernel reports.
reports=$(cat "$log" ${console:+"$console"} | grep -v -e '^@@' -e '^   | ' |
	  grep -E '(^|\] )(BUG: |WARNING: |Oops|Kernel panic|kernel BUG at|general protection fault|KASAN: |UBSAN: |INFO: trying to register non-static key|INFO: task .* blocked for more than|watchdog: BUG: soft lockup|rcu: INFO: rcu_.* detected stalls)' |
	  sed 's/^\[[^]]*\] //' | sort -u | head -20 || true)
[ -z "$reports" ] || problem "the kernel reported:"$'\n'"$(printf '%s\n' "$reports" | sed 's/^/      /')"

# Selftests, as the runner printed them.
while read -r _ _ verdict rest; do
	printf '  %-4s %s\n' "$verdict" "$rest"
	case $verdict in
	PASS) passed=$((passed + 1)) ;;
	SKIP) skipped=$((skipped + 1)) ;;
	*) failed=$((failed + 1)) ;;
	esac
done < <(grep '^@@ RESULT ' "$log" || true)

# Every listed selftest must have reported, and the runner's own count must
# agree: a lost or garbled result line is a failure, never a silent gap.
if [ "$MODE" = tests ] && grep -q '^@@ RUNNER DONE' "$log"; then
	listed=$(sed -n 's/^@@ TESTS \([0-9]*\)$/\1/p' "$log")
	results=$((passed + failed + skipped))
	if [ -z "$listed" ]; then
		problem "the runner did not say how many selftests it runs"
	elif [ "$results" -ne "$listed" ]; then
		problem "$listed selftests listed, $results results reported"
	fi
	own=$(grep '^@@ SELFTESTS ' "$log" | cut -c14- || true)
	[ "$own" = "$passed passed, $failed failed, $skipped skipped" ] ||
		problem "the runner counted '$own', the log has $passed passed, $failed failed, $skipped skipped"
fi

# Kernel log lines the scenario expects (EXPECT_LOG) or forbids
# (REJECT_LOG): one extended regex per line, matched against the kernel
# log the runner dumped and the console. Each counts as one test.
klog=$( (sed -n '/^@@ DMESG BEGIN/,/^@@ DMESG END/p' "$log"; cat ${console:+"$console"}) |
	grep -v -e '^@@' -e '^   | ' | sed 's/^\[[^]]*\] //' || true)
log_check() { # log_check expect|reject PATTERN
	local found=no
	grep -qE -e "$2" <<< "$klog" && found=yes
	if { [ "$1" = expect ] && [ $found = yes ]; } ||
	   { [ "$1" = reject ] && [ $found = no ]; }; then
		printf '  %-4s log %s /%s/\n' PASS "$([ "$1" = expect ] && echo has || echo "has no")" "$2"
		passed=$((passed + 1))
	else
		printf '  %-4s log %s /%s/\n' FAIL "$([ "$1" = expect ] && echo "lacks" || echo has)" "$2"
		failed=$((failed + 1))
	fi
}
while IFS= read -r pat; do
	[ -z "$pat" ] || log_check expect "$pat"
done <<< "$EXPECT_LOG"
while IFS= read -r pat; do
	[ -z "$pat" ] || log_check reject "$pat"
done <<< "$REJECT_LOG"

# The SNP launch digests the tests printed ("snp-launch:" blocks), each
# checked against tests/tools/snp-measure.py, an implementation of the
# launch digest that shares nothing with the simulated PSP. MEASURE is the
# number of launches the scenario's tests print; the check counts as one.
if [ -n "$MEASURE" ]; then
	if out=$(python3 "$top/tests/tools/snp-measure.py" \
		 --ovmf-dir "$top/build/qemu10/share" --expect-blocks "$MEASURE" \
		 "$log" 2>&1); then
		printf '%s\n' "$out" | sed 's/^/  /'
		printf '  %-4s launch digests: %s checked against snp-measure.py\n' PASS "$MEASURE"
		passed=$((passed + 1))
	else
		printf '%s\n' "$out" | sed 's/^/  /'
		printf '  %-4s launch digests (snp-measure.py, %s expected)\n' FAIL "$MEASURE"
		failed=$((failed + 1))
	fi
fi

if [ "$MODE" = report ]; then
	echo "Host SNP readiness (from the kernel booted in the test VM):"
	grep '^@@ READY ' "$log" | cut -c10- |
		awk -F'|' '{ printf "  %-27s %-8s %s\n", $1, $2, $3 }'
	[ "$(grep -c '^@@ READY ' "$log")" -eq 6 ] ||
		problem "the readiness report is incomplete"
	if grep -q '^   | == qemu10-' "$log"; then
		echo "SEV-SNP guests launched by QEMU 10 with OVMF (on the simulated platform):"
		grep -E '^   \| (== qemu10-|    error: kvm run|   QEMU exit|   firmware commands|   launch |FAIL)' "$log" |
			cut -c6- | sed 's/^/  /'
	fi
fi

# KUnit, from the kernel log the runner dumped, parsed by kunit.py.
if [ "$KUNIT" != ignore ]; then
	dmesg=$(mktemp)
	# Other kernel messages come at any time: one between a KTAP header
	# and its subtest or plan line (a thread's new stack depth record,
	# the TSC clocksource's late calibration) breaks kunit.py's parse.
	# There, and only there, lines that are not KTAP are left out.
	sed -n '/^@@ DMESG BEGIN/,/^@@ DMESG END/p' "$log" | sed '1d;$d' |
		awk '{ body = $0; sub(/^\[[^]]*\] ?/, "", body) }
		     hdr && body !~ /^[ \t]*(#|[0-9]+\.\.[0-9]+|K?TAP version|(not )?ok )/ { next }
		     { hdr = body ~ /^[ \t]*(K?TAP version|# Subtest:)/; print }' > "$dmesg"
	kout=$logs/$SCENARIO.kunit
	python3 "$kunitpy" parse "$dmesg" > "$kout" 2>&1 || true
	rm -f "$dmesg"
	sed -i 's/\x1b\[[0-9;]*m//g' "$kout"
	summary=$(grep -E 'Testing complete\. Ran [0-9]+ tests' "$kout" | tail -1 || true)
	if [ -z "$summary" ] || grep -q 'Ran 0 tests' <<< "$summary"; then
		[ "$KUNIT" != required ] ||
			problem "no KUnit results in the kernel log (see $kout)"
	else
		grep -E '\[(FAILED|CRASHED|SKIPPED)\]' "$kout" |
			sed -e 's/^\[[0-9:]*\] *//' -e 's/^/  kunit /' || true
		num() { grep -oE "$1: [0-9]+" <<< "$summary" | grep -oE '[0-9]+' || echo 0; }
		kp=$(num passed) kf=$(num failed) kc=$(num crashed) ks=$(num skipped) ke=$(num errors)
		echo "  kunit: ${summary#*Testing complete. }"
		passed=$((passed + kp))
		failed=$((failed + kf + kc))
		skipped=$((skipped + ks))
		[ "$ke" -eq 0 ] || problem "kunit.py parse found $ke errors in the KTAP output"
	fi
fi

if [ -n "$problems" ]; then
	printf '%s' "$problems" | sed 's/^/  FAIL /'
	failed=$((failed + 1))
fi
echo "vm: $SCENARIO: $passed passed, $failed failed, $skipped skipped (log: ${shown_log#"$top"/})"
[ "$failed" -eq 0 ]
