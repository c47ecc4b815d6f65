/* Unit tests for the promotion plan (release/promote.c): the guards that
 * refuse outright (read-only, no such step on this branch, already
 * unblocked, not unblockable yet, a bad, existing or used release name),
 * the preflight checklist (AMI build, smoke test, AMIs in every region,
 * internal templates, launch permissions: pass, FAIL, unknown) and the plan
 * (public URLs under alpha/<COMMIT>/ or <RELEASE>/, launching accounts). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buildkite/model.h"
#include "core/config.h"
#include "release/artifact.h"
#include "release/lineage.h"
#include "release/promote.h"
#include "release/releases.h"

/* The fixtures point the model's (char *) members at string literals;
 * nothing writes through them and nothing frees them. */
#pragma GCC diagnostic ignored "-Wdiscarded-qualifiers"

#define COMMIT "af0840d92bcd15f9f99682d5e8fcad12f6319fb8"

static struct config cfg;

static int setup(void **state)
{
	(void)state;
	config_defaults(&cfg);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	config_free(&cfg);
	return 0;
}

/* A build as the pipeline makes it: Build AMIs unblocked, its two jobs,
 * then the gate (alpha or release) blocked and unblockable, then Deploy. */
static struct bk_job jobs[8];
static struct bk_build build;
static char *meta_keys[1], *meta_values[1];

static void make_build(const char *branch, const char *amis_state, const char *smoke_state)
{
	int main_branch = !strcmp(branch, "main");
	memset(jobs, 0, sizeof jobs);
	jobs[0] = (struct bk_job){.id = "j0", .type = BK_JOB_SCRIPT, .name = "Test", .state = "passed"};
	jobs[1] = (struct bk_job){.id = "j1",
				  .type = BK_JOB_MANUAL,
				  .name = "Build AMIs and CloudFormation templates",
				  .label = "Build AMIs and CloudFormation templates",
				  .state = "unblocked",
				  .unblocked_by = "Alice"};
	jobs[2] = (struct bk_job){.id = "j2", .type = BK_JOB_SCRIPT, .name = "Build AMIs", .state = (char *)amis_state};
	jobs[3] = (struct bk_job){.id = "j3",
				  .type = BK_JOB_SCRIPT,
				  .name = ":fire: Smoke test CloudFormation templates",
				  .state = (char *)smoke_state};
	jobs[4] = (struct bk_job){.id = "j4", .type = BK_JOB_WAITER};
	const char *gate = main_branch ? "Deploy AMIs and CloudFormation as release"
				       : "Deploy AMIs and CloudFormation as alpha release";
	jobs[5] = (struct bk_job){.id = "gate",
				  .type = BK_JOB_MANUAL,
				  .name = (char *)gate,
				  .label = (char *)gate,
				  .state = "blocked",
				  .unblockable = 1};
	jobs[6] = (struct bk_job){.id = "j6", .type = BK_JOB_SCRIPT, .name = "Deploy", .state = "waiting"};
	build = (struct bk_build){.number = 4155,
				  .commit = COMMIT,
				  .branch = (char *)branch,
				  .message = "Ship it\nmore",
				  .jobs = jobs,
				  .njobs = 7};
}

/* The lineage: an AMI per destination region, two internal templates, the
 * expected accounts; each AMI launchable by exactly them. */
static struct artifact amis[3];
static char *expected[] = {"111122223333", "444455556666"};
static char *access[] = {"111122223333", "444455556666"};
static struct lineage_template templates[2];
static struct lineage lineage;

