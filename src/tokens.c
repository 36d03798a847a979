/* Access tokens (see tokens.h). */
#include "src/tokens.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "src/cleanup.h"
#include "src/util.h"

#define PREFIX	    "ya29.stim."
#define SECRET_LEN  32
#define MAC_B64_LEN 43 /* 32 bytes, base64url without padding */

#define CACHE_SLOTS 1024 /* a power of two */

/* A token already verified: tokens never change, so its claims can be
 * reused until it expires, without the HMAC and the JSON again. */
struct verified {
	char *token; /* NULL: empty */
	struct stim_token_claims claims;
};

struct stim_tokens {
	unsigned char secret[SECRET_LEN];
	pthread_mutex_t lock;
	struct verified cache[CACHE_SLOTS];
};

struct stim_tokens *stim_tokens_new(const unsigned char *secret, size_t n)
{
	struct stim_tokens *t = xcalloc(1, sizeof(*t));

	memcpy(t->secret, secret, n < SECRET_LEN ? n : SECRET_LEN);
	pthread_mutex_init(&t->lock, NULL);
	return t;
}

/* Reads exactly n bytes of path, or makes it (0600, before any byte) with
 * n random ones when missing. */
static int secret_file(const char *path, unsigned char *buf, size_t n, stim_error_t *err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t got;

	if (fd < 0 && errno == ENOENT) {
		stim_random_bytes(buf, n);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 || write(fd, buf, n) != (ssize_t)n || fsync(fd) < 0)
			return stim_err_sys(err, errno, "write %s", path);
		return 0;
	}
	if (fd < 0)
		return stim_err_sys(err, errno, "open %s", path);
	got = read(fd, buf, n);
	if (got != (ssize_t)n)
		return stim_err(err, STIM_INTERNAL, "%s: not a %zu-byte secret", path, n);
	return 0;
}

struct stim_tokens *stim_tokens_load(const char *data_dir, stim_error_t *err)
{
	cleanup_free char *dir = xasprintf("%s/keys", data_dir);
	cleanup_free char *path = xasprintf("%s/token.key", dir);
	unsigned char secret[SECRET_LEN];
	struct stim_tokens *t;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		stim_err_sys(err, errno, "mkdir %s", dir);
		return NULL;
	}
	if (secret_file(path, secret, sizeof(secret), err) < 0)
		return NULL;
	t = stim_tokens_new(secret, sizeof(secret));
	OPENSSL_cleanse(secret, sizeof(secret));
	return t;
}

void stim_tokens_free(struct stim_tokens *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		free(t->cache[i].token);
		stim_token_claims_fini(&t->cache[i].claims);
	}
	pthread_mutex_destroy(&t->lock);
	OPENSSL_cleanse(t->secret, sizeof(t->secret));
	free(t);
}

/* base64url of the HMAC of the n bytes at data, into out (MAC_B64_LEN + 1). */
static void mac(const struct stim_tokens *t, const char *data, size_t n, char *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	cleanup_free char *b64 = NULL;

	if (HMAC(EVP_sha256(), t->secret, SECRET_LEN, (const unsigned char *)data, n, md, &len) ==
	    NULL)
		stim_assert_fail("HMAC", __FILE__, __LINE__, __func__);
	b64 = stim_base64_encode(md, len, true);
	snprintf(out, MAC_B64_LEN + 1, "%s", b64);
}

char *stim_token_mint(const struct stim_tokens *t, const struct stim_token_claims *c)
{
	json_t *j = json_pack("{s:s, s:I}", "p", c->principal, "e", (json_int_t)c->exp);
	cleanup_free char *text = NULL;
	cleanup_free char *body = NULL;
	char sig[MAC_B64_LEN + 1];

	if (c->key_id != NULL)
		json_object_set_new(j, "k", json_string(c->key_id));
	text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	body = stim_base64_encode(text, strlen(text), true);
	mac(t, body, strlen(body), sig);
	return xasprintf(PREFIX "%s.%s", body, sig);
}

