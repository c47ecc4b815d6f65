/* Unit tests for aws/endpoint.c: regional defaults, the override order
 * (AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, [services], endpoint_url),
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS, override URL parsing, and the S3
 * URLs and Host values built path-style or virtual-hosted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws/endpoint.h"
#include "aws/profile.h"
#include "core/buf.h"

static const char *const env_vars[] = {
	"AWS_ENDPOINT_URL",
	"AWS_ENDPOINT_URL_EC2",
	"AWS_ENDPOINT_URL_S3",
	"AWS_ENDPOINT_URL_STS",
	"AWS_ENDPOINT_URL_CLOUDFORMATION",
	"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
	"AWS_CONFIG_FILE",
	"AWS_SHARED_CREDENTIALS_FILE",
	NULL,
};

static int setup(void **state)
{
	(void)state;
	for (size_t i = 0; env_vars[i]; i++)
		unsetenv(env_vars[i]);
	return 0;
}

static int teardown(void **state)
{
	return setup(state);
}

static struct aws_endpoint resolve(const char *service, const char *region, const struct aws_profile *p)
{
	struct aws_endpoint e;
	struct buf err = {0};
	if (aws_endpoint_resolve(&e, service, region, p, &err) != 0)
		fail_msg("aws_endpoint_resolve(%s, %s): %s", service, region, buf_str(&err));
	buf_free(&err);
	return e;
}

static char *resolve_error(const char *service, const char *region, const struct aws_profile *p)
{
	struct aws_endpoint e;
	struct buf err = {0};
	assert_int_equal(aws_endpoint_resolve(&e, service, region, p, &err), -1);
	assert_null(e.host);
	assert_null(e.scheme);
	assert_null(e.service);
	return buf_steal(&err);
}

/* URL, Host value and path for bucket/key (either may be NULL). */
static void assert_url(const struct aws_endpoint *e, const char *bucket, const char *key, const char *url,
		       const char *host, const char *path)
{
	struct buf b = {0};
	assert_int_equal(aws_endpoint_url(&b, e, bucket, key), 0);
	assert_string_equal(b.s, url);
	buf_reset(&b);
	assert_int_equal(aws_endpoint_host(&b, e, bucket), 0);
	assert_string_equal(b.s, host);
	buf_reset(&b);
	assert_int_equal(aws_endpoint_path(&b, e, bucket, key), 0);
	assert_string_equal(b.s, path);
	buf_free(&b);
}

