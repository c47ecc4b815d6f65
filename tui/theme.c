#include "tui/theme.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/config.h"
#include "core/yamldoc.h"

static const struct {
	const char *key;
	char letter;
} role_info[ROLE_COUNT] = {
#define ROLE_ROW(name, letter, key) [ROLE_##name] = {key, letter},
	ROLE_INFO(ROLE_ROW)
#undef ROLE_ROW
};

const char *role_key(enum role r)
{
	return (unsigned)r < ROLE_COUNT ? role_info[r].key : "?";
}

char role_letter(enum role r)
{
	return (unsigned)r < ROLE_COUNT ? role_info[r].letter : '?';
}

static const char *const base_colours[8] = {"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"};

static const struct {
	const char *name;
	unsigned bit;
} attr_names[] = {
	{"bold", THEME_A_BOLD}, {"reverse", THEME_A_REVERSE}, {"underline", THEME_A_UNDERLINE},
	{"dim", THEME_A_DIM},   {"italic", THEME_A_ITALIC},
};

/* ---- parsing ---- */

#define MAX_PALETTE 64

struct palette {
	const char *names[MAX_PALETTE]; /* borrowed from the document */
	short values[MAX_PALETTE];
	size_t n;
};

struct loader {
	struct ydoc *d;
	const char *path;
	struct buf *err;
	struct palette pal;
};

/* "PATH:LINE: " then the message. */
static int fail(struct loader *l, const yaml_node_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct loader *l, const yaml_node_t *n, const char *fmt, ...)
{
	buf_printf(l->err, "%s:%d: ", l->path, n ? ydoc_line(n) : 1);
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(l->err, fmt, ap);
	va_end(ap);
	return -1;
}

/* A built-in colour: 0..255, a base name, bright-<base>, or default (-1). */
static int builtin_colour(const char *s, short *out)
{
	if (!strcasecmp(s, "default")) {
		*out = -1;
		return 0;
	}
	if (*s >= '0' && *s <= '9') {
		int v = 0;
		for (const char *p = s; *p; p++) {
			if (*p < '0' || *p > '9' || (v = v * 10 + (*p - '0')) > 255)
				return -1;
		}
		*out = (short)v;
		return 0;
	}
	int bright = !strncasecmp(s, "bright-", 7);
	const char *base = bright ? s + 7 : s;
	for (int i = 0; i < 8; i++) {
		if (!strcasecmp(base, base_colours[i])) {
			*out = (short)(i + (bright ? 8 : 0));
			return 0;
		}
	}
	return -1;
}

static int colour(struct loader *l, const yaml_node_t *n, const char *where, short *out)
{
	const char *s = ydoc_scalar(n);
	if (!s || !*s)
		return fail(l, n, "%s: expected a colour", where);
	for (size_t i = 0; i < l->pal.n; i++) {
		if (!strcmp(l->pal.names[i], s)) {
			*out = l->pal.values[i];
			return 0;
		}
	}
	if (builtin_colour(s, out) == 0)
		return 0;
	return fail(l, n,
		    "%s: unknown colour \"%s\" (use 0-255, a palette name, black red green yellow blue "
		    "magenta cyan white, bright-<name>, or default)",
		    where, s);
}

static int attr_list(struct loader *l, yaml_node_t *n, const char *where, unsigned *out)
{
	*out = 0;
	if (ydoc_is_null(n))
		return 0;
	if (n->type != YAML_SEQUENCE_NODE)
		return fail(l, n, "%s: expected a list such as [bold, reverse]", where);
	for (size_t i = 0; i < ydoc_seq_len(n); i++) {
		yaml_node_t *item = ydoc_seq_item(l->d, n, i);
		const char *s = ydoc_scalar(item);
		size_t k;
		for (k = 0; s && k < sizeof attr_names / sizeof *attr_names; k++)
			if (!strcasecmp(s, attr_names[k].name))
				break;
		if (!s || k == sizeof attr_names / sizeof *attr_names)
			return fail(l, item, "%s: unknown attribute \"%s\" (use bold, reverse, underline, dim, italic)",
				    where, s ? s : "");
		*out |= attr_names[k].bit;
	}
	return 0;
}

