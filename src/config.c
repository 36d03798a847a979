/* `stimulator serve` flags (see config.h). */
#include "src/config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/util.h"

int stim_listen_parse(const char *s, char **host, uint16_t *port, stim_error_t *err)
{
	const char *colon;
	const char *h = s;
	size_t hlen;
	char *end;
	long p;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL || close[1] != ':')
			return stim_err(err, STIM_INVALID_ARGUMENT,
					"--listen %s: expected [IPV6]:PORT", s);
		h = s + 1;
		hlen = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL)
			return stim_err(err, STIM_INVALID_ARGUMENT,
					"--listen %s: expected HOST:PORT", s);
		hlen = (size_t)(colon - s);
	}
	errno = 0;
	p = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || errno != 0 || p < 0 || p > 65535)
		return stim_err(err, STIM_INVALID_ARGUMENT, "--listen %s: bad port", s);
	if (hlen == 0)
		return stim_err(err, STIM_INVALID_ARGUMENT, "--listen %s: missing host", s);
	*host = xstrndup(h, hlen);
	*port = (uint16_t)p;
	return 0;
}

const char *stim_auth_mode_name(enum stim_auth_mode mode)
{
	return mode == STIM_AUTH_ENFORCE ? "enforce" : "off";
}

int stim_auth_mode_parse(const char *s, enum stim_auth_mode *out)
{
	if (strcmp(s, "off") == 0)
		*out = STIM_AUTH_OFF;
	else if (strcmp(s, "enforce") == 0)
		*out = STIM_AUTH_ENFORCE;
	else
		return -1;
	return 0;
}

void stim_config_usage(const char *prog)
{
	printf("usage: %s serve [OPTIONS]\n\n"
	       "  --listen HOST:PORT       address to serve every API on (default %s)\n"
	       "  --data-dir DIR           database and blobs (default %s, created 0700)\n"
	       "  --auth off|enforce       require Bearer tokens issued by the daemon and check\n"
	       "                           every call against IAM policies (default off)\n"
	       "  --owner MEMBER           with --auth enforce: user:EMAIL made owner of every\n"
	       "                           project that exists at start\n"
	       "  --log text|json          log line format (default text)\n"
	       "  --log-level LEVEL        debug, info, warn or error (default info)\n"
	       "  --images DIR             extra image recipes\n"
	       "  --default-project ID     project that exists from the first start (default %s)\n"
	       "  --ready-file PATH        write HOST:PORT here once serving (port 0 = any free "
	       "port)\n"
	       "  --threads N              HTTP worker threads (default: one per core)\n"
	       "  --max-object-size SIZE   largest object accepted, e.g. 100MiB (default 5TiB)\n"
	       "  --housekeeping-interval SECONDS\n"
	       "                           how often lifecycle rules run and expired uploads go\n"
	       "                           (default %d)\n"
	       "  --instance-quota N       instances a project may have in one region (default "
	       "%d)\n"
	       "  --userns                 run instances in a user namespace: their root is an\n"
	       "                           unprivileged host uid (%u and up)\n"
	       "  --external-range CIDR    instances' external IPs (default %s; its last /20\n"
	       "                           links the networks' routers to this host)\n",
	       prog, STIM_DEFAULT_LISTEN, STIM_DEFAULT_DATA_DIR, STIM_DEFAULT_PROJECT,
	       STIM_DEFAULT_HOUSEKEEPING_SECONDS, STIM_DEFAULT_INSTANCE_QUOTA, STIM_USERNS_BASE,
	       STIM_DEFAULT_EXTERNAL_RANGE);
}

int stim_size_parse(const char *s, uint64_t *out)
{
	static const char units[] = "KMGT";
	unsigned long long n;
	const char *u;
	char *end;
	int shift = 0;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno != 0 || n == 0)
		return -1;
	if (*end != '\0') {
		u = strchr(units, *end);
		if (u == NULL)
			return -1;
		shift = 10 * (int)(u - units + 1);
		end++;
		if (strcmp(end, "iB") != 0 && *end != '\0')
			return -1;
	}
	if (n > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)n << shift;
	return 0;
}

