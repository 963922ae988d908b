#!/bin/bash
# Boot the test kernel in QEMU (TCG, EPYC-Milan by default) for one scenario, capture
# the console, and judge the run.
#
# Usage: scripts/vm-run.sh SCENARIO
# Output: build/logs/SCENARIO.log (the runner's output, from the second
#         serial port), build/logs/SCENARIO.console (the kernel console),
#         then the verdict of scripts/parse-vm-log.sh on them.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib/scenario.sh"
load_scenario "$1"

# OBJ, VM_DIR and LOGS default to the test kernel's places; make coverage
# points them at its own build.
obj=${OBJ:-$top/build/obj}
out=${VM_DIR:-$top/build/vm}/$SCENARIO
logs=${LOGS:-$top/build/logs}
log=$logs/$SCENARIO.log
console=$logs/$SCENARIO.console
kernel=$obj/arch/x86/boot/bzImage

mkdir -p "$logs"
[ -f "$kernel" ] || { echo "vm: no kernel: run 'make build'" >&2; exit 1; }
[ -f "$out/initramfs.cpio" ] || { echo "vm: no initramfs for $SCENARIO" >&2; exit 1; }

# A kernel built with gcov (make coverage) writes its counters to a third
# serial port.
cov_args=""
if [ "${COVERAGE:-0}" = 1 ]; then
	rm -f "$logs/$SCENARIO.gcov"
	cov_args="-serial file:$logs/$SCENARIO.gcov"
fi

# An ACPI ASPT table for the VM (scripts/make-aspt.py WINDOW [BREAK])
acpi_args=""
if [ -n "$ASPT" ]; then
	# shellcheck disable=SC2086
	set -- $ASPT
	"$top/scripts/make-aspt.py" "$1" "$out/aspt.bin" ${2:+"$2"}
	acpi_args="-acpitable file=$out/aspt.bin"
fi

echo "vm: $SCENARIO: $DESCRIPTION"
# tsc=reliable: an SNP host's TSC is invariant and is its clocksource. Under
# TCG the clocksource watchdog would mark the TSC unstable and fall back to
# the emulated HPET, which makes the KVM clock tests fail and every
# timekeeping call slow.
rm -f "$log" "$console"
start=$(date +%s)
set +e
# shellcheck disable=SC2086
timeout -k 10 "$VM_TIMEOUT" qemu-system-x86_64 \
	-accel tcg,thread=single -cpu "$CPU" -machine q35 \
	-smp "$SMP" -m "$MEM" \
	-display none -monitor none -no-reboot \
	-serial "file:$console" -serial "file:$log" \
	-kernel "$kernel" -initrd "$out/initramfs.cpio" \
	-append "console=ttyS0 panic=-1 tsc=reliable $CMDLINE" \
	$cov_args $acpi_args $QEMU_ARGS < /dev/null > "$logs/$SCENARIO.qemu" 2>&1
qrc=$?
set -e

secs=$(( $(date +%s) - start ))
echo "vm: QEMU exited with $qrc after ${secs}s"
exec "$top/scripts/parse-vm-log.sh" "$SCENARIO" "$log" "$qrc" "$console"
