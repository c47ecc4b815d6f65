#include "core/sanitize.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"

/* Output is built unit by unit (a character or one notation such as "^[",
 * "\xFF" or "<U+202E>"), so truncation can never split either. */
struct out {
	struct buf b;
	size_t max;     /* 0 = no limit */
	size_t reserve; /* room kept for the ellipsis */
	size_t fit;     /* longest prefix that leaves room for the ellipsis */
	int cut;
};

static const char ellipsis[] = "\xe2\x80\xa6";    /* U+2026 */
static const char line_mark[] = " \xe2\x8f\x8e "; /* " U+23CE " */

/* Append one unit; returns nonzero once the output is full and cut. */
static int emit(struct out *o, const char *p, size_t n)
{
	if (o->cut)
		return 1;
	if (o->max && o->b.len + n > o->max) {
		o->b.len = o->fit;
		if (o->b.s)
			o->b.s[o->b.len] = '\0';
		buf_add(&o->b, ellipsis, o->reserve);
		o->cut = 1;
		return 1;
	}
	buf_add(&o->b, p, n);
	if (o->max && o->b.len + o->reserve <= o->max)
		o->fit = o->b.len;
	return 0;
}

static int emit_str(struct out *o, const char *s)
{
	return emit(o, s, strlen(s));
}

static int emit_hex_byte(struct out *o, unsigned char c)
{
	char t[8];
	snprintf(t, sizeof t, "\\x%02X", c);
	return emit_str(o, t);
}

static int emit_codepoint_name(struct out *o, uint32_t cp)
{
	char t[16];
	snprintf(t, sizeof t, "<U+%04X>", (unsigned)cp);
	return emit_str(o, t);
}

/* Decode one strictly valid UTF-8 sequence (RFC 3629 table 3-7) at s.
 * Returns its length (2-4) and the code point, or 0 when the bytes at s do
 * not start a valid multi-byte sequence: overlong forms, surrogates, values
 * above U+10FFFF, stray continuation bytes and truncated sequences. */
static size_t decode(const unsigned char *s, size_t avail, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t n;
	unsigned char lo = 0x80, hi = 0xbf; /* allowed range of the second byte */
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		*cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		*cp = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0; /* overlong */
		else if (c == 0xed)
			hi = 0x9f; /* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		*cp = c & 0x07;
		if (c == 0xf0)
			lo = 0x90; /* overlong */
		else if (c == 0xf4)
			hi = 0x8f; /* above U+10FFFF */
	} else {
		return 0;
	}
	if (avail < n)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (s[i] & 0x3f);
	}
	return n;
}

/* Code points that are valid but must be shown by name: C1 controls, bidi
 * controls, invisible characters and line/paragraph separators. */
static int is_named(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x00ad || cp == 0x061c || (cp >= 0x200b && cp <= 0x200f) ||
	       (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0x2066 && cp <= 0x2069) ||
	       cp == 0xfeff;
}

/* Further default-ignorable characters that draw nothing (or a blank that
 * passes for nothing) and carry no meaning in the text relcon shows: the
 * combining grapheme joiner, Hangul fillers, Khmer inherent vowels, the
 * Mongolian vowel separator, the deprecated format characters U+206A-206F,
 * interlinear annotation controls, shorthand format controls, musical
 * formatting and the tag characters (kept only in an emoji flag sequence,
 * U+1F3F4 followed by tags: the flag of Scotland). */
static int is_invisible(uint32_t cp, uint32_t prev)
{
	if (cp >= 0xe0020 && cp <= 0xe007f)
		return !(prev == 0x1f3f4 || (prev >= 0xe0020 && prev <= 0xe007f));
	return cp == 0x034f || cp == 0x115f || cp == 0x1160 || cp == 0x17b4 || cp == 0x17b5 || cp == 0x180e ||
	       (cp >= 0x206a && cp <= 0x206f) || cp == 0x3164 || cp == 0xffa0 || (cp >= 0xfff9 && cp <= 0xfffb) ||
	       (cp >= 0x1bca0 && cp <= 0x1bca3) || (cp >= 0x1d173 && cp <= 0x1d17a) || (cp >= 0xe0000 && cp <= 0xe001f);
}

