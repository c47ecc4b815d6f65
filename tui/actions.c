#include "tui/actions.h"

#include <curses.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/config.h"
#include "core/fileio.h"
#include "core/sanitize.h"
#include "tui/keys.h"

static const struct {
	const char *name, *desc;
	enum action_group group;
	unsigned flags;
} info[ACTION_COUNT] = {[ACTION_NONE] = {"none", "", GROUP_GLOBAL, 0},
#define ACTION_ROW(e, n, d, g, f) [ACTION_##e] = {n, d, g, f},
			ACTION_INFO(ACTION_ROW)
#undef ACTION_ROW
};

/* The default keymap: key names, parsed once by the same code that prints them. */
static const struct {
	const char *key;
	enum action action;
} defaults[] = {
	{"q", ACTION_QUIT},
	{"Q", ACTION_QUIT_ALL},
	{"?", ACTION_HELP},
	{"<F1>", ACTION_HELP},
	{":", ACTION_PALETTE},
	{"r", ACTION_REFRESH},
	{"<C-r>", ACTION_REFRESH},
	{"<C-l>", ACTION_REDRAW},
	{"T", ACTION_THEME_NEXT},
	{"k", ACTION_MOVE_UP},
	{"<Up>", ACTION_MOVE_UP},
	{"j", ACTION_MOVE_DOWN},
	{"<Down>", ACTION_MOVE_DOWN},
	{"<PgUp>", ACTION_PAGE_UP},
	{"<C-b>", ACTION_PAGE_UP},
	{"<PgDn>", ACTION_PAGE_DOWN},
	{"<C-f>", ACTION_PAGE_DOWN},
	{"g", ACTION_MOVE_TOP},
	{"<Home>", ACTION_MOVE_TOP},
	{"G", ACTION_MOVE_BOTTOM},
	{"<End>", ACTION_MOVE_BOTTOM},
	{"<Enter>", ACTION_OPEN},
	{"<Esc>", ACTION_BACK},
	{"<Left>", ACTION_BACK},
	{"/", ACTION_FILTER},
	{"S", ACTION_SORT_NEXT},
	{"I", ACTION_SORT_REVERSE},
	{"<Tab>", ACTION_PANE_NEXT},
	{"m", ACTION_BRANCH_MAIN},
	{"B", ACTION_BRANCH_PICK},
	{"P", ACTION_RELEASES},
	{"i", ACTION_IMAGES},
	{"X", ACTION_STACKS},
	{"f", ACTION_SCOPE_NEXT},
	{"s", ACTION_SSH},
	{"D", ACTION_TEARDOWN},
	{"L", ACTION_LAUNCH},
	{"e", ACTION_EDIT},
	{"<Space>", ACTION_TAG},
	{"E", ACTION_TAG_EXPIRED},
	{"A", ACTION_AUDIT},
	{"b", ACTION_UNBLOCK_BUILD},
	{"a", ACTION_PROMOTE_ALPHA},
	{"R", ACTION_PROMOTE_RELEASE},
	{"y", ACTION_COPY},
	{"o", ACTION_OPEN_BROWSER},
	{"@", ACTION_COMMAND_LOG},
};
#define NDEFAULTS (sizeof defaults / sizeof defaults[0])

/* A keymap: key -> action pairs in the order help lists an action's keys
 * (the defaults' order, then the keymap file's). */
struct binding {
	int key;
	enum action action;
};
struct keymap {
	struct binding *v;
	size_t n, cap;
};

/* The effective keymap; filled with the defaults on first use. */
static struct keymap active;
static int active_ready;

static void km_add(struct keymap *km, int key, enum action a)
{
	if (km->n == km->cap) {
		km->cap = km->cap ? km->cap * 2 : 64;
		km->v = xrealloc(km->v, km->cap * sizeof *km->v);
	}
	km->v[km->n++] = (struct binding){key, a};
}

/* Remove every binding of key; returns how many there were. */
static size_t km_remove(struct keymap *km, int key)
{
	size_t out = 0, removed = 0;
	for (size_t i = 0; i < km->n; i++) {
		if (km->v[i].key == key)
			removed++;
		else
			km->v[out++] = km->v[i];
	}
	km->n = out;
	return removed;
}

static void km_defaults(struct keymap *km)
{
	km->n = 0;
	for (size_t i = 0; i < NDEFAULTS; i++) {
		const char *s = defaults[i].key;
		int k = key_parse(&s);
		if (k > 0)
			km_add(km, k, defaults[i].action);
	}
}

