/* buildkite/client against the sandbox's Buildkite simulator (started by
 * this test on a free port): pagination by Link header, rate-limit headers,
 * getting a build, and unblocking block steps with and without fields,
 * including the refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "buildkite/client.h"
#include "core/config.h"
#include "core/http.h"
#include "core/loop.h"
#include "release/pipeline.h"

static char state_dir[] = "/tmp/relcon-bk-test.XXXXXX";
static char endpoint[128];
static struct config cfg;
static struct loop *loop;
static struct http *http;
static struct bk_client *bk;

static int start_sandbox(void **state)
{
	(void)state;
	if (!mkdtemp(state_dir))
		return -1;
	char cmd[512];
	snprintf(cmd, sizeof cmd, "sh sandbox/ctl.sh start %s --now 2026-11-24T12:00:00Z", state_dir);
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	char line[256];
	while (fgets(line, sizeof line, p))
		if (!strncmp(line, "RELCON_BUILDKITE_ENDPOINT=", 26))
			snprintf(endpoint, sizeof endpoint, "%.*s", (int)strcspn(line + 26, "\n"), line + 26);
	if (pclose(p) != 0 || !*endpoint) {
		fprintf(stderr, "test_bk_client: the sandbox did not start (run from the repository root)\n");
		return -1;
	}
	config_defaults(&cfg);
	loop = loop_new();
	http = http_new(loop);
	struct bk_settings s = {.endpoint = endpoint,
				.organization = (char *)"readyset",
				.pipeline = (char *)"readyset",
				.token = (char *)"sandbox-token",
				.token_source = (char *)"test",
				.endpoint_source = (char *)"test"};
	bk = bk_client_new(http, &s);
	return 0;
}

static int stop_sandbox(void **state)
{
	(void)state;
	bk_client_free(&bk);
	http_free(&http);
	loop_free(&loop);
	config_free(&cfg);
	char cmd[512];
	snprintf(cmd, sizeof cmd, "sh sandbox/ctl.sh stop %s >/dev/null 2>&1; rm -rf %s", state_dir, state_dir);
	return system(cmd) == 0 ? 0 : -1;
}

struct got {
	int done;
	long status;
	char message[256];
	struct bk_build *builds;
	size_t n;
	struct bk_build *build;
	struct bk_job *job;
};

static void note_error(struct got *g, const struct bk_error *err)
{
	g->done = 1;
	if (err) {
		g->status = err->status;
		snprintf(g->message, sizeof g->message, "%s", err->message);
	}
}

static void on_builds(void *ud, const struct bk_error *err, struct bk_build *b, size_t n)
{
	struct got *g = ud;
	note_error(g, err);
	g->builds = b;
	g->n = n;
}

static void on_build(void *ud, const struct bk_error *err, struct bk_build *b)
{
	struct got *g = ud;
	note_error(g, err);
	g->build = b;
}

static void on_job(void *ud, const struct bk_error *err, struct bk_job *j)
{
	struct got *g = ud;
	note_error(g, err);
	g->job = j;
}

static void wait_for(struct got *g)
{
	while (!g->done)
		loop_run_once(loop, 10000);
}

static struct bk_build *get_build(long number)
{
	struct got g = {0};
	bk_get_build(bk, number, on_build, &g);
	wait_for(&g);
	assert_non_null(g.build);
	return g.build;
}

static void free_build(struct bk_build *b)
{
	bk_build_free(b);
	free(b);
}

static struct got unblock(long number, const char *job_id, const char *const *fields)
{
	struct got g = {0};
	bk_unblock(bk, number, job_id, fields, on_job, &g);
	wait_for(&g);
	return g;
}

static void lists_across_pages(void **state)
{
	(void)state;
	unsigned long before = bk_client_requests(bk);
	struct got g = {0};
	struct bk_query q = {.limit = 12, .per_page = 5};
	bk_list_builds(bk, &q, on_builds, &g);
	wait_for(&g);
	assert_int_equal(g.status, 0);
	assert_int_equal(g.n, 12);
	assert_int_equal(bk_client_requests(bk) - before, 3);
	for (size_t i = 1; i < g.n; i++)
		assert_true(g.builds[i - 1].number > g.builds[i].number); /* newest first */
	const struct bk_ratelimit *rl = bk_client_ratelimit(bk);
	assert_true(rl->known);
	assert_true(rl->limit > 0);
	assert_true(rl->remaining >= 0 && rl->remaining < rl->limit);
	bk_builds_free(&g.builds, g.n);

	/* Branch filter. */
	struct got m = {0};
	struct bk_query qm = {.limit = 30, .branch = "main"};
	bk_list_builds(bk, &qm, on_builds, &m);
	wait_for(&m);
	assert_true(m.n > 0);
	for (size_t i = 0; i < m.n; i++)
		assert_string_equal(m.builds[i].branch, "main");
	bk_builds_free(&m.builds, m.n);
}

