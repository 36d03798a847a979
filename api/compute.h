#pragma once
/*
 * Compute Engine v1 (/compute/v1/projects/{project}/...), as gcloud calls
 * it (reference/gcloud/compute.md), one file per resource: the catalog
 * (zones, regions, machine types; api/compute_catalog.c), operations
 * (zonal, regional, global; api/compute_operations.c), the project
 * with its common instance metadata (api/compute_projects.c), images
 * (api/compute_images.c), instances (api/compute_instances.c), networks
 * and subnetworks (api/compute_networks.c), firewall rules
 * (api/compute_firewalls.c), static addresses (api/compute_addresses.c).
 */

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "api/request.h"
#include "api/router.h"
#include "src/labels.h"

extern const struct api_route api_compute_catalog_routes[];
extern const size_t api_compute_catalog_routes_count;

struct stim_compute_op;

extern const struct api_route api_compute_operation_routes[];
extern const size_t api_compute_operation_routes_count;
extern const struct api_route api_compute_instance_routes[];
extern const size_t api_compute_instance_routes_count;
extern const struct api_route api_compute_project_routes[];
extern const size_t api_compute_project_routes_count;
extern const struct api_route api_compute_image_routes[];
extern const size_t api_compute_image_routes_count;
extern const struct api_route api_compute_network_routes[];
extern const size_t api_compute_network_routes_count;
extern const struct api_route api_compute_firewall_routes[];
extern const size_t api_compute_firewall_routes_count;
extern const struct api_route api_compute_address_routes[];
extern const size_t api_compute_address_routes_count;

/* A list page's arguments (api/compute_list.c): maxResults (at most, and
 * by default, 500) and the pageToken's decoded key into after. */
int api_compute_page_args(struct api_req *req, char *after, size_t size, int *max,
			  stim_error_t *err);
/* A list of kind at projects/P/PATH: items (taken; left out when empty)
 * and the next page's token, the key of next (NULL: the last page). */
json_t *api_compute_list_json(const struct api_req *req, const char *kind, const char *path,
			      json_t *items, const char *next);
/* An aggregated list's grouping: item (taken) into scopes under
 * "regions/REGION", in its list named key. */
void api_compute_group_add(json_t *scopes, const char *region, const char *key, json_t *item);

/* A metadata body, {"fingerprint": "...", "items": [{"key", "value"}]}
 * (project and instance alike), into items (the caller's) and the
 * fingerprint when given (compared as bytes: gcloud sends it back
 * URL-safe). A body without items clears them: gcloud sends none when
 * the last key goes. GCE's key rules; a key twice is refused. */
int api_compute_metadata_from_json(json_t *body, struct stim_labels *items, unsigned char *fp,
				   bool *has_fp, stim_error_t *err);

/* body[key], a fingerprint (metadata, labels, tags) as bytes; *has_fp
 * false when absent. Text that decodes to no fingerprint of ours is a
 * 412 conditionNotMet with the `mismatch` message. */
int api_compute_fingerprint_from_json(json_t *body, const char *key, unsigned char *fp,
				      bool *has_fp, const char *mismatch, stim_error_t *err);

/* A metadata fingerprint as GCE writes it: the base64 of its bytes. */
json_t *api_compute_fingerprint_json(const unsigned char *fp);

/* A compute#operation, links under this request's host. */
json_t *api_compute_op_to_json(const struct api_req *req, const struct stim_compute_op *op);
/* Answers 200 with op (which it finishes with), as every mutation does. */
int api_compute_reply_op(struct api_req *req, struct stim_compute_op *op);
/* GCE's not-found answer for a project, and the project check every
 * Compute route makes first (an unknown or deleted project is 404). */
int api_compute_project_check(struct api_req *req, stim_error_t *err);
