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
	struct detail_pane pane;
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

/* y: the selected record's reference (Buildkite job id, ClientRequestToken),
 * or its target when it has none. */
static int selection(struct screen *s, struct buf *text, struct buf *what)
{
	const struct audit_record *r = selected(s->data);
	const char *value = r ? (r->reference ? r->reference : r->target) : NULL;
	if (!value || !*value)
		return 0;
	buf_adds(text, value);
	buf_adds(what, r->reference ? "reference" : "target");
	return 1;
}

/* The selected record's detail lines (detail_draw_fn). */
static int draw_detail(void *ud, struct tui *t, int y, int h, int w, int skip)
{
	const struct audit_record *r = selected(ud);
	if (!r)
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
	detail_pane_draw(&v->pane, t, v->table, y, h, w, "Details  (Enter: on the whole screen)", draw_detail, v);
}

static enum handled action(struct screen *s, struct tui *t, enum action a)
{
	struct audit_view *v = s->data;
	if (detail_pane_action(&v->pane, a, selected(v) != NULL) == HANDLED)
		return HANDLED;
	switch (a) {
	case ACTION_REFRESH:
		load(v);
		tui_message(t, 0, "audit: %zu action%s in %s", v->log ? v->log->n : 0,
			    v->log && v->log->n == 1 ? "" : "s", v->log ? v->log->path : "?");
		return HANDLED;
	default:
		return table_list_action(v->table, t, a);
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
	free(v);
}

static const struct screen_ops audit_ops = {
	.name = "audit",
	.draw = draw,
	.action = action,
	.title = title,
	.free = view_free,
	.selection = selection,
};

void audit_view_open(struct tui *t)
{
	struct audit_view *v = xcalloc(1, sizeof *v);
	v->t = t;
	v->table = table_new(cols, C_COUNT, &ops, v);
	load(v);
	tui_push(t, &audit_ops, v);
}
