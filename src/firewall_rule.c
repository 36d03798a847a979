/* Firewall rules: GCE's shape and rules (see firewall_rule.h). */
#include "src/firewall_rule.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "src/cleanup.h"
#include "src/compute_catalog.h"
#include "src/ipv4.h"
#include "src/json.h"
#include "src/util.h"

#define LIST_MAX 5000

static const struct {
	const char *name;
	int number;
} named_protos[] = {
	{ "icmp", 1 }, { "tcp", 6 },	{ "udp", 17 }, { "esp", 50 },
	{ "ah", 51 },  { "sctp", 132 }, { "ipip", 4 }, { "all", -1 },
};

void stim_firewall_fini(struct stim_firewall *fw)
{
	free(fw->project);
	free(fw->name);
	free(fw->description);
	free(fw->network);
	for (size_t i = 0; i < fw->nprotos; i++)
		stim_strv_fini(&fw->protos[i].ports);
	free(fw->protos);
	stim_strv_fini(&fw->source_ranges);
	stim_strv_fini(&fw->destination_ranges);
	stim_strv_fini(&fw->source_tags);
	stim_strv_fini(&fw->target_tags);
	stim_strv_fini(&fw->source_sas);
	stim_strv_fini(&fw->target_sas);
	memset(fw, 0, sizeof(*fw));
}

static int invalid(stim_error_t *err, const char *field, const char *value, const char *why)
{
	return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
			       "Invalid value for field 'resource.%s': '%s'. %s", field, value,
			       why);
}

/* "tcp", "TCP", "6" -> the protocol; -2 when it is none. */
static int proto_number(const char *s, char name[8])
{
	char *end;
	long n;

	for (size_t i = 0; i < STIM_ARRAY_SIZE(named_protos); i++) {
		if (strcasecmp(s, named_protos[i].name) == 0) {
			snprintf(name, 8, "%s", named_protos[i].name);
			return named_protos[i].number;
		}
	}
	n = strtol(s, &end, 10);
	if (s[0] == '\0' || *end != '\0' || n < 0 || n > 255 || !isdigit((unsigned char)s[0]))
		return -2;
	snprintf(name, 8, "%ld", n);
	return (int)n;
}

/* "N" or "N-M", 0 <= N <= M <= 65535. */
static bool port_valid(const char *s)
{
	unsigned long lo;
	unsigned long hi;
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return false;
	lo = strtoul(s, &end, 10);
	hi = lo;
	if (*end == '-') {
		if (!isdigit((unsigned char)end[1]))
			return false;
		hi = strtoul(end + 1, &end, 10);
	}
	return *end == '\0' && lo <= hi && hi <= 65535;
}

static int protos_from_json(json_t *arr, const char *field, struct stim_firewall *fw,
			    stim_error_t *err)
{
	json_t *v;
	size_t i;

	json_array_foreach(arr, i, v)
	{
		static const char *const known[] = { "IPProtocol", "ports", NULL };
		char where[64];
		const char *proto = NULL;
		json_t *ports = json_object_get(v, "ports");
		struct stim_fw_proto *p;
		json_t *port;
		size_t k;

		snprintf(where, sizeof(where), "%s[%zu]", field, i);
		if (!json_is_object(v) || stim_json_check_fields(v, known, where, err) < 0 ||
		    stim_json_get_string(v, "IPProtocol", &proto, err) < 0)
			return json_is_object(v) ? -1
						 : invalid(err, where, "?", "Expected an object.");
		fw->protos = xrealloc(fw->protos, (fw->nprotos + 1) * sizeof(*fw->protos));
		p = &fw->protos[fw->nprotos++];
		memset(p, 0, sizeof(*p));
		snprintf(where, sizeof(where), "%s[%zu].IPProtocol", field, i);
		if (proto == NULL)
			return stim_err_reason(err, STIM_INVALID_ARGUMENT, "required",
					       "Required field 'resource.%s' not specified", where);
		p->number = proto_number(proto, p->name);
		if (p->number == -2)
			return invalid(err, where, proto, "Invalid IP protocol specification.");
		if (ports != NULL && !json_is_array(ports) && !json_is_null(ports))
			return invalid(err, where, proto, "ports must be a list.");
		snprintf(where, sizeof(where), "%s[%zu].ports", field, i);
		json_array_foreach(ports, k, port)
		{
			const char *s = json_string_value(port);

			if (s == NULL || !port_valid(s))
				return invalid(
					err, where, s != NULL ? s : "?",
					"Ports are numbers 0-65535 or ranges such as 8000-8080.");
			/* Only these protocols have ports (GCE refuses the rest). */
			if (p->number != 6 && p->number != 17 && p->number != 132)
				return invalid(err, where, s,
					       "Ports can only be given with tcp, udp or sctp.");
			stim_strv_push(&p->ports, s);
		}
	}
	return 0;
}

