#pragma once
/*
 * VPC firewall rules as Compute Engine's API has them: insert, get, list,
 * delete and patch (gcloud's firewall-rules update sends the whole rule),
 * each a global operation, DONE at once: the rule's shape and GCE's checks
 * are src/firewall_rule.h; the network must exist, and keeps existing
 * while a rule names it. Also GCE's default network and its four rules,
 * made with every new project.
 */

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "src/compute_ops.h"
#include "src/context.h"
#include "src/error.h"
#include "src/firewall_rule.h"
#include "src/store.h"

int stim_firewall_insert(struct stim_ctx *ctx, const char *project, json_t *body,
			 struct stim_compute_op *op, stim_error_t *err);
int stim_firewall_get(struct stim_ctx *ctx, const char *project, const char *name,
		      struct stim_firewall *out, stim_error_t *err);
int stim_firewall_list(struct stim_ctx *ctx, const char *project, const char *after, int max,
		       struct stim_firewall **out, size_t *n, bool *more, stim_error_t *err);
int stim_firewall_delete(struct stim_ctx *ctx, const char *project, const char *name,
			 struct stim_compute_op *op, stim_error_t *err);
/* The body's members replace the rule's; name and network stay. */
int stim_firewall_patch(struct stim_ctx *ctx, const char *project, const char *name, json_t *body,
			struct stim_compute_op *op, stim_error_t *err);

/* In the caller's transaction: the network "default" (auto mode) and its
 * rules default-allow-internal, -ssh, -rdp and -icmp, as GCE makes them
 * when a project gets Compute Engine. */
int stim_firewall_create_default_network(struct stim_db *db, const char *project,
					 stim_error_t *err);
