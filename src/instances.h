#pragma once
/*
 * Compute Engine instances as real sandboxed process trees (sandbox/,
 * images/): insert, get, list, delete. Every mutation records a RUNNING
 * operation in the same transaction as the row and hands the host work to
 * a worker (src/workers.h), which runs with the store released and then
 * finishes the operation: PROVISIONING -> STAGING -> RUNNING on insert,
 * STOPPING -> gone on delete, as GCE reports them.
 *
 * An instance's files are DATA/instances/<id>/: disk/ (its overlay upper
 * layer, the boot disk), root/ (the mount point, inside its own mount
 * namespace only) and console (stim-init's output, the serial port).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/compute_ops.h"
#include "src/compute_projects.h"
#include "src/context.h"
#include "src/error.h"
#include "src/labels.h"
#include "src/strv.h"

/* An instance's network interface (nic0). */
struct stim_nic {
	char *network; /* names; NULL: none (an instance from before VPCs) */
	char *region;
	char *subnet;
	uint32_t ip;	      /* host order */
	bool access_config;   /* accessConfigs[0] (ONE_TO_ONE_NAT) */
	uint32_t external_ip; /* its natIP; 0: none (or stopped, when ephemeral) */
};

struct stim_instance {
	char *project;
	char *zone;
	char *name;
	int64_t id;
	char *status; /* "PROVISIONING", "STAGING", "RUNNING", "STOPPING", ... */
	char *status_message;
	char *machine_type;
	char *image;	    /* the recipe: "host", "busybox", "debian-12" */
	char *source_image; /* as the client named it */
	char *description;
	unsigned char metadata_fingerprint[STIM_FINGERPRINT_LEN];
	struct stim_labels metadata;
	unsigned char label_fingerprint[STIM_FINGERPRINT_LEN];
	struct stim_labels labels;
	unsigned char tags_fingerprint[STIM_FINGERPRINT_LEN];
	struct stim_strv tags; /* network tags, sorted */
	struct stim_nic nic;
	char *service_account; /* its email; NULL: none */
	char *scopes;	       /* its OAuth scopes, space-separated */
	int pid;
	uint64_t pid_start;
	int64_t create_time_ms;
	int64_t last_start_time_ms;
};

/* What insert takes (strings borrowed; metadata owned by the caller). */
struct stim_instance_spec {
	const char *name;
	const char *machine_type; /* a name or a URL ending in machineTypes/NAME */
	const char *source_image; /* NULL: debian-cloud's debian-12 family
				   * (src/compute_images.h) */
	const char *description;
	struct stim_labels metadata;
	struct stim_labels labels;
	struct stim_strv tags;
	/* networkInterfaces[0]: a network and/or subnetwork (names or URLs;
	 * neither: the project's default network) and an address to take. */
	const char *network;
	const char *subnetwork;
	const char *network_ip;
	/* accessConfigs[0] (ONE_TO_ONE_NAT): an external IP, natIP when
	 * given, else one from the pool. */
	bool access_config;
	const char *nat_ip;
	/* serviceAccounts[0]: an email, or "default" for the project's
	 * Compute Engine default account; NULL: none. */
	const char *service_account;
	struct stim_strv scopes;
};

void stim_instance_fini(struct stim_instance *in);

/* RFC 1035 names of 1 to 63 characters, as GCE checks them. */
int stim_instance_name_check(const char *name, stim_error_t *err);
/* Network tags: at most 64, each a name as above. */
int stim_instance_tags_check(const struct stim_strv *tags, stim_error_t *err);
/* A machineType as a client gives it (a name or a URL ending in
 * machineTypes/NAME) that the catalog has: *name is its name, borrowed
 * from given. */
int stim_instance_machine_type_check(const char *given, const char *zone, const char **name,
				     stim_error_t *err);

int stim_instance_insert(struct stim_ctx *ctx, const char *project, const char *zone,
			 const struct stim_instance_spec *spec, struct stim_compute_op *op,
			 stim_error_t *err);
/* The lifecycle verbs (GCE's instances.stop, start, reset, suspend,
 * resume). Each needs the status GCE needs (RUNNING to stop, TERMINATED
 * to start, ...: 400 resourceNotReady otherwise) and is a DONE no-op in
 * the status it leads to. A stop keeps the disk; a start boots it again. */
enum stim_instance_verb {
	STIM_INSTANCE_STOP,
	STIM_INSTANCE_START,
	STIM_INSTANCE_RESET,
	STIM_INSTANCE_SUSPEND,
	STIM_INSTANCE_RESUME,
};

int stim_instance_act(struct stim_ctx *ctx, const char *project, const char *zone, const char *name,
		      enum stim_instance_verb verb, struct stim_compute_op *op, stim_error_t *err);
/* The set* methods (src/instances_update.c), each a DONE operation.
 * setMetadata replaces every item when fingerprint (when given) is the
 * current one, else 412 conditionNotMet; setLabels and setTags need their
 * current fingerprint always. Items and labels are taken. */
int stim_instance_set_metadata(struct stim_ctx *ctx, const char *project, const char *zone,
			       const char *name, const unsigned char *fingerprint,
			       struct stim_labels *items, struct stim_compute_op *op,
			       stim_error_t *err);
int stim_instance_set_labels(struct stim_ctx *ctx, const char *project, const char *zone,
			     const char *name, const unsigned char *fingerprint,
			     struct stim_labels *labels, struct stim_compute_op *op,
			     stim_error_t *err);
int stim_instance_set_tags(struct stim_ctx *ctx, const char *project, const char *zone,
			   const char *name, const unsigned char *fingerprint,
			   const struct stim_strv *tags, struct stim_compute_op *op,
			   stim_error_t *err);
/* Only while TERMINATED (400 resourceNotReady otherwise): the next boot
 * takes the new limits. */
int stim_instance_set_machine_type(struct stim_ctx *ctx, const char *project, const char *zone,
				   const char *name, const char *machine_type,
				   struct stim_compute_op *op, stim_error_t *err);
int stim_instance_delete(struct stim_ctx *ctx, const char *project, const char *zone,
			 const char *name, struct stim_compute_op *op, stim_error_t *err);
/* NOT_FOUND in GCE's words when absent. */
int stim_instance_get(struct stim_ctx *ctx, const char *project, const char *zone, const char *name,
		      struct stim_instance *out, stim_error_t *err);
/* One zone's instances by name after `after` (zone NULL: every zone), at
 * most max; *more when there are others. */
int stim_instance_list(struct stim_ctx *ctx, const char *project, const char *zone,
		       const char *after, int max, struct stim_instance **out, size_t *n,
		       bool *more, stim_error_t *err);
/* The serial console from byte `start` on (at most max bytes): *next is
 * where the next read starts. */
int stim_instance_serial(struct stim_ctx *ctx, const char *project, const char *zone,
			 const char *name, int64_t start, size_t max, char **out, int64_t *next,
			 stim_error_t *err);

/* Start-up: instances whose PID 1 still runs (same pid and start time)
 * stay RUNNING or SUSPENDED; the others, and any caught mid-change by a
 * crash, are ended and TERMINATED (disks kept); operations left RUNNING
 * end with an error. Returns how many were adopted. */
int stim_instances_adopt(struct stim_ctx *ctx, stim_error_t *err);

/* The supervisor's report (src/supervisor.h; arg is the ctx): an
 * instance's PID 1 ended by itself. A job acts on it: a guest's reboot
 * boots the instance again, anything else leaves it TERMINATED. */
struct stim_exit;
void stim_instances_on_exit(void *arg, const struct stim_exit *e);
