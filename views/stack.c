/* views/stack.c - one stack: status, who launched it for which commit and
 * until when, its outputs (nested stacks' too), its hosts, and one section
 * at a time below (Tab): events (newest first), resources, parameters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "release/context.h"
#include "release/ssh.h"
#include "release/stack_detail.h"
#include "release/stacks.h"
#include "release/teardown.h"
#include "release/watch.h"
#include "tui/dialog.h"
#include "tui/table.h"
#include "views/views.h"

enum pane { PANE_EVENTS, PANE_RESOURCES, PANE_PARAMS, PANE_COUNT };

struct stack_view {
	struct tui *t;
	struct context *ctx;
	char *name;
	struct stack_watch *watch; /* reads it again while CloudFormation works on it */
	struct stack_watch_view view;
	struct table *tables[PANE_COUNT];
	enum pane pane;
	time_t now;
	struct teardown *teardown;
};

static const struct stack_detail *detail(const struct stack_view *v)
{
	return v->watch ? v->view.d : NULL;
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

/* ---- events ---- */
enum ecol { E_TIME, E_STACK, E_LOGICAL, E_STATUS, E_REASON, E_COUNT };
static const struct table_col ecols[E_COUNT] = {
	[E_TIME] = {"TIME", 20, 0, 0},     [E_STACK] = {"STACK", 22, 0, 0},  [E_LOGICAL] = {"RESOURCE", 28, 0, 0},
	[E_STATUS] = {"STATUS", 22, 0, 0}, [E_REASON] = {"REASON", 0, 0, 0},
};

static size_t events_count(void *ud)
{
	const struct stack_detail *d = detail(ud);
	return d ? d->nevents : 0;
}

static void events_fill(void *ud, size_t i, struct rowbuf *rb)
{
	const struct cfn_event *e = &detail(ud)->events[i];
	struct buf b = {0};
	if (e->time)
		time_iso(&b, e->time);
	row_set(rb, E_TIME, ROLE_DIM, buf_str(&b));
	buf_free(&b);
	row_set(rb, E_STACK, ROLE_DIM, e->stack_name);
	row_set(rb, E_LOGICAL, ROLE_NORMAL, e->logical_id);
	row_set(rb, E_STATUS, status_role(e->status), e->status);
	row_set(rb, E_REASON, strstr(e->status ? e->status : "", "FAILED") ? ROLE_STATE_FAILED : ROLE_DIM,
		e->status_reason);
}

/* ---- resources ---- */
enum rcol { R_LOGICAL, R_TYPE, R_STATUS, R_PHYSICAL, R_COUNT };
static const struct table_col rcols[R_COUNT] = {
	[R_LOGICAL] = {"RESOURCE", 30, 0, 0},
	[R_TYPE] = {"TYPE", 34, 0, 0},
	[R_STATUS] = {"STATUS", 22, 0, 0},
	[R_PHYSICAL] = {"PHYSICAL ID", 0, 0, 0},
};

static size_t resources_count(void *ud)
{
	const struct stack_detail *d = detail(ud);
	return d ? d->nresources : 0;
}

static void resources_fill(void *ud, size_t i, struct rowbuf *rb)
{
	const struct cfn_resource *r = &detail(ud)->resources[i];
	row_set(rb, R_LOGICAL, ROLE_NORMAL, r->logical_id);
	row_set(rb, R_TYPE, ROLE_DIM, r->type);
	row_set(rb, R_STATUS, status_role(r->status), r->status);
	row_set(rb, R_PHYSICAL, ROLE_DIM, r->physical_id);
}

/* ---- parameters ---- */
enum pcol { P_KEY, P_VALUE, P_COUNT };
static const struct table_col pcols[P_COUNT] = {
	[P_KEY] = {"PARAMETER", 30, 0, 0},
	[P_VALUE] = {"VALUE", 0, 0, 0},
};

static size_t params_count(void *ud)
{
	const struct stack_detail *d = detail(ud);
	return d && d->have_root ? d->root.nparams : 0;
}

static void params_fill(void *ud, size_t i, struct rowbuf *rb)
{
	const struct cfn_parameter *p = &detail(ud)->root.params[i];
	row_set(rb, P_KEY, ROLE_NORMAL, p->key);
	row_set(rb, P_VALUE, ROLE_DIM, p->value);
}

static long row_id(void *ud, size_t i)
{
	(void)ud;
	return (long)i;
}

static const struct table_ops pane_ops[PANE_COUNT] = {
	[PANE_EVENTS] = {.count = events_count, .row = events_fill, .id = row_id},
	[PANE_RESOURCES] = {.count = resources_count, .row = resources_fill, .id = row_id},
	[PANE_PARAMS] = {.count = params_count, .row = params_fill, .id = row_id},
};

static const char *tag_of(const struct cfn_stack *s, const char *key)
{
	for (size_t i = 0; i < s->ntags; i++)
		if (s->tags[i].key && !strcmp(s->tags[i].key, key))
			return s->tags[i].value;
	return NULL;
}

static void field(struct tui *t, int y, int w, const char *label, enum role r, const char *value)
{
	tui_text(t, y, 1, 10, ROLE_DIM, label);
	tui_text(t, y, 11, w - 12, r, value ? value : "-");
}

/* While CloudFormation works: a progress bar of the resources done (nested
 * stacks' included) and when the next look is; the first failure of the
 * operation pinned under it (the rest are its consequences).  A failed
 * reading is said, with the older one left on screen. */
static int draw_watch(struct stack_view *v, struct tui *t, int y, int w)
{
	const struct stack_watch_view *wv = &v->view;
	struct buf b = {0};
	if (wv->busy) {
		int bar = 30, fill = wv->total ? (int)(wv->done * (size_t)bar / wv->total) : 0;
		tui_text(t, y, 1, 10, ROLE_DIM, "Progress");
		tui_fill(t, y, 11, fill, ROLE_STATE_PASSED);
		tui_fill(t, y, 11 + fill, bar - fill, ROLE_BUTTON);
		buf_printf(&b, "%zu of %zu resources done (nested stacks included)", wv->done, wv->total);
		if (wv->next_ms)
			buf_printf(&b, ", next look in %lds", (wv->next_ms + 999) / 1000);
		tui_text(t, y++, 13 + bar, w - 14 - bar, ROLE_NORMAL, buf_str(&b));
		buf_reset(&b);
	}
	if (wv->failure) {
		const struct cfn_event *f = wv->failure;
		buf_printf(&b, "%s %s: %s", f->logical_id ? f->logical_id : "?", f->status ? f->status : "",
			   f->status_reason ? f->status_reason : "");
		tui_text(t, y, 1, 10, ROLE_STATE_FAILED, "Failed");
		tui_text(t, y++, 11, w - 12, ROLE_STATE_FAILED, buf_str(&b));
		buf_reset(&b);
	}
	if (wv->stale) {
		buf_printf(&b, "stale: the last look failed: %s", wv->stale);
		tui_text(t, y++, 1, w - 2, ROLE_STATUS_STALE, buf_str(&b));
	}
	buf_free(&b);
	return y;
}

static void draw(struct screen *s, struct tui *t, int y, int h, int w)
{
	struct stack_view *v = s->data;
	v->now = time_now();
	const struct stack_detail *d = detail(v);
	int bottom = y + h;
	if (!d) {
		tui_text(t, y + 1, 1, w - 2, ROLE_WARNING, v->ctx->aws_error ? v->ctx->aws_error : "AWS is not set up");
		return;
	}
	if (!d->have_root) {
		tui_text(t, y + 1, 1, w - 2, d->error ? ROLE_STATUS_ERROR : ROLE_DIM, d->error ? d->error : "Loading…");
		return;
	}
	const struct cfn_stack *st = &d->root;
	struct buf line = {0};
	buf_printf(&line, "%s  ", st->name);
	int x = tui_text(t, y, 1, w - 2, ROLE_HEADER, buf_str(&line));
	x += tui_text(t, y, 1 + x, w - 2 - x, status_role(st->status), st->status);
	if (st->status_reason)
		tui_text(t, y, 3 + x, w - 4 - x, ROLE_DIM, st->status_reason);
	y++;
	y = draw_watch(v, t, y, w);
	buf_reset(&line);
	if (st->created) {
		time_iso(&line, st->created);
		buf_adds(&line, " (");
		time_ago(&line, st->created, v->now);
		buf_addc(&line, ')');
	}
	field(t, y++, w, "Created", ROLE_NORMAL, buf_str(&line));
	field(t, y++, w, "Owner", ROLE_NORMAL, tag_of(st, "owner"));
	field(t, y++, w, "Commit", ROLE_NORMAL, tag_of(st, "commit"));
	const char *exp = tag_of(st, "relcon:expires-at");
	time_t et = 0;
	enum role er = ROLE_NORMAL;
	if (exp && time_parse_iso(exp, &et) == 0 && et <= v->now)
		er = ROLE_DANGER;
	field(t, y++, w, "Expires", er, exp);
	if (st->termination_protection)
		field(t, y++, w, "Protected", ROLE_WARNING, "termination protection is on");
	y++;
	tui_text(t, y++, 1, w - 2, ROLE_HEADER, "Outputs");
	for (size_t i = 0; i < d->noutputs && y < bottom - 8; i++) {
		buf_reset(&line);
		buf_printf(&line, "%s%s%s", *d->outputs[i].stack ? d->outputs[i].stack : "",
			   *d->outputs[i].stack ? "." : "", d->outputs[i].key);
		tui_text(t, y, 3, 40, ROLE_NORMAL, buf_str(&line));
		tui_text(t, y++, 44, w - 45, ROLE_DIM, d->outputs[i].value);
	}
	tui_text(t, y++, 1, w - 2, ROLE_HEADER, "Hosts");
	for (size_t i = 0; i < d->nhosts && y < bottom - 6; i++) {
		const struct detail_host *hs = &d->hosts[i];
		buf_reset(&line);
		buf_printf(&line, "%-28s %-20s public %-15s private %-15s %s", hs->logical_id, hs->instance_id,
			   hs->public_ip ? hs->public_ip : "-", hs->private_ip ? hs->private_ip : "-",
			   hs->state ? hs->state : "");
		tui_text(t, y++, 3, w - 4, ROLE_NORMAL, buf_str(&line));
	}
	/* The exact route, as it will run (s runs it). */
	struct ssh_target target;
	struct buf err = {0}, route = {0};
	char **argv = NULL;
	if (stack_ssh_target(d, NULL, &target, &err) == 0 &&
	    ssh_argv(&target, &v->ctx->cfg, NULL, &argv, &route, &err) == 0) {
		tui_text(t, y, 3, 6, ROLE_KEY, "SSH");
		tui_text(t, y++, 10, w - 11, ROLE_NORMAL, buf_str(&route));
	} else if (d->state != FETCH_LOADING) {
		tui_text(t, y, 3, 6, ROLE_KEY, "SSH");
		tui_text(t, y++, 10, w - 11, ROLE_DIM, buf_str(&err));
	}
	ssh_argv_free(&argv);
	buf_free(&err);
	buf_free(&route);
	if (d->error)
		tui_text(t, y++, 1, w - 2, ROLE_WARNING, d->error);
	buf_free(&line);
	y++;
	static const char *const names[PANE_COUNT] = {"Events", "Resources", "Parameters"};
	x = 1;
	for (int p = 0; p < PANE_COUNT && y < bottom; p++) {
		struct buf n = {0};
		buf_printf(&n, " %s ", names[p]);
		x += tui_text(t, y, x, w - x, p == (int)v->pane ? ROLE_BUTTON_FOCUS : ROLE_BUTTON, buf_str(&n)) + 1;
		buf_free(&n);
	}
	y++;
	table_draw(v->tables[v->pane], t, y, bottom - y, w);
}

/* Root resources that could not be deleted (what a retry may retain). */
static size_t delete_failed(const struct stack_detail *d, const char **ids, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < d->nresources && n < max; i++)
		if (!*d->resource_stack[i] && d->resources[i].status &&
		    !strcmp(d->resources[i].status, "DELETE_FAILED"))
			ids[n++] = d->resources[i].logical_id;
	return n;
}

