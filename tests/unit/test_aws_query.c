/* Unit tests for aws/query.c and aws/awserr.c: the SigV4 UriEncode set,
 * Query form bodies byte for byte, EC2 and member lists, the common
 * response reader (wrong root, error bodies sent with status 200, missing
 * result), tags, error messages and the retryable classification. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aws/awserr.h"
#include "aws/query.h"
#include "core/buf.h"

static void check_encode(const char *in, size_t len, int keep_slash, const char *want)
{
	struct buf b = {0};
	query_encode(&b, in, len, keep_slash);
	assert_string_equal(buf_str(&b), want);
	buf_free(&b);
}

static void test_encode(void **state)
{
	(void)state;
	check_encode("AZaz09-._~", 10, 0, "AZaz09-._~");
	check_encode("a b+c=d&e/f", 11, 0, "a%20b%2Bc%3Dd%26e%2Ff");
	check_encode("a b/c", 5, 1, "a%20b/c");
	check_encode("tag:Commit", 10, 0, "tag%3ACommit");
	check_encode("*?%", 3, 0, "%2A%3F%25");
	/* UTF-8 bytes one by one, upper-case hex; NUL and high bytes too. */
	check_encode("/\xe1\x88\xb4", 4, 1, "/%E1%88%B4");
	check_encode("\x00\x1b\x7f\xff", 4, 0, "%00%1B%7F%FF");
	check_encode("", 0, 0, "");
}

static void test_begin_add(void **state)
{
	(void)state;
	struct buf b = {0};
	buf_adds(&b, "stale");
	query_begin(&b, "DescribeStacks", "2010-05-15");
	assert_string_equal(buf_str(&b), "Action=DescribeStacks&Version=2010-05-15");
	query_add(&b, "StackName", "alice super");
	query_add(&b, "NextToken", NULL); /* left out */
	query_add(&b, "Empty", "");
	query_add_long(&b, "TimeoutInMinutes", 30);
	query_add_bool(&b, "DisableRollback", 1);
	query_add_bool(&b, "DryRun", 0);
	assert_string_equal(buf_str(&b), "Action=DescribeStacks&Version=2010-05-15&StackName=alice%20super&Empty="
					 "&TimeoutInMinutes=30&DisableRollback=true&DryRun=false");
	buf_free(&b);

	/* On an empty buffer, no leading '&'. */
	query_add(&b, "a", "1");
	query_addf(&b, "x/y", "Filter.%d.Name", 2);
	query_addf(&b, NULL, "Never.%d", 1);
	assert_string_equal(buf_str(&b), "a=1&Filter.2.Name=x%2Fy");
	buf_free(&b);
}

static void test_lists(void **state)
{
	(void)state;
	const char *ids[] = {"ami-1", "ami-2", "ami-3"};
	struct buf b = {0};
	query_add_list(&b, "ImageId", ids, 3);
	query_add_list(&b, "None", ids, 0);
	assert_string_equal(buf_str(&b), "ImageId.1=ami-1&ImageId.2=ami-2&ImageId.3=ami-3");
	buf_reset(&b);
	const char *caps[] = {"CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"};
	query_add_members(&b, "Capabilities", caps, 2);
	query_add_members(&b, "None", caps, 0);
	assert_string_equal(buf_str(&b),
			    "Capabilities.member.1=CAPABILITY_IAM&Capabilities.member.2=CAPABILITY_AUTO_EXPAND");
	buf_free(&b);
}

static const char tags_body[] = "<DescribeThingsResponse xmlns=\"http://example.com/doc/\">"
				"<DescribeThingsResult>"
				"<Tags><member><Key>a</Key><Value>1</Value></member>"
				"<member><Key>b</Key></member>"
				"<member><Key>c</Key><Value/></member></Tags>"
				"<Capabilities><member>CAPABILITY_IAM</member><member></member></Capabilities>"
				"<NextToken></NextToken><Other>  x  </Other>"
				"</DescribeThingsResult></DescribeThingsResponse>";