static int parse_palette(struct loader *l, yaml_node_t *map)
{
	if (!map || ydoc_is_null(map))
		return 0;
	if (map->type != YAML_MAPPING_NODE)
		return fail(l, map, "palette: expected a mapping of names to colours");
	yaml_node_t *k, *v;
	for (size_t i = 0; ydoc_map_pair(l->d, map, i, &k, &v) == 0; i++) {
		const char *name = ydoc_scalar(k);
		short dummy;
		if (!name || !*name)
			return fail(l, k, "palette: expected a colour name as key");
		if (builtin_colour(name, &dummy) == 0)
			return fail(l, k, "palette.%s: a palette entry cannot redefine a built-in colour", name);
		for (size_t j = 0; j < l->pal.n; j++)
			if (!strcmp(l->pal.names[j], name))
				return fail(l, k, "palette.%s: given twice", name);
		if (l->pal.n == MAX_PALETTE)
			return fail(l, k, "palette: more than %d entries", MAX_PALETTE);
		const char *s = ydoc_scalar(v);
		struct buf where = {0};
		buf_printf(&where, "palette.%s", name);
		/* Entries are plain colours, never other entries, so order is irrelevant. */
		if (!s || builtin_colour(s, &l->pal.values[l->pal.n]) < 0) {
			fail(l, v,
			     "%s: unknown colour \"%s\" (use 0-255, black red green yellow blue magenta "
			     "cyan white, bright-<name>, or default)",
			     buf_str(&where), s ? s : "");
			buf_free(&where);
			return -1;
		}
		buf_free(&where);
		l->pal.names[l->pal.n++] = name;
	}
	return 0;
}

static int parse_role(struct loader *l, const char *key, yaml_node_t *map, struct role_style *st)
{
	struct buf where = {0};
	int rc = 0, have_mono = 0;
	*st = (struct role_style){-1, -1, 0, 0};
	if (map->type != YAML_MAPPING_NODE) {
		rc = fail(l, map, "roles.%s: expected a mapping such as { fg: green, attrs: [bold], mono: [bold] }",
			  key);
		goto out;
	}
	yaml_node_t *k, *v;
	for (size_t i = 0; rc == 0 && ydoc_map_pair(l->d, map, i, &k, &v) == 0; i++) {
		const char *field = ydoc_scalar(k);
		if (!field)
			field = "";
		buf_reset(&where);
		buf_printf(&where, "roles.%s.%s", key, field);
		if (!strcmp(field, "fg")) {
			rc = colour(l, v, buf_str(&where), &st->fg);
		} else if (!strcmp(field, "bg")) {
			rc = colour(l, v, buf_str(&where), &st->bg);
		} else if (!strcmp(field, "attrs")) {
			rc = attr_list(l, v, buf_str(&where), &st->attrs);
		} else if (!strcmp(field, "mono")) {
			rc = attr_list(l, v, buf_str(&where), &st->mono_attrs);
			have_mono = 1;
		} else {
			rc = fail(l, k, "%s: unknown key (expected fg, bg, attrs, mono)", buf_str(&where));
		}
	}
	if (!have_mono)
		st->mono_attrs = st->attrs;
out:
	buf_free(&where);
	return rc;
}

