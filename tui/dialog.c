#include "tui/dialog.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/keys.h"
#include "tui/tui.h"

static int is_enter(int key)
{
	return key == '\r' || key == '\n' || key == KEY_OFFSET + KEY_ENTER;
}

/* ---- confirm --------------------------------------------------------------- */

static void set_hint(struct confirm *c, const char *h)
{
	free(c->hint);
	c->hint = h ? xstrdup(h) : NULL;
}

enum dialog_result confirm_feed(struct confirm *c, int key)
{
	int typing = c->typed != NULL;
	if (key == 0x1b)
		return DIALOG_CANCELLED;
	if (key == '\t' || key == KEY_OFFSET + KEY_BTAB || key == KEY_OFFSET + KEY_LEFT ||
	    key == KEY_OFFSET + KEY_RIGHT) {
		c->focus = !c->focus;
		set_hint(c, NULL);
		return DIALOG_PENDING;
	}
	if (is_enter(key)) {
		if (!c->focus)
			return DIALOG_CANCELLED;
		if (typing && strcmp(buf_str(&c->in.text), c->typed) != 0) {
			set_hint(c, "Type the name exactly as shown to confirm.");
			return DIALOG_PENDING;
		}
		return DIALOG_ACCEPTED;
	}
	if (typing && input_key(&c->in, key)) {
		set_hint(c, NULL);
		return DIALOG_PENDING;
	}
	if (!typing && key == 'q')
		return DIALOG_CANCELLED;
	set_hint(c, typing ? "Type the name, then Tab to the button and press Enter."
			   : "Tab selects a button, Enter presses it, Esc cancels.");
	return DIALOG_PENDING;
}

void confirm_free(struct confirm *c)
{
	free(c->title);
	for (size_t i = 0; i < c->nlines; i++)
		free(c->lines[i]);
	free(c->lines);
	free(c->confirm_label);
	free(c->typed);
	free(c->hint);
	input_free(&c->in);
}

struct confirm_screen {
	struct confirm c;
	void (*done)(void *ud, int accepted);
	void *ud;
};

/* A centred box of h rows and w columns inside the body; returns its top-left. */
static void dialog_box(struct tui *t, int y0, int h0, int w0, int h, int w, int *by, int *bx)
{
	if (w > w0 - 2)
		w = w0 - 2;
	if (h > h0)
		h = h0;
	*by = y0 + (h0 - h) / 2;
	*bx = (w0 - w) / 2;
	for (int i = 0; i < h; i++)
		tui_fill(t, *by + i, *bx, w, ROLE_DIALOG);
}

static void button(struct tui *t, int y, int x, const char *label, int focused, enum role normal)
{
	struct buf b = {0};
	buf_printf(&b, focused ? "[ %s ]" : "  %s  ", label);
	tui_text(t, y, x, tui_text_width(buf_str(&b)), focused ? ROLE_BUTTON_FOCUS : normal, buf_str(&b));
	buf_free(&b);
}

static void confirm_draw(struct screen *s, struct tui *t, int y, int h, int w)
{
	struct confirm *c = &((struct confirm_screen *)s->data)->c;
	int bw = 20;
	for (size_t i = 0; i < c->nlines; i++) {
		int lw = tui_text_width(c->lines[i]) + 4;
		if (lw > bw)
			bw = lw;
	}
	int bh = (int)c->nlines + 6 + (c->typed ? 2 : 0);
	int by, bx;
	dialog_box(t, y, h, w, bh, bw, &by, &bx);
	if (bw > w - 2)
		bw = w - 2;
	tui_text(t, by, bx + 2, bw - 4, c->danger ? ROLE_DANGER : ROLE_HEADER, c->title);
	int row = by + 2;
	for (size_t i = 0; i < c->nlines && row < by + bh - 3; i++)
		tui_text(t, row++, bx + 2, bw - 4, ROLE_DIALOG, c->lines[i]);
	if (c->typed) {
		struct buf l = {0};
		buf_printf(&l, strchr(c->typed, ' ') ? "Type \"%s\" to confirm: " : "Type %s to confirm: ", c->typed);
		int lx = tui_text(t, ++row, bx + 2, bw - 4, ROLE_DIALOG, buf_str(&l));
		tui_fill(t, row, bx + 2 + lx, bw - 4 - lx, ROLE_INPUT);
		tui_text(t, row, bx + 2 + lx, bw - 4 - lx, ROLE_INPUT, buf_str(&c->in.text));
		tui_cursor(t, row, bx + 2 + lx + input_cursor_col(&c->in));
		buf_free(&l);
		row++;
	}
	int brow = by + bh - 2;
	button(t, brow, bx + 2, "Cancel", c->focus == 0, ROLE_BUTTON);
	button(t, brow, bx + 14, c->confirm_label, c->focus == 1, c->danger ? ROLE_DANGER : ROLE_BUTTON);
	if (c->hint)
		tui_text(t, by + bh - 1, bx + 2, bw - 4, ROLE_WARNING, c->hint);
}

