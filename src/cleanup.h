#pragma once
/*
 * Scope-bound ownership (crun utils.h, bubblewrap utils.h).
 *
 * A variable declared with one of these attributes is released when it goes
 * out of scope. Always initialise it (`cleanup_close int fd = -1;`) and hand
 * ownership on by name with steal_pointer()/steal_fd(), so that the cleanup
 * sees NULL or -1 and does nothing.
 *
 * Cleanups for types of a module (store statements, transactions, netlink
 * objects) are declared beside that module's free function, not here.
 */

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <jansson.h>

void stim_cleanup_free(void *p);
void stim_cleanup_close(int *fd);
void stim_cleanup_file(FILE **f);
void stim_cleanup_dir(DIR **d);
void stim_cleanup_json(json_t **j);

#define cleanup_free  __attribute__((cleanup(stim_cleanup_free)))
#define cleanup_close __attribute__((cleanup(stim_cleanup_close)))
#define cleanup_file  __attribute__((cleanup(stim_cleanup_file)))
#define cleanup_dir   __attribute__((cleanup(stim_cleanup_dir)))
#define cleanup_json  __attribute__((cleanup(stim_cleanup_json)))

/* Returns *pp and sets it to NULL; type-checked like bubblewrap's. */
static inline void *stim_steal_pointer(void *pp)
{
	void **ptr = (void **)pp;
	void *ret = *ptr;

	*ptr = NULL;
	return ret;
}
#define steal_pointer(pp) (0 ? (*(pp)) : (stim_steal_pointer)(pp))

/* Returns *fdp and sets it to -1 (crun get_and_reset). */
static inline int steal_fd(int *fdp)
{
	int fd = *fdp;

	*fdp = -1;
	return fd;
}
