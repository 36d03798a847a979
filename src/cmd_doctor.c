/* `stimulator doctor`: prints which host features work here, as a table or JSON. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "src/cleanup.h"
#include "src/commands.h"
#include "src/error.h"
#include "src/host_probe.h"

#define DEFAULT_DATA_DIR "/var/lib/stimulator"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: stimulator doctor [--json] [--data-dir DIR]\n"
		"\n"
		"Tries each host feature the daemon uses (namespaces, overlayfs, cgroups,\n"
		"seccomp, nftables, bridges) in throwaway child processes and namespaces,\n"
		"and prints ok, degraded or missing for each. Exits 1 when a required\n"
		"feature is missing, 0 otherwise.\n"
		"\n"
		"  --json           print a JSON array of {name, state, required, detail}\n"
		"  --data-dir DIR   where to try overlayfs (default " DEFAULT_DATA_DIR " if it\n"
		"                   exists, else /tmp); a scratch dir is made and removed\n"
		"  -h, --help       this text\n");
}

static int print_json(const struct stim_host_report *rep)
{
	cleanup_json json_t *arr = json_array();

	for (size_t i = 0; i < rep->n; i++) {
		const struct stim_probe_result *it = &rep->items[i];

		json_array_append_new(arr,
				      json_pack("{s:s, s:s, s:b, s:s}", "name", it->name, "state",
						stim_probe_state_name(it->state), "required",
						it->required, "detail", it->detail));
	}
	if (json_dumpf(arr, stdout, JSON_INDENT(2)) < 0)
		return -1;
	fputc('\n', stdout);
	return 0;
}

/* One line per item, names aligned: "name  ok: detail", or
 * "name  missing (required): detail" so the blocker stands out. */
static void print_table(const struct stim_host_report *rep)
{
	size_t width = 0;
	size_t missing = 0;
	size_t degraded = 0;

	for (size_t i = 0; i < rep->n; i++) {
		size_t len = strlen(rep->items[i].name);

		width = len > width ? len : width;
	}
	for (size_t i = 0; i < rep->n; i++) {
		const struct stim_probe_result *it = &rep->items[i];

		if (it->state == STIM_PROBE_OK)
			printf("%-*s  ok: %s\n", (int)width, it->name, it->detail);
		else
			printf("%-*s  %s%s: %s\n", (int)width, it->name,
			       stim_probe_state_name(it->state), it->required ? " (required)" : "",
			       it->detail);
		if (it->state == STIM_PROBE_MISSING && it->required)
			missing++;
		else if (it->state != STIM_PROBE_OK)
			degraded++;
	}
	printf("\n");
	if (missing > 0)
		printf("%zu required feature%s missing: the daemon cannot run here.\n", missing,
		       missing == 1 ? " is" : "s are");
	else if (degraded > 0)
		printf("The daemon can run here; %zu feature%s degraded.\n", degraded,
		       degraded == 1 ? " is" : "s are");
	else
		printf("Every feature works here.\n");
}

int stim_cmd_doctor(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "data-dir", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct stim_host_report rep;
	cleanup_error stim_error_t err = NULL;
	const char *scratch = NULL;
	struct stat st;
	bool json = false;

	/* argv[0] is "doctor"; say who complains ourselves. */
	optind = 1;
	opterr = 0;
	for (;;) {
		int c = getopt_long(argc, argv, ":h", opts, NULL);

		if (c == -1)
			break;
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'd':
			scratch = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			fprintf(stderr, "stimulator doctor: %s needs an argument\n",
				argv[optind - 1]);
			usage(stderr);
			return 2;
		default:
			fprintf(stderr, "stimulator doctor: bad option '%s'\n", argv[optind - 1]);
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "stimulator doctor: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	/* overlayfs support depends on the filesystem below, so try it where
	 * the daemon keeps its disks when that exists. */
	if (scratch == NULL && stat(DEFAULT_DATA_DIR, &st) == 0 && S_ISDIR(st.st_mode))
		scratch = DEFAULT_DATA_DIR;

	if (stim_host_probe(&rep, scratch, &err) < 0) {
		fprintf(stderr, "stimulator doctor: %s\n", err->msg);
		return 1;
	}
	if (json) {
		if (print_json(&rep) < 0) {
			fprintf(stderr, "stimulator doctor: cannot write JSON\n");
			return 1;
		}
	} else {
		print_table(&rep);
	}
	/* Degraded features never fail doctor: the daemon runs and says in
	 * each instance's statusMessage what it cannot enforce. */
	return stim_host_report_ok(&rep) ? 0 : 1;
}
