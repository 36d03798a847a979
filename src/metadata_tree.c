/* What an instance reads from its metadata server (see metadata_tree.h). */
#include "src/metadata_tree.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/util.h"

static json_t *attributes(const struct stim_labels *l)
{
	return l != NULL ? stim_labels_to_json(l) : json_object();
}

static json_t *ip_json(uint32_t addr)
{
	char buf[STIM_IPV4_BUFSZ];

	return json_string(stim_ipv4_format(addr, buf));
}

static json_t *nics(const struct stim_mds_view *v)
{
	const struct stim_instance *in = v->in;
	uint32_t mask = v->range.prefix == 0 ? 0 : UINT32_MAX << (32 - v->range.prefix);

	if (in->nic.network == NULL)
		return json_array();
	return json_pack("[{s:o, s:o, s:o, s:o, s:i, s:[], s:[], s:[]}]", "ip", ip_json(in->nic.ip),
			 "gateway", ip_json(stim_cidr_gateway(&v->range)), "subnetmask",
			 ip_json(mask), "network",
			 json_sprintf("projects/%lld/networks/%s", (long long)v->project_number,
				      in->nic.network),
			 "mtu", v->mtu, "accessConfigs", "ipAliases", "forwardedIps");
}

/* The account twice, as GCE lists it: as "default" and by its email. */
static json_t *service_accounts(const struct stim_instance *in)
{
	json_t *scopes = json_array();
	json_t *all = json_object();
	char *copy;
	char *save = NULL;

	if (in->service_account == NULL)
		return all;
	copy = xstrdup(in->scopes != NULL ? in->scopes : "");
	for (char *s = strtok_r(copy, " ", &save); s != NULL; s = strtok_r(NULL, " ", &save))
		json_array_append_new(scopes, json_string(s));
	free(copy);
	for (int i = 0; i < 2; i++)
		json_object_set_new(all, i == 0 ? "default" : in->service_account,
				    json_pack("{s:[s,s], s:s, s:O, s:n, s:n}", "aliases", "default",
					      in->service_account, "email", in->service_account,
					      "scopes", scopes, "token", "identity"));
	json_decref(scopes);
	return all;
}

json_t *stim_mds_tree(const struct stim_mds_view *v)
{
	const struct stim_instance *in = v->in;
	json_t *tags = json_array();
	json_t *inst;

	for (size_t i = 0; i < in->tags.n; i++)
		json_array_append_new(tags, json_string(in->tags.v[i]));
	inst = json_pack(
		"{s:o, s:s, s:s, s:o, s:I, s:o, s:o, s:s, s:o, s:o, s:o, s:o}", "attributes",
		attributes(&in->metadata), "cpuPlatform", "Intel Cascade Lake", "description",
		in->description != NULL ? in->description : "", "hostname",
		json_sprintf("%s.%s.c.%s.internal", in->name, in->zone, v->project), "id",
		(json_int_t)in->id, "image",
		json_sprintf("projects/%s/global/images/%s", v->project, in->image), "machineType",
		json_sprintf("projects/%lld/machineTypes/%s", (long long)v->project_number,
			     in->machine_type),
		"name", in->name, "networkInterfaces", nics(v), "serviceAccounts",
		service_accounts(in), "tags", tags, "zone",
		json_sprintf("projects/%lld/zones/%s", (long long)v->project_number, in->zone));
	return json_pack("{s:o, s:{s:o, s:I, s:s}}", "instance", inst, "project", "attributes",
			 attributes(v->project_attrs), "numericProjectId",
			 (json_int_t)v->project_number, "projectId", v->project);
}

/* "machine-type" -> "machineType", and back. */
static char *camel(const char *seg)
{
	char *out = xmalloc(strlen(seg) + 1);
	char *p = out;

	for (; *seg != '\0'; seg++) {
		if (*seg == '-' && seg[1] != '\0')
			*p++ = (char)toupper((unsigned char)*++seg);
		else
			*p++ = *seg;
	}
	*p = '\0';
	return out;
}

static char *hyphen(const char *key)
{
	char *out = xmalloc(2 * strlen(key) + 1);
	char *p = out;

	for (; *key != '\0'; key++) {
		if (isupper((unsigned char)*key)) {
			*p++ = '-';
			*p++ = (char)tolower((unsigned char)*key);
		} else {
			*p++ = *key;
		}
	}
	*p = '\0';
	return out;
}

/* Whether a node lists (a directory) rather than answers (a leaf). */
static bool is_dir(const json_t *j)
{
	return json_is_object(j) ||
	       (json_is_array(j) && json_array_size(j) > 0 && json_is_object(json_array_get(j, 0)));
}

