/* core/shquote.h - words quoted for a POSIX shell, for commands shown to be
 * copied and pasted (the SSH route, the command log's aws and curl lines).
 *
 * A word of plain characters (letters, digits and . _ / + @ , : = - %)
 * stays bare; any other word is single-quoted, an embedded ' written '\''
 * ("a'b" -> 'a'\''b'), so $, backquotes, globs and spaces are inert; the
 * empty word is ''.  A word holding a control character (newline
 * included) or a byte >= 0x7f is written $'...' with \xNN escapes (and \\,
 * \' for those two), which bash, zsh, ksh and POSIX.1-2024 shells read back
 * to the same bytes; so the quoted text is always one line of printable
 * ASCII, safe to draw and to copy. */
#ifndef RELCON_CORE_SHQUOTE_H
#define RELCON_CORE_SHQUOTE_H

#include "core/buf.h"

/* Append word w (NULL is taken as "") to out, quoted as above. */
void shquote_word(struct buf *out, const char *w);
/* Append the NULL-terminated argv to out as one line, words quoted and
 * separated by one space. */
void shquote_argv(const char *const *argv, struct buf *out);

#endif