static void make_lineage(void)
{
	static const char *const regions[] = {"us-east-1", "us-east-2", "us-west-2"};
	memset(&lineage, 0, sizeof lineage);
	for (int i = 0; i < 3; i++)
		amis[i] = (struct artifact){.id = "ami-1",
					    .location = (char *)regions[i],
					    .state = "available",
					    .access_known = 1,
					    .access = access,
					    .naccess = 2};
	lineage.kinds[0] = (struct lineage_kind){.kind = artifact_kinds()[0], .state = FETCH_DONE, .v = amis, .n = 3};
	lineage.nkinds = 1;
	templates[0] = (struct lineage_template){.name = "readyset-mysql-super-template.yaml"};
	templates[1] = (struct lineage_template){.name = "readyset-template.yaml"};
	lineage.stages[STAGE_INTERNAL] = (struct lineage_stage){.state = FETCH_DONE,
								.bucket = "readysettech-cfn-internal-us-east-2",
								.prefix = COMMIT "/readyset/templates/",
								.v = templates,
								.n = 2};
	lineage.expected_state = FETCH_DONE;
	lineage.expected = expected;
	lineage.nexpected = 2;
}

static void plan(struct promote_plan *p, enum promote_kind kind, const char *name, const struct published_list *pub,
		 const struct bk_build *recent, size_t nrecent, int read_only)
{
	memset(p, 0, sizeof *p);
	p->kind = kind;
	p->release_name = name ? strdup(name) : NULL;
	promote_evaluate(p, &build, kind == PROMOTE_BUILD_AMIS ? NULL : &lineage, pub, recent, nrecent, &cfg, NULL,
			 read_only);
}

static const struct promote_check *check_named(const struct promote_plan *p, const char *prefix)
{
	for (size_t i = 0; i < p->nchecks; i++)
		if (!strncmp(p->checks[i].name, prefix, strlen(prefix)))
			return &p->checks[i];
	return NULL;
}

static void test_alpha_all_good(void **state)
{
	(void)state;
	make_build("fix/replication-lag", "passed", "passed");
	make_lineage();
	struct promote_plan p;
	plan(&p, PROMOTE_ALPHA, NULL, NULL, NULL, 0, 0);
	assert_null(p.refused);
	assert_int_equal(p.nchecks, 5);
	assert_int_equal(p.failing, 0);
	for (size_t i = 0; i < p.nchecks; i++)
		assert_int_equal(p.checks[i].state, CHECK_PASS);
	assert_string_equal(p.job_id, "gate");
	assert_int_equal(p.nurls, 2);
	assert_string_equal(p.url_keys[0], "alpha/" COMMIT "/readyset/templates/readyset-mysql-super-template.yaml");
	assert_string_equal(p.url_keys[1], "alpha/" COMMIT "/readyset/templates/readyset-template.yaml");
	assert_int_equal(p.naccounts, 2);
	assert_string_equal(p.accounts[1], "444455556666");
	struct buf text = {0};
	promote_describe(&p, &text);
	assert_non_null(strstr(buf_str(&text), "pass    AMI build step passed"));
	assert_non_null(strstr(buf_str(&text), "Launchable by 111122223333 444455556666"));
	assert_null(strstr(buf_str(&text), "more")); /* the message's first line only */
	buf_free(&text);
	promote_plan_free(&p);
}

