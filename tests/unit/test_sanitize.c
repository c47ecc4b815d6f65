/* Unit tests for core/sanitize.c: escape sequences, C1 and bidi controls,
 * invisible characters and invalid UTF-8 are made visible; printable text
 * (emoji, CJK, accents) passes unchanged; truncation keeps characters and
 * notations whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/sanitize.h"

#define ELLIPSIS "\xe2\x80\xa6"
#define RET      " \xe2\x8f\x8e "

/* Sanitize len bytes of in and compare with want. */
static void check_len(const char *in, size_t len, unsigned flags, size_t max, const char *want)
{
	char *got = sanitize(in, len, flags, max);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void check(const char *in, unsigned flags, const char *want)
{
	check_len(in, strlen(in), flags, 0, want);
}

/* An independent, deliberately plain validator for the property test.
 * Returns the number of code points, or -1 when s is not valid UTF-8 or
 * breaks one of the output rules. */
static long out_violations(const unsigned char *s, size_t len, unsigned flags)
{
	long count = 0;
	size_t i = 0;
	uint32_t prev = 0;
	while (i < len) {
		unsigned char c = s[i];
		uint32_t cp;
		size_t n;
		if (c < 0x80) {
			if (c == 0x7f)
				return -1;
			if (c < 0x20 && (c != '\n' || (flags & (SANITIZE_ONE_LINE | SANITIZE_FIRST_LINE))))
				return -1;
			i++;
			count++;
			prev = c;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			n = 2;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			n = 3;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			n = 4;
			cp = c & 0x07;
		} else {
			return -1;
		}
		if (i + n > len)
			return -1;
		for (size_t k = 1; k < n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return -1;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		static const uint32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
		if (cp < min_for_len[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return -1;
		if (cp >= 0x80 && cp <= 0x9f)
			return -1; /* C1 */
		if (cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
		    (cp >= 0x2066 && cp <= 0x2069))
			return -1; /* bidi */
		/* A zero-width joiner may stay only right after a pictograph (the
		 * sanitizer also checks what follows; the tests below pin that). */
		int after_emoji = (prev >= 0x1f000 && prev <= 0x1faff) || (prev >= 0x2300 && prev <= 0x23ff) ||
				  (prev >= 0x2600 && prev <= 0x27bf) || prev == 0xfe0f;
		if ((cp >= 0x200b && cp <= 0x200c) || (cp == 0x200d && !after_emoji) ||
		    (cp >= 0x2060 && cp <= 0x2064) || cp == 0xfeff || cp == 0x00ad || cp == 0x2028 || cp == 0x2029)
			return -1; /* invisible, separators */
		prev = cp;
		i += n;
		count++;
	}
	return count;
}

static void test_escape_sequences(void **state)
{
	(void)state;
	check("\x1b[31mred\x1b[0m", 0, "^[[31mred^[[0m");
	check("\x1b[2J\x1b[H", 0, "^[[2J^[[H");
	/* OSC 52 would write the clipboard; BEL and ST terminators. */
	check("\x1b]52;c;cm0gLXJmIH4=\x07", 0, "^[]52;c;cm0gLXJmIH4=^G");
	check("\x1b]52;c;cm0gLXJmIH4=\x1b\\", 0, "^[]52;c;cm0gLXJmIH4=^[\\");
	/* OSC 0/2: set the window title. */
	check("\x1b]0;you have been pwned\x07rest", 0, "^[]0;you have been pwned^Grest");
	check("\x1b]2;t\x1b\\", SANITIZE_ONE_LINE, "^[]2;t^[\\");
	/* DCS (sixel, DECRQSS) up to ST. */
	check("\x1bPq#0;2;0;0;0#0~~\x1b\\", 0, "^[Pq#0;2;0;0;0#0~~^[\\");
	check("\x1bP$q\"p\x1b\\", 0, "^[P$q\"p^[\\");
}

static void test_c0_and_del(void **state)
{
	(void)state;
	check("a\x01"
	      "b\x07"
	      "c\x08"
	      "d\x7f"
	      "e",
	      0, "a^Ab^Gc^Hd^?e");
	check("\x1f\x1b\x0b\x0c", 0, "^_^[^K^L");
	check("col1\tcol2", 0, "col1 col2");
	check("\t\t", SANITIZE_ONE_LINE, "  ");
}

static void test_nul_in_middle(void **state)
{
	(void)state;
	check_len("ab\0cd", 5, 0, 0, "ab^@cd");
	check_len("\0", 1, 0, 0, "^@");
	/* NUL-terminated input stops at the NUL. */
	check("ab\0cd", 0, "ab");
}

static void test_c1_controls(void **state)
{
	(void)state;
	/* U+009B is an 8-bit CSI: terminals that honour it would run "31m". */
	check("a\xc2\x9b"
	      "31mb",
	      0, "a<U+009B>31mb");
	check("\xc2\x80\xc2\x9d\xc2\x9f", 0, "<U+0080><U+009D><U+009F>");
	/* The same byte on its own is not UTF-8 at all. */
	check("a\x9b"
	      "31m",
	      0, "a\\x9B31m");
	/* U+00A0 (no-break space) is printable and stays. */
	check("a\xc2\xa0"
	      "b",
	      0,
	      "a\xc2\xa0"
	      "b");
}

static void test_bidi_controls(void **state)
{
	(void)state;
	/* "Trojan source": RLO makes "exe.txt" display reversed. */
	check("invoice\xe2\x80\xaetxt.exe", 0, "invoice<U+202E>txt.exe");
	check("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad", 0, "<U+202A><U+202B><U+202C><U+202D>");
	check("\xe2\x81\xa6x\xe2\x81\xa9", 0, "<U+2066>x<U+2069>");
	check("\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c", 0, "<U+200E><U+200F><U+061C>");
	/* Arabic and Hebrew letters themselves are fine. */
	check("\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7", 0,
	      "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7");
}

static void test_invisible(void **state)
{
	(void)state;
	check("rel\xe2\x80\x8b"
	      "ease",
	      0, "rel<U+200B>ease");
	check("\xe2\x80\x8c\xe2\x80\x8d\xe2\x81\xa0\xe2\x81\xa4", 0, "<U+200C><U+200D><U+2060><U+2064>");
	/* A joiner between two pictographs is one emoji (woman technologist)... */
	check("\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb", 0, "\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb");
	/* ...but not next to letters, at the end, or after an escaped character. */
	check("a\xe2\x80\x8d"
	      "b",
	      0, "a<U+200D>b");
	check("\xf0\x9f\x91\xa9\xe2\x80\x8d", 0, "\xf0\x9f\x91\xa9<U+200D>");
	check("\xf0\x9f\x91\xa9\xe2\x80\x8d"
	      "x",
	      0, "\xf0\x9f\x91\xa9<U+200D>x");
	check("\x1b\xe2\x80\x8d\xf0\x9f\x92\xbb", 0, "^[<U+200D>\xf0\x9f\x92\xbb");
	check("soft\xc2\xad"
	      "hyphen",
	      0, "soft<U+00AD>hyphen");
	check("a\xe2\x80\xa8"
	      "b\xe2\x80\xa9"
	      "c",
	      0, "a<U+2028>b<U+2029>c");
	/* U+2065 is unassigned, not in the list: it passes. */
	check("\xe2\x81\xa5", 0, "\xe2\x81\xa5");
}

static void test_bom(void **state)
{
	(void)state;
	check("\xef\xbb\xbfhello", 0, "<U+FEFF>hello");
	check("a\xef\xbb\xbf", 0, "a<U+FEFF>");
}

static void test_invalid_bytes(void **state)
{
	(void)state;
	check("\xff", 0, "\\xFF");
	check("a\xff\xfe"
	      "b",
	      0, "a\\xFF\\xFEb");
	check("\xf5\x80\x80\x80", 0, "\\xF5\\x80\\x80\\x80");
	/* A stray continuation byte. */
	check("x\x80y", 0, "x\\x80y");
	/* Latin-1 text that is not UTF-8. */
	check("caf\xe9", 0, "caf\\xE9");
	check("caf\xe9 au lait", 0, "caf\\xE9 au lait");
}

static void test_overlong(void **state)
{
	(void)state;
	/* C0 AF is an overlong "/" (the classic path-traversal trick). */
	check("..\xc0\xaf..", 0, "..\\xC0\\xAF..");
	check("\xc1\xbf", 0, "\\xC1\\xBF");
	check("\xe0\x80\xaf", 0, "\\xE0\\x80\\xAF");
	check("\xe0\x9f\xbf", 0, "\\xE0\\x9F\\xBF");
	check("\xf0\x80\x80\xaf", 0, "\\xF0\\x80\\x80\\xAF");
	check("\xf0\x8f\xbf\xbf", 0, "\\xF0\\x8F\\xBF\\xBF");
	/* Overlong NUL must not become a NUL or "^@". */
	check("\xc0\x80", 0, "\\xC0\\x80");
	/* The smallest valid forms right after the overlong ranges pass. */
	check("\xc2\x80"
	      "x",
	      0, "<U+0080>x");
	check("\xe0\xa0\x80", 0, "\xe0\xa0\x80");
	check("\xf0\x90\x80\x80", 0, "\xf0\x90\x80\x80");
}

static void test_surrogates_and_range(void **state)
{
	(void)state;
	check("\xed\xa0\x80", 0, "\\xED\\xA0\\x80");
	check("\xed\xbf\xbf", 0, "\\xED\\xBF\\xBF");
	check("\xed\x9f\xbf", 0, "\xed\x9f\xbf");             /* U+D7FF is fine */
	check("\xf4\x90\x80\x80", 0, "\\xF4\\x90\\x80\\x80"); /* U+110000 */
	check("\xf4\x8f\xbf\xbf", 0, "\xf4\x8f\xbf\xbf");     /* U+10FFFF */
}

static void test_truncated(void **state)
{
	(void)state;
	check("abc\xe2\x82", 0, "abc\\xE2\\x82");
	check("abc\xe2", 0, "abc\\xE2");
	check("x\xf0\x9f\x98", 0, "x\\xF0\\x9F\\x98");
	check("\xc3", 0, "\\xC3");
	/* Cut short by the next character: that character survives. */
	check("\xe2\x82"
	      "A",
	      0,
	      "\\xE2\\x82"
	      "A");
	check("\xf0\x9f\x9a\xe4\xb8\xad", 0, "\\xF0\\x9F\\x9A\xe4\xb8\xad");
	check("\xc3\x1b", 0, "\\xC3^[");
	/* A length that ends inside a character. */
	check_len("\xe4\xb8\xad\xe6\x96\x87", 4, 0, 0, "\xe4\xb8\xad\\xE6");
}

static void test_printable_unchanged(void **state)
{
	(void)state;
	const char *samples[] = {
		"plain ASCII: fix(release): bump ~version~ {x} [y] |z| `q` @ # $ % ^ & * \\",
		"\xf0\x9f\x9a\x80 deploy \xf0\x9f\x8e\x89\xe2\x9c\x85",                     /* rocket, party, check */
		"\xe5\xae\x8c\xe6\x88\x90\xe3\x81\x97\xe3\x81\xbe\xe3\x81\x97\xe3\x81\x9f", /* CJK + kana */
		"\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4",                                     /* Hangul */
		"d\xc3\xa9ploiement na\xc3\xafve \xc3\x85ngstr\xc3\xb6m",                   /* accents */
		"e\xcc\x81",                                                                /* combining acute */
		"\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd",                                         /* thumbs up + skin tone */
		"\xf0\x9f\x87\xba\xf0\x9f\x87\xb8",       /* flag (regional indicators) */
		"\xe2\x8f\x8e \xe2\x80\xa6 \xe2\x82\xac", /* the notations' own glyphs */
		"",
	};
	for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
		check(samples[i], 0, samples[i]);
		check(samples[i], SANITIZE_ONE_LINE, samples[i]);
		check(samples[i], SANITIZE_FIRST_LINE, samples[i]);
	}
}

static void test_line_breaks(void **state)
{
	(void)state;
	const char *in = "one\r\ntwo\rthree\nfour";
	check(in, 0, "one\ntwo\nthree\nfour");
	check(in, SANITIZE_ONE_LINE, "one" RET "two" RET "three" RET "four");
	check(in, SANITIZE_FIRST_LINE, "one");
	check(in, SANITIZE_ONE_LINE | SANITIZE_FIRST_LINE, "one");
	/* CRLF is one break, LF CR is two. */
	check("a\r\nb", SANITIZE_ONE_LINE, "a" RET "b");
	check("a\n\rb", SANITIZE_ONE_LINE, "a" RET RET "b");
	check("a\n\nb", 0, "a\n\nb");
	check("\nfirst line empty", SANITIZE_FIRST_LINE, "");
	check("trailing\r\n", SANITIZE_FIRST_LINE, "trailing");
	check("trailing\r\n", SANITIZE_ONE_LINE, "trailing" RET);
	check("lone cr at end\r", 0, "lone cr at end\n");
	/* NEL (U+0085) is a C1 control, not a break. */
	check("a\xc2\x85"
	      "b",
	      SANITIZE_FIRST_LINE, "a<U+0085>b");
}

static void test_max_bytes(void **state)
{
	(void)state;
	/* Fits exactly: no ellipsis. */
	check_len("ab\xe2\x82\xac", 5, 0, 5, "ab\xe2\x82\xac");
	check_len("abcdef", 6, 0, 6, "abcdef");
	/* Cut: the ellipsis counts towards the limit and "€" is not split. */
	check_len("ab\xe2\x82\xac\xe2\x82\xac", 8, 0, 7, "ab" ELLIPSIS);
	check_len("ab\xe2\x82\xac\xe2\x82\xac", 8, 0, 6, "ab" ELLIPSIS);
	check_len("abcdef", 6, 0, 5, "ab" ELLIPSIS);
	/* A four-byte emoji is kept or dropped whole. */
	check_len("\xf0\x9f\x9a\x80\xf0\x9f\x9a\x80\xf0\x9f\x9a\x80", 12, 0, 10, "\xf0\x9f\x9a\x80" ELLIPSIS);
	/* Notations are never split either. */
	check_len("abc\x1b[", 5, 0, 5, "ab" ELLIPSIS);
	check_len("a\xe2\x80\xae"
		  "bcdefghij",
		  13, 0, 12, "a<U+202E>" ELLIPSIS);
	/* Limits too small for the ellipsis still hold. */
	check_len("abcdef", 6, 0, 2, "ab");
	check_len("\xe4\xb8\xad\xe6\x96\x87", 6, 0, 2, "");
	check_len("abcdef", 6, 0, 3, ELLIPSIS);
	/* The limit applies to output: "^[" is two bytes. */
	check_len("\x1b\x1b", 2, 0, 4, "^[^[");
	/* One-line marks count too. */
	check_len("a\nb", 3, SANITIZE_ONE_LINE, 7, "a" RET "b");
	check_len("a\nbc", 4, SANITIZE_ONE_LINE, 7, "a" ELLIPSIS);

	/* Every limit on a mixed string: a whole-unit prefix, then "…". */
	const char *mixed = "x\xe5\xae\x8c\x1b[1m\xf0\x9f\x9a\x80\xe2\x80\xae\xff"
			    "done\n\xc3\xa9";
	char *full = sanitize(mixed, strlen(mixed), 0, 0);
	size_t flen = strlen(full);
	for (size_t max = 1; max <= flen + 2; max++) {
		char *got = sanitize(mixed, strlen(mixed), 0, max);
		size_t glen = strlen(got);
		assert_true(glen <= max);
		assert_true(out_violations((const unsigned char *)got, glen, 0) >= 0);
		if (max >= flen) {
			assert_string_equal(got, full);
		} else if (max >= 3) {
			assert_true(glen >= 3);
			assert_memory_equal(got + glen - 3, ELLIPSIS, 3);
			assert_memory_equal(got, full, glen - 3);
		} else {
			assert_memory_equal(got, full, glen);
		}
		free(got);
	}
	free(full);
}

static void test_long_line(void **state)
{
	(void)state;
	struct buf in = {0}, want = {0};
	for (int i = 0; i < 10000; i++) {
		static const char *const chars[] = {"a", "\xc3\xa9", "\xe4\xb8\xad", "\xf0\x9f\x9a\x80"};
		buf_adds(&in, chars[i % 4]);
	}
	char *got = sanitize(in.s, in.len, SANITIZE_ONE_LINE, 0);
	assert_int_equal(strlen(got), in.len);
	assert_string_equal(got, in.s);
	assert_int_equal(out_violations((const unsigned char *)got, strlen(got), SANITIZE_ONE_LINE), 10000);
	free(got);

	/* 10,000 escape characters: every one made visible. */
	buf_reset(&in);
	for (int i = 0; i < 10000; i++) {
		buf_addc(&in, '\x1b');
		buf_adds(&want, "^[");
	}
	got = sanitize(in.s, in.len, 0, 0);
	assert_string_equal(got, want.s);
	free(got);

	/* A limit on a long input stops early and still ends in "…". */
	got = sanitize(in.s, in.len, 0, 80);
	assert_int_equal(strlen(got), 38 * 2 + 3); /* 38 "^[" leave room for the ellipsis */
	assert_memory_equal(got + strlen(got) - 3, ELLIPSIS, 3);
	free(got);
	buf_free(&in);
	buf_free(&want);
}

static void test_null_and_empty(void **state)
{
	(void)state;
	char *got = sanitize(NULL, 5, 0, 0);
	assert_string_equal(got, "");
	free(got);
	got = sanitize_str(NULL, SANITIZE_ONE_LINE);
	assert_string_equal(got, "");
	free(got);
	check_len("", 0, 0, 10, "");
}

/* Random bytes, biased towards the interesting ones. */
static void test_property_random(void **state)
{
	(void)state;
	static const unsigned char interesting[] = {
		0x00, 0x07, 0x09, 0x0a, 0x0d, 0x1b, 0x7f, 0x80, 0x85, 0x9b, 0xa0, 0xad,
		0xbf, 0xc0, 0xc1, 0xc2, 0xd8, 0xdf, 0xe0, 0xe2, 0x80, 0x8b, 0xae, 0xed,
		0xef, 0xbb, 0xf0, 0xf4, 0x8f, 0x90, 0xf5, 0xff, '[',  ']',  'a',  '\\',
	};
	unsigned seed = 12345;
	unsigned char in[96];
	static const unsigned flag_sets[] = {0, SANITIZE_ONE_LINE, SANITIZE_FIRST_LINE,
					     SANITIZE_ONE_LINE | SANITIZE_FIRST_LINE};
	for (int iter = 0; iter < 20000; iter++) {
		seed = seed * 1103515245u + 12345u;
		size_t len = (seed >> 16) % sizeof in;
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			unsigned r = seed >> 16;
			in[i] = (r & 1) ? interesting[(r >> 1) % sizeof interesting] : (unsigned char)(r >> 4);
		}
		unsigned flags = flag_sets[iter % 4];
		size_t max = (iter % 3 == 0) ? (seed >> 8) % 40 : 0;
		char *out = sanitize((const char *)in, len, flags, max);
		size_t olen = strlen(out);
		if (max)
			assert_true(olen <= max);
		if (out_violations((const unsigned char *)out, olen, flags) < 0) {
			fprintf(stderr, "bad output for input of %zu bytes, flags %u:", len, flags);
			for (size_t i = 0; i < len; i++)
				fprintf(stderr, " %02x", in[i]);
			fprintf(stderr, "\n");
			fail();
		}
		/* Sanitized text is already safe: a second pass changes nothing. */
		if (!max) {
			char *again = sanitize(out, olen, flags, 0);
			assert_string_equal(again, out);
			free(again);
		}
		free(out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_sequences),
		cmocka_unit_test(test_c0_and_del),
		cmocka_unit_test(test_nul_in_middle),
		cmocka_unit_test(test_c1_controls),
		cmocka_unit_test(test_bidi_controls),
		cmocka_unit_test(test_invisible),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_invalid_bytes),
		cmocka_unit_test(test_overlong),
		cmocka_unit_test(test_surrogates_and_range),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_printable_unchanged),
		cmocka_unit_test(test_line_breaks),
		cmocka_unit_test(test_max_bytes),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_null_and_empty),
		cmocka_unit_test(test_property_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
