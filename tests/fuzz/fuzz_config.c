/* The YAML configuration (core/config.h config_load), read from a file
 * holding the input. */
#include "tests/fuzz/fuzz.h"

#include "core/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_file f;
	fuzz_file_set(&f, "config.yaml", data, size, 0600);
	struct config cfg;
	struct buf err = {0};
	(void)config_load(&cfg, f.path, &err);
	config_free(&cfg);
	buf_free(&err);
	return 0;
}
