/* tui/actions.h - the one table of user actions.
 *
 * ACTION_INFO generates the enum, the names used by the palette and the
 * keymap, the help screen and the README key table (`relcon keys`).  Keys
 * are bound in tui/actions.c's default keymap, which the same code prints. */
#ifndef RELCON_TUI_ACTIONS_H
#define RELCON_TUI_ACTIONS_H

#include <stddef.h>
#include <stdio.h>

enum action_group { GROUP_GLOBAL, GROUP_NAV, GROUP_LIST, GROUP_BUILDS, GROUP_STACKS, GROUP_COUNT };

/* Flags: ACTION_MUTATING actions change the outside world; read-only mode
 * greys them out and release/ refuses them. */
enum { ACTION_MUTATING = 1 };

/* _(ENUM, "name", "description", group, flags) */
#define ACTION_INFO(_)                                                                                                 \
	_(QUIT, "quit", "Close this screen; quit on the last one", GROUP_GLOBAL, 0)                                    \
	_(QUIT_ALL, "quit-all", "Quit relcon", GROUP_GLOBAL, 0)                                                        \
	_(HELP, "help", "Show keys and commands", GROUP_GLOBAL, 0)                                                     \
	_(PALETTE, "palette", "Open the command palette", GROUP_GLOBAL, 0)                                             \
	_(REFRESH, "refresh", "Refresh now", GROUP_GLOBAL, 0)                                                          \
	_(REDRAW, "redraw", "Redraw the whole screen", GROUP_GLOBAL, 0)                                                \
	_(THEME_NEXT, "theme-next", "Switch to the next theme", GROUP_GLOBAL, 0)                                       \
	_(AUDIT, "audit", "The audit journal: every mutating action, newest first", GROUP_GLOBAL, 0)                   \
	_(COPY, "copy", "Copy the selected URL, AMI id, stack name or SSH route (OSC 52)", GROUP_GLOBAL, 0)            \
	_(OPEN_BROWSER, "open-browser", "Open the selected URL in the browser (the URL is shown too)", GROUP_GLOBAL,   \
	  0)                                                                                                           \
	_(COMMAND_LOG, "command-log", "Every request and action as the equivalent aws, bk or curl command",            \
	  GROUP_GLOBAL, 0)                                                                                             \
	_(MOVE_UP, "move-up", "Move up", GROUP_NAV, 0)                                                                 \
	_(MOVE_DOWN, "move-down", "Move down", GROUP_NAV, 0)                                                           \
	_(PAGE_UP, "page-up", "Move one page up", GROUP_NAV, 0)                                                        \
	_(PAGE_DOWN, "page-down", "Move one page down", GROUP_NAV, 0)                                                  \
	_(MOVE_TOP, "move-top", "Go to the first row", GROUP_NAV, 0)                                                   \
	_(MOVE_BOTTOM, "move-bottom", "Go to the last row", GROUP_NAV, 0)                                              \
	_(OPEN, "open", "Open the selected row", GROUP_NAV, 0)                                                         \
	_(BACK, "back", "Go back (clear the filter first)", GROUP_NAV, 0)                                              \
	_(PANE_NEXT, "pane-next", "Show the next section of the screen", GROUP_NAV, 0)                                 \
	_(FILTER, "filter", "Filter rows by text", GROUP_LIST, 0)                                                      \
	_(SORT_NEXT, "sort-next", "Sort by the next column", GROUP_LIST, 0)                                            \
	_(SORT_REVERSE, "sort-reverse", "Reverse the sort order", GROUP_LIST, 0)                                       \
	_(BRANCH_MAIN, "branch-main", "Toggle between the main branch and all branches", GROUP_BUILDS, 0)              \
	_(BRANCH_PICK, "branch-pick", "Show builds of one branch", GROUP_BUILDS, 0)                                    \
	_(RELEASES, "releases", "Alpha and named releases in the public bucket", GROUP_BUILDS, 0)                      \
	_(IMAGES, "images", "Every AMI carrying the commit tag, newest first", GROUP_BUILDS, 0)                        \
	_(STACKS, "stacks", "CloudFormation stacks, relcon's first", GROUP_STACKS, 0)                                  \
	_(SCOPE_NEXT, "scope-next", "Stacks: show mine, relcon's, or all", GROUP_STACKS, 0)                            \
	_(SSH, "ssh", "SSH into the stack's monitor host through its bastion", GROUP_STACKS, 0)                        \
	_(TEARDOWN, "teardown", "Delete the stack (type its name to confirm)", GROUP_STACKS, ACTION_MUTATING)          \
	_(LAUNCH, "launch", "Launch a super-stack of the build's commit (a form, then a confirmation)", GROUP_STACKS,  \
	  ACTION_MUTATING)                                                                                             \
	_(EDIT, "edit", "Change the values of the launch", GROUP_STACKS, 0)                                            \
	_(TAG, "tag", "Tag or untag the row (D acts on the tagged rows)", GROUP_LIST, 0)                               \
	_(TAG_EXPIRED, "tag-expired", "Tag every expired stack relcon launched", GROUP_STACKS, 0)                      \
	_(UNBLOCK_BUILD, "unblock-build", "Unblock the build's AMI step (it spends money; a confirmation first)",      \
	  GROUP_BUILDS, ACTION_MUTATING)                                                                               \
	_(PROMOTE_ALPHA, "promote-alpha", "Promote the build to alpha: preflight, plan, confirmation", GROUP_BUILDS,   \
	  ACTION_MUTATING)                                                                                             \
	_(PROMOTE_RELEASE, "promote-release",                                                                          \
	  "Promote a main build to a named release (the name is typed to confirm)", GROUP_BUILDS, ACTION_MUTATING)

