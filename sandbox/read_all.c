/* A descriptor's whole text (see read_all.h). */
#include "sandbox/read_all.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

char *stim_read_all(int fd, size_t max)
{
	size_t cap = 4096;
	size_t len = 0;
	char *buf = malloc(cap);

	while (buf != NULL) {
		ssize_t n;

		if (len + 1 >= cap) {
			/* Room for max bytes, the NUL, and one byte more to
			 * see a text run past max. */
			size_t want = cap * 2 < max + 2 ? cap * 2 : max + 2;
			char *bigger = realloc(buf, want);

			if (bigger == NULL) {
				free(buf);
				return NULL;
			}
			buf = bigger;
			cap = want;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			break;
		if (n < 0 || (len += (size_t)n) > max) {
			free(buf);
			return NULL;
		}
	}
	if (buf != NULL)
		buf[len] = '\0';
	return buf;
}
