#pragma once
/*
 * The instance's PID 1 (the `stim-init` executable, sandbox/init_main.c):
 * what the GCE guest environment does at boot and shutdown, small enough
 * to be linked statically so it runs in any image, busybox's included.
 *
 * It reads its configuration as JSON from fd 3 (made by the daemon),
 * gives its children default signal dispositions (whatever the daemon's
 * were), serves sudo to the instance's users on a socket (sandbox/sudo.h),
 * runs the startup script, reaps every orphan, and on SIGTERM (the
 * daemon's stop) runs the shutdown script within a grace period, then
 * ends every process of the instance and exits 0. The guest's own
 * `poweroff` and `halt` end it the same way (the daemon then reports the
 * instance TERMINATED); its `reboot` too, but with exit code
 * STIM_INIT_EXIT_REBOOT, and the daemon boots it again. Its stdout is the
 * serial console: boot lines and the scripts' output, each line
 * prefixed as google_metadata_script_runner prefixes it, so what
 * `gcloud compute instances get-serial-port-output` shows reads as on
 * GCE.
 *
 *   {"hostname": "vm-1", "startupScript": "#!/bin/sh\n...",
 *    "shutdownScript": "...", "shutdownGraceSeconds": 90,
 *    "metadataServer": true}
 *
 * With metadataServer (an instance on a VPC network), the scripts come
 * from the metadata server instead, each read when it is to run (so a
 * shutdown-script added after boot runs, as on GCE): the instance's
 * attribute, else the project's (sandbox/init_metadata.c).
 */

#include <stdbool.h>
#include <stddef.h>

/* PID 1's exit code when the guest asked for a reboot. */
#define STIM_INIT_EXIT_REBOOT 100

struct stim_init_config {
	char *hostname;
	char *startup_script;  /* NULL: none */
	char *shutdown_script; /* NULL: none */
	int shutdown_grace_seconds;
	bool metadata_server; /* scripts from 169.254.169.254 */
};

/* Parses the configuration text (pure; unit-tested). On failure returns
 * -1 with the reason in why. It depends on libc and jansson alone, as
 * the static stim-init links nothing else. */
int stim_init_config_parse(const char *text, struct stim_init_config *out, char *why,
			   size_t why_size);
void stim_init_config_fini(struct stim_init_config *c);

/* An HTTP/1.x answer (pure; unit-tested), NUL-terminated at resp[len]:
 * its status and where its body starts. -1 when it is not one. */
int stim_init_http_parse(const char *resp, size_t len, int *status, const char **body,
			 size_t *body_len);
/* The metadata attribute key (the instance's, else the project's), or
 * NULL: none, or (with *reached false) the server did not answer. */
char *stim_init_metadata_attribute(const char *key, bool *reached);

/* Runs PID 1 with the configuration on config_fd; returns its exit code. */
int stim_init_main(int config_fd);
