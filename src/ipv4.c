/* IPv4 addresses and ranges (see ipv4.h). */
#include "src/ipv4.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t mask_of(int prefix)
{
	return prefix == 0 ? 0 : UINT32_MAX << (32 - prefix);
}

int stim_ipv4_parse(const char *s, uint32_t *out)
{
	uint32_t addr = 0;

	for (int i = 0; i < 4; i++) {
		unsigned v = 0;
		int digits = 0;

		while (*s >= '0' && *s <= '9') {
			/* No leading zeros: "010" reads as octal to some tools. */
			if (digits == 1 && v == 0)
				return -1;
			v = v * 10 + (unsigned)(*s++ - '0');
			if (++digits > 3 || v > 255)
				return -1;
		}
		if (digits == 0 || (i < 3 && *s++ != '.'))
			return -1;
		addr = addr << 8 | v;
	}
	if (*s != '\0')
		return -1;
	*out = addr;
	return 0;
}

char *stim_ipv4_format(uint32_t addr, char buf[STIM_IPV4_BUFSZ])
{
	snprintf(buf, STIM_IPV4_BUFSZ, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 255,
		 (addr >> 8) & 255, addr & 255);
	return buf;
}

int stim_cidr_parse(const char *s, const char *field, struct stim_cidr *out, stim_error_t *err)
{
	const char *slash = s != NULL ? strchr(s, '/') : NULL;
	char addr[STIM_IPV4_BUFSZ];
	char *end = NULL;
	long prefix;
	uint32_t a;

	if (slash == NULL || (size_t)(slash - s) >= sizeof(addr))
		goto bad;
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	prefix = strtol(slash + 1, &end, 10);
	if (stim_ipv4_parse(addr, &a) < 0 || slash[1] == '\0' || *end != '\0' || prefix < 0 ||
	    prefix > 32)
		goto bad;
	if ((a & ~mask_of((int)prefix)) != 0)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
				       "Invalid value for field '%s': '%s'. The IP range's address "
				       "must be the first of the range.",
				       field, s);
	out->addr = a;
	out->prefix = (int)prefix;
	return 0;
bad:
	return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
			       "Invalid value for field '%s': '%s'. Must be a CIDR range such as "
			       "10.0.0.0/24.",
			       field, s != NULL ? s : "");
}

char *stim_cidr_format(const struct stim_cidr *c, char buf[STIM_CIDR_BUFSZ])
{
	char a[STIM_IPV4_BUFSZ];

	snprintf(buf, STIM_CIDR_BUFSZ, "%s/%d", stim_ipv4_format(c->addr, a), c->prefix);
	return buf;
}

uint32_t stim_cidr_size(const struct stim_cidr *c)
{
	return c->prefix == 0 ? 0 : UINT32_C(1) << (32 - c->prefix);
}

uint32_t stim_cidr_last(const struct stim_cidr *c)
{
	return c->addr | ~mask_of(c->prefix);
}

bool stim_cidr_contains(const struct stim_cidr *c, uint32_t addr)
{
	return (addr & mask_of(c->prefix)) == c->addr;
}

bool stim_cidr_overlaps(const struct stim_cidr *a, const struct stim_cidr *b)
{
	return stim_cidr_contains(a, b->addr) || stim_cidr_contains(b, a->addr);
}

bool stim_cidr_within(const struct stim_cidr *outer, const struct stim_cidr *inner)
{
	return inner->prefix >= outer->prefix && stim_cidr_contains(outer, inner->addr);
}

uint32_t stim_cidr_gateway(const struct stim_cidr *c)
{
	return c->addr + 1;
}

bool stim_cidr_reserved(const struct stim_cidr *c, uint32_t addr)
{
	uint32_t last = stim_cidr_last(c);

	return addr == c->addr || addr == c->addr + 1 || addr == last - 1 || addr == last;
}

int stim_cidr_first_free(const struct stim_cidr *c, const uint32_t *used, size_t n, uint32_t *out)
{
	uint32_t last = stim_cidr_last(c);
	size_t i = 0;

	if (c->prefix > 29)
		return -1;
	for (uint32_t a = c->addr + 2; a <= last - 2; a++) {
		while (i < n && used[i] < a)
			i++;
		if (i < n && used[i] == a)
			continue;
		*out = a;
		return 0;
	}
	return -1;
}
