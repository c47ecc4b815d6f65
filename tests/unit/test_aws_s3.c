/* Unit tests for aws/s3.c: virtual-hosted and path-style addresses (keys
 * encoded once with '/' kept, endpoint overrides with ports and path
 * prefixes), the ListObjectsV2 query string in canonical order, the
 * ListBucketResult parser (namespace, pagination, CommonPrefixes, quoted
 * ETags), S3 error bodies and HEAD statuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aws/s3.h"
#include "core/buf.h"

#define BUCKET "readysettech-cfn-internal-us-east-2"
#define PFX    "abcd0b72a1e580e90712cdd9eb26d3fb41cd09c8/readyset/templates/"

static const char list_page1[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
	"<Name>" BUCKET "</Name><Prefix>" PFX "</Prefix>"
	"<KeyCount>3</KeyCount><MaxKeys>2</MaxKeys><Delimiter>/</Delimiter><IsTruncated>true</IsTruncated>"
	"<ContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</ContinuationToken>"
	"<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwN=</NextContinuationToken>"
	"<Contents><Key>" PFX "readyset-mysql-super-template.yaml</Key>"
	"<LastModified>2025-03-01T10:20:00.000Z</LastModified>"
	"<ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag>"
	"<ChecksumAlgorithm>CRC64NVME</ChecksumAlgorithm>"
	"<Size>48213</Size><StorageClass>STANDARD</StorageClass></Contents>"
	"<Contents><Key>" PFX "readyset mysql &amp; more.yaml</Key>"
	"<LastModified>2025-03-01T10:20:01.000Z</LastModified>"
	"<ETag>\"0c7d1d1f2e2a6c1b7f1b0e5d6e8a9b10-2\"</ETag>"
	"<Size>5368709120</Size><Owner><ID>abc</ID></Owner><StorageClass>STANDARD</StorageClass></Contents>"
	"<CommonPrefixes><Prefix>" PFX "nested/</Prefix></CommonPrefixes>"
	"</ListBucketResult>";

static const char list_commits[] =
	"<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\n"
	"  <Name>" BUCKET "</Name>\n  <Prefix></Prefix>\n  <KeyCount>2</KeyCount>\n  <MaxKeys>1000</MaxKeys>\n"
	"  <Delimiter>/</Delimiter>\n  <IsTruncated>false</IsTruncated>\n"
	"  <CommonPrefixes>\n    <Prefix>0123456789abcdef0123456789abcdef01234567/</Prefix>\n  </CommonPrefixes>\n"
	"  <CommonPrefixes>\n    <Prefix>abcd0b72a1e580e90712cdd9eb26d3fb41cd09c8/</Prefix>\n  </CommonPrefixes>\n"
	"</ListBucketResult>\n";

static const char no_such_bucket[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message>"
	"<BucketName>nope</BucketName><RequestId>4442587FB7D0A2F9</RequestId>"
	"<HostId>vEXAMPLEhBFZdWBhPRd+Y4RLXXl9e7SjMNfESUCwcE1e3hESPqOTKqL8J2/fzkETQHEBOEaOmFg=</HostId></Error>";

/* ---- Addresses ---- */

static void test_list_query(void **state)
{
	(void)state;
	struct buf q = {0};
	struct s3_list_req req = {
		.prefix = PFX,
		.delimiter = "/",
		.continuation_token = "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=",
		.max_keys = 1000,
	};
	s3_list_query(&q, &req);
	assert_string_equal(buf_str(&q), "continuation-token=1ueGcxLPRx1Tr%2FXYExHnhbYLgveDs2J%2Fwm36Hy4vbOwM%3D"
					 "&delimiter=%2F&list-type=2&max-keys=1000"
					 "&prefix=abcd0b72a1e580e90712cdd9eb26d3fb41cd09c8%2Freadyset%2Ftemplates%2F");
	/* First page of the commit listing: empty prefix and no token left out. */
	buf_reset(&q);
	struct s3_list_req commits = {.prefix = "", .delimiter = "/"};
	s3_list_query(&q, &commits);
	assert_string_equal(buf_str(&q), "delimiter=%2F&list-type=2");
	buf_reset(&q);
	struct s3_list_req none = {0};
	s3_list_query(&q, &none);
	assert_string_equal(buf_str(&q), "list-type=2");
	/* Appends after what out holds. */
	buf_reset(&q);
	buf_adds(&q, "GET /?");
	s3_list_query(&q, &none);
	assert_string_equal(buf_str(&q), "GET /?list-type=2");
	buf_free(&q);
}

