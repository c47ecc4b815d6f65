/* cli/builds.c - the headless commands of builds and what they made:
 * builds, build, images, releases, and config-keys. */
#include "cli/internal.h"

#include <ctype.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"
#include "core/sanitize.h"
#include "core/timeutil.h"
#include "release/buildcache.h"
#include "release/context.h"
#include "release/lineage.h"
#include "release/overview.h"
#include "release/pipeline.h"
#include "release/releases.h"

/* ---- JSON ---------------------------------------------------------------- */

static json_object *step_json(const struct bk_job *j)
{
	if (!j)
		return NULL;
	json_object *o = json_object_new_object();
	json_object_object_add(o, "state", str_or_null(j->state));
	json_object_object_add(o, "job_id", str_or_null(j->id));
	json_object_object_add(o, "unblockable", json_object_new_boolean(j->unblockable));
	json_object_object_add(o, "unblocked_by", str_or_null(j->unblocked_by));
	json_object_object_add(o, "unblocked_at", str_or_null(j->unblocked_at));
	json_object_object_add(o, "web_url", str_or_null(j->web_url));
	return o;
}

struct json_object *cli_build_json(const struct bk_build *b, const struct config *cfg, int with_jobs)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "number", json_object_new_int64(b->number));
	json_object_object_add(o, "commit", str_or_null(b->commit));
	json_object_object_add(o, "branch", str_or_null(b->branch));
	json_object_object_add(o, "message", str_or_null(b->message));
	json_object_object_add(o, "state", str_or_null(b->state));
	json_object_object_add(o, "blocked", json_object_new_boolean(b->blocked));
	json_object_object_add(o, "author", str_or_null(b->author));
	json_object_object_add(o, "created_at", str_or_null(b->created_at));
	json_object_object_add(o, "started_at", str_or_null(b->started_at));
	json_object_object_add(o, "finished_at", str_or_null(b->finished_at));
	json_object_object_add(o, "web_url", str_or_null(b->web_url));
	json_object *steps = json_object_new_object();
	for (int k = 0; k < STEP_COUNT; k++)
		json_object_object_add(steps, step_kind_key(k), step_json(pipeline_step(b, k, cfg)));
	json_object_object_add(o, "steps", steps);
	if (b->nmeta) {
		json_object *m = json_object_new_object();
		for (size_t i = 0; i < b->nmeta; i++)
			json_object_object_add(m, b->meta_keys[i], str_or_null(b->meta_values[i]));
		json_object_object_add(o, "meta_data", m);
	}
	if (with_jobs) {
		json_object *jobs = json_object_new_array();
		for (size_t i = 0; i < b->njobs; i++) {
			const struct bk_job *j = &b->jobs[i];
			json_object *jo = json_object_new_object();
			json_object_object_add(jo, "id", str_or_null(j->id));
			json_object_object_add(jo, "type", str_or_null(j->type_name));
			json_object_object_add(jo, "name", str_or_null(j->name));
			json_object_object_add(jo, "step_key", str_or_null(j->step_key));
			json_object_object_add(jo, "state", str_or_null(j->state));
			json_object_object_add(jo, "web_url", str_or_null(j->web_url));
			json_object_object_add(jo, "started_at", str_or_null(j->started_at));
			json_object_object_add(jo, "finished_at", str_or_null(j->finished_at));
			if (j->type == BK_JOB_SCRIPT && j->exit_status >= 0)
				json_object_object_add(jo, "exit_status", json_object_new_int(j->exit_status));
			if (j->type == BK_JOB_MANUAL) {
				json_object_object_add(jo, "unblockable", json_object_new_boolean(j->unblockable));
				json_object_object_add(jo, "unblocked_by", str_or_null(j->unblocked_by));
				json_object_object_add(jo, "unblocked_at", str_or_null(j->unblocked_at));
			}
			json_object_array_add(jobs, jo);
		}
		json_object_object_add(o, "jobs", jobs);
	}
	return o;
}

static json_object *strv_json(const char *const *v, size_t n)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

