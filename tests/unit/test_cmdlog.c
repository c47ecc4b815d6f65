/* Unit tests for the command log: requests rendered as the equivalent
 * command (aws/cli_equiv.c: EC2, CloudFormation, STS and S3 requests as
 * aws/cfn.c, ec2.c, sts.c and s3.c build them; buildkite's curl lines;
 * core/http's plain curl for anything else), exact strings, no secret in any of them, shell quoting
 * of hostile values checked by asking bash which words it reads back
 * (core/shquote.c), and the log itself (release/cmdlog.c): requests
 * matched to their ends through core/http's observer, actions, the bound. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aws/cfn.h"
#include "aws/cli_equiv.h"
#include "aws/ec2.h"
#include "aws/s3.h"
#include "aws/sts.h"
#include "buildkite/client.h"
#include "core/buf.h"
#include "core/http.h"
#include "core/loop.h"
#include "core/shquote.h"
#include "release/cmdlog.h"

#define REGION   "us-east-2"
#define ENDPOINT "http://localhost:4566"
#define PREFIX   "aws cloudformation "
#define TPL      "https://readysettech-cfn-internal-us-east-2.s3.us-east-2.amazonaws.com/abc/t.yaml"

/* ---- helpers ---- */

/* The command for a Query request (body) in REGION through ENDPOINT. */
static char *query_cmd(const char *service, const char *op, const struct buf *body, const char *const *secrets)
{
	struct aws_req r = {
		.op = op, .service = service, .body = buf_str(body), .body_len = body->len, .secrets = secrets};
	struct buf out = {0};
	aws_cli_command(&out, &r, REGION, ENDPOINT, NULL);
	return buf_steal(&out);
}

static char *s3_cmd(const char *op, const char *bucket, const char *key, const char *query, const char *endpoint,
		    const char *profile)
{
	struct aws_req r = {.op = op, .service = "s3", .bucket = bucket, .key = key, .query = query};
	struct buf out = {0};
	aws_cli_command(&out, &r, REGION, endpoint, profile);
	return buf_steal(&out);
}

static void check(char *got, const char *want)
{
	assert_string_equal(got, want);
	free(got);
}

/* What bash reads back from line: the words of `printf '%s\0' WORDS...`
 * where line is "PROGRAM WORDS...", joined with '|' (a word's own bytes
 * kept).  Runs bash with the line as its script argument, so only bash
 * parses it. */
