#include "release/store.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "aws/client.h"
#include "aws/sts.h"
#include "core/config.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/timeutil.h"
#include "release/buildcache.h"
#include "release/lineage.h"
#include "release/overview.h"
#include "release/pipeline.h"

struct watcher {
	store_watch_fn fn;
	void *ud;
};

struct store {
	struct loop *loop;
	struct bk_client *bk;
	const struct config *cfg;
	struct watcher w[16];
	size_t nw;

	char *branch;
	struct bk_build *builds;
	size_t n;
	char **branches;
	size_t nbranches;
	unsigned long list_call;
	unsigned long generation; /* bumps on branch change: drop stale answers */
	unsigned long call_generation;
	int loaded;
	time_t fetched_at;
	char *error;
	int use_cache, cached;

	/* Incremental refresh of a list longer than a page: the newest page
	 * and the builds that can still change, merged into what is shown;
	 * every FULL_EVERY-th refresh, and an explicit one, lists it all. */
	struct {
		unsigned long page_call, changing_call;
		struct bk_build *page, *changing;
		size_t npage, nchanging;
		int pending;
		char *error;
	} inc;
	int incs;      /* incremental refreshes since the last full one */
	int want_full; /* the next refresh lists everything */

	int live;
	unsigned long timer;

	long follow;
	struct bk_build *followed;
	char *follow_error;
	unsigned long follow_call;
	unsigned long follow_timer;

	struct aws_client *aws;
	char *aws_why_not;
	struct lineage_fetch *lineage;
	long lineage_build; /* build number the lineage is for */
	int finished_jobs;  /* finished jobs of the followed build at the last look (-1: not looked) */

	/* what the listed builds shipped: the shown one and the one loading */
	struct overview_fetch *ov, *ov_next;
	time_t ov_at;
	int ov_stale; /* an explicit refresh asked for it again */

	unsigned long identity_call;
	char *account, *arn, *identity_error;
};

static void notify(struct store *s, unsigned topics)
{
	for (size_t i = 0; i < s->nw; i++)
		s->w[i].fn(s->w[i].ud, topics);
}

struct store *store_new(struct loop *l, struct bk_client *bk, const struct config *cfg)
{
	struct store *s = xcalloc(1, sizeof *s);
	s->loop = l;
	s->bk = bk;
	s->cfg = cfg;
	s->branch = xstrdup(cfg->ui_branch ? cfg->ui_branch : "");
	return s;
}

static void free_branches(struct store *s)
{
	free(s->branches);
	s->branches = NULL;
	s->nbranches = 0;
}

/* Forget an incremental refresh's answers (and its error). */
static void inc_drop(struct store *s)
{
	bk_builds_free(&s->inc.page, s->inc.npage);
	bk_builds_free(&s->inc.changing, s->inc.nchanging);
	s->inc.npage = s->inc.nchanging = 0;
	free(s->inc.error);
	s->inc.error = NULL;
}

void store_free(struct store **sp)
{
	if (!sp || !*sp)
		return;
	struct store *s = *sp;
	if (s->list_call)
		bk_cancel(s->bk, s->list_call);
	if (s->inc.page_call)
		bk_cancel(s->bk, s->inc.page_call);
	if (s->inc.changing_call)
		bk_cancel(s->bk, s->inc.changing_call);
	inc_drop(s);
	if (s->follow_call)
		bk_cancel(s->bk, s->follow_call);
	if (s->timer)
		loop_timer_cancel(s->loop, s->timer);
	if (s->follow_timer)
		loop_timer_cancel(s->loop, s->follow_timer);
	bk_builds_free(&s->builds, s->n);
	if (s->followed) {
		bk_build_free(s->followed);
		free(s->followed);
	}
	free_branches(s);
	free(s->branch);
	lineage_fetch_free(&s->lineage);
	overview_fetch_free(&s->ov);
	overview_fetch_free(&s->ov_next);
	if (s->identity_call && s->aws)
		aws_cancel(s->aws, s->identity_call);
	free(s->account);
	free(s->arn);
	free(s->identity_error);
	free(s->aws_why_not);
	free(s->error);
	free(s->follow_error);
	free(s);
	*sp = NULL;
}

