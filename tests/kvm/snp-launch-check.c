// SPDX-License-Identifier: GPL-2.0-only
/*
 * The launch of SEV-SNP guests (KVM_SEV_SNP_LAUNCH_START, _UPDATE and
 * _FINISH) on the simulated SNP platform (snp_sim=rmp:...,psp), row by
 * row against mainline's ABI, with the firmware commands KVM sends (from
 * the simulated PSP's command log) and what becomes of the guest's pages
 * in the RMP (from the simulator's per-ASID counts):
 *
 * - LAUNCH_START: every errno row (ENOTTY off SNP, EFAULT, EINVAL for
 *   flags, policy bits and a second start, ENOTTY for a context that
 *   cannot be created), the firmware's refusals of LAUNCH_START and
 *   ACTIVATE (EIO with its status, the context decommissioned and taken
 *   back, and a retry that works), and the commands of a good start;
 * - LAUNCH_UPDATE: every errno row (EINVAL for the arguments and slots,
 *   EIO for a shared GFN, a page done before, a firmware refusal), the
 *   refused CPUID page copied back with the firmware's corrections, the
 *   progress written back at the end of a memslot, one LAUNCH_UPDATE per
 *   page, and the pages private, validated and not immutable afterwards;
 * - LAUNCH_FINISH: the errno rows, a vCPU with guest debugging, the VMSAs
 *   measured (one LAUNCH_UPDATE each) and private in the RMP, a second
 *   finish, KVM_PRE_FAULT_MEMORY refused before and working after, a hole
 *   punched into guest_memfd, KVM_RUN refused on the simulated platform;
 * - the ID block: accepted with the right digest and policy, refused by
 *   the firmware with a wrong digest (BAD_MEASUREMENT);
 * - teardown: the commands, and no page of the guest left in the RMP.
 *
 * Each launch is printed as "snp-launch:" lines (the pages loaded, their
 * types and the seed of their contents, the VMSAs as the simulated
 * firmware measured them, and its launch digest), which the host checks
 * with tests/tools/snp-measure.py, an implementation of the launch digest
 * that shares nothing with the simulator.
 *
 * Usage: snp-launch-check [--vcpus N]
 * Exit status: 0 all passed, 1 a check failed, 4 skipped (no SNP VM type,
 * or no simulated PSP).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
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

#define FW_SNP_DECOMMISSION	0x90
#define FW_SNP_ACTIVATE		0x91
#define FW_SNP_GCTX_CREATE	0x93
#define FW_SNP_LAUNCH_START	0xa0
#define FW_SNP_LAUNCH_UPDATE	0xa1
#define FW_SNP_LAUNCH_FINISH	0xa2

#define SEV_INVALID_GUEST_STATE	0x02
#define SEV_BAD_MEASUREMENT	0x0b
#define SEV_INVALID_PARAM	0x16
#define SEV_INVALID_PAGE_STATE	0x1a

#define PAGE		4096UL
/* The guest_memfd memslot: GFNs 0-63; a plain memslot after it */
#define GMEM_PAGES	64
#define PLAIN_GFN	0x100
#define PLAIN_PAGES	16

#define POLICY		0x30000ULL	/* SMT allowed, bit 17 */
#define POLICY_MBO	(1ULL << 17)

static int kvm_fd, sev_fd;
static unsigned int nr_vcpus = 1;

struct vm {
	int fd, gmem;
	int vcpu[4];
	unsigned int nr_vcpus;
	unsigned char *shared;	/* the memslots' userspace memory */
	unsigned char *plain;
};

/* KVM_MEMORY_ENCRYPT_OP: 0 or -errno; the firmware status in *fw */
static int sev_cmd_fd(int vm, unsigned int id, void *data, unsigned int *fw,
		      int fd)
{
	struct kvm_sev_cmd cmd = {
		.id = id,
		.data = (uintptr_t)data,
		.sev_fd = fd,
	};
	int ret = ioctl(vm, KVM_MEMORY_ENCRYPT_OP, &cmd);

	if (fw)
		*fw = cmd.error;
	return ret ? -errno : 0;
}

static int sev_cmd(int vm, unsigned int id, void *data, unsigned int *fw)
{
	return sev_cmd_fd(vm, id, data, fw, sev_fd);
}

/* Make the simulated PSP fail the next @cmd with @status */
static void fw_fail(unsigned int cmd, unsigned int status)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%#x %#x 1", cmd, status);
	write_file(SIM "fail", buf);
}

/* The simulator's RMP counts of one ASID */
struct rmp_count {
	unsigned long assigned, immutable, validated, vmsa, huge;
};

static void rmp_count(unsigned int asid, struct rmp_count *c)
{
	static char buf[16384];
	char *line, *save = NULL;
	unsigned int a;
	struct rmp_count t;

	memset(c, 0, sizeof(*c));
	read_file("/sys/kernel/debug/snp-sim/rmp", buf, sizeof(buf));
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "asid %u assigned %lu immutable %lu validated %lu vmsa %lu 2m %lu",
			   &a, &t.assigned, &t.immutable, &t.validated, &t.vmsa,
			   &t.huge) == 6 && a == asid)
			*c = t;
	}
}

