#pragma once
/*
 * The busybox image the sandbox root tests boot: a temporary directory
 * with lower/ (bin/busybox and a relative link per applet, as images/
 * will lay it out; `busybox --install -s` would point the links at the
 * host's own path), disk/ and the empty root/ mount point. Each test file
 * is its own executable, so the helpers are static inline.
 */

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/cleanup.h"
#include "src/util.h"

#define BUSYBOX "/bin/busybox"

struct busybox_image {
	char tmp[64];
	char lower[128];
	char disk[128];
	char root[128];
};

/* A cmocka setup: *state gets the image (NULL and -1 on failure). */
static inline int busybox_image_setup(void **state)
{
	struct busybox_image *f = xcalloc(1, sizeof(*f));
	cleanup_free char *cmd = NULL;

	snprintf(f->tmp, sizeof(f->tmp), "/var/tmp/stim-root-image-XXXXXX");
	if (mkdtemp(f->tmp) == NULL)
		return -1;
	snprintf(f->lower, sizeof(f->lower), "%s/lower", f->tmp);
	snprintf(f->disk, sizeof(f->disk), "%s/disk", f->tmp);
	snprintf(f->root, sizeof(f->root), "%s/root", f->tmp);
	cmd = xasprintf("mkdir -p %s/bin %s && cp " BUSYBOX " %s/bin/ && cd %s/bin && "
			"for a in $(./busybox --list); do [ $a = busybox ] || ln -s busybox $a; "
			"done",
			f->lower, f->root, f->lower, f->lower);
	if (system(cmd) != 0)
		return -1;
	*state = f;
	return 0;
}

static inline int busybox_image_rm(const char *path, const struct stat *st, int flag,
				   struct FTW *ftw)
{
	return remove(path);
}

static inline int busybox_image_teardown(void **state)
{
	struct busybox_image *f = *state;

	nftw(f->tmp, busybox_image_rm, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}
