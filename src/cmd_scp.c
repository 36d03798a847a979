/* `stimulator scp`, run through a link named scp: gcloud compute scp's half
 * of the shim. gcloud runs `scp -i KEY -o ... SRC... user@IP:PATH`, or the
 * other way round (reference/gcloud/ssh.md). Where the remote operands
 * are one instance's, the user is admitted as for ssh (src/ssh_shim.h)
 * and each copy runs inside the instance as that user: a file through
 * cat, a directory (-r) through tar at both ends. The host's side of
 * every copy (its files, its tar) is opened before the instance is
 * entered, since from then on this process sees the instance's root.
 * Anything else goes to the real scp. Exit 0 when every copy is made, 1
 * when one is not (scp's own), 255 when the instance cannot be reached. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "src/cleanup.h"
#include "src/commands.h"
#include "src/ssh_args.h"
#include "src/ssh_shim.h"
#include "src/util.h"

extern char **environ;

/* One copy, its host side opened. */
struct copy {
	char *shown;   /* the source as scp names it in messages */
	char *command; /* what runs inside the instance */
	int fd;	       /* the command's stdin (up) or stdout (down) */
	bool up;
	pid_t tar; /* the host's tar at the other end of fd; 0: none */
};

/* s as one shell word. */
static char *quote(const char *s)
{
	size_t n = 3;
	char *q;
	char *p;

	for (const char *c = s; *c != '\0'; c++)
		n += *c == '\'' ? 4 : 1;
	p = q = xmalloc(n);
	*p++ = '\'';
	for (const char *c = s; *c != '\0'; c++) {
		if (*c == '\'') {
			memcpy(p, "'\\''", 4);
			p += 4;
		} else {
			*p++ = *c;
		}
	}
	*p++ = '\'';
	*p = '\0';
	return q;
}

/* The last component of a path, trailing slashes aside (allocated). */
static char *base_of(const char *path)
{
	cleanup_free char *copy = xstrdup(path);
	size_t n = strlen(copy);

	while (n > 1 && copy[n - 1] == '/')
		copy[--n] = '\0';
	return xstrdup(basename(copy));
}

static char *dir_of(const char *path)
{
	cleanup_free char *copy = xstrdup(path);
	size_t n = strlen(copy);

	while (n > 1 && copy[n - 1] == '/')
		copy[--n] = '\0';
	return xstrdup(dirname(copy));
}

/* The host's tar with argv, its stdin (extract) or stdout (create) the
 * pipe whose other end is returned in *fd. */
static pid_t host_tar(char *const *argv, bool create, int *fd)
{
	int p[2];
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int rc;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, create ? p[1] : p[0], create ? 1 : 0);
	rc = posix_spawnp(&pid, "tar", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(create ? p[1] : p[0]);
	if (rc != 0) {
		close(create ? p[0] : p[1]);
		errno = rc;
		return -1;
	}
	*fd = create ? p[0] : p[1];
	return pid;
}

/* A host source to the instance's target: a file as it is, a directory
 * through tar; the target, when a directory, gets the source's name. */
