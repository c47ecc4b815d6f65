/* Key notation (tui/keys.h): key_parse_seq on the input, and every key it
 * reads printed with key_format and read back to itself. */
#include "tests/fuzz/fuzz.h"

#include "tui/keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	int keys[64];
	struct buf err = {0};
	int n = key_parse_seq(s, keys, sizeof keys / sizeof keys[0], &err);
	buf_free(&err);
	for (int i = 0; i < n; i++) {
		if (keys[i] <= 0)
			abort();
		struct buf name = {0};
		key_format(keys[i], &name);
		const char *p = buf_str(&name);
		int back = key_parse(&p);
		if (back != keys[i] || *p != '\0') {
			fprintf(stderr, "key %d prints as \"%s\", which reads back as %d\n", keys[i], buf_str(&name),
				back);
			abort();
		}
		buf_free(&name);
		(void)key_normalize(keys[i]);
	}
	/* key_parse one at a time: never moves past the end. */
	const char *p = s;
	while (*p) {
		const char *before = p;
		if (key_parse(&p) < 0) {
			if (p != before)
				abort();
			p++;
		} else if (p <= before || p > s + strlen(s)) {
			abort();
		}
	}
	free(s);
	return 0;
}
