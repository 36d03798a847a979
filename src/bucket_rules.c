/* Bucket field checks: names, locations, classes, rpo, PAP (see bucket_rules.h). */
#include "src/bucket_rules.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "src/util.h"

#define NAME_MIN      3
#define NAME_MAX      63
#define DOTTED_MAX    222
#define COMPONENT_MAX 63

static const char *const multi_regions[] = { "US", "EU", "ASIA" };
/* The predefined dual-regions; configurable ones need customPlacementConfig,
 * which the emulator does not model. */
static const char *const dual_regions[] = { "ASIA1", "EUR4", "EUR5", "EUR7", "EUR8", "NAM4" };
static const char *const storage_classes[] = {
	"STANDARD",
	"NEARLINE",
	"COLDLINE",
	"ARCHIVE",
	"MULTI_REGIONAL",
	"REGIONAL",
	"DURABLE_REDUCED_AVAILABILITY",
};

static int bad_name(const char *name, const char *why, stim_error_t *err)
{
	return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
			       "Invalid bucket name: '%s'. %s", name, why);
}

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* "google" with the digits people swap in for letters ("g00gle", "goog1e")
 * read back as letters: GCS refuses such names too. */
static bool looks_like_google(const char *name)
{
	char folded[DOTTED_MAX + 1];
	size_t n = strlen(name);

	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		folded[i] = c == '0' ? 'o' : c == '1' ? 'l' : c == '3' ? 'e' : c;
	}
	folded[n] = '\0';
	return strstr(folded, "google") != NULL;
}

int stim_bucket_name_check(const char *name, stim_error_t *err)
{
	size_t n = strlen(name);
	bool dotted = strchr(name, '.') != NULL;
	size_t part = 0;
	struct in_addr addr;

	if (n < NAME_MIN || n > (dotted ? DOTTED_MAX : NAME_MAX))
		return bad_name(name,
				"Bucket names must be 3 to 63 characters long, or up to 222 "
				"when they contain dots.",
				err);
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!is_lower_alnum(c) && c != '-' && c != '_' && c != '.')
			return bad_name(name,
					"Bucket names may contain only lowercase letters, digits, "
					"dashes, underscores and dots.",
					err);
		if (c != '.') {
			part++;
			if (part > COMPONENT_MAX)
				return bad_name(name,
						"Each dot-separated part of a bucket name can be "
						"at most 63 characters long.",
						err);
			continue;
		}
		if (part == 0)
			return bad_name(name,
					"Bucket names cannot contain empty dot-separated parts.",
					err);
		part = 0;
	}
	if (!is_lower_alnum(name[0]) || !is_lower_alnum(name[n - 1]))
		return bad_name(name, "Bucket names must start and end with a letter or a digit.",
				err);
	if (inet_pton(AF_INET, name, &addr) == 1)
		return bad_name(name, "Bucket names cannot be IP addresses.", err);
	if (stim_str_has_prefix(name, "goog"))
		return bad_name(name, "Bucket names cannot begin with the \"goog\" prefix.", err);
	if (looks_like_google(name))
		return bad_name(name,
				"Bucket names cannot contain \"google\" or close misspellings of "
				"it.",
				err);
	return 0;
}

static bool in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(s, list[i]) == 0)
			return true;
	}
	return false;
}

/* AREA-DIRECTIONn, AREA-DIRECTION-...n: "US-CENTRAL1", "EUROPE-WEST10",
 * "NORTHAMERICA-NORTHEAST2". Regions come and go, so the shape is checked
 * rather than a list that would age. */
static bool region_shaped(const char *s)
{
	size_t i = 0;
	int words = 0;

	for (;;) {
		size_t start = i;

		while (s[i] >= 'A' && s[i] <= 'Z')
			i++;
		if (i == start)
			return false;
		words++;
		if (s[i] != '-')
			break;
		i++;
	}
	if (words < 2 || !isdigit((unsigned char)s[i]))
		return false;
	while (isdigit((unsigned char)s[i]))
		i++;
	return s[i] == '\0';
}

int stim_bucket_location_check(const char *location, char out[STIM_LOCATION_MAX], stim_error_t *err)
{
	size_t n = strlen(location);

	if (n == 0 || n >= STIM_LOCATION_MAX)
		goto bad;
	for (size_t i = 0; i <= n; i++)
		out[i] = (char)toupper((unsigned char)location[i]);
	if (in_list(out, multi_regions, STIM_ARRAY_SIZE(multi_regions)) ||
	    in_list(out, dual_regions, STIM_ARRAY_SIZE(dual_regions)) || region_shaped(out))
		return 0;
bad:
	return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
			       "The specified location constraint is not valid: '%s'.", location);
}

const char *stim_bucket_location_type(const char *location)
{
	if (in_list(location, multi_regions, STIM_ARRAY_SIZE(multi_regions)))
		return "multi-region";
	if (in_list(location, dual_regions, STIM_ARRAY_SIZE(dual_regions)))
		return "dual-region";
	return "region";
}

int stim_storage_class_check(const char *s, const char **out, stim_error_t *err)
{
	for (size_t i = 0; i < STIM_ARRAY_SIZE(storage_classes); i++) {
		if (strcasecmp(s, storage_classes[i]) == 0) {
			*out = storage_classes[i];
			return 0;
		}
	}
	return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
			       "Invalid storage class: '%s'. Expected STANDARD, NEARLINE, "
			       "COLDLINE or ARCHIVE.",
			       s);
}

int stim_bucket_rpo_check(const char *rpo, const char *location, const char **out,
			  stim_error_t *err)
{
	if (strcasecmp(rpo, "DEFAULT") == 0) {
		*out = "DEFAULT";
		return 0;
	}
	if (strcasecmp(rpo, "ASYNC_TURBO") != 0)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
				       "Invalid rpo: '%s'. Expected DEFAULT or ASYNC_TURBO.", rpo);
	if (strcmp(stim_bucket_location_type(location), "dual-region") != 0)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
				       "Turbo replication (rpo ASYNC_TURBO) needs a dual-region "
				       "bucket; '%s' is a %s.",
				       location, stim_bucket_location_type(location));
	*out = "ASYNC_TURBO";
	return 0;
}

int stim_bucket_pap_check(const char *pap, const char **out, stim_error_t *err)
{
	if (strcmp(pap, "inherited") == 0 || strcmp(pap, "unspecified") == 0) {
		*out = "inherited";
		return 0;
	}
	if (strcmp(pap, "enforced") == 0) {
		*out = "enforced";
		return 0;
	}
	return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
			       "Invalid publicAccessPrevention: '%s'. Expected 'inherited' or "
			       "'enforced'.",
			       pap);
}