static json_object *artifact_json(const struct artifact *a, const struct lineage *l)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "id", str_or_null(a->id));
	json_object_object_add(o, "region", str_or_null(a->location));
	json_object_object_add(o, "name", str_or_null(a->name));
	json_object_object_add(o, "state", str_or_null(a->state));
	json_object_object_add(o, "created", str_or_null(a->created));
	json_object_object_add(o, "public", json_object_new_boolean(a->is_public));
	if (!a->access_known) {
		json_object_object_add(o, "launch_permissions", NULL);
		json_object_object_add(o, "launch_permissions_error", str_or_null(a->access_error));
		return o;
	}
	json_object_object_add(o, "launch_permissions", strv_json((const char *const *)a->access, a->naccess));
	if (l->expected_state == FETCH_DONE) {
		const char **missing, **extra;
		size_t nm, ne;
		artifact_drift(a, (const char *const *)l->expected, l->nexpected, &missing, &nm, &extra, &ne);
		json_object_object_add(o, "missing", strv_json(missing, nm));
		json_object_object_add(o, "extra", strv_json(extra, ne));
		json_object_object_add(o, "drift", json_object_new_boolean(nm || ne || a->is_public));
		free(missing);
		free(extra);
	}
	return o;
}

/* The lineage of a build as JSON: artifacts per kind, templates per stage,
 * expected accounts, drift. */
static json_object *lineage_json(const struct lineage *l)
{
	json_object *o = json_object_new_object();
	for (size_t k = 0; k < l->nkinds; k++) {
		const struct lineage_kind *lk = &l->kinds[k];
		json_object *arr = json_object_new_array();
		for (size_t i = 0; i < lk->n; i++)
			json_object_array_add(arr, artifact_json(&lk->v[i], l));
		json_object_object_add(o, lk->kind->key, arr);
		if (lk->error) {
			struct buf key = {0};
			buf_printf(&key, "%s_error", lk->kind->key);
			json_object_object_add(o, buf_str(&key), json_object_new_string(lk->error));
			buf_free(&key);
		}
	}
	json_object *stages = json_object_new_object();
	for (int s = 0; s < STAGE_COUNT; s++) {
		const struct lineage_stage *st = &l->stages[s];
		json_object *so = json_object_new_object();
		json_object_object_add(so, "bucket", str_or_null(st->bucket));
		json_object_object_add(so, "prefix", str_or_null(st->prefix));
		json_object_object_add(so, "present", json_object_new_boolean(st->state == FETCH_DONE && st->n > 0));
		json_object_object_add(so, "error", str_or_null(st->error));
		json_object *ts = json_object_new_array();
		for (size_t i = 0; i < st->n; i++) {
			json_object *t = json_object_new_object();
			json_object_object_add(t, "name", str_or_null(st->v[i].name));
			json_object_object_add(t, "key", str_or_null(st->v[i].key));
			json_object_object_add(t, "url", str_or_null(st->v[i].url));
			json_object_object_add(t, "size", json_object_new_int64(st->v[i].size));
			json_object_object_add(t, "last_modified", str_or_null(st->v[i].modified));
			json_object_array_add(ts, t);
		}
		json_object_object_add(so, "templates", ts);
		json_object_object_add(stages, stage_key((enum stage)s), so);
	}
	json_object_object_add(o, "templates", stages);
	json_object_object_add(
		o, "expected_accounts",
		l->expected_state == FETCH_DONE ? strv_json((const char *const *)l->expected, l->nexpected) : NULL);
	json_object_object_add(o, "expected_accounts_source", str_or_null(l->expected_path));
	json_object_object_add(o, "expected_accounts_error", str_or_null(l->expected_error));
	json_object_object_add(o, "launch_permission_drift", json_object_new_boolean(lineage_has_drift(l)));
	return o;
}

/* ---- text ------------------------------------------------------------------ */

/* As the console shows it: "waiting" is a block step that cannot be
 * unblocked yet. */
static const char *step_text(const struct bk_job *j)
{
	if (!j)
		return "-";
	if (j->state && !strcmp(j->state, "blocked") && !j->unblockable)
		return "waiting";
	return j->state ? j->state : "?";
}

