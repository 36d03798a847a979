/* Cloud Storage buckets and bucket IAM policies <-> JSON (see storage.h). */
#include "api/storage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/iam_policy_json.h"
#include "src/bucket_rules.h"
#include "src/cleanup.h"
#include "src/json.h"
#include "src/util.h"

/* Real bucket fields the emulator does not model. They are refused by
 * name, so a caller learns what is missing instead of "Unknown name". */
#define UNSUPPORTED_FIELDS                                                                         \
	"acl", "defaultObjectAcl", "cors", "website", "logging", "billing", "encryption",          \
		"retentionPolicy", "autoclass", "customPlacementConfig", "objectRetention",        \
		"ipFilter"

static const char *const unsupported_fields[] = { UNSUPPORTED_FIELDS, NULL };

static const char *const bucket_fields[] = {
	/* What a caller may set. */
	"name", "location", "storageClass", "labels", "versioning", "lifecycle", "iamConfiguration",
	"defaultEventBasedHold", "rpo", "softDeletePolicy", "hierarchicalNamespace",
	/* Output only, accepted and ignored as Google does, so a client may
	 * send back what it read. */
	"kind", "id", "selfLink", "projectNumber", "generation", "metageneration", "etag",
	"timeCreated", "updated", "locationType", "satisfiesPZS", "satisfiesPZI", "owner",
	UNSUPPORTED_FIELDS, NULL
};

/* The condition names of src/bucket_lifecycle.h's tables, plus isLive; the
 * unit tests round-trip each one. */
static const char *const condition_fields[] = {
	"age",		 "daysSinceCustomTime", "daysSinceNoncurrentTime", "numNewerVersions",
	"createdBefore", "customTimeBefore",	"noncurrentTimeBefore",	   "isLive",
	"matchesPrefix", "matchesSuffix",	"matchesStorageClass",	   NULL
};

static const char *const access_fields[] = { "enabled", "lockedTime", NULL };

/* Reading */

/* A boolean member: absent leaves *has alone; null reads as false (JSON
 * merge: null clears); anything but a boolean is refused. */
static int get_bool(json_t *obj, const char *key, bool *has, bool *out, stim_error_t *err)
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL)
		return 0;
	if (!json_is_null(v) && !json_is_boolean(v))
		return stim_err(err, STIM_INVALID_ARGUMENT, "Invalid value at '%s' (TYPE_BOOL)",
				key);
	*has = true;
	*out = json_is_true(v);
	return 0;
}

/* Whether obj has key with a value other than null. */
static bool present(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return v != NULL && !json_is_null(v);
}

static int check_unsupported(json_t *body, stim_error_t *err)
{
	for (size_t i = 0; unsupported_fields[i] != NULL; i++) {
		if (present(body, unsupported_fields[i]))
			return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
					       "The bucket field '%s' is not supported by GCP "
					       "Stimulator.",
					       unsupported_fields[i]);
	}
	return 0;
}

static int parse_labels(json_t *body, struct stim_bucket_spec *spec, stim_error_t *err)
{
	json_t *labels = json_object_get(body, "labels");
	const char *key;
	json_t *value;

	if (labels == NULL)
		return 0;
	if (json_is_null(labels)) {
		spec->labels_clear = true;
		return 0;
	}
	if (!json_is_object(labels))
		return stim_err(err, STIM_INVALID_ARGUMENT,
				"Invalid value at 'labels' (map<string, string>)");
	json_object_foreach(labels, key, value)
	{
		/* A patch removes a label by setting it to null. */
		if (json_is_null(value)) {
			stim_strv_push(&spec->labels_removed, key);
			continue;
		}
		if (!json_is_string(value))
			return stim_err(err, STIM_INVALID_ARGUMENT,
					"Invalid value at 'labels[%s]' (TYPE_STRING)", key);
		if (stim_label_key_check(key, err) < 0 ||
		    stim_label_value_check(key, json_string_value(value), err) < 0)
			return -1;
		stim_labels_set(&spec->labels, key, json_string_value(value));
	}
	return 0;
}