static void expect_rmp(unsigned int asid, unsigned long assigned,
		       unsigned long validated, unsigned long vmsa,
		       const char *what)
{
	struct rmp_count c;

	rmp_count(asid, &c);
	check(c.assigned == assigned && c.validated == validated &&
	      c.vmsa == vmsa && c.immutable == 0,
	      "%s: RMP of ASID %u: %lu assigned, %lu validated, %lu VMSAs, %lu immutable (want %lu, %lu, %lu, 0)",
	      what, asid, c.assigned, c.validated, c.vmsa, c.immutable,
	      assigned, validated, vmsa);
}

/* The live launch of the simulated PSP with the highest number */
struct launch {
	unsigned int seq, asid;
	char state[16];
	unsigned int normal, zero, unmeasured, secrets, cpuid, vmsa;
	char digest[97];
};

static char launches_buf[256 * 1024];

static bool find_launch(unsigned int seq, struct launch *out)
{
	char *line, *save = NULL;
	struct launch l;
	char live[8];
	bool found = false;

	read_file(SIM "snp_launches", launches_buf, sizeof(launches_buf));
	for (line = strtok_r(launches_buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "launch %u %7s state %15s asid %u policy %*x normal %u zero %u unmeasured %u secrets %u cpuid %u vmsa %u id_block %*u vcek_disabled %*u digest %96s",
			   &l.seq, live, l.state, &l.asid, &l.normal, &l.zero,
			   &l.unmeasured, &l.secrets, &l.cpuid, &l.vmsa,
			   l.digest) != 11)
			continue;
		if (seq ? l.seq == seq : (!strcmp(live, "live") &&
					  (!found || l.seq > out->seq))) {
			*out = l;
			found = true;
		}
	}
	return found;
}

/* Print the VMSAs of launch @seq as the checker reads them */
static void print_vmsas(unsigned int seq)
{
	char *line, *save = NULL, hex[160];
	unsigned int s, i, off;

	read_file(SIM "snp_launches", launches_buf, sizeof(launches_buf));
	for (line = strtok_r(launches_buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "vmsa %u %u %x %150s", &s, &i, &off, hex) == 4 &&
		    s == seq)
			printf("snp-launch: vmsa vcpu=%u off=0x%x hex=%s\n", i, off, hex);
	}
}

/* The contents of a NORMAL page, as tests/tools/snp-measure.py makes them */
static void fill_page(unsigned char *p, unsigned long gfn, unsigned int seed)
{
	unsigned long j;

	for (j = 0; j < PAGE; j++)
		p[j] = (seed + gfn * 37 + j * 11) & 0xff;
}

static void vm_init(struct vm *vm, unsigned int vcpus)
{
	struct kvm_create_guest_memfd gmem = { .size = GMEM_PAGES * PAGE };
	struct kvm_userspace_memory_region2 r = {};
	struct kvm_memory_attributes attr = {
		.address = 0,
		.size = GMEM_PAGES * PAGE,
		.attributes = KVM_MEMORY_ATTRIBUTE_PRIVATE,
	};
	struct kvm_sev_init in = {};
	unsigned int i;

	memset(vm, 0, sizeof(*vm));
	vm->fd = ioctl(kvm_fd, KVM_CREATE_VM, KVM_X86_SNP_VM);
	if (vm->fd < 0)
		die("KVM_CREATE_VM(SNP_VM)");
	if (sev_cmd(vm->fd, KVM_SEV_INIT2, &in, NULL))
		fatal("KVM_SEV_INIT2 of an SNP VM: %s", strerror(errno));

	vm->gmem = ioctl(vm->fd, KVM_CREATE_GUEST_MEMFD, &gmem);
	if (vm->gmem < 0)
		die("KVM_CREATE_GUEST_MEMFD");
	vm->shared = mmap(NULL, GMEM_PAGES * PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	vm->plain = mmap(NULL, PLAIN_PAGES * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm->shared == MAP_FAILED || vm->plain == MAP_FAILED)
		die("mmap");

	r.slot = 0;
	r.flags = KVM_MEM_GUEST_MEMFD;
	r.guest_phys_addr = 0;
	r.memory_size = GMEM_PAGES * PAGE;
	r.userspace_addr = (uintptr_t)vm->shared;
	r.guest_memfd = vm->gmem;
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION2, &r))
		die("KVM_SET_USER_MEMORY_REGION2 (guest_memfd)");
	memset(&r, 0, sizeof(r));
	r.slot = 1;
	r.guest_phys_addr = PLAIN_GFN * PAGE;
	r.memory_size = PLAIN_PAGES * PAGE;
	r.userspace_addr = (uintptr_t)vm->plain;
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION2, &r))
		die("KVM_SET_USER_MEMORY_REGION2 (plain)");
	if (ioctl(vm->fd, KVM_SET_MEMORY_ATTRIBUTES, &attr))
		die("KVM_SET_MEMORY_ATTRIBUTES");

	for (i = 0; i < vcpus; i++) {
		vm->vcpu[i] = ioctl(vm->fd, KVM_CREATE_VCPU, i);
		if (vm->vcpu[i] < 0)
			die("KVM_CREATE_VCPU");
	}
	vm->nr_vcpus = vcpus;
}

