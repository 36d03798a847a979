/* Compute Engine instances: insert, get, list, aggregatedList, delete,
 * the lifecycle verbs, the set* methods, getSerialPortOutput (see
 * compute.h and src/instances.h). */
#include "api/compute.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/cgroup.h"
#include "src/cleanup.h"
#include "src/compute_catalog.h"
#include "src/instances.h"
#include "src/ipv4.h"
#include "src/json.h"
#include "src/page_token.h"
#include "src/util.h"

#define LIST_MAX 500

/* tags{items, fingerprint}; items left out when there are none, as GCE
 * does. */
static json_t *tags_json(const struct stim_instance *in)
{
	json_t *j = json_pack("{s:o}", "fingerprint",
			      api_compute_fingerprint_json(in->tags_fingerprint));

	if (in->tags.n > 0) {
		json_t *items = json_array();

		for (size_t i = 0; i < in->tags.n; i++)
			json_array_append_new(items, json_string(in->tags.v[i]));
		json_object_set_new(j, "items", items);
	}
	return j;
}

/* A Tags object's items (insert's "tags", setTags' body): strings. */
static int tags_from_json(json_t *tags, struct stim_strv *out, stim_error_t *err)
{
	json_t *items = tags != NULL ? json_object_get(tags, "items") : NULL;
	json_t *v;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (items != NULL && !json_is_array(items) && !json_is_null(items))
		return stim_err(err, STIM_INVALID_ARGUMENT,
				"Invalid value for field 'resource.tags.items': expected a list.");
	json_array_foreach(items, i, v)
	{
		if (!json_is_string(v)) {
			stim_strv_fini(out);
			return stim_err(err, STIM_INVALID_ARGUMENT,
					"Invalid value for field 'resource.tags.items[%zu]': "
					"expected a string.",
					i);
		}
		stim_strv_push(out, json_string_value(v));
	}
	return 0;
}

/* serviceAccounts as GCE renders them: one, with its scopes. */
static json_t *service_accounts_json(const struct stim_instance *in)
{
	json_t *scopes = json_array();
	char *copy;
	char *save = NULL;

	if (in->service_account == NULL)
		return json_array();
	copy = xstrdup(in->scopes != NULL ? in->scopes : "");
	for (char *s = strtok_r(copy, " ", &save); s != NULL; s = strtok_r(NULL, " ", &save))
		json_array_append_new(scopes, json_string(s));
	free(copy);
	return json_pack("[{s:s, s:o}]", "email", in->service_account, "scopes", scopes);
}

/* nic0: its network, subnetwork and internal address. (External
 * addresses, accessConfigs, come later; an instance from before VPCs
 * names the default network without an address.) */
static json_t *nics_json(const char *purl, const struct stim_instance *in)
{
	json_t *nic = json_pack("{s:s, s:s, s:s}", "kind", "compute#networkInterface", "name",
				"nic0", "stackType", "IPV4_ONLY");
	char ip[STIM_IPV4_BUFSZ];

	json_object_set_new(nic, "network",
			    json_sprintf("%s/global/networks/%s", purl,
					 in->nic.network != NULL ? in->nic.network : "default"));
	if (in->nic.network != NULL) {
		json_object_set_new(nic, "subnetwork",
				    json_sprintf("%s/regions/%s/subnetworks/%s", purl,
						 in->nic.region, in->nic.subnet));
		json_object_set_new(nic, "networkIP",
				    json_string(stim_ipv4_format(in->nic.ip, ip)));
	}
	if (in->nic.access_config) {
		/* A stopped instance's ephemeral IP is gone: no natIP. */
		json_t *ac = json_pack("{s:s, s:s, s:s, s:s}", "kind", "compute#accessConfig",
				       "type", "ONE_TO_ONE_NAT", "name", "External NAT",
				       "networkTier", "PREMIUM");

		if (in->nic.external_ip != 0)
			json_object_set_new(ac, "natIP",
					    json_string(stim_ipv4_format(in->nic.external_ip, ip)));
		json_object_set_new(nic, "accessConfigs", json_pack("[o]", ac));
	}
	return json_pack("[o]", nic);
}

