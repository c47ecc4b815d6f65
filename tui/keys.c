#include "tui/keys.h"

#include <curses.h>
#include <string.h>
#include <strings.h>

#define KO KEY_OFFSET
/* Highest ncurses code accepted as "<Key-N>": above KEY_MAX ncurses hands
 * out codes for extended keys (Ctrl-Up and friends) at run time. */
#define CURSES_CODE_MAX 0x7fff
#define NAME_MAX_LEN    32

/* The first entry for a key is its canonical name; later ones are aliases
 * accepted by key_parse. */
static const struct {
	const char *name;
	int key;
} named[] = {
	{"Enter", '\r'},
	{"Esc", 0x1b},
	{"Tab", '\t'},
	{"BackTab", KO + KEY_BTAB},
	{"Space", ' '},
	{"Backspace", KO + KEY_BACKSPACE},
	{"Del", KO + KEY_DC},
	{"Up", KO + KEY_UP},
	{"Down", KO + KEY_DOWN},
	{"Left", KO + KEY_LEFT},
	{"Right", KO + KEY_RIGHT},
	{"Home", KO + KEY_HOME},
	{"End", KO + KEY_END},
	{"PgUp", KO + KEY_PPAGE},
	{"PgDn", KO + KEY_NPAGE},
	{"Ins", KO + KEY_IC},
	{"Resize", KO + KEY_RESIZE},
	{"Mouse", KO + KEY_MOUSE},
	{"S-Up", KO + KEY_SR},
	{"S-Down", KO + KEY_SF},
	{"S-Left", KO + KEY_SLEFT},
	{"S-Right", KO + KEY_SRIGHT},
	{"S-Home", KO + KEY_SHOME},
	{"S-End", KO + KEY_SEND},
	{"S-Del", KO + KEY_SDC},
	{"lt", '<'},
	/* aliases */
	{"CR", '\r'},
	{"Return", '\r'},
	{"Escape", 0x1b},
	{"S-Tab", KO + KEY_BTAB},
	{"BS", KO + KEY_BACKSPACE},
	{"Delete", KO + KEY_DC},
	{"PageUp", KO + KEY_PPAGE},
	{"PageDown", KO + KEY_NPAGE},
	{"Insert", KO + KEY_IC},
};

/* Control keys 0x1b..0x1f are written <C-[> <C-\> <C-]> <C-^> <C-_>. */
static const char ctrl_punct[] = "[\\]^_";

int key_normalize(int key)
{
	if (key == 0x7f || key == KO + KEY_BACKSPACE)
		return KO + KEY_BACKSPACE;
	if (key == KO + KEY_ENTER)
		return '\r';
	return key;
}

/* A code point that is drawn as itself: not C0/C1 controls, DEL or
 * surrogates. */
static int printable(long c)
{
	return c >= 0x20 && c != 0x7f && !(c >= 0x80 && c < 0xa0) && !(c >= 0xd800 && c <= 0xdfff) && c <= 0x10ffff;
}

static int valid_key(int key)
{
	return (key > 0 && key < KO) || (key >= KO + KEY_MIN && key <= KO + CURSES_CODE_MAX);
}

/* Decode one UTF-8 sequence at s; returns its length and *cp, or 0 when
 * the bytes are not well-formed (overlong, surrogate, truncated, > U+10FFFF). */
static int utf8_decode(const unsigned char *s, long *cp)
{
	unsigned char c = s[0];
	int n;
	long v;
	unsigned char lo = 0x80, hi = 0xbf;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		v = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		v = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	for (int i = 1; i < n; i++) {
		unsigned char b = s[i];
		if (b < (i == 1 ? lo : 0x80) || b > (i == 1 ? hi : 0xbf))
			return 0;
		v = (v << 6) | (b & 0x3f);
	}
	*cp = v;
	return n;
}

