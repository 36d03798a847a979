/* The instance an ssh destination names (see ssh_target.h). */
#include "src/ssh_target.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "src/cleanup.h"
#include "src/compute_projects.h"
#include "src/ipv4.h"
#include "src/oslogin.h"
#include "src/store_instances.h"
#include "src/util.h"

/* "compute.ID" to ID; 0 when s is not that. */
static int64_t compute_id(const char *s)
{
	char *end;
	long long id;

	if (s == NULL || strncmp(s, "compute.", 8) != 0 || s[8] < '1' || s[8] > '9')
		return 0;
	id = strtoll(s + 8, &end, 10);
	return *end == '\0' && id > 0 ? id : 0;
}

static bool is_true(const char *v)
{
	return v != NULL && strcasecmp(v, "true") == 0;
}

/* Appends the value of key in md, as lines, to *keys. */
static void add_keys(char **keys, const struct stim_labels *md, const char *key)
{
	const char *v = stim_labels_get(md, key);
	char *joined;

	if (v == NULL || *v == '\0')
		return;
	joined = xasprintf("%s%s%s", *keys != NULL ? *keys : "", *keys != NULL ? "\n" : "", v);
	free(*keys);
	*keys = joined;
}

static int locate(struct stim_ctx *ctx, const char *host, const char *alias,
		  struct stim_instance *in, stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	cleanup_error stim_error_t lerr = NULL;
	int64_t id = compute_id(alias);
	uint32_t addr = 0;

	if (db == NULL)
		return -1;
	if (id == 0)
		id = compute_id(host);
	if (id != 0)
		return stim_store_instance_locate(db, id, 0, 0, in, err);
	if (stim_ipv4_parse(host, &addr) < 0)
		return stim_err(err, STIM_INVALID_ARGUMENT,
				"'%s' is neither compute.ID nor an IPv4 address", host);
	if (stim_store_instance_locate(db, 0, addr, 0, in, &lerr) == 0)
		return 0;
	if (lerr->code != STIM_NOT_FOUND) {
		*err = steal_pointer(&lerr);
		return -1;
	}
	return stim_store_instance_locate(db, 0, 0, addr, in, err);
}

int stim_ssh_target_find(struct stim_ctx *ctx, const char *host, const char *alias,
			 struct stim_ssh_target *out, stim_error_t *err)
{
	struct stim_compute_metadata pm = { 0 };
	struct stim_project p;
	const struct stim_labels *mine;
	const char *login;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (locate(ctx, host, alias, &out->in, err) < 0)
		return -1;
	if (stim_compute_project_get(ctx, out->in.project, &p, &pm, err) < 0) {
		stim_ssh_target_fini(out);
		return -1;
	}
	mine = &out->in.metadata;
	login = stim_labels_get(mine, "enable-oslogin");
	out->os_login =
		is_true(login != NULL ? login : stim_labels_get(&pm.items, "enable-oslogin"));
	if (out->os_login) {
		/* OS Login's keys alone: its instances ignore the metadata's. */
		ret = stim_oslogin_accounts(ctx, &out->keys, &out->os_login_uids, err);
	} else {
		add_keys(&out->keys, mine, "ssh-keys");
		add_keys(&out->keys, mine, "sshKeys");
		if (!is_true(stim_labels_get(mine, "block-project-ssh-keys"))) {
			add_keys(&out->keys, &pm.items, "ssh-keys");
			add_keys(&out->keys, &pm.items, "sshKeys");
		}
	}
	stim_compute_metadata_fini(&pm);
	stim_project_fini(&p);
	if (ret < 0)
		stim_ssh_target_fini(out);
	return ret;
}

void stim_ssh_target_fini(struct stim_ssh_target *t)
{
	stim_instance_fini(&t->in);
	free(t->keys);
	json_decref(t->os_login_uids);
	memset(t, 0, sizeof(*t));
}
