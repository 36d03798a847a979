/* objects.list: pages of a bucket's objects over the (bucket, name,
 * generation) index (see objects.h). */
#include "src/objects.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "src/buckets.h"
#include "src/cleanup.h"
#include "src/glob.h"
#include "src/store_objects.h"
#include "src/util.h"

#define LIST_MAX 1000
/* Rows a page may look at beyond what it returns. A sparse filter
 * (matchGlob) then ends a page early, with a token, rather than walk the
 * bucket: Cloud Storage's pages may also hold fewer items than asked. */
#define LIST_SCAN_BUDGET 10000
/* With a delimiter, a round may end after its first row (a "directory" is
 * skipped by a new seek), so rounds start small and grow while they last. */
#define LIST_DIR_BATCH 32

void stim_object_page_fini(struct stim_object_page *p)
{
	for (size_t i = 0; i < p->n; i++)
		stim_object_fini(&p->items[i]);
	free(p->items);
	for (size_t i = 0; i < p->nprefixes; i++)
		free(p->prefixes[i]);
	free(p->prefixes);
	free(p->next_page_token);
	memset(p, 0, sizeof(*p));
}

/* The smallest string above every string that starts with p (p's last byte
 * plus one); NULL when there is none (p empty, or all 0xff). */
static char *prefix_end(const char *p)
{
	size_t n = strlen(p);
	char *e;

	while (n > 0 && (unsigned char)p[n - 1] == 0xff)
		n--;
	if (n == 0)
		return NULL;
	e = xstrndup(p, n);
	e[n - 1] = (char)((unsigned char)e[n - 1] + 1);
	return e;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Page tokens say where the next page starts: names >= from, skipping the
 * generations <= gen of `from` itself (versions listings). */
static char *make_token(const char *from, int64_t gen)
{
	cleanup_free char *raw = xasprintf("%s\n%" PRId64, from, gen);

	return stim_base64_encode(raw, strlen(raw), true);
}

static int read_token(const char *token, char **from, int64_t *gen, stim_error_t *err)
{
	size_t cap = strlen(token);
	cleanup_free unsigned char *raw = xmalloc(cap + 1);
	int n = stim_base64_decode(token, raw, cap);
	char *nl;

	if (n <= 0)
		goto bad;
	raw[n] = '\0';
	nl = strrchr((char *)raw, '\n');
	if (nl == NULL || memchr(raw, '\0', (size_t)n) != NULL)
		goto bad;
	*nl = '\0';
	*gen = strtoll(nl + 1, NULL, 10);
	*from = xstrdup((char *)raw);
	return 0;
bad:
	return stim_err(err, STIM_INVALID_ARGUMENT, "Invalid page token '%s'.", token);
}

static bool is_last_prefix(const struct stim_object_page *p, const char *dir)
{
	return p->nprefixes > 0 && strcmp(p->prefixes[p->nprefixes - 1], dir) == 0;
}

static void add_item(struct stim_object_page *p, struct stim_object *o)
{
	p->items = xrealloc(p->items, (p->n + 1) * sizeof(*p->items));
	p->items[p->n++] = *o;
	memset(o, 0, sizeof(*o));
}

/* Adds a "directory" (taking it) unless it is the one added last: the
 * generations of an object named like it come one after the other. */
static void add_prefix(struct stim_object_page *p, char *prefix)
{
	if (is_last_prefix(p, prefix)) {
		free(prefix);
		return;
	}
	p->prefixes = xrealloc(p->prefixes, (p->nprefixes + 1) * sizeof(*p->prefixes));
	p->prefixes[p->nprefixes++] = prefix;
}

/* With a delimiter: the "directory" a name falls in (the caller's), or
 * NULL when the rest of it after the prefix holds no delimiter. *as_item
 * says whether the object is listed in items too: always without a
 * directory; with one, only when asked for and the name ends in its only
 * delimiter ("a/"). */
static char *directory_of(const char *name, const char *prefix, const char *delim,
			  bool include_trailing, bool *as_item)
{
	const char *d = strstr(name + strlen(prefix), delim);

	*as_item = d == NULL || (include_trailing && d[strlen(delim)] == '\0');
	return d != NULL ? xstrndup(name, (size_t)(d - name) + strlen(delim)) : NULL;
}

/* Where a listing is in the index: names >= from (skipping the generations
 * <= after_gen of `from` itself), below upto (NULL: no bound). */
struct cursor {
	char *from;
	int64_t after_gen;
	char *upto;
	bool done;
};

static void cursor_fini(struct cursor *c)
{
	free(c->from);
	free(c->upto);
}

/* Moves the cursor just past one row. */
static void cursor_past_row(struct cursor *c, const struct stim_object *o, bool versions)
{
	free(c->from);
	if (versions) {
		c->from = xstrdup(o->name);
		c->after_gen = o->generation;
	} else {
		/* Names hold no NUL, so name + "\x01" is the smallest name
		 * above this one. */
		c->from = xasprintf("%s\x01", o->name);
		c->after_gen = 0;
	}
}

/* Moves the cursor past every name that starts with dir. */
static void cursor_past_prefix(struct cursor *c, const char *dir)
{
	free(c->from);
	c->from = prefix_end(dir);
	c->after_gen = 0;
	if (c->from == NULL)
		c->done = true;
}

/* The first range: the prefix (narrowed further by the glob's literal
 * prefix), startOffset and endOffset, the highest lower bound and the
 * lowest upper bound winning; then the page token. */
static int cursor_start(struct cursor *c, const struct stim_object_query *q, const char *prefix,
			const struct stim_glob *glob, stim_error_t *err)
{
	const char *lower = prefix;

	if (glob != NULL) {
		const char *gp = stim_glob_literal_prefix(glob);

		if (starts_with(gp, prefix))
			lower = gp;
		else if (!starts_with(prefix, gp))
			c->done = true; /* no name can have both */
	}
	c->from = xstrdup(lower);
	c->upto = prefix_end(lower);
	if (q->start_offset != NULL && strcmp(q->start_offset, c->from) > 0) {
		free(c->from);
		c->from = xstrdup(q->start_offset);
	}
	if (q->end_offset != NULL && q->end_offset[0] != '\0' &&
	    (c->upto == NULL || strcmp(q->end_offset, c->upto) < 0)) {
		free(c->upto);
		c->upto = xstrdup(q->end_offset);
	}
	if (q->page_token != NULL && q->page_token[0] != '\0') {
		char *from = NULL;
		int64_t gen = 0;

		if (read_token(q->page_token, &from, &gen, err) < 0)
			return -1;
		/* A token from another query cannot widen this one. */
		if (strcmp(from, c->from) >= 0) {
			free(c->from);
			c->from = from;
			c->after_gen = gen;
		} else {
			free(from);
		}
	}
	return 0;
}

int stim_object_list(struct stim_ctx *ctx, const struct stim_object_query *q,
		     struct stim_object_page *out, stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	cleanup_glob struct stim_glob *glob = NULL;
	const char *prefix = q->prefix != NULL ? q->prefix : "";
	const char *delim = q->delimiter != NULL && q->delimiter[0] ? q->delimiter : NULL;
	struct stim_object_page page = { 0 };
	struct cursor c = { 0 };
	struct stim_bucket b;
	size_t max =
		q->max_results > 0 && q->max_results < LIST_MAX ? (size_t)q->max_results : LIST_MAX;
	size_t budget = q->scan_budget > 0 ? (size_t)q->scan_budget : LIST_SCAN_BUDGET;
	size_t batch = delim != NULL ? LIST_DIR_BATCH : LIST_MAX + 1;

	if (stim_bucket_get(ctx, q->bucket, NULL, &b, err) < 0)
		return -1;
	stim_bucket_fini(&b);
	if (q->match_glob != NULL && (glob = stim_glob_compile(q->match_glob, err)) == NULL)
		return -1;
	if (cursor_start(&c, q, prefix, glob, err) < 0) {
		cursor_fini(&c);
		return -1;
	}

	/* Each round is one index range from the cursor; a delimiter's
	 * "directory" is skipped by seeking past it, so a page costs what it
	 * returns (plus the rows a glob turns away, up to the budget), not
	 * what the bucket holds. */
	while (!c.done) {
		struct stim_object *rows = NULL;
		size_t n = 0;
		size_t i;
		size_t used = page.n + page.nprefixes;
		/* The rest of the page and one more, to know if there is a
		 * next page (a page may be over by one: see below). */
		size_t limit = used < max ? max - used + 1 : 1;
		bool reseek = false;

		if (budget == 0) {
			page.next_page_token = make_token(c.from, c.after_gen);
			break;
		}
		if (limit > batch)
			limit = batch;
		if (limit > budget)
			limit = budget;
		if (stim_store_object_scan(db, q->bucket, c.from, c.after_gen, c.upto, q->versions,
					   (int)limit, &rows, &n, err) < 0) {
			stim_object_page_fini(&page);
			cursor_fini(&c);
			return -1;
		}
		for (i = 0; i < n && !reseek && !c.done; i++) {
			struct stim_object *o = &rows[i];
			bool as_item = true;
			char *dir = NULL;
			size_t need;

			if (glob != NULL && !stim_glob_match(glob, o->name)) {
				cursor_past_row(&c, o, q->versions);
				continue;
			}
			if (delim != NULL)
				dir = directory_of(o->name, prefix, delim,
						   q->include_trailing_delimiter, &as_item);
			need = (size_t)as_item + (dir != NULL && !is_last_prefix(&page, dir));
			/* One past the page: the next one starts here. An item
			 * and its own new prefix are never split, and a page
			 * holds at least one entry. */
			if (need > 0 && page.n + page.nprefixes > 0 &&
			    page.n + page.nprefixes + need > max) {
				free(dir);
				page.next_page_token = make_token(c.from, c.after_gen);
				c.done = true;
				break;
			}
			if (dir != NULL)
				add_prefix(&page, dir);
			if (as_item)
				add_item(&page, o);
			/* Past a "directory" with one seek. Only a versions
			 * listing stays, for the other generations of an object
			 * named like it ("a/" is the first name under "a/"). */
			if (dir != NULL && !(as_item && q->versions)) {
				cursor_past_prefix(&c, page.prefixes[page.nprefixes - 1]);
				reseek = true;
			} else {
				cursor_past_row(&c, as_item ? &page.items[page.n - 1] : o,
						q->versions);
			}
		}
		budget -= i;
		batch = reseek ? LIST_DIR_BATCH : batch * 2 > LIST_MAX ? LIST_MAX + 1 : batch * 2;
		/* Fewer rows than asked for, all used: the range is exhausted. */
		if (!reseek && !c.done && n < limit && i == n)
			c.done = true;
		for (size_t j = 0; j < n; j++)
			stim_object_fini(&rows[j]);
		free(rows);
	}
	cursor_fini(&c);
	*out = page;
	return 0;
}
