/* views/build.c - one build: what it is, its block steps (who unblocked
 * them and when), and below, one pane at a time (Tab switches): its jobs,
 * its AMIs per region with launch-permission drift, and its template URLs
 * at each stage. */
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/timeutil.h"
#include "release/context.h"
#include "release/lineage.h"
#include "release/pipeline.h"
#include "release/store.h"
#include "tui/table.h"
#include "views/views.h"

enum col { C_TYPE, C_STATE, C_NAME, C_STARTED, C_TOOK, C_COUNT };

static const struct table_col cols[C_COUNT] = {
	[C_TYPE] = {"TYPE", 7, 0, 0},       [C_STATE] = {"STATE", 10, 0, 0}, [C_NAME] = {"JOB", 0, 0, 0},
	[C_STARTED] = {"STARTED", 8, 1, 0}, [C_TOOK] = {"TOOK", 7, 1, 0},
};

enum pane { PANE_JOBS, PANE_AMIS, PANE_TEMPLATES, PANE_COUNT };

struct build_view {
	struct tui *t;
	struct store *store;
	const struct config *cfg;
	long number;
	struct table *table; /* jobs */
	struct table *amis;
	struct table *templates;
	enum pane pane;
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

/* ---- AMIs (every artifact kind, one row per artifact) ---- */

enum acol { A_REGION, A_ID, A_STATE, A_ACCESS, A_CREATED, A_NAME, A_COUNT };

static const struct table_col acols[A_COUNT] = {
	[A_REGION] = {"REGION", 14, 0, 0},   [A_ID] = {"IMAGE", 21, 0, 0},
	[A_STATE] = {"STATE", 10, 0, 0},     [A_ACCESS] = {"LAUNCH PERMISSIONS", 34, 0, 0},
	[A_CREATED] = {"CREATED", 20, 0, 0}, [A_NAME] = {"NAME", 0, 0, 0},
};

static const struct lineage *lineage_of(const struct build_view *v)
{
	return store_lineage(v->store, NULL);
}

static const struct artifact *artifact_at(const struct build_view *v, size_t i)
{
	const struct lineage *l = lineage_of(v);
	for (size_t k = 0; l && k < l->nkinds; k++) {
		if (i < l->kinds[k].n)
			return &l->kinds[k].v[i];
		i -= l->kinds[k].n;
	}
	return NULL;
}

static size_t amis_count(void *ud)
{
	size_t n = 0;
	while (artifact_at(ud, n))
		n++;
	return n;
}

/* "matches (5 accounts)", "missing 1, extra 1", "PUBLIC", "unknown: …" */
static enum role access_text(const struct lineage *l, const struct artifact *a, struct buf *out)
{
	if (a->is_public) {
		buf_adds(out, "PUBLIC: anyone can launch it");
		return ROLE_DANGER;
	}
	if (!a->access_known) {
		buf_printf(out, "unknown: %s", a->access_error ? a->access_error : "not fetched");
		return ROLE_WARNING;
	}
	if (l->expected_state != FETCH_DONE) {
		buf_printf(out, "%zu accounts (expected list unreadable)", a->naccess);
		return ROLE_WARNING;
	}
	const char **missing, **extra;
	size_t nm, ne;
	artifact_drift(a, (const char *const *)l->expected, l->nexpected, &missing, &nm, &extra, &ne);
	enum role r = ROLE_STATE_PASSED;
	if (!nm && !ne) {
		buf_printf(out, "match (%zu accounts)", a->naccess);
	} else {
		r = ROLE_DANGER;
		for (size_t i = 0; i < nm; i++)
			buf_printf(out, "%smissing %s", out->len ? ", " : "", missing[i]);
		for (size_t i = 0; i < ne; i++)
			buf_printf(out, "%sextra %s", out->len ? ", " : "", extra[i]);
	}
	free(missing);
	free(extra);
	return r;
}

static void amis_fill(void *ud, size_t i, struct rowbuf *rb)
{
	struct build_view *v = ud;
	const struct artifact *a = artifact_at(v, i);
	if (!a)
		return;
	row_set(rb, A_REGION, ROLE_NORMAL, a->location);
	row_set(rb, A_ID, ROLE_NORMAL, a->id);
	row_set(rb, A_STATE,
		!strcmp(a->state ? a->state : "", "available") ? ROLE_STATE_PASSED
		: !strcmp(a->state ? a->state : "", "pending") ? ROLE_STATE_RUNNING
							       : ROLE_STATE_FAILED,
		a->state);
	struct buf t = {0};
	enum role r = access_text(lineage_of(v), a, &t);
	row_set(rb, A_ACCESS, r, buf_str(&t));
	buf_free(&t);
	struct buf when = {0};
	if (a->created_t)
		time_iso(&when, a->created_t);
	row_set(rb, A_CREATED, ROLE_DIM, a->created_t ? buf_str(&when) : a->created);
	buf_free(&when);
	row_set(rb, A_NAME, ROLE_DIM, a->name);
}

static const struct table_ops amis_ops = {.count = amis_count, .row = amis_fill, .id = row_id};

/* ---- templates: every stage's objects ---- */

/* The URL in full: it is what people copy (it ends with the template's name). */
enum tcol { T_STAGE, T_URL, T_COUNT };

static const struct table_col tcols[T_COUNT] = {
	[T_STAGE] = {"STAGE", 9, 0, 0},
	[T_URL] = {"TEMPLATE URL", 0, 0, 0},
};

static const struct lineage_template *template_at(const struct build_view *v, size_t i, enum stage *stage)
{
	const struct lineage *l = lineage_of(v);
	for (int s = 0; l && s < STAGE_COUNT; s++) {
		if (i < l->stages[s].n) {
			*stage = (enum stage)s;
			return &l->stages[s].v[i];
		}
		i -= l->stages[s].n;
	}
	return NULL;
}

static size_t templates_count(void *ud)
{
	size_t n = 0;
	enum stage s;
	while (template_at(ud, n, &s))
		n++;
	return n;
}

static void templates_fill(void *ud, size_t i, struct rowbuf *rb)
{
	enum stage s;
	const struct lineage_template *t = template_at(ud, i, &s);
	if (!t)
		return;
	row_set(rb, T_STAGE, s == STAGE_RELEASE ? ROLE_STATE_PASSED : ROLE_NORMAL, stage_key(s));
	row_set(rb, T_URL, ROLE_NORMAL, t->url ? t->url : t->key);
}

static const struct table_ops templates_ops = {.count = templates_count, .row = templates_fill, .id = row_id};

/* One line each for the artifacts and the stages, under the block steps. */
static int draw_lineage(struct build_view *v, struct tui *t, int y, int w)
{
	const char *why_not;
	const struct lineage *l = store_lineage(v->store, &why_not);
	tui_text(t, y++, 1, w - 2, ROLE_HEADER, "Release");
	if (!l) {
		tui_text(t, y++, 3, w - 4, why_not ? ROLE_WARNING : ROLE_DIM, why_not ? why_not : "Loading…");
		return y;
	}
	struct buf line = {0};
	for (size_t k = 0; k < l->nkinds; k++) {
		const struct lineage_kind *lk = &l->kinds[k];
		buf_reset(&line);
		enum role r = ROLE_NORMAL;
		if (lk->state == FETCH_LOADING) {
			buf_adds(&line, "loading…");
			r = ROLE_DIM;
		} else {
			size_t avail = 0;
			for (size_t i = 0; i < lk->n; i++)
				avail += lk->v[i].state && !strcmp(lk->v[i].state, "available");
			buf_printf(&line, "%zu found, %zu available in %zu regions", lk->n, avail,
				   v->cfg->aws_regions.n);
			if (!lk->n)
				r = ROLE_DIM;
			if (lk->error) {
				buf_printf(&line, "  ⚠ %s", lk->error);
				r = ROLE_WARNING;
			}
		}
		tui_text(t, y, 3, 9, ROLE_NORMAL, lk->kind->title);
		tui_text(t, y++, 12, w - 13, r, buf_str(&line));
	}
	if (lineage_has_drift(l)) {
		tui_text(t, y, 3, 9, ROLE_DANGER, "Drift");
		tui_text(t, y++, 12, w - 13, ROLE_DANGER,
			 "⚠ launch permissions differ from the expected accounts (Tab to AMIs)");
	} else if (l->expected_state == FETCH_FAILED) {
		tui_text(t, y, 3, 9, ROLE_WARNING, "Accounts");
		tui_text(t, y++, 12, w - 13, ROLE_WARNING, l->expected_error);
	}
	buf_reset(&line);
	for (int s = 0; s < STAGE_COUNT; s++) {
		const struct lineage_stage *st = &l->stages[s];
		buf_printf(&line, "%s%s ", s ? "   " : "", stage_key((enum stage)s));
		if (st->state == FETCH_LOADING)
			buf_adds(&line, "…");
		else if (st->state == FETCH_FAILED)
			buf_adds(&line, "error");
		else if (st->state == FETCH_NONE || !st->n)
			buf_adds(&line, "—");
		else
			buf_printf(&line, "%zu", st->n);
	}
	tui_text(t, y, 3, 9, ROLE_NORMAL, "Templates");
	tui_text(t, y++, 13, w - 14, ROLE_NORMAL, buf_str(&line));
	for (int s = 0; s < STAGE_COUNT; s++) {
		if (l->stages[s].state == FETCH_FAILED) {
			tui_text(t, y++, 13, w - 14, ROLE_WARNING, l->stages[s].error);
			break;
		}
	}
	buf_free(&line);
	return y;
}

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
				time_ago(&m, j->unblocked_at_t, v->now);
				buf_addc(&m, ')');
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
		tui_text(t, y + 1, 1, w - 2, err ? ROLE_STATUS_ERROR : ROLE_DIM, err ? err : "Loading the build…");
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
		time_ago(&line, b->created_at_t, v->now);
		buf_addc(&line, ')');
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
	if (y < bottom - 6)
		y = draw_lineage(v, t, y, w) + 1;
	/* The pane bar: which section the table shows; Tab moves on. */
	static const char *const names[PANE_COUNT] = {"Jobs", "AMIs", "Templates"};
	x = 1;
	for (int p = 0; p < PANE_COUNT && y < bottom; p++) {
		struct buf n = {0};
		buf_printf(&n, " %s ", names[p]);
		x += tui_text(t, y, x, w - x, p == (int)v->pane ? ROLE_BUTTON_FOCUS : ROLE_BUTTON, buf_str(&n)) + 1;
		buf_free(&n);
	}
	if (y < bottom)
		tui_text(t, y, x + 1, w - x - 2, ROLE_DIM, "Tab: next section");
	y++;
	struct table *tables[PANE_COUNT] = {v->table, v->amis, v->templates};
	table_draw(tables[v->pane], t, y, bottom - y, w);
}

