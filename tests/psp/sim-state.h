/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The simulated PSP's debugfs "state" (snp_sim=...,psp), for the test
 * programs that check which firmware commands the kernel issued: a mark
 * before a step, and the commands since the mark, in order.
 */
#ifndef SIM_STATE_H
#define SIM_STATE_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "psp-test.h"

#define SIM		"/sys/kernel/debug/psp-sim/"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* The simulator keeps the last 128 commands */
#define SIM_LOG_LEN	128
#define STATE_LEN	(64 * 1024)

/* Firmware command ids, as the simulator logs them */
#define FW_INIT			0x1
#define FW_SHUTDOWN		0x2
#define FW_DF_FLUSH		0xa
#define FW_DECOMMISSION		0x20
#define FW_ACTIVATE		0x21
#define FW_DEACTIVATE		0x22
#define FW_LAUNCH_START		0x30
#define FW_LAUNCH_UPDATE_VMSA	0x32
#define FW_SNP_PLATFORM_STATUS	0x83
#define FW_SNP_DF_FLUSH		0x84
#define FW_SNP_INIT_EX		0x85
#define FW_SNP_SHUTDOWN_EX	0x86
#define FW_SNP_PAGE_RECLAIM	0xc7
#define FW_SNP_CONFIG		0xc9
#define FW_SNP_COMMIT		0xcb
#define FW_SNP_VLEK_LOAD	0xcd

struct fw_cmd {
	unsigned int cmd;
	unsigned int status;
};

/* The simulator's debugfs "state" */
struct sim_state {
	unsigned int api_major, api_minor, build;
	unsigned int sev_state, es;
	unsigned int snp_state, rmp_initialized, dfflush_required;
	unsigned int ranges, iommu_snp_shutdown;
	unsigned long long pages;
	unsigned long long tcb_current, tcb_reported, tcb_committed;
	unsigned int mask_chip_id, mask_chip_key, vlek;
	unsigned long long nr_cmds;	/* since boot */
	unsigned int nr_shown;		/* the last ones, in log[] */
	struct fw_cmd log[SIM_LOG_LEN];
};

static char state_buf[STATE_LEN];

enum {
	SEEN_API	= 1 << 0,
	SEEN_SEV	= 1 << 1,
	SEEN_SNP	= 1 << 2,
	SEEN_TCB	= 1 << 3,
	SEEN_MASK	= 1 << 4,
	SEEN_COMMANDS	= 1 << 5,
	SEEN_ALL	= (1 << 6) - 1,
};

static inline void read_state(struct sim_state *s)
{
	char *line, *save = NULL;
	unsigned int seen = 0;

	read_file(SIM "state", state_buf, sizeof(state_buf));
	memset(s, 0, sizeof(*s));

	for (line = strtok_r(state_buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct fw_cmd c;

		if (sscanf(line, "api %u.%u build %u", &s->api_major,
			   &s->api_minor, &s->build) == 3) {
			seen |= SEEN_API;
		} else if (sscanf(line, "sev_state %u es %u", &s->sev_state,
				  &s->es) == 2) {
			seen |= SEEN_SEV;
		} else if (sscanf(line,
				  "snp_state %u rmp_initialized %u dfflush_required %u ranges %u pages %llu iommu_snp_shutdown %u",
				  &s->snp_state, &s->rmp_initialized,
				  &s->dfflush_required, &s->ranges, &s->pages,
				  &s->iommu_snp_shutdown) == 6) {
			seen |= SEEN_SNP;
		} else if (sscanf(line, "tcb current %llx reported %llx committed %llx",
				  &s->tcb_current, &s->tcb_reported,
				  &s->tcb_committed) == 3) {
			seen |= SEEN_TCB;
		} else if (sscanf(line, "mask_chip_id %u mask_chip_key %u vlek %u",
				  &s->mask_chip_id, &s->mask_chip_key,
				  &s->vlek) == 3) {
			seen |= SEEN_MASK;
		} else if (sscanf(line, "commands %llu", &s->nr_cmds) == 1) {
			seen |= SEEN_COMMANDS;
		} else if (sscanf(line, "cmd %x status %x", &c.cmd, &c.status) == 2) {
			if (s->nr_shown == SIM_LOG_LEN)
				fatal(SIM "state: more than %d commands in the log",
				      SIM_LOG_LEN);
			s->log[s->nr_shown++] = c;
		}
	}

	if (seen != SEEN_ALL)
		fatal(SIM "state: unexpected format (lines found: %#x of %#x)",
		      seen, SEEN_ALL);
	if (s->nr_shown != (s->nr_cmds < SIM_LOG_LEN ? s->nr_cmds : SIM_LOG_LEN))
		fatal(SIM "state: %u commands in the log, but \"commands %llu\"",
		      s->nr_shown, s->nr_cmds);
}

/* The number of firmware commands since boot: a mark for cmds_since() */
static inline unsigned long long sim_mark(void)
{
	struct sim_state s;

	read_state(&s);
	return s.nr_cmds;
}

/*
 * The commands issued since @mark, into @out; -1 if some of them are no
 * longer in the simulator's log window, or the count went backwards.
 */
static inline int cmds_since(const struct sim_state *s, unsigned long long mark,
		      struct fw_cmd *out)
{
	unsigned long long first = s->nr_cmds - s->nr_shown;
	unsigned int i;
	int n = 0;

	if (mark < first || mark > s->nr_cmds)
		return -1;
	for (i = mark - first; i < s->nr_shown; i++)
		out[n++] = s->log[i];
	return n;
}

static inline void format_cmds(char *buf, size_t len, const struct fw_cmd *c, int n)
{
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < n && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%#x status %#x",
				i ? ", " : "", c[i].cmd, c[i].status);
}

/* The commands since @mark, or a failed check */
static inline int get_cmds(const char *what, unsigned long long mark,
		    struct fw_cmd *out)
{
	struct sim_state s;
	int n;

	read_state(&s);
	n = cmds_since(&s, mark, out);
	if (n < 0)
		check(false,
		      "%s: the commands since #%llu are not all in the simulator's log (now %llu, the last %u shown)",
		      what, mark, s.nr_cmds, s.nr_shown);
	return n;
}

/* The firmware commands since @mark are exactly @want, in order */
static inline void expect_cmds(const char *what, unsigned long long mark,
			const struct fw_cmd *want, int nr_want)
{
	struct fw_cmd got[SIM_LOG_LEN];
	char got_str[4096], want_str[1024];
	int n, i;
	bool same;

	n = get_cmds(what, mark, got);
	if (n < 0)
		return;
	same = n == nr_want;
	for (i = 0; same && i < n; i++)
		same = got[i].cmd == want[i].cmd && got[i].status == want[i].status;
	format_cmds(got_str, sizeof(got_str), got, n);
	format_cmds(want_str, sizeof(want_str), want, nr_want);
	check(same, "%s: firmware commands [%s] (want [%s])", what, got_str,
	      want_str);
}

static inline void expect_no_cmds(const char *what, unsigned long long mark)
{
	expect_cmds(what, mark, NULL, 0);
}

#endif
