#!/bin/sh
# Inside the test VM (scenario qemu10-smoke): Debian trixie's QEMU 10 of
# /opt/qemu10 (scripts/qemu10.sh, QEMU10=yes) runs on the VM's /dev/kvm
# with its own loader and libraries: its version, a KVM guest created
# paused (-S), and the same guest running OVMF for a few seconds. The
# SEV-SNP launch is tests/vm/qemu10-snp.sh (scenario snp-launch).
# Fails when QEMU does not start or KVM is not in use.
set -u
fail=0
ovmf=/opt/qemu10/share/OVMF.fd

# hmp SECONDS ARGS...: run qemu10 with a monitor on stdin; the monitor
# commands come from $cmds, the last ones after SECONDS. The monitor's
# line editing echo is left out.
hmp() {
	wait=$1
	shift
	{ printf '%s\n' "$cmds1"; sleep "$wait"; printf '%s\nquit\n' "$cmds2"; } |
		timeout -k 5 120 qemu10 -nodefaults -display none -serial none \
			-monitor stdio -m 256M "$@" > /tmp/qemu10.out 2>&1
	rc=$?
	tr -d '\r' < /tmp/qemu10.out | grep -v '^(qemu)' | sed 's/^/    /'
	return $rc
}

echo "== qemu10 --version"
qemu10 --version || fail=1

echo "== a KVM guest with OVMF, paused (-S)"
cmds1="info kvm
info status" cmds2="info cpus"
hmp 1 -machine q35,accel=kvm -bios "$ovmf" -S || fail=1
grep -q 'kvm support: enabled' /tmp/qemu10.out || { echo "   KVM is not in use"; fail=1; }

echo "== the same guest running OVMF for 5 seconds"
cmds1="info status" cmds2="info status
info registers"
hmp 5 -machine q35,accel=kvm -bios "$ovmf" > /tmp/qemu10.regs || fail=1
grep -E 'VM status|^    (RIP|CS )' /tmp/qemu10.regs
grep -q 'VM status: running' /tmp/qemu10.out || { echo "   the guest does not run"; fail=1; }

exit $fail