static void watched(void *ud, const struct stack_watch_view *wv)
{
	struct stack_view *v = ud;
	v->view = *wv;
	for (int p = 0; p < PANE_COUNT; p++)
		table_reload(v->tables[p]);
	if (wv->ended) {
		/* An operation we watched has settled: say how, and ring. */
		const struct cfn_stack *st = &wv->d->root;
		struct buf note = {0};
		buf_printf(&note, "%s %s", st->name, st->status);
		if (wv->failure)
			tui_message(v->t, 1, "%s: first failure %s: %s", buf_str(&note),
				    wv->failure->logical_id ? wv->failure->logical_id : "?",
				    wv->failure->status_reason ? wv->failure->status_reason : wv->failure->status);
		else
			tui_message(v->t, 0, "%s", buf_str(&note));
		tui_bell(v->t, buf_str(&note));
		buf_free(&note);
	}
	tui_dirty(v->t);
}

static void start(struct stack_view *v)
{
	if (v->watch) {
		stack_watch_poke(v->watch);
		return;
	}
	if (v->ctx->aws) {
		long min = 2000, max = v->ctx->cfg.refresh_active * 1000;
		v->watch = stack_watch_start(v->ctx->aws, v->name, min, max > min ? max : min, watched, v);
	}
	for (int p = 0; p < PANE_COUNT; p++)
		table_reload(v->tables[p]);
}

