#pragma once
/* SQL for instances and their metadata (rules in src/instances.c). Writes
 * run inside the caller's transaction, if any. */

#include <stdbool.h>
#include <stddef.h>

#include "src/instances.h"
#include "src/store.h"

/* ALREADY_EXISTS when the name is taken in that zone. */
int stim_store_instance_insert(struct stim_db *db, const struct stim_instance *in,
			       stim_error_t *err);
/* NOT_FOUND when absent. */
int stim_store_instance_get(struct stim_db *db, const char *project, const char *zone,
			    const char *name, struct stim_instance *out, stim_error_t *err);
/* Status (and message, NULL to clear), pid and its start time (0: none). */
int stim_store_instance_set_state(struct stim_db *db, const struct stim_instance *in,
				  stim_error_t *err);
/* What the set* methods change: machine type, metadata, labels and tags
 * with their fingerprints. */
int stim_store_instance_update(struct stim_db *db, const struct stim_instance *in,
			       stim_error_t *err);
/* How many instances a project has in a region (zones "REGION-x"). */
int stim_store_instance_count_region(struct stim_db *db, const char *project, const char *region,
				     int64_t *count, stim_error_t *err);
int stim_store_instance_remove(struct stim_db *db, const char *project, const char *zone,
			       const char *name, stim_error_t *err);
/* Up to limit instances of a zone (NULL: every zone) after (zone, name). */
int stim_store_instance_scan(struct stim_db *db, const char *project, const char *zone,
			     const char *after_zone, const char *after_name, int limit,
			     struct stim_instance **out, size_t *n, stim_error_t *err);
/* Every instance of every project, without metadata (start-up adoption). */
int stim_store_instance_all(struct stim_db *db, struct stim_instance **out, size_t *n,
			    stim_error_t *err);
/* nic0's external IP (0: none). */
int stim_store_instance_set_external_ip(struct stim_db *db, const struct stim_instance *in,
					stim_error_t *err);
/* The external IPs taken, by instances and static addresses of every
 * project, ascending. */
int stim_store_external_ips_taken(struct stim_db *db, uint32_t **out, size_t *n, stim_error_t *err);
/* Whether an instance has ip as its external IP. */
int stim_store_instance_has_external_ip(struct stim_db *db, uint32_t ip, bool *has,
					stim_error_t *err);
/* The internal addresses taken in a network, ascending. */
int stim_store_instance_ips(struct stim_db *db, const char *project, const char *network,
			    uint32_t **out, size_t *n, stim_error_t *err);
/* The instance with address ip in the network (the metadata server's
 * caller), whole: NOT_FOUND when none has it. */
int stim_store_instance_at(struct stim_db *db, const char *project, const char *network,
			   uint32_t ip, struct stim_instance *out, stim_error_t *err);
/* The instance an ssh destination names (src/ssh_target.h), by the
 * first of these that is not 0: its id, its external IP, its internal
 * IP. NOT_FOUND when none has it; ABORTED when an internal IP is two
 * instances' (two networks may share a range). */
int stim_store_instance_locate(struct stim_db *db, int64_t id, uint32_t external, uint32_t internal,
			       struct stim_instance *out, stim_error_t *err);
/* What a network's firewall needs of every instance with an address in
 * it: id, name, zone, nic.ip and nic.external_ip, tags and
 * service_account (the rest empty). */
int stim_store_instance_members(struct stim_db *db, const char *project, const char *network,
				struct stim_instance **out, size_t *n, stim_error_t *err);
/* An instance with its NIC on the network (on that subnet when region is
 * not NULL; only one whose processes run or are starting with
 * running_only): *user its path, or NULL when none. */
int stim_store_instance_on_network(struct stim_db *db, const char *project, const char *network,
				   const char *region, const char *subnet, bool running_only,
				   char **user, stim_error_t *err);
