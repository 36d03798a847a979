/* Unit tests of src/procfs.c: reading kernel text files whole, parsing mountinfo. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "src/cleanup.h"
#include "src/error.h"
#include "src/procfs.h"
#include "src/util.h"

/* Reading */

/* Writes len bytes of 'x' to a new temporary file; returns its path. */
static char *temp_file(size_t len)
{
	char *path = xstrdup("/tmp/stim-test-procfs-XXXXXX");
	cleanup_free char *data = xmalloc(len + 1);
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	memset(data, 'x', len);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	return path;
}

static void test_read_sizes(void **state)
{
	/* Around the first buffer and around the ceiling. */
	static const size_t sizes[] = { 0, 1, 4095, 4096, 4097, 20000 };

	(void)state;
	for (size_t i = 0; i < STIM_ARRAY_SIZE(sizes); i++) {
		cleanup_free char *path = temp_file(sizes[i]);
		cleanup_error stim_error_t err = NULL;
		cleanup_free char *text = NULL;

		assert_int_equal(stim_procfs_read(path, 20000, &text, &err), 0);
		assert_null(err);
		assert_int_equal(strlen(text), sizes[i]);
		assert_true(sizes[i] == 0 || text[sizes[i] - 1] == 'x');
		unlink(path);
	}
}

static void test_read_ceiling(void **state)
{
	cleanup_free char *path = temp_file(4097);
	char *text = NULL;

	(void)state;
	{
		cleanup_error stim_error_t err = NULL;
		cleanup_free char *exact = NULL;

		assert_int_equal(stim_procfs_read(path, 4097, &exact, &err), 0);
		assert_int_equal(strlen(exact), 4097);
	}
	{
		cleanup_error stim_error_t err = NULL;

		assert_int_equal(stim_procfs_read(path, 4096, &text, &err), -1);
		assert_int_equal(err->code, STIM_RESOURCE_EXHAUSTED);
		assert_non_null(strstr(err->msg, path));
	}
	{
		cleanup_error stim_error_t err = NULL;

		assert_int_equal(stim_procfs_read(path, 0, &text, &err), -1);
		assert_int_equal(err->code, STIM_RESOURCE_EXHAUSTED);
	}
	assert_null(text);
	unlink(path);
}

static void test_read_missing(void **state)
{
	cleanup_error stim_error_t err = NULL;
	char *text = NULL;

	(void)state;
	assert_int_equal(stim_procfs_read("/nonexistent-stim-test/x", 4096, &text, &err), -1);
	assert_int_equal(err->code, STIM_INTERNAL);
	assert_int_equal(err->errnum, ENOENT);
	assert_null(text);
}

static void test_read_proc(void **state)
{
	cleanup_error stim_error_t err = NULL;
	cleanup_free char *text = NULL;

	(void)state;
	/* st_size is 0 here, yet the file has text. */
	assert_int_equal(stim_procfs_read("/proc/self/mountinfo", 64 << 20, &text, &err), 0);
	assert_true(strlen(text) > 0);
	assert_non_null(strstr(text, " - "));
}

/* Unescaping */

static void check_unescape(const char *in, const char *want)
{
	char *got = stim_mountinfo_unescape(in, strlen(in));

	assert_string_equal(got, want);
	free(got);
}

static void test_unescape(void **state)
{
	(void)state;
	check_unescape("/plain/path", "/plain/path");
	check_unescape("/a\\040b", "/a b");
	check_unescape("\\011tab\\012nl\\134bs", "\ttab\nnl\\bs");
	check_unescape("/end\\040", "/end ");
	/* Not a complete escape: kept as written. */
	check_unescape("/cut\\04", "/cut\\04");
	check_unescape("/cut\\0", "/cut\\0");
	check_unescape("/x\\", "/x\\");
	check_unescape("/nine\\999", "/nine\\999");
	check_unescape("/big\\400", "/big\\400");
	check_unescape("", "");
}

static void test_unescape_length_bound(void **state)
{
	/* Only len bytes are read, so a field is decoded in place. */
	char *got = stim_mountinfo_unescape("/a\\040b rest", 7);

	(void)state;
	assert_string_equal(got, "/a b");
	free(got);
}

/* One line */

static void test_parse_line(void **state)
{
	cleanup_error stim_error_t err = NULL;
	cleanup_mountinfo struct stim_mountinfo m = { 0 };

	(void)state;
	assert_int_equal(stim_mountinfo_parse_line("36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - "
						   "ext3 /dev/root rw,errors=continue\n",
						   &m, &err),
			 0);
	assert_null(err);
	assert_int_equal(m.mount_id, 36);
	assert_int_equal(m.parent_id, 35);
	assert_int_equal(m.major, 98);
	assert_int_equal(m.minor, 0);
	assert_string_equal(m.root, "/mnt1");
	assert_string_equal(m.mount_point, "/mnt2");
	assert_string_equal(m.fstype, "ext3");
	assert_string_equal(m.source, "/dev/root");
	assert_string_equal(m.super_options, "rw,errors=continue");
}