void store_watch(struct store *s, store_watch_fn fn, void *ud)
{
	if (s->nw < sizeof s->w / sizeof s->w[0])
		s->w[s->nw++] = (struct watcher){fn, ud};
}

void store_unwatch(struct store *s, store_watch_fn fn, void *ud)
{
	for (size_t i = 0; i < s->nw; i++) {
		if (s->w[i].fn == fn && s->w[i].ud == ud) {
			memmove(&s->w[i], &s->w[i + 1], (s->nw - i - 1) * sizeof s->w[0]);
			s->nw--;
			return;
		}
	}
}

const char *store_branch(const struct store *s)
{
	return s->branch;
}

static int any_active(const struct store *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (pipeline_build_active(&s->builds[i]))
			return 1;
	return 0;
}

static long pages_per_refresh(const struct store *s)
{
	long limit = s->cfg->ui_limit > 0 ? s->cfg->ui_limit : 1;
	long per = s->cfg->bk_per_page > 0 ? s->cfg->bk_per_page : 100;
	return (limit + per - 1) / per;
}

long refresh_delay_ms(int active, long pages, const struct bk_ratelimit *rl, const struct config *cfg)
{
	long ms = (active ? cfg->refresh_active : cfg->refresh_idle) * 1000;
	if (!rl->known)
		return ms;
	/* Our share of the org-wide (or per-user, if smaller) budget per minute. */
	long limit = rl->limit > 0 ? rl->limit : 200;
	if (rl->user_limit > 0 && rl->user_limit < limit)
		limit = rl->user_limit;
	long share = limit * cfg->refresh_budget_pct / 100;
	if (share < 1)
		share = 1;
	long min_ms = 60000 * (pages > 0 ? pages : 1) / share;
	if (ms < min_ms)
		ms = min_ms;
	/* Nearly exhausted window: wait for it to reset. */
	long rem = rl->remaining, reset = rl->reset;
	if (rl->user_remaining >= 0 && (rem < 0 || rl->user_remaining < rem)) {
		rem = rl->user_remaining;
		reset = rl->user_reset;
	}
	if (rem >= 0 && rem < limit / 10 && reset > 0 && reset * 1000 > ms)
		ms = reset * 1000;
	return ms;
}

static int incremental(const struct store *s);

long store_next_delay_ms(const struct store *s)
{
	long requests = incremental(s) ? 2 : pages_per_refresh(s);
	/* No list yet (the first ask failed): try again at the active cadence. */
	int soon = any_active(s) || !s->loaded;
	return refresh_delay_ms(soon, requests, bk_client_ratelimit(s->bk), s->cfg);
}

static void on_timer(void *ud);

static void schedule(struct store *s)
{
	if (s->timer)
		loop_timer_cancel(s->loop, s->timer);
	s->timer = 0;
	if (s->live)
		s->timer = loop_timer(s->loop, store_next_delay_ms(s), on_timer, s);
}

static void rebuild_branches(struct store *s)
{
	free_branches(s);
	s->branches = xcalloc(s->n + 1, sizeof *s->branches);
	for (size_t i = 0; i < s->n; i++) {
		const char *b = s->builds[i].branch;
		if (!b)
			continue;
		size_t j = 0;
		while (j < s->nbranches && strcmp(s->branches[j], b) < 0)
			j++;
		if (j < s->nbranches && !strcmp(s->branches[j], b))
			continue;
		memmove(&s->branches[j + 1], &s->branches[j], (s->nbranches - j) * sizeof *s->branches);
		s->branches[j] = s->builds[i].branch;
		s->nbranches++;
	}
}

