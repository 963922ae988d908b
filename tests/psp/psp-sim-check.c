// SPDX-License-Identifier: GPL-2.0-only
/*
 * End-to-end check of the ASPT PSP path on the simulated PSP (snp_sim=psp):
 * ccp bound to the ASPT "psp" device, the PSP interrupt arrives on the CPU
 * the kernel chose, /dev/sev SEV_PLATFORM_STATUS returns what the simulated
 * firmware reports, all again after the interrupt is moved to another CPU,
 * again after a move that the PSP refuses and one it takes, and an injected
 * firmware error reaches userspace with its status code. On this host
 * without SNP, SNP_PLATFORM_STATUS gives the firmware's answer (SNP
 * UNINIT) and the firmware refuses SNP_COMMIT, as upstream.
 *
 * Exit status: 0 all passed, 1 a check failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/psp-sev.h>

#include "psp-test.h"

#define SIM "/sys/kernel/debug/psp-sim/"
#define MAX_CPUS 64

/* The PSP's irq number and its per-CPU counts from /proc/interrupts */
static int psp_irq(unsigned long long *counts, int *ncpus)
{
	char line[1024];
	FILE *f = fopen("/proc/interrupts", "r");
	int irq = -1;

	if (!f)
		die("/proc/interrupts");
	*ncpus = 0;
	if (fgets(line, sizeof(line), f)) {
		for (char *p = strtok(line, " \n"); p; p = strtok(NULL, " \n"))
			(*ncpus)++;
	}
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *end;
		int i;

		if (!strstr(line, "AMD-PSP"))
			continue;
		irq = strtol(p, &end, 10);
		p = end + 1;
		for (i = 0; i < *ncpus && i < MAX_CPUS; i++)
			counts[i] = strtoull(p, &p, 10);
		break;
	}
	fclose(f);
	return irq;
}

static int effective_cpu(int irq)
{
	char path[64], buf[32];

	snprintf(path, sizeof(path), "/proc/irq/%d/effective_affinity_list", irq);
	read_file(path, buf, sizeof(buf));
	return atoi(buf);
}

static void set_fw(int major, int minor, int build)
{
	char v[16];

	snprintf(v, sizeof(v), "%d", major);
	write_file(SIM "api_major", v);
	snprintf(v, sizeof(v), "%d", minor);
	write_file(SIM "api_minor", v);
	snprintf(v, sizeof(v), "%d", build);
	write_file(SIM "build", v);
}

static int sim_sev_state(void)
{
	char buf[8192], *p;

	read_file(SIM "state", buf, sizeof(buf));
	p = strstr(buf, "sev_state ");
	return p ? atoi(p + 10) : -1;
}

/* "irq enabled N" in the simulator's state */
static int sim_irq_enabled(void)
{
	char buf[8192], *p;

	read_file(SIM "state", buf, sizeof(buf));
	p = strstr(buf, "irq enabled ");
	return p ? atoi(p + 12) : -1;
}

/* One /dev/sev command on a read-only fd: 0 or -errno */
static int sev_issue(unsigned int id, void *data, unsigned int *error)
{
	struct sev_issue_cmd cmd = { .cmd = id, .data = (unsigned long)data };
	int fd, ret;

	fd = open("/dev/sev", O_RDONLY);
	if (fd < 0)
		die("/dev/sev");
	ret = ioctl(fd, SEV_ISSUE_CMD, &cmd);
	if (ret)
		ret = -errno;
	*error = cmd.error;
	close(fd);
	return ret;
}

static int platform_status(struct sev_user_data_status *st, unsigned int *error)
{
	memset(st, 0xa5, sizeof(*st));
	return sev_issue(SEV_PLATFORM_STATUS, st, error);
}

/* PLATFORM_STATUS must return exactly what the simulator was told */
static void status_round(const char *when, int cpu, int major, int minor,
			 int build)
{
	unsigned long long before[MAX_CPUS] = {0}, after[MAX_CPUS] = {0};
	struct sev_user_data_status st;
	unsigned int error;
	int ncpus, irq, ret, i;

	set_fw(major, minor, build);
	irq = psp_irq(before, &ncpus);
	ret = platform_status(&st, &error);
	psp_irq(after, &ncpus);

	check(ret == 0 && error == 0, "%s: SEV_PLATFORM_STATUS returns 0 (ret %d, error %#x)",
	      when, ret, error);
	check(st.api_major == major && st.api_minor == minor && st.build == build,
	      "%s: firmware %d.%d build %d reported as %d.%d build %d", when,
	      major, minor, build, st.api_major, st.api_minor, st.build);
	check(st.state == sim_sev_state(), "%s: state %d is the simulator's %d",
	      when, st.state, sim_sev_state());
	check(st.guest_count == 0, "%s: guest_count %u is 0", when, st.guest_count);
	for (i = 0; i < ncpus && i < MAX_CPUS; i++) {
		if (i == cpu)
			check(after[i] > before[i], "%s: irq %d counted on CPU %d (%llu -> %llu)",
			      when, irq, i, before[i], after[i]);
		else
			check(after[i] == before[i], "%s: irq %d not counted on CPU %d (%llu -> %llu)",
			      when, irq, i, before[i], after[i]);
	}
}

