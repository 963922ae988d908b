// SPDX-License-Identifier: GPL-2.0-only
/*
 * End-to-end check of the SEV-SNP platform commands of /dev/sev and of
 * the SNP platform lifecycle that kvm_amd drives, on the simulated PSP
 * (snp_sim=...,psp), with kvm_amd not loaded at the start:
 *
 * - Before kvm_amd is loaded: SNP_PLATFORM_STATUS works on a read-only
 *   fd and gives the firmware's answer (state UNINIT); SNP_COMMIT goes to
 *   the firmware, as upstream, which refuses it (EIO, INVALID_PLATFORM_STATE);
 *   SNP_SET_CONFIG, SNP_VLEK_LOAD and the legacy SEV_PEK_GEN fail with
 *   ENODEV, and nothing but SNP_PLATFORM_STATUS and that SNP_COMMIT
 *   reaches the firmware: no implicit INIT or SNP_INIT.
 * - Loading kvm_amd issues exactly SNP_INIT_EX, SNP_DF_FLUSH, INIT and
 *   DF_FLUSH; unloading exactly SHUTDOWN, the TMR reclaim and
 *   SNP_SHUTDOWN_EX; the simulator's platform state follows. Three
 *   load/unload cycles.
 * - With SNP initialized: SNP_PLATFORM_STATUS, SEV_PLATFORM_STATUS and
 *   SEV_GET_ID2 (also the length query) give what the firmware has;
 *   SNP_SET_CONFIG, SNP_COMMIT and SNP_VLEK_LOAD reach the firmware and
 *   change its state, their data/permission checks fail without a
 *   firmware command, in upstream's order (no data: EINVAL, read-only fd:
 *   EPERM, SNP not initialized: ENODEV), reserved fields are passed to
 *   the firmware, which refuses them, and a firmware error comes back as
 *   EIO with the firmware's status.
 * - A failing SNP_INIT_EX: kvm_amd still loads, legacy INIT is refused
 *   by the firmware, both platforms stay UNINIT, SNP_COMMIT is refused by
 *   the firmware (EIO, INVALID_PLATFORM_STATE), and the unload issues no
 *   command. The next load is normal.
 * - The panic shutdown: the simulator runs the panic notifier chain as a
 *   panic would (psp-sim/panic_notifiers), and the ccp driver's notifier
 *   sends exactly SHUTDOWN and SNP_SHUTDOWN_EX with the IOMMU, polled;
 *   afterwards a second run does nothing, kvm_amd's unload issues no
 *   command, the next load takes back the TMR the firmware kept before
 *   INIT, and the unload is normal again.
 *
 * Every firmware command is checked in the simulator's command log, by
 * its position since a mark taken before the step.
 *
 * Exit status: 0 all passed, 1 a check failed, 4 skipped (no simulated
 * PSP, no kvm-amd.ko or no /dev/sev).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/psp-sev.h>

#include "psp-test.h"
#include "sim-state.h"

#define SEV_DEV		"/dev/sev"
#define KVM_AMD_KO	"/lib/modules/kvm-amd.ko"

/* The simulated firmware, as it comes out of reset */
#define SIM_API_MAJOR	1
#define SIM_API_MINOR	55
#define SIM_BUILD	1
#define SIM_TCB		0x7308000000000003ULL
#define SIM_ID_LEN	64

static const struct fw_cmd load_cmds[] = {
	{ FW_SNP_INIT_EX, 0 },
	{ FW_SNP_DF_FLUSH, 0 },
	{ FW_INIT, 0 },
	{ FW_DF_FLUSH, 0 },
};

static const struct fw_cmd unload_cmds[] = {
	{ FW_SHUTDOWN, 0 },
	{ FW_SNP_PAGE_RECLAIM, 0 },
	{ FW_SNP_SHUTDOWN_EX, 0 },
};

/* SNP_INIT_EX fails with INVALID_CONFIG; then legacy INIT is refused */
static const struct fw_cmd failed_load_cmds[] = {
	{ FW_SNP_INIT_EX, SEV_RET_INVALID_CONFIG },
	{ FW_INIT, SEV_RET_INVALID_PLATFORM_STATE },
};


/* SEV_ISSUE_CMD on a new fd opened with @flags: 0 or -errno */
static int sev_ioctl(int flags, __u32 id, void *data, __u32 *error);

/* A command the driver refuses with @want, before the firmware sees it */
static void expect_refused(const char *what, int flags, __u32 id, void *data,
			   int want)
{
	unsigned long long mark = sim_mark();
	__u32 error;
	int ret;

	ret = sev_ioctl(flags, id, data, &error);
	check(ret == want, "%s fails with %s (%d: %s)", what, strerror(-want),
	      ret, strerror(-ret));
	expect_no_cmds(what, mark);
}

