/* Unit tests for buildkite/model.c and core/json.c: builds and jobs from
 * the REST API's JSON, error bodies, Link headers and timestamps.
 * Run from the repository root (the fixture is read from tests/unit/fixtures). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "buildkite/model.h"
#include "core/buf.h"
#include "core/json.h"

#define FIXTURE "tests/unit/fixtures/bk_builds.json"

static struct buf fixture;

static int load_fixture(void **state)
{
	(void)state;
	FILE *f = fopen(FIXTURE, "rb");
	if (!f) {
		fprintf(stderr, "cannot open %s: run the tests from the repository root\n", FIXTURE);
		return -1;
	}
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&fixture, chunk, n);
	fclose(f);
	return 0;
}

static int free_fixture(void **state)
{
	(void)state;
	buf_free(&fixture);
	return 0;
}

static struct bk_build *parse_fixture(size_t *n)
{
	struct bk_build *b = NULL;
	struct buf err = {0};
	int rc = bk_builds_parse(fixture.s, fixture.len, &b, n, &err);
	if (rc != 0)
		fprintf(stderr, "parse error: %s\n", buf_str(&err));
	assert_int_equal(rc, 0);
	assert_non_null(b);
	buf_free(&err);
	return b;
}

/* Parse a list that must fail; returns the error text (caller frees). */
static char *list_error(const char *json, size_t len)
{
	struct bk_build *b = (struct bk_build *)(uintptr_t)1;
	size_t n = 99;
	struct buf err = {0};
	assert_int_equal(bk_builds_parse(json, len, &b, &n, &err), -1);
	assert_null(b);
	assert_int_equal(n, 0);
	assert_true(err.len > 0);
	return buf_steal(&err);
}

#define LIT(lit)        lit, sizeof lit - 1
#define LIST_ERROR(lit) list_error(LIT(lit))

static const struct bk_job *find_job(const struct bk_build *b, const char *id)
{
	for (size_t i = 0; i < b->njobs; i++)
		if (b->jobs[i].id && !strcmp(b->jobs[i].id, id))
			return &b->jobs[i];
	fail_msg("job %s not found", id);
	return NULL;
}

static const char *meta(const struct bk_build *b, const char *key)
{
	for (size_t i = 0; i < b->nmeta; i++)
		if (!strcmp(b->meta_keys[i], key))
			return b->meta_values[i];
	return NULL;
}

static void test_list_fields(void **state)
{
	(void)state;
	size_t n;
	struct bk_build *b = parse_fixture(&n);
	assert_int_equal(n, 4);
	assert_int_equal(b[0].number, 1234);
	assert_string_equal(b[0].id, "f62a1b4d-10f9-4790-bc1c-e2c3a0c80983");
	assert_string_equal(b[0].commit, "abcd0b72a1e580e90712cdd9eb26d3fb41cd09c8");
	assert_string_equal(b[0].branch, "main");
	assert_string_equal(b[0].web_url, "https://buildkite.com/readyset/readyset/builds/1234");
	/* author wins over creator */
	assert_string_equal(b[0].author, "Ada Lovelace");
	assert_string_equal(b[0].author_email, "ada@example.com");
	assert_string_equal(b[0].created_at, "2025-03-01T10:00:00.000Z");
	assert_int_equal(b[0].created_at_t, 1740823200);
	assert_int_equal(b[0].started_at_t, 1740823205);
	assert_null(b[0].finished_at);
	assert_int_equal(b[0].finished_at_t, 0);
	assert_int_equal(b[0].njobs, 5);
	assert_int_equal(b[1].number, 1233);
	assert_string_equal(b[1].state, "failed");
	assert_int_equal(b[1].blocked, 0);
	assert_int_equal(b[2].number, 1232);
	assert_int_equal(b[3].number, 1231);
	bk_builds_free(&b, n);
	assert_null(b);
}

/* The docs' caveat: a build waiting on a block step keeps state "passed". */
static void test_passed_but_blocked(void **state)
{
	(void)state;
	size_t n;
	struct bk_build *b = parse_fixture(&n);
	assert_string_equal(b[0].state, "passed");
	assert_int_equal(b[0].blocked, 1);
	bk_builds_free(&b, n);
}