static int parse_condition(json_t *cond, const char *where, struct stim_lifecycle_rule *r,
			   stim_error_t *err)
{
	bool has_live = false;
	bool live = false;

	if (stim_json_check_fields(cond, condition_fields, where, err) < 0)
		return -1;
	for (int k = 0; k < STIM_LC_NUMS; k++) {
		int64_t n = 0;

		if (stim_json_get_int64(cond, stim_lc_num_names[k], &n, err) < 0)
			return -1;
		if (!present(cond, stim_lc_num_names[k]))
			continue;
		/* The struct keeps -1 for "absent": refuse negatives here,
		 * where they can still be told apart. */
		if (n < 0)
			return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
					       "Invalid value at '%s.%s': it cannot be negative.",
					       where, stim_lc_num_names[k]);
		r->num[k] = n;
	}
	for (int k = 0; k < STIM_LC_DATES; k++) {
		const char *s = NULL;

		if (stim_json_get_string(cond, stim_lc_date_names[k], &s, err) < 0)
			return -1;
		r->date[k] = xstrdup_or_null(s);
	}
	if (get_bool(cond, "isLive", &has_live, &live, err) < 0)
		return -1;
	if (has_live)
		r->is_live = live;
	for (int k = 0; k < STIM_LC_LISTS; k++) {
		if (stim_json_get_strv(cond, stim_lc_list_names[k], false, &r->list[k], err) < 0)
			return -1;
	}
	return 0;
}

static int parse_rule(json_t *rule, size_t i, struct stim_lifecycle *l, stim_error_t *err)
{
	static const char *const rule_fields[] = { "action", "condition", NULL };
	static const char *const action_fields[] = { "type", "storageClass", NULL };
	json_t *action = NULL;
	json_t *cond = NULL;
	const char *type = NULL;
	const char *storage_class = NULL;
	enum stim_lifecycle_action a;
	struct stim_lifecycle_rule *r;
	char where[64];

	snprintf(where, sizeof(where), "lifecycle.rule[%zu]", i);
	if (!json_is_object(rule))
		return stim_err(err, STIM_INVALID_ARGUMENT, "Invalid value at '%s' (TYPE_MESSAGE)",
				where);
	if (stim_json_check_fields(rule, rule_fields, where, err) < 0 ||
	    stim_json_get_object(rule, "action", &action, err) < 0 ||
	    stim_json_get_object(rule, "condition", &cond, err) < 0)
		return -1;
	if (action == NULL)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "required",
				       "Required field: %s.action.", where);
	snprintf(where, sizeof(where), "lifecycle.rule[%zu].action", i);
	if (stim_json_check_fields(action, action_fields, where, err) < 0 ||
	    stim_json_get_string(action, "type", &type, err) < 0 ||
	    stim_json_get_string(action, "storageClass", &storage_class, err) < 0)
		return -1;
	if (type == NULL)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "required",
				       "Required field: %s.type.", where);
	if (stim_lifecycle_action_parse(type, &a, err) < 0)
		return -1;
	r = stim_lifecycle_add(l, a);
	r->storage_class = xstrdup_or_null(storage_class);
	snprintf(where, sizeof(where), "lifecycle.rule[%zu].condition", i);
	return cond != NULL ? parse_condition(cond, where, r, err) : 0;
}