static void vm_close(struct vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->nr_vcpus; i++)
		close(vm->vcpu[i]);
	close(vm->gmem);
	close(vm->fd);
	munmap(vm->shared, GMEM_PAGES * PAGE);
	munmap(vm->plain, PLAIN_PAGES * PAGE);
}

static int launch_start(struct vm *vm, unsigned long long policy)
{
	struct kvm_sev_snp_launch_start s = { .policy = policy };

	return sev_cmd(vm->fd, KVM_SEV_SNP_LAUNCH_START, &s, NULL);
}

static int update(struct vm *vm, unsigned long gfn, unsigned long npages,
		  unsigned int type, void *src, unsigned int *fw,
		  struct kvm_sev_snp_launch_update *out)
{
	struct kvm_sev_snp_launch_update u = {
		.gfn_start = gfn,
		.uaddr = (uintptr_t)src,
		.len = npages * PAGE,
		.type = type,
	};
	int ret = sev_cmd(vm->fd, KVM_SEV_SNP_LAUNCH_UPDATE, &u, fw);

	if (out)
		*out = u;
	return ret;
}

static int finish(struct vm *vm, struct kvm_sev_snp_launch_finish *f,
		  unsigned int *fw)
{
	struct kvm_sev_snp_launch_finish none = {};

	return sev_cmd(vm->fd, KVM_SEV_SNP_LAUNCH_FINISH, f ? f : &none, fw);
}

