/* sudo's pure part (sandbox/sudo.h) and the account files it reads
 * (sandbox/accounts.h): the command line as sudo takes it, the request
 * both ways, the guest agent's rule, the words and the environment of
 * the command. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sandbox/accounts.h"
#include "sandbox/read_all.h"
#include "sandbox/sudo.h"

static const char passwd[] = "root:x:0:0:root:/root:/bin/bash\n"
			     "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
			     "\n"
			     "alice:x:1000:1000::/home/alice:/bin/sh\n"
			     "bob:x:1001:1001::/home/bob:\n"
			     "broken:x:notanumber:1\n"
			     "carol:x:1002:1002::/home/carol:/bin/sh";
static const char group[] = "root:x:0:\n"
			    "alice:x:1000:\n"
			    "bob:x:1001:\n"
			    "staff:x:50:bob,alice\n"
			    "google-sudoers:x:1003:alice,carolyn\n"
			    "carol:x:1002:";

static int parse(const char *line, struct stim_sudo_opts *o, char *why)
{
	static char buf[512];
	static char *argv[32];
	int argc = 0;

	strcpy(buf, line);
	for (char *w = strtok(buf, " "); w != NULL && argc < 31; w = strtok(NULL, " "))
		argv[argc++] = w;
	argv[argc] = NULL;
	return stim_sudo_parse(argc, argv, o, why, 256);
}

static void test_accounts(void **state)
{
	struct stim_account a;
	gid_t gids[8];
	gid_t gid;

	assert_true(stim_account_find(passwd, "alice", 0, &a));
	assert_string_equal(a.name, "alice");
	assert_int_equal(a.uid, 1000);
	assert_string_equal(a.home, "/home/alice");
	assert_true(stim_account_find(passwd, NULL, 1001, &a));
	assert_string_equal(a.name, "bob");
	assert_string_equal(a.shell, "/bin/sh"); /* empty: sh, as login does */
	assert_true(stim_account_find(passwd, NULL, 1002, &a));
	assert_string_equal(a.name, "carol"); /* the last line, without a newline */
	assert_false(stim_account_find(passwd, "broken", 0, &a));
	assert_false(stim_account_find(passwd, "ali", 0, &a));
	assert_false(stim_account_find(passwd, NULL, 4242, &a));

	assert_true(stim_group_find(group, "staff", &gid));
	assert_int_equal(gid, 50);
	assert_false(stim_group_find(group, "staf", &gid));
	assert_true(stim_group_has_member("bob,alice", "alice"));
	assert_false(stim_group_has_member("bob,alicex", "alice"));
	assert_false(stim_group_has_member(NULL, "alice"));

	assert_int_equal(stim_account_groups(group, "alice", 1000, gids, 8), 3);
	assert_int_equal(gids[0], 1000);
	assert_int_equal(gids[1], 50);
	assert_int_equal(gids[2], 1003);
	assert_int_equal(stim_account_groups(group, "alice", 1000, gids, 2), 2);
}

/* A pipe holding text, its write end closed: read_all's input. */
static int pipe_of(const char *text)
{
	int p[2];

	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], text, strlen(text)), (ssize_t)strlen(text));
	close(p[1]);
	return p[0];
}

static void test_read_all(void **state)
{
	char big[10000];
	int fd = pipe_of("0123456789");
	char *text = stim_read_all(fd, 10);

	close(fd);
	assert_string_equal(text, "0123456789"); /* max bytes exactly */
	free(text);
	fd = pipe_of("0123456789");
	assert_null(stim_read_all(fd, 9));
	close(fd);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	fd = pipe_of(big);
	text = stim_read_all(fd, sizeof(big));
	close(fd);
	assert_int_equal(strlen(text), sizeof(big) - 1); /* past the first buffer */
	free(text);
	text = stim_account_file_read("/nonexistent/etc/passwd");
	assert_string_equal(text, "");
	free(text);
}

static void test_rule(void **state)
{
	struct stim_account a;

	assert_true(stim_account_find(passwd, "alice", 0, &a));
	assert_true(stim_sudo_allowed(group, &a));
	assert_true(stim_account_find(passwd, "bob", 0, &a));
	assert_false(stim_sudo_allowed(group, &a));
	/* "carolyn" in the member list is not carol. */
	assert_true(stim_account_find(passwd, "carol", 0, &a));
	assert_false(stim_sudo_allowed(group, &a));
	/* google-sudoers as the primary group counts. */
	a.gid = 1003;
	assert_true(stim_sudo_allowed(group, &a));
	assert_true(stim_account_find(passwd, "root", 0, &a));
	assert_true(stim_sudo_allowed("", &a));
	assert_true(stim_account_find(passwd, "alice", 0, &a));
	assert_false(stim_sudo_allowed("", &a)); /* no group file: no group */
}