/* at: where "missing" errors point (the roles: key, or the root). */
static int parse_roles(struct loader *l, yaml_node_t *at, yaml_node_t *map, struct theme *th)
{
	if (!map)
		return fail(l, at, "roles: missing");
	if (map->type != YAML_MAPPING_NODE)
		return fail(l, map, "roles: expected a mapping of role names to styles");
	int seen[ROLE_COUNT] = {0};
	yaml_node_t *k, *v;
	for (size_t i = 0; ydoc_map_pair(l->d, map, i, &k, &v) == 0; i++) {
		const char *key = ydoc_scalar(k);
		int r;
		for (r = 0; key && r < ROLE_COUNT; r++)
			if (!strcmp(key, role_info[r].key))
				break;
		if (!key || r == ROLE_COUNT)
			return fail(l, k, "roles.%s: unknown role", key ? key : "");
		if (seen[r])
			return fail(l, k, "roles.%s: given twice (first on line %d)", key, seen[r]);
		seen[r] = ydoc_line(k);
		if (parse_role(l, key, v, &th->roles[r]) < 0)
			return -1;
	}
	size_t missing = 0;
	int first = -1;
	for (int r = 0; r < ROLE_COUNT; r++) {
		if (!seen[r]) {
			missing++;
			if (first < 0)
				first = r;
		}
	}
	if (!missing)
		return 0;
	fail(l, at, "roles.%s: missing", role_info[first].key);
	if (missing > 1) {
		buf_printf(l->err, " (also missing:");
		for (int r = first + 1; r < ROLE_COUNT; r++)
			if (!seen[r])
				buf_printf(l->err, " %s", role_info[r].key);
		buf_addc(l->err, ')');
	}
	return -1;
}

