/* Access tokens: what is minted parses back to the same claims under the
 * same secret, and nothing else parses: another secret, a changed byte, a
 * token past its expiry, or a string that is no token of ours. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "src/cleanup.h"
#include "src/tokens.h"
#include "src/util.h"

static const unsigned char secret[32] = "0123456789abcdef0123456789abcde";
static const unsigned char other[32] = "fedcba9876543210fedcba987654321";

static void test_round_trip(void **state)
{
	struct stim_tokens *t = stim_tokens_new(secret, sizeof(secret));
	struct stim_token_claims in = { .principal = "serviceAccount:a@p.iam.gserviceaccount.com",
					.key_id = "abc123",
					.exp = 2000 };
	struct stim_token_claims out;
	cleanup_error stim_error_t err = NULL;
	cleanup_free char *tok = stim_token_mint(t, &in);

	assert_true(stim_str_has_prefix(tok, "ya29.stim."));
	assert_int_equal(stim_token_parse(t, tok, 1999, &out, &err), 0);
	assert_string_equal(out.principal, in.principal);
	assert_string_equal(out.key_id, "abc123");
	assert_int_equal(out.exp, 2000);
	stim_token_claims_fini(&out);
	/* Again, from the cache of verified tokens: the same claims, and
	 * still refused once expired. */
	assert_int_equal(stim_token_parse(t, tok, 1999, &out, &err), 0);
	assert_string_equal(out.key_id, "abc123");
	stim_token_claims_fini(&out);
	assert_int_equal(stim_token_parse(t, tok, 2000, &out, &err), -1);
	assert_int_equal(err->code, STIM_UNAUTHENTICATED);
	assert_null(out.principal);
	stim_tokens_free(t);
}

static void test_no_key(void **state)
{
	struct stim_tokens *t = stim_tokens_new(secret, sizeof(secret));
	struct stim_token_claims in = { .principal = "user:admin@example.com", .exp = 2000 };
	struct stim_token_claims out;
	cleanup_error stim_error_t err = NULL;
	cleanup_free char *tok = stim_token_mint(t, &in);

	assert_int_equal(stim_token_parse(t, tok, 10, &out, &err), 0);
	assert_string_equal(out.principal, "user:admin@example.com");
	assert_null(out.key_id);
	stim_token_claims_fini(&out);
	stim_tokens_free(t);
}

/* parse must refuse tok at now, UNAUTHENTICATED, leaving out empty. */
static void refused(struct stim_tokens *t, const char *tok, int64_t now)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_token_claims out;

	assert_int_equal(stim_token_parse(t, tok, now, &out, &err), -1);
	assert_int_equal(err->code, STIM_UNAUTHENTICATED);
	assert_null(out.principal);
}

static void test_refusals(void **state)
{
	struct stim_tokens *t = stim_tokens_new(secret, sizeof(secret));
	struct stim_tokens *o = stim_tokens_new(other, sizeof(other));
	struct stim_token_claims in = { .principal = "user:admin@example.com", .exp = 2000 };
	cleanup_free char *tok = stim_token_mint(t, &in);
	cleanup_free char *changed = xstrdup(tok);
	cleanup_free char *forged = NULL;
	char *dot = strrchr(changed, '.');

	refused(t, tok, 2000); /* expired: exp is not after now */
	refused(o, tok, 10);   /* another daemon's secret */
	/* A claim changed under the old signature: a longer life. */
	changed[strlen("ya29.stim.") + 3] ^= 1;
	refused(t, changed, 10);
	/* The signature cut short, or a byte of it changed. */
	*dot = '\0';
	refused(t, changed, 10);
	forged = xstrdup(tok);
	forged[strlen(forged) - 1] = forged[strlen(forged) - 1] == 'A' ? 'B' : 'A';
	refused(t, forged, 10);
	refused(t, "ya29.a0AfH6SMB-from-google", 10);
	refused(t, "", 10);
	refused(t, "ya29.stim.", 10);
	refused(t, "ya29.stim..", 10);
	stim_tokens_free(t);
	stim_tokens_free(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_no_key),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
