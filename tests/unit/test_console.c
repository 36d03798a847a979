/* The capped serial console: the head of a file punched out, every
 * offset kept, the first kept byte found again, a file under its cap
 * left alone. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "src/cleanup.h"
#include "src/console.h"

#define KIB 1024

static int make_file(char *path, size_t bytes)
{
	char block[4 * KIB];
	int fd;

	strcpy(path, "/tmp/stim-unit-console-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	for (size_t off = 0; off < bytes; off += sizeof(block)) {
		memset(block, 'a' + (int)((off / sizeof(block)) % 26), sizeof(block));
		assert_int_equal(write(fd, block, sizeof(block)), sizeof(block));
	}
	return fd;
}

static void test_under_cap(void **state)
{
	cleanup_error stim_error_t err = NULL;
	char path[64];
	int fd = make_file(path, 64 * KIB);

	assert_int_equal(stim_console_cap(fd, 64 * KIB, 0, &err), 0);
	assert_int_equal(stim_console_first(fd), 0);
	close(fd);
	unlink(path);
}

static void test_cap(void **state)
{
	cleanup_error stim_error_t err = NULL;
	char path[64];
	char c;
	struct stat st;
	int64_t freed;
	int fd = make_file(path, 1024 * KIB);

	freed = stim_console_cap(fd, 256 * KIB, 64 * KIB, &err);
	assert_int_equal(freed, 768 * KIB);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_size, 1024 * KIB); /* offsets keep their meaning */
	assert_true((uint64_t)st.st_blocks * 512 <= 260 * KIB);
	assert_int_equal(stim_console_first(fd), 768 * KIB);
	/* The tail is intact: block 192 of 4 KiB was written with 'a'+192%26. */
	assert_int_equal(pread(fd, &c, 1, 768 * KIB), 1);
	assert_int_equal(c, 'a' + 192 % 26);
	/* Again: nothing more to free until it grows past keep + slack. */
	assert_int_equal(stim_console_cap(fd, 256 * KIB, 64 * KIB, &err), 0);
	close(fd);
	unlink(path);
}

static void test_empty(void **state)
{
	char path[64];
	int fd = make_file(path, 0);

	assert_int_equal(stim_console_first(fd), 0);
	close(fd);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_under_cap),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
