/* core/buf.h - growable byte/string buffer.
 *
 * A struct buf is always NUL-terminated once anything was appended, so
 * buf.s can be used as a C string.  Zero-initialise ({0}) to start empty.
 * On allocation failure the process aborts: relcon treats OOM as fatal. */
#ifndef RELCON_CORE_BUF_H
#define RELCON_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *s;    /* owned; NULL until the first append */
	size_t len; /* bytes used, excluding the terminating NUL */
	size_t cap;
};

/* Append len bytes of p. */
void buf_add(struct buf *b, const void *p, size_t len);
/* Append a NUL-terminated string (NULL appends nothing). */
void buf_adds(struct buf *b, const char *s);
/* Append one byte. */
void buf_addc(struct buf *b, char c);
/* Append printf-formatted text. */
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Empty the buffer, keeping its memory. */
void buf_reset(struct buf *b);
/* Return the string (never NULL: "" when empty); borrowed until the next change. */
const char *buf_str(const struct buf *b);
/* Hand the string to the caller (malloc'd, never NULL) and reset b. */
char *buf_steal(struct buf *b);
/* Free the memory. */
void buf_free(struct buf *b);

/* Allocation helpers that abort on failure. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s); /* NULL -> NULL */
char *xstrndup(const char *s, size_t n);

#endif
