/* views/cmdlog.c - the command log (@ from any screen), as lazygit's: every
 * request relcon made and every action it took, newest first, each as the
 * equivalent aws, curl or (for actions) commented line; the selected one's
 * details below, its whole command wrapped.  Enter shows the details on the
 * whole screen; y copies the command (the selection hook); / filters. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "release/cmdlog.h"
#include "release/context.h"
#include "tui/palette.h"
#include "tui/table.h"
#include "views/views.h"

enum col { C_TIME, C_WHAT, C_STATUS, C_COMMAND, C_COUNT };

static const struct table_col cols[C_COUNT] = {
	[C_TIME] = {"TIME", 8, 0, 0},
	[C_WHAT] = {"WHAT", 26, 0, 0},
	[C_STATUS] = {"STATUS", 9, 0, 0},
	[C_COMMAND] = {"COMMAND", 0, 0, 0},
};

struct cmdlog_view {
	struct tui *t;
	struct cmdlog *log; /* the context's, borrowed */
	struct table *table;
	unsigned long version; /* of the log when the table was last reloaded */
	struct detail_pane pane;
};

static const struct cmdlog_entry *entry_at(const struct cmdlog_view *v, size_t i)
{
	return cmdlog_at(v->log, i);
}

static size_t rows_count(void *ud)
{
	const struct cmdlog_view *v = ud;
	return cmdlog_count(v->log);
}

static enum role result_role(const struct cmdlog_entry *e)
{
	if (!e->done)
		return ROLE_STATE_RUNNING;
	if (e->ok)
		return ROLE_STATE_PASSED;
	if (!strcmp(e->result, "cancelled") || !strcmp(e->result, "refused"))
		return ROLE_STATE_CANCELED;
	if (!strcmp(e->result, "unknown"))
		return ROLE_WARNING;
	return ROLE_STATE_FAILED;
}

static void row_fill(void *ud, size_t i, struct rowbuf *rb)
{
	const struct cmdlog_entry *e = entry_at(ud, i);
	if (!e)
		return;
	struct tm tm;
	char hms[16] = "-";
	if (localtime_r(&e->time, &tm))
		strftime(hms, sizeof hms, "%H:%M:%S", &tm);
	row_set(rb, C_TIME, ROLE_DIM, hms);
	row_set(rb, C_WHAT, e->kind == CMDLOG_ACTION ? ROLE_HEADER : ROLE_NORMAL, e->what);
	row_set(rb, C_STATUS, result_role(e), e->result);
	row_set(rb, C_COMMAND, e->kind == CMDLOG_ACTION ? ROLE_DIM : ROLE_NORMAL, e->command);
}

static long row_id(void *ud, size_t i)
{
	const struct cmdlog_entry *e = entry_at(ud, i);
	return e ? (long)e->seq : -1;
}

static const struct table_ops ops = {.count = rows_count, .row = row_fill, .id = row_id};

static void reload(struct cmdlog_view *v)
{
	v->version = cmdlog_version(v->log);
	table_reload(v->table);
}

static void on_log_change(void *ud)
{
	struct cmdlog_view *v = ud;
	tui_dirty(v->t);
}

static const struct cmdlog_entry *selected(const struct cmdlog_view *v)
{
	long i = table_selected(v->table);
	return i >= 0 ? entry_at(v, (size_t)i) : NULL;
}

/* The bytes of the next line of text in w columns: a line break ends it;
 * a longer one is broken after its last space in the second half, else at
 * w characters (never inside a UTF-8 sequence).  *skip: bytes to leave out
 * after it (the newline or the space). */
static size_t wrap_next(const char *p, int w, size_t *skip)
{
	size_t nl = strcspn(p, "\n");
	*skip = p[nl] == '\n';
	size_t end = 0;
	int used = 0;
	while (end < nl && used < w) {
		end++;
		while (end < nl && ((unsigned char)p[end] & 0xc0) == 0x80)
			end++;
		used++;
	}
	if (end == nl || w < 2)
		return end;
	for (size_t i = end; i > end / 2; i--) {
		if (p[i] == ' ') {
			*skip = 1;
			return i;
		}
	}
	*skip = 0;
	return end;
}

