#pragma once
/*
 * What an instance reads from its metadata server (pure, unit-tested):
 * one JSON tree in GCE's recursive form ({"instance": {...}, "project":
 * {...}}, camelCase keys), and the walk that answers a request path the
 * way metadata.google.internal does:
 *   - path segments are hyphenated (machine-type, network-interfaces/0/ip)
 *     except below attributes/ and service-accounts/, whose keys are
 *     the user's (startup-script, an account's email);
 *   - a directory lists its entries one per line, sub-directories with a
 *     trailing "/"; with recursive=true it is the JSON of the subtree;
 *   - a leaf is its text (tags as JSON, scopes one per line), or its JSON
 *     with alt=json;
 *   - token and identity are answered by the server (null in the tree:
 *     listed, left out of recursive JSON).
 */

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "src/instances.h"
#include "src/ipv4.h"
#include "src/labels.h"

struct stim_mds_view {
	const struct stim_instance *in;
	const char *project;
	int64_t project_number;
	const struct stim_labels *project_attrs;
	struct stim_cidr range; /* the instance's subnet */
	int mtu;
};

json_t *stim_mds_tree(const struct stim_mds_view *v);

enum stim_mds_kind {
	STIM_MDS_TEXT,	  /* body is text/plain */
	STIM_MDS_JSON,	  /* body is application/json */
	STIM_MDS_DYNAMIC, /* a leaf the server makes: body is its name */
	STIM_MDS_MISSING, /* 404 */
};

struct stim_mds_answer {
	enum stim_mds_kind kind;
	char *body; /* the caller's */
};

/* path is what follows /computeMetadata/v1/ ("" is the root). alt is
 * "json", "text" or NULL (the default for the node). */
void stim_mds_resolve(json_t *tree, const char *path, bool recursive, const char *alt,
		      struct stim_mds_answer *out);
