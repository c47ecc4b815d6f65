/* views/promote.c - the confirmation screens of the three block steps
 * (release/promote.h): b unblocks "Build AMIs and CloudFormation
 * templates", a promotes to alpha, R to a named release (after a form for
 * the name).  The screen shows the build, the step, the preflight checklist
 * (pass / FAIL / unknown), every public URL that will be created and the
 * accounts that will launch the AMIs, and what refuses it.  Enter asks: a
 * separate typed "override" first when checks did not pass, then the
 * confirmation (the release name typed for a release).  Then it follows the
 * jobs and shows each URL checked, and rings when it ends. */
#include <stdlib.h>
#include <string.h>

#include "release/context.h"
#include "release/promote.h"
#include "release/store.h"
#include "tui/dialog.h"
#include "views/views.h"

struct promote_view {
	struct tui *t;
	struct context *ctx;
	enum promote_kind kind;
	long number;
	char *release_name;
	struct promote *pr;
	int sent;
	enum promote_phase phase;
	char *progress;   /* the last progress line */
	char *failed_url; /* a failed job's web URL or a missing URL */
	int *url_ok;      /* per plan URL once checked: 1, 0, -1 */
	size_t nurl_ok;
};

static const struct promote_plan *plan(const struct promote_view *v)
{
	return v->pr ? promote_plan_of(v->pr) : NULL;
}

static const char *title_of(enum promote_kind k)
{
	return k == PROMOTE_BUILD_AMIS ? "Build the AMIs"
	       : k == PROMOTE_ALPHA    ? "Promote to alpha"
				       : "Promote to a release";
}

static enum role check_role(enum check_state s)
{
	return s == CHECK_PASS ? ROLE_STATE_PASSED : s == CHECK_FAIL ? ROLE_STATE_FAILED : ROLE_WARNING;
}

