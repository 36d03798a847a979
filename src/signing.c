/* The daemon's own signing key (see signing.h). */
#include "src/signing.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "src/cleanup.h"
#include "src/jwt.h"
#include "src/rsa_keys.h"
#include "src/util.h"

struct stim_signing_key {
	pthread_mutex_t lock;
	char *data_dir;
	EVP_PKEY *pkey; /* NULL until first needed */
	char kid[STIM_RSA_KEY_ID_LEN + 1];
};

/* A new key, written with mode 0600 before any byte of it. */
static EVP_PKEY *make_key(const char *path, stim_error_t *err)
{
	EVP_PKEY *pkey = stim_rsa_generate();
	int fd;
	FILE *f;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (f == NULL || PEM_write_PrivateKey(f, pkey, NULL, NULL, 0, NULL, NULL) != 1) {
		stim_err_sys(err, errno, "write %s", path);
		if (f != NULL)
			fclose(f);
		else if (fd >= 0)
			close(fd);
		EVP_PKEY_free(pkey);
		return NULL;
	}
	if (fclose(f) != 0) {
		EVP_PKEY_free(pkey);
		stim_err_sys(err, errno, "close %s", path);
		return NULL;
	}
	return pkey;
}

/* The key at path, read or made. */
static EVP_PKEY *read_or_make(const char *dir, const char *path, stim_error_t *err)
{
	FILE *f;
	EVP_PKEY *pkey;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		stim_err_sys(err, errno, "mkdir %s", dir);
		return NULL;
	}
	f = fopen(path, "re");
	if (f == NULL && errno == ENOENT)
		return make_key(path, err);
	if (f == NULL) {
		stim_err_sys(err, errno, "open %s", path);
		return NULL;
	}
	pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (pkey == NULL)
		stim_err(err, STIM_INTERNAL, "%s: not a private key", path);
	return pkey;
}

/* The key, read or made the first time it is needed. */
static EVP_PKEY *ensure(struct stim_signing_key *k, stim_error_t *err)
{
	EVP_PKEY *pkey;

	pthread_mutex_lock(&k->lock);
	if (k->pkey == NULL) {
		cleanup_free char *dir = xasprintf("%s/keys", k->data_dir);
		cleanup_free char *path = xasprintf("%s/signing.pem", dir);

		k->pkey = read_or_make(dir, path, err);
		if (k->pkey != NULL)
			stim_rsa_key_id(k->pkey, k->kid);
	}
	pkey = k->pkey;
	pthread_mutex_unlock(&k->lock);
	return pkey;
}

struct stim_signing_key *stim_signing_key_open(const char *data_dir)
{
	struct stim_signing_key *k = xcalloc(1, sizeof(*k));

	pthread_mutex_init(&k->lock, NULL);
	k->data_dir = xstrdup(data_dir);
	return k;
}

struct stim_signing_key *stim_signing_key_load(const char *data_dir, stim_error_t *err)
{
	struct stim_signing_key *k = stim_signing_key_open(data_dir);

	if (ensure(k, err) == NULL) {
		stim_signing_key_free(k);
		return NULL;
	}
	return k;
}

void stim_signing_key_free(struct stim_signing_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	pthread_mutex_destroy(&k->lock);
	free(k->data_dir);
	free(k);
}

const char *stim_signing_key_id(struct stim_signing_key *k)
{
	cleanup_error stim_error_t err = NULL;

	return ensure(k, &err) != NULL ? k->kid : "";
}

char *stim_jwt_sign(struct stim_signing_key *k, json_t *claims, stim_error_t *err)
{
	EVP_PKEY *pkey = ensure(k, err);

	return pkey != NULL ? stim_jwt_sign_with(pkey, k->kid, claims, err) : NULL;
}

int stim_jwt_verify(struct stim_signing_key *k, const char *jwt, json_t **claims, stim_error_t *err)
{
	EVP_PKEY *pkey = ensure(k, err);

	*claims = NULL;
	return pkey != NULL ? stim_jwt_verify_with(pkey, jwt, claims, err) : -1;
}