/* --artifacts: the overview's cells ("3/3", "yes", "alpha", "2026.11.2"). */
static void overview_cells(const struct overview *o, const struct overview_row *r, struct buf *ami, struct buf *tpl,
			   struct buf *pub, struct buf *stk)
{
	if (o->part[OV_AMIS] == FETCH_DONE)
		buf_printf(ami, "%d/%d%s", r->amis, o->nregions, r->amis_other ? "+" : "");
	else
		buf_adds(ami, "?");
	buf_adds(tpl, o->part[OV_TEMPLATES] != FETCH_DONE ? "?" : r->templates ? "yes" : "-");
	if (r->release && o->part[OV_RELEASES] == FETCH_DONE && r->released)
		buf_adds(pub, r->release);
	else if (o->part[OV_ALPHA] == FETCH_DONE && r->alpha)
		buf_adds(pub, "alpha");
	else
		buf_adds(pub, o->part[OV_ALPHA] == FETCH_DONE && o->part[OV_RELEASES] == FETCH_DONE ? "-" : "?");
	if (o->part[OV_STACKS] == FETCH_DONE)
		buf_printf(stk, "%d", r->stacks);
	else
		buf_adds(stk, "?");
}

static json_object *overview_json(const struct overview *o, const struct overview_row *r)
{
	json_object *a = json_object_new_object();
	int ok_amis = o->part[OV_AMIS] == FETCH_DONE, ok_alpha = o->part[OV_ALPHA] == FETCH_DONE;
	json_object_object_add(a, "ami_regions", ok_amis ? json_object_new_int(r->amis) : NULL);
	json_object_object_add(a, "amis_not_available", ok_amis ? json_object_new_int(r->amis_other) : NULL);
	json_object_object_add(a, "templates",
			       o->part[OV_TEMPLATES] == FETCH_DONE ? json_object_new_boolean(r->templates) : NULL);
	json_object_object_add(a, "alpha", ok_alpha ? json_object_new_boolean(r->alpha) : NULL);
	json_object_object_add(a, "release", str_or_null(r->release));
	json_object_object_add(a, "released",
			       o->part[OV_RELEASES] == FETCH_DONE ? json_object_new_boolean(r->released) : NULL);
	json_object_object_add(a, "stacks", o->part[OV_STACKS] == FETCH_DONE ? json_object_new_int(r->stacks) : NULL);
	return a;
}

static void print_build_row(const struct bk_build *b, const struct config *cfg, time_t now,
			    const struct overview_row *r, const struct overview *o)
{
	char num[24], commit[16];
	struct buf state = {0}, age = {0};
	snprintf(num, sizeof num, "%ld", b->number);
	snprintf(commit, sizeof commit, "%.8s", b->commit ? b->commit : "");
	buf_adds(&state, b->state ? b->state : "?");
	if (b->blocked)
		buf_adds(&state, "+blocked");
	time_age(&age, b->created_at_t, now);
	put_cell(num, 6, 0);
	put_cell(commit, 8, 0);
	put_cell(b->branch, 20, 0);
	put_cell(buf_str(&state), 16, 0);
	for (int k = 0; k < STEP_COUNT; k++)
		put_cell(step_text(pipeline_step(b, k, cfg)), 9, 0);
	if (r) {
		struct buf ami = {0}, tpl = {0}, pub = {0}, stk = {0};
		overview_cells(o, r, &ami, &tpl, &pub, &stk);
		put_cell(buf_str(&ami), 4, 0);
		put_cell(buf_str(&tpl), 3, 0);
		put_cell(buf_str(&pub), 10, 0);
		put_cell(buf_str(&stk), 3, 0);
		buf_free(&ami);
		buf_free(&tpl);
		buf_free(&pub);
		buf_free(&stk);
	}
	put_cell(buf_str(&age), 4, 0);
	put_cell(b->author, 16, 0);
	put_cell(b->message, 0, 1);
	fputc('\n', stdout);
	buf_free(&state);
	buf_free(&age);
}

/* ---- commands ---------------------------------------------------------------- */

