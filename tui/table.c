#include "tui/table.h"

#include "tui/palette.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/sanitize.h"

/* Rows one turn of the mouse wheel scrolls. */
#define TABLE_WHEEL_ROWS 3

struct table {
	const struct table_col *cols;
	size_t ncols;
	const struct table_ops *ops;
	void *ud;
	size_t *index; /* shown rows, in display order */
	size_t nindex;
	size_t sel, top;
	long sel_id;
	int have_sel_id;
	char *filter;
	char *lower_filter; /* filter, ASCII lower-cased: what rows are searched for */
	int sort_col;       /* -1 natural */
	int reverse;
	int page; /* rows visible at the last draw */
	char *empty;
	/* The "/" prompt: the screen to redraw and the filter Esc restores. */
	struct tui *prompt_tui;
	char *saved_filter;
	/* Each row's text as the filter searches it, made on the first
	 * filtered look and kept until the rows change (table_reload): typing
	 * a filter searches memory, not the views' rows. */
	char **lines;
	size_t nlines;
};

static void rebuild(struct table *t);

static void drop_lines(struct table *t)
{
	for (size_t i = 0; i < t->nlines; i++)
		free(t->lines[i]);
	free(t->lines);
	t->lines = NULL;
	t->nlines = 0;
}

void row_set(struct rowbuf *rb, size_t col, enum role r, const char *text)
{
	if (col >= TABLE_MAX_COLS)
		return;
	rb->cell[col].role = r;
	buf_reset(&rb->cell[col].text);
	buf_adds(&rb->cell[col].text, text);
}

void row_setf(struct rowbuf *rb, size_t col, enum role r, const char *fmt, ...)
{
	if (col >= TABLE_MAX_COLS)
		return;
	rb->cell[col].role = r;
	buf_reset(&rb->cell[col].text);
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&rb->cell[col].text, fmt, ap);
	va_end(ap);
}

static void rowbuf_clear(struct rowbuf *rb)
{
	rb->row_role = ROLE_NORMAL;
	for (size_t i = 0; i < TABLE_MAX_COLS; i++) {
		rb->cell[i].role = ROLE_NORMAL;
		buf_reset(&rb->cell[i].text);
	}
}

static void rowbuf_free(struct rowbuf *rb)
{
	for (size_t i = 0; i < TABLE_MAX_COLS; i++)
		buf_free(&rb->cell[i].text);
}

struct table *table_new(const struct table_col *cols, size_t ncols, const struct table_ops *ops, void *ud)
{
	struct table *t = xcalloc(1, sizeof *t);
	t->cols = cols;
	t->ncols = ncols < TABLE_MAX_COLS ? ncols : TABLE_MAX_COLS;
	t->ops = ops;
	t->ud = ud;
	t->filter = xstrdup("");
	t->lower_filter = xstrdup("");
	t->sort_col = -1;
	table_reload(t);
	return t;
}

void table_free(struct table **tp)
{
	if (!tp || !*tp)
		return;
	free((*tp)->index);
	free((*tp)->filter);
	free((*tp)->lower_filter);
	free((*tp)->empty);
	free((*tp)->saved_filter);
	drop_lines(*tp);
	free(*tp);
	*tp = NULL;
}

static void ascii_lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* Case-insensitive (ASCII) substring search: hay and t->lower_filter are
 * lower-cased already. */
static int contains(const struct table *t, const char *hay)
{
	return !*t->lower_filter || strstr(hay, t->lower_filter) != NULL;
}

static int printable_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

/* Row i's cells in rb, and whether its text (cached) matches the filter. */
static int row_matches(struct table *t, size_t i, struct rowbuf *rb, struct buf *line)
{
	rowbuf_clear(rb);
	t->ops->row(t->ud, i, rb);
	if (i < t->nlines && t->lines[i])
		return contains(t, t->lines[i]);
	buf_reset(line);
	for (size_t c = 0; c < t->ncols; c++) {
		const char *text = buf_str(&rb->cell[c].text);
		if (printable_ascii(text)) { /* most cells: nothing to neutralize */
			buf_adds(line, text);
		} else {
			char *clean = sanitize_str(text, SANITIZE_ONE_LINE);
			buf_adds(line, clean);
			free(clean);
		}
		buf_addc(line, '\t');
	}
	if (line->s)
		ascii_lower(line->s);
	if (i < t->nlines)
		t->lines[i] = xstrdup(buf_str(line));
	return contains(t, buf_str(line));
}

