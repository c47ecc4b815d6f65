#include "release/store.h"

#include <stdlib.h>
#include <string.h>

#include "aws/client.h"
#include "aws/sts.h"
#include "core/config.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/timeutil.h"
#include "release/lineage.h"
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

void store_free(struct store **sp)
{
	if (!sp || !*sp)
		return;
	struct store *s = *sp;
	if (s->list_call)
		bk_cancel(s->bk, s->list_call);
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

long store_next_delay_ms(const struct store *s)
{
	return refresh_delay_ms(any_active(s), pages_per_refresh(s), bk_client_ratelimit(s->bk), s->cfg);
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
	free(s->error);
	s->error = NULL;
	if (err) {
		s->error = xstrdup(err->message);
		log_msg(LOG_WARN, "refresh failed: %s", err->message);
		notify(s, TOPIC_STATUS);
	} else {
		bk_builds_free(&s->builds, s->n);
		s->builds = builds;
		s->n = n;
		s->loaded = 1;
		s->fetched_at = time_now();
		rebuild_branches(s);
		notify(s, TOPIC_BUILDS | TOPIC_STATUS);
	}
	schedule(s);
}

void store_refresh(struct store *s)
{
	if (s->list_call)
		return;
	struct bk_query q = {
		.branch = *s->branch ? s->branch : NULL,
		.limit = s->cfg->ui_limit > 0 ? (size_t)s->cfg->ui_limit : 50,
		.per_page = (int)s->cfg->bk_per_page,
	};
	s->call_generation = s->generation;
	s->list_call = bk_list_builds(s->bk, &q, on_list, s);
	notify(s, TOPIC_STATUS);
}

static void on_timer(void *ud)
{
	struct store *s = ud;
	s->timer = 0;
	store_refresh(s);
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
	s->fetched_at = 0;
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
	out->loading = s->list_call != 0 || s->follow_call != 0;
	out->loaded = s->loaded;
	out->fetched_at = s->fetched_at;
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