static int parse_lifecycle(json_t *body, struct stim_bucket_spec *spec, stim_error_t *err)
{
	static const char *const fields[] = { "rule", NULL };
	json_t *lc = json_object_get(body, "lifecycle");
	json_t *rules;
	json_t *rule;
	size_t i;

	if (lc == NULL)
		return 0;
	spec->has_lifecycle = true;
	/* null (or no rule list) removes every rule. */
	if (json_is_null(lc))
		return 0;
	if (stim_json_get_object(body, "lifecycle", &lc, err) < 0 ||
	    stim_json_check_fields(lc, fields, "lifecycle", err) < 0)
		return -1;
	rules = json_object_get(lc, "rule");
	if (rules == NULL || json_is_null(rules))
		return 0;
	if (!json_is_array(rules))
		return stim_err(err, STIM_INVALID_ARGUMENT,
				"Invalid value at 'lifecycle.rule' (a list of rules)");
	json_array_foreach(rules, i, rule)
	{
		if (parse_rule(rule, i, &spec->lifecycle, err) < 0)
			return -1;
	}
	return 0;
}

/* uniformBucketLevelAccess and its older name bucketPolicyOnly are one
 * setting; a body may carry either or both, but not disagreeing. */
static int parse_iam_configuration(json_t *body, struct stim_bucket_spec *spec, stim_error_t *err)
{
	static const char *const fields[] = { "uniformBucketLevelAccess", "bucketPolicyOnly",
					      "publicAccessPrevention", NULL };
	json_t *iam = NULL;
	json_t *uniform = NULL;
	json_t *bpo = NULL;
	bool has_bpo = false;
	bool bpo_on = false;

	if (stim_json_get_object(body, "iamConfiguration", &iam, err) < 0)
		return -1;
	if (iam == NULL)
		return 0;
	if (stim_json_check_fields(iam, fields, "iamConfiguration", err) < 0 ||
	    stim_json_get_string(iam, "publicAccessPrevention", &spec->public_access_prevention,
				 err) < 0 ||
	    stim_json_get_object(iam, "uniformBucketLevelAccess", &uniform, err) < 0 ||
	    stim_json_get_object(iam, "bucketPolicyOnly", &bpo, err) < 0)
		return -1;
	if (uniform != NULL &&
	    (stim_json_check_fields(uniform, access_fields,
				    "iamConfiguration.uniformBucketLevelAccess", err) < 0 ||
	     get_bool(uniform, "enabled", &spec->has_uniform_access, &spec->uniform_access, err) <
		     0))
		return -1;
	if (bpo != NULL && (stim_json_check_fields(bpo, access_fields,
						   "iamConfiguration.bucketPolicyOnly", err) < 0 ||
			    get_bool(bpo, "enabled", &has_bpo, &bpo_on, err) < 0))
		return -1;
	if (has_bpo && spec->has_uniform_access && bpo_on != spec->uniform_access)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
				       "iamConfiguration: uniformBucketLevelAccess and "
				       "bucketPolicyOnly disagree.");
	if (has_bpo && !spec->has_uniform_access) {
		spec->has_uniform_access = true;
		spec->uniform_access = bpo_on;
	}
	return 0;
}

/* versioning, softDeletePolicy and hierarchicalNamespace: one-field objects. */
static int parse_small_objects(json_t *body, struct stim_bucket_spec *spec, stim_error_t *err)
{
	static const char *const versioning_fields[] = { "enabled", NULL };
	static const char *const soft_delete_fields[] = { "retentionDurationSeconds",
							  "effectiveTime", NULL };
	json_t *versioning = json_object_get(body, "versioning");
	json_t *soft = NULL;
	json_t *hns = NULL;
	bool has_hns = false;
	bool hns_on = false;

	/* versioning: null turns it off. */
	if (versioning != NULL && json_is_null(versioning)) {
		spec->has_versioning = true;
		spec->versioning = false;
	} else if (stim_json_get_object(body, "versioning", &versioning, err) < 0 ||
		   (versioning != NULL &&
		    (stim_json_check_fields(versioning, versioning_fields, "versioning", err) < 0 ||
		     get_bool(versioning, "enabled", &spec->has_versioning, &spec->versioning,
			      err) < 0))) {
		return -1;
	}
	if (stim_json_get_object(body, "softDeletePolicy", &soft, err) < 0 ||
	    stim_json_get_object(body, "hierarchicalNamespace", &hns, err) < 0)
		return -1;
	if (soft != NULL) {
		if (stim_json_check_fields(soft, soft_delete_fields, "softDeletePolicy", err) < 0 ||
		    stim_json_get_int64(soft, "retentionDurationSeconds",
					&spec->soft_delete_seconds, err) < 0)
			return -1;
		spec->has_soft_delete = present(soft, "retentionDurationSeconds");
	}
	if (hns != NULL &&
	    (stim_json_check_fields(hns, versioning_fields, "hierarchicalNamespace", err) < 0 ||
	     get_bool(hns, "enabled", &has_hns, &hns_on, err) < 0))
		return -1;
	if (hns_on)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
				       "Hierarchical namespace buckets are not supported by GCP "
				       "Stimulator.");
	return 0;
}

