/* The untrusted-text sanitizer (core/sanitize.h), checking what it
 * promises: valid UTF-8, no control bytes (but "\n" without
 * SANITIZE_ONE_LINE), no DEL, and at most max_bytes bytes. */
#include "tests/fuzz/fuzz.h"

#include "core/sanitize.h"

/* Length of the valid UTF-8 sequence at s (strict: no overlongs, no
 * surrogates, <= U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned c = s[0];
	if (c < 0x80)
		return 1;
	size_t n;
	unsigned cp;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static void check(const char *out, unsigned flags, size_t max_bytes)
{
	size_t len = strlen(out);
	if (max_bytes && len > max_bytes)
		abort();
	const unsigned char *s = (const unsigned char *)out;
	for (size_t i = 0; i < len;) {
		if (s[i] == 0x7f || (s[i] < 0x20 && (s[i] != '\n' || (flags & SANITIZE_ONE_LINE))))
			abort();
		size_t n = utf8_len(s + i);
		if (n == 0)
			abort();
		i += n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned flags[] = {0, SANITIZE_ONE_LINE, SANITIZE_FIRST_LINE,
					 SANITIZE_ONE_LINE | SANITIZE_FIRST_LINE};
	static const size_t maxes[] = {0, 1, 7, 40};
	for (size_t f = 0; f < sizeof flags / sizeof flags[0]; f++) {
		for (size_t m = 0; m < sizeof maxes / sizeof maxes[0]; m++) {
			char *out = sanitize((const char *)data, size, flags[f], maxes[m]);
			check(out, flags[f], maxes[m]);
			free(out);
		}
	}
	char *s = fuzz_cstr(data, size);
	char *out = sanitize_str(s, SANITIZE_ONE_LINE);
	check(out, SANITIZE_ONE_LINE, 0);
	free(out);
	free(s);
	return 0;
}