static enum handled confirm_key(struct screen *s, struct tui *t, int key)
{
	struct confirm_screen *cs = s->data;
	enum dialog_result r = confirm_feed(&cs->c, key);
	if (r == DIALOG_PENDING)
		return HANDLED;
	void (*done)(void *, int) = cs->done;
	void *ud = cs->ud;
	tui_close(t, s);
	if (done)
		done(ud, r == DIALOG_ACCEPTED);
	return HANDLED;
}

static void confirm_screen_free(struct screen *s)
{
	struct confirm_screen *cs = s->data;
	confirm_free(&cs->c);
	free(cs);
}

static const struct screen_ops confirm_ops = {
	.name = "confirm",
	.modal = 1,
	.draw = confirm_draw,
	.key = confirm_key,
	.free = confirm_screen_free,
};

void confirm_open(struct tui *t, const char *title, const char *const *lines, size_t nlines, const char *confirm_label,
		  const char *typed, int danger, void (*done)(void *ud, int accepted), void *ud)
{
	struct confirm_screen *cs = xcalloc(1, sizeof *cs);
	cs->c.title = xstrdup(title);
	cs->c.lines = xcalloc(nlines ? nlines : 1, sizeof *cs->c.lines);
	for (size_t i = 0; i < nlines; i++)
		cs->c.lines[i] = xstrdup(lines[i]);
	cs->c.nlines = nlines;
	cs->c.confirm_label = xstrdup(confirm_label);
	cs->c.typed = xstrdup(typed);
	cs->c.danger = danger;
	input_set(&cs->c.in, "");
	cs->done = done;
	cs->ud = ud;
	tui_push(t, &confirm_ops, cs);
}

/* ---- form ------------------------------------------------------------------- */

static int validate_all(struct form *fm)
{
	int first_bad = -1;
	for (size_t i = 0; i < fm->n; i++) {
		free(fm->f[i].error);
		fm->f[i].error = fm->validate ? fm->validate(fm->ud, i, buf_str(&fm->f[i].in.text)) : NULL;
		if (fm->f[i].error && first_bad < 0)
			first_bad = (int)i;
	}
	if (first_bad >= 0)
		fm->focus = (size_t)first_bad;
	return first_bad < 0;
}

enum dialog_result form_feed(struct form *fm, int key)
{
	size_t stops = fm->n + 2;
	if (key == 0x1b)
		return DIALOG_CANCELLED;
	if (key == '\t' || key == KEY_OFFSET + KEY_DOWN) {
		fm->focus = (fm->focus + 1) % stops;
		return DIALOG_PENDING;
	}
	if (key == KEY_OFFSET + KEY_BTAB || key == KEY_OFFSET + KEY_UP) {
		fm->focus = (fm->focus + stops - 1) % stops;
		return DIALOG_PENDING;
	}
	if (is_enter(key)) {
		if (fm->focus == fm->n + 1)
			return DIALOG_CANCELLED;
		if (fm->focus + 1 < fm->n) {
			fm->focus++;
			return DIALOG_PENDING;
		}
		return validate_all(fm) ? DIALOG_ACCEPTED : DIALOG_PENDING;
	}
	if (fm->focus < fm->n && input_key(&fm->f[fm->focus].in, key)) {
		free(fm->f[fm->focus].error);
		fm->f[fm->focus].error = NULL;
	}
	return DIALOG_PENDING;
}

void form_free(struct form *fm)
{
	free(fm->title);
	for (size_t i = 0; i < fm->n; i++) {
		free(fm->f[i].label);
		free(fm->f[i].hint);
		free(fm->f[i].error);
		input_free(&fm->f[i].in);
	}
}

struct form_screen {
	struct form fm;
	void (*done)(void *ud, const char *const *values, int accepted);
};

