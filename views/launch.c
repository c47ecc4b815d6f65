/* views/launch.c - launching a super-stack from a build (L on the build
 * screen).  The plan is prepared (release/launch.h: the template's
 * parameters, key pairs, who we are, the operator's IP); a form edits the
 * stack name, how long it may live and every parameter; a confirmation
 * shows everything CreateStack will be sent; then the stack screen watches
 * it come up.  This screen shows the plan behind the form: e edits it
 * again, Enter launches, q leaves without launching. */
#include <stdlib.h>
#include <string.h>

#include "release/context.h"
#include "release/launch.h"
#include "tui/dialog.h"
#include "views/views.h"

struct launch_view {
	struct tui *t;
	struct context *ctx;
	struct screen *screen;
	long number;
	char *commit;
	struct launch *launch;
	char *problems;     /* what stops the launch, one per line (NULL: nothing) */
	char *pattern_name; /* the stack name the pattern gave when the form opened */
	int asked;          /* the form was opened once */
	int creating;       /* CreateStack sent, no answer yet */
};

static const struct launch_plan *plan(const struct launch_view *v)
{
	return v->launch ? launch_plan(v->launch) : NULL;
}

/* Lines of text, each cut to the width. */
static int draw_lines(struct tui *t, int y, int bottom, int w, enum role r, const char *text)
{
	const char *s = text;
	while (s && *s && y < bottom) {
		const char *nl = strchr(s, '\n');
		char *line = nl ? xstrndup(s, (size_t)(nl - s)) : xstrdup(s);
		tui_text(t, y++, 1, w - 2, r, line);
		free(line);
		s = nl ? nl + 1 : NULL;
	}
	return y;
}

static void draw(struct screen *s, struct tui *t, int y, int h, int w)
{
	struct launch_view *v = s->data;
	const struct launch_plan *p = plan(v);
	int bottom = y + h;
	struct buf b = {0};
	buf_printf(&b, "Launch a super-stack of build #%ld, commit %.12s", v->number, v->commit);
	tui_text(t, y++, 1, w - 2, ROLE_HEADER, buf_str(&b));
	y++;
	if (!p) {
		tui_text(t, y, 1, w - 2, ROLE_WARNING, v->ctx->aws_error ? v->ctx->aws_error : "AWS is not set up");
	} else if (p->state == FETCH_LOADING) {
		tui_text(t, y, 1, w - 2, ROLE_DIM,
			 "Preparing: the template's parameters, the key pairs, your AWS identity, your public IP…");
	} else if (p->state == FETCH_FAILED) {
		y = draw_lines(t, y, bottom, w, ROLE_STATUS_ERROR, p->error);
		tui_text(t, y + 1, 1, w - 2, ROLE_DIM, "r prepares it again; q goes back.");
	} else {
		buf_reset(&b);
		launch_describe(p, &b);
		y = draw_lines(t, y, bottom - 4, w, ROLE_NORMAL, buf_str(&b));
		y++;
		if (v->problems)
			y = draw_lines(t, y, bottom - 1, w, ROLE_STATUS_ERROR, v->problems);
		tui_text(t, y + 1 < bottom ? y + 1 : bottom - 1, 1, w - 2, ROLE_DIM,
			 v->creating ? "CreateStack sent; waiting for the answer…"
				     : "e changes the values; Enter launches (after a confirmation); q goes back.");
	}
	buf_free(&b);
}

/* ---- the form: stack name, TTL, then each parameter in template order ---- */

enum { F_NAME, F_TTL, F_PARAMS };

static char *validate(void *ud, size_t field, const char *value)
{
	struct launch_view *v = ud;
	const struct launch_plan *p = plan(v);
	if (field == F_NAME) /* untouched, it follows the key pair: checked once that is known */
		return v->pattern_name && !strcmp(value, v->pattern_name) ? NULL : launch_check_stack_name(value);
	if (field == F_TTL) {
		if (launch_parse_ttl(value) >= 0)
			return NULL;
		return xstrdup("a duration between 10m and 30d: 8h, 90m, 2d");
	}
	return launch_check_param(p, p->params[field - F_PARAMS].key, value);
}

