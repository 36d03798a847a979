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
/* Rules kept parsed between scans of one network (a caller's, used by
 * one thread at a time): a scan through it parses only the rows whose
 * stored text changed, which is most of a scan's cost otherwise. */
struct stim_fw_memo;

struct stim_fw_memo *stim_fw_memo_new(void);
void stim_fw_memo_free(struct stim_fw_memo *memo);

/* The network's rules by name, as stim_store_firewall_scan gives them,
 * but lent by memo until its next scan or free: *out (the caller frees
 * the array) holds copies of the memo's rules that the caller must not
 * fini. */
int stim_store_firewall_scan_memo(struct stim_db *db, const char *project, const char *network,
				  struct stim_fw_memo *memo, struct stim_firewall **out, size_t *n,
				  stim_error_t *err);
int stim_store_firewall_remove(struct stim_db *db, const char *project, const char *name,
			       stim_error_t *err);
