/* Unit tests for tui/keys.c: key names parse and print back canonically. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <curses.h>

#include "core/buf.h"
#include "tui/keys.h"

static int parse_all(const char *name)
{
	const char *p = name;
	int k = key_parse(&p);
	if (k <= 0)
		fail_msg("key_parse(\"%s\") failed", name);
	if (*p)
		fail_msg("key_parse(\"%s\") stopped early at \"%s\"", name, p);
	return k;
}

static void check_name(int key, const char *want)
{
	struct buf b = {0};
	key_format(key, &b);
	if (strcmp(buf_str(&b), want))
		fail_msg("key %d: name \"%s\", want \"%s\"", key, buf_str(&b), want);
	buf_free(&b);
}

/* Canonical names print back exactly as written. */
static void test_round_trip_canonical(void **state)
{
	(void)state;
	static const char *const names[] = {
		"<Enter>",   "<Esc>",        "<Tab>",
		"<BackTab>", "<Space>",      "<Backspace>",
		"<Del>",     "<Up>",         "<Down>",
		"<Left>",    "<Right>",      "<Home>",
		"<End>",     "<PgUp>",       "<PgDn>",
		"<Ins>",     "<Resize>",     "<Mouse>",
		"<S-Up>",    "<S-Down>",     "<S-Left>",
		"<S-Right>", "<S-Home>",     "<S-End>",
		"<S-Del>",   "<lt>",         "<F1>",
		"<F2>",      "<F3>",         "<F4>",
		"<F5>",      "<F6>",         "<F7>",
		"<F8>",      "<F9>",         "<F10>",
		"<F11>",     "<F12>",        "<F13>",
		"<F63>",     "<C-\\>",       "<C-]>",
		"<C-^>",     "<C-_>",        "<U+0085>",
		"<U+D800>",  "<U+0080>",     "\xc3\xa9",
		"\xc3\x9c",  "\xe6\x97\xa5", "\xf0\x9f\x9a\x80",
		"\xc2\xa0",  "\xef\xbf\xbd",
	};
	struct buf b = {0};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		buf_reset(&b);
		key_format(parse_all(names[i]), &b);
		if (strcmp(buf_str(&b), names[i]))
			fail_msg("\"%s\" printed back as \"%s\"", names[i], buf_str(&b));
	}
	/* every printable ASCII character but space and '<' is its own name */
	for (int c = 0x21; c < 0x7f; c++) {
		if (c == '<')
			continue;
		char s[2] = {(char)c, 0};
		buf_reset(&b);
		key_format(parse_all(s), &b);
		assert_string_equal(buf_str(&b), s);
	}
	/* <C-a>..<C-z> except the three with names of their own */
	for (char c = 'a'; c <= 'z'; c++) {
		char s[8];
		snprintf(s, sizeof s, "<C-%c>", c);
		buf_reset(&b);
		key_format(parse_all(s), &b);
		if (c == 'i')
			assert_string_equal(buf_str(&b), "<Tab>");
		else if (c == 'm')
			assert_string_equal(buf_str(&b), "<Enter>");
		else
			assert_string_equal(buf_str(&b), s);
	}
	/* unnamed ncurses codes */
	char s[32];
	snprintf(s, sizeof s, "<Key-%d>", KEY_SAVE);
	buf_reset(&b);
	key_format(parse_all(s), &b);
	assert_string_equal(buf_str(&b), s);
	buf_free(&b);
}

/* Every key prints a name that parses back to it (after folding aliases). */
static void test_round_trip_every_key(void **state)
{
	(void)state;
	struct buf b = {0};
	for (int k = 1; k < KEY_OFFSET + 0x7fff; k++) {
		if (k == 0x110000)
			k = KEY_OFFSET + KEY_MIN;
		buf_reset(&b);
		key_format(k, &b);
		const char *p = buf_str(&b);
		int back = key_parse(&p);
		if (back != key_normalize(k) || *p)
			fail_msg("key %d printed \"%s\" parsed back as %d", k, buf_str(&b), back);
	}
	buf_free(&b);
}

