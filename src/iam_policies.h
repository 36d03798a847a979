#pragma once
/*
 * The IAM policies of projects (Resource Manager's getIamPolicy and
 * setIamPolicy) and of service accounts (IAM's), read-modify-write by
 * etag: a set naming an etag other than the current one is ABORTED (409,
 * "There were concurrent policy changes"), as IAM answers, and gcloud
 * does not retry it. Etags are compared as bytes (src/etag.h): a policy's
 * is its generation's eight bytes; a resource never given a policy has
 * IAM's "ACAB". A policy with conditions is read only by a caller asking
 * for version 3. A binding's role must be one IAM would grant there: a
 * predefined role that grants something on that kind of resource, or a
 * live custom role of the resource's own project. Buckets keep theirs in
 * src/buckets.c, whose etag is the bucket's own.
 */

#include "src/context.h"
#include "src/error.h"
#include "src/iam_policy.h"

/* project: an id or a number. */
int stim_project_iam_get(struct stim_ctx *ctx, const char *project, int requested_version,
			 struct stim_iam_policy *out, stim_error_t *err);
int stim_project_iam_set(struct stim_ctx *ctx, const char *project, struct stim_iam_policy *in,
			 struct stim_iam_policy *out, stim_error_t *err);
/* account: an email or a unique id. */
int stim_sa_iam_get(struct stim_ctx *ctx, const char *account, int requested_version,
		    struct stim_iam_policy *out, stim_error_t *err);
int stim_sa_iam_set(struct stim_ctx *ctx, const char *account, struct stim_iam_policy *in,
		    struct stim_iam_policy *out, stim_error_t *err);

/* Adds member to role's (unconditional) binding in project's policy,
 * unless it is there: the owner a project's creator becomes, and the one
 * `serve --owner` names. */
int stim_project_iam_grant(struct stim_ctx *ctx, const char *project, const char *role,
			   const char *member, stim_error_t *err);
