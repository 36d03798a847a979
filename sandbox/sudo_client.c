/* sudo's client: the request to PID 1, the caller's terminal relayed, the
 * command's end as its own (see sudo.h). libc and jansson only. */
#include "sandbox/sudo.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "sandbox/tty_relay.h"

extern char **environ;

/* The signals sudo passes on to the command. */
static const int relayed[] = { SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGALRM };

/* The caller's account and whether the rule lets it run anything (what
 * PID 1 decides too, for -l and -v: these files are world-readable). */
static bool caller_allowed(struct stim_account *me)
{
	char *passwd = stim_account_file_read("/etc/passwd");
	char *group = stim_account_file_read("/etc/group");
	bool ok;

	if (passwd == NULL || group == NULL)
		exit(1);
	if (!stim_account_find(passwd, NULL, getuid(), me)) {
		snprintf(me->name, sizeof(me->name), "#%u", (unsigned)getuid());
		me->uid = getuid();
		me->gid = getgid();
	}
	ok = stim_sudo_allowed(group, me);
	free(passwd);
	free(group);
	return ok;
}

static int list(void)
{
	struct stim_account me;
	char host[256] = "localhost";
	bool ok = caller_allowed(&me);

	gethostname(host, sizeof(host) - 1);
	if (!ok) {
		printf("Sorry, user %s may not run sudo on %s.\n", me.name, host);
		return 1;
	}
	printf("Matching Defaults entries for %s on %s:\n"
	       "    env_reset, use_pty, secure_path=%s\n\n"
	       "User %s may run the following commands on %s:\n"
	       "    (ALL : ALL) NOPASSWD: ALL\n",
	       me.name, host, STIM_SUDO_SECURE_PATH, me.name, host);
	return 0;
}

static int validate(void)
{
	struct stim_account me;
	char host[256] = "localhost";

	if (caller_allowed(&me))
		return 0;
	gethostname(host, sizeof(host) - 1);
	fprintf(stderr, "Sorry, user %s may not run sudo on %s.\n", me.name, host);
	return 1;
}

static int connect_pid1(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", STIM_SUDO_SOCKET);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		fprintf(stderr,
			"sudo: the instance's init does not answer at %s (%s); an instance "
			"started by an older stimulator has none until it is started again\n",
			STIM_SUDO_SOCKET, strerror(errno));
		exit(1);
	}
	return fd;
}

static int send_request(int sock, const char *text, const int fds[4])
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int) * 4)];
	} c;
	struct iovec iov = { .iov_base = (void *)text, .iov_len = strlen(text) };
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.b, .msg_controllen = sizeof(c.b)
	};
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);

	memset(c.b, 0, sizeof(c.b));
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int) * 4);
	memcpy(CMSG_DATA(h), fds, sizeof(int) * 4);
	return sendmsg(sock, &m, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

/* Ends as the command ended: its exit code, or its signal raised here,
 * as sudo does. */
static __attribute__((noreturn)) void end_as(int ws)
{
	if (WIFSIGNALED(ws)) {
		sigset_t all;

		signal(WTERMSIG(ws), SIG_DFL);
		sigfillset(&all);
		sigprocmask(SIG_UNBLOCK, &all, NULL);
		raise(WTERMSIG(ws));
		exit(128 + WTERMSIG(ws));
	}
	exit(WEXITSTATUS(ws));
}

/* PID 1's answer: the command's end, or its refusal said. */
static __attribute__((noreturn)) void answer(const char *text)
{
	json_t *j = json_loads(text, 0, NULL);
	json_t *status = json_object_get(j, "status");
	const char *error = json_string_value(json_object_get(j, "error"));

	if (json_is_integer(status))
		end_as((int)json_integer_value(status));
	fprintf(stderr, "%s\n", error != NULL ? error : "sudo: the instance's init refused");
	exit(json_is_integer(json_object_get(j, "exit"))
		     ? (int)json_integer_value(json_object_get(j, "exit"))
		     : 1);
}

/* Without a terminal: the caller's signals passed on until the answer. */
static __attribute__((noreturn)) void wait_plain(int sock)
{
	sigset_t set;
	int sfd;
	char buf[4096];
	struct pollfd p[2] = { { .fd = sock, .events = POLLIN }, { .fd = -1, .events = POLLIN } };

	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(relayed) / sizeof(relayed[0]); i++)
		sigaddset(&set, relayed[i]);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	p[1].fd = sfd;
	for (;;) {
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			exit(1);
		if (p[1].revents != 0) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				int n = snprintf(buf, sizeof(buf), "{\"signal\": %u}",
						 si.ssi_signo);

				send(sock, buf, (size_t)n, MSG_NOSIGNAL);
			}
		}
		if (p[0].revents != 0) {
			ssize_t n = recv(sock, buf, sizeof(buf) - 1, 0);

			if (n <= 0) {
				fprintf(stderr, "sudo: the instance's init went away\n");
				exit(1);
			}
			buf[n] = '\0';
			answer(buf);
		}
	}
}

