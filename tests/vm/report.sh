#!/bin/sh
# Host SNP readiness report, run inside the VM by /init in "report" mode.
# One line per prerequisite:  @@ READY <name>|ok|<detail>  or
#                             @@ READY <name>|missing|<reason>
# Every answer comes from what the running kernel reports: /proc/cpuinfo,
# the kernel log, sysfs, and the SYSCFG MSR through /dev/cpu/0/msr.
# A line that is ok only because the simulated SNP platform stands in for
# the hardware (snp_sim=, a test kernel option) says so in its detail.

ready() { echo "@@ READY $1|$2|$3"; }
klog() { dmesg -s 8388608 | sed 's/^\[[^]]*\] //'; }

# The kernel's own last word on SNP, if it gave one: the host code prints
# one line with the reason and the remedy when it does not enable SNP.
snp_refusal=$(klog | grep -m1 -E 'SEV-SNP: host support (unavailable|disabled)' || true)

# The simulated platform announces itself with a warning at boot.
sim_host=""
sim_psp=""
klog | grep -q 'SIMULATED SEV-SNP host' &&
	sim_host=" [SIMULATED: snp_sim= stands in for the CPU and its RMP; not hardware]"
klog | grep -q 'SIMULATED PSP' &&
	sim_psp=" [SIMULATED: snp_sim=psp answers for the PSP firmware; not hardware]"

# CPU SNP support. The kernel clears sev_snp when it refuses SNP during
# boot (no RMP, sev=nosnp, ...), as mainline does; it stays after a kexec
# from a kernel that enabled SNP, and after a refusal by the IOMMU.
if grep -qw sev_snp /proc/cpuinfo; then
	ready "CPU SNP support" ok "cpuinfo flag sev_snp$sim_host"
elif [ -n "$snp_refusal" ] && ! echo "$snp_refusal" | grep -q 'CPU does not support'; then
	ready "CPU SNP support" missing "no sev_snp in /proc/cpuinfo; the kernel says: $snp_refusal"
else
	ready "CPU SNP support" missing "the CPU does not report sev_snp (CPUID 0x8000001F EAX bit 4)"
fi

# RMP reserved and valid
rmp=$(klog | grep -m1 -E 'SEV-SNP: RMP table' || true)
if [ -n "$rmp" ]; then
	ready "RMP reserved and valid" ok "$rmp$sim_host"
elif [ -n "$snp_refusal" ]; then
	ready "RMP reserved and valid" missing "$snp_refusal"
else
	ready "RMP reserved and valid" missing "the kernel reports no RMP table (no SNP host support in this kernel, or none reserved by the BIOS)"
fi

# SNP_EN in SYSCFG (MSR 0xC0010010, bit 24)
syscfg=$(dd if=/dev/cpu/0/msr bs=8 count=1 skip=$((0xC0010010 / 8)) 2>/dev/null |
	 od -An -tx8 | tr -d ' ')
if [ -z "$syscfg" ]; then
	ready "SNP_EN" missing "SYSCFG (MSR 0xC0010010) is not readable on this CPU"
elif [ $(( (0x$syscfg >> 24) & 1 )) -eq 1 ]; then
	ready "SNP_EN" ok "SYSCFG=0x$syscfg$sim_host"
else
	ready "SNP_EN" missing "SYSCFG=0x$syscfg: SNP_EN (bit 24) is clear"
fi

# IOMMU mode
if ! klog | grep -q 'AMD-Vi'; then
	ready "IOMMU mode" missing "no AMD IOMMU found (the kernel printed no AMD-Vi line); SNP needs the AMD IOMMU enabled in translation mode"
else
	types=$(cat /sys/kernel/iommu_groups/*/type 2>/dev/null | sort -u | tr '\n' ' ')
	case $types in
	*identity*) ready "IOMMU mode" missing "AMD IOMMU in passthrough mode (iommu=pt); SNP needs translation mode: remove iommu=pt" ;;
	'') ready "IOMMU mode" missing "AMD IOMMU found but no IOMMU groups" ;;
	*) ready "IOMMU mode" ok "AMD IOMMU, default domain type: $types" ;;
	esac
fi

# PSP firmware and SNP_INIT: what the firmware reports now, read through
# /dev/sev by snp-status (tools/crypto/ccp), not what the log once said
if [ ! -c /dev/sev ]; then
	ready "PSP firmware and SNP_INIT" missing "no /dev/sev: the ccp driver found no SEV-capable PSP"
elif ! command -v snp-status > /dev/null; then
	ready "PSP firmware and SNP_INIT" missing "snp-status is not in the initramfs (make selftests builds it)"
elif ! st=$(snp-status 2>&1); then
	ready "PSP firmware and SNP_INIT" missing "snp-status failed: $(echo "$st" | tail -n 1)"
else
	sev=$(echo "$st" | grep -m1 '^SEV platform:')
	snp=$(echo "$st" | grep -m1 '^SNP platform:')
	tcb=$(echo "$st" | grep -m1 '^TCB reported:' | tr -s ' ')
	case $snp in
	*"state INIT"*)
		ready "PSP firmware and SNP_INIT" ok "$snp; $sev; $tcb$sim_psp" ;;
	*)
		ready "PSP firmware and SNP_INIT" missing "$snp; $sev: SNP_INIT was not done (kvm_amd initializes SNP when it loads, on a host with SNP enabled; see the kernel log for why not)" ;;
	esac
fi

# kvm_amd sev_snp
p=/sys/module/kvm_amd/parameters/sev_snp
if [ ! -d /sys/module/kvm_amd ]; then
	ready "kvm_amd sev_snp" missing "kvm_amd is not loaded"
elif [ ! -f $p ]; then
	ready "kvm_amd sev_snp" missing "kvm_amd has no sev_snp parameter (no KVM SNP support in this kernel)"
else
	types=$(kvm-vm-types 2>&1)
	case "$(cat $p) $types " in
	"Y "*" SNP "*)
		ready "kvm_amd sev_snp" ok "sev_snp=Y, VM types offered: $types$sim_host$sim_psp" ;;
	"Y "*)
		ready "kvm_amd sev_snp" missing "sev_snp=Y, but the SNP VM type is not offered (VM types: $types)" ;;
	*)
		ready "kvm_amd sev_snp" missing "sev_snp=$(cat $p): KVM turned SNP off (needs all of the above); VM types offered: $types" ;;
	esac
fi
