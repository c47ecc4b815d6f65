/* views/stacks.c - the region's CloudFormation stacks: relcon's first,
 * status coloured, age, expiry (expired ones highlighted), owner, commit.
 * `f` cycles the scope: mine (owner = the AWS identity), relcon's, all.
 * Space tags rows, E tags every expired stack of relcon's; D tears down the
 * tagged ones (else the selected one) after one typed confirmation that
 * lists each, and what the guards refuse.  While a stack is changing the
 * list is read again every refresh.active_seconds. */
#include <stdlib.h>
#include <string.h>

#include "core/loop.h"
#include "core/timeutil.h"
#include "release/context.h"
#include "release/stacks.h"
#include "release/store.h"
#include "release/teardown.h"
#include "tui/dialog.h"
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
	/* The last complete reading, shown while the next one loads and, marked
	 * stale with its error, when that one fails. */
	struct stacks_fetch *good;
	time_t good_at;
	struct table *table;
	enum scope scope;
	size_t *shown; /* indexes of rows in scope */
	size_t nshown;
	time_t now;
	char **tagged; /* names of the tagged stacks */
	size_t ntagged;
	unsigned long timer; /* the next reading while something changes */
	/* A batch teardown: the stacks confirmed (ARN and name), the calls. */
	char **batch_ids, **batch_names;
	size_t nbatch;
	struct teardown **teardowns;
	size_t pending, failed;
	struct buf errors;
};

static long tag_index(const struct stacks_view *v, const char *name)
{
	for (size_t i = 0; i < v->ntagged; i++)
		if (!strcmp(v->tagged[i], name))
			return (long)i;
	return -1;
}

static void set_tag(struct stacks_view *v, const char *name, int on)
{
	long i = tag_index(v, name);
	if (on && i < 0) {
		v->tagged = xrealloc(v->tagged, (v->ntagged + 1) * sizeof *v->tagged);
		v->tagged[v->ntagged++] = xstrdup(name);
	} else if (!on && i >= 0) {
		free(v->tagged[i]);
		v->tagged[i] = v->tagged[--v->ntagged];
	}
}

