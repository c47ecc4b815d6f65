/* Unit tests for core/xml.c: walking real EC2 and S3 responses by local
 * name, recognising the three AWS error shapes, one-line errors for
 * truncated, non-XML and empty bodies, and refusing DTDs so that neither
 * entity expansion (billion laughs) nor external files can happen. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/xml.h"

static const char describe_images[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<DescribeImagesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\n"
	"  <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>\n"
	"  <imagesSet>\n"
	"    <item>\n"
	"      <imageId>ami-0abcdef1234567890</imageId>\n"
	"      <imageState>available</imageState><imageOwnerId>305232526136</imageOwnerId>\n"
	"      <creationDate>2025-03-01T10:15:00.000Z</creationDate><isPublic>false</isPublic>\n"
	"      <name>\n        readyset/images/hvm-ssd/readyset-server-release-test-amd64-20250301101500\n      "
	"</name>\n"
	"      <tagSet>\n"
	"        <item><key>Commit</key><value>abcd0b72a1e5</value></item>\n"
	"        <item><key>Name</key><value>readyset-server &amp; adapter</value></item>\n"
	"      </tagSet>\n"
	"    </item>\n"
	"    <item>\n"
	"      <imageId>ami-0fedcba9876543210</imageId>\n"
	"      <imageState>pending</imageState>\n"
	"      <name>readyset/images/hvm-ssd/readyset-mysql-adapter-release-test-amd64-20250301101500</name>\n"
	"      <description/>\n"
	"      <tagSet><item><key>Commit</key><value>abcd0b72a1e5</value></item></tagSet>\n"
	"    </item>\n"
	"  </imagesSet>\n"
	"</DescribeImagesResponse>\n";

static const char ec2_error[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<Response><Errors><Error><Code>InvalidAMIID.NotFound</Code>"
	"<Message>The image id '[ami-0abcdef1234567890]' does not exist</Message></Error></Errors>"
	"<RequestID>ee5d8b3c-3f0d-4a4b-9b8a-0c2e1EXAMPLE</RequestID></Response>";

static const char cfn_error[] = "<ErrorResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\">\n"
				"  <Error>\n"
				"    <Type>Sender</Type>\n"
				"    <Code>ValidationError</Code>\n"
				"    <Message>Stack with id alice-readyset does not exist</Message>\n"
				"  </Error>\n"
				"  <RequestId>b9b4b068-3a41-11e5-94eb-example</RequestId>\n"
				"</ErrorResponse>\n";

static const char s3_list[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
	"<Name>readysettech-cfn-internal-us-east-2</Name><Prefix>abcd0b72/readyset/templates/</Prefix>"
	"<KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>"
	"<Contents><Key>abcd0b72/readyset/templates/readyset-mysql-super-template.yaml</Key>"
	"<LastModified>2025-03-01T10:20:00.000Z</LastModified>"
	"<ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag>"
	"<Size>48213</Size><StorageClass>STANDARD</StorageClass></Contents>"
	"<Contents><Key>abcd0b72/readyset/templates/readyset-authority-consul-template.yaml</Key>"
	"<LastModified>2025-03-01T10:20:01.000Z</LastModified>"
	"<ETag>&quot;0c7d1d1f2e2a6c1b7f1b0e5d6e8a9b10&quot;</ETag>"
	"<Size>9120</Size><StorageClass>STANDARD</StorageClass></Contents>"
	"<CommonPrefixes><Prefix>abcd0b72/readyset/templates/nested/</Prefix></CommonPrefixes>"
	"</ListBucketResult>";

static const char s3_nosuchkey[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>"
	"<Key>abcd0b72/readyset/templates/missing.yaml</Key>"
	"<Resource>/readysettech-cfn-internal-us-east-2/abcd0b72/readyset/templates/missing.yaml</Resource>"
	"<RequestId>4442587FB7D0A2F9</RequestId>"
	"<HostId>vEXAMPLEhBFZdWBhPRd+Y4RLXXl9e7SjMNfESUCwcE1e3hESPqOTKqL8J2/fzkETQHEBOEaOmFg=</HostId>"
	"</Error>";

static const char billion_laughs[] =
	"<?xml version=\"1.0\"?>\n"
	"<!DOCTYPE lolz [\n"
	" <!ENTITY lol \"lol\">\n"
	" <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
	" <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
	" <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
	" <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
	" <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
	" <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
	" <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
	" <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
	" <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
	"]>\n"
	"<Error><Code>&lol9;</Code></Error>\n";

static struct xml_doc *parse_ok(const char *text)
{
	struct buf err = {0};
	struct xml_doc *d = NULL;
	int rc = xml_parse(&d, text, strlen(text), &err);
	if (rc != 0)
		print_error("unexpected parse error: %s\n", buf_str(&err));
	assert_int_equal(rc, 0);
	assert_non_null(d);
	assert_int_equal(err.len, 0);
	buf_free(&err);
	return d;
}

/* Parse len bytes that must fail, and compare the message with want. */
static void check_fail_len(const char *text, size_t len, const char *want)
{
	struct buf err = {0};
	struct xml_doc *d = (struct xml_doc *)&err; /* must be reset to NULL */
	assert_int_equal(xml_parse(&d, text, len, &err), -1);
	assert_null(d);
	assert_string_equal(buf_str(&err), want);
	buf_free(&err);
}