static void test_checks_fail_and_unknown(void **state)
{
	(void)state;
	make_build("feat/x", "passed", "failed");
	make_lineage();
	/* One region's AMI is still pending; another is public and lacks an account. */
	amis[2].state = "pending";
	static char *one[] = {"111122223333", "999988887777"};
	amis[0].access = one;
	amis[0].is_public = 1;
	lineage.stages[STAGE_INTERNAL].n = 0;
	struct promote_plan p;
	plan(&p, PROMOTE_ALPHA, NULL, NULL, NULL, 0, 0);
	assert_null(p.refused); /* checks are not guards: an override may pass them */
	assert_int_equal(check_named(&p, "AMI build")->state, CHECK_PASS);
	assert_int_equal(check_named(&p, "smoke")->state, CHECK_FAIL);
	assert_non_null(strstr(check_named(&p, "smoke")->detail, "failed"));
	assert_int_equal(check_named(&p, "AMIs available")->state, CHECK_FAIL);
	assert_string_equal(check_named(&p, "AMIs available")->detail, "none available in us-west-2");
	assert_int_equal(check_named(&p, "internal templates")->state, CHECK_FAIL);
	const struct promote_check *c = check_named(&p, "launch permissions");
	assert_int_equal(c->state, CHECK_FAIL);
	assert_non_null(strstr(c->detail, "us-east-1 ami-1: missing 444455556666 extra 999988887777 PUBLIC"));
	assert_int_equal(p.failing, 4);
	promote_plan_free(&p);
	/* Not read: unknown, which needs an override too. */
	make_lineage();
	lineage.kinds[0].state = FETCH_FAILED;
	lineage.kinds[0].error = "DescribeImages in us-east-1: throttled";
	lineage.expected_state = FETCH_FAILED;
	lineage.expected_error = "locals.pkr.hcl: No such file";
	make_build("feat/x", "running", "waiting");
	plan(&p, PROMOTE_ALPHA, NULL, NULL, NULL, 0, 0);
	assert_int_equal(check_named(&p, "AMI build")->state, CHECK_UNKNOWN);
	assert_int_equal(check_named(&p, "AMIs available")->state, CHECK_UNKNOWN);
	assert_int_equal(check_named(&p, "launch permissions")->state, CHECK_UNKNOWN);
	assert_int_equal(p.failing, 4);
	promote_plan_free(&p);
	/* The AMI step never unblocked: a failure, named. */
	make_lineage();
	make_build("feat/x", "waiting", "waiting");
	jobs[1].state = "blocked";
	jobs[1].unblocked_by = NULL;
	plan(&p, PROMOTE_ALPHA, NULL, NULL, NULL, 0, 0);
	assert_int_equal(check_named(&p, "AMI build")->state, CHECK_FAIL);
	assert_non_null(strstr(check_named(&p, "AMI build")->detail, "never unblocked"));
	promote_plan_free(&p);
}

static void test_guards(void **state)
{
	(void)state;
	struct promote_plan p;
	make_lineage();
	/* A branch build has no release step. */
	make_build("feat/x", "passed", "passed");
	plan(&p, PROMOTE_RELEASE, "2026.11.3", NULL, NULL, 0, 0);
	assert_non_null(p.refused);
	assert_non_null(strstr(p.refused, "only builds of main"));
	promote_plan_free(&p);
	/* A main build has no alpha step. */
	make_build("main", "passed", "passed");
	plan(&p, PROMOTE_ALPHA, NULL, NULL, NULL, 0, 0);
	assert_non_null(strstr(p.refused, "no \"Deploy AMIs and CloudFormation as alpha release\" step"));
	promote_plan_free(&p);
	/* Already unblocked: who and when. */
	make_build("feat/x", "passed", "passed");
	jobs[5].state = "unblocked";
	jobs[5].unblocked_by = "Bob Builder";
	jobs[5].unblocked_at = "2026-11-24T10:00:00Z";
	jobs[5].unblockable = 0;
	plan(&p, PROMOTE_ALPHA, NULL, NULL, NULL, 0, 0);
	assert_non_null(strstr(p.refused, "already unblocked by Bob Builder at 2026-11-24T10:00:00Z"));
	promote_plan_free(&p);
	/* Not yet unblockable. */
	make_build("feat/x", "passed", "running");
	jobs[5].unblockable = 0;
	plan(&p, PROMOTE_ALPHA, NULL, NULL, NULL, 0, 0);
	assert_non_null(strstr(p.refused, "cannot be unblocked yet"));
	promote_plan_free(&p);
	/* Read-only refuses everything, the AMI build too. */
	make_build("feat/x", "passed", "passed");
	jobs[1].state = "blocked";
	jobs[1].unblocked_by = NULL;
	jobs[1].unblockable = 1;
	plan(&p, PROMOTE_BUILD_AMIS, NULL, NULL, NULL, 0, 1);
	assert_non_null(strstr(p.refused, "read-only"));
	assert_int_equal(p.nchecks, 0);
	promote_plan_free(&p);
	plan(&p, PROMOTE_BUILD_AMIS, NULL, NULL, NULL, 0, 0);
	assert_null(p.refused);
	assert_string_equal(p.job_id, "j1");
	promote_plan_free(&p);
}

