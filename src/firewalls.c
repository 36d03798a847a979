/* VPC firewall rules (see firewalls.h). */
#include "src/firewalls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/json.h"
#include "src/networks.h"
#include "src/store_firewalls.h"
#include "src/store_networks.h"
#include "src/util.h"
#include "src/vpc_firewall.h"

static int record(struct stim_db *db, const struct stim_firewall *fw, const char *type,
		  struct stim_compute_op *op, stim_error_t *err)
{
	cleanup_free char *target =
		xasprintf("projects/%s/global/firewalls/%s", fw->project, fw->name);
	char id[24];
	struct stim_compute_op_spec spec = {
		.project = fw->project,
		.scope_type = STIM_OP_GLOBAL,
		.scope = "",
		.type = type,
		.target = target,
		.target_id = id,
		.done = true,
	};

	snprintf(id, sizeof(id), "%lld", (long long)fw->id);
	return stim_compute_op_record(db, &spec, op, err);
}

static int begin(struct stim_ctx *ctx, const char *project, struct stim_db **db,
		 struct stim_tx **tx, stim_error_t *err)
{
	if (stim_compute_project_check(ctx, project, err) < 0)
		return -1;
	*db = stim_store_db(ctx->store, err);
	*tx = *db != NULL ? stim_tx_begin(*db, err) : NULL;
	return *tx != NULL ? 0 : -1;
}

static int commit(struct stim_tx **tx, struct stim_compute_op *op, stim_error_t *err)
{
	if (stim_tx_commit(steal_pointer(tx), err) < 0) {
		stim_compute_op_fini(op);
		return -1;
	}
	return 0;
}

/* After a committed change: the rule's network gets its new firewall
 * before the operation is reported DONE, with the store released (the
 * sync reads it). */
static void enforce(struct stim_ctx *ctx, struct stim_db **db, const struct stim_firewall *fw)
{
	stim_db_release(steal_pointer(db));
	stim_vpc_firewall_refresh(ctx, fw->project, fw->network);
}

/* A new rule from body, in the caller's transaction. */
static int put_new(struct stim_db *db, const char *project, json_t *body, struct stim_firewall *fw,
		   stim_error_t *err)
{
	struct stim_network net;

	memset(fw, 0, sizeof(*fw));
	if (stim_firewall_from_json(body, fw, err) < 0)
		return -1;
	fw->project = xstrdup(project);
	fw->id = (int64_t)(stim_random_u64() & INT64_MAX);
	fw->create_time_ms = stim_now_ms();
	if (stim_store_network_get(db, project, fw->network, &net, err) < 0)
		return -1;
	stim_network_fini(&net);
	return stim_store_firewall_put(db, fw, false, err);
}

int stim_firewall_insert(struct stim_ctx *ctx, const char *project, json_t *body,
			 struct stim_compute_op *op, stim_error_t *err)
{
	cleanup_db struct stim_db *db = NULL;
	cleanup_tx struct stim_tx *tx = NULL;
	struct stim_firewall fw = { 0 };
	int ret = -1;

	if (begin(ctx, project, &db, &tx, err) < 0)
		return -1;
	if (put_new(db, project, body, &fw, err) == 0 && record(db, &fw, "insert", op, err) == 0)
		ret = commit(&tx, op, err);
	if (ret == 0)
		enforce(ctx, &db, &fw);
	stim_firewall_fini(&fw);
	return ret;
}

int stim_firewall_get(struct stim_ctx *ctx, const char *project, const char *name,
		      struct stim_firewall *out, stim_error_t *err)
{
	cleanup_db struct stim_db *db = NULL;

	if (stim_compute_project_check(ctx, project, err) < 0)
		return -1;
	db = stim_store_db(ctx->store, err);
	return db != NULL ? stim_store_firewall_get(db, project, name, out, err) : -1;
}

int stim_firewall_list(struct stim_ctx *ctx, const char *project, const char *after, int max,
		       struct stim_firewall **out, size_t *n, bool *more, stim_error_t *err)
{
	cleanup_db struct stim_db *db = NULL;

	if (stim_compute_project_check(ctx, project, err) < 0)
		return -1;
	db = stim_store_db(ctx->store, err);
	if (db == NULL ||
	    stim_store_firewall_scan(db, project, NULL, after, max + 1, out, n, err) < 0)
		return -1;
	*more = *n > (size_t)max;
	if (*more)
		stim_firewall_fini(&(*out)[--*n]);
	return 0;
}

int stim_firewall_delete(struct stim_ctx *ctx, const char *project, const char *name,
			 struct stim_compute_op *op, stim_error_t *err)
{
	cleanup_db struct stim_db *db = NULL;
	cleanup_tx struct stim_tx *tx = NULL;
	struct stim_firewall fw;
	int ret = -1;

