// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM's SEV VM types, KVM_SEV_INIT2 and the KVM_X86_GRP_SEV attributes,
 * row by row, against mainline's ABI: every bad input gives mainline's
 * errno, in mainline's order. Run on the simulated platform
 * (snp_sim=rmp:...,psp,asids:15/8) with kvm_amd loaded:
 *
 * - /dev/kvm: KVM_CAP_VM_TYPES is exactly --types, kvm_amd.sev_snp is Y
 *   exactly when SNP is among them; the SEV attribute
 *   group answers VMSA_FEATURES (none) and SNP_POLICY_BITS, ENXIO for
 *   anything else, for GET and HAS alike;
 * - per VM type (0, 2, 3, 4): KVM_CAP_SYNC_REGS, KVM_CAP_READONLY_MEM and
 *   KVM_CAP_GUEST_MEMFD on the VM, read-only and guest_memfd memslots;
 * - KVM_SEV_INIT, KVM_SEV_ES_INIT and KVM_SEV_INIT2 on every type, every
 *   flags bit, every vmsa_features bit, ghcb_version 0 to 3, a bad
 *   pointer, a second init, init after a vCPU exists, KVM_RUN of a vCPU
 *   that was created before INIT2, and KVM_RUN after INIT2, which the
 *   simulated platform's CPU cannot do (EOPNOTSUPP);
 * - on an SNP VM: before INIT2, the legacy commands take their normal
 *   path; after it, every command id below 100 is EPERM; pre-faulting
 *   is refused (EOPNOTSUPP) until the launch finishes;
 * - protected state: an SEV-ES guest launched through the simulated PSP
 *   (LAUNCH_START, ACTIVATE, LAUNCH_UPDATE_VMSA); then the register,
 *   sregs, debug register, XCR, FPU and XSAVE ioctls and the MSRs of the
 *   VMSA are refused on the SEV-ES type and still "succeed" on a legacy
 *   SEV-ES VM; freeing the VM sends DEACTIVATE and DECOMMISSION;
 * - ASIDs: the SEV range (8-15) and the range that SEV-ES and SNP share
 *   (1-7) run out with EBUSY, and a freed ASID comes back after WBINVD and
 *   SNP_DF_FLUSH, which the simulated PSP's command log shows; an SNP VM
 *   gives its guest-request page back to the kernel (SNP_PAGE_RECLAIM).
 *
 * On a host without SEV (--types without the SEV type), it checks only
 * KVM_CAP_VM_TYPES and that kvm_amd.sev_snp reads N.
 *
 * Exit status: 0 all passed, 1 a check failed, 4 skipped (no /dev/sev,
 * or no simulated PSP).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>
#include <linux/psp-sev.h>

#include "../psp/psp-test.h"
#include "../psp/sim-state.h"
#include "expect.h"

#define FW_SNP_DF_FLUSH_CMD	FW_SNP_DF_FLUSH

/* The SEV ASIDs of the simulated platform, snp_sim=...,asids:15/8 */
#define MAX_ASID	15
#define MIN_SEV_ASID	8

/* SNP policy bits that KVM offers without SNP_FEATURE_INFO */
#define SNP_POLICY_BITS	0x1bffffULL

/* KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS | KVM_SYNC_X86_EVENTS */
#define SYNC_REGS_ALL	0x7

static int kvm_fd, sev_fd;
static unsigned long long types;

static const char *type_name(unsigned long type)
{
	switch (type) {
	case KVM_X86_DEFAULT_VM:	return "DEFAULT_VM";
	case KVM_X86_SW_PROTECTED_VM:	return "SW_PROTECTED_VM";
	case KVM_X86_SEV_VM:		return "SEV_VM";
	case KVM_X86_SEV_ES_VM:		return "SEV_ES_VM";
	case KVM_X86_SNP_VM:		return "SNP_VM";
	default:			return "?";
	}
}

static int vm_create(unsigned long type)
{
	int fd = ioctl(kvm_fd, KVM_CREATE_VM, type);

	if (fd < 0)
		fatal("KVM_CREATE_VM(%s): %s", type_name(type), strerror(errno));
	return fd;
}

static int vcpu_create(int vm)
{
	int fd = ioctl(vm, KVM_CREATE_VCPU, 0);

	if (fd < 0)
		die("KVM_CREATE_VCPU");
	return fd;
}

