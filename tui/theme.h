/* tui/theme.h - colour roles and theme files (themes/NAME.yaml).
 *
 * Views ask for roles, never colours.  Each role has a colour pair (from the
 * theme) and a monochrome attribute used when colours are off (NO_COLOR,
 * --no-color, a terminal without colours, or the mono theme).  The letter is
 * used in screen dumps (tests): one letter per role. */
#ifndef RELCON_TUI_THEME_H
#define RELCON_TUI_THEME_H

#include "core/buf.h"

/* _(NAME, letter, yaml_key) */
#define ROLE_INFO(_)                                                                                                   \
	_(NORMAL, '.', "normal")                                                                                       \
	_(TITLE, 'T', "title")                                                                                         \
	_(HEADER, 'H', "header")                                                                                       \
	_(COLUMN_HEADER, 'C', "column_header")                                                                         \
	_(ROW_SELECTED, 'S', "row_selected")                                                                           \
	_(DIM, 'd', "dim")                                                                                             \
	_(STATUS, 's', "status")                                                                                       \
	_(STATUS_ERROR, 'E', "status_error")                                                                           \
	_(STATUS_STALE, 'e', "status_stale")                                                                           \
	_(KEY, 'K', "key")                                                                                             \
	_(FILTER, 'F', "filter")                                                                                       \
	_(STATE_PASSED, 'p', "state_passed")                                                                           \
	_(STATE_FAILED, 'f', "state_failed")                                                                           \
	_(STATE_RUNNING, 'r', "state_running")                                                                         \
	_(STATE_BLOCKED, 'b', "state_blocked")                                                                         \
	_(STATE_UNBLOCKED, 'u', "state_unblocked")                                                                     \
	_(STATE_CANCELED, 'c', "state_canceled")                                                                       \
	_(STATE_PENDING, 'w', "state_pending")                                                                         \
	_(DANGER, 'D', "danger")                                                                                       \
	_(WARNING, 'W', "warning")                                                                                     \
	_(BANNER_SANDBOX, 'B', "banner_sandbox")                                                                       \
	_(BANNER_PROD, 'P', "banner_prod")                                                                             \
	_(DIALOG, 'G', "dialog")                                                                                       \
	_(BUTTON, 'N', "button")                                                                                       \
	_(BUTTON_FOCUS, 'O', "button_focus")                                                                           \
	_(INPUT, 'I', "input")

enum role {
#define ROLE_ENUM(name, letter, key) ROLE_##name,
	ROLE_INFO(ROLE_ENUM)
#undef ROLE_ENUM
		ROLE_COUNT
};

/* One role's style.  Colours: -1 = the terminal's default, 0..255 = colour
 * index.  attrs/mono_attrs are THEME_A_* bits. */
enum { THEME_A_BOLD = 1, THEME_A_REVERSE = 2, THEME_A_UNDERLINE = 4, THEME_A_DIM = 8, THEME_A_ITALIC = 16 };

struct role_style {
	short fg, bg;
	unsigned attrs;      /* used with colours */
	unsigned mono_attrs; /* used without colours */
};

struct theme {
	char *name; /* owned */
	int mono;   /* 1: the theme itself asks for no colours */
	struct role_style roles[ROLE_COUNT];
};

/* Load theme file `path`.  Format:
 *   name: light
 *   mono: false                 # optional
 *   palette:                    # optional: named colours
 *     accent: 33                # 0..255, or a base name: black red green
 *                               # yellow blue magenta cyan white, bright-<name>,
 *                               # or "default"
 *   roles:
 *     row_selected: { fg: white, bg: accent, attrs: [bold], mono: [reverse] }
 * Every role must be present (an error names the missing one); fg/bg may
 * name a palette entry or a colour directly and default to "default";
 * attrs and mono are lists of bold, reverse, underline, dim, italic (mono
 * defaults to attrs).  Optional top-level `description:` is ignored; name
 * defaults to the file name without .yaml.  Returns 0, or -1 with err
 * "PATH:LINE: roles.KEY: message".  th must be freed with theme_free. */
int theme_load_file(struct theme *th, const char *path, struct buf *err);

/* Find theme NAME (the file NAME.yaml) in the search path, first match wins:
 *   $RELCON_THEMES_DIR, config_dir()/themes, RELCON_DATADIR/themes
 *   (compile-time define, default /usr/local/share/relcon), and beside the
 *   running executable: DIR/themes and DIR/../share/relcon/themes.
 * A NAME containing '/' is loaded as a path.  Returns 0, or -1 with err
 * naming every directory tried (or the file's own error when it was found
 * but is invalid).  th must be freed with theme_free either way. */
int theme_load(struct theme *th, const char *name, struct buf *err);

/* Fit the theme's colours to a terminal with `colors` colours (ncurses'
 * COLORS): indexes the terminal lacks become the nearest of its first 16
 * (or 8) by xterm's standard RGB values, and a foreground that would then
 * equal its background is replaced so text stays readable.  colors >= 256
 * or < 8 leaves the theme as it is. */
void theme_fit(struct theme *th, int colors);

/* List the names (without .yaml) of the themes found on the search path,
 * sorted, duplicates removed; caller frees each and the array. */
char **theme_list(size_t *n);

void theme_free(struct theme *th);

/* Role metadata. */
const char *role_key(enum role r);
char role_letter(enum role r);

#endif
