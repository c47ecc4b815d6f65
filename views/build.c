/* views/build.c - one build: what it is, its block steps (who unblocked
 * them and when) and its jobs.  The AWS issue adds AMIs and templates. */
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/timeutil.h"
#include "release/context.h"
#include "release/pipeline.h"
#include "release/store.h"
#include "tui/table.h"
#include "views/views.h"

enum col { C_TYPE, C_STATE, C_NAME, C_STARTED, C_TOOK, C_COUNT };

static const struct table_col cols[C_COUNT] = {
	[C_TYPE] = {"TYPE", 7, 0, 0},     [C_STATE] = {"STATE", 10, 0, 0}, [C_NAME] = {"JOB", 0, 0, 0},
	[C_STARTED] = {"STARTED", 8, 1, 0}, [C_TOOK] = {"TOOK", 7, 1, 0},
};

struct build_view {
	struct tui *t;
	struct store *store;
	const struct config *cfg;
	long number;
	struct table *table;
	time_t now;
};

static const struct bk_build *current(const struct build_view *v)
{
	return store_build(v->store, v->number);
}

/* Jobs shown: everything but wait steps, in pipeline order. */
static const struct bk_job *job_at(const struct build_view *v, size_t i)
{
	const struct bk_build *b = current(v);
	if (!b)
		return NULL;
	for (size_t k = 0; k < b->njobs; k++) {
		if (b->jobs[k].type == BK_JOB_WAITER)
			continue;
		if (i-- == 0)
			return &b->jobs[k];
	}
	return NULL;
}

static size_t rows_count(void *ud)
{
	size_t n = 0;
	while (job_at(ud, n))
		n++;
	return n;
}

static void duration(struct buf *out, time_t from, time_t to)
{
	if (!from || !to || to < from) {
		buf_adds(out, "");
		return;
	}
	long d = (long)(to - from);
	if (d < 60)
		buf_printf(out, "%lds", d);
	else if (d < 3600)
		buf_printf(out, "%ldm%02lds", d / 60, d % 60);
	else
		buf_printf(out, "%ldh%02ldm", d / 3600, (d % 3600) / 60);
}

static void row_fill(void *ud, size_t i, struct rowbuf *rb)
{
	struct build_view *v = ud;
	const struct bk_job *j = job_at(v, i);
	if (!j)
		return;
	row_set(rb, C_TYPE, ROLE_DIM, j->type_name ? j->type_name : "?");
	row_set(rb, C_STATE, view_state_role(j->state), j->state ? j->state : "?");
	row_set(rb, C_NAME, ROLE_NORMAL, j->name ? j->name : "");
	struct buf b = {0};
	if (j->started_at_t) {
		time_age(&b, j->started_at_t, v->now);
		row_set(rb, C_STARTED, ROLE_DIM, buf_str(&b));
	}
	buf_reset(&b);
	duration(&b, j->started_at_t, j->finished_at_t ? j->finished_at_t : (j->started_at_t ? v->now : 0));
	row_set(rb, C_TOOK, ROLE_DIM, buf_str(&b));
	buf_free(&b);
}

static long row_id(void *ud, size_t i)
{
	(void)ud;
	return (long)i;
}

static const struct table_ops ops = {.count = rows_count, .row = row_fill, .id = row_id};

/* "label: value" on one line; value untrusted. */
static void field(struct tui *t, int y, int w, const char *label, enum role r, const char *value)
{
	tui_text(t, y, 1, 10, ROLE_DIM, label);
	tui_text(t, y, 11, w - 12, r, value ? value : "-");
}

static int draw_steps(struct build_view *v, struct tui *t, const struct bk_build *b, int y, int w)
{
	tui_text(t, y++, 1, w - 2, ROLE_HEADER, "Block steps");
	for (int k = 0; k < STEP_COUNT; k++) {
		const struct bk_job *j = pipeline_step(b, k, v->cfg);
		tui_text(t, y, 3, 9, ROLE_NORMAL, step_kind_title(k));
		int x = 12;
		if (!j) {
			struct buf m = {0};
			buf_printf(&m, "no \"%s\" step in this build", step_kind_label(k, v->cfg));
			tui_text(t, y++, x, w - x - 1, ROLE_DIM, buf_str(&m));
			buf_free(&m);
			continue;
		}
		const char *state = j->state ? j->state : "?";
		enum role r = view_state_role(state);
		if (!strcmp(state, "blocked") && !j->unblockable) {
			state = "waiting";
			r = ROLE_STATE_PENDING;
		}
		x += tui_text(t, y, x, 10, r, state) + 1;
		if (x < 23)
			x = 23;
		struct buf m = {0};
		if (j->unblocked_by || j->unblocked_at) {
			buf_printf(&m, "unblocked by %s", j->unblocked_by ? j->unblocked_by : "?");
			if (j->unblocked_at_t) {
				buf_adds(&m, " at ");
				time_iso(&m, j->unblocked_at_t);
				buf_adds(&m, " (");
				time_age(&m, j->unblocked_at_t, v->now);
				buf_adds(&m, " ago)");
			}
		} else if (j->unblockable) {
			buf_adds(&m, "ready to be unblocked");
		} else if (!strcmp(j->state ? j->state : "", "blocked")) {
			buf_adds(&m, "waiting for earlier steps");
		}
		tui_text(t, y++, x, w - x - 1, ROLE_NORMAL, buf_str(&m));
		buf_free(&m);
	}
	return y;
}