int api_storage_bucket_spec_from_json(json_t *body, bool patch, struct stim_bucket_spec *spec,
				      stim_error_t *err)
{
	memset(spec, 0, sizeof(*spec));
	if (check_unsupported(body, err) < 0 ||
	    stim_json_check_fields(body, bucket_fields, "", err) < 0 ||
	    stim_json_get_string(body, "name", &spec->name, err) < 0 ||
	    stim_json_get_string(body, "location", &spec->location, err) < 0 ||
	    stim_json_get_string(body, "storageClass", &spec->storage_class, err) < 0 ||
	    stim_json_get_string(body, "rpo", &spec->rpo, err) < 0 ||
	    get_bool(body, "defaultEventBasedHold", &spec->has_default_event_based_hold,
		     &spec->default_event_based_hold, err) < 0 ||
	    parse_small_objects(body, spec, err) < 0 ||
	    parse_iam_configuration(body, spec, err) < 0 || parse_labels(body, spec, err) < 0 ||
	    parse_lifecycle(body, spec, err) < 0) {
		stim_bucket_spec_fini(spec);
		return -1;
	}
	/* Outside a patch there is nothing to remove from: a label set to
	 * null is just not there. */
	if (!patch) {
		stim_strv_fini(&spec->labels_removed);
		spec->labels_clear = false;
	}
	return 0;
}

/* Writing */

static json_t *int64_string(int64_t v)
{
	char buf[24];

	/* int64 fields travel as strings in Google's JSON. */
	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	return json_string(buf);
}

static json_t *time_string(int64_t ms)
{
	char ts[STIM_TIME_BUFSZ];

	return json_string(stim_time_format(ms, ts));
}

static json_t *rule_to_json(const struct stim_lifecycle_rule *r)
{
	json_t *action = json_pack("{s:s}", "type", stim_lifecycle_action_name(r->action));
	json_t *cond = json_object();

	if (r->storage_class != NULL)
		json_object_set_new(action, "storageClass", json_string(r->storage_class));
	for (int k = 0; k < STIM_LC_NUMS; k++) {
		if (r->num[k] >= 0)
			json_object_set_new(cond, stim_lc_num_names[k], json_integer(r->num[k]));
	}
	for (int k = 0; k < STIM_LC_DATES; k++) {
		if (r->date[k] != NULL)
			json_object_set_new(cond, stim_lc_date_names[k], json_string(r->date[k]));
	}
	if (r->is_live >= 0)
		json_object_set_new(cond, "isLive", json_boolean(r->is_live));
	for (int k = 0; k < STIM_LC_LISTS; k++) {
		if (r->list[k].n > 0)
			json_object_set_new(cond, stim_lc_list_names[k],
					    stim_json_from_strv(&r->list[k]));
	}
	return json_pack("{s:o, s:o}", "action", action, "condition", cond);
}