/* Does row i match?  From the cached text alone when there is one. */
static int row_matches_fast(struct table *t, size_t i, struct rowbuf *rb, struct buf *line)
{
	if (i < t->nlines && t->lines[i])
		return contains(t, t->lines[i]);
	return row_matches(t, i, rb, line);
}

/* Sorting context: qsort has no user pointer. */
static struct table *sorting;
static char **sort_keys;

static int compare_rows(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	struct table *t = sorting;
	size_t col = (size_t)t->sort_col;
	int r;
	if (t->cols[col].numeric && t->ops->cmp)
		r = t->ops->cmp(t->ud, a, b, col);
	else
		r = strcmp(sort_keys[a], sort_keys[b]);
	if (!r)
		r = a < b ? -1 : a > b; /* stable: the view's order breaks ties */
	return t->reverse ? -r : r;
}

void table_reload(struct table *t)
{
	drop_lines(t);
	rebuild(t);
}

/* The shown rows again, for the current filter and sort. */
static void rebuild(struct table *t)
{
	size_t n = t->ops->count(t->ud);
	if (*t->filter && !t->lines && n) {
		t->lines = xcalloc(n, sizeof *t->lines);
		t->nlines = n;
	}
	if (t->nindex && t->sel < t->nindex) {
		t->sel_id = t->ops->id(t->ud, t->index[t->sel]);
		t->have_sel_id = 1;
	}
	free(t->index);
	t->index = xcalloc(n ? n : 1, sizeof *t->index);
	t->nindex = 0;
	struct rowbuf rb;
	memset(&rb, 0, sizeof rb);
	struct buf line = {0};
	int need_keys = t->sort_col >= 0 && !(t->cols[t->sort_col].numeric && t->ops->cmp);
	char **keys = need_keys ? xcalloc(n ? n : 1, sizeof *keys) : NULL;
	for (size_t i = 0; i < n; i++) {
		int keep = 1;
		if (need_keys) {
			keep = row_matches(t, i, &rb, &line);
			char *k = sanitize_str(buf_str(&rb.cell[t->sort_col].text), SANITIZE_ONE_LINE);
			for (char *p = k; *p; p++)
				*p = (char)tolower((unsigned char)*p);
			keys[i] = k;
		} else if (*t->filter) {
			keep = row_matches_fast(t, i, &rb, &line);
		}
		if (keep)
			t->index[t->nindex++] = i;
	}
	if (t->sort_col >= 0 && t->nindex > 1) {
		sorting = t;
		sort_keys = keys;
		qsort(t->index, t->nindex, sizeof *t->index, compare_rows);
		sorting = NULL;
		sort_keys = NULL;
	}
	if (keys) {
		for (size_t i = 0; i < n; i++)
			free(keys[i]);
		free(keys);
	}
	rowbuf_free(&rb);
	buf_free(&line);
	/* Keep the selected row if it is still shown. */
	if (t->have_sel_id) {
		for (size_t i = 0; i < t->nindex; i++) {
			if (t->ops->id(t->ud, t->index[i]) == t->sel_id) {
				t->sel = i;
				return;
			}
		}
	}
	if (t->sel >= t->nindex)
		t->sel = t->nindex ? t->nindex - 1 : 0;
}

static void clamp_top(struct table *t, int rows)
{
	if (rows <= 0)
		rows = 1;
	if (t->sel < t->top)
		t->top = t->sel;
	if (t->sel >= t->top + (size_t)rows)
		t->top = t->sel - (size_t)rows + 1;
	if (t->nindex <= (size_t)rows)
		t->top = 0;
	else if (t->top > t->nindex - (size_t)rows)
		t->top = t->nindex - (size_t)rows;
}

/* Column widths for total width w: fixed ones, the flexible one gets the rest. */
static void widths(const struct table *t, int w, int *out)
{
	int fixed = 0, flex = -1;
	for (size_t c = 0; c < t->ncols; c++) {
		if (t->cols[c].width > 0)
			fixed += t->cols[c].width + 1;
		else if (flex < 0)
			flex = (int)c;
	}
	int rest = w - fixed;
	for (size_t c = 0; c < t->ncols; c++) {
		out[c] = t->cols[c].width > 0 ? t->cols[c].width : 0;
		if ((int)c == flex)
			out[c] = rest > 0 ? rest : 0;
	}
	/* Too narrow: shrink from the right so early columns stay readable. */
	int total = 0;
	for (size_t c = 0; c < t->ncols; c++)
		total += out[c] + (c + 1 < t->ncols);
	for (size_t c = t->ncols; c-- > 0 && total > w;) {
		int cut = total - w < out[c] ? total - w : out[c];
		out[c] -= cut;
		total -= cut;
	}
}