static void check(struct launch_view *v)
{
	struct buf why = {0};
	free(v->problems);
	v->problems = launch_check(plan(v), v->ctx->read_only, &why) < 0 ? buf_steal(&why) : NULL;
	buf_free(&why);
}

static void ask_launch(struct launch_view *v);

static void form_done(void *ud, const char *const *values, int accepted)
{
	struct launch_view *v = ud;
	if (!accepted) {
		tui_message(v->t, 0, "launch: nothing changed (e edits, q goes back)");
		return;
	}
	const struct launch_plan *p = plan(v);
	struct buf err = {0};
	/* The name follows the key pair as long as the operator leaves it. */
	int own = strcmp(values[F_NAME], v->pattern_name) != 0 || p->stack_name_set;
	launch_set_stack_name(v->launch, own ? values[F_NAME] : NULL, &err);
	launch_set_ttl(v->launch, values[F_TTL], &err);
	for (size_t i = 0; i < p->nparams; i++) {
		const char *now = p->params[i].value ? p->params[i].value : "";
		if (strcmp(values[F_PARAMS + i], now)) {
			char *key = xstrdup(p->params[i].key);
			launch_set_param(v->launch, key, values[F_PARAMS + i], &err);
			free(key);
		}
	}
	buf_free(&err);
	check(v);
	if (!v->problems)
		ask_launch(v);
	tui_dirty(v->t);
}

static void open_form(struct launch_view *v)
{
	const struct launch_plan *p = plan(v);
	if (!p || p->state != FETCH_DONE)
		return;
	size_t n = F_PARAMS + p->nparams;
	if (n > FORM_MAX_FIELDS) {
		tui_message(v->t, 1, "launch: the template has %zu parameters; the form shows the first %d", p->nparams,
			    FORM_MAX_FIELDS - F_PARAMS);
		n = FORM_MAX_FIELDS;
	}
	const char *labels[FORM_MAX_FIELDS], *initial[FORM_MAX_FIELDS], *hints[FORM_MAX_FIELDS];
	struct buf hint[FORM_MAX_FIELDS] = {{0}};
	struct buf ttl = {0};
	if (p->ttl_seconds % 3600)
		buf_printf(&ttl, "%ldm", p->ttl_seconds / 60);
	else if (p->ttl_seconds % 86400)
		buf_printf(&ttl, "%ldh", p->ttl_seconds / 3600);
	else
		buf_printf(&ttl, "%ldd", p->ttl_seconds / 86400);
	free(v->pattern_name);
	v->pattern_name = xstrdup(p->stack_name);
	labels[F_NAME] = "Stack name";
	initial[F_NAME] = p->stack_name;
	hints[F_NAME] = "letters, digits, hyphens; follows the key pair unless changed";
	labels[F_TTL] = "Lives for";
	initial[F_TTL] = buf_str(&ttl);
	hints[F_TTL] = "then relcon:expires-at and cloud-nuke-after say it may go";
	for (size_t i = F_PARAMS; i < n; i++) {
		const struct launch_param *q = &p->params[i - F_PARAMS];
		labels[i] = q->key;
		initial[i] = q->value;
		struct buf *hb = &hint[i];
		buf_printf(hb, "%s", launch_source_name(q->source));
		if (p->key_param && !strcmp(q->key, p->key_param)) {
			buf_adds(hb, "; key pairs:");
			for (size_t k = 0; k < p->nkey_pairs; k++)
				buf_printf(hb, " %s", p->key_pairs[k]);
		} else if (q->nallowed) {
			buf_adds(hb, "; one of:");
			for (size_t k = 0; k < q->nallowed; k++)
				buf_printf(hb, " %s", q->allowed[k]);
		} else if (!strcmp(q->key, "AccessCIDR") && p->operator_ip_error) {
			buf_printf(hb, "; your public IP is unknown: %s", p->operator_ip_error);
		} else if (q->description) {
			buf_printf(hb, "; %s", q->description);
		}
		hints[i] = buf_str(hb);
	}
	form_open(v->t, "Launch a super-stack", n, labels, initial, hints, validate, form_done, v);
	for (size_t i = 0; i < n; i++)
		buf_free(&hint[i]);
	buf_free(&ttl);
}

/* ---- the confirmation and CreateStack ---- */

