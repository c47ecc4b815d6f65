/* Unit tests for aws/sts.c: GetCallerIdentity and AssumeRole bodies byte
 * for byte, their parsers, errors (never echoing a secret), truncation at
 * every byte, and credentials freed to zero. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aws/sts.h"
#include "core/buf.h"

#define NS     "xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\""
#define SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"
#define TOKEN                                                                                                          \
	"FwoGZXIvYXdzEBYaDHqa0AP1/EXAMPLE+TOKEN//////////wEaDNa5Ww0Tn3nJQpOlSiKwAcn9wVq1kyq3fEXAMPLE5x1Nq7p6CmX0"      \
	"Zr5Aq4Ihd2Lc="

static const char identity[] = "<GetCallerIdentityResponse " NS ">\n"
			       "  <GetCallerIdentityResult>\n"
			       "    <Arn>arn:aws:sts::069491470376:assumed-role/Engineer/alice@example.com</Arn>\n"
			       "    <UserId>AROAXXXXXXXXXXXXXXXXX:alice@example.com</UserId>\n"
			       "    <Account>069491470376</Account>\n"
			       "  </GetCallerIdentityResult>\n"
			       "  <ResponseMetadata>\n"
			       "    <RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId>\n"
			       "  </ResponseMetadata>\n"
			       "</GetCallerIdentityResponse>\n";

static const char assume_role[] =
	"<AssumeRoleResponse " NS ">\n"
	"  <AssumeRoleResult>\n"
	"    <SourceIdentity>alice</SourceIdentity>\n"
	"    <AssumedRoleUser>\n"
	"      <Arn>arn:aws:sts::069491470376:assumed-role/Engineer/relcon-1740826800</Arn>\n"
	"      <AssumedRoleId>AROA3XFRBF535PLBIFPI4:relcon-1740826800</AssumedRoleId>\n"
	"    </AssumedRoleUser>\n"
	"    <Credentials>\n"
	"      <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>\n"
	"      <SecretAccessKey>\n        " SECRET "\n      </SecretAccessKey>\n"
	"      <SessionToken>" TOKEN "</SessionToken>\n"
	"      <Expiration>2025-03-01T12:00:00Z</Expiration>\n"
	"    </Credentials>\n"
	"    <PackedPolicySize>6</PackedPolicySize>\n"
	"  </AssumeRoleResult>\n"
	"  <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>\n"
	"</AssumeRoleResponse>\n";

static void test_bodies(void **state)
{
	(void)state;
	struct buf b = {0};
	sts_get_caller_identity_body(&b);
	assert_string_equal(buf_str(&b), "Action=GetCallerIdentity&Version=2011-06-15");

	struct sts_assume_role_req req = {
		.role_arn = "arn:aws:iam::069491470376:role/Engineer",
		.session_name = "relcon-1740826800",
		.duration_seconds = 3600,
		.external_id = "ext id/1",
		.serial_number = "arn:aws:iam::305232526136:mfa/alice",
		.token_code = "123456",
	};
	sts_assume_role_body(&b, &req);
	assert_string_equal(buf_str(&b), "Action=AssumeRole&Version=2011-06-15"
					 "&RoleArn=arn%3Aaws%3Aiam%3A%3A069491470376%3Arole%2FEngineer"
					 "&RoleSessionName=relcon-1740826800&DurationSeconds=3600"
					 "&ExternalId=ext%20id%2F1"
					 "&SerialNumber=arn%3Aaws%3Aiam%3A%3A305232526136%3Amfa%2Falice"
					 "&TokenCode=123456");
	struct sts_assume_role_req min = {.role_arn = "arn:aws:iam::1:role/R", .session_name = "s@x"};
	sts_assume_role_body(&b, &min);
	assert_string_equal(buf_str(&b),
			    "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2FR"
			    "&RoleSessionName=s%40x");
	buf_free(&b);
}

static void test_identity(void **state)
{
	(void)state;
	struct sts_identity id;
	struct buf err = {0};
	assert_int_equal(sts_identity_parse(identity, strlen(identity), &id, &err), 0);
	assert_string_equal(id.account, "069491470376");
	assert_string_equal(id.arn, "arn:aws:sts::069491470376:assumed-role/Engineer/alice@example.com");
	assert_string_equal(id.user_id, "AROAXXXXXXXXXXXXXXXXX:alice@example.com");
	sts_identity_free(&id);
	assert_null(id.account);

	const char *noacct = "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>a</Arn><UserId>u</UserId>"
			     "<Account></Account></GetCallerIdentityResult></GetCallerIdentityResponse>";
	assert_int_equal(sts_identity_parse(noacct, strlen(noacct), &id, &err), -1);
	assert_string_equal(buf_str(&err), "GetCallerIdentity: malformed response: no <Account>");
	assert_null(id.arn);
	buf_reset(&err);
	const char *expired = "<ErrorResponse " NS "><Error><Type>Sender</Type><Code>ExpiredToken</Code>"
			      "<Message>The security token included in the request is expired</Message></Error>"
			      "<RequestId>1</RequestId></ErrorResponse>";
	assert_int_equal(sts_identity_parse(expired, strlen(expired), &id, &err), -1);
	assert_string_equal(buf_str(&err),
			    "GetCallerIdentity: ExpiredToken: The security token included in the request is expired");
	buf_free(&err);
}

static void test_credentials(void **state)
{
	(void)state;
	struct sts_credentials c;
	struct buf err = {0};
	assert_int_equal(sts_credentials_parse(assume_role, strlen(assume_role), &c, &err), 0);
	assert_int_equal(err.len, 0);
	assert_string_equal(c.access_key_id, "ASIAIOSFODNN7EXAMPLE");
	assert_string_equal(c.secret_access_key, SECRET); /* trimmed */
	assert_string_equal(c.session_token, TOKEN);
	assert_string_equal(c.expiration, "2025-03-01T12:00:00Z");
	assert_int_equal(c.expires, 1740830400);
	assert_string_equal(c.assumed_role_arn, "arn:aws:sts::069491470376:assumed-role/Engineer/relcon-1740826800");
	assert_string_equal(c.assumed_role_id, "AROA3XFRBF535PLBIFPI4:relcon-1740826800");
	sts_credentials_free(&c);
	assert_null(c.secret_access_key);
	assert_null(c.session_token);
	assert_null(c.access_key_id);
	assert_int_equal(c.expires, 0);
	sts_credentials_free(&c); /* twice is harmless */

	/* Secrets split by entities, CDATA and comments are joined exactly. */
	const char *split = "<AssumeRoleResponse><AssumeRoleResult><Credentials>"
			    "<AccessKeyId>ASIA1</AccessKeyId>"
			    "<SecretAccessKey>ab&amp;c<![CDATA[<d>]]><!-- x -->e</SecretAccessKey>"
			    "<SessionToken> t&#43;o/k= </SessionToken>"
			    "<Expiration>2025-03-01T12:00:00.000+01:00</Expiration>"
			    "</Credentials></AssumeRoleResult></AssumeRoleResponse>";
	assert_int_equal(sts_credentials_parse(split, strlen(split), &c, &err), 0);
	assert_string_equal(c.secret_access_key, "ab&c<d>e");
	assert_string_equal(c.session_token, "t+o/k=");
	assert_int_equal(c.expires, 1740826800);
	assert_null(c.assumed_role_arn);
	sts_credentials_free(&c);
	buf_free(&err);
}