static const struct stack_list *list_of(const struct stacks_view *v)
{
	const struct stack_list *l = v->fetch ? stacks_fetch_result(v->fetch) : NULL;
	if (l && l->state != FETCH_DONE && v->good)
		return stacks_fetch_result(v->good);
	return l;
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
	if (tag_index(v, r->name) >= 0)
		row_setf(rb, C_NAME, ROLE_KEY, "* %s", r->name);
	else
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

static void start(struct stacks_view *v);

static void on_timer(void *ud)
{
	struct stacks_view *v = ud;
	v->timer = 0;
	start(v);
}

static void changed_fetch(void *ud, const struct stack_list *l)
{
	struct stacks_view *v = ud;
	if (l && l->state == FETCH_DONE) {
		stacks_fetch_free(&v->good);
		v->good_at = time_now();
	}
	l = list_of(v);
	rescope(v);
	/* Something is being created or deleted: look again soon. */
	int busy = 0;
	for (size_t i = 0; l && i < l->n; i++)
		busy |= stack_status_class(l->v[i].status) == STACK_BUSY;
	if (busy && !v->timer && l->state != FETCH_LOADING)
		v->timer = loop_timer(v->ctx->loop, v->ctx->cfg.refresh_active * 1000, on_timer, v);
	tui_dirty(v->t);
}

static void start(struct stacks_view *v)
{
	if (v->timer) {
		loop_timer_cancel(v->ctx->loop, v->timer);
		v->timer = 0;
	}
	const struct stack_list *l = v->fetch ? stacks_fetch_result(v->fetch) : NULL;
	if (l && l->state == FETCH_DONE) {
		stacks_fetch_free(&v->good);
		v->good = v->fetch;
		v->fetch = NULL;
	}
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
	const struct stack_list *now = stacks_fetch_result(v->fetch);
	if (now->state == FETCH_FAILED) {
		struct buf e = {0};
		if (l != now) {
			buf_printf(&e, "⚠ stale: %s — showing the list read ", now->error);
			time_ago(&e, v->good_at, v->now);
		} else {
			buf_adds(&e, now->error);
		}
		tui_text(t, y++, 1, w - 2, ROLE_STATUS_ERROR, buf_str(&e));
		buf_free(&e);
		h--;
	}
	/* An empty list says "none" only when it was read. */
	table_set_empty(v->table, l->state == FETCH_LOADING ? "Loading…"
				  : l->state == FETCH_FAILED
					  ? "Could not read the stacks (the error is above); r retries."
				  : v->scope == SCOPE_ALL ? "No stacks in this region."
							  : "None in this scope (f: mine, relcon, all).");
	table_draw(v->table, t, y, h, w);
}

/* ---- batch teardown ---- */

static void batch_free(struct stacks_view *v)
{
	for (size_t i = 0; i < v->nbatch; i++) {
		teardown_free(&v->teardowns[i]);
		free(v->batch_ids[i]);
		free(v->batch_names[i]);
	}
	free(v->teardowns);
	free(v->batch_ids);
	free(v->batch_names);
	v->teardowns = NULL;
	v->batch_ids = v->batch_names = NULL;
	v->nbatch = v->pending = v->failed = 0;
	buf_reset(&v->errors);
}

static void one_sent(void *ud, const struct teardown_progress *p)
{
	struct stacks_view *v = ud;
	if (p->state == TEARDOWN_ERROR) {
		v->failed++;
		buf_printf(&v->errors, "%s%s", v->errors.len ? "; " : "", p->error ? p->error : "failed");
	}
	if (--v->pending)
		return;
	if (v->failed)
		tui_message(v->t, 1, "teardown: DeleteStack sent for %zu of %zu stacks; %s", v->nbatch - v->failed,
			    v->nbatch, buf_str(&v->errors));
	else
		tui_message(v->t, 0, "teardown: DeleteStack sent for %zu stack%s; the list follows them", v->nbatch,
			    v->nbatch == 1 ? "" : "s");
	start(v);
}

static void batch_confirmed(void *ud, int accepted)
{
	struct stacks_view *v = ud;
	if (!accepted) {
		tui_message(v->t, 0, "teardown cancelled");
		batch_free(v);
		return;
	}
	v->teardowns = xcalloc(v->nbatch, sizeof *v->teardowns);
	v->pending = v->nbatch;
	for (size_t i = 0; i < v->nbatch; i++) {
		struct buf err = {0};
		v->teardowns[i] =
			teardown_start(v->ctx, v->batch_ids[i], v->batch_names[i], NULL, 0, 0, 0, one_sent, v, &err);
		if (!v->teardowns[i]) { /* not journaled, not sent */
			struct teardown_progress p = {.state = TEARDOWN_ERROR, .error = buf_str(&err)};
			one_sent(v, &p);
		}
		buf_free(&err);
	}
	for (size_t i = 0; i < v->nbatch; i++)
		set_tag(v, v->batch_names[i], 0);
}

/* D: the tagged stacks, else the selected one; each through the guards. */
static void ask_teardown(struct stacks_view *v, struct tui *t)
{
	const struct stack_list *l = list_of(v);
	if (v->pending) {
		tui_message(t, 1, "teardown: the last batch is still being sent");
		return;
	}
	batch_free(v);
	const struct stack_row *pick[256];
	size_t n = 0;
	for (size_t i = 0; l && i < l->n && n < 256; i++)
		if (tag_index(v, l->v[i].name) >= 0)
			pick[n++] = &l->v[i];
	if (!n) {
		long sel = table_selected(v->table);
		const struct stack_row *r = sel >= 0 ? row_at(v, (size_t)sel) : NULL;
		if (!r) {
			tui_message(t, 1, "teardown: no stack selected (Space tags, E tags the expired ones)");
			return;
		}
		pick[n++] = r;
	}
	const char *lines[300];
	size_t nl = 0;
	struct buf text = {0};
	size_t *starts = xcalloc(n + 2, sizeof *starts);
	for (size_t i = 0; i < n; i++) {
		struct buf why = {0};
		starts[i] = text.len;
		if (teardown_allowed_stack(pick[i]->name, pick[i]->ours, pick[i]->termination_protection, &v->ctx->cfg,
					   v->ctx->read_only, &why) < 0) {
			buf_printf(&text, "  skipped  %s", buf_str(&why));
		} else {
			buf_printf(&text, "  delete   %s  %s", pick[i]->name, pick[i]->id);
			v->batch_ids = xrealloc(v->batch_ids, (v->nbatch + 1) * sizeof *v->batch_ids);
			v->batch_names = xrealloc(v->batch_names, (v->nbatch + 1) * sizeof *v->batch_names);
			v->batch_ids[v->nbatch] = xstrdup(pick[i]->id);
			v->batch_names[v->nbatch++] = xstrdup(pick[i]->name);
		}
		buf_addc(&text, '\0');
		buf_free(&why);
	}
	if (!v->nbatch) {
		tui_message(t, 1, "teardown: %s", text.s + starts[0] + 11);
		free(starts);
		buf_free(&text);
		return;
	}
	struct buf head = {0}, typed = {0};
	buf_printf(&head, "DeleteStack for %zu stack%s, each by its ARN, with every nested stack:", v->nbatch,
		   v->nbatch == 1 ? "" : "s");
	lines[nl++] = buf_str(&head);
	for (size_t i = 0; i < n; i++)
		lines[nl++] = text.s + starts[i];
	lines[nl++] = "This cannot be undone.";
	if (v->nbatch == 1)
		buf_adds(&typed, v->batch_names[0]);
	else
		buf_printf(&typed, "%zu stacks", v->nbatch);
	confirm_open(t, v->nbatch == 1 ? "Delete the stack?" : "Delete these stacks?", lines, nl, "Delete",
		     buf_str(&typed), 1, batch_confirmed, v);
	buf_free(&head);
	buf_free(&typed);
	buf_free(&text);
	free(starts);
}

static enum handled action(struct screen *s, struct tui *t, enum action a)
{
	struct stacks_view *v = s->data;
	switch (a) {
	case ACTION_TAG: {
		long i = table_selected(v->table);
		const struct stack_row *r = i >= 0 ? row_at(v, (size_t)i) : NULL;
		if (r) {
			set_tag(v, r->name, tag_index(v, r->name) < 0);
			table_reload(v->table);
			table_action(v->table, ACTION_MOVE_DOWN);
		}
		return HANDLED;
	}
	case ACTION_TAG_EXPIRED: {
		size_t n = 0;
		for (size_t i = 0; i < v->nshown; i++) {
			const struct stack_row *r = row_at(v, i);
			if (r->ours && r->expires && r->expires <= v->now &&
			    stack_status_class(r->status) != STACK_GONE && strcmp(r->status, "DELETE_IN_PROGRESS")) {
				set_tag(v, r->name, 1);
				n++;
			}
		}
		table_reload(v->table);
		tui_message(t, 0, "stacks: %zu expired stack%s tagged (%zu in all; D tears them down)", n,
			    n == 1 ? "" : "s", v->ntagged);
		return HANDLED;
	}
	case ACTION_TEARDOWN:
		ask_teardown(v, t);
		return HANDLED;
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

/* y: the selected stack's name. */
static int selection(struct screen *s, struct buf *text, struct buf *what)
{
	struct stacks_view *v = s->data;
	long i = table_selected(v->table);
	const struct stack_row *r = i >= 0 ? row_at(v, (size_t)i) : NULL;
	if (!r || !r->name)
		return 0;
	buf_adds(text, r->name);
	buf_adds(what, "stack name");
	return 1;
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
	if (v->ntagged)
		buf_printf(out, "  %zu tagged", v->ntagged);
}

static void view_free(struct screen *s)
{
	struct stacks_view *v = s->data;
	if (v->timer)
		loop_timer_cancel(v->ctx->loop, v->timer);
	batch_free(v);
	buf_free(&v->errors);
	for (size_t i = 0; i < v->ntagged; i++)
		free(v->tagged[i]);
	free(v->tagged);
	stacks_fetch_free(&v->fetch);
	stacks_fetch_free(&v->good);
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
	.selection = selection,
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
