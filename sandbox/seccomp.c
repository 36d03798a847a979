/* The instance seccomp filter, built with libseccomp (see seccomp.h). */
#include "sandbox/seccomp.h"

#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/cleanup.h"
#include "src/util.h"

/* Docker's default profile refuses the same families; names the running
 * libseccomp does not know (an older kernel's table) are skipped. */
const char *const stim_seccomp_refused[] = {
	/* mounts and the root */
	"mount", "umount", "umount2", "pivot_root", "move_mount", "open_tree", "fsopen", "fsconfig",
	"fsmount", "fspick", "mount_setattr",
	/* kernel code */
	"init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load", "bpf",
	/* other processes and the kernel's secrets */
	"ptrace", "process_vm_readv", "process_vm_writev", "keyctl", "add_key", "request_key",
	"perf_event_open", "lookup_dcookie", "open_by_handle_at", "name_to_handle_at", "syslog",
	/* the machine */
	"swapon", "swapoff", "reboot", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
	"acct", "quotactl", "nfsservctl", "iopl", "ioperm", "uselib", "vhangup",
	/* leaving the namespaces it was given */
	"setns", "unshare", "userfaultfd", NULL
};

int stim_seccomp_build(struct stim_seccomp_prog *out, stim_error_t *err)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	cleanup_close int fd = -1;
	struct stat st;
	int rc;

	memset(out, 0, sizeof(*out));
	if (ctx == NULL)
		return stim_err(err, STIM_INTERNAL, "seccomp_init failed");
	for (size_t i = 0; stim_seccomp_refused[i] != NULL; i++) {
		int nr = seccomp_syscall_resolve_name(stim_seccomp_refused[i]);

		if (nr == __NR_SCMP_ERROR)
			continue;
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
		if (rc < 0) {
			seccomp_release(ctx);
			return stim_err_sys(err, -rc, "seccomp rule for %s",
					    stim_seccomp_refused[i]);
		}
	}
	/* libseccomp writes BPF to a descriptor; a memfd brings it back. */
	fd = memfd_create("stim-seccomp", MFD_CLOEXEC);
	rc = fd < 0 ? -errno : seccomp_export_bpf(ctx, fd);
	seccomp_release(ctx);
	if (rc < 0)
		return stim_err_sys(err, -rc, "export the seccomp filter");
	if (fstat(fd, &st) < 0)
		return stim_err_sys(err, errno, "fstat the seccomp filter");
	if (st.st_size <= 0 || st.st_size % (off_t)sizeof(struct sock_filter) != 0 ||
	    st.st_size / (off_t)sizeof(struct sock_filter) > BPF_MAXINSNS)
		return stim_err(err, STIM_INTERNAL, "libseccomp wrote a filter of %lld bytes",
				(long long)st.st_size);
	out->filter = xmalloc((size_t)st.st_size);
	if (pread(fd, out->filter, (size_t)st.st_size, 0) != st.st_size) {
		stim_seccomp_prog_fini(out);
		return stim_err_sys(err, errno, "read the seccomp filter back");
	}
	out->len = (unsigned short)(st.st_size / (off_t)sizeof(struct sock_filter));
	return 0;
}

void stim_seccomp_prog_fini(struct stim_seccomp_prog *p)
{
	free(p->filter);
	memset(p, 0, sizeof(*p));
}