void stim_token_claims_fini(struct stim_token_claims *c)
{
	free(c->principal);
	free(c->key_id);
	memset(c, 0, sizeof(*c));
}

/* By the token's signature part, which is already a hash. */
static size_t slot_of(const char *token)
{
	const char *sig = strrchr(token, '.');

	return (size_t)(stim_fnv1a(sig != NULL ? sig : token) & (CACHE_SLOTS - 1));
}

static void claims_copy(struct stim_token_claims *to, const struct stim_token_claims *from)
{
	to->principal = xstrdup(from->principal);
	to->key_id = from->key_id != NULL ? xstrdup(from->key_id) : NULL;
	to->exp = from->exp;
}

/* The claims of a token verified before, if it is in the cache. */
static bool cached(struct stim_tokens *t, const char *token, struct stim_token_claims *out)
{
	struct verified *v = &t->cache[slot_of(token)];
	size_t n = strlen(token);
	bool hit;

	pthread_mutex_lock(&t->lock);
	/* Constant time: what is compared is a credential. */
	hit = v->token != NULL && strlen(v->token) == n && CRYPTO_memcmp(v->token, token, n) == 0;
	if (hit)
		claims_copy(out, &v->claims);
	pthread_mutex_unlock(&t->lock);
	return hit;
}

static void remember(struct stim_tokens *t, const char *token, const struct stim_token_claims *c)
{
	struct verified *v = &t->cache[slot_of(token)];
	struct verified old;
	struct verified fresh = { .token = xstrdup(token) };

	claims_copy(&fresh.claims, c);
	pthread_mutex_lock(&t->lock);
	old = *v;
	*v = fresh;
	pthread_mutex_unlock(&t->lock);
	free(old.token);
	stim_token_claims_fini(&old.claims);
}

int stim_token_parse(struct stim_tokens *t, const char *token, int64_t now,
		     struct stim_token_claims *out, stim_error_t *err)
{
	const char *body;
	const char *dot;
	char want[MAC_B64_LEN + 1];
	size_t n;
	cleanup_free unsigned char *text = NULL;
	cleanup_json json_t *j = NULL;
	const char *principal = NULL;
	const char *key_id = NULL;
	json_int_t exp = 0;
	int len;

	memset(out, 0, sizeof(*out));
	if (cached(t, token, out)) {
		if (out->exp > now)
			return 0;
		stim_token_claims_fini(out);
		return stim_err(err, STIM_UNAUTHENTICATED, "an expired token");
	}
	if (!stim_str_has_prefix(token, PREFIX))
		return stim_err(err, STIM_UNAUTHENTICATED, "not a token this emulator issued");
	body = token + strlen(PREFIX);
	dot = strchr(body, '.');
	if (dot == NULL || strlen(dot + 1) != MAC_B64_LEN)
		return stim_err(err, STIM_UNAUTHENTICATED, "a malformed token");
	n = (size_t)(dot - body);
	mac(t, body, n, want);
	if (CRYPTO_memcmp(want, dot + 1, MAC_B64_LEN) != 0)
		return stim_err(err, STIM_UNAUTHENTICATED,
				"a token whose signature does not verify");
	text = xmalloc(n + 1);
	{
		cleanup_free char *part = xstrndup(body, n);

		len = stim_base64_decode(part, text, n + 1);
	}
	j = len > 0 ? json_loadb((const char *)text, (size_t)len, 0, NULL) : NULL;
	if (j == NULL ||
	    json_unpack(j, "{s:s, s:I, s?s}", "p", &principal, "e", &exp, "k", &key_id) < 0)
		return stim_err(err, STIM_UNAUTHENTICATED, "a token with unreadable claims");
	if (exp <= now)
		return stim_err(err, STIM_UNAUTHENTICATED, "an expired token");
	out->principal = xstrdup(principal);
	out->key_id = key_id != NULL ? xstrdup(key_id) : NULL;
	out->exp = exp;
	remember(t, token, out);
	return 0;
}
