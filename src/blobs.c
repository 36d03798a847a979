/* Object bytes on disk: O_TMPFILE writers with running hashes (see blobs.h). */
#include "src/blobs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/file.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <isa-l/crc.h>
#include <openssl/evp.h>

#include "src/cleanup.h"
#include "src/util.h"

/* Writes are gathered into this much memory before write(2): the server
 * hands over pieces of at most a few dozen KB, and a system call per piece
 * is what costs most on our VMs. */
#define WRITE_BUFFER (1u << 20)
/* Kept free on the filesystem beyond what an upload announces. */
#define FREE_SPACE_RESERVE (64ull << 20)

struct stim_blobs {
	int dirfd;
	int partfd; /* DATA/blobs/partial */
	char *path;
};

struct stim_blob_writer {
	struct stim_blobs *b;
	int fd; /* the unnamed file */
	EVP_MD_CTX *md5;
	uint32_t crc;
	uint64_t size;
	uint64_t max_size;
	char *buf;
	size_t buffered;
	bool committed;
};

uint32_t stim_crc32c(uint32_t crc, const void *buf, size_t len)
{
	/* ISA-L's iSCSI CRC is CRC32C without the final inversion and with the
	 * running value passed through inverted: the standard form is
	 * ~crc32_iscsi(data, len, ~crc). */
	while (len > 0) {
		int n = len > INT32_MAX ? INT32_MAX : (int)len;

		crc = ~crc32_iscsi((unsigned char *)buf, n, ~crc);
		buf = (const char *)buf + n;
		len -= (size_t)n;
	}
	return crc;
}

struct stim_blobs *stim_blobs_open(const char *data_dir, stim_error_t *err)
{
	cleanup_free char *path = xasprintf("%s/blobs", data_dir);
	struct stim_blobs *b;
	int fd;

	if (stim_mkdir_p(path, 0700, err) < 0)
		return NULL;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		stim_err_sys(err, errno, "open %s", path);
		return NULL;
	}
	b = xcalloc(1, sizeof(*b));
	b->dirfd = fd;
	b->partfd = -1;
	b->path = steal_pointer(&path);
	if (mkdirat(b->dirfd, "partial", 0700) < 0 && errno != EEXIST) {
		stim_err_sys(err, errno, "mkdir %s/partial", b->path);
		stim_blobs_close(b);
		return NULL;
	}
	b->partfd = openat(b->dirfd, "partial", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (b->partfd < 0) {
		stim_err_sys(err, errno, "open %s/partial", b->path);
		stim_blobs_close(b);
		return NULL;
	}
	return b;
}

void stim_blobs_close(struct stim_blobs *b)
{
	if (b == NULL)
		return;
	close(b->dirfd);
	if (b->partfd >= 0)
		close(b->partfd);
	free(b->path);
	free(b);
}

static int no_space(uint64_t want, uint64_t have, stim_error_t *err)
{
	return stim_err_reason(err, STIM_UNAVAILABLE, "backendError",
			       "Not enough free space for this upload: %" PRIu64
			       " bytes needed, %" PRIu64 " free in the data directory.",
			       want, have);
}

int stim_blobs_check_size(struct stim_blobs *b, uint64_t size, uint64_t max_size, uint64_t more,
			  stim_error_t *err)
{
	struct statvfs vfs;

	if (max_size > 0 && size > max_size)
		return stim_err_reason(err, STIM_RESOURCE_EXHAUSTED, "uploadTooLarge",
				       "The object is %" PRIu64 " bytes; the limit is %" PRIu64 ".",
				       size, max_size);
	if (fstatvfs(b->dirfd, &vfs) == 0) {
		uint64_t avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;

		if (more + FREE_SPACE_RESERVE > avail)
			return no_space(more, avail, err);
	}
	return 0;
}

