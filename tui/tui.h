/* tui/tui.h - the terminal UI: one owner of the terminal, a stack of
 * screens, the header and status bar, the main loop glue, and scripted
 * runs for tests.
 *
 * A screen is a const table of operations (struct screen_ops) plus its own
 * state.  Modal screens (confirm, form, palette, prompt) are pushed on the
 * same stack and drawn over the screen below, so network callbacks keep
 * flowing while a dialog is open.  Screens never call curses directly:
 * they draw through the helpers below (rows in the body area) so the same
 * code is exercised by the screen-dump tests. */
#ifndef RELCON_TUI_TUI_H
#define RELCON_TUI_TUI_H

#include <stddef.h>

#include "core/buf.h"
#include "tui/actions.h"
#include "tui/theme.h"

struct context;
struct tui;
struct screen;

enum handled { NOT_HANDLED = 0, HANDLED = 1 };

struct screen_ops {
	const char *name;
	int modal; /* drawn over the screen below; gets keys first */
	/* Draw the body rows [y, y + h) of width w. */
	void (*draw)(struct screen *s, struct tui *t, int y, int h, int w);
	/* A raw key, before the keymap (text input); return HANDLED to stop. */
	enum handled (*key)(struct screen *s, struct tui *t, int key);
	/* An action from the keymap or palette. */
	enum handled (*action)(struct screen *s, struct tui *t, enum action a);
	/* A palette command not in the action table ("branch main"). */
	enum handled (*command)(struct screen *s, struct tui *t, const char *cmd, const char *arg);
	/* Store topics changed (enum store_topic bits). */
	void (*changed)(struct screen *s, struct tui *t, unsigned topics);
	/* Title for the header line (append to out). */
	void (*title)(struct screen *s, struct buf *out);
	/* Free the screen's state (s->data) — the screen itself is freed by tui. */
	void (*free)(struct screen *s);
	/* What is selected, for y (copy) and o (open in the browser): append
	 * it to text (one line, as a user would paste it) and what it is to
	 * what ("URL", "AMI id", "stack name", "SSH route"); return 1, or 0
	 * when nothing is selected.  Optional. */
	int (*selection)(struct screen *s, struct buf *text, struct buf *what);
};

struct screen {
	const struct screen_ops *ops;
	void *data;
};

/* ---- running -------------------------------------------------------------- */

/* The screens the toolkit itself opens, supplied by views/ (tui/ does not
 * know them): the first screen and the help screen. */
struct tui_app {
	void (*open_home)(struct tui *t);
	void (*open_help)(struct tui *t);
	/* Actions no screen handled that open a screen from anywhere (the
	 * stacks, releases, images and audit screens); optional. */
	enum handled (*global)(struct tui *t, enum action a);
};

/* Run the TUI until the user quits.  Opens /dev/tty (or, with
 * RELCON_NO_DISPLAY=1, draws to /dev/null for scripted tests driven by
 * RELCON_SCRIPT), loads the theme, opens the home screen and runs the loop.
 * Returns an exit code (0, or 2 for a terminal or script error), or
 * 128 + N when signal N (SIGTERM, SIGINT, SIGHUP) ended it: the caller
 * cleans up, then ends by the signal (main.c).  The terminal is restored on
 * every path.  Errors go to stderr. */
int tui_run(struct context *ctx, const struct tui_app *app, int no_color);

/* ---- screens ---------------------------------------------------------------- */

/* Push a new screen (takes ownership of data through ops->free). */
struct screen *tui_push(struct tui *t, const struct screen_ops *ops, void *data);
/* Pop and free the top screen; quits when the stack becomes empty. */
void tui_pop(struct tui *t);
/* Pop a specific screen (a modal closing itself). */
void tui_close(struct tui *t, struct screen *s);
void tui_quit(struct tui *t);
struct context *tui_context(struct tui *t);
/* Ask for a redraw at the next loop turn. */
void tui_dirty(struct tui *t);

/* Show a message in the status bar (sanitized; is_error colours it). */
void tui_message(struct tui *t, int is_error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* tui_message "head: text" for text that must be seen whole, to be
 * selected with the mouse (a URL that was copied): when the status line
 * cuts it, the whole text also shows on the rows just above, until the
 * message goes (any key). */
void tui_message_full(struct tui *t, int is_error, const char *head, const char *text);
/* A long operation has ended: ring the bell and, as ui.notify says, send
 * a desktop notification (OSC 9 or OSC 777) saying message (untrusted:
 * sanitized; "alice-super CREATE_COMPLETE").  Logged too. */
void tui_bell(struct tui *t, const char *message);

/* Run a palette command line ("theme light", "help", "branch main").
 * Returns HANDLED, or NOT_HANDLED after showing an error. */
enum handled tui_command(struct tui *t, const char *line);
/* Candidates for completing the palette line (caller frees each and the
 * array): command names, or arguments for theme and branch. */
char **tui_complete(struct tui *t, const char *line, size_t *n);

/* Hand the terminal to a child process (ssh) and take it back: the screen
 * is restored and redrawn after. */
void tui_suspend(struct tui *t);
void tui_resume(struct tui *t);

/* Themes */
int tui_set_theme(struct tui *t, const char *name, struct buf *err);
const char *tui_theme_name(const struct tui *t);

/* ---- drawing (body area) ------------------------------------------------------ */

/* Fill row y from column x for w columns with role's background. */
void tui_fill(struct tui *t, int y, int x, int w, enum role r);
/* Draw untrusted UTF-8 text at (y, x) in at most w columns (it is
 * sanitized here, one line, cut with "…" when too wide; wide characters
 * never split).  Returns the columns used. */
int tui_text(struct tui *t, int y, int x, int w, enum role r, const char *text);
/* Display width of UTF-8 text after sanitizing (one line). */
int tui_text_width(const char *text);
/* Place the visible cursor (text input) or hide it (y < 0). */
void tui_cursor(struct tui *t, int y, int x);
/* Screen size. */
int tui_lines(const struct tui *t);
int tui_cols(const struct tui *t);
/* Whether colours are in use. */
int tui_has_color(const struct tui *t);

/* ---- mouse (ui.mouse: 1) -------------------------------------------------------- */

enum tui_mouse { TUI_MOUSE_CLICK, TUI_MOUSE_WHEEL_UP, TUI_MOUSE_WHEEL_DOWN };
/* What a click or wheel turn inside a region does; row and col are relative
 * to the region's top left.  Return HANDLED when it did something. */
typedef enum handled (*tui_mouse_fn)(void *ud, enum tui_mouse ev, int row, int col);
/* Called while drawing (tables do): rows [y, y + h) and columns [x, x + w)
 * of the screen being drawn answer the mouse through fn(ud, ...) until the
 * next draw.  Only the top screen's regions get events; a wheel turn
 * outside them moves the top screen as three move-up/move-down would. */
void tui_mouse_region(struct tui *t, int y, int x, int h, int w, tui_mouse_fn fn, void *ud);

#endif