static void test_release_names(void **state)
{
	(void)state;
	static const char *const good[] = {"2026.11.3", "2026.12.0", "1.8.0-rc1", "2026.11.10"};
	static const char *const bad[] = {"",   "2026/11.3", "2026.11.3 ", "alpha",      "2026.11.3-ALPHA",
					  "..", "next",      "2026.11",    "v2026.11.3", "2026.11.3\n"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		char *why = promote_check_release_name(good[i], &cfg);
		if (why)
			fail_msg("%s: %s", good[i], why);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *why = promote_check_release_name(bad[i], &cfg);
		if (!why)
			fail_msg("\"%s\" was accepted", bad[i]);
		free(why);
	}
	char *why = promote_check_release_name("alpha-1", &cfg);
	assert_non_null(strstr(why, "reserved for alpha releases"));
	free(why);
}

static void test_release_name_taken(void **state)
{
	(void)state;
	make_build("main", "passed", "passed");
	make_lineage();
	struct published pubv[2] = {
		{.alpha = 1, .name = COMMIT, .prefix = "alpha/" COMMIT "/readyset/templates/"},
		{.alpha = 0, .name = "2026.11.2", .prefix = "2026.11.2/readyset/templates/"},
	};
	struct published_list pub = {
		.state = FETCH_DONE, .bucket = "readysettech-cfn-public-us-east-2", .v = pubv, .n = 2};
	struct promote_plan p;
	plan(&p, PROMOTE_RELEASE, "2026.11.3", &pub, NULL, 0, 0);
	assert_null(p.refused);
	assert_int_equal(p.failing, 0);
	assert_string_equal(p.url_keys[0], "2026.11.3/readyset/templates/readyset-mysql-super-template.yaml");
	promote_plan_free(&p);
	plan(&p, PROMOTE_RELEASE, "2026.11.2", &pub, NULL, 0, 0);
	assert_non_null(strstr(p.refused, "release 2026.11.2 already exists"));
	promote_plan_free(&p);
	/* Another build took the name but its deploy never wrote anything. */
	meta_keys[0] = "release-name";
	meta_values[0] = "2026.11.3";
	struct bk_build other = {.number = 4150, .meta_keys = meta_keys, .meta_values = meta_values, .nmeta = 1};
	plan(&p, PROMOTE_RELEASE, "2026.11.3", &pub, &other, 1, 0);
	assert_non_null(strstr(p.refused, "build #4150 already used the release name 2026.11.3"));
	promote_plan_free(&p);
	/* The bucket could not be listed: the name cannot be known to be free. */
	pub.state = FETCH_FAILED;
	pub.error = "AccessDenied";
	plan(&p, PROMOTE_RELEASE, "2026.11.3", &pub, NULL, 0, 0);
	assert_non_null(strstr(p.refused, "could not be listed"));
	promote_plan_free(&p);
	/* A bad name is refused before anything else is looked at. */
	plan(&p, PROMOTE_RELEASE, "alpha", NULL, NULL, 0, 0);
	assert_non_null(strstr(p.refused, "reserved"));
	promote_plan_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alpha_all_good),
		cmocka_unit_test(test_checks_fail_and_unknown),
		cmocka_unit_test(test_guards),
		cmocka_unit_test(test_release_names),
		cmocka_unit_test(test_release_name_taken),
	};
	return cmocka_run_group_tests_name("promote", tests, setup, teardown);
}
