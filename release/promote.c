/* release/promote.c - see promote.h. */
#include "release/promote.h"

#include <ctype.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "aws/client.h"
#include "buildkite/client.h"
#include "buildkite/model.h"
#include "core/audit.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/log.h"
#include "core/loop.h"
#include "release/context.h"
#include "release/pipeline.h"
#include "release/releases.h"

const char *promote_kind_name(enum promote_kind k)
{
	static const char *const names[] = {"unblock-build", "promote-alpha", "promote-release"};
	return names[k];
}

const char *check_state_name(enum check_state s)
{
	static const char *const names[] = {"pass", "FAIL", "unknown"};
	return names[s];
}

/* Whether needle occurs in s, ignoring ASCII case. */
static int contains_nocase(const char *s, const char *needle)
{
	size_t n = strlen(needle);
	for (; s && *s; s++)
		if (!strncasecmp(s, needle, n))
			return 1;
	return 0;
}

static enum step_kind step_of(enum promote_kind k)
{
	return k == PROMOTE_BUILD_AMIS ? STEP_BUILD_AMIS : k == PROMOTE_ALPHA ? STEP_ALPHA : STEP_RELEASE;
}

/* ---- release names ---- */

char *promote_check_release_name(const char *name, const struct config *cfg)
{
	struct buf b = {0};
	if (!name || !*name) {
		buf_adds(&b, "a release name is needed (--name)");
	} else if (strlen(name) > 64) {
		buf_adds(&b, "a release name has at most 64 characters");
	} else if (strcspn(name, "/ \t\r\n\\") != strlen(name)) {
		buf_printf(&b, "release name \"%s\": no slashes or whitespace (it becomes the bucket prefix <NAME>/)",
			   name);
	} else if (!strcmp(name, ".") || !strcmp(name, "..")) {
		buf_printf(&b, "release name \"%s\" is not a name", name);
	} else if (contains_nocase(name, "alpha")) {
		buf_printf(&b, "release name \"%s\": \"alpha\" is reserved for alpha releases (alpha/<COMMIT>/)", name);
	} else {
		regex_t re;
		int rc = regcomp(&re, cfg->promote_name_pattern, REG_EXTENDED | REG_NOSUB);
		if (rc) {
			buf_printf(&b, "promote.release_name_pattern \"%s\" is not a valid regular expression",
				   cfg->promote_name_pattern);
		} else {
			if (regexec(&re, name, 0, NULL, 0))
				buf_printf(&b, "release name \"%s\" does not match promote.release_name_pattern %s",
					   name, cfg->promote_name_pattern);
			regfree(&re);
		}
	}
	if (!b.len) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

/* ---- the plan ---- */

static void add_line(char **dst, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_line(char **dst, const char *fmt, ...)
{
	struct buf b = {0};
	if (*dst)
		buf_printf(&b, "%s\n", *dst);
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	free(*dst);
	*dst = buf_steal(&b);
}

static void check(struct promote_plan *p, const char *name, enum check_state s, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void check(struct promote_plan *p, const char *name, enum check_state s, const char *fmt, ...)
{
	if (p->nchecks >= PROMOTE_MAX_CHECKS)
		return;
	struct promote_check *c = &p->checks[p->nchecks++];
	c->name = name;
	c->state = s;
	struct buf b = {0};
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	c->detail = buf_steal(&b);
	if (s != CHECK_PASS)
		p->failing++;
}

static int index_of(const struct bk_build *b, const struct bk_job *j)
{
	return j ? (int)(j - b->jobs) : -1;
}

/* Script jobs after job index `from` up to the next block step. */
static void script_range(const struct bk_build *b, int from, int *lo, int *hi)
{
	*lo = from + 1;
	*hi = *lo;
	while (*hi < (int)b->njobs && b->jobs[*hi].type != BK_JOB_MANUAL)
		(*hi)++;
}

/* The AMI build and the smoke test: the script jobs after "Build AMIs"
 * (named *smoke* for the smoke test, the others for the build). */
static void check_jobs(struct promote_plan *p, const struct bk_build *b, const struct config *cfg, int smoke)
{
	const char *name = smoke ? "smoke test passed" : "AMI build step passed";
	const struct bk_job *gate = pipeline_step(b, STEP_BUILD_AMIS, cfg);
	if (!gate) {
		check(p, name, CHECK_UNKNOWN, "the build has no \"%s\" step", cfg->step_build_amis);
		return;
	}
	if (gate->state && !strcmp(gate->state, "blocked")) {
		check(p, name, CHECK_FAIL, "\"%s\" was never unblocked", cfg->step_build_amis);
		return;
	}
	int lo, hi, seen = 0;
	script_range(b, index_of(b, gate), &lo, &hi);
	for (int i = lo; i < hi; i++) {
		const struct bk_job *j = &b->jobs[i];
		if (j->type != BK_JOB_SCRIPT || contains_nocase(j->name, "smoke") != smoke)
			continue;
		seen++;
		if (!j->state || strcmp(j->state, "passed")) {
			enum state_class c = pipeline_state_class(j->state);
			check(p, name,
			      c == STATE_CLASS_FAILED || c == STATE_CLASS_CANCELED ? CHECK_FAIL : CHECK_UNKNOWN,
			      "%s: %s", j->name ? j->name : "job", j->state ? j->state : "no state");
			return;
		}
	}
	if (!seen)
		check(p, name, CHECK_UNKNOWN, "no %s job after \"%s\"", smoke ? "smoke test" : "AMI build",
		      cfg->step_build_amis);
	else
		check(p, name, CHECK_PASS, "%d job%s passed", seen, seen == 1 ? "" : "s");
}

static void check_artifacts(struct promote_plan *p, const struct lineage *l, const struct config *cfg)
{
	const char *name = "AMIs available in every destination region";
	struct buf missing = {0};
	enum check_state s = CHECK_PASS;
	for (size_t k = 0; k < l->nkinds; k++) {
		const struct lineage_kind *lk = &l->kinds[k];
		if (lk->state != FETCH_DONE) {
			check(p, name, CHECK_UNKNOWN, "%s: %s", lk->kind->title,
			      lk->error ? lk->error : "not read yet");
			return;
		}
		for (size_t r = 0; r < cfg->aws_regions.n; r++) {
			const char *region = cfg->aws_regions.v[r];
			int ok = 0;
			for (size_t i = 0; i < lk->n; i++)
				ok |= lk->v[i].location && !strcmp(lk->v[i].location, region) && lk->v[i].state &&
				      !strcmp(lk->v[i].state, "available");
			if (!ok) {
				buf_printf(&missing, "%s%s", missing.len ? ", " : "", region);
				s = CHECK_FAIL;
			}
		}
		if (s == CHECK_FAIL && lk->error) {
			/* Partial: a region that could not be read is not a region without AMIs. */
			check(p, name, CHECK_UNKNOWN, "none seen in %s: %s", buf_str(&missing), lk->error);
			buf_free(&missing);
			return;
		}
	}
	if (s == CHECK_PASS)
		check(p, name, s, "%zu region%s", cfg->aws_regions.n, cfg->aws_regions.n == 1 ? "" : "s");
	else
		check(p, name, s, "none available in %s", buf_str(&missing));
	buf_free(&missing);
}

static void check_templates(struct promote_plan *p, const struct lineage *l)
{
	const char *name = "internal templates present";
	const struct lineage_stage *st = &l->stages[STAGE_INTERNAL];
	if (st->state != FETCH_DONE)
		check(p, name, CHECK_UNKNOWN, "%s", st->error ? st->error : "not read yet");
	else if (!st->n)
		check(p, name, CHECK_FAIL, "nothing under s3://%s/%s", st->bucket ? st->bucket : "?",
		      st->prefix ? st->prefix : "?");
	else
		check(p, name, CHECK_PASS, "%zu template%s", st->n, st->n == 1 ? "" : "s");
}

static void check_access(struct promote_plan *p, const struct lineage *l)
{
	const char *name = "launch permissions match the expected list";
	if (l->expected_state != FETCH_DONE) {
		check(p, name, CHECK_UNKNOWN, "expected accounts unknown: %s",
		      l->expected_error ? l->expected_error : "not read yet");
		return;
	}
	struct buf d = {0};
	int unknown = 0;
	for (size_t k = 0; k < l->nkinds; k++) {
		for (size_t i = 0; i < l->kinds[k].n; i++) {
			const struct artifact *a = &l->kinds[k].v[i];
			if (!a->access_known) {
				unknown = 1;
				continue;
			}
			const char **missing, **extra;
			size_t nm, ne;
			artifact_drift(a, (const char *const *)l->expected, l->nexpected, &missing, &nm, &extra, &ne);
			if (nm || ne || a->is_public) {
				buf_printf(&d, "%s%s %s:", d.len ? "; " : "", a->location ? a->location : "?", a->id);
				for (size_t m = 0; m < nm; m++)
					buf_printf(&d, " missing %s", missing[m]);
				for (size_t m = 0; m < ne; m++)
					buf_printf(&d, " extra %s", extra[m]);
				if (a->is_public)
					buf_adds(&d, " PUBLIC");
			}
			free(missing);
			free(extra);
		}
	}
	if (d.len)
		check(p, name, CHECK_FAIL, "%s", buf_str(&d));
	else if (unknown)
		check(p, name, CHECK_UNKNOWN, "some launch permissions could not be read");
	else
		check(p, name, CHECK_PASS, "%zu account%s", l->nexpected, l->nexpected == 1 ? "" : "s");
	buf_free(&d);
}

static void plan_urls(struct promote_plan *p, const struct lineage *l, const struct config *cfg, struct aws_client *aws)
{
	const struct lineage_stage *st = &l->stages[STAGE_INTERNAL];
	char *prefix = lineage_prefix(p->kind == PROMOTE_ALPHA ? cfg->aws_alpha_prefix : cfg->aws_release_prefix,
				      p->commit, p->release_name ? p->release_name : "");
	p->urls = xcalloc(st->n + 1, sizeof *p->urls);
	p->url_keys = xcalloc(st->n + 1, sizeof *p->url_keys);
	for (size_t i = 0; st->state == FETCH_DONE && i < st->n; i++) {
		struct buf key = {0}, url = {0}, err = {0};
		buf_printf(&key, "%s%s", prefix, st->v[i].name);
		if (aws &&
		    aws_client_object_url(aws, &url, cfg->aws_region, cfg->aws_public_bucket, buf_str(&key), &err) == 0)
			p->urls[p->nurls] = buf_steal(&url);
		else
			p->urls[p->nurls] = xstrdup(buf_str(&key));
		p->url_keys[p->nurls++] = buf_steal(&key);
		buf_free(&url);
		buf_free(&err);
	}
	free(prefix);
	p->accounts = xcalloc(l->nexpected + 1, sizeof *p->accounts);
	for (size_t i = 0; i < l->nexpected; i++)
		p->accounts[p->naccounts++] = xstrdup(l->expected[i]);
}

static const char *meta(const struct bk_build *b, const char *key)
{
	for (size_t i = 0; i < b->nmeta; i++)
		if (b->meta_keys[i] && !strcmp(b->meta_keys[i], key))
			return b->meta_values[i];
	return NULL;
}

static void release_guards(struct promote_plan *p, const struct published_list *pub, const struct bk_build *recent,
			   size_t nrecent, const struct config *cfg)
{
	char *bad = promote_check_release_name(p->release_name, cfg);
	if (bad) {
		add_line(&p->refused, "%s", bad);
		free(bad);
		return;
	}
	if (!pub || pub->state != FETCH_DONE) {
		add_line(&p->refused, "the public bucket could not be listed, so %s/ may already exist: %s",
			 p->release_name, pub && pub->error ? pub->error : "not read");
	} else {
		for (size_t i = 0; i < pub->n; i++)
			if (!pub->v[i].alpha && !strcmp(pub->v[i].name, p->release_name))
				add_line(&p->refused, "release %s already exists: s3://%s/%s", p->release_name,
					 pub->bucket ? pub->bucket : "", pub->v[i].prefix ? pub->v[i].prefix : "");
	}
	for (size_t i = 0; recent && i < nrecent; i++) {
		const char *used = meta(&recent[i], cfg->release_field);
		if (used && recent[i].number != p->number && !strcmp(used, p->release_name))
			add_line(&p->refused, "build #%ld already used the release name %s", recent[i].number,
				 p->release_name);
	}
}

void promote_evaluate(struct promote_plan *p, const struct bk_build *b, const struct lineage *l,
		      const struct published_list *pub, const struct bk_build *recent, size_t nrecent,
		      const struct config *cfg, struct aws_client *aws, int read_only)
{
	p->number = b->number;
	p->commit = xstrdup(b->commit ? b->commit : "");
	p->branch = xstrdup(b->branch ? b->branch : "");
	p->message = b->message ? xstrdup(b->message) : NULL;
	p->web_url = b->web_url ? xstrdup(b->web_url) : NULL;
	p->release_field = xstrdup(cfg->release_field);
	enum step_kind sk = step_of(p->kind);
	p->step_label = xstrdup(step_kind_label(sk, cfg));
	const struct bk_job *j = pipeline_step(b, sk, cfg);
	if (read_only)
		add_line(&p->refused, "relcon is read-only: %s refused", promote_kind_name(p->kind));
	if (!j) {
		if (p->kind == PROMOTE_RELEASE)
			add_line(&p->refused,
				 "build #%ld is on branch %s: only builds of %s have \"%s\" (promote it to alpha)",
				 b->number, p->branch, cfg->main_branch, p->step_label);
		else if (p->kind == PROMOTE_ALPHA)
			add_line(&p->refused, "build #%ld has no \"%s\" step%s", b->number, p->step_label,
				 !strcmp(p->branch, cfg->main_branch)
					 ? " (builds of main are promoted to a named release)"
					 : "");
		else
			add_line(&p->refused, "build #%ld has no \"%s\" step", b->number, p->step_label);
	} else {
		p->job_id = xstrdup(j->id);
		p->job_state = xstrdup(j->state ? j->state : "");
		p->unblocked_by = j->unblocked_by ? xstrdup(j->unblocked_by) : NULL;
		p->unblocked_at = j->unblocked_at ? xstrdup(j->unblocked_at) : NULL;
		if (j->unblocked_by || (j->state && !strcmp(j->state, "unblocked")))
			add_line(&p->refused, "\"%s\" is already unblocked%s%s%s%s", p->step_label,
				 j->unblocked_by ? " by " : "", j->unblocked_by ? j->unblocked_by : "",
				 j->unblocked_at ? " at " : "", j->unblocked_at ? j->unblocked_at : "");
		else if (j->state && strcmp(j->state, "blocked") && strcmp(j->state, "blocked_failed"))
			add_line(&p->refused, "\"%s\" cannot be unblocked: it is %s%s", p->step_label, j->state,
				 !strcmp(j->state, "broken")
					 ? " (an earlier step failed, so the build never reached it)"
					 : "");
		else if (!j->unblockable)
			add_line(&p->refused, "\"%s\" cannot be unblocked yet (an earlier step has not passed)",
				 p->step_label);
	}
	if (p->kind == PROMOTE_BUILD_AMIS || !l)
		return;
	check_jobs(p, b, cfg, 0);
	check_jobs(p, b, cfg, 1);
	check_artifacts(p, l, cfg);
	check_templates(p, l);
	check_access(p, l);
	if (p->kind == PROMOTE_RELEASE && j)
		release_guards(p, pub, recent, nrecent, cfg);
	plan_urls(p, l, cfg, aws);
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void promote_plan_free(struct promote_plan *p)
{
	free(p->error);
	free(p->commit);
	free(p->branch);
	free(p->message);
	free(p->web_url);
	free(p->step_label);
	free(p->job_id);
	free(p->job_state);
	free(p->unblocked_by);
	free(p->unblocked_at);
	free(p->release_name);
	free(p->release_field);
	for (size_t i = 0; i < p->nchecks; i++)
		free(p->checks[i].detail);
	strv_free(p->urls, p->nurls);
	strv_free(p->url_keys, p->nurls);
	strv_free(p->accounts, p->naccounts);
	free(p->refused);
	memset(p, 0, sizeof *p);
}

void promote_describe(const struct promote_plan *p, struct buf *out)
{
	char first[81];
	const char *msg = p->message ? p->message : "";
	size_t n = strcspn(msg, "\n");
	snprintf(first, sizeof first, "%.*s", (int)(n < 80 ? n : 80), msg);
	buf_printf(out, "Build         #%ld on %s, commit %s\n", p->number, p->branch ? p->branch : "",
		   p->commit ? p->commit : "");
	buf_printf(out, "Message       %s\n", first);
	buf_printf(out, "Step          %s (%s)\n", p->step_label ? p->step_label : "",
		   p->job_state ? p->job_state : "not in this build");
	if (p->kind == PROMOTE_RELEASE)
		buf_printf(out, "Release name  %s (field %s)\n", p->release_name ? p->release_name : "",
			   p->release_field ? p->release_field : "");
	if (p->kind == PROMOTE_BUILD_AMIS) {
		buf_adds(out, "Cost          builds AMIs in every destination region: this spends money\n");
		return;
	}
	buf_adds(out, "Preflight\n");
	for (size_t i = 0; i < p->nchecks; i++)
		buf_printf(out, "  %-7s %-44s %s\n", check_state_name(p->checks[i].state), p->checks[i].name,
			   p->checks[i].detail ? p->checks[i].detail : "");
	buf_printf(out, "Creates       %zu public template URL%s:\n", p->nurls, p->nurls == 1 ? "" : "s");
	for (size_t i = 0; i < p->nurls; i++)
		buf_printf(out, "  %s\n", p->urls[i]);
	buf_adds(out, "Launchable by");
	for (size_t i = 0; i < p->naccounts; i++)
		buf_printf(out, " %s", p->accounts[i]);
	buf_adds(out, p->naccounts ? "\n" : " (unknown)\n");
}

/* ---- preparing ---- */

struct promote {
	struct context *ctx;
	struct promote_plan p;
	promote_plan_fn plan_fn;
	void *plan_ud;
	struct bk_build *build;
	struct bk_build *recent;
	size_t nrecent;
	int recent_done;
	struct lineage_fetch *lineage;
	int lineage_done;
	struct releases_fetch *releases;
	int releases_done;
	unsigned long bk_call;
	unsigned long list_call;
	int pending;
	/* sending and following */
	promote_progress_fn fn;
	void *ud;
	int follow;
	unsigned long timer;
	int job_index; /* the block job's index in the build */
	unsigned long *heads;
	int *url_ok;
	size_t heads_pending;
	char *message;
	char journal_id[AUDIT_ID_LEN + 1];
	int journaled;    /* the final outcome is written */
	int unblock_done; /* Buildkite said unblocked */
	int head_rounds;  /* HEAD rounds repeated after some URL was missing */
};

static void evaluate(struct promote *pr)
{
	const struct lineage *l = pr->lineage ? lineage_fetch_result(pr->lineage) : NULL;
	const struct published_list *pub = pr->releases ? releases_fetch_result(pr->releases) : NULL;
	promote_evaluate(&pr->p, pr->build, l, pub, pr->recent, pr->nrecent, &pr->ctx->cfg, pr->ctx->aws,
			 pr->ctx->read_only);
	pr->p.state = FETCH_DONE;
	pr->plan_fn(pr->plan_ud, &pr->p);
}

static void one_done(struct promote *pr)
{
	if (--pr->pending == 0)
		evaluate(pr);
}

static void lineage_changed(void *ud, const struct lineage *l)
{
	struct promote *pr = ud;
	if (lineage_complete(l) && !pr->lineage_done) {
		pr->lineage_done = 1;
		one_done(pr);
	}
}

static void releases_changed(void *ud, const struct published_list *l)
{
	struct promote *pr = ud;
	if (releases_complete(l) && !pr->releases_done) {
		pr->releases_done = 1;
		one_done(pr);
	}
}

static void got_recent(void *ud, const struct bk_error *err, struct bk_build *builds, size_t n)
{
	struct promote *pr = ud;
	pr->list_call = 0;
	pr->recent_done = 1;
	if (err) {
		add_line(&pr->p.refused, "the recent builds of %s could not be read to check the name is unused: %s",
			 pr->ctx->cfg.main_branch, err->message ? err->message : "error");
	} else {
		pr->recent = builds;
		pr->nrecent = n;
	}
	one_done(pr);
}

static void got_build(void *ud, const struct bk_error *err, struct bk_build *b)
{
	struct promote *pr = ud;
	pr->bk_call = 0;
	if (err) {
		pr->p.state = FETCH_FAILED;
		struct buf e = {0};
		buf_printf(&e, "build #%ld: %s", pr->p.number, err->message ? err->message : "could not be read");
		pr->p.error = buf_steal(&e);
		pr->plan_fn(pr->plan_ud, &pr->p);
		return;
	}
	pr->build = b;
	if (pr->p.kind == PROMOTE_BUILD_AMIS || !pr->ctx->aws) {
		if (pr->p.kind != PROMOTE_BUILD_AMIS)
			add_line(&pr->p.refused, "AWS is not available: %s",
				 pr->ctx->aws_error ? pr->ctx->aws_error : "not set up");
		evaluate(pr);
		return;
	}
	/* Counted before anything starts (one more held until all are out), so
	 * an answer that comes at once cannot evaluate the plan early. */
	pr->pending = 2 + (pr->p.kind == PROMOTE_RELEASE ? 2 : 0);
	pr->lineage =
		lineage_fetch_start(pr->ctx->aws, &pr->ctx->cfg, b->commit, pr->p.release_name, lineage_changed, pr);
	if (pr->p.kind == PROMOTE_RELEASE) {
		pr->releases = releases_fetch_start(pr->ctx->aws, &pr->ctx->cfg, releases_changed, pr);
		struct bk_query q = {.branch = pr->ctx->cfg.main_branch, .limit = 100};
		pr->list_call = bk_list_builds(pr->ctx->bk, &q, got_recent, pr);
	}
	one_done(pr);
}

struct promote *promote_prepare(struct context *ctx, enum promote_kind kind, long number, const char *release_name,
				promote_plan_fn fn, void *ud)
{
	struct promote *pr = xcalloc(1, sizeof *pr);
	pr->ctx = ctx;
	pr->plan_fn = fn;
	pr->plan_ud = ud;
	pr->p.kind = kind;
	pr->p.number = number;
	pr->p.state = FETCH_LOADING;
	if (kind == PROMOTE_RELEASE)
		pr->p.release_name = xstrdup(release_name ? release_name : "");
	pr->bk_call = bk_get_build(ctx->bk, number, got_build, pr);
	return pr;
}

const struct promote_plan *promote_plan_of(const struct promote *pr)
{
	return &pr->p;
}

static json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

json_object *promote_plan_json(const struct promote_plan *p)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "action", json_object_new_string(promote_kind_name(p->kind)));
	json_object_object_add(o, "build", json_object_new_int64(p->number));
	json_object_object_add(o, "commit", str_or_null(p->commit));
	json_object_object_add(o, "branch", str_or_null(p->branch));
	json_object_object_add(o, "step", str_or_null(p->step_label));
	json_object_object_add(o, "job_id", str_or_null(p->job_id));
	json_object_object_add(o, "job_state", str_or_null(p->job_state));
	if (p->kind == PROMOTE_RELEASE)
		json_object_object_add(o, "release_name", str_or_null(p->release_name));
	json_object *checks = json_object_new_array();
	for (size_t i = 0; i < p->nchecks; i++) {
		json_object *c = json_object_new_object();
		json_object_object_add(c, "name", json_object_new_string(p->checks[i].name));
		json_object_object_add(c, "state", json_object_new_string(check_state_name(p->checks[i].state)));
		json_object_object_add(c, "detail", str_or_null(p->checks[i].detail));
		json_object_array_add(checks, c);
	}
	json_object_object_add(o, "preflight", checks);
	json_object *urls = json_object_new_array();
	for (size_t i = 0; i < p->nurls; i++)
		json_object_array_add(urls, json_object_new_string(p->urls[i]));
	json_object_object_add(o, "urls", urls);
	json_object *acc = json_object_new_array();
	for (size_t i = 0; i < p->naccounts; i++)
		json_object_array_add(acc, json_object_new_string(p->accounts[i]));
	json_object_object_add(o, "accounts", acc);
	json_object_object_add(o, "refused", str_or_null(p->refused));
	return o;
}

static const char *target_of(const struct promote *pr)
{
	return pr->p.commit;
}

/* The outcome of the unblock (and, later, of what followed it). */
static void journal_outcome(struct promote *pr, const char *result, const char *error, const char *phase)
{
	json_object *d = json_object_new_object();
	json_object_object_add(d, "phase", json_object_new_string(phase));
	json_object_object_add(d, "build", json_object_new_int64(pr->p.number));
	if (pr->url_ok) {
		json_object *u = json_object_new_array();
		for (size_t i = 0; i < pr->p.nurls; i++) {
			json_object *x = json_object_new_object();
			json_object_object_add(x, "url", json_object_new_string(pr->p.urls[i]));
			json_object_object_add(x, "exists",
					       pr->url_ok[i] < 0 ? NULL : json_object_new_boolean(pr->url_ok[i]));
			json_object_array_add(u, x);
		}
		json_object_object_add(d, "urls", u);
	}
	struct audit_entry e = {
		.action = promote_kind_name(pr->p.kind),
		.target = target_of(pr),
		.details = d,
		.result = result,
		.error = error,
		.reference = pr->p.job_id,
	};
	context_outcome(pr->ctx, pr->journal_id, &e);
	json_object_put(d);
}

/* ---- sending and following ---- */

static void report(struct promote *pr, enum promote_phase ph, const char *failed_job, const char *failed_url,
		   int unknown, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void report(struct promote *pr, enum promote_phase ph, const char *failed_job, const char *failed_url,
		   int unknown, const char *fmt, ...)
{
	struct buf b = {0};
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	free(pr->message);
	pr->message = buf_steal(&b);
	log_msg(ph == PROMOTE_FAILED ? LOG_WARN : LOG_INFO, "%s #%ld: %s", promote_kind_name(pr->p.kind), pr->p.number,
		pr->message);
	/* The journal: the unblock's outcome, then (when followed) how it ended. */
	if (ph == PROMOTE_UNBLOCKED)
		journal_outcome(pr, "ok", NULL, "unblock");
	else if (ph == PROMOTE_FAILED && !pr->journaled)
		journal_outcome(pr, unknown ? "unknown" : "failed", pr->message,
				pr->unblock_done ? "follow" : "unblock");
	else if (ph == PROMOTE_DONE)
		journal_outcome(pr, "ok", NULL, "follow");
	if (ph == PROMOTE_UNBLOCKED)
		pr->unblock_done = 1;
	if (ph == PROMOTE_FAILED || ph == PROMOTE_DONE)
		pr->journaled = 1;
	struct promote_progress pp = {
		.phase = ph,
		.message = pr->message,
		.failed_job = failed_job,
		.failed_url = failed_url,
		.urls = (const char *const *)pr->p.urls,
		.url_ok = pr->url_ok,
		.nurls = pr->url_ok ? pr->p.nurls : 0,
		.unknown = unknown,
	};
	pr->fn(pr->ud, &pp);
}

static void poll_build(void *ud);

static void schedule(struct promote *pr)
{
	long ms = pr->ctx->cfg.refresh_active * 1000;
	pr->timer = loop_timer(pr->ctx->loop, ms < 5000 ? ms : 5000, poll_build, pr);
}

static const struct bk_job *job_by_id(const struct bk_build *b, const char *id)
{
	for (size_t i = 0; id && i < b->njobs; i++)
		if (b->jobs[i].id && !strcmp(b->jobs[i].id, id))
			return &b->jobs[i];
	return NULL;
}

static void on_head(void *ud, const struct aws_resp *r);

struct head_call {
	struct promote *pr;
	size_t i;
};

static void verify(struct promote *pr)
{
	if (!pr->p.nurls) {
		report(pr, PROMOTE_DONE, NULL, NULL, 0, "the jobs after \"%s\" passed", pr->p.step_label);
		return;
	}
	if (!pr->url_ok)
		pr->url_ok = xcalloc(pr->p.nurls, sizeof *pr->url_ok);
	if (!pr->heads)
		pr->heads = xcalloc(pr->p.nurls, sizeof *pr->heads);
	pr->heads_pending = pr->p.nurls;
	if (!pr->head_rounds)
		report(pr, PROMOTE_VERIFYING, NULL, NULL, 0, "the deploy passed; checking the %zu public URLs",
		       pr->p.nurls);
	for (size_t i = 0; i < pr->p.nurls; i++) {
		pr->url_ok[i] = -1;
		struct head_call *hc = xcalloc(1, sizeof *hc);
		hc->pr = pr;
		hc->i = i;
		struct aws_req req = {.op = "HeadObject",
				      .service = "s3",
				      .method = "HEAD",
				      .region = pr->ctx->cfg.aws_region,
				      .bucket = pr->ctx->cfg.aws_public_bucket,
				      .key = pr->p.url_keys[i]};
		pr->heads[i] = aws_send(pr->ctx->aws, &req, on_head, hc);
	}
}

static void verify(struct promote *pr);

static void verify_again(void *ud)
{
	struct promote *pr = ud;
	pr->timer = 0;
	verify(pr);
}

static void on_head(void *ud, const struct aws_resp *r)
{
	struct head_call *hc = ud;
	struct promote *pr = hc->pr;
	size_t i = hc->i;
	free(hc);
	pr->heads[i] = 0;
	pr->url_ok[i] = r->status == 200 ? 1 : r->status == 404 || r->status == 403 ? 0 : -1;
	if (--pr->heads_pending)
		return;
	size_t ok = 0, missing = 0;
	const char *first_bad = NULL;
	for (size_t k = 0; k < pr->p.nurls; k++) {
		ok += pr->url_ok[k] == 1;
		missing += pr->url_ok[k] == 0;
		if (pr->url_ok[k] != 1 && !first_bad)
			first_bad = pr->p.urls[k];
	}
	if (ok == pr->p.nurls) {
		report(pr, PROMOTE_DONE, NULL, NULL, 0, "done: all %zu public URLs exist", ok);
	} else if (pr->head_rounds < 3) {
		/* The deploy's last writes may not be visible yet: look again shortly. */
		pr->head_rounds++;
		report(pr, PROMOTE_VERIFYING, NULL, NULL, 0, "%zu of %zu URLs not there yet; looking again",
		       pr->p.nurls - ok, pr->p.nurls);
		pr->timer = loop_timer(pr->ctx->loop, 2000, verify_again, pr);
	} else
		report(pr, PROMOTE_FAILED, NULL, first_bad, 0, "the deploy passed but %zu of %zu URLs %s, e.g. %s",
		       pr->p.nurls - ok, pr->p.nurls, missing ? "are missing" : "could not be checked", first_bad);
}

/* The jobs after the block step: still running, one failed, or all passed. */
static void followed(void *ud, const struct bk_error *err, struct bk_build *b)
{
	struct promote *pr = ud;
	pr->bk_call = 0;
	if (err) {
		/* A failed reading is not a failed promotion: look again. */
		log_msg(LOG_WARN, "following build #%ld: %s", pr->p.number, err->message ? err->message : "error");
		schedule(pr);
		return;
	}
	if (pr->build) {
		bk_build_free(pr->build);
		free(pr->build);
	}
	pr->build = b;
	const struct bk_job *gate = job_by_id(b, pr->p.job_id);
	if (!gate) {
		report(pr, PROMOTE_FAILED, NULL, NULL, 0, "the step is no longer in build #%ld", b->number);
		return;
	}
	int lo, hi;
	script_range(b, index_of(b, gate), &lo, &hi);
	const struct bk_job *running = NULL;
	int passed = 0, total = 0;
	for (int i = lo; i < hi; i++) {
		const struct bk_job *j = &b->jobs[i];
		if (j->type != BK_JOB_SCRIPT)
			continue;
		total++;
		enum state_class c = pipeline_state_class(j->state);
		if (c == STATE_CLASS_FAILED || c == STATE_CLASS_CANCELED) {
			report(pr, PROMOTE_FAILED, j->name, j->web_url, 0, "%s %s: %s", j->name ? j->name : "a job",
			       j->state ? j->state : "failed", j->web_url ? j->web_url : "");
			return;
		}
		if (j->state && !strcmp(j->state, "passed"))
			passed++;
		else if (!running)
			running = j;
	}
	if (total && passed == total) {
		if (pr->p.kind == PROMOTE_BUILD_AMIS)
			report(pr, PROMOTE_DONE, NULL, NULL, 0, "done: %d job%s passed (AMIs built, smoke test run)",
			       total, total == 1 ? "" : "s");
		else
			verify(pr);
		return;
	}
	report(pr, PROMOTE_RUNNING, NULL, NULL, 0, "%d of %d jobs passed%s%s%s%s", passed, total, running ? "; " : "",
	       running && running->name ? running->name : "", running ? " " : "",
	       running && running->state ? running->state : "");
	schedule(pr);
}

static void poll_build(void *ud)
{
	struct promote *pr = ud;
	pr->timer = 0;
	pr->bk_call = bk_get_build(pr->ctx->bk, pr->p.number, followed, pr);
}

static void after_unblocked(struct promote *pr, const char *by, const char *at, int lost)
{
	report(pr, PROMOTE_UNBLOCKED, NULL, NULL, 0, "%s\"%s\" unblocked%s%s%s%s",
	       lost ? "the answer was lost, but " : "", pr->p.step_label, by ? " by " : "", by ? by : "",
	       at ? " at " : "", at ? at : "");
	if (pr->follow)
		schedule(pr);
}

/* The unblock's answer was lost: the build tells whether it happened. */
static void reread(void *ud, const struct bk_error *err, struct bk_build *b)
{
	struct promote *pr = ud;
	pr->bk_call = 0;
	const struct bk_job *j = b ? job_by_id(b, pr->p.job_id) : NULL;
	if (err || !j) {
		report(pr, PROMOTE_FAILED, NULL, pr->p.web_url, 1,
		       "the unblock's answer was lost and the build could not be read again (%s): whether \"%s\" "
		       "was unblocked is unknown; it was not sent again; look at %s",
		       err && err->message ? err->message : "no such job", pr->p.step_label,
		       pr->p.web_url ? pr->p.web_url : "the build");
	} else if (j->state && strcmp(j->state, "blocked") && strcmp(j->state, "blocked_failed")) {
		after_unblocked(pr, j->unblocked_by, j->unblocked_at, 1);
	} else {
		report(pr, PROMOTE_FAILED, NULL, pr->p.web_url, 1,
		       "the unblock's answer was lost and the build still shows \"%s\" %s: it was not sent again. "
		       "Buildkite may still act on the one it got: look at the build again (r) before trying again",
		       pr->p.step_label, j->state ? j->state : "blocked");
	}
	if (b) {
		bk_build_free(b);
		free(b);
	}
}

static void unblocked(void *ud, const struct bk_error *err, struct bk_job *job)
{
	struct promote *pr = ud;
	pr->bk_call = 0;
	if (!err) {
		after_unblocked(pr, job ? job->unblocked_by : NULL, job ? job->unblocked_at : NULL, 0);
	} else if (err->timed_out || err->status == 0 || err->status >= 500) {
		log_msg(LOG_WARN, "unblock of build #%ld: %s: reading the build before anything else", pr->p.number,
			err->message ? err->message : "no answer");
		pr->bk_call = bk_get_build(pr->ctx->bk, pr->p.number, reread, pr);
	} else {
		report(pr, PROMOTE_FAILED, NULL, pr->p.web_url, 0, "Buildkite refused the unblock: %s (HTTP %ld)",
		       err->message ? err->message : "error", err->status);
	}
	if (job) {
		bk_job_free(job);
		free(job);
	}
}

int promote_send(struct promote *pr, int override, int follow, promote_progress_fn fn, void *ud, struct buf *why)
{
	const struct promote_plan *p = &pr->p;
	if (p->state != FETCH_DONE) {
		buf_adds(why, p->error ? p->error : "the plan is not ready");
		return -1;
	}
	if (p->refused) {
		buf_adds(why, p->refused);
		return -1;
	}
	if (p->failing && !override) {
		buf_printf(why, "%d preflight check%s did not pass: refused without an explicit override", p->failing,
			   p->failing == 1 ? "" : "s");
		return -1;
	}
	if (p->failing && !pr->ctx->cfg.promote_allow_override) {
		buf_printf(why, "%d preflight check%s did not pass and promote.allow_override is 0: refused",
			   p->failing, p->failing == 1 ? "" : "s");
		return -1;
	}
	if (p->failing) {
		/* The override is an action of its own in the journal. */
		char oid[AUDIT_ID_LEN + 1];
		json_object *in = json_object_new_object();
		json_object_object_add(in, "failing_checks", json_object_new_int(p->failing));
		json_object_object_add(in, "for", json_object_new_string(promote_kind_name(p->kind)));
		json_object *plan = promote_plan_json(p);
		struct audit_entry oe = {.action = "override",
					 .target = target_of(pr),
					 .inputs = in,
					 .plan = plan,
					 .reference = p->job_id};
		int rc = context_intent(pr->ctx, &oe, oid, why);
		if (rc == 0) {
			oe.result = "ok";
			context_outcome(pr->ctx, oid, &oe);
		}
		json_object_put(in);
		json_object_put(plan);
		if (rc < 0)
			return -1;
	}
	json_object *plan = promote_plan_json(p);
	json_object *in = json_object_new_object();
	json_object_object_add(in, "build", json_object_new_int64(p->number));
	json_object_object_add(in, "release_name", str_or_null(p->kind == PROMOTE_RELEASE ? p->release_name : NULL));
	json_object_object_add(in, "override", json_object_new_boolean(override && p->failing));
	json_object_object_add(in, "follow", json_object_new_boolean(follow));
	struct audit_entry e = {.action = promote_kind_name(p->kind),
				.target = target_of(pr),
				.inputs = in,
				.plan = plan,
				.reference = p->job_id};
	int rc = context_intent(pr->ctx, &e, pr->journal_id, why);
	json_object_put(in);
	json_object_put(plan);
	if (rc < 0)
		return -1;
	pr->fn = fn;
	pr->ud = ud;
	pr->follow = follow;
	const char *fields[3] = {NULL, NULL, NULL};
	if (p->kind == PROMOTE_RELEASE) {
		fields[0] = p->release_field;
		fields[1] = p->release_name;
	}
	report(pr, PROMOTE_SENDING, NULL, NULL, 0, "unblocking \"%s\" of build #%ld", p->step_label, p->number);
	pr->bk_call = bk_unblock(pr->ctx->bk, p->number, p->job_id, p->kind == PROMOTE_RELEASE ? fields : NULL,
				 unblocked, pr);
	return 0;
}

void promote_free(struct promote **prp)
{
	if (!prp || !*prp)
		return;
	struct promote *pr = *prp;
	if (pr->bk_call)
		bk_cancel(pr->ctx->bk, pr->bk_call);
	if (pr->list_call)
		bk_cancel(pr->ctx->bk, pr->list_call);
	if (pr->timer)
		loop_timer_cancel(pr->ctx->loop, pr->timer);
	for (size_t i = 0; pr->heads && i < pr->p.nurls; i++)
		if (pr->heads[i])
			aws_cancel(pr->ctx->aws, pr->heads[i]);
	free(pr->heads);
	free(pr->url_ok);
	lineage_fetch_free(&pr->lineage);
	releases_fetch_free(&pr->releases);
	if (pr->build) {
		bk_build_free(pr->build);
		free(pr->build);
	}
	if (pr->recent)
		bk_builds_free(&pr->recent, pr->nrecent);
	promote_plan_free(&pr->p);
	free(pr->message);
	free(pr);
	*prp = NULL;
}