/* In a list longer than SLIM_ABOVE builds, a build keeps only the jobs the
 * list needs: its block steps (the step columns, unblocking) and any job
 * still running (whether the build is changing); at 10,000 builds the
 * finished script jobs were most of the memory.  The build screen reads the
 * whole build (store_follow_build), and shows the list's copy -- all its
 * jobs in a shorter list -- while it cannot. */
#define SLIM_ABOVE 1000

static int list_keeps_job(const struct bk_job *j)
{
	return j->type == BK_JOB_MANUAL || pipeline_job_active(j);
}

static bk_keep_job_fn list_job_filter(const struct store *s)
{
	return s->cfg->ui_limit > SLIM_ABOVE ? list_keeps_job : NULL;
}

/* After a large list was parsed (one JSON tree a page, or a line), give
 * the freed parse memory back to the system: the list itself is a fraction
 * of what parsing it used. */
static void trim_after(size_t n)
{
	if (n >= 1000)
		malloc_trim(0);
}

static void cache_names(const struct store *s, char **path, char **key)
{
	buildcache_names(bk_client_settings(s->bk), s->branch, path, key);
}

/* Start the branch from the cached builds, when there are any. */
static void load_cache(struct store *s)
{
	char *path, *key;
	cache_names(s, &path, &key);
	struct bk_build *v;
	size_t n;
	time_t at;
	struct buf err = {0};
	int rc = buildcache_load(path, key, &v, &n, &at, &err);
	if (rc < 0)
		log_msg(LOG_WARN, "cache ignored: %s", buf_str(&err));
	else if (rc > 0) {
		log_msg(LOG_DEBUG, "cache: %zu builds saved at %lld from %s", n, (long long)at, path);
		bk_builds_free(&s->builds, s->n);
		for (size_t i = 0; list_job_filter(s) && i < n; i++)
			bk_build_keep_jobs(&v[i], list_job_filter(s)); /* as the list would have */
		s->builds = v;
		s->n = n;
		s->loaded = 1;
		s->cached = 1;
		s->fetched_at = at;
		rebuild_branches(s);
		trim_after(n);
	}
	buf_free(&err);
	free(path);
	free(key);
}

static void save_cache(const struct store *s)
{
	char *path, *key;
	cache_names(s, &path, &key);
	struct buf err = {0};
	if (buildcache_save(path, key, s->builds, s->n, s->fetched_at, &err) < 0)
		log_msg(LOG_WARN, "cache not saved: %s", buf_str(&err));
	buf_free(&err);
	free(path);
	free(key);
}

void store_use_cache(struct store *s)
{
	s->use_cache = 1;
	if (!s->loaded)
		load_cache(s);
	notify(s, TOPIC_BUILDS | TOPIC_STATUS);
}

static void maybe_overview(struct store *s);

static void on_overview(void *ud, const struct overview *o)
{
	struct store *s = ud;
	if (o->state == FETCH_LOADING)
		return;
	overview_fetch_free(&s->ov);
	s->ov = s->ov_next;
	s->ov_next = NULL;
	s->ov_at = time_now();
	notify(s, TOPIC_OVERVIEW);
	/* The list may have changed while it loaded. */
	maybe_overview(s);
}

/* Do the listed commits differ from those of the shown overview? */
static int commits_changed(const struct store *s)
{
	const struct overview *o = s->ov ? overview_fetch_result(s->ov) : NULL;
	if (!o || o->n != s->n)
		return 1;
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(o->v[i].commit, s->builds[i].commit ? s->builds[i].commit : ""))
			return 1;
	return 0;
}

static int overview_due(const struct store *s)
{
	return s->ov_stale || time_now() - s->ov_at >= 60;
}

/* At a refresh: when the overview is due, start it beside the list, with
 * the shown commits as the hint (the list rarely changes them). */
static void overview_with_list(struct store *s)
{
	if (!s->aws || s->ov_next || !s->n || !overview_due(s))
		return;
	s->ov_stale = 0;
	s->ov_next = overview_fetch_start(s->aws, s->cfg, on_overview, s);
	const char **commits = xcalloc(s->n + 1, sizeof *commits);
	size_t nc = 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->builds[i].commit)
			commits[nc++] = s->builds[i].commit;
	overview_fetch_hint(s->ov_next, commits, nc);
	free(commits);
}