/* LAUNCH_START's rows */
static void start_rows(void)
{
	static const struct fw_cmd good[] = {
		{ FW_SNP_GCTX_CREATE, 0 }, { FW_SNP_LAUNCH_START, 0 },
		{ FW_SNP_ACTIVATE, 0 },
	};
	static const struct fw_cmd start_fails[] = {
		{ FW_SNP_GCTX_CREATE, 0 },
		{ FW_SNP_LAUNCH_START, SEV_INVALID_PARAM },
		{ FW_SNP_DECOMMISSION, 0 }, { FW_SNP_PAGE_RECLAIM, 0 },
	};
	static const struct fw_cmd activate_fails[] = {
		{ FW_SNP_GCTX_CREATE, 0 }, { FW_SNP_LAUNCH_START, 0 },
		{ FW_SNP_ACTIVATE, SEV_INVALID_PARAM },
		{ FW_SNP_DECOMMISSION, 0 }, { FW_SNP_PAGE_RECLAIM, 0 },
	};
	static const struct fw_cmd bad_fd[] = { { FW_SNP_PAGE_RECLAIM, 0 } };
	struct kvm_sev_snp_launch_start s;
	struct kvm_sev_init in = {};
	unsigned long long mark;
	unsigned int fw, bit;
	struct vm vm;
	int es;

	/* Not an SNP VM: ENOTTY, EINVAL for UPDATE, as mainline */
	es = ioctl(kvm_fd, KVM_CREATE_VM, KVM_X86_SEV_ES_VM);
	if (es < 0)
		die("KVM_CREATE_VM(SEV_ES_VM)");
	expect(sev_cmd(es, KVM_SEV_INIT2, &in, NULL), 0, "SEV_ES_VM: KVM_SEV_INIT2");
	memset(&s, 0, sizeof(s));
	s.policy = POLICY;
	expect(sev_cmd(es, KVM_SEV_SNP_LAUNCH_START, &s, NULL), -ENOTTY,
	       "SEV_ES_VM: KVM_SEV_SNP_LAUNCH_START");
	expect(sev_cmd(es, KVM_SEV_SNP_LAUNCH_UPDATE, &s, NULL), -EINVAL,
	       "SEV_ES_VM: KVM_SEV_SNP_LAUNCH_UPDATE");
	expect(sev_cmd(es, KVM_SEV_SNP_LAUNCH_FINISH, &s, NULL), -ENOTTY,
	       "SEV_ES_VM: KVM_SEV_SNP_LAUNCH_FINISH");
	close(es);

	vm_init(&vm, 0);
	mark = sim_mark();
	expect(sev_cmd(vm.fd, KVM_SEV_SNP_LAUNCH_START, NULL, NULL), -EFAULT,
	       "LAUNCH_START: NULL data");
	memset(&s, 0, sizeof(s));
	s.policy = POLICY;
	s.flags = 1;
	expect(sev_cmd(vm.fd, KVM_SEV_SNP_LAUNCH_START, &s, NULL), -EINVAL,
	       "LAUNCH_START: flags 1");
	expect(launch_start(&vm, POLICY & ~POLICY_MBO), -EINVAL,
	       "LAUNCH_START: policy without bit 17");
	/* Bits KVM does not offer: 18 (MIGRATE_MA), and 21 and above */
	for (bit = 18; bit < 64; bit++) {
		if (bit == 19 || bit == 20)
			continue;	/* DEBUG and SINGLE_SOCKET are offered */
		expect(launch_start(&vm, POLICY | (1ULL << bit)), -EINVAL,
		       "LAUNCH_START: policy bit %u", bit);
	}
	expect_no_cmds("the refused starts: no firmware command", mark);

	/* A bad /dev/sev fd: the context cannot be created, ENOTTY */
	mark = sim_mark();
	fw = 0;
	expect(sev_cmd_fd(vm.fd, KVM_SEV_SNP_LAUNCH_START, &s, &fw, kvm_fd),
	       -EINVAL, "LAUNCH_START: flags checked before the fd");
	s.flags = 0;
	expect(sev_cmd_fd(vm.fd, KVM_SEV_SNP_LAUNCH_START, &s, &fw, kvm_fd),
	       -ENOTTY, "LAUNCH_START with /dev/kvm as sev_fd");
	expect_cmds("bad fd: only the context page taken back", mark, bad_fd, 1);

	/* The firmware refuses LAUNCH_START, then ACTIVATE */
	mark = sim_mark();
	fw_fail(FW_SNP_LAUNCH_START, SEV_INVALID_PARAM);
	expect(sev_cmd(vm.fd, KVM_SEV_SNP_LAUNCH_START, &s, &fw), -EIO,
	       "LAUNCH_START refused by the firmware");
	check(fw == SEV_INVALID_PARAM, "LAUNCH_START refused: error %#x (want %#x)",
	      fw, SEV_INVALID_PARAM);
	expect_cmds("LAUNCH_START refused: context decommissioned and taken back",
		    mark, start_fails, 4);
	mark = sim_mark();
	fw_fail(FW_SNP_ACTIVATE, SEV_INVALID_PARAM);
	expect(sev_cmd(vm.fd, KVM_SEV_SNP_LAUNCH_START, &s, &fw), -EIO,
	       "ACTIVATE refused by the firmware");
	check(fw == SEV_INVALID_PARAM, "ACTIVATE refused: error %#x (want %#x)",
	      fw, SEV_INVALID_PARAM);
	expect_cmds("ACTIVATE refused: context decommissioned and taken back",
		    mark, activate_fails, 5);

	/* The pads are not checked */
	mark = sim_mark();
	memset(s.pad0, 0xff, sizeof(s.pad0));
	memset(s.pad1, 0xff, sizeof(s.pad1));
	memset(s.gosvw, 0x5a, sizeof(s.gosvw));
	expect(sev_cmd(vm.fd, KVM_SEV_SNP_LAUNCH_START, &s, &fw), 0,
	       "LAUNCH_START, pads set");
	expect_cmds("LAUNCH_START: GCTX_CREATE, LAUNCH_START, ACTIVATE", mark,
		    good, 3);
	mark = sim_mark();
	expect(launch_start(&vm, POLICY), -EINVAL, "a second LAUNCH_START");
	expect_no_cmds("a second LAUNCH_START: no command", mark);
	vm_close(&vm);
}

/* The CPUID page of the SNP firmware ABI */
struct cpuid_fn {
	uint32_t eax_in, ecx_in;
	uint64_t xcr0_in, xss_in;
	uint32_t eax, ebx, ecx, edx;
	uint64_t rsvd;
} __attribute__((packed));

struct cpuid_page {
	uint32_t count, rsvd1;
	uint64_t rsvd2;
	struct cpuid_fn fn[64];
} __attribute__((packed));

static void cpuid_table(struct cpuid_page *c)
{
	memset(c, 0, PAGE);
	c->count = 2;
	c->fn[0].eax_in = 0;
	c->fn[0].eax = 0x10;
	c->fn[1].eax_in = 0x8000001f;
	c->fn[1].eax = 0x2;	/* SEV */
}

/*
 * The update rows and a whole launch on one VM. Every refusal leaves the
 * digest as it was, so the pages that went through are the launch.
 */