struct wait_builds {
	int done;
	struct bk_build *builds;
	size_t n;
	char *error;
};

static void got_builds(void *ud, const struct bk_error *err, struct bk_build *builds, size_t n)
{
	struct wait_builds *w = ud;
	w->done = 1;
	w->builds = builds;
	w->n = n;
	if (err)
		w->error = xstrdup(err->message);
}

static int parse_long(const char *s, long *out)
{
	char *end;
	if (!s || !*s)
		return -1;
	long v = strtol(s, &end, 10);
	if (*end || v < 0)
		return -1;
	*out = v;
	return 0;
}

/* The console's last list of this branch, if any, names the commits the
 * list will most likely hold: their AMIs are asked for beside the list.
 * Only a hint: what is printed is what the list and AWS answer. */
static void hint_from_cache(struct context *ctx, const char *branch, struct overview_fetch *ov)
{
	char *path, *key;
	buildcache_names(bk_client_settings(ctx->bk), branch ? branch : "", &path, &key);
	struct bk_build *v;
	size_t n;
	time_t at;
	struct buf err = {0};
	if (buildcache_load(path, key, &v, &n, &at, &err) > 0) {
		const char **commits = xcalloc(n + 1, sizeof *commits);
		size_t nc = 0;
		for (size_t i = 0; i < n; i++)
			if (v[i].commit)
				commits[nc++] = v[i].commit;
		overview_fetch_hint(ov, commits, nc);
		free(commits);
		bk_builds_free(&v, n);
	}
	buf_free(&err);
	free(path);
	free(key);
}

static void overview_changed(void *ud, const struct overview *o)
{
	int *done = ud;
	if (o->state != FETCH_LOADING)
		*done = 1;
}

int cmd_builds(struct context *ctx, int argc, char **argv)
{
	const char *branch = NULL;
	long limit = ctx->cfg.ui_limit;
	int json = 0, artifacts = 0, c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "b:n:ajh", build_opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			branch = optarg;
			break;
		case 'n':
			if (parse_long(optarg, &limit) < 0 || limit < 1 || limit > 10000)
				return usage_error("builds", "--limit wants a number from 1 to 10000");
			break;
		case 'a':
			artifacts = 1;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			cli_usage(stdout, "builds");
			return EXIT_OK;
		default:
			return usage_error("builds", "unknown option");
		}
	}
	if (optind < argc)
		return usage_error("builds", "unexpected argument");
	if (artifacts && need_aws(ctx, "builds --artifacts") != 0)
		return EXIT_USAGE;
	/* The listings and the stacks need no commits: they start now, beside
	 * the Buildkite list; the AMIs start when the commits are known. */
	int ov_done = 0;
	struct overview_fetch *ov =
		artifacts ? overview_fetch_start(ctx->aws, &ctx->cfg, overview_changed, &ov_done) : NULL;
	if (ov)
		hint_from_cache(ctx, branch, ov);
	struct wait_builds w = {0};
	struct bk_query q = {.branch = branch, .limit = (size_t)limit, .per_page = (int)ctx->cfg.bk_per_page};
	bk_list_builds(ctx->bk, &q, got_builds, &w);
	context_wait(ctx, &w.done);
	if (w.error) {
		int rc = cli_fail("listing builds", w.error);
		free(w.error);
		overview_fetch_free(&ov);
		return rc;
	}
	const struct overview *o = NULL;
	if (ov) {
		overview_fetch_builds(ov, w.builds, w.n);
		context_wait(ctx, &ov_done);
		o = overview_fetch_result(ov);
	}
	if (json) {
		json_object *arr = json_object_new_array();
		for (size_t i = 0; i < w.n; i++) {
			json_object *b = cli_build_json(&w.builds[i], &ctx->cfg, 0);
			if (o)
				json_object_object_add(b, "artifacts", overview_json(o, &o->v[i]));
			json_object_array_add(arr, b);
		}
		print_json(arr);
		json_object_put(arr);
	} else {
		time_t now = time_now();
		printf("%-8s%-10s%-22s%-18s%-11s%-11s%-11s", "BUILD", "COMMIT", "BRANCH", "STATE", "AMIS", "ALPHA",
		       "RELEASE");
		if (o)
			printf("%-6s%-5s%-12s%-5s", "AMI", "TPL", "PUBLIC", "STK");
		printf("%-6s%-18s%s\n", "AGE", "AUTHOR", "MESSAGE");
		for (size_t i = 0; i < w.n; i++)
			print_build_row(&w.builds[i], &ctx->cfg, now, o ? &o->v[i] : NULL, o);
	}
	int rc = EXIT_OK;
	for (int p = 0; o && p < OV_PARTS; p++)
		if (o->error[p]) {
			struct buf what = {0};
			buf_printf(&what, "builds --artifacts: %s", overview_part_name((enum overview_part)p));
			rc = cli_fail(buf_str(&what), o->error[p]);
			buf_free(&what);
		}
	overview_fetch_free(&ov);
	bk_builds_free(&w.builds, w.n);
	return rc;
}