/* KVM_MEMORY_ENCRYPT_OP: 0 or -errno; the firmware status in *fw */
static int sev_cmd(int vm, unsigned int id, void *data, unsigned int *fw)
{
	struct kvm_sev_cmd cmd = {
		.id = id,
		.data = (uintptr_t)data,
		.sev_fd = sev_fd,
	};
	int ret = ioctl(vm, KVM_MEMORY_ENCRYPT_OP, &cmd);

	if (fw)
		*fw = cmd.error;
	return ret ? -errno : 0;
}

static int init2(int vm, const struct kvm_sev_init *in)
{
	struct kvm_sev_init data = *in;

	return sev_cmd(vm, KVM_SEV_INIT2, &data, NULL);
}

/* A capability's value */
static void expect_cap(int vm, long cap, int want, const char *what)
{
	int got = ioctl(vm, KVM_CHECK_EXTENSION, cap);

	check(got == want, "%s: %d (want %d)", what, got, want);
}

static bool has_type(unsigned long type)
{
	return types & (1ULL << type);
}

static void dev_attrs(void)
{
	static const struct { unsigned int group; unsigned long long attr; int err; } rows[] = {
		{ KVM_X86_GRP_SYSTEM, KVM_X86_XCOMP_GUEST_SUPP, 0 },
		{ KVM_X86_GRP_SEV, KVM_X86_SEV_VMSA_FEATURES, 0 },
		{ KVM_X86_GRP_SEV, KVM_X86_SNP_POLICY_BITS, 0 },
		{ KVM_X86_GRP_SEV, 2, -ENXIO },
		{ KVM_X86_GRP_SEV, ~0ULL, -ENXIO },
		{ 2, 0, -ENXIO },
		{ ~0U, 0, -ENXIO },
	};
	unsigned int i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		unsigned long long val = 0xdeadbeef;
		struct kvm_device_attr a = {
			.group = rows[i].group,
			.attr = rows[i].attr,
			.addr = (uintptr_t)&val,
		};
		int get, has;

		get = ioctl(kvm_fd, KVM_GET_DEVICE_ATTR, &a) ? -errno : 0;
		has = ioctl(kvm_fd, KVM_HAS_DEVICE_ATTR, &a) ? -errno : 0;
		expect(get, rows[i].err, "/dev/kvm: GET_DEVICE_ATTR group %u attr %#llx",
		       rows[i].group, rows[i].attr);
		expect(has, rows[i].err, "/dev/kvm: HAS_DEVICE_ATTR group %u attr %#llx",
		       rows[i].group, rows[i].attr);
		if (rows[i].group != KVM_X86_GRP_SEV || get)
			continue;
		if (rows[i].attr == KVM_X86_SEV_VMSA_FEATURES)
			check(val == 0, "/dev/kvm: KVM_X86_SEV_VMSA_FEATURES %#llx (want 0: none is supported)",
			      val);
		else
			check(val == (has_type(KVM_X86_SNP_VM) ? SNP_POLICY_BITS : 0),
			      "/dev/kvm: KVM_X86_SNP_POLICY_BITS %#llx (want %#llx)",
			      val, has_type(KVM_X86_SNP_VM) ? SNP_POLICY_BITS : 0);
	}

	/* A bad address: the attribute is looked up first, then written */
	{
		struct kvm_device_attr a = {
			.group = KVM_X86_GRP_SEV,
			.attr = KVM_X86_SEV_VMSA_FEATURES,
			.addr = 8,
		};
		int get = ioctl(kvm_fd, KVM_GET_DEVICE_ATTR, &a) ? -errno : 0;

		expect(get, -EFAULT, "/dev/kvm: GET_DEVICE_ATTR VMSA_FEATURES to address 8");
	}
}