/* ---- ListObjectsV2 ---- */

static void test_list(void **state)
{
	(void)state;
	struct s3_list l;
	struct buf err = {0};
	assert_int_equal(s3_list_parse(list_page1, strlen(list_page1), &l, &err), 0);
	assert_int_equal(err.len, 0);
	assert_string_equal(l.bucket, BUCKET);
	assert_string_equal(l.prefix, PFX);
	assert_int_equal(l.key_count, 3);
	assert_int_equal(l.truncated, 1);
	assert_string_equal(l.next_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwN=");
	assert_int_equal(l.nobjects, 2);
	assert_string_equal(l.objects[0].key, PFX "readyset-mysql-super-template.yaml");
	assert_string_equal(l.objects[0].last_modified, "2025-03-01T10:20:00.000Z");
	assert_int_equal(l.objects[0].modified, 1740824400);
	assert_string_equal(l.objects[0].etag, "9b2cf535f27731c974343645a3985328");
	assert_int_equal(l.objects[0].size, 48213);
	assert_string_equal(l.objects[1].key, PFX "readyset mysql & more.yaml");
	assert_string_equal(l.objects[1].etag, "0c7d1d1f2e2a6c1b7f1b0e5d6e8a9b10-2");
	assert_true(l.objects[1].size == 5368709120LL);
	assert_int_equal(l.nprefixes, 1);
	assert_string_equal(l.prefixes[0], PFX "nested/");
	s3_list_free(&l);
	assert_null(l.objects);
	assert_null(l.prefixes);

	assert_int_equal(s3_list_parse(list_commits, strlen(list_commits), &l, &err), 0);
	assert_int_equal(l.truncated, 0);
	assert_null(l.next_token);
	assert_string_equal(l.prefix, "");
	assert_int_equal(l.nobjects, 0);
	assert_null(l.objects);
	assert_int_equal(l.nprefixes, 2);
	assert_string_equal(l.prefixes[0], "0123456789abcdef0123456789abcdef01234567/");
	assert_string_equal(l.prefixes[1], "abcd0b72a1e580e90712cdd9eb26d3fb41cd09c8/");
	s3_list_free(&l);

	/* No namespace, a prefixed namespace, odd ETags, no KeyCount. */
	const char *plain = "<ListBucketResult><Name>b</Name><IsTruncated>false</IsTruncated>"
			    "<Contents><Key>k</Key><ETag>\"</ETag></Contents>"
			    "<Contents><Key>k2</Key><ETag>abc</ETag><Size>0</Size></Contents></ListBucketResult>";
	assert_int_equal(s3_list_parse(plain, strlen(plain), &l, &err), 0);
	assert_int_equal(l.nobjects, 2);
	assert_string_equal(l.objects[0].etag, "\"");
	assert_int_equal(l.objects[0].size, 0);
	assert_null(l.objects[0].last_modified);
	assert_string_equal(l.objects[1].etag, "abc");
	assert_int_equal(l.key_count, 2);
	s3_list_free(&l);
	const char *prefixed = "<s3:ListBucketResult xmlns:s3=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
			       "<s3:Name>b</s3:Name><s3:Contents><s3:Key>k</s3:Key></s3:Contents>"
			       "</s3:ListBucketResult>";
	assert_int_equal(s3_list_parse(prefixed, strlen(prefixed), &l, &err), 0);
	assert_string_equal(l.bucket, "b");
	assert_string_equal(l.objects[0].key, "k");
	s3_list_free(&l);
	buf_free(&err);
}

static void check_list_fails(const char *body, const char *want)
{
	struct s3_list l;
	struct buf err = {0};
	assert_int_equal(s3_list_parse(body, strlen(body), &l, &err), -1);
	assert_string_equal(buf_str(&err), want);
	assert_null(l.objects);
	assert_null(l.prefixes);
	assert_null(l.next_token);
	buf_free(&err);
}

static void test_list_errors(void **state)
{
	(void)state;
	check_list_fails(no_such_bucket, "ListObjectsV2: NoSuchBucket: The specified bucket does not exist");
	check_list_fails("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>",
			 "ListObjectsV2: malformed response: IsTruncated is true but there is no "
			 "<NextContinuationToken>");
	check_list_fails("<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken/>"
			 "</ListBucketResult>",
			 "ListObjectsV2: malformed response: IsTruncated is true but there is no "
			 "<NextContinuationToken>");
	check_list_fails("<ListBucketResult><Contents><Key>a</Key></Contents><Contents><Size>1</Size></Contents>"
			 "</ListBucketResult>",
			 "ListObjectsV2: malformed response: object 2 has no <Key>");
	check_list_fails("<ListBucketResult><Contents><Key>a</Key><Size>12x</Size></Contents></ListBucketResult>",
			 "ListObjectsV2: malformed response: object 1 has a bad <Size>");
	check_list_fails("<ListBucketResult><Contents><Key>a</Key><Size>-1</Size></Contents></ListBucketResult>",
			 "ListObjectsV2: malformed response: object 1 has a bad <Size>");
	check_list_fails("<ListBucketResult><Contents><Key>a</Key><Size>99999999999999999999999</Size></Contents>"
			 "</ListBucketResult>",
			 "ListObjectsV2: malformed response: object 1 has a bad <Size>");
	check_list_fails("<ListBucketResult><KeyCount>two</KeyCount></ListBucketResult>",
			 "ListObjectsV2: malformed response: bad <KeyCount>");
	check_list_fails("<ListBucketResult><CommonPrefixes><Prefix>a/</Prefix></CommonPrefixes>"
			 "<CommonPrefixes/></ListBucketResult>",
			 "ListObjectsV2: malformed response: common prefix 2 has no <Prefix>");
	check_list_fails("<ListAllMyBucketsResult/>", "ListObjectsV2: not the expected response element "
						      "<ListAllMyBucketsResult> (want <ListBucketResult>)");
	check_list_fails("", "ListObjectsV2: malformed response: empty body");
}

static void test_list_truncated(void **state)
{
	(void)state;
	const char *bodies[] = {list_page1, list_commits};
	for (size_t b = 0; b < 2; b++) {
		size_t len = strlen(bodies[b]);
		while (len > 0 && bodies[b][len - 1] == '\n')
			len--;
		for (size_t cut = 0; cut < len; cut++) {
			struct s3_list l;
			struct buf err = {0};
			assert_int_equal(s3_list_parse(bodies[b], cut, &l, &err), -1);
			assert_null(l.objects);
			assert_true(err.len > 0);
			assert_null(strchr(buf_str(&err), '\n'));
			buf_free(&err);
		}
	}
}

static void test_list_hostile(void **state)
{
	(void)state;
	/* Keys are bytes chosen by whoever uploaded: kept exactly. */
	const char *body = "<ListBucketResult><Contents><Key>a/&lt;b&gt;/\xc2\x9b"
			   "0m\xe2\x80\xae"
			   "/ c </Key>"
			   "<ETag>&quot;&quot;</ETag></Contents></ListBucketResult>";
	struct s3_list l;
	struct buf err = {0};
	assert_int_equal(s3_list_parse(body, strlen(body), &l, &err), 0);
	assert_string_equal(l.objects[0].key, "a/<b>/\xc2\x9b"
					      "0m\xe2\x80\xae"
					      "/ c");
	assert_string_equal(l.objects[0].etag, "");
	s3_list_free(&l);
	const char *esc = "<ListBucketResult><Contents><Key>\x1b[2J</Key></Contents></ListBucketResult>";
	assert_int_equal(s3_list_parse(esc, strlen(esc), &l, &err), -1);
	assert_true(strncmp(buf_str(&err), "ListObjectsV2: malformed response: line 1: ", 43) == 0);
	buf_free(&err);
}

/* ---- Errors and HEAD ---- */

static void test_errors(void **state)
{
	(void)state;
	struct s3_error e;
	assert_int_equal(s3_error_parse(no_such_bucket, strlen(no_such_bucket), &e), 0);
	assert_string_equal(e.code, "NoSuchBucket");
	assert_string_equal(e.message, "The specified bucket does not exist");
	assert_null(e.region);
	assert_null(e.endpoint);
	s3_error_free(&e);
	assert_null(e.code);

	const char *region = "<Error><Code>AuthorizationHeaderMalformed</Code><Message>The authorization header is "
			     "malformed; the region 'us-east-1' is wrong; expecting 'us-east-2'</Message>"
			     "<Region>us-east-2</Region><RequestId>1</RequestId></Error>";
	assert_int_equal(s3_error_parse(region, strlen(region), &e), 0);
	assert_string_equal(e.code, "AuthorizationHeaderMalformed");
	assert_string_equal(e.region, "us-east-2");
	s3_error_free(&e);
	const char *redirect =
		"<Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access "
		"must be addressed using the specified endpoint.</Message>"
		"<Endpoint>" BUCKET ".s3.us-east-2.amazonaws.com</Endpoint><Bucket>" BUCKET "</Bucket></Error>";
	assert_int_equal(s3_error_parse(redirect, strlen(redirect), &e), 0);
	assert_string_equal(e.endpoint, BUCKET ".s3.us-east-2.amazonaws.com");
	assert_null(e.region);
	s3_error_free(&e);
	const char *slow = "<Error><Code>SlowDown</Code></Error>";
	assert_int_equal(s3_error_parse(slow, strlen(slow), &e), 0);
	assert_string_equal(e.code, "SlowDown");
	assert_null(e.message);
	s3_error_free(&e);

	const char *not_errors[] = {"", list_page1, "<Error><Message>m</Message></Error>", "<Error><Code>X",
				    "<html><body>403</body></html>"};
	for (size_t i = 0; i < sizeof not_errors / sizeof not_errors[0]; i++) {
		assert_int_equal(s3_error_parse(not_errors[i], strlen(not_errors[i]), &e), -1);
		assert_null(e.code);
		assert_null(e.message);
	}
	assert_int_equal(s3_error_parse(NULL, 0, &e), -1);
}

static void test_head(void **state)
{
	(void)state;
	assert_int_equal(s3_head_classify(200), S3_HEAD_PRESENT);
	assert_int_equal(s3_head_classify(404), S3_HEAD_MISSING);
	assert_int_equal(s3_head_classify(403), S3_HEAD_FORBIDDEN);
	const long others[] = {0, 204, 206, 301, 304, 307, 400, 412, 500, 503};
	for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
		assert_int_equal(s3_head_classify(others[i]), S3_HEAD_ERROR);
	assert_string_equal(s3_head_name(S3_HEAD_PRESENT), "present");
	assert_string_equal(s3_head_name(S3_HEAD_MISSING), "missing");
	assert_string_equal(s3_head_name(S3_HEAD_FORBIDDEN), "forbidden");
	assert_string_equal(s3_head_name(S3_HEAD_ERROR), "error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_query),   cmocka_unit_test(test_list),
		cmocka_unit_test(test_list_errors),  cmocka_unit_test(test_list_truncated),
		cmocka_unit_test(test_list_hostile), cmocka_unit_test(test_errors),
		cmocka_unit_test(test_head),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
