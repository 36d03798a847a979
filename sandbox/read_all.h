#pragma once
/*
 * A descriptor's whole text, for the static stim-init (libc only): its
 * configuration, and the account files sudo's broker reads at each call
 * (sandbox/sudo.h), so the buffer grows with what is read rather than
 * being sized for the largest file allowed.
 */

#include <stddef.h>

/* Everything fd gives until EOF, NUL-terminated (the caller frees it);
 * NULL on a read error, when memory runs out, or past max bytes. */
char *stim_read_all(int fd, size_t max);