struct stim_blob_writer *stim_blob_writer_new(struct stim_blobs *b, uint64_t expect_size,
					      uint64_t max_size, stim_error_t *err)
{
	struct stim_blob_writer *w;
	int fd;

	if (stim_blobs_check_size(b, expect_size, max_size, expect_size, err) < 0)
		return NULL;
	/* Unnamed until commit: an aborted or crashed upload leaves nothing. */
	fd = openat(b->dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0) {
		stim_err_sys(err, errno, "open an unnamed file in %s", b->path);
		return NULL;
	}
	w = xcalloc(1, sizeof(*w));
	w->b = b;
	w->fd = fd;
	w->max_size = max_size;
	w->md5 = EVP_MD_CTX_new();
	if (w->md5 == NULL || EVP_DigestInit_ex(w->md5, EVP_md5(), NULL) != 1) {
		stim_blob_writer_free(w);
		stim_err(err, STIM_INTERNAL, "MD5 is not available from OpenSSL");
		return NULL;
	}
	w->buf = xmalloc(WRITE_BUFFER);
	return w;
}

static int write_all(struct stim_blob_writer *w, const char *p, size_t len, stim_error_t *err)
{
	while (len > 0) {
		ssize_t n = write(w->fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == ENOSPC || errno == EDQUOT))
			return stim_err_reason(err, STIM_UNAVAILABLE, "backendError",
					       "The data directory ran out of space during the "
					       "upload; nothing was stored.");
		if (n < 0)
			return stim_err_sys(err, errno, "write a blob in %s", w->b->path);
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int flush(struct stim_blob_writer *w, stim_error_t *err)
{
	int ret = write_all(w, w->buf, w->buffered, err);

	w->buffered = 0;
	return ret;
}

int stim_blob_write(struct stim_blob_writer *w, const void *buf, size_t len, stim_error_t *err)
{
	STIM_ASSERT(!w->committed);
	if (w->max_size > 0 && w->size + len > w->max_size)
		return stim_err_reason(err, STIM_RESOURCE_EXHAUSTED, "uploadTooLarge",
				       "The object is larger than the limit of %" PRIu64 " bytes.",
				       w->max_size);
	if (EVP_DigestUpdate(w->md5, buf, len) != 1)
		return stim_err(err, STIM_INTERNAL, "MD5 update failed");
	w->crc = stim_crc32c(w->crc, buf, len);
	w->size += len;
	if (len >= WRITE_BUFFER) {
		if (flush(w, err) < 0)
			return -1;
		return write_all(w, buf, len, err);
	}
	if (w->buffered + len > WRITE_BUFFER && flush(w, err) < 0)
		return -1;
	memcpy(w->buf + w->buffered, buf, len);
	w->buffered += len;
	return 0;
}

uint64_t stim_blob_written(const struct stim_blob_writer *w)
{
	return w->size;
}

static void new_id(char id[STIM_BLOB_ID_LEN + 1])
{
	unsigned char raw[STIM_BLOB_ID_LEN / 2];

	stim_random_bytes(raw, sizeof(raw));
	stim_hex(raw, sizeof(raw), id);
}

int stim_blob_commit(struct stim_blob_writer *w, struct stim_blob_info *out, stim_error_t *err)
{
	char proc[64];
	unsigned int mdlen = 0;

	STIM_ASSERT(!w->committed);
	if (flush(w, err) < 0)
		return -1;
	if (fsync(w->fd) < 0)
		return stim_err_sys(err, errno, "fsync a blob in %s", w->b->path);
	new_id(out->id);
	/* linkat through /proc gives the unnamed file a name without needing
	 * CAP_DAC_READ_SEARCH (which AT_EMPTY_PATH would). */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", w->fd);
	if (linkat(AT_FDCWD, proc, w->b->dirfd, out->id, AT_SYMLINK_FOLLOW) < 0)
		return stim_err_sys(err, errno, "link blob %s in %s", out->id, w->b->path);
	/* The new name is durable only once the directory is. */
	if (fsync(w->b->dirfd) < 0) {
		int e = errno;

		unlinkat(w->b->dirfd, out->id, 0);
		return stim_err_sys(err, e, "fsync %s", w->b->path);
	}
	EVP_DigestFinal_ex(w->md5, out->md5, &mdlen);
	out->size = w->size;
	out->crc32c = w->crc;
	w->committed = true;
	return 0;
}

void stim_blob_writer_free(struct stim_blob_writer *w)
{
	if (w == NULL)
		return;
	/* Uncommitted: closing the last descriptor of an unnamed file frees it. */
	close(w->fd);
	EVP_MD_CTX_free(w->md5);
	free(w->buf);
	free(w);
}

void stim_cleanup_blob_writer(struct stim_blob_writer **w)
{
	stim_blob_writer_free(*w);
}

static bool valid_id(const char *id)
{
	return strlen(id) == STIM_BLOB_ID_LEN && strspn(id, "0123456789abcdef") == STIM_BLOB_ID_LEN;
}

int stim_blob_link(struct stim_blobs *b, const char *id, struct stim_blob_info *out,
		   stim_error_t *err)
{
	if (!valid_id(id))
		return stim_err(err, STIM_NOT_FOUND, "blob '%s' is not a blob id", id);
	new_id(out->id);
	if (linkat(b->dirfd, id, b->dirfd, out->id, 0) < 0)
		return stim_err_sys(err, errno, "link blob %s as %s", id, out->id);
	if (fsync(b->dirfd) < 0) {
		int e = errno;

		unlinkat(b->dirfd, out->id, 0);
		return stim_err_sys(err, e, "fsync %s", b->path);
	}
	return 0;
}

int stim_blob_partial_open(struct stim_blobs *b, const char *id, bool create, stim_error_t *err)
{
	int fd;

	if (!valid_id(id))
		return stim_err(err, STIM_NOT_FOUND, "'%s' is not an upload id", id);
	fd = openat(b->partfd, id, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | (create ? O_CREAT : 0),
		    0600);
	if (fd < 0 && errno == ENOENT)
		return stim_err(err, STIM_NOT_FOUND, "No such upload session: %s", id);
	if (fd < 0)
		return stim_err_sys(err, errno, "open partial upload %s", id);
	/* One writer at a time: a second PUT to the session (a client that
	 * gave up on the first too soon) would cut what the first is
	 * writing. It is told to retry rather than made to wait. */
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;

		close(fd);
		if (e == EWOULDBLOCK)
			return stim_err_reason(err, STIM_UNAVAILABLE, "backendError",
					       "Another request is writing to upload session %s; "
					       "retry once it ends.",
					       id);
		return stim_err_sys(err, e, "lock partial upload %s", id);
	}
	return fd;
}

