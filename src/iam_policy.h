#pragma once
/*
 * An IAM policy as Google's APIs carry it: a version and bindings of a role
 * to members, optionally under a condition (IAM Conditions, which need
 * policy version 3). Buckets hold one now; projects and service accounts
 * will hold the same shape. Policies are stored, not yet enforced.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/error.h"
#include "src/strv.h"

struct stim_iam_binding {
	char *role;
	struct stim_strv members; /* sorted, without repeats */
	/* A condition, or all three NULL. */
	char *cond_title;
	char *cond_description;
	char *cond_expression;
};

struct stim_iam_policy {
	int version; /* 1, or 3 when conditions may be present */
	/* On read: the policy's etag. On write: the etag the caller read,
	 * which must still be current (NULL: write regardless). */
	char *etag;
	size_t n;
	struct stim_iam_binding *bindings;
};

/* Appends an empty binding for role; valid until the next append. */
struct stim_iam_binding *stim_iam_policy_add(struct stim_iam_policy *p, const char *role);
void stim_iam_policy_fini(struct stim_iam_policy *p);
bool stim_iam_policy_has_conditions(const struct stim_iam_policy *p);

/*
 * Checks a policy a caller sent and brings it to the stored form: version
 * 0 reads as 1, versions other than 1 and 3 are refused, conditions need
 * version 3; roles are "roles/x" or a custom role's full name; members
 * carry a known type ("user:", "serviceAccount:", "group:", "domain:",
 * "projectOwner:", ..., "allUsers", "allAuthenticatedUsers"). Bindings
 * without members are dropped, as IAM does.
 */
int stim_iam_policy_check(struct stim_iam_policy *p, stim_error_t *err);

/* The etag of what IAM keeps at generation gen (a policy, a custom role):
 * the generation's eight bytes in base64; gen 0, a resource never given a
 * policy, is IAM's "ACAB". Compared as bytes (src/etag.h). The caller's. */
char *stim_iam_etag(int64_t gen);