/* What a VM of @type says about itself, and which memslots it takes */
static void vm_caps(unsigned long type)
{
	bool prot = type == KVM_X86_SEV_ES_VM || type == KVM_X86_SNP_VM;
	bool priv = type == KVM_X86_SNP_VM;
	const char *t = type_name(type);
	int vm = vm_create(type), gmem, ret;
	struct kvm_create_guest_memfd g = { .size = 0x200000 };
	struct kvm_userspace_memory_region2 r = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = 0x200000,
	};
	char what[64];
	void *mem;

	snprintf(what, sizeof(what), "%s: KVM_CAP_SYNC_REGS", t);
	expect_cap(vm, KVM_CAP_SYNC_REGS, prot ? 0 : SYNC_REGS_ALL, what);
	snprintf(what, sizeof(what), "%s: KVM_CAP_READONLY_MEM", t);
	expect_cap(vm, KVM_CAP_READONLY_MEM, !prot, what);
	snprintf(what, sizeof(what), "%s: KVM_CAP_GUEST_MEMFD", t);
	expect_cap(vm, KVM_CAP_GUEST_MEMFD, priv, what);

	mem = mmap(NULL, 0x200000, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap");
	r.userspace_addr = (uintptr_t)mem;

	r.flags = KVM_MEM_READONLY;
	ret = ioctl(vm, KVM_SET_USER_MEMORY_REGION2, &r) ? -errno : 0;
	expect(ret, prot ? -EINVAL : 0, "%s: read-only memslot", t);
	if (!ret) {
		r.memory_size = 0;
		ioctl(vm, KVM_SET_USER_MEMORY_REGION2, &r);
		r.memory_size = 0x200000;
	}

	gmem = ioctl(vm, KVM_CREATE_GUEST_MEMFD, &g);
	if (gmem >= 0) {
		r.flags = KVM_MEM_GUEST_MEMFD;
		r.guest_memfd = gmem;
		ret = ioctl(vm, KVM_SET_USER_MEMORY_REGION2, &r) ? -errno : 0;
		expect(ret, priv ? 0 : -EINVAL, "%s: guest_memfd memslot", t);
		close(gmem);
	} else {
		check(!priv, "%s: KVM_CREATE_GUEST_MEMFD: %s", t, strerror(errno));
	}

	munmap(mem, 0x200000);
	close(vm);
}

/* One init command on a fresh VM of @type */
static int init_on_fresh(unsigned long type, unsigned int id,
			 const struct kvm_sev_init *in)
{
	struct kvm_sev_init data = in ? *in : (struct kvm_sev_init){};
	int vm = vm_create(type);
	int ret = sev_cmd(vm, id, &data, NULL);

	close(vm);
	return ret;
}

