/* Compute Engine's regions, zones and machine types (see compute_catalog.h). */
#include "src/compute_catalog.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/util.h"

static const char *const abc[] = { "a", "b", "c", NULL };
static const char *const abcf[] = { "a", "b", "c", "f", NULL };
static const char *const bcd[] = { "b", "c", "d", NULL };

/* In name order, each with the range GCE gives its subnet in an auto
 * mode network (GCE's published table, not a formula). */
static const struct stim_region regions[] = {
	{ "asia-east1", abc, "10.140.0.0/20" },
	{ "asia-northeast1", abc, "10.146.0.0/20" },
	{ "asia-southeast1", abc, "10.148.0.0/20" },
	{ "australia-southeast1", abc, "10.152.0.0/20" },
	{ "europe-west1", bcd, "10.132.0.0/20" },
	{ "europe-west2", abc, "10.154.0.0/20" },
	{ "europe-west3", abc, "10.156.0.0/20" },
	{ "europe-west4", abc, "10.164.0.0/20" },
	{ "northamerica-northeast1", abc, "10.162.0.0/20" },
	{ "southamerica-east1", abc, "10.158.0.0/20" },
	{ "us-central1", abcf, "10.128.0.0/20" },
	{ "us-east1", bcd, "10.142.0.0/20" },
	{ "us-east4", abc, "10.150.0.0/20" },
	{ "us-west1", abc, "10.138.0.0/20" },
	{ "us-west2", abc, "10.168.0.0/20" },
};

const struct stim_region *stim_compute_regions(size_t *n)
{
	*n = STIM_ARRAY_SIZE(regions);
	return regions;
}

const struct stim_region *stim_compute_region_find(const char *name)
{
	for (size_t i = 0; i < STIM_ARRAY_SIZE(regions); i++) {
		if (strcmp(regions[i].name, name) == 0)
			return &regions[i];
	}
	return NULL;
}

const struct stim_region *stim_compute_zone_region(const char *zone)
{
	const char *dash = strrchr(zone, '-');
	const struct stim_region *r;

	if (dash == NULL || dash == zone)
		return NULL;
	for (size_t i = 0; i < STIM_ARRAY_SIZE(regions); i++) {
		r = &regions[i];
		if (strlen(r->name) != (size_t)(dash - zone) ||
		    strncmp(r->name, zone, (size_t)(dash - zone)) != 0)
			continue;
		for (const char *const *z = r->zones; *z != NULL; z++) {
			if (strcmp(*z, dash + 1) == 0)
				return r;
		}
	}
	return NULL;
}

int stim_compute_zone_check(const char *project, const char *zone, stim_error_t *err)
{
	if (stim_compute_zone_region(zone) != NULL)
		return 0;
	return stim_err_reason(err, STIM_NOT_FOUND, "notFound",
			       "The resource 'projects/%s/zones/%s' was not found", project, zone);
}

/* A family's sizes: name "<family>-<kind>-<vcpus>", memory per vCPU. */
static const struct family {
	const char *prefix;  /* "n1-standard" */
	int mb_per_vcpu_x10; /* tenths of a MB, for n1-highcpu's 921.6 */
	int vcpus[12];	     /* 0-terminated */
	const char *what;    /* description prefix, "" for none */
} families[] = {
	{ "e2-standard", 40960, { 2, 4, 8, 16, 32 }, "Efficient Instance, " },
	{ "e2-highmem", 81920, { 2, 4, 8, 16 }, "Efficient Instance, " },
	{ "e2-highcpu", 10240, { 2, 4, 8, 16, 32 }, "Efficient Instance, " },
	{ "n1-standard", 38400, { 1, 2, 4, 8, 16, 32, 64, 96 }, "" },
	{ "n1-highmem", 66560, { 2, 4, 8, 16, 32, 64, 96 }, "" },
	{ "n1-highcpu", 9216, { 2, 4, 8, 16, 32, 64, 96 }, "" },
	{ "n2-standard", 40960, { 2, 4, 8, 16, 32, 48, 64, 80, 96, 128 }, "" },
	{ "n2-highmem", 81920, { 2, 4, 8, 16, 32, 48, 64, 80, 96, 128 }, "" },
	{ "n2-highcpu", 10240, { 2, 4, 8, 16, 32, 48, 64, 80, 96 }, "" },
	{ "n2d-standard", 40960, { 2, 4, 8, 16, 32, 48, 64, 80, 96, 128, 224 }, "" },
	{ "n2d-highmem", 81920, { 2, 4, 8, 16, 32, 48, 64, 80, 96 }, "" },
	{ "n2d-highcpu", 10240, { 2, 4, 8, 16, 32, 48, 64, 80, 96, 128, 224 }, "" },
	{ "c3-standard", 40960, { 4, 8, 22, 44, 88, 176 }, "" },
	{ "c3-highmem", 81920, { 4, 8, 22, 44, 88, 176 }, "" },
	{ "c3-highcpu", 20480, { 4, 8, 22, 44, 88, 176 }, "" },
};