static json_t *instance_json(const struct api_req *req, const struct stim_instance *in)
{
	cleanup_free char *base = api_base_url(req);
	cleanup_free char *purl = xasprintf("%s/compute/v1/projects/%s", base, in->project);
	const char *unenforced =
		req->ctx->cgroups != NULL ? stim_cgroups_unenforced(req->ctx->cgroups) : "";
	json_t *items = json_array();
	char ts[STIM_TIME_BUFSZ];
	char id[24];
	json_t *j;

	snprintf(id, sizeof(id), "%lld", (long long)in->id);
	j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:o}", "kind", "compute#instance",
		      "id", id, "name", in->name, "creationTimestamp",
		      stim_time_format(in->create_time_ms, ts), "status", in->status, "cpuPlatform",
		      "Intel Cascade Lake", "deletionProtection", 0, "canIpForward", 0,
		      "labelFingerprint", api_compute_fingerprint_json(in->label_fingerprint));
	if (in->labels.n > 0)
		json_object_set_new(j, "labels", stim_labels_to_json(&in->labels));
	json_object_set_new(j, "zone", json_sprintf("%s/zones/%s", purl, in->zone));
	json_object_set_new(
		j, "machineType",
		json_sprintf("%s/zones/%s/machineTypes/%s", purl, in->zone, in->machine_type));
	json_object_set_new(j, "selfLink",
			    json_sprintf("%s/zones/%s/instances/%s", purl, in->zone, in->name));
	if (in->description != NULL)
		json_object_set_new(j, "description", json_string(in->description));
	/* Say plainly what this host does not enforce (doctor says it too). */
	if (in->status_message != NULL)
		json_object_set_new(j, "statusMessage", json_string(in->status_message));
	else if (unenforced[0] != '\0')
		json_object_set_new(
			j, "statusMessage",
			json_sprintf("Not enforced on this host: %s limits", unenforced));
	if (in->last_start_time_ms != 0)
		json_object_set_new(j, "lastStartTimestamp",
				    json_string(stim_time_format(in->last_start_time_ms, ts)));
	for (size_t i = 0; i < in->metadata.n; i++)
		json_array_append_new(items, json_pack("{s:s, s:s}", "key", in->metadata.v[i].key,
						       "value", in->metadata.v[i].value));
	json_object_set_new(j, "metadata",
			    json_pack("{s:s, s:o, s:o}", "kind", "compute#metadata", "fingerprint",
				      api_compute_fingerprint_json(in->metadata_fingerprint),
				      "items", items));
	json_object_set_new(j, "tags", tags_json(in));
	json_object_set_new(j, "serviceAccounts", service_accounts_json(in));
	/* The boot disk is the instance's own directory (auto-delete). */
	json_object_set_new(
		j, "disks",
		json_pack("[{s:s, s:s, s:s, s:o, s:s, s:i, s:b, s:b, s:s, s:s}]", "kind",
			  "compute#attachedDisk", "type", "PERSISTENT", "mode", "READ_WRITE",
			  "source", json_sprintf("%s/zones/%s/disks/%s", purl, in->zone, in->name),
			  "deviceName", in->name, "index", 0, "boot", 1, "autoDelete", 1,
			  "interface", "SCSI", "diskSizeGb", "10"));
	json_object_set_new(j, "networkInterfaces", nics_json(purl, in));
	json_object_set_new(j, "scheduling",
			    json_pack("{s:s, s:b, s:b, s:s}", "onHostMaintenance", "MIGRATE",
				      "automaticRestart", 1, "preemptible", 0, "provisioningModel",
				      "STANDARD"));
	json_object_set_new(j, "fingerprint",
			    api_compute_fingerprint_json(in->metadata_fingerprint));
	return j;
}

static void spec_fini(struct stim_instance_spec *spec)
{
	stim_labels_fini(&spec->metadata);
	stim_labels_fini(&spec->labels);
	stim_strv_fini(&spec->tags);
	stim_strv_fini(&spec->scopes);
}

/* accessConfigs: at most one, ONE_TO_ONE_NAT (the default type), with or
 * without a natIP. */
static int access_config_from_json(json_t *acs, struct stim_instance_spec *spec, stim_error_t *err)
{
	json_t *ac = json_array_get(acs, 0);
	const char *type = NULL;

	if (json_array_size(acs) > 1)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
				       "Invalid value for field "
				       "'resource.networkInterfaces[0].accessConfigs': at most one "
				       "access config per network interface.");
	if (ac == NULL)
		return 0;
	if (stim_json_get_string(ac, "type", &type, err) < 0 ||
	    stim_json_get_string(ac, "natIP", &spec->nat_ip, err) < 0)
		return -1;
	if (type != NULL && strcmp(type, "ONE_TO_ONE_NAT") != 0)
		return stim_err_reason(
			err, STIM_INVALID_ARGUMENT, "invalid",
			"Invalid value for field "
			"'resource.networkInterfaces[0].accessConfigs[0].type': '%s'. "
			"Only ONE_TO_ONE_NAT is supported.",
			type);
	spec->access_config = true;
	return 0;
}

