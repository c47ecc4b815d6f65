/* Unit tests for the console's builds cache (release/buildcache.c), the
 * wire-format writer it uses (bk_build_to_json), whole-file reads and
 * atomic replacement (core/fileio.c), and the overview's prefix heads.
 * Run from the repository root: the Buildkite fixture is read from
 * tests/unit/fixtures/bk_builds.json. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buildkite/client.h"
#include "buildkite/model.h"
#include "core/buf.h"
#include "core/fileio.h"
#include "release/buildcache.h"
#include "release/overview.h"

#define FIXTURE "tests/unit/fixtures/bk_builds.json"

struct fx {
	char dir[64];
	struct buf json;
	struct bk_build *builds;
	size_t n;
	struct bk_settings settings;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/relcon-cache-test.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	setenv("XDG_CACHE_HOME", f->dir, 1);
	struct buf err = {0};
	if (file_read(FIXTURE, 1 << 24, &f->json, &err) < 0 ||
	    bk_builds_parse(f->json.s, f->json.len, &f->builds, &f->n, &err) < 0) {
		fprintf(stderr, "%s\n", buf_str(&err));
		return -1;
	}
	f->settings.endpoint = (char *)"https://api.buildkite.com";
	f->settings.organization = (char *)"readyset";
	f->settings.pipeline = (char *)"readyset";
	*state = f;
	return 0;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(p);
}

static int teardown(void **state)
{
	struct fx *f = *state;
	nftw(f->dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	bk_builds_free(&f->builds, f->n);
	buf_free(&f->json);
	free(f);
	return 0;
}

static void same_str(const char *a, const char *b)
{
	if (!a || !b)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

static void same_build(const struct bk_build *a, const struct bk_build *b)
{
	assert_int_equal(a->number, b->number);
	same_str(a->id, b->id);
	same_str(a->state, b->state);
	assert_int_equal(a->blocked, b->blocked);
	same_str(a->message, b->message);
	same_str(a->commit, b->commit);
	same_str(a->branch, b->branch);
	same_str(a->author, b->author);
	same_str(a->author_email, b->author_email);
	same_str(a->web_url, b->web_url);
	same_str(a->created_at, b->created_at);
	assert_int_equal(a->created_at_t, b->created_at_t);
	same_str(a->finished_at, b->finished_at);
	assert_int_equal(a->nmeta, b->nmeta);
	for (size_t i = 0; i < a->nmeta; i++) {
		assert_string_equal(a->meta_keys[i], b->meta_keys[i]);
		assert_string_equal(a->meta_values[i], b->meta_values[i]);
	}
	assert_int_equal(a->njobs, b->njobs);
	for (size_t j = 0; j < a->njobs; j++) {
		const struct bk_job *x = &a->jobs[j], *y = &b->jobs[j];
		same_str(x->id, y->id);
		assert_int_equal(x->type, y->type);
		same_str(x->name, y->name);
		same_str(x->label, y->label);
		same_str(x->step_key, y->step_key);
		same_str(x->state, y->state);
		assert_int_equal(x->unblockable, y->unblockable);
		same_str(x->unblocked_by, y->unblocked_by);
		same_str(x->unblocked_at, y->unblocked_at);
		assert_int_equal(x->exit_status, y->exit_status);
	}
}

/* What the writer produces, the build parser reads back to the same build;
 * one line each (the cache's format is a build a line). */
static void test_wire_round_trip(void **state)
{
	struct fx *f = *state;
	assert_true(f->n > 0);
	for (size_t i = 0; i < f->n; i++) {
		struct buf out = {0}, err = {0};
		bk_build_to_json(&f->builds[i], &out);
		assert_null(memchr(out.s, '\n', out.len));
		struct bk_build back;
		assert_int_equal(bk_build_parse(out.s, out.len, &back, &err), 0);
		same_build(&f->builds[i], &back);
		bk_build_free(&back);
		buf_free(&out);
	}
}

static int manual_only(const struct bk_job *j)
{
	return j->type == BK_JOB_MANUAL;
}

/* The jobs a long list keeps: the accepted ones, in order; the others gone. */
static void test_keep_jobs(void **state)
{
	struct fx *f = *state;
	size_t kept = 0, manual = 0;
	for (size_t i = 0; i < f->n; i++) {
		struct bk_build *b = &f->builds[i];
		const char *labels[64];
		size_t want = 0;
		for (size_t j = 0; j < b->njobs && want < 64; j++)
			if (b->jobs[j].type == BK_JOB_MANUAL)
				labels[want++] = b->jobs[j].label;
		bk_build_keep_jobs(b, manual_only);
		assert_int_equal(b->njobs, want);
		for (size_t j = 0; j < want; j++) {
			assert_int_equal(b->jobs[j].type, BK_JOB_MANUAL);
			assert_ptr_equal(b->jobs[j].label, labels[j]); /* moved, not copied */
		}
		assert_true(want || !b->jobs);
		kept += want;
		manual += want != 0;
	}
	assert_true(kept > 0 && manual > 0); /* the fixture has block steps to keep */
}

