// SPDX-License-Identifier: GPL-2.0-only
/*
 * Print the VM types that KVM offers (KVM_CAP_VM_TYPES on /dev/kvm), by
 * name, one line: for the host readiness report (tests/vm/report.sh).
 *
 * Exit status: 0, or 1 if /dev/kvm cannot be opened.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/kvm.h>

static const char *const names[] = {
	[KVM_X86_DEFAULT_VM]		= "DEFAULT",
	[KVM_X86_SW_PROTECTED_VM]	= "SW_PROTECTED",
	[KVM_X86_SEV_VM]		= "SEV",
	[KVM_X86_SEV_ES_VM]		= "SEV_ES",
	[KVM_X86_SNP_VM]		= "SNP",
};

int main(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	unsigned int i;
	int types;

	if (fd < 0) {
		printf("/dev/kvm: %s\n", strerror(errno));
		return 1;
	}
	types = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_VM_TYPES);
	if (types < 0)
		types = 0;
	for (i = 0; i < 32; i++) {
		if (!(types & (1U << i)))
			continue;
		if (i < sizeof(names) / sizeof(names[0]) && names[i])
			printf("%s%s", i ? " " : "", names[i]);
		else
			printf(" type%u", i);
	}
	printf("\n");
	return 0;
}
