/* Every entry of the hostile-string corpus (tests/hostile/corpus.txt: CSI,
 * OSC, DCS, C1 controls, bidi overrides, invalid and overlong UTF-8,
 * zero-width characters, 10,000-character lines) through the sanitizer and
 * the width functions (core/textwidth):
 *  - with every flag and a range of byte limits, and on every prefix of the
 *    shorter entries, the output is strictly valid UTF-8 with no C0 control
 *    (but "\n" where allowed), no DEL, no C1, no bidi control, no invisible
 *    character, within the limit, and sanitizing it again changes nothing;
 *  - each ESC becomes "^[" and each invalid byte one "\xNN";
 *  - the benign entries pass unchanged;
 *  - text_width is the sum of the characters' widths (and the known totals
 *    of the long lines), text_fit never splits a character, never exceeds
 *    its columns and stops only when the next character would not fit.
 * The corpus is read from tests/hostile/corpus.txt (the tests run from the
 * top of the tree) or $RELCON_HOSTILE_CORPUS. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "core/buf.h"
#include "core/sanitize.h"
#include "core/textwidth.h"
#include "core/xml.h"

struct entry {
	char name[64];
	char cls[32];
	struct buf data;
};

static struct entry entries[256];
static size_t nentries;

/* ---- the corpus ---------------------------------------------------------- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Append code point cp as UTF-8 (surrogates too: the corpus wants them as
 * their invalid three bytes). */
static void put_utf8(struct buf *b, uint32_t cp)
{
	if (cp < 0x80) {
		buf_addc(b, (char)cp);
	} else if (cp < 0x800) {
		buf_addc(b, (char)(0xc0 | (cp >> 6)));
		buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		buf_addc(b, (char)(0xe0 | (cp >> 12)));
		buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	} else {
		buf_addc(b, (char)(0xf0 | (cp >> 18)));
		buf_addc(b, (char)(0x80 | ((cp >> 12) & 0x3f)));
		buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	}
}

/* Decode one escaped TEXT field (see corpus.txt) into b; -1 on a bad escape. */
static int decode_field(const char *s, struct buf *b)
{
	while (*s) {
		if (*s != '\\') {
			buf_addc(b, *s++);
			continue;
		}
		s++;
		switch (*s) {
		case '\\':
			buf_addc(b, '\\');
			break;
		case 't':
			buf_addc(b, '\t');
			break;
		case 'n':
			buf_addc(b, '\n');
			break;
		case 'r':
			buf_addc(b, '\r');
			break;
		case 'e':
			buf_addc(b, '\x1b');
			break;
		case 'a':
			buf_addc(b, '\a');
			break;
		case 'x': {
			int hi = hexval(s[1]), lo = hi < 0 ? -1 : hexval(s[2]);
			if (lo < 0)
				return -1;
			buf_addc(b, (char)(hi << 4 | lo));
			s += 2;
			break;
		}
		case 'u': {
			if (s[1] != '{')
				return -1;
			uint32_t cp = 0;
			int n = 0;
			s += 2;
			for (; hexval(*s) >= 0; s++, n++)
				cp = cp << 4 | (uint32_t)hexval(*s);
			if (*s != '}' || n < 1 || n > 6 || cp > 0x10ffff)
				return -1;
			put_utf8(b, cp);
			break;
		}
		default:
			return -1;
		}
		s++;
	}
	return 0;
}

static int load_corpus(void **state)
{
	(void)state;
	const char *path = getenv("RELCON_HOSTILE_CORPUS");
	if (!path || !*path)
		path = "tests/hostile/corpus.txt";
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "cannot open %s (run from the top of the tree)\n", path);
		return -1;
	}
	char line[4096];
	int lineno = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		size_t n = strlen(line);
		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		if (!n || line[0] == '#')
			continue;
		char *f1 = line, *f2 = strchr(f1, '\t'), *f3 = f2 ? strchr(f2 + 1, '\t') : NULL;
		char *f4 = f3 ? strchr(f3 + 1, '\t') : NULL;
		if (!f3 || nentries == sizeof entries / sizeof entries[0]) {
			fprintf(stderr, "%s:%d: want NAME<TAB>CLASS<TAB>TEXT[<TAB>*N]\n", path, lineno);
			fclose(f);
			return -1;
		}
		*f2++ = '\0';
		*f3++ = '\0';
		if (f4)
			*f4++ = '\0';
		struct entry *e = &entries[nentries++];
		snprintf(e->name, sizeof e->name, "%.63s", f1);
		snprintf(e->cls, sizeof e->cls, "%.31s", f2);
		struct buf one = {0};
		long times = 1;
		if (decode_field(f3, &one) < 0 || (f4 && (f4[0] != '*' || (times = strtol(f4 + 1, NULL, 10)) < 1))) {
			fprintf(stderr, "%s:%d: bad TEXT or repetition\n", path, lineno);
			buf_free(&one);
			fclose(f);
			return -1;
		}
		for (long i = 0; i < times; i++)
			buf_add(&e->data, one.s ? one.s : "", one.len);
		buf_free(&one);
	}
	fclose(f);
	return nentries ? 0 : -1;
}

