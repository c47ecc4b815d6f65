/* Theme files (tui/theme.h theme_load_file), read from a file holding the
 * input, then fitted to 8, 16 and 88 colours. */
#include "tests/fuzz/fuzz.h"

#include "tui/theme.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_file f;
	fuzz_file_set(&f, "theme.yaml", data, size, 0600);
	struct theme th;
	struct buf err = {0};
	if (theme_load_file(&th, f.path, &err) == 0) {
		static const int colors[] = {8, 16, 88};
		for (size_t i = 0; i < sizeof colors / sizeof colors[0]; i++)
			theme_fit(&th, colors[i]);
	}
	theme_free(&th);
	buf_free(&err);
	return 0;
}
