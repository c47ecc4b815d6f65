#include "core/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"

static void truncate_to(struct buf *b, size_t len)
{
	b->len = len;
	if (b->s)
		b->s[len] = '\0';
}

int file_read(const char *path, size_t max, struct buf *out, struct buf *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		buf_printf(err, "%s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	size_t start = out->len, total = 0;
	char chunk[16384];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			buf_printf(err, "%s: %s", path, strerror(e));
			close(fd);
			truncate_to(out, start);
			errno = e;
			return -1;
		}
		if (n == 0)
			break;
		total += (size_t)n;
		if (total > max) {
			buf_printf(err, "%s: larger than %zu bytes", path, max);
			close(fd);
			truncate_to(out, start);
			errno = EFBIG;
			return -1;
		}
		buf_add(out, chunk, (size_t)n);
	}
	close(fd);
	return 0;
}

int file_replace_with(const char *path, file_write_fn fn, void *ud, struct buf *err)
{
	if (config_make_parents(path, err) < 0)
		return -1;
	struct buf tmp = {0};
	buf_printf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	const char *t = buf_str(&tmp);
	int fd = open(t, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "w");
	if (!f) {
		buf_printf(err, "%s: %s", t, strerror(errno));
		if (fd >= 0)
			close(fd);
		buf_free(&tmp);
		return -1;
	}
	errno = 0;
	int rc = fn(ud, f) == 0 && fflush(f) == 0 && !ferror(f) && fsync(fileno(f)) == 0 ? 0 : -1;
	if (rc < 0)
		buf_printf(err, "%s: %s", t, strerror(errno ? errno : EIO));
	if (fclose(f) != 0 && rc == 0) {
		buf_printf(err, "%s: %s", t, strerror(errno));
		rc = -1;
	}
	if (rc == 0 && rename(t, path) < 0) {
		buf_printf(err, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	if (rc < 0)
		unlink(t);
	buf_free(&tmp);
	return rc;
}

struct bytes {
	const char *data;
	size_t len;
};

static int write_bytes(void *ud, FILE *f)
{
	const struct bytes *b = ud;
	return b->len && fwrite(b->data, 1, b->len, f) != b->len ? -1 : 0;
}

int file_replace(const char *path, const char *data, size_t len, struct buf *err)
{
	struct bytes b = {data, len};
	return file_replace_with(path, write_bytes, &b, err);
}