static int free_corpus(void **state)
{
	(void)state;
	for (size_t i = 0; i < nentries; i++)
		buf_free(&entries[i].data);
	return 0;
}

static const struct entry *find(const char *name)
{
	for (size_t i = 0; i < nentries; i++)
		if (!strcmp(entries[i].name, name))
			return &entries[i];
	fail_msg("no corpus entry %s", name);
	return NULL;
}

/* ---- an independent strict UTF-8 reader ----------------------------------- */

/* One code point at s (avail bytes); its length, or 0 when s does not start
 * a valid, shortest-form, non-surrogate sequence up to U+10FFFF. */
static size_t utf8_one(const unsigned char *s, size_t avail, uint32_t *cp)
{
	static const uint32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
	size_t n;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		*cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		*cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		*cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (avail < n)
		return 0;
	for (size_t k = 1; k < n; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (s[k] & 0x3f);
	}
	if (*cp < min_for_len[n] || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return n;
}

/* Bytes of s that a strict reader cannot take: what the sanitizer must show
 * as "\xNN", one each. */
static size_t invalid_bytes(const unsigned char *s, size_t len)
{
	size_t bad = 0;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_one(s + i, len - i, &cp);
		if (!n) {
			bad++;
			n = 1;
		}
		i += n;
	}
	return bad;
}

static int is_pictograph(uint32_t cp)
{
	return (cp >= 0x1f000 && cp <= 0x1faff) || (cp >= 0x2300 && cp <= 0x23ff) || (cp >= 0x2600 && cp <= 0x27bf) ||
	       cp == 0xfe0f;
}

/* What must never be in the output, whatever the input: code points that
 * move the cursor, switch modes, reorder the line or hide text. */
static int forbidden(uint32_t cp, uint32_t prev, uint32_t next)
{
	if (cp == 0x7f || (cp >= 0x80 && cp <= 0x9f))
		return 1; /* DEL, C1 */
	if (cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069))
		return 1; /* bidi */
	if (cp == 0x200d)
		return !(is_pictograph(prev) && is_pictograph(next)); /* ZWJ only inside an emoji */
	if (cp == 0x00ad || cp == 0x034f || cp == 0x115f || cp == 0x1160 || cp == 0x180e || cp == 0x200b ||
	    cp == 0x200c || (cp >= 0x2028 && cp <= 0x2029) || (cp >= 0x2060 && cp <= 0x2064) ||
	    (cp >= 0x206a && cp <= 0x206f) || cp == 0x3164 || cp == 0xfeff || cp == 0xffa0 ||
	    (cp >= 0xfff9 && cp <= 0xfffb) || (cp >= 0xe0000 && cp <= 0xe001f))
		return 1; /* invisible */
	if (cp >= 0xe0020 && cp <= 0xe007f)
		return !(prev == 0x1f3f4 || (prev >= 0xe0020 && prev <= 0xe007f)); /* tags outside a flag */
	return 0;
}

/* Check one output of sanitize; returns a description of the first problem,
 * or NULL. */