static void init_rows(unsigned long type)
{
	bool sev = type == KVM_X86_SEV_VM, snp = type == KVM_X86_SNP_VM;
	bool sev_type = type >= KVM_X86_SEV_VM;
	const char *t = type_name(type);
	struct kvm_sev_init in = {};
	int i, vm, vcpu, ret;

	expect(init_on_fresh(type, KVM_SEV_INIT, NULL),
	       type == KVM_X86_DEFAULT_VM ? 0 : -EINVAL, "%s: KVM_SEV_INIT", t);
	expect(init_on_fresh(type, KVM_SEV_ES_INIT, NULL),
	       type == KVM_X86_DEFAULT_VM ? 0 : -EINVAL, "%s: KVM_SEV_ES_INIT", t);
	expect(init_on_fresh(type, KVM_SEV_INIT2, &in), sev_type ? 0 : -EINVAL,
	       "%s: KVM_SEV_INIT2", t);

	/* The type is checked before the argument is read */
	vm = vm_create(type);
	expect(sev_cmd(vm, KVM_SEV_INIT2, (void *)8, NULL),
	       sev_type ? -EFAULT : -EINVAL, "%s: KVM_SEV_INIT2, data at address 8", t);
	expect(sev_cmd(vm, KVM_SEV_INIT2, NULL, NULL),
	       sev_type ? -EFAULT : -EINVAL, "%s: KVM_SEV_INIT2, no data", t);
	/* No command at all is a probe, and succeeds */
	expect(ioctl(vm, KVM_MEMORY_ENCRYPT_OP, NULL) ? -errno : 0, 0,
	       "%s: KVM_MEMORY_ENCRYPT_OP without a command", t);
	close(vm);

	if (!sev_type)
		return;

	for (i = 0; i < 32; i++) {
		in = (struct kvm_sev_init){ .flags = 1U << i };
		expect(init_on_fresh(type, KVM_SEV_INIT2, &in), -EINVAL,
		       "%s: KVM_SEV_INIT2 flags bit %d", t, i);
	}
	for (i = 0; i < 64; i++) {
		in = (struct kvm_sev_init){ .vmsa_features = 1ULL << i };
		expect(init_on_fresh(type, KVM_SEV_INIT2, &in), -EINVAL,
		       "%s: KVM_SEV_INIT2 vmsa_features bit %d", t, i);
	}
	for (i = 0; i <= 3; i++) {
		int want;

		if (sev)
			want = i ? -EINVAL : 0;
		else if (snp)
			want = i == 0 || i == 2 ? 0 : -EINVAL;
		else
			want = i <= 2 ? 0 : -EINVAL;
		in = (struct kvm_sev_init){ .ghcb_version = i };
		expect(init_on_fresh(type, KVM_SEV_INIT2, &in), want,
		       "%s: KVM_SEV_INIT2 ghcb_version %d", t, i);
	}
	/* pad1 and pad2 are not checked, as upstream */
	in = (struct kvm_sev_init){ .pad1 = 0xffff, .pad2 = { 1, 2, 3, 4, 5, 6, 7, 8 } };
	expect(init_on_fresh(type, KVM_SEV_INIT2, &in), 0,
	       "%s: KVM_SEV_INIT2 with pad1 and pad2 set", t);

	/* Twice */
	in = (struct kvm_sev_init){};
	vm = vm_create(type);
	expect(init2(vm, &in), 0, "%s: first KVM_SEV_INIT2", t);
	expect(init2(vm, &in), snp ? -EPERM : -EINVAL, "%s: second KVM_SEV_INIT2", t);
	close(vm);

	/*
	 * The simulated platform reports SEV for a CPU that cannot run an
	 * encrypted guest: KVM_RUN is refused, and the log says why.
	 */
	vm = vm_create(type);
	expect(init2(vm, &in), 0, "%s: KVM_SEV_INIT2", t);
	vcpu = vcpu_create(vm);
	ret = ioctl(vcpu, KVM_RUN, 0) ? -errno : 0;
	expect(ret, -EOPNOTSUPP, "%s: KVM_RUN on a CPU without SEV", t);
	close(vcpu);
	close(vm);

	/* A vCPU first: INIT2 is refused, and the vCPU cannot run */
	vm = vm_create(type);
	vcpu = vcpu_create(vm);
	expect(init2(vm, &in), -EINVAL, "%s: KVM_SEV_INIT2 after KVM_CREATE_VCPU", t);
	ret = ioctl(vcpu, KVM_RUN, 0) ? -errno : 0;
	expect(ret, -EINVAL, "%s: KVM_RUN of a vCPU created before KVM_SEV_INIT2", t);
	close(vcpu);
	close(vm);

	if (!snp)
		return;

	/* Before INIT2, an SNP VM takes the legacy commands' normal path */
	vm = vm_create(type);
	expect(sev_cmd(vm, KVM_SEV_LAUNCH_START, &in, NULL), -ENOTTY,
	       "%s: KVM_SEV_LAUNCH_START before KVM_SEV_INIT2", t);
	expect(init2(vm, &in), 0, "%s: KVM_SEV_INIT2", t);
	for (i = 0; i < 100; i++) {
		char buf[64] = {};

		expect(sev_cmd(vm, i, buf, NULL), -EPERM,
		       "%s: command %d after KVM_SEV_INIT2", t, i);
	}
	vcpu = vcpu_create(vm);
	{
		struct kvm_pre_fault_memory pf = { .gpa = 0, .size = 4096 };

		ret = ioctl(vcpu, KVM_PRE_FAULT_MEMORY, &pf) ? -errno : 0;
		expect(ret, -EOPNOTSUPP, "%s: KVM_PRE_FAULT_MEMORY before the launch", t);
	}
	close(vcpu);
	close(vm);
}

/* A vCPU ioctl: 0 or -errno */
static int vcpu_ioctl(int vcpu, unsigned long req, void *arg)
{
	return ioctl(vcpu, req, arg) < 0 ? -errno : 0;
}

/*
 * Launch an SEV-ES guest far enough for its state to be protected
 * (LAUNCH_START, LAUNCH_UPDATE_VMSA through the simulated PSP), then
 * check the register ioctls: -EINVAL on the SEV-ES VM type, the old
 * behaviour (success, nothing done) on a legacy SEV-ES VM of type 0.
 */
