#include "tui/palette.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "tui/input.h"
#include "tui/keys.h"
#include "tui/tui.h"

struct prompt {
	char *label;
	struct input in;
	int palette;
	void (*on_change)(void *ud, const char *text);
	void (*on_done)(void *ud, const char *text, int accepted);
	void *ud;
	/* completion */
	char **cands;
	size_t ncands, cand;
	char *hint;
};

static char *history[32];
static size_t nhistory;

static void free_cands(struct prompt *p)
{
	for (size_t i = 0; i < p->ncands; i++)
		free(p->cands[i]);
	free(p->cands);
	p->cands = NULL;
	p->ncands = p->cand = 0;
}

static void prompt_draw(struct screen *s, struct tui *t, int y, int h, int w)
{
	struct prompt *p = s->data;
	/* The prompt takes the last body row, just above the status bar. */
	int row = y + h - 1;
	tui_fill(t, row, 0, w, ROLE_INPUT);
	int x = tui_text(t, row, 0, w, ROLE_FILTER, p->label);
	int used = tui_text(t, row, x, w - x - 1, ROLE_INPUT, buf_str(&p->in.text));
	(void)used;
	if (p->hint && p->ncands > 1) {
		int hx = x + tui_text_width(buf_str(&p->in.text)) + 2;
		if (hx < w)
			tui_text(t, row, hx, w - hx, ROLE_DIM, p->hint);
	}
	tui_cursor(t, row, x + input_cursor_col(&p->in));
}

static void finish(struct screen *s, struct tui *t, int accepted)
{
	struct prompt *p = s->data;
	char *text = xstrdup(buf_str(&p->in.text));
	int palette = p->palette;
	void (*done)(void *, const char *, int) = p->on_done;
	void *ud = p->ud;
	tui_close(t, s); /* frees p */
	if (palette) {
		if (accepted && *text) {
			if (nhistory == sizeof history / sizeof history[0]) {
				free(history[0]);
				memmove(history, history + 1, (nhistory - 1) * sizeof *history);
				nhistory--;
			}
			history[nhistory++] = xstrdup(text);
			tui_command(t, text);
		}
	} else if (done) {
		done(ud, text, accepted);
	}
	free(text);
}

static void complete(struct prompt *p, struct tui *t)
{
	if (!p->ncands) {
		p->cands = tui_complete(t, buf_str(&p->in.text), &p->ncands);
		p->cand = 0;
		if (!p->ncands)
			return;
		/* Extend to the longest common prefix first. */
		size_t common = strlen(p->cands[0]);
		for (size_t i = 1; i < p->ncands; i++) {
			size_t k = 0;
			while (k < common && p->cands[i][k] == p->cands[0][k])
				k++;
			common = k;
		}
		if (p->ncands == 1) {
			struct buf b = {0};
			buf_printf(&b, "%s ", p->cands[0]);
			input_set(&p->in, buf_str(&b));
			buf_free(&b);
			free_cands(p);
			return;
		}
		if (common > p->in.text.len) {
			struct buf b = {0};
			buf_add(&b, p->cands[0], common);
			input_set(&p->in, buf_str(&b));
			buf_free(&b);
		}
		struct buf h = {0};
		for (size_t i = 0; i < p->ncands && h.len < 200; i++)
			buf_printf(&h, "%s%s", i ? "  " : "", p->cands[i]);
		free(p->hint);
		p->hint = buf_steal(&h);
		return;
	}
	/* Tab again cycles through the candidates. */
	input_set(&p->in, p->cands[p->cand]);
	p->cand = (p->cand + 1) % p->ncands;
}

static enum handled prompt_key(struct screen *s, struct tui *t, int key)
{
	struct prompt *p = s->data;
	if (key == '\r' || key == '\n' || key == KEY_OFFSET + KEY_ENTER) {
		finish(s, t, 1);
		return HANDLED;
	}
	if (key == 0x1b || key == 0x07) {
		finish(s, t, 0);
		return HANDLED;
	}
	if (p->palette && key == '\t') {
		complete(p, t);
		return HANDLED;
	}
	if (p->palette && (key == KEY_OFFSET + KEY_UP || key == KEY_OFFSET + KEY_DOWN) && nhistory) {
		/* Walk the history: find the current line, step from it. */
		size_t at = nhistory;
		for (size_t i = 0; i < nhistory; i++)
			if (!strcmp(history[i], buf_str(&p->in.text)))
				at = i;
		if (key == KEY_OFFSET + KEY_UP)
			at = at ? at - 1 : 0;
		else
			at = at + 1 < nhistory ? at + 1 : nhistory - 1;
		input_set(&p->in, history[at]);
		return HANDLED;
	}
	if (key == KEY_OFFSET + KEY_BACKSPACE && !p->in.text.len && p->palette) {
		finish(s, t, 0);
		return HANDLED;
	}
	if (input_key(&p->in, key)) {
		free_cands(p);
		free(p->hint);
		p->hint = NULL;
		if (p->on_change)
			p->on_change(p->ud, buf_str(&p->in.text));
	}
	/* Everything else is swallowed: a prompt is modal. */
	return HANDLED;
}

static void prompt_free(struct screen *s)
{
	struct prompt *p = s->data;
	free_cands(p);
	free(p->hint);
	free(p->label);
	input_free(&p->in);
	free(p);
}

static const struct screen_ops prompt_ops = {
	.name = "prompt",
	.modal = 1,
	.draw = prompt_draw,
	.key = prompt_key,
	.free = prompt_free,
};

static struct prompt *prompt_new(const char *label, const char *initial)
{
	struct prompt *p = xcalloc(1, sizeof *p);
	p->label = xstrdup(label);
	input_set(&p->in, initial ? initial : "");
	return p;
}

void palette_open(struct tui *t)
{
	struct prompt *p = prompt_new(":", "");
	p->palette = 1;
	tui_push(t, &prompt_ops, p);
}

void prompt_open(struct tui *t, const char *label, const char *initial, void (*on_change)(void *ud, const char *text),
		 void (*on_done)(void *ud, const char *text, int accepted), void *ud)
{
	struct prompt *p = prompt_new(label, initial);
	p->on_change = on_change;
	p->on_done = on_done;
	p->ud = ud;
	tui_push(t, &prompt_ops, p);
}
