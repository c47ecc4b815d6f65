/* aws/awserr.h - AWS error responses: a one-line message from an error
 * body and its HTTP status, and which errors are worth retrying.
 *
 * Error bodies come in three shapes, all read by xml_aws_error: Query
 * <ErrorResponse><Error> (CloudFormation, STS), EC2 <Response><Errors>
 * <Error>, and S3 <Error>.  Codes and messages are kept exactly as sent
 * (the UI sanitizes before drawing). */
#ifndef RELCON_AWS_AWSERR_H
#define RELCON_AWS_AWSERR_H

#include <stddef.h>

#include "core/buf.h"

/* What aws_error_retryable says; nonzero means retry (with backoff). */
enum aws_retry {
	AWS_RETRY_NO = 0,
	AWS_RETRY_THROTTLE,  /* a throttling code: back off harder */
	AWS_RETRY_TRANSIENT, /* a transient code or HTTP 500/502/503/504 */
};

/* An error response, parsed.  Strings owned; code NULL when the body was
 * not an AWS error (empty, HTML from a proxy, garbage). */
struct aws_error {
	long status;
	char *code;
	char *message; /* NULL when the error had no <Message> */
};

/* Classify an error as the SDKs' "standard" retry mode does: throttling
 * codes (Throttling, ThrottlingException, RequestLimitExceeded, SlowDown,
 * ... see awserr.c) give AWS_RETRY_THROTTLE; RequestTimeout,
 * RequestTimeoutException and HTTP 500/502/503/504 give
 * AWS_RETRY_TRANSIENT; anything else AWS_RETRY_NO.  code may be NULL.
 * Note LimitExceededException is retryable here, as in the SDKs, but
 * CloudFormation CreateStack uses it for the stack-count quota: the caller
 * of CreateStack must not retry it. */
int aws_error_retryable(const char *code, long status);

/* Parse len bytes of an error response with HTTP status.  Returns 0 with
 * e->code set, or -1 when the body is not an AWS error (e->code and
 * e->message NULL); e->status is status either way.  Free with
 * aws_error_free. */
int aws_error_parse(struct aws_error *e, long status, const char *body, size_t len);
/* Free the strings and zero e. */
void aws_error_free(struct aws_error *e);

/* Append one line for an error response: "<Code>: <Message> (HTTP 400)",
 * "<Code> (HTTP 400)" without a message, "HTTP 404 Not Found" for an empty
 * body (S3 HEAD), "HTTP 502 Bad Gateway (not an AWS error body)" otherwise. */
void aws_error_describe(struct buf *out, long status, const char *body, size_t len);

#endif