static void draw(struct screen *s, struct tui *t, int y, int h, int w)
{
	struct build_view *v = s->data;
	v->now = time_now();
	const struct bk_build *b = current(v);
	int bottom = y + h;
	if (!b) {
		const char *err = store_build_error(v->store);
		tui_text(t, y + 1, 1, w - 2, err ? ROLE_STATUS_ERROR : ROLE_DIM,
			 err ? err : "Loading the build…");
		return;
	}
	struct buf line = {0};
	buf_printf(&line, "#%ld  ", b->number);
	int x = tui_text(t, y, 1, w - 2, ROLE_HEADER, buf_str(&line));
	x += tui_text(t, y, 1 + x, w - 2 - x, view_state_role(b->state), b->state ? b->state : "?");
	if (b->blocked)
		x += 2 + tui_text(t, y, 3 + x, w - 4 - x, ROLE_STATE_BLOCKED, "blocked: waiting on a block step");
	/* The list's copy is shown when fetching the build itself failed: say so. */
	const char *err = store_build_error(v->store);
	if (err) {
		struct buf e = {0};
		buf_printf(&e, "⚠ stale: %s", err);
		tui_text(t, y, 3 + x, w - 4 - x, ROLE_STATUS_ERROR, buf_str(&e));
		buf_free(&e);
	}
	y++;
	field(t, y++, w, "Commit", ROLE_NORMAL, b->commit);
	field(t, y++, w, "Branch", ROLE_NORMAL, b->branch);
	field(t, y++, w, "Author", ROLE_NORMAL, b->author);
	buf_reset(&line);
	if (b->created_at_t) {
		time_iso(&line, b->created_at_t);
		buf_adds(&line, " (");
		time_age(&line, b->created_at_t, v->now);
		buf_adds(&line, " ago)");
	}
	field(t, y++, w, "Created", ROLE_NORMAL, buf_str(&line));
	field(t, y++, w, "Web", ROLE_DIM, b->web_url);
	/* Up to three lines of the message, each sanitized by tui_text. */
	const char *m = b->message ? b->message : "";
	for (int i = 0; i < 3 && *m && y < bottom - 6; i++) {
		size_t len = strcspn(m, "\r\n");
		buf_reset(&line);
		buf_add(&line, m, len);
		tui_text(t, ++y, 3, w - 4, i ? ROLE_DIM : ROLE_NORMAL, buf_str(&line));
		m += len;
		while (*m == '\r' || *m == '\n')
			m++;
	}
	buf_free(&line);
	y += 2;
	if (y < bottom - 4)
		y = draw_steps(v, t, b, y, w) + 1;
	table_draw(v->table, t, y, bottom - y, w);
}

static enum handled action(struct screen *s, struct tui *t, enum action a)
{
	(void)t;
	struct build_view *v = s->data;
	if (a == ACTION_REFRESH) {
		store_follow_build(v->store, v->number);
		return HANDLED;
	}
	return table_action(v->table, a);
}

static void changed(struct screen *s, struct tui *t, unsigned topics)
{
	(void)t;
	struct build_view *v = s->data;
	if (topics & (TOPIC_BUILD | TOPIC_BUILDS))
		table_reload(v->table);
}

static void title(struct screen *s, struct buf *out)
{
	struct build_view *v = s->data;
	buf_printf(out, "Build #%ld", v->number);
}

static void view_free(struct screen *s)
{
	struct build_view *v = s->data;
	store_follow_build(v->store, 0);
	table_free(&v->table);
	free(v);
}

static const struct screen_ops build_ops = {
	.name = "build",
	.draw = draw,
	.action = action,
	.changed = changed,
	.title = title,
	.free = view_free,
};

void build_open(struct tui *t, long number)
{
	struct context *ctx = tui_context(t);
	struct build_view *v = xcalloc(1, sizeof *v);
	v->t = t;
	v->store = ctx->store;
	v->cfg = &ctx->cfg;
	v->number = number;
	v->now = time_now();
	v->table = table_new(cols, C_COUNT, &ops, v);
	tui_push(t, &build_ops, v);
	store_follow_build(ctx->store, number);
}