int stim_blob_partial_cut(int fd, const char *id, uint64_t size, stim_error_t *err)
{
	if (ftruncate(fd, (off_t)size) < 0 || lseek(fd, (off_t)size, SEEK_SET) < 0)
		return stim_err_sys(err, errno, "resize partial upload %s", id);
	return 0;
}

int stim_blob_partial_finish(struct stim_blobs *b, const char *id, struct stim_blob_info *out,
			     stim_error_t *err)
{
	cleanup_close int fd = -1;
	cleanup_free char *buf = NULL;
	EVP_MD_CTX *md5 = NULL;
	unsigned int mdlen = 0;
	uint32_t crc = 0;
	uint64_t size = 0;

	if (!valid_id(id))
		return stim_err(err, STIM_NOT_FOUND, "'%s' is not an upload id", id);
	fd = openat(b->partfd, id, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return stim_err_sys(err, errno, "open partial upload %s", id);
	/* The hashes are taken in one read at the end: a session's chunks
	 * may span daemon restarts, and OpenSSL's MD5 state cannot be saved. */
	md5 = EVP_MD_CTX_new();
	if (md5 == NULL || EVP_DigestInit_ex(md5, EVP_md5(), NULL) != 1) {
		EVP_MD_CTX_free(md5);
		return stim_err(err, STIM_INTERNAL, "MD5 is not available from OpenSSL");
	}
	buf = xmalloc(WRITE_BUFFER);
	for (;;) {
		ssize_t n = read(fd, buf, WRITE_BUFFER);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			EVP_MD_CTX_free(md5);
			return stim_err_sys(err, e, "read partial upload %s", id);
		}
		if (n == 0)
			break;
		EVP_DigestUpdate(md5, buf, (size_t)n);
		crc = stim_crc32c(crc, buf, (size_t)n);
		size += (uint64_t)n;
	}
	EVP_DigestFinal_ex(md5, out->md5, &mdlen);
	EVP_MD_CTX_free(md5);
	if (fsync(fd) < 0)
		return stim_err_sys(err, errno, "fsync partial upload %s", id);
	new_id(out->id);
	if (renameat(b->partfd, id, b->dirfd, out->id) < 0)
		return stim_err_sys(err, errno, "move upload %s to blob %s", id, out->id);
	if (fsync(b->dirfd) < 0 || fsync(b->partfd) < 0)
		return stim_err_sys(err, errno, "fsync %s", b->path);
	out->size = size;
	out->crc32c = crc;
	return 0;
}

