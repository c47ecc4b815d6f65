/* core/fileio.h - whole files: read one into memory, replace one atomically.
 *
 * For small state the program keeps between runs (the console's cache):
 * a reader never sees half a file, and a crash leaves the old one. */
#ifndef RELCON_CORE_FILEIO_H
#define RELCON_CORE_FILEIO_H

#include <stddef.h>
#include <stdio.h>

#include "core/buf.h"

/* Append the file's bytes to out.  Returns 0, or -1 with err appended
 * ("PATH: No such file or directory", "PATH: larger than N bytes"); errno
 * is kept from the failing call (ENOENT for a missing file, EFBIG when too
 * large). */
int file_read(const char *path, size_t max, struct buf *out, struct buf *err);

/* Write data to PATH.tmp.PID (mode 0600), fsync it, rename it over PATH;
 * the parent directories are made (0700) first.  Returns 0, or -1 with err
 * appended and nothing left behind. */
int file_replace(const char *path, const char *data, size_t len, struct buf *err);

/* The same, the content written by fn to the temporary file (fn returns 0,
 * or -1 to give up: nothing replaced); for content too large to hold. */
typedef int (*file_write_fn)(void *ud, FILE *f);
int file_replace_with(const char *path, file_write_fn fn, void *ud, struct buf *err);

#endif
