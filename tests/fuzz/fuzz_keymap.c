/* Keymap files (tui/actions.h keymap_load_text): bind/unbind directives,
 * back to the defaults after each input. */
#include "tests/fuzz/fuzz.h"

#include "core/buf.h"
#include "tui/actions.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	struct buf err = {0};
	if (keymap_load_text(s, "keymap", &err) == 0) {
		struct buf keys = {0};
		for (int a = 0; a < ACTION_COUNT; a++)
			keymap_keys((enum action)a, &keys);
		buf_free(&keys);
	}
	keymap_reset();
	buf_free(&err);
	free(s);
	return 0;
}
