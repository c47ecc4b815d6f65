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

/* views/promote.c: the confirmation screen of a block step (enum
 * promote_kind), and R's release-name form before it. */
void promote_open(struct tui *t, int kind, long number, const char *release_name);
void promote_release_open(struct tui *t, long number);
/* The block-step actions (b, a, R) on build number: opens the right screen.
 * Returns 1 when a was one of them. */
int promote_action(struct tui *t, int a, long number);

/* Role for a build or job state (views/common.c). */
enum role view_state_role(const char *state);

#endif
