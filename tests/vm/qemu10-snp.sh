#!/bin/sh
# Inside the test VM (scenario snp-launch): an unmodified QEMU 10 from
# Debian trixie (scripts/qemu10.sh) launches an SEV-SNP guest with OVMF
# through our KVM on the simulated SNP host, with 1 and with 2 vCPUs.
# QEMU must get through LAUNCH_START, every LAUNCH_UPDATE and
# LAUNCH_FINISH, then stop at KVM_RUN, which the simulated platform's CPU
# cannot do (EOPNOTSUPP). Afterwards no page of the guest may be left
# assigned in the RMP. Each launch is printed as "snp-launch:" lines for
# the host's independent check of the digest (tests/tools/snp-measure.py).
#
# The C-bit position is 0: TCG's CPUID leaf 0x8000001F is all zero, and
# QEMU checks the C-bit it is given against that leaf.
set -u
fail=0
ovmf=/opt/qemu10/share/OVMF.fd
sim=/sys/kernel/debug/psp-sim
rmp=/sys/kernel/debug/snp-sim/rmp

# The simulated PSP's command count since boot, and its last N commands
nr_cmds() {
	awk '$1 == "commands" { print $2 }' "$sim/state"
}

last_cmds() {
	awk '$1 == "cmd" { printf "%s%s", sep, $2 ($4 == "0x0" ? "" : "(" $4 ")"); sep = " " }' \
		"$sim/state" | tr ' ' '\n' | tail -n "$1" | tr '\n' ' '
}

uptime_ms() {
	awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime
}

# The newest launch of the simulated PSP: "SEQ STATE ASID", live or ended
newest_launch() {
	awk '$1 == "launch" && $2 > seq { seq = $2; line = $2 " " $5 " " $7 }
	     END { if (seq) print line }' "$sim/snp_launches"
}

launch() {
	vcpus=$1
	name="qemu10-ovmf-$vcpus-vcpus"
	before=$(newest_launch | cut -d' ' -f1)
	before=${before:-0}
	set -- -nodefaults -display none -serial none -monitor stdio \
		-machine q35,accel=kvm,confidential-guest-support=sev0,memory-backend=ram0 \
		-object memory-backend-memfd,id=ram0,size=256M,share=true \
		-object sev-snp-guest,id=sev0,cbitpos=0,reduced-phys-bits=1 \
		-bios "$ovmf" -smp "$vcpus" -m 256M
	echo "== $name: qemu10 $*"
	c0=$(nr_cmds)
	t0=$(uptime_ms)
	# The monitor: after the launch, wait for the vCPUs to stop, then quit
	{ echo "info status"; sleep 5; printf 'info status\nquit\n'; } |
		timeout -k 5 240 qemu10 "$@" > /tmp/qemu10-snp.out 2>&1 &
	qpid=$!
	tfin=""
	while kill -0 "$qpid" 2>/dev/null; do
		if [ -z "$tfin" ]; then
			# shellcheck disable=SC2046 # split into its fields
			set -- $(newest_launch)
			if [ "${1:-0}" -gt "$before" ] && [ "${2:-}" = running ]; then
				tfin=$(uptime_ms)
			fi
		fi
		sleep 0.1
	done
	wait "$qpid"
	rc=$?
	tr -d '\r' < /tmp/qemu10-snp.out | grep -v '^(qemu) *$' | sed 's/^/    /'
	fin="not seen"
	[ -z "$tfin" ] || fin="$((tfin - t0)) ms after the start"
	echo "   QEMU exit $rc after $(( $(uptime_ms) - t0 )) ms; LAUNCH_FINISH $fin"

	c1=$(nr_cmds)
	echo "   firmware commands: $((c1 - c0)); the last 6: $(last_cmds 6)"
	# shellcheck disable=SC2046 # split into its fields
	set -- $(newest_launch)
	seq=${1:-0} state=${2:-} asid=${3:-0}
	if [ "$seq" -le "$before" ]; then
		echo "FAIL: $name: no SNP launch reached the simulated PSP"
		fail=1
		return
	fi
	grep "^launch $seq " "$sim/snp_launches" | sed 's/^/   /'
	[ "$state" = running ] || { echo "FAIL: $name: the launch ended in state $state"; fail=1; }
	grep -q 'kvm run failed Operation not supported' /tmp/qemu10-snp.out ||
		{ echo "FAIL: $name: QEMU did not stop at KVM_RUN with EOPNOTSUPP"; fail=1; }
	[ "$rc" = 0 ] || { echo "FAIL: $name: QEMU exit status $rc"; fail=1; }
	if grep -q "^asid $asid " "$rmp"; then
		echo "FAIL: $name: pages of ASID $asid are still assigned in the RMP:"
		grep "^asid $asid " "$rmp" | sed 's/^/    /'
		fail=1
	fi

	echo "snp-launch: begin name=$name"
	echo "snp-launch: ovmf file=OVMF.fd"
	awk -v s="$seq" '$1 == "vmsa" && $2 == s {
		printf "snp-launch: vmsa vcpu=%s off=%s hex=%s\n", $3, $4, $5 }' \
		"$sim/snp_launches"
	awk -v s="$seq" '$1 == "launch" && $2 == s {
		for (i = 1; i < NF; i++) if ($i == "digest") print "snp-launch: digest=" $(i + 1) }' \
		"$sim/snp_launches"
	echo "snp-launch: end"
}

launch 1
launch 2
echo "== the RMP afterwards"
sed 's/^/    /' "$rmp"
exit $fail
