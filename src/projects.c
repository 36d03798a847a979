/* Resource Manager projects: ids, names, lifecycle, list filters (see projects.h). */
#include "src/projects.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/firewalls.h"
#include "src/lro.h"
#include "src/page_token.h"
#include "src/projects_filter.h"
#include "src/authz.h"
#include "src/store_iam_policies.h"
#include "src/store_projects.h"
#include "src/util.h"

#define PAGE_SIZE_DEFAULT 500
#define PAGE_SIZE_MAX	  1000
/* Project numbers are twelve digits, as Google's are. */
#define NUMBER_MIN  100000000000LL
#define NUMBER_SPAN 900000000000ULL

const char *stim_project_state_name(enum stim_project_state s)
{
	return s == STIM_PROJECT_ACTIVE ? "ACTIVE" : "DELETE_REQUESTED";
}

int stim_project_id_check(const char *id, stim_error_t *err)
{
	size_t n = strlen(id);

	/* The rules Resource Manager states for projectId. */
	if (n < 6 || n > 30)
		return stim_err(err, STIM_INVALID_ARGUMENT,
				"Project ID '%s' is invalid: it must be 6 to 30 characters long.",
				id);
	if (!(id[0] >= 'a' && id[0] <= 'z'))
		return stim_err(err, STIM_INVALID_ARGUMENT,
				"Project ID '%s' is invalid: it must start with a lowercase "
				"letter.",
				id);
	for (size_t i = 0; i < n; i++) {
		char c = id[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return stim_err(err, STIM_INVALID_ARGUMENT,
					"Project ID '%s' is invalid: it may contain only "
					"lowercase letters, digits and hyphens.",
					id);
	}
	if (id[n - 1] == '-')
		return stim_err(err, STIM_INVALID_ARGUMENT,
				"Project ID '%s' is invalid: it cannot end with a hyphen.", id);
	return 0;
}

int stim_project_name_check(const char *name, stim_error_t *err)
{
	size_t n = strlen(name);

	/* Resource Manager v1: "4 to 30 characters; letters, numbers, hyphen,
	 * single-quote, double-quote, space, and exclamation point". */
	if (n < 4 || n > 30)
		return stim_err(err, STIM_INVALID_ARGUMENT,
				"Project name '%s' is invalid: it must be 4 to 30 characters long.",
				name);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (!(isalnum(c) || c == '-' || c == '\'' || c == '"' || c == ' ' || c == '!'))
			return stim_err(err, STIM_INVALID_ARGUMENT,
					"Project name '%s' is invalid: it may contain only "
					"letters, digits, hyphens, quotes, spaces and "
					"exclamation points.",
					name);
	}
	return 0;
}

void stim_project_fini(struct stim_project *p)
{
	free(p->project_id);
	free(p->name);
	free(p->parent_type);
	free(p->parent_id);
	stim_labels_fini(&p->labels);
	memset(p, 0, sizeof(*p));
}

void stim_project_page_fini(struct stim_project_page *page)
{
	for (size_t i = 0; i < page->n; i++)
		stim_project_fini(&page->items[i]);
	free(page->items);
	free(page->next_page_token);
	memset(page, 0, sizeof(*page));
}

/* Resource Manager answers the same for "absent" and "not yours", so that
 * ids cannot be probed (reference/gcloud/iam.md: gcloud then prints "does
 * not have permission to access projects instance [x] (or it may not exist)"). */
static int not_visible(const char *id, stim_error_t *err)
{
	return stim_err_reason(err, STIM_PERMISSION_DENIED, "forbidden",
			       "The caller does not have permission to access project '%s', or it "
			       "does not exist.",
			       id);
}

/* Reads a project by id or by number; an unknown one is not visible. */
static int load(struct stim_db *db, const char *id, struct stim_project *out, stim_error_t *err)
{
	stim_error_t lerr = NULL;
	int ret;

	if (id[0] >= '1' && id[0] <= '9' && strspn(id, "0123456789") == strlen(id))
		ret = stim_store_project_get_by_number(db, strtoll(id, NULL, 10), out, &lerr);
	else
		ret = stim_store_project_get(db, id, out, &lerr);
	if (ret < 0) {
		if (lerr->code == STIM_NOT_FOUND) {
			stim_error_free(lerr);
			return not_visible(id, err);
		}
		*err = lerr;
		return -1;
	}
	return 0;
}

