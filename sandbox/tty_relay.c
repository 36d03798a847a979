/* A session's terminal relayed with the caller's (see tty_relay.h). */
#include "sandbox/tty_relay.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

int stim_tty_open_master(void)
{
	int fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	struct winsize ws;

	if (fd < 0 || grantpt(fd) < 0 || unlockpt(fd) < 0) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		errno = e;
		return -1;
	}
	if (ioctl(0, TIOCGWINSZ, &ws) == 0)
		ioctl(fd, TIOCSWINSZ, &ws);
	return fd;
}

/* All of buf to fd; false when fd is gone. */
static bool write_all(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		buf += w;
		n -= (size_t)w;
	}
	return true;
}

static void relay(int master, int out, int winch)
{
	struct pollfd p[3] = { { .fd = master, .events = POLLIN },
			       { .fd = 0, .events = POLLIN },
			       { .fd = winch, .events = POLLIN } };
	char buf[16384];

	for (;;) {
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (p[0].revents != 0) {
			ssize_t n = read(master, buf, sizeof(buf));

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0 || !write_all(out, buf, (size_t)n))
				return;
		}
		if (p[1].revents != 0) {
			ssize_t n = read(0, buf, sizeof(buf));

			/* The caller's input ended: the session goes on with
			 * none, as ssh's does. */
			if (n <= 0 || !write_all(master, buf, (size_t)n))
				p[1].fd = -1;
		}
		if (p[2].revents != 0) {
			struct signalfd_siginfo si;
			struct winsize ws;

			if (read(winch, &si, sizeof(si)) == sizeof(si) &&
			    ioctl(0, TIOCGWINSZ, &ws) == 0)
				ioctl(master, TIOCSWINSZ, &ws);
		}
	}
}

void stim_tty_relay(int master, int out)
{
	struct termios saved;
	struct termios raw;
	bool restore = false;
	sigset_t set;
	int winch;

	sigemptyset(&set);
	sigaddset(&set, SIGWINCH);
	sigprocmask(SIG_BLOCK, &set, NULL);
	winch = signalfd(-1, &set, SFD_CLOEXEC);
	if (tcgetattr(0, &saved) == 0) {
		raw = saved;
		cfmakeraw(&raw);
		restore = tcsetattr(0, TCSADRAIN, &raw) == 0;
	}
	relay(master, out, winch);
	if (restore)
		tcsetattr(0, TCSADRAIN, &saved);
	if (winch >= 0)
		close(winch);
}