	if (begin(ctx, project, &db, &tx, err) < 0 ||
	    stim_store_firewall_get(db, project, name, &fw, err) < 0)
		return -1;
	if (stim_store_firewall_remove(db, project, name, err) == 0 &&
	    record(db, &fw, "delete", op, err) == 0)
		ret = commit(&tx, op, err);
	if (ret == 0)
		enforce(ctx, &db, &fw);
	stim_firewall_fini(&fw);
	return ret;
}

int stim_firewall_patch(struct stim_ctx *ctx, const char *project, const char *name, json_t *body,
			struct stim_compute_op *op, stim_error_t *err)
{
	cleanup_db struct stim_db *db = NULL;
	cleanup_tx struct stim_tx *tx = NULL;
	cleanup_json json_t *merged = NULL;
	struct stim_firewall old;
	struct stim_firewall fw = { 0 };
	const char *given;
	int ret = -1;

	if (begin(ctx, project, &db, &tx, err) < 0 ||
	    stim_store_firewall_get(db, project, name, &old, err) < 0)
		return -1;
	given = json_string_value(json_object_get(body, "name"));
	if (given != NULL && strcmp(given, name) != 0) {
		stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
				"Invalid value for field 'resource.name': '%s'. A rule keeps its "
				"name.",
				given);
		goto out;
	}
	given = json_string_value(json_object_get(body, "network"));
	if (given != NULL && strcmp(stim_path_basename(given), old.network) != 0) {
		stim_err_reason(
			err, STIM_INVALID_ARGUMENT, "invalid",
			"Invalid value for field 'resource.network': '%s'. A rule's network "
			"cannot change.",
			given);
		goto out;
	}
	/* The stored rule with the body's members over it. Lists given
	 * replace; so does allowed by denied (the other one goes). */
	merged = stim_firewall_rule_json(&old);
	if (json_object_get(body, "allowed") != NULL)
		json_object_del(merged, "denied");
	if (json_object_get(body, "denied") != NULL)
		json_object_del(merged, "allowed");
	json_object_update(merged, body);
	json_object_set_new(merged, "network", json_string(old.network));
	if (stim_firewall_from_json(merged, &fw, err) < 0)
		goto out;
	fw.project = xstrdup(project);
	fw.id = old.id;
	fw.create_time_ms = old.create_time_ms;
	if (stim_store_firewall_put(db, &fw, true, err) == 0 &&
	    record(db, &fw, "patch", op, err) == 0)
		ret = commit(&tx, op, err);
	if (ret == 0)
		enforce(ctx, &db, &fw);
out:
	stim_firewall_fini(&fw);
	stim_firewall_fini(&old);
	return ret;
}

/* GCE's four rules on a project's default network. */
static const char *const default_rules[] = {
	"{\"name\":\"default-allow-internal\",\"network\":\"default\",\"priority\":65534,"
	"\"description\":\"Allow internal traffic on the default network\","
	"\"sourceRanges\":[\"10.128.0.0/9\"],\"allowed\":[{\"IPProtocol\":\"tcp\","
	"\"ports\":[\"0-65535\"]},{\"IPProtocol\":\"udp\",\"ports\":[\"0-65535\"]},"
	"{\"IPProtocol\":\"icmp\"}]}",
	"{\"name\":\"default-allow-ssh\",\"network\":\"default\",\"priority\":65534,"
	"\"description\":\"Allow SSH from anywhere\",\"sourceRanges\":[\"0.0.0.0/0\"],"
	"\"allowed\":[{\"IPProtocol\":\"tcp\",\"ports\":[\"22\"]}]}",
	"{\"name\":\"default-allow-rdp\",\"network\":\"default\",\"priority\":65534,"
	"\"description\":\"Allow RDP from anywhere\",\"sourceRanges\":[\"0.0.0.0/0\"],"
	"\"allowed\":[{\"IPProtocol\":\"tcp\",\"ports\":[\"3389\"]}]}",
	"{\"name\":\"default-allow-icmp\",\"network\":\"default\",\"priority\":65534,"
	"\"description\":\"Allow ICMP from anywhere\",\"sourceRanges\":[\"0.0.0.0/0\"],"
	"\"allowed\":[{\"IPProtocol\":\"icmp\"}]}",
};

int stim_firewall_create_default_network(struct stim_db *db, const char *project, stim_error_t *err)
{
	if (stim_network_put_default(db, project, err) < 0)
		return -1;
	for (size_t i = 0; i < STIM_ARRAY_SIZE(default_rules); i++) {
		cleanup_json json_t *body =
			stim_json_parse_body(default_rules[i], strlen(default_rules[i]), err);
		struct stim_firewall fw;
		int ret;

		if (body == NULL)
			return -1;
		ret = put_new(db, project, body, &fw, err);
		stim_firewall_fini(&fw);
		if (ret < 0)
			return -1;
	}
	return 0;
}
