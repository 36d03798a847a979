#pragma once
/*
 * A session's own terminal, relayed with the caller's: what sshd does for
 * a session with a terminal, and sudo's use_pty. The ssh shim
 * (sandbox/enter.h) and sudo's client (sandbox/sudo.h) use it. libc only,
 * so the static stim-init links it.
 */

/* A new terminal of the calling process's devpts (its master end,
 * close-on-exec), of the caller's window size when stdin is a terminal;
 * -1 with errno. */
int stim_tty_open_master(void);

/* The session's terminal relayed, byte for byte, with the caller's stdin
 * and out (its terminal) until the session closes its terminal (the
 * master reads EIO). Meanwhile the caller's terminal is raw, so that its
 * bytes are the session's, ^C included, and is restored after; the
 * caller's window changes (SIGWINCH, blocked here) are passed on. */
void stim_tty_relay(int master, int out);