static void launch(unsigned int vcpus)
{
	static const struct fw_cmd finish_close[] = {
		{ FW_SNP_PAGE_RECLAIM, 0 },	/* the guest request page */
		{ FW_SNP_DECOMMISSION, 0 }, { FW_SNP_PAGE_RECLAIM, 0 },
	};
	struct fw_cmd want[8], one_update = { FW_SNP_LAUNCH_UPDATE, 0 };
	struct kvm_pre_fault_memory pf = { .gpa = 20 * PAGE, .size = PAGE };
	struct kvm_guest_debug dbg = { .control = KVM_GUESTDBG_ENABLE };
	struct kvm_sev_snp_launch_update u;
	struct kvm_sev_snp_launch_finish f;
	unsigned char *src, *corrected;
	struct cpuid_page *cpuid;
	unsigned long long mark;
	unsigned int fw, i, asid, updated = 0;
	struct launch l, ended;
	char name[32];
	struct vm vm;

	src = aligned_alloc(PAGE, 16 * PAGE);
	corrected = aligned_alloc(PAGE, PAGE);
	if (!src || !corrected)
		die("aligned_alloc");
	snprintf(name, sizeof(name), "selftest-%u-vcpus", vcpus);
	vm_init(&vm, vcpus);

	expect(update(&vm, 0, 1, KVM_SEV_SNP_PAGE_TYPE_ZERO, NULL, NULL, NULL),
	       -EINVAL, "%s: LAUNCH_UPDATE before LAUNCH_START", name);
	expect(finish(&vm, NULL, NULL), -EINVAL,
	       "%s: LAUNCH_FINISH before LAUNCH_START", name);
	if (vcpus)
		expect(ioctl(vm.vcpu[0], KVM_PRE_FAULT_MEMORY, &pf) ? -errno : 0,
		       -EOPNOTSUPP, "%s: KVM_PRE_FAULT_MEMORY before the launch",
		       name);
	expect(launch_start(&vm, POLICY), 0, "%s: LAUNCH_START", name);
	if (!find_launch(0, &l))
		fatal("%s: the simulated PSP shows no live launch", name);
	asid = l.asid;
	expect_rmp(asid, 0, 0, 0, "after LAUNCH_START");

	/* The argument rows */
	for (i = 0; i < 16; i++)
		fill_page(src + i * PAGE, i, 1);
	expect(update(&vm, 0, 0, 1, src, NULL, NULL), -EINVAL, "%s: len 0", name);
	{
		struct kvm_sev_snp_launch_update bad = {
			.uaddr = (uintptr_t)src, .len = 100, .type = 1,
		};

		expect(sev_cmd(vm.fd, KVM_SEV_SNP_LAUNCH_UPDATE, &bad, NULL),
		       -EINVAL, "%s: len 100", name);
		bad.len = PAGE;
		bad.flags = 1;
		expect(sev_cmd(vm.fd, KVM_SEV_SNP_LAUNCH_UPDATE, &bad, NULL),
		       -EINVAL, "%s: flags 1", name);
		bad.flags = 0;
		memset(bad.pad2, 0xff, sizeof(bad.pad2));
		bad.pad0 = 0xff;
		bad.pad1 = ~0U;
		bad.uaddr = 0;
		expect(sev_cmd(vm.fd, KVM_SEV_SNP_LAUNCH_UPDATE, &bad, NULL),
		       -EINVAL, "%s: NORMAL without uaddr", name);
		bad.uaddr = (uintptr_t)src + 8;
		expect(sev_cmd(vm.fd, KVM_SEV_SNP_LAUNCH_UPDATE, &bad, NULL),
		       -EINVAL, "%s: unaligned uaddr", name);
	}
	expect(update(&vm, 0, 1, 0, src, NULL, NULL), -EINVAL, "%s: type 0", name);
	expect(update(&vm, 0, 1, 2, src, NULL, NULL), -EINVAL,
	       "%s: type 2 (VMSA)", name);
	expect(update(&vm, 0, 1, 7, src, NULL, NULL), -EINVAL, "%s: type 7", name);
	expect(update(&vm, PLAIN_GFN, 1, 1, src, NULL, NULL), -EINVAL,
	       "%s: a memslot without guest_memfd", name);
	expect(update(&vm, 0x200, 1, 1, src, NULL, NULL), -EINVAL,
	       "%s: a GFN without memslot", name);
	expect_rmp(asid, 0, 0, 0, "after the refused updates");

	/* A GFN that is not private: EIO with error 0 */
	{
		struct kvm_memory_attributes attr = {
			.address = 40 * PAGE, .size = PAGE, .attributes = 0,
		};

		if (ioctl(vm.fd, KVM_SET_MEMORY_ATTRIBUTES, &attr))
			die("KVM_SET_MEMORY_ATTRIBUTES (shared)");
		fw = 0xdead;
		expect(update(&vm, 40, 1, 1, src, &fw, NULL), -EIO,
		       "%s: a shared GFN", name);
		check(fw == 0, "%s: a shared GFN: error %#x (want 0)", name, fw);
	}

	/* The pages of the launch, with the command of each */
	mark = sim_mark();
	expect(update(&vm, 0, 4, KVM_SEV_SNP_PAGE_TYPE_NORMAL, src, &fw, &u), 0,
	       "%s: 4 NORMAL pages", name);
	check(u.gfn_start == 4 && u.len == 0 && u.uaddr == (uintptr_t)src + 4 * PAGE,
	      "%s: 4 NORMAL pages: gfn_start %#llx len %llu uaddr +%#llx (want 4, 0, +0x4000)",
	      name, (unsigned long long)u.gfn_start, (unsigned long long)u.len,
	      (unsigned long long)(u.uaddr - (uintptr_t)src));
	for (i = 0; i < 4; i++)
		want[i] = one_update;
	expect_cmds("4 NORMAL pages: 4 LAUNCH_UPDATE", mark, want, 4);
	expect(update(&vm, 4, 2, KVM_SEV_SNP_PAGE_TYPE_ZERO, NULL, &fw, &u), 0,
	       "%s: 2 ZERO pages", name);
	check(u.uaddr == 0, "%s: ZERO: uaddr stays 0", name);
	expect(update(&vm, 6, 1, KVM_SEV_SNP_PAGE_TYPE_UNMEASURED, src, &fw, NULL),
	       0, "%s: an UNMEASURED page", name);
	expect(update(&vm, 7, 1, KVM_SEV_SNP_PAGE_TYPE_SECRETS, src, &fw, NULL),
	       0, "%s: the SECRETS page", name);
	updated = 8;
	expect_rmp(asid, updated, updated, 0, "after 8 pages");

	/* A page done before: EIO, nothing sent */
	mark = sim_mark();
	expect(update(&vm, 0, 1, 1, src, &fw, NULL), -EIO,
	       "%s: a page updated before", name);
	expect_no_cmds("a page updated before: no command", mark);

	/* The firmware refuses a page: EIO, its status, the page taken back */
	mark = sim_mark();
	fw_fail(FW_SNP_LAUNCH_UPDATE, SEV_INVALID_PAGE_STATE);
	expect(update(&vm, 9, 1, 1, src, &fw, NULL), -EIO,
	       "%s: LAUNCH_UPDATE refused", name);
	check(fw == SEV_INVALID_PAGE_STATE, "%s: LAUNCH_UPDATE refused: error %#x (want %#x)",
	      name, fw, SEV_INVALID_PAGE_STATE);
	want[0] = (struct fw_cmd){ FW_SNP_LAUNCH_UPDATE, SEV_INVALID_PAGE_STATE };
	want[1] = (struct fw_cmd){ FW_SNP_PAGE_RECLAIM, 0 };
	expect_cmds("LAUNCH_UPDATE refused: the page reclaimed", mark, want, 2);
	expect_rmp(asid, updated, updated, 0, "after a refused page");

	/* A CPUID page the firmware corrects: EIO, 0x16, the source replaced */
	cpuid = (struct cpuid_page *)(src + 8 * PAGE);
	cpuid_table(cpuid);
	cpuid->fn[1].rsvd = 0x77;
	cpuid->fn[1].eax = 0xffffffff;
	memcpy(corrected, cpuid, PAGE);
	((struct cpuid_page *)corrected)->fn[1].rsvd = 0;
	mark = sim_mark();
	expect(update(&vm, 8, 1, KVM_SEV_SNP_PAGE_TYPE_CPUID, cpuid, &fw, NULL),
	       -EIO, "%s: a CPUID page with a reserved field set", name);
	check(fw == SEV_INVALID_PARAM, "%s: CPUID refused: error %#x (want %#x)",
	      name, fw, SEV_INVALID_PARAM);
	check(cpuid->fn[1].rsvd == 0 && cpuid->fn[1].eax != 0xffffffff &&
	      !(cpuid->fn[1].eax & ~0xffffU) &&
	      !memcmp(cpuid, corrected, offsetof(struct cpuid_page, fn[1].eax)),
	      "%s: the firmware's corrected CPUID page was copied back (reserved %#llx, eax %#x)",
	      name, (unsigned long long)cpuid->fn[1].rsvd, cpuid->fn[1].eax);
	want[0] = (struct fw_cmd){ FW_SNP_LAUNCH_UPDATE, SEV_INVALID_PARAM };
	expect_cmds("CPUID refused: the page reclaimed", mark, want, 2);
	cpuid_table(cpuid);
	expect(update(&vm, 8, 1, KVM_SEV_SNP_PAGE_TYPE_CPUID, cpuid, &fw, NULL),
	       0, "%s: a good CPUID page", name);
	updated++;

	/* The end of the memslot: 4 of 8 pages done, the rest written back */
	for (i = 0; i < 8; i++)
		fill_page(src + i * PAGE, GMEM_PAGES - 4 + i, 3);
	expect(update(&vm, GMEM_PAGES - 4, 8, 1, src, &fw, &u), 0,
	       "%s: 8 pages from 4 before the memslot's end", name);
	check(u.gfn_start == GMEM_PAGES && u.len == 4 * PAGE &&
	      u.uaddr == (uintptr_t)src + 4 * PAGE,
	      "%s: stopped at the memslot's end: gfn_start %#llx len %#llx uaddr +%#llx (want %#x, 0x4000, +0x4000)",
	      name, (unsigned long long)u.gfn_start, (unsigned long long)u.len,
	      (unsigned long long)(u.uaddr - (uintptr_t)src), GMEM_PAGES);
	updated += 4;
	expect_rmp(asid, updated, updated, 0, "after the launch pages");

	/* LAUNCH_FINISH: a vCPU being debugged is refused */
	memset(&f, 0, sizeof(f));
	f.flags = 1;
	expect(finish(&vm, &f, NULL), -EINVAL, "%s: LAUNCH_FINISH flags 1", name);
	if (vcpus) {
		mark = sim_mark();
		if (ioctl(vm.vcpu[0], KVM_SET_GUEST_DEBUG, &dbg))
			die("KVM_SET_GUEST_DEBUG");
		expect(finish(&vm, NULL, NULL), -EINVAL,
		       "%s: LAUNCH_FINISH with guest debugging on", name);
		expect_no_cmds("guest debugging: nothing measured", mark);
		dbg.control = 0;
		if (ioctl(vm.vcpu[0], KVM_SET_GUEST_DEBUG, &dbg))
			die("KVM_SET_GUEST_DEBUG off");
	}

	mark = sim_mark();
	memset(&f, 0, sizeof(f));
	memset(f.host_data, 0xab, sizeof(f.host_data));
	memset(f.pad1, 0xff, sizeof(f.pad1));
	expect(finish(&vm, &f, &fw), 0, "%s: LAUNCH_FINISH", name);
	for (i = 0; i < vcpus; i++)
		want[i] = one_update;
	want[vcpus] = (struct fw_cmd){ FW_SNP_LAUNCH_FINISH, 0 };
	expect_cmds("LAUNCH_FINISH: a LAUNCH_UPDATE per VMSA, LAUNCH_FINISH",
		    mark, want, vcpus + 1);
	expect_rmp(asid, updated + vcpus, updated + vcpus, vcpus,
		   "after LAUNCH_FINISH");
	if (!find_launch(0, &l) || l.asid != asid)
		fatal("%s: the launch is gone from the simulated PSP", name);
	check(!strcmp(l.state, "running") && l.normal == 8 && l.zero == 2 &&
	      l.unmeasured == 1 && l.secrets == 1 && l.cpuid == 1 &&
	      l.vmsa == vcpus,
	      "%s: the firmware's launch: state %s, normal %u zero %u unmeasured %u secrets %u cpuid %u vmsa %u",
	      name, l.state, l.normal, l.zero, l.unmeasured, l.secrets,
	      l.cpuid, l.vmsa);

	/*
	 * The state is protected: no register ioctls. KVM's FPU copy stays
	 * readable, as in mainline, which does not mark it confidential
	 * for SNP (the guest never sees it).
	 */
	if (vcpus) {
		struct kvm_regs regs;
		struct kvm_fpu fpu;

		expect(ioctl(vm.vcpu[0], KVM_GET_REGS, &regs) ? -errno : 0,
		       -EINVAL, "%s: KVM_GET_REGS after the launch", name);
		expect(ioctl(vm.vcpu[0], KVM_GET_FPU, &fpu) ? -errno : 0, 0,
		       "%s: KVM_GET_FPU after the launch", name);
		expect(ioctl(vm.vcpu[0], KVM_SET_FPU, &fpu) ? -errno : 0, 0,
		       "%s: KVM_SET_FPU after the launch", name);
	}

	/* A second finish */
	mark = sim_mark();
	if (vcpus) {
		expect(finish(&vm, NULL, &fw), -EINVAL,
		       "%s: a second LAUNCH_FINISH", name);
		expect_no_cmds("a second LAUNCH_FINISH: no command", mark);
	} else {
		expect(finish(&vm, NULL, &fw), -EIO,
		       "%s: a second LAUNCH_FINISH", name);
		check(fw == SEV_INVALID_GUEST_STATE,
		      "%s: a second LAUNCH_FINISH: error %#x (want %#x)", name, fw,
		      SEV_INVALID_GUEST_STATE);
	}
	expect(update(&vm, 10, 1, 1, src, &fw, NULL), -EIO,
	       "%s: LAUNCH_UPDATE after the launch", name);

	/* Pre-faulting works now: one more private page, not validated */
	if (vcpus) {
		pf.gpa = 20 * PAGE;
		pf.size = PAGE;
		expect(ioctl(vm.vcpu[0], KVM_PRE_FAULT_MEMORY, &pf) ? -errno : 0,
		       0, "%s: KVM_PRE_FAULT_MEMORY after the launch", name);
		expect_rmp(asid, updated + vcpus + 1, updated + vcpus, vcpus,
			   "a pre-faulted page");
		expect(ioctl(vm.vcpu[0], KVM_RUN, NULL) ? -errno : 0, -EOPNOTSUPP,
		       "%s: KVM_RUN on the simulated platform", name);
	}

	/* A hole: the page is the host's again */
	if (fallocate(vm.gmem, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      0, PAGE))
		die("fallocate(PUNCH_HOLE)");
	{
		struct rmp_count c;

		rmp_count(asid, &c);
		check(c.assigned == updated + vcpus + (vcpus ? 1 : 0) - 1,
		      "%s: a punched hole: %lu pages assigned (want %u)", name,
		      c.assigned, updated + vcpus + (vcpus ? 1 : 0) - 1);
	}

	/* The launch, for the host's check of the digest */
	printf("snp-launch: begin name=%s\n", name);
	printf("snp-launch: update gfn=0x0 npages=4 type=1 seed=1\n");
	printf("snp-launch: update gfn=0x4 npages=2 type=3\n");
	printf("snp-launch: update gfn=0x6 npages=1 type=4\n");
	printf("snp-launch: update gfn=0x7 npages=1 type=5\n");
	printf("snp-launch: update gfn=0x8 npages=1 type=6\n");
	printf("snp-launch: update gfn=%#x npages=4 type=1 seed=3\n", GMEM_PAGES - 4);
	print_vmsas(l.seq);
	printf("snp-launch: digest=%s\n", l.digest);
	printf("snp-launch: end\n");

	mark = sim_mark();
	vm_close(&vm);
	expect_cmds("closing the VM: the request page, DECOMMISSION, the context page",
		    mark, finish_close, 3);
	expect_rmp(asid, 0, 0, 0, "after closing the VM");
	check(find_launch(l.seq, &ended) && !strcmp(ended.digest, l.digest),
	      "%s: the ended launch keeps its digest", name);
	free(src);
	free(corrected);
}