/* The list arrived: give the loading overview its builds, or start one
 * when the commits changed or it is due. */
static void maybe_overview(struct store *s)
{
	if (!s->aws || !s->n)
		return;
	if (s->ov_next) {
		overview_fetch_builds(s->ov_next, s->builds, s->n);
		return;
	}
	if (!commits_changed(s) && !overview_due(s))
		return;
	s->ov_stale = 0;
	s->ov_next = overview_fetch_start(s->aws, s->cfg, on_overview, s);
	overview_fetch_builds(s->ov_next, s->builds, s->n);
}

const struct overview_fetch *store_overview(const struct store *s)
{
	return s->ov;
}

int store_has_aws(const struct store *s)
{
	return s->aws != NULL;
}

/* A refresh ended: the new list (owned), or the error. */
static void apply_list(struct store *s, const char *error, struct bk_build *builds, size_t n)
{
	free(s->error);
	s->error = NULL;
	if (error) {
		s->error = xstrdup(error);
		log_msg(LOG_WARN, "refresh failed: %s", error);
		notify(s, TOPIC_STATUS);
	} else {
		bk_builds_free(&s->builds, s->n);
		s->builds = builds;
		s->n = n;
		s->loaded = 1;
		s->cached = 0;
		s->fetched_at = time_now();
		rebuild_branches(s);
		if (s->use_cache)
			save_cache(s);
		trim_after(n);
		notify(s, TOPIC_BUILDS | TOPIC_STATUS);
		maybe_overview(s);
	}
	schedule(s);
}

static void on_list(void *ud, const struct bk_error *err, struct bk_build *builds, size_t n)
{
	struct store *s = ud;
	s->list_call = 0;
	if (s->call_generation != s->generation) {
		/* The branch changed while this was in flight: ask again. */
		bk_builds_free(&builds, n);
		store_refresh(s);
		return;
	}
	if (!err)
		s->incs = 0;
	apply_list(s, err ? err->message : NULL, builds, n);
}

/* Can this build still change?  Running, or waiting at a block step. */
static int changing(const struct bk_build *b)
{
	return pipeline_build_active(b) || b->blocked;
}

static struct bk_build *find_number(struct bk_build *v, size_t n, long number)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].number == number)
			return &v[i];
	return NULL;
}

/* The newest page, then the shown builds older than it -- those that were
 * changing replaced by their new state -- cut to the limit.  A build that
 * was changing and is no longer among the changing ones has settled in a
 * state this refresh did not see: the next refresh lists everything. */
static void merge_incremental(struct store *s)
{
	size_t limit = s->cfg->ui_limit > 0 ? (size_t)s->cfg->ui_limit : 50;
	long oldest = s->inc.npage ? s->inc.page[s->inc.npage - 1].number : 0;
	for (size_t i = 0; i < s->inc.npage; i++)
		if (s->inc.page[i].number < oldest)
			oldest = s->inc.page[i].number;
	size_t cap = s->inc.npage + s->n;
	struct bk_build *v = xcalloc(cap ? cap : 1, sizeof *v);
	size_t n = 0;
	for (size_t i = 0; i < s->inc.npage && n < limit; i++) {
		v[n++] = s->inc.page[i];
		memset(&s->inc.page[i], 0, sizeof s->inc.page[i]);
	}
	for (size_t i = 0; i < s->n && n < limit; i++) {
		struct bk_build *old = &s->builds[i];
		if (s->inc.npage && old->number >= oldest)
			continue;
		struct bk_build *now = find_number(s->inc.changing, s->inc.nchanging, old->number);
		if (!now && changing(old))
			s->want_full = 1;
		struct bk_build *from = now ? now : old;
		v[n++] = *from;
		memset(from, 0, sizeof *from);
	}
	inc_drop(s);
	s->incs++;
	apply_list(s, NULL, v, n);
}