static int check_spec(const struct stim_project_spec *spec, stim_error_t *err)
{
	if (spec->name != NULL && stim_project_name_check(spec->name, err) < 0)
		return -1;
	if ((spec->parent_type == NULL) != (spec->parent_id == NULL))
		return stim_err(err, STIM_INVALID_ARGUMENT, "parent needs both a type and an id.");
	if (spec->parent_type != NULL && strcmp(spec->parent_type, "organization") != 0 &&
	    strcmp(spec->parent_type, "folder") != 0)
		return stim_err(err, STIM_INVALID_ARGUMENT,
				"parent.type '%s' is invalid: expected 'organization' or "
				"'folder'.",
				spec->parent_type);
	return 0;
}

static void copy_labels(struct stim_labels *dst, const struct stim_labels *src)
{
	stim_labels_fini(dst);
	for (size_t i = 0; i < src->n; i++)
		stim_labels_set(dst, src->v[i].key, src->v[i].value);
}

/* Inserts a new project from spec, inside the caller's transaction. On
 * success *p is the stored project (the caller's). */
static int insert_new(struct stim_db *db, const struct stim_project_spec *spec,
		      struct stim_project *p, stim_error_t *err)
{
	stim_error_t gerr = NULL;

	/* A taken id is the caller's conflict; ask first, so that a clash on
	 * the insert below can only be a random number drawn twice. */
	if (stim_store_project_get(db, spec->project_id, p, &gerr) == 0) {
		stim_project_fini(p);
		return stim_err_reason(err, STIM_ALREADY_EXISTS, "alreadyExists",
				       "Requested entity already exists: project '%s'.",
				       spec->project_id);
	}
	if (gerr->code != STIM_NOT_FOUND) {
		*err = gerr;
		return -1;
	}
	stim_error_free(gerr);

	memset(p, 0, sizeof(*p));
	p->project_id = xstrdup(spec->project_id);
	p->name = xstrdup(spec->name != NULL ? spec->name : spec->project_id);
	p->state = STIM_PROJECT_ACTIVE;
	p->parent_type = xstrdup_or_null(spec->parent_type);
	p->parent_id = xstrdup_or_null(spec->parent_id);
	p->create_time_ms = stim_now_ms();
	if (spec->has_labels)
		copy_labels(&p->labels, &spec->labels);

	/* A random twelve-digit number; on the rare collision draw again. */
	for (int attempt = 0;; attempt++) {
		stim_error_t ierr = NULL;

		p->number = NUMBER_MIN + (int64_t)(stim_random_u64() % NUMBER_SPAN);
		if (stim_store_project_insert(db, p, &ierr) == 0)
			break;
		if (ierr->code != STIM_ALREADY_EXISTS || attempt >= 8) {
			stim_project_fini(p);
			*err = ierr;
			return -1;
		}
		stim_error_free(ierr);
	}
	/* GCE gives a project with Compute Engine its default network and
	 * firewall rules; here every project has Compute Engine. */
	if (stim_firewall_create_default_network(db, p->project_id, err) < 0) {
		stim_project_fini(p);
		return -1;
	}
	return 0;
}

/* The new project's first policy: its creator owns it. */
static int own(struct stim_db *db, const char *project_id, const char *owner, stim_error_t *err)
{
	cleanup_free char *resource = xasprintf("projects/%s", project_id);
	struct stim_iam_policy p = { .version = 1 };
	int ret;

	stim_strv_push(&stim_iam_policy_add(&p, "roles/owner")->members, owner);
	ret = stim_store_iam_policy_put(db, resource, &p, 1, err);
	stim_iam_policy_fini(&p);
	return ret;
}