static void test_job_types_and_names(void **state)
{
	(void)state;
	size_t n;
	struct bk_build *b = parse_fixture(&n);
	const struct bk_job *j = b[0].jobs;
	assert_int_equal(j[0].type, BK_JOB_SCRIPT);
	assert_string_equal(j[0].type_name, "script");
	assert_string_equal(j[0].name, ":rust: Build and test");
	assert_null(j[0].label);
	assert_string_equal(j[0].step_key, "build");
	assert_string_equal(j[0].state, "passed");
	assert_int_equal(j[0].exit_status, 0);
	assert_int_equal(j[0].started_at_t, 1740823205);
	assert_int_equal(j[0].finished_at_t, 1740823200 + 20 * 60 + 5);
	assert_int_equal(j[1].type, BK_JOB_WAITER);
	assert_null(j[1].name);
	assert_null(j[1].state);
	assert_int_equal(j[1].exit_status, -1);
	assert_int_equal(j[2].type, BK_JOB_MANUAL);
	assert_string_equal(j[2].name, "Build AMIs and CloudFormation templates");
	assert_string_equal(j[2].label, "Build AMIs and CloudFormation templates");
	assert_int_equal(j[4].type, BK_JOB_TRIGGER);
	assert_string_equal(j[4].name, "Trigger docs");
	/* script job with name null falls back to its label */
	assert_string_equal(b[1].jobs[0].name, ":hammer: Lint");
	assert_string_equal(b[1].jobs[0].label, ":hammer: Lint");
	assert_int_equal(b[1].jobs[0].exit_status, 1);
	assert_int_equal(b[1].jobs[2].exit_status, -1);
	/* unknown type is kept by name */
	assert_int_equal(b[3].jobs[0].type, BK_JOB_OTHER);
	assert_string_equal(b[3].jobs[0].type_name, "block-ish");
	bk_builds_free(&b, n);
}

static void test_manual_jobs(void **state)
{
	(void)state;
	size_t n;
	struct bk_build *b = parse_fixture(&n);
	const struct bk_job *done = find_job(&b[0], "ded35de2-7de0-4da8-8daa-b4ce0b7f1001");
	assert_string_equal(done->state, "unblocked");
	assert_int_equal(done->unblockable, 0);
	assert_string_equal(done->unblocked_by, "Grace Hopper");
	assert_string_equal(done->unblocked_at, "2025-03-01T10:21:00.000Z");
	assert_int_equal(done->unblocked_at_t, 1740824460);
	assert_string_equal(done->step_key, "build-amis");

	const struct bk_job *waiting = find_job(&b[0], "ded35de2-7de0-4da8-8daa-b4ce0b7f1064");
	assert_string_equal(waiting->state, "blocked");
	assert_int_equal(waiting->unblockable, 1);
	assert_null(waiting->unblocked_by);
	assert_null(waiting->unblocked_at);
	assert_int_equal(waiting->unblocked_at_t, 0);
	assert_string_equal(waiting->web_url, "https://buildkite.com/readyset/readyset/builds/1234#ded35de2-1064");

	/* unblocked_by without a name shows the email */
	const struct bk_job *alpha = find_job(&b[1], "f0000000-0000-4000-8000-000000000002");
	assert_string_equal(alpha->unblocked_by, "robot@example.com");
	assert_int_equal(alpha->unblocked_at_t, 1740814260);
	bk_builds_free(&b, n);
}

/* Escapes decoded, everything else byte-exact: no sanitizing in the model. */
static void test_message_bytes_exact(void **state)
{
	(void)state;
	size_t n;
	struct bk_build *b = parse_fixture(&n);
	static const char want[] = "Fix \x1b[31mreplication\x1b[0m lag \xf0\x9f\x9a\x80 \xf0\x9f\x90\x9b "
				   "\xe4\xbf\xae\xe5\xa4\x8d\n\nSecond line\twith a tab";
	assert_int_equal(strlen(b[0].message), sizeof want - 1);
	assert_memory_equal(b[0].message, want, sizeof want);
	bk_builds_free(&b, n);
}