static void inc_done(struct store *s)
{
	if (--s->inc.pending)
		return;
	if (s->call_generation != s->generation) {
		inc_drop(s);
		store_refresh(s); /* the branch changed meanwhile */
		return;
	}
	if (s->inc.error) {
		char *error = s->inc.error;
		s->inc.error = NULL;
		inc_drop(s);
		apply_list(s, error, NULL, 0);
		free(error);
		return;
	}
	merge_incremental(s);
}

static void inc_note(struct store *s, const struct bk_error *err)
{
	if (err && !s->inc.error)
		s->inc.error = xstrdup(err->message);
}

static void on_inc_page(void *ud, const struct bk_error *err, struct bk_build *builds, size_t n)
{
	struct store *s = ud;
	s->inc.page_call = 0;
	s->inc.page = builds;
	s->inc.npage = n;
	inc_note(s, err);
	inc_done(s);
}

static void on_inc_changing(void *ud, const struct bk_error *err, struct bk_build *builds, size_t n)
{
	struct store *s = ud;
	s->inc.changing_call = 0;
	s->inc.changing = builds;
	s->inc.nchanging = n;
	inc_note(s, err);
	inc_done(s);
}

#define FULL_EVERY 30

static int incremental(const struct store *s)
{
	return s->loaded && !s->cached && !s->want_full && pages_per_refresh(s) > 1 && s->incs < FULL_EVERY;
}

/* The newest page and every build that can still change, at once. */
static void refresh_incremental(struct store *s)
{
	static const char *const states[] = {"running", "scheduled", "creating", "canceling", "failing", "blocked"};
	long per = s->cfg->bk_per_page > 0 ? s->cfg->bk_per_page : 100;
	struct bk_query page = {.branch = *s->branch ? s->branch : NULL,
				.limit = (size_t)per,
				.per_page = (int)per,
				.keep_job = list_job_filter(s)};
	struct bk_query chg = page;
	chg.states = states;
	chg.nstates = sizeof states / sizeof states[0];
	chg.limit = 0; /* one page: what is changing is few */
	chg.per_page = 100;
	s->call_generation = s->generation;
	s->inc.pending = 2;
	s->inc.page_call = bk_list_builds(s->bk, &page, on_inc_page, s);
	s->inc.changing_call = bk_list_builds(s->bk, &chg, on_inc_changing, s);
}

static void refresh_list(struct store *s)
{
	if (s->list_call || s->inc.pending)
		return;
	overview_with_list(s);
	if (incremental(s)) {
		refresh_incremental(s);
		if (s->identity_error)
			store_fetch_identity(s);
		notify(s, TOPIC_STATUS);
		return;
	}
	s->want_full = 0;
	struct bk_query q = {
		.branch = *s->branch ? s->branch : NULL,
		.limit = s->cfg->ui_limit > 0 ? (size_t)s->cfg->ui_limit : 50,
		.per_page = (int)s->cfg->bk_per_page,
		.keep_job = list_job_filter(s),
	};
	s->call_generation = s->generation;
	s->list_call = bk_list_builds(s->bk, &q, on_list, s);
	/* A failed GetCallerIdentity is asked again with the list: the header's
	 * sandbox/production banner and the stacks' "mine" scope depend on it. */
	if (s->identity_error)
		store_fetch_identity(s);
	notify(s, TOPIC_STATUS);
}

void store_refresh(struct store *s)
{
	s->ov_stale = 1;
	s->want_full = 1;
	refresh_list(s);
}

static void on_timer(void *ud)
{
	struct store *s = ud;
	s->timer = 0;
	refresh_list(s);
}

void store_set_live(struct store *s, int live)
{
	s->live = live;
	if (live && !s->list_call)
		schedule(s);
	else if (!live && s->timer) {
		loop_timer_cancel(s->loop, s->timer);
		s->timer = 0;
	}
}

