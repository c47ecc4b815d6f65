/* tui/dialog.h - modal confirm dialog and text form.
 *
 * Both are screens pushed on the stack (network callbacks keep flowing
 * while they are open).  Their key handling is a plain state machine
 * (confirm_feed / form_feed) so it is unit-tested without a terminal.
 *
 * Confirm defaults to Cancel.  With `typed` set, the operator must type that
 * exact text (a stack or release name) before Confirm can be chosen; any
 * other key press only explains what is expected. */
#ifndef RELCON_TUI_DIALOG_H
#define RELCON_TUI_DIALOG_H

#include <stddef.h>

#include "tui/input.h"

struct tui;

enum dialog_result { DIALOG_PENDING, DIALOG_ACCEPTED, DIALOG_CANCELLED };

struct confirm {
	char *title;
	char **lines; /* body (untrusted text is fine: drawn sanitized) */
	size_t nlines;
	char *confirm_label; /* "Unblock", "Delete stack" */
	char *typed;         /* NULL, or the text that must be typed */
	int danger;          /* draw the confirm button in the danger role */
	int focus;           /* 0 = Cancel, 1 = Confirm */
	struct input in;     /* the typed text */
	char *hint;          /* what the last wrong key press should have been */
};

/* Feed one key.  Tab/Left/Right move focus, Enter activates the focused
 * button, Esc/q (when not typing) cancel.  Confirm is refused while the typed
 * text does not match (the hint says so). */
enum dialog_result confirm_feed(struct confirm *c, int key);
void confirm_free(struct confirm *c);

/* Open a confirm dialog; done(ud, accepted) is called exactly once.  The
 * lines are copied. */
void confirm_open(struct tui *t, const char *title, const char *const *lines, size_t nlines, const char *confirm_label,
		  const char *typed, int danger, void (*done)(void *ud, int accepted), void *ud);

#define FORM_MAX_FIELDS 24

struct form_field {
	char *label;
	char *hint; /* shown under the field, may be NULL */
	struct input in;
	char *error; /* from validation, NULL when fine */
};

struct form {
	char *title;
	struct form_field f[FORM_MAX_FIELDS];
	size_t n;
	size_t focus; /* 0..n-1 fields, n = Submit, n+1 = Cancel */
	/* Returns NULL when value is fine, else a malloc'd message. */
	char *(*validate)(void *ud, size_t field, const char *value);
	void *ud;
};

/* Feed one key: Tab/Down/Up move between fields and buttons, Enter on a
 * field moves to the next (submits from the last), Enter on Submit
 * validates every field (focus goes to the first bad one) and accepts when
 * all are fine; Esc cancels. */
enum dialog_result form_feed(struct form *fm, int key);
void form_free(struct form *fm);

/* Open a form with labels[i], initial[i] (may be NULL), hints[i] (may be
 * NULL).  done(ud, values, accepted) gets the values (borrowed for the
 * call) exactly once. */
void form_open(struct tui *t, const char *title, size_t n, const char *const *labels, const char *const *initial,
	       const char *const *hints, char *(*validate)(void *ud, size_t field, const char *value),
	       void (*done)(void *ud, const char *const *values, int accepted), void *ud);

#endif
