/* Unit tests of the blob store: CRC32C vectors, writers that commit or leave
 * nothing, size and space limits, reads, and the orphan sweep. */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "src/blobs.h"
#include "src/cleanup.h"
#include "src/error.h"
#include "src/util.h"

struct fixture {
	char dir[64];
	struct stim_blobs *b;
};

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	stim_error_t err = NULL;

	snprintf(f->dir, sizeof(f->dir), "/tmp/stim-test-blobs-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->b = stim_blobs_open(f->dir, &err);
	assert_null(err);
	assert_non_null(f->b);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	stim_blobs_close(f->b);
	nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* Blobs in DATA/blobs: regular files (partial/ is a directory). */
static int count_files(const struct fixture *f)
{
	cleanup_free char *path = xasprintf("%s/blobs", f->dir);
	cleanup_dir DIR *d = opendir(path);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_type == DT_REG)
			n++;
	}
	return n;
}

static void test_crc32c_vectors(void **state)
{
	static const unsigned char zeros[32];
	static const char abc[] = "123456789";

	(void)state;
	/* RFC 3720 appendix B.4 and the common check value. */
	assert_int_equal(stim_crc32c(0, abc, 9), 0xE3069283);
	assert_int_equal(stim_crc32c(0, zeros, sizeof(zeros)), 0x8A9136AA);
	assert_int_equal(stim_crc32c(0, "", 0), 0);
	/* Continuing a running value equals one pass. */
	assert_int_equal(stim_crc32c(stim_crc32c(0, abc, 4), abc + 4, 5), 0xE3069283);
}

static void test_commit_stores_bytes_and_hashes(void **state)
{
	struct fixture *f = *state;
	cleanup_error stim_error_t err = NULL;
	cleanup_blob_writer struct stim_blob_writer *w = stim_blob_writer_new(f->b, 11, 0, &err);
	struct stim_blob_info info;
	unsigned char md5[16];
	unsigned int mdlen = 0;
	char back[32] = "";
	int fd;

	assert_non_null(w);
	assert_int_equal(stim_blob_write(w, "hello ", 6, &err), 0);
	assert_int_equal(stim_blob_write(w, "world", 5, &err), 0);
	assert_int_equal(stim_blob_written(w), 11);
	assert_int_equal(count_files(f), 0); /* unnamed until commit */
	assert_int_equal(stim_blob_commit(w, &info, &err), 0);
	assert_int_equal(count_files(f), 1);
	assert_int_equal(info.size, 11);
	assert_int_equal(strlen(info.id), STIM_BLOB_ID_LEN);
	EVP_Digest("hello world", 11, md5, &mdlen, EVP_md5(), NULL);
	assert_memory_equal(info.md5, md5, 16);
	assert_int_equal(info.crc32c, stim_crc32c(0, "hello world", 11));

	fd = stim_blob_open(f->b, info.id, &err);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, back, sizeof(back)), 11);
	assert_string_equal(back, "hello world");
	close(fd);

	assert_int_equal(stim_blob_remove(f->b, info.id, &err), 0);
	assert_int_equal(count_files(f), 0);
	assert_int_equal(stim_blob_open(f->b, info.id, &err), -1);
	assert_int_equal(err->code, STIM_DATA_LOSS);
}

/* Large writes go around the buffer; the bytes and hash must not change. */
static void test_large_and_small_writes_mix(void **state)
{
	struct fixture *f = *state;
	cleanup_error stim_error_t err = NULL;
	cleanup_blob_writer struct stim_blob_writer *w = stim_blob_writer_new(f->b, 0, 0, &err);
	size_t big = 3u << 20;
	cleanup_free char *data = xmalloc(big + 10);
	struct stim_blob_info info;
	struct stat st;
	int fd;

	for (size_t i = 0; i < big + 10; i++)
		data[i] = (char)(i * 31 + 7);
	assert_int_equal(stim_blob_write(w, data, 10, &err), 0);
	assert_int_equal(stim_blob_write(w, data + 10, big, &err), 0);
	assert_int_equal(stim_blob_commit(w, &info, &err), 0);
	assert_int_equal(info.crc32c, stim_crc32c(0, data, big + 10));
	fd = stim_blob_open(f->b, info.id, &err);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_size, big + 10);
	close(fd);
}

static void test_abandoned_writer_leaves_nothing(void **state)
{
	struct fixture *f = *state;
	cleanup_error stim_error_t err = NULL;
	struct stim_blob_writer *w = stim_blob_writer_new(f->b, 0, 0, &err);

	assert_int_equal(stim_blob_write(w, "partial", 7, &err), 0);
	stim_blob_writer_free(w);
	assert_int_equal(count_files(f), 0);
}

static void test_limits(void **state)
{
	struct fixture *f = *state;
	stim_error_t err = NULL;
	struct stim_blob_writer *w;

	/* Announced over the limit: refused before a byte. */
	assert_null(stim_blob_writer_new(f->b, 100, 10, &err));
	assert_int_equal(err->code, STIM_RESOURCE_EXHAUSTED);
	stim_error_free(err);
	err = NULL;

	/* Growing past it while streaming. */
	w = stim_blob_writer_new(f->b, 0, 10, &err);
	assert_int_equal(stim_blob_write(w, "0123456789", 10, &err), 0);
	assert_int_equal(stim_blob_write(w, "x", 1, &err), -1);
	assert_int_equal(err->code, STIM_RESOURCE_EXHAUSTED);
	stim_error_free(err);
	err = NULL;
	stim_blob_writer_free(w);

	/* More than the disk has: a clean UNAVAILABLE that says why. */
	assert_null(stim_blob_writer_new(f->b, UINT64_MAX / 2, 0, &err));
	assert_int_equal(err->code, STIM_UNAVAILABLE);
	assert_non_null(strstr(err->msg, "free space"));
	stim_error_free(err);
	assert_int_equal(count_files(f), 0);
}

static void test_ids_are_checked(void **state)
{
	struct fixture *f = *state;
	stim_error_t err = NULL;

	assert_int_equal(stim_blob_open(f->b, "../../etc/passwd", &err), -1);
	assert_int_equal(err->code, STIM_NOT_FOUND);
	stim_error_free(err);
	err = NULL;
	assert_int_equal(stim_blob_remove(f->b, "ABCDEF", &err), -1);
	stim_error_free(err);
}

static bool keep_first(const char *id, void *arg)
{
	return strcmp(id, (const char *)arg) == 0;
}

static void test_sweep_removes_orphans(void **state)
{
	struct fixture *f = *state;
	cleanup_error stim_error_t err = NULL;
	struct stim_blob_info keep;
	struct stim_blob_info drop;

	for (int i = 0; i < 2; i++) {
		cleanup_blob_writer struct stim_blob_writer *w =
			stim_blob_writer_new(f->b, 0, 0, &err);

		assert_int_equal(stim_blob_write(w, "x", 1, &err), 0);
		assert_int_equal(stim_blob_commit(w, i == 0 ? &keep : &drop, &err), 0);
	}
	assert_int_equal(stim_blobs_sweep(f->b, keep_first, keep.id, &err), 1);
	assert_int_equal(count_files(f), 1);
	assert_true(stim_blob_open(f->b, keep.id, &err) >= 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32c_vectors),
		cmocka_unit_test_setup_teardown(test_commit_stores_bytes_and_hashes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_large_and_small_writes_mix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abandoned_writer_leaves_nothing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ids_are_checked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sweep_removes_orphans, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