static void test_parse_line_no_optional_fields(void **state)
{
	cleanup_error stim_error_t err = NULL;
	cleanup_mountinfo struct stim_mountinfo m = { 0 };

	(void)state;
	assert_int_equal(stim_mountinfo_parse_line("34 30 0:31 / /sys/fs/cgroup/memory rw,relatime "
						   "- cgroup cgroup rw,memory",
						   &m, &err),
			 0);
	assert_string_equal(m.mount_point, "/sys/fs/cgroup/memory");
	assert_string_equal(m.fstype, "cgroup");
	assert_string_equal(m.super_options, "rw,memory");
	assert_int_equal(m.major, 0);
	assert_int_equal(m.minor, 31);
}

static void test_parse_line_cgroup_optional_fields(void **state)
{
	cleanup_error stim_error_t err = NULL;
	cleanup_mountinfo struct stim_mountinfo m = { 0 };

	(void)state;
	assert_int_equal(
		stim_mountinfo_parse_line("31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime shared:9 "
					  "master:2 - cgroup cgroup rw,cpu,cpuacct\n",
					  &m, &err),
		0);
	assert_string_equal(m.root, "/");
	assert_string_equal(m.mount_point, "/sys/fs/cgroup/cpu");
	assert_string_equal(m.fstype, "cgroup");
	assert_string_equal(m.super_options, "rw,cpu,cpuacct");
	assert_null(err);
}

static void test_parse_line_many_optional_fields_and_escapes(void **state)
{
	cleanup_error stim_error_t err = NULL;
	cleanup_mountinfo struct stim_mountinfo m = { 0 };

	(void)state;
	assert_int_equal(
		stim_mountinfo_parse_line("812 26 0:99 /a\\040dir /var/lib/stimulator/my\\040disk "
					  "rw shared:5 master:2 propagate_from:1 - tmpfs "
					  "stim\\040src rw,size=4k",
					  &m, &err),
		0);
	assert_string_equal(m.root, "/a dir");
	assert_string_equal(m.mount_point, "/var/lib/stimulator/my disk");
	assert_string_equal(m.fstype, "tmpfs");
	assert_string_equal(m.source, "stim src");
}

static void test_parse_line_escapes(void **state)
{
	cleanup_error stim_error_t err = NULL;

	(void)state;
	{
		cleanup_mountinfo struct stim_mountinfo m = { 0 };

		assert_int_equal(stim_mountinfo_parse_line("50 1 0:40 /docker/ab\\134c "
							   "/mnt/my\\040cg rw - cgroup2 none "
							   "rw,nsdelegate",
							   &m, &err),
				 0);
		assert_string_equal(m.root, "/docker/ab\\c");
		assert_string_equal(m.mount_point, "/mnt/my cg");
		assert_string_equal(m.fstype, "cgroup2");
		assert_string_equal(m.super_options, "rw,nsdelegate");
	}
	{
		cleanup_mountinfo struct stim_mountinfo m = { 0 };

		/* A backslash that is not an escape stays. */
		assert_int_equal(
			stim_mountinfo_parse_line("1 1 0:1 / /a\\9 rw - tmpfs t rw", &m, &err), 0);
		assert_string_equal(m.mount_point, "/a\\9");
	}
	{
		cleanup_mountinfo struct stim_mountinfo m = { 0 };
		cleanup_free char *longer = xasprintf("1 1 0:1 / /%0600d rw - tmpfs t rw", 7);

		/* No fixed-size field: a long path is kept whole. */
		assert_int_equal(stim_mountinfo_parse_line(longer, &m, &err), 0);
		assert_int_equal(strlen(m.mount_point), 601);
	}
	assert_null(err);
}

static void check_bad_line(const char *line)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_mountinfo m = { .mount_id = -7 };

	assert_int_equal(stim_mountinfo_parse_line(line, &m, &err), -1);
	assert_non_null(err);
	assert_int_equal(err->code, STIM_INVALID_ARGUMENT);
	/* Untouched on failure. */
	assert_int_equal(m.mount_id, -7);
	assert_null(m.root);
}

static void test_parse_line_malformed(void **state)
{
	(void)state;
	check_bad_line("");
	check_bad_line("36 35 98:0 /mnt1 /mnt2 rw ext3 /dev/root rw");	   /* no "-" */
	check_bad_line("31 30 0:28 / /x rw cgroup cgroup rw");		   /* no "-" */
	check_bad_line("31 30 0:28 / /x rw -");				   /* nothing after it */
	check_bad_line("36 35 98:0 /mnt1 /mnt2 rw - ext3 /dev/root");	   /* one short */
	check_bad_line("36 35 98:0 /mnt1 /mnt2 rw - ext3 /dev/root rw x"); /* one too many */
	check_bad_line("x 35 98:0 /mnt1 /mnt2 rw - ext3 /dev/root rw");
	check_bad_line("36 35 980 /mnt1 /mnt2 rw - ext3 /dev/root rw");
	check_bad_line("36 35 98: /mnt1 /mnt2 rw - ext3 /dev/root rw");
	check_bad_line("36  35 98:0 /mnt1 /mnt2 rw - ext3 /dev/root rw");
	/* A "-" among the first six fields is a field, not the separator. */
	check_bad_line("36 35 98:0 - /mnt2 rw ext3 /dev/root rw");
}