int stim_blob_partial_remove(struct stim_blobs *b, const char *id, stim_error_t *err)
{
	if (!valid_id(id))
		return stim_err(err, STIM_NOT_FOUND, "'%s' is not an upload id", id);
	if (unlinkat(b->partfd, id, 0) < 0 && errno != ENOENT)
		return stim_err_sys(err, errno, "remove partial upload %s", id);
	return 0;
}

int stim_blob_open(struct stim_blobs *b, const char *id, stim_error_t *err)
{
	int fd;

	/* Ids come from our own store, but check anyway: nothing else may be
	 * opened through this directory. */
	if (!valid_id(id))
		return stim_err(err, STIM_NOT_FOUND, "blob '%s' is not a blob id", id);
	fd = openat(b->dirfd, id, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT)
		return stim_err(err, STIM_DATA_LOSS, "blob %s is missing from %s", id, b->path);
	if (fd < 0)
		return stim_err_sys(err, errno, "open blob %s", id);
	return fd;
}

int stim_blob_remove(struct stim_blobs *b, const char *id, stim_error_t *err)
{
	if (!valid_id(id))
		return stim_err(err, STIM_NOT_FOUND, "blob '%s' is not a blob id", id);
	if (unlinkat(b->dirfd, id, 0) < 0 && errno != ENOENT)
		return stim_err_sys(err, errno, "remove blob %s", id);
	return 0;
}

/* Removes the entries of dirfd named like ids that in_use says nobody
 * needs. Returns how many went. */
static int sweep_dir(int dirfd, const char *what, bool (*in_use)(const char *id, void *arg),
		     void *arg, stim_error_t *err)
{
	cleanup_dir DIR *d = NULL;
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int removed = 0;

	if (fd < 0)
		return stim_err_sys(err, errno, "open the %s directory", what);
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return stim_err_sys(err, errno, "read the %s directory", what);
	}
	for (;;) {
		struct dirent *de;

		errno = 0;
		de = readdir(d);
		if (de == NULL)
			break;
		if (!valid_id(de->d_name) || in_use(de->d_name, arg))
			continue;
		if (unlinkat(dirfd, de->d_name, 0) < 0 && errno != ENOENT)
			return stim_err_sys(err, errno, "remove orphan %s %s", what, de->d_name);
		removed++;
	}
	if (errno != 0)
		return stim_err_sys(err, errno, "read the %s directory", what);
	return removed;
}

int stim_blobs_sweep(struct stim_blobs *b, bool (*in_use)(const char *id, void *arg), void *arg,
		     stim_error_t *err)
{
	return sweep_dir(b->dirfd, "blob", in_use, arg, err);
}

int stim_blobs_sweep_partial(struct stim_blobs *b, bool (*in_use)(const char *id, void *arg),
			     void *arg, stim_error_t *err)
{
	return sweep_dir(b->partfd, "partial upload", in_use, arg, err);
}
