/* Out-of-line bodies for the cleanup attributes in cleanup.h. */
#include "src/cleanup.h"

#include <errno.h>

void stim_cleanup_free(void *p)
{
	free(*(void **)p);
}

void stim_cleanup_close(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;

		close(*fd);
		errno = saved;
	}
}

void stim_cleanup_file(FILE **f)
{
	if (*f != NULL)
		fclose(*f);
}

void stim_cleanup_dir(DIR **d)
{
	if (*d != NULL)
		closedir(*d);
}

void stim_cleanup_json(json_t **j)
{
	json_decref(*j);
}
