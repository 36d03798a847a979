/* `stimulator token`: mints an access token for a principal (src/tokens.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/commands.h"
#include "src/config.h"
#include "src/error.h"
#include "src/tokens.h"
#include "src/util.h"

/* Google's longest access token lifetime. */
#define LIFETIME_MAX_S (12 * 3600)

static void usage(FILE *out)
{
	fprintf(out,
		"usage: stimulator token --principal user:EMAIL [--lifetime SECONDS] "
		"[--data-dir DIR]\n"
		"\n"
		"Prints an access token the daemon takes as the principal's, for\n"
		"`serve --auth enforce`: give it to gcloud with\n"
		"CLOUDSDK_AUTH_ACCESS_TOKEN_FILE or --access-token-file, or send it as\n"
		"'Authorization: Bearer TOKEN'. Signed with the secret in the data\n"
		"directory, so only who can read that (root) can mint one.\n"
		"\n"
		"  --principal P     user:EMAIL or serviceAccount:EMAIL\n"
		"  --lifetime S      seconds until it expires (default %d, at most %d)\n"
		"  --data-dir DIR    the daemon's data directory (default %s)\n",
		STIM_TOKEN_LIFETIME_S, LIFETIME_MAX_S, STIM_DEFAULT_DATA_DIR);
}

/* user:EMAIL or serviceAccount:EMAIL, with something either side of '@'. */
static bool principal_ok(const char *p)
{
	const char *email = stim_str_has_prefix(p, "user:") ? p + strlen("user:")
			    : stim_str_has_prefix(p, "serviceAccount:")
				    ? p + strlen("serviceAccount:")
				    : NULL;
	const char *at = email != NULL ? strchr(email, '@') : NULL;

	return at != NULL && at > email && at[1] != '\0' && strchr(at + 1, '@') == NULL;
}

int stim_cmd_token(int argc, char **argv)
{
	static const struct option options[] = {
		{ "principal", required_argument, NULL, 'p' },
		{ "lifetime", required_argument, NULL, 'l' },
		{ "data-dir", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *principal = NULL;
	const char *data_dir = STIM_DEFAULT_DATA_DIR;
	long lifetime = STIM_TOKEN_LIFETIME_S;
	cleanup_error stim_error_t err = NULL;
	struct stim_tokens *t;
	struct stim_token_claims c;
	char *end;
	char *token;

	optind = 0;
	opterr = 0;
	for (;;) {
		int ch = getopt_long(argc, argv, "h", options, NULL);

		if (ch == -1)
			break;
		switch (ch) {
		case 'p':
			principal = optarg;
			break;
		case 'l':
			lifetime = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || lifetime < 1 ||
			    lifetime > LIFETIME_MAX_S) {
				fprintf(stderr,
					"stimulator token: --lifetime %s: expected 1 to %d "
					"seconds\n",
					optarg, LIFETIME_MAX_S);
				return 2;
			}
			break;
		case 'd':
			data_dir = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "stimulator token: bad option '%s'\n\n", argv[optind - 1]);
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc || principal == NULL || !principal_ok(principal)) {
		if (principal != NULL && !principal_ok(principal))
			fprintf(stderr,
				"stimulator token: --principal %s: expected user:EMAIL or "
				"serviceAccount:EMAIL\n\n",
				principal);
		usage(stderr);
		return 2;
	}
	t = stim_tokens_load(data_dir, &err);
	if (t == NULL) {
		fprintf(stderr, "stimulator token: %s\n", err->msg);
		return 1;
	}
	c = (struct stim_token_claims){
		.principal = (char *)principal,
		.exp = stim_now_ms() / 1000 + lifetime,
	};
	token = stim_token_mint(t, &c);
	stim_tokens_free(t);
	printf("%s\n", token);
	free(token);
	return 0;
}