static int lines(struct tui *t, int y, int bottom, int w, enum role r, const char *text)
{
	for (const char *s = text; s && *s && y < bottom;) {
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
	struct promote_view *v = s->data;
	const struct promote_plan *p = plan(v);
	int bottom = y + h;
	struct buf b = {0};
	buf_printf(&b, "%s: build #%ld", title_of(v->kind), v->number);
	if (v->kind == PROMOTE_RELEASE)
		buf_printf(&b, " as release %s", v->release_name);
	tui_text(t, y++, 1, w - 2, ROLE_HEADER, buf_str(&b));
	y++;
	if (!p || p->state == FETCH_LOADING) {
		tui_text(t, y, 1, w - 2, ROLE_DIM, "Preparing: the build, its AMIs, templates and launch permissions…");
		buf_free(&b);
		return;
	}
	if (p->state == FETCH_FAILED) {
		lines(t, y, bottom, w, ROLE_STATUS_ERROR, p->error);
		buf_free(&b);
		return;
	}
	/* The plan, with each check coloured by its state. */
	buf_reset(&b);
	promote_describe(p, &b);
	size_t check = 0;
	for (const char *line = buf_str(&b); *line && y < bottom - 3;) {
		const char *nl = strchr(line, '\n');
		char *one = nl ? xstrndup(line, (size_t)(nl - line)) : xstrdup(line);
		enum role r = ROLE_NORMAL;
		if (!strncmp(one, "  ", 2) && check < p->nchecks && strstr(one, p->checks[check].name))
			r = check_role(p->checks[check++].state);
		else if (one[0] != ' ')
			r = ROLE_NORMAL;
		else
			r = ROLE_DIM;
		/* URLs verified: mark each. */
		for (size_t i = 0; v->url_ok && i < v->nurl_ok && i < p->nurls; i++)
			if (!strcmp(one + 2, p->urls[i]))
				r = v->url_ok[i] == 1   ? ROLE_STATE_PASSED
				    : v->url_ok[i] == 0 ? ROLE_STATE_FAILED
							: ROLE_WARNING;
		tui_text(t, y++, 1, w - 2, r, one);
		free(one);
		line = nl ? nl + 1 : line + strlen(line);
	}
	y++;
	if (p->refused && !v->sent)
		y = lines(t, y, bottom - 1, w, ROLE_STATUS_ERROR, p->refused);
	else if (p->failing && !v->sent)
		y = lines(t, y, bottom - 1, w, ROLE_WARNING,
			  "Preflight checks did not pass: Enter asks for an explicit override first (journaled).");
	if (v->progress) {
		enum role r = v->phase == PROMOTE_FAILED ? ROLE_STATUS_ERROR
			      : v->phase == PROMOTE_DONE ? ROLE_STATE_PASSED
							 : ROLE_STATE_RUNNING;
		y = lines(t, y, bottom, w, r, v->progress);
		if (v->failed_url)
			y = lines(t, y, bottom, w, ROLE_DIM, v->failed_url);
	} else if (y < bottom) {
		tui_text(t, y, 1, w - 2, ROLE_DIM,
			 p->refused ? "q goes back." : "Enter goes ahead (after a confirmation); q goes back.");
	}
	buf_free(&b);
}

/* ---- going ahead ---- */

static void progressed(void *ud, const struct promote_progress *pp)
{
	struct promote_view *v = ud;
	v->phase = pp->phase;
	free(v->progress);
	v->progress = xstrdup(pp->message);
	if (pp->failed_url) {
		free(v->failed_url);
		v->failed_url = xstrdup(pp->failed_url);
	}
	if (pp->nurls) {
		free(v->url_ok);
		v->url_ok = xcalloc(pp->nurls, sizeof *v->url_ok);
		memcpy(v->url_ok, pp->url_ok, pp->nurls * sizeof *v->url_ok);
		v->nurl_ok = pp->nurls;
	}
	/* The build screen below follows this build: let it read the build (and,
	 * as its jobs finish, the AMIs and templates) now. */
	if (pp->phase == PROMOTE_UNBLOCKED && store_followed(v->ctx->store) == v->number)
		store_follow_build(v->ctx->store, v->number);
	if (pp->phase == PROMOTE_DONE || pp->phase == PROMOTE_FAILED) {
		struct buf note = {0};
		buf_printf(&note, "%s #%ld: %s", promote_kind_name(v->kind), v->number, pp->message);
		tui_message(v->t, pp->phase == PROMOTE_FAILED, "%s", buf_str(&note));
		tui_bell(v->t, buf_str(&note));
		buf_free(&note);
	}
	tui_dirty(v->t);
}

static void go(struct promote_view *v, int override)
{
	struct buf why = {0};
	if (promote_send(v->pr, override, 1, progressed, v, &why) < 0)
		tui_message(v->t, 1, "%s refused: %s", promote_kind_name(v->kind), buf_str(&why));
	else
		v->sent = 1;
	buf_free(&why);
	tui_dirty(v->t);
}

static void confirmed(void *ud, int accepted)
{
	struct promote_view *v = ud;
	if (!accepted) {
		tui_message(v->t, 0, "%s cancelled", promote_kind_name(v->kind));
		return;
	}
	go(v, plan(v)->failing > 0);
}

static void ask(struct promote_view *v)
{
	const struct promote_plan *p = plan(v);
	struct buf l1 = {0}, l2 = {0}, l3 = {0};
	buf_printf(&l1, "Unblock \"%s\" of build #%ld (%s, %.12s).", p->step_label, p->number, p->branch, p->commit);
	if (v->kind == PROMOTE_BUILD_AMIS) {
		buf_adds(&l2,
			 "This builds AMIs in every destination region and uploads the templates: it spends money.");
	} else {
		buf_printf(&l2, "This creates %zu public template URL%s and copies the AMIs for %zu account%s.",
			   p->nurls, p->nurls == 1 ? "" : "s", p->naccounts, p->naccounts == 1 ? "" : "s");
		if (v->kind == PROMOTE_RELEASE)
			buf_printf(&l3, "Customers get the URLs under %s/.", p->release_name);
	}
	const char *body[] = {buf_str(&l1), buf_str(&l2), buf_str(&l3)};
	confirm_open(v->t, title_of(v->kind), body, l3.len ? 3 : 2,
		     v->kind == PROMOTE_BUILD_AMIS ? "Unblock"
		     : v->kind == PROMOTE_ALPHA    ? "Promote"
						   : "Release",
		     v->kind == PROMOTE_RELEASE ? p->release_name : NULL, v->kind == PROMOTE_RELEASE, confirmed, v);
	buf_free(&l1);
	buf_free(&l2);
	buf_free(&l3);
}

static void override_confirmed(void *ud, int accepted)
{
	struct promote_view *v = ud;
	if (!accepted) {
		tui_message(v->t, 0, "override cancelled: nothing was unblocked");
		return;
	}
	ask(v);
}

static void start(struct promote_view *v)
{
	const struct promote_plan *p = plan(v);
	if (!p || p->state != FETCH_DONE || v->sent)
		return;
	if (p->refused) {
		tui_message(v->t, 1, "%s refused: %s", promote_kind_name(v->kind), p->refused);
		return;
	}
	if (!p->failing) {
		ask(v);
		return;
	}
	if (!v->ctx->cfg.promote_allow_override) {
		tui_message(v->t, 1, "%s refused: checks did not pass and promote.allow_override is 0",
			    promote_kind_name(v->kind));
		return;
	}
	struct buf l1 = {0};
	buf_printf(&l1, "%d preflight check%s did not pass (see the list).", p->failing, p->failing == 1 ? "" : "s");
	const char *body[] = {buf_str(&l1), "Going ahead anyway is an override: it is journaled with the checks."};
	confirm_open(v->t, "Override the preflight checks?", body, 2, "Override", "override", 1, override_confirmed, v);
	buf_free(&l1);
}

/* ---- the screen ---- */

static void prepared(void *ud, const struct promote_plan *p)
{
	(void)p;
	tui_dirty(((struct promote_view *)ud)->t);
}

static void prepare(struct promote_view *v)
{
	promote_free(&v->pr);
	v->pr = promote_prepare(v->ctx, v->kind, v->number, v->release_name, prepared, v);
}

static enum handled action(struct screen *s, struct tui *t, enum action a)
{
	(void)t;
	struct promote_view *v = s->data;
	if (a == ACTION_OPEN) {
		start(v);
		return HANDLED;
	}
	if (a == ACTION_REFRESH) {
		if (!v->sent)
			prepare(v);
		return HANDLED;
	}
	return NOT_HANDLED;
}

/* y and o: the failed job's page when one failed; else the super-stack
 * template's public URL (launch.template), or the first URL planned. */
static int selection(struct screen *s, struct buf *text, struct buf *what)
{
	struct promote_view *v = s->data;
	const struct promote_plan *p = plan(v);
	const char *url = v->failed_url;
	size_t tl = strlen(v->ctx->cfg.launch_template);
	for (size_t i = 0; !url && p && p->state == FETCH_DONE && i < p->nurls; i++) {
		size_t ul = strlen(p->urls[i]);
		if (ul > tl && p->urls[i][ul - tl - 1] == '/' &&
		    !strcmp(p->urls[i] + ul - tl, v->ctx->cfg.launch_template))
			url = p->urls[i];
	}
	if (!url && p && p->state == FETCH_DONE && p->nurls)
		url = p->urls[0];
	if (!url)
		return 0;
	buf_adds(text, url);
	buf_adds(what, "URL");
	return 1;
}

static void title(struct screen *s, struct buf *out)
{
	struct promote_view *v = s->data;
	buf_printf(out, "%s #%ld", title_of(v->kind), v->number);
}

static void view_free(struct screen *s)
{
	struct promote_view *v = s->data;
	promote_free(&v->pr);
	free(v->release_name);
	free(v->progress);
	free(v->failed_url);
	free(v->url_ok);
	free(v);
}

static const struct screen_ops promote_ops = {
	.name = "promote",
	.draw = draw,
	.action = action,
	.title = title,
	.free = view_free,
	.selection = selection,
};

void promote_open(struct tui *t, int kind, long number, const char *release_name)
{
	struct promote_view *v = xcalloc(1, sizeof *v);
	v->t = t;
	v->ctx = tui_context(t);
	v->kind = (enum promote_kind)kind;
	v->number = number;
	v->release_name = release_name ? xstrdup(release_name) : NULL;
	tui_push(t, &promote_ops, v);
	prepare(v);
}

/* R: the release name first, checked as it is typed in. */
struct name_ask {
	struct tui *t;
	long number;
};

static char *name_valid(void *ud, size_t field, const char *value)
{
	(void)field;
	struct name_ask *na = ud;
	return promote_check_release_name(value, &tui_context(na->t)->cfg);
}

static void name_done(void *ud, const char *const *values, int accepted)
{
	struct name_ask *na = ud;
	if (accepted)
		promote_open(na->t, PROMOTE_RELEASE, na->number, values[0]);
	free(na);
}

void promote_release_open(struct tui *t, long number)
{
	struct name_ask *na = xcalloc(1, sizeof *na);
	na->t = t;
	na->number = number;
	const char *labels[] = {"Release name"}, *hints[] = {"e.g. 2026.11.3: the prefix customers' URLs get"};
	form_open(t, "Promote to a named release", 1, labels, NULL, hints, name_valid, name_done, na);
}

int promote_action(struct tui *t, int a, long number)
{
	switch (a) {
	case ACTION_UNBLOCK_BUILD:
		promote_open(t, PROMOTE_BUILD_AMIS, number, NULL);
		return 1;
	case ACTION_PROMOTE_ALPHA:
		promote_open(t, PROMOTE_ALPHA, number, NULL);
		return 1;
	case ACTION_PROMOTE_RELEASE:
		promote_release_open(t, number);
		return 1;
	default:
		return 0;
	}
}