static enum handled action(struct screen *s, struct tui *t, enum action a)
{
	struct build_view *v = s->data;
	if (a == ACTION_REFRESH) {
		store_follow_build(v->store, v->number);
		store_refresh_lineage(v->store);
		return HANDLED;
	}
	if (a == ACTION_PANE_NEXT) {
		v->pane = (v->pane + 1) % PANE_COUNT;
		return HANDLED;
	}
	if (promote_action(t, a, v->number))
		return HANDLED;
	if (a == ACTION_LAUNCH) {
		const struct bk_build *b = current(v);
		if (b && b->commit)
			launch_open(t, v->number, b->commit);
		else
			tui_message(t, 1, "launch: the build is not loaded yet");
		return HANDLED;
	}
	struct table *tables[PANE_COUNT] = {v->table, v->amis, v->templates};
	return table_action(tables[v->pane], a);
}

/* y and o: what the pane's selected row is about, as people paste it. */
static int selection(struct screen *s, struct buf *text, struct buf *what)
{
	struct build_view *v = s->data;
	struct table *tables[PANE_COUNT] = {v->table, v->amis, v->templates};
	long i = table_selected(tables[v->pane]);
	const char *value = NULL, *kind = "URL";
	if (i < 0) {
		const struct bk_build *b = current(v); /* no row: the build itself */
		value = b ? b->web_url : NULL;
	} else if (v->pane == PANE_JOBS) {
		const struct bk_job *j = job_at(v, (size_t)i);
		value = j ? j->web_url : NULL;
	} else if (v->pane == PANE_AMIS) {
		const struct artifact *a = artifact_at(v, (size_t)i);
		value = a ? a->id : NULL;
		kind = "AMI id";
	} else {
		enum stage st;
		const struct lineage_template *tp = template_at(v, (size_t)i, &st);
		value = tp ? tp->url : NULL;
	}
	if (!value || !*value)
		return 0;
	buf_adds(text, value);
	buf_adds(what, kind);
	return 1;
}

static void changed(struct screen *s, struct tui *t, unsigned topics)
{
	(void)t;
	struct build_view *v = s->data;
	if (topics & (TOPIC_BUILD | TOPIC_BUILDS))
		table_reload(v->table);
	if (topics & (TOPIC_LINEAGE | TOPIC_BUILD)) {
		table_reload(v->amis);
		table_reload(v->templates);
	}
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
	table_free(&v->amis);
	table_free(&v->templates);
	free(v);
}

static const struct screen_ops build_ops = {
	.name = "build",
	.draw = draw,
	.action = action,
	.changed = changed,
	.title = title,
	.free = view_free,
	.selection = selection,
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
	v->amis = table_new(acols, A_COUNT, &amis_ops, v);
	table_set_empty(v->amis, "No AMIs of this commit (yet).");
	v->templates = table_new(tcols, T_COUNT, &templates_ops, v);
	table_set_empty(v->templates, "No templates of this commit (yet).");
	tui_push(t, &build_ops, v);
	store_follow_build(ctx->store, number);
}