static void missing_build_is_404(void **state)
{
	(void)state;
	struct got g = {0};
	bk_get_build(bk, 99999, on_build, &g);
	wait_for(&g);
	assert_int_equal(g.status, 404);
	assert_null(g.build);
	assert_non_null(strstr(g.message, "No build found"));
}

/* The first build whose step k is blocked and unblockable, on branch main or not. */
static long find_ready(enum step_kind k, int on_main)
{
	struct got g = {0};
	struct bk_query q = {.limit = 100};
	bk_list_builds(bk, &q, on_builds, &g);
	wait_for(&g);
	long found = 0;
	for (size_t i = 0; i < g.n && !found; i++) {
		const struct bk_job *j = pipeline_step(&g.builds[i], k, &cfg);
		if (j && j->unblockable && !strcmp(j->state, "blocked") &&
		    (!strcmp(g.builds[i].branch, "main")) == !!on_main && g.builds[i].blocked)
			found = g.builds[i].number;
	}
	bk_builds_free(&g.builds, g.n);
	assert_true(found > 0);
	return found;
}

static void unblocks_the_ami_step_once(void **state)
{
	(void)state;
	long n = find_ready(STEP_BUILD_AMIS, 1);
	struct bk_build *b = get_build(n);
	const struct bk_job *step = pipeline_step(b, STEP_BUILD_AMIS, &cfg);
	assert_non_null(step);
	char *id = xstrdup(step->id);
	free_build(b);

	struct got g = unblock(n, id, NULL);
	assert_int_equal(g.status, 0);
	assert_non_null(g.job);
	assert_string_equal(g.job->state, "unblocked");
	assert_false(g.job->unblockable);
	assert_string_equal(g.job->unblocked_by, "Sandbox User");
	assert_non_null(g.job->unblocked_at);
	bk_job_free(g.job);
	free(g.job);

	/* The build now says so. */
	b = get_build(n);
	step = pipeline_step(b, STEP_BUILD_AMIS, &cfg);
	assert_string_equal(step->state, "unblocked");
	assert_string_equal(step->unblocked_by, "Sandbox User");
	free_build(b);

	/* A second unblock is refused with the API's message. */
	g = unblock(n, id, NULL);
	assert_int_equal(g.status, 422);
	assert_null(g.job);
	assert_non_null(strstr(g.message, "already"));
	free(id);
}

static void release_needs_its_name(void **state)
{
	(void)state;
	long n = find_ready(STEP_RELEASE, 1);
	struct bk_build *b = get_build(n);
	char *id = xstrdup(pipeline_step(b, STEP_RELEASE, &cfg)->id);
	/* A script job cannot be unblocked. */
	char *script_id = NULL;
	for (size_t i = 0; i < b->njobs; i++)
		if (b->jobs[i].type == BK_JOB_SCRIPT && !script_id)
			script_id = xstrdup(b->jobs[i].id);
	free_build(b);
	struct got g = unblock(n, script_id, NULL);
	assert_int_equal(g.status, 400);
	assert_non_null(strstr(g.message, "cannot be unblocked"));
	free(script_id);

	g = unblock(n, id, NULL);
	assert_int_equal(g.status, 422);
	assert_non_null(strstr(g.message, "release-name"));

	const char *fields[] = {"release-name", "2026.11.9", NULL};
	g = unblock(n, id, fields);
	assert_int_equal(g.status, 0);
	assert_string_equal(g.job->state, "unblocked");
	bk_job_free(g.job);
	free(g.job);

	b = get_build(n);
	int seen = 0;
	for (size_t i = 0; i < b->nmeta; i++)
		if (!strcmp(b->meta_keys[i], "release-name") && !strcmp(b->meta_values[i], "2026.11.9"))
			seen = 1;
	assert_true(seen);
	free_build(b);
	free(id);
}

static void unknown_job_is_404(void **state)
{
	(void)state;
	struct got g = unblock(4150, "00000000-0000-0000-0000-000000000000", NULL);
	assert_int_equal(g.status, 404);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lists_across_pages),         cmocka_unit_test(missing_build_is_404),
		cmocka_unit_test(unblocks_the_ami_step_once), cmocka_unit_test(release_needs_its_name),
		cmocka_unit_test(unknown_job_is_404),
	};
	return cmocka_run_group_tests(tests, start_sandbox, stop_sandbox);
}
