/* Unit tests for what a watched stack shows (release/watch.c): busy
 * statuses, progress across nested stacks for create and delete, the first
 * failure of the current operation (not an older one, not a consequence);
 * and the launch plan's pure parts (release/launch.c): TTL parsing and
 * every check that stops a launch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "release/launch.h"
#include "release/watch.h"

#define ROOT_ID   "arn:aws:cloudformation:us-east-2:123456789012:stack/alice-super/1"
#define NESTED_ID "arn:aws:cloudformation:us-east-2:123456789012:stack/alice-super-Srv-X/2"

static void test_busy(void **state)
{
	(void)state;
	assert_true(stack_status_busy("CREATE_IN_PROGRESS"));
	assert_true(stack_status_busy("ROLLBACK_IN_PROGRESS"));
	assert_true(stack_status_busy("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"));
	assert_true(stack_status_busy("DELETE_IN_PROGRESS"));
	assert_false(stack_status_busy("CREATE_COMPLETE"));
	assert_false(stack_status_busy("CREATE_FAILED"));
	assert_false(stack_status_busy("DELETE_FAILED"));
	assert_false(stack_status_busy(NULL));
}

static struct cfn_resource res(const char *id, const char *status)
{
	return (struct cfn_resource){.logical_id = (char *)id, .status = (char *)status};
}

static void test_progress(void **state)
{
	(void)state;
	struct cfn_resource r[] = {
		res("BastionStack", "CREATE_COMPLETE"), res("ServerStack", "CREATE_IN_PROGRESS"),
		res("Vpc", "CREATE_COMPLETE"),         /* in BastionStack */
		res("Instance", "CREATE_IN_PROGRESS"), /* in ServerStack */
		res("Role", "CREATE_COMPLETE"),        /* in ServerStack */
	};
	struct stack_detail d = {.have_root = 1, .resources = r, .nresources = 5};
	d.root.status = (char *)"CREATE_IN_PROGRESS";
	size_t done, total;
	stack_progress(&d, &done, &total);
	assert_int_equal(total, 5);
	assert_int_equal(done, 3);
	/* Deleting: what is deleted counts, what is still complete does not. */
	d.root.status = (char *)"DELETE_IN_PROGRESS";
	r[0].status = (char *)"DELETE_COMPLETE";
	r[2].status = (char *)"DELETE_COMPLETE";
	r[3].status = (char *)"DELETE_IN_PROGRESS";
	stack_progress(&d, &done, &total);
	assert_int_equal(done, 2);
	assert_int_equal(total, 5);
	/* A rollback is a deletion of what was made. */
	d.root.status = (char *)"ROLLBACK_IN_PROGRESS";
	stack_progress(&d, &done, &total);
	assert_int_equal(done, 2);
	stack_progress(NULL, &done, &total);
	assert_int_equal(total, 0);
}

static struct cfn_event ev(const char *id, const char *stack_id, const char *logical, const char *type,
			   const char *status, const char *reason)
{
	return (struct cfn_event){
		.event_id = (char *)id,
		.stack_id = (char *)stack_id,
		.stack_name = (char *)"alice-super",
		.logical_id = (char *)logical,
		.physical_id = (char *)(strcmp(logical, "alice-super") ? "" : ROOT_ID),
		.resource_type = (char *)type,
		.status = (char *)status,
		.status_reason = (char *)reason,
	};
}

static void test_first_failure(void **state)
{
	(void)state;
	/* Newest first, as DescribeStackEvents sends them (nested merged in). */
	struct cfn_event e[] = {
		ev("9", ROOT_ID, "alice-super", "AWS::CloudFormation::Stack", "CREATE_FAILED",
		   "The following resource(s) failed to create: [ServerStack]"),
		ev("8", ROOT_ID, "ServerStack", "AWS::CloudFormation::Stack", "CREATE_FAILED",
		   "Embedded stack was not successfully created"),
		ev("7", NESTED_ID, "Role", "AWS::IAM::Role", "CREATE_FAILED", "Resource creation cancelled"),
		ev("6", NESTED_ID, "Instance", "AWS::EC2::Instance", "CREATE_FAILED",
		   "We currently do not have sufficient capacity"),
		ev("5", NESTED_ID, "Instance", "AWS::EC2::Instance", "CREATE_IN_PROGRESS", NULL),
		ev("4", ROOT_ID, "alice-super", "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS", "User Initiated"),
		/* An earlier operation's failure: not this one's. */
		ev("3", ROOT_ID, "Old", "AWS::EC2::VPC", "CREATE_FAILED", "an older failure"),
	};
	struct stack_detail d = {.have_root = 1, .events = e, .nevents = 7};
	d.root.id = (char *)ROOT_ID;
	d.root.name = (char *)"alice-super";
	d.root.status = (char *)"CREATE_FAILED";
	const struct cfn_event *f = stack_first_failure(&d);
	assert_non_null(f);
	assert_string_equal(f->event_id, "6");
	assert_string_equal(f->logical_id, "Instance");
	/* Nothing failed yet in this operation. */
	d.events = e + 4;
	d.nevents = 3;
	assert_null(stack_first_failure(&d));
	/* Without the operation's start in the events read, the oldest failure seen. */
	d.events = e;
	d.nevents = 4;
	assert_string_equal(stack_first_failure(&d)->event_id, "6");
	assert_null(stack_first_failure(NULL));
}