static void test_save_load(void **state)
{
	struct fx *f = *state;
	char *path, *key;
	buildcache_names(&f->settings, "main", &path, &key);
	/* In $XDG_CACHE_HOME/relcon/builds, named by org and pipeline. */
	char want[128];
	snprintf(want, sizeof want, "%s/relcon/builds/readyset-readyset-", f->dir);
	assert_memory_equal(path, want, strlen(want));
	struct bk_build *v;
	size_t n;
	time_t at;
	struct buf err = {0};
	/* No file yet: 0, nothing said. */
	assert_int_equal(buildcache_load(path, key, &v, &n, &at, &err), 0);
	assert_int_equal(err.len, 0);
	assert_int_equal(buildcache_save(path, key, f->builds, f->n, 1795521600, &err), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(buildcache_load(path, key, &v, &n, &at, &err), 1);
	assert_int_equal(at, 1795521600);
	assert_int_equal(n, f->n);
	for (size_t i = 0; i < n; i++)
		same_build(&f->builds[i], &v[i]);
	bk_builds_free(&v, n);

	/* Another branch has another file; the same file under another key
	 * (a renamed endpoint, say) is refused. */
	char *path2, *key2;
	buildcache_names(&f->settings, "", &path2, &key2);
	assert_string_not_equal(path, path2);
	assert_int_equal(buildcache_load(path, key2, &v, &n, &at, &err), -1);
	assert_non_null(strstr(buf_str(&err), "another pipeline or branch"));
	assert_null(v);
	free(path2);
	free(key2);
	free(path);
	free(key);
	buf_free(&err);
}

/* A broken cache file is reported and ignored, never half-used. */
static void test_broken_files(void **state)
{
	struct fx *f = *state;
	char *path, *key;
	buildcache_names(&f->settings, "", &path, &key);
	struct buf err = {0}, text = {0};
	assert_int_equal(buildcache_save(path, key, f->builds, f->n, 5, &err), 0);
	assert_int_equal(file_read(path, 1 << 26, &text, &err), 0);
	static const char *const why[] = {"not a relcon builds cache", "not a relcon cache file", "line 2: build",
					  "cut short", "another pipeline or branch"};
	const char *nl = strchr(text.s, '\n');
	for (int c = 0; c < 5; c++) {
		struct buf bad = {0};
		switch (c) {
		case 0: /* no header line */
			buf_adds(&bad, "[]");
			break;
		case 1: /* garbage */
			buf_adds(&bad, "\x01\x02 not json\n[]");
			break;
		case 2: /* header fine, a build without a number */
			buf_add(&bad, text.s, (size_t)(nl - text.s) + 1);
			buf_adds(&bad, "{\"state\":\"passed\"}\n");
			break;
		case 3: /* torn: the header and one build only */
			buf_add(&bad, text.s, (size_t)(strchr(nl + 1, '\n') - text.s) + 1);
			break;
		case 4: /* the old format's header (version 1): not this key's */
			buf_adds(
				&bad,
				"{\"relcon\":\"builds\",\"version\":2,\"key\":\"other\",\"saved_at\":1,\"count\":0}\n");
			break;
		}
		assert_int_equal(file_replace(path, bad.s, bad.len, &err), 0);
		buf_reset(&err);
		struct bk_build *v = (struct bk_build *)1;
		size_t n = 99;
		time_t at;
		assert_int_equal(buildcache_load(path, key, &v, &n, &at, &err), -1);
		assert_null(v);
		assert_int_equal(n, 0);
		if (!strstr(buf_str(&err), why[c]))
			fail_msg("case %d: %s", c, buf_str(&err));
		buf_free(&bad);
	}
	buf_free(&text);
	buf_free(&err);
	free(path);
	free(key);
}

static void test_fileio(void **state)
{
	struct fx *f = *state;
	struct buf err = {0}, out = {0};
	char path[128];
	snprintf(path, sizeof path, "%s/a/b/c.txt", f->dir);
	assert_int_equal(file_replace(path, "hello", 5, &err), 0);
	assert_int_equal(file_read(path, 100, &out, &err), 0);
	assert_string_equal(buf_str(&out), "hello");
	/* Too large: nothing appended, EFBIG. */
	buf_reset(&out);
	buf_adds(&out, "keep");
	assert_int_equal(file_read(path, 3, &out, &err), -1);
	assert_int_equal(errno, EFBIG);
	assert_string_equal(buf_str(&out), "keep");
	assert_non_null(strstr(buf_str(&err), "larger than 3 bytes"));
	/* Missing: ENOENT. */
	buf_reset(&err);
	snprintf(path, sizeof path, "%s/none", f->dir);
	assert_int_equal(file_read(path, 3, &out, &err), -1);
	assert_int_equal(errno, ENOENT);
	/* A directory where the file should go: an error, no temporary left. */
	snprintf(path, sizeof path, "%s/a", f->dir);
	buf_reset(&err);
	assert_int_equal(file_replace(path, "x", 1, &err), -1);
	assert_true(err.len > 0);
	char tmp[160];
	snprintf(tmp, sizeof tmp, "%s/a.tmp.%ld", f->dir, (long)getpid());
	assert_int_equal(access(tmp, F_OK), -1);
	buf_free(&out);
	buf_free(&err);
}

static void test_prefix_head(void **state)
{
	(void)state;
	char *h = overview_prefix_head("alpha/<COMMIT>/readyset/templates/", "<COMMIT>");
	assert_string_equal(h, "alpha/");
	free(h);
	h = overview_prefix_head("<COMMIT>/readyset/templates/", "<COMMIT>");
	assert_string_equal(h, "");
	free(h);
	/* Not at a segment start: one delimiter listing cannot find the names. */
	assert_null(overview_prefix_head("builds-<COMMIT>/x/", "<COMMIT>"));
	assert_null(overview_prefix_head("static/templates/", "<COMMIT>"));
	assert_null(overview_prefix_head(NULL, "<COMMIT>"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_wire_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keep_jobs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_save_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_broken_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fileio, setup, teardown),
		cmocka_unit_test(test_prefix_head),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