/* Pictographs and the variation selector that may end one: a zero-width
 * joiner between two of them forms one emoji (👩‍💻) and is harmless. */
static int is_emoji(uint32_t cp)
{
	return (cp >= 0x1f000 && cp <= 0x1faff) || (cp >= 0x2300 && cp <= 0x23ff) || (cp >= 0x2600 && cp <= 0x27bf) ||
	       cp == 0xfe0f;
}

char *sanitize(const char *s, size_t len, unsigned flags, size_t max_bytes)
{
	struct out o = {.max = max_bytes};
	o.reserve = max_bytes >= sizeof ellipsis - 1 ? sizeof ellipsis - 1 : 0;
	if (!s)
		len = 0;
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	uint32_t prev = 0; /* the last code point copied as is, 0 after anything else */
	while (i < len) {
		unsigned char c = p[i];
		if (c == '\n' || c == '\r') {
			i += (c == '\r' && i + 1 < len && p[i + 1] == '\n') ? 2 : 1;
			if (flags & SANITIZE_FIRST_LINE)
				break;
			if (emit_str(&o, (flags & SANITIZE_ONE_LINE) ? line_mark : "\n"))
				break;
			continue;
		}
		int full;
		if (c == '\t') {
			full = emit(&o, " ", 1);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			char t[2] = {'^', c == 0x7f ? '?' : (char)(c + 0x40)};
			full = emit(&o, t, 2);
			i++;
		} else if (c < 0x80) {
			full = emit(&o, (const char *)p + i, 1);
			i++;
		} else {
			uint32_t cp = 0;
			size_t n = decode(p + i, len - i, &cp);
			if (!n) {
				full = emit_hex_byte(&o, c);
				i++;
			} else {
				uint32_t next = 0;
				int joins = cp == 0x200d && is_emoji(prev) && i + n < len &&
					    decode(p + i + n, len - i - n, &next) && is_emoji(next);
				int named = (is_named(cp) && !joins) || is_invisible(cp, prev);
				full = named ? emit_codepoint_name(&o, cp) : emit(&o, (const char *)p + i, n);
				prev = named ? 0 : cp;
				i += n;
				if (full)
					break;
				continue;
			}
		}
		prev = 0;
		if (full)
			break;
	}
	return buf_steal(&o.b);
}

char *sanitize_str(const char *s, unsigned flags)
{
	return sanitize(s, s ? strlen(s) : 0, flags, 0);
}

/* Append code point cp as a JSON escape (a surrogate pair above U+FFFF). */
static void json_escape_cp(struct buf *b, uint32_t cp)
{
	if (cp > 0xffff) {
		cp -= 0x10000;
		buf_printf(b, "\\u%04x\\u%04x", (unsigned)(0xd800 + (cp >> 10)), (unsigned)(0xdc00 + (cp & 0x3ff)));
	} else {
		buf_printf(b, "\\u%04x", (unsigned)cp);
	}
}

char *sanitize_json(const char *json)
{
	struct buf b = {0};
	const unsigned char *p = (const unsigned char *)(json ? json : "");
	size_t len = strlen((const char *)p), i = 0;
	uint32_t prev = 0;
	while (i < len) {
		unsigned char c = p[i];
		if (c == 0x7f) {
			buf_adds(&b, "\\u007f");
			i++;
			prev = 0;
			continue;
		}
		if (c < 0x80) {
			buf_addc(&b, (char)c);
			i++;
			prev = c;
			continue;
		}
		uint32_t cp = 0, next = 0;
		size_t n = decode(p + i, len - i, &cp);
		if (!n) {
			buf_adds(&b, "\\ufffd"); /* JSON text is UTF-8: an invalid byte has no escape */
			i++;
			prev = 0;
			continue;
		}
		int joins = cp == 0x200d && is_emoji(prev) && i + n < len && decode(p + i + n, len - i - n, &next) &&
			    is_emoji(next);
		int named = (is_named(cp) && !joins) || is_invisible(cp, prev);
		if (named)
			json_escape_cp(&b, cp);
		else
			buf_add(&b, (const char *)p + i, n);
		prev = named ? 0 : cp;
		i += n;
	}
	return buf_steal(&b);
}
