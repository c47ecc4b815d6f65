/* views/builds.c - the home screen: recent builds of the pipeline with
 * their three block steps, live. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/config.h"
#include "core/timeutil.h"
#include "release/context.h"
#include "release/overview.h"
#include "release/pipeline.h"
#include "release/store.h"
#include "tui/dialog.h"
#include "tui/palette.h"
#include "tui/table.h"
#include "views/views.h"

enum col {
	C_NUMBER,
	C_COMMIT,
	C_BRANCH,
	C_STATE,
	C_AMIS,
	C_ALPHA,
	C_RELEASE,
	C_SHIPPED,
	C_AGE,
	C_AUTHOR,
	C_MESSAGE,
	C_COUNT
};

static const struct table_col cols[C_COUNT] = {
	[C_NUMBER] = {"BUILD", 6, 1, 1},    [C_COMMIT] = {"COMMIT", 8, 0, 0},   [C_BRANCH] = {"BRANCH", 16, 0, 0},
	[C_STATE] = {"STATE", 14, 0, 0},    [C_AMIS] = {"AMIS", 9, 0, 0},       [C_ALPHA] = {"ALPHA", 9, 0, 0},
	[C_RELEASE] = {"RELEASE", 9, 0, 0}, [C_SHIPPED] = {"SHIPPED", 9, 0, 0}, [C_AGE] = {"AGE", 4, 1, 1},
	[C_AUTHOR] = {"AUTHOR", 14, 0, 0},  [C_MESSAGE] = {"MESSAGE", 0, 0, 0},
};

struct builds_view {
	struct tui *t;
	struct store *store;
	const struct config *cfg;
	struct table *table;
	time_t now;
};

static size_t rows_count(void *ud)
{
	struct builds_view *v = ud;
	size_t n;
	store_builds(v->store, &n);
	return n;
}

static const struct bk_build *row_build(struct builds_view *v, size_t i)
{
	size_t n;
	const struct bk_build *b = store_builds(v->store, &n);
	return i < n ? &b[i] : NULL;
}

/* A block step as a compact cell: absent, waiting (not unblockable yet),
 * blocked (ready for a human), unblocked. */
static void step_cell(struct rowbuf *rb, size_t col, const struct bk_job *j)
{
	if (!j) {
		row_set(rb, col, ROLE_DIM, "·");
		return;
	}
	if (j->state && !strcmp(j->state, "blocked") && !j->unblockable) {
		row_set(rb, col, ROLE_STATE_PENDING, "waiting");
		return;
	}
	row_set(rb, col, view_state_role(j->state), j->state ? j->state : "?");
}

/* What the build has shipped, from the store's overview: the public
 * release, else public alpha templates, else its AMIs (regions holding
 * one, of the destination regions) and internal templates; "…" until it
 * is known. */
static void shipped_cell(struct builds_view *v, struct rowbuf *rb, const struct bk_build *b)
{
	const struct overview_fetch *f = store_overview(v->store);
	const struct overview *o = f ? overview_fetch_result(f) : NULL;
	const struct overview_row *r = overview_find(f, b->commit);
	if (!r) {
		row_set(rb, C_SHIPPED, ROLE_DIM, f ? "?" : store_has_aws(v->store) ? "…" : "");
		return;
	}
	if (r->release && r->released)
		row_set(rb, C_SHIPPED, ROLE_STATE_PASSED, r->release);
	else if (r->alpha)
		row_set(rb, C_SHIPPED, ROLE_STATE_PASSED, "alpha");
	else if (o->part[OV_AMIS] != FETCH_DONE)
		row_set(rb, C_SHIPPED, ROLE_DIM, "?");
	else if (r->amis || r->amis_other)
		row_setf(rb, C_SHIPPED, r->amis == o->nregions ? ROLE_NORMAL : ROLE_STATE_PENDING, "AMI %d/%d%s",
			 r->amis, o->nregions, r->templates ? " T" : "");
	else
		row_set(rb, C_SHIPPED, ROLE_DIM, r->templates ? "T" : "·");
}

