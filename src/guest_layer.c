/* The guest layer over every image (see guest_layer.h). */
#include "src/guest_layer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/cleanup.h"
#include "src/util.h"

/* dir made when missing, 0755 and owned by shift's root. */
static int layer_dir(const char *dir, uint32_t shift, stim_error_t *err)
{
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return stim_err_sys(err, errno, "mkdir %s", dir);
	if (chmod(dir, 0755) < 0 || lchown(dir, shift, shift) < 0)
		return stim_err_sys(err, errno, "own %s", dir);
	return 0;
}

/* src copied to dst (through a temporary and a rename, so an instance
 * starting meanwhile sees the old or the new, whole), unless dst is
 * already a copy: same size and modification time. */
static int copy_if_changed(const char *src, const char *dst, uint32_t shift, stim_error_t *err)
{
	cleanup_free char *tmp = xasprintf("%s.new", dst);
	cleanup_close int in = open(src, O_RDONLY | O_CLOEXEC);
	cleanup_close int out = -1;
	struct stat s;
	struct stat d;
	char buf[65536];
	ssize_t n;

	if (in < 0 || fstat(in, &s) < 0)
		return stim_err_sys(err, errno, "open %s", src);
	if (stat(dst, &d) == 0 && d.st_size == s.st_size && d.st_mtim.tv_sec == s.st_mtim.tv_sec &&
	    d.st_mtim.tv_nsec == s.st_mtim.tv_nsec && d.st_uid == shift)
		return 0;
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (out < 0)
		return stim_err_sys(err, errno, "open %s", tmp);
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || write(out, buf, (size_t)n) != n) {
			stim_err_sys(err, errno, "copy %s", src);
			goto fail;
		}
	}
	if (fchown(out, shift, shift) < 0 || fchmod(out, 0755) < 0 ||
	    futimens(out, (struct timespec[2]){ s.st_atim, s.st_mtim }) < 0 || fsync(out) < 0 ||
	    rename(tmp, dst) < 0) {
		stim_err_sys(err, errno, "write %s", dst);
		goto fail;
	}
	return 0;
fail:
	unlink(tmp);
	return -1;
}

int stim_guest_layer_prepare(const char *data_dir, const char *init_path, uint32_t shift,
			     char **out_dir, stim_error_t *err)
{
	cleanup_free char *top = xasprintf("%s/guest", data_dir);
	cleanup_free char *dir = xasprintf("%s/%u", top, shift);
	cleanup_free char *usr = xasprintf("%s/usr", dir);
	cleanup_free char *bin = xasprintf("%s/usr/bin", dir);
	cleanup_free char *sudo = xasprintf("%s/usr/bin/sudo", dir);

	if (mkdir(top, 0755) < 0 && errno != EEXIST)
		return stim_err_sys(err, errno, "mkdir %s", top);
	if (layer_dir(dir, shift, err) < 0 || layer_dir(usr, shift, err) < 0 ||
	    layer_dir(bin, shift, err) < 0 || copy_if_changed(init_path, sudo, shift, err) < 0)
		return -1;
	*out_dir = steal_pointer(&dir);
	return 0;
}
