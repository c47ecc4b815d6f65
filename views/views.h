/* views/views.h - the screens, one file each, and the app table handed to
 * tui_run. */
#ifndef RELCON_VIEWS_VIEWS_H
#define RELCON_VIEWS_VIEWS_H

#include "tui/tui.h"

/* The app for tui_run: home = builds, help = help. */
extern const struct tui_app views_app;

void builds_open(struct tui *t);                                  /* views/builds.c */
void build_open(struct tui *t, long number);                      /* views/build.c */
void help_open(struct tui *t);                                    /* views/help.c */
void releases_open(struct tui *t);                                /* views/releases.c */
void images_open(struct tui *t);                                  /* views/images.c */
void stacks_open(struct tui *t);                                  /* views/stacks.c */
void stack_open(struct tui *t, const char *name);                 /* views/stack.c */
void launch_open(struct tui *t, long number, const char *commit); /* views/launch.c */
void audit_view_open(struct tui *t);                              /* views/audit.c */
void cmdlog_view_open(struct tui *t);                             /* views/cmdlog.c */

/* views/promote.c: the confirmation screen of a block step (enum
 * promote_kind), and R's release-name form before it. */
void promote_open(struct tui *t, int kind, long number, const char *release_name);
void promote_release_open(struct tui *t, long number);
/* The block-step actions (b, a, R) on build number: opens the right screen.
 * Returns 1 when a was one of them. */
int promote_action(struct tui *t, int a, long number);

/* views/common.c: a table with the selected row's details below it (all of
 * them when the rows leave room, else at most half of the body) and, after
 * Enter, on the whole body, scrolled by the moves (the audit journal, the
 * command log). */
struct table;
struct detail_pane {
	int expanded; /* the details take the whole body */
	int scroll;   /* first detail line shown when expanded */
	int page;     /* detail lines shown at the last draw */
};
/* Draw the selected row's detail lines [skip, ...) in rows [y, y + h) of
 * width w (nothing when h is 0); return how many lines there are in all,
 * 0 when no row is selected. */
typedef int (*detail_draw_fn)(void *ud, struct tui *t, int y, int h, int w, int skip);
/* Draw body rows [y, y + h): the table with the details under heading, or
 * the details alone while expanded. */
void detail_pane_draw(struct detail_pane *d, struct tui *t, struct table *table, int y, int h, int w,
		      const char *heading, detail_draw_fn fn, void *ud);
/* Enter expands the details (when a row is selected); while expanded the
 * moves scroll them and Enter, Esc and q close them.  NOT_HANDLED for the
 * rest. */
enum handled detail_pane_action(struct detail_pane *d, enum action a, int selected);

/* Role for a build or job state (views/common.c). */
enum role view_state_role(const char *state);

#endif
