/* views/images.c - every release artifact we have, of every commit: AMIs
 * in the destination regions carrying the commit tag, newest first, with
 * the build they came from when the home screen knows it.  Enter opens
 * that build. */
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "release/artifact.h"
#include "release/context.h"
#include "release/store.h"
#include "tui/table.h"
#include "views/views.h"

enum col { C_CREATED, C_REGION, C_ID, C_STATE, C_COMMIT, C_BUILD, C_PUBLIC, C_NAME, C_COUNT };

static const struct table_col cols[C_COUNT] = {
	[C_CREATED] = {"CREATED", 20, 0, 1}, [C_REGION] = {"REGION", 14, 0, 0}, [C_ID] = {"IMAGE", 21, 0, 0},
	[C_STATE] = {"STATE", 10, 0, 0},     [C_COMMIT] = {"COMMIT", 8, 0, 0},  [C_BUILD] = {"BUILD", 6, 1, 0},
	[C_PUBLIC] = {"ACCESS", 7, 0, 0},    [C_NAME] = {"NAME", 0, 0, 0},
};

#define MAX_KINDS 8

struct kind_result {
	const struct artifact_kind *kind;
	void *handle;
	struct artifact *v;
	size_t n;
	char *error;
	int stale; /* the last reading failed: v is the one before, read at `at` */
	time_t at; /* when v was read */
	struct images_view *view;
};

struct images_view {
	struct tui *t;
	struct context *ctx;
	struct table *table;
	struct kind_result kinds[MAX_KINDS];
	size_t nkinds;
	int pending;
};

static const struct artifact *at(const struct images_view *v, size_t i)
{
	for (size_t k = 0; k < v->nkinds; k++) {
		if (i < v->kinds[k].n)
			return &v->kinds[k].v[i];
		i -= v->kinds[k].n;
	}
	return NULL;
}

static size_t rows_count(void *ud)
{
	size_t n = 0;
	while (at(ud, n))
		n++;
	return n;
}

/* The build of a commit, if the home screen's list has it. */
static const struct bk_build *build_of(const struct images_view *v, const char *commit)
{
	size_t n;
	const struct bk_build *b = store_builds(v->ctx->store, &n);
	for (size_t i = 0; commit && i < n; i++)
		if (b[i].commit && !strcmp(b[i].commit, commit))
			return &b[i];
	return NULL;
}

static void row_fill(void *ud, size_t i, struct rowbuf *rb)
{
	struct images_view *v = ud;
	const struct artifact *a = at(v, i);
	struct buf when = {0};
	if (a->created_t)
		time_iso(&when, a->created_t);
	row_set(rb, C_CREATED, ROLE_DIM, a->created_t ? buf_str(&when) : a->created);
	buf_free(&when);
	row_set(rb, C_REGION, ROLE_NORMAL, a->location);
	row_set(rb, C_ID, ROLE_NORMAL, a->id);
	row_set(rb, C_STATE, a->state && !strcmp(a->state, "available") ? ROLE_STATE_PASSED : ROLE_STATE_RUNNING,
		a->state);
	row_setf(rb, C_COMMIT, ROLE_DIM, "%.8s", a->commit ? a->commit : "");
	const struct bk_build *b = build_of(v, a->commit);
	if (b)
		row_setf(rb, C_BUILD, ROLE_NORMAL, "%ld", b->number);
	row_set(rb, C_PUBLIC, a->is_public ? ROLE_DANGER : ROLE_DIM, a->is_public ? "PUBLIC" : "private");
	row_set(rb, C_NAME, ROLE_DIM, a->name);
}

static long row_id(void *ud, size_t i)
{
	(void)ud;
	return (long)i;
}

/* Newest first by default (the CREATED column is numeric). */
static int row_cmp(void *ud, size_t x, size_t y, size_t col)
{
	(void)col;
	const struct artifact *a = at(ud, x), *b = at(ud, y);
	return (a->created_t > b->created_t) - (a->created_t < b->created_t);
}

static const struct table_ops ops = {.count = rows_count, .row = row_fill, .id = row_id, .cmp = row_cmp};

static void on_kind(void *ud, struct artifact *list, size_t n, const char *error)
{
	struct kind_result *k = ud;
	struct images_view *v = k->view;
	k->handle = NULL;
	free(k->error);
	k->error = error ? xstrdup(error) : NULL;
	k->stale = error && k->at;
	if (k->stale) {
		/* A failed refresh: the last reading stays on screen, marked stale. */
		artifacts_free(&list, n);
	} else {
		artifacts_free(&k->v, k->n);
		artifacts_sort(list, n);
		k->v = list;
		k->n = n;
		if (!error)
			k->at = time_now();
	}
	v->pending--;
	if (error)
		tui_message(v->t, 1, "%s: %s", k->kind->title, error);
	table_reload(v->table);
	tui_dirty(v->t);
}

