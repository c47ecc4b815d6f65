/* release/pipeline: block steps found by label (emoji shortcodes, case and
 * spacing ignored), state classes, activity; release/store's refresh policy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/config.h"
#include "release/pipeline.h"
#include "release/store.h"

/* Test fixtures point char * fields at literals; nothing writes them. */
#define S(x) ((char *)(x))

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

static void labels_match_loosely(void **state)
{
	(void)state;
	assert_true(pipeline_label_matches("Build AMIs and CloudFormation templates",
					   "Build AMIs and CloudFormation templates"));
	assert_true(pipeline_label_matches(":rocket: Build  AMIs and cloudformation templates ",
					   "Build AMIs and CloudFormation templates"));
	assert_false(pipeline_label_matches("Deploy AMIs and CloudFormation as alpha release",
					    "Deploy AMIs and CloudFormation as release"));
	assert_false(pipeline_label_matches(NULL, "x"));
	/* A colon that is not a shortcode stays. */
	assert_false(pipeline_label_matches("Build: AMIs", "Build AMIs"));
}

static void finds_the_three_steps(void **state)
{
	(void)state;
	struct bk_job jobs[4];
	memset(jobs, 0, sizeof jobs);
	jobs[0] = (struct bk_job){.type = BK_JOB_SCRIPT, .name = S("Build AMIs and CloudFormation templates")};
	jobs[1] = (struct bk_job){.type = BK_JOB_MANUAL,
				  .label = S(":package: Build AMIs and CloudFormation templates"),
				  .state = S("unblocked")};
	jobs[2] = (struct bk_job){.type = BK_JOB_MANUAL,
				  .label = S("Deploy AMIs and CloudFormation as release"),
				  .state = S("blocked"),
				  .unblockable = 1};
	jobs[3] = (struct bk_job){.type = BK_JOB_WAITER};
	struct bk_build b = {.jobs = jobs, .njobs = 4};
	/* The script job of the same name is not the block step. */
	assert_ptr_equal(pipeline_step(&b, STEP_BUILD_AMIS, &cfg), &jobs[1]);
	assert_ptr_equal(pipeline_step(&b, STEP_RELEASE, &cfg), &jobs[2]);
	assert_null(pipeline_step(&b, STEP_ALPHA, &cfg));
	assert_string_equal(step_kind_key(STEP_BUILD_AMIS), "build_amis");
	assert_string_equal(step_kind_key(STEP_ALPHA), "alpha");
	assert_string_equal(step_kind_key(STEP_RELEASE), "release");
}

static void state_classes(void **state)
{
	(void)state;
	assert_int_equal(pipeline_state_class("passed"), STATE_CLASS_PASSED);
	assert_int_equal(pipeline_state_class("failed"), STATE_CLASS_FAILED);
	assert_int_equal(pipeline_state_class("blocked"), STATE_CLASS_BLOCKED);
	assert_int_equal(pipeline_state_class("unblocked"), STATE_CLASS_UNBLOCKED);
	assert_int_equal(pipeline_state_class("running"), STATE_CLASS_RUNNING);
	assert_int_equal(pipeline_state_class("scheduled"), STATE_CLASS_PENDING);
	assert_int_equal(pipeline_state_class("canceled"), STATE_CLASS_CANCELED);
	assert_int_equal(pipeline_state_class("bogus"), STATE_CLASS_OTHER);
	assert_int_equal(pipeline_state_class(NULL), STATE_CLASS_OTHER);
}

static void activity(void **state)
{
	(void)state;
	struct bk_job running = {.type = BK_JOB_SCRIPT, .state = S("running")};
	struct bk_build passed_with_running_job = {.state = S("passed"), .jobs = &running, .njobs = 1};
	struct bk_build idle = {.state = S("passed"), .blocked = 1};
	struct bk_build sched = {.state = S("scheduled")};
	assert_true(pipeline_build_active(&passed_with_running_job));
	assert_false(pipeline_build_active(&idle));
	assert_true(pipeline_build_active(&sched));
}

static void refresh_policy(void **state)
{
	(void)state;
	struct bk_ratelimit unknown = {0};
	cfg.refresh_active = 10;
	cfg.refresh_idle = 60;
	cfg.refresh_budget_pct = 10;
	assert_int_equal(refresh_delay_ms(1, 1, &unknown, &cfg), 10000);
	assert_int_equal(refresh_delay_ms(0, 1, &unknown, &cfg), 60000);
	/* 200/min org limit, 10 %: 20 requests a minute; 5 pages -> every 15 s. */
	struct bk_ratelimit rl = {.known = 1,
				  .remaining = 150,
				  .limit = 200,
				  .reset = 30,
				  .user_remaining = -1,
				  .user_limit = -1,
				  .user_reset = -1};
	assert_int_equal(refresh_delay_ms(1, 1, &rl, &cfg), 10000);
	assert_int_equal(refresh_delay_ms(1, 5, &rl, &cfg), 15000);
	/* The smaller per-user limit governs: 50/min -> 5 a minute -> 12 s per page. */
	rl.user_limit = 50;
	rl.user_remaining = 40;
	rl.user_reset = 30;
	assert_int_equal(refresh_delay_ms(1, 1, &rl, &cfg), 12000);
	/* Fewer than a tenth left: wait for the window to reset. */
	rl.user_remaining = 3;
	rl.user_reset = 45;
	assert_int_equal(refresh_delay_ms(1, 1, &rl, &cfg), 45000);
	/* Idle cadence already longer than the reset: keep it. */
	assert_int_equal(refresh_delay_ms(0, 1, &rl, &cfg), 60000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(labels_match_loosely), cmocka_unit_test(finds_the_three_steps),
		cmocka_unit_test(state_classes),        cmocka_unit_test(activity),
		cmocka_unit_test(refresh_policy),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
