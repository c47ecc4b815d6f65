/* views/releases.c - what the public bucket publishes: named releases
 * (<RELEASE>/), highest version first, then alpha releases
 * (alpha/<COMMIT>/), with the selected one's template URLs below. */
#include <stdlib.h>
#include <string.h>

#include "release/context.h"
#include "release/releases.h"
#include "tui/table.h"
#include "views/views.h"

enum col { C_KIND, C_NAME, C_COUNT_T, C_PREFIX, C_COUNT };

static const struct table_col cols[C_COUNT] = {
	[C_KIND] = {"KIND", 8, 0, 0},
	[C_NAME] = {"RELEASE / COMMIT", 42, 0, 0},
	[C_COUNT_T] = {"TEMPLATES", 9, 1, 1},
	[C_PREFIX] = {"PREFIX", 0, 0, 0},
};

struct releases_view {
	struct tui *t;
	struct context *ctx;
	struct releases_fetch *fetch;
	struct table *table;
	size_t *order; /* display order: indexes into the list */
	size_t norder;
};

static const struct published_list *list_of(const struct releases_view *v)
{
	return v->fetch ? releases_fetch_result(v->fetch) : NULL;
}

static void reorder(struct releases_view *v)
{
	const struct published_list *l = list_of(v);
	free(v->order);
	v->norder = l ? l->n : 0;
	v->order = l ? releases_order(l) : NULL;
}

static const struct published *release_at(const struct releases_view *v, size_t i)
{
	const struct published_list *l = list_of(v);
	return l && i < v->norder ? &l->v[v->order[i]] : NULL;
}

static size_t rows_count(void *ud)
{
	const struct releases_view *v = ud;
	return v->norder;
}

static void row_fill(void *ud, size_t i, struct rowbuf *rb)
{
	const struct published *p = release_at(ud, i);
	if (!p)
		return;
	row_set(rb, C_KIND, p->alpha ? ROLE_STATE_PENDING : ROLE_STATE_PASSED, p->alpha ? "alpha" : "release");
	row_set(rb, C_NAME, ROLE_NORMAL, p->name);
	if (p->state == FETCH_LOADING)
		row_set(rb, C_COUNT_T, ROLE_DIM, "…");
	else if (p->state == FETCH_FAILED)
		row_set(rb, C_COUNT_T, ROLE_STATE_FAILED, "error");
	else
		row_setf(rb, C_COUNT_T, p->n ? ROLE_NORMAL : ROLE_WARNING, "%zu", p->n);
	row_set(rb, C_PREFIX, ROLE_DIM, p->prefix);
}

static long row_id(void *ud, size_t i)
{
	(void)ud;
	return (long)i;
}

static int row_cmp(void *ud, size_t a, size_t b, size_t col)
{
	(void)col;
	const struct published *x = release_at(ud, a), *y = release_at(ud, b);
	return (x->n > y->n) - (x->n < y->n);
}

static const struct table_ops ops = {.count = rows_count, .row = row_fill, .id = row_id, .cmp = row_cmp};

static void changed(void *ud, const struct published_list *l)
{
	struct releases_view *v = ud;
	(void)l;
	reorder(v);
	table_reload(v->table);
	tui_dirty(v->t);
}

static void start(struct releases_view *v)
{
	releases_fetch_free(&v->fetch);
	if (v->ctx->aws)
		v->fetch = releases_fetch_start(v->ctx->aws, &v->ctx->cfg, changed, v);
	reorder(v);
	table_reload(v->table);
}

static void draw(struct screen *s, struct tui *t, int y, int h, int w)
{
	struct releases_view *v = s->data;
	const struct published_list *l = list_of(v);
	if (!l) {
		tui_text(t, y + 1, 1, w - 2, ROLE_WARNING, v->ctx->aws_error ? v->ctx->aws_error : "AWS is not set up");
		return;
	}
	if (l->state == FETCH_FAILED)
		tui_text(t, y++, 1, w - 2, ROLE_STATUS_ERROR, l->error);
	/* An empty list says "nothing" only when it was read. */
	table_set_empty(v->table, l->state == FETCH_LOADING ? "Loading…"
				  : l->state == FETCH_FAILED
					  ? "Could not read the releases (the error is above); r retries."
					  : "Nothing published yet.");
	/* The selected release's URLs take the lower part of the screen. */
	long sel = table_selected(v->table);
	const struct published *p = sel >= 0 ? release_at(v, (size_t)sel) : NULL;
	int detail = p ? (int)p->n + 2 : 0;
	if (detail > h / 2)
		detail = h / 2;
	table_draw(v->table, t, y, h - detail - (l->state == FETCH_FAILED), w);
	if (!p || detail < 2)
		return;
	int dy = y + h - detail - (l->state == FETCH_FAILED);
	struct buf title = {0};
	buf_printf(&title, "%s %s: s3://%s/%s", p->alpha ? "Alpha" : "Release", p->name, l->bucket, p->prefix);
	tui_text(t, dy++, 1, w - 2, ROLE_HEADER, buf_str(&title));
	buf_free(&title);
	if (p->error)
		tui_text(t, dy++, 3, w - 4, ROLE_STATUS_ERROR, p->error);
	for (size_t i = 0; i < p->n && dy < y + h; i++)
		tui_text(t, dy++, 3, w - 4, ROLE_NORMAL, p->v[i].url ? p->v[i].url : p->v[i].key);
}

static enum handled action(struct screen *s, struct tui *t, enum action a)
{
	(void)t;
	struct releases_view *v = s->data;
	if (a == ACTION_REFRESH) {
		start(v);
		return HANDLED;
	}
	return table_action(v->table, a);
}

/* y and o: the selected release's super-stack template (launch.template)
 * or else its first template URL; its S3 prefix while it has none. */
static int selection(struct screen *s, struct buf *text, struct buf *what)
{
	struct releases_view *v = s->data;
	const struct published_list *l = list_of(v);
	long sel = table_selected(v->table);
	const struct published *p = sel >= 0 ? release_at(v, (size_t)sel) : NULL;
	if (!p)
		return 0;
	const char *url = NULL;
	for (size_t i = 0; i < p->n; i++) {
		if (p->v[i].url && !url)
			url = p->v[i].url;
		if (p->v[i].url && p->v[i].name && !strcmp(p->v[i].name, v->ctx->cfg.launch_template)) {
			url = p->v[i].url;
			break;
		}
	}
	if (url) {
		buf_adds(text, url);
		buf_adds(what, "URL");
	} else {
		buf_printf(text, "s3://%s/%s", l->bucket, p->prefix);
		buf_adds(what, "S3 prefix");
	}
	return 1;
}

static void title(struct screen *s, struct buf *out)
{
	struct releases_view *v = s->data;
	const struct published_list *l = list_of(v);
	buf_printf(out, "Releases  s3://%s  (%zu%s)", v->ctx->cfg.aws_public_bucket, l ? l->n : 0,
		   l && !releases_complete(l) ? ", loading…" : "");
}

static void view_free(struct screen *s)
{
	struct releases_view *v = s->data;
	releases_fetch_free(&v->fetch);
	table_free(&v->table);
	free(v->order);
	free(v);
}

static const struct screen_ops releases_ops = {
	.name = "releases",
	.draw = draw,
	.action = action,
	.title = title,
	.free = view_free,
	.selection = selection,
};

void releases_open(struct tui *t)
{
	struct releases_view *v = xcalloc(1, sizeof *v);
	v->t = t;
	v->ctx = tui_context(t);
	v->table = table_new(cols, C_COUNT, &ops, v);
	tui_push(t, &releases_ops, v);
	start(v);
}
