#pragma once
/*
 * Firewall rules for tests, written as the JSON bodies gcloud sends and
 * parsed with GCE's checks (src/firewall_rule.h) into a fixed array. Every
 * test is its own executable, so the helpers are static inline.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "src/cleanup.h"
#include "src/firewall_rule.h"
#include "src/json.h"

#define FW_RULES_MAX 16

struct fw_rules {
	struct stim_firewall v[FW_RULES_MAX];
	size_t n;
};

static inline void fw_rules_add(struct fw_rules *s, const char *json)
{
	cleanup_error stim_error_t err = NULL;
	cleanup_json json_t *body = stim_json_parse_body(json, strlen(json), &err);

	assert_non_null(body);
	assert_true(s->n < FW_RULES_MAX);
	memset(&s->v[s->n], 0, sizeof(s->v[s->n]));
	if (stim_firewall_from_json(body, &s->v[s->n], &err) < 0)
		fail_msg("%s: %s", json, err->msg);
	s->n++;
}

static inline void fw_rules_fini(struct fw_rules *s)
{
	for (size_t i = 0; i < s->n; i++)
		stim_firewall_fini(&s->v[i]);
	s->n = 0;
}