/* uniformBucketLevelAccess, and its mirror bucketPolicyOnly. */
static json_t *access_to_json(const struct stim_bucket *b)
{
	json_t *j = json_pack("{s:b}", "enabled", b->uniform_access);

	if (b->uniform_access)
		json_object_set_new(j, "lockedTime",
				    time_string(b->uniform_access_time_ms + 90LL * 86400 * 1000));
	return j;
}

json_t *api_storage_bucket_to_json(const struct stim_bucket *b, const char *base_url)
{
	cleanup_free char *self = xasprintf("%s/storage/v1/b/%s", base_url, b->name);
	cleanup_free char *etag = stim_bucket_etag(b);
	json_t *j = json_object();

	json_object_set_new(j, "kind", json_string("storage#bucket"));
	json_object_set_new(j, "selfLink", json_string(self));
	json_object_set_new(j, "id", json_string(b->name));
	json_object_set_new(j, "name", json_string(b->name));
	json_object_set_new(j, "projectNumber", int64_string(b->project_number));
	json_object_set_new(j, "generation", int64_string(b->generation));
	json_object_set_new(j, "metageneration", int64_string(b->metageneration));
	json_object_set_new(j, "location", json_string(b->location));
	json_object_set_new(j, "locationType", json_string(stim_bucket_location_type(b->location)));
	json_object_set_new(j, "storageClass", json_string(b->storage_class));
	json_object_set_new(j, "etag", json_string(etag));
	json_object_set_new(j, "timeCreated", time_string(b->create_time_ms));
	json_object_set_new(j, "updated", time_string(b->update_time_ms));
	json_object_set_new(j, "rpo", json_string(b->rpo));
	json_object_set_new(j, "versioning", json_pack("{s:b}", "enabled", b->versioning));
	json_object_set_new(j, "defaultEventBasedHold", json_boolean(b->default_event_based_hold));
	if (b->labels.n > 0)
		json_object_set_new(j, "labels", stim_labels_to_json(&b->labels));
	if (b->lifecycle.n > 0) {
		json_t *rules = json_array();

		for (size_t i = 0; i < b->lifecycle.n; i++)
			json_array_append_new(rules, rule_to_json(&b->lifecycle.rules[i]));
		json_object_set_new(j, "lifecycle", json_pack("{s:o}", "rule", rules));
	}
	json_object_set_new(j, "iamConfiguration",
			    json_pack("{s:o, s:o, s:s}", "bucketPolicyOnly", access_to_json(b),
				      "uniformBucketLevelAccess", access_to_json(b),
				      "publicAccessPrevention", b->public_access_prevention));
	json_object_set_new(j, "softDeletePolicy",
			    json_pack("{s:o, s:o}", "retentionDurationSeconds",
				      int64_string(b->soft_delete_seconds), "effectiveTime",
				      time_string(b->soft_delete_time_ms)));
	json_object_set_new(j, "hierarchicalNamespace", json_pack("{s:b}", "enabled", 0));
	return j;
}

json_t *api_storage_layout_to_json(const struct stim_bucket *b)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:{s:b}}", "kind", "storage#storageLayout", "bucket",
			 b->name, "location", b->location, "locationType",
			 stim_bucket_location_type(b->location), "hierarchicalNamespace", "enabled",
			 0);
}

/* IAM policies: IAM's shape (api/iam_policy_json.h) with Cloud Storage's
 * kind and resourceId. */

json_t *api_storage_policy_to_json(const char *bucket, const struct stim_iam_policy *p)
{
	json_t *j = api_iam_policy_to_json(p);

	json_object_set_new(j, "kind", json_string("storage#policy"));
	json_object_set_new(j, "resourceId", json_sprintf("projects/_/buckets/%s", bucket));
	return j;
}

int api_storage_policy_from_json(json_t *body, struct stim_iam_policy *p, stim_error_t *err)
{
	static const char *const fields[] = { "bindings", "etag",	"version",
					      "kind",	  "resourceId", NULL };

	return api_iam_policy_from_json(body, fields, p, err);
}
