/* STS Query XML (aws/sts.h): GetCallerIdentity and AssumeRole credentials. */
#include "tests/fuzz/fuzz.h"

#include "aws/sts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	struct buf err = {0};

	struct sts_identity id;
	if (sts_identity_parse(body, size, &id, &err) == 0)
		sts_identity_free(&id);
	buf_reset(&err);

	struct sts_credentials c;
	if (sts_credentials_parse(body, size, &c, &err) == 0)
		sts_credentials_free(&c);
	buf_free(&err);
	return 0;
}