static void test_reader(void **state)
{
	(void)state;
	struct buf err = {0};
	struct query_doc q;
	assert_int_equal(query_open(&q, "DescribeThings", "DescribeThingsResponse", "DescribeThingsResult", tags_body,
				    strlen(tags_body), &err),
			 0);
	assert_int_equal(err.len, 0);
	struct aws_tag *tags;
	size_t n;
	assert_int_equal(query_tags(&q, q.result, "Tags", "member", "Key", "Value", &tags, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(tags[0].key, "a");
	assert_string_equal(tags[0].value, "1");
	assert_string_equal(tags[1].value, ""); /* missing value */
	assert_string_equal(tags[2].value, "");
	aws_tags_free(&tags, n);
	assert_null(tags);
	/* Missing set: empty, not an error. */
	assert_int_equal(query_tags(&q, q.result, "NoTags", "member", "Key", "Value", &tags, &n), 0);
	assert_null(tags);
	assert_int_equal(n, 0);

	char **v;
	query_strings(q.result, "Capabilities", "member", &v, &n);
	assert_int_equal(n, 2);
	assert_string_equal(v[0], "CAPABILITY_IAM");
	assert_string_equal(v[1], "");
	aws_strv_free(&v, n);
	assert_null(v);
	query_strings(q.result, "Nothing", "member", &v, &n);
	assert_null(v);
	assert_int_equal(n, 0);

	assert_null(query_token(q.result, "NextToken")); /* empty = last page */
	assert_null(query_token(q.result, "Absent"));
	char *s = query_token(q.result, "Other");
	assert_string_equal(s, "x");
	free(s);
	assert_int_equal(query_count(xml_child(q.result, "Tags"), "member"), 3);
	assert_int_equal(query_count(NULL, "member"), 0);

	assert_null(query_need(&q, q.result, "Absent", "thing", 1));
	assert_string_equal(buf_str(&err), "DescribeThings: malformed response: thing 2 has no <Absent>");
	buf_reset(&err);
	assert_null(query_need(&q, q.result, "NextToken", NULL, 0));
	assert_string_equal(buf_str(&err), "DescribeThings: malformed response: no <NextToken>");
	query_close(&q);
	query_close(&q); /* twice is harmless */
	buf_free(&err);
}

static void test_reader_tag_without_key(void **state)
{
	(void)state;
	const char *body = "<R><Tags><member><Key>a</Key></member><member><Value>v</Value></member></Tags></R>";
	struct buf err = {0};
	struct query_doc q;
	assert_int_equal(query_open(&q, "Op", "R", NULL, body, strlen(body), &err), 0);
	assert_ptr_equal(q.result, q.root);
	struct aws_tag *tags = (struct aws_tag *)&err;
	size_t n = 9;
	assert_int_equal(query_tags(&q, q.root, "Tags", "member", "Key", "Value", &tags, &n), -1);
	assert_null(tags);
	assert_int_equal(n, 0);
	assert_string_equal(buf_str(&err), "Op: malformed response: tag 2 has no <Key>");
	query_close(&q);
	buf_free(&err);
}

/* query_open must fail on body with exactly the message want. */
static void check_open_fails(const char *body, size_t len, const char *result, const char *want)
{
	struct buf err = {0};
	struct query_doc q;
	assert_int_equal(query_open(&q, "DescribeStacks", "DescribeStacksResponse", result, body, len, &err), -1);
	assert_null(q.doc);
	assert_string_equal(buf_str(&err), want);
	buf_free(&err);
}

static void test_open_errors(void **state)
{
	(void)state;
	const char *cfn_err = "<ErrorResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><Error>"
			      "<Type>Sender</Type><Code>ValidationError</Code>"
			      "<Message>Stack with id alice-super does not exist</Message></Error>"
			      "<RequestId>b9b4b068</RequestId></ErrorResponse>";
	check_open_fails(cfn_err, strlen(cfn_err), "DescribeStacksResult",
			 "DescribeStacks: ValidationError: Stack with id alice-super does not exist");
	const char *ec2_err = "<Response><Errors><Error><Code>AuthFailure</Code></Error></Errors>"
			      "<RequestID>x</RequestID></Response>";
	check_open_fails(ec2_err, strlen(ec2_err), NULL, "DescribeStacks: AuthFailure");
	const char *other = "<ListStacksResponse><ListStacksResult/></ListStacksResponse>";
	check_open_fails(other, strlen(other), NULL,
			 "DescribeStacks: not the expected response element <ListStacksResponse> "
			 "(want <DescribeStacksResponse>)");
	const char *nores = "<DescribeStacksResponse><ResponseMetadata/></DescribeStacksResponse>";
	check_open_fails(nores, strlen(nores), "DescribeStacksResult",
			 "DescribeStacks: malformed response: no <DescribeStacksResult>");
	check_open_fails("", 0, NULL, "DescribeStacks: malformed response: empty body");
	check_open_fails(NULL, 0, NULL, "DescribeStacks: malformed response: empty body");
	check_open_fails("<html><body>502</body></html>", 29, NULL,
			 "DescribeStacks: malformed response: not XML (an HTML page)");
	check_open_fails("<DescribeStacksResponse><a>", 27, NULL,
			 "DescribeStacks: malformed response: line 1: Premature end of data in tag a line 1");
}

static void test_retryable(void **state)
{
	(void)state;
	const char *throttle[] = {
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
	for (size_t i = 0; i < sizeof throttle / sizeof throttle[0]; i++) {
		assert_int_equal(aws_error_retryable(throttle[i], 400), AWS_RETRY_THROTTLE);
		assert_int_equal(aws_error_retryable(throttle[i], 503), AWS_RETRY_THROTTLE);
	}
	assert_int_equal(aws_error_retryable("RequestTimeout", 400), AWS_RETRY_TRANSIENT);
	assert_int_equal(aws_error_retryable("RequestTimeoutException", 400), AWS_RETRY_TRANSIENT);
	const long transient[] = {500, 502, 503, 504};
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(aws_error_retryable(NULL, transient[i]), AWS_RETRY_TRANSIENT);
		assert_int_equal(aws_error_retryable("InternalError", transient[i]), AWS_RETRY_TRANSIENT);
	}
	const char *never[] = {
		"ValidationError",       "AccessDenied", "AuthFailure", "SignatureDoesNotMatch", "ExpiredToken",
		"InvalidAMIID.NotFound", "NoSuchKey",    "throttling",  "Throttling ",           "",
		"AlreadyExistsException"};
	for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
		assert_int_equal(aws_error_retryable(never[i], 400), AWS_RETRY_NO);
	assert_int_equal(aws_error_retryable(NULL, 0), AWS_RETRY_NO);
	assert_int_equal(aws_error_retryable(NULL, 429), AWS_RETRY_NO);
	assert_int_equal(aws_error_retryable(NULL, 501), AWS_RETRY_NO);
	assert_int_equal(aws_error_retryable(NULL, 404), AWS_RETRY_NO);
}

static void check_describe(long status, const char *body, const char *want)
{
	struct buf out = {0};
	buf_adds(&out, "DescribeStacks: ");
	aws_error_describe(&out, status, body, body ? strlen(body) : 0);
	assert_string_equal(buf_str(&out) + 16, want);
	buf_free(&out);
}

static void test_describe(void **state)
{
	(void)state;
	check_describe(400,
		       "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
		       "<Code>Throttling</Code><Message>Rate exceeded</Message></Error>"
		       "<RequestId>c6104cbe</RequestId></ErrorResponse>",
		       "Throttling: Rate exceeded (HTTP 400)");
	check_describe(403,
		       "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized "
		       "to perform this operation.</Message></Error></Errors><RequestID>r</RequestID></Response>",
		       "UnauthorizedOperation: You are not authorized to perform this operation. (HTTP 403)");
	check_describe(404,
		       "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchBucket</Code>"
		       "<Message>The specified bucket does not exist</Message><BucketName>b</BucketName></Error>",
		       "NoSuchBucket: The specified bucket does not exist (HTTP 404)");
	check_describe(503, "<Error><Code>SlowDown</Code></Error>", "SlowDown (HTTP 503)");
	/* Hostile message kept exactly (the UI sanitizes). */
	check_describe(400,
		       "<Error><Code>X</Code><Message>&lt;b&gt; \xc2\x9b"
		       "31m</Message></Error>",
		       "X: <b> \xc2\x9b"
		       "31m (HTTP 400)");
	check_describe(404, "", "HTTP 404 Not Found");
	check_describe(403, NULL, "HTTP 403 Forbidden");
	check_describe(502, "<html><body>Bad Gateway</body></html>", "HTTP 502 Bad Gateway (not an AWS error body)");
	check_describe(599, " \n", "HTTP 599");
	check_describe(500, "<Error><Code>Trunc", "HTTP 500 Internal Server Error (not an AWS error body)");

	struct aws_error e = {0};
	assert_int_equal(aws_error_parse(&e, 400, "<Error><Code>ExpiredToken</Code></Error>", 40), 0);
	assert_int_equal(e.status, 400);
	assert_string_equal(e.code, "ExpiredToken");
	assert_null(e.message);
	aws_error_free(&e);
	assert_null(e.code);
	assert_int_equal(aws_error_parse(&e, 502, "oops", 4), -1);
	assert_int_equal(e.status, 502);
	assert_null(e.code);
	assert_null(e.message);
	aws_error_free(&e);
}

static int count_item(struct query_doc *q, xmlNode *item, size_t index, void *elem)
{
	char **s = elem;
	*s = query_need(q, item, "id", "thing", index);
	return *s ? 0 : -1;
}

static void test_items(void **state)
{
	(void)state;
	const char *body = "<R><set><item><id>a</id></item><x/><item><id>b</id></item><item/><item><id>d</id></item>"
			   "</set></R>";
	struct buf err = {0};
	struct query_doc q;
	assert_int_equal(query_open(&q, "Op", "R", NULL, body, strlen(body), &err), 0);
	size_t n;
	int rc;
	char **v = query_items(&q, xml_child(q.root, "set"), "item", sizeof *v, count_item, &n, &rc);
	/* Stops at the third item; the caller frees what was touched. */
	assert_int_equal(rc, -1);
	assert_int_equal(n, 3);
	assert_string_equal(v[0], "a");
	assert_string_equal(v[1], "b");
	assert_null(v[2]);
	assert_string_equal(buf_str(&err), "Op: malformed response: thing 3 has no <id>");
	aws_strv_free(&v, n);
	assert_null(query_items(&q, xml_child(q.root, "none"), "item", sizeof *v, count_item, &n, &rc));
	assert_int_equal(n, 0);
	assert_int_equal(rc, 0);
	query_close(&q);
	buf_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_begin_add),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_reader),
		cmocka_unit_test(test_reader_tag_without_key),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_retryable),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_items),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
