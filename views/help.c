/* views/help.c - "?": every key and command, generated from the action
 * table (tui/actions.h) and the keymap, so it cannot drift from them. */
#include <stdlib.h>
#include <string.h>

#include "release/context.h"
#include "tui/keys.h"
#include "tui/palette.h"
#include "tui/table.h"
#include "views/views.h"

enum col { C_GROUP, C_KEYS, C_COMMAND, C_DESC, C_COUNT };

static const struct table_col cols[C_COUNT] = {
	[C_GROUP] = {"GROUP", 13, 0, 0},
	[C_KEYS] = {"KEYS", 16, 0, 0},
	[C_COMMAND] = {"COMMAND", 18, 0, 0},
	[C_DESC] = {"DESCRIPTION", 0, 0, 0},
};
/* A keymap file may give an action more keys than fit: KEYS widens up to this. */
#define KEYS_MAX_WIDTH 32

/* Palette commands that take an argument (not actions). */
static const struct {
	const char *cmd, *desc;
} extra[] = {
	{":branch NAME|all", "Show builds of one branch (Tab completes)"},
	{":build NUMBER", "Open a build by number"},
	{":stack NAME", "Open a CloudFormation stack (no name: the stacks list)"},
	{":filter TEXT", "Filter the list"},
	{":sort COLUMN", "Sort by a column (no column: the natural order)"},
	{":theme NAME", "Switch theme: default, light, high-contrast, mono"},
	{":dump-screen FILE", "Write the screen as text (used by tests)"},
};
#define NEXTRA (sizeof extra / sizeof extra[0])

struct help_view {
	struct table *table;
	struct table_col cols[C_COUNT]; /* cols, KEYS as wide as the keys in effect */
	int read_only;
	struct tui *t;
};

static size_t rows_count(void *ud)
{
	(void)ud;
	return (ACTION_COUNT - 1) + NEXTRA;
}

static void row_fill(void *ud, size_t i, struct rowbuf *rb)
{
	struct help_view *v = ud;
	if (i < ACTION_COUNT - 1) {
		enum action a = (enum action)(i + 1);
		struct buf k = {0};
		keymap_keys(a, &k);
		int greyed = v->read_only && (action_flags(a) & ACTION_MUTATING);
		row_set(rb, C_GROUP, ROLE_DIM, action_group_title(action_group(a)));
		row_set(rb, C_KEYS, greyed ? ROLE_DIM : ROLE_KEY, buf_str(&k));
		row_setf(rb, C_COMMAND, greyed ? ROLE_DIM : ROLE_NORMAL, ":%s", action_name(a));
		row_setf(rb, C_DESC, greyed ? ROLE_DIM : ROLE_NORMAL, "%s%s", action_description(a),
			 greyed ? " (read-only)" : "");
		buf_free(&k);
		return;
	}
	i -= ACTION_COUNT - 1;
	row_set(rb, C_GROUP, ROLE_DIM, "Commands");
	row_set(rb, C_KEYS, ROLE_KEY, "");
	row_set(rb, C_COMMAND, ROLE_NORMAL, extra[i].cmd);
	row_set(rb, C_DESC, ROLE_NORMAL, extra[i].desc);
}

static long row_id(void *ud, size_t i)
{
	(void)ud;
	return (long)i;
}

static const struct table_ops ops = {.count = rows_count, .row = row_fill, .id = row_id};

static void draw(struct screen *s, struct tui *t, int y, int h, int w)
{
	struct help_view *v = s->data;
	table_draw(v->table, t, y, h, w);
}

static enum handled action(struct screen *s, struct tui *t, enum action a)
{
	struct help_view *v = s->data;
	if (a == ACTION_HELP) { /* ? again closes help */
		tui_pop(t);
		return HANDLED;
	}
	return table_list_action(v->table, t, a);
}

static void title(struct screen *s, struct buf *out)
{
	(void)s;
	buf_adds(out, "Help");
	int quit = keymap_key(ACTION_QUIT), filter = keymap_key(ACTION_FILTER);
	if (!quit && !filter)
		return;
	buf_adds(out, "  (");
	if (quit) {
		key_format(quit, out);
		buf_adds(out, " closes");
	}
	if (filter) {
		buf_adds(out, quit ? ", " : "");
		key_format(filter, out);
		buf_adds(out, " filters");
	}
	buf_addc(out, ')');
}

static void view_free(struct screen *s)
{
	struct help_view *v = s->data;
	table_free(&v->table);
	free(v);
}

static const struct screen_ops help_ops = {
	.name = "help",
	.draw = draw,
	.action = action,
	.title = title,
	.free = view_free,
};

void help_open(struct tui *t)
{
	struct help_view *v = xcalloc(1, sizeof *v);
	v->read_only = tui_context(t)->read_only;
	v->t = t;
	memcpy(v->cols, cols, sizeof v->cols);
	for (int a = 1; a < ACTION_COUNT; a++) {
		struct buf k = {0};
		keymap_keys((enum action)a, &k);
		int w = tui_text_width(buf_str(&k));
		if (w > v->cols[C_KEYS].width)
			v->cols[C_KEYS].width = w < KEYS_MAX_WIDTH ? w : KEYS_MAX_WIDTH;
		buf_free(&k);
	}
	v->table = table_new(v->cols, C_COUNT, &ops, v);
	tui_push(t, &help_ops, v);
}