void store_set_branch(struct store *s, const char *branch)
{
	if (!branch)
		branch = "";
	if (!strcmp(branch, s->branch))
		return;
	free(s->branch);
	s->branch = xstrdup(branch);
	s->generation++;
	/* Drop builds of the old filter at once: showing them under the new
	 * filter's name would be wrong. */
	bk_builds_free(&s->builds, s->n);
	s->n = 0;
	free_branches(s);
	s->loaded = 0;
	s->cached = 0;
	s->fetched_at = 0;
	if (s->use_cache)
		load_cache(s);
	notify(s, TOPIC_BUILDS | TOPIC_STATUS);
	store_refresh(s);
}

const struct bk_build *store_builds(const struct store *s, size_t *n)
{
	*n = s->n;
	return s->builds;
}

const struct bk_build *store_build(const struct store *s, long number)
{
	if (s->followed && s->followed->number == number)
		return s->followed;
	for (size_t i = 0; i < s->n; i++)
		if (s->builds[i].number == number)
			return &s->builds[i];
	return NULL;
}

static void follow_fetch(struct store *s);
static void start_lineage(struct store *s);

static void on_follow_timer(void *ud)
{
	struct store *s = ud;
	s->follow_timer = 0;
	follow_fetch(s);
}

static void on_followed(void *ud, const struct bk_error *err, struct bk_build *b)
{
	struct store *s = ud;
	s->follow_call = 0;
	free(s->follow_error);
	s->follow_error = NULL;
	if (err) {
		s->follow_error = xstrdup(err->message);
	} else if (b->number == s->follow) {
		if (s->followed) {
			bk_build_free(s->followed);
			free(s->followed);
		}
		s->followed = b;
		b = NULL;
		/* Keep the list in step with what we just learnt. */
		for (size_t i = 0; i < s->n; i++) {
			if (s->builds[i].number == s->followed->number) {
				bk_build_free(&s->builds[i]);
				bk_build_copy(&s->builds[i], s->followed);
			}
		}
	}
	if (b) {
		bk_build_free(b);
		free(b);
	}
	notify(s, TOPIC_BUILD | TOPIC_BUILDS | TOPIC_STATUS);
	/* A job of the followed build finished since the lineage was read (the
	 * AMI build, a deploy): its AMIs and templates may have appeared. */
	int finished = 0;
	for (size_t i = 0; s->followed && i < s->followed->njobs; i++)
		finished += s->followed->jobs[i].finished_at != NULL;
	if (s->follow && (s->lineage_build != s->follow || (s->finished_jobs >= 0 && finished != s->finished_jobs)))
		start_lineage(s);
	if (s->followed)
		s->finished_jobs = finished;
	if (s->follow && s->live && s->followed && pipeline_build_active(s->followed))
		s->follow_timer = loop_timer(s->loop, s->cfg->refresh_active * 1000, on_follow_timer, s);
}

static void follow_fetch(struct store *s)
{
	if (!s->follow || s->follow_call)
		return;
	s->follow_call = bk_get_build(s->bk, s->follow, on_followed, s);
}

void store_follow_build(struct store *s, long number)
{
	if (s->follow_timer) {
		loop_timer_cancel(s->loop, s->follow_timer);
		s->follow_timer = 0;
	}
	if (s->follow_call && number != s->follow) {
		bk_cancel(s->bk, s->follow_call);
		s->follow_call = 0;
	}
	if (number != s->follow)
		s->finished_jobs = -1;
	s->follow = number;
	free(s->follow_error);
	s->follow_error = NULL;
	if (s->lineage_build != number) {
		lineage_fetch_free(&s->lineage);
		s->lineage_build = 0;
	}
	if (number) {
		/* Start at once from the list's copy when it has the commit. */
		if (!s->lineage && store_build(s, number))
			start_lineage(s);
		follow_fetch(s);
	}
}

void store_set_aws(struct store *s, struct aws_client *aws, const char *why_not)
{
	s->aws = aws;
	free(s->aws_why_not);
	s->aws_why_not = why_not ? xstrdup(why_not) : NULL;
}