static void row_fill(void *ud, size_t i, struct rowbuf *rb)
{
	struct builds_view *v = ud;
	const struct bk_build *b = row_build(v, i);
	if (!b)
		return;
	row_setf(rb, C_NUMBER, ROLE_NORMAL, "%ld", b->number);
	row_setf(rb, C_COMMIT, ROLE_DIM, "%.8s", b->commit ? b->commit : "");
	row_set(rb, C_BRANCH, ROLE_NORMAL, b->branch);
	if (b->blocked && b->state && !strcmp(b->state, "blocked"))
		row_set(rb, C_STATE, ROLE_STATE_BLOCKED, "blocked");
	else if (b->blocked)
		row_setf(rb, C_STATE, ROLE_STATE_BLOCKED, "%s+blocked", b->state ? b->state : "?");
	else
		row_set(rb, C_STATE, view_state_role(b->state), b->state ? b->state : "?");
	step_cell(rb, C_AMIS, pipeline_step(b, STEP_BUILD_AMIS, v->cfg));
	step_cell(rb, C_ALPHA, pipeline_step(b, STEP_ALPHA, v->cfg));
	step_cell(rb, C_RELEASE, pipeline_step(b, STEP_RELEASE, v->cfg));
	shipped_cell(v, rb, b);
	struct buf age = {0};
	time_age(&age, b->created_at_t, v->now);
	row_set(rb, C_AGE, ROLE_DIM, buf_str(&age));
	buf_free(&age);
	row_set(rb, C_AUTHOR, ROLE_NORMAL, b->author);
	/* The first line of the message; tui_text sanitizes it. */
	const char *m = b->message ? b->message : "";
	size_t len = strcspn(m, "\r\n");
	struct buf first = {0};
	buf_add(&first, m, len);
	row_set(rb, C_MESSAGE, ROLE_NORMAL, buf_str(&first));
	buf_free(&first);
}

static long row_id(void *ud, size_t i)
{
	const struct bk_build *b = row_build(ud, i);
	return b ? b->number : -1;
}

static int row_cmp(void *ud, size_t a, size_t b, size_t col)
{
	const struct bk_build *x = row_build(ud, a), *y = row_build(ud, b);
	long long l = 0, r = 0;
	if (col == C_NUMBER) {
		l = x->number;
		r = y->number;
	} else if (col == C_AGE) {
		/* Younger first, like the number column. */
		l = -(long long)x->created_at_t;
		r = -(long long)y->created_at_t;
	}
	return l < r ? -1 : l > r;
}

static const struct table_ops ops = {
	.count = rows_count,
	.row = row_fill,
	.id = row_id,
	.cmp = row_cmp,
};

static void draw(struct screen *s, struct tui *t, int y, int h, int w)
{
	struct builds_view *v = s->data;
	v->now = time_now();
	struct store_status st;
	store_status(v->store, &st);
	if (st.loaded)
		table_set_empty(v->table, *store_branch(v->store) ? "No builds on this branch." : "No builds yet.");
	else
		table_set_empty(v->table, st.error ? "Could not load the builds (see the status bar); r retries."
						   : "Loading builds…");
	table_draw(v->table, t, y, h, w);
}

static void set_branch(struct builds_view *v, const char *branch)
{
	if (!strcmp(branch, "all") || !strcmp(branch, "*"))
		branch = "";
	store_set_branch(v->store, branch);
	tui_message(v->t, 0, "branch: %s", *branch ? branch : "all");
}

static char *validate_branch(void *ud, size_t field, const char *value)
{
	(void)ud;
	(void)field;
	if (!*value)
		return xstrdup("Give a branch name, or \"all\".");
	for (const unsigned char *p = (const unsigned char *)value; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == ' ')
			return xstrdup("A branch name has no spaces or control characters.");
	return NULL;
}

static void branch_done(void *ud, const char *const *values, int accepted)
{
	if (accepted)
		set_branch(ud, values[0]);
}

static void pick_branch(struct builds_view *v)
{
	size_t n;
	const char *const *br = store_branches(v->store, &n);
	struct buf hint = {0};
	buf_adds(&hint, "all");
	for (size_t i = 0; i < n && hint.len < 200; i++)
		buf_printf(&hint, ", %s", br[i]);
	const char *labels[] = {"Branch"};
	const char *initial[] = {*store_branch(v->store) ? store_branch(v->store) : "all"};
	const char *hints[] = {buf_str(&hint)};
	form_open(v->t, "Show builds of one branch", 1, labels, initial, hints, validate_branch, branch_done, v);
	buf_free(&hint);
}