static char *bash_words(const char *line)
{
	const char *sp = strchr(line, ' ');
	struct buf script = {0};
	buf_printf(&script, "printf '%%s\\0'%s", sp ? sp : "");
	int fd[2];
	assert_int_equal(pipe(fd), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execl("/bin/bash", "bash", "--noprofile", "--norc", "-c", buf_str(&script), (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	struct buf out = {0};
	char chunk[4096];
	ssize_t n;
	while ((n = read(fd[0], chunk, sizeof chunk)) > 0)
		buf_add(&out, chunk, (size_t)n);
	close(fd[0]);
	int st;
	waitpid(pid, &st, 0);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	buf_free(&script);
	for (size_t i = 0; i + 1 < out.len; i++)
		if (out.s[i] == '\0')
			out.s[i] = '|';
	if (out.len)
		out.s[--out.len] = '\0';
	return buf_steal(&out);
}

/* The line is one line of printable ASCII. */
static void assert_printable(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		assert_true(*p >= 0x20 && *p < 0x7f);
}

/* ---- shell quoting ---- */

static void test_shquote(void **state)
{
	(void)state;
	struct buf b = {0};
	const char *const plain[] = {"aws", "--stack-name", "alice-super", "Key=k,Value=v", "1.2.3.4/32", "%", NULL};
	shquote_argv(plain, &b);
	assert_string_equal(buf_str(&b), "aws --stack-name alice-super Key=k,Value=v 1.2.3.4/32 %");
	buf_reset(&b);
	const char *const odd[] = {"", "a b", "it's", "$HOME", "`id`", "a\nb", "caf\xc3\xa9", "\\'", "*", "~", NULL};
	shquote_argv(odd, &b);
	assert_string_equal(buf_str(&b),
			    "'' 'a b' 'it'\\''s' '$HOME' '`id`' $'a\\x0ab' $'caf\\xc3\\xa9' '\\'\\''' '*' '~'");
	assert_printable(buf_str(&b));
	/* bash reads every word back byte for byte. */
	buf_reset(&b);
	buf_adds(&b, "x");
	for (size_t i = 0; odd[i]; i++) {
		buf_addc(&b, ' ');
		shquote_word(&b, odd[i]);
	}
	check(bash_words(buf_str(&b)), "|a b|it's|$HOME|`id`|a\nb|caf\xc3\xa9|\\'|*|~");
	/* Every byte but NUL, alone and in company. */
	char all[256];
	for (int i = 1; i < 256; i++)
		all[i - 1] = (char)i;
	all[255] = '\0';
	buf_reset(&b);
	buf_adds(&b, "x ");
	shquote_word(&b, all);
	assert_printable(buf_str(&b));
	char *got = bash_words(buf_str(&b));
	assert_memory_equal(got, all, 255);
	free(got);
	buf_free(&b);
}

/* ---- names ---- */

static void test_names(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{"DescribeStackEvents", "describe-stack-events"},
		{"RetainResources", "retain-resources"},
		{"TemplateURL", "template-url"},
		{"ListObjectsV2", "list-objects-v2"},
		{"GetCallerIdentity", "get-caller-identity"},
		{"DBInstanceARNs", "db-instance-arns"},
		{"AccessCIDR", "access-cidr"},
		{"S3Bucket", "s3-bucket"},
		{"HTTPSProxy", "https-proxy"},
		{"ImageId", "image-id"},
		{"describe", "describe"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct buf b = {0};
		aws_cli_name(&b, cases[i][0]);
		assert_string_equal(buf_str(&b), cases[i][1]);
		buf_free(&b);
	}
}

/* ---- CloudFormation ---- */

static void test_cfn(void **state)
{
	(void)state;
	struct buf b = {0};
	cfn_describe_stacks_body(&b, "alice-super", NULL);
	check(query_cmd("cloudformation", "DescribeStacks", &b, NULL), PREFIX
	      "describe-stacks --region us-east-2 --endpoint-url http://localhost:4566 --stack-name alice-super");
	cfn_describe_stacks_body(&b, NULL, "tok/en==");
	check(query_cmd("cloudformation", "DescribeStacks", &b, NULL),
	      PREFIX "describe-stacks --region us-east-2 --endpoint-url http://localhost:4566 --next-token tok/en==");
	cfn_describe_stack_events_body(&b, "alice-super", NULL);
	check(query_cmd("cloudformation", "DescribeStackEvents", &b, NULL),
	      PREFIX "describe-stack-events --region us-east-2 --endpoint-url http://localhost:4566 --stack-name "
		     "alice-super");
	const char *const statuses[] = {"CREATE_COMPLETE", "DELETE_FAILED"};
	cfn_list_stacks_body(&b, statuses, 2, NULL);
	check(query_cmd("cloudformation", "ListStacks", &b, NULL),
	      PREFIX "list-stacks --region us-east-2 --endpoint-url http://localhost:4566 --stack-status-filter "
		     "CREATE_COMPLETE DELETE_FAILED");
	cfn_get_template_summary_body(&b, TPL);
	check(query_cmd("cloudformation", "GetTemplateSummary", &b, NULL), PREFIX
	      "get-template-summary --region us-east-2 --endpoint-url http://localhost:4566 --template-url " TPL);
	const char *const retain[] = {"DatabaseBucket", "LogGroup"};
	cfn_delete_stack_body(&b, "alice-super", retain, 2, "relcon-teardown-1");
	check(query_cmd("cloudformation", "DeleteStack", &b, NULL),
	      PREFIX "delete-stack --region us-east-2 --endpoint-url http://localhost:4566 --stack-name alice-super "
		     "--retain-resources DatabaseBucket LogGroup --client-request-token relcon-teardown-1");
	buf_free(&b);
}

static void test_cfn_create_stack(void **state)
{
	(void)state;
	const struct query_pair params[] = {
		{"KeyPairName", "alice"},
		{"AvailabilityZones", "us-east-2a,us-east-2b,us-east-2c"},
		{"AccessCIDR", "203.0.113.7/32"},
		{"DatabasePassword", "hunter2-secret"},
	};
	const struct query_pair tags[] = {
		{"created-by", "relcon"},
		{"owner", "arn:aws:iam::123456789012:user/alice"},
		{"relcon:expires-at", "2026-11-24T20:00:00Z"},
	};
	const char *const caps[] = {"CAPABILITY_IAM"};
	struct cfn_create_stack_req req = {
		.stack_name = "alice-super",
		.template_url = TPL,
		.params = params,
		.nparams = 4,
		.capabilities = caps,
		.ncapabilities = 1,
		.tags = tags,
		.ntags = 3,
		.disable_rollback = 1,
		.timeout_minutes = 60,
		.client_request_token = "relcon-launch-0123",
	};
	struct buf b = {0};
	cfn_create_stack_body(&b, &req);
	const char *const secrets[] = {"hunter2-secret", NULL};
	char *got = query_cmd("cloudformation", "CreateStack", &b, secrets);
	assert_string_equal(got, PREFIX
			    "create-stack --region us-east-2 --endpoint-url http://localhost:4566 "
			    "--stack-name alice-super --template-url " TPL " --parameters "
			    "ParameterKey=KeyPairName,ParameterValue=alice "
			    "'ParameterKey=AvailabilityZones,ParameterValue=us-east-2a\\,us-east-2b\\,us-east-2c' "
			    "ParameterKey=AccessCIDR,ParameterValue=203.0.113.7/32 "
			    "'ParameterKey=DatabasePassword,ParameterValue=(secret)' "
			    "--capabilities CAPABILITY_IAM "
			    "--tags Key=created-by,Value=relcon "
			    "Key=owner,Value=arn:aws:iam::123456789012:user/alice "
			    "Key=relcon:expires-at,Value=2026-11-24T20:00:00Z "
			    "--disable-rollback --timeout-in-minutes 60 --client-request-token relcon-launch-0123");
	assert_null(strstr(got, "hunter2"));
	free(got);

	/* A value the shorthand cannot carry: that list is written as JSON. */
	const struct query_pair odd[] = {{"KeyPairName", "alice"}, {"Note", "it's \"quoted\" = {x}"}, {"Empty", ""}};
	req.params = odd;
	req.nparams = 3;
	req.ntags = 0;
	req.ncapabilities = 0;
	req.disable_rollback = 0;
	req.timeout_minutes = 0;
	cfn_create_stack_body(&b, &req);
	got = query_cmd("cloudformation", "CreateStack", &b, NULL);
	assert_string_equal(got,
			    PREFIX "create-stack --region us-east-2 --endpoint-url http://localhost:4566 "
				   "--stack-name alice-super --template-url " TPL " --parameters "
				   "'[{\"ParameterKey\":\"KeyPairName\",\"ParameterValue\":\"alice\"},"
				   "{\"ParameterKey\":\"Note\",\"ParameterValue\":\"it'\\''s \\\"quoted\\\" = {x}\"},"
				   "{\"ParameterKey\":\"Empty\",\"ParameterValue\":\"\"}]' "
				   "--client-request-token relcon-launch-0123");
	check(bash_words(got), "cloudformation|create-stack|--region|us-east-2|--endpoint-url|http://localhost:4566|"
			       "--stack-name|alice-super|--template-url|" TPL "|--parameters|"
			       "[{\"ParameterKey\":\"KeyPairName\",\"ParameterValue\":\"alice\"},"
			       "{\"ParameterKey\":\"Note\",\"ParameterValue\":\"it's \\\"quoted\\\" = {x}\"},"
			       "{\"ParameterKey\":\"Empty\",\"ParameterValue\":\"\"}]|"
			       "--client-request-token|relcon-launch-0123");
	free(got);
	buf_free(&b);
}

/* ---- EC2, STS ---- */

static void test_ec2_sts(void **state)
{
	(void)state;
	struct buf b = {0};
	const char *const commit[] = {"af0840d92bcd15f9f99682d5e8fcad12f6319fb8"};
	const char *const states[] = {"available", "pending"};
	const struct ec2_filter filters[] = {{"tag:Commit", commit, 1}, {"state", states, 2}};
	const char *const owners[] = {"self", "123456789012"};
	const char *const ids[] = {"ami-0123", "ami-4567"};
	struct ec2_images_req ir = {.owners = owners, .nowners = 2, .filters = filters, .nfilters = 2};
	ec2_describe_images_body(&b, &ir);
	check(query_cmd("ec2", "DescribeImages", &b, NULL),
	      "aws ec2 describe-images --region us-east-2 --endpoint-url http://localhost:4566 --owners self "
	      "123456789012 --filters Name=tag:Commit,Values=af0840d92bcd15f9f99682d5e8fcad12f6319fb8 "
	      "Name=state,Values=available,pending");
	struct ec2_images_req by_id = {.image_ids = ids, .nimage_ids = 2, .max_results = 100, .next_token = "t1"};
	ec2_describe_images_body(&b, &by_id);
	check(query_cmd("ec2", "DescribeImages", &b, NULL),
	      "aws ec2 describe-images --region us-east-2 --endpoint-url http://localhost:4566 --image-ids ami-0123 "
	      "ami-4567 --max-results 100 --next-token t1");
	ec2_describe_image_attribute_body(&b, "ami-0123", NULL);
	check(query_cmd("ec2", "DescribeImageAttribute", &b, NULL),
	      "aws ec2 describe-image-attribute --region us-east-2 --endpoint-url http://localhost:4566 --image-id "
	      "ami-0123 --attribute launchPermission");
	ec2_describe_key_pairs_body(&b, NULL, 0);
	check(query_cmd("ec2", "DescribeKeyPairs", &b, NULL),
	      "aws ec2 describe-key-pairs --region us-east-2 --endpoint-url http://localhost:4566");
	const char *const keys[] = {"alice", "bob's key"};
	ec2_describe_key_pairs_body(&b, keys, 2);
	check(query_cmd("ec2", "DescribeKeyPairs", &b, NULL),
	      "aws ec2 describe-key-pairs --region us-east-2 --endpoint-url http://localhost:4566 --key-names alice "
	      "'bob'\\''s key'");
	const char *const inst[] = {"i-1"};
	struct ec2_instances_req ins = {.instance_ids = inst, .ninstance_ids = 1};
	ec2_describe_instances_body(&b, &ins);
	check(query_cmd("ec2", "DescribeInstances", &b, NULL),
	      "aws ec2 describe-instances --region us-east-2 --endpoint-url http://localhost:4566 --instance-ids i-1");

	sts_get_caller_identity_body(&b);
	check(query_cmd("sts", "GetCallerIdentity", &b, NULL),
	      "aws sts get-caller-identity --region us-east-2 --endpoint-url http://localhost:4566");
	struct sts_assume_role_req ar = {.role_arn = "arn:aws:iam::123456789012:role/deploy",
					 .session_name = "relcon",
					 .duration_seconds = 3600,
					 .serial_number = "arn:aws:iam::123456789012:mfa/alice",
					 .token_code = "123456"};
	sts_assume_role_body(&b, &ar);
	char *got = query_cmd("sts", "AssumeRole", &b, NULL);
	assert_string_equal(got, "aws sts assume-role --region us-east-2 --endpoint-url http://localhost:4566 "
				 "--role-arn arn:aws:iam::123456789012:role/deploy --role-session-name relcon "
				 "--duration-seconds 3600 --serial-number arn:aws:iam::123456789012:mfa/alice "
				 "--token-code '(secret)'");
	assert_null(strstr(got, "123456 "));
	free(got);

	/* AWS's own endpoint: no --endpoint-url; a named profile is given. */
	struct aws_req r = {.op = "GetCallerIdentity", .service = "sts", .body = "Action=GetCallerIdentity"};
	r.body_len = strlen(r.body);
	struct buf out = {0};
	aws_cli_command(&out, &r, "eu-west-1", NULL, "release");
	assert_string_equal(buf_str(&out), "aws sts get-caller-identity --region eu-west-1 --profile release");
	buf_reset(&out);
	aws_cli_command(&out, &r, "eu-west-1", NULL, "default");
	assert_string_equal(buf_str(&out), "aws sts get-caller-identity --region eu-west-1");
	buf_free(&out);
	buf_free(&b);
}

/* ---- S3 ---- */

static void test_s3(void **state)
{
	(void)state;
	struct buf q = {0};
	struct s3_list_req lr = {.prefix = "af08/readyset/templates/", .delimiter = "/"};
	s3_list_query(&q, &lr);
	check(s3_cmd("ListObjectsV2", "readysettech-cfn-internal-us-east-2", NULL, buf_str(&q), ENDPOINT, NULL),
	      "aws s3api list-objects-v2 --region us-east-2 --endpoint-url http://localhost:4566 --bucket "
	      "readysettech-cfn-internal-us-east-2 --delimiter / --prefix af08/readyset/templates/");
	buf_reset(&q);
	struct s3_list_req more = {.prefix = "a b", .continuation_token = "1/2+3=", .max_keys = 10};
	s3_list_query(&q, &more);
	check(s3_cmd("ListObjectsV2", "b", NULL, buf_str(&q), NULL, NULL),
	      "aws s3api list-objects-v2 --region us-east-2 --bucket b --continuation-token 1/2+3= --max-keys 10 "
	      "--prefix 'a b'");
	check(s3_cmd("HeadObject", "readyset-public", "2026.11.3/readyset/templates/t.yaml", NULL, NULL, NULL),
	      "aws s3api head-object --region us-east-2 --bucket readyset-public --key "
	      "2026.11.3/readyset/templates/t.yaml");
	check(s3_cmd("GetObject", "b", "k", NULL, NULL, NULL),
	      "aws s3api get-object --region us-east-2 --bucket b --key k /dev/stdout");
	buf_free(&q);
}

/* ---- Buildkite ---- */

static void test_buildkite(void **state)
{
	(void)state;
	struct buf b = {0};
	bk_curl_command(&b, "GET",
			"https://api.buildkite.com/v2/organizations/readyset/pipelines/readyset/"
			"builds?per_page=100&branch=main",
			NULL);
	assert_string_equal(
		buf_str(&b),
		"curl -sS -H \"Authorization: Bearer $BUILDKITE_API_TOKEN\" "
		"'https://api.buildkite.com/v2/organizations/readyset/pipelines/readyset/builds?per_page=100&"
		"branch=main'");
	buf_reset(&b);
	bk_curl_command(&b, "GET", "https://api.buildkite.com/v2/organizations/readyset/pipelines/readyset/builds/4155",
			NULL);
	assert_string_equal(buf_str(&b),
			    "curl -sS -H \"Authorization: Bearer $BUILDKITE_API_TOKEN\" "
			    "https://api.buildkite.com/v2/organizations/readyset/pipelines/readyset/builds/4155");
	buf_reset(&b);
	bk_curl_command(&b, "PUT",
			"https://api.buildkite.com/v2/organizations/o/pipelines/p/builds/4155/jobs/j-1/unblock",
			"{\"fields\":{\"release-name\":\"2026.11.3\"}}");
	assert_string_equal(buf_str(&b),
			    "curl -sS -X PUT -H \"Authorization: Bearer $BUILDKITE_API_TOKEN\" -H 'Content-Type: "
			    "application/json' -d '{\"fields\":{\"release-name\":\"2026.11.3\"}}' "
			    "https://api.buildkite.com/v2/organizations/o/pipelines/p/builds/4155/jobs/j-1/unblock");
	/* The shell expands the token; bash sees the header with it. */
	setenv("BUILDKITE_API_TOKEN", "tok-123", 1);
	check(bash_words(buf_str(&b)),
	      "-sS|-X|PUT|-H|Authorization: Bearer tok-123|-H|Content-Type: application/json|-d|"
	      "{\"fields\":{\"release-name\":\"2026.11.3\"}}|"
	      "https://api.buildkite.com/v2/organizations/o/pipelines/p/builds/4155/jobs/j-1/unblock");
	/* A hostile field value stays one word. */
	buf_reset(&b);
	bk_curl_command(&b, "PUT", "https://h/u", "{\"fields\":{\"n\":\"'; rm -rf ~ `id` $(id)\\n\"}}");
	check(bash_words(buf_str(&b)), "-sS|-X|PUT|-H|Authorization: Bearer tok-123|-H|Content-Type: application/json|"
				       "-d|{\"fields\":{\"n\":\"'; rm -rf ~ `id` $(id)\\n\"}}|https://h/u");
	buf_free(&b);
}

/* ---- hostile values in AWS requests ---- */

static void test_hostile(void **state)
{
	(void)state;
	struct buf b = {0};
	const char *evil = "x'; touch /tmp/pwned; echo '$HOME `id` $(id)\nline2\x1b[31m";
	cfn_describe_stacks_body(&b, evil, NULL);
	char *got = query_cmd("cloudformation", "DescribeStacks", &b, NULL);
	assert_printable(got);
	assert_string_equal(got, PREFIX
			    "describe-stacks --region us-east-2 --endpoint-url http://localhost:4566 "
			    "--stack-name $'x\\'; touch /tmp/pwned; echo \\'$HOME `id` $(id)\\x0aline2\\x1b[31m'");
	struct buf want = {0};
	buf_printf(&want,
		   "cloudformation|describe-stacks|--region|us-east-2|--endpoint-url|http://localhost:4566|"
		   "--stack-name|%s",
		   evil);
	check(bash_words(got), buf_str(&want));
	free(got);

	/* A value that starts with '-' is given as --name=value. */
	cfn_describe_stacks_body(&b, "-rf", NULL);
	check(query_cmd("cloudformation", "DescribeStacks", &b, NULL),
	      PREFIX "describe-stacks --region us-east-2 --endpoint-url http://localhost:4566 --stack-name=-rf");

	/* Hostile parameter and tag values: JSON in one quoted word. */
	const struct query_pair params[] = {{"P", evil}};
	const struct query_pair tags[] = {{"k,=", "v"}};
	struct cfn_create_stack_req req = {.stack_name = "s",
					   .template_url = "u",
					   .params = params,
					   .nparams = 1,
					   .tags = tags,
					   .ntags = 1,
					   .client_request_token = "t"};
	cfn_create_stack_body(&b, &req);
	got = query_cmd("cloudformation", "CreateStack", &b, NULL);
	assert_printable(got);
	buf_reset(&want);
	buf_adds(&want, "cloudformation|create-stack|--region|us-east-2|--endpoint-url|http://localhost:4566|"
			"--stack-name|s|--template-url|u|--parameters|"
			"[{\"ParameterKey\":\"P\",\"ParameterValue\":\"x'; touch /tmp/pwned; echo '$HOME `id` "
			"$(id)\\u000aline2\\u001b[31m\"}]|--tags|[{\"Key\":\"k,=\",\"Value\":\"v\"}]|"
			"--client-request-token|t");
	check(bash_words(got), buf_str(&want));
	free(got);

	/* An S3 key with a quote, a space and a newline. */
	got = s3_cmd("HeadObject", "b", "it's a\nkey", NULL, NULL, NULL);
	assert_printable(got);
	check(bash_words(got), "s3api|head-object|--region|us-east-2|--bucket|b|--key|it's a\nkey");
	free(got);
	buf_free(&want);
	buf_free(&b);
}

/* ---- the log ---- */

struct seen {
	int changes;
};

static void on_change(void *ud)
{
	((struct seen *)ud)->changes++;
}

static void test_ring(void **state)
{
	(void)state;
	setenv("RELCON_NOW", "2026-11-24T12:00:00Z", 1);
	struct cmdlog *l = cmdlog_new(5);
	struct seen seen = {0};
	cmdlog_watch(l, on_change, &seen);
	for (unsigned long i = 1; i <= 12; i++) {
		char cmd[32];
		snprintf(cmd, sizeof cmd, "curl -sS http://h/%lu", i);
		struct http_event sent = {.id = 100 + i, .what = "GET h", .command = cmd};
		cmdlog_http_event(l, &sent);
	}
	assert_int_equal(cmdlog_count(l), 5);
	assert_int_equal(seen.changes, 12);
	assert_int_equal(cmdlog_at(l, 0)->seq, 12);
	assert_string_equal(cmdlog_at(l, 0)->command, "curl -sS http://h/12");
	assert_int_equal(cmdlog_at(l, 4)->seq, 8);
	assert_null(cmdlog_at(l, 5));
	assert_int_equal(cmdlog_at(l, 0)->time, 1795521600);
	assert_string_equal(cmdlog_at(l, 0)->result, "…");
	assert_false(cmdlog_at(l, 0)->done);

	/* Ends are matched by id, in any order; an evicted one is ignored. */
	struct http_event done = {.id = 110, .done = 1, .status = 200, .attempts = 2, .elapsed_ms = 17};
	cmdlog_http_event(l, &done);
	const struct cmdlog_entry *e = cmdlog_at(l, 2);
	assert_int_equal(e->seq, 10);
	assert_true(e->done && e->ok);
	assert_string_equal(e->result, "200");
	assert_int_equal(e->attempts, 2);
	assert_int_equal(e->elapsed_ms, 17);
	struct http_event fail = {.id = 112, .done = 1, .status = 0, .error = "Connection refused"};
	cmdlog_http_event(l, &fail);
	assert_string_equal(cmdlog_at(l, 0)->result, "failed");
	assert_string_equal(cmdlog_at(l, 0)->error, "Connection refused");
	struct http_event tmo = {.id = 111, .done = 1, .timed_out = 1, .error = "Operation timed out"};
	cmdlog_http_event(l, &tmo);
	assert_string_equal(cmdlog_at(l, 1)->result, "timed out");
	struct http_event nf = {.id = 109, .done = 1, .status = 404};
	cmdlog_http_event(l, &nf);
	assert_string_equal(cmdlog_at(l, 3)->result, "404");
	assert_false(cmdlog_at(l, 3)->ok);
	struct http_event old = {.id = 101, .done = 1, .status = 200};
	unsigned long v = cmdlog_version(l);
	cmdlog_http_event(l, &old);
	assert_int_equal(cmdlog_version(l), v);

	/* Actions: a start, then its outcome; one the journal refused. */
	cmdlog_action_start(l, "0123456789abcdef", "teardown", "alice-super", NULL);
	e = cmdlog_at(l, 0);
	assert_int_equal(e->kind, CMDLOG_ACTION);
	assert_string_equal(e->what, "teardown");
	assert_string_equal(e->command, "# teardown alice-super");
	assert_string_equal(e->result, "started");
	assert_false(e->done);
	cmdlog_action_end(l, "0123456789abcdef", "ok", NULL);
	assert_true(e->done && e->ok);
	assert_string_equal(e->result, "ok");
	cmdlog_action_start(l, NULL, "launch", "evil\nname", "journal: Permission denied");
	e = cmdlog_at(l, 0);
	assert_true(e->done);
	assert_false(e->ok);
	assert_string_equal(e->result, "not done");
	assert_string_equal(e->command, "# launch evil?name");
	assert_string_equal(e->error, "journal: Permission denied");

	struct buf d = {0};
	cmdlog_entry_detail(cmdlog_at(l, 4), &d);
	assert_string_equal(buf_str(&d), "time     2026-11-24T12:00:00Z\nwhat     GET h\nstatus   200 in 17 ms (2 "
					 "attempts)\ncommand  (y copies it)\ncurl -sS http://h/10");
	buf_free(&d);

	cmdlog_unwatch(l, &d); /* not the watcher: kept */
	int before = seen.changes;
	cmdlog_action_start(l, "x", "override", "abc", NULL);
	assert_int_equal(seen.changes, before + 1);
	cmdlog_unwatch(l, &seen);
	cmdlog_action_end(l, "x", "failed", "boom");
	assert_int_equal(seen.changes, before + 1);
	cmdlog_free(&l);
	assert_null(l);
	cmdlog_free(&l);
	/* A context without a log (tests that build one by hand) is fine. */
	cmdlog_action_start(NULL, "x", "launch", NULL, NULL);
	cmdlog_action_end(NULL, "x", "ok", NULL);
	unsetenv("RELCON_NOW");
}

/* core/http's observer: a request with no command of its own is a plain
 * curl of its URL, with credentials in it masked; cancelling ends it. */
static void test_http_observer(void **state)
{
	(void)state;
	struct loop *lp = loop_new();
	struct http *h = http_new(lp);
	struct cmdlog *l = cmdlog_new(0);
	http_set_observer(h, cmdlog_http_event, l);
	const char *const secrets[] = {"s3cr3t-value", NULL};
	struct http_req plain = {.url = "https://checkip.amazonaws.com/"};
	unsigned long a = http_send(h, &plain, NULL, NULL);
	struct http_req odd = {.method = "PUT",
			       .url = "http://user:pw@169.254.169.254/latest/api/token?x=s3cr3t-value&y='",
			       .secrets = secrets,
			       .headers = (const char *const[]){"X-aws-ec2-metadata-token-ttl-seconds: 21600", NULL}};
	unsigned long b = http_send(h, &odd, NULL, NULL);
	struct http_req own = {
		.method = "HEAD", .url = "http://h/", .what = "mine", .command = "aws s3api head-object"};
	unsigned long c = http_send(h, &own, NULL, NULL);
	assert_int_equal(cmdlog_count(l), 3);
	const struct cmdlog_entry *e = cmdlog_at(l, 2);
	assert_string_equal(e->what, "GET checkip.amazonaws.com");
	assert_string_equal(e->command, "curl -sS https://checkip.amazonaws.com/");
	e = cmdlog_at(l, 1);
	assert_string_equal(e->what, "PUT 169.254.169.254");
	assert_string_equal(e->command, "curl -sS -X PUT 'http://(secret)@169.254.169.254/latest/api/"
					"token?x=(secret)&y='\\'''  # headers not shown");
	assert_null(strstr(e->command, "s3cr3t"));
	assert_null(strstr(e->command, "pw"));
	e = cmdlog_at(l, 0);
	assert_string_equal(e->what, "mine");
	assert_string_equal(e->command, "aws s3api head-object");
	http_cancel(h, b);
	e = cmdlog_at(l, 1);
	assert_true(e->done);
	assert_string_equal(e->result, "cancelled");
	http_cancel(h, a);
	http_cancel(h, c);
	http_free(&h);
	loop_free(&lp);
	cmdlog_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shquote),          cmocka_unit_test(test_names),   cmocka_unit_test(test_cfn),
		cmocka_unit_test(test_cfn_create_stack), cmocka_unit_test(test_ec2_sts), cmocka_unit_test(test_s3),
		cmocka_unit_test(test_buildkite),        cmocka_unit_test(test_hostile), cmocka_unit_test(test_ring),
		cmocka_unit_test(test_http_observer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