/* serviceAccounts[0]'s email and scopes (GCE takes one account). */
static int service_account_from_json(json_t *sas, struct stim_instance_spec *spec,
				     stim_error_t *err)
{
	json_t *sa = json_array_get(sas, 0);
	json_t *v;
	size_t i;

	if (json_array_size(sas) > 1)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
				       "Invalid value for field 'resource.serviceAccounts': at "
				       "most one service account per instance is supported.");
	if (sa == NULL)
		return 0;
	if (stim_json_get_string(sa, "email", &spec->service_account, err) < 0)
		return -1;
	if (spec->service_account == NULL)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "required",
				       "Required field 'resource.serviceAccounts[0].email' not "
				       "specified");
	json_array_foreach(json_object_get(sa, "scopes"), i, v)
	{
		if (!json_is_string(v))
			return stim_err(err, STIM_INVALID_ARGUMENT,
					"Invalid value for field "
					"'resource.serviceAccounts[0].scopes[%zu]': expected a "
					"string.",
					i);
		stim_strv_push(&spec->scopes, json_string_value(v));
	}
	return 0;
}

/* The members of an insert body the emulator uses; the rest of what
 * gcloud sends (accessConfigs until external addresses, scheduling, ...)
 * is accepted and left alone. */
static int spec_from_json(json_t *body, struct stim_instance_spec *spec, stim_error_t *err)
{
	json_t *disks = json_object_get(body, "disks");
	json_t *nic = json_array_get(json_object_get(body, "networkInterfaces"), 0);
	json_t *meta = json_object_get(body, "metadata");
	json_t *items = meta != NULL ? json_object_get(meta, "items") : NULL;
	json_t *v;
	size_t i;

	memset(spec, 0, sizeof(*spec));
	if (nic != NULL &&
	    (stim_json_get_string(nic, "network", &spec->network, err) < 0 ||
	     stim_json_get_string(nic, "subnetwork", &spec->subnetwork, err) < 0 ||
	     stim_json_get_string(nic, "networkIP", &spec->network_ip, err) < 0 ||
	     access_config_from_json(json_object_get(nic, "accessConfigs"), spec, err) < 0))
		return -1;
	if (json_array_size(json_object_get(body, "networkInterfaces")) > 1)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
				       "Invalid value for field 'resource.networkInterfaces': "
				       "instances here have one network interface.");
	if (stim_json_get_string(body, "name", &spec->name, err) < 0 ||
	    stim_json_get_string(body, "machineType", &spec->machine_type, err) < 0 ||
	    stim_json_get_string(body, "description", &spec->description, err) < 0 ||
	    tags_from_json(json_object_get(body, "tags"), &spec->tags, err) < 0)
		return -1;
	if ((json_object_get(body, "labels") != NULL &&
	     stim_labels_from_json(json_object_get(body, "labels"), &spec->labels, err) < 0) ||
	    service_account_from_json(json_object_get(body, "serviceAccounts"), spec, err) < 0)
		goto fail;
	json_array_foreach(disks, i, v)
	{
		json_t *init = json_object_get(v, "initializeParams");

		if (json_is_true(json_object_get(v, "boot")) && init != NULL &&
		    stim_json_get_string(init, "sourceImage", &spec->source_image, err) < 0)
			goto fail;
	}
	json_array_foreach(items, i, v)
	{
		const char *key = json_string_value(json_object_get(v, "key"));
		const char *value = json_string_value(json_object_get(v, "value"));

		if (key == NULL || stim_compute_metadata_check_key(key, i, err) < 0) {
			if (key == NULL)
				stim_err(err, STIM_INVALID_ARGUMENT,
					 "Required field 'resource.metadata.items[%zu].key' not "
					 "specified",
					 i);
			goto fail;
		}
		stim_labels_set(&spec->metadata, key, value != NULL ? value : "");
	}
	return 0;
fail:
	spec_fini(spec);
	return -1;
}

