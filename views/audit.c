/* views/audit.c - the audit journal: every mutating action, newest first,
 * with its outcome ("no outcome" when the process ended before the call
 * returned), and the selected one's details below (inputs, plan, error).
 * Enter shows the details on the whole screen (j/k scroll, Enter or Esc
 * come back); r reads the file again; / filters. */
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "tui/palette.h"
#include "tui/table.h"
#include "views/views.h"

enum col { C_TIME, C_USER, C_ACTION, C_TARGET, C_RESULT, C_REFERENCE, C_COUNT };

static const struct table_col cols[C_COUNT] = {
	[C_TIME] = {"TIME", 20, 0, 0},     [C_USER] = {"USER", 12, 0, 0},     [C_ACTION] = {"ACTION", 15, 0, 0},
	[C_TARGET] = {"TARGET", 32, 0, 0}, [C_RESULT] = {"RESULT", 10, 0, 0}, [C_REFERENCE] = {"REFERENCE", 0, 0, 0},
};

struct audit_view {
	struct tui *t;
	struct audit_log *log;
	char *error; /* reading failed: why */
	struct table *table;
	char *saved_filter;
	int expanded; /* the details take the whole body */
	int scroll;   /* first detail line shown when expanded */
	int page;     /* detail lines shown at the last draw */
};

/* Row i of the display (newest first). */
static const struct audit_record *record_at(const struct audit_view *v, size_t i)
{
	const struct audit_log *l = v->log;
	return l && i < l->n ? &l->v[l->n - 1 - i] : NULL;
}

static size_t rows_count(void *ud)
{
	const struct audit_view *v = ud;
	return v->log ? v->log->n : 0;
}

static enum role result_role(const struct audit_record *r)
{
	if (!r->result)
		return ROLE_WARNING;
	if (!strcmp(r->result, "ok"))
		return ROLE_STATE_PASSED;
	if (!strcmp(r->result, "failed"))
		return ROLE_STATE_FAILED;
	if (!strcmp(r->result, "refused"))
		return ROLE_STATE_CANCELED;
	return ROLE_WARNING; /* unknown */
}

static void row_fill(void *ud, size_t i, struct rowbuf *rb)
{
	const struct audit_record *r = record_at(ud, i);
	if (!r)
		return;
	row_set(rb, C_TIME, ROLE_DIM, r->time ? r->time : "-");
	row_set(rb, C_USER, ROLE_NORMAL, r->user ? r->user : "-");
	row_set(rb, C_ACTION, ROLE_NORMAL, r->action ? r->action : "-");
	row_set(rb, C_TARGET, ROLE_NORMAL, r->target ? r->target : "-");
	row_set(rb, C_RESULT, result_role(r), audit_result_text(r));
	row_set(rb, C_REFERENCE, ROLE_DIM, r->reference ? r->reference : "");
}

/* The record's first line number: stable while the file only grows. */
static long row_id(void *ud, size_t i)
{
	const struct audit_record *r = record_at(ud, i);
	return r ? (long)r->line : -1;
}

static const struct table_ops ops = {.count = rows_count, .row = row_fill, .id = row_id};

static void load(struct audit_view *v)
{
	struct buf err = {0};
	audit_log_free(&v->log);
	free(v->error);
	v->error = NULL;
	if (audit_read(NULL, &v->log, &err) < 0)
		v->error = buf_steal(&err);
	buf_free(&err);
	table_set_empty(v->table, v->log && v->log->missing ? "No journal yet: nothing mutating was done here."
							    : "The journal is empty.");
	table_reload(v->table);
	tui_dirty(v->t);
}

static const struct audit_record *selected(const struct audit_view *v)
{
	long i = table_selected(v->table);
	return i >= 0 ? record_at(v, (size_t)i) : NULL;
}

/* Draw the selected record's detail lines [skip, ...) in rows [y, y + h). */
static int draw_detail(struct audit_view *v, struct tui *t, int y, int h, int w, int skip)
{
	const struct audit_record *r = selected(v);
	if (!r || h <= 0)
		return 0;
	struct buf d = {0};
	audit_record_detail(r, &d);
	int line = 0, shown = 0;
	for (const char *p = buf_str(&d); *p;) {
		size_t n = strcspn(p, "\n");
		if (line >= skip && shown < h) {
			char *text = xstrndup(p, n);
			enum role role = ROLE_NORMAL;
			if (!strncmp(text, "result ", 7))
				role = result_role(r);
			else if (!strncmp(text, "error ", 6))
				role = ROLE_STATE_FAILED;
			else if (text[0] != ' ')
				role = !strchr(text, ' ') ? ROLE_HEADER : ROLE_NORMAL;
			tui_text(t, y + shown, 1, w - 2, role, text);
			free(text);
			shown++;
		}
		line++;
		p += n;
		if (*p)
			p++;
	}
	buf_free(&d);
	return line;
}

static int detail_lines(const struct audit_view *v)
{
	const struct audit_record *r = selected(v);
	if (!r)
		return 0;
	struct buf d = {0};
	audit_record_detail(r, &d);
	int n = 0;
	for (size_t i = 0; i < d.len; i++)
		n += d.s[i] == '\n';
	buf_free(&d);
	return n;
}