static void test_meta_data(void **state)
{
	(void)state;
	size_t n;
	struct bk_build *b = parse_fixture(&n);
	assert_int_equal(b[0].nmeta, 3); /* the null value is skipped */
	assert_string_equal(meta(&b[0], "release-name"), "2025.03.1");
	assert_string_equal(meta(&b[0], "buildkite:git:commit"), "commit abcd0b7\n\tFix");
	assert_string_equal(meta(&b[0], "attempt"), "3");
	assert_null(meta(&b[0], "gone"));
	assert_int_equal(b[1].nmeta, 0);
	assert_int_equal(b[2].nmeta, 0);
	assert_int_equal(b[3].nmeta, 0); /* an array is not a map */
	bk_builds_free(&b, n);
}

static void test_creator_and_offsets(void **state)
{
	(void)state;
	size_t n;
	struct bk_build *b = parse_fixture(&n);
	assert_string_equal(b[1].author, "Linus");
	assert_string_equal(b[1].author_email, "linus@example.com");
	/* 09:00+02:00 == 07:00Z */
	assert_int_equal(b[1].created_at_t, 1740812400);
	assert_int_equal(b[1].finished_at_t, 1740812400 + 30 * 60 + 5 * 3600 + 30 * 60);
	bk_builds_free(&b, n);
}

static void test_null_and_wrong_types(void **state)
{
	(void)state;
	size_t n;
	struct bk_build *b = parse_fixture(&n);
	const struct bk_build *x = &b[2];
	assert_null(x->id);
	assert_null(x->message);
	assert_null(x->branch);
	assert_null(x->author);
	assert_null(x->author_email);
	assert_string_equal(x->created_at, "not a time");
	assert_int_equal(x->created_at_t, 0);
	assert_int_equal(x->njobs, 0);
	assert_null(x->jobs);

	const struct bk_build *y = &b[3];
	assert_int_equal(y->blocked, 0); /* "true" is a string, not a boolean */
	assert_null(y->message);
	assert_null(y->commit);
	assert_null(y->branch);
	assert_null(y->author);
	assert_int_equal(y->njobs, 1);
	const struct bk_job *j = &y->jobs[0];
	assert_null(j->id);
	assert_null(j->state);
	assert_int_equal(j->unblockable, 0);
	assert_null(j->unblocked_by);
	assert_int_equal(j->exit_status, -1);
	assert_string_equal(j->name, "");
	bk_builds_free(&b, n);
}

static void test_copy_is_deep(void **state)
{
	(void)state;
	size_t n;
	struct bk_build *b = parse_fixture(&n);
	struct bk_build c;
	bk_build_copy(&c, &b[0]);
	assert_ptr_not_equal(c.message, b[0].message);
	assert_ptr_not_equal(c.jobs, b[0].jobs);
	bk_builds_free(&b, n);
	assert_int_equal(c.number, 1234);
	assert_int_equal(c.blocked, 1);
	assert_int_equal(c.njobs, 5);
	assert_string_equal(c.jobs[2].unblocked_by, "Grace Hopper");
	assert_int_equal(c.jobs[2].unblocked_at_t, 1740824460);
	assert_int_equal(c.nmeta, 3);
	assert_string_equal(meta(&c, "release-name"), "2025.03.1");
	assert_string_equal(c.author, "Ada Lovelace");
	bk_build_free(&c);
	assert_null(c.jobs);
	assert_int_equal(c.njobs, 0);

	struct bk_build empty = {0}, e2;
	bk_build_copy(&e2, &empty);
	assert_null(e2.jobs);
	assert_null(e2.meta_keys);
	bk_build_free(&e2);
}

/* Every cut of the body before its closing bracket must fail cleanly. */
static void test_truncated_everywhere(void **state)
{
	(void)state;
	size_t end = fixture.len;
	while (end && fixture.s[end - 1] != ']')
		end--;
	assert_true(end > 100);
	for (size_t cut = 0; cut < end; cut++) {
		struct bk_build *b = NULL;
		size_t n = 0;
		struct buf err = {0};
		int rc = bk_builds_parse(fixture.s, cut, &b, &n, &err);
		if (rc != -1 || b || !err.len)
			fail_msg("cut at %zu: rc %d", cut, rc);
		buf_free(&err);
	}
	char *e = list_error(fixture.s, end - 1);
	assert_non_null(strstr(e, "truncated"));
	free(e);
}