static void protected_rows(unsigned long type)
{
	/*
	 * With SNP initialized, the ccp driver lends the firmware the pages
	 * it writes: LAUNCH_START's command buffer (the handle comes back in
	 * it) and the VMSA, and takes each back afterwards.
	 */
	static const struct fw_cmd start_cmds[] = {
		{ FW_LAUNCH_START, 0 }, { FW_SNP_PAGE_RECLAIM, 0 }, { FW_ACTIVATE, 0 },
	};
	static const struct fw_cmd vmsa_cmds[] = {
		{ FW_LAUNCH_UPDATE_VMSA, 0 }, { FW_SNP_PAGE_RECLAIM, 0 },
	};
	static const struct fw_cmd destroy_cmds[] = {
		{ FW_DEACTIVATE, 0 }, { FW_DECOMMISSION, 0 },
	};
	/*
	 * The state ioctls, with zeroed data. On a legacy SEV-ES VM only
	 * those whose zeroed data is valid: there they still succeed.
	 */
	static const struct {
		unsigned long req;
		const char *name;
		bool legacy_too;
	} rows[] = {
		{ KVM_GET_REGS, "KVM_GET_REGS", true },
		{ KVM_SET_REGS, "KVM_SET_REGS", true },
		{ KVM_GET_SREGS, "KVM_GET_SREGS", true },
		{ KVM_SET_SREGS, "KVM_SET_SREGS", false },
		{ KVM_GET_SREGS2, "KVM_GET_SREGS2", true },
		{ KVM_SET_SREGS2, "KVM_SET_SREGS2", false },
		{ KVM_GET_DEBUGREGS, "KVM_GET_DEBUGREGS", true },
		{ KVM_SET_DEBUGREGS, "KVM_SET_DEBUGREGS", false },
		{ KVM_GET_XCRS, "KVM_GET_XCRS", true },
		{ KVM_SET_XCRS, "KVM_SET_XCRS", false },
		{ KVM_GET_FPU, "KVM_GET_FPU", true },
		{ KVM_SET_FPU, "KVM_SET_FPU", true },
		{ KVM_GET_XSAVE, "KVM_GET_XSAVE", true },
		{ KVM_GET_XSAVE2, "KVM_GET_XSAVE2", true },
		{ KVM_SET_XSAVE, "KVM_SET_XSAVE", true },
	};
	bool prot = type != KVM_X86_DEFAULT_VM;
	const char *t = prot ? "SEV_ES_VM" : "DEFAULT_VM with KVM_SEV_ES_INIT";
	int want = prot ? -EINVAL : 0;
	struct kvm_sev_launch_start start = { .policy = 0x4 };	/* ES */
	struct kvm_sev_init in = {};
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} msrs = { .hdr.nmsrs = 1, .e.index = 0xc0000082 };	/* LSTAR */
	struct kvm_guest_debug dbg = { .control = KVM_GUESTDBG_ENABLE };
	int vm, vcpu, xsave2_size, ret;
	unsigned long long mark;
	unsigned int i;
	union {
		struct kvm_regs regs;
		struct kvm_sregs sregs;
		struct kvm_sregs2 sregs2;
		struct kvm_debugregs dbgregs;
		struct kvm_xcrs xcrs;
		struct kvm_fpu fpu;
		struct kvm_xsave xsave;
		char xsave2[16384];
	} *buf;

	buf = calloc(1, sizeof(*buf));
	if (!buf)
		die("calloc");
	xsave2_size = ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE2);
	if (xsave2_size > (int)sizeof(buf->xsave2))
		fatal("KVM_CAP_XSAVE2 is %d bytes", xsave2_size);

	vm = vm_create(type);
	if (prot)
		expect(init2(vm, &in), 0, "%s: KVM_SEV_INIT2", t);
	else
		expect(sev_cmd(vm, KVM_SEV_ES_INIT, NULL, NULL), 0,
		       "%s: KVM_SEV_ES_INIT", t);
	vcpu = vcpu_create(vm);

	/* Before the launch, the state is userspace's to set */
	expect(vcpu_ioctl(vcpu, KVM_GET_REGS, &buf->regs), 0,
	       "%s: KVM_GET_REGS before the launch", t);
	expect(vcpu_ioctl(vcpu, KVM_SET_REGS, &buf->regs), 0,
	       "%s: KVM_SET_REGS before the launch", t);
	expect(vcpu_ioctl(vcpu, KVM_GET_FPU, &buf->fpu), 0,
	       "%s: KVM_GET_FPU before the launch", t);
	expect(vcpu_ioctl(vcpu, KVM_SET_FPU, &buf->fpu), 0,
	       "%s: KVM_SET_FPU before the launch", t);

	mark = sim_mark();
	expect(sev_cmd(vm, KVM_SEV_LAUNCH_START, &start, NULL), 0,
	       "%s: KVM_SEV_LAUNCH_START", t);
	expect_cmds("LAUNCH_START, the reclaim of its buffer, ACTIVATE", mark,
		    start_cmds, 3);
	mark = sim_mark();
	expect(sev_cmd(vm, KVM_SEV_LAUNCH_UPDATE_VMSA, NULL, NULL), 0,
	       "%s: KVM_SEV_LAUNCH_UPDATE_VMSA", t);
	expect_cmds("LAUNCH_UPDATE_VMSA of the one vCPU, the VMSA's reclaim",
		    mark, vmsa_cmds, 2);
	mark = sim_mark();
	expect(sev_cmd(vm, KVM_SEV_LAUNCH_UPDATE_VMSA, NULL, NULL), -EINVAL,
	       "%s: KVM_SEV_LAUNCH_UPDATE_VMSA of a protected vCPU", t);
	expect_no_cmds("a second LAUNCH_UPDATE_VMSA: no command", mark);

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (!prot && !rows[i].legacy_too)
			continue;
		memset(buf, 0, sizeof(*buf));
		expect(vcpu_ioctl(vcpu, rows[i].req, buf), want, "%s: %s", t,
		       rows[i].name);
	}

	/* An MSR of the VMSA: the ioctl stops there, with a count of 0 */
	ret = ioctl(vcpu, KVM_GET_MSRS, &msrs);
	check(ret == (prot ? 0 : 1), "%s: KVM_GET_MSRS of LSTAR: %d (want %d)",
	      t, ret, prot ? 0 : 1);
	ret = ioctl(vcpu, KVM_SET_MSRS, &msrs);
	check(ret == (prot ? 0 : 1), "%s: KVM_SET_MSRS of LSTAR: %d (want %d)",
	      t, ret, prot ? 0 : 1);
	expect(vcpu_ioctl(vcpu, KVM_SET_GUEST_DEBUG, &dbg), -EINVAL,
	       "%s: KVM_SET_GUEST_DEBUG", t);
	expect(vcpu_ioctl(vcpu, KVM_RUN, NULL), -EOPNOTSUPP,
	       "%s: KVM_RUN on a CPU without SEV", t);

	close(vcpu);
	mark = sim_mark();
	close(vm);
	expect_cmds("freeing the VM: DEACTIVATE, then DECOMMISSION", mark,
		    destroy_cmds, 2);
	free(buf);
}

