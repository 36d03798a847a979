#pragma once
/*
 * Named network namespaces, as `ip netns` keeps them (a file under
 * /run/netns holding a bind mount of the namespace), so a VPC network's
 * router outlives the daemon and `stimulator gc` finds it by its stim
 * prefix. And a way to act inside one without moving the daemon: the work
 * runs on a short-lived thread that joins the namespace and ends with it,
 * since a network namespace belongs to a thread, not the process.
 */

#include "src/error.h"

/* Makes the namespace /run/netns/<name> (ALREADY_EXISTS if there). */
int stim_netns_create(const char *name, stim_error_t *err);
/* Its descriptor (O_CLOEXEC), or -1 with NOT_FOUND. */
int stim_netns_open(const char *name, stim_error_t *err);
/* Unmounts and removes it; the namespace goes with its last user. A
 * missing one is fine. */
int stim_netns_delete(const char *name, stim_error_t *err);

/* Runs fn(arg, err) on a thread inside the namespace of nsfd (any
 * namespace file: /run/netns/X, /proc/PID/ns/net) and returns its result.
 * Sockets fn opens belong to that namespace for good, so they may be
 * handed back through arg and used from any thread. */
int stim_netns_run(int nsfd, int (*fn)(void *arg, stim_error_t *err), void *arg, stim_error_t *err);

/* Writes a /proc/sys/net value (path under /proc/sys/net, e.g.
 * "ipv4/ip_forward") of the namespace of nsfd. */
int stim_netns_sysctl(int nsfd, const char *path, const char *value, stim_error_t *err);