static void test_parse(void **state)
{
	struct stim_sudo_opts o;
	char why[256];

	assert_int_equal(parse("sudo -n id -u", &o, why), 0);
	assert_int_equal(o.action, STIM_SUDO_RUN);
	assert_int_equal(o.argc, 2);
	assert_string_equal(o.argv[0], "id");
	assert_string_equal(o.argv[1], "-u"); /* the command's own options stay its own */
	assert_null(o.user);

	assert_int_equal(parse("sudo -nu bob -g staff -E -- ls -l", &o, why), 0);
	assert_string_equal(o.user, "bob");
	assert_string_equal(o.group, "staff");
	assert_true(o.preserve_env);
	assert_string_equal(o.argv[0], "ls");
	assert_int_equal(parse("sudo -ubob --group=staff true", &o, why), 0);
	assert_string_equal(o.user, "bob");
	assert_string_equal(o.group, "staff");
	assert_int_equal(parse("sudo --user #1001 true", &o, why), 0);
	assert_string_equal(o.user, "#1001");

	assert_int_equal(parse("sudo -i", &o, why), 0);
	assert_true(o.login);
	assert_int_equal(o.argc, 0);
	assert_int_equal(parse("sudo -s", &o, why), 0);
	assert_true(o.shell);
	assert_int_equal(parse("sudo -l", &o, why), 0);
	assert_int_equal(o.action, STIM_SUDO_LIST);
	assert_int_equal(parse("sudo -v", &o, why), 0);
	assert_int_equal(o.action, STIM_SUDO_VALIDATE);
	assert_int_equal(parse("sudo -k", &o, why), 0);
	assert_int_equal(o.action, STIM_SUDO_FORGET);
	assert_int_equal(parse("sudo -k true", &o, why), 0);
	assert_int_equal(o.action, STIM_SUDO_RUN);
	assert_int_equal(parse("sudo -K", &o, why), 0);
	assert_int_equal(o.action, STIM_SUDO_FORGET);
	assert_int_equal(parse("sudo -V", &o, why), 0);
	assert_int_equal(o.action, STIM_SUDO_VERSION);
	assert_int_equal(parse("sudo --help", &o, why), 0);
	assert_int_equal(o.action, STIM_SUDO_HELP);

	assert_int_equal(parse("sudo", &o, why), -1);
	assert_string_equal(why, stim_sudo_usage);
	assert_int_equal(parse("sudo -x true", &o, why), -1);
	assert_string_equal(why, "sudo: invalid option -- 'x'");
	assert_int_equal(parse("sudo -u", &o, why), -1);
	assert_string_equal(why, "sudo: option requires an argument -- 'u'");
	assert_int_equal(parse("sudo --frobnicate true", &o, why), -1);
	assert_string_equal(why, "sudo: unrecognized option '--frobnicate'");
	assert_int_equal(parse("sudo -i -s", &o, why), -1);
	assert_int_equal(parse("sudo -b true", &o, why), -1);
	assert_string_equal(why, "sudo: option not supported in an instance -- 'b'");
}

static void test_request(void **state)
{
	char *env[] = { "TERM=xterm", "PATH=/home/alice/bin:/usr/bin", NULL };
	char *argv[] = { "sudo", "-u", "bob", "printf", "%s\n", "a b", NULL };
	struct stim_sudo_opts o;
	struct stim_sudo_request r;
	char why[256];
	char *text;

	assert_int_equal(stim_sudo_parse(6, argv, &o, why, sizeof(why)), 0);
	text = stim_sudo_request_encode(&o, env, true);
	assert_non_null(text);
	assert_int_equal(stim_sudo_request_decode(text, &r), 0);
	free(text);
	assert_string_equal(r.user, "bob");
	assert_null(r.group);
	assert_true(r.tty);
	assert_false(r.login);
	assert_string_equal(r.argv[0], "printf");
	assert_string_equal(r.argv[1], "%s\n");
	assert_string_equal(r.argv[2], "a b");
	assert_null(r.argv[3]);
	assert_string_equal(r.env[1], "PATH=/home/alice/bin:/usr/bin");
	assert_null(r.env[2]);
	stim_sudo_request_fini(&r);

	/* JSON carries only UTF-8: a word or a name that is not refuses the
	 * request (nothing dropped, no name becoming root); an environment
	 * entry that is not is left out. */
	argv[3] = "cat";
	argv[4] = "\xff.txt";
	assert_null(stim_sudo_request_encode(&o, env, false));
	argv[4] = "ok.txt";
	o.user = "\xff";
	assert_null(stim_sudo_request_encode(&o, env, false));
	o.user = NULL;
	env[0] = "BAD=\xff";
	text = stim_sudo_request_encode(&o, env, false);
	assert_int_equal(stim_sudo_request_decode(text, &r), 0);
	free(text);
	assert_string_equal(r.env[0], "PATH=/home/alice/bin:/usr/bin");
	assert_null(r.env[1]);
	stim_sudo_request_fini(&r);

	assert_int_equal(stim_sudo_request_decode("[]", &r), -1);
	assert_int_equal(stim_sudo_request_decode("not json", &r), -1);
	assert_int_equal(stim_sudo_request_decode("{\"argv\": [1], \"env\": []}", &r), -1);
	/* Nothing to run. */
	assert_int_equal(stim_sudo_request_decode("{\"argv\": [], \"env\": []}", &r), -1);
	assert_int_equal(
		stim_sudo_request_decode("{\"argv\": [], \"env\": [], \"login\": true}", &r), 0);
	stim_sudo_request_fini(&r);
}