/* The kernel writes an empty source for `mount -t tmpfs "" /x`; such a line
 * must parse, or gc would stop on any host that has one. */
static void test_parse_line_empty_source(void **state)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_mountinfo m;

	(void)state;
	assert_int_equal(
		stim_mountinfo_parse_line("40 26 0:45 / /x rw,relatime - tmpfs  rw", &m, &err), 0);
	assert_string_equal(m.fstype, "tmpfs");
	assert_string_equal(m.source, "");
	assert_string_equal(m.super_options, "rw");
	stim_mountinfo_fini(&m);
}

static void test_parse_line_error_names_one_line(void **state)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_mountinfo m;

	(void)state;
	/* Called on a line inside a table, the message stops at its end. */
	assert_int_equal(
		stim_mountinfo_parse_line("broken\n26 1 254:0 / / rw - ext4 /dev/vda rw", &m, &err),
		-1);
	assert_string_equal(err->msg, "mountinfo: malformed line 'broken'");
}

/* Tables */

static void test_parse_table(void **state)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_mountinfo *v = NULL;
	size_t n = 0;
	const char *text = "26 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
			   "\n"
			   "40 30 0:37 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
			   "41 26 0:40 / /var/lib/stimulator/i/rootfs rw - overlay stim-i rw";

	(void)state;
	assert_int_equal(stim_mountinfo_parse(text, &v, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].mount_point, "/");
	assert_string_equal(v[1].fstype, "cgroup2");
	assert_string_equal(v[2].source, "stim-i");
	stim_mountinfo_free(v, n);
}

static void test_parse_table_reports_line(void **state)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_mountinfo *v = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(stim_mountinfo_parse("26 1 254:0 / / rw - ext4 /dev/vda rw\nbroken\n", &v,
					      &n, &err),
			 -1);
	assert_non_null(err);
	assert_non_null(strstr(err->msg, "line 2"));
	assert_null(v);
}

static void test_parse_table_empty(void **state)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_mountinfo *v = NULL;
	size_t n = 1;

	(void)state;
	assert_int_equal(stim_mountinfo_parse("", &v, &n, &err), 0);
	assert_int_equal(n, 0);
	stim_mountinfo_free(v, n);
}

static void test_read_self(void **state)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_mountinfo *v = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(stim_mountinfo_read(&v, &n, &err), 0);
	assert_true(n > 0);
	for (size_t i = 0; i < n; i++)
		assert_true(v[i].mount_point[0] == '/');
	stim_mountinfo_free(v, n);
}

static void test_stat_start_time(void **state)
{
	uint64_t t = 0;
	cleanup_error stim_error_t err = NULL;

	/* A command name with spaces and a ')' of its own. */
	assert_int_equal(stim_procfs_stat_start_time(
				 "42 (a b) c)) S 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 "
				 "98765 1000 10 18446744073709551615",
				 &t),
			 0);
	assert_true(t == 98765);
	assert_int_equal(stim_procfs_stat_start_time("42 (x) S 1 2", &t), -1);
	assert_int_equal(stim_procfs_stat_start_time("no parenthesis", &t), -1);
	/* This process: a start time, and none for a pid that cannot be. */
	assert_int_equal(stim_procfs_pid_start_time(getpid(), &t, &err), 0);
	assert_true(t > 0);
	assert_int_equal(stim_procfs_pid_start_time(-5, &t, &err), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_sizes),
		cmocka_unit_test(test_read_ceiling),
		cmocka_unit_test(test_read_missing),
		cmocka_unit_test(test_read_proc),
		cmocka_unit_test(test_unescape),
		cmocka_unit_test(test_unescape_length_bound),
		cmocka_unit_test(test_parse_line),
		cmocka_unit_test(test_parse_line_no_optional_fields),
		cmocka_unit_test(test_parse_line_cgroup_optional_fields),
		cmocka_unit_test(test_parse_line_many_optional_fields_and_escapes),
		cmocka_unit_test(test_parse_line_escapes),
		cmocka_unit_test(test_parse_line_malformed),
		cmocka_unit_test(test_parse_line_empty_source),
		cmocka_unit_test(test_parse_line_error_names_one_line),
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_table_reports_line),
		cmocka_unit_test(test_parse_table_empty),
		cmocka_unit_test(test_read_self),
		cmocka_unit_test(test_stat_start_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
