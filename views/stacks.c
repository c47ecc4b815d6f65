/* views/stacks.c - the region's CloudFormation stacks: relcon's first,
 * status coloured, age, expiry (expired ones highlighted), owner, commit.
 * `f` cycles the scope: mine (owner = the AWS identity), relcon's, all. */
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "release/context.h"
#include "release/stacks.h"
#include "release/store.h"
#include "tui/table.h"
#include "views/views.h"

enum col { C_NAME, C_STATUS, C_AGE, C_EXPIRES, C_COMMIT, C_OWNER, C_COUNT };

static const struct table_col cols[C_COUNT] = {
	[C_NAME] = {"STACK", 32, 0, 0},     [C_STATUS] = {"STATUS", 24, 0, 0}, [C_AGE] = {"AGE", 4, 1, 0},
	[C_EXPIRES] = {"EXPIRES", 8, 1, 0}, [C_COMMIT] = {"COMMIT", 8, 0, 0},  [C_OWNER] = {"OWNER", 0, 0, 0},
};

enum scope { SCOPE_MINE, SCOPE_RELCON, SCOPE_ALL, SCOPE_COUNT };
static const char *const scope_names[SCOPE_COUNT] = {"mine", "relcon", "all"};

struct stacks_view {
	struct tui *t;
	struct context *ctx;
	struct stacks_fetch *fetch;
	struct table *table;
	enum scope scope;
	size_t *shown; /* indexes of rows in scope */
	size_t nshown;
	time_t now;
};

static const struct stack_list *list_of(const struct stacks_view *v)
{
	return v->fetch ? stacks_fetch_result(v->fetch) : NULL;
}

static void rescope(struct stacks_view *v)
{
	const struct stack_list *l = list_of(v);
	struct store_identity id;
	store_identity(v->ctx->store, &id);
	free(v->shown);
	v->shown = xcalloc(l ? l->n + 1 : 1, sizeof *v->shown);
	v->nshown = 0;
	for (size_t i = 0; l && i < l->n; i++) {
		const struct stack_row *r = &l->v[i];
		int keep = v->scope == SCOPE_ALL || (v->scope == SCOPE_RELCON && r->ours) ||
			   (v->scope == SCOPE_MINE && r->ours && id.arn && r->owner && !strcmp(r->owner, id.arn));
		if (keep)
			v->shown[v->nshown++] = i;
	}
	table_reload(v->table);
}

static const struct stack_row *row_at(const struct stacks_view *v, size_t i)
{
	const struct stack_list *l = list_of(v);
	return l && i < v->nshown ? &l->v[v->shown[i]] : NULL;
}

static size_t rows_count(void *ud)
{
	return ((struct stacks_view *)ud)->nshown;
}

static enum role status_role(const char *status)
{
	switch (stack_status_class(status)) {
	case STACK_OK:
		return ROLE_STATE_PASSED;
	case STACK_BUSY:
		return ROLE_STATE_RUNNING;
	case STACK_GONE:
		return ROLE_STATE_CANCELED;
	default:
		return ROLE_STATE_FAILED;
	}
}

static void row_fill(void *ud, size_t i, struct rowbuf *rb)
{
	struct stacks_view *v = ud;
	const struct stack_row *r = row_at(v, i);
	if (!r)
		return;
	row_set(rb, C_NAME, r->ours ? ROLE_NORMAL : ROLE_DIM, r->name);
	row_set(rb, C_STATUS, status_role(r->status), r->status);
	struct buf b = {0};
	time_age(&b, r->created, v->now);
	row_set(rb, C_AGE, ROLE_DIM, buf_str(&b));
	buf_reset(&b);
	if (!r->expires) {
		row_set(rb, C_EXPIRES, ROLE_DIM, "-");
	} else if (r->expires <= v->now) {
		row_set(rb, C_EXPIRES, ROLE_DANGER, "EXPIRED");
	} else {
		buf_adds(&b, "in ");
		time_age(&b, v->now - (r->expires - v->now), v->now);
		row_set(rb, C_EXPIRES, ROLE_NORMAL, buf_str(&b));
	}
	buf_free(&b);
	row_setf(rb, C_COMMIT, ROLE_DIM, "%.8s", r->commit ? r->commit : "");
	row_set(rb, C_OWNER, ROLE_NORMAL, r->owner ? r->owner : r->ours ? "?" : "(not relcon's)");
}

static long row_id(void *ud, size_t i)
{
	(void)ud;
	return (long)i;
}

static const struct table_ops ops = {.count = rows_count, .row = row_fill, .id = row_id};

static void changed_fetch(void *ud, const struct stack_list *l)
{
	struct stacks_view *v = ud;
	(void)l;
	rescope(v);
	tui_dirty(v->t);
}

static void start(struct stacks_view *v)
{
	stacks_fetch_free(&v->fetch);
	if (v->ctx->aws)
		v->fetch = stacks_fetch_start(v->ctx->aws, changed_fetch, v);
	rescope(v);
}

static void draw(struct screen *s, struct tui *t, int y, int h, int w)
{
	struct stacks_view *v = s->data;
	v->now = time_now();
	const struct stack_list *l = list_of(v);
	if (!l) {
		tui_text(t, y + 1, 1, w - 2, ROLE_WARNING, v->ctx->aws_error ? v->ctx->aws_error : "AWS is not set up");
		return;
	}
	if (l->state == FETCH_FAILED) {
		tui_text(t, y++, 1, w - 2, ROLE_STATUS_ERROR, l->error);
		h--;
	}
	table_set_empty(v->table, l->state == FETCH_LOADING ? "Loading…"
				  : v->scope == SCOPE_ALL   ? "No stacks in this region."
							    : "None in this scope (f: mine, relcon, all).");
	table_draw(v->table, t, y, h, w);
}

static enum handled action(struct screen *s, struct tui *t, enum action a)
{
	struct stacks_view *v = s->data;
	switch (a) {
	case ACTION_REFRESH:
		start(v);
		return HANDLED;
	case ACTION_SCOPE_NEXT:
		v->scope = (v->scope + 1) % SCOPE_COUNT;
		rescope(v);
		tui_message(t, 0, "stacks: %s", scope_names[v->scope]);
		return HANDLED;
	case ACTION_OPEN: {
		long i = table_selected(v->table);
		const struct stack_row *r = i >= 0 ? row_at(v, (size_t)i) : NULL;
		if (r)
			stack_open(t, r->name);
		return HANDLED;
	}
	default:
		return table_action(v->table, a);
	}
}

static void changed(struct screen *s, struct tui *t, unsigned topics)
{
	(void)t;
	if (topics & TOPIC_STATUS)
		rescope(s->data); /* the identity may have arrived */
}

static void title(struct screen *s, struct buf *out)
{
	struct stacks_view *v = s->data;
	buf_printf(out, "Stacks  %s  (%zu)", scope_names[v->scope], v->nshown);
}

static void view_free(struct screen *s)
{
	struct stacks_view *v = s->data;
	stacks_fetch_free(&v->fetch);
	table_free(&v->table);
	free(v->shown);
	free(v);
}

static const struct screen_ops stacks_ops = {
	.name = "stacks",
	.draw = draw,
	.action = action,
	.changed = changed,
	.title = title,
	.free = view_free,
};

void stacks_open(struct tui *t)
{
	struct stacks_view *v = xcalloc(1, sizeof *v);
	v->t = t;
	v->ctx = tui_context(t);
	v->scope = SCOPE_RELCON;
	v->now = time_now();
	v->table = table_new(cols, C_COUNT, &ops, v);
	tui_push(t, &stacks_ops, v);
	start(v);
}
