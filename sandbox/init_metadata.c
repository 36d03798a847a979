/* stim-init's reads from the metadata server (see init.h): one HTTP/1.0
 * GET per value, as the guest agent's script runner makes them. libc
 * only, since stim-init is static and runs in any image: the request is
 * a fixed line, the answer a status line, headers and a body to the end
 * of the connection. */
#include "sandbox/init.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MDS_ADDR    "169.254.169.254"
#define ANSWER_MAX  (1 << 20) /* a metadata value is at most 256 KiB */
#define TIMEOUT_MS  2000
#define CONNECT_TRY 10 /* the NIC is up before PID 1 runs; retries are slack */

int stim_init_http_parse(const char *resp, size_t len, int *status, const char **body,
			 size_t *body_len)
{
	const char *end = memmem(resp, len, "\r\n\r\n", 4);
	int major;
	int minor;

	if (end == NULL || sscanf(resp, "HTTP/%d.%d %d", &major, &minor, status) != 3)
		return -1;
	*body = end + 4;
	*body_len = len - (size_t)(*body - resp);
	return 0;
}

static int connect_mds(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(80) };
	struct timespec pause = { .tv_nsec = 100 * 1000 * 1000 };

	inet_pton(AF_INET, MDS_ADDR, &sa.sin_addr);
	for (int i = 0; i < CONNECT_TRY; i++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		int soerr = 0;
		socklen_t l = sizeof(soerr);

		if (fd < 0)
			return -1;
		if ((connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 ||
		     errno == EINPROGRESS) &&
		    poll(&p, 1, TIMEOUT_MS) == 1 &&
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &l) == 0 && soerr == 0)
			return fd;
		close(fd);
		nanosleep(&pause, NULL);
	}
	return -1;
}

/* The whole answer to GET path, or NULL (nothing reached, or too long). */
static char *get(const char *path, size_t *len)
{
	char req[512];
	char *buf;
	size_t n = 0;
	int fd = connect_mds();
	int reqlen;

	if (fd < 0)
		return NULL;
	reqlen =
		snprintf(req, sizeof(req),
			 "GET /computeMetadata/v1/%s HTTP/1.0\r\nHost: metadata.google.internal\r\n"
			 "Metadata-Flavor: Google\r\n\r\n",
			 path);
	buf = malloc(ANSWER_MAX + 1);
	if (buf == NULL || reqlen >= (int)sizeof(req) || write(fd, req, (size_t)reqlen) != reqlen)
		goto fail;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t got;

		if (poll(&p, 1, TIMEOUT_MS) != 1)
			goto fail;
		got = read(fd, buf + n, ANSWER_MAX - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 || (got == 0 && n == 0))
			goto fail;
		if (got == 0)
			break;
		n += (size_t)got;
		if (n == ANSWER_MAX)
			goto fail;
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	close(fd);
	free(buf);
	return NULL;
}

char *stim_init_metadata_attribute(const char *key, bool *reached)
{
	static const char *const scopes[] = { "instance", "project" };

	*reached = false;
	/* The instance's own value first, then the project's, as the guest
	 * agent looks them up. */
	for (size_t i = 0; i < 2; i++) {
		char path[256];
		size_t len;
		char *resp;
		const char *body;
		size_t body_len;
		int status;

		snprintf(path, sizeof(path), "%s/attributes/%s", scopes[i], key);
		resp = get(path, &len);
		if (resp == NULL)
			return NULL;
		*reached = true;
		if (stim_init_http_parse(resp, len, &status, &body, &body_len) == 0 &&
		    status == 200) {
			char *value = strndup(body, body_len);

			free(resp);
			return value;
		}
		free(resp);
	}
	return NULL;
}
