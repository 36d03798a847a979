/* The instance's PID 1 (see init.h). libc and jansson only. */
#include "sandbox/init.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "sandbox/read_all.h"
#include "sandbox/sudo.h"

#define CONFIG_MAX    (1 << 20)
#define SCRIPT_DIR    "/run/stim"
#define DEFAULT_GRACE 90

static char *dup_member(json_t *j, const char *key)
{
	const char *s = json_string_value(json_object_get(j, key));

	return s != NULL ? strdup(s) : NULL;
}

int stim_init_config_parse(const char *text, struct stim_init_config *out, char *why,
			   size_t why_size)
{
	json_error_t jerr;
	json_t *j = json_loads(text, 0, &jerr);
	json_t *grace;

	memset(out, 0, sizeof(*out));
	if (j == NULL || !json_is_object(j)) {
		snprintf(why, why_size, "config: %s", j == NULL ? jerr.text : "not an object");
		json_decref(j);
		return -1;
	}
	out->hostname = dup_member(j, "hostname");
	out->startup_script = dup_member(j, "startupScript");
	out->shutdown_script = dup_member(j, "shutdownScript");
	out->metadata_server = json_is_true(json_object_get(j, "metadataServer"));
	grace = json_object_get(j, "shutdownGraceSeconds");
	out->shutdown_grace_seconds =
		json_is_integer(grace) ? (int)json_integer_value(grace) : DEFAULT_GRACE;
	json_decref(j);
	if (out->shutdown_grace_seconds < 0 || out->shutdown_grace_seconds > 3600) {
		snprintf(why, why_size, "config: shutdownGraceSeconds %d is out of range",
			 out->shutdown_grace_seconds);
		stim_init_config_fini(out);
		return -1;
	}
	return 0;
}

void stim_init_config_fini(struct stim_init_config *c)
{
	free(c->hostname);
	free(c->startup_script);
	free(c->shutdown_script);
	memset(c, 0, sizeof(*c));
}

/* Console lines, as the guest environment writes them. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* Writes the script to SCRIPT_DIR/<name> (a file, so a "#!" line picks
 * its interpreter, as on GCE). */
