#include "release/overview.h"

#include <stdlib.h>
#include <string.h>

#include "aws/client.h"
#include "aws/s3.h"
#include "core/buf.h"
#include "core/config.h"
#include "release/artifact.h"
#include "release/stacks.h"

static const char *const part_names[OV_PARTS] = {"amis", "templates", "alpha", "releases", "stacks"};

const char *overview_part_name(enum overview_part p)
{
	return p < OV_PARTS ? part_names[p] : "?";
}

/* One ListObjectsV2 part: every name under head ("<name>/"), page by page. */
struct listing {
	struct overview_fetch *f;
	enum overview_part part;
	char *bucket, *head;
	unsigned long id;
	char **names;
	size_t n;
};

struct overview_fetch {
	struct aws_client *aws;
	const struct config *cfg;
	overview_changed_fn changed;
	void *ud;
	struct overview o;
	struct listing lists[OV_PARTS]; /* OV_TEMPLATES, OV_ALPHA, OV_RELEASES */
	const struct artifact_kind *kind;
	/* DescribeImages batches: the hint's commits (started early), then the
	 * listed commits the hint did not hold */
	struct ami_batch {
		struct overview_fetch *f;
		void *handle;
		char **commits;
		size_t n;
	} batch[2];
	int nbatch, batches_pending;
	char *amis_error;
	struct artifact *amis;
	size_t namis;
	struct stacks_fetch *stacks;
	const struct stack_list *stack_list;
	struct overview_row **by_commit; /* the rows sorted by commit */
};