static void check_fail(const char *text, const char *want)
{
	check_fail_len(text, text ? strlen(text) : 0, want);
}

/* Assert that xml_text(node) equals want, freeing the copy. */
static void check_text(xmlNode *node, const char *want)
{
	char *got = xml_text(node);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void check_text_path(xmlNode *from, const char *path, const char *want)
{
	char *got = xml_text_path(from, path);
	if (!want) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_describe_images(void **state)
{
	(void)state;
	struct xml_doc *d = parse_ok(describe_images);
	xmlNode *root = xml_root(d);
	assert_true(xml_is(root, "DescribeImagesResponse"));
	assert_false(xml_is(root, "ErrorResponse"));
	check_text_path(root, "requestId", "59dbff89-35bd-4eac-99ed-be587EXAMPLE");
	check_text_path(root, "nextToken", NULL);

	const char *ids[] = {"ami-0abcdef1234567890", "ami-0fedcba9876543210"};
	const char *states[] = {"available", "pending"};
	const char *names[] = {
		"readyset/images/hvm-ssd/readyset-server-release-test-amd64-20250301101500",
		"readyset/images/hvm-ssd/readyset-mysql-adapter-release-test-amd64-20250301101500",
	};
	size_t tags = 0;
	xmlNode *it = xml_path(root, "imagesSet/item");
	for (size_t i = 0; i < 2; i++, it = xml_next(it, "item")) {
		assert_non_null(it);
		check_text_path(it, "imageId", ids[i]);
		check_text_path(it, "imageState", states[i]);
		check_text_path(it, "name", names[i]); /* trimmed */
		for (xmlNode *t = xml_path(it, "tagSet/item"); t; t = xml_next(t, "item")) {
			char *key = xml_text_path(t, "key");
			char *value = xml_text_path(t, "value");
			if (strcmp(key, "Commit") == 0)
				assert_string_equal(value, "abcd0b72a1e5");
			else if (strcmp(key, "Name") == 0)
				assert_string_equal(value, "readyset-server & adapter");
			else
				fail_msg("unexpected tag %s", key);
			free(key);
			free(value);
			tags++;
		}
	}
	assert_null(it);
	assert_int_equal(tags, 3);

	/* Present but empty is "", missing is NULL. */
	xmlNode *second = xml_next(xml_path(root, "imagesSet/item"), "item");
	check_text_path(second, "description", "");
	check_text_path(second, "isPublic", NULL);
	/* xml_child / xml_next with NULL name take any element. */
	assert_true(xml_is(xml_child(root, NULL), "requestId"));
	assert_true(xml_is(xml_next(xml_child(root, NULL), NULL), "imagesSet"));
	assert_null(xml_next(xml_child(root, "imagesSet"), NULL));
	/* Empty steps are skipped; "" is the node itself. */
	assert_ptr_equal(xml_path(root, ""), root);
	assert_ptr_equal(xml_path(root, "/imagesSet//item/"), xml_path(root, "imagesSet/item"));
	/* A step must match a whole name, not a prefix. */
	assert_null(xml_path(root, "images"));
	assert_null(xml_path(root, "imagesSet/item/imageIdX"));
	xml_free(&d);
	assert_null(d);
}

static void test_ec2_error(void **state)
{
	(void)state;
	struct xml_doc *d = parse_ok(ec2_error);
	xmlNode *root = xml_root(d);
	assert_true(xml_is(root, "Response"));
	check_text_path(root, "Errors/Error/Code", "InvalidAMIID.NotFound");
	check_text_path(root, "RequestID", "ee5d8b3c-3f0d-4a4b-9b8a-0c2e1EXAMPLE");
	assert_null(xml_path(root, "Errors/Error/Type"));
	xml_free(&d);

	char *code = NULL, *message = NULL;
	assert_int_equal(xml_aws_error(ec2_error, strlen(ec2_error), &code, &message), 0);
	assert_string_equal(code, "InvalidAMIID.NotFound");
	assert_string_equal(message, "The image id '[ami-0abcdef1234567890]' does not exist");
	free(code);
	free(message);
}

static void test_query_error(void **state)
{
	(void)state;
	char *code = NULL, *message = NULL;
	assert_int_equal(xml_aws_error(cfn_error, strlen(cfn_error), &code, &message), 0);
	assert_string_equal(code, "ValidationError");
	assert_string_equal(message, "Stack with id alice-readyset does not exist");
	free(code);
	free(message);

	/* STS throttling, message not wanted. */
	const char *sts = "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>"
			  "<Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message>"
			  "</Error><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ErrorResponse>";
	assert_int_equal(xml_aws_error(sts, strlen(sts), &code, NULL), 0);
	assert_string_equal(code, "Throttling");
	free(code);
}

static void test_s3_list(void **state)
{
	(void)state;
	struct xml_doc *d = parse_ok(s3_list);
	xmlNode *root = xml_root(d);
	assert_true(xml_is(root, "ListBucketResult"));
	check_text_path(root, "Name", "readysettech-cfn-internal-us-east-2");
	check_text_path(root, "IsTruncated", "false");
	check_text_path(root, "NextContinuationToken", NULL);
	const char *keys[] = {
		"abcd0b72/readyset/templates/readyset-mysql-super-template.yaml",
		"abcd0b72/readyset/templates/readyset-authority-consul-template.yaml",
	};
	xmlNode *c = xml_child(root, "Contents");
	for (size_t i = 0; i < 2; i++, c = xml_next(c, "Contents")) {
		assert_non_null(c);
		check_text(xml_child(c, "Key"), keys[i]);
	}
	assert_null(c);
	check_text_path(root, "Contents/ETag", "\"9b2cf535f27731c974343645a3985328\"");
	check_text_path(root, "Contents/Size", "48213");
	check_text_path(root, "CommonPrefixes/Prefix", "abcd0b72/readyset/templates/nested/");
	xml_free(&d);

	char *code = (char *)"x", *message = (char *)"x";
	assert_int_equal(xml_aws_error(s3_list, strlen(s3_list), &code, &message), -1);
	assert_null(code);
	assert_null(message);
}

static void test_s3_error(void **state)
{
	(void)state;
	char *code = NULL, *message = NULL;
	assert_int_equal(xml_aws_error(s3_nosuchkey, strlen(s3_nosuchkey), &code, &message), 0);
	assert_string_equal(code, "NoSuchKey");
	assert_string_equal(message, "The specified key does not exist.");
	free(code);
	free(message);

	/* No Message: code only. */
	const char *slow = "<Error><Code>SlowDown</Code><RequestId>1</RequestId></Error>";
	assert_int_equal(xml_aws_error(slow, strlen(slow), &code, &message), 0);
	assert_string_equal(code, "SlowDown");
	assert_null(message);
	free(code);
}

static void test_not_aws_errors(void **state)
{
	(void)state;
	const char *bodies[] = {
		describe_images,
		"<Error><Message>no code</Message></Error>",
		"<Error><Code>  </Code></Error>",
		"<Response><Errors><Message>no error element</Message></Errors></Response>",
		"<Oops><Error><Code>X</Code></Error></Oops>",
		"<Error><Code>Truncated</Code>",
		"<html><body><h1>502 Bad Gateway</h1></body></html>",
		"{\"__type\":\"ValidationError\",\"message\":\"json\"}",
		"",
		billion_laughs,
	};
	for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
		char *code = (char *)"x", *message = (char *)"x";
		assert_int_equal(xml_aws_error(bodies[i], strlen(bodies[i]), &code, &message), -1);
		assert_null(code);
		assert_null(message);
	}
	char *code = (char *)"x";
	assert_int_equal(xml_aws_error(NULL, 0, &code, NULL), -1);
	assert_null(code);
	/* moto's EC2 wraps Errors in ErrorResponse: still an AWS error. */
	const char *hybrid =
		"<ErrorResponse><Errors><Error><Code>AuthFailure</Code><Message>no</Message></Error></Errors>"
		"</ErrorResponse>";
	char *message = NULL;
	assert_int_equal(xml_aws_error(hybrid, strlen(hybrid), &code, &message), 0);
	assert_string_equal(code, "AuthFailure");
	assert_string_equal(message, "no");
	free(code);
	free(message);
}

static void test_truncated(void **state)
{
	(void)state;
	check_fail("<DescribeImagesResponse>\n  <imagesSet>\n    <item></imagesSet>\n",
		   "line 3: Opening and ending tag mismatch: item line 3 and imagesSet");
	/* Cut a real body at many points: always one clean line, never a crash. */
	size_t len = strlen(describe_images);
	for (size_t cut = 1; cut < len - 2; cut += 7) {
		struct buf err = {0};
		struct xml_doc *d = NULL;
		assert_int_equal(xml_parse(&d, describe_images, cut, &err), -1);
		assert_null(d);
		assert_true(err.len > 0);
		assert_null(strchr(buf_str(&err), '\n'));
		assert_true(strncmp(buf_str(&err), "line ", 5) == 0 || strcmp(buf_str(&err), "empty body") == 0);
		buf_free(&err);
	}
	/* Content after the root, and a NUL byte inside. */
	check_fail("<a/><b/>", "line 1: Extra content at the end of the document");
	struct buf err = {0};
	struct xml_doc *d = NULL;
	assert_int_equal(xml_parse(&d, "<a>x\0y</a>", 10, &err), -1);
	assert_null(d);
	assert_true(strncmp(buf_str(&err), "line 1: ", 8) == 0);
	buf_free(&err);
}

static void test_not_xml(void **state)
{
	(void)state;
	check_fail("<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head>"
		   "<body><br></body></html>",
		   "not XML (an HTML page)");
	check_fail("\n<HTML><BODY>Bad Gateway<br></BODY></HTML>", "not XML (an HTML page)");
	check_fail("{\"Error\":{\"Code\":\"Throttling\"}}", "not XML");
	check_fail("Service Unavailable", "not XML");
	check_fail("<a>&undefined;</a>", "line 1: Entity 'undefined' not defined");
	/* A UTF-8 byte order mark is fine. */
	struct xml_doc *d = parse_ok("\xef\xbb\xbf<a>ok</a>");
	check_text(xml_root(d), "ok");
	xml_free(&d);
}

static void test_empty(void **state)
{
	(void)state;
	check_fail("", "empty body");
	check_fail(" \r\n\t ", "empty body");
	check_fail("\xef\xbb\xbf\n", "empty body");
	check_fail(NULL, "empty body");
	check_fail_len("<a/>", 0, "empty body");
	/* The message is appended, as with the other core parsers. */
	struct buf err = {0};
	buf_adds(&err, "GET /: ");
	struct xml_doc *d = NULL;
	assert_int_equal(xml_parse(&d, "", 0, &err), -1);
	assert_string_equal(buf_str(&err), "GET /: empty body");
	buf_free(&err);
	/* NULL-safe helpers. */
	xml_free(&d);
	xml_free(NULL);
	assert_null(xml_root(NULL));
	assert_null(xml_child(NULL, "a"));
	assert_null(xml_next(NULL, "a"));
	assert_null(xml_path(NULL, "a/b"));
	assert_null(xml_text(NULL));
	assert_null(xml_text_path(NULL, "a"));
	assert_false(xml_is(NULL, NULL));
}

static void test_billion_laughs(void **state)
{
	(void)state;
	/* Refused at the DOCTYPE, before any entity is declared or expanded. */
	check_fail(billion_laughs, "line 2: DOCTYPE not allowed");
	/* Even a harmless internal subset is refused. */
	check_fail("<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>", "line 1: DOCTYPE not allowed");
}

static void test_external_doctype(void **state)
{
	(void)state;
	char path[] = "/tmp/relcon-test-xml-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char dtd[] = "<!ENTITY secret \"SECRET-FROM-DISK\">\n";
	assert_int_equal(write(fd, dtd, sizeof dtd - 1), (ssize_t)(sizeof dtd - 1));
	close(fd);

	struct buf body = {0};
	/* An external DTD that would declare the entity used in the body... */
	buf_printf(&body,
		   "<?xml version=\"1.0\"?>\n<!DOCTYPE Error SYSTEM \"file://%s\">\n"
		   "<Error><Code>&secret;</Code></Error>",
		   path);
	check_fail(buf_str(&body), "line 2: DOCTYPE not allowed");
	char *code = NULL;
	assert_int_equal(xml_aws_error(body.s, body.len, &code, NULL), -1);
	assert_null(code);
	/* ...and an external entity declared in the internal subset. */
	buf_reset(&body);
	buf_printf(&body,
		   "<!DOCTYPE Error [<!ENTITY secret SYSTEM \"%s\">]>\n"
		   "<Error><Code>&secret;</Code></Error>",
		   path);
	check_fail(buf_str(&body), "line 1: DOCTYPE not allowed");
	buf_free(&body);
	unlink(path);
}

/* Parse errors go to the caller's buffer only, never to stderr. */
static void test_silent(void **state)
{
	(void)state;
	const char *bad[] = {
		"<a><b></a>",  "<a>&x;</a>",      "<a/><b/>",     "<a xmlns:p=\"u\"><q:b/></a>",
		"<a>\x01</a>", "<a>\xff\xfe</a>", billion_laughs, "<?xml version=\"1.0\" encoding=\"bogus\"?><a/>",
	};
	size_t n = sizeof bad / sizeof bad[0], failed = 0;
	fflush(stderr);
	int saved = dup(2);
	FILE *capture = tmpfile();
	assert_true(saved >= 0);
	assert_non_null(capture);
	assert_true(dup2(fileno(capture), 2) == 2);
	for (size_t i = 0; i < n; i++) {
		struct buf err = {0};
		struct xml_doc *d = NULL;
		if (xml_parse(&d, bad[i], strlen(bad[i]), &err) == -1 && err.len > 0)
			failed++;
		xml_free(&d);
		buf_free(&err);
	}
	fflush(stderr);
	struct stat st;
	int stat_rc = fstat(fileno(capture), &st);
	dup2(saved, 2);
	close(saved);
	fclose(capture);
	assert_int_equal(stat_rc, 0);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(failed, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_describe_images),
		cmocka_unit_test(test_ec2_error),
		cmocka_unit_test(test_query_error),
		cmocka_unit_test(test_s3_list),
		cmocka_unit_test(test_s3_error),
		cmocka_unit_test(test_not_aws_errors),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_not_xml),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_billion_laughs),
		cmocka_unit_test(test_external_doctype),
		cmocka_unit_test(test_silent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
