/* ssh's and scp's command lines: gcloud's, word for word as traced
 * (reference/gcloud/ssh.md), and others an ordinary user types. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "src/cleanup.h"
#include "src/ssh_args.h"

#define ARGC(v) ((int)(sizeof(v) / sizeof((v)[0])))

#define GCLOUD_OPTIONS                                                                             \
	"-i", "/root/.ssh/google_compute_engine", "-o", "CheckHostIP=no", "-o",                    \
		"HashKnownHosts=no", "-o", "HostKeyAlias=compute.1000000000000007919", "-o",       \
		"IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=no", "-o",                      \
		"UserKnownHostsFile=/root/.ssh/google_compute_known_hosts"

/* `gcloud compute ssh vm1 --command='uname -a; id'`: the command split
 * on spaces comes back whole. */
static void test_gcloud_command(void **state)
{
	char *argv[] = {
		"ssh", "-T", GCLOUD_OPTIONS, "root@203.0.113.2", "--", "uname", "-a;", "id"
	};
	cleanup_error stim_error_t err = NULL;
	struct stim_ssh_args a;

	assert_int_equal(stim_ssh_args_parse(ARGC(argv), argv, &a, &err), 0);
	assert_int_equal(a.tty, STIM_SSH_TTY_NO);
	assert_string_equal(a.c.identity, "/root/.ssh/google_compute_engine");
	assert_string_equal(a.user, "root");
	assert_string_equal(a.host, "203.0.113.2");
	assert_string_equal(a.command, "uname -a; id");
	assert_int_equal(a.c.noptions, 6);
	assert_string_equal(stim_ssh_option(&a.c, "hostkeyalias"), "compute.1000000000000007919");
	assert_null(stim_ssh_option(&a.c, "Port"));
	stim_ssh_args_fini(&a);
}

/* The key probe runs ":"; an interactive session has -t and no command;
 * the IAP form names compute.ID with a ProxyCommand of many words in
 * one; --ssh-flag words go between the options and the destination. */
static void test_gcloud_forms(void **state)
{
	char *probe[] = { "ssh", "-T", GCLOUD_OPTIONS, "root@203.0.113.2", "--", ":" };
	char *login[] = { "ssh", "-t", GCLOUD_OPTIONS, "alice@10.128.0.2" };
	char *iap[] = { "ssh",
			"-t",
			GCLOUD_OPTIONS,
			"-o",
			"ProxyCommand /usr/bin/python3 /usr/lib/google-cloud-sdk/lib/gcloud.py "
			"compute start-iap-tunnel 'vm2' '%p' --listen-on-stdin",
			"-o",
			"ProxyUseFdpass=no",
			"root@compute.1000000000000007919" };
	char *flags[] = { "ssh",  "-T",	 GCLOUD_OPTIONS,    "-p",
			  "2222", "-L",	 "80:localhost:80", "root@203.0.113.2",
			  "--",	  "true" };
	cleanup_error stim_error_t err = NULL;
	struct stim_ssh_args a;

	assert_int_equal(stim_ssh_args_parse(ARGC(probe), probe, &a, &err), 0);
	assert_string_equal(a.command, ":");
	stim_ssh_args_fini(&a);

	assert_int_equal(stim_ssh_args_parse(ARGC(login), login, &a, &err), 0);
	assert_int_equal(a.tty, STIM_SSH_TTY_YES);
	assert_string_equal(a.user, "alice");
	assert_null(a.command);
	stim_ssh_args_fini(&a);

	assert_int_equal(stim_ssh_args_parse(ARGC(iap), iap, &a, &err), 0);
	assert_string_equal(a.host, "compute.1000000000000007919");
	assert_non_null(stim_ssh_option(&a.c, "ProxyCommand"));
	assert_string_equal(stim_ssh_option(&a.c, "ProxyUseFdpass"), "no");
	stim_ssh_args_fini(&a);

	assert_int_equal(stim_ssh_args_parse(ARGC(flags), flags, &a, &err), 0);
	assert_int_equal(a.c.port, 2222);
	assert_string_equal(a.command, "true");
	stim_ssh_args_fini(&a);
}