struct wait_build {
	int done;
	struct bk_build *build;
	char *error;
	long status;
};

static void got_build(void *ud, const struct bk_error *err, struct bk_build *b)
{
	struct wait_build *w = ud;
	w->done = 1;
	w->build = b;
	if (err) {
		w->error = xstrdup(err->message);
		w->status = err->status;
	}
}

static int is_hex(const char *s)
{
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* Find a build by number, full SHA, or a unique SHA prefix among recent builds. */
int find_build(struct context *ctx, const char *ref, struct bk_build **out)
{
	size_t len = strlen(ref);
	long number;
	if (len < 7 && parse_long(ref, &number) == 0) {
		struct wait_build w = {0};
		bk_get_build(ctx->bk, number, got_build, &w);
		context_wait(ctx, &w.done);
		if (w.error) {
			int rc = w.status == 404 ? (fprintf(stderr, "relcon: no build %ld\n", number), EXIT_FAILED)
						 : cli_fail("getting the build", w.error);
			free(w.error);
			return rc;
		}
		*out = w.build;
		return EXIT_OK;
	}
	if (len < 7 || len > 40 || !is_hex(ref))
		return usage_error("build", "expected a build number or a commit SHA (7 to 40 hex digits)");
	struct wait_builds w = {0};
	struct bk_query q = {.commit = len == 40 ? ref : NULL, .limit = len == 40 ? 1 : 100};
	bk_list_builds(ctx->bk, &q, got_builds, &w);
	context_wait(ctx, &w.done);
	if (w.error) {
		int rc = cli_fail("looking up the commit", w.error);
		free(w.error);
		return rc;
	}
	struct bk_build *found = NULL;
	int matches = 0;
	for (size_t i = 0; i < w.n; i++) {
		if (w.builds[i].commit && !strncasecmp(w.builds[i].commit, ref, len)) {
			if (!found)
				found = &w.builds[i];
			matches++;
		}
	}
	int rc = EXIT_OK;
	if (!found) {
		fprintf(stderr, "relcon: no build of commit %s%s\n", ref,
			len < 40 ? " among the 100 most recent builds (give the full SHA to search further)" : "");
		rc = EXIT_FAILED;
	} else {
		/* Several builds of one commit: the newest (the list is newest first). */
		(void)matches;
		*out = xcalloc(1, sizeof **out);
		bk_build_copy(*out, found);
	}
	bk_builds_free(&w.builds, w.n);
	return rc;
}

static void print_build_text(const struct bk_build *b, const struct config *cfg)
{
	time_t now = time_now();
	struct buf age = {0};
	time_ago(&age, b->created_at_t, now);
	char *msg = sanitize_str(b->message, 0);
	char *branch = sanitize_str(b->branch, SANITIZE_ONE_LINE);
	char *author = sanitize_str(b->author, SANITIZE_ONE_LINE);
	/* Every field is remote text, not only the message and names. */
	char *state = sanitize_str(b->state ? b->state : "?", SANITIZE_ONE_LINE);
	char *commit = sanitize_str(b->commit ? b->commit : "-", SANITIZE_ONE_LINE);
	char *created = sanitize_str(b->created_at ? b->created_at : "-", SANITIZE_ONE_LINE);
	char *url = sanitize_str(b->web_url ? b->web_url : "-", SANITIZE_ONE_LINE);
	printf("Build    #%ld  %s%s\n", b->number, state, b->blocked ? " (blocked)" : "");
	printf("Commit   %s\n", commit);
	printf("Branch   %s\n", branch);
	printf("Author   %s\n", author);
	printf("Created  %s (%s)\n", created, buf_str(&age));
	printf("URL      %s\n", url);
	free(state);
	free(commit);
	free(created);
	free(url);
	printf("\n%s\n\nBlock steps:\n", msg);
	for (int k = 0; k < STEP_COUNT; k++) {
		const struct bk_job *j = pipeline_step(b, k, cfg);
		printf("  %-8s ", step_kind_title(k));
		if (!j) {
			printf("-  (no \"%s\" step in this build)\n", step_kind_label(k, cfg));
			continue;
		}
		char *by = sanitize_str(j->unblocked_by, SANITIZE_ONE_LINE);
		char *at = sanitize_str(j->unblocked_at ? j->unblocked_at : "?", SANITIZE_ONE_LINE);
		char *st = sanitize_str(step_text(j), SANITIZE_ONE_LINE);
		printf("%-10s ", st);
		free(st);
		if (j->unblocked_by || j->unblocked_at)
			printf("unblocked by %s at %s\n", j->unblocked_by ? by : "?", at);
		else if (j->unblockable)
			printf("ready to be unblocked\n");
		else
			printf("\n");
		free(by);
		free(at);
	}
	printf("\nJobs:\n");
	for (size_t i = 0; i < b->njobs; i++) {
		const struct bk_job *j = &b->jobs[i];
		if (j->type == BK_JOB_WAITER)
			continue;
		char *name = sanitize_str(j->name, SANITIZE_ONE_LINE);
		char *type = sanitize_str(j->type_name ? j->type_name : "?", SANITIZE_ONE_LINE);
		char *jstate = sanitize_str(j->state ? j->state : "?", SANITIZE_ONE_LINE);
		printf("  %-8s %-12s %s\n", type, jstate, name);
		free(name);
		free(type);
		free(jstate);
	}
	free(msg);
	free(branch);
	free(author);
	buf_free(&age);
}

struct wait_lineage {
	int done;
};

static void lineage_changed(void *ud, const struct lineage *l)
{
	struct wait_lineage *w = ud;
	if (lineage_complete(l))
		w->done = 1;
}

static const char *release_name_of(const struct bk_build *b, const struct config *cfg)
{
	for (size_t i = 0; i < b->nmeta; i++)
		if (!strcmp(b->meta_keys[i], cfg->release_field))
			return b->meta_values[i];
	return NULL;
}

static void print_lineage_text_parts(const struct lineage *l, int templates)
{
	for (size_t k = 0; k < l->nkinds; k++) {
		const struct lineage_kind *lk = &l->kinds[k];
		printf("\n%s:%s\n", lk->kind->title, lk->n ? "" : " none");
		if (lk->error) {
			char *e = sanitize_str(lk->error, SANITIZE_ONE_LINE);
			printf("  error: %s\n", e);
			free(e);
		}
		for (size_t i = 0; i < lk->n; i++) {
			const struct artifact *a = &lk->v[i];
			printf("  %-14s %-22s %-10s", a->location, a->id, a->state ? a->state : "?");
			if (a->is_public)
				printf("  PUBLIC");
			if (a->access_known && l->expected_state == FETCH_DONE) {
				const char **missing, **extra;
				size_t nm, ne;
				artifact_drift(a, (const char *const *)l->expected, l->nexpected, &missing, &nm, &extra,
					       &ne);
				for (size_t j = 0; j < nm; j++)
					printf("  missing %s", missing[j]);
				for (size_t j = 0; j < ne; j++)
					printf("  extra %s", extra[j]);
				if (!nm && !ne && !a->is_public)
					printf("  launch permissions match (%zu accounts)", a->naccess);
				free(missing);
				free(extra);
			} else if (!a->access_known) {
				char *e = sanitize_str(a->access_error, SANITIZE_ONE_LINE);
				printf("  launch permissions unknown: %s", e);
				free(e);
			}
			printf("\n");
		}
	}
	if (l->expected_state == FETCH_FAILED) {
		char *e = sanitize_str(l->expected_error, SANITIZE_ONE_LINE);
		printf("\nExpected accounts: %s\n", e);
		free(e);
	}
	if (!templates)
		return;
	printf("\nTemplates:\n");
	for (int s = 0; s < STAGE_COUNT; s++) {
		const struct lineage_stage *st = &l->stages[s];
		printf("  %-9s", stage_key((enum stage)s));
		if (st->state == FETCH_NONE || st->state == FETCH_FAILED) {
			char *e = sanitize_str(st->error, SANITIZE_ONE_LINE);
			printf("%s\n", e);
			free(e);
			continue;
		}
		if (!st->n)
			printf("none under s3://%s/%s\n", st->bucket, st->prefix);
		for (size_t i = 0; i < st->n; i++) {
			char *u = sanitize_str(st->v[i].url ? st->v[i].url : st->v[i].key, SANITIZE_ONE_LINE);
			printf("%s%s\n", i ? "           " : "", u);
			free(u);
		}
	}
}

int cmd_build(struct context *ctx, int argc, char **argv)
{
	int json = 0, c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "jh", build_opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'h':
			cli_usage(stdout, "build");
			return EXIT_OK;
		default:
			return usage_error("build", "unknown option");
		}
	}
	if (optind + 1 != argc)
		return usage_error("build", "expected one COMMIT or NUMBER");
	struct bk_build *b = NULL;
	int rc = find_build(ctx, argv[optind], &b);
	if (rc != EXIT_OK)
		return rc;
	struct lineage_fetch *lf = NULL;
	if (ctx->aws && b->commit) {
		struct wait_lineage w = {0};
		lf = lineage_fetch_start(ctx->aws, &ctx->cfg, b->commit, release_name_of(b, &ctx->cfg), lineage_changed,
					 &w);
		context_wait(ctx, &w.done);
	}
	const struct lineage *l = lf ? lineage_fetch_result(lf) : NULL;
	if (json) {
		json_object *o = cli_build_json(b, &ctx->cfg, 1);
		json_object_object_add(o, "lineage", l ? lineage_json(l) : NULL);
		if (!l)
			json_object_object_add(o, "aws_error", str_or_null(ctx->aws_error));
		print_json(o);
		json_object_put(o);
	} else {
		print_build_text(b, &ctx->cfg);
		if (l)
			print_lineage_text_parts(l, 1);
		else
			fprintf(stderr, "relcon: AWS: %s\n", ctx->aws_error ? ctx->aws_error : "not available");
	}
	lineage_fetch_free(&lf);
	bk_build_free(b);
	free(b);
	return EXIT_OK;
}

