/* The daemon's signing key: made once (0600) and the same when loaded
 * again; the JWTs it signs verify with it and fail once tampered with. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/evp.h>

#include "src/cleanup.h"
#include "src/jwt.h"
#include "src/rsa_keys.h"
#include "src/signing.h"
#include "src/util.h"

static void test_sign_and_verify(void **state)
{
	char tmp[] = "/tmp/stim-unit-signing-XXXXXX";
	cleanup_error stim_error_t err = NULL;
	struct stim_signing_key *k;
	struct stim_signing_key *again;
	cleanup_free char *path = NULL;
	cleanup_free char *jwt = NULL;
	json_t *claims = json_pack("{s:s, s:i}", "aud", "https://example.com", "exp", 42);
	json_t *got = NULL;
	struct stat st;

	assert_non_null(mkdtemp(tmp));
	k = stim_signing_key_load(tmp, &err);
	assert_non_null(k);
	path = xasprintf("%s/keys/signing.pem", tmp);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	again = stim_signing_key_load(tmp, &err);
	assert_non_null(again);
	assert_string_equal(stim_signing_key_id(k), stim_signing_key_id(again));

	jwt = stim_jwt_sign(k, claims, &err);
	assert_non_null(jwt);
	assert_int_equal(stim_jwt_verify(again, jwt, &got, &err), 0);
	assert_string_equal(json_string_value(json_object_get(got, "aud")), "https://example.com");
	json_decref(got);
	/* One byte of the claims changed: the signature no longer holds. */
	jwt[strchr(jwt, '.') - jwt + 2] ^= 1;
	assert_int_equal(stim_jwt_verify(k, jwt, &got, &err), -1);
	assert_int_equal(err->code, STIM_UNAUTHENTICATED);
	assert_null(got);

	json_decref(claims);
	stim_signing_key_free(k);
	stim_signing_key_free(again);
	unlink(path);
	path[strlen(path) - strlen("/signing.pem")] = '\0';
	rmdir(path);
	rmdir(tmp);
}

/* A daemon that never signs never makes a key: open reads nothing, the
 * first signature makes it. */
static void test_lazy(void **state)
{
	char tmp[] = "/tmp/stim-unit-signing-XXXXXX";
	cleanup_error stim_error_t err = NULL;
	cleanup_free char *path = NULL;
	cleanup_free char *jwt = NULL;
	struct stim_signing_key *k;
	json_t *claims = json_pack("{s:s}", "aud", "x");
	struct stat st;

	assert_non_null(mkdtemp(tmp));
	k = stim_signing_key_open(tmp);
	path = xasprintf("%s/keys/signing.pem", tmp);
	assert_int_equal(stat(path, &st), -1);
	jwt = stim_jwt_sign(k, claims, &err);
	assert_non_null(jwt);
	assert_int_equal(stat(path, &st), 0);
	json_decref(claims);
	stim_signing_key_free(k);
	unlink(path);
	path[strlen(path) - strlen("/signing.pem")] = '\0';
	rmdir(path);
	rmdir(tmp);
}

/* A token that names another algorithm, or none, is refused unverified:
 * alg "none" with the signature dropped must not pass for signed. */
static void test_other_algorithms(void **state)
{
	cleanup_error stim_error_t err = NULL;
	EVP_PKEY *key = stim_rsa_generate();
	json_t *claims = json_pack("{s:s}", "aud", "x");
	cleanup_free char *jwt = stim_jwt_sign_with(key, "kid1", claims, &err);
	static const char alg_none[] = "{\"alg\":\"none\",\"typ\":\"JWT\"}";
	cleanup_free char *h = stim_base64_encode(alg_none, strlen(alg_none), true);
	cleanup_free char *none = NULL;
	json_t *header = NULL;
	json_t *got = NULL;

	assert_non_null(jwt);
	assert_int_equal(stim_jwt_peek(jwt, &header, &got, &err), 0);
	assert_string_equal(json_string_value(json_object_get(header, "kid")), "kid1");
	json_decref(header);
	json_decref(got);
	none = xasprintf("%s%.*s.", h, (int)(strrchr(jwt, '.') - strchr(jwt, '.')),
			 strchr(jwt, '.'));
	assert_int_equal(stim_jwt_verify_with(key, none, &got, &err), -1);
	assert_int_equal(err->code, STIM_UNAUTHENTICATED);
	assert_null(got);
	json_decref(claims);
	EVP_PKEY_free(key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sign_and_verify),
		cmocka_unit_test(test_lazy),
		cmocka_unit_test(test_other_algorithms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
