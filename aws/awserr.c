#include "aws/awserr.h"

#include <stdlib.h>
#include <string.h>

#include "core/xml.h"

/* botocore retries/standard.py: throttling and transient error codes. */
static const char *const throttle_codes[] = {
	"Throttling",
	"ThrottlingException",
	"ThrottledException",
	"RequestThrottledException",
	"TooManyRequestsException",
	"ProvisionedThroughputExceededException",
	"TransactionInProgressException",
	"RequestLimitExceeded",
	"BandwidthLimitExceeded",
	"LimitExceededException",
	"RequestThrottled",
	"SlowDown",
	"PriorRequestNotComplete",
	"EC2ThrottledException",
};

static const char *const transient_codes[] = {
	"RequestTimeout",
	"RequestTimeoutException",
	"PriorRequestNotComplete",
};

static int in_list(const char *code, const char *const *list, size_t n)
{
	for (size_t i = 0; code && i < n; i++)
		if (strcmp(code, list[i]) == 0)
			return 1;
	return 0;
}

int aws_error_retryable(const char *code, long status)
{
	if (in_list(code, throttle_codes, sizeof throttle_codes / sizeof throttle_codes[0]))
		return AWS_RETRY_THROTTLE;
	if (in_list(code, transient_codes, sizeof transient_codes / sizeof transient_codes[0]))
		return AWS_RETRY_TRANSIENT;
	if (status == 500 || status == 502 || status == 503 || status == 504)
		return AWS_RETRY_TRANSIENT;
	return AWS_RETRY_NO;
}

int aws_error_parse(struct aws_error *e, long status, const char *body, size_t len)
{
	e->status = status;
	return xml_aws_error(body, len, &e->code, &e->message);
}

void aws_error_free(struct aws_error *e)
{
	free(e->code);
	free(e->message);
	e->code = e->message = NULL;
	e->status = 0;
}

static const char *reason(long status)
{
	switch (status) {
	case 301:
		return "Moved Permanently";
	case 304:
		return "Not Modified";
	case 307:
		return "Temporary Redirect";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 409:
		return "Conflict";
	case 412:
		return "Precondition Failed";
	case 429:
		return "Too Many Requests";
	case 500:
		return "Internal Server Error";
	case 501:
		return "Not Implemented";
	case 502:
		return "Bad Gateway";
	case 503:
		return "Service Unavailable";
	case 504:
		return "Gateway Timeout";
	default:
		return NULL;
	}
}

static int blank(const char *s, size_t len)
{
	for (size_t i = 0; s && i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return 0;
	return 1;
}

void aws_error_describe(struct buf *out, long status, const char *body, size_t len)
{
	struct aws_error e = {0};
	if (aws_error_parse(&e, status, body, len) == 0) {
		buf_adds(out, e.code);
		if (e.message)
			buf_printf(out, ": %s", e.message);
		buf_printf(out, " (HTTP %ld)", status);
		aws_error_free(&e);
		return;
	}
	buf_printf(out, "HTTP %ld", status);
	const char *r = reason(status);
	if (r)
		buf_printf(out, " %s", r);
	if (!blank(body, len))
		buf_adds(out, " (not an AWS error body)");
}