static const struct keymap *keymap(void)
{
	if (!active_ready) {
		km_defaults(&active);
		active_ready = 1;
	}
	return &active;
}

void keymap_reset(void)
{
	km_defaults(&active);
	active_ready = 1;
}

/* ---- keymap files ---- */

#define MAX_TOKENS 8

/* Split line (modified in place) at blanks; a token starting with "#" after
 * the first ends the line, as does a "#" starting the first. */
static size_t tokenize(char *line, char **tok)
{
	size_t n = 0;
	char *p = line;
	while (n < MAX_TOKENS) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || (*p == '#' && (n == 0 || n >= 2)))
			break;
		tok[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = '\0';
	}
	return n;
}

/* One key from a keymap token, or -1 with why. */
static int token_key(const char *tok, struct buf *why)
{
	const char *p = tok;
	int k = key_parse(&p);
	if (k < 0) {
		char *clean = sanitize_str(tok, SANITIZE_ONE_LINE);
		if (*tok == '<')
			buf_printf(why,
				   "unknown key %s (keys are written as in `relcon keys`: x, <C-d>, <Space>, <F2>)",
				   clean);
		else
			buf_printf(why, "\"%s\" is not a key (write keys as x, <Enter>, <C-x>)", clean);
		free(clean);
		return -1;
	}
	if (*p) {
		char *clean = sanitize_str(tok, SANITIZE_ONE_LINE);
		buf_printf(why, "\"%s\" is more than one key (one key per line; write \"<\" as <lt>)", clean);
		free(clean);
		return -1;
	}
	if (k == KEY_OFFSET + KEY_RESIZE || k == KEY_OFFSET + KEY_MOUSE) {
		buf_printf(why, "%s cannot be bound", tok);
		return -1;
	}
	return k;
}

/* Where each key was named in the file, for conflicts. */
struct mention {
	int key;
	size_t line;
	int bind;
};

static int apply_line(struct keymap *km, char *line, struct mention **seen, size_t *nseen, size_t lineno,
		      struct buf *why)
{
	char *tok[MAX_TOKENS];
	size_t n = tokenize(line, tok);
	if (!n)
		return 0;
	int bind = !strcmp(tok[0], "bind");
	if (!bind && strcmp(tok[0], "unbind") != 0) {
		char *clean = sanitize_str(tok[0], SANITIZE_ONE_LINE);
		buf_printf(why, "unknown command \"%s\" (a line is: bind KEY ACTION, unbind KEY, or a # comment)",
			   clean);
		free(clean);
		return -1;
	}
	size_t want = bind ? 3 : 2;
	if (n < want) {
		buf_adds(why,
			 bind ? "bind needs a key and an action: bind KEY ACTION" : "unbind needs a key: unbind KEY");
		return -1;
	}
	if (n > want) {
		char *clean = sanitize_str(tok[want], SANITIZE_ONE_LINE);
		buf_printf(why, "unexpected \"%s\" after %s (comments start with #)", clean,
			   bind ? "the action" : "the key");
		free(clean);
		return -1;
	}
	int key = token_key(tok[1], why);
	if (key < 0)
		return -1;
	enum action a = ACTION_NONE;
	if (bind) {
		a = action_by_name(tok[2]);
		if (a == ACTION_NONE) {
			char *clean = sanitize_str(tok[2], SANITIZE_ONE_LINE);
			buf_printf(why, "unknown action \"%s\" (`relcon keys` lists them)", clean);
			free(clean);
			return -1;
		}
	}
	for (size_t i = 0; i < *nseen; i++) {
		if ((*seen)[i].key != key)
			continue;
		struct buf name = {0};
		key_format(key, &name);
		buf_printf(why, "%s is already %s on line %zu", buf_str(&name), (*seen)[i].bind ? "bound" : "unbound",
			   (*seen)[i].line);
		buf_free(&name);
		return -1;
	}
	*seen = xrealloc(*seen, (*nseen + 1) * sizeof **seen);
	(*seen)[(*nseen)++] = (struct mention){key, lineno, bind};
	/* A key bound by default to another action leaves it: that is the point
	 * of binding it; the old action keeps its other keys. */
	size_t had = km_remove(km, key);
	if (bind) {
		km_add(km, key, a);
	} else if (!had) {
		struct buf name = {0};
		key_format(key, &name);
		buf_printf(why, "%s is not bound (nothing to unbind)", buf_str(&name));
		buf_free(&name);
		return -1;
	}
	return 0;
}