static int write_script(const char *name, const char *text, char *path, size_t size)
{
	size_t len = strlen(text);
	int fd;

	mkdir("/run", 0755);
	mkdir(SCRIPT_DIR, 0700);
	snprintf(path, size, "%s/%s", SCRIPT_DIR, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0700);
	if (fd < 0)
		return -1;
	if (write(fd, text, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* A running script: its pid until reaped, its output pipe until EOF. */
struct script {
	const char *name;
	pid_t pid;
	int fd;
	bool exited;
	int status;
	size_t len;
	char buf[4096];
};

static void script_start(struct script *s, const char *name, const char *text)
{
	char path[128];
	int p[2];

	memset(s, 0, sizeof(*s));
	s->name = name;
	s->pid = -1;
	s->fd = -1;
	say("google_metadata_script_runner: Found %s in metadata.", name);
	if (write_script(name, text, path, sizeof(path)) < 0 || pipe2(p, O_CLOEXEC) < 0) {
		say("google_metadata_script_runner: %s: %s", name, strerror(errno));
		s->exited = true;
		return;
	}
	s->pid = fork();
	if (s->pid == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		dup2(p[1], 1);
		dup2(p[1], 2);
		/* Without "#!", a script is shell, as GCE runs it. */
		if (strncmp(text, "#!", 2) == 0)
			execl(path, path, (char *)NULL);
		execl("/bin/sh", "sh", path, (char *)NULL);
		dprintf(2, "cannot run %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	close(p[1]);
	if (s->pid < 0) {
		close(p[0]);
		s->exited = true;
		return;
	}
	s->fd = p[0];
}

static void emit(struct script *s, const char *line, size_t n)
{
	say("google_metadata_script_runner: %s: %.*s", s->name, (int)n, line);
}

/* Reads what the script wrote and puts whole lines on the console. */
static void pump(struct script *s)
{
	ssize_t n = read(s->fd, s->buf + s->len, sizeof(s->buf) - s->len);
	size_t start = 0;

	if (n <= 0) {
		if (n < 0 && errno == EINTR)
			return;
		if (s->len > 0)
			emit(s, s->buf, s->len);
		close(s->fd);
		s->fd = -1;
		s->len = 0;
		return;
	}
	s->len += (size_t)n;
	for (size_t i = 0; i < s->len; i++) {
		if (s->buf[i] == '\n') {
			emit(s, s->buf + start, i - start);
			start = i + 1;
		}
	}
	/* A line longer than the buffer goes out in pieces. */
	if (start == 0 && s->len == sizeof(s->buf)) {
		emit(s, s->buf, s->len);
		start = s->len;
	}
	memmove(s->buf, s->buf + start, s->len - start);
	s->len -= start;
}

static int exit_code(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Reaps every exited child (PID 1 adopts the instance's orphans). */
static void reap_all(struct script *s)
{
	for (;;) {
		int st;
		pid_t pid = waitpid(-1, &st, WNOHANG);

		if (pid <= 0)
			return;
		if (s != NULL && pid == s->pid) {
			s->exited = true;
			s->status = st;
			say("google_metadata_script_runner: %s exit status %d", s->name,
			    exit_code(st));
		}
	}
}

/* A sudo request (sandbox/sudo.h) served by a child of its own, which
 * reap_all reaps like any other. */
static void serve_sudo(int listener, int sfd)
{
	int conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
	pid_t pid;

	if (conn < 0)
		return;
	pid = fork();
	if (pid == 0) {
		close(listener);
		close(sfd);
		stim_sudo_serve(conn);
	}
	close(conn);
}

/* Waits for one event: a signal (returned), script output or a sudo
 * request (0). The sender's pid goes to *from when asked: 0 for a
 * process outside the instance's pid namespace (the daemon), whose pids
 * mean nothing here. */
static int wait_event_from(int sfd, struct script *s, int listener, int timeout_ms, pid_t *from)
{
	struct pollfd p[3] = { { .fd = sfd, .events = POLLIN },
			       { .fd = -1, .events = POLLIN },
			       { .fd = listener, .events = POLLIN } };
	struct signalfd_siginfo si;

	if (s != NULL)
		p[1].fd = s->fd;
	if (poll(p, 3, timeout_ms) <= 0)
		return 0;
	if (p[1].revents != 0)
		pump(s);
	if (p[2].revents != 0)
		serve_sudo(listener, sfd);
	if ((p[0].revents & POLLIN) != 0 && read(sfd, &si, sizeof(si)) == sizeof(si)) {
		if (from != NULL)
			*from = (pid_t)si.ssi_pid;
		return (int)si.ssi_signo;
	}
	return 0;
}

static int wait_event(int sfd, struct script *s, int timeout_ms)
{
	return wait_event_from(sfd, s, -1, timeout_ms, NULL);
}

/* What a script printed last, without waiting for children of its own
 * that keep the pipe open; then the pipe is closed. */
static void drain(struct script *s)
{
	while (s->fd >= 0) {
		struct pollfd p = { .fd = s->fd, .events = POLLIN };

		if (poll(&p, 1, 10) <= 0)
			break;
		pump(s);
	}
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

/* With a metadata server, the script as it is there now (replacing any
 * in the config); a server that does not answer is said on the console. */
static void script_from_metadata(const struct stim_init_config *c, const char *key, char **out)
{
	bool reached;
	char *text;

	if (!c->metadata_server)
		return;
	text = stim_init_metadata_attribute(key, &reached);
	if (!reached) {
		say("google_metadata_script_runner: the metadata server did not answer: no %s",
		    key);
		return;
	}
	free(*out);
	*out = text;
	if (text != NULL)
		say("google_metadata_script_runner: %s read from the metadata server", key);
}

static void shut_down(int sfd, struct stim_init_config *c)
{
	struct timespec pause = { .tv_nsec = 100 * 1000 * 1000 };
	struct script s;

	say("stim-init: stopping %s", c->hostname != NULL ? c->hostname : "");
	script_from_metadata(c, "shutdown-script", &c->shutdown_script);
	if (c->shutdown_script != NULL) {
		time_t deadline = time(NULL) + c->shutdown_grace_seconds;

		script_start(&s, "shutdown-script", c->shutdown_script);
		while (!s.exited && time(NULL) < deadline)
			if (wait_event(sfd, &s, 100) == SIGCHLD)
				reap_all(&s);
		if (!s.exited)
			say("google_metadata_script_runner: shutdown-script: killed at the end "
			    "of the %d s grace period",
			    c->shutdown_grace_seconds);
		drain(&s);
	}
	/* kill(-1) from PID 1 reaches every other process of the namespace. */
	kill(-1, SIGTERM);
	nanosleep(&pause, NULL);
	kill(-1, SIGKILL);
	while (waitpid(-1, NULL, 0) > 0)
		;
	say("stim-init: stopped");
}

/* How the guest's own commands reach PID 1 (busybox's, as sysvinit's):
 * `reboot` is SIGTERM, `halt` SIGUSR1, `poweroff` SIGUSR2, Ctrl-Alt-Del
 * SIGINT. The daemon's stop is SIGTERM too, but from outside the
 * namespace (sender pid 0). A reboot is asked when it came from inside. */
static bool reboot_asked(int sig, pid_t from)
{
	return (sig == SIGTERM && from != 0) || sig == SIGINT;
}

int stim_init_main(int config_fd)
{
	struct stim_init_config c;
	struct script s;
	pid_t from = 0;
	int listener;
	int sig;
	char why[256];
	sigset_t set;
	char *text = stim_read_all(config_fd, CONFIG_MAX);
	int sfd;

	close(config_fd);
	if (text == NULL || stim_init_config_parse(text, &c, why, sizeof(why)) < 0) {
		say("stim-init: %s", text == NULL ? "cannot read the config" : why);
		free(text);
		return 1;
	}
	free(text);
	/* Every child starts with the default dispositions, as under any
	 * init: ignored ones would outlive exec, and a daemon started in the
	 * background by a script ignores SIGINT and SIGQUIT (so ^C would not
	 * stop a command sudo runs), SIGPIPE too. */
	for (int n = 1; n < NSIG; n++)
		if (n != SIGKILL && n != SIGSTOP)
			signal(n, SIG_DFL);
	/* Signals are read from a signalfd between chores: PID 1 gets only
	 * those it handles, and the daemon's stop is SIGTERM. */
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGPWR);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	say("stim-init: booting %s", c.hostname != NULL ? c.hostname : "");
	memset(&s, 0, sizeof(s));
	s.fd = -1;
	s.pid = -1;
	/* sudo first: a startup script may use it. */
	listener = stim_sudo_listen();
	if (listener < 0)
		say("stim-init: sudo cannot be served: %s", strerror(errno));
	script_from_metadata(&c, "startup-script", &c.startup_script);
	if (c.startup_script != NULL)
		script_start(&s, "startup-script", c.startup_script);
	for (;;) {
		sig = wait_event_from(sfd, s.fd >= 0 ? &s : NULL, listener, -1, &from);
		if (sig == SIGCHLD)
			reap_all(&s);
		else if (sig != 0)
			break;
	}
	if (listener >= 0)
		close(listener);
	drain(&s);
	shut_down(sfd, &c);
	stim_init_config_fini(&c);
	return reboot_asked(sig, from) ? STIM_INIT_EXIT_REBOOT : 0;
}
