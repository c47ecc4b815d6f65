#include "tui/input.h"

#include <curses.h>
#include <limits.h>
#include <string.h>
#include <wchar.h>

#include "tui/keys.h"
#include "tui/tui.h"

void input_set(struct input *in, const char *s)
{
	buf_reset(&in->text);
	buf_adds(&in->text, s);
	if (!in->text.s)
		buf_adds(&in->text, "");
	in->cursor = in->text.len;
}

void input_free(struct input *in)
{
	buf_free(&in->text);
	in->cursor = 0;
}

static size_t prev_char(const struct input *in, size_t pos)
{
	while (pos > 0 && ((unsigned char)in->text.s[--pos] & 0xc0) == 0x80)
		;
	return pos;
}

static size_t next_char(const struct input *in, size_t pos)
{
	if (pos >= in->text.len)
		return in->text.len;
	pos++;
	while (pos < in->text.len && ((unsigned char)in->text.s[pos] & 0xc0) == 0x80)
		pos++;
	return pos;
}

static void erase_range(struct input *in, size_t from, size_t to)
{
	memmove(in->text.s + from, in->text.s + to, in->text.len - to + 1);
	in->text.len -= to - from;
	in->cursor = from;
}

int input_key(struct input *in, int key)
{
	if (!in->text.s)
		buf_adds(&in->text, "");
	switch (key) {
	case KEY_OFFSET + KEY_BACKSPACE:
	case 0x7f:
	case 0x08:
		if (in->cursor)
			erase_range(in, prev_char(in, in->cursor), in->cursor);
		return 1;
	case KEY_OFFSET + KEY_DC:
	case 0x04:
		if (in->cursor < in->text.len)
			erase_range(in, in->cursor, next_char(in, in->cursor));
		return 1;
	case KEY_OFFSET + KEY_LEFT:
	case 0x02:
		in->cursor = prev_char(in, in->cursor);
		return 1;
	case KEY_OFFSET + KEY_RIGHT:
	case 0x06:
		in->cursor = next_char(in, in->cursor);
		return 1;
	case KEY_OFFSET + KEY_HOME:
	case 0x01:
		in->cursor = 0;
		return 1;
	case KEY_OFFSET + KEY_END:
	case 0x05:
		in->cursor = in->text.len;
		return 1;
	case 0x15: /* C-u: delete to start */
		erase_range(in, 0, in->cursor);
		return 1;
	case 0x0b: /* C-k: delete to end */
		in->text.len = in->cursor;
		in->text.s[in->cursor] = '\0';
		return 1;
	case 0x17: { /* C-w: delete the word before the cursor */
		size_t p = in->cursor;
		while (p && in->text.s[p - 1] == ' ')
			p--;
		while (p && in->text.s[p - 1] != ' ')
			p--;
		erase_range(in, p, in->cursor);
		return 1;
	}
	default:
		break;
	}
	if (key >= 0x20 && key < KEY_OFFSET && key != 0x7f && !(key >= 0x80 && key < 0xa0)) {
		char mb[MB_LEN_MAX];
		mbstate_t st;
		memset(&st, 0, sizeof st);
		size_t n = wcrtomb(mb, (wchar_t)key, &st);
		if (n == (size_t)-1)
			return 1;
		struct buf tail = {0};
		buf_adds(&tail, in->text.s + in->cursor);
		in->text.len = in->cursor;
		buf_add(&in->text, mb, n);
		buf_add(&in->text, buf_str(&tail), tail.len);
		in->cursor += n;
		buf_free(&tail);
		return 1;
	}
	return 0;
}

int input_cursor_col(const struct input *in)
{
	struct buf head = {0};
	buf_add(&head, in->text.s ? in->text.s : "", in->cursor);
	int w = tui_text_width(buf_str(&head));
	buf_free(&head);
	return w;
}
