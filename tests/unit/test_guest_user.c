/* Accounts for ssh-keys users in an image's files (a directory standing
 * for an instance's root): made as the guest agent makes them, once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "sandbox/guest_user.h"
#include "src/cleanup.h"
#include "src/procfs.h"
#include "src/util.h"

static char root[] = "/tmp/stim-unit-guest-XXXXXX";

static void put(const char *rel, const char *text)
{
	cleanup_free char *path = xasprintf("%s/%s", root, rel);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *get(const char *rel)
{
	cleanup_free char *path = xasprintf("%s/%s", root, rel);
	cleanup_error stim_error_t err = NULL;
	char *text = NULL;

	if (stim_procfs_read(path, 1 << 20, &text, &err) < 0)
		fail_msg("%s", err->msg);
	return text;
}

static int setup(void **state)
{
	cleanup_free char *etc = NULL;

	if (mkdtemp(root) == NULL)
		return -1;
	etc = xasprintf("%s/etc", root);
	return mkdir(etc, 0755);
}

static int teardown(void **state)
{
	cleanup_free char *rm = xasprintf("rm -rf %s", root);

	return system(rm) == 0 ? 0 : -1;
}

/* An image like debian's: passwd, group, shadow, sudo, bash. */
static void test_debian_like(void **state)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_guest_account a;
	cleanup_free char *dir = xasprintf("%s/etc/sudoers.d", root);
	cleanup_free char *bin = xasprintf("%s/bin", root);
	cleanup_free char *bash = xasprintf("%s/bin/bash", root);
	cleanup_free char *passwd = NULL;
	cleanup_free char *group = NULL;
	cleanup_free char *shadow = NULL;
	cleanup_free char *rules = NULL;
	cleanup_free char *home = NULL;
	struct stat st;

	if (geteuid() != 0)
		skip(); /* homes are given to their users: chown needs root */
	put("etc/passwd", "root:x:0:0:root:/root:/bin/bash\n"
			  "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
			  "old:x:1000:1000::/home/old:/bin/bash");
	put("etc/group", "root:x:0:\nold:x:1000:\ngoogle-sudoers:x:1001:old\n");
	put("etc/shadow", "root:*:19000:0:99999:7:::\n");
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(mkdir(bin, 0755), 0);
	put("bin/bash", "");
	assert_int_equal(chmod(bash, 0755), 0);

	assert_int_equal(stim_guest_user_ensure(root, "alice", 0, &a, &err), 0);
	assert_int_equal(a.uid, 1002); /* past old's 1000 and the group's 1001 */
	assert_int_equal(a.gid, 1002);
	assert_int_equal(a.ngroups, 2);
	assert_int_equal(a.groups[0], 1002);
	assert_int_equal(a.groups[1], 1001); /* google-sudoers */
	assert_string_equal(a.home, "/home/alice");
	assert_string_equal(a.shell, "/bin/bash");
	passwd = get("etc/passwd");
	/* a newline added after old's line, which had none */
	assert_non_null(
		strstr(passwd, "/home/old:/bin/bash\nalice:x:1002:1002::/home/alice:/bin/bash\n"));
	group = get("etc/group");
	assert_non_null(strstr(group, "google-sudoers:x:1001:old,alice\n"));
	assert_non_null(strstr(group, "alice:x:1002:\n"));
	shadow = get("etc/shadow");
	assert_non_null(strstr(shadow, "\nalice:*:"));
	rules = get("etc/sudoers.d/google_sudoers");
	assert_string_equal(rules, "%google-sudoers ALL=(ALL:ALL) NOPASSWD:ALL\n");
	home = xasprintf("%s/home/alice", root);
	assert_int_equal(stat(home, &st), 0);
	assert_true(S_ISDIR(st.st_mode));

	/* Again: the account as it is, with its groups, nothing written
	 * twice. */
	assert_int_equal(stim_guest_user_ensure(root, "alice", 0, &a, &err), 0);
	assert_int_equal(a.uid, 1002);
	assert_int_equal(a.ngroups, 2);
	assert_int_equal(a.groups[1], 1001);
	free(group);
	group = get("etc/group");
	assert_non_null(strstr(group, "google-sudoers:x:1001:old,alice\n"));
	free(passwd);
	passwd = get("etc/passwd");
	assert_null(strstr(strstr(passwd, "\nalice:x:") + 1, "\nalice:x:"));

	/* root is there already. */
	assert_int_equal(stim_guest_user_ensure(root, "root", 0, &a, &err), 0);
	assert_int_equal(a.uid, 0);
	assert_string_equal(a.home, "/root");
}

/* An image like busybox's: no shadow, no sudo, no google-sudoers, sh. */
static void test_busybox_like(void **state)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_guest_account a;
	cleanup_free char *group = NULL;
	cleanup_free char *bin = xasprintf("%s/bin/bash", root);

	if (geteuid() != 0)
		skip();
	unlink(bin);
	put("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
	put("etc/group", "root:x:0:\n");
	put("etc/shadow", "");
	assert_int_equal(stim_guest_user_ensure(root, "bob", 0, &a, &err), 0);
	assert_int_equal(a.uid, 1000);
	assert_string_equal(a.shell, "/bin/sh");
	assert_int_equal(a.groups[1], 1001);
	group = get("etc/group");
	assert_non_null(strstr(group, "bob:x:1000:\ngoogle-sudoers:x:1001:bob\n"));

	/* An OS Login profile's ids. */
	assert_int_equal(stim_guest_user_ensure(root, "carol_example_com", 1234567, &a, &err), 0);
	assert_int_equal(a.uid, 1234567);
	assert_int_equal(a.gid, 1234567);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debian_like),
		cmocka_unit_test(test_busybox_like),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
