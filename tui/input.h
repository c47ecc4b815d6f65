/* tui/input.h - a one-line text editor (filter, palette, form fields).
 * UTF-8 aware: the cursor moves by characters. */
#ifndef RELCON_TUI_INPUT_H
#define RELCON_TUI_INPUT_H

#include "core/buf.h"

struct input {
	struct buf text; /* UTF-8 */
	size_t cursor;   /* byte offset, always at a character boundary */
};

void input_set(struct input *in, const char *s);
void input_free(struct input *in);
/* Apply an editing key (printable characters, <Backspace>, <Del>, <Left>,
 * <Right>, <Home>, <End>, <C-a>, <C-e>, <C-u>, <C-w>, <C-k>).  Returns 1 when
 * the key was an editing key (the text or cursor may have changed). */
int input_key(struct input *in, int key);
/* Columns before the cursor (for placing the terminal cursor). */
int input_cursor_col(const struct input *in);

#endif