/* The selected entry's details, wrapped to w - 2 columns (detail_draw_fn). */
static int draw_detail(void *ud, struct tui *t, int y, int h, int w, int skip)
{
	const struct cmdlog_entry *e = selected(ud);
	if (!e || w < 3)
		return 0;
	struct buf d = {0};
	cmdlog_entry_detail(e, &d);
	/* The command is the last line: everything after "command ...\n". */
	const char *cmd = strrchr(buf_str(&d), '\n');
	cmd = cmd ? cmd + 1 : buf_str(&d);
	int line = 0;
	enum role role = ROLE_DIM;
	for (const char *p = buf_str(&d); *p;) {
		size_t sk;
		size_t n = wrap_next(p, w - 2, &sk);
		/* A line's role holds for the rows it wraps onto. */
		int first = p == buf_str(&d) || p[-1] == '\n';
		int status = first && !strncmp(p, "status ", 7);
		if (first)
			role = p >= cmd                     ? ROLE_NORMAL
			       : status                     ? result_role(e)
			       : !strncmp(p, "error ", 6)   ? ROLE_STATE_FAILED
			       : !strncmp(p, "command ", 8) ? ROLE_HEADER
							    : ROLE_DIM;
		if (line >= skip && line - skip < h) {
			char *text = xstrndup(p, n);
			/* The status's duration in the normal role: the colour ends
			 * with the result (and screen dumps stay the same whatever
			 * the number of digits). */
			char *in = status ? strstr(text, " in ") : NULL;
			if (in)
				*in = '\0';
			int used = tui_text(t, y + line - skip, 1, w - 2, role, text);
			if (in) {
				*in = ' ';
				tui_text(t, y + line - skip, 1 + used, w - 2 - used, ROLE_NORMAL, in);
			}
			free(text);
		}
		line++;
		p += n + sk;
	}
	buf_free(&d);
	return line;
}

static void draw(struct screen *s, struct tui *t, int y, int h, int w)
{
	struct cmdlog_view *v = s->data;
	if (v->version != cmdlog_version(v->log))
		reload(v);
	detail_pane_draw(&v->pane, t, v->table, y, h, w, "Details  (Enter: on the whole screen, y: copy)", draw_detail,
			 v);
}

static enum handled action(struct screen *s, struct tui *t, enum action a)
{
	struct cmdlog_view *v = s->data;
	if (detail_pane_action(&v->pane, a, selected(v) != NULL) == HANDLED)
		return HANDLED;
	switch (a) {
	case ACTION_COMMAND_LOG: /* already here */
		return HANDLED;
	case ACTION_REFRESH:
		reload(v);
		return HANDLED;
	default:
		return table_list_action(v->table, t, a);
	}
}

/* y copies the selected entry's command. */
static int selection(struct screen *s, struct buf *text, struct buf *what)
{
	struct cmdlog_view *v = s->data;
	const struct cmdlog_entry *e = selected(v);
	if (!e)
		return 0;
	buf_adds(text, e->command);
	buf_adds(what, "command");
	return 1;
}

static void title(struct screen *s, struct buf *out)
{
	struct cmdlog_view *v = s->data;
	/* The count only unfiltered: filtered, the rows say how many match. */
	if (*table_filter(v->table))
		buf_adds(out, "Command log  (newest first)");
	else
		buf_printf(out, "Command log  (%zu, newest first)", cmdlog_count(v->log));
}

static void view_free(struct screen *s)
{
	struct cmdlog_view *v = s->data;
	cmdlog_unwatch(v->log, v);
	table_free(&v->table);
	free(v);
}

static const struct screen_ops cmdlog_ops = {
	.name = "command-log",
	.draw = draw,
	.action = action,
	.title = title,
	.free = view_free,
	.selection = selection,
};

void cmdlog_view_open(struct tui *t)
{
	struct cmdlog_view *v = xcalloc(1, sizeof *v);
	v->t = t;
	v->log = tui_context(t)->cmdlog;
	v->table = table_new(cols, C_COUNT, &ops, v);
	table_set_empty(v->table, "No requests yet.");
	cmdlog_watch(v->log, on_log_change, v);
	reload(v);
	tui_push(t, &cmdlog_ops, v);
}