static void test_defaults(void **state)
{
	(void)state;
	static const struct {
		const char *service, *host;
	} cases[] = {
		{"ec2", "ec2.us-east-2.amazonaws.com"},
		{"cloudformation", "cloudformation.us-east-2.amazonaws.com"},
		{"s3", "s3.us-east-2.amazonaws.com"},
		{"sts", "sts.us-east-2.amazonaws.com"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct aws_endpoint e = resolve(cases[i].service, "us-east-2", NULL);
		assert_string_equal(e.service, cases[i].service);
		assert_string_equal(e.region, "us-east-2");
		assert_string_equal(e.scheme, "https");
		assert_string_equal(e.host, cases[i].host);
		assert_int_equal(e.port, 443);
		assert_string_equal(e.base_path, "");
		assert_false(e.overridden);
		assert_int_equal(e.source, AWS_ENDPOINT_DEFAULT);
		assert_string_equal(e.origin, "default");
		assert_false(e.s3_path_style);
		struct buf url = {0};
		buf_printf(&url, "https://%s/", cases[i].host);
		assert_url(&e, NULL, NULL, url.s, cases[i].host, "/");
		buf_free(&url);
		aws_endpoint_free(&e);
		assert_null(e.host);
	}

	/* S3 is virtual-hosted by default. */
	struct aws_endpoint e = resolve("s3", "us-east-2", NULL);
	assert_url(&e, "readysettech-cfn-internal-us-east-2",
		   "abcd0b72/readyset/templates/readyset-mysql-super-template.yaml",
		   "https://readysettech-cfn-internal-us-east-2.s3.us-east-2.amazonaws.com/abcd0b72/readyset/templates/"
		   "readyset-mysql-super-template.yaml",
		   "readysettech-cfn-internal-us-east-2.s3.us-east-2.amazonaws.com",
		   "/abcd0b72/readyset/templates/readyset-mysql-super-template.yaml");
	assert_url(&e, "bucket", NULL, "https://bucket.s3.us-east-2.amazonaws.com/",
		   "bucket.s3.us-east-2.amazonaws.com", "/");
	assert_url(&e, "bucket", "", "https://bucket.s3.us-east-2.amazonaws.com/", "bucket.s3.us-east-2.amazonaws.com",
		   "/");
	/* Keys arrive encoded and are not touched; a leading '/' is part of the key. */
	assert_url(&e, "bucket", "a%20b/c%2Bd", "https://bucket.s3.us-east-2.amazonaws.com/a%20b/c%2Bd",
		   "bucket.s3.us-east-2.amazonaws.com", "/a%20b/c%2Bd");
	assert_url(&e, "bucket", "/lead", "https://bucket.s3.us-east-2.amazonaws.com//lead",
		   "bucket.s3.us-east-2.amazonaws.com", "//lead");
	/* Buckets that cannot be a DNS label over TLS go in the path. */
	assert_url(&e, "my.dotted.bucket", "k", "https://s3.us-east-2.amazonaws.com/my.dotted.bucket/k",
		   "s3.us-east-2.amazonaws.com", "/my.dotted.bucket/k");
	assert_url(&e, "Legacy_Bucket", "k", "https://s3.us-east-2.amazonaws.com/Legacy_Bucket/k",
		   "s3.us-east-2.amazonaws.com", "/Legacy_Bucket/k");
	assert_url(&e, "ab", NULL, "https://s3.us-east-2.amazonaws.com/ab", "s3.us-east-2.amazonaws.com", "/ab");
	assert_url(&e, "-bucket", NULL, "https://s3.us-east-2.amazonaws.com/-bucket", "s3.us-east-2.amazonaws.com",
		   "/-bucket");
	assert_url(&e, "192.168.1.1", NULL, "https://s3.us-east-2.amazonaws.com/192.168.1.1",
		   "s3.us-east-2.amazonaws.com", "/192.168.1.1");
	assert_true(aws_endpoint_path_style(&e, "my.dotted.bucket"));
	assert_false(aws_endpoint_path_style(&e, "bucket"));
	aws_endpoint_free(&e);

	/* China regions live under amazonaws.com.cn. */
	e = resolve("sts", "cn-north-1", NULL);
	assert_string_equal(e.host, "sts.cn-north-1.amazonaws.com.cn");
	aws_endpoint_free(&e);
}

static void test_env_name(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{"ec2", "AWS_ENDPOINT_URL_EC2"},
		{"cloudformation", "AWS_ENDPOINT_URL_CLOUDFORMATION"},
		{"s3", "AWS_ENDPOINT_URL_S3"},
		{"sts", "AWS_ENDPOINT_URL_STS"},
		{"elastic load-balancing", "AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct buf b = {0};
		aws_endpoint_env_name(&b, cases[i][0]);
		assert_string_equal(b.s, cases[i][1]);
		buf_free(&b);
	}
}

static void test_precedence(void **state)
{
	(void)state;
	struct aws_service_endpoint se[] = {
		{.service = "s3", .endpoint_url = "http://services-s3:1111", .file = "/cfg", .line = 12},
	};
	struct aws_profile p = {
		.name = "local",
		.endpoint_url = "http://profile-wide:2222",
		.services = "local",
		.service_endpoints = se,
		.n_service_endpoints = 1,
		.ignore_configured_endpoint_urls = -1,
	};

	/* Profile: the services entry for s3, endpoint_url for the rest. */
	struct aws_endpoint e = resolve("s3", "us-east-2", &p);
	assert_int_equal(e.source, AWS_ENDPOINT_FROM_SERVICES);
	assert_string_equal(e.origin, "/cfg:12");
	assert_string_equal(e.host, "services-s3");
	assert_int_equal(e.port, 1111);
	assert_true(e.overridden);
	aws_endpoint_free(&e);
	e = resolve("ec2", "us-east-2", &p);
	assert_int_equal(e.source, AWS_ENDPOINT_FROM_PROFILE);
	assert_string_equal(e.origin, "profile local");
	assert_string_equal(e.host, "profile-wide");
	aws_endpoint_free(&e);

	/* AWS_ENDPOINT_URL beats both. */
	setenv("AWS_ENDPOINT_URL", "http://global:3333", 1);
	e = resolve("s3", "us-east-2", &p);
	assert_int_equal(e.source, AWS_ENDPOINT_FROM_ENV);
	assert_string_equal(e.origin, "AWS_ENDPOINT_URL");
	assert_string_equal(e.host, "global");
	aws_endpoint_free(&e);

	/* AWS_ENDPOINT_URL_<SERVICE> beats that, for its service only. */
	setenv("AWS_ENDPOINT_URL_S3", "http://only-s3:4444", 1);
	setenv("AWS_ENDPOINT_URL_CLOUDFORMATION", "http://only-cfn:5555", 1);
	e = resolve("s3", "us-east-2", &p);
	assert_int_equal(e.source, AWS_ENDPOINT_FROM_ENV_SERVICE);
	assert_string_equal(e.origin, "AWS_ENDPOINT_URL_S3");
	assert_string_equal(e.host, "only-s3");
	assert_int_equal(e.port, 4444);
	aws_endpoint_free(&e);
	e = resolve("cloudformation", "us-east-2", &p);
	assert_string_equal(e.origin, "AWS_ENDPOINT_URL_CLOUDFORMATION");
	aws_endpoint_free(&e);
	e = resolve("sts", "us-east-2", NULL);
	assert_string_equal(e.origin, "AWS_ENDPOINT_URL");
	aws_endpoint_free(&e);

	/* Empty variables count as unset. */
	setenv("AWS_ENDPOINT_URL_S3", "", 1);
	setenv("AWS_ENDPOINT_URL", "", 1);
	e = resolve("s3", "us-east-2", &p);
	assert_int_equal(e.source, AWS_ENDPOINT_FROM_SERVICES);
	aws_endpoint_free(&e);
	e = resolve("s3", "us-east-2", NULL);
	assert_int_equal(e.source, AWS_ENDPOINT_DEFAULT);
	aws_endpoint_free(&e);
}

static void test_ignore_configured(void **state)
{
	(void)state;
	struct aws_profile p = {.name = "x", .endpoint_url = "http://profile:1", .ignore_configured_endpoint_urls = -1};
	setenv("AWS_ENDPOINT_URL_EC2", "http://env:2", 1);

	static const char *const truthy[] = {"true", "TRUE", "True", NULL};
	for (size_t i = 0; truthy[i]; i++) {
		setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", truthy[i], 1);
		struct aws_endpoint e = resolve("ec2", "eu-west-1", &p);
		assert_false(e.overridden);
		assert_int_equal(e.source, AWS_ENDPOINT_DEFAULT);
		assert_string_equal(e.host, "ec2.eu-west-1.amazonaws.com");
		aws_endpoint_free(&e);
	}
	/* Only "true" is true (botocore's ensure_boolean). */
	setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "yes", 1);
	struct aws_endpoint e = resolve("ec2", "eu-west-1", &p);
	assert_string_equal(e.origin, "AWS_ENDPOINT_URL_EC2");
	aws_endpoint_free(&e);

	/* The profile's setting, unless the variable says otherwise. */
	unsetenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
	p.ignore_configured_endpoint_urls = 1;
	e = resolve("ec2", "eu-west-1", &p);
	assert_false(e.overridden);
	aws_endpoint_free(&e);
	setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false", 1);
	e = resolve("ec2", "eu-west-1", &p);
	assert_true(e.overridden);
	assert_string_equal(e.host, "env");
	aws_endpoint_free(&e);
	setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "", 1);
	e = resolve("ec2", "eu-west-1", &p);
	assert_false(e.overridden);
	aws_endpoint_free(&e);
}