/* The legacy commands on a default VM */
static void legacy_rows(void)
{
	int vm = vm_create(KVM_X86_DEFAULT_VM);

	expect(sev_cmd(vm, KVM_SEV_INIT, NULL, NULL), 0, "DEFAULT_VM: KVM_SEV_INIT");
	expect(sev_cmd(vm, KVM_SEV_INIT, NULL, NULL), -EINVAL,
	       "DEFAULT_VM: second KVM_SEV_INIT");
	expect(sev_cmd(vm, KVM_SEV_INIT2, NULL, NULL), -EINVAL,
	       "DEFAULT_VM: KVM_SEV_INIT2 after KVM_SEV_INIT");
	expect(sev_cmd(vm, KVM_SEV_NR_MAX + 50, NULL, NULL), -EINVAL,
	       "DEFAULT_VM: an unknown command");
	close(vm);

	expect(ioctl(kvm_fd, KVM_CREATE_VM, 5UL) < 0 ? -errno : 0, -EINVAL,
	       "KVM_CREATE_VM of type 5");
}

/*
 * Take every ASID of a range with VMs of @type, see the next one fail
 * with EBUSY and no firmware command, then free one VM and see the next
 * one succeed after exactly SNP_DF_FLUSH. @per_vm is what freeing a VM
 * of @type sends to the firmware.
 */