char *overview_prefix_head(const char *pattern, const char *placeholder)
{
	const char *at = pattern ? strstr(pattern, placeholder) : NULL;
	if (!at || (at > pattern && at[-1] != '/'))
		return NULL;
	return xstrndup(pattern, (size_t)(at - pattern));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_row(const void *a, const void *b)
{
	return strcmp((*(const struct overview_row *const *)a)->commit,
		      (*(const struct overview_row *const *)b)->commit);
}

static int has_name(const struct listing *l, const char *name)
{
	return name && l->n && bsearch(&name, l->names, l->n, sizeof *l->names, cmp_str) != NULL;
}

/* The rows from what has arrived: a part not settled yet counts nothing. */
static void compute_rows(struct overview_fetch *f)
{
	struct overview *o = &f->o;
	for (size_t i = 0; i < o->n; i++) {
		struct overview_row *r = &o->v[i];
		r->templates = has_name(&f->lists[OV_TEMPLATES], r->commit);
		r->alpha = has_name(&f->lists[OV_ALPHA], r->commit);
		r->released = has_name(&f->lists[OV_RELEASES], r->release);
		r->amis = r->amis_other = r->stacks = 0;
		/* Regions with an available image: at most one count per region. */
		for (size_t g = 0; g < f->cfg->aws_regions.n; g++) {
			int avail = 0;
			for (size_t a = 0; a < f->namis; a++) {
				const struct artifact *im = &f->amis[a];
				if (!im->commit || strcmp(im->commit, r->commit) || !im->location ||
				    strcmp(im->location, f->cfg->aws_regions.v[g]))
					continue;
				if (im->state && !strcmp(im->state, "available"))
					avail = 1;
				else
					r->amis_other++;
			}
			r->amis += avail;
		}
		const struct stack_list *sl = f->stack_list;
		for (size_t s = 0; sl && s < sl->n; s++)
			if (sl->v[s].commit && !strcmp(sl->v[s].commit, r->commit) &&
			    stack_status_class(sl->v[s].status) != STACK_GONE)
				r->stacks++;
	}
}

static void settle(struct overview_fetch *f, enum overview_part p, const char *error)
{
	struct overview *o = &f->o;
	o->part[p] = error ? FETCH_FAILED : FETCH_DONE;
	free(o->error[p]);
	o->error[p] = error ? xstrdup(error) : NULL;
	compute_rows(f);
	int busy = 0;
	for (int i = 0; i < OV_PARTS; i++)
		busy |= o->part[i] == FETCH_LOADING || o->part[i] == FETCH_NONE;
	if (!busy)
		o->state = FETCH_DONE;
	f->changed(f->ud, o);
}

static void list_page(struct listing *l, const char *token);

static void on_page(void *ud, const struct aws_resp *r)
{
	struct listing *l = ud;
	struct overview_fetch *f = l->f;
	l->id = 0;
	struct s3_list sl;
	struct buf err = {0};
	if (r->error || s3_list_parse(r->body, r->body_len, &sl, &err) < 0) {
		struct buf m = {0};
		buf_printf(&m, "ListObjectsV2 %s/%s: %s", l->bucket, l->head, r->error ? r->error : buf_str(&err));
		settle(f, l->part, buf_str(&m));
		buf_free(&m);
		buf_free(&err);
		return;
	}
	size_t hl = strlen(l->head);
	l->names = xrealloc(l->names, (l->n + sl.nprefixes + 1) * sizeof *l->names);
	for (size_t i = 0; i < sl.nprefixes; i++) {
		const char *p = sl.prefixes[i];
		if (strncmp(p, l->head, hl))
			continue;
		size_t len = strlen(p + hl);
		if (len && p[hl + len - 1] == '/')
			len--;
		if (len)
			l->names[l->n++] = xstrndup(p + hl, len);
	}
	if (sl.truncated && sl.next_token) {
		list_page(l, sl.next_token);
	} else {
		qsort(l->names, l->n, sizeof *l->names, cmp_str);
		settle(f, l->part, NULL);
	}
	s3_list_free(&sl);
	buf_free(&err);
}

static void list_page(struct listing *l, const char *token)
{
	struct s3_list_req q = {.prefix = l->head, .delimiter = "/", .continuation_token = token};
	struct buf query = {0};
	s3_list_query(&query, &q);
	struct aws_req req = {.op = "ListObjectsV2",
			      .service = "s3",
			      .region = l->f->cfg->aws_region,
			      .method = "GET",
			      .bucket = l->bucket,
			      .query = buf_str(&query)};
	l->id = aws_send(l->f->aws, &req, on_page, l);
	buf_free(&query);
}

static void start_listing(struct overview_fetch *f, enum overview_part p, const char *bucket, const char *pattern,
			  const char *placeholder, const char *key)
{
	struct listing *l = &f->lists[p];
	l->f = f;
	l->part = p;
	l->bucket = xstrdup(bucket);
	l->head = overview_prefix_head(pattern, placeholder);
	f->o.part[p] = FETCH_LOADING;
	if (!l->head) {
		struct buf m = {0};
		buf_printf(&m, "%s: %s is not at the start of a path segment; not listed", key, placeholder);
		f->o.part[p] = FETCH_FAILED;
		f->o.error[p] = buf_steal(&m);
		return;
	}
	list_page(l, NULL);
}

static void on_stacks(void *ud, const struct stack_list *sl)
{
	struct overview_fetch *f = ud;
	f->stack_list = sl;
	settle(f, OV_STACKS, sl->state == FETCH_FAILED ? (sl->error ? sl->error : "DescribeStacks failed") : NULL);
}

static void on_amis(void *ud, struct artifact *v, size_t n, const char *error)
{
	struct ami_batch *b = ud;
	struct overview_fetch *f = b->f;
	b->handle = NULL;
	f->amis = xrealloc(f->amis, (f->namis + n + 1) * sizeof *f->amis);
	if (n)
		memcpy(f->amis + f->namis, v, n * sizeof *v);
	f->namis += n;
	free(v); /* the array only: its artifacts are f->amis' now */
	if (error && !f->amis_error)
		f->amis_error = xstrdup(error);
	/* The AMIs are known when every batch is in and the rows are set. */
	if (--f->batches_pending || !f->o.v)
		return;
	settle(f, OV_AMIS, f->amis_error);
}

static int holds(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return 1;
	return 0;
}

/* One DescribeImages batch (per region, 200 commits a request). */
static void start_batch(struct overview_fetch *f, const char *const *commits, size_t n)
{
	struct ami_batch *b = &f->batch[f->nbatch++];
	b->f = f;
	b->commits = xcalloc(n + 1, sizeof *b->commits);
	for (size_t i = 0; i < n; i++)
		if (*commits[i] && !holds(b->commits, b->n, commits[i]))
			b->commits[b->n++] = xstrdup(commits[i]);
	f->batches_pending++;
	f->kind = artifact_kinds()[0];
	b->handle = f->kind->fetch(f->aws, f->cfg, (const char *const *)b->commits, b->n, on_amis, b);
}

void overview_fetch_hint(struct overview_fetch *f, const char *const *commits, size_t n)
{
	if (f->nbatch || f->o.v || !n || !f->cfg->aws_regions.n)
		return;
	f->o.part[OV_AMIS] = FETCH_LOADING;
	start_batch(f, commits, n);
}

struct overview_fetch *overview_fetch_start(struct aws_client *aws, const struct config *cfg,
					    overview_changed_fn changed, void *ud)
{
	struct overview_fetch *f = xcalloc(1, sizeof *f);
	f->aws = aws;
	f->cfg = cfg;
	f->changed = changed;
	f->ud = ud;
	f->o.state = FETCH_LOADING;
	f->o.nregions = (int)cfg->aws_regions.n;
	start_listing(f, OV_TEMPLATES, cfg->aws_internal_bucket, cfg->aws_internal_prefix, "<COMMIT>",
		      "aws.internal_prefix");
	start_listing(f, OV_ALPHA, cfg->aws_public_bucket, cfg->aws_alpha_prefix, "<COMMIT>", "aws.alpha_prefix");
	start_listing(f, OV_RELEASES, cfg->aws_public_bucket, cfg->aws_release_prefix, "<RELEASE>",
		      "aws.release_prefix");
	f->o.part[OV_STACKS] = FETCH_LOADING;
	f->stacks = stacks_fetch_start(aws, on_stacks, f);
	return f;
}

void overview_fetch_builds(struct overview_fetch *f, const struct bk_build *builds, size_t n)
{
	if (f->o.v)
		return;
	f->o.v = xcalloc(n + 1, sizeof *f->o.v);
	const char **missed = xcalloc(n + 1, sizeof *missed);
	size_t nmissed = 0;
	const struct ami_batch *hint = f->nbatch ? &f->batch[0] : NULL;
	for (size_t i = 0; i < n; i++) {
		struct overview_row *r = &f->o.v[f->o.n++];
		r->commit = xstrdup(builds[i].commit ? builds[i].commit : "");
		for (size_t m = 0; m < builds[i].nmeta; m++)
			if (!strcmp(builds[i].meta_keys[m], f->cfg->release_field))
				r->release = xstrdup(builds[i].meta_values[m]);
		if (*r->commit && !(hint && holds(hint->commits, hint->n, r->commit)))
			missed[nmissed++] = r->commit;
	}
	f->by_commit = xcalloc(f->o.n + 1, sizeof *f->by_commit);
	for (size_t i = 0; i < f->o.n; i++)
		f->by_commit[i] = &f->o.v[i];
	qsort(f->by_commit, f->o.n, sizeof *f->by_commit, cmp_row);
	f->o.part[OV_AMIS] = FETCH_LOADING;
	if (!f->cfg->aws_regions.n) {
		settle(f, OV_AMIS, "aws.destination_regions is empty");
	} else if (nmissed) {
		start_batch(f, missed, nmissed);
	} else if (!f->batches_pending) {
		settle(f, OV_AMIS, f->amis_error); /* the hint's answers are all in */
	}
	free(missed);
	compute_rows(f);
}

const struct overview_row *overview_find(const struct overview_fetch *f, const char *commit)
{
	if (!f || !commit || !f->by_commit)
		return NULL;
	struct overview_row key = {.commit = (char *)commit}, *kp = &key;
	struct overview_row **r = bsearch(&kp, f->by_commit, f->o.n, sizeof *f->by_commit, cmp_row);
	return r ? *r : NULL;
}

const struct overview *overview_fetch_result(const struct overview_fetch *f)
{
	return &f->o;
}

void overview_fetch_free(struct overview_fetch **fp)
{
	struct overview_fetch *f = *fp;
	if (!f)
		return;
	*fp = NULL;
	for (int p = 0; p < OV_PARTS; p++) {
		struct listing *l = &f->lists[p];
		if (l->id)
			aws_cancel(f->aws, l->id);
		for (size_t i = 0; i < l->n; i++)
			free(l->names[i]);
		free(l->names);
		free(l->bucket);
		free(l->head);
		free(f->o.error[p]);
	}
	for (int b = 0; b < f->nbatch; b++) {
		if (f->batch[b].handle)
			f->kind->cancel(f->batch[b].handle);
		for (size_t i = 0; i < f->batch[b].n; i++)
			free(f->batch[b].commits[i]);
		free(f->batch[b].commits);
	}
	free(f->amis_error);
	artifacts_free(&f->amis, f->namis);
	stacks_fetch_free(&f->stacks);
	for (size_t i = 0; i < f->o.n; i++) {
		free(f->o.v[i].commit);
		free(f->o.v[i].release);
	}
	free(f->o.v);
	free(f->by_commit);
	free(f);
}