int cmd_config_keys(struct context *ctx, int argc, char **argv)
{
	(void)ctx;
	(void)argv;
	if (argc > 1)
		return usage_error("config-keys", "no arguments expected");
	config_print_keys(stdout);
	return EXIT_OK;
}

/* ---- images and releases (AWS) ----------------------------------------------- */

int cmd_images(struct context *ctx, int argc, char **argv)
{
	int json = 0;
	int rc = simple_opts(argc, argv, "images", &json, 1);
	if (rc == -2)
		return EXIT_OK;
	if (rc < 0)
		return EXIT_USAGE;
	if ((rc = need_aws(ctx, "images")))
		return rc;
	const char *ref = argv[optind];
	char *commit = NULL;
	if (strlen(ref) == 40 && is_hex(ref)) {
		commit = xstrdup(ref); /* a full SHA needs no build */
	} else {
		struct bk_build *b = NULL;
		if ((rc = find_build(ctx, ref, &b)) != EXIT_OK)
			return rc;
		commit = xstrdup(b->commit);
		bk_build_free(b);
		free(b);
	}
	struct wait_lineage w = {0};
	struct lineage_fetch *lf = lineage_fetch_start(ctx->aws, &ctx->cfg, commit, NULL, lineage_changed, &w);
	context_wait(ctx, &w.done);
	const struct lineage *l = lineage_fetch_result(lf);
	int failed = 0;
	for (size_t k = 0; k < l->nkinds; k++)
		failed |= l->kinds[k].state == FETCH_FAILED;
	if (json) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "commit", json_object_new_string(commit));
		json_object *lj = lineage_json(l);
		/* Only the artifacts and the accounts: templates are `relcon build`'s. */
		json_object_object_del(lj, "templates");
		json_object_object_foreach(lj, key, val) json_object_object_add(o, key, json_object_get(val));
		json_object_put(lj);
		print_json(o);
		json_object_put(o);
	} else {
		printf("Commit %s\n", commit);
		print_lineage_text_parts(l, 0);
	}
	lineage_fetch_free(&lf);
	free(commit);
	return failed ? EXIT_FAILED : EXIT_OK;
}

