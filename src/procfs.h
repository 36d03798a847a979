#pragma once
/*
 * The kernel's small text files and the mount table. This module owns
 * reading a file of /proc, /sys or cgroupfs whole into a NUL-terminated
 * buffer with a ceiling (STYLE.md rule 5: every growable buffer has a
 * maximum), and parsing /proc/self/mountinfo (proc(5)) into entries whose
 * strings are decoded and owned. `stimulator gc` walks the mount table with
 * it and `stimulator doctor` finds the cgroup hierarchies with it.
 *
 * The parsers are pure (no host access) and may be called from any thread;
 * only stim_procfs_read() and stim_mountinfo_read() touch the host.
 */

#include <stddef.h>
#include <stdint.h>

#include "src/error.h"

/* The most mounts one table may list: a host with more is broken anyway. */
#define STIM_MOUNTINFO_MAX 100000

/* Reading */

/* Reads the file at path into *text, NUL-terminated and the caller's. These
 * files report st_size 0, so it reads to EOF. A file longer than max bytes is
 * RESOURCE_EXHAUSTED; failing open or read is INTERNAL with errnum set. */
int stim_procfs_read(const char *path, size_t max, char **text, stim_error_t *err);

/* The start time (field 22, clock ticks since boot) from /proc/PID/stat
 * text. The command name (field 2) may hold spaces and parentheses, so
 * the fields are counted from its last ')'. -1 when malformed. */
int stim_procfs_stat_start_time(const char *stat, uint64_t *out);
/* The same, read from /proc/<pid>/stat. NOT_FOUND when there is no such
 * process, or only its zombie. */
int stim_procfs_pid_start_time(int pid, uint64_t *out, stim_error_t *err);

/* The mount table */

/* One line of /proc/self/mountinfo, strings unescaped and owned. The optional
 * fields (shared:N, master:N, ...) and the per-mount options are skipped:
 * nothing here needs them yet. */
struct stim_mountinfo {
	int mount_id;
	int parent_id;
	unsigned major; /* st_dev of files on this filesystem */
	unsigned minor;
	char *root;	   /* the mounted directory inside its filesystem */
	char *mount_point; /* where it is mounted, relative to our root */
	char *fstype;
	char *source;
	char *super_options;
};

/* Copies s[0..len) and decodes the kernel's octal escapes ("\040" is a space,
 * also \011 \012 \134); anything else stays as it is. The result is the
 * caller's. */
char *stim_mountinfo_unescape(const char *s, size_t len);
/* Parses one line, which ends at a newline or the NUL; INVALID_ARGUMENT when
 * it is not the proc(5) format. On success *out owns its strings; on failure
 * it is untouched. */
int stim_mountinfo_parse_line(const char *line, struct stim_mountinfo *out, stim_error_t *err);
/* Parses a whole table, one mount a line (empty lines are skipped); one bad
 * line fails it all, naming the line. *out is the caller's
 * (stim_mountinfo_free). */
int stim_mountinfo_parse(const char *text, struct stim_mountinfo **out, size_t *n,
			 stim_error_t *err);
/* Reads and parses /proc/self/mountinfo. */
int stim_mountinfo_read(struct stim_mountinfo **out, size_t *n, stim_error_t *err);

/* Frees the strings of one entry and zeroes it (safe on a zeroed entry). */
void stim_mountinfo_fini(struct stim_mountinfo *m);
#define cleanup_mountinfo __attribute__((cleanup(stim_mountinfo_fini)))
/* Frees a table from stim_mountinfo_parse() or stim_mountinfo_read(). */
void stim_mountinfo_free(struct stim_mountinfo *v, size_t n);