static void test_override_urls(void **state)
{
	(void)state;
	static const struct {
		const char *url, *scheme, *host;
		int port;
		const char *base, *host_value, *query_path;
	} cases[] = {
		{"http://127.0.0.1:4566", "http", "127.0.0.1", 4566, "", "127.0.0.1:4566", "/"},
		{"http://localhost:4566/", "http", "localhost", 4566, "/", "localhost:4566", "/"},
		{"HTTPS://Example.COM", "https", "Example.COM", 443, "", "Example.COM", "/"},
		{"https://example.com:443/", "https", "example.com", 443, "/", "example.com", "/"},
		{"https://example.com:80", "https", "example.com", 80, "", "example.com:80", "/"},
		{"http://example.com:80/prefix", "http", "example.com", 80, "/prefix", "example.com", "/prefix"},
		{"http://example.com:443", "http", "example.com", 443, "", "example.com:443", "/"},
		{"http://[::1]:4566/p/", "http", "[::1]", 4566, "/p/", "[::1]:4566", "/p/"},
		{"https://[fd00:ec2::254]", "https", "[fd00:ec2::254]", 443, "", "[fd00:ec2::254]", "/"},
		{"http://moto_server:5000", "http", "moto_server", 5000, "", "moto_server:5000", "/"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		setenv("AWS_ENDPOINT_URL", cases[i].url, 1);
		struct aws_endpoint e = resolve("sts", "us-east-1", NULL);
		assert_true(e.overridden);
		assert_string_equal(e.scheme, cases[i].scheme);
		assert_string_equal(e.host, cases[i].host);
		assert_int_equal(e.port, cases[i].port);
		assert_string_equal(e.base_path, cases[i].base);
		/* Signed with the configured region and the service's name. */
		assert_string_equal(e.region, "us-east-1");
		assert_string_equal(e.service, "sts");
		assert_false(e.s3_path_style); /* not S3 */
		struct buf url = {0};
		buf_printf(&url, "%s://%s%s", cases[i].scheme, cases[i].host_value, cases[i].query_path);
		assert_url(&e, NULL, NULL, url.s, cases[i].host_value, cases[i].query_path);
		buf_free(&url);
		aws_endpoint_free(&e);
	}

	static const struct {
		const char *url, *why;
	} bad[] = {
		{"localhost:4566", "expected http://host[:port][/path] or https://..."},
		{"ftp://example.com", "the scheme must be http or https"},
		{"http://", "no host"},
		{"http:///path", "no host"},
		{"http://:4566", "no host"},
		{"http://[]:1", "no host"},
		{"http://host:", "the port must be a number from 1 to 65535"},
		{"http://host:0", "the port must be a number from 1 to 65535"},
		{"http://host:65536", "the port must be a number from 1 to 65535"},
		{"http://host:123456", "the port must be a number from 1 to 65535"},
		{"http://host:12a", "the port must be a number from 1 to 65535"},
		{"http://host/?x=1", "a query or fragment is not allowed"},
		{"http://host#frag", "a query or fragment is not allowed"},
		{"http://ho st", "spaces, control and non-ASCII characters are not allowed"},
		{"http://h\xc3\xa9st", "spaces, control and non-ASCII characters are not allowed"},
		{"http://host\x1b[2J", "spaces, control and non-ASCII characters are not allowed"},
		{"http://ho!st", "the host name has characters other than letters, digits, '.', '-' and '_'"},
		{"http://[::1", "no ']' after an IPv6 address"},
		{"http://[zz::1]", "malformed IPv6 address"},
		{"http://[::1]x", "unexpected text after the IPv6 address"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		setenv("AWS_ENDPOINT_URL_EC2", bad[i].url, 1);
		char *msg = resolve_error("ec2", "us-east-1", NULL);
		assert_non_null(strstr(msg, bad[i].why));
		assert_int_equal(strncmp(msg, "AWS_ENDPOINT_URL_EC2: invalid endpoint URL", 42), 0);
		/* Quoted inert. */
		assert_null(strchr(msg, '\x1b'));
		free(msg);
	}
	setenv("AWS_ENDPOINT_URL_EC2", "ftp://x", 1);
	char *msg = resolve_error("ec2", "us-east-1", NULL);
	assert_string_equal(msg,
			    "AWS_ENDPOINT_URL_EC2: invalid endpoint URL \"ftp://x\": the scheme must be http or https");
	free(msg);

	/* A URL with a password is refused without being repeated. */
	setenv("AWS_ENDPOINT_URL_EC2", "http://user:hunter2@host:1", 1);
	msg = resolve_error("ec2", "us-east-1", NULL);
	assert_string_equal(
		msg, "AWS_ENDPOINT_URL_EC2: invalid endpoint URL: user information (user@host) is not supported");
	free(msg);

	/* From a profile, the message says where. */
	unsetenv("AWS_ENDPOINT_URL_EC2");
	unsetenv("AWS_ENDPOINT_URL");
	struct aws_service_endpoint se[] = {{.service = "ec2", .endpoint_url = "tcp://x", .file = "/c", .line = 7}};
	struct aws_profile p = {
		.name = "p", .service_endpoints = se, .n_service_endpoints = 1, .ignore_configured_endpoint_urls = -1};
	msg = resolve_error("ec2", "us-east-1", &p);
	assert_string_equal(msg,
			    "/c:7: endpoint_url: invalid endpoint URL \"tcp://x\": the scheme must be http or https");
	free(msg);
	p.n_service_endpoints = 0;
	p.endpoint_url = "http://a b";
	msg = resolve_error("ec2", "us-east-1", &p);
	assert_string_equal(msg, "profile p: endpoint_url: invalid endpoint URL \"http://a b\": spaces, control and "
				 "non-ASCII characters are not allowed");
	free(msg);
}

static void test_s3_addressing(void **state)
{
	(void)state;
	/* An override means path style (local simulators). */
	setenv("AWS_ENDPOINT_URL_S3", "http://localhost:4566", 1);
	struct aws_endpoint e = resolve("s3", "us-east-2", NULL);
	assert_true(e.s3_path_style);
	assert_url(&e, "bucket", "k/e%20y", "http://localhost:4566/bucket/k/e%20y", "localhost:4566",
		   "/bucket/k/e%20y");
	assert_url(&e, "bucket", NULL, "http://localhost:4566/bucket", "localhost:4566", "/bucket");
	assert_url(&e, NULL, NULL, "http://localhost:4566/", "localhost:4566", "/");
	aws_endpoint_free(&e);

	/* A base path joins with one '/'. */
	setenv("AWS_ENDPOINT_URL_S3", "https://gw.example.com/s3/", 1);
	e = resolve("s3", "us-east-2", NULL);
	assert_url(&e, "bucket", "key", "https://gw.example.com/s3/bucket/key", "gw.example.com", "/s3/bucket/key");
	assert_url(&e, NULL, NULL, "https://gw.example.com/s3/", "gw.example.com", "/s3/");
	aws_endpoint_free(&e);

	/* addressing_style = virtual keeps virtual hosts on an override... */
	struct aws_profile p = {.name = "v", .s3_addressing_style = "virtual", .ignore_configured_endpoint_urls = -1};
	setenv("AWS_ENDPOINT_URL_S3", "http://s3.local:9000/base", 1);
	e = resolve("s3", "us-east-2", &p);
	assert_false(e.s3_path_style);
	assert_url(&e, "bucket", "key", "http://bucket.s3.local:9000/base/key", "bucket.s3.local:9000", "/base/key");
	assert_url(&e, "bucket", NULL, "http://bucket.s3.local:9000/base/", "bucket.s3.local:9000", "/base/");
	/* ...dots are fine over plain http... */
	assert_url(&e, "a.b.c", "k", "http://a.b.c.s3.local:9000/base/k", "a.b.c.s3.local:9000", "/base/k");
	assert_url(&e, "a..c", "k", "http://s3.local:9000/base/a..c/k", "s3.local:9000", "/base/a..c/k");
	aws_endpoint_free(&e);
	/* ...but an IP address cannot take a bucket label. */
	setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9000", 1);
	e = resolve("s3", "us-east-2", &p);
	assert_url(&e, "bucket", "key", "http://127.0.0.1:9000/bucket/key", "127.0.0.1:9000", "/bucket/key");
	aws_endpoint_free(&e);
	setenv("AWS_ENDPOINT_URL_S3", "http://[::1]:9000", 1);
	e = resolve("s3", "us-east-2", &p);
	assert_url(&e, "bucket", "key", "http://[::1]:9000/bucket/key", "[::1]:9000", "/bucket/key");
	aws_endpoint_free(&e);
	unsetenv("AWS_ENDPOINT_URL_S3");

	/* addressing_style = path on AWS itself. */
	p.s3_addressing_style = "path";
	e = resolve("s3", "us-west-2", &p);
	assert_true(e.s3_path_style);
	assert_url(&e, "bucket", "key", "https://s3.us-west-2.amazonaws.com/bucket/key", "s3.us-west-2.amazonaws.com",
		   "/bucket/key");
	aws_endpoint_free(&e);
	/* It means nothing to other services. */
	e = resolve("ec2", "us-west-2", &p);
	assert_false(e.s3_path_style);
	aws_endpoint_free(&e);
	p.s3_addressing_style = "auto";
	e = resolve("s3", "us-west-2", &p);
	assert_false(e.s3_path_style);
	aws_endpoint_free(&e);
}

static void test_bad_requests(void **state)
{
	(void)state;
	struct aws_endpoint s3 = resolve("s3", "us-east-2", NULL);
	struct aws_endpoint ec2 = resolve("ec2", "us-east-2", NULL);
	struct buf b = {0};
	buf_adds(&b, "keep");
	/* A key without a bucket. */
	assert_int_equal(aws_endpoint_url(&b, &s3, NULL, "key"), -1);
	assert_int_equal(aws_endpoint_path(&b, &s3, NULL, "key"), -1);
	/* Buckets are only for S3. */
	assert_int_equal(aws_endpoint_url(&b, &ec2, "bucket", NULL), -1);
	assert_int_equal(aws_endpoint_host(&b, &ec2, "bucket"), -1);
	/* Bucket names that would change the URL. */
	static const char *const bad[] = {"", "a/b", "a b", "a?b", "a#b", "a%2Fb", "a@b", "a:1", NULL};
	for (size_t i = 0; bad[i]; i++) {
		assert_int_equal(aws_endpoint_url(&b, &s3, bad[i], "k"), -1);
		assert_int_equal(aws_endpoint_host(&b, &s3, bad[i]), -1);
		assert_int_equal(aws_endpoint_path(&b, &s3, bad[i], NULL), -1);
	}
	char longname[257];
	memset(longname, 'a', 256);
	longname[256] = '\0';
	assert_int_equal(aws_endpoint_url(&b, &s3, longname, NULL), -1);
	/* Nothing was appended by any of them. */
	assert_string_equal(b.s, "keep");
	/* Appends, does not replace. */
	assert_int_equal(aws_endpoint_url(&b, &ec2, NULL, NULL), 0);
	assert_string_equal(b.s, "keephttps://ec2.us-east-2.amazonaws.com/");
	buf_free(&b);
	aws_endpoint_free(&s3);
	aws_endpoint_free(&ec2);
}

static void test_region_and_service_errors(void **state)
{
	(void)state;
	char *msg = resolve_error("ec2", NULL, NULL);
	assert_string_equal(msg, "ec2: no AWS region given (--region, AWS_REGION, AWS_DEFAULT_REGION, the profile's "
				 "region or aws.region)");
	free(msg);
	msg = resolve_error("s3", "", NULL);
	assert_non_null(strstr(msg, "no AWS region"));
	free(msg);
	/* A region goes into a host name: only a-z 0-9 -. */
	static const char *const bad[] = {"US-EAST-1",   "us east 1", "us-east-1.evil.example",
					  "us-east-1/x", "r\x1b",     NULL};
	for (size_t i = 0; bad[i]; i++) {
		msg = resolve_error("s3", bad[i], NULL);
		assert_int_equal(strncmp(msg, "s3: invalid AWS region \"", 24), 0);
		assert_null(strchr(msg, '\x1b'));
		free(msg);
	}
	/* Even with an override: the region is signed. */
	setenv("AWS_ENDPOINT_URL", "http://localhost:1", 1);
	msg = resolve_error("sts", NULL, NULL);
	assert_non_null(strstr(msg, "no AWS region"));
	free(msg);
	msg = resolve_error("EC2", "us-east-1", NULL);
	assert_string_equal(msg, "invalid AWS service id \"EC2\"");
	free(msg);
	msg = resolve_error(NULL, "us-east-1", NULL);
	assert_string_equal(msg, "invalid AWS service id \"\"");
	free(msg);
}

static int rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

/* The whole way: files -> profile -> endpoint. */
static void test_from_shared_config(void **state)
{
	(void)state;
	char dir[] = "/tmp/relcon-test-awsend-XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct buf cfg = {0}, creds = {0};
	buf_printf(&cfg, "%s/config", dir);
	buf_printf(&creds, "%s/credentials", dir);
	FILE *fp = fopen(cfg.s, "w");
	assert_non_null(fp);
	fputs("[profile local]\n"
	      "region = us-east-2\n"
	      "services = local\n"
	      "endpoint_url = http://127.0.0.1:4566\n"
	      "[services local]\n"
	      "cloudformation =\n"
	      "  endpoint_url = http://127.0.0.1:4567\n"
	      "[profile aws]\n"
	      "region = us-east-2\n"
	      "s3 =\n"
	      "  addressing_style = path\n",
	      fp);
	fclose(fp);
	struct aws_files *files = NULL;
	struct aws_profile *p = NULL;
	struct buf err = {0};
	assert_int_equal(aws_files_load(&files, cfg.s, creds.s, &err), 0);
	assert_int_equal(aws_profile_get(&p, files, "local", 1, &err), 0);

	struct aws_endpoint e = resolve("cloudformation", p->region, p);
	assert_int_equal(e.source, AWS_ENDPOINT_FROM_SERVICES);
	struct buf want = {0};
	buf_printf(&want, "%s:7", cfg.s);
	assert_string_equal(e.origin, want.s);
	assert_int_equal(e.port, 4567);
	aws_endpoint_free(&e);

	e = resolve("s3", p->region, p);
	assert_int_equal(e.source, AWS_ENDPOINT_FROM_PROFILE);
	buf_reset(&want);
	buf_printf(&want, "%s:4", cfg.s);
	assert_string_equal(e.origin, want.s);
	assert_url(&e, "b", "k", "http://127.0.0.1:4566/b/k", "127.0.0.1:4566", "/b/k");
	aws_endpoint_free(&e);
	aws_profile_free(&p);

	assert_int_equal(aws_profile_get(&p, files, "aws", 1, &err), 0);
	e = resolve("s3", p->region, p);
	assert_false(e.overridden);
	assert_url(&e, "bucket", "k", "https://s3.us-east-2.amazonaws.com/bucket/k", "s3.us-east-2.amazonaws.com",
		   "/bucket/k");
	aws_endpoint_free(&e);
	aws_profile_free(&p);

	aws_files_free(&files);
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	buf_free(&want);
	buf_free(&err);
	buf_free(&cfg);
	buf_free(&creds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_precedence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ignore_configured, setup, teardown),
		cmocka_unit_test_setup_teardown(test_override_urls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_s3_addressing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_region_and_service_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_from_shared_config, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