/* What people type: clusters, values glued to their letter, options
 * after the destination, a command without "--", -l, ssh:// URIs. */
static void test_ordinary(void **state)
{
	char *cluster[] = { "ssh", "-vvT", "-p22", "-lbob", "host.example", "-A", "ls", "-la" };
	char *uri[] = { "ssh", "ssh://carol@[::1]:2200" };
	char *first_user[] = { "ssh", "-l", "dave", "erin@h" };
	cleanup_error stim_error_t err = NULL;
	struct stim_ssh_args a;

	assert_int_equal(stim_ssh_args_parse(ARGC(cluster), cluster, &a, &err), 0);
	assert_int_equal(a.tty, STIM_SSH_TTY_NO);
	assert_int_equal(a.c.port, 22);
	assert_string_equal(a.user, "bob");
	assert_string_equal(a.host, "host.example");
	assert_string_equal(a.command, "ls -la");
	stim_ssh_args_fini(&a);

	assert_int_equal(stim_ssh_args_parse(ARGC(uri), uri, &a, &err), 0);
	assert_string_equal(a.user, "carol");
	assert_string_equal(a.host, "[::1]");
	assert_int_equal(a.c.port, 2200);
	stim_ssh_args_fini(&a);

	assert_int_equal(stim_ssh_args_parse(ARGC(first_user), first_user, &a, &err), 0);
	assert_string_equal(a.user, "dave");
	assert_string_equal(a.host, "h");
	stim_ssh_args_fini(&a);
}

/* What ssh itself refuses: refused here too (the shim then runs the
 * real ssh, which says why). */
static void test_refused(void **state)
{
	char *none[] = { "ssh", "-T" };
	char *valueless[] = { "ssh", "host", "-i" };
	char *unknown[] = { "ssh", "-Z", "host" };
	char *no_user[] = { "ssh", "@host" };
	char *bad_port[] = { "ssh", "-p", "99999", "host" };
	char **cases[] = { none, valueless, unknown, no_user, bad_port };
	int counts[] = { ARGC(none), ARGC(valueless), ARGC(unknown), ARGC(no_user),
			 ARGC(bad_port) };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cleanup_error stim_error_t err = NULL;
		struct stim_ssh_args a;

		assert_int_equal(stim_ssh_args_parse(counts[i], cases[i], &a, &err), -1);
		assert_int_equal(err->code, STIM_INVALID_ARGUMENT);
	}
}

/* `gcloud compute scp` both ways, and a local name with a colon. */
static void test_scp(void **state)
{
	char *up[] = { "scp", GCLOUD_OPTIONS, "small.txt", "root@203.0.113.2:/tmp/" };
	char *down[] = { "scp", "-r", "-P", "2222", "-i", "k", "bob@10.0.0.2:", "./a:b" };
	cleanup_error stim_error_t err = NULL;
	struct stim_scp_args a;

	assert_int_equal(stim_scp_args_parse(ARGC(up), up, &a, &err), 0);
	assert_int_equal(a.noperands, 2);
	assert_null(a.operands[0].host);
	assert_string_equal(a.operands[0].path, "small.txt");
	assert_string_equal(a.operands[1].user, "root");
	assert_string_equal(a.operands[1].host, "203.0.113.2");
	assert_string_equal(a.operands[1].path, "/tmp/");
	assert_string_equal(a.c.identity, "/root/.ssh/google_compute_engine");
	stim_scp_args_fini(&a);

	assert_int_equal(stim_scp_args_parse(ARGC(down), down, &a, &err), 0);
	assert_true(a.recursive);
	assert_int_equal(a.c.port, 2222);
	assert_string_equal(a.operands[0].host, "10.0.0.2");
	assert_string_equal(a.operands[0].path, "");
	assert_null(a.operands[1].host);
	assert_string_equal(a.operands[1].path, "./a:b");
	stim_scp_args_fini(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gcloud_command),
		cmocka_unit_test(test_gcloud_forms),
		cmocka_unit_test(test_ordinary),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_scp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
