#pragma once
/* SQL for firewall rules (rules in src/firewalls.c). Writes run inside the
 * caller's transaction, if any. */

#include <stdbool.h>
#include <stddef.h>

#include "src/firewall_rule.h"
#include "src/store.h"

/* ALREADY_EXISTS when the name is taken; `update` replaces the rule. */
int stim_store_firewall_put(struct stim_db *db, const struct stim_firewall *fw, bool update,
			    stim_error_t *err);
int stim_store_firewall_get(struct stim_db *db, const char *project, const char *name,
			    struct stim_firewall *out, stim_error_t *err);
/* By name after `after`, of one network (NULL: any), at most limit. */
int stim_store_firewall_scan(struct stim_db *db, const char *project, const char *network,
			     const char *after, int limit, struct stim_firewall **out, size_t *n,
			     stim_error_t *err);
int stim_store_firewall_remove(struct stim_db *db, const char *project, const char *name,
			       stim_error_t *err);