static int api_compute_instances_insert(struct api_req *req, stim_error_t *err)
{
	cleanup_json json_t *body = api_body_json(req, err);
	struct stim_instance_spec spec;
	struct stim_compute_op op;
	int ret;

	if (body == NULL || spec_from_json(body, &spec, err) < 0)
		return -1;
	ret = stim_instance_insert(req->ctx, api_path(req, "project"), api_path(req, "zone"), &spec,
				   &op, err);
	spec_fini(&spec);
	return ret < 0 ? -1 : api_compute_reply_op(req, &op);
}

static int api_compute_instances_delete(struct api_req *req, stim_error_t *err)
{
	struct stim_compute_op op;

	if (stim_instance_delete(req->ctx, api_path(req, "project"), api_path(req, "zone"),
				 api_path(req, "instance"), &op, err) < 0)
		return -1;
	return api_compute_reply_op(req, &op);
}

static int act(struct api_req *req, enum stim_instance_verb verb, stim_error_t *err)
{
	struct stim_compute_op op;

	if (stim_instance_act(req->ctx, api_path(req, "project"), api_path(req, "zone"),
			      api_path(req, "instance"), verb, &op, err) < 0)
		return -1;
	return api_compute_reply_op(req, &op);
}

static int api_compute_instances_stop(struct api_req *req, stim_error_t *err)
{
	return act(req, STIM_INSTANCE_STOP, err);
}

static int api_compute_instances_start(struct api_req *req, stim_error_t *err)
{
	return act(req, STIM_INSTANCE_START, err);
}

static int api_compute_instances_reset(struct api_req *req, stim_error_t *err)
{
	return act(req, STIM_INSTANCE_RESET, err);
}

static int api_compute_instances_suspend(struct api_req *req, stim_error_t *err)
{
	return act(req, STIM_INSTANCE_SUSPEND, err);
}

static int api_compute_instances_resume(struct api_req *req, stim_error_t *err)
{
	return act(req, STIM_INSTANCE_RESUME, err);
}

static int api_compute_instances_set_metadata(struct api_req *req, stim_error_t *err)
{
	cleanup_json json_t *body = api_body_json(req, err);
	unsigned char fp[STIM_FINGERPRINT_LEN];
	struct stim_compute_op op;
	struct stim_labels items;
	bool has_fp;

	if (body == NULL || api_compute_metadata_from_json(body, &items, fp, &has_fp, err) < 0 ||
	    stim_instance_set_metadata(req->ctx, api_path(req, "project"), api_path(req, "zone"),
				       api_path(req, "instance"), has_fp ? fp : NULL, &items, &op,
				       err) < 0)
		return -1;
	return api_compute_reply_op(req, &op);
}

static int api_compute_instances_set_labels(struct api_req *req, stim_error_t *err)
{
	static const char *const fields[] = { "labels", "labelFingerprint", NULL };
	static const char mismatch[] =
		"Labels fingerprint either invalid or resource labels have changed";
	cleanup_json json_t *body = api_body_json(req, err);
	unsigned char fp[STIM_FINGERPRINT_LEN];
	struct stim_labels labels = { 0 };
	struct stim_compute_op op;
	json_t *given;
	bool has_fp;

	if (body == NULL || stim_json_check_fields(body, fields, "", err) < 0 ||
	    api_compute_fingerprint_from_json(body, "labelFingerprint", fp, &has_fp, mismatch,
					      err) < 0)
		return -1;
	given = json_object_get(body, "labels");
	if (given != NULL && !json_is_null(given) && stim_labels_from_json(given, &labels, err) < 0)
		return -1;
	if (stim_instance_set_labels(req->ctx, api_path(req, "project"), api_path(req, "zone"),
				     api_path(req, "instance"), has_fp ? fp : NULL, &labels, &op,
				     err) < 0)
		return -1;
	return api_compute_reply_op(req, &op);
}

static int api_compute_instances_set_tags(struct api_req *req, stim_error_t *err)
{
	static const char *const fields[] = { "items", "fingerprint", NULL };
	cleanup_json json_t *body = api_body_json(req, err);
	unsigned char fp[STIM_FINGERPRINT_LEN];
	struct stim_strv tags = { 0 };
	struct stim_compute_op op;
	bool has_fp;
	int ret;

	if (body == NULL || stim_json_check_fields(body, fields, "", err) < 0 ||
	    api_compute_fingerprint_from_json(
		    body, "fingerprint", fp, &has_fp,
		    "Supplied fingerprint does not match current tags fingerprint.", err) < 0 ||
	    tags_from_json(body, &tags, err) < 0)
		return -1;
	ret = stim_instance_set_tags(req->ctx, api_path(req, "project"), api_path(req, "zone"),
				     api_path(req, "instance"), has_fp ? fp : NULL, &tags, &op,
				     err);
	stim_strv_fini(&tags);
	return ret < 0 ? -1 : api_compute_reply_op(req, &op);
}