/* Parse a body that must fail with want, and never mention a secret. */
static void check_creds_fail(const char *body, size_t len, const char *want)
{
	struct sts_credentials c;
	struct buf err = {0};
	assert_int_equal(sts_credentials_parse(body, len, &c, &err), -1);
	if (want)
		assert_string_equal(buf_str(&err), want);
	assert_true(err.len > 0);
	assert_null(strchr(buf_str(&err), '\n'));
	assert_null(strstr(buf_str(&err), "wJalrXUtnFEMI"));
	assert_null(strstr(buf_str(&err), "FwoGZXIvYXdzEBYa"));
	assert_null(c.secret_access_key);
	assert_null(c.session_token);
	assert_null(c.access_key_id);
	buf_free(&err);
}

static const char *without(const char *element, struct buf *b)
{
	/* assume_role with <element>...</element> removed. */
	buf_reset(b);
	struct buf open = {0}, close = {0};
	buf_printf(&open, "<%s>", element);
	buf_printf(&close, "</%s>", element);
	const char *s = strstr(assume_role, open.s), *e = strstr(assume_role, close.s);
	assert_non_null(s);
	assert_non_null(e);
	buf_add(b, assume_role, (size_t)(s - assume_role));
	buf_adds(b, e + close.len);
	buf_free(&open);
	buf_free(&close);
	return b->s;
}