static const char *out_problem(const char *out, unsigned flags)
{
	const unsigned char *s = (const unsigned char *)out;
	size_t len = strlen(out);
	uint32_t prev = 0;
	for (size_t i = 0; i < len;) {
		uint32_t cp, next = 0;
		size_t n = utf8_one(s + i, len - i, &cp);
		if (!n)
			return "invalid UTF-8 in the output";
		if (i + n < len)
			utf8_one(s + i + n, len - i - n, &next);
		if (cp < 0x20 && !(cp == '\n' && !(flags & (SANITIZE_ONE_LINE | SANITIZE_FIRST_LINE))))
			return "a C0 control in the output";
		if (forbidden(cp, prev, next))
			return "a DEL, C1, bidi or invisible character in the output";
		prev = cp;
		i += n;
	}
	return NULL;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* ---- the sanitizer -------------------------------------------------------- */

static const unsigned all_flags[] = {0, SANITIZE_ONE_LINE, SANITIZE_FIRST_LINE};
static const size_t limits[] = {0, 1, 2, 3, 4, 7, 8, 12, 40, 80, 200, 4096};

static void test_every_entry_neutralized(void **state)
{
	(void)state;
	for (size_t i = 0; i < nentries; i++) {
		const struct entry *e = &entries[i];
		for (size_t f = 0; f < sizeof all_flags / sizeof all_flags[0]; f++) {
			for (size_t l = 0; l < sizeof limits / sizeof limits[0]; l++) {
				char *out = sanitize(e->data.s, e->data.len, all_flags[f], limits[l]);
				const char *why = out_problem(out, all_flags[f]);
				if (why)
					fail_msg("%s (flags %u, max %zu): %s", e->name, all_flags[f], limits[l], why);
				if (limits[l] && strlen(out) > limits[l])
					fail_msg("%s: %zu bytes over the limit %zu", e->name, strlen(out), limits[l]);
				/* Sanitized text is a fixed point. */
				char *again = sanitize(out, strlen(out), all_flags[f], 0);
				if (strcmp(again, out))
					fail_msg("%s (flags %u, max %zu): sanitizing again changes it", e->name,
						 all_flags[f], limits[l]);
				free(again);
				free(out);
			}
		}
	}
}

static void test_every_prefix(void **state)
{
	(void)state;
	/* Input cut anywhere (a sequence split by a read limit or a field
	 * boundary) is still neutralized. */
	for (size_t i = 0; i < nentries; i++) {
		const struct entry *e = &entries[i];
		if (e->data.len > 200)
			continue;
		for (size_t k = 0; k <= e->data.len; k++) {
			char *out = sanitize(e->data.s, k, SANITIZE_ONE_LINE, 0);
			const char *why = out_problem(out, SANITIZE_ONE_LINE);
			if (why)
				fail_msg("%s cut at %zu: %s", e->name, k, why);
			free(out);
		}
	}
}

static void test_notations(void **state)
{
	(void)state;
	for (size_t i = 0; i < nentries; i++) {
		const struct entry *e = &entries[i];
		char *out = sanitize(e->data.s, e->data.len, SANITIZE_ONE_LINE, 0);
		/* Each ESC is shown as "^[" (the corpus has no "^[" of its own). */
		size_t esc = 0;
		for (size_t k = 0; k < e->data.len; k++)
			esc += e->data.s[k] == '\x1b';
		if (count(out, "^[") != esc)
			fail_msg("%s: %zu ESC in, %zu \"^[\" out", e->name, esc, count(out, "^["));
		/* Each byte a strict reader refuses is one "\xNN". */
		size_t bad = invalid_bytes((const unsigned char *)e->data.s, e->data.len);
		if (count(out, "\\x") != bad)
			fail_msg("%s: %zu invalid bytes in, %zu \"\\x\" out", e->name, bad, count(out, "\\x"));
		free(out);
	}
	/* The classes, by their well-known members. */
	char *o = sanitize_str(find("osc-title")->data.s, SANITIZE_ONE_LINE);
	assert_string_equal(o, "Set title ^[]0;pwned^G done");
	free(o);
	o = sanitize_str(find("c1-osc")->data.s, SANITIZE_ONE_LINE);
	assert_string_equal(o, "C1 OSC <U+009D>0;pwned-c1<U+009C> end");
	free(o);
	o = sanitize_str(find("bidi-filename")->data.s, SANITIZE_ONE_LINE);
	assert_string_equal(o, "invoice<U+202E>fdp.exe");
	free(o);
	o = sanitize_str(find("overlong-slash")->data.s, SANITIZE_ONE_LINE);
	assert_string_equal(o, "over \\xC0\\xAF \\xE0\\x80\\xAF \\xF0\\x80\\x80\\xAF slash");
	free(o);
	o = sanitize_str(find("dcs-tmux")->data.s, SANITIZE_ONE_LINE);
	assert_string_equal(o, "passthrough ^[Ptmux;^[^[]52;c;cHduZWQ=^G^[\\ tmux");
	free(o);
	o = sanitize_str(find("zw-more")->data.s, SANITIZE_ONE_LINE);
	assert_string_equal(o, "more <U+180E><U+206A><U+206F><U+FFF9><U+FFFB><U+034F><U+115F><U+3164><U+FFA0> end");
	free(o);
	o = sanitize_str(find("c0-cr")->data.s, SANITIZE_ONE_LINE);
	assert_string_equal(o, "Good \xe2\x8f\x8e Evil overwrite");
	free(o);
	/* A flag sequence keeps its tags (the flag of Scotland). */
	const char *scotland = "\xf0\x9f\x8f\xb4\xf3\xa0\x81\xa7\xf3\xa0\x81\xa2\xf3\xa0\x81\xb3\xf3\xa0\x81\xa3"
			       "\xf3\xa0\x81\xb4\xf3\xa0\x81\xbf";
	o = sanitize_str(scotland, SANITIZE_ONE_LINE);
	assert_string_equal(o, scotland);
	free(o);
}

static void test_benign_unchanged(void **state)
{
	(void)state;
	for (size_t i = 0; i < nentries; i++) {
		const struct entry *e = &entries[i];
		if (strncmp(e->name, "ok-", 3))
			continue;
		char *out = sanitize(e->data.s, e->data.len, SANITIZE_ONE_LINE, 0);
		assert_int_equal(strlen(out), e->data.len);
		assert_memory_equal(out, e->data.s, e->data.len);
		free(out);
	}
}

/* ---- widths --------------------------------------------------------------- */

/* The display width of valid UTF-8 s, summed independently (wcwidth per
 * code point, -1 counted as 1 column as text_width does). */
static int width_of(const char *s, size_t len)
{
	int w = 0;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_one((const unsigned char *)s + i, len - i, &cp);
		assert_true(n > 0);
		int cw = wcwidth((wchar_t)cp);
		w += cw < 0 ? 1 : cw;
		i += n;
	}
	return w;
}

