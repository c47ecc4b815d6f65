/* core/textwidth.h - display width of UTF-8 text (wide CJK and emoji take
 * two columns), for aligned text output.  Uses the C library's wcwidth in
 * the current locale; call setlocale first. */
#ifndef RELCON_CORE_TEXTWIDTH_H
#define RELCON_CORE_TEXTWIDTH_H

#include <stddef.h>

/* Columns the (sanitized) text takes; invalid bytes count one column each. */
int text_width(const char *s);

/* Bytes of s that fit in cols columns without splitting a character;
 * *used gets the columns those bytes take. */
size_t text_fit(const char *s, int cols, int *used);

#endif