typedef bool (*item_check_fn)(const char *s);

static bool range_valid(const char *s)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_cidr c;
	uint32_t a;

	return stim_ipv4_parse(s, &a) == 0 || stim_cidr_parse(s, "x", &c, &err) == 0;
}

static bool tag_valid(const char *s)
{
	return stim_compute_name_valid(s);
}

/* Service accounts are emails: NAME@DOMAIN, no spaces. */
static bool email_valid(const char *s)
{
	const char *at = strchr(s, '@');

	return at != NULL && at != s && at[1] != '\0' && strchr(at + 1, '@') == NULL &&
	       strpbrk(s, " \t\n") == NULL && strlen(s) <= 320;
}

static int list_from_json(json_t *body, const char *field, item_check_fn ok, struct stim_strv *out,
			  stim_error_t *err)
{
	json_t *arr = json_object_get(body, field);
	json_t *v;
	size_t i;

	if (arr == NULL || json_is_null(arr))
		return 0;
	if (!json_is_array(arr) || json_array_size(arr) > LIST_MAX)
		return invalid(err, field, "?", "Expected a list.");
	json_array_foreach(arr, i, v)
	{
		const char *s = json_string_value(v);
		char where[64];

		snprintf(where, sizeof(where), "%s[%zu]", field, i);
		if (s == NULL || !ok(s))
			return invalid(err, where, s != NULL ? s : "?", "Not a valid value here.");
		stim_strv_push(out, s);
	}
	return 0;
}

static int combination_check(const struct stim_firewall *fw, stim_error_t *err)
{
	if (fw->egress && (fw->source_tags.n > 0 || fw->source_sas.n > 0))
		return stim_err_reason(
			err, STIM_INVALID_ARGUMENT, "invalid",
			"Invalid value for field 'resource.sourceTags': EGRESS rules "
			"cannot have source tags or source service accounts.");
	if (fw->source_tags.n > 0 && fw->source_sas.n > 0)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
				       "Source tags cannot be used together with source service "
				       "accounts.");
	if (fw->target_tags.n > 0 && fw->target_sas.n > 0)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
				       "Target tags cannot be used together with target service "
				       "accounts.");
	if (fw->source_sas.n > 0 && fw->target_tags.n > 0)
		return stim_err_reason(
			err, STIM_INVALID_ARGUMENT, "invalid",
			"Source service accounts cannot be used together with target "
			"tags.");
	return 0;
}

