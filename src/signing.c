/* The daemon's own signing key (see signing.h). */
#include "src/signing.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "src/cleanup.h"
#include "src/util.h"

struct stim_signing_key {
	EVP_PKEY *pkey;
	char kid[41];
};

static void key_id(struct stim_signing_key *k)
{
	unsigned char *der = NULL;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	int len = i2d_PUBKEY(k->pkey, &der);

	if (len > 0 && EVP_Digest(der, (size_t)len, md, &mdlen, EVP_sha256(), NULL) == 1) {
		stim_hex(md, mdlen < 20 ? mdlen : 20, k->kid);
	}
	OPENSSL_free(der);
}

/* A new key, written with mode 0600 before any byte of it. */
static EVP_PKEY *make_key(const char *path, stim_error_t *err)
{
	EVP_PKEY *pkey = EVP_RSA_gen(2048);
	int fd;
	FILE *f;

	if (pkey == NULL) {
		stim_err(err, STIM_INTERNAL, "RSA key generation failed");
		return NULL;
	}
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

struct stim_signing_key *stim_signing_key_load(const char *data_dir, stim_error_t *err)
{
	cleanup_free char *dir = xasprintf("%s/keys", data_dir);
	cleanup_free char *path = xasprintf("%s/signing.pem", dir);
	struct stim_signing_key *k;
	FILE *f;
	EVP_PKEY *pkey;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		stim_err_sys(err, errno, "mkdir %s", dir);
		return NULL;
	}
	f = fopen(path, "re");
	if (f != NULL) {
		pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
		fclose(f);
		if (pkey == NULL) {
			stim_err(err, STIM_INTERNAL, "%s: not a private key", path);
			return NULL;
		}
	} else if (errno == ENOENT) {
		pkey = make_key(path, err);
		if (pkey == NULL)
			return NULL;
	} else {
		stim_err_sys(err, errno, "open %s", path);
		return NULL;
	}
	k = xcalloc(1, sizeof(*k));
	k->pkey = pkey;
	key_id(k);
	return k;
}

void stim_signing_key_free(struct stim_signing_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

const char *stim_signing_key_id(const struct stim_signing_key *k)
{
	return k->kid;
}

static char *b64_json(json_t *j)
{
	cleanup_free char *text = json_dumps(j, JSON_COMPACT);

	return stim_base64_encode(text, strlen(text), true);
}

char *stim_jwt_sign(const struct stim_signing_key *k, json_t *claims, stim_error_t *err)
{
	json_t *header = json_pack("{s:s, s:s, s:s}", "alg", "RS256", "kid", k->kid, "typ", "JWT");
	cleanup_free char *h = b64_json(header);
	cleanup_free char *c = b64_json(claims);
	cleanup_free char *input = xasprintf("%s.%s", h, c);
	cleanup_free unsigned char *sig = NULL;
	cleanup_free char *s = NULL;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	size_t siglen = 0;
	int ok;

	json_decref(header);
	ok = md != NULL && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k->pkey) == 1 &&
	     EVP_DigestSign(md, NULL, &siglen, (const unsigned char *)input, strlen(input)) == 1;
	if (ok) {
		sig = xmalloc(siglen);
		ok = EVP_DigestSign(md, sig, &siglen, (const unsigned char *)input,
				    strlen(input)) == 1;
	}
	EVP_MD_CTX_free(md);
	if (!ok) {
		stim_err(err, STIM_INTERNAL, "signing a token failed");
		return NULL;
	}
	s = stim_base64_encode(sig, siglen, true);
	return xasprintf("%s.%s", input, s);
}

int stim_jwt_verify(const struct stim_signing_key *k, const char *jwt, json_t **claims,
		    stim_error_t *err)
{
	const char *dot1 = strchr(jwt, '.');
	const char *dot2 = dot1 != NULL ? strchr(dot1 + 1, '.') : NULL;
	size_t n = strlen(jwt);
	cleanup_free unsigned char *sig = xmalloc(n + 1);
	cleanup_free unsigned char *body = xmalloc(n + 1);
	cleanup_free char *payload = NULL;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int siglen;
	int bodylen;
	int ok;

	*claims = NULL;
	if (dot2 == NULL || md == NULL) {
		EVP_MD_CTX_free(md);
		return stim_err(err, STIM_UNAUTHENTICATED, "not a signed token");
	}
	siglen = stim_base64_decode(dot2 + 1, sig, n);
	ok = siglen > 0 && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, k->pkey) == 1 &&
	     EVP_DigestVerify(md, sig, (size_t)siglen, (const unsigned char *)jwt,
			      (size_t)(dot2 - jwt)) == 1;
	EVP_MD_CTX_free(md);
	if (!ok)
		return stim_err(err, STIM_UNAUTHENTICATED, "the token's signature does not verify");
	payload = xstrndup(dot1 + 1, (size_t)(dot2 - dot1 - 1));
	bodylen = stim_base64_decode(payload, body, n);
	*claims = bodylen > 0 ? json_loadb((const char *)body, (size_t)bodylen, 0, NULL) : NULL;
	if (*claims == NULL)
		return stim_err(err, STIM_UNAUTHENTICATED, "the token's claims are not JSON");
	return 0;
}
