#!/bin/bash
# Tests of scripts/parse-vm-log.sh, the judge of a test VM run, on
# synthetic console logs: a clean run passes, and each way a run can go
# wrong fails it.
#
# Usage: tests/tooling/test-vm-log.sh   (after "make tree": it uses the
#        tree's kunit.py)
set -eu

. "$(dirname "$0")/lib.sh"

# A private copy of the tooling with its own scenarios.
copy_tooling
mkdir -p "$work/top/tests/scenarios"
export TOP=$work/top KUNIT_PY=$top/build/linux/tools/testing/kunit/kunit.py
printf 'MODE=tests\nKUNIT=required\n' > "$TOP/tests/scenarios/t.conf"
printf 'MODE=tests\nKUNIT=ignore\n' > "$TOP/tests/scenarios/nokunit.conf"
printf 'MODE=report\nKUNIT=ignore\n' > "$TOP/tests/scenarios/report.conf"
cat > "$TOP/tests/scenarios/logs.conf" <<'X'
MODE=tests
KUNIT=ignore
EXPECT_LOG='SEV-SNP: RMP table: 0x[0-9a-f]+-
host support enabled'
REJECT_LOG='host support unavailable'
X


ktap() { # ktap RESULT_OF_CASE_2
	cat <<X
[    1.000000] KTAP version 1
[    1.000001] 1..1
[    1.000002]     KTAP version 1
[    1.000003]     # Subtest: demo
[    1.000004]     1..3
[    1.000005]     ok 1 first
[    1.000006]     $1 2 second
[    1.000007]     ok 3 third # SKIP not here
[    1.000008] $1 1 demo
X
}

clean_log() { # clean_log KUNIT_CASE_2 [EXTRA_KERNEL_LINE]
	echo "[    0.000000] Linux version 6.1.0"
	echo "@@ RUNNER START t"
	echo "@@ TESTS 2"
	echo "   | WARNING: selftest output is not a kernel report"
	echo "@@ RESULT PASS x86_64/state_test (1s)"
	echo "@@ RESULT SKIP x86_64/amx_test (0s) 1..0 # SKIP - no XFD"
	echo "@@ SELFTESTS 1 passed, 0 failed, 1 skipped"
	echo "@@ DMESG BEGIN"
	ktap "$1"
	[ -z "${2:-}" ] || echo "$2"
	echo "@@ DMESG END"
	echo "@@ RUNNER DONE"
}

# expect NAME WANT_EXIT WANT_COUNTS SCENARIO QEMU_RC [CONSOLE] < LOG
# (fed with "< <(...)", not a pipe, so that the counts stay in this shell)
expect() {
	local name=$1 want_rc=$2 want=$3 sc=$4 qrc=$5 console=${6:-} rc=0
	cat > "$work/log"
	"$TOP/scripts/parse-vm-log.sh" "$sc" "$work/log" "$qrc" $console > "$work/out" 2>&1 || rc=$?
	got=$(grep -oE '[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped' "$work/out" | tail -1)
	if [ "$rc" = "$want_rc" ] && [ "$got" = "$want" ]; then
		ok "$name"
	else
		not_ok "$name (exit $rc, '$got'; wanted exit $want_rc, '$want')"
		sed 's/^/    /' "$work/out"
	fi
}

expect "a clean run passes and counts selftests and KUnit cases" \
	0 "3 passed, 0 failed, 2 skipped" t 0 \
	< <(clean_log ok)
expect "a failed KUnit case fails the run" \
	1 "2 passed, 1 failed, 2 skipped" t 0 \
	< <(clean_log "not ok")
expect "a failed selftest fails the run" 1 "2 passed, 1 failed, 2 skipped" t 0 \
	< <(clean_log ok | sed -e 's/RESULT PASS x86_64\/state_test/RESULT FAIL x86_64\/state_test/' \
			       -e 's/^@@ SELFTESTS .*/@@ SELFTESTS 0 passed, 1 failed, 1 skipped/')
expect "a VM that does not finish fails the run" 1 "3 passed, 1 failed, 2 skipped" t 0 \
	< <(clean_log ok | sed '/RUNNER DONE/d')
expect "a QEMU timeout fails the run" 1 "3 passed, 1 failed, 2 skipped" t 124 \
	< <(clean_log ok)
for r in "WARNING: CPU: 1 PID: 80 at arch/x86/kvm/x86.c:100 kvm_foo+0x1/0x2" \
	 "BUG: sleeping function called from invalid context at mm/slab.c:1" \
	 "WARNING: possible circular locking dependency detected" \
	 "BUG: KASAN: use-after-free in kvm_gmem_get_pfn+0x10/0x20" \
	 "UBSAN: shift-out-of-bounds in arch/x86/kvm/mmu/mmu.c:10:5" \
	 "general protection fault, probably for non-canonical address 0xdead: 0000 [#1] SMP" \
	 "Kernel panic - not syncing: Fatal exception" \
	 "watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [kvm:100]" \
	 "INFO: task kvm:100 blocked for more than 120 seconds." \
	 "rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:"; do
	expect "a kernel report fails the run: ${r%% *} ${r#* }" 1 "3 passed, 1 failed, 2 skipped" t 0 \
		< <(clean_log ok "[   12.345678] $r")
done
# Lost, garbled or miscounted results.
expect "a lost result line fails the run" 1 "3 passed, 1 failed, 1 skipped" t 0 \
	< <(clean_log ok | sed '/RESULT SKIP/d')
expect "a garbled result line fails the run" 1 "3 passed, 1 failed, 1 skipped" t 0 \
	< <(clean_log ok | sed 's/^@@ RESULT SKIP/[ 3.1] kvm: note@@ RESULT SKIP/')