static int sev_ioctl(int flags, __u32 id, void *data, __u32 *error)
{
	struct sev_issue_cmd arg = {
		.cmd = id,
		.data = (unsigned long)data,
	};
	int fd, ret;

	fd = open(SEV_DEV, flags | O_CLOEXEC);
	if (fd < 0)
		die(SEV_DEV);
	ret = ioctl(fd, SEV_ISSUE_CMD, &arg);
	if (ret < 0)
		ret = -errno;
	close(fd);
	*error = arg.error;
	return ret;
}

static int snp_status(struct sev_user_data_snp_status *st, __u32 *error)
{
	memset(st, 0xa5, sizeof(*st));
	return sev_ioctl(O_RDONLY, SNP_PLATFORM_STATUS, st, error);
}

static int snp_config(int flags, struct sev_user_data_snp_config *cfg,
		      __u32 *error)
{
	return sev_ioctl(flags, SNP_SET_CONFIG, cfg, error);
}

static int snp_commit(int flags, __u32 *error)
{
	return sev_ioctl(flags, SNP_COMMIT, NULL, error);
}

static struct sev_user_data_snp_wrapped_vlek_hashstick hashstick;

/* A well-formed SNP_VLEK_LOAD */
static void vlek_init(struct sev_user_data_snp_vlek_load *v)
{
	unsigned int i;

	for (i = 0; i < sizeof(hashstick.data); i++)
		hashstick.data[i] = i;
	memset(v, 0, sizeof(*v));
	v->len = sizeof(*v);
	v->vlek_wrapped_version = 0;
	v->vlek_wrapped_address = (unsigned long)&hashstick;
}

static bool kvm_amd_loaded(void)
{
	char line[256];
	bool loaded = false;
	FILE *f = fopen("/proc/modules", "r");

	if (!f)
		die("/proc/modules");
	while (!loaded && fgets(line, sizeof(line), f))
		loaded = !strncmp(line, "kvm_amd ", 8);
	fclose(f);
	return loaded;
}