static void form_draw(struct screen *s, struct tui *t, int y, int h, int w)
{
	struct form *fm = &((struct form_screen *)s->data)->fm;
	int bw = w - 8 < 100 ? w - 8 : 100, lw = 0;
	for (size_t i = 0; i < fm->n; i++) {
		int l = tui_text_width(fm->f[i].label);
		if (l > lw)
			lw = l;
	}
	/* More fields than fit: show a window of them that keeps the focus in view. */
	size_t fit = h > 9 ? (size_t)(h - 7) / 2 : 1, first = 0, last = fm->n;
	if (fm->n > fit) {
		size_t focus = fm->focus < fm->n ? fm->focus : fm->n - 1;
		first = focus >= fit ? focus - fit + 1 : 0;
		last = first + fit;
	}
	int bh = 5 + (int)(last - first) * 2;
	int by, bx;
	dialog_box(t, y, h, w, bh, bw, &by, &bx);
	tui_text(t, by, bx + 2, bw - 4, ROLE_HEADER, fm->title);
	if (first || last < fm->n) {
		char more[64];
		snprintf(more, sizeof more, "fields %zu-%zu of %zu", first + 1, last, fm->n);
		tui_text(t, by, bx + bw - 2 - tui_text_width(more), tui_text_width(more), ROLE_DIM, more);
	}
	int row = by + 2;
	for (size_t i = first; i < last; i++, row += 2) {
		struct form_field *f = &fm->f[i];
		tui_text(t, row, bx + 2, lw, ROLE_DIALOG, f->label);
		int fx = bx + 4 + lw, fw = bw - lw - 6;
		tui_fill(t, row, fx, fw, ROLE_INPUT);
		tui_text(t, row, fx, fw, ROLE_INPUT, buf_str(&f->in.text));
		if (f->error)
			tui_text(t, row + 1, fx, fw, ROLE_STATUS_ERROR, f->error);
		else if (f->hint)
			tui_text(t, row + 1, fx, fw, ROLE_DIM, f->hint);
		if (fm->focus == i)
			tui_cursor(t, row, fx + input_cursor_col(&f->in));
	}
	button(t, by + bh - 2, bx + 2, "Submit", fm->focus == fm->n, ROLE_BUTTON);
	button(t, by + bh - 2, bx + 14, "Cancel", fm->focus == fm->n + 1, ROLE_BUTTON);
}

static enum handled form_key(struct screen *s, struct tui *t, int key)
{
	struct form_screen *fs = s->data;
	enum dialog_result r = form_feed(&fs->fm, key);
	if (r == DIALOG_PENDING)
		return HANDLED;
	const char *values[FORM_MAX_FIELDS];
	char *copies[FORM_MAX_FIELDS];
	size_t n = fs->fm.n;
	for (size_t i = 0; i < n; i++)
		values[i] = copies[i] = xstrdup(buf_str(&fs->fm.f[i].in.text));
	void (*done)(void *, const char *const *, int) = fs->done;
	void *ud = fs->fm.ud;
	tui_close(t, s);
	if (done)
		done(ud, values, r == DIALOG_ACCEPTED);
	for (size_t i = 0; i < n; i++)
		free(copies[i]);
	return HANDLED;
}

static void form_screen_free(struct screen *s)
{
	struct form_screen *fs = s->data;
	form_free(&fs->fm);
	free(fs);
}

static const struct screen_ops form_ops = {
	.name = "form",
	.modal = 1,
	.draw = form_draw,
	.key = form_key,
	.free = form_screen_free,
};

void form_open(struct tui *t, const char *title, size_t n, const char *const *labels, const char *const *initial,
	       const char *const *hints, char *(*validate)(void *ud, size_t field, const char *value),
	       void (*done)(void *ud, const char *const *values, int accepted), void *ud)
{
	struct form_screen *fs = xcalloc(1, sizeof *fs);
	if (n > FORM_MAX_FIELDS)
		n = FORM_MAX_FIELDS;
	fs->fm.title = xstrdup(title);
	fs->fm.n = n;
	for (size_t i = 0; i < n; i++) {
		fs->fm.f[i].label = xstrdup(labels[i]);
		fs->fm.f[i].hint = hints ? xstrdup(hints[i]) : NULL;
		input_set(&fs->fm.f[i].in, initial && initial[i] ? initial[i] : "");
	}
	fs->fm.validate = validate;
	fs->fm.ud = ud;
	fs->done = done;
	tui_push(t, &form_ops, fs);
}