static void test_ttl(void **state)
{
	(void)state;
	assert_int_equal(launch_parse_ttl("8h"), 8 * 3600);
	assert_int_equal(launch_parse_ttl("90m"), 90 * 60);
	assert_int_equal(launch_parse_ttl("2d"), 2 * 86400);
	assert_int_equal(launch_parse_ttl("3600s"), 3600);
	assert_int_equal(launch_parse_ttl("3600"), 3600);
	assert_int_equal(launch_parse_ttl("30d"), 30 * 86400);
	assert_int_equal(launch_parse_ttl("31d"), -1);
	assert_int_equal(launch_parse_ttl("5m"), -1); /* under 10 minutes */
	assert_int_equal(launch_parse_ttl("0h"), -1);
	assert_int_equal(launch_parse_ttl("-1h"), -1);
	assert_int_equal(launch_parse_ttl("8 h"), -1);
	assert_int_equal(launch_parse_ttl("8hours"), -1);
	assert_int_equal(launch_parse_ttl(""), -1);
	assert_int_equal(launch_parse_ttl(NULL), -1);
	assert_int_equal(launch_parse_ttl("99999999999999999999h"), -1);
}

static void test_check(void **state)
{
	(void)state;
	char *keys[] = {(char *)"alice", (char *)"bob"};
	char *allowed[] = {(char *)"t3.large", (char *)"t3.xlarge"};
	struct launch_param params[] = {
		{.key = (char *)"KeyPairName", .value = (char *)"alice"},
		{.key = (char *)"AccessCIDR", .value = (char *)"203.0.113.7/32"},
		{.key = (char *)"InstanceType", .value = (char *)"t3.large", .allowed = allowed, .nallowed = 2},
	};
	struct launch_plan p = {
		.state = FETCH_DONE,
		.region = (char *)"us-east-2",
		.stack_name = (char *)"alice-super",
		.params = params,
		.nparams = 3,
		.key_pairs = keys,
		.nkey_pairs = 2,
		.key_param = (char *)"KeyPairName",
	};
	struct buf why = {0};
	assert_int_equal(launch_check(&p, 0, &why), 0);
	assert_int_equal(why.len, 0);
	/* Read-only refuses, whatever the plan. */
	assert_int_equal(launch_check(&p, 1, &why), -1);
	assert_non_null(strstr(buf_str(&why), "read-only"));
	buf_reset(&why);
	/* Each problem on its own line. */
	p.stack_name = (char *)"9-lives";
	params[0].value = (char *)"carol";
	params[1].value = (char *)"203.0.113.7";
	params[2].value = (char *)"m5.24xlarge";
	assert_int_equal(launch_check(&p, 0, &why), -1);
	const char *w = buf_str(&why);
	assert_non_null(strstr(w, "stack name \"9-lives\""));
	assert_non_null(strstr(w, "key pair \"carol\" does not exist in us-east-2 (alice, bob)"));
	assert_non_null(strstr(w, "AccessCIDR: \"203.0.113.7\" is not an IPv4 CIDR block"));
	assert_non_null(strstr(w, "InstanceType: \"m5.24xlarge\" is not one of its allowed values"));
	int lines = 1;
	for (const char *c = w; *c; c++)
		lines += *c == '\n';
	assert_int_equal(lines, 4);
	buf_reset(&why);
	/* A missing value says why when relcon could not work it out. */
	p.stack_name = (char *)"alice-super";
	params[0].value = (char *)"alice";
	params[1].value = NULL;
	params[2].value = (char *)"t3.large";
	p.operator_ip_error = (char *)"https://checkip.amazonaws.com: Could not resolve host";
	assert_int_equal(launch_check(&p, 0, &why), -1);
	assert_non_null(strstr(buf_str(&why), "AccessCIDR: no value (your public IP is unknown: "));
	buf_reset(&why);
	/* A plan that failed to be made is not launched. */
	p.state = FETCH_FAILED;
	p.error = (char *)"the template could not be read";
	assert_int_equal(launch_check(&p, 0, &why), -1);
	assert_non_null(strstr(buf_str(&why), "the template could not be read"));
	buf_free(&why);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_busy), cmocka_unit_test(test_progress), cmocka_unit_test(test_first_failure),
		cmocka_unit_test(test_ttl),  cmocka_unit_test(test_check),
	};
	return cmocka_run_group_tests_name("watch and launch", tests, NULL, NULL);
}
