/* `stimulator gc`: lists (--check) or removes the host objects the daemon owns. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "src/commands.h"
#include "src/error.h"
#include "src/host_objects.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: stimulator gc [--check] [--prefix P] [--data-dir DIR]\n"
		"\n"
		"Removes every host object the daemon owns: named network namespaces, links\n"
		"and nftables tables of the root namespace and cgroups whose names start with\n"
		"the prefix, and mounts below the data directory or named with the prefix.\n"
		"\n"
		"  --check         only list them, one per line; exit 1 if any exist\n"
		"  --prefix P      name prefix of the objects (default %s, at least %d "
		"characters)\n"
		"  --data-dir DIR  the daemon's data directory (default %s)\n"
		"\n"
		"Exit status: 0 nothing found (--check) or everything removed; 1 something\n"
		"found (--check) or left behind; 2 bad usage.\n",
		STIM_HOST_OBJECTS_DEFAULT_PREFIX, STIM_HOST_OBJECTS_MIN_PREFIX,
		STIM_HOST_OBJECTS_DEFAULT_DATA_DIR);
}

int stim_cmd_gc(int argc, char **argv)
{
	static const struct option options[] = {
		{ "check", no_argument, NULL, 'c' },
		{ "prefix", required_argument, NULL, 'p' },
		{ "data-dir", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *prefix = STIM_HOST_OBJECTS_DEFAULT_PREFIX;
	const char *data_dir = STIM_HOST_OBJECTS_DEFAULT_DATA_DIR;
	bool check = false;
	bool failed = false;
	cleanup_error stim_error_t err = NULL;
	struct stim_host_object *objs = NULL;
	size_t n = 0;

	/* 0, not 1: glibc then starts afresh, so tests may call us twice. */
	optind = 0;
	opterr = 0;
	for (;;) {
		int c = getopt_long(argc, argv, "h", options, NULL);

		if (c == -1)
			break;
		switch (c) {
		case 'c':
			check = true;
			break;
		case 'p':
			prefix = optarg;
			break;
		case 'd':
			data_dir = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "stimulator gc: bad option '%s'\n\n", argv[optind - 1]);
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "stimulator gc: unexpected argument '%s'\n\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (stim_host_prefix_check(prefix, &err) < 0) {
		fprintf(stderr, "stimulator gc: %s\n", err->msg);
		return 2;
	}

	if (stim_host_objects_list(prefix, data_dir, &objs, &n, &err) < 0) {
		/* Not "nothing found": a host we could not read is not clean. */
		fprintf(stderr, "stimulator gc: %s%s\n", err->msg,
			err->errnum == EPERM || err->errnum == EACCES ? " (gc needs root)" : "");
		return err->code == STIM_INVALID_ARGUMENT ? 2 : 1;
	}
	/* In list order, which is removal order: a failure is reported and
	 * the rest still goes, so one stuck cgroup does not keep every
	 * namespace and table alive. */
	for (size_t i = 0; i < n; i++) {
		const char *kind = stim_host_object_kind_name(objs[i].kind);

		if (check) {
			printf("%s %s\n", kind, objs[i].name);
			continue;
		}
		if (stim_host_object_remove(&objs[i], &err) < 0) {
			/* Every message names the object already. */
			fprintf(stderr, "stimulator gc: cannot remove %s: %s\n", kind, err->msg);
			stim_error_free(err);
			err = NULL;
			failed = true;
			continue;
		}
		printf("removed %s %s\n", kind, objs[i].name);
	}
	fflush(stdout);
	stim_host_objects_free(objs, n);
	if (check)
		return n > 0 ? 1 : 0;
	return failed ? 1 : 0;
}
