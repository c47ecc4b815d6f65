/* Buildkite JSON (buildkite/model.h): the builds list, one build, one job,
 * error bodies; the Link header and time parsers on the same bytes. */
#include "tests/fuzz/fuzz.h"

#include "buildkite/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *json = (const char *)data;
	struct buf err = {0};

	struct bk_build *builds = NULL;
	size_t n = 0;
	if (bk_builds_parse(json, size, &builds, &n, &err) == 0) {
		if (n) { /* copy and free, as the store does */
			struct bk_build copy;
			bk_build_copy(&copy, &builds[0]);
			bk_build_free(&copy);
		}
		bk_builds_free(&builds, n);
	}
	buf_reset(&err);

	struct bk_build b;
	memset(&b, 0, sizeof b);
	if (bk_build_parse(json, size, &b, &err) == 0)
		bk_build_free(&b);
	buf_reset(&err);

	struct bk_job j;
	memset(&j, 0, sizeof j);
	if (bk_job_parse(json, size, &j, &err) == 0)
		bk_job_free(&j);
	buf_free(&err);

	free(bk_error_message(json, size));

	char *s = fuzz_cstr(data, size);
	free(bk_link_next(s));
	time_t t;
	(void)bk_parse_time(s, &t);
	free(s);
	return 0;
}
