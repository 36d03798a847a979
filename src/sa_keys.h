#pragma once
/*
 * Service account keys (IAM v1 projects.serviceAccounts.keys): real
 * RSA-2048 pairs. create hands the private key to the caller once, inside
 * a JSON key file whose token_uri is this daemon's token endpoint, so that
 * gcloud and the client libraries that read the file exchange tokens here;
 * the daemon keeps only the public half, as a self-signed certificate.
 * At most 10 keys per account, as in GCP. A disabled or deleted key, or one
 * of a disabled or deleted account, signs for nobody (src/tokens.h).
 */

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "src/context.h"
#include "src/error.h"
#include "src/rsa_keys.h"
#include "src/service_accounts.h"

#define STIM_SA_KEYS_MAX 10
/* validBeforeTime of a key that does not expire: 9999-12-31T23:59:59Z. */
#define STIM_SA_KEY_FOREVER_S 253402300799LL

struct stim_sa_key {
	char id[STIM_RSA_KEY_ID_LEN + 1];
	int64_t sa_unique_id;
	char *cert_pem; /* the public half */
	int64_t valid_after_ms;
	int64_t valid_before_ms;
	bool disabled;
};

void stim_sa_key_fini(struct stim_sa_key *k);
void stim_sa_keys_free(struct stim_sa_key *v, size_t n);

/* The key as IAM renders it, under sa. public_type: NULL or "TYPE_NONE"
 * for no publicKeyData, "TYPE_X509_PEM_FILE" for the certificate;
 * anything else is INVALID_ARGUMENT (NULL returned). */
json_t *stim_sa_key_json(const struct stim_sa_key *k, const struct stim_service_account *sa,
			 const char *public_type, stim_error_t *err);

/*
 * create: a new key for the account named by email or unique id.
 * private_type NULL or "TYPE_GOOGLE_CREDENTIALS_FILE", algorithm NULL or
 * "KEY_ALG_RSA_2048". *key_file is the JSON key file (the caller's text),
 * with token_uri as given.
 */
int stim_sa_key_create(struct stim_ctx *ctx, const char *account, const char *private_type,
		       const char *algorithm, const char *token_uri,
		       struct stim_service_account *sa, struct stim_sa_key *out, char **key_file,
		       stim_error_t *err);
/* list: key_type NULL, "USER_MANAGED" or "SYSTEM_MANAGED" (of which there
 * are none here). */
int stim_sa_key_list(struct stim_ctx *ctx, const char *account, const char *key_type,
		     struct stim_service_account *sa, struct stim_sa_key **out, size_t *n,
		     stim_error_t *err);
int stim_sa_key_get(struct stim_ctx *ctx, const char *account, const char *key_id,
		    struct stim_service_account *sa, struct stim_sa_key *out, stim_error_t *err);
int stim_sa_key_delete(struct stim_ctx *ctx, const char *account, const char *key_id,
		       stim_error_t *err);
int stim_sa_key_set_disabled(struct stim_ctx *ctx, const char *account, const char *key_id,
			     bool disabled, stim_error_t *err);
