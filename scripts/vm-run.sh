#!/bin/bash
# Boot the test kernel in QEMU (TCG, EPYC-Milan) for one scenario, capture
# the console, and judge the run.
#
# Usage: scripts/vm-run.sh SCENARIO
# Output: build/logs/SCENARIO.log (console), build/logs/SCENARIO.kunit
#         (kunit.py parse output), build/vm/SCENARIO/counts ("P F S")
#
# The run fails when a selftest or a KUnit case fails, when the VM does not
# finish in time, when KUnit results are required and missing, or when the
# kernel printed a BUG, WARNING, Oops, panic, lockdep, KASAN or UBSAN report.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib/scenario.sh"
load_scenario "$1"

obj=$top/build/obj
out=$top/build/vm/$SCENARIO
logs=$top/build/logs
log=$logs/$SCENARIO.log
kernel=$obj/arch/x86/boot/bzImage
kunitpy=$top/build/linux/tools/testing/kunit/kunit.py

mkdir -p "$logs"
[ -f "$kernel" ] || { echo "vm: no kernel: run 'make build'" >&2; exit 1; }
[ -f "$out/initramfs.cpio" ] || { echo "vm: no initramfs for $SCENARIO" >&2; exit 1; }

echo "vm: $SCENARIO: $DESCRIPTION"
start=$(date +%s)
set +e
# shellcheck disable=SC2086
timeout -k 10 "$VM_TIMEOUT" qemu-system-x86_64 \
	-accel tcg,thread=single -cpu EPYC-Milan -machine q35 \
	-smp "$SMP" -m "$MEM" \
	-display none -monitor none -serial "file:$log" -no-reboot \
	-kernel "$kernel" -initrd "$out/initramfs.cpio" \
	-append "console=ttyS0 panic=-1 printk.devkmsg=on $CMDLINE" \
	$QEMU_ARGS < /dev/null > "$logs/$SCENARIO.qemu" 2>&1
qrc=$?
set -e
secs=$(( $(date +%s) - start ))

passed=0
failed=0
skipped=0
problems=""
problem() { problems="$problems$*"$'\n'; }

[ $qrc -eq 0 ] || problem "QEMU exited with $qrc$([ $qrc -eq 124 ] && echo " (timed out after ${VM_TIMEOUT}s)")"
grep -q '^@@ RUNNER DONE' "$log" ||
	problem "the VM did not finish (no '@@ RUNNER DONE' in build/logs/$SCENARIO.log)"

# Kernel reports. Lockdep and sleep-in-atomic reports start with WARNING:
# or BUG:; KASAN and UBSAN with their own names.
reports=$(grep -E '(^|\] )(BUG: |WARNING: |Oops|Kernel panic|kernel BUG at|general protection fault|KASAN: |UBSAN: |INFO: trying to register non-static key|INFO: task .* blocked for more than|watchdog: BUG: soft lockup|rcu: INFO: rcu_.* detected stalls)' "$log" |
	   grep -v '^@@' | sort -u | head -20 || true)
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

if [ "$MODE" = report ]; then
	grep '^@@ READY ' "$log" | cut -c10- |
		awk -F'|' '{ printf "  %-28s %-8s %s\n", $1, $2, $3 }'
fi

# KUnit, from the kernel log the runner dumped, parsed by kunit.py.
sed -n '/^@@ DMESG BEGIN/,/^@@ DMESG END/p' "$log" | sed '1d;$d' > "$out/dmesg"
if [ "$KUNIT" != ignore ]; then
	python3 "$kunitpy" parse "$out/dmesg" > "$logs/$SCENARIO.kunit" 2>&1 || true
	sed -i 's/\x1b\[[0-9;]*m//g' "$logs/$SCENARIO.kunit"
	summary=$(grep -E 'Testing complete\. Ran [0-9]+ tests' "$logs/$SCENARIO.kunit" | tail -1 || true)
	if [ -z "$summary" ]; then
		[ "$KUNIT" != required ] || problem "no KUnit results in the kernel log (see build/logs/$SCENARIO.kunit)"
	else
		grep -E '\[(PASSED|FAILED|CRASHED|SKIPPED)\]' "$logs/$SCENARIO.kunit" |
			sed -e 's/^\[[0-9:]*\] //' -e 's/^ */  kunit /' |
			grep -v '\[PASSED\]' || true
		num() { printf '%s\n' "$summary" | grep -oE "$1: [0-9]+" | grep -oE '[0-9]+' || echo 0; }
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
echo "$passed $failed $skipped" > "$out/counts"
echo "vm: $SCENARIO: $passed passed, $failed failed, $skipped skipped (${secs}s, log: build/logs/$SCENARIO.log)"
[ "$failed" -eq 0 ]
