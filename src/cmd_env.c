/* `stimulator env`: export lines that point gcloud and SDKs at the daemon. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "src/cleanup.h"
#include "src/commands.h"
#include "src/config.h"
#include "src/daemon_client.h"
#include "src/util.h"

/* The daemon's own report of how it runs (GET /health/ready). */
struct daemon_info {
	char *auth;
	char *project;
	char *shim_dir;
};

static int ask_daemon(const char *base, struct daemon_info *info, stim_error_t *err)
{
	cleanup_json json_t *j = NULL;
	long status;
	const char *auth = NULL;
	const char *project = NULL;
	const char *shim = NULL;

	if (stim_daemon_get(base, "health/ready", 2000, &status, &j, err) < 0)
		return -1;
	if (status != 200)
		return stim_err(err, STIM_UNAVAILABLE, "%shealth/ready: HTTP %ld", base, status);
	if (json_unpack(j, "{s:s, s:s, s?s}", "auth", &auth, "defaultProject", &project, "shimDir",
			&shim) < 0)
		return stim_err(err, STIM_UNAVAILABLE, "%shealth/ready: not a stimulator answer",
				base);
	info->auth = xstrdup(auth);
	info->project = xstrdup(project);
	info->shim_dir = shim != NULL ? xstrdup(shim) : NULL;
	return 0;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: stimulator env [--listen HOST:PORT] [--project ID] [--auth off|enforce]\n\n"
		"Prints export lines for gcloud, client libraries and the ssh shim:\n"
		"  eval \"$(stimulator env)\"\n"
		"The auth mode and default project are asked of the running daemon; the\n"
		"flags override them (or stand in when no daemon runs yet).\n");
}

/* Values here are URLs and project ids, but quote them anyway. */
static void export_line(const char *name, const char *value)
{
	printf("export %s='%s'\n", name, value);
}

int stim_cmd_env(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "project", required_argument, NULL, 'p' },
		{ "auth", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const root_apis[] = { "IAM", "CLOUDRESOURCEMANAGER", "SERVICEUSAGE",
						 "OSLOGIN" };
	cleanup_error stim_error_t err = NULL;
	cleanup_free char *host = NULL;
	cleanup_free char *base = NULL;
	cleanup_free char *url = NULL;
	struct daemon_info info = { 0 };
	const char *listen = STIM_DEFAULT_LISTEN;
	const char *project = NULL;
	const char *auth = NULL;
	const char *shim;
	enum stim_auth_mode mode = STIM_AUTH_OFF;
	uint16_t port;
	int c;

	optind = 0; /* full getopt reset, as in stim_config_parse */
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0) {
		switch (c) {
		case 'l':
			listen = optarg;
			break;
		case 'p':
			project = optarg;
			break;
		case 'a':
			auth = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (stim_listen_parse(listen, &host, &port, &err) < 0) {
		fprintf(stderr, "stimulator env: %s\n", err->msg);
		return 2;
	}
	if (auth != NULL && stim_auth_mode_parse(auth, &mode) < 0) {
		fprintf(stderr, "stimulator env: --auth %s: expected off or enforce\n", auth);
		return 2;
	}
	base = strchr(host, ':') != NULL ? xasprintf("http://[%s]:%u/", host, port)
					 : xasprintf("http://%s:%u/", host, port);

	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (ask_daemon(base, &info, &err) < 0) {
		fprintf(stderr,
			"stimulator env: no daemon answers (%s); printing settings for "
			"--auth %s and project %s\n",
			err->msg, auth != NULL ? auth : "off",
			project != NULL ? project : STIM_DEFAULT_PROJECT);
	} else if (auth == NULL) {
		stim_auth_mode_parse(info.auth, &mode);
	}
	curl_global_cleanup();
	if (project == NULL)
		project = info.project != NULL ? info.project : STIM_DEFAULT_PROJECT;

	printf("# GCP Stimulator at %s (auth %s)\n", base, stim_auth_mode_name(mode));
	/* Every API is mounted at the host root: gcloud builds the compute batch
	 * and storage upload URLs from scheme and host alone
	 * (reference/gcloud/README.md). Overrides must end in '/'. */
	url = xasprintf("%scompute/v1/", base);
	export_line("CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE", url);
	free(url);
	url = xasprintf("%sstorage/v1/", base);
	export_line("CLOUDSDK_API_ENDPOINT_OVERRIDES_STORAGE", url);
	for (size_t i = 0; i < STIM_ARRAY_SIZE(root_apis); i++) {
		cleanup_free char *name =
			xasprintf("CLOUDSDK_API_ENDPOINT_OVERRIDES_%s", root_apis[i]);

		export_line(name, base);
	}
	if (mode == STIM_AUTH_OFF) {
		/* No credentials at all: gcloud sends no Authorization header. */
		export_line("CLOUDSDK_AUTH_DISABLE_CREDENTIALS", "true");
	} else {
		/* Real tokens from the daemon's token endpoint (reference/gcloud/auth.md). */
		cleanup_free char *token = xasprintf("%stoken", base);

		printf("unset CLOUDSDK_AUTH_DISABLE_CREDENTIALS\n");
		export_line("CLOUDSDK_AUTH_TOKEN_HOST", token);
	}
	export_line("CLOUDSDK_CORE_PROJECT", project);
	export_line("GOOGLE_CLOUD_PROJECT", project);
	/* Outside GCE: do not probe a metadata server or look for updates. */
	export_line("CLOUDSDK_CORE_CHECK_GCE_METADATA", "false");
	export_line("CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK", "true");
	/* The ssh shim: the daemon for it, and its link first on PATH, where
	 * gcloud looks for ssh (once, however often this is evaluated). */
	export_line("STIMULATOR_ENDPOINT", base);
	shim = info.shim_dir != NULL ? info.shim_dir : STIM_DEFAULT_DATA_DIR "/" STIM_SHIM_DIR;
	printf("case \":$PATH:\" in *':%s:'*) ;; *) export PATH='%s':\"$PATH\" ;; esac\n", shim,
	       shim);
	/* The client libraries' emulator switch: scheme, host and port only. */
	base[strlen(base) - 1] = '\0';
	export_line("STORAGE_EMULATOR_HOST", base);
	free(info.auth);
	free(info.project);
	free(info.shim_dir);
	return 0;
}