int keymap_load_text(const char *text, const char *name, struct buf *err)
{
	struct keymap km = {0};
	km_defaults(&km);
	struct mention *seen = NULL;
	size_t nseen = 0, lineno = 0;
	int rc = 0;
	const char *p = text ? text : "";
	while (*p && rc == 0) {
		size_t len = strcspn(p, "\n");
		char *line = xstrndup(p, len);
		if (len && line[len - 1] == '\r')
			line[len - 1] = '\0';
		lineno++;
		struct buf why = {0};
		if (apply_line(&km, line, &seen, &nseen, lineno, &why) < 0) {
			buf_printf(err, "%s:%zu: %s", name, lineno, buf_str(&why));
			rc = -1;
		}
		buf_free(&why);
		free(line);
		p += len;
		if (*p)
			p++;
	}
	free(seen);
	if (rc < 0) {
		free(km.v);
		return -1;
	}
	free(active.v);
	active = km;
	active_ready = 1;
	return 0;
}

char *keymap_path(void)
{
	const char *env = getenv("RELCON_KEYMAP");
	if (env && *env)
		return xstrdup(env);
	char *dir = config_dir();
	struct buf b = {0};
	buf_printf(&b, "%s/keymap", dir);
	free(dir);
	return buf_steal(&b);
}

/* A keymap is a few lines; anything this large is not one. */
#define KEYMAP_MAX (1u << 20)

int keymap_load(const char *path, struct buf *err)
{
	const char *env = getenv("RELCON_KEYMAP");
	int must_exist = (path && *path) || (env && *env);
	char *p = path && *path ? xstrdup(path) : keymap_path();
	struct buf text = {0}, e = {0};
	int rc;
	if (file_read(p, KEYMAP_MAX, &text, &e) < 0) {
		if (errno == ENOENT && !must_exist) {
			buf_free(&e);
			free(p);
			keymap_reset();
			return 0;
		}
		buf_printf(err, "keymap %s", buf_str(&e)); /* "keymap PATH: why" */
		rc = -1;
	} else if (memchr(buf_str(&text), '\0', text.len)) {
		buf_printf(err, "%s: not a text file (a NUL byte)", p);
		rc = -1;
	} else {
		rc = keymap_load_text(buf_str(&text), p, err);
	}
	buf_free(&text);
	buf_free(&e);
	free(p);
	return rc;
}

const char *action_name(enum action a)
{
	return a < ACTION_COUNT ? info[a].name : "none";
}

const char *action_description(enum action a)
{
	return a < ACTION_COUNT ? info[a].desc : "";
}

enum action_group action_group(enum action a)
{
	return a < ACTION_COUNT ? info[a].group : GROUP_GLOBAL;
}

unsigned action_flags(enum action a)
{
	return a < ACTION_COUNT ? info[a].flags : 0;
}

const char *action_group_title(enum action_group g)
{
	static const char *const titles[GROUP_COUNT] = {"Global", "Moving around", "Lists", "Builds", "Stacks"};
	return g < GROUP_COUNT ? titles[g] : "";
}

enum action action_by_name(const char *name)
{
	for (int a = 1; a < ACTION_COUNT; a++)
		if (!strcmp(info[a].name, name))
			return (enum action)a;
	return ACTION_NONE;
}

enum action keymap_lookup(int key)
{
	const struct keymap *km = keymap();
	for (size_t i = 0; i < km->n; i++)
		if (km->v[i].key == key)
			return km->v[i].action;
	return ACTION_NONE;
}

void keymap_keys(enum action a, struct buf *out)
{
	const struct keymap *km = keymap();
	int first = 1;
	for (size_t i = 0; i < km->n; i++) {
		if (km->v[i].action != a)
			continue;
		if (!first)
			buf_addc(out, ' ');
		key_format(km->v[i].key, out);
		first = 0;
	}
}

int keymap_key(enum action a)
{
	const struct keymap *km = keymap();
	for (size_t i = 0; i < km->n; i++)
		if (km->v[i].action == a)
			return km->v[i].key;
	return 0;
}

void keymap_print(FILE *out)
{
	fprintf(out, "| keys | command | what it does |\n|---|---|---|\n");
	for (int g = 0; g < GROUP_COUNT; g++) {
		fprintf(out, "| **%s** | | |\n", action_group_title((enum action_group)g));
		for (int a = 1; a < ACTION_COUNT; a++) {
			if (info[a].group != (enum action_group)g)
				continue;
			struct buf k = {0};
			keymap_keys((enum action)a, &k);
			fprintf(out, "| `%s` | %s | %s |\n", k.len ? buf_str(&k) : "(palette)", info[a].name,
				info[a].desc);
			buf_free(&k);
		}
	}
}
