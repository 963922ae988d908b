/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One row of an errno table, for the KVM test programs of tests/kvm/:
 * expect(got, want, what...) with got and want 0 or -errno, counted by
 * check() of tests/psp/psp-test.h and printed with the errno's name.
 */
#ifndef KVM_TEST_EXPECT_H
#define KVM_TEST_EXPECT_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "../psp/psp-test.h"

static inline const char *err_name(int err)
{
	static char buf[32];

	switch (err) {
	case 0:		return "0";
	case -EINVAL:	return "EINVAL";
	case -EPERM:	return "EPERM";
	case -EFAULT:	return "EFAULT";
	case -ENOTTY:	return "ENOTTY";
	case -EIO:	return "EIO";
	case -EBUSY:	return "EBUSY";
	case -ENXIO:	return "ENXIO";
	case -EINTR:	return "EINTR";
	case -EOPNOTSUPP: return "EOPNOTSUPP";
	default:
		snprintf(buf, sizeof(buf), "errno %d", -err);
		return buf;
	}
}

static inline void expect(int got, int want, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	check(got == want, "%s: %s (want %s)", what, err_name(got),
	      err_name(want));
}

#endif /* KVM_TEST_EXPECT_H */