static void draw(struct screen *s, struct tui *t, int y, int h, int w)
{
	struct audit_view *v = s->data;
	if (v->error) {
		tui_text(t, y++, 1, w - 2, ROLE_STATUS_ERROR, v->error);
		h--;
	} else if (v->log && v->log->bad_lines) {
		struct buf b = {0};
		buf_printf(&b, "%zu line%s could not be read (the first at line %zu: a write cut short by a crash?)",
			   v->log->bad_lines, v->log->bad_lines == 1 ? "" : "s", v->log->first_bad_line);
		tui_text(t, y++, 1, w - 2, ROLE_WARNING, buf_str(&b));
		buf_free(&b);
		h--;
	}
	if (v->expanded && selected(v)) {
		int total = draw_detail(v, t, y, h, w, v->scroll);
		v->page = h;
		if (v->scroll > 0 && v->scroll >= total) {
			v->scroll = total > h ? total - h : 0;
			tui_dirty(t);
		}
		return;
	}
	v->expanded = 0;
	/* The selected record's details below the table: all of them when the
	 * rows leave room, else at least half of the body. */
	int detail = 0;
	if (selected(v)) {
		int need_d = detail_lines(v) + 1; /* a blank line above */
		int need_t = (int)table_shown(v->table) + 2;
		int room = h - need_t > h / 2 ? h - need_t : h / 2;
		detail = need_d < room ? need_d : room;
		if (detail < 3)
			detail = 0;
	}
	table_draw(v->table, t, y, h - detail, w);
	if (detail) {
		tui_fill(t, y + h - detail, 0, w, ROLE_HEADER);
		tui_text(t, y + h - detail, 1, w - 2, ROLE_HEADER, "Details  (Enter: on the whole screen)");
		draw_detail(v, t, y + h - detail + 1, detail - 1, w, 0);
	}
}

static void filter_changed(void *ud, const char *text)
{
	struct audit_view *v = ud;
	table_set_filter(v->table, text);
	tui_dirty(v->t);
}

static void filter_done(void *ud, const char *text, int accepted)
{
	struct audit_view *v = ud;
	table_set_filter(v->table, accepted ? text : v->saved_filter);
	free(v->saved_filter);
	v->saved_filter = NULL;
}

static enum handled expanded_action(struct audit_view *v, enum action a)
{
	int page = v->page > 1 ? v->page - 1 : 1;
	switch (a) {
	case ACTION_MOVE_UP:
		v->scroll -= v->scroll > 0;
		return HANDLED;
	case ACTION_MOVE_DOWN:
		v->scroll++;
		return HANDLED;
	case ACTION_PAGE_UP:
		v->scroll = v->scroll > page ? v->scroll - page : 0;
		return HANDLED;
	case ACTION_PAGE_DOWN:
		v->scroll += page;
		return HANDLED;
	case ACTION_MOVE_TOP:
		v->scroll = 0;
		return HANDLED;
	case ACTION_OPEN:
	case ACTION_BACK:
	case ACTION_QUIT:
		v->expanded = 0;
		return HANDLED;
	default:
		return NOT_HANDLED;
	}
}

static enum handled action(struct screen *s, struct tui *t, enum action a)
{
	struct audit_view *v = s->data;
	if (v->expanded && expanded_action(v, a) == HANDLED)
		return HANDLED;
	switch (a) {
	case ACTION_REFRESH:
		load(v);
		tui_message(t, 0, "audit: %zu action%s in %s", v->log ? v->log->n : 0,
			    v->log && v->log->n == 1 ? "" : "s", v->log ? v->log->path : "?");
		return HANDLED;
	case ACTION_OPEN:
		if (selected(v)) {
			v->expanded = 1;
			v->scroll = 0;
		}
		return HANDLED;
	case ACTION_FILTER:
		free(v->saved_filter);
		v->saved_filter = xstrdup(table_filter(v->table));
		prompt_open(t, "/", table_filter(v->table), filter_changed, filter_done, v);
		return HANDLED;
	case ACTION_BACK:
		if (*table_filter(v->table)) {
			table_set_filter(v->table, "");
			return HANDLED;
		}
		return NOT_HANDLED;
	default:
		return table_action(v->table, a);
	}
}

static void title(struct screen *s, struct buf *out)
{
	struct audit_view *v = s->data;
	buf_printf(out, "Audit journal  (%zu)", v->log ? v->log->n : 0);
	if (v->log)
		buf_printf(out, "  %s", v->log->path);
}

static void view_free(struct screen *s)
{
	struct audit_view *v = s->data;
	audit_log_free(&v->log);
	table_free(&v->table);
	free(v->error);
	free(v->saved_filter);
	free(v);
}

static const struct screen_ops audit_ops = {
	.name = "audit",
	.draw = draw,
	.action = action,
	.title = title,
	.free = view_free,
};

void audit_view_open(struct tui *t)
{
	struct audit_view *v = xcalloc(1, sizeof *v);
	v->t = t;
	v->table = table_new(cols, C_COUNT, &ops, v);
	load(v);
	tui_push(t, &audit_ops, v);
}
