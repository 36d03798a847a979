#pragma once
/*
 * OS Login, as gcloud uses it for `compute ssh` to an instance with
 * enable-oslogin=TRUE (reference/gcloud/ssh.md): a user's login profile
 * (one POSIX account per user, its name and ids derived from the user's
 * email, the same in every project) and the ssh keys imported into it.
 * The user is whoever the path names: an account's email, or "None",
 * which gcloud sends when it has no credentials (stimulator env's
 * default). Keys are checked by the ssh shim in place of the ssh-keys
 * metadata, which OS Login instances ignore, as on GCE.
 */

#include <stdint.h>

#include <jansson.h>

#include "src/context.h"
#include "src/error.h"

/* The POSIX name: the user lower-cased, every character but a letter or
 * digit made '_', at most 32 ("alice@example.com": alice_example_com;
 * "None": none). Allocated. */
char *stim_oslogin_username(const char *user);
/* Its uid and gid: the same for the same user, from a hash, in
 * [100000, 2^31). */
uint32_t stim_oslogin_uid(const char *user);
/* A key's fingerprint: the hex SHA-256 of its type and blob. NULL when
 * key is not "TYPE BASE64 [COMMENT]". Allocated. */
char *stim_oslogin_fingerprint(const char *key);

/* The loginProfile of user for project, with its unexpired keys. */
int stim_oslogin_profile(struct stim_ctx *ctx, const char *user, const char *project, json_t **out,
			 stim_error_t *err);
/* importSshPublicKey: key (expiring at expire_usec, 0: never) added to
 * user's; the profile after. INVALID_ARGUMENT for what is no key. */
int stim_oslogin_import(struct stim_ctx *ctx, const char *user, const char *project,
			const char *key, int64_t expire_usec, json_t **profile, stim_error_t *err);
/* sshPublicKeys.get and .delete; NOT_FOUND for a key the user has not. */
int stim_oslogin_key_get(struct stim_ctx *ctx, const char *user, const char *fingerprint,
			 json_t **out, stim_error_t *err);
int stim_oslogin_key_delete(struct stim_ctx *ctx, const char *user, const char *fingerprint,
			    stim_error_t *err);

/* Every user's unexpired keys as ssh-keys lines, "USERNAME:KEY" (what the
 * ssh shim checks for an OS Login instance; "" when none), and each
 * username's uid, {"USERNAME": UID} (the account it makes). */
int stim_oslogin_accounts(struct stim_ctx *ctx, char **lines, json_t **uids, stim_error_t *err);