enum action {
	ACTION_NONE = 0,
#define ACTION_ENUM(e, name, desc, group, flags) ACTION_##e,
	ACTION_INFO(ACTION_ENUM)
#undef ACTION_ENUM
		ACTION_COUNT
};

const char *action_name(enum action a);
const char *action_description(enum action a);
enum action_group action_group(enum action a);
unsigned action_flags(enum action a);
const char *action_group_title(enum action_group g);
/* ACTION_NONE when unknown. */
enum action action_by_name(const char *name);

/* The keymap: the built-in defaults (tui/actions.c), changed by a keymap
 * file read once at start, before the terminal is touched. */

/* The action bound to key: ACTION_NONE when the key is unbound. */
enum action keymap_lookup(int key);
/* The keys bound to a, as names joined by " " ("j <Down>"), appended to out
 * (nothing when a has no key: the palette still runs it). */
struct buf;
void keymap_keys(enum action a, struct buf *out);
/* The first key bound to a (what a one-key hint shows), or 0 when none. */
int keymap_key(enum action a);
/* Print the key table (Markdown) for README: `relcon keys`.  It shows the
 * keymap in effect, so with no keymap file it is the defaults. */
void keymap_print(FILE *out);

/* Keymap files, one directive a line ("#" starts a comment line, or a
 * comment after a directive's words):
 *   bind KEY ACTION   KEY (one key in tui/keys.h notation: x, <C-d>,
 *                     <Space>, <lt>) now runs ACTION (a name above,
 *                     "page-down"); a key bound by default to another
 *                     action leaves it, and that action keeps its other keys
 *   unbind KEY        KEY does nothing (an error when it was not bound)
 * A key named on two lines is a conflict; an action left without keys is
 * fine.  Both loaders start from the defaults, so loading again replaces
 * the previous file's changes. */

/* Apply keymap text; name is what errors call it (the file's path).
 * Returns 0, or -1 with err "NAME:LINE: what is wrong" and the keymap in
 * effect unchanged. */
int keymap_load_text(const char *text, const char *name, struct buf *err);
/* The keymap file's path (malloc'd): $RELCON_KEYMAP, else
 * $XDG_CONFIG_HOME/relcon/keymap (config_dir()). */
char *keymap_path(void);
/* Load path, or keymap_path() when path is NULL.  A missing default file
 * means the defaults; a missing file named by path or $RELCON_KEYMAP is an
 * error.  Returns 0, or -1 with err ("FILE:LINE: ..." or "FILE: why"). */
int keymap_load(const char *path, struct buf *err);
/* Back to the built-in defaults. */
void keymap_reset(void);

#endif
