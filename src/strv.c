/* A growable list of owned strings (see strv.h). */
#include "src/strv.h"

#include <stdlib.h>
#include <string.h>

#include "src/util.h"

void stim_strv_push(struct stim_strv *l, const char *s)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = xstrdup(s);
}

void stim_strv_add_sorted(struct stim_strv *l, const char *s)
{
	size_t i = 0;

	while (i < l->n && strcmp(l->v[i], s) < 0)
		i++;
	if (i < l->n && strcmp(l->v[i], s) == 0)
		return;
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	memmove(&l->v[i + 1], &l->v[i], (l->n - i) * sizeof(*l->v));
	l->v[i] = xstrdup(s);
	l->n++;
}

bool stim_strv_contains(const struct stim_strv *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++) {
		if (strcmp(l->v[i], s) == 0)
			return true;
	}
	return false;
}

void stim_strv_copy(struct stim_strv *dst, const struct stim_strv *src)
{
	stim_strv_fini(dst);
	for (size_t i = 0; i < src->n; i++)
		stim_strv_push(dst, src->v[i]);
}

char *stim_strv_join(const struct stim_strv *l, const char *sep)
{
	size_t len = 1;
	char *out;
	char *p;

	for (size_t i = 0; i < l->n; i++)
		len += strlen(l->v[i]) + strlen(sep);
	out = xmalloc(len);
	p = out;
	*p = '\0';
	for (size_t i = 0; i < l->n; i++)
		p = stpcpy(stpcpy(p, i > 0 ? sep : ""), l->v[i]);
	return out;
}

void stim_strv_fini(struct stim_strv *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