struct wait_releases {
	int done;
};

static void releases_changed(void *ud, const struct published_list *l)
{
	struct wait_releases *w = ud;
	if (releases_complete(l))
		w->done = 1;
}

int cmd_releases(struct context *ctx, int argc, char **argv)
{
	int json = 0;
	int rc = simple_opts(argc, argv, "releases", &json, 0);
	if (rc == -2)
		return EXIT_OK;
	if (rc < 0)
		return EXIT_USAGE;
	if ((rc = need_aws(ctx, "releases")))
		return rc;
	struct wait_releases w = {0};
	struct releases_fetch *f = releases_fetch_start(ctx->aws, &ctx->cfg, releases_changed, &w);
	context_wait(ctx, &w.done);
	const struct published_list *l = releases_fetch_result(f);
	if (l->state == FETCH_FAILED) {
		rc = cli_fail("listing the public bucket", l->error);
		releases_fetch_free(&f);
		return rc;
	}
	size_t *order = releases_order(l);
	if (json) {
		json_object *arr = json_object_new_array();
		for (size_t i = 0; i < l->n; i++) {
			const struct published *p = &l->v[order[i]];
			json_object *o = json_object_new_object();
			json_object_object_add(o, "kind", json_object_new_string(p->alpha ? "alpha" : "release"));
			json_object_object_add(o, p->alpha ? "commit" : "name", json_object_new_string(p->name));
			json_object_object_add(o, "bucket", json_object_new_string(l->bucket));
			json_object_object_add(o, "prefix", json_object_new_string(p->prefix));
			json_object_object_add(o, "error", str_or_null(p->error));
			json_object *ts = json_object_new_array();
			for (size_t j = 0; j < p->n; j++) {
				json_object *t = json_object_new_object();
				json_object_object_add(t, "name", str_or_null(p->v[j].name));
				json_object_object_add(t, "key", str_or_null(p->v[j].key));
				json_object_object_add(t, "url", str_or_null(p->v[j].url));
				json_object_array_add(ts, t);
			}
			json_object_object_add(o, "templates", ts);
			json_object_array_add(arr, o);
		}
		print_json(arr);
		json_object_put(arr);
	} else {
		for (size_t i = 0; i < l->n; i++) {
			const struct published *p = &l->v[order[i]];
			char *name = sanitize_str(p->name, SANITIZE_ONE_LINE);
			printf("%-8s %s  (%zu templates under s3://%s/%s)\n", p->alpha ? "alpha" : "release", name,
			       p->n, l->bucket, p->prefix);
			free(name);
			if (p->error) {
				char *e = sanitize_str(p->error, SANITIZE_ONE_LINE);
				printf("         error: %s\n", e);
				free(e);
			}
			for (size_t j = 0; j < p->n; j++) {
				char *u = sanitize_str(p->v[j].url ? p->v[j].url : p->v[j].key, SANITIZE_ONE_LINE);
				printf("         %s\n", u);
				free(u);
			}
		}
	}
	free(order);
	releases_fetch_free(&f);
	return EXIT_OK;
}
