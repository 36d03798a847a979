/* Helpers shared by every module (see util.h). */
#include "src/util.h"

#include "src/cleanup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

static void oom(void)
{
	static const char msg[] = "stimulator: out of memory\n";

	if (write(2, msg, sizeof(msg) - 1) < 0) {
		/* nothing left to do */
	}
	abort();
}

void *xnonnull(void *p)
{
	if (p == NULL)
		oom();
	return p;
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		oom();
	return q;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		oom();
	return p;
}

char *xstrdup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (p == NULL)
		oom();
	return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	char *p = NULL;

	if (vasprintf(&p, fmt, ap) < 0)
		oom();
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

void stim_assert_fail(const char *expr, const char *file, int line, const char *func)
{
	fprintf(stderr, "stimulator: assertion failed: %s (%s:%d %s)\n", expr, file, line, func);
	abort();
}

int64_t stim_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t stim_monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Days since 1970-01-01 to a proleptic Gregorian date (the "civil from
 * days" algorithm over 400-year eras). Done by hand because gmtime_r()
 * takes glibc's global timezone lock, which showed in the profile of every
 * resource GET (each renders a createTime). */
static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe;
	unsigned yoe;
	unsigned doy;
	unsigned mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

char *stim_time_format(int64_t ms, char buf[STIM_TIME_BUFSZ])
{
	int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
	int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
	unsigned sod = (unsigned)(secs - days * 86400);
	unsigned millis = (unsigned)(ms - secs * 1000);
	unsigned month;
	unsigned day;
	int year;

	civil_from_days(days, &year, &month, &day);
	snprintf(buf, STIM_TIME_BUFSZ, "%04d-%02u-%02uT%02u:%02u:%02u.%03uZ", year % 10000,
		 month % 13, day % 32, sod / 3600, sod / 60 % 60, sod % 60, millis % 1000);
	return buf;
}

void stim_random_bytes(void *buf, size_t n)
{
	/* Fails only when the CSPRNG cannot be seeded: nothing safe to do then. */
	if (RAND_bytes(buf, (int)n) != 1)
		stim_assert_fail("RAND_bytes", __FILE__, __LINE__, __func__);
}

uint64_t stim_random_u64(void)
{
	uint64_t v;

	stim_random_bytes(&v, sizeof(v));
	return v;
}

void stim_hex(const void *data, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *p = data;

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

char *stim_base64_encode(const void *data, size_t n, bool url_safe)
{
	char *out = xmalloc(4 * ((n + 2) / 3) + 1);
	int len = EVP_EncodeBlock((unsigned char *)out, data, (int)n);

	if (url_safe) {
		for (int i = 0; i < len; i++) {
			if (out[i] == '+')
				out[i] = '-';
			else if (out[i] == '/')
				out[i] = '_';
		}
		while (len > 0 && out[len - 1] == '=')
			out[--len] = '\0';
	}
	return out;
}

int stim_base64_decode(const char *s, unsigned char *out, size_t outsz)
{
	size_t n = strlen(s);
	size_t padded;
	size_t pad;
	cleanup_free char *std = NULL;
	cleanup_free unsigned char *tmp = NULL;
	int len;

	/* Normalise to the standard alphabet with padding, which OpenSSL reads.
	 * OpenSSL takes a '=' anywhere as zero bits, so only up to two trailing
	 * ones are padding and any other is an error. */
	while (n > 0 && s[n - 1] == '=')
		n--;
	if (strlen(s) - n > 2 || memchr(s, '=', n) != NULL || n % 4 == 1)
		return -1;
	padded = (n + 3) / 4 * 4;
	pad = padded - n;
	std = xmalloc(padded + 1);
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '-')
			c = '+';
		else if (c == '_')
			c = '/';
		std[i] = c;
	}
	memset(std + n, '=', pad);
	std[padded] = '\0';

	tmp = xmalloc(padded / 4 * 3 + 1);
	len = EVP_DecodeBlock(tmp, (unsigned char *)std, (int)padded);
	if (len < 0)
		return -1;
	/* EVP_DecodeBlock counts the padding as zero bytes: take them off. */
	len -= (int)pad;
	if ((size_t)len > outsz)
		return -1;
	memcpy(out, tmp, (size_t)len);
	return len;
}

bool stim_str_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool stim_str_has_suffix(const char *s, const char *suffix)
{
	size_t ls = strlen(s);
	size_t lx = strlen(suffix);

	return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

const char *stim_path_basename(const char *s)
{
	const char *slash = strrchr(s, '/');

	return slash != NULL ? slash + 1 : s;
}

int stim_mkdir_p(const char *dir, unsigned mode, stim_error_t *err)
{
	char *path = xstrdup(dir);

	for (char *p = path + 1;; p++) {
		bool last = *p == '\0';

		if (*p != '/' && !last)
			continue;
		*p = '\0';
		if (mkdir(path, mode) < 0 && errno != EEXIST) {
			int e = errno;

			stim_err_sys(err, e, "mkdir %s", path);
			free(path);
			return -1;
		}
		if (last)
			break;
		*p = '/';
	}
	free(path);
	return 0;
}

bool stim_csv_has(const char *list, const char *item)
{
	size_t n = strlen(item);

	for (const char *p = list; p != NULL && *p != '\0';) {
		size_t len = strcspn(p, ",");

		if (len == n && strncmp(p, item, n) == 0)
			return true;
		p += len + (p[len] == ',');
	}
	return false;
}

uint64_t stim_fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (const char *p = s; p != NULL && *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return h;
}