/* Suspend the console, run ssh on the terminal, come back and say how it went. */
static void run_ssh(struct stack_view *v, struct tui *t)
{
	const struct stack_detail *d = detail(v);
	struct ssh_target target;
	struct buf err = {0}, route = {0};
	char **argv = NULL;
	if (!d || !d->have_root) {
		tui_message(t, 1, "ssh: the stack is not loaded yet");
	} else if (stack_ssh_target(d, NULL, &target, &err) < 0 ||
		   ssh_argv(&target, &v->ctx->cfg, NULL, &argv, &route, &err) < 0 ||
		   ssh_preflight(&v->ctx->cfg, &err) < 0) {
		tui_message(t, 1, "ssh: %s", buf_str(&err));
	} else {
		int status = 0;
		buf_reset(&err);
		tui_suspend(t);
		fprintf(stderr, "relcon: %s\n", buf_str(&route));
		int rc = ssh_run(argv, &status, &err);
		tui_resume(t);
		if (rc < 0 || status) /* err reads "ssh could not connect ..." or names what failed */
			tui_message(t, 1, "%s%s", strncmp(buf_str(&err), "ssh ", 4) ? "ssh: " : "",
				    err.len ? buf_str(&err) : "failed");
		else
			tui_message(t, 0, "ssh: session ended");
	}
	ssh_argv_free(&argv);
	buf_free(&err);
	buf_free(&route);
}