static void test_values(void **state)
{
	(void)state;
	assert_int_equal(parse_all("<Enter>"), 0x0d);
	assert_int_equal(parse_all("<Esc>"), 0x1b);
	assert_int_equal(parse_all("<Tab>"), 0x09);
	assert_int_equal(parse_all("<Space>"), ' ');
	assert_int_equal(parse_all(" "), ' ');
	assert_int_equal(parse_all("<lt>"), '<');
	assert_int_equal(parse_all("a"), 'a');
	assert_int_equal(parse_all("A"), 'A');
	assert_int_equal(parse_all("\xc3\xa9"), 0xe9);
	assert_int_equal(parse_all("\xf0\x9f\x9a\x80"), 0x1f680);
	assert_int_equal(parse_all("<Up>"), KEY_OFFSET + KEY_UP);
	assert_int_equal(parse_all("<PgDn>"), KEY_OFFSET + KEY_NPAGE);
	assert_int_equal(parse_all("<BackTab>"), KEY_OFFSET + KEY_BTAB);
	assert_int_equal(parse_all("<Backspace>"), KEY_OFFSET + KEY_BACKSPACE);
	assert_int_equal(parse_all("<Del>"), KEY_OFFSET + KEY_DC);
	assert_int_equal(parse_all("<F1>"), KEY_OFFSET + KEY_F(1));
	assert_int_equal(parse_all("<F12>"), KEY_OFFSET + KEY_F(12));
	assert_int_equal(parse_all("<Resize>"), KEY_OFFSET + KEY_RESIZE);
	assert_int_equal(parse_all("<C-a>"), 1);
	assert_int_equal(parse_all("<C-l>"), 12);
	assert_int_equal(parse_all("<C-z>"), 26);
	assert_int_equal(parse_all("<C-[>"), 0x1b);
	assert_int_equal(parse_all("<C-_>"), 0x1f);
}

/* Aliases and case-insensitivity inside <> fold to the canonical key. */
static void test_aliases(void **state)
{
	(void)state;
	static const struct {
		const char *in, *canon;
	} cases[] = {
		{"<enter>", "<Enter>"},   {"<ENTER>", "<Enter>"},     {"<CR>", "<Enter>"},
		{"<return>", "<Enter>"},  {"<C-m>", "<Enter>"},       {"<c-M>", "<Enter>"},
		{"<C-i>", "<Tab>"},       {"<tab>", "<Tab>"},         {"<C-[>", "<Esc>"},
		{"<escape>", "<Esc>"},    {"<c-L>", "<C-l>"},         {"<C-L>", "<C-l>"},
		{"<S-Tab>", "<BackTab>"}, {"<backtab>", "<BackTab>"}, {"<BS>", "<Backspace>"},
		{"<Delete>", "<Del>"},    {"<PageUp>", "<PgUp>"},     {"<pagedown>", "<PgDn>"},
		{"<insert>", "<Ins>"},    {"<f5>", "<F5>"},           {"<F05>", "<F5>"},
		{"<LT>", "<lt>"},         {"<space>", "<Space>"},     {" ", "<Space>"},
		{"<U+41>", "A"},          {"<u+00e9>", "\xc3\xa9"},   {"<U+0020>", "<Space>"},
		{"<U+003C>", "<lt>"},     {"<U+000D>", "<Enter>"},    {"<U+007F>", "<Backspace>"},
		{"<U+0001>", "<C-a>"},    {"<key-343>", "<Enter>"}, /* KEY_ENTER, the keypad's */
		{"<s-up>", "<S-Up>"},     {"<resize>", "<Resize>"},
	};
	struct buf b = {0};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		buf_reset(&b);
		key_format(parse_all(cases[i].in), &b);
		if (strcmp(buf_str(&b), cases[i].canon))
			fail_msg("\"%s\" printed as \"%s\", want \"%s\"", cases[i].in, buf_str(&b), cases[i].canon);
	}
	buf_free(&b);
	assert_int_equal(KEY_ENTER, 343);
}

static void test_normalize(void **state)
{
	(void)state;
	assert_int_equal(key_normalize(0x7f), KEY_OFFSET + KEY_BACKSPACE);
	assert_int_equal(key_normalize(KEY_OFFSET + KEY_BACKSPACE), KEY_OFFSET + KEY_BACKSPACE);
	assert_int_equal(key_normalize(KEY_OFFSET + KEY_ENTER), 0x0d);
	assert_int_equal(key_normalize(0x0a), 0x0a);
	assert_int_equal(key_normalize(0x08), 0x08);
	assert_int_equal(key_normalize('x'), 'x');
	check_name(0x7f, "<Backspace>");
	check_name(KEY_OFFSET + KEY_ENTER, "<Enter>");
	check_name(0x0a, "<C-j>");
	check_name(0x08, "<C-h>");
}

