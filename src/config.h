#pragma once
/*
 * The daemon's configuration: `stimulator serve` flags, parsed by a pure
 * function so the rules are unit-tested without a server.
 */

#include <stdbool.h>
#include <stdint.h>

#include "src/error.h"
#include "src/ipv4.h"
#include "src/log.h"

#define STIM_DEFAULT_LISTEN "127.0.0.1:8080"
/* Under the data dir: the ssh shim's link (src/cmd_ssh.c). */
#define STIM_SHIM_DIR	      "bin"
#define STIM_DEFAULT_DATA_DIR "/var/lib/stimulator"
#define STIM_DEFAULT_PROJECT  "stimulator-project"
/* Cloud Storage's own limit on one object: 5 TiB. */
#define STIM_DEFAULT_MAX_OBJECT_SIZE (UINT64_C(5) << 40)
/* How often lifecycle rules run and expired upload sessions go. GCS acts
 * on lifecycle rules about once a day; an hour keeps tests that wait on
 * them possible with a smaller --housekeeping-interval. */
#define STIM_DEFAULT_HOUSEKEEPING_SECONDS 3600
/* GCE's INSTANCES quota, per project and region. Real projects start
 * lower; a local machine's limit is its memory, and 1000 leaves room for
 * the 500-instance benchmark. */
#define STIM_DEFAULT_INSTANCE_QUOTA 1000
#define STIM_DEFAULT_EXTERNAL_RANGE "198.18.0.0/15"
/* With --userns, instances' root is host uid (and gid) 1879048192
 * (0x70000000) and their other users the 65535 above it: past the ranges
 * systemd hands out to containers and to its own dynamic users, and past
 * the usual /etc/subuid ranges. */
#define STIM_USERNS_BASE 1879048192u

enum stim_auth_mode {
	STIM_AUTH_OFF = 0,
	STIM_AUTH_ENFORCE = 1,
};

struct stim_config {
	char *listen_host;    /* numeric IPv4 or IPv6 address */
	uint16_t listen_port; /* 0: the kernel picks one (tests) */
	char *data_dir;
	enum stim_auth_mode auth;
	/* --owner: under --auth enforce, the member ("user:EMAIL") made owner
	 * of every project that exists at start; NULL: none. */
	char *owner;
	enum stim_log_format log_format;
	enum stim_log_level log_level;
	char *images_dir;	       /* NULL: the built-in recipes only */
	char *default_project;	       /* created at first start */
	char *ready_file;	       /* NULL, or where to write HOST:PORT once serving */
	unsigned threads;	       /* HTTP worker threads; 0: one per core */
	uint64_t max_object_size;      /* bytes; larger uploads get 413 */
	unsigned housekeeping_seconds; /* between lifecycle / session sweeps */
	unsigned instance_quota;       /* instances per project and region */
	uint32_t userns_base;	       /* 0, or STIM_USERNS_BASE with --userns */
	/* External IPs come from it, but for its last /20, which links each
	 * network's router to the host (a /30 each). */
	struct stim_cidr external_range;
};

/* The last /20 of the external range: the routers' links to the host. */
static inline struct stim_cidr stim_config_uplink_range(const struct stim_config *cfg)
{
	return (struct stim_cidr){ stim_cidr_last(&cfg->external_range) - 4095, 20 };
}

/* Fills cfg with the defaults, then applies argv (argv[0] is the command
 * name). Returns 1 when --help was asked for, 0 otherwise, -1 on bad flags. */
int stim_config_parse(struct stim_config *cfg, int argc, char **argv, stim_error_t *err);
void stim_config_fini(struct stim_config *cfg);
void stim_config_usage(const char *prog);

/* "1048576", "512KiB", "100MiB", "5GiB", "5TiB" (K, M, G, T alone too:
 * powers of 1024) into bytes; -1 unless it is a whole positive number. */
int stim_size_parse(const char *s, uint64_t *out);

/* "HOST:PORT" or "[V6]:PORT" into an allocated host and a port. */
int stim_listen_parse(const char *s, char **host, uint16_t *port, stim_error_t *err);

const char *stim_auth_mode_name(enum stim_auth_mode mode);
int stim_auth_mode_parse(const char *s, enum stim_auth_mode *out);
