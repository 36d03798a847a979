/* `stimulator ssh`, also run through a link named ssh: the ssh shim.
 *
 * gcloud runs `ssh` from PATH (reference/gcloud/ssh.md); `stimulator env`
 * puts a directory of the daemon's with this link first. The shim reads
 * the command line as ssh would (src/ssh_args.h) and asks the daemon
 * which instance the destination is (GET /stimulator/v1/sshTarget). A
 * destination the daemon does not know, a command line ssh itself would
 * refuse, or no daemon at all: the real ssh runs, unchanged, so ordinary
 * ssh keeps working. An instance's: the key of -i must be the user's in
 * its ssh-keys (as the guest agent checks), and the command runs inside
 * it (sandbox/enter.h), its exit status ours. Failures of our own are
 * 255, as ssh's are. */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "sandbox/enter.h"
#include "src/cleanup.h"
#include "src/commands.h"
#include "src/daemon_client.h"
#include "src/procfs.h"
#include "src/ssh_args.h"
#include "src/ssh_keys.h"
#include "src/util.h"

extern char **environ;

#define SSH_FAILED 255

/* The first `name` on PATH that is not this program (a link to it, as
 * the shim directory holds, included). NULL: none. */
static char *real_program(const char *name)
{
	const char *path = getenv("PATH");
	cleanup_free char *copy = xstrdup(path != NULL ? path : "/usr/bin:/bin");
	struct stat self;
	char *rest = copy;
	char *dir;

	if (stat("/proc/self/exe", &self) < 0)
		memset(&self, 0, sizeof(self));
	while ((dir = strsep(&rest, ":")) != NULL) {
		cleanup_free char *cand = xasprintf("%s/%s", *dir != '\0' ? dir : ".", name);
		struct stat st;

		if (stat(cand, &st) < 0 || !S_ISREG(st.st_mode) || access(cand, X_OK) < 0)
			continue;
		if (st.st_dev == self.st_dev && st.st_ino == self.st_ino)
			continue;
		return steal_pointer(&cand);
	}
	return NULL;
}

/* The real program with our own arguments: never returns. */
static __attribute__((noreturn)) void exec_real(const char *name, char **argv)
{
	cleanup_free char *prog = real_program(name);

	if (prog == NULL) {
		fprintf(stderr, "stimulator %s: no %s on PATH besides this shim\n", name, name);
		exit(SSH_FAILED);
	}
	argv[0] = (char *)name;
	execv(prog, argv);
	fprintf(stderr, "stimulator %s: %s: %s\n", name, prog, strerror(errno));
	exit(SSH_FAILED);
}

/* The destination's instance, as the daemon says (by the HostKeyAlias
 * compute.ID when by_alias, else by the host alone): 0. 1 when it is none
 * of the daemon's (no such instance, a host that is no address, or no
 * daemon at all): the real ssh's to reach. -1, said, when the daemon
 * fails otherwise (two instances with that internal address, say). */
static int ask(const struct stim_ssh_args *a, bool by_alias, json_t **target)
{
	cleanup_free char *base = stim_daemon_base();
	cleanup_free char *path = NULL;
	cleanup_error stim_error_t err = NULL;
	const char *alias = by_alias ? stim_ssh_option(&a->c, "HostKeyAlias") : NULL;
	CURL *c = curl_easy_init();
	char *host = c != NULL ? curl_easy_escape(c, a->host, 0) : NULL;
	char *esc_alias = c != NULL && alias != NULL ? curl_easy_escape(c, alias, 0) : NULL;
	const char *why = NULL;
	long status = 0;
	int ret = 1;

	*target = NULL;
	if (host != NULL)
		path = xasprintf("stimulator/v1/sshTarget?host=%s%s%s", host,
				 esc_alias != NULL ? "&alias=" : "",
				 esc_alias != NULL ? esc_alias : "");
	if (path != NULL && stim_daemon_get(base, path, 5000, &status, target, &err) == 0 &&
	    status != 404 && status != 400) {
		ret = status == 200 && *target != NULL ? 0 : -1;
		if (ret < 0) {
			json_unpack(*target, "{s:{s:s}}", "error", "message", &why);
			fprintf(stderr, "stimulator ssh: the daemon at %s: HTTP %ld: %s\n", base,
				status, why != NULL ? why : "no message");
		}
	}
	curl_free(host);
	curl_free(esc_alias);
	if (c != NULL)
		curl_easy_cleanup(c);
	if (ret != 0 && *target != NULL) {
		json_decref(*target);
		*target = NULL;
	}
	return ret;
}

/* The public keys the session may present: -i's, else ssh's defaults. */
static void identities(const struct stim_ssh_args *a, const char *home, struct stim_strv *out)
{
	static const char *const defaults[] = { "id_ed25519", "id_ecdsa", "id_rsa" };

	if (a->c.identity != NULL) {
		cleanup_free char *pub = xasprintf("%s.pub", a->c.identity);

		stim_strv_push(out, pub);
		return;
	}
	for (size_t i = 0; home != NULL && i < STIM_ARRAY_SIZE(defaults); i++) {
		cleanup_free char *pub = xasprintf("%s/.ssh/%s.pub", home, defaults[i]);

		stim_strv_push(out, pub);
	}
}

/* Whether one of the keys is user's in keys (the instance's ssh-keys). */
static bool key_allowed(const struct stim_ssh_args *a, const char *user, const char *keys)
{
	struct passwd *pw = getpwuid(getuid());
	struct stim_strv pubs = { 0 };
	bool ok = false;

	identities(a, pw != NULL ? pw->pw_dir : getenv("HOME"), &pubs);
	for (size_t i = 0; i < pubs.n && !ok; i++) {
		cleanup_error stim_error_t err = NULL;
		cleanup_free char *pub = NULL;

		if (stim_procfs_read(pubs.v[i], 64 * 1024, &pub, &err) == 0)
			ok = stim_ssh_keys_allow(keys, user, pub, time(NULL));
	}
	stim_strv_fini(&pubs);
	return ok;
}