static int kvm_amd_load(void)
{
	int fd = open(KVM_AMD_KO, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		die(KVM_AMD_KO);
	ret = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return ret;
}

static int kvm_amd_unload(void)
{
	return syscall(SYS_delete_module, "kvm_amd", O_NONBLOCK) ? -errno : 0;
}

/* Load kvm_amd: SNP and then legacy SEV are initialized */
static void load(const char *when)
{
	unsigned long long mark = sim_mark();
	struct sim_state s;
	int ret;

	ret = kvm_amd_load();
	check(ret == 0, "%s: finit_module(kvm-amd.ko) returns 0 (%d: %s)",
	      when, ret, strerror(-ret));
	check(kvm_amd_loaded(), "%s: kvm_amd is in /proc/modules", when);
	expect_cmds(when, mark, load_cmds, ARRAY_SIZE(load_cmds));

	read_state(&s);
	check(s.snp_state == 1 && s.rmp_initialized == 1 && s.dfflush_required == 0,
	      "%s: snp_state %u rmp_initialized %u dfflush_required %u (want 1 1 0)",
	      when, s.snp_state, s.rmp_initialized, s.dfflush_required);
	check(s.sev_state == 1 && s.es == 1, "%s: sev_state %u es %u (want 1 1)",
	      when, s.sev_state, s.es);
	check(s.ranges >= 1, "%s: SNP_INIT_EX gave %u ranges (want >= 1), %llu pages",
	      when, s.ranges, s.pages);
}

/* Unload kvm_amd: legacy SEV and then SNP are shut down */
static void unload(const char *when)
{
	unsigned long long mark = sim_mark();
	struct sim_state s;
	int ret;

	ret = kvm_amd_unload();
	check(ret == 0, "%s: delete_module(kvm_amd) returns 0 (%d: %s)",
	      when, ret, strerror(-ret));
	check(!kvm_amd_loaded(), "%s: kvm_amd is not in /proc/modules", when);
	expect_cmds(when, mark, unload_cmds, ARRAY_SIZE(unload_cmds));

	read_state(&s);
	check(s.snp_state == 0 && s.iommu_snp_shutdown == 1,
	      "%s: snp_state %u iommu_snp_shutdown %u (want 0 1)",
	      when, s.snp_state, s.iommu_snp_shutdown);
	check(s.sev_state == 0, "%s: sev_state %u (want 0)", when, s.sev_state);
}

/* Nothing is initialized, and nothing initializes implicitly */
static void before_load(void)
{
	struct sev_user_data_snp_status st;
	struct sev_user_data_snp_config cfg;
	struct sev_user_data_snp_vlek_load vlek;
	struct fw_cmd got[SIM_LOG_LEN];
	unsigned long long mark;
	struct sim_state s;
	__u32 error;
	int ret, n, i, nr_status = 0, nr_commit = 0, others = 0;

	read_state(&s);
	check(s.snp_state == 0 && s.sev_state == 0,
	      "before load: snp_state %u sev_state %u (want 0 0)",
	      s.snp_state, s.sev_state);
	mark = s.nr_cmds;

	ret = snp_status(&st, &error);
	check(ret == 0,
	      "before load: SNP_PLATFORM_STATUS on a read-only fd returns 0 (%d: %s, error %#x)",
	      ret, strerror(-ret), error);
	check(st.state == 0, "before load: SNP state %u (want 0, UNINIT)", st.state);
	check(st.api_major == SIM_API_MAJOR && st.api_minor == SIM_API_MINOR &&
	      st.build_id == SIM_BUILD,
	      "before load: SNP firmware %u.%u build %u (want %u.%u build %u)",
	      st.api_major, st.api_minor, st.build_id, SIM_API_MAJOR,
	      SIM_API_MINOR, SIM_BUILD);
	check(st.current_tcb_version == SIM_TCB,
	      "before load: current_tcb_version %#llx (want %#llx)",
	      (unsigned long long)st.current_tcb_version, SIM_TCB);

	ret = snp_commit(O_RDWR, &error);
	check(ret == -EIO && error == SEV_RET_INVALID_PLATFORM_STATE,
	      "before load: SNP_COMMIT is refused by the firmware: EIO (%d: %s), error %#x (want %#x)",
	      ret, strerror(-ret), error, SEV_RET_INVALID_PLATFORM_STATE);

	memset(&cfg, 0, sizeof(cfg));
	ret = snp_config(O_RDWR, &cfg, &error);
	check(ret == -ENODEV, "before load: SNP_SET_CONFIG fails with ENODEV (%d: %s)",
	      ret, strerror(-ret));

	vlek_init(&vlek);
	ret = sev_ioctl(O_RDWR, SNP_VLEK_LOAD, &vlek, &error);
	check(ret == -ENODEV, "before load: SNP_VLEK_LOAD fails with ENODEV (%d: %s)",
	      ret, strerror(-ret));
	expect_refused("before load: SNP_SET_CONFIG without data on a read-only fd",
		       O_RDONLY, SNP_SET_CONFIG, NULL, -EINVAL);
	expect_refused("before load: SNP_VLEK_LOAD without data on a read-only fd",
		       O_RDONLY, SNP_VLEK_LOAD, NULL, -EINVAL);
	memset(&cfg, 0, sizeof(cfg));
	expect_refused("before load: SNP_SET_CONFIG on a read-only fd", O_RDONLY,
		       SNP_SET_CONFIG, &cfg, -EPERM);
	expect_refused("before load: SNP_VLEK_LOAD on a read-only fd", O_RDONLY,
		       SNP_VLEK_LOAD, &vlek, -EPERM);

	/* No implicit INIT for the legacy commands that need it */
	ret = sev_ioctl(O_RDWR, SEV_PEK_GEN, NULL, &error);
	check(ret == -ENODEV, "before load: SEV_PEK_GEN fails with ENODEV (%d: %s)",
	      ret, strerror(-ret));
	expect_refused("before load: SEV_PDH_GEN", O_RDWR, SEV_PDH_GEN, NULL, -ENODEV);
	expect_refused("before load: SEV_PEK_CSR", O_RDWR, SEV_PEK_CSR, NULL, -ENODEV);
	expect_refused("before load: SEV_PEK_CERT_IMPORT", O_RDWR,
		       SEV_PEK_CERT_IMPORT, NULL, -ENODEV);
	/* 6.1 asked for a writable fd here, to initialize the platform */
	expect_refused("before load: SEV_PDH_CERT_EXPORT on a read-only fd", O_RDONLY,
		       SEV_PDH_CERT_EXPORT, NULL, -ENODEV);

	n = get_cmds("before load", mark, got);
	for (i = 0; i < n; i++) {
		if (got[i].cmd == FW_SNP_PLATFORM_STATUS && got[i].status == 0)
			nr_status++;
		else if (got[i].cmd == FW_SNP_COMMIT &&
			 got[i].status == SEV_RET_INVALID_PLATFORM_STATE)
			nr_commit++;
		else
			others++;
	}
	check(n >= 0 && nr_status >= 1 && nr_commit == 1 && others == 0,
	      "before load: the firmware saw only SNP_PLATFORM_STATUS and one refused SNP_COMMIT: %d, %d (want >= 1, 1), %d other commands (want 0)",
	      nr_status, nr_commit, others);
	for (i = 0; i < n && others; i++) {
		if ((got[i].cmd != FW_SNP_PLATFORM_STATUS || got[i].status) &&
		    (got[i].cmd != FW_SNP_COMMIT ||
		     got[i].status != SEV_RET_INVALID_PLATFORM_STATE))
			printf("  unexpected: cmd %#x status %#x\n", got[i].cmd,
			       got[i].status);
	}
}

/* The status commands and GET_ID with SNP and SEV initialized */
static void status_loaded(void)
{
	struct sev_user_data_snp_status st;
	struct sev_user_data_status sev;
	struct sev_user_data_get_id2 id2;
	unsigned char id[SIM_ID_LEN];
	struct sim_state s;
	__u32 error;
	int ret, i, bad = -1;

	expect_refused("loaded: SNP_PLATFORM_STATUS without data", O_RDONLY,
		       SNP_PLATFORM_STATUS, NULL, -EINVAL);

	read_state(&s);
	ret = snp_status(&st, &error);
	check(ret == 0, "loaded: SNP_PLATFORM_STATUS returns 0 (%d: %s, error %#x)",
	      ret, strerror(-ret), error);
	check(st.state == 1 && st.is_rmp_initialized == 1,
	      "loaded: SNP state %u is_rmp_initialized %u (want 1 1)",
	      st.state, st.is_rmp_initialized);
	check(st.api_major == SIM_API_MAJOR && st.api_minor == SIM_API_MINOR &&
	      st.build_id == SIM_BUILD,
	      "loaded: SNP firmware %u.%u build %u (want %u.%u build %u)",
	      st.api_major, st.api_minor, st.build_id, SIM_API_MAJOR,
	      SIM_API_MINOR, SIM_BUILD);
	check(st.current_tcb_version == s.tcb_current,
	      "loaded: current_tcb_version %#llx is the simulator's %#llx",
	      (unsigned long long)st.current_tcb_version, s.tcb_current);
	check(st.reported_tcb_version == s.tcb_reported,
	      "loaded: reported_tcb_version %#llx is the simulator's %#llx",
	      (unsigned long long)st.reported_tcb_version, s.tcb_reported);

	memset(&sev, 0xa5, sizeof(sev));
	ret = sev_ioctl(O_RDONLY, SEV_PLATFORM_STATUS, &sev, &error);
	check(ret == 0, "loaded: SEV_PLATFORM_STATUS returns 0 (%d: %s, error %#x)",
	      ret, strerror(-ret), error);
	check(sev.state == 1 && sev.api_major == SIM_API_MAJOR &&
	      sev.api_minor == SIM_API_MINOR,
	      "loaded: SEV state %u (want 1, INIT), API %u.%u (want %u.%u)",
	      sev.state, sev.api_major, sev.api_minor, SIM_API_MAJOR,
	      SIM_API_MINOR);

	memset(id, 0x5a, sizeof(id));
	id2.address = (unsigned long)id;
	id2.length = sizeof(id);
	ret = sev_ioctl(O_RDONLY, SEV_GET_ID2, &id2, &error);
	check(ret == 0 && id2.length == SIM_ID_LEN,
	      "loaded: SEV_GET_ID2 of %d bytes returns 0 (%d: %s, error %#x), length %u (want %d)",
	      SIM_ID_LEN, ret, strerror(-ret), error, id2.length, SIM_ID_LEN);
	for (i = 0; i < SIM_ID_LEN && bad < 0; i++) {
		if (id[i] != 0xa0 + i)
			bad = i;
	}
	if (bad < 0)
		check(true, "loaded: the ID is the %d bytes 0xa0 + i", SIM_ID_LEN);
	else
		check(false, "loaded: ID byte %d is %#x (want %#x)", bad, id[bad],
		      0xa0 + bad);

	/* The length query: the firmware answers INVALID_LEN with the length */
	id2.address = 0;
	id2.length = 0;
	ret = sev_ioctl(O_RDONLY, SEV_GET_ID2, &id2, &error);
	check(ret == -EIO && error == SEV_RET_INVALID_LEN && id2.length == SIM_ID_LEN,
	      "loaded: SEV_GET_ID2 length query fails with EIO (%d: %s), error %#x (want %#x), length %u (want %d)",
	      ret, strerror(-ret), error, SEV_RET_INVALID_LEN, id2.length,
	      SIM_ID_LEN);
}

/* SNP_SET_CONFIG */
static void set_config(void)
{
	struct sev_user_data_snp_config cfg;
	struct sev_user_data_snp_status st;
	const struct fw_cmd config_ok[] = { { FW_SNP_CONFIG, 0 } };
	const struct fw_cmd config_refused[] = {
		{ FW_SNP_CONFIG, SEV_RET_INVALID_PARAM },
	};
	unsigned long long mark;
	struct sim_state s;
	__u32 error;
	int ret;

	memset(&cfg, 0, sizeof(cfg));
	mark = sim_mark();
	ret = snp_config(O_RDONLY, &cfg, &error);
	check(ret == -EPERM, "SNP_SET_CONFIG on a read-only fd fails with EPERM (%d: %s)",
	      ret, strerror(-ret));
	expect_no_cmds("SNP_SET_CONFIG on a read-only fd", mark);

	expect_refused("SNP_SET_CONFIG without data", O_RDWR, SNP_SET_CONFIG, NULL,
		       -EINVAL);
	expect_refused("SNP_SET_CONFIG without data on a read-only fd", O_RDONLY,
		       SNP_SET_CONFIG, NULL, -EINVAL);
	cfg.rsvd = 1;
	mark = sim_mark();
	ret = snp_config(O_RDWR, &cfg, &error);
	check(ret == -EIO && error == SEV_RET_INVALID_PARAM,
	      "SNP_SET_CONFIG with a reserved bit set is refused by the firmware: EIO (%d: %s), error %#x (want %#x)",
	      ret, strerror(-ret), error, SEV_RET_INVALID_PARAM);
	expect_cmds("SNP_SET_CONFIG with a reserved bit set", mark,
		    config_refused, ARRAY_SIZE(config_refused));
	cfg.rsvd = 0;

	cfg.rsvd1[5] = 1;
	mark = sim_mark();
	ret = snp_config(O_RDWR, &cfg, &error);
	check(ret == -EIO && error == SEV_RET_INVALID_PARAM,
	      "SNP_SET_CONFIG with rsvd1[5] set is refused by the firmware: EIO (%d: %s), error %#x (want %#x)",
	      ret, strerror(-ret), error, SEV_RET_INVALID_PARAM);
	expect_cmds("SNP_SET_CONFIG with rsvd1[5] set", mark, config_refused,
		    ARRAY_SIZE(config_refused));

	memset(&cfg, 0, sizeof(cfg));
	cfg.reported_tcb = 0x7308000000000002ULL;
	cfg.mask_chip_id = 1;
	mark = sim_mark();
	ret = snp_config(O_RDWR, &cfg, &error);
	check(ret == 0,
	      "SNP_SET_CONFIG of a lower reported TCB and mask_chip_id returns 0 (%d: %s, error %#x)",
	      ret, strerror(-ret), error);
	expect_cmds("SNP_SET_CONFIG", mark, config_ok, ARRAY_SIZE(config_ok));
	read_state(&s);
	check(s.tcb_reported == 0x7308000000000002ULL,
	      "SNP_SET_CONFIG: the simulator's reported TCB is %#llx (want 0x7308000000000002)",
	      s.tcb_reported);
	check(s.mask_chip_id == 1 && s.mask_chip_key == 0,
	      "SNP_SET_CONFIG: mask_chip_id %u mask_chip_key %u (want 1 0)",
	      s.mask_chip_id, s.mask_chip_key);
	ret = snp_status(&st, &error);
	check(ret == 0 && st.reported_tcb_version == 0x7308000000000002ULL &&
	      st.mask_chip_id == 1,
	      "SNP_SET_CONFIG: SNP_PLATFORM_STATUS (%d) gives reported_tcb_version %#llx mask_chip_id %u (want 0x7308000000000002 1)",
	      ret, (unsigned long long)st.reported_tcb_version, st.mask_chip_id);

	/* The firmware refuses to raise the TCB (SNP byte 8 -> 9) */
	memset(&cfg, 0, sizeof(cfg));
	cfg.reported_tcb = 0x7309000000000003ULL;
	mark = sim_mark();
	ret = snp_config(O_RDWR, &cfg, &error);
	check(ret == -EIO && error == SEV_RET_INVALID_PARAM,
	      "SNP_SET_CONFIG raising the TCB fails with EIO (%d: %s), error %#x (want %#x)",
	      ret, strerror(-ret), error, SEV_RET_INVALID_PARAM);
	expect_cmds("SNP_SET_CONFIG raising the TCB", mark, config_refused,
		    ARRAY_SIZE(config_refused));
	read_state(&s);
	check(s.tcb_reported == 0x7308000000000002ULL,
	      "SNP_SET_CONFIG raising the TCB: the reported TCB stays %#llx (want 0x7308000000000002)",
	      s.tcb_reported);

	/* All zero: the reported TCB is the current one again */
	memset(&cfg, 0, sizeof(cfg));
	mark = sim_mark();
	ret = snp_config(O_RDWR, &cfg, &error);
	check(ret == 0, "SNP_SET_CONFIG of an all-zero config returns 0 (%d: %s, error %#x)",
	      ret, strerror(-ret), error);
	expect_cmds("SNP_SET_CONFIG of an all-zero config", mark, config_ok,
		    ARRAY_SIZE(config_ok));
	read_state(&s);
	check(s.tcb_reported == s.tcb_current && s.mask_chip_id == 0,
	      "SNP_SET_CONFIG of an all-zero config: reported %#llx (want the current %#llx), mask_chip_id %u (want 0)",
	      s.tcb_reported, s.tcb_current, s.mask_chip_id);
}

/* SNP_COMMIT */
static void commit(void)
{
	const struct fw_cmd commit_ok[] = { { FW_SNP_COMMIT, 0 } };
	unsigned long long mark;
	struct sim_state s;
	__u32 error;
	int ret;

	mark = sim_mark();
	ret = snp_commit(O_RDWR, &error);
	check(ret == 0, "SNP_COMMIT returns 0 (%d: %s, error %#x)", ret,
	      strerror(-ret), error);
	expect_cmds("SNP_COMMIT", mark, commit_ok, ARRAY_SIZE(commit_ok));
	read_state(&s);
	check(s.tcb_committed == SIM_TCB, "SNP_COMMIT: committed TCB %#llx (want %#llx)",
	      s.tcb_committed, SIM_TCB);

	/*
	 * The upstream ABI has no writable-fd check for SNP_COMMIT: it works
	 * on a read-only fd too, and so it must here.
	 */
	mark = sim_mark();
	ret = snp_commit(O_RDONLY, &error);
	check(ret == 0, "SNP_COMMIT on a read-only fd returns 0, as upstream (%d: %s, error %#x)",
	      ret, strerror(-ret), error);
	expect_cmds("SNP_COMMIT on a read-only fd", mark, commit_ok,
		    ARRAY_SIZE(commit_ok));
}

/* SNP_VLEK_LOAD */
static void vlek_load(void)
{
	const struct fw_cmd vlek_ok[] = { { FW_SNP_VLEK_LOAD, 0 } };
	const struct fw_cmd vlek_refused[] = {
		{ FW_SNP_VLEK_LOAD, SEV_RET_INVALID_PARAM },
	};
	struct sev_user_data_snp_vlek_load vlek;
	struct sev_user_data_snp_status st;
	unsigned long long mark;
	struct sim_state s;
	__u32 error;
	int ret;

	vlek_init(&vlek);
	mark = sim_mark();
	ret = sev_ioctl(O_RDONLY, SNP_VLEK_LOAD, &vlek, &error);
	check(ret == -EPERM, "SNP_VLEK_LOAD on a read-only fd fails with EPERM (%d: %s)",
	      ret, strerror(-ret));
	expect_no_cmds("SNP_VLEK_LOAD on a read-only fd", mark);

	vlek.len = sizeof(vlek) - 1;
	mark = sim_mark();
	ret = sev_ioctl(O_RDWR, SNP_VLEK_LOAD, &vlek, &error);
	check(ret == -EINVAL, "SNP_VLEK_LOAD with len %u fails with EINVAL (%d: %s)",
	      vlek.len, ret, strerror(-ret));
	expect_no_cmds("SNP_VLEK_LOAD with a wrong len", mark);

	vlek_init(&vlek);
	vlek.vlek_wrapped_version = 1;
	mark = sim_mark();
	ret = sev_ioctl(O_RDWR, SNP_VLEK_LOAD, &vlek, &error);
	check(ret == -EINVAL,
	      "SNP_VLEK_LOAD with vlek_wrapped_version 1 fails with EINVAL (%d: %s)",
	      ret, strerror(-ret));
	expect_no_cmds("SNP_VLEK_LOAD with vlek_wrapped_version 1", mark);

	expect_refused("SNP_VLEK_LOAD without data", O_RDWR, SNP_VLEK_LOAD, NULL,
		       -EINVAL);
	expect_refused("SNP_VLEK_LOAD without data on a read-only fd", O_RDONLY,
		       SNP_VLEK_LOAD, NULL, -EINVAL);
	vlek_init(&vlek);
	vlek.vlek_wrapped_address = 8;
	expect_refused("SNP_VLEK_LOAD of an unreadable hashstick", O_RDWR,
		       SNP_VLEK_LOAD, &vlek, -EFAULT);

	vlek_init(&vlek);
	vlek.rsvd[1] = 1;
	mark = sim_mark();
	ret = sev_ioctl(O_RDWR, SNP_VLEK_LOAD, &vlek, &error);
	check(ret == -EIO && error == SEV_RET_INVALID_PARAM,
	      "SNP_VLEK_LOAD with rsvd[1] set is refused by the firmware: EIO (%d: %s), error %#x (want %#x)",
	      ret, strerror(-ret), error, SEV_RET_INVALID_PARAM);
	expect_cmds("SNP_VLEK_LOAD with rsvd[1] set", mark, vlek_refused,
		    ARRAY_SIZE(vlek_refused));
	read_state(&s);
	check(s.vlek == 0, "SNP_VLEK_LOAD with rsvd[1] set: no VLEK (%u)", s.vlek);

	vlek_init(&vlek);
	mark = sim_mark();
	ret = sev_ioctl(O_RDWR, SNP_VLEK_LOAD, &vlek, &error);
	check(ret == 0, "SNP_VLEK_LOAD of a %zu-byte hashstick returns 0 (%d: %s, error %#x)",
	      sizeof(hashstick), ret, strerror(-ret), error);
	expect_cmds("SNP_VLEK_LOAD", mark, vlek_ok, ARRAY_SIZE(vlek_ok));
	read_state(&s);
	check(s.vlek == 1, "SNP_VLEK_LOAD: the simulator has vlek %u (want 1)", s.vlek);
	ret = snp_status(&st, &error);
	check(ret == 0 && st.vlek_en == 1,
	      "SNP_VLEK_LOAD: SNP_PLATFORM_STATUS (%d) gives vlek_en %u (want 1)",
	      ret, st.vlek_en);
}

/* SNP_COMMIT with SNP not initialized: the firmware refuses it */
static void commit_refused(const char *when)
{
	const struct fw_cmd refused[] = {
		{ FW_SNP_COMMIT, SEV_RET_INVALID_PLATFORM_STATE },
	};
	unsigned long long mark = sim_mark();
	__u32 error;
	int ret;

	ret = snp_commit(O_RDWR, &error);
	check(ret == -EIO && error == SEV_RET_INVALID_PLATFORM_STATE,
	      "%s: SNP_COMMIT fails with EIO (%d: %s), error %#x (want %#x)",
	      when, ret, strerror(-ret), error, SEV_RET_INVALID_PLATFORM_STATE);
	expect_cmds(when, mark, refused, ARRAY_SIZE(refused));
}

/* SNP_INIT_EX fails: KVM loads without SEV, and unloads quietly */
static void failed_load(void)
{
	struct sev_user_data_snp_status st;
	unsigned int cmd, status, count;
	unsigned long long mark;
	struct sim_state s;
	char buf[128];
	__u32 error;
	int ret;

	write_file(SIM "fail", "0x85 0x3");
	mark = sim_mark();
	ret = kvm_amd_load();
	check(ret == 0, "failed SNP_INIT_EX: finit_module(kvm-amd.ko) still returns 0 (%d: %s)",
	      ret, strerror(-ret));
	check(kvm_amd_loaded(), "failed SNP_INIT_EX: kvm_amd is in /proc/modules");
	expect_cmds("failed SNP_INIT_EX", mark, failed_load_cmds,
		    ARRAY_SIZE(failed_load_cmds));
	read_state(&s);
	check(s.snp_state == 0 && s.sev_state == 0,
	      "failed SNP_INIT_EX: snp_state %u sev_state %u (want 0 0)",
	      s.snp_state, s.sev_state);

	read_file(SIM "fail", buf, sizeof(buf));
	buf[strcspn(buf, "\n")] = '\0';
	check(sscanf(buf, "cmd %x status %x count %u", &cmd, &status, &count) == 3 &&
	      count == 0, "failed SNP_INIT_EX: the injected failure is used up (%s)", buf);

	commit_refused("failed SNP_INIT_EX");
	ret = snp_status(&st, &error);
	check(ret == 0 && st.state == 0,
	      "failed SNP_INIT_EX: SNP_PLATFORM_STATUS returns 0 (%d: %s, error %#x), state %u (want 0)",
	      ret, strerror(-ret), error, st.state);

	mark = sim_mark();
	ret = kvm_amd_unload();
	check(ret == 0, "failed SNP_INIT_EX: delete_module(kvm_amd) returns 0 (%d: %s)",
	      ret, strerror(-ret));
	check(!kvm_amd_loaded(), "failed SNP_INIT_EX: kvm_amd is not in /proc/modules");
	expect_no_cmds("failed SNP_INIT_EX: unload", mark);
}

/*
 * The panic shutdown, from the ccp driver's panic notifier, which the
 * simulator runs as a panic would (one CPU, interrupts off, polled
 * commands): SHUTDOWN, then SNP_SHUTDOWN_EX with the IOMMU. kvm_amd's unload afterwards has nothing left to do.
 */
static const struct fw_cmd panic_cmds[] = {
	{ FW_SHUTDOWN, 0 },
	{ FW_SNP_SHUTDOWN_EX, 0 },
};

/* The first load after it takes the TMR back that the firmware kept */
static const struct fw_cmd panic_reload_cmds[] = {
	{ FW_SNP_INIT_EX, 0 },
	{ FW_SNP_DF_FLUSH, 0 },
	{ FW_SNP_PAGE_RECLAIM, 0 },
	{ FW_INIT, 0 },
	{ FW_DF_FLUSH, 0 },
};

static void panic_shutdown(void)
{
	unsigned long long mark;
	struct sim_state s;
	int ret;

	load("load before the panic shutdown");
	mark = sim_mark();
	ret = try_write_file(SIM "panic_notifiers", "1");
	check(ret == 0, "panic shutdown: the hook returns 0 (%d: %s)", ret,
	      strerror(-ret));
	expect_cmds("panic shutdown", mark, panic_cmds, ARRAY_SIZE(panic_cmds));
	read_state(&s);
	check(s.snp_state == 0 && s.sev_state == 0 && s.iommu_snp_shutdown == 1,
	      "panic shutdown: snp_state %u sev_state %u iommu_snp_shutdown %u (want 0 0 1)",
	      s.snp_state, s.sev_state, s.iommu_snp_shutdown);
	commit_refused("after the panic shutdown");

	/* With SNP down, a second run does nothing */
	mark = sim_mark();
	ret = try_write_file(SIM "panic_notifiers", "1");
	check(ret == 0, "second panic shutdown: returns 0 (%d: %s)", ret,
	      strerror(-ret));
	expect_no_cmds("second panic shutdown", mark);

	mark = sim_mark();
	ret = kvm_amd_unload();
	check(ret == 0, "after the panic shutdown: delete_module(kvm_amd) returns 0 (%d: %s)",
	      ret, strerror(-ret));
	expect_no_cmds("unload after the panic shutdown", mark);

	/*
	 * The TMR is still the firmware's, which only an initialized SNP
	 * gives back: the next load reclaims it (2M) after SNP_INIT_EX and
	 * before INIT, so nothing leaks, and the unload is as usual.
	 */
	mark = sim_mark();
	ret = kvm_amd_load();
	check(ret == 0,
	      "load after the panic shutdown: finit_module(kvm-amd.ko) returns 0 (%d: %s)",
	      ret, strerror(-ret));
	expect_cmds("load after the panic shutdown", mark, panic_reload_cmds,
		    ARRAY_SIZE(panic_reload_cmds));
	read_state(&s);
	check(s.snp_state == 1 && s.sev_state == 1 && s.es == 1,
	      "load after the panic shutdown: snp_state %u sev_state %u es %u (want 1 1 1)",
	      s.snp_state, s.sev_state, s.es);
	unload("unload after the panic shutdown");
}

int main(void)
{
	static const struct {
		const char *path;
		const char *why;
	} needed[] = {
		{ SIM "state", "no simulated PSP (snp_sim=...,psp, debugfs)" },
		{ KVM_AMD_KO, "kvm_amd is not a module in this VM" },
		{ SEV_DEV, "no /dev/sev (ccp without SEV)" },
	};
	unsigned int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < ARRAY_SIZE(needed); i++) {
		if (access(needed[i].path, F_OK)) {
			printf("SKIP: %s: %s: %s\n", needed[i].why, needed[i].path,
			       strerror(errno));
			return 4;
		}
	}

	check(!kvm_amd_loaded(), "kvm_amd is not loaded at the start");
	if (failures)
		return 1;

	before_load();

	load("load 1");
	status_loaded();
	set_config();
	commit();
	vlek_load();
	unload("unload 1");
	commit_refused("after unload 1");

	load("load 2");
	unload("unload 2");
	load("load 3");
	unload("unload 3");

	failed_load();
	load("load after the failed one");
	unload("unload after the failed one");

	panic_shutdown();

	printf("%d checks failed\n", failures);
	return failures ? 1 : 0;
}