static int api_compute_instances_set_machine_type(struct api_req *req, stim_error_t *err)
{
	cleanup_json json_t *body = api_body_json(req, err);
	const char *mt = NULL;
	struct stim_compute_op op;

	if (body == NULL || stim_json_get_string(body, "machineType", &mt, err) < 0)
		return -1;
	if (mt == NULL)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "required",
				       "Required field 'machineType' not specified");
	if (stim_instance_set_machine_type(req->ctx, api_path(req, "project"),
					   api_path(req, "zone"), api_path(req, "instance"), mt,
					   &op, err) < 0)
		return -1;
	return api_compute_reply_op(req, &op);
}

static int api_compute_instances_get(struct api_req *req, stim_error_t *err)
{
	struct stim_instance in;
	int ret;

	if (stim_instance_get(req->ctx, api_path(req, "project"), api_path(req, "zone"),
			      api_path(req, "instance"), &in, err) < 0)
		return -1;
	ret = api_reply_json(req, 200, instance_json(req, &in));
	stim_instance_fini(&in);
	return ret;
}

/* A page of instances: one zone's, or every zone's (zone NULL). */
static int list_page(struct api_req *req, const char *zone, struct stim_instance **v, size_t *n,
		     bool *more, stim_error_t *err)
{
	char after[256];
	int max = 0;

	if (api_query_int(req, "maxResults", 0, LIST_MAX, &max, err) < 0 ||
	    stim_page_token_decode(api_query(req, "pageToken"), "invalid", after, sizeof(after),
				   err) < 0)
		return -1;
	return stim_instance_list(req->ctx, api_path(req, "project"), zone, after,
				  max > 0 ? max : LIST_MAX, v, n, more, err);
}

static void free_page(struct stim_instance *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		stim_instance_fini(&v[i]);
	free(v);
}

static int api_compute_instances_list(struct api_req *req, stim_error_t *err)
{
	cleanup_free char *base = api_base_url(req);
	const char *zone = api_path(req, "zone");
	struct stim_instance *v = NULL;
	size_t n = 0;
	bool more = false;
	json_t *items;
	json_t *j;

	if (list_page(req, zone, &v, &n, &more, err) < 0)
		return -1;
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, instance_json(req, &v[i]));
	j = json_pack("{s:s}", "kind", "compute#instanceList");
	json_object_set_new(
		j, "id",
		json_sprintf("projects/%s/zones/%s/instances", api_path(req, "project"), zone));
	json_object_set_new(j, "selfLink",
			    json_sprintf("%s/compute/v1/projects/%s/zones/%s/instances", base,
					 api_path(req, "project"), zone));
	if (n > 0)
		json_object_set_new(j, "items", items);
	else
		json_decref(items);
	if (more) {
		cleanup_free char *token = stim_page_token_encode(v[n - 1].name);

		json_object_set_new(j, "nextPageToken", json_string(token));
	}
	free_page(v, n);
	return api_reply_json(req, 200, j);
}

/* Grouped by "zones/Z"; a page token is "zone/name" of the last one. */
static int api_compute_instances_aggregated(struct api_req *req, stim_error_t *err)
{
	cleanup_free char *base = api_base_url(req);
	struct stim_instance *v = NULL;
	size_t n = 0;
	bool more = false;
	json_t *scopes;
	json_t *j;

	if (list_page(req, NULL, &v, &n, &more, err) < 0)
		return -1;
	scopes = json_object();
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *key = xasprintf("zones/%s", v[i].zone);
		json_t *group = json_object_get(scopes, key);

		if (group == NULL) {
			group = json_pack("{s:[]}", "instances");
			json_object_set_new(scopes, key, group);
		}
		json_array_append_new(json_object_get(group, "instances"),
				      instance_json(req, &v[i]));
	}
	j = json_pack("{s:s, s:o}", "kind", "compute#instanceAggregatedList", "items", scopes);
	json_object_set_new(
		j, "id",
		json_sprintf("projects/%s/aggregated/instances", api_path(req, "project")));
	json_object_set_new(j, "selfLink",
			    json_sprintf("%s/compute/v1/projects/%s/aggregated/instances", base,
					 api_path(req, "project")));
	if (more) {
		cleanup_free char *last = xasprintf("%s/%s", v[n - 1].zone, v[n - 1].name);
		cleanup_free char *token = stim_page_token_encode(last);

		json_object_set_new(j, "nextPageToken", json_string(token));
	}
	free_page(v, n);
	return api_reply_json(req, 200, j);
}