static void clear(struct images_view *v)
{
	for (size_t k = 0; k < v->nkinds; k++) {
		if (v->kinds[k].handle)
			v->kinds[k].kind->cancel(v->kinds[k].handle);
		artifacts_free(&v->kinds[k].v, v->kinds[k].n);
		free(v->kinds[k].error);
	}
	memset(v->kinds, 0, sizeof v->kinds);
	v->nkinds = 0;
	v->pending = 0;
}

/* (Re)read every kind; what was read before stays on screen until the new
 * reading replaces it, and stays (marked stale) if the new one fails. */
static void start(struct images_view *v)
{
	if (!v->ctx->aws || !v->ctx->cfg.aws_regions.n)
		return;
	const struct artifact_kind *const *kinds = artifact_kinds();
	if (!v->nkinds)
		for (size_t i = 0; kinds[i] && v->nkinds < MAX_KINDS; i++) {
			v->kinds[v->nkinds].kind = kinds[i];
			v->kinds[v->nkinds++].view = v;
		}
	for (size_t i = 0; i < v->nkinds; i++) {
		struct kind_result *k = &v->kinds[i];
		if (k->handle)
			continue; /* still reading */
		v->pending++;
		k->handle = k->kind->fetch(v->ctx->aws, &v->ctx->cfg, NULL, 0, on_kind, k);
	}
	table_reload(v->table);
}

static void draw(struct screen *s, struct tui *t, int y, int h, int w)
{
	struct images_view *v = s->data;
	if (!v->ctx->aws) {
		tui_text(t, y + 1, 1, w - 2, ROLE_WARNING, v->ctx->aws_error ? v->ctx->aws_error : "AWS is not set up");
		return;
	}
	for (size_t k = 0; k < v->nkinds && h > 1; k++) {
		const struct kind_result *r = &v->kinds[k];
		if (!r->error)
			continue;
		struct buf e = {0};
		if (r->stale) {
			buf_printf(&e, "⚠ stale: %s: %s — showing what was read ", r->kind->title, r->error);
			time_ago(&e, r->at, time_now());
		} else {
			buf_printf(&e, "⚠ %s: %s", r->kind->title, r->error);
		}
		tui_text(t, y++, 1, w - 2, ROLE_STATUS_ERROR, buf_str(&e));
		h--;
		buf_free(&e);
	}
	/* "None" only when every kind was read. */
	int failed = 0;
	for (size_t k = 0; k < v->nkinds; k++)
		failed |= v->kinds[k].error != NULL;
	table_set_empty(v->table, v->pending ? "Loading…"
				  : failed   ? "Could not read them all (the errors are above); r retries."
					     : "No images carry the commit tag.");
	table_draw(v->table, t, y, h, w);
}

static enum handled action(struct screen *s, struct tui *t, enum action a)
{
	struct images_view *v = s->data;
	if (a == ACTION_REFRESH) {
		start(v);
		return HANDLED;
	}
	if (a == ACTION_OPEN) {
		long i = table_selected(v->table);
		const struct artifact *art = i >= 0 ? at(v, (size_t)i) : NULL;
		const struct bk_build *b = art ? build_of(v, art->commit) : NULL;
		if (b)
			build_open(t, b->number);
		else if (art)
			tui_message(t, 0, "no build of %.12s among the builds listed (try :branch all)",
				    art->commit ? art->commit : "?");
		return HANDLED;
	}
	return table_action(v->table, a);
}

/* y: the selected AMI's id. */
static int selection(struct screen *s, struct buf *text, struct buf *what)
{
	struct images_view *v = s->data;
	long i = table_selected(v->table);
	const struct artifact *art = i >= 0 ? at(v, (size_t)i) : NULL;
	if (!art || !art->id)
		return 0;
	buf_adds(text, art->id);
	buf_adds(what, "AMI id");
	return 1;
}

static void changed(struct screen *s, struct tui *t, unsigned topics)
{
	(void)t;
	struct images_view *v = s->data;
	if (topics & TOPIC_BUILDS)
		table_reload(v->table);
}

static void title(struct screen *s, struct buf *out)
{
	struct images_view *v = s->data;
	buf_printf(out, "Images  tag %s in %zu regions  (%zu%s)", v->ctx->cfg.aws_commit_tag, v->ctx->cfg.aws_regions.n,
		   table_shown(v->table), v->pending ? ", loading…" : "");
}

static void view_free(struct screen *s)
{
	struct images_view *v = s->data;
	clear(v);
	table_free(&v->table);
	free(v);
}

static const struct screen_ops images_ops = {
	.name = "images",
	.draw = draw,
	.action = action,
	.changed = changed,
	.title = title,
	.free = view_free,
	.selection = selection,
};

void images_open(struct tui *t)
{
	struct images_view *v = xcalloc(1, sizeof *v);
	v->t = t;
	v->ctx = tui_context(t);
	v->table = table_new(cols, C_COUNT, &ops, v);
	table_sort(v->table, C_CREATED, 1);
	tui_push(t, &images_ops, v);
	start(v);
}