static void asid_range(unsigned long type, int count,
		       const struct fw_cmd *per_vm, int nr_per_vm)
{
	const char *t = type_name(type);
	struct kvm_sev_init in = {};
	static const struct fw_cmd flush[] = { { FW_SNP_DF_FLUSH_CMD, 0 } };
	unsigned long long mark;
	int vms[MAX_ASID + 1];
	int i, vm;

	for (i = 0; i < count; i++) {
		vms[i] = vm_create(type);
		expect(init2(vms[i], &in), 0, "%s: KVM_SEV_INIT2 of VM %d of %d",
		       t, i + 1, count);
	}

	mark = sim_mark();
	vm = vm_create(type);
	expect(init2(vm, &in), -EBUSY, "%s: KVM_SEV_INIT2 with all %d ASIDs taken",
	       t, count);
	expect_no_cmds("no ASID to recycle: no flush", mark);

	mark = sim_mark();
	close(vms[0]);
	expect_cmds("freeing a VM", mark, per_vm, nr_per_vm);

	mark = sim_mark();
	expect(init2(vm, &in), 0, "%s: KVM_SEV_INIT2 after a VM was freed", t);
	expect_cmds("recycling the freed ASID", mark, flush, 1);
	vms[0] = vm;

	for (i = 0; i < count; i++)
		close(vms[i]);
}

int main(int argc, char **argv)
{
	static const struct fw_cmd snp_free[] = { { FW_SNP_PAGE_RECLAIM, 0 } };
	unsigned long type;

	if (argc != 3 || strcmp(argv[1], "--types"))
		fatal("usage: %s --types MASK (the KVM_CAP_VM_TYPES to expect)",
		      argv[0]);
	types = strtoull(argv[2], NULL, 0);

	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0)
		die("/dev/kvm");

	/* What KVM offers, and what kvm_amd.sev_snp says, on any host */
	{
		unsigned long long cap = ioctl(kvm_fd, KVM_CHECK_EXTENSION,
					       KVM_CAP_VM_TYPES);
		char snp[8] = "";

		read_file("/sys/module/kvm_amd/parameters/sev_snp", snp,
			  sizeof(snp));
		check(cap == types, "/dev/kvm: KVM_CAP_VM_TYPES %#llx (want %#llx)",
		      cap, types);
		check(snp[0] == (has_type(KVM_X86_SNP_VM) ? 'Y' : 'N'),
		      "kvm_amd.sev_snp is %c (want %c)", snp[0],
		      has_type(KVM_X86_SNP_VM) ? 'Y' : 'N');
		if (!has_type(KVM_X86_SEV_VM)) {
			printf("%s: no SEV VM type, as expected; %d failed\n",
			       argv[0], failures);
			return failures ? 1 : 0;
		}
		if (!(cap & (1ULL << KVM_X86_SEV_VM)))
			fatal("KVM offers no SEV VM type");
	}

	sev_fd = open("/dev/sev", O_RDWR | O_CLOEXEC);
	if (sev_fd < 0) {
		printf("SKIP: /dev/sev: %s\n", strerror(errno));
		return 4;
	}
	if (access(SIM "state", R_OK)) {
		printf("SKIP: no simulated PSP (snp_sim=...,psp): the ASID rows read its command log\n");
		return 4;
	}

	dev_attrs();
	for (type = KVM_X86_DEFAULT_VM; type <= KVM_X86_SNP_VM; type++) {
		if (type == KVM_X86_SW_PROTECTED_VM || !has_type(type))
			continue;
		vm_caps(type);
		init_rows(type);
	}
	legacy_rows();

	if (has_type(KVM_X86_SEV_ES_VM))
		protected_rows(KVM_X86_SEV_ES_VM);
	protected_rows(KVM_X86_DEFAULT_VM);

	asid_range(KVM_X86_SEV_VM, MAX_ASID - MIN_SEV_ASID + 1, NULL, 0);
	if (has_type(KVM_X86_SNP_VM))
		asid_range(KVM_X86_SNP_VM, MIN_SEV_ASID - 1, snp_free, 1);
	if (has_type(KVM_X86_SEV_ES_VM))
		asid_range(KVM_X86_SEV_ES_VM, MIN_SEV_ASID - 1, NULL, 0);

	printf("%s: %d failed\n", argv[0], failures);
	return failures ? 1 : 0;
}