static enum handled action(struct screen *s, struct tui *t, enum action a)
{
	struct builds_view *v = s->data;
	if (table_list_action(v->table, t, a) == HANDLED)
		return HANDLED;
	switch (a) {
	case ACTION_OPEN: {
		long i = table_selected(v->table);
		const struct bk_build *b = i >= 0 ? row_build(v, (size_t)i) : NULL;
		if (b)
			build_open(t, b->number);
		return HANDLED;
	}
	case ACTION_BRANCH_MAIN:
		set_branch(v, strcmp(store_branch(v->store), v->cfg->main_branch) ? v->cfg->main_branch : "");
		return HANDLED;
	case ACTION_BRANCH_PICK:
		pick_branch(v);
		return HANDLED;
	case ACTION_UNBLOCK_BUILD:
	case ACTION_PROMOTE_ALPHA:
	case ACTION_PROMOTE_RELEASE: {
		long i = table_selected(v->table);
		const struct bk_build *b = i >= 0 ? row_build(v, (size_t)i) : NULL;
		if (b)
			promote_action(t, a, b->number);
		return HANDLED;
	}
	default:
		return NOT_HANDLED;
	}
}

/* y and o: the selected build's page on Buildkite. */
static int selection(struct screen *s, struct buf *text, struct buf *what)
{
	struct builds_view *v = s->data;
	long i = table_selected(v->table);
	const struct bk_build *b = i >= 0 ? row_build(v, (size_t)i) : NULL;
	if (!b || !b->web_url)
		return 0;
	buf_adds(text, b->web_url);
	buf_adds(what, "URL");
	return 1;
}

static enum handled command(struct screen *s, struct tui *t, const char *cmd, const char *arg)
{
	struct builds_view *v = s->data;
	if (!strcmp(cmd, "branch")) {
		if (!*arg)
			pick_branch(v);
		else
			set_branch(v, arg);
		return HANDLED;
	}
	if (!strcmp(cmd, "filter")) {
		table_set_filter(v->table, arg);
		return HANDLED;
	}
	if (!strcmp(cmd, "build")) {
		char *end;
		long n = strtol(arg, &end, 10);
		if (!*arg || *end || n <= 0) {
			tui_message(t, 1, "build: give a build number");
			return HANDLED;
		}
		build_open(t, n);
		return HANDLED;
	}
	if (!strcmp(cmd, "stack")) {
		if (!*arg)
			stacks_open(t);
		else
			stack_open(t, arg);
		return HANDLED;
	}
	if (!strcmp(cmd, "sort")) {
		for (int c = 0; c < C_COUNT; c++) {
			if (!strcasecmp(cols[c].title, arg)) {
				table_sort(v->table, c, 0);
				return HANDLED;
			}
		}
		table_sort(v->table, -1, 0);
		if (*arg)
			tui_message(t, 1, "sort: no column %s", arg);
		return HANDLED;
	}
	return NOT_HANDLED;
}

static void changed(struct screen *s, struct tui *t, unsigned topics)
{
	(void)t;
	struct builds_view *v = s->data;
	if (topics & (TOPIC_BUILDS | TOPIC_OVERVIEW))
		table_reload(v->table);
}

static void title(struct screen *s, struct buf *out)
{
	struct builds_view *v = s->data;
	const char *br = store_branch(v->store);
	buf_printf(out, "Builds  branch: %s  (%zu", *br ? br : "all", table_shown(v->table));
	if (*table_filter(v->table))
		buf_printf(out, " matching /%s", table_filter(v->table));
	buf_adds(out, ")");
}

static void view_free(struct screen *s)
{
	struct builds_view *v = s->data;
	table_free(&v->table);
	free(v);
}

static const struct screen_ops builds_ops = {
	.name = "builds",
	.draw = draw,
	.action = action,
	.command = command,
	.changed = changed,
	.title = title,
	.free = view_free,
	.selection = selection,
};

void builds_open(struct tui *t)
{
	struct context *ctx = tui_context(t);
	struct builds_view *v = xcalloc(1, sizeof *v);
	v->t = t;
	v->store = ctx->store;
	v->cfg = &ctx->cfg;
	v->now = time_now();
	v->table = table_new(cols, C_COUNT, &ops, v);
	tui_push(t, &builds_ops, v);
}
