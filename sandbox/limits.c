/* The capabilities an instance's processes keep (see limits.h). */
#include "sandbox/limits.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>

#include "src/cleanup.h"
#include "src/procfs.h"
#include "src/util.h"

/* A container's capabilities (Docker's default set less MKNOD: with no
 * devices cgroup here, a device node made inside could reach host disks). */
static const int kept_caps[] = {
	CAP_CHOWN,	CAP_DAC_OVERRIDE, CAP_FOWNER,  CAP_FSETID,	     CAP_KILL,
	CAP_SETGID,	CAP_SETUID,	  CAP_SETPCAP, CAP_NET_BIND_SERVICE, CAP_NET_RAW,
	CAP_SYS_CHROOT, CAP_AUDIT_WRITE,  CAP_SETFCAP,
};

uint64_t stim_limits_keep_caps(void)
{
	uint64_t keep = 0;

	for (size_t i = 0; i < STIM_ARRAY_SIZE(kept_caps); i++)
		keep |= UINT64_C(1) << kept_caps[i];
	return keep;
}

int stim_limits_last_cap(void)
{
	cleanup_error stim_error_t err = NULL;
	cleanup_free char *text = NULL;

	if (stim_procfs_read("/proc/sys/kernel/cap_last_cap", 64, &text, &err) < 0)
		return CAP_LAST_CAP;
	return atoi(text);
}

int stim_limits_drop_caps(uint64_t keep, int last_cap)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };

	for (int cap = 0; cap <= last_cap; cap++) {
		if ((keep >> cap) & 1)
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			return -1;
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		return -1;
	data[0].effective = data[0].permitted = (uint32_t)keep;
	data[1].effective = data[1].permitted = (uint32_t)(keep >> 32);
	return (int)syscall(SYS_capset, &hdr, data);
}
