/* The `ssh-keys` metadata value (see ssh_keys.h). */
#include "src/ssh_keys.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "src/cleanup.h"
#include "src/util.h"

bool stim_ssh_user_valid(const char *user)
{
	size_t n = strlen(user);

	if (n == 0 || n > 32 || user[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)user[i];

		if (!isalnum(c) && c != '.' && c != '_' && c != '-')
			return false;
	}
	return true;
}

/* One key: its user, type and blob, each a span of the line. */
struct key {
	const char *user;
	size_t user_len;
	const char *type;
	size_t type_len;
	const char *blob;
	size_t blob_len;
	const char *comment; /* to the end of the line */
	size_t comment_len;
};

/* The next whitespace-separated word of [*p, end). */
static bool word(const char **p, const char *end, const char **w, size_t *len)
{
	while (*p < end && isspace((unsigned char)**p))
		(*p)++;
	*w = *p;
	while (*p < end && !isspace((unsigned char)**p))
		(*p)++;
	*len = (size_t)(*p - *w);
	return *len > 0;
}

/* "TYPE BASE64 [COMMENT]" of [p, end). */
static bool key_words(const char *p, const char *end, struct key *k)
{
	if (!word(&p, end, &k->type, &k->type_len) || !word(&p, end, &k->blob, &k->blob_len))
		return false;
	while (p < end && isspace((unsigned char)*p))
		p++;
	k->comment = p;
	k->comment_len = (size_t)(end - p);
	return true;
}

/* "USER:TYPE BASE64 [COMMENT]" of [p, end). */
static bool key_line(const char *p, const char *end, struct key *k)
{
	const char *colon = memchr(p, ':', (size_t)(end - p));

	if (colon == NULL || colon == p)
		return false;
	k->user = p;
	k->user_len = (size_t)(colon - p);
	return key_words(colon + 1, end, k);
}

/* A google-ssh comment's expireOn has passed (a comment that is not one,
 * or that does not parse, never expires: the agent's reading). */
static bool expired(const struct key *k, time_t now)
{
	static const char tag[] = "google-ssh ";
	cleanup_free char *json = NULL;
	cleanup_json json_t *j = NULL;
	const char *expire = NULL;
	struct tm tm = { 0 };
	const char *rest;
	long offset;

	if (k->comment_len <= sizeof(tag) - 1 || memcmp(k->comment, tag, sizeof(tag) - 1) != 0)
		return false;
	json = xstrndup(k->comment + sizeof(tag) - 1, k->comment_len - (sizeof(tag) - 1));
	j = json_loads(json, 0, NULL);
	if (json_unpack(j, "{s:s}", "expireOn", &expire) < 0)
		return false;
	rest = strptime(expire, "%Y-%m-%dT%H:%M:%S%z", &tm);
	if (rest == NULL || *rest != '\0')
		return false;
	/* timegm reads tm as UTC and resets tm_gmtoff, where %z put the
	 * offset: read it first. */
	offset = tm.tm_gmtoff;
	return timegm(&tm) - offset <= now;
}

/* Calls fn for each key line of value; stops when it returns true. */
static bool each_key(const char *value, bool (*fn)(const struct key *k, void *arg), void *arg)
{
	const char *p = value;

	while (p != NULL && *p != '\0') {
		const char *nl = strchr(p, '\n');
		const char *end = nl != NULL ? nl : p + strlen(p);
		struct key k;

		if (end > p && end[-1] == '\r')
			end--;
		if (key_line(p, end, &k) && fn(&k, arg))
			return true;
		p = nl != NULL ? nl + 1 : NULL;
	}
	return false;
}

struct allow {
	const char *user;
	struct key want;
	time_t now;
};

static bool matches(const struct key *k, void *arg)
{
	const struct allow *a = arg;

	return k->user_len == strlen(a->user) && memcmp(k->user, a->user, k->user_len) == 0 &&
	       k->type_len == a->want.type_len && memcmp(k->type, a->want.type, k->type_len) == 0 &&
	       k->blob_len == a->want.blob_len && memcmp(k->blob, a->want.blob, k->blob_len) == 0 &&
	       !expired(k, a->now);
}

bool stim_ssh_keys_allow(const char *value, const char *user, const char *pub, time_t now)
{
	struct allow a = { .user = user, .now = now };

	if (value == NULL || !stim_ssh_user_valid(user) ||
	    !key_words(pub, pub + strlen(pub), &a.want))
		return false;
	return each_key(value, matches, &a);
}

struct users {
	struct stim_strv *out;
	time_t now;
};

static bool add_user(const struct key *k, void *arg)
{
	struct users *u = arg;
	cleanup_free char *user = xstrndup(k->user, k->user_len);

	if (stim_ssh_user_valid(user) && !expired(k, u->now) && !stim_strv_contains(u->out, user))
		stim_strv_push(u->out, user);
	return false;
}

void stim_ssh_keys_users(const char *value, time_t now, struct stim_strv *out)
{
	struct users u = { out, now };

	if (value != NULL)
		each_key(value, add_user, &u);
}