expect "a runner count that disagrees fails the run" 1 "3 passed, 1 failed, 2 skipped" t 0 \
	< <(clean_log ok | sed 's/^@@ SELFTESTS .*/@@ SELFTESTS 2 passed, 0 failed, 0 skipped/')
expect "CR LF line ends are read as lines" 0 "3 passed, 0 failed, 2 skipped" t 0 \
	< <(clean_log ok | sed 's/$/\r/')
expect "a stack depth line inside the KTAP output is not a parse error" 0 "3 passed, 0 failed, 2 skipped" t 0 \
	< <(clean_log ok | sed 's/^\(\[ *1\.000002\]     KTAP version 1\)$/\1\n[    1.0000025] kunit_try_catch (86) used greatest stack depth: 14856 bytes left/')
expect "a kernel message after a KTAP header is not a parse error" 0 "3 passed, 0 failed, 2 skipped" t 0 \
	< <(clean_log ok | sed 's/^\(\[ *1\.000002\]     KTAP version 1\)$/\1\n[    1.0000025] clocksource: tsc: mask: 0xffffffffffffffff max_cycles: 0x1e3/')
expect "a crashed KUnit case fails the run" 1 "2 passed, 1 failed, 2 skipped" t 0 \
	< <(clean_log ok | sed 's/^\(\[ *1\.000006\]\)     ok 2 second/\1     not ok 2 second # CRASHED/')
printf '[    9.0] WARNING: CPU: 0 PID: 1 at mm/page_alloc.c:1 x+0x1/0x2\n' > "$work/console"
expect "a kernel report on the console alone fails the run" 1 "3 passed, 1 failed, 2 skipped" t 0 "$work/console" \
	< <(clean_log ok)

expect "missing KUnit results fail a KUNIT=required scenario" 1 "1 passed, 1 failed, 1 skipped" t 0 \
	< <(clean_log ok | sed '/^\[ *1\.0000/d')
expect "... and are fine where KUnit is ignored" 0 "1 passed, 0 failed, 1 skipped" nokunit 0 \
	< <(clean_log ok | sed '/^\[ *1\.0000/d')
expect "expected kernel log lines count as passes" 0 "4 passed, 0 failed, 1 skipped" logs 0 \
	< <(clean_log ok "[    0.5] SEV-SNP: RMP table: 0x100000000-0x101ffffff (32 MiB)" |
	    sed 's/^@@ DMESG END/[    0.6] SEV-SNP: host support enabled (simulated)\n&/')
expect "a missing expected line fails" 1 "3 passed, 1 failed, 1 skipped" logs 0 \
	< <(clean_log ok "[    0.5] SEV-SNP: RMP table: 0x100000000-0x101ffffff (32 MiB)")
expect "a rejected line fails" 1 "3 passed, 1 failed, 1 skipped" logs 0 \
	< <(clean_log ok "[    0.5] SEV-SNP: RMP table: 0x100000000-0x101ffffff (32 MiB)" |
	    sed 's/^@@ DMESG END/[    0.6] SEV-SNP: host support enabled (simulated)\n[    0.7] SEV-SNP: host support unavailable: x\n&/')
printf '[    9.0] SEV-SNP: RMP table: 0x1-0x2\n[    9.1] SEV-SNP: host support enabled\n' > "$work/console2"
expect "expected lines are found on the console too" 0 "4 passed, 0 failed, 1 skipped" logs 0 "$work/console2" \
	< <(clean_log ok)
report_log() { # report_log N: a readiness report with N lines
	echo "@@ RUNNER START report"
	for i in $(seq 1 "$1"); do echo "@@ READY item $i|missing|why $i"; done
	echo "@@ RUNNER DONE"
}
expect "a complete readiness report passes" 0 "0 passed, 0 failed, 0 skipped" report 0 \
	< <(report_log 6)
expect "an incomplete readiness report fails" 1 "0 passed, 1 failed, 0 skipped" report 0 \
	< <(report_log 1)

# MEASURE: the launch digests the tests print are checked on the host
mkdir -p "$TOP/tests/tools"
cp "$top/tests/tools/snp-measure.py" "$TOP/tests/tools/"
printf 'MODE=tests\nKUNIT=ignore\nMEASURE=1\n' > "$TOP/tests/scenarios/measure.conf"
ld=446c57c4ca13cbc4ec05d25e4ed6591e02bdd7a31ed558a7782841b689a578fbc97e439f1e777c1526c579f4634302ce
launch_log() { # launch_log DIGEST: one NORMAL page at GFN 0, seed 1
	clean_log ok | sed '/^@@ RESULT PASS/i\
   | snp-launch: begin name=one\
   | snp-launch: update gfn=0x0 npages=1 type=1 seed=1\
   | snp-launch: digest='"$1"'\
   | snp-launch: end'
}
expect "a launch digest that snp-measure.py agrees with counts as a pass" \
	0 "2 passed, 0 failed, 1 skipped" measure 0 < <(launch_log "$ld")
expect "a wrong launch digest fails the run" \
	1 "1 passed, 1 failed, 1 skipped" measure 0 < <(launch_log "${ld%?}0")
expect "a missing launch fails the run" \
	1 "1 passed, 1 failed, 1 skipped" measure 0 < <(clean_log ok)
if python3 "$top/tests/tools/snp-measure.py" --self-test > "$work/selftest" 2>&1; then
	ok "snp-measure.py --self-test (PAGE_INFO layout, OVMF footer, a wrong digest caught)"
else
	not_ok "snp-measure.py --self-test"
	sed 's/^/    /' "$work/selftest"
fi

tap_done
