/* What the ssh and scp shims share (see ssh_shim.h). */
#include "src/ssh_shim.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "src/cleanup.h"
#include "src/daemon_client.h"
#include "src/procfs.h"
#include "src/ssh_keys.h"
#include "src/util.h"

extern char **environ;

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
void stim_shim_exec_real(const char *name, char **argv)
{
	cleanup_free char *prog = real_program(name);

	if (prog == NULL) {
		fprintf(stderr, "stimulator %s: no %s on PATH besides this shim\n", name, name);
		exit(STIM_SHIM_FAILED);
	}
	argv[0] = (char *)name;
	execv(prog, argv);
	fprintf(stderr, "stimulator %s: %s: %s\n", name, prog, strerror(errno));
	exit(STIM_SHIM_FAILED);
}

/* The destination's instance, as the daemon says (by the HostKeyAlias
 * compute.ID when by_alias, else by the host alone): 0. 1 when it is none
 * of the daemon's (no such instance, a host that is no address, or no
 * daemon at all): the real ssh's to reach. -1, said, when the daemon
 * fails otherwise (two instances with that internal address, say). */
int stim_shim_ask(const struct stim_ssh_common *c, const char *dest, bool by_alias, json_t **target)
{
	cleanup_free char *base = stim_daemon_base();
	cleanup_free char *path = NULL;
	cleanup_error stim_error_t err = NULL;
	const char *alias = by_alias ? stim_ssh_option(c, "HostKeyAlias") : NULL;
	CURL *curl = curl_easy_init();
	char *host = curl != NULL ? curl_easy_escape(curl, dest, 0) : NULL;
	char *esc_alias = curl != NULL && alias != NULL ? curl_easy_escape(curl, alias, 0) : NULL;
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
			fprintf(stderr, "stimulator: the daemon at %s: HTTP %ld: %s\n", base,
				status, why != NULL ? why : "no message");
		}
	}
	curl_free(host);
	curl_free(esc_alias);
	if (curl != NULL)
		curl_easy_cleanup(curl);
	if (ret != 0 && *target != NULL) {
		json_decref(*target);
		*target = NULL;
	}
	return ret;
}

/* The public keys the session may present: -i's, else ssh's defaults. */
static void identities(const struct stim_ssh_common *c, const char *home, struct stim_strv *out)
{
	static const char *const defaults[] = { "id_ed25519", "id_ecdsa", "id_rsa" };

	if (c->identity != NULL) {
		cleanup_free char *pub = xasprintf("%s.pub", c->identity);

		stim_strv_push(out, pub);
		return;
	}
	for (size_t i = 0; home != NULL && i < STIM_ARRAY_SIZE(defaults); i++) {
		cleanup_free char *pub = xasprintf("%s/.ssh/%s.pub", home, defaults[i]);

		stim_strv_push(out, pub);
	}
}

/* Whether one of the keys is user's in keys (the instance's ssh-keys). */
static bool key_allowed(const struct stim_ssh_common *c, const char *user, const char *keys)
{
	struct passwd *pw = getpwuid(getuid());
	struct stim_strv pubs = { 0 };
	bool ok = false;

	identities(c, pw != NULL ? pw->pw_dir : getenv("HOME"), &pubs);
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

const char *stim_shim_user(const char *given)
{
	struct passwd *pw;

	if (given != NULL)
		return given;
	pw = getpwuid(getuid());
	return pw != NULL ? pw->pw_name : "root";
}

int stim_shim_admit(const struct stim_ssh_common *c, const char *user, const char *dest, json_t *t,
		    struct stim_shim_session *s)
{
	const char *name = NULL;
	const char *zone = NULL;
	const char *status = NULL;
	const char *keys = NULL;
	const char *start = NULL;
	int pid = 0;
	int os_login = 0;

	memset(s, 0, sizeof(*s));
	if (json_unpack(t, "{s:s, s:s, s:s, s:s, s:i, s:s, s:b}", "name", &name, "zone", &zone,
			"status", &status, "sshKeys", &keys, "pid", &pid, "pidStartTime", &start,
			"osLogin", &os_login) < 0) {
		fprintf(stderr, "stimulator: the daemon's answer is not understood\n");
		return -1;
	}
	if (strcmp(status, "RUNNING") != 0 || pid <= 0) {
		fprintf(stderr,
			"stimulator: instance %s in %s is %s: start it first "
			"(gcloud compute instances start %s --zone %s)\n",
			name, zone, status, name, zone);
		return -1;
	}
	if (!stim_ssh_user_valid(user) || !key_allowed(c, user, keys)) {
		fprintf(stderr, "%s@%s: Permission denied (publickey).\n", user, dest);
		return -1;
	}
	session_env(&s->env);
	s->envp = xcalloc(s->env.n + 1, sizeof(*s->envp));
	memcpy(s->envp, s->env.v, s->env.n * sizeof(*s->envp));
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->enter = (struct stim_enter){
		.pid = pid, .pid_start = strtoull(start, NULL, 10), .user = user, .env = s->envp
	};
	/* An OS Login account is made with its profile's ids. */
	if (os_login)
		s->enter.uid = (uid_t)json_integer_value(
			json_object_get(json_object_get(t, "osLoginUids"), user));
	return 0;
}

void stim_shim_session_fini(struct stim_shim_session *s)
{
	free(s->envp);
	stim_strv_fini(&s->env);
	memset(s, 0, sizeof(*s));
}
