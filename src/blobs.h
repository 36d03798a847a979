#pragma once
/*
 * Object bytes on disk (Cloud Storage). Each blob is a file DATA/blobs/<id>
 * named by 32 random hex characters, never by an object's name, so no name
 * from a request can reach the filesystem (DESIGN.md).
 *
 * A writer streams into an unnamed O_TMPFILE in that directory, keeping a
 * running MD5 and CRC32C, and commit() makes it durable and visible in one
 * step: fsync, link it under its id, fsync the directory. A writer freed
 * without commit leaves nothing behind, not even after a crash (an unnamed
 * file dies with its last descriptor). The caller records the id in the
 * store in the same step as the object's metadata; blobs no row names are
 * orphans, removed at start (stim_blobs_sweep).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/error.h"

#define STIM_BLOB_ID_LEN 32

struct stim_blobs;
struct stim_blob_writer;

/* What a committed blob is. Hashes as Cloud Storage reports them: the MD5
 * digest, and the CRC32C value (big-endian on the wire). */
struct stim_blob_info {
	char id[STIM_BLOB_ID_LEN + 1];
	uint64_t size;
	unsigned char md5[16];
	uint32_t crc32c;
};

/* Creates DATA/blobs (0700) if needed and holds it open. */
struct stim_blobs *stim_blobs_open(const char *data_dir, stim_error_t *err);
void stim_blobs_close(struct stim_blobs *b);

/*
 * Writing. expect_size (0 when unknown) is checked against the free space
 * first: a clean UNAVAILABLE rather than a torn file. max_size caps the
 * blob: RESOURCE_EXHAUSTED past it (Cloud Storage answers 413). A full disk
 * while writing is UNAVAILABLE too. Thread: one writer per request.
 */
/* What writer_new checks first, for writes that go another way (resumable
 * chunks): an object of `size` against max_size (0: none), and `more`
 * bytes still to write against the free space. */
int stim_blobs_check_size(struct stim_blobs *b, uint64_t size, uint64_t max_size, uint64_t more,
			  stim_error_t *err);
struct stim_blob_writer *stim_blob_writer_new(struct stim_blobs *b, uint64_t expect_size,
					      uint64_t max_size, stim_error_t *err);
int stim_blob_write(struct stim_blob_writer *w, const void *buf, size_t len, stim_error_t *err);
uint64_t stim_blob_written(const struct stim_blob_writer *w);
/* Makes the blob durable and visible under a new id. */
int stim_blob_commit(struct stim_blob_writer *w, struct stim_blob_info *out, stim_error_t *err);
/* Drops an uncommitted blob; after commit, only frees the writer. */
void stim_blob_writer_free(struct stim_blob_writer *w);
void stim_cleanup_blob_writer(struct stim_blob_writer **w);
#define cleanup_blob_writer __attribute__((cleanup(stim_cleanup_blob_writer)))

/*
 * Partial blobs, for resumable uploads that must survive a restart:
 * DATA/blobs/partial/<id>, named by the upload session's id.
 * partial_open opens it for writing (creating it empty when asked) and
 * holds an exclusive lock on it while the descriptor is open: a second
 * writer gets UNAVAILABLE, the first keeps going. partial_cut then cuts it
 * to the length the session last made durable, so bytes written after
 * that are dropped; the caller appends and fsyncs. finish_partial hashes
 * the file, makes it a blob like stim_blob_commit and removes the partial
 * name.
 */
int stim_blob_partial_open(struct stim_blobs *b, const char *id, bool create, stim_error_t *err);
int stim_blob_partial_cut(int fd, const char *id, uint64_t size, stim_error_t *err);
int stim_blob_partial_finish(struct stim_blobs *b, const char *id, struct stim_blob_info *out,
			     stim_error_t *err);
int stim_blob_partial_remove(struct stim_blobs *b, const char *id, stim_error_t *err);

/* A second name for a blob (objects.copy): blobs never change, so a copy
 * can share the bytes, and removing either name leaves the other whole.
 * Fills out->id; the caller keeps the source's hashes and size. */
int stim_blob_link(struct stim_blobs *b, const char *id, struct stim_blob_info *out,
		   stim_error_t *err);

/* Reading and removing by id (NOT_FOUND for an unknown or malformed id).
 * open returns an O_RDONLY|O_CLOEXEC descriptor, the caller's. */
int stim_blob_open(struct stim_blobs *b, const char *id, stim_error_t *err);
int stim_blob_remove(struct stim_blobs *b, const char *id, stim_error_t *err);

/* Removes every blob for which in_use(id, arg) is false (start-up sweep).
 * Returns the number removed. */
int stim_blobs_sweep(struct stim_blobs *b, bool (*in_use)(const char *id, void *arg), void *arg,
		     stim_error_t *err);
/* The same for partial uploads, whose id is their session's. */
int stim_blobs_sweep_partial(struct stim_blobs *b, bool (*in_use)(const char *id, void *arg),
			     void *arg, stim_error_t *err);

/* CRC32C (Castagnoli) of a buffer, continuing from crc (0 to start). */
uint32_t stim_crc32c(uint32_t crc, const void *buf, size_t len);