static void utf8_encode(long c, struct buf *out)
{
	char b[4];
	size_t n;
	if (c < 0x80) {
		b[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		b[0] = (char)(0xc0 | (c >> 6));
		b[1] = (char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		b[0] = (char)(0xe0 | (c >> 12));
		b[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		b[2] = (char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | (c >> 18));
		b[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((c >> 6) & 0x3f));
		b[3] = (char)(0x80 | (c & 0x3f));
		n = 4;
	}
	buf_add(out, b, n);
}

/* Parse an unsigned number of base 10 or 16 filling all of [s, s+len);
 * returns -1 when empty, not all digits, or larger than max. */
static long parse_num(const char *s, size_t len, int base, long max)
{
	long v = 0;
	if (!len)
		return -1;
	for (size_t i = 0; i < len; i++) {
		int d;
		char c = s[i];
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v * base + d;
		if (v > max)
			return -1;
	}
	return v;
}

/* The key for the name between < and > (len bytes), or -1. */
static int lookup_name(const char *s, size_t len)
{
	for (size_t i = 0; i < sizeof named / sizeof *named; i++)
		if (strlen(named[i].name) == len && !strncasecmp(s, named[i].name, len))
			return named[i].key;
	if (len == 3 && (s[0] == 'C' || s[0] == 'c') && s[1] == '-') {
		char c = s[2];
		if (c >= 'a' && c <= 'z')
			return c - 'a' + 1;
		if (c >= 'A' && c <= 'Z')
			return c - 'A' + 1;
		const char *p = c ? strchr(ctrl_punct, c) : NULL;
		if (p)
			return 0x1b + (int)(p - ctrl_punct);
		return -1;
	}
	if (len >= 2 && (s[0] == 'F' || s[0] == 'f')) {
		long n = parse_num(s + 1, len - 1, 10, 63);
		return n >= 1 ? KO + KEY_F(n) : -1;
	}
	if (len >= 3 && (s[0] == 'U' || s[0] == 'u') && s[1] == '+') {
		long c = parse_num(s + 2, len - 2, 16, 0x10ffff);
		return c >= 1 ? (int)c : -1;
	}
	if (len >= 5 && !strncasecmp(s, "Key-", 4)) {
		long c = parse_num(s + 4, len - 4, 10, CURSES_CODE_MAX);
		return c >= KEY_MIN ? KO + (int)c : -1;
	}
	return -1;
}

int key_parse(const char **s)
{
	const char *p = *s;
	int key;
	if (!p || !*p)
		return -1;
	if (*p == '<') {
		const char *end = strchr(p + 1, '>');
		if (!end || end == p + 1 || end - p - 1 > NAME_MAX_LEN)
			return -1;
		key = lookup_name(p + 1, (size_t)(end - p - 1));
		if (key < 0)
			return -1;
		p = end + 1;
	} else {
		long c;
		int n = utf8_decode((const unsigned char *)p, &c);
		if (!n || !printable(c))
			return -1;
		key = (int)c;
		p += n;
	}
	*s = p;
	return key_normalize(key);
}

/* 1-based column of p in s, counting UTF-8 characters. */
static size_t column(const char *s, const char *p)
{
	size_t col = 1;
	for (; s < p; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			col++;
	return col;
}

int key_parse_seq(const char *s, int *keys, size_t max, struct buf *err)
{
	const char *p = s ? s : "";
	size_t n = 0;
	while (*p) {
		const char *at = p;
		int k = key_parse(&p);
		if (k < 0) {
			size_t col = column(s, at);
			long c;
			const char *end = strchr(at + 1, '>');
			if (*at == '<' && end && end - at - 1 <= NAME_MAX_LEN)
				buf_printf(err, "unknown key name %.*s at column %zu", (int)(end - at + 1), at, col);
			else if (*at == '<')
				buf_printf(err, "unterminated key name at column %zu (write <lt> for \"<\")", col);
			else if (!utf8_decode((const unsigned char *)at, &c))
				buf_printf(err, "invalid UTF-8 at column %zu", col);
			else
				buf_printf(
					err,
					"control character U+%04lX at column %zu (write keys as <Enter>, <Tab>, <C-x>)",
					(unsigned long)c, col);
			return -1;
		}
		if (n >= max) {
			buf_printf(err, "too many keys (more than %zu) at column %zu", max, column(s, at));
			return -1;
		}
		keys[n++] = k;
	}
	return (int)n;
}

void key_format(int key, struct buf *out)
{
	if (!valid_key(key)) {
		buf_adds(out, "<Invalid>");
		return;
	}
	key = key_normalize(key);
	for (size_t i = 0; i < sizeof named / sizeof *named; i++) {
		if (named[i].key == key) {
			buf_printf(out, "<%s>", named[i].name);
			return;
		}
	}
	if (key >= 1 && key <= 26) {
		buf_printf(out, "<C-%c>", 'a' + key - 1);
	} else if (key >= 0x1b && key <= 0x1f) {
		buf_printf(out, "<C-%c>", ctrl_punct[key - 0x1b]);
	} else if (key < KO) {
		if (printable(key))
			utf8_encode(key, out);
		else
			buf_printf(out, "<U+%04X>", (unsigned)key);
	} else if (key >= KO + KEY_F(1) && key <= KO + KEY_F(63)) {
		buf_printf(out, "<F%d>", key - KO - KEY_F0);
	} else {
		buf_printf(out, "<Key-%d>", key - KO);
	}
}