static void teardown_changed(void *ud, const struct teardown_progress *p)
{
	struct stack_view *v = ud;
	if (p->state == TEARDOWN_ERROR) {
		tui_message(v->t, 1, "teardown: %s", p->error ? p->error : "failed");
		return;
	}
	tui_message(v->t, 0, "teardown: DeleteStack sent; watching %s", v->name);
	start(v); /* the watch follows the deletion from here */
}

static void teardown_confirmed(void *ud, int accepted)
{
	struct stack_view *v = ud;
	const struct stack_detail *d = detail(v);
	if (!accepted || !d || !d->have_root) {
		tui_message(v->t, 0, "teardown cancelled");
		return;
	}
	const char *retain[64];
	size_t nretain = !strcmp(d->root.status, "DELETE_FAILED") ? delete_failed(d, retain, 64) : 0;
	teardown_free(&v->teardown);
	struct buf err = {0};
	v->teardown =
		teardown_start(v->ctx, d->root.id, d->root.name, retain, nretain, 0, 0, teardown_changed, v, &err);
	if (!v->teardown)
		tui_message(v->t, 1, "teardown: %s", buf_str(&err));
	buf_free(&err);
}

static void ask_teardown(struct stack_view *v, struct tui *t)
{
	const struct stack_detail *d = detail(v);
	struct buf why = {0};
	if (!d || !d->have_root) {
		tui_message(t, 1, "teardown: the stack is not loaded yet");
	} else if (teardown_allowed(d, &v->ctx->cfg, v->ctx->read_only, &why) < 0) {
		tui_message(t, 1, "teardown: %s", buf_str(&why));
	} else {
		struct buf l1 = {0}, l2 = {0}, l3 = {0};
		const char *retain[64];
		size_t nretain = !strcmp(d->root.status, "DELETE_FAILED") ? delete_failed(d, retain, 64) : 0;
		buf_printf(&l1, "DeleteStack %s", d->root.id);
		buf_printf(&l2, "deletes every resource of %s and its nested stacks", d->root.name);
		if (nretain) {
			buf_adds(&l2, ", except what could not be deleted last time,");
			buf_adds(&l3, "which is kept (RetainResources): ");
			for (size_t i = 0; i < nretain; i++)
				buf_printf(&l3, "%s%s", i ? ", " : "", retain[i]);
		} else {
			buf_adds(&l2, ".");
			buf_adds(&l3, "This cannot be undone.");
		}
		const char *lines[] = {buf_str(&l1), buf_str(&l2), buf_str(&l3)};
		confirm_open(t, nretain ? "Delete the stack, keeping what failed?" : "Delete the stack?", lines, 3,
			     "Delete", d->root.name, 1, teardown_confirmed, v);
		buf_free(&l1);
		buf_free(&l2);
		buf_free(&l3);
	}
	buf_free(&why);
}