int stim_firewall_from_json(json_t *body, struct stim_firewall *out, stim_error_t *err)
{
	static const char *const known[] = {
		"kind",
		"id",
		"creationTimestamp",
		"selfLink",
		"name",
		"description",
		"network",
		"priority",
		"direction",
		"allowed",
		"denied",
		"sourceRanges",
		"destinationRanges",
		"sourceTags",
		"targetTags",
		"sourceServiceAccounts",
		"targetServiceAccounts",
		"disabled",
		"logConfig",
		NULL,
	};
	const char *name = NULL;
	const char *description = NULL;
	const char *network = NULL;
	const char *direction = "INGRESS";
	json_t *allowed = json_object_get(body, "allowed");
	json_t *denied = json_object_get(body, "denied");
	json_t *log = NULL;
	int64_t priority = STIM_FIREWALL_PRIORITY_DEFAULT;
	int disabled = 0;
	int log_enable = 0;

	if (stim_json_check_fields(body, known, "", err) < 0 ||
	    stim_json_get_string(body, "name", &name, err) < 0 ||
	    stim_json_get_string(body, "description", &description, err) < 0 ||
	    stim_json_get_string(body, "network", &network, err) < 0 ||
	    stim_json_get_string(body, "direction", &direction, err) < 0 ||
	    stim_json_get_int64(body, "priority", &priority, err) < 0 ||
	    stim_json_get_bool(body, "disabled", &disabled, err) < 0 ||
	    stim_json_get_object(body, "logConfig", &log, err) < 0 ||
	    (log != NULL && stim_json_get_bool(log, "enable", &log_enable, err) < 0))
		return -1;
	if (name == NULL)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "required",
				       "Required field 'resource.name' not specified");
	if (stim_compute_name_check(name, err) < 0)
		return -1;
	out->name = xstrdup(name);
	out->description = description != NULL ? xstrdup(description) : NULL;
	out->network = xstrdup(network != NULL ? stim_path_basename(network) : "default");
	if (priority < 0 || priority > 65535) {
		char p[24];

		snprintf(p, sizeof(p), "%lld", (long long)priority);
		return invalid(err, "priority", p, "Must be between 0 and 65535.");
	}
	out->priority = (int)priority;
	if (strcmp(direction, "INGRESS") != 0 && strcmp(direction, "EGRESS") != 0)
		return invalid(err, "direction", direction, "Must be INGRESS or EGRESS.");
	out->egress = strcmp(direction, "EGRESS") == 0;
	out->disabled = disabled == 1;
	out->log = log_enable == 1;
	if ((allowed != NULL && !json_is_array(allowed)) ||
	    (denied != NULL && !json_is_array(denied)))
		return invalid(err, "allowed", "?", "Expected a list.");
	if ((json_array_size(allowed) > 0) == (json_array_size(denied) > 0))
		return stim_err_reason(
			err, STIM_INVALID_ARGUMENT, "invalid",
			"Exactly one of 'allowed' or 'denied' must be given, with at "
			"least one protocol.");
	out->deny = json_array_size(denied) > 0;
	if (protos_from_json(out->deny ? denied : allowed, out->deny ? "denied" : "allowed", out,
			     err) < 0 ||
	    list_from_json(body, "sourceRanges", range_valid, &out->source_ranges, err) < 0 ||
	    list_from_json(body, "destinationRanges", range_valid, &out->destination_ranges, err) <
		    0 ||
	    list_from_json(body, "sourceTags", tag_valid, &out->source_tags, err) < 0 ||
	    list_from_json(body, "targetTags", tag_valid, &out->target_tags, err) < 0 ||
	    list_from_json(body, "sourceServiceAccounts", email_valid, &out->source_sas, err) < 0 ||
	    list_from_json(body, "targetServiceAccounts", email_valid, &out->target_sas, err) < 0 ||
	    combination_check(out, err) < 0)
		return -1;
	/* GCE's defaults: an ingress rule with no source is from anywhere,
	 * an egress rule with no destination to anywhere. */
	if (!out->egress && out->source_ranges.n == 0 && out->source_tags.n == 0 &&
	    out->source_sas.n == 0)
		stim_strv_push(&out->source_ranges, "0.0.0.0/0");
	if (out->egress && out->destination_ranges.n == 0)
		stim_strv_push(&out->destination_ranges, "0.0.0.0/0");
	return 0;
}

static void put_list(json_t *j, const char *key, const struct stim_strv *l)
{
	json_t *arr;

	if (l->n == 0)
		return;
	arr = json_array();
	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(arr, json_string(l->v[i]));
	json_object_set_new(j, key, arr);
}

json_t *stim_firewall_rule_json(const struct stim_firewall *fw)
{
	json_t *protos = json_array();
	json_t *j = json_pack("{s:s, s:s, s:i, s:s, s:b, s:{s:b}}", "name", fw->name, "network",
			      fw->network, "priority", fw->priority, "direction",
			      fw->egress ? "EGRESS" : "INGRESS", "disabled", fw->disabled,
			      "logConfig", "enable", fw->log);

	if (fw->description != NULL)
		json_object_set_new(j, "description", json_string(fw->description));
	for (size_t i = 0; i < fw->nprotos; i++) {
		json_t *p = json_pack("{s:s}", "IPProtocol", fw->protos[i].name);

		put_list(p, "ports", &fw->protos[i].ports);
		json_array_append_new(protos, p);
	}
	json_object_set_new(j, fw->deny ? "denied" : "allowed", protos);
	put_list(j, "sourceRanges", &fw->source_ranges);
	put_list(j, "destinationRanges", &fw->destination_ranges);
	put_list(j, "sourceTags", &fw->source_tags);
	put_list(j, "targetTags", &fw->target_tags);
	put_list(j, "sourceServiceAccounts", &fw->source_sas);
	put_list(j, "targetServiceAccounts", &fw->target_sas);
	return j;
}