/* The shared-core types: a burstable fraction of a core, GCE's figures. */
static const struct shared {
	const char *name;
	int guest_cpus;
	int memory_mb;
	int cpu_milli;
	const char *description;
} shared_types[] = {
	{ "e2-micro", 2, 1024, 250,
	  "Efficient Instance, 2 vCPU (1/8 shared physical core) and 1 GB RAM" },
	{ "e2-small", 2, 2048, 500,
	  "Efficient Instance, 2 vCPU (1/4 shared physical core) and 2 GB RAM" },
	{ "e2-medium", 2, 4096, 1000,
	  "Efficient Instance, 2 vCPU (1/2 shared physical core) and 4 GB RAM" },
	{ "f1-micro", 1, 614, 200, "1 vCPU (shared physical core) and 0.6 GB RAM" },
	{ "g1-small", 1, 1740, 500, "1 vCPU (shared physical core) and 1.7 GB RAM" },
};

static struct stim_machine_type *types;
static size_t ntypes;
static pthread_once_t types_once = PTHREAD_ONCE_INIT;

/* "3.75", "7.5", "15": GB with at most two decimals, as GCE writes them. */
static void gb(char *buf, size_t n, int mb)
{
	size_t len;

	snprintf(buf, n, "%.2f", mb / 1024.0);
	len = strlen(buf);
	while (len > 0 && buf[len - 1] == '0')
		buf[--len] = '\0';
	if (len > 0 && buf[len - 1] == '.')
		buf[--len] = '\0';
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct stim_machine_type *)a)->name,
		      ((const struct stim_machine_type *)b)->name);
}

static void build_types(void)
{
	size_t cap = STIM_ARRAY_SIZE(shared_types);

	for (size_t f = 0; f < STIM_ARRAY_SIZE(families); f++)
		for (size_t i = 0; families[f].vcpus[i] != 0; i++)
			cap++;
	types = xcalloc(cap, sizeof(*types));
	for (size_t i = 0; i < STIM_ARRAY_SIZE(shared_types); i++) {
		struct stim_machine_type *t = &types[ntypes++];

		snprintf(t->name, sizeof(t->name), "%s", shared_types[i].name);
		snprintf(t->description, sizeof(t->description), "%s", shared_types[i].description);
		t->guest_cpus = shared_types[i].guest_cpus;
		t->memory_mb = shared_types[i].memory_mb;
		t->cpu_milli = shared_types[i].cpu_milli;
		t->shared_cpu = true;
	}
	for (size_t f = 0; f < STIM_ARRAY_SIZE(families); f++) {
		for (size_t i = 0; families[f].vcpus[i] != 0; i++) {
			struct stim_machine_type *t = &types[ntypes++];
			int n = families[f].vcpus[i];
			char mem[16];

			snprintf(t->name, sizeof(t->name), "%s-%d", families[f].prefix, n);
			t->guest_cpus = n;
			/* Rounded to the MB, as GCE rounds n1-highcpu's. */
			t->memory_mb = (n * families[f].mb_per_vcpu_x10 + 5) / 10;
			t->cpu_milli = n * 1000;
			gb(mem, sizeof(mem), t->memory_mb);
			snprintf(t->description, sizeof(t->description), "%s%d vCPU%s, %s GB RAM",
				 families[f].what, n, n > 1 ? "s" : "", mem);
		}
	}
	qsort(types, ntypes, sizeof(*types), by_name);
	/* GCE's ids are numbers; these are stable while the table is. */
	for (size_t i = 0; i < ntypes; i++)
		types[i].id = 1000 + i;
}

const struct stim_machine_type *stim_compute_machine_types(size_t *n)
{
	pthread_once(&types_once, build_types);
	*n = ntypes;
	return types;
}

const struct stim_machine_type *stim_compute_machine_type_find(const char *name)
{
	size_t n;
	const struct stim_machine_type *all = stim_compute_machine_types(&n);
	struct stim_machine_type key;

	if (strlen(name) >= sizeof(key.name))
		return NULL;
	snprintf(key.name, sizeof(key.name), "%s", name);
	return bsearch(&key, all, n, sizeof(*all), by_name);
}

bool stim_compute_name_valid(const char *name)
{
	size_t n = strlen(name);

	return n >= 1 && n <= 63 && name[0] >= 'a' && name[0] <= 'z' && name[n - 1] != '-' &&
	       strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

int stim_compute_name_check(const char *name, stim_error_t *err)
{
	if (!stim_compute_name_valid(name))
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
				       "Invalid value for field 'resource.name': '%s'. Must be a "
				       "match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'",
				       name);
	return 0;
}
