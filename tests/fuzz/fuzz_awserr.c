/* AWS error bodies (aws/awserr.h, core/xml.h's xml_aws_error): the Query
 * <ErrorResponse>, EC2 <Response><Errors>, S3 <Error>, and anything else a
 * proxy may send, at a few statuses. */
#include "tests/fuzz/fuzz.h"

#include "aws/awserr.h"
#include "core/xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	static const long statuses[] = {400, 403, 503};
	for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
		struct aws_error e;
		memset(&e, 0, sizeof e);
		if (aws_error_parse(&e, statuses[i], body, size) == 0)
			(void)aws_error_retryable(e.code, statuses[i]);
		aws_error_free(&e);
	}
	struct buf out = {0};
	aws_error_describe(&out, 400, body, size);
	aws_error_describe(&out, 502, body, size);
	buf_free(&out);

	char *code = NULL, *message = NULL;
	(void)xml_aws_error(body, size, &code, &message);
	free(code);
	free(message);
	return 0;
}
