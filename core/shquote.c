#include "core/shquote.h"

static int bare_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
	       c == '/' || c == '+' || c == '@' || c == ',' || c == ':' || c == '=' || c == '-' || c == '%';
}

void shquote_word(struct buf *b, const char *w)
{
	if (!w)
		w = "";
	int bare = *w != '\0', raw = 0;
	for (const unsigned char *p = (const unsigned char *)w; *p; p++) {
		if (*p < 0x20 || *p >= 0x7f)
			raw = 1;
		if (!bare_char(*p))
			bare = 0;
	}
	if (bare) {
		buf_adds(b, w);
	} else if (raw) {
		/* $'...': the line stays printable ASCII, so it is safe to draw and
		 * still pastes into bash, zsh and ksh. */
		buf_adds(b, "$'");
		for (const unsigned char *p = (const unsigned char *)w; *p; p++) {
			if (*p == '\\' || *p == '\'')
				buf_printf(b, "\\%c", *p);
			else if (*p < 0x20 || *p >= 0x7f)
				buf_printf(b, "\\x%02x", *p);
			else
				buf_addc(b, (char)*p);
		}
		buf_addc(b, '\'');
	} else {
		buf_addc(b, '\'');
		for (const char *p = w; *p; p++) {
			if (*p == '\'')
				buf_adds(b, "'\\''");
			else
				buf_addc(b, *p);
		}
		buf_addc(b, '\'');
	}
}

void shquote_argv(const char *const *argv, struct buf *out)
{
	for (size_t i = 0; argv && argv[i]; i++) {
		if (i)
			buf_addc(out, ' ');
		shquote_word(out, argv[i]);
	}
}