/* Below these, keys are the user's: never hyphenated or camelCased. */
static bool literal_keys(const char *key)
{
	return strcmp(key, "attributes") == 0 || strcmp(key, "serviceAccounts") == 0;
}

/* One line of a listing: the name, "/" after a directory. */
static void list_line(char **out, size_t *len, const char *name, bool dir)
{
	size_t n = strlen(name) + (dir ? 2 : 1);

	*out = xrealloc(*out, *len + n + 1);
	*len += (size_t)sprintf(*out + *len, "%s%s\n", name, dir ? "/" : "");
}

static char *listing(json_t *dir, bool literal)
{
	char *out = xstrdup("");
	size_t len = 0;
	const char *key;
	json_t *v;
	size_t i;

	if (json_is_array(dir)) {
		json_array_foreach(dir, i, v)
		{
			char num[24];

			snprintf(num, sizeof(num), "%zu", i);
			list_line(&out, &len, num, true);
		}
		return out;
	}
	json_object_foreach(dir, key, v)
	{
		cleanup_free char *name = literal ? xstrdup(key) : hyphen(key);

		list_line(&out, &len, name, is_dir(v));
	}
	return out;
}

/* The subtree without the server's own leaves (token, identity). */
static json_t *without_dynamic(json_t *j)
{
	json_t *copy = json_deep_copy(j);
	const char *key;
	json_t *v;
	void *tmp;
	size_t i;

	if (json_is_object(copy)) {
		json_object_foreach_safe(copy, tmp, key, v)
		{
			if (json_is_null(v))
				json_object_del(copy, key);
			else
				json_object_set_new(copy, key, without_dynamic(v));
		}
	} else if (json_is_array(copy)) {
		json_array_foreach(copy, i, v)
		{
			json_array_set_new(copy, i, without_dynamic(v));
		}
	}
	return copy;
}

static char *leaf_text(json_t *j, const char *key)
{
	if (json_is_string(j))
		return xstrdup(json_string_value(j));
	if (json_is_integer(j))
		return xasprintf("%lld", (long long)json_integer_value(j));
	/* Scopes and aliases one per line; other lists (tags) as JSON. */
	if (json_is_array(j) && (strcmp(key, "scopes") == 0 || strcmp(key, "aliases") == 0)) {
		size_t i;
		json_t *v;
		char *out = xstrdup("");

		json_array_foreach(j, i, v)
		{
			char *next = xasprintf("%s%s\n", out, json_string_value(v));

			free(out);
			out = next;
		}
		return out;
	}
	return json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
}

void stim_mds_resolve(json_t *tree, const char *path, bool recursive, const char *alt,
		      struct stim_mds_answer *out)
{
	cleanup_free char *copy = xstrdup(path);
	json_t *node = tree;
	const char *key = ""; /* the node's key as stored (the tree's) */
	bool literal = false; /* the node's children have the user's keys */
	char *save = NULL;

	out->kind = STIM_MDS_MISSING;
	out->body = NULL;
	for (char *seg = strtok_r(copy, "/", &save); seg != NULL;
	     seg = strtok_r(NULL, "/", &save)) {
		json_t *next = NULL;

		if (json_is_object(node)) {
			cleanup_free char *k = literal ? xstrdup(seg) : camel(seg);

			next = json_object_get(node, k);
			if (next != NULL)
				key = json_object_iter_key(json_object_iter_at(node, k));
		} else if (is_dir(node)) {
			char *end;
			unsigned long i = strtoul(seg, &end, 10);

			if (*end == '\0' && isdigit((unsigned char)*seg))
				next = json_array_get(node, i);
			key = "";
		}
		if (next == NULL)
			return;
		/* attributes/KEY and service-accounts/EMAIL are the user's;
		 * what lies below an account is GCE's again. */
		literal = !literal && literal_keys(key);
		node = next;
	}
	if (json_is_null(node)) {
		out->kind = STIM_MDS_DYNAMIC;
		out->body = xstrdup(key);
	} else if (is_dir(node) && recursive) {
		json_t *j = without_dynamic(node);

		out->kind = STIM_MDS_JSON;
		out->body = json_dumps(j, JSON_COMPACT);
		json_decref(j);
	} else if (is_dir(node)) {
		out->kind = STIM_MDS_TEXT;
		out->body = listing(node, literal);
	} else if (alt != NULL && strcmp(alt, "json") == 0) {
		out->kind = STIM_MDS_JSON;
		out->body = json_dumps(node, JSON_COMPACT | JSON_ENCODE_ANY);
	} else {
		out->kind = STIM_MDS_TEXT;
		out->body = leaf_text(node, key);
	}
}
