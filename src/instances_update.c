/* The set* methods of instances: metadata, labels, tags, machine type
 * (see instances.h). None needs host work while the instance runs: the
 * guest reads its metadata from the metadata server when it asks (issue
 * 5), tags act through the network's firewall, and a machine type only
 * changes while the instance is stopped. So each is one transaction and
 * a DONE operation. */
#include "src/instances.h"

#include <string.h>

#include "src/cleanup.h"
#include "src/compute_catalog.h"
#include "src/instances_internal.h"
#include "src/metadata_server.h"
#include "src/store_instances.h"
#include "src/util.h"
#include "src/vpc_firewall.h"

/* One change to an instance, applied to its row read in the transaction. */
struct change {
	const char *type; /* the operation's operationType */
	int (*apply)(struct stim_instance *in, const struct change *c, stim_error_t *err);
	const unsigned char *fingerprint; /* what the caller read, or NULL */
	struct stim_labels *pairs;	  /* metadata or labels, taken */
	const struct stim_strv *tags;
	const char *machine_type;
	bool firewall; /* it changes what the network's firewall sees */
};

static int update(struct stim_ctx *ctx, const char *project, const char *zone, const char *name,
		  const struct change *c, struct stim_compute_op *op, stim_error_t *err)
{
	cleanup_db struct stim_db *db = NULL;
	cleanup_tx struct stim_tx *tx = NULL;
	struct stim_instance in;
	int ret = -1;

	if (stim_instance_begin(ctx, project, zone, name, &db, &tx, &in, err) < 0)
		return -1;
	if (c->apply(&in, c, err) < 0 || stim_store_instance_update(db, &in, err) < 0 ||
	    stim_instance_record_op(db, &in, c->type, true, op, err) < 0)
		goto out;
	if (stim_tx_commit(steal_pointer(&tx), err) < 0) {
		stim_compute_op_fini(op);
		goto out;
	}
	stim_metadata_changed();
	/* New tags are new targets and sources for the network's rules:
	 * applied before the operation is reported, as GCE's would be. */
	if (c->firewall) {
		stim_db_release(steal_pointer(&db));
		stim_vpc_firewall_refresh(ctx, project, in.nic.network);
	}
	ret = 0;
out:
	stim_instance_fini(&in);
	return ret;
}

/* A fingerprint must be the one the caller read: GCE's optimistic lock.
 * A new one is made for what the change leaves. */
static int refresh(unsigned char *current, const unsigned char *given, const char *message,
		   stim_error_t *err)
{
	if (given == NULL || memcmp(given, current, STIM_FINGERPRINT_LEN) != 0)
		return stim_err_reason(err, STIM_FAILED_PRECONDITION, "conditionNotMet", "%s",
				       message);
	stim_random_bytes(current, STIM_FINGERPRINT_LEN);
	return 0;
}

static void take_pairs(struct stim_labels *dst, struct stim_labels *src)
{
	stim_labels_fini(dst);
	*dst = *src;
	memset(src, 0, sizeof(*src));
}

static int apply_metadata(struct stim_instance *in, const struct change *c, stim_error_t *err)
{
	/* setMetadata without a fingerprint replaces blindly, as before gcloud
	 * read one; with a stale one it is refused. */
	if (c->fingerprint != NULL &&
	    refresh(in->metadata_fingerprint, c->fingerprint,
		    "Supplied fingerprint does not match current metadata fingerprint.", err) < 0)
		return -1;
	if (c->fingerprint == NULL)
		stim_random_bytes(in->metadata_fingerprint, STIM_FINGERPRINT_LEN);
	take_pairs(&in->metadata, c->pairs);
	return 0;
}

static int apply_labels(struct stim_instance *in, const struct change *c, stim_error_t *err)
{
	if (refresh(in->label_fingerprint, c->fingerprint,
		    "Labels fingerprint either invalid or resource labels have changed", err) < 0)
		return -1;
	take_pairs(&in->labels, c->pairs);
	return 0;
}

static int apply_tags(struct stim_instance *in, const struct change *c, stim_error_t *err)
{
	if (refresh(in->tags_fingerprint, c->fingerprint,
		    "Supplied fingerprint does not match current tags fingerprint.", err) < 0)
		return -1;
	stim_strv_fini(&in->tags);
	for (size_t i = 0; i < c->tags->n; i++)
		stim_strv_add_sorted(&in->tags, c->tags->v[i]);
	return 0;
}

static int apply_machine_type(struct stim_instance *in, const struct change *c, stim_error_t *err)
{
	/* The limits are the cgroup's, set at boot: a stopped instance is the
	 * only one whose next boot can take new ones, as on GCE. */
	if (strcmp(in->status, "TERMINATED") != 0)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "resourceNotReady",
				       "The resource 'projects/%s/zones/%s/instances/%s' is not "
				       "ready: its machine type changes only while it is stopped "
				       "(TERMINATED), and it is %s.",
				       in->project, in->zone, in->name, in->status);
	free(in->machine_type);
	in->machine_type = xstrdup(c->machine_type);
	return 0;
}

int stim_instance_set_metadata(struct stim_ctx *ctx, const char *project, const char *zone,
			       const char *name, const unsigned char *fingerprint,
			       struct stim_labels *items, struct stim_compute_op *op,
			       stim_error_t *err)
{
	struct change c = { .type = "setMetadata",
			    .apply = apply_metadata,
			    .fingerprint = fingerprint,
			    .pairs = items };
	int ret = stim_compute_metadata_check(items, err) < 0
			  ? -1
			  : update(ctx, project, zone, name, &c, op, err);

	stim_labels_fini(items);
	return ret;
}

int stim_instance_set_labels(struct stim_ctx *ctx, const char *project, const char *zone,
			     const char *name, const unsigned char *fingerprint,
			     struct stim_labels *labels, struct stim_compute_op *op,
			     stim_error_t *err)
{
	struct change c = { .type = "setLabels",
			    .apply = apply_labels,
			    .fingerprint = fingerprint,
			    .pairs = labels };
	int ret = update(ctx, project, zone, name, &c, op, err);

	stim_labels_fini(labels);
	return ret;
}

int stim_instance_set_tags(struct stim_ctx *ctx, const char *project, const char *zone,
			   const char *name, const unsigned char *fingerprint,
			   const struct stim_strv *tags, struct stim_compute_op *op,
			   stim_error_t *err)
{
	struct change c = {
		.type = "setTags",
		.apply = apply_tags,
		.fingerprint = fingerprint,
		.tags = tags,
		.firewall = true,
	};

	if (stim_instance_tags_check(tags, err) < 0)
		return -1;
	return update(ctx, project, zone, name, &c, op, err);
}

int stim_instance_set_machine_type(struct stim_ctx *ctx, const char *project, const char *zone,
				   const char *name, const char *machine_type,
				   struct stim_compute_op *op, stim_error_t *err)
{
	struct change c = { .type = "setMachineType", .apply = apply_machine_type };

	if (stim_instance_machine_type_check(machine_type, zone, &c.machine_type, err) < 0)
		return -1;
	return update(ctx, project, zone, name, &c, op, err);
}
