/* PID 1's side of sudo: the rule checked, the command run as its target
 * (see sudo.h). libc and jansson only. */
#include "sandbox/sudo.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#define NFDS	   4 /* the caller's stdin, stdout, stderr, working directory */
#define GROUPS_MAX 64

int stim_sudo_listen(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd;
	int e;

	mkdir("/run", 0755);
	if ((mkdir(STIM_SUDO_DIR, 0755) < 0 && errno != EEXIST) || chmod(STIM_SUDO_DIR, 0755) < 0)
		return -1;
	/* The socket of the boot before (a reboot keeps the disk). */
	unlink(STIM_SUDO_SOCKET);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", STIM_SUDO_SOCKET);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	/* Anyone may ask; the rule is checked against who asked. */
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || chmod(STIM_SUDO_SOCKET, 0666) < 0 ||
	    listen(fd, 64) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static void send_json(int conn, json_t *j)
{
	char *text = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;

	if (text != NULL)
		send(conn, text, strlen(text), MSG_NOSIGNAL);
	free(text);
	json_decref(j);
}

/* sudo's complaint, said by the client, which exits 1; this handler ends. */
static __attribute__((noreturn, format(printf, 2, 3))) void refuse(int conn, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	send_json(conn, json_pack("{s:s, s:i}", "error", msg, "exit", 1));
	_exit(0);
}

/* The request's text and exactly NFDS descriptors; -1 otherwise. */
static int receive(int conn, char *buf, size_t size, int fds[NFDS])
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int) * NFDS)];
	} c;
	struct iovec iov = { .iov_base = buf, .iov_len = size - 1 };
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.b, .msg_controllen = sizeof(c.b)
	};
	struct cmsghdr *h;
	ssize_t n = recvmsg(conn, &m, MSG_CMSG_CLOEXEC);
	size_t got = 0;

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	for (h = CMSG_FIRSTHDR(&m); h != NULL; h = CMSG_NXTHDR(&m, h)) {
		if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS) {
			got = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			memcpy(fds, CMSG_DATA(h), (got < NFDS ? got : NFDS) * sizeof(int));
		}
	}
	if ((m.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0 || got != NFDS)
		return -1;
	return 0;
}

/* A program's path as the secure path finds it; a word with a '/' is
 * taken as it is (relative to the working directory). NULL: none. */
static char *resolve(const char *program)
{
	char dirs[] = STIM_SUDO_SECURE_PATH;
	char *rest = dirs;
	char *dir;

	if (strchr(program, '/') != NULL)
		return strdup(program);
	while ((dir = strsep(&rest, ":")) != NULL) {
		char *path = NULL;
		struct stat st;

		if (asprintf(&path, "%s/%s", dir, program) < 0)
			_exit(1);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0)
			return path;
		free(path);
	}
	return NULL;
}

