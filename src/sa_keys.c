/* Service account keys (see sa_keys.h). */
#include "src/sa_keys.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "src/cleanup.h"
#include "src/store_sa_keys.h"
#include "src/util.h"

void stim_sa_key_fini(struct stim_sa_key *k)
{
	free(k->cert_pem);
	memset(k, 0, sizeof(*k));
}

void stim_sa_keys_free(struct stim_sa_key *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		stim_sa_key_fini(&v[i]);
	free(v);
}

static json_t *time_json(int64_t ms)
{
	char buf[STIM_TIME_BUFSZ];

	return json_string(stim_time_format(ms, buf));
}

json_t *stim_sa_key_json(const struct stim_sa_key *k, const struct stim_service_account *sa,
			 const char *public_type, stim_error_t *err)
{
	json_t *j;

	if (public_type != NULL && strcmp(public_type, "TYPE_NONE") != 0 &&
	    strcmp(public_type, "TYPE_X509_PEM_FILE") != 0) {
		stim_err_reason(err, STIM_INVALID_ARGUMENT, "badRequest",
				"Invalid value for publicKeyType: '%s'. Expected TYPE_NONE or "
				"TYPE_X509_PEM_FILE.",
				public_type);
		return NULL;
	}
	j = json_pack("{s:o, s:o, s:o, s:s, s:s, s:s}", "name",
		      json_sprintf("projects/%s/serviceAccounts/%s/keys/%s", sa->project, sa->email,
				   k->id),
		      "validAfterTime", time_json(k->valid_after_ms), "validBeforeTime",
		      time_json(k->valid_before_ms), "keyAlgorithm", "KEY_ALG_RSA_2048",
		      "keyOrigin", "GOOGLE_PROVIDED", "keyType", "USER_MANAGED");
	if (k->disabled)
		json_object_set_new(j, "disabled", json_true());
	if (public_type != NULL && strcmp(public_type, "TYPE_X509_PEM_FILE") == 0) {
		cleanup_free char *data =
			stim_base64_encode(k->cert_pem, strlen(k->cert_pem), false);

		json_object_set_new(j, "publicKeyData", json_string(data));
	}
	return j;
}

/* The JSON key file of a new key, as Google writes it. */
static char *key_file_json(const struct stim_service_account *sa, const char *key_id,
			   const char *private_pem, const char *token_uri)
{
	/* An email of an account id and a project id: only '@' needs escaping
	 * in a URL. */
	const char *at = strchr(sa->email, '@');
	json_t *j = json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:o, s:s}", "type",
		"service_account", "project_id", sa->project, "private_key_id", key_id,
		"private_key", private_pem, "client_email", sa->email, "client_id",
		json_sprintf("%lld", (long long)sa->unique_id), "auth_uri",
		"https://accounts.google.com/o/oauth2/auth", "token_uri", token_uri,
		"auth_provider_x509_cert_url", "https://www.googleapis.com/oauth2/v1/certs",
		"client_x509_cert_url",
		json_sprintf("https://www.googleapis.com/robot/v1/metadata/x509/%.*s%%40%s",
			     (int)(at - sa->email), sa->email, at + 1),
		"universe_domain", "googleapis.com");
	char *text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	json_decref(j);
	return text;
}