static int api_compute_instances_serial(struct api_req *req, stim_error_t *err)
{
	cleanup_free char *base = api_base_url(req);
	cleanup_free char *text = NULL;
	int64_t start = 0;
	int64_t next = 0;
	int64_t from;
	bool has_start = false;
	int port = 1;
	json_t *j;

	if (api_query_int(req, "port", 1, 4, &port, err) < 0 ||
	    api_query_int64(req, "start", &has_start, &start, err) < 0 ||
	    stim_instance_serial(req->ctx, api_path(req, "project"), api_path(req, "zone"),
				 api_path(req, "instance"), start, 1 << 20, &text, &next, err) < 0)
		return -1;
	/* Where the text really starts (a start past the end reads from the
	 * end). Ports 2 to 4 exist on GCE and stay empty unless a guest
	 * writes them; only port 1 is the console here. */
	from = next - (int64_t)strlen(text);
	if (port != 1) {
		text[0] = '\0';
		from = next = start;
	}
	j = json_pack("{s:s, s:s}", "kind", "compute#serialPortOutput", "contents", text);
	json_object_set_new(j, "start", json_sprintf("%lld", (long long)from));
	json_object_set_new(j, "next", json_sprintf("%lld", (long long)next));
	json_object_set_new(
		j, "selfLink",
		json_sprintf("%s/compute/v1/projects/%s/zones/%s/instances/%s/serialPort", base,
			     api_path(req, "project"), api_path(req, "zone"),
			     api_path(req, "instance")));
	return api_reply_json(req, 200, j);
}

const struct api_route api_compute_instance_routes[] = {
	{ "POST", "/compute/v1/projects/{project}/zones/{zone}/instances",
	  api_compute_instances_insert },
	{ "GET", "/compute/v1/projects/{project}/zones/{zone}/instances",
	  api_compute_instances_list },
	{ "GET", "/compute/v1/projects/{project}/zones/{zone}/instances/{instance}",
	  api_compute_instances_get },
	{ "DELETE", "/compute/v1/projects/{project}/zones/{zone}/instances/{instance}",
	  api_compute_instances_delete },
	{ "GET", "/compute/v1/projects/{project}/zones/{zone}/instances/{instance}/serialPort",
	  api_compute_instances_serial },
	{ "POST", "/compute/v1/projects/{project}/zones/{zone}/instances/{instance}/setMetadata",
	  api_compute_instances_set_metadata },
	{ "POST", "/compute/v1/projects/{project}/zones/{zone}/instances/{instance}/setLabels",
	  api_compute_instances_set_labels },
	{ "POST", "/compute/v1/projects/{project}/zones/{zone}/instances/{instance}/setTags",
	  api_compute_instances_set_tags },
	{ "POST", "/compute/v1/projects/{project}/zones/{zone}/instances/{instance}/setMachineType",
	  api_compute_instances_set_machine_type },
	{ "POST", "/compute/v1/projects/{project}/zones/{zone}/instances/{instance}/stop",
	  api_compute_instances_stop },
	{ "POST", "/compute/v1/projects/{project}/zones/{zone}/instances/{instance}/start",
	  api_compute_instances_start },
	{ "POST", "/compute/v1/projects/{project}/zones/{zone}/instances/{instance}/reset",
	  api_compute_instances_reset },
	{ "POST", "/compute/v1/projects/{project}/zones/{zone}/instances/{instance}/suspend",
	  api_compute_instances_suspend },
	{ "POST", "/compute/v1/projects/{project}/zones/{zone}/instances/{instance}/resume",
	  api_compute_instances_resume },
	{ "GET", "/compute/v1/projects/{project}/aggregated/instances",
	  api_compute_instances_aggregated },
};
const size_t api_compute_instance_routes_count = STIM_ARRAY_SIZE(api_compute_instance_routes);