static void test_bad_names(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"",
		"<",
		"<Foo>",
		"<>",
		"<Enter",
		"<F0>",
		"<F64>",
		"<F>",
		"<F1x>",
		"<C-1>",
		"<C->",
		"<C-ab>",
		"<U+>",
		"<U+110000>",
		"<U+0>",
		"<U+12G>",
		"<Key-1>",
		"<Key-99999>",
		"<Key->",
		"<aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa>",
		"\t",
		"\n",
		"\x1b",
		"\x7f",
		"\x80",
		"\xc3",
		"\xc0\xaf",
		"\xe0\x80\xaf",
		"\xed\xa0\x80",
		"\xf4\x90\x80\x80",
		"\xf8\x88\x80\x80\x80",
		"\xc2\x85",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		const char *p = bad[i];
		int k = key_parse(&p);
		if (k != -1 || p != bad[i])
			fail_msg("bad name %zu (\"%s\") gave %d", i, bad[i], k);
	}
	const char *nul = NULL;
	assert_int_equal(key_parse(&nul), -1);
	check_name(0, "<Invalid>");
	check_name(-5, "<Invalid>");
	check_name(KEY_OFFSET, "<Invalid>");
	check_name(KEY_OFFSET + 0x7fff + 1, "<Invalid>");
}

/* key_parse takes one key at a time. */
static void test_parse_steps(void **state)
{
	(void)state;
	const char *s = "g<Enter>\xc3\xa9<lt>x";
	const char *p = s;
	assert_int_equal(key_parse(&p), 'g');
	assert_ptr_equal(p, s + 1);
	assert_int_equal(key_parse(&p), '\r');
	assert_ptr_equal(p, s + 8);
	assert_int_equal(key_parse(&p), 0xe9);
	assert_int_equal(key_parse(&p), '<');
	assert_int_equal(key_parse(&p), 'x');
	assert_int_equal(*p, '\0');
	assert_int_equal(key_parse(&p), -1);
}

static void check_seq_error(const char *s, size_t max, const char *want)
{
	int keys[16];
	struct buf err = {0};
	assert_int_equal(key_parse_seq(s, keys, max, &err), -1);
	assert_string_equal(buf_str(&err), want);
	buf_free(&err);
}

static void test_parse_seq(void **state)
{
	(void)state;
	int keys[16];
	struct buf err = {0};
	assert_int_equal(key_parse_seq("gg<Enter>x", keys, 16, &err), 4);
	assert_int_equal(keys[0], 'g');
	assert_int_equal(keys[1], 'g');
	assert_int_equal(keys[2], '\r');
	assert_int_equal(keys[3], 'x');
	assert_int_equal(key_parse_seq("<C-w><Down>:q<Enter>", keys, 16, &err), 5);
	assert_int_equal(keys[0], 23);
	assert_int_equal(keys[1], KEY_OFFSET + KEY_DOWN);
	assert_int_equal(keys[4], '\r');
	assert_int_equal(key_parse_seq("", keys, 16, &err), 0);
	assert_int_equal(key_parse_seq("ab", keys, 2, &err), 2);
	assert_int_equal(err.len, 0);
	buf_free(&err);

	check_seq_error("ab<Foo>", 16, "unknown key name <Foo> at column 3");
	check_seq_error("\xc3\xa9<Foo>", 16, "unknown key name <Foo> at column 2");
	check_seq_error("x<Enter", 16, "unterminated key name at column 2 (write <lt> for \"<\")");
	check_seq_error("a\xff", 16, "invalid UTF-8 at column 2");
	check_seq_error("a\tb", 16, "control character U+0009 at column 2 (write keys as <Enter>, <Tab>, <C-x>)");
	check_seq_error("abc", 2, "too many keys (more than 2) at column 3");
	check_seq_error("a", 0, "too many keys (more than 0) at column 1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_canonical),
		cmocka_unit_test(test_round_trip_every_key),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_aliases),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_parse_steps),
		cmocka_unit_test(test_parse_seq),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