/* The ID block: the firmware checks its digest and policy */
struct id_block {
	unsigned char ld[48];
	unsigned char family_id[16], image_id[16];
	uint32_t version, guest_svn;
	uint64_t policy;
} __attribute__((packed));

static void unhex(const char *hex, unsigned char *out, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		sscanf(hex + 2 * i, "%2hhx", &out[i]);
}

static void id_block_rows(void)
{
	struct kvm_sev_snp_launch_finish f = {};
	struct id_block *id;
	unsigned char *auth, *page;
	unsigned int fw;
	struct launch l;
	struct vm vm;

	id = aligned_alloc(PAGE, PAGE);
	auth = aligned_alloc(PAGE, PAGE);
	page = aligned_alloc(PAGE, PAGE);
	if (!id || !auth || !page)
		die("aligned_alloc");
	memset(id, 0, PAGE);
	memset(auth, 0, PAGE);

	/* No vCPU: the digest before LAUNCH_FINISH is the final one */
	vm_init(&vm, 0);
	expect(launch_start(&vm, POLICY), 0, "ID block: LAUNCH_START");
	fill_page(page, 0, 9);
	expect(update(&vm, 0, 1, 1, page, NULL, NULL), 0, "ID block: a page");
	if (!find_launch(0, &l))
		fatal("ID block: no live launch");

	f.id_block_en = 1;
	f.id_block_uaddr = 8;
	f.id_auth_uaddr = (uintptr_t)auth;
	expect(finish(&vm, &f, &fw), -EFAULT, "ID block: a bad address");

	f.id_block_uaddr = (uintptr_t)id;
	id->version = 1;
	id->policy = POLICY;
	expect(finish(&vm, &f, &fw), -EIO, "ID block: a wrong digest");
	check(fw == SEV_BAD_MEASUREMENT, "ID block: a wrong digest: error %#x (want %#x)",
	      fw, SEV_BAD_MEASUREMENT);
	unhex(l.digest, id->ld, sizeof(id->ld));
	id->policy = POLICY | 1;
	expect(finish(&vm, &f, &fw), -EIO, "ID block: another policy");
	id->policy = POLICY;
	expect(finish(&vm, &f, &fw), 0, "ID block: the launch's digest and policy");
	vm_close(&vm);
	free(id);
	free(auth);
	free(page);
}

int main(int argc, char **argv)
{
	unsigned long long types;
	struct sim_state s;

	if (argc == 3 && !strcmp(argv[1], "--vcpus"))
		nr_vcpus = strtoul(argv[2], NULL, 0);
	else if (argc != 1)
		fatal("usage: %s [--vcpus N]", argv[0]);
	if (nr_vcpus > 4)
		fatal("--vcpus: at most 4");

	setvbuf(stdout, NULL, _IOLBF, 0);
	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0)
		die("/dev/kvm");
	types = ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_VM_TYPES);
	if (!(types & (1ULL << KVM_X86_SNP_VM))) {
		printf("SKIP: KVM does not offer the SNP VM type (types %#llx)\n", types);
		return 4;
	}
	if (access(SIM "state", R_OK)) {
		printf("SKIP: no simulated PSP (" SIM "state)\n");
		return 4;
	}
	sev_fd = open("/dev/sev", O_RDWR | O_CLOEXEC);
	if (sev_fd < 0)
		die("/dev/sev");
	read_state(&s);

	start_rows();
	launch(nr_vcpus);
	launch(0);
	id_block_rows();

	printf("%s: %d failed\n", failures ? "FAIL" : "PASS", failures);
	return failures ? 1 : 0;
}