static void draw_cells(struct tui *tui, int y, int w, const struct table *t, const int *cw, const char *const *texts,
		       const enum role *roles, enum role bg, int selected)
{
	tui_fill(tui, y, 0, w, bg);
	int x = 0;
	for (size_t c = 0; c < t->ncols && x < w; c++) {
		if (cw[c] <= 0)
			continue;
		int cx = x;
		enum role r = selected ? ROLE_ROW_SELECTED : roles[c];
		if (t->cols[c].right) {
			int tw = tui_text_width(texts[c]);
			if (tw < cw[c])
				cx += cw[c] - tw;
		}
		tui_text(tui, y, cx, cw[c] - (cx - x), r, texts[c]);
		x += cw[c] + 1;
	}
}

static enum handled table_mouse(void *ud, enum tui_mouse ev, int row, int col);

void table_draw(struct table *t, struct tui *tui, int y, int h, int w)
{
	if (h <= 0)
		return;
	int cw[TABLE_MAX_COLS];
	widths(t, w, cw);
	const char *titles[TABLE_MAX_COLS];
	enum role hroles[TABLE_MAX_COLS];
	struct buf sorted = {0};
	for (size_t c = 0; c < t->ncols; c++) {
		titles[c] = t->cols[c].title;
		hroles[c] = ROLE_COLUMN_HEADER;
		if ((int)c == t->sort_col) {
			buf_printf(&sorted, "%s%s", t->cols[c].title, t->reverse ? "▼" : "▲");
			titles[c] = buf_str(&sorted);
		}
	}
	draw_cells(tui, y, w, t, cw, titles, hroles, ROLE_COLUMN_HEADER, 0);
	buf_free(&sorted);
	int rows = h - 1;
	t->page = rows;
	clamp_top(t, rows);
	struct rowbuf rb;
	memset(&rb, 0, sizeof rb);
	for (int i = 0; i < rows; i++) {
		size_t pos = t->top + (size_t)i;
		if (pos >= t->nindex) {
			tui_fill(tui, y + 1 + i, 0, w, ROLE_NORMAL);
			continue;
		}
		rowbuf_clear(&rb);
		t->ops->row(t->ud, t->index[pos], &rb);
		const char *texts[TABLE_MAX_COLS];
		enum role roles[TABLE_MAX_COLS];
		for (size_t c = 0; c < t->ncols; c++) {
			texts[c] = buf_str(&rb.cell[c].text);
			roles[c] = rb.cell[c].role;
		}
		int sel = pos == t->sel;
		draw_cells(tui, y + 1 + i, w, t, cw, texts, roles, sel ? ROLE_ROW_SELECTED : rb.row_role, sel);
	}
	if (!t->nindex && h > 1)
		tui_text(tui, y + 1, 1, w - 1, ROLE_DIM,
			 *t->filter ? "No rows match the filter."
			 : t->empty ? t->empty
				    : "Nothing here yet.");
	rowbuf_free(&rb);
	tui_mouse_region(tui, y, 0, h, w, table_mouse, t);
}

static void move_sel(struct table *t, long delta)
{
	if (!t->nindex)
		return;
	long s = (long)t->sel + delta;
	if (s < 0)
		s = 0;
	if (s >= (long)t->nindex)
		s = (long)t->nindex - 1;
	t->sel = (size_t)s;
	t->sel_id = t->ops->id(t->ud, t->index[t->sel]);
	t->have_sel_id = 1;
}

/* The wheel: move the rows under a still selection by delta, keeping the
 * selection on screen; at either end of the list move the selection. */
static void scroll_rows(struct table *t, long delta)
{
	if (!t->nindex)
		return;
	size_t rows = t->page > 0 ? (size_t)t->page : 1;
	size_t max_top = t->nindex > rows ? t->nindex - rows : 0;
	long top = (long)t->top + delta;
	if (top < 0)
		top = 0;
	if (top > (long)max_top)
		top = (long)max_top;
	if ((size_t)top == t->top) {
		move_sel(t, delta);
		return;
	}
	t->top = (size_t)top;
	if (t->sel < t->top)
		move_sel(t, (long)t->top - (long)t->sel);
	else if (t->sel >= t->top + rows)
		move_sel(t, (long)(t->top + rows - 1) - (long)t->sel);
}

/* Rows where the table was last drawn answer the mouse: the header row 0,
 * then row r is the r-th row shown from t->top. */