static void test_malformed_lists(void **state)
{
	(void)state;
	char *e;
	e = LIST_ERROR("{\"message\":\"Not Found\"}");
	assert_string_equal(e, "not a JSON array (got object)");
	free(e);
	e = list_error("", 0);
	assert_string_equal(e, "empty body");
	free(e);
	e = list_error(NULL, 0);
	assert_string_equal(e, "empty body");
	free(e);
	e = LIST_ERROR(" \n ");
	assert_string_equal(e, "empty body");
	free(e);
	e = LIST_ERROR("null");
	assert_string_equal(e, "JSON null");
	free(e);
	e = LIST_ERROR("42");
	assert_string_equal(e, "not a JSON array (got number)");
	free(e);
	e = LIST_ERROR("[{\"number\":1},{\"number\":\"12\"}]");
	assert_string_equal(e, "build 1: number: expected an integer, got string");
	free(e);
	e = LIST_ERROR("[{\"number\":1.5}]");
	assert_string_equal(e, "build 0: number: expected an integer, got number");
	free(e);
	e = LIST_ERROR("[{\"id\":\"x\"}]");
	assert_string_equal(e, "build 0: missing number");
	free(e);
	e = LIST_ERROR("[{\"number\":null}]");
	assert_string_equal(e, "build 0: missing number");
	free(e);
	e = LIST_ERROR("[{\"number\":1}, 7]");
	assert_string_equal(e, "build 1: expected an object, got number");
	free(e);
	e = LIST_ERROR("[null]");
	assert_string_equal(e, "build 0: expected an object, got null");
	free(e);
	e = LIST_ERROR("[{\"number\":1,\"jobs\":[{\"id\":\"a\"},null]}]");
	assert_string_equal(e, "build 0: job 1: expected an object, got null");
	free(e);
	/* junk after the value, and junk inside it */
	e = LIST_ERROR("[] <html>");
	assert_string_equal(e, "unexpected data after the JSON value at byte 3");
	free(e);
	e = LIST_ERROR("[][]");
	assert_non_null(strstr(e, "byte 2"));
	free(e);
	e = LIST_ERROR("[1,]");
	assert_non_null(strstr(e, "invalid JSON at byte 3"));
	free(e);
	e = LIST_ERROR("<html>502 Bad Gateway</html>");
	assert_non_null(strstr(e, "invalid JSON at byte 0"));
	free(e);
	e = LIST_ERROR("[{\"number\":1}]\0junk");
	assert_string_equal(e, "unexpected data after the JSON value at byte 14");
	free(e);
	e = LIST_ERROR("[{\"number\":1,\0\"x\":2}]");
	assert_string_equal(e, "invalid JSON at byte 13: NUL byte");
	free(e);
	/* the length is honoured: the text after len is never read */
	e = list_error("[{\"number\":1}]", 10);
	assert_non_null(strstr(e, "truncated"));
	free(e);

	struct bk_build *b = NULL;
	size_t n = 5;
	struct buf err = {0};
	assert_int_equal(bk_builds_parse(LIT("[]"), &b, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_null(b);
	assert_int_equal(bk_builds_parse(LIT("[{\"number\":7}] \r\n\t"), &b, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(b[0].number, 7);
	assert_int_equal(err.len, 0);
	bk_builds_free(&b, n);
	bk_builds_free(&b, 0); /* NULL array is fine */
	bk_builds_free(NULL, 0);
}

static void test_build_parse(void **state)
{
	(void)state;
	static const char body[] =
		"{\"number\":1234,\"state\":\"blocked\",\"blocked\":true,"
		"\"creator\":{\"name\":\"Bot\"},\"author\":{\"name\":\"\",\"email\":\"a@x\"},"
		"\"jobs\":[{\"id\":\"j1\",\"type\":\"manual\",\"label\":\"Go\",\"state\":\"blocked\","
		"\"unblockable\":true}]}";
	struct bk_build b;
	struct buf err = {0};
	assert_int_equal(bk_build_parse(body, sizeof body - 1, &b, &err), 0);
	assert_int_equal(b.number, 1234);
	assert_string_equal(b.state, "blocked");
	assert_string_equal(b.author, "Bot"); /* empty author name falls back to creator */
	assert_int_equal(b.njobs, 1);
	assert_string_equal(b.jobs[0].name, "Go");
	assert_int_equal(b.jobs[0].unblockable, 1);
	bk_build_free(&b);

	assert_int_equal(bk_build_parse(LIT("[]"), &b, &err), -1);
	assert_string_equal(buf_str(&err), "build: expected an object, got array");
	assert_null(b.jobs);
	buf_reset(&err);
	assert_int_equal(bk_build_parse(LIT("{\"number\":"), &b, &err), -1);
	assert_non_null(strstr(buf_str(&err), "truncated"));
	buf_reset(&err);
	assert_int_equal(bk_build_parse(LIT("{\"number\":1,\"jobs\":[5]}"), &b, &err), -1);
	assert_string_equal(buf_str(&err), "build: job 0: expected an object, got number");
	assert_null(b.jobs);
	buf_free(&err);
}

static void test_job_parse(void **state)
{
	(void)state;
	static const char body[] = "{\"id\":\"ded35de2-7de0-4da8-8daa-b4ce0b7f1064\",\"type\":\"manual\","
				   "\"label\":\"Deploy AMIs and CloudFormation as release\",\"step_key\":\"release\","
				   "\"state\":\"unblocked\",\"unblockable\":false,"
				   "\"unblocked_by\":{\"id\":\"u1\",\"name\":\"Ada\",\"email\":\"ada@example.com\"},"
				   "\"unblocked_at\":\"2025-03-01T10:21:00+00:00\"}";
	struct bk_job j;
	struct buf err = {0};
	assert_int_equal(bk_job_parse(body, sizeof body - 1, &j, &err), 0);
	assert_string_equal(j.id, "ded35de2-7de0-4da8-8daa-b4ce0b7f1064");
	assert_int_equal(j.type, BK_JOB_MANUAL);
	assert_string_equal(j.name, "Deploy AMIs and CloudFormation as release");
	assert_string_equal(j.state, "unblocked");
	assert_int_equal(j.unblockable, 0);
	assert_string_equal(j.unblocked_by, "Ada");
	assert_int_equal(j.unblocked_at_t, 1740824460);
	bk_job_free(&j);
	assert_null(j.id);

	assert_int_equal(bk_job_parse(LIT("{\"message\":\"No job found\"}"), &j, &err), -1);
	assert_string_equal(buf_str(&err), "job: missing id");
	buf_reset(&err);
	assert_int_equal(bk_job_parse(LIT("[1]"), &j, &err), -1);
	assert_string_equal(buf_str(&err), "job: expected an object, got array");
	buf_reset(&err);
	assert_int_equal(bk_job_parse(LIT("{\"id\":\"x\""), &j, &err), -1);
	assert_non_null(strstr(buf_str(&err), "truncated"));
	assert_null(j.id);
	buf_free(&err);
}

static void test_error_message(void **state)
{
	(void)state;
	char *m = bk_error_message(LIT("{\"message\":\"No job found\"}"));
	assert_string_equal(m, "No job found");
	free(m);
	static const char rl[] = "{\"message\":\"You have exceeded your API rate limit. Please wait 42 seconds\","
				 "\"scope\":\"rest_user\",\"limit\":50,\"current\":55,\"reset\":42}";
	m = bk_error_message(rl, sizeof rl - 1);
	assert_string_equal(m, "You have exceeded your API rate limit. Please wait 42 seconds");
	free(m);
	m = bk_error_message(LIT("{\"message\":\"a\\u001b[2Jb\"}"));
	assert_string_equal(m, "a\x1b[2Jb");
	free(m);
	assert_null(bk_error_message(LIT("{\"message\":5}")));
	assert_null(bk_error_message(LIT("{\"message\":null}")));
	assert_null(bk_error_message(LIT("{\"error\":\"x\"}")));
	assert_null(bk_error_message(LIT("[\"message\"]")));
	assert_null(bk_error_message(LIT("<html>Bad Gateway</html>")));
	assert_null(bk_error_message(LIT("{\"message\":\"cut")));
	assert_null(bk_error_message(LIT("")));
	assert_null(bk_error_message(NULL, 0));
}

static void check_next(const char *header, const char *want)
{
	char *got = bk_link_next(header);
	if (!want) {
		if (got)
			fail_msg("Link %s: expected no next, got %s", header ? header : "(null)", got);
		return;
	}
	if (!got)
		fail_msg("Link %s: expected %s, got none", header ? header : "(null)", want);
	assert_string_equal(got, want);
	free(got);
}

static void test_link_next(void **state)
{
	(void)state;
	check_next(
		"<https://api.buildkite.com/v2/organizations/o/pipelines/p/builds?page=3&per_page=100>; rel=\"next\", "
		"<https://api.buildkite.com/v2/organizations/o/pipelines/p/builds?page=6&per_page=100>; rel=\"last\"",
		"https://api.buildkite.com/v2/organizations/o/pipelines/p/builds?page=3&per_page=100");
	/* next not first */
	check_next("<https://x/?page=1>; rel=\"first\", <https://x/?page=1>; rel=\"prev\", <https://x/?page=3>; "
		   "rel=\"next\"",
		   "https://x/?page=3");
	/* unquoted rel, odd spacing, upper case */
	check_next("<https://x/?page=2>;rel=next", "https://x/?page=2");
	check_next("  <https://x/?page=2>  ;  REL = \"NEXT\"  ,<https://x/?page=9>;rel=last", "https://x/?page=2");
	/* several rels in one */
	check_next("<https://x/?page=2>; rel=\"next last\"", "https://x/?page=2");
	check_next("<https://x/?page=2>; rel=\"prev nextish\", <https://x/?page=4>; rel=\"last next\"",
		   "https://x/?page=4");
	/* other params, and commas inside the URL and a quoted value */
	check_next("<https://x/?a=1,2>; title=\"a, b; rel=next\"; rel=\"prev\", <https://x/?b=3,4>; "
		   "type=\"text/html\"; rel=next",
		   "https://x/?b=3,4");
	/* a malformed entry does not hide a later good one */
	check_next("garbage, <https://x/?page=5>; rel=\"next\"", "https://x/?page=5");
	check_next("<https://x/?page=2>; rel=\"last\"", NULL);
	check_next("<https://x/?page=2>; rel=\"prev\"; anchor=\"next\"", NULL);
	check_next("<https://x/?page=2>; rel=\"nex\"", NULL);
	check_next("<https://x/?page=2; rel=\"next\"", NULL);
	check_next("<https://x/?page=2>; rel=\"next", NULL);
	check_next("<>; rel=next", NULL);
	check_next("", NULL);
	check_next(NULL, NULL);
}

static void check_time(const char *s, long long want)
{
	time_t t = 12345;
	if (bk_parse_time(s, &t) != 0)
		fail_msg("%s: expected %lld, got an error", s, want);
	if ((long long)t != want)
		fail_msg("%s: expected %lld, got %lld", s, want, (long long)t);
}

static void check_bad_time(const char *s)
{
	time_t t = 12345;
	if (bk_parse_time(s, &t) != -1)
		fail_msg("%s: expected an error, got %lld", s ? s : "(null)", (long long)t);
}

static void test_parse_time(void **state)
{
	(void)state;
	check_time("2025-03-01T10:00:00.000Z", 1740823200);
	check_time("2025-03-01T10:00:00Z", 1740823200);
	check_time("2025-03-01T10:00:00", 1740823200);
	check_time("2025-03-01T10:00:00.123456789Z", 1740823200);
	check_time("2025-03-01T12:00:00+02:00", 1740823200);
	check_time("2025-03-01T12:00:00.5+0200", 1740823200);
	check_time("2025-03-01T05:30:00-04:30", 1740823200);
	check_time("2025-03-01T12:00:00+02", 1740823200);
	check_time("2025-03-01 10:00:00z", 1740823200);
	check_time("1970-01-01T00:00:00Z", 0);
	check_time("1969-12-31T23:59:59Z", -1);
	check_time("2024-02-29T00:00:00Z", 1709164800);
	check_time("2000-01-01T00:00:00+14:00", 946634400);
	check_bad_time(NULL);
	check_bad_time("");
	check_bad_time("2025-03-01");
	check_bad_time("2025-03-01T10:00Z");
	check_bad_time("2025-03-01T10:00:00.Z");
	check_bad_time("2025-03-01T10:00:00ZZ");
	check_bad_time("2025-03-01T10:00:00+2:00");
	check_bad_time("2025-03-01T10:00:00+02:");
	check_bad_time("2025-03-01T10:00:00+24:00");
	check_bad_time("2025-13-01T10:00:00Z");
	check_bad_time("2025-02-29T10:00:00Z");
	check_bad_time("2025-04-31T10:00:00Z");
	check_bad_time("2025-03-01T24:00:00Z");
	check_bad_time("2025-03-01T10:60:00Z");
	check_bad_time("2025-03-01X10:00:00Z");
	check_bad_time("25-03-01T10:00:00Z");
	check_bad_time("2025-03-01T10:00:00 Z");
	check_bad_time("not a time");
	check_bad_time("2025-03-01T10:00:0");
}

static void test_json_helpers(void **state)
{
	(void)state;
	struct buf err = {0};
	static const char body[] =
		"{\"s\":\"x\",\"i\":-3,\"b\":true,\"n\":null,\"f\":1.5,\"si\":\"7\",\"o\":{},\"a\":[]}";
	struct json_object *o = json_parse_text(body, sizeof body - 1, &err);
	assert_non_null(o);
	assert_string_equal(json_get_str(o, "s"), "x");
	assert_null(json_get_str(o, "i"));
	assert_null(json_get_str(o, "n"));
	assert_null(json_get_str(o, "missing"));
	assert_int_equal(json_get_int(o, "i", 9), -3);
	assert_int_equal(json_get_int(o, "f", 9), 9);
	assert_int_equal(json_get_int(o, "si", 9), 9);
	assert_int_equal(json_get_int(o, "n", 9), 9);
	assert_int_equal(json_get_bool(o, "b", 0), 1);
	assert_int_equal(json_get_bool(o, "s", 2), 2);
	assert_non_null(json_get_obj(o, "o"));
	assert_null(json_get_obj(o, "a"));
	assert_non_null(json_get_array(o, "a"));
	assert_null(json_get_array(o, "o"));
	assert_null(json_get_str(json_get_obj(o, "missing"), "x"));
	assert_null(json_get_str(json_get_array(o, "a"), "x"));
	assert_string_equal(json_kind(json_get_obj(o, "o")), "object");
	assert_string_equal(json_kind(NULL), "null");
	char *d = json_dup_str(o, "s");
	assert_string_equal(d, "x");
	free(d);
	assert_null(json_dup_str(o, "n"));
	json_object_put(o);

	o = json_parse_text(LIT("\"a\\u0000b\""), &err);
	assert_non_null(o);
	json_object_put(o);
	o = json_parse_text(LIT("123"), &err);
	assert_non_null(o);
	json_object_put(o);
	assert_int_equal(err.len, 0);
	buf_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_fields),         cmocka_unit_test(test_passed_but_blocked),
		cmocka_unit_test(test_job_types_and_names), cmocka_unit_test(test_manual_jobs),
		cmocka_unit_test(test_message_bytes_exact), cmocka_unit_test(test_meta_data),
		cmocka_unit_test(test_creator_and_offsets), cmocka_unit_test(test_null_and_wrong_types),
		cmocka_unit_test(test_copy_is_deep),        cmocka_unit_test(test_truncated_everywhere),
		cmocka_unit_test(test_malformed_lists),     cmocka_unit_test(test_build_parse),
		cmocka_unit_test(test_job_parse),           cmocka_unit_test(test_error_message),
		cmocka_unit_test(test_link_next),           cmocka_unit_test(test_parse_time),
		cmocka_unit_test(test_json_helpers),
	};
	return cmocka_run_group_tests(tests, load_fixture, free_fixture);
}
