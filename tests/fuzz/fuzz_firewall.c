/*
 * Fuzzes firewall rule bodies (src/firewall_rule.c): any JSON is checked,
 * and a rule that passes renders to JSON that parses back to the same
 * rule (what the store relies on).
 */
#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/error.h"
#include "src/firewall_rule.h"
#include "src/json.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cleanup_error stim_error_t err = NULL;
	cleanup_json json_t *body = stim_json_parse_body((const char *)data, size, &err);
	cleanup_json json_t *once = NULL;
	cleanup_json json_t *twice = NULL;
	struct stim_firewall a = { 0 };
	struct stim_firewall b = { 0 };

	if (body == NULL)
		return 0;
	if (stim_firewall_from_json(body, &a, &err) < 0) {
		if (err == NULL)
			abort();
		stim_firewall_fini(&a);
		return 0;
	}
	once = stim_firewall_rule_json(&a);
	if (stim_firewall_from_json(once, &b, &err) < 0)
		abort();
	twice = stim_firewall_rule_json(&b);
	if (!json_equal(once, twice))
		abort();
	stim_firewall_fini(&a);
	stim_firewall_fini(&b);
	return 0;
}
