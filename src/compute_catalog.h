#pragma once
/*
 * Compute Engine's fixed catalog: regions with their zones, and machine
 * types with GCE's real vCPU and memory figures (e2, n1 with f1/g1, n2,
 * n2d, c3). Every zone offers every type here, which GCE does not quite
 * do; a table, not a formula, except where GCE's own sizes are one
 * (n1-standard-N is N x 3.75 GB).
 *
 * The machine type also says what the sandbox enforces: its CPU share
 * (thousandths of a vCPU: shared-core types get a fraction, as GCE's
 * bursting e2-micro is sustained at 0.25 vCPU) and its memory.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/error.h"

struct stim_region {
	const char *name;
	const char *const *zones; /* suffixes: "a", "b", ... NULL-terminated */
	const char *auto_cidr;	  /* its subnet's range in an auto mode network */
};

struct stim_machine_type {
	char name[40];
	char description[80];
	int guest_cpus;
	int memory_mb;
	bool shared_cpu;
	int cpu_milli; /* what the sandbox allows: guest_cpus x 1000 unless shared */
	uint64_t id;   /* stable per name */
};

/* GCE's resource names: RFC 1035 labels of 1 to 63 characters, lowercase
 * letters, digits and '-', starting with a letter, not ending with '-'. */
bool stim_compute_name_valid(const char *name);
/* The same, as GCE refuses a resource.name that is not. */
int stim_compute_name_check(const char *name, stim_error_t *err);

/* Regions, in name order; *n gets their count. */
const struct stim_region *stim_compute_regions(size_t *n);
/* The region of a zone ("us-central1-a" -> us-central1), NULL if none. */
const struct stim_region *stim_compute_zone_region(const char *zone);
/* GCE's NOT_FOUND for a zone that is not in the catalog. */
int stim_compute_zone_check(const char *project, const char *zone, stim_error_t *err);
/* Whether region has that name. */
const struct stim_region *stim_compute_region_find(const char *name);

/* Every machine type, in name order (built once, thread-safe). */
const struct stim_machine_type *stim_compute_machine_types(size_t *n);
const struct stim_machine_type *stim_compute_machine_type_find(const char *name);
