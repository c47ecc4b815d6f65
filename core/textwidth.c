#include "core/textwidth.h"

#include <string.h>
#include <wchar.h>

size_t text_fit(const char *s, int cols, int *used)
{
	mbstate_t st;
	memset(&st, 0, sizeof st);
	size_t len = strlen(s), pos = 0;
	int w = 0;
	while (pos < len) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, s + pos, len - pos, &st);
		int cw;
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			memset(&st, 0, sizeof st);
			k = 1;
			cw = 1;
		} else {
			cw = wcwidth(wc);
			if (cw < 0)
				cw = 1;
		}
		if (w + cw > cols)
			break;
		w += cw;
		pos += k;
	}
	if (used)
		*used = w;
	return pos;
}

int text_width(const char *s)
{
	int w;
	text_fit(s, 1 << 30, &w);
	return w;
}
