/* A network's firewall kept in step with the store (see vpc_firewall.h). */
#include "src/vpc_firewall.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "netns/vpc.h"
#include "src/cleanup.h"
#include "src/firewall_compile.h"
#include "src/log.h"
#include "src/networks.h"
#include "src/store_firewalls.h"
#include "src/store_instances.h"
#include "src/store_networks.h"
#include "src/util.h"

static pthread_mutex_t syncing = PTHREAD_MUTEX_INITIALIZER;

/* Each network's rules kept parsed (src/store_firewalls.h), so a sync
 * after a one-rule change parses that rule only. Under `syncing`. */
struct memo {
	char *project;
	char *network;
	struct stim_fw_memo *rules;
	struct memo *next;
};

static struct memo *memos;

static struct stim_fw_memo *memo_of(const char *project, const char *network)
{
	struct memo *m;

	for (m = memos; m != NULL; m = m->next) {
		if (strcmp(m->project, project) == 0 && strcmp(m->network, network) == 0)
			return m->rules;
	}
	m = xcalloc(1, sizeof(*m));
	m->project = xstrdup(project);
	m->network = xstrdup(network);
	m->rules = stim_fw_memo_new();
	m->next = memos;
	memos = m;
	return m->rules;
}

/* What the network holds now, read in one go. */
struct state {
	struct stim_network net;
	struct stim_firewall *rules; /* lent by the network's memo */
	size_t nrules;
	struct stim_instance *insts;
	size_t ninsts;
};

static void state_fini(struct state *s)
{
	for (size_t i = 0; i < s->ninsts; i++)
		stim_instance_fini(&s->insts[i]);
	free(s->rules);
	free(s->insts);
	stim_network_fini(&s->net);
}

/* The network's rules and members; 1 (nothing read) when it has no
 * router and none is to be made: a rule change on a network where
 * nothing runs reads and compiles nothing. */
static int read_state(struct stim_ctx *ctx, const char *project, const char *network, bool create,
		      struct state *s, stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);

	if (db == NULL || stim_store_network_get(db, project, network, &s->net, err) < 0)
		return -1;
	/* Routers are made only under `syncing`, which the caller holds. */
	if (!create && !stim_vpc_router_exists(s->net.id)) {
		stim_network_fini(&s->net);
		return 1;
	}
	if (stim_store_firewall_scan_memo(db, project, network, memo_of(project, network),
					  &s->rules, &s->nrules, err) < 0 ||
	    stim_store_instance_members(db, project, network, &s->insts, &s->ninsts, err) < 0) {
		state_fini(s);
		return -1;
	}
	return 0;
}

int stim_vpc_firewall_sync(struct stim_ctx *ctx, const char *project, const char *network,
			   bool create, stim_error_t *err)
{
	struct state s = { 0 };
	struct stim_fw_ruleset rs;
	cleanup_free struct stim_fw_member *members = NULL;
	int ret = -1;

	pthread_mutex_lock(&syncing);
	ret = read_state(ctx, project, network, create, &s, err);
	if (ret != 0) {
		ret = ret > 0 ? 0 : -1; /* nothing to apply to, or a failure */
		goto out;
	}
	ret = -1;
	members = xcalloc(s.ninsts + 1, sizeof(*members));
	for (size_t i = 0; i < s.ninsts; i++)
		members[i] = (struct stim_fw_member){ s.insts[i].nic.ip, s.insts[i].id,
						      &s.insts[i].tags, s.insts[i].service_account,
						      s.insts[i].nic.external_ip };
	if (stim_fw_compile(s.rules, s.nrules, members, s.ninsts, &rs, err) == 0) {
		ret = stim_vpc_firewall_apply(s.net.id, &rs, members, s.ninsts, create, err);
		stim_fw_ruleset_fini(&rs);
	}
	state_fini(&s);
out:
	pthread_mutex_unlock(&syncing);
	return ret;
}

void stim_vpc_firewall_refresh(struct stim_ctx *ctx, const char *project, const char *network)
{
	cleanup_error stim_error_t err = NULL;

	if (network != NULL && stim_vpc_firewall_sync(ctx, project, network, false, &err) < 0)
		STIM_LOG_E("network %s/%s: firewall not applied: %s", project, network, err->msg);
}