static int parse_bool(const char *s, int *out)
{
	static const char *const yes[] = {"true", "yes", "on"}, *const no[] = {"false", "no", "off"};
	for (size_t i = 0; s && i < 3; i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = 1;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

static char *name_from_path(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t len = strlen(base);
	if (len > 5 && !strcmp(base + len - 5, ".yaml"))
		len -= 5;
	return xstrndup(base, len);
}

int theme_load_file(struct theme *th, const char *path, struct buf *err)
{
	memset(th, 0, sizeof *th);
	struct loader l = {.path = path, .err = err};
	if (ydoc_load_file(&l.d, path, err) < 0)
		return -1;
	int rc = -1;
	yaml_node_t *root = ydoc_root(l.d);
	if (!root) {
		fail(&l, NULL, "empty theme file");
		goto out;
	}
	if (root->type != YAML_MAPPING_NODE) {
		fail(&l, root, "expected a mapping with name, palette and roles");
		goto out;
	}
	yaml_node_t *k, *v, *roles = NULL, *roles_key = root, *palette = NULL;
	for (size_t i = 0; ydoc_map_pair(l.d, root, i, &k, &v) == 0; i++) {
		const char *key = ydoc_scalar(k);
		if (!key)
			key = "";
		if (!strcmp(key, "name")) {
			const char *s = ydoc_scalar(v);
			if (!s || !*s || ydoc_is_null(v)) {
				fail(&l, v, "name: expected the theme's name");
				goto out;
			}
			free(th->name);
			th->name = xstrdup(s);
		} else if (!strcmp(key, "mono")) {
			if (parse_bool(ydoc_scalar(v), &th->mono) < 0) {
				fail(&l, v, "mono: expected true or false");
				goto out;
			}
		} else if (!strcmp(key, "palette")) {
			palette = v;
		} else if (!strcmp(key, "roles")) {
			roles = v;
			roles_key = k;
		} else if (strcmp(key, "description")) {
			fail(&l, k, "%s: unknown key (expected name, description, mono, palette, roles)", key);
			goto out;
		}
	}
	if (parse_palette(&l, palette) < 0 || parse_roles(&l, roles_key, roles, th) < 0)
		goto out;
	if (!th->name)
		th->name = name_from_path(path);
	rc = 0;
out:
	ydoc_free(&l.d);
	if (rc < 0)
		theme_free(th);
	return rc;
}

void theme_free(struct theme *th)
{
	if (!th)
		return;
	free(th->name);
	memset(th, 0, sizeof *th);
}

/* ---- search path ---- */

static char *join(const char *a, const char *b)
{
	struct buf p = {0};
	buf_printf(&p, "%s/%s", a, b);
	return buf_steal(&p);
}

static int is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int theme_load(struct theme *th, const char *name, struct buf *err)
{
	memset(th, 0, sizeof *th);
	if (!name || !*name) {
		buf_adds(err, "no theme name given");
		return -1;
	}
	if (strchr(name, '/'))
		return theme_load_file(th, name, err);
	struct buf file = {0};
	size_t len = strlen(name);
	/* "light.yaml" means the theme light. */
	if (len > 5 && !strcmp(name + len - 5, ".yaml"))
		len -= 5;
	buf_printf(&file, "%.*s.yaml", (int)len, name);
	struct theme_dir *dirs;
	size_t ndirs = config_theme_dirs(&dirs);
	int rc = -1, found = 0;
	for (size_t i = 0; i < ndirs && !found; i++) {
		char *path = join(dirs[i].dir, buf_str(&file));
		if (is_file(path)) {
			found = 1;
			rc = theme_load_file(th, path, err);
		}
		free(path);
	}
	if (!found) {
		buf_printf(err, "theme \"%s\" not found; looked for %s in:", name, buf_str(&file));
		for (size_t i = 0; i < ndirs; i++)
			buf_printf(err, "%s %s", i ? "," : "", dirs[i].dir);
	}
	config_theme_dirs_free(dirs, ndirs);
	buf_free(&file);
	return rc;
}

char **theme_list(size_t *n)
{
	return config_theme_names(n);
}

/* ---- fitting colours to the terminal ---- */

/* xterm's default RGB for the 16 base colours. */
static const unsigned char base_rgb[16][3] = {
	{0, 0, 0},     {205, 0, 0},     {0, 205, 0},     {205, 205, 0},   {0, 0, 238}, {205, 0, 205},
	{0, 205, 205}, {229, 229, 229}, {127, 127, 127}, {255, 0, 0},     {0, 255, 0}, {255, 255, 0},
	{92, 92, 255}, {255, 0, 255},   {0, 255, 255},   {255, 255, 255},
};

static void rgb_of(int c, int rgb[3])
{
	if (c < 16) {
		for (int i = 0; i < 3; i++)
			rgb[i] = base_rgb[c][i];
	} else if (c < 232) {
		static const int level[6] = {0, 95, 135, 175, 215, 255};
		c -= 16;
		rgb[0] = level[c / 36];
		rgb[1] = level[(c / 6) % 6];
		rgb[2] = level[c % 6];
	} else {
		rgb[0] = rgb[1] = rgb[2] = 8 + 10 * (c - 232);
	}
}

static short nearest(int c, int limit)
{
	int rgb[3], best = 0;
	long best_d = -1;
	rgb_of(c, rgb);
	for (int i = 0; i < limit; i++) {
		long d = 0;
		for (int k = 0; k < 3; k++)
			d += (long)(rgb[k] - base_rgb[i][k]) * (rgb[k] - base_rgb[i][k]);
		if (best_d < 0 || d < best_d) {
			best_d = d;
			best = i;
		}
	}
	return (short)best;
}

void theme_fit(struct theme *th, int colors)
{
	if (colors < 8 || colors >= 256)
		return;
	int limit = colors >= 16 ? 16 : 8;
	for (int r = 0; r < ROLE_COUNT; r++) {
		struct role_style *st = &th->roles[r];
		int changed = 0;
		if (st->fg >= colors) {
			st->fg = nearest(st->fg, limit);
			changed = 1;
		}
		if (st->bg >= colors) {
			st->bg = nearest(st->bg, limit);
			changed = 1;
		}
		if (changed && st->fg >= 0 && st->fg == st->bg) {
			/* Black or white, whichever stands further from the background. */
			int rgb[3];
			rgb_of(st->bg, rgb);
			st->fg = rgb[0] + rgb[1] + rgb[2] > 3 * 128 ? 0 : (short)(limit == 16 ? 15 : 7);
		}
	}
}
