/* Page tokens: the last key of a page in URL-safe base64 (see page_token.h). */
#include "src/page_token.h"

#include <string.h>

#include "src/util.h"

char *stim_page_token_encode(const char *key)
{
	return stim_base64_encode(key, strlen(key), true);
}

int stim_page_token_decode(const char *token, const char *reason, char *out, size_t size,
			   stim_error_t *err)
{
	int n;

	out[0] = '\0';
	if (token == NULL || token[0] == '\0')
		return 0;
	/* One byte short of size, for the NUL; a NUL inside would cut the key
	 * short and restart the list somewhere else. */
	n = stim_base64_decode(token, (unsigned char *)out, size - 1);
	if (n <= 0 || memchr(out, '\0', (size_t)n) != NULL)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, reason,
				       "Invalid page token '%s'.", token);
	out[n] = '\0';
	return 0;
}
