#include "release/stacks.h"

#include <stdlib.h>
#include <string.h>

#include "aws/cfn.h"
#include "aws/client.h"
#include "core/buf.h"
#include "core/timeutil.h"

struct stacks_fetch {
	struct aws_client *aws;
	struct stack_list list;
	stacks_changed_fn fn;
	void *ud;
	unsigned long id;
};

enum stack_class stack_status_class(const char *s)
{
	if (!s)
		return STACK_FAILED;
	if (!strcmp(s, "DELETE_COMPLETE"))
		return STACK_GONE;
	if (strstr(s, "FAILED") || strstr(s, "ROLLBACK"))
		return STACK_FAILED;
	if (strstr(s, "IN_PROGRESS"))
		return STACK_BUSY;
	return STACK_OK;
}

static const char *tag(const struct cfn_stack *s, const char *key)
{
	for (size_t i = 0; i < s->ntags; i++)
		if (s->tags[i].key && !strcmp(s->tags[i].key, key))
			return s->tags[i].value;
	return NULL;
}

static void add_rows(struct stacks_fetch *f, const struct cfn_stacks *page)
{
	struct stack_list *l = &f->list;
	l->v = xrealloc(l->v, (l->n + page->n + 1) * sizeof *l->v);
	for (size_t i = 0; i < page->n; i++) {
		const struct cfn_stack *s = &page->v[i];
		if (s->parent_id && *s->parent_id)
			continue; /* nested: part of its root */
		struct stack_row *r = &l->v[l->n++];
		memset(r, 0, sizeof *r);
		r->name = xstrdup(s->name);
		r->id = xstrdup(s->id);
		r->status = xstrdup(s->status);
		r->status_reason = xstrdup(s->status_reason);
		r->created = s->created;
		const char *by = tag(s, "created-by");
		r->ours = by && !strcmp(by, "relcon");
		r->owner = xstrdup(tag(s, "owner"));
		r->commit = xstrdup(tag(s, "commit"));
		const char *exp = tag(s, "relcon:expires-at");
		if (exp)
			time_parse_iso(exp, &r->expires);
		r->termination_protection = s->termination_protection;
	}
}

static int row_order(const void *pa, const void *pb)
{
	const struct stack_row *a = pa, *b = pb;
	if (a->ours != b->ours)
		return b->ours - a->ours;
	if (a->ours && a->created != b->created)
		return a->created < b->created ? 1 : -1;
	return strcmp(a->name, b->name);
}

static void ask(struct stacks_fetch *f, const char *token);

static void on_page(void *ud, const struct aws_resp *r)
{
	struct stacks_fetch *f = ud;
	f->id = 0;
	struct cfn_stacks page;
	struct buf err = {0};
	if (r->error) {
		f->list.state = FETCH_FAILED;
		f->list.error = xstrdup(r->error);
	} else if (cfn_stacks_parse(r->body, r->body_len, &page, &err) < 0) {
		f->list.state = FETCH_FAILED;
		f->list.error = buf_steal(&err);
	} else {
		add_rows(f, &page);
		if (page.next_token) {
			ask(f, page.next_token);
			cfn_stacks_free(&page);
			buf_free(&err);
			return;
		}
		cfn_stacks_free(&page);
		if (f->list.n > 1)
			qsort(f->list.v, f->list.n, sizeof *f->list.v, row_order);
		f->list.state = FETCH_DONE;
	}
	buf_free(&err);
	f->fn(f->ud, &f->list);
}

static void ask(struct stacks_fetch *f, const char *token)
{
	struct buf body = {0};
	cfn_describe_stacks_body(&body, NULL, token);
	struct aws_req req = {
		.op = "DescribeStacks", .service = "cloudformation", .body = buf_str(&body), .body_len = body.len};
	f->id = aws_send(f->aws, &req, on_page, f);
	buf_free(&body);
}

struct stacks_fetch *stacks_fetch_start(struct aws_client *aws, stacks_changed_fn fn, void *ud)
{
	struct stacks_fetch *f = xcalloc(1, sizeof *f);
	f->aws = aws;
	f->fn = fn;
	f->ud = ud;
	f->list.state = FETCH_LOADING;
	ask(f, NULL);
	return f;
}

const struct stack_list *stacks_fetch_result(const struct stacks_fetch *f)
{
	return &f->list;
}

void stacks_fetch_free(struct stacks_fetch **fp)
{
	if (!fp || !*fp)
		return;
	struct stacks_fetch *f = *fp;
	if (f->id)
		aws_cancel(f->aws, f->id);
	for (size_t i = 0; i < f->list.n; i++) {
		struct stack_row *r = &f->list.v[i];
		free(r->name);
		free(r->id);
		free(r->status);
		free(r->status_reason);
		free(r->owner);
		free(r->commit);
	}
	free(f->list.v);
	free(f->list.error);
	free(f);
	*fp = NULL;
}
