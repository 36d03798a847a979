#pragma once
/*
 * The seccomp filter every instance process runs under: everything is
 * allowed except the syscalls that would let a process reach past its
 * sandbox (mounts, module and kexec loading, bpf, ptrace, keyrings,
 * perf, swap, reboot, clock setting, handle-based opens, namespace
 * changes), which fail with EPERM as they do in a container.
 *
 * The program is built with libseccomp in the parent and handed to the
 * child as plain BPF, so the child installs it with one prctl and no
 * allocation (a raw clone3 child must not call malloc: STYLE.md 8).
 */

#include <linux/filter.h>
#include <stddef.h>

#include "src/error.h"

struct stim_seccomp_prog {
	struct sock_filter *filter; /* owned */
	unsigned short len;
};

int stim_seccomp_build(struct stim_seccomp_prog *out, stim_error_t *err);
void stim_seccomp_prog_fini(struct stim_seccomp_prog *p);

/* The refused syscalls by name (for doctor and tests); NULL-terminated. */
extern const char *const stim_seccomp_refused[];
