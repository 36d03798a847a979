#pragma once
/*
 * A growable list of owned strings (bubblewrap's strv, with its length
 * kept beside it): lifecycle rules' prefix and suffix lists, an IAM
 * binding's members.
 */

#include <stdbool.h>
#include <stddef.h>

struct stim_strv {
	size_t n;
	char **v;
};

/* Appends a copy of s. */
void stim_strv_push(struct stim_strv *l, const char *s);
/* Inserts a copy of s in sorted position unless it is there already. */
void stim_strv_add_sorted(struct stim_strv *l, const char *s);
bool stim_strv_contains(const struct stim_strv *l, const char *s);
void stim_strv_copy(struct stim_strv *dst, const struct stim_strv *src);
/* The strings with sep between them, as one new string ("" when none). */
char *stim_strv_join(const struct stim_strv *l, const char *sep);
void stim_strv_fini(struct stim_strv *l);
