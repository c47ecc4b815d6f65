/* tui/table.h - a table with virtual scrolling, selection, sorting and a
 * text filter.
 *
 * The table does not own the rows: it asks the view through table_ops for
 * the row count and, for each row it needs, to fill a struct rowbuf (plain
 * text and a role per cell; text is untrusted and sanitized when drawn).
 * Only the visible rows are formatted for drawing; filtering and text
 * sorting format each row once per change.  Selection follows the row's id
 * across reloads (a refresh does not move the cursor to another build). */
#ifndef RELCON_TUI_TABLE_H
#define RELCON_TUI_TABLE_H

#include <stddef.h>

#include "tui/tui.h"

#define TABLE_MAX_COLS 16

struct table_col {
	const char *title;
	int width;   /* > 0 fixed width; 0 = take the remaining space */
	int right;   /* right-align */
	int numeric; /* sort this column with table_ops.cmp (else by text) */
};

struct rowbuf {
	struct {
		enum role role;
		struct buf text;
	} cell[TABLE_MAX_COLS];
	enum role row_role; /* background of the row (ROLE_NORMAL usually) */
};

/* Set cell col of rb to role and text (copied; NULL = empty). */
void row_set(struct rowbuf *rb, size_t col, enum role r, const char *text);
/* printf into cell col. */
void row_setf(struct rowbuf *rb, size_t col, enum role r, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

struct table_ops {
	size_t (*count)(void *ud);
	void (*row)(void *ud, size_t i, struct rowbuf *rb);
	/* Stable id of row i (for keeping the selection); required. */
	long (*id)(void *ud, size_t i);
	/* Compare rows a and b on numeric column col (< 0, 0, > 0); optional. */
	int (*cmp)(void *ud, size_t a, size_t b, size_t col);
};

struct table;

/* cols is borrowed (static tables). */
struct table *table_new(const struct table_col *cols, size_t ncols, const struct table_ops *ops, void *ud);
void table_free(struct table **t);

/* The data changed: recompute filter and order, keep the selected id. */
void table_reload(struct table *t);
/* Draw the column header at y and rows below it, h rows in all. */
void table_draw(struct table *t, struct tui *tui, int y, int h, int w);
/* Navigation and sorting actions; NOT_HANDLED for others. */
enum handled table_action(struct table *t, enum action a);

void table_set_filter(struct table *t, const char *filter);
/* The "/" prompt on the status line: filters as it is typed, Enter keeps
 * the filter, Esc restores the one before. */
void table_filter_prompt(struct table *tb, struct tui *t);
/* A list screen's usual keys: "/" filters (the prompt above), Esc clears a
 * filter first, the rest is table_action. */
enum handled table_list_action(struct table *tb, struct tui *t, enum action a);
const char *table_filter(const struct table *t); /* "" when none */

/* Index (into the view's rows) of the selected row, or -1 when empty. */
long table_selected(const struct table *t);
/* Select the row with this id if visible. */
void table_select_id(struct table *t, long id);
/* Rows shown after filtering. */
size_t table_shown(const struct table *t);
/* Sorting: column (-1 = the view's order) and direction. */
void table_sort(struct table *t, int col, int reverse);
int table_sort_col(const struct table *t);
int table_sort_reverse(const struct table *t);
/* What an empty table says (copied; default "Nothing here yet."). */
void table_set_empty(struct table *t, const char *text);
/* Column title of col, for the status line. */
const char *table_col_title(const struct table *t, int col);

#endif