static void check_fit(const struct entry *e, const char *out, int cols)
{
	int used = -1;
	size_t n = text_fit(out, cols, &used);
	size_t len = strlen(out);
	assert_true(n <= len);
	/* Never a split character: the prefix is whole characters. */
	if (n < len && ((unsigned char)out[n] & 0xc0) == 0x80)
		fail_msg("%s: text_fit(%d) splits a character at byte %zu", e->name, cols, n);
	if (used != width_of(out, n) || used > cols)
		fail_msg("%s: text_fit(%d) says %d columns for a prefix of %d", e->name, cols, used, width_of(out, n));
	/* It stops only where the next character would not fit. */
	if (n < len) {
		uint32_t cp;
		size_t k = utf8_one((const unsigned char *)out + n, len - n, &cp);
		int cw = wcwidth((wchar_t)cp);
		if (used + (cw < 0 ? 1 : cw) <= cols)
			fail_msg("%s: text_fit(%d) stops at %d columns though the next character fits", e->name, cols,
				 used);
		(void)k;
	}
}

static void test_widths(void **state)
{
	(void)state;
	for (size_t i = 0; i < nentries; i++) {
		const struct entry *e = &entries[i];
		char *out = sanitize(e->data.s, e->data.len, SANITIZE_ONE_LINE, 0);
		int w = text_width(out);
		if (w != width_of(out, strlen(out)))
			fail_msg("%s: text_width %d, the characters add up to %d", e->name, w,
				 width_of(out, strlen(out)));
		static const int cols[] = {0, 1, 2, 3, 5, 10, 39, 40, 79, 80, 119, 120, 200};
		for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++)
			check_fit(e, out, cols[c]);
		check_fit(e, out, w);
		if (w > 0)
			check_fit(e, out, w - 1);
		/* What a cut to max_bytes keeps is no wider than the whole. */
		char *cut = sanitize(e->data.s, e->data.len, SANITIZE_ONE_LINE, 80);
		assert_true(text_width(cut) <= w + 1);
		free(cut);
		free(out);
	}
	/* The 10,000-character lines, by their known widths. */
	char *o = sanitize_str(find("long-ascii")->data.s, SANITIZE_ONE_LINE);
	assert_int_equal(text_width(o), 10000);
	free(o);
	o = sanitize_str(find("long-wide")->data.s, SANITIZE_ONE_LINE);
	assert_int_equal(text_width(o), 20000); /* 漢 takes two columns */
	int used;
	assert_int_equal(text_fit(o, 79, &used), 39 * 3); /* never half of a wide character */
	assert_int_equal(used, 78);
	free(o);
	o = sanitize_str(find("long-csi")->data.s, SANITIZE_ONE_LINE);
	assert_int_equal(text_width(o), 2500 * 5); /* "^[[2J" */
	free(o);
	/* Zero-width characters shown by name take the name's columns. */
	o = sanitize_str(find("zw-space")->data.s, SANITIZE_ONE_LINE);
	assert_int_equal(text_width(o), (int)strlen("Zero a<U+200B>b<U+200C>c<U+200D>d width"));
	free(o);
	/* The emoji and wide characters that stay keep their widths: 🚀 2,
	 * 田中 太郎 8, 👩‍💻 as glibc counts it (2 + 0 + 2). */
	o = sanitize_str(find("ok-unicode")->data.s, SANITIZE_ONE_LINE);
	assert_int_equal(text_width(o), 2 + 9 + 4 + 1 + 4 + 1 + 7 + 1 + 4);
	free(o);
}

