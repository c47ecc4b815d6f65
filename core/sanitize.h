/* core/sanitize.h - make untrusted text (commit messages, names, error
 * bodies, tags, stack events) safe to draw on a terminal or print.
 *
 * Nothing that reaches a terminal may carry a control character, an escape
 * sequence, a bidi override or invalid UTF-8.  The sanitizer keeps valid,
 * printable UTF-8 (emoji, CJK, accents) unchanged and replaces everything
 * else with a visible, inert notation:
 *   C0 controls 0x00-0x1f      -> caret notation "^[" "^A" ... (ESC -> "^[")
 *   DEL 0x7f                   -> "^?"
 *   C1 controls U+0080-U+009F  -> "<U+009B>"
 *   bidi controls U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069
 *                              -> "<U+202E>" etc.
 *   zero-width / invisible U+200B-U+200D, U+2060-U+2064, U+FEFF, U+00AD
 *                              -> "<U+200B>" etc. (except a zero-width joiner
 *                              between two pictographs: one emoji, 👩‍💻)
 *   other default-ignorables: U+034F, Hangul fillers U+115F U+1160 U+3164
 *   U+FFA0, U+17B4-U+17B5, U+180E, U+206A-U+206F, U+FFF9-U+FFFB,
 *   U+1BCA0-U+1BCA3, U+1D173-U+1D17A, tags U+E0000-U+E007F (except in an
 *   emoji flag sequence after U+1F3F4) -> "<U+180E>" etc.
 *   line/paragraph separators U+2028, U+2029 -> "<U+2028>"
 *   invalid, overlong, surrogate or > U+10FFFF UTF-8 -> "\xNN" per bad byte
 * Tab becomes one space.  Newline ("\n", "\r\n", lone "\r") handling depends
 * on the flags.  Output is always valid UTF-8 and contains no byte < 0x20
 * other than "\n" (only without SANITIZE_ONE_LINE) and no 0x7f. */
#ifndef RELCON_CORE_SANITIZE_H
#define RELCON_CORE_SANITIZE_H

#include <stddef.h>

enum {
	/* Replace each line break by " ⏎ " (U+23CE) so the text fits one line. */
	SANITIZE_ONE_LINE = 1 << 0,
	/* Keep only the first line (text up to the first line break). */
	SANITIZE_FIRST_LINE = 1 << 1,
};

/* Sanitize len bytes of s (may contain NUL bytes, shown as "^@").
 * Returns a malloc'd NUL-terminated string the caller frees; s == NULL
 * gives "".  max_bytes > 0 truncates the *output* at a character boundary
 * to at most max_bytes bytes, appending "…" when cut; 0 means no limit. */
char *sanitize(const char *s, size_t len, unsigned flags, size_t max_bytes);

/* Convenience for NUL-terminated input. */
char *sanitize_str(const char *s, unsigned flags);

/* JSON text (as json-c writes it: control characters already escaped) made
 * safe to print on a terminal without changing what it means: every
 * character the sanitizer would name (C1, bidi, invisible, separators, DEL)
 * becomes its \uXXXX escape, so a JSON reader gets the exact string back,
 * and each invalid UTF-8 byte becomes \ufffd (JSON cannot carry it).
 * Returns a malloc'd string; NULL gives "". */
char *sanitize_json(const char *json);

#endif