int main(void)
{
	unsigned long long counts[MAX_CPUS];
	struct sev_user_data_snp_status snp;
	struct sev_user_data_status st;
	char path[64], val[16], buf[8192];
	unsigned int error;
	int ncpus, irq, cpu, target, ret;

	irq = psp_irq(counts, &ncpus);
	check(irq > 0, "the PSP interrupt (AMD-PSP) is in /proc/interrupts: irq %d", irq);
	if (irq <= 0)
		return 1;
	check(ncpus >= 2, "%d CPUs (the affinity test needs 2)", ncpus);
	if (ncpus < 2)
		return 1;

	cpu = effective_cpu(irq);
	status_round("first", cpu, 1, 57, 42);

	target = cpu == 0 ? 1 : 0;
	snprintf(path, sizeof(path), "/proc/irq/%d/smp_affinity_list", irq);
	snprintf(val, sizeof(val), "%d", target);
	write_file(path, val);
	check(effective_cpu(irq) == target, "irq %d moved to CPU %d (now on %d)",
	      irq, target, effective_cpu(irq));
	status_round("after the move", target, 2, 3, 99);

	read_file(SIM "state", buf, sizeof(buf));
	printf("simulator:\n%.*s\n", 400, buf);

	/*
	 * A PSP that refuses the new target (PART3, 0x84, answered with
	 * FAILURE once): the move fails with EIO and the PSP interrupt is
	 * left disabled, since the vector domain has moved anyway. The
	 * next move that the PSP takes enables it again, and commands
	 * complete by interrupt on the new CPU.
	 */
	write_file(SIM "acpi_fail", "0x84 0x1f 1");
	snprintf(val, sizeof(val), "%d", cpu);
	ret = try_write_file(path, val);
	check(ret == -EIO, "refused move: writing CPU %d to smp_affinity_list fails with EIO (%d)",
	      cpu, ret);
	check(sim_irq_enabled() == 0, "refused move: the PSP interrupt is disabled (%d)",
	      sim_irq_enabled());
	snprintf(val, sizeof(val), "%d", target);
	ret = try_write_file(path, val);
	check(ret == 0, "moved again to CPU %d (%d)", target, ret);
	check(sim_irq_enabled() == 1, "moved again: the PSP interrupt is enabled (%d)",
	      sim_irq_enabled());
	status_round("after a refused move and a good one", target, 1, 58, 7);

	/* An injected failure: the firmware status reaches userspace */
	write_file(SIM "fail", "0x4 0x16 1");
	ret = platform_status(&st, &error);
	check(ret == -EIO && error == 0x16,
	      "injected INVALID_PARAM: ret %d (want %d), error %#x (want 0x16)",
	      ret, -EIO, error);
	ret = platform_status(&st, &error);
	check(ret == 0 && error == 0, "the next command succeeds again (ret %d, error %#x)",
	      ret, error);

	/* No SNP on this host: the firmware answers, SNP is UNINIT */
	memset(&snp, 0xa5, sizeof(snp));
	ret = sev_issue(SNP_PLATFORM_STATUS, &snp, &error);
	check(ret == 0 && snp.state == 0 && snp.is_rmp_initialized == 0,
	      "no SNP: SNP_PLATFORM_STATUS returns 0 (%d, error %#x), state %u rmp %u (want 0 0)",
	      ret, error, snp.state, snp.is_rmp_initialized);
	ret = sev_issue(SNP_COMMIT, NULL, &error);
	check(ret == -EIO && error == SEV_RET_INVALID_PLATFORM_STATE,
	      "no SNP: SNP_COMMIT is refused by the firmware: ret %d (want %d), error %#x (want %#x)",
	      ret, -EIO, error, SEV_RET_INVALID_PLATFORM_STATE);

	printf("%d checks failed\n", failures);
	return failures ? 1 : 0;
}
