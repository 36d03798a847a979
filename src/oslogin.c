/* OS Login profiles and keys (see oslogin.h). */
#include "src/oslogin.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "src/cleanup.h"
#include "src/store_oslogin.h"
#include "src/strv.h"
#include "src/util.h"

#define USERNAME_MAX 32

char *stim_oslogin_username(const char *user)
{
	size_t n = strlen(user) < USERNAME_MAX ? strlen(user) : USERNAME_MAX;
	char *name = xstrndup(user, n);

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		name[i] = isalnum(c) ? (char)tolower(c) : '_';
	}
	return name;
}

uint32_t stim_oslogin_uid(const char *user)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (const char *c = user; *c != '\0'; c++)
		h = (h ^ (unsigned char)*c) * 16777619u;
	return 100000 + h % (0x80000000u - 100000);
}

char *stim_oslogin_fingerprint(const char *key)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	const char *type_end = strchr(key, ' ');
	const char *blob = type_end != NULL ? type_end + 1 : NULL;
	size_t blob_len = blob != NULL ? strcspn(blob, " \t\r\n") : 0;
	size_t n;
	char *hex;

	if (type_end == NULL || type_end == key || blob_len == 0)
		return NULL;
	n = (size_t)(blob + blob_len - key);
	if (EVP_Digest(key, n, md, &len, EVP_sha256(), NULL) != 1)
		return NULL;
	hex = xmalloc(2 * len + 1);
	stim_hex(md, len, hex);
	return hex;
}

static bool expired(const struct stim_oslogin_key *k, int64_t now_usec)
{
	return k->expire_usec != 0 && k->expire_usec <= now_usec;
}

static json_t *key_json(const struct stim_oslogin_key *k)
{
	json_t *j =
		json_pack("{s:s, s:s, s:o}", "key", k->key, "fingerprint", k->fingerprint, "name",
			  json_sprintf("users/%s/sshPublicKeys/%s", k->user, k->fingerprint));

	if (k->expire_usec != 0)
		json_object_set_new(j, "expirationTimeUsec",
				    json_sprintf("%lld", (long long)k->expire_usec));
	return j;
}

int stim_oslogin_profile(struct stim_ctx *ctx, const char *user, const char *project, json_t **out,
			 stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	struct stim_oslogin_key *keys = NULL;
	cleanup_free char *username = stim_oslogin_username(user);
	uint32_t uid = stim_oslogin_uid(user);
	int64_t now = stim_now_ms() * 1000;
	json_t *account;
	json_t *ssh = json_object();
	size_t n = 0;

	if (db == NULL || stim_store_oslogin_keys(db, user, &keys, &n, err) < 0) {
		json_decref(ssh);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (!expired(&keys[i], now))
			json_object_set_new(ssh, keys[i].fingerprint, key_json(&keys[i]));
		stim_oslogin_key_fini(&keys[i]);
	}
	free(keys);
	account =
		json_pack("{s:b, s:s, s:o, s:o, s:o, s:s, s:s}", "primary", 1, "username", username,
			  "uid", json_sprintf("%u", uid), "gid", json_sprintf("%u", uid),
			  "homeDirectory", json_sprintf("/home/%s", username), "shell", "/bin/bash",
			  "operatingSystemType", "LINUX");
	if (project != NULL) {
		json_object_set_new(account, "accountId", json_string(project));
		json_object_set_new(account, "name",
				    json_sprintf("users/%s/projects/%s", user, project));
	}
	*out = json_pack("{s:s, s:[o], s:o}", "name", user, "posixAccounts", account,
			 "sshPublicKeys", ssh);
	return 0;
}

int stim_oslogin_import(struct stim_ctx *ctx, const char *user, const char *project,
			const char *key, int64_t expire_usec, json_t **profile, stim_error_t *err)
{
	cleanup_free char *fp = key != NULL ? stim_oslogin_fingerprint(key) : NULL;
	struct stim_oslogin_key k = { (char *)user, fp, (char *)key, expire_usec };

	if (fp == NULL)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "badRequest",
				       "Invalid SSH key: expected 'TYPE BASE64 [COMMENT]'");
	{
		cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);

		if (db == NULL || stim_store_oslogin_key_put(db, &k, err) < 0)
			return -1;
	}
	return stim_oslogin_profile(ctx, user, project, profile, err);
}

int stim_oslogin_key_get(struct stim_ctx *ctx, const char *user, const char *fingerprint,
			 json_t **out, stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	struct stim_oslogin_key *keys = NULL;
	size_t n = 0;

	*out = NULL;
	if (db == NULL || stim_store_oslogin_keys(db, user, &keys, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (*out == NULL && strcmp(keys[i].fingerprint, fingerprint) == 0)
			*out = key_json(&keys[i]);
		stim_oslogin_key_fini(&keys[i]);
	}
	free(keys);
	if (*out == NULL)
		return stim_err_reason(err, STIM_NOT_FOUND, "notFound",
				       "Requested entity was not found.");
	return 0;
}

int stim_oslogin_key_delete(struct stim_ctx *ctx, const char *user, const char *fingerprint,
			    stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);

	if (db == NULL)
		return -1;
	return stim_store_oslogin_key_delete(db, user, fingerprint, err);
}

int stim_oslogin_accounts(struct stim_ctx *ctx, char **lines_out, json_t **uids, stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	struct stim_oslogin_key *keys = NULL;
	int64_t now = stim_now_ms() * 1000;
	struct stim_strv lines = { 0 };
	size_t n = 0;

	*lines_out = NULL;
	*uids = NULL;
	if (db == NULL || stim_store_oslogin_keys(db, NULL, &keys, &n, err) < 0)
		return -1;
	*uids = json_object();
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *username = stim_oslogin_username(keys[i].user);
		cleanup_free char *line = xasprintf("%s:%s", username, keys[i].key);

		if (!expired(&keys[i], now)) {
			stim_strv_push(&lines, line);
			json_object_set_new(*uids, username,
					    json_integer(stim_oslogin_uid(keys[i].user)));
		}
		stim_oslogin_key_fini(&keys[i]);
	}
	free(keys);
	*lines_out = stim_strv_join(&lines, "\n");
	stim_strv_fini(&lines);
	return 0;
}