static enum handled table_mouse(void *ud, enum tui_mouse ev, int row, int col)
{
	struct table *t = ud;
	(void)col;
	switch (ev) {
	case TUI_MOUSE_WHEEL_UP:
	case TUI_MOUSE_WHEEL_DOWN:
		scroll_rows(t, ev == TUI_MOUSE_WHEEL_UP ? -TABLE_WHEEL_ROWS : TABLE_WHEEL_ROWS);
		return HANDLED;
	case TUI_MOUSE_CLICK:
		if (row >= 1 && t->top + (size_t)(row - 1) < t->nindex)
			move_sel(t, (long)(t->top + (size_t)(row - 1)) - (long)t->sel);
		return HANDLED;
	}
	return NOT_HANDLED;
}

enum handled table_action(struct table *t, enum action a)
{
	long page = t->page > 1 ? t->page - 1 : 1;
	switch (a) {
	case ACTION_MOVE_UP:
		move_sel(t, -1);
		return HANDLED;
	case ACTION_MOVE_DOWN:
		move_sel(t, 1);
		return HANDLED;
	case ACTION_PAGE_UP:
		move_sel(t, -page);
		return HANDLED;
	case ACTION_PAGE_DOWN:
		move_sel(t, page);
		return HANDLED;
	case ACTION_MOVE_TOP:
		move_sel(t, -(long)t->nindex);
		return HANDLED;
	case ACTION_MOVE_BOTTOM:
		move_sel(t, (long)t->nindex);
		return HANDLED;
	case ACTION_SORT_NEXT:
		t->sort_col++;
		if (t->sort_col >= (int)t->ncols)
			t->sort_col = -1;
		rebuild(t);
		return HANDLED;
	case ACTION_SORT_REVERSE:
		if (t->sort_col < 0)
			return HANDLED;
		t->reverse = !t->reverse;
		rebuild(t);
		return HANDLED;
	default:
		return NOT_HANDLED;
	}
}

void table_set_filter(struct table *t, const char *filter)
{
	free(t->filter);
	free(t->lower_filter);
	t->filter = xstrdup(filter ? filter : "");
	t->lower_filter = xstrdup(t->filter);
	ascii_lower(t->lower_filter);
	rebuild(t);
}

const char *table_filter(const struct table *t)
{
	return t->filter;
}

long table_selected(const struct table *t)
{
	return t->nindex ? (long)t->index[t->sel] : -1;
}

void table_select_id(struct table *t, long id)
{
	for (size_t i = 0; i < t->nindex; i++) {
		if (t->ops->id(t->ud, t->index[i]) == id) {
			t->sel = i;
			t->sel_id = id;
			t->have_sel_id = 1;
			return;
		}
	}
}

size_t table_shown(const struct table *t)
{
	return t->nindex;
}

void table_sort(struct table *t, int col, int reverse)
{
	t->sort_col = col >= -1 && col < (int)t->ncols ? col : -1;
	t->reverse = reverse;
	rebuild(t);
}

int table_sort_col(const struct table *t)
{
	return t->sort_col;
}

int table_sort_reverse(const struct table *t)
{
	return t->reverse;
}

void table_set_empty(struct table *t, const char *text)
{
	free(t->empty);
	t->empty = xstrdup(text);
}

const char *table_col_title(const struct table *t, int col)
{
	return col >= 0 && col < (int)t->ncols ? t->cols[col].title : "";
}

static void prompt_changed(void *ud, const char *text)
{
	struct table *tb = ud;
	table_set_filter(tb, text);
	tui_dirty(tb->prompt_tui);
}

static void prompt_done(void *ud, const char *text, int accepted)
{
	struct table *tb = ud;
	table_set_filter(tb, accepted ? text : tb->saved_filter);
	free(tb->saved_filter);
	tb->saved_filter = NULL;
	tui_dirty(tb->prompt_tui);
}

void table_filter_prompt(struct table *tb, struct tui *t)
{
	free(tb->saved_filter);
	tb->saved_filter = xstrdup(table_filter(tb));
	tb->prompt_tui = t;
	prompt_open(t, "/", table_filter(tb), prompt_changed, prompt_done, tb);
}

enum handled table_list_action(struct table *tb, struct tui *t, enum action a)
{
	if (a == ACTION_FILTER) {
		table_filter_prompt(tb, t);
		return HANDLED;
	}
	if (a == ACTION_BACK && *table_filter(tb)) {
		table_set_filter(tb, "");
		return HANDLED;
	}
	return table_action(tb, a);
}