int stim_project_create(struct stim_ctx *ctx, const struct stim_project_spec *spec,
			struct stim_lro *op, stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	cleanup_tx struct stim_tx *tx = NULL;
	cleanup_free char *name = NULL;
	struct stim_project p;

	if (db == NULL)
		return -1;
	if (spec->project_id == NULL || spec->project_id[0] == '\0')
		return stim_err(err, STIM_INVALID_ARGUMENT, "Field 'projectId' is required.");
	if (stim_project_id_check(spec->project_id, err) < 0 || check_spec(spec, err) < 0)
		return -1;
	tx = stim_tx_begin(db, err);
	if (tx == NULL)
		return -1;
	if (insert_new(db, spec, &p, err) < 0)
		return -1;
	if ((spec->owner != NULL && own(db, p.project_id, spec->owner, err) < 0) ||
	    stim_lro_record(db, "cp", "project.create", p.project_id, &name, err) < 0 ||
	    stim_tx_commit(steal_pointer(&tx), err) < 0) {
		stim_project_fini(&p);
		return -1;
	}
	stim_project_fini(&p);
	/* Read back the way GET /v1/operations/{name} does, so both answer alike. */
	return stim_lro_get(ctx, name, op, err);
}

int stim_project_ensure(struct stim_ctx *ctx, const char *id, stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	cleanup_tx struct stim_tx *tx = NULL;
	struct stim_project p;
	stim_error_t gerr = NULL;
	struct stim_project_spec spec = { .project_id = id };

	if (db == NULL)
		return -1;
	if (stim_project_id_check(id, err) < 0)
		return stim_err_wrap(err, "--default-project");
	tx = stim_tx_begin(db, err);
	if (tx == NULL)
		return -1;
	if (stim_store_project_get(db, id, &p, &gerr) == 0) {
		stim_project_fini(&p);
		return 0;
	}
	if (gerr->code != STIM_NOT_FOUND) {
		*err = gerr;
		return -1;
	}
	stim_error_free(gerr);
	if (insert_new(db, &spec, &p, err) < 0)
		return -1;
	stim_project_fini(&p);
	return stim_tx_commit(steal_pointer(&tx), err);
}

int stim_project_get(struct stim_ctx *ctx, const char *id, struct stim_project *out,
		     stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);

	if (db == NULL)
		return -1;
	return load(db, id, out, err);
}

/* Whether the caller of a list may see the project (projects.h). */
static bool visible(struct stim_ctx *ctx, const struct stim_project_query *q, const char *id)
{
	cleanup_error stim_error_t e = NULL;

	if (!q->for_caller || ctx->cfg == NULL || ctx->cfg->auth != STIM_AUTH_ENFORCE)
		return true;
	return stim_authz_check(ctx, q->caller, "resourcemanager.projects.get", STIM_AUTHZ_PROJECT,
				id, &e) == 0;
}

int stim_project_list(struct stim_ctx *ctx, const struct stim_project_query *q,
		      struct stim_project_page *out, stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	cleanup_projects_filter struct stim_projects_filter *filter = NULL;
	struct stim_project_page page = { 0 };
	char after[64] = "";
	int size = q->page_size > 0 ? q->page_size : PAGE_SIZE_DEFAULT;

	if (db == NULL)
		return -1;
	if (size > PAGE_SIZE_MAX)
		size = PAGE_SIZE_MAX;
	filter = stim_projects_filter_parse(q->filter != NULL ? q->filter : "", err);
	if (filter == NULL)
		return -1;
	if (stim_page_token_decode(q->page_token, NULL, after, sizeof(after), err) < 0)
		return -1;

	/* The store narrows by state; the rest of the filter is applied here,
	 * scanning on in batches until the page is full or rows run out. */
	while (page.n < (size_t)size) {
		struct stim_project *rows = NULL;
		size_t n = 0;
		size_t i;

		if (stim_store_project_scan(db, after, stim_projects_filter_state(filter), size,
					    &rows, &n, err) < 0) {
			stim_project_page_fini(&page);
			return -1;
		}
		for (i = 0; i < n && page.n < (size_t)size; i++) {
			snprintf(after, sizeof(after), "%s", rows[i].project_id);
			if (!stim_projects_filter_match(filter, &rows[i]) ||
			    !visible(ctx, q, rows[i].project_id)) {
				stim_project_fini(&rows[i]);
				continue;
			}
			page.items = xrealloc(page.items, (page.n + 1) * sizeof(*page.items));
			page.items[page.n++] = rows[i];
		}
		for (size_t j = i; j < n; j++)
			stim_project_fini(&rows[j]);
		free(rows);
		if (n < (size_t)size && i == n)
			break; /* the table is exhausted */
		if (page.n == (size_t)size)
			page.next_page_token = stim_page_token_encode(after);
	}
	*out = page;
	return 0;
}

