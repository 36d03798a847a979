/* A tool's calls to a running daemon (see daemon_client.h). */
#include "src/daemon_client.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "src/cleanup.h"
#include "src/config.h"
#include "src/util.h"

/* The answers are small; anything past this is not the daemon's. */
#define BODY_MAX (1 << 20)

char *stim_daemon_base(void)
{
	const char *env = getenv("STIMULATOR_ENDPOINT");
	size_t n = env != NULL ? strlen(env) : 0;

	if (n == 0)
		return xstrdup("http://" STIM_DEFAULT_LISTEN "/");
	return env[n - 1] == '/' ? xstrdup(env) : xasprintf("%s/", env);
}

static size_t collect(char *data, size_t size, size_t n, void *user)
{
	char **buf = user;
	size_t old = *buf != NULL ? strlen(*buf) : 0;
	size_t add = size * n;

	if (old + add > BODY_MAX)
		return 0;
	*buf = xrealloc(*buf, old + add + 1);
	memcpy(*buf + old, data, add);
	(*buf)[old + add] = '\0';
	return add;
}

int stim_daemon_get(const char *base, const char *path, long timeout_ms, long *status,
		    json_t **body, stim_error_t *err)
{
	cleanup_free char *url = xasprintf("%s%s", base, path);
	cleanup_free char *text = NULL;
	CURL *c = curl_easy_init();
	CURLcode rc;

	*status = 0;
	*body = NULL;
	if (c == NULL)
		return stim_err(err, STIM_INTERNAL, "curl_easy_init failed");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &text);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK)
		return stim_err(err, STIM_UNAVAILABLE, "%s: %s", url, curl_easy_strerror(rc));
	if (text != NULL)
		*body = json_loads(text, 0, NULL);
	return 0;
}
