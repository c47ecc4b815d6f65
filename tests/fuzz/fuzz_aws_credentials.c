/* Credentials JSON (aws/credentials.h aws_credentials_parse_json): what a
 * credential_process prints and what the container / IMDS endpoints send. */
#include "tests/fuzz/fuzz.h"

#include "aws/credentials.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aws_credentials c;
	memset(&c, 0, sizeof c);
	struct buf err = {0};
	if (aws_credentials_parse_json(&c, (const char *)data, size, "credential_process", &err) == 0) {
		struct aws_credentials copy;
		aws_credentials_copy(&copy, &c);
		aws_credentials_free(&copy);
	}
	aws_credentials_free(&c);
	buf_free(&err);
	return 0;
}