/* ---- JSON output ------------------------------------------------------------ */

/* Every entry as a JSON string, as relcon prints it (json-c, then
 * sanitize_json): valid UTF-8 with nothing that acts on a terminal, still
 * valid JSON, and -- for the entries JSON can carry (valid UTF-8) -- read
 * back exactly. */
static void test_json_output(void **state)
{
	(void)state;
	for (size_t i = 0; i < nentries; i++) {
		const struct entry *e = &entries[i];
		json_object *o = json_object_new_object();
		json_object_object_add(o, "value", json_object_new_string_len(e->data.s, (int)e->data.len));
		const char *raw =
			json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
		char *safe = sanitize_json(raw);
		const char *why = out_problem(safe, 0);
		if (why)
			fail_msg("%s: JSON output: %s", e->name, why);
		json_object *back = json_tokener_parse(safe);
		if (!back)
			fail_msg("%s: the JSON output does not parse", e->name);
		json_object *v = NULL;
		assert_true(json_object_object_get_ex(back, "value", &v));
		if (!invalid_bytes((const unsigned char *)e->data.s, e->data.len) &&
		    ((size_t)json_object_get_string_len(v) != e->data.len ||
		     memcmp(json_object_get_string(v), e->data.s, e->data.len)))
			fail_msg("%s: the JSON output does not read back as the original", e->name);
		json_object_put(back);
		json_object_put(o);
		free(safe);
	}
}

/* ---- control characters in AWS answers ------------------------------------- */

/* AWS writes a control character as a character reference, which XML 1.0
 * forbids: the answer is still read (core/xml.c) and the text keeps the
 * exact control characters, for the sanitizer to neutralize. */
static void test_xml_control_references(void **state)
{
	(void)state;
	const char *body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			   "<DescribeStacksResponse><Stacks><member><Value>Set title &#x1B;]0;pwned&#x7; done</Value>"
			   "<Reason>a&#27;[2J&#1;&#x1f;&#xD;b &#x9B;31m</Reason>"
			   "</member></Stacks></DescribeStacksResponse>";
	struct buf err = {0};
	struct xml_doc *d = NULL;
	assert_int_equal(xml_parse(&d, body, strlen(body), &err), 0);
	xmlNode *m = xml_path(xml_root(d), "Stacks/member");
	char *v = xml_text_path(m, "Value"), *r = xml_text_path(m, "Reason");
	assert_string_equal(v, "Set title \x1b]0;pwned\x07 done");
	assert_string_equal(r, "a\x1b[2J\x01\x1f\rb \xc2\x9b"
			       "31m");
	char *clean = sanitize_str(v, SANITIZE_ONE_LINE);
	assert_string_equal(clean, "Set title ^[]0;pwned^G done");
	free(clean);
	free(v);
	free(r);
	xml_free(&d);
	/* Without such a reference nothing is rewritten: U+10FF1B stays itself. */
	const char *plain = "<a><Plain>\xf4\x8f\xbc\x9b kept</Plain></a>";
	assert_int_equal(xml_parse(&d, plain, strlen(plain), &err), 0);
	v = xml_text_path(xml_root(d), "Plain");
	assert_string_equal(v, "\xf4\x8f\xbc\x9b kept");
	free(v);
	xml_free(&d);
	/* NUL stays refused, as does a raw control character. */
	const char *nul = "<a>x&#0;y</a>", *raw = "<a>x\x1by</a>";
	assert_int_equal(xml_parse(&d, nul, strlen(nul), &err), -1);
	assert_int_equal(xml_parse(&d, raw, strlen(raw), &err), -1);
	buf_free(&err);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_entry_neutralized),
		cmocka_unit_test(test_every_prefix),
		cmocka_unit_test(test_notations),
		cmocka_unit_test(test_benign_unchanged),
		cmocka_unit_test(test_widths),
		cmocka_unit_test(test_json_output),
		cmocka_unit_test(test_xml_control_references),
	};
	return cmocka_run_group_tests(tests, load_corpus, free_corpus);
}
