/* tui/keys.h - key notation: parsing and printing key names.
 *
 * Keys are ints as returned by ncurses wget_wch folded into one space:
 * a Unicode code point (printable characters, and control characters such
 * as 0x0d for Enter, 0x1b for Esc) or KEY_OFFSET + an ncurses KEY_* code.
 * Names, as used in help, key scripts and (later) the keymap file:
 *   "a" "A" "/" "?"  single printable characters (UTF-8 allowed: "é")
 *   "<Enter>" "<Esc>" "<Tab>" "<BackTab>" "<Space>" "<Backspace>" "<Del>"
 *   "<Up>" "<Down>" "<Left>" "<Right>" "<Home>" "<End>" "<PgUp>" "<PgDn>"
 *   "<Ins>" "<F1>".."<F12>" "<Resize>"
 *   "<C-a>".."<C-z>" (control keys; <C-m> is <Enter>, <C-i> is <Tab>,
 *   <C-[> is <Esc>), "<lt>" for "<".
 * Names are case-insensitive inside <> ("<enter>", "<c-L>"). */
#ifndef RELCON_TUI_KEYS_H
#define RELCON_TUI_KEYS_H

#include <stddef.h>

#include "core/buf.h"

#define KEY_OFFSET 0x110000 /* above every Unicode code point */

/* Parse one key name at *s; on success advance *s past it and return the
 * key (> 0).  On error return -1 and leave *s unchanged. */
int key_parse(const char **s);

/* Parse a whole sequence "gg<Enter>x" into keys[0..max); returns the count,
 * or -1 with err "unknown key name <Foo> at column 3". */
int key_parse_seq(const char *s, int *keys, size_t max, struct buf *err);

/* Append the canonical name of key to out ("<Enter>", "j", "<C-l>").
 * (Not called key_name: ncursesw exports a key_name(wchar_t) of its own.)
 * Keys without a name of their own print as "<U+0085>" (unprintable code
 * points) or "<Key-N>" (other ncurses codes), which key_parse reads back;
 * a key that is not a key at all (<= 0, out of range) prints "<Invalid>". */
void key_format(int key, struct buf *out);

/* Fold the codes terminals send for the same key into the one key_parse
 * returns: DEL (0x7f) and KEY_BACKSPACE are <Backspace>, the keypad's
 * KEY_ENTER is <Enter> (0x0d).  The input layer calls this on every key it
 * reads; run the terminal with nonl() so Enter arrives as 0x0d (0x0a stays
 * <C-j>).  Other keys are returned unchanged. */
int key_normalize(int key);

#endif
