#pragma once
/*
 * The metadata server of each VPC network: libmicrohttpd on a socket the
 * daemon opened inside the network's router namespace, on
 * 169.254.169.254:80 (netns/vpc.h), so an instance reaches it through its
 * gateway and the firewall always lets it (netns/nft.h). The caller is the
 * instance whose address the connection comes from; what it reads is
 * src/metadata_tree.h over the store as it is at that moment.
 *
 * GCE's rules: Metadata-Flavor: Google is required (403 without) and comes
 * back on every answer; a request with X-Forwarded-For is refused (a
 * proxy must not reach it for someone else); ?recursive=true, ?alt=json|text,
 * ?wait_for_change=true with last_etag and timeout_sec, an ETag on every
 * answer. service-accounts/default/token mints an opaque token (tokens
 * are checked once IAM enforces, issue 7); .../identity?audience= a JWT
 * the daemon signs (src/signing.h).
 *
 * It lives in src/ rather than api/ because the instance lifecycle starts
 * and stops it with the network's router, not the API server.
 */

#include <stdint.h>

#include "src/context.h"
#include "src/error.h"

/* The network's server runs (started if it does not; its router must be
 * there). */
int stim_metadata_server_ensure(struct stim_ctx *ctx, const char *project, const char *network,
				stim_error_t *err);
/* The network's server stops (before its router goes). */
void stim_metadata_server_stop(int64_t network_id);
/* Every server stops (the daemon's exit). */
void stim_metadata_server_stop_all(void);

/* Something an instance may read changed: wait_for_change requests look
 * again. */
void stim_metadata_changed(void);
