#pragma once
/* SQL for networks and subnetworks (rules in src/networks.c). Writes run
 * inside the caller's transaction, if any. */

#include <stdbool.h>
#include <stddef.h>

#include "src/networks.h"
#include "src/store.h"

/* ALREADY_EXISTS when the name is taken. */
int stim_store_network_insert(struct stim_db *db, const struct stim_network *n, stim_error_t *err);
/* NOT_FOUND when absent; subnets not filled. */
int stim_store_network_get(struct stim_db *db, const char *project, const char *name,
			   struct stim_network *out, stim_error_t *err);
int stim_store_network_scan(struct stim_db *db, const char *project, const char *after, int limit,
			    struct stim_network **out, size_t *n, stim_error_t *err);
/* auto_subnets, mtu, routing_mode. */
int stim_store_network_update(struct stim_db *db, const struct stim_network *n, stim_error_t *err);
int stim_store_network_remove(struct stim_db *db, const char *project, const char *name,
			      stim_error_t *err);

int stim_store_subnet_insert(struct stim_db *db, const struct stim_subnetwork *s,
			     stim_error_t *err);
int stim_store_subnet_get(struct stim_db *db, const char *project, const char *region,
			  const char *name, struct stim_subnetwork *out, stim_error_t *err);
/* Up to limit subnetworks after (region, name), of one region (NULL:
 * all) and of one network (NULL: any). */
int stim_store_subnet_scan(struct stim_db *db, const char *project, const char *region,
			   const char *network, const char *after_region, const char *after_name,
			   int limit, struct stim_subnetwork **out, size_t *n, stim_error_t *err);
/* range, description, private_google_access, fingerprint. */
int stim_store_subnet_update(struct stim_db *db, const struct stim_subnetwork *s,
			     stim_error_t *err);
int stim_store_subnet_remove(struct stim_db *db, const char *project, const char *region,
			     const char *name, stim_error_t *err);
