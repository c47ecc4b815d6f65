#include "release/pipeline.h"
#include "tui/table.h"
#include "views/views.h"

/* The screens that open from anywhere (k9s-style): X, P, i, A, @. */
static enum handled global(struct tui *t, enum action a)
{
	switch (a) {
	case ACTION_STACKS:
		stacks_open(t);
		return HANDLED;
	case ACTION_RELEASES:
		releases_open(t);
		return HANDLED;
	case ACTION_IMAGES:
		images_open(t);
		return HANDLED;
	case ACTION_AUDIT:
		audit_view_open(t);
		return HANDLED;
	case ACTION_COMMAND_LOG:
		cmdlog_view_open(t);
		return HANDLED;
	default:
		return NOT_HANDLED;
	}
}

const struct tui_app views_app = {
	.open_home = builds_open,
	.open_help = help_open,
	.global = global,
};

void detail_pane_draw(struct detail_pane *d, struct tui *t, struct table *table, int y, int h, int w,
		      const char *heading, detail_draw_fn fn, void *ud)
{
	int total = fn(ud, t, y, 0, w, 0);
	if (d->expanded && total) {
		fn(ud, t, y, h, w, d->scroll);
		d->page = h;
		if (d->scroll > 0 && d->scroll >= total) {
			d->scroll = total > h ? total - h : 0;
			tui_dirty(t);
		}
		return;
	}
	d->expanded = 0;
	int rows = 0;
	if (total) {
		int need_d = total + 1; /* the heading above */
		int need_t = (int)table_shown(table) + 2;
		int room = h - need_t > h / 2 ? h - need_t : h / 2;
		rows = need_d < room ? need_d : room;
		if (rows < 3)
			rows = 0;
	}
	table_draw(table, t, y, h - rows, w);
	if (rows) {
		tui_fill(t, y + h - rows, 0, w, ROLE_HEADER);
		tui_text(t, y + h - rows, 1, w - 2, ROLE_HEADER, heading);
		fn(ud, t, y + h - rows + 1, rows - 1, w, 0);
	}
}

enum handled detail_pane_action(struct detail_pane *d, enum action a, int selected)
{
	int page = d->page > 1 ? d->page - 1 : 1;
	if (!d->expanded) {
		if (a != ACTION_OPEN)
			return NOT_HANDLED;
		d->expanded = selected;
		d->scroll = 0;
		return HANDLED;
	}
	switch (a) {
	case ACTION_MOVE_UP:
		d->scroll -= d->scroll > 0;
		return HANDLED;
	case ACTION_MOVE_DOWN:
		d->scroll++;
		return HANDLED;
	case ACTION_PAGE_UP:
		d->scroll = d->scroll > page ? d->scroll - page : 0;
		return HANDLED;
	case ACTION_PAGE_DOWN:
		d->scroll += page;
		return HANDLED;
	case ACTION_MOVE_TOP:
		d->scroll = 0;
		return HANDLED;
	case ACTION_OPEN:
	case ACTION_BACK:
	case ACTION_QUIT:
		d->expanded = 0;
		return HANDLED;
	default:
		return NOT_HANDLED;
	}
}

enum role view_state_role(const char *state)
{
	switch (pipeline_state_class(state)) {
	case STATE_CLASS_PASSED:
		return ROLE_STATE_PASSED;
	case STATE_CLASS_FAILED:
		return ROLE_STATE_FAILED;
	case STATE_CLASS_RUNNING:
		return ROLE_STATE_RUNNING;
	case STATE_CLASS_BLOCKED:
		return ROLE_STATE_BLOCKED;
	case STATE_CLASS_UNBLOCKED:
		return ROLE_STATE_UNBLOCKED;
	case STATE_CLASS_CANCELED:
		return ROLE_STATE_CANCELED;
	case STATE_CLASS_PENDING:
		return ROLE_STATE_PENDING;
	default:
		return ROLE_NORMAL;
	}
}
