/* The capped serial console (see console.h). */
#include "src/console.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int64_t stim_console_cap(int fd, uint64_t keep, uint64_t slack, stim_error_t *err)
{
	struct stat st;
	uint64_t stored;
	uint64_t blk;
	off_t first;
	off_t end;

	if (fstat(fd, &st) < 0)
		return stim_err_sys(err, errno, "stat the console");
	stored = (uint64_t)st.st_blocks * 512;
	if (stored <= keep + slack || (uint64_t)st.st_size <= keep)
		return 0;
	blk = st.st_blksize > 0 ? (uint64_t)st.st_blksize : 4096;
	/* Punch from the first byte still kept up to the last whole block
	 * before the tail; what is already a hole stays one. */
	end = (off_t)((((uint64_t)st.st_size - keep) / blk) * blk);
	first = lseek(fd, 0, SEEK_DATA);
	if (first < 0)
		first = 0;
	if (end <= first)
		return 0;
	if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, first, end - first) < 0)
		return stim_err_sys(err, errno, "punch the console's head");
	return (int64_t)(end - first);
}

int64_t stim_console_first(int fd)
{
	struct stat st;
	off_t first = lseek(fd, 0, SEEK_DATA);

	if (first >= 0)
		return (int64_t)first;
	/* ENXIO: no data at or after 0, all of it a hole (or nothing). */
	return fstat(fd, &st) == 0 ? (int64_t)st.st_size : 0;
}