static int plan_up(const char *src, const char *target, bool recursive, struct copy *c)
{
	cleanup_free char *name = base_of(src);
	cleanup_free char *qt = quote(*target != '\0' ? target : ".");
	cleanup_free char *qn = quote(name);
	struct stat st;

	c->up = true;
	c->shown = xstrdup(src);
	if (stat(src, &st) < 0) {
		fprintf(stderr, "scp: %s: %s\n", src, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		cleanup_free char *parent = dir_of(src);
		char *argv[] = { "tar", "-C", parent, "-cf", "-", name, NULL };

		if (!recursive) {
			fprintf(stderr, "scp: %s: not a regular file\n", src);
			return -1;
		}
		c->tar = host_tar(argv, true, &c->fd);
		if (c->tar < 0) {
			fprintf(stderr, "scp: tar: %s\n", strerror(errno));
			return -1;
		}
		/* Into the target when it is a directory, else as the target
		 * (through a directory of its own beside it). */
		c->command =
			xasprintf("t=%s; n=%s; if [ -d \"$t\" ]; then exec tar -xf - -C \"$t\"; "
				  "fi; d=\"$t.stim-scp.$$\"; mkdir -p \"$d\" && tar -xf - -C "
				  "\"$d\" && mv \"$d/$n\" \"$t\" && rmdir \"$d\"",
				  qt, qn);
		return 0;
	}
	c->fd = open(src, O_RDONLY | O_CLOEXEC);
	if (c->fd < 0) {
		fprintf(stderr, "scp: %s: %s\n", src, strerror(errno));
		return -1;
	}
	c->command = xasprintf("t=%s; if [ -d \"$t\" ]; then t=\"$t\"/%s; fi; exec cat > \"$t\"",
			       qt, qn);
	return 0;
}

/* An instance's source to the host's target: into it when it is a
 * directory, else as it. */
static int plan_down(const char *src, const char *target, bool recursive, bool into, struct copy *c)
{
	cleanup_free char *name = base_of(*src != '\0' ? src : ".");
	cleanup_free char *qs = quote(*src != '\0' ? src : ".");
	cleanup_free char *local = into ? xasprintf("%s/%s", target, name) : xstrdup(target);

	c->up = false;
	c->shown = xstrdup(*src != '\0' ? src : ".");
	if (recursive) {
		cleanup_free char *qparent = NULL;
		cleanup_free char *qn = quote(name);
		char *argv[] = { "tar", "-xf", "-", "-C", (char *)(into ? target : local), NULL };

		/* A new directory gets the source's contents; one that is
		 * there, the source itself. */
		if (!into && mkdir(local, 0755) < 0 && errno != EEXIST) {
			fprintf(stderr, "scp: %s: %s\n", local, strerror(errno));
			return -1;
		}
		c->tar = host_tar(argv, false, &c->fd);
		if (c->tar < 0) {
			fprintf(stderr, "scp: tar: %s\n", strerror(errno));
			return -1;
		}
		if (into) {
			cleanup_free char *parent = dir_of(*src != '\0' ? src : ".");

			qparent = quote(parent);
			c->command = xasprintf("exec tar -C %s -cf - %s", qparent, qn);
		} else {
			c->command = xasprintf("exec tar -C %s -cf - .", qs);
		}
		return 0;
	}
	c->fd = open(local, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (c->fd < 0) {
		fprintf(stderr, "scp: %s: %s\n", local, strerror(errno));
		return -1;
	}
	c->command =
		xasprintf("if [ -d %s ]; then echo \"scp: %s: not a regular file\" >&2; exit 1; "
			  "fi; exec cat < %s",
			  qs, c->shown, qs);
	return 0;
}

/* Runs one planned copy inside the joined instance; 0 when it is made. */
static int run(struct stim_shim_session *s, struct copy *c)
{
	cleanup_error stim_error_t err = NULL;
	int code = STIM_SHIM_FAILED;
	int ws = 0;

	s->enter.command = c->command;
	if (stim_enter_exec(&s->enter, c->up ? c->fd : -1, c->up ? -1 : c->fd, &code, &err) < 0)
		fprintf(stderr, "scp: %s: %s\n", s->name, err->msg);
	close(c->fd);
	c->fd = -1;
	if (c->tar > 0 && (waitpid(c->tar, &ws, 0) < 0 || !WIFEXITED(ws) || WEXITSTATUS(ws) != 0))
		code = code == 0 ? 1 : code;
	return code == 0 ? 0 : -1;
}

static void copy_fini(struct copy *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->shown);
	free(c->command);
}

/* The copies of an scp command line whose remote operands are the one
 * instance t: planned on the host, then run inside. */
static int copies(const struct stim_scp_args *a, json_t *t, const char *dest, const char *user)
{
	struct stim_scp_operand *target = &a->operands[a->noperands - 1];
	size_t n = a->noperands - 1;
	struct copy *c = xcalloc(n, sizeof(*c));
	struct stim_shim_session s;
	cleanup_error stim_error_t err = NULL;
	struct stat st;
	bool into = stat(target->path, &st) == 0 && S_ISDIR(st.st_mode);
	int failed = 0;
	int code;

	for (size_t i = 0; i < n; i++)
		c[i].fd = -1;
	if (stim_shim_admit(&a->c, user, dest, t, &s) < 0) {
		free(c);
		return STIM_SHIM_FAILED;
	}
	if (target->host == NULL && n > 1 && !into) {
		fprintf(stderr, "scp: %s: not a directory\n", target->path);
		code = 1;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		int r = target->host != NULL
				? plan_up(a->operands[i].path, target->path, a->recursive, &c[i])
				: plan_down(a->operands[i].path, target->path, a->recursive, into,
					    &c[i]);
		failed += r < 0;
	}
	code = STIM_SHIM_FAILED;
	if (stim_enter_join(&s.enter, &err) < 0) {
		fprintf(stderr, "scp: %s: %s\n", s.name, err->msg);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (c[i].fd < 0)
			continue;
		/* A file made on the host for a copy that failed stays, as
		 * scp leaves one. */
		if (run(&s, &c[i]) < 0)
			failed++;
	}
	code = failed > 0 ? 1 : 0;
out:
	for (size_t i = 0; i < n; i++)
		copy_fini(&c[i]);
	free(c);
	stim_shim_session_fini(&s);
	return code;
}

int stim_cmd_scp(int argc, char **argv)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_scp_args a;
	const char *dest = NULL;
	const char *user = NULL;
	json_t *target = NULL;
	bool up;
	int code;

	if (stim_scp_args_parse(argc, argv, &a, &err) < 0)
		stim_shim_exec_real("scp", argv);
	/* One side remote, the other local: the target, or every source. */
	up = a.operands[a.noperands - 1].host != NULL;
	for (size_t i = 0; i < a.noperands; i++) {
		struct stim_scp_operand *o = &a.operands[i];
		bool remote_side = (i == a.noperands - 1) == up;

		if ((o->host != NULL) != remote_side ||
		    (dest != NULL && o->host != NULL && strcmp(o->host, dest) != 0)) {
			stim_scp_args_fini(&a);
			stim_shim_exec_real("scp", argv);
		}
		if (o->host != NULL) {
			dest = o->host;
			user = o->user;
		}
	}
	curl_global_init(CURL_GLOBAL_NOTHING);
	code = stim_shim_ask(&a.c, dest, true, &target);
	if (code > 0) {
		curl_global_cleanup();
		stim_scp_args_fini(&a);
		stim_shim_exec_real("scp", argv);
	}
	code = code < 0 ? STIM_SHIM_FAILED : copies(&a, target, dest, stim_shim_user(user));
	curl_global_cleanup();
	json_decref(target);
	stim_scp_args_fini(&a);
	return code;
}