/* A whole number from min to max, nothing around it. */
static int parse_unsigned(const char *s, long min, long max, unsigned *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0 || n < min || n > max)
		return -1;
	*out = (unsigned)n;
	return 0;
}

static void replace(char **slot, const char *value)
{
	free(*slot);
	*slot = xstrdup(value);
}

int stim_config_parse(struct stim_config *cfg, int argc, char **argv, stim_error_t *err)
{
	enum {
		OPT_LISTEN = 256,
		OPT_DATA_DIR,
		OPT_AUTH,
		OPT_LOG,
		OPT_LOG_LEVEL,
		OPT_IMAGES,
		OPT_DEFAULT_PROJECT,
		OPT_READY_FILE,
		OPT_THREADS,
		OPT_MAX_OBJECT_SIZE,
		OPT_HOUSEKEEPING,
		OPT_INSTANCE_QUOTA,
		OPT_USERNS,
		OPT_EXTERNAL_RANGE,
		OPT_OWNER,
	};
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "data-dir", required_argument, NULL, OPT_DATA_DIR },
		{ "auth", required_argument, NULL, OPT_AUTH },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
		{ "images", required_argument, NULL, OPT_IMAGES },
		{ "default-project", required_argument, NULL, OPT_DEFAULT_PROJECT },
		{ "ready-file", required_argument, NULL, OPT_READY_FILE },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "max-object-size", required_argument, NULL, OPT_MAX_OBJECT_SIZE },
		{ "housekeeping-interval", required_argument, NULL, OPT_HOUSEKEEPING },
		{ "instance-quota", required_argument, NULL, OPT_INSTANCE_QUOTA },
		{ "userns", no_argument, NULL, OPT_USERNS },
		{ "external-range", required_argument, NULL, OPT_EXTERNAL_RANGE },
		{ "owner", required_argument, NULL, OPT_OWNER },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(cfg, 0, sizeof(*cfg));
	cfg->data_dir = xstrdup(STIM_DEFAULT_DATA_DIR);
	cfg->default_project = xstrdup(STIM_DEFAULT_PROJECT);
	cfg->log_level = STIM_LOG_INFO;
	cfg->max_object_size = STIM_DEFAULT_MAX_OBJECT_SIZE;
	cfg->housekeeping_seconds = STIM_DEFAULT_HOUSEKEEPING_SECONDS;
	cfg->instance_quota = STIM_DEFAULT_INSTANCE_QUOTA;
	if (stim_cidr_parse(STIM_DEFAULT_EXTERNAL_RANGE, "--external-range", &cfg->external_range,
			    err) < 0)
		return -1;
	if (stim_listen_parse(STIM_DEFAULT_LISTEN, &cfg->listen_host, &cfg->listen_port, err) < 0)
		return -1;

	/* getopt keeps global state. optind = 0 (not 1) makes glibc forget a
	 * half-read option cluster such as "-hx", so parsing can repeat. */
	optind = 0;
	opterr = 0;
	for (;;) {
		c = getopt_long(argc, argv, ":h", opts, NULL);
		if (c < 0)
			break;
		switch (c) {
		case OPT_LISTEN:
			free(cfg->listen_host);
			cfg->listen_host = NULL;
			if (stim_listen_parse(optarg, &cfg->listen_host, &cfg->listen_port, err) <
			    0)
				return -1;
			break;
		case OPT_DATA_DIR:
			replace(&cfg->data_dir, optarg);
			break;
		case OPT_AUTH:
			if (stim_auth_mode_parse(optarg, &cfg->auth) < 0)
				return stim_err(err, STIM_INVALID_ARGUMENT,
						"--auth %s: expected off or enforce", optarg);
			break;
		case OPT_LOG:
			if (stim_log_parse_format(optarg, &cfg->log_format) < 0)
				return stim_err(err, STIM_INVALID_ARGUMENT,
						"--log %s: expected text or json", optarg);
			break;
		case OPT_LOG_LEVEL:
			if (stim_log_parse_level(optarg, &cfg->log_level) < 0)
				return stim_err(err, STIM_INVALID_ARGUMENT,
						"--log-level %s: expected debug, info, warn or "
						"error",
						optarg);
			break;
		case OPT_IMAGES:
			replace(&cfg->images_dir, optarg);
			break;
		case OPT_DEFAULT_PROJECT:
			replace(&cfg->default_project, optarg);
			break;
		case OPT_READY_FILE:
			replace(&cfg->ready_file, optarg);
			break;
		case OPT_THREADS:
			if (parse_unsigned(optarg, 1, 256, &cfg->threads) < 0)
				return stim_err(err, STIM_INVALID_ARGUMENT,
						"--threads %s: expected 1 to 256", optarg);
			break;
		case OPT_MAX_OBJECT_SIZE:
			if (stim_size_parse(optarg, &cfg->max_object_size) < 0)
				return stim_err(err, STIM_INVALID_ARGUMENT,
						"--max-object-size %s: expected a size such as "
						"1048576, 100MiB or 5TiB",
						optarg);
			break;
		case OPT_HOUSEKEEPING:
			if (parse_unsigned(optarg, 1, 86400, &cfg->housekeeping_seconds) < 0)
				return stim_err(err, STIM_INVALID_ARGUMENT,
						"--housekeeping-interval %s: expected 1 to 86400 "
						"seconds",
						optarg);
			break;
		case OPT_INSTANCE_QUOTA:
			if (parse_unsigned(optarg, 0, 1000000, &cfg->instance_quota) < 0)
				return stim_err(err, STIM_INVALID_ARGUMENT,
						"--instance-quota %s: expected 0 to 1000000",
						optarg);
			break;
		case OPT_USERNS:
			cfg->userns_base = STIM_USERNS_BASE;
			break;
		case OPT_EXTERNAL_RANGE:
			if (stim_cidr_parse(optarg, "--external-range", &cfg->external_range, err) <
			    0)
				return -1;
			/* Room for addresses below the routers' last /20. */
			if (cfg->external_range.prefix > 19)
				return stim_err(err, STIM_INVALID_ARGUMENT,
						"--external-range %s: expected a /19 or larger",
						optarg);
			break;
		case OPT_OWNER:
			if (!stim_str_has_prefix(optarg, "user:") &&
			    !stim_str_has_prefix(optarg, "serviceAccount:"))
				return stim_err(err, STIM_INVALID_ARGUMENT,
						"--owner %s: expected user:EMAIL or "
						"serviceAccount:EMAIL",
						optarg);
			replace(&cfg->owner, optarg);
			break;
		case 'h':
			return 1;
		case ':':
			return stim_err(err, STIM_INVALID_ARGUMENT, "%s needs a value",
					argv[optind - 1]);
		default:
			return stim_err(err, STIM_INVALID_ARGUMENT, "unknown option %s",
					argv[optind - 1]);
		}
	}
	if (optind < argc)
		return stim_err(err, STIM_INVALID_ARGUMENT, "unexpected argument %s", argv[optind]);
	if (cfg->owner != NULL && cfg->auth != STIM_AUTH_ENFORCE)
		return stim_err(err, STIM_INVALID_ARGUMENT,
				"--owner needs --auth enforce: without it nobody's rights count");
	return 0;
}

void stim_config_fini(struct stim_config *cfg)
{
	free(cfg->listen_host);
	free(cfg->data_dir);
	free(cfg->images_dir);
	free(cfg->default_project);
	free(cfg->ready_file);
	free(cfg->owner);
	memset(cfg, 0, sizeof(*cfg));
}
