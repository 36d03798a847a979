#pragma once
/*
 * An instance's serial console file. stim-init appends to it (O_APPEND)
 * for as long as the instance runs, whether or not the daemon does, and
 * getSerialPortOutput reads it by byte offset since the first boot. GCE
 * keeps the last megabyte of a serial port; so does this, without ever
 * moving a byte: the head is punched out (a hole in a sparse file), every
 * offset keeps its meaning, and a reader finds the first kept byte with
 * SEEK_DATA.
 */

#include <stdint.h>

#include "src/error.h"

/* What GCE keeps of a serial port. */
#define STIM_CONSOLE_KEEP (UINT64_C(1) << 20)

/* When more than keep + slack bytes are stored, frees all but the last
 * keep (whole blocks only, so a little more may stay). Returns the bytes
 * freed (0 when under the cap), -1 with err when the file system cannot
 * punch holes. */
int64_t stim_console_cap(int fd, uint64_t keep, uint64_t slack, stim_error_t *err);

/* The offset of the first byte still kept: the file's size when nothing
 * is (an empty file, or one punched out to its end). */
int64_t stim_console_first(int fd);
