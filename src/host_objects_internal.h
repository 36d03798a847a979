#pragma once
/*
 * Shared by src/host_objects*.c and their unit tests: the pure parts (name and
 * path predicates, ordering), the per-kind collectors and removers, and the
 * cleanup macros for the netlink handles they use. The mount table they work
 * from is src/procfs.h's. Nothing here is for other modules; they use
 * src/host_objects.h.
 */

#include <stdbool.h>
#include <stddef.h>

#include "src/host_objects.h"
#include "src/procfs.h"

/* Declared, not included: the libnl headers pull in <netinet/in.h>, which
 * clashes with <linux/netfilter.h> included before it. */
struct mnl_socket;
struct nftnl_table;
struct nl_cache;
struct nl_sock;
struct rtnl_link;

/* Where `ip netns add` keeps its namespace files. */
#define STIM_NETNS_RUN_DIR "/run/netns"
/* Search depth below each cgroup mount (the team's leak hook looks 4 deep
 * from /sys/fs/cgroup), and the depth to which a cgroup of ours is emptied. */
#define STIM_CGROUP_SEARCH_DEPTH 8
#define STIM_CGROUP_MAX_DEPTH	 16
/* Ceilings on what one listing holds: a host with more is broken anyway. */
#define STIM_HOST_OBJECTS_MAX 100000

/* Cleanups for the netlink handles (declared here, not in src/cleanup.h,
 * because only this module uses them so far). */
void stim_cleanup_nl_sock(struct nl_sock **s);
void stim_cleanup_nl_cache(struct nl_cache **c);
void stim_cleanup_rtnl_link(struct rtnl_link **l);
void stim_cleanup_mnl_socket(struct mnl_socket **s);
void stim_cleanup_nftnl_table(struct nftnl_table **t);
#define cleanup_nl_sock	    __attribute__((cleanup(stim_cleanup_nl_sock)))
#define cleanup_nl_cache    __attribute__((cleanup(stim_cleanup_nl_cache)))
#define cleanup_rtnl_link   __attribute__((cleanup(stim_cleanup_rtnl_link)))
#define cleanup_mnl_socket  __attribute__((cleanup(stim_cleanup_mnl_socket)))
#define cleanup_nftnl_table __attribute__((cleanup(stim_cleanup_nftnl_table)))

/* A growing list of found objects, capped at STIM_HOST_OBJECTS_MAX. */
struct stim_host_object_vec {
	struct stim_host_object *v;
	size_t n;
	size_t cap;
};
/* Appends an object; takes name (also on failure: RESOURCE_EXHAUSTED). */
int stim_host_object_vec_add(struct stim_host_object_vec *vec, enum stim_host_object_kind kind,
			     char *name, unsigned family, bool cgroup2, stim_error_t *err);

/* Names and paths (pure) */

/* True when name starts with prefix; an empty prefix matches nothing. */
bool stim_host_name_matches(const char *name, const char *prefix);
/* A cgroup directory name of ours: matches the prefix and is not a systemd
 * unit (systemd names the daemon's own unit "stimulator.service", which
 * starts with "stim" but belongs to systemd). */
bool stim_host_cgroup_name_matches(const char *name, const char *prefix);
/* True when path lies strictly below dir (both absolute, no trailing '/'). */
bool stim_path_is_under(const char *path, const char *dir);
/* Number of components: "/" is 0, "/a/b" is 2. */
int stim_path_depth(const char *path);
/* qsort order for removal: deeper paths first, then by name. */
int stim_path_cmp_deepest_first(const char *a, const char *b);
/* Whether gc owns a mount: below data_dir, or its mount point's last
 * component or its source starts with prefix. Never "/", data_dir or an
 * ancestor of it, nor a netns file in /run/netns (the netns kind owns those). */
bool stim_host_mount_matches(const struct stim_mountinfo *m, const char *prefix,
			     const char *data_dir);
/* "ip", "ip6", "inet", "arp", "bridge", "netdev", or "unknown". */
const char *stim_nft_family_name(unsigned family);

/* Collectors: append what they find to vec */

int stim_host_collect_mounts(const struct stim_mountinfo *mi, size_t n, const char *prefix,
			     const char *data_dir, struct stim_host_object_vec *vec,
			     stim_error_t *err);
int stim_host_collect_cgroups(const struct stim_mountinfo *mi, size_t n, const char *prefix,
			      struct stim_host_object_vec *vec, stim_error_t *err);
int stim_host_collect_netns(const char *prefix, struct stim_host_object_vec *vec,
			    stim_error_t *err);
int stim_host_collect_links(const char *prefix, struct stim_host_object_vec *vec,
			    stim_error_t *err);
int stim_host_collect_nft_tables(const char *prefix, struct stim_host_object_vec *vec,
				 stim_error_t *err);

/* Removers: an object already gone counts as removed */

int stim_host_remove_cgroup(const char *path, stim_error_t *err);
int stim_host_remove_link(const char *name, stim_error_t *err);
int stim_host_remove_nft_table(unsigned family, const char *table, stim_error_t *err);