/* From a terminal: the command gets one of its own, relayed, as sudo's
 * use_pty gives it; then the answer. */
static __attribute__((noreturn)) void run_on_terminal(int sock, const char *request, int cwd)
{
	int master = stim_tty_open_master();
	const char *name = master >= 0 ? ptsname(master) : NULL;
	int slave = name != NULL ? open(name, O_RDWR | O_NOCTTY | O_CLOEXEC) : -1;
	int fds[4];
	char buf[4096];
	ssize_t n;

	if (slave < 0) {
		fprintf(stderr, "sudo: unable to allocate pty: %s\n", strerror(errno));
		exit(1);
	}
	fds[0] = slave;
	fds[1] = isatty(1) ? slave : 1;
	fds[2] = isatty(2) ? slave : 2;
	fds[3] = cwd;
	if (send_request(sock, request, fds) < 0) {
		fprintf(stderr, "sudo: %s\n", strerror(errno));
		exit(1);
	}
	/* Only the command holds the terminal now: when it is done with
	 * it, the relay ends. */
	close(slave);
	stim_tty_relay(master, isatty(1) ? 1 : 2);
	n = recv(sock, buf, sizeof(buf) - 1, 0);
	if (n <= 0) {
		fprintf(stderr, "sudo: the instance's init went away\n");
		exit(1);
	}
	buf[n] = '\0';
	answer(buf);
}

int stim_sudo_main(int argc, char **argv)
{
	struct stim_sudo_opts o;
	char why[1024];
	char *request;
	int sock;
	int cwd;
	bool tty = isatty(0);

	if (stim_sudo_parse(argc, argv, &o, why, sizeof(why)) < 0) {
		fprintf(stderr, "%s%s", why, why[strlen(why) - 1] == '\n' ? "" : "\n");
		if (strncmp(why, "usage:", 6) != 0)
			fputs(stim_sudo_usage, stderr);
		return 1;
	}
	switch (o.action) {
	case STIM_SUDO_HELP:
		fputs(stim_sudo_usage, stdout);
		return 0;
	case STIM_SUDO_VERSION:
		printf("Sudo version 1.9.13p3\n"
		       "(stimulator: run by the instance's init, with no setuid binary)\n");
		return 0;
	case STIM_SUDO_FORGET:
		return 0; /* no passwords, so no timestamps */
	case STIM_SUDO_LIST:
		return list();
	case STIM_SUDO_VALIDATE:
		return validate();
	case STIM_SUDO_RUN:
		break;
	}
	request = stim_sudo_request_encode(&o, environ, tty);
	if (request == NULL) {
		fprintf(stderr, "sudo: the command's words must be UTF-8 in an instance\n");
		return 1;
	}
	/* O_PATH: a directory the caller may enter but not list is its
	 * working directory all the same. */
	cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cwd < 0)
		cwd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cwd < 0) {
		fprintf(stderr, "sudo: %s\n", strerror(errno));
		return 1;
	}
	sock = connect_pid1();
	if (tty)
		run_on_terminal(sock, request, cwd);
	{
		int fds[4] = { 0, 1, 2, cwd };

		if (send_request(sock, request, fds) < 0) {
			fprintf(stderr, "sudo: %s\n", strerror(errno));
			return 1;
		}
	}
	close(cwd);
	wait_plain(sock);
}
