/* tests/fuzz/fuzz.h - helpers shared by the libFuzzer targets (see README.md).
 * Each target is one fuzz_NAME.c with LLVMFuzzerTestOneInput; this header
 * is included by each and holds only static helpers. */
#ifndef RELCON_TESTS_FUZZ_H
#define RELCON_TESTS_FUZZ_H

#define _GNU_SOURCE 1
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A NUL-terminated malloc'd copy of the input (the input itself is not
 * terminated: parsers that take (text, len) get it as it is, so ASan sees
 * any read past len). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* A file holding the input, for loaders that take a path: an in-memory
 * file (memfd) reached as /proc/self/fd/N, so nothing is left on disk.
 * The same fd is rewritten for each input. */
struct fuzz_file {
	int fd;
	char path[64];
};

static inline void fuzz_file_set(struct fuzz_file *f, const char *name, const uint8_t *data, size_t size, mode_t mode)
{
	if (f->fd <= 0) {
		f->fd = memfd_create(name, 0);
		if (f->fd < 0) {
			perror("memfd_create");
			abort();
		}
		snprintf(f->path, sizeof f->path, "/proc/self/fd/%d", f->fd);
	}
	if (fchmod(f->fd, mode) < 0 || ftruncate(f->fd, 0) < 0) {
		perror("fuzz file");
		abort();
	}
	size_t off = 0;
	while (off < size) {
		ssize_t w = pwrite(f->fd, data + off, size - off, (off_t)off);
		if (w <= 0) {
			perror("pwrite");
			abort();
		}
		off += (size_t)w;
	}
}

#endif