int stim_sa_key_create(struct stim_ctx *ctx, const char *account, const char *private_type,
		       const char *algorithm, const char *token_uri,
		       struct stim_service_account *sa, struct stim_sa_key *out, char **key_file,
		       stim_error_t *err)
{
	cleanup_db struct stim_db *db = NULL;
	struct stim_sa_key *keys = NULL;
	size_t n = 0;
	EVP_PKEY *pkey;
	cleanup_free char *private_pem = NULL;
	cleanup_free char *cn = NULL;
	int64_t now = stim_now_ms();

	memset(out, 0, sizeof(*out));
	*key_file = NULL;
	if (private_type != NULL && strcmp(private_type, "TYPE_GOOGLE_CREDENTIALS_FILE") != 0)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "badRequest",
				       "privateKeyType %s is not supported here: only "
				       "TYPE_GOOGLE_CREDENTIALS_FILE (a JSON key file).",
				       private_type);
	if (algorithm != NULL && strcmp(algorithm, "KEY_ALG_RSA_2048") != 0)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "badRequest",
				       "keyAlgorithm %s is not supported: only KEY_ALG_RSA_2048.",
				       algorithm);
	db = stim_store_db(ctx->store, err);
	if (db == NULL || stim_sa_find(db, account, false, sa, err) < 0)
		return -1;
	if (stim_store_sa_key_list(db, sa->unique_id, &keys, &n, err) < 0) {
		stim_sa_fini(sa);
		return -1;
	}
	stim_sa_keys_free(keys, n);
	if (n >= STIM_SA_KEYS_MAX) {
		stim_sa_fini(sa);
		return stim_err_reason(err, STIM_FAILED_PRECONDITION, "failedPrecondition",
				       "Precondition check failed: the service account already "
				       "has %d keys, the most it may have.",
				       STIM_SA_KEYS_MAX);
	}
	pkey = stim_rsa_generate();
	stim_rsa_key_id(pkey, out->id);
	cn = xasprintf("%lld", (long long)sa->unique_id);
	out->sa_unique_id = sa->unique_id;
	out->valid_after_ms = now / 1000 * 1000;
	out->valid_before_ms = STIM_SA_KEY_FOREVER_S * 1000;
	out->cert_pem = stim_rsa_cert_pem(pkey, cn, now / 1000, STIM_SA_KEY_FOREVER_S, err);
	private_pem = out->cert_pem != NULL ? stim_rsa_private_pem(pkey) : NULL;
	EVP_PKEY_free(pkey);
	if (out->cert_pem == NULL || stim_store_sa_key_insert(db, out, err) < 0) {
		stim_sa_key_fini(out);
		stim_sa_fini(sa);
		return -1;
	}
	*key_file = key_file_json(sa, out->id, private_pem, token_uri);
	/* The only copy of the private key leaves with the reply. */
	OPENSSL_cleanse(private_pem, strlen(private_pem));
	return 0;
}

/* The account named, and its key key_id. */
static int find_key(struct stim_db *db, const char *account, const char *key_id,
		    struct stim_service_account *sa, struct stim_sa_key *out, stim_error_t *err)
{
	if (stim_sa_find(db, account, false, sa, err) < 0)
		return -1;
	if (stim_store_sa_key_get(db, sa->unique_id, key_id, out, err) < 0) {
		stim_sa_fini(sa);
		return -1;
	}
	return 0;
}

int stim_sa_key_list(struct stim_ctx *ctx, const char *account, const char *key_type,
		     struct stim_service_account *sa, struct stim_sa_key **out, size_t *n,
		     stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);

	*out = NULL;
	*n = 0;
	if (key_type != NULL && strcmp(key_type, "USER_MANAGED") != 0 &&
	    strcmp(key_type, "SYSTEM_MANAGED") != 0 &&
	    strcmp(key_type, "KEY_TYPE_UNSPECIFIED") != 0)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "badRequest",
				       "Invalid value for keyTypes: '%s'.", key_type);
	if (db == NULL || stim_sa_find(db, account, false, sa, err) < 0)
		return -1;
	/* Every key here is one a user asked for: none is SYSTEM_MANAGED. */
	if (key_type != NULL && strcmp(key_type, "SYSTEM_MANAGED") == 0)
		return 0;
	if (stim_store_sa_key_list(db, sa->unique_id, out, n, err) < 0) {
		stim_sa_fini(sa);
		return -1;
	}
	return 0;
}

int stim_sa_key_get(struct stim_ctx *ctx, const char *account, const char *key_id,
		    struct stim_service_account *sa, struct stim_sa_key *out, stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);

	if (db == NULL)
		return -1;
	return find_key(db, account, key_id, sa, out, err);
}

int stim_sa_key_delete(struct stim_ctx *ctx, const char *account, const char *key_id,
		       stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	struct stim_service_account sa;
	struct stim_sa_key k;
	int ret;

	if (db == NULL || find_key(db, account, key_id, &sa, &k, err) < 0)
		return -1;
	ret = stim_store_sa_key_delete(db, k.id, err);
	stim_sa_key_fini(&k);
	stim_sa_fini(&sa);
	return ret;
}

int stim_sa_key_set_disabled(struct stim_ctx *ctx, const char *account, const char *key_id,
			     bool disabled, stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	struct stim_service_account sa;
	struct stim_sa_key k;
	int ret;

	if (db == NULL || find_key(db, account, key_id, &sa, &k, err) < 0)
		return -1;
	ret = stim_store_sa_key_set_disabled(db, k.id, disabled, err);
	stim_sa_key_fini(&k);
	stim_sa_fini(&sa);
	return ret;
}