/* What of the caller's environment the session gets, as ssh's SendEnv
 * does by default on Debian (LANG, LC_*), and the terminal's type. */
static void session_env(struct stim_strv *out)
{
	for (char **e = environ; *e != NULL; e++) {
		if (strncmp(*e, "LANG=", 5) == 0 || strncmp(*e, "LC_", 3) == 0 ||
		    strncmp(*e, "TERM=", 5) == 0)
			stim_strv_push(out, *e);
	}
}

/* gcloud's check before `compute ssh --internal-ip` (ssh.md): "is the
 * host at this address the instance ID?", asked of the instance's
 * metadata server with curl, which many images lack. The shim asks the
 * daemon which instance has the address instead (not by the alias,
 * which names ID itself): 0 when it is ID, 23 when not, as the check
 * exits; -1 when command is not the check. */
static int internal_ip_check(const struct stim_ssh_args *a)
{
	const char *command = a->command;
	json_t *t = NULL;
	const char *at_id = NULL;
	int code;
	static const char head[] =
		"[ `curl \"http://metadata.google.internal/computeMetadata/v1/instance/id\" -H "
		"\"Metadata-Flavor: Google\" -q` = ";
	static const char tail[] = " ] || exit 23";
	size_t n = command != NULL ? strlen(command) : 0;
	size_t idlen;

	if (n < sizeof(head) + sizeof(tail) - 2 || strncmp(command, head, sizeof(head) - 1) != 0 ||
	    strcmp(command + n - (sizeof(tail) - 1), tail) != 0)
		return -1;
	idlen = n - (sizeof(head) - 1) - (sizeof(tail) - 1);
	code = ask(a, false, &t);
	if (code < 0)
		code = SSH_FAILED;
	else if (code > 0 || json_unpack(t, "{s:s}", "id", &at_id) < 0)
		code = 23;
	else
		code = idlen == strlen(at_id) &&
				       strncmp(command + sizeof(head) - 1, at_id, idlen) == 0
			       ? 0
			       : 23;
	json_decref(t);
	return code;
}

/* The session in the instance the daemon named: its exit status. */
static int session(const struct stim_ssh_args *a, json_t *t)
{
	const char *name = NULL;
	const char *zone = NULL;
	const char *status = NULL;
	const char *keys = NULL;
	const char *start = NULL;
	int pid = 0;
	int os_login = 0;
	struct passwd *pw = getpwuid(getuid());
	const char *user = a->user != NULL ? a->user : pw != NULL ? pw->pw_name : "root";
	struct stim_strv env = { 0 };
	cleanup_free char **envp = NULL;
	cleanup_error stim_error_t err = NULL;
	struct stim_enter e = { 0 };
	int code;

	if (json_unpack(t, "{s:s, s:s, s:s, s:s, s:i, s:s, s:b}", "name", &name, "zone", &zone,
			"status", &status, "sshKeys", &keys, "pid", &pid, "pidStartTime", &start,
			"osLogin", &os_login) < 0) {
		fprintf(stderr, "stimulator ssh: the daemon's answer is not understood\n");
		return SSH_FAILED;
	}
	if (strcmp(status, "RUNNING") != 0 || pid <= 0) {
		fprintf(stderr,
			"stimulator ssh: instance %s in %s is %s: start it first "
			"(gcloud compute instances start %s --zone %s)\n",
			name, zone, status, name, zone);
		return SSH_FAILED;
	}
	if (os_login) {
		fprintf(stderr,
			"stimulator ssh: instance %s has enable-oslogin=TRUE; OS Login is not "
			"emulated here: set it to FALSE to use ssh-keys\n",
			name);
		return SSH_FAILED;
	}
	if (!stim_ssh_user_valid(user) || !key_allowed(a, user, keys)) {
		fprintf(stderr, "%s@%s: Permission denied (publickey).\n", user, a->host);
		return SSH_FAILED;
	}
	code = internal_ip_check(a);
	if (code >= 0)
		return code;
	session_env(&env);
	envp = xcalloc(env.n + 1, sizeof(*envp));
	memcpy(envp, env.v, env.n * sizeof(*envp));
	e = (struct stim_enter){ .pid = pid,
				 .pid_start = strtoull(start, NULL, 10),
				 .user = user,
				 .command = a->command,
				 .env = envp };
	code = SSH_FAILED;
	if (stim_enter_run(&e, &code, &err) < 0) {
		fprintf(stderr, "stimulator ssh: %s: %s\n", name, err->msg);
		code = SSH_FAILED;
	}
	stim_strv_fini(&env);
	return code;
}

int stim_cmd_ssh(int argc, char **argv)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_ssh_args a;
	json_t *target = NULL;
	int code;

	if (stim_ssh_args_parse(argc, argv, &a, &err) < 0)
		exec_real("ssh", argv);
	/* Plain HTTP to the daemon: no TLS library to set up. */
	curl_global_init(CURL_GLOBAL_NOTHING);
	code = ask(&a, true, &target);
	if (code > 0) {
		curl_global_cleanup();
		stim_ssh_args_fini(&a);
		exec_real("ssh", argv);
	}
	code = code < 0 ? SSH_FAILED : session(&a, target);
	curl_global_cleanup();
	json_decref(target);
	stim_ssh_args_fini(&a);
	return code;
}
