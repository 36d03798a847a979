#pragma once
/*
 * The host objects the daemon owns, found and removed by name (`stimulator gc`,
 * the end-of-suite leak check, tests cleaning up after themselves).
 *
 * Ownership is decided by name alone, because nothing else survives a crash:
 * every kernel object the daemon makes starts with its prefix ("stim", or a
 * unique one a test passes), and every mount it makes lies under its data
 * directory. This module finds five kinds in the caller's namespaces: named
 * network namespaces (/run/netns), links and nftables tables of the root
 * network namespace, cgroups in every mounted hierarchy (v1 and cgroup2), and
 * mounts. It never touches an object whose name does not match, and never
 * kills a process by PID: processes only go through a cgroup2 cgroup.kill of
 * a cgroup that is ours.
 *
 * Any thread may call it (no global state). Two gc runs may race on the same
 * objects; that is harmless, as an object already gone counts as removed.
 */

#include <stdbool.h>
#include <stddef.h>

#include "src/error.h"

#define STIM_HOST_OBJECTS_DEFAULT_PREFIX   "stim"
#define STIM_HOST_OBJECTS_DEFAULT_DATA_DIR "/var/lib/stimulator"
/* Shorter prefixes would match too much of a shared host ("st", "s"). */
#define STIM_HOST_OBJECTS_MIN_PREFIX 4

/* In removal order: stop the processes first (cgroups), then drop mounts and
 * namespaces, whose death takes veth peers with them, then links and tables. */
enum stim_host_object_kind {
	STIM_HOST_OBJECT_CGROUP = 0,
	STIM_HOST_OBJECT_MOUNT,
	STIM_HOST_OBJECT_NETNS,
	STIM_HOST_OBJECT_LINK,
	STIM_HOST_OBJECT_NFT_TABLE,
};

struct stim_host_object {
	enum stim_host_object_kind kind;
	/* Owned. netns: its name in /run/netns; link: the interface name;
	 * nft: "family table" ("inet stimfw"); cgroup, mount: an absolute path. */
	char *name;
	unsigned family; /* nft: the table's NFPROTO_* family; otherwise 0 */
	bool cgroup2;	 /* cgroup: in a cgroup2 hierarchy (cgroup.kill exists there) */
};

/* Finding */

/* Refuses prefixes shorter than STIM_HOST_OBJECTS_MIN_PREFIX and ones that
 * cannot be a name (a '/', blanks, control characters): INVALID_ARGUMENT. */
int stim_host_prefix_check(const char *prefix, stim_error_t *err);

/* Lists every object whose name starts with prefix, and every mount below
 * data_dir (NULL: the default; it must be absolute and at least two levels
 * deep, and is itself never listed), in removal order (see
 * stim_host_objects_sort). *out is the caller's (stim_host_objects_free); it
 * may be NULL when *n is 0. Fails as a whole when one kind cannot be read, as
 * a partial list would pass for a clean host. Needs root (the nftables dump
 * needs CAP_NET_ADMIN). */
int stim_host_objects_list(const char *prefix, const char *data_dir, struct stim_host_object **out,
			   size_t *n, stim_error_t *err);
void stim_host_objects_free(struct stim_host_object *v, size_t n);

/* Sorts into removal order: by kind as in the enum; cgroup2 cgroups before v1
 * ones (killing a cgroup2 cgroup empties the v1 cgroups of the same
 * processes); cgroups and mounts deepest first, so children go before their
 * parents. Pure. */
void stim_host_objects_sort(struct stim_host_object *v, size_t n);

/* "cgroup", "mount", "netns", "link", "nft": the first word of gc's lines. */
const char *stim_host_object_kind_name(enum stim_host_object_kind kind);

/* Removing */

/* Removes one object as listed; an object already gone counts as removed.
 * The caller vouches that o came from stim_host_objects_list (the name is not
 * checked against a prefix again). A cgroup that still holds processes is
 * emptied with cgroup.kill where the file exists (cgroup2), unless this very
 * process is inside it; in a v1 hierarchy it fails with FAILED_PRECONDITION. */
int stim_host_object_remove(const struct stim_host_object *o, stim_error_t *err);
/* A named network namespace (/run/netns/<name>) as `ip netns del` removes
 * it: the bind mount detached, the file gone. A missing one counts as
 * removed. */
int stim_host_remove_netns(const char *name, stim_error_t *err);