static enum handled action(struct screen *s, struct tui *t, enum action a)
{
	struct stack_view *v = s->data;
	if (a == ACTION_REFRESH) {
		start(v);
		return HANDLED;
	}
	if (a == ACTION_PANE_NEXT) {
		v->pane = (v->pane + 1) % PANE_COUNT;
		return HANDLED;
	}
	if (a == ACTION_SSH) {
		run_ssh(v, t);
		return HANDLED;
	}
	if (a == ACTION_TEARDOWN) {
		ask_teardown(v, t);
		return HANDLED;
	}
	return table_action(v->tables[v->pane], a);
}

/* y: the exact SSH route, as s runs it; the stack's name until the route
 * is known. */
static int selection(struct screen *s, struct buf *text, struct buf *what)
{
	struct stack_view *v = s->data;
	const struct stack_detail *d = detail(v);
	struct ssh_target target;
	struct buf err = {0};
	char **argv = NULL;
	if (d && d->have_root && stack_ssh_target(d, NULL, &target, &err) == 0 &&
	    ssh_argv(&target, &v->ctx->cfg, NULL, &argv, text, &err) == 0) {
		buf_adds(what, "SSH route");
	} else {
		buf_adds(text, v->name);
		buf_adds(what, "stack name");
	}
	ssh_argv_free(&argv);
	buf_free(&err);
	return 1;
}

static void title(struct screen *s, struct buf *out)
{
	struct stack_view *v = s->data;
	buf_printf(out, "Stack %s", v->name);
}

static void view_free(struct screen *s)
{
	struct stack_view *v = s->data;
	teardown_free(&v->teardown);
	stack_watch_free(&v->watch);
	for (int p = 0; p < PANE_COUNT; p++)
		table_free(&v->tables[p]);
	free(v->name);
	free(v);
}

static const struct screen_ops stack_ops = {
	.name = "stack",
	.draw = draw,
	.action = action,
	.title = title,
	.free = view_free,
	.selection = selection,
};

void stack_open(struct tui *t, const char *name)
{
	struct stack_view *v = xcalloc(1, sizeof *v);
	v->t = t;
	v->ctx = tui_context(t);
	v->name = xstrdup(name);
	v->now = time_now();
	v->tables[PANE_EVENTS] = table_new(ecols, E_COUNT, &pane_ops[PANE_EVENTS], v);
	v->tables[PANE_RESOURCES] = table_new(rcols, R_COUNT, &pane_ops[PANE_RESOURCES], v);
	v->tables[PANE_PARAMS] = table_new(pcols, P_COUNT, &pane_ops[PANE_PARAMS], v);
	tui_push(t, &stack_ops, v);
	start(v);
}