static void test_words(void **state)
{
	char *words[] = { "echo", "a b", "$HOME", "x;y", NULL };
	char *none[] = { NULL };
	char *env[] = { "SHELL=/bin/zsh", NULL };
	struct stim_sudo_request r = { .argv = words, .env = env };
	struct stim_account alice;
	struct stim_account root;
	char *program = NULL;
	char **v;

	assert_true(stim_account_find(passwd, "alice", 0, &alice));
	assert_true(stim_account_find(passwd, "root", 0, &root));
	v = stim_sudo_argv(&r, &alice, &root, &program);
	assert_string_equal(program, "echo");
	assert_string_equal(v[1], "a b");
	assert_null(v[4]);
	stim_sudo_strv_free(v);
	free(program);

	/* -i: the target's shell as a login shell; the words escaped as
	 * sudo escapes them. */
	r.login = true;
	v = stim_sudo_argv(&r, &alice, &root, &program);
	assert_string_equal(program, "/bin/bash");
	assert_string_equal(v[0], "-bash");
	assert_string_equal(v[1], "-c");
	assert_string_equal(v[2], "echo a\\ b $HOME x\\;y");
	assert_null(v[3]);
	stim_sudo_strv_free(v);
	free(program);

	/* -s alone: the caller's SHELL, interactive. */
	r.login = false;
	r.shell = true;
	r.argv = none;
	v = stim_sudo_argv(&r, &alice, &root, &program);
	assert_string_equal(program, "/bin/zsh");
	assert_string_equal(v[0], "/bin/zsh");
	assert_null(v[1]);
	stim_sudo_strv_free(v);
	free(program);
}

static void test_env(void **state)
{
	char *argv[] = { "id", NULL };
	char *env[] = { "TERM=xterm",	    "LC_ALL=C.UTF-8", "PATH=/evil", "LD_PRELOAD=/tmp/x.so",
			"HOME=/home/alice", "EDITOR=vi",      NULL };
	struct stim_sudo_request r = { .argv = argv, .env = env };
	struct stim_account alice;
	struct stim_account root;
	char **v;
	char *joined;
	size_t len = 0;

	assert_true(stim_account_find(passwd, "alice", 0, &alice));
	assert_true(stim_account_find(passwd, "root", 0, &root));
	v = stim_sudo_env(&r, &alice, &root, "/usr/bin/id");
	for (size_t i = 0; v[i] != NULL; i++)
		len += strlen(v[i]) + 1;
	joined = calloc(1, len + 1);
	for (size_t i = 0; v[i] != NULL; i++) {
		strcat(joined, v[i]);
		strcat(joined, "\n");
	}
	assert_string_equal(joined, "TERM=xterm\nLC_ALL=C.UTF-8\n"
				    "PATH=" STIM_SUDO_SECURE_PATH "\n"
				    "HOME=/root\nSHELL=/bin/bash\nUSER=root\nLOGNAME=root\n"
				    "MAIL=/var/mail/root\nSUDO_COMMAND=/usr/bin/id\n"
				    "SUDO_USER=alice\nSUDO_UID=1000\nSUDO_GID=1000\n");
	free(joined);
	stim_sudo_strv_free(v);

	/* -E keeps the rest, but not a PATH or HOME of the caller's, nor
	 * what env_delete strips. */
	r.preserve_env = true;
	v = stim_sudo_env(&r, &alice, &root, "/usr/bin/id");
	assert_string_equal(v[2], "EDITOR=vi");
	assert_string_equal(v[3], "PATH=" STIM_SUDO_SECURE_PATH);
	stim_sudo_strv_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accounts), cmocka_unit_test(test_read_all),
		cmocka_unit_test(test_rule),	 cmocka_unit_test(test_parse),
		cmocka_unit_test(test_request),	 cmocka_unit_test(test_words),
		cmocka_unit_test(test_env),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
