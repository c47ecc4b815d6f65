/* S3 XML (aws/s3.h): ListObjectsV2 results and error bodies. */
#include "tests/fuzz/fuzz.h"

#include "aws/s3.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	struct buf err = {0};

	struct s3_list l;
	if (s3_list_parse(body, size, &l, &err) == 0)
		s3_list_free(&l);
	buf_free(&err);

	struct s3_error e;
	if (s3_error_parse(body, size, &e) == 0)
		s3_error_free(&e);
	return 0;
}