/* SUDO_COMMAND: the program's path, then its arguments. */
static char *command_line(const char *path, char *const *argv)
{
	size_t len = strlen(path) + 1;
	char *s;

	for (size_t i = 1; argv[i] != NULL; i++)
		len += strlen(argv[i]) + 1;
	s = malloc(len);
	if (s == NULL)
		_exit(1);
	strcpy(s, path);
	for (size_t i = 1; argv[i] != NULL; i++) {
		strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/* Who the command runs as; refused when there is no such account. */
static void target_of(int conn, const struct stim_sudo_request *r, const char *passwd,
		      struct stim_account *t)
{
	const char *name = r->user != NULL ? r->user : "root";
	bool found;

	if (name[0] == '#') {
		char *end;
		unsigned long uid = strtoul(name + 1, &end, 10);

		found = *end == '\0' && end != name + 1 &&
			stim_account_find(passwd, NULL, (uid_t)uid, t);
	} else {
		found = stim_account_find(passwd, name, 0, t);
	}
	if (found)
		return;
	/* An image whose passwd lacks root still has root. */
	if (strcmp(name, "root") == 0 || strcmp(name, "#0") == 0) {
		*t = (struct stim_account){ .name = "root", .home = "/root", .shell = "/bin/sh" };
		return;
	}
	refuse(conn, "sudo: unknown user %s", name);
}

struct launch {
	const int *fds;
	bool tty;
	bool login;
	const struct stim_account *target;
	gid_t gid;
	const gid_t *groups;
	size_t ngroups;
	const char *path;
	char **argv;
	char **env;
	int report; /* the exec's errno goes here when it fails */
};

/* The command's process: a session of its own (its terminal the
 * client's relayed one), the caller's stdio, the target's ids. */
static __attribute__((noreturn)) void launch(const struct launch *l)
{
	sigset_t none;
	int e;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (setsid() < 0 || (l->tty && ioctl(l->fds[0], TIOCSCTTY, 0) < 0) ||
	    dup2(l->fds[0], 0) < 0 || dup2(l->fds[1], 1) < 0 || dup2(l->fds[2], 2) < 0)
		goto fail;
	if (l->login && chdir(l->target->home) < 0 && chdir("/") < 0)
		goto fail;
	if (setgroups(l->ngroups, l->groups) < 0 || setgid(l->gid) < 0 ||
	    setuid(l->target->uid) < 0)
		goto fail;
	execve(l->path, l->argv, l->env);
fail:
	e = errno;
	if (write(l->report, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

/* Until the command ends: the client's signals passed to its process
 * group, a hangup when the client goes; then its wait status sent. */
static __attribute__((noreturn)) void supervise(int conn, pid_t kid)
{
	sigset_t set;
	int sfd;
	struct pollfd p[2] = { { .fd = conn, .events = POLLIN }, { .fd = -1, .events = POLLIN } };

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	p[1].fd = sfd;
	for (;;) {
		int ws;
		char buf[256];

		if (waitpid(kid, &ws, WNOHANG) == kid) {
			send_json(conn, json_pack("{s:i}", "status", ws));
			_exit(0);
		}
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			_exit(1);
		if (p[0].revents != 0) {
			ssize_t n = recv(conn, buf, sizeof(buf) - 1, 0);
			json_t *j;

			if (n <= 0) {
				kill(-kid, SIGHUP);
				p[0].fd = -1;
				continue;
			}
			buf[n] = '\0';
			j = json_loads(buf, 0, NULL);
			if (json_is_integer(json_object_get(j, "signal"))) {
				json_int_t sig = json_integer_value(json_object_get(j, "signal"));

				if (sig > 0 && sig < NSIG)
					kill(-kid, (int)sig);
			}
			json_decref(j);
		}
		if (p[1].revents != 0) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) < 0 && errno != EINTR)
				_exit(1);
		}
	}
}

void stim_sudo_serve(int conn)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fds[NFDS];
	char *buf = malloc(STIM_SUDO_MESSAGE_MAX);
	struct stim_sudo_request r;
	struct stim_account caller;
	struct stim_account target;
	gid_t groups[GROUPS_MAX];
	char *passwd;
	char *group;
	char *program = NULL;
	char *path;
	int report[2];
	int e;
	pid_t kid;
	struct launch l = { .fds = fds, .target = &target, .groups = groups };

	/* The caller is who the kernel says connected, whatever it sends. */
	if (buf == NULL || getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
	    receive(conn, buf, STIM_SUDO_MESSAGE_MAX, fds) < 0 ||
	    stim_sudo_request_decode(buf, &r) < 0)
		_exit(1);
	passwd = stim_account_file_read("/etc/passwd");
	group = stim_account_file_read("/etc/group");
	if (passwd == NULL || group == NULL)
		_exit(1);
	if (!stim_account_find(passwd, NULL, cred.uid, &caller)) {
		if (cred.uid != 0)
			refuse(conn, "sudo: you do not exist in the passwd database");
		caller = (struct stim_account){ .name = "root",
						.home = "/root",
						.shell = "/bin/sh" };
	}
	if (!stim_sudo_allowed(group, &caller))
		refuse(conn, "%s is not in the sudoers file.", caller.name);
	target_of(conn, &r, passwd, &target);
	l.gid = target.gid;
	if (r.group != NULL && !stim_group_find(group, r.group, &l.gid))
		refuse(conn, "sudo: unknown group %s", r.group);
	l.ngroups = stim_account_groups(group, target.name, target.gid, groups, GROUPS_MAX);
	/* In the caller's directory, so its relative paths mean the same. */
	if (fchdir(fds[3]) < 0)
		refuse(conn, "sudo: unable to change to the working directory: %s",
		       strerror(errno));
	l.argv = stim_sudo_argv(&r, &caller, &target, &program);
	path = resolve(program);
	if (path == NULL)
		refuse(conn, "sudo: %s: command not found", program);
	l.path = path;
	l.env = stim_sudo_env(&r, &caller, &target, command_line(path, l.argv));
	l.tty = r.tty;
	l.login = r.login;
	if (pipe2(report, O_CLOEXEC) < 0)
		refuse(conn, "sudo: unable to create a pipe: %s", strerror(errno));
	l.report = report[1];
	kid = fork();
	if (kid < 0)
		refuse(conn, "sudo: unable to fork: %s", strerror(errno));
	if (kid == 0)
		launch(&l);
	close(report[1]);
	for (int i = 0; i < NFDS; i++)
		close(fds[i]);
	if (read(report[0], &e, sizeof(e)) == sizeof(e)) {
		waitpid(kid, NULL, 0);
		refuse(conn, "sudo: unable to execute %s: %s", path, strerror(e));
	}
	close(report[0]);
	supervise(conn, kid);
}
