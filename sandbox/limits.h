#pragma once
/*
 * The capabilities every process of an instance keeps: a container's set,
 * for its PID 1 (sandbox/spawn.h) and for what the ssh shim runs in it
 * (sandbox/enter.h) alike. With no_new_privs and the seccomp filter
 * (sandbox/seccomp.h) after, these are an instance's limits.
 */

#include <stdint.h>

/* The set as a mask of CAP_* bits. */
uint64_t stim_limits_keep_caps(void);

/* The highest capability the kernel knows (its bounding set's end). */
int stim_limits_last_cap(void);

/* Drops every capability outside keep up to last_cap from the bounding
 * set, clears the ambient set, and leaves keep as permitted and
 * effective. Syscalls only, so a raw clone3 child may call it (STYLE.md
 * 8); -1 with errno on failure. */
int stim_limits_drop_caps(uint64_t keep, int last_cap);
