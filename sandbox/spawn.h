#pragma once
/*
 * Starting an instance's first process: clone3 into new pid, mount, uts,
 * ipc, net and cgroup namespaces, then a list of small named steps in the
 * child that read like the spec (STYLE.md 8, nsjail's containProc):
 *
 *   mounts private -> overlay root (image below, the instance's disk
 *   above) -> the image's read-only binds -> /proc, minimal /dev (+
 *   devpts, shm), read-only /sys, the host's files masked -> hostname ->
 *   wait for the parent (cgroup entered meanwhile) -> cgroup namespace ->
 *   pivot_root and detach the old root -> lo up -> stdio and fds ->
 *   (optionally) a user namespace -> capabilities cut to a container's
 *   set -> no_new_privs -> seccomp, last -> exec.
 *
 * Everything the child needs (paths, mount options, the seccomp program,
 * argv) is prepared by the parent; the child only makes syscalls, since a
 * raw clone3 in a threaded daemon skips glibc's fork handlers. A failing
 * step sends {step, errno} on a socket and exits; the parent turns it into
 * an error naming the step. The instance's mounts live in its own mount
 * namespace and vanish with it: nothing is left on the host.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "sandbox/cgroup.h"
#include "src/error.h"

/* A host directory bound read-only into the root (the host image's /usr).
 * target is relative to the root ("usr"). */
struct stim_sandbox_bind {
	const char *source;
	const char *target;
};

#define STIM_SANDBOX_BINDS_MAX 8

struct stim_sandbox_config {
	const char *hostname;
	/* Overlay: lowerdir (the image; "a:b" stacks several), and the boot
	 * disk directory, which gets upper/ and work/ (made if missing) and
	 * outlives the process. root is the (empty) directory the overlay is
	 * mounted on inside the instance's namespace. */
	const char *lower;
	const char *disk;
	const char *root;
	/* Read-only binds made over the overlay, before /proc and /dev. */
	const struct stim_sandbox_bind *binds;
	size_t nbinds;
	/* What runs as PID 1: argv[0] is a path inside the new root, or,
	 * with exec_fd >= 0, the program behind that descriptor (a static
	 * binary from outside, such as the daemon's own init). */
	char *const *argv;
	char *const *envp;
	int exec_fd;
	int stdout_fd;		    /* PID 1's stdout and stderr (the serial console) */
	int pass_fd;		    /* becomes fd 3 in the instance (a config), or -1 */
	struct stim_cgroup *cgroup; /* entered before any step; NULL: none */
	/* 0: none. Otherwise the instance's root and users are the host's
	 * uids and gids userns_base to userns_base + 65535 in a user
	 * namespace of their own, entered after every mount is made: the
	 * image below must be owned by that range (images/ shifts a copy),
	 * and the disk's top is chowned to it here. */
	uint32_t userns_base;
	/* Called by the parent once the child exists and is in its cgroup,
	 * before it goes on to pivot_root and exec: what is made here (the
	 * instance's NIC) is there when PID 1 starts. NULL: nothing. */
	int (*before_exec)(void *arg, pid_t pid, stim_error_t *err);
	void *before_exec_arg;
};

/* How many ids a user namespace maps. */
#define STIM_SANDBOX_USERNS_SIZE 65536

struct stim_sandbox {
	pid_t pid; /* in the daemon's pid namespace */
	int pidfd; /* the caller's; O_CLOEXEC */
};

/* Starts the process and returns once it has exec'd (or failed: the error
 * names the step, and nothing of it is left running). Any thread. */
int stim_sandbox_start(const struct stim_sandbox_config *c, struct stim_sandbox *out,
		       stim_error_t *err);

/* The step names, for messages and tests. */
const char *stim_sandbox_step_name(int step);
