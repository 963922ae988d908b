/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the PSP test programs (tests/psp/) share: counted checks, and
 * reading and writing debugfs and sysfs files. Each program is one .c
 * file, built statically by scripts/build-selftests.sh.
 */
#ifndef PSP_TEST_H
#define PSP_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures;

/* One assertion: "ok: ..." or "FAIL: ...", counted */
static inline void check(int ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("%s: ", ok ? "ok" : "FAIL");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	if (!ok)
		failures++;
}

/* Something that makes the rest of the test meaningless */
static inline void fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("FAIL: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	exit(1);
}

static inline void die(const char *what)
{
	fatal("%s: %s", what, strerror(errno));
}

/* Write, and give -errno instead of failing */
static inline int try_write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		die(path);
	if (write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		ret = -errno;
	close(fd);
	return ret;
}

static inline void write_file(const char *path, const char *val)
{
	int ret = try_write_file(path, val);

	if (ret) {
		errno = -ret;
		die(path);
	}
}

/* All of a file, however many reads it takes */
static inline void read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t n = 0;

	if (fd < 0)
		die(path);
	while (n < len - 1) {
		ssize_t r = read(fd, buf + n, len - 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die(path);
		if (r == 0)
			break;
		n += r;
	}
	buf[n] = '\0';
	close(fd);
	if (n == len - 1)
		fatal("%s: more than %zu bytes", path, len - 1);
}

#endif
