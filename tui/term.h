/* tui/term.h - the one owner of the terminal (newterm/endwin).
 *
 * Opens /dev/tty so stdout may be redirected, sets cbreak/noecho/keypad,
 * ESCDELAY 25 ms, hides the cursor, and restores everything on every exit
 * path: term_close(), and a fatal-signal handler (SIGSEGV, SIGBUS, SIGFPE,
 * SIGILL, SIGABRT) that uses only async-signal-safe calls — it writes the
 * saved termios and reset bytes prepared in advance, then re-raises. */
#ifndef RELCON_TUI_TERM_H
#define RELCON_TUI_TERM_H

#include "core/buf.h"
#include "tui/theme.h"

/* Open the terminal.  headless (RELCON_NO_DISPLAY) draws into a virtual
 * screen written to /dev/null, of size $LINES x $COLUMNS (default 24x80),
 * with no input.  Returns 0, or -1 with err ("no terminal: ..."). */
int term_open(int headless, struct buf *err);
/* Restore the terminal (idempotent). */
void term_close(void);
/* Nonzero between term_open and term_close. */
int term_is_open(void);
/* The fd to watch for input, or -1 when headless. */
int term_input_fd(void);

/* Leave curses mode for a child process (ssh, $PAGER) and come back. */
void term_suspend(void);
void term_resume(void);

/* Mouse reporting on (wheel, button 1 presses: KEY_MOUSE then getmouse)
 * or off.  Re-enabled after term_resume; turned off again by the fatal
 * signal handler.  Returns 0, or -1 when the terminal cannot report the
 * mouse (or is headless, or not open). */
int term_mouse(int on);

/* Re-read the window size (after SIGWINCH) and resize curses. */
void term_resize(void);
/* Force a size (scripted tests: "@resize COLS ROWS"). */
void term_resize_to(int cols, int rows);

/* Colours: apply a theme to the colour pairs. use_color = 0 forces the
 * monochrome attributes (NO_COLOR, --no-color, mono theme). */
void term_apply_theme(const struct theme *th, int use_color);
/* Whether the terminal can show colours. */
int term_can_color(void);
/* Curses attributes (attr_t) and pair for a role under the applied theme. */
void term_role_attr(enum role r, unsigned long *attr, short *pair);

/* Send bytes that draw nothing (OSC sequences: clipboard, notifications)
 * to the terminal, after what curses has drawn so far.  The caller builds
 * them from checked input (tui/clip.h).  Headless, they go to /dev/null
 * with the screen.  Returns 0, or -1 when the terminal is not open or the
 * write failed. */
int term_send(const char *bytes, size_t n);

/* Write the screen as text, a blank line, and a grid of role letters (one
 * letter per cell, see ROLE_INFO) to path.  Returns 0 or -1 with err. */
int term_dump(const char *path, struct buf *err);

#endif