static void created(void *ud, const char *stack_id, const char *error)
{
	struct launch_view *v = ud;
	v->creating = 0;
	if (!stack_id) {
		tui_message(v->t, 1, "launch: %s", error ? error : "CreateStack failed");
		tui_dirty(v->t);
		return;
	}
	char *name = xstrdup(plan(v)->stack_name);
	struct tui *t = v->t;
	tui_message(t, 0, "launch: CreateStack accepted: %s", stack_id);
	tui_close(t, v->screen); /* frees v */
	stack_open(t, name);
	free(name);
}

static void confirmed(void *ud, int accepted)
{
	struct launch_view *v = ud;
	if (!accepted) {
		tui_message(v->t, 0, "launch cancelled");
		return;
	}
	check(v); /* again: read-only or the plan may have changed */
	if (v->problems) {
		tui_dirty(v->t);
		return;
	}
	struct buf err = {0};
	if (launch_create(v->launch, v->ctx, created, v, &err) < 0)
		tui_message(v->t, 1, "launch: %s", buf_str(&err));
	else
		v->creating = 1;
	buf_free(&err);
	tui_dirty(v->t);
}

static void ask_launch(struct launch_view *v)
{
	check(v);
	if (v->problems) {
		tui_message(v->t, 1, "launch: fix what is listed first (e edits)");
		return;
	}
	struct buf text = {0};
	launch_describe(plan(v), &text);
	const char *lines[64];
	size_t n = 0;
	char *copy = xstrdup(buf_str(&text));
	for (char *save = NULL, *l = strtok_r(copy, "\n", &save); l && n < 63; l = strtok_r(NULL, "\n", &save))
		lines[n++] = l;
	lines[n++] = "CreateStack starts paid resources; a retry with the same token makes no second stack.";
	struct buf title = {0};
	buf_printf(&title, "Launch %s?", plan(v)->stack_name);
	confirm_open(v->t, buf_str(&title), lines, n, "Launch", NULL, 0, confirmed, v);
	buf_free(&title);
	free(copy);
	buf_free(&text);
}

/* ---- the screen ---- */

static void prepared(void *ud, const struct launch_plan *p)
{
	struct launch_view *v = ud;
	if (p->state == FETCH_DONE && !v->asked) {
		v->asked = 1;
		open_form(v);
	}
	tui_dirty(v->t);
}

static void prepare(struct launch_view *v)
{
	launch_free(&v->launch);
	free(v->problems);
	v->problems = NULL;
	v->asked = 0;
	if (!v->ctx->aws)
		return;
	struct launch_request req = {.commit = v->commit};
	v->launch = launch_prepare(v->ctx->aws, v->ctx->http, &v->ctx->cfg, &req, prepared, v);
}

static enum handled action(struct screen *s, struct tui *t, enum action a)
{
	(void)t;
	struct launch_view *v = s->data;
	const struct launch_plan *p = plan(v);
	int ready = p && p->state == FETCH_DONE && !v->creating;
	switch (a) {
	case ACTION_REFRESH:
		if (!v->creating)
			prepare(v);
		return HANDLED;
	case ACTION_EDIT:
		if (ready)
			open_form(v);
		return HANDLED;
	case ACTION_OPEN:
	case ACTION_LAUNCH:
		if (ready)
			ask_launch(v);
		return HANDLED;
	default:
		return NOT_HANDLED;
	}
}

static void title(struct screen *s, struct buf *out)
{
	struct launch_view *v = s->data;
	buf_printf(out, "Launch #%ld", v->number);
}

static void view_free(struct screen *s)
{
	struct launch_view *v = s->data;
	launch_free(&v->launch);
	free(v->problems);
	free(v->pattern_name);
	free(v->commit);
	free(v);
}

static const struct screen_ops launch_ops = {
	.name = "launch",
	.draw = draw,
	.action = action,
	.title = title,
	.free = view_free,
};

void launch_open(struct tui *t, long number, const char *commit)
{
	struct launch_view *v = xcalloc(1, sizeof *v);
	v->t = t;
	v->ctx = tui_context(t);
	v->number = number;
	v->commit = xstrdup(commit);
	v->screen = tui_push(t, &launch_ops, v);
	prepare(v);
}