static void on_lineage(void *ud, const struct lineage *l)
{
	struct store *s = ud;
	(void)l;
	notify(s, TOPIC_LINEAGE);
}

/* The release name the build's release step was given, if any. */
static const char *release_name_of(const struct store *s, const struct bk_build *b)
{
	for (size_t i = 0; i < b->nmeta; i++)
		if (!strcmp(b->meta_keys[i], s->cfg->release_field))
			return b->meta_values[i];
	return NULL;
}

static void start_lineage(struct store *s)
{
	lineage_fetch_free(&s->lineage);
	s->lineage_build = 0;
	const struct bk_build *b = s->follow ? store_build(s, s->follow) : NULL;
	if (!s->aws || !b || !b->commit)
		return;
	s->lineage_build = b->number;
	s->lineage = lineage_fetch_start(s->aws, s->cfg, b->commit, release_name_of(s, b), on_lineage, s);
	notify(s, TOPIC_LINEAGE);
}

long store_followed(const struct store *s)
{
	return s->follow;
}

void store_refresh_lineage(struct store *s)
{
	start_lineage(s);
}

const struct lineage *store_lineage(const struct store *s, const char **why_not)
{
	if (why_not)
		*why_not = s->aws ? NULL : (s->aws_why_not ? s->aws_why_not : "AWS is not configured");
	return s->lineage && s->lineage_build == s->follow ? lineage_fetch_result(s->lineage) : NULL;
}

static void on_identity(void *ud, const struct aws_resp *r)
{
	struct store *s = ud;
	s->identity_call = 0;
	free(s->identity_error);
	s->identity_error = NULL;
	if (r->error) {
		s->identity_error = xstrdup(r->error);
	} else {
		struct sts_identity id;
		struct buf err = {0};
		if (sts_identity_parse(r->body, r->body_len, &id, &err) < 0) {
			s->identity_error = buf_steal(&err);
		} else {
			s->account = xstrdup(id.account);
			s->arn = xstrdup(id.arn);
			sts_identity_free(&id);
		}
		buf_free(&err);
	}
	notify(s, TOPIC_STATUS);
}

void store_fetch_identity(struct store *s)
{
	if (!s->aws || s->identity_call || s->account)
		return;
	struct buf body = {0};
	sts_get_caller_identity_body(&body);
	struct aws_req req = {
		.op = "GetCallerIdentity", .service = "sts", .body = buf_str(&body), .body_len = body.len};
	s->identity_call = aws_send(s->aws, &req, on_identity, s);
	buf_free(&body);
}

void store_identity(const struct store *s, struct store_identity *out)
{
	out->account = s->account;
	out->arn = s->arn;
	out->error = s->aws ? s->identity_error : (s->aws_why_not ? s->aws_why_not : "AWS is not configured");
	out->sandbox = 0;
	for (size_t i = 0; s->account && i < s->cfg->aws_sandbox_accounts.n; i++)
		if (!strcmp(s->cfg->aws_sandbox_accounts.v[i], s->account))
			out->sandbox = 1;
}

const char *store_build_error(const struct store *s)
{
	return s->follow_error;
}

const char *const *store_branches(const struct store *s, size_t *n)
{
	*n = s->nbranches;
	return (const char *const *)s->branches;
}

void store_status(const struct store *s, struct store_status *out)
{
	out->loading = s->list_call != 0 || s->inc.pending || s->follow_call != 0;
	out->loaded = s->loaded;
	out->fetched_at = s->fetched_at;
	out->cached = s->cached;
	out->error = s->error;
	out->next_refresh_ms = s->timer ? loop_timer_remaining(s->loop, s->timer) : -1;
	out->live = s->live;
	out->active = any_active(s);
	out->requests = bk_client_requests(s->bk);
}

const struct bk_ratelimit *store_ratelimit(const struct store *s)
{
	return bk_client_ratelimit(s->bk);
}
