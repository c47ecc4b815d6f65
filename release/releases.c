#define _GNU_SOURCE /* strverscmp */
#include "release/releases.h"

#include <stdlib.h>
#include <string.h>

#include "aws/client.h"
#include "aws/s3.h"
#include "core/buf.h"
#include "core/config.h"

/* One listing in flight: the bucket's top level, alpha/, or one release. */
struct rcall {
	struct releases_fetch *f;
	int what;     /* -1 top level, -2 alpha/, else index into list.v */
	char *prefix; /* what is listed */
	unsigned long id;
	struct rcall *next;
};

struct releases_fetch {
	struct aws_client *aws;
	const struct config *cfg;
	struct published_list list;
	releases_changed_fn fn;
	void *ud;
	struct rcall *calls;
	int pending;
};

static void list_prefix(struct releases_fetch *f, int what, const char *prefix, const char *delimiter,
			const char *token);

int releases_complete(const struct published_list *l)
{
	if (l->state == FETCH_LOADING)
		return 0;
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].state == FETCH_LOADING)
			return 0;
	return 1;
}

static void add_release(struct releases_fetch *f, int alpha, const char *name)
{
	struct published_list *l = &f->list;
	l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
	struct published *p = &l->v[l->n];
	memset(p, 0, sizeof *p);
	p->alpha = alpha;
	p->name = xstrdup(name);
	p->prefix = alpha ? lineage_prefix(f->cfg->aws_alpha_prefix, name, NULL)
			  : lineage_prefix(f->cfg->aws_release_prefix, "", name);
	p->state = FETCH_LOADING;
	l->n++;
	list_prefix(f, (int)(l->n - 1), p->prefix, NULL, NULL);
}

/* "2026.11.2/" -> "2026.11.2"; "alpha/abc/" -> "abc" (after the alpha/ prefix). */
static char *segment(const char *prefix, size_t skip)
{
	const char *s = prefix + skip;
	size_t n = strlen(s);
	if (n && s[n - 1] == '/')
		n--;
	return xstrndup(s, n);
}

static void on_list(void *ud, const struct aws_resp *r)
{
	struct rcall *c = ud;
	struct releases_fetch *f = c->f;
	struct published_list *l = &f->list;
	c->id = 0;
	f->pending--;
	struct published *p = c->what >= 0 ? &l->v[c->what] : NULL;
	struct s3_list sl;
	struct buf err = {0};
	int ok = !r->error && s3_list_parse(r->body, r->body_len, &sl, &err) == 0;
	if (!ok) {
		char *msg = r->error ? xstrdup(r->error) : buf_steal(&err);
		if (p) {
			p->state = FETCH_FAILED;
			p->error = msg;
		} else {
			l->state = FETCH_FAILED;
			free(l->error);
			l->error = msg;
		}
	} else if (c->what == -1) {
		/* Top level: "alpha/" holds alpha releases; any other prefix is a release. */
		for (size_t i = 0; i < sl.nprefixes; i++) {
			if (!strcmp(sl.prefixes[i], "alpha/"))
				list_prefix(f, -2, "alpha/", "/", NULL);
			else {
				char *name = segment(sl.prefixes[i], 0);
				add_release(f, 0, name);
				free(name);
			}
		}
		if (sl.truncated && sl.next_token)
			list_prefix(f, -1, "", "/", sl.next_token);
	} else if (c->what == -2) {
		for (size_t i = 0; i < sl.nprefixes; i++) {
			char *name = segment(sl.prefixes[i], strlen("alpha/"));
			add_release(f, 1, name);
			free(name);
		}
		if (sl.truncated && sl.next_token)
			list_prefix(f, -2, "alpha/", "/", sl.next_token);
	} else {
		lineage_templates_append(&p->v, &p->n, &sl, p->prefix, f->aws, f->cfg->aws_region, l->bucket);
		if (sl.truncated && sl.next_token)
			list_prefix(f, c->what, p->prefix, NULL, sl.next_token);
		else
			p->state = FETCH_DONE;
	}
	if (ok)
		s3_list_free(&sl);
	buf_free(&err);
	if (!f->pending && l->state == FETCH_LOADING)
		l->state = FETCH_DONE;
	f->fn(f->ud, l);
}

static void list_prefix(struct releases_fetch *f, int what, const char *prefix, const char *delimiter,
			const char *token)
{
	struct rcall *c = xcalloc(1, sizeof *c);
	c->f = f;
	c->what = what;
	c->prefix = xstrdup(prefix);
	c->next = f->calls;
	f->calls = c;
	f->pending++;
	struct s3_list_req q = {.prefix = prefix, .delimiter = delimiter, .continuation_token = token};
	struct buf query = {0};
	s3_list_query(&query, &q);
	struct aws_req req = {.op = "ListObjectsV2",
			      .service = "s3",
			      .region = f->cfg->aws_region,
			      .method = "GET",
			      .bucket = f->list.bucket,
			      .query = buf_str(&query)};
	c->id = aws_send(f->aws, &req, on_list, c);
	buf_free(&query);
}

struct releases_fetch *releases_fetch_start(struct aws_client *aws, const struct config *cfg, releases_changed_fn fn,
					    void *ud)
{
	struct releases_fetch *f = xcalloc(1, sizeof *f);
	f->aws = aws;
	f->cfg = cfg;
	f->fn = fn;
	f->ud = ud;
	f->list.bucket = xstrdup(cfg->aws_public_bucket);
	f->list.state = FETCH_LOADING;
	list_prefix(f, -1, "", "/", NULL);
	return f;
}

const struct published_list *releases_fetch_result(const struct releases_fetch *f)
{
	return &f->list;
}

void releases_fetch_free(struct releases_fetch **fp)
{
	if (!fp || !*fp)
		return;
	struct releases_fetch *f = *fp;
	while (f->calls) {
		struct rcall *c = f->calls;
		f->calls = c->next;
		if (c->id)
			aws_cancel(f->aws, c->id);
		free(c->prefix);
		free(c);
	}
	struct published_list *l = &f->list;
	for (size_t i = 0; i < l->n; i++) {
		struct published *p = &l->v[i];
		lineage_templates_free(&p->v, p->n);
		free(p->name);
		free(p->prefix);
		free(p->error);
	}
	free(l->v);
	free(l->error);
	free(l->bucket);
	free(f);
	*fp = NULL;
}

static const struct published_list *sorting;

static int by_release(const void *a, const void *b)
{
	const struct published *x = &sorting->v[*(const size_t *)a], *y = &sorting->v[*(const size_t *)b];
	if (x->alpha != y->alpha)
		return x->alpha - y->alpha;
	return x->alpha ? strcmp(x->name, y->name) : -strverscmp(x->name, y->name);
}

size_t *releases_order(const struct published_list *l)
{
	size_t *order = xcalloc(l->n + 1, sizeof *order);
	for (size_t i = 0; i < l->n; i++)
		order[i] = i;
	sorting = l;
	if (l->n > 1)
		qsort(order, l->n, sizeof *order, by_release);
	sorting = NULL;
	return order;
}