/* Loads an ACTIVE project for a change, inside the caller's transaction. */
static int load_active(struct stim_db *db, const char *id, struct stim_project *p,
		       stim_error_t *err)
{
	if (load(db, id, p, err) < 0)
		return -1;
	if (p->state != STIM_PROJECT_ACTIVE) {
		stim_project_fini(p);
		return stim_err_reason(err, STIM_FAILED_PRECONDITION, "failedPrecondition",
				       "Project '%s' is not active: its state is DELETE_REQUESTED.",
				       id);
	}
	return 0;
}

int stim_project_update(struct stim_ctx *ctx, const char *id, const struct stim_project_spec *spec,
			struct stim_project *out, stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	cleanup_tx struct stim_tx *tx = NULL;
	struct stim_project p;

	if (db == NULL)
		return -1;
	if (check_spec(spec, err) < 0)
		return -1;
	tx = stim_tx_begin(db, err);
	if (tx == NULL)
		return -1;
	if (load_active(db, id, &p, err) < 0)
		return -1;
	if (spec->project_id != NULL && strcmp(spec->project_id, p.project_id) != 0) {
		stim_project_fini(&p);
		return stim_err(err, STIM_INVALID_ARGUMENT,
				"projectId '%s' in the body does not match '%s' in the URL.",
				spec->project_id, id);
	}
	/* The parent may be set once; moving projects needs the v3 move call. */
	if (spec->parent_type != NULL && p.parent_type != NULL &&
	    (strcmp(spec->parent_type, p.parent_type) != 0 ||
	     strcmp(spec->parent_id, p.parent_id) != 0)) {
		stim_project_fini(&p);
		return stim_err(err, STIM_INVALID_ARGUMENT,
				"The parent of project '%s' is already set and cannot be changed "
				"by update.",
				id);
	}
	if (spec->name != NULL) {
		free(p.name);
		p.name = xstrdup(spec->name);
	}
	if (spec->parent_type != NULL && p.parent_type == NULL) {
		p.parent_type = xstrdup(spec->parent_type);
		p.parent_id = xstrdup(spec->parent_id);
	}
	if (spec->has_labels)
		copy_labels(&p.labels, &spec->labels);
	if (stim_store_project_update(db, &p, err) < 0 ||
	    stim_tx_commit(steal_pointer(&tx), err) < 0) {
		stim_project_fini(&p);
		return -1;
	}
	*out = p;
	return 0;
}

static int set_state(struct stim_ctx *ctx, const char *id, enum stim_project_state from,
		     enum stim_project_state to, stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	cleanup_tx struct stim_tx *tx = NULL;
	struct stim_project p;
	int ret;

	if (db == NULL)
		return -1;
	tx = stim_tx_begin(db, err);
	if (tx == NULL)
		return -1;
	if (load(db, id, &p, err) < 0)
		return -1;
	if (p.state != from) {
		ret = stim_err_reason(err, STIM_FAILED_PRECONDITION, "failedPrecondition",
				      "Project '%s' is in state %s; this call needs %s.", id,
				      stim_project_state_name(p.state),
				      stim_project_state_name(from));
		stim_project_fini(&p);
		return ret;
	}
	p.state = to;
	ret = stim_store_project_update(db, &p, err);
	stim_project_fini(&p);
	if (ret < 0)
		return -1;
	return stim_tx_commit(steal_pointer(&tx), err);
}

int stim_project_delete(struct stim_ctx *ctx, const char *id, stim_error_t *err)
{
	return set_state(ctx, id, STIM_PROJECT_ACTIVE, STIM_PROJECT_DELETE_REQUESTED, err);
}

int stim_project_undelete(struct stim_ctx *ctx, const char *id, stim_error_t *err)
{
	return set_state(ctx, id, STIM_PROJECT_DELETE_REQUESTED, STIM_PROJECT_ACTIVE, err);
}