static void test_credentials_errors(void **state)
{
	(void)state;
	struct buf b = {0};
	const char *missing[][2] = {
		{"SecretAccessKey", "AssumeRole: malformed response: no <SecretAccessKey>"},
		{"SessionToken", "AssumeRole: malformed response: no <SessionToken>"},
		{"AccessKeyId", "AssumeRole: malformed response: no <AccessKeyId>"},
		{"Expiration", "AssumeRole: malformed response: no <Expiration>"},
		{"Credentials", "AssumeRole: malformed response: no <Credentials>"},
	};
	for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++) {
		const char *body = without(missing[i][0], &b);
		check_creds_fail(body, b.len, missing[i][1]);
	}
	buf_free(&b);
	const char *badtime = "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>A</AccessKeyId>"
			      "<SecretAccessKey>" SECRET "</SecretAccessKey><SessionToken>" TOKEN "</SessionToken>"
			      "<Expiration>tomorrow</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>";
	check_creds_fail(badtime, strlen(badtime), "AssumeRole: malformed response: bad <Expiration>");
	const char *denied = "<ErrorResponse " NS "><Error><Type>Sender</Type><Code>AccessDenied</Code>"
			     "<Message>User: arn:aws:iam::305232526136:user/alice is not authorized to perform: "
			     "sts:AssumeRole on resource: arn:aws:iam::069491470376:role/Engineer</Message></Error>"
			     "<RequestId>1</RequestId></ErrorResponse>";
	check_creds_fail(denied, strlen(denied),
			 "AssumeRole: AccessDenied: User: arn:aws:iam::305232526136:user/alice is not authorized to "
			 "perform: sts:AssumeRole on resource: arn:aws:iam::069491470376:role/Engineer");
	check_creds_fail(identity, strlen(identity),
			 "AssumeRole: not the expected response element <GetCallerIdentityResponse> "
			 "(want <AssumeRoleResponse>)");
	/* A truncated body may cut inside a secret: the message must not show it. */
	size_t len = strlen(assume_role);
	while (len > 0 && assume_role[len - 1] == '\n')
		len--;
	for (size_t cut = 0; cut < len; cut++)
		check_creds_fail(assume_role, cut, NULL);
}

static void test_identity_truncated(void **state)
{
	(void)state;
	size_t len = strlen(identity);
	while (len > 0 && identity[len - 1] == '\n')
		len--;
	for (size_t cut = 0; cut < len; cut++) {
		struct sts_identity id;
		struct buf err = {0};
		assert_int_equal(sts_identity_parse(identity, cut, &id, &err), -1);
		assert_null(id.account);
		assert_true(err.len > 0);
		assert_null(strchr(buf_str(&err), '\n'));
		buf_free(&err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bodies),
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_credentials),
		cmocka_unit_test(test_credentials_errors),
		cmocka_unit_test(test_identity_truncated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
