/* Unit tests for tui/theme.c: every shipped theme in themes/ loads and sets
 * every role, mono fallbacks keep selection and danger visible, and bad
 * theme files get errors naming file, line and key.
 * Run from the repository root (it reads ./themes). */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/yamldoc.h"
#include "tui/theme.h"

static char repo_themes[4096];
static char tmpdir[64];

static int setup(void **state)
{
	(void)state;
	if (!getcwd(repo_themes, sizeof repo_themes - 8))
		return -1;
	strcat(repo_themes, "/themes");
	struct stat st;
	if (stat(repo_themes, &st) < 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "%s: not found; run the tests from the repository root\n", repo_themes);
		return -1;
	}
	snprintf(tmpdir, sizeof tmpdir, "/tmp/relcon-theme-test-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	/* Keep the user's own config dir out of the search path. */
	struct buf x = {0};
	buf_printf(&x, "%s/xdg", tmpdir);
	mkdir(buf_str(&x), 0700);
	setenv("XDG_CONFIG_HOME", buf_str(&x), 1);
	buf_free(&x);
	setenv("RELCON_THEMES_DIR", repo_themes, 1);
	return 0;
}

static void rm_tree(const char *path)
{
	DIR *d = opendir(path);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			struct buf p = {0};
			buf_printf(&p, "%s/%s", path, e->d_name);
			rm_tree(buf_str(&p));
			buf_free(&p);
		}
		closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

static int teardown(void **state)
{
	(void)state;
	if (*tmpdir)
		rm_tree(tmpdir);
	return 0;
}

static const char *const shipped[] = {"default", "light", "high-contrast", "mono"};

/* ---- the shipped themes ---- */

static void test_shipped_themes_load(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof shipped / sizeof *shipped; i++) {
		struct theme th;
		struct buf err = {0};
		if (theme_load(&th, shipped[i], &err) != 0)
			fail_msg("theme %s: %s", shipped[i], buf_str(&err));
		assert_string_equal(th.name, shipped[i]);
		for (int r = 0; r < ROLE_COUNT; r++) {
			const struct role_style *st = &th.roles[r];
			if (st->fg < -1 || st->fg > 255 || st->bg < -1 || st->bg > 255)
				fail_msg("%s: %s: colour out of range", shipped[i], role_key((enum role)r));
		}
		const struct role_style *normal = &th.roles[ROLE_NORMAL], *sel = &th.roles[ROLE_ROW_SELECTED],
					*danger = &th.roles[ROLE_DANGER];
		/* Without colours, selection and danger must still show. */
		if (sel->mono_attrs == normal->mono_attrs || !(sel->mono_attrs & THEME_A_REVERSE))
			fail_msg("%s: row_selected mono attrs do not stand out", shipped[i]);
		if (danger->mono_attrs == normal->mono_attrs || danger->mono_attrs == sel->mono_attrs)
			fail_msg("%s: danger mono attrs do not stand out", shipped[i]);
		/* With colours, too. */
		if (!th.mono) {
			assert_true(sel->bg != normal->bg || sel->fg != normal->fg || sel->attrs != normal->attrs);
			assert_true(danger->fg != normal->fg || danger->attrs != normal->attrs);
		}
		theme_free(&th);
		assert_null(th.name);
		buf_free(&err);
	}
}

/* Every role of every shipped file spells out its mono fallback, and the
 * loader checks every role is present: go through the YAML itself. */
static void test_shipped_roles_explicit(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof shipped / sizeof *shipped; i++) {
		struct buf path = {0}, err = {0};
		buf_printf(&path, "%s/%s.yaml", repo_themes, shipped[i]);
		struct ydoc *d;
		if (ydoc_load_file(&d, buf_str(&path), &err) < 0)
			fail_msg("%s", buf_str(&err));
		yaml_node_t *roles = ydoc_map_get(d, ydoc_root(d), "roles");
		assert_non_null(roles);
		for (int r = 0; r < ROLE_COUNT; r++) {
			yaml_node_t *role = ydoc_map_get(d, roles, role_key((enum role)r));
			if (!role)
				fail_msg("%s: role %s missing", buf_str(&path), role_key((enum role)r));
			if (!ydoc_map_get(d, role, "mono"))
				fail_msg("%s: role %s has no mono: list", buf_str(&path), role_key((enum role)r));
		}
		ydoc_free(&d);
		buf_free(&path);
		buf_free(&err);
	}
}

static void test_shipped_specifics(void **state)
{
	(void)state;
	struct theme th;
	struct buf err = {0};

	assert_int_equal(theme_load(&th, "default", &err), 0);
	assert_int_equal(th.mono, 0);
	/* dark terminals: the terminal's background except bars, selection, banners */
	static const enum role own_bg[] = {ROLE_TITLE,        ROLE_STATUS,       ROLE_STATUS_ERROR,   ROLE_STATUS_STALE,
					   ROLE_ROW_SELECTED, ROLE_BUTTON_FOCUS, ROLE_BANNER_SANDBOX, ROLE_BANNER_PROD};
	for (int r = 0; r < ROLE_COUNT; r++) {
		int allowed = 0;
		for (size_t k = 0; k < sizeof own_bg / sizeof *own_bg; k++)
			allowed |= own_bg[k] == (enum role)r;
		if (!allowed && th.roles[r].bg != -1)
			fail_msg("default: %s sets a background", role_key((enum role)r));
	}
	assert_int_equal(th.roles[ROLE_STATE_PASSED].fg, 2);
	assert_int_equal(th.roles[ROLE_STATE_FAILED].fg, 9);
	assert_int_equal(th.roles[ROLE_BANNER_SANDBOX].bg, 2);
	assert_int_equal(th.roles[ROLE_BANNER_PROD].bg, 1);
	assert_int_equal(th.roles[ROLE_ROW_SELECTED].bg, 4); /* from the palette */
	assert_int_equal(th.roles[ROLE_DANGER].mono_attrs, THEME_A_BOLD | THEME_A_REVERSE);
	theme_free(&th);

	assert_int_equal(theme_load(&th, "high-contrast", &err), 0);
	for (int r = 0; r < ROLE_COUNT; r++) {
		if (th.roles[r].fg > 15 || th.roles[r].bg > 15)
			fail_msg("high-contrast: %s uses a colour beyond the 16 base ones", role_key((enum role)r));
		assert_false(th.roles[r].attrs & THEME_A_DIM);
	}
	theme_free(&th);

	assert_int_equal(theme_load(&th, "mono", &err), 0);
	assert_int_equal(th.mono, 1);
	for (int r = 0; r < ROLE_COUNT; r++) {
		assert_int_equal(th.roles[r].fg, -1);
		assert_int_equal(th.roles[r].bg, -1);
		assert_int_equal(th.roles[r].attrs, th.roles[r].mono_attrs);
	}
	assert_int_equal(th.roles[ROLE_ROW_SELECTED].mono_attrs, THEME_A_REVERSE);
	assert_int_equal(th.roles[ROLE_STATE_FAILED].mono_attrs, THEME_A_BOLD);
	theme_free(&th);
	buf_free(&err);
}

static void test_theme_list(void **state)
{
	(void)state;
	size_t n = 0;
	char **names = theme_list(&n);
	assert_true(n >= 4);
	for (size_t k = 0; k < sizeof shipped / sizeof *shipped; k++) {
		int found = 0;
		for (size_t i = 0; i < n; i++)
			found |= !strcmp(names[i], shipped[k]);
		if (!found)
			fail_msg("theme_list lacks %s", shipped[k]);
	}
	for (size_t i = 1; i < n; i++)
		assert_true(strcmp(names[i - 1], names[i]) < 0); /* sorted, no duplicates */
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static void test_role_metadata(void **state)
{
	(void)state;
	assert_string_equal(role_key(ROLE_ROW_SELECTED), "row_selected");
	assert_int_equal(role_letter(ROLE_ROW_SELECTED), 'S');
	assert_int_equal(role_letter(ROLE_NORMAL), '.');
	for (int a = 0; a < ROLE_COUNT; a++)
		for (int b = a + 1; b < ROLE_COUNT; b++) {
			assert_int_not_equal(role_letter((enum role)a), role_letter((enum role)b));
			assert_string_not_equal(role_key((enum role)a), role_key((enum role)b));
		}
}

/* ---- error cases, on files written to a temp dir ---- */

/* A valid theme's text: line 1 "name: t", line 2 "roles:", role r on line
 * 3 + r.  Role `skip` is left out; role `swap` gets `text` instead. */
static void theme_text(struct buf *out, int skip, int swap, const char *text)
{
	buf_adds(out, "name: t\nroles:\n");
	for (int r = 0; r < ROLE_COUNT; r++) {
		if (r == skip)
			continue;
		if (r == swap)
			buf_printf(out, "  %s\n", text);
		else
			buf_printf(out, "  %s: { fg: green, bg: default, attrs: [bold], mono: [reverse] }\n",
				   role_key((enum role)r));
	}
}

static char *write_file(const char *name, const char *text)
{
	struct buf p = {0};
	buf_printf(&p, "%s/%s", tmpdir, name);
	FILE *f = fopen(buf_str(&p), "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return buf_steal(&p);
}

/* Load text from a file; expect failure with exactly "PATH:" + want. */
static void expect_error(const char *text, const char *want)
{
	char *path = write_file("bad.yaml", text);
	struct theme th;
	struct buf err = {0}, full = {0};
	if (theme_load_file(&th, path, &err) != -1)
		fail_msg("expected an error \"%s\"", want);
	assert_null(th.name);
	buf_printf(&full, "%s:%s", path, want);
	assert_string_equal(buf_str(&err), buf_str(&full));
	buf_free(&err);
	buf_free(&full);
	free(path);
}

static void expect_error_text(int skip, int swap, const char *role_text, const char *want)
{
	struct buf t = {0};
	theme_text(&t, skip, swap, role_text);
	expect_error(buf_str(&t), want);
	buf_free(&t);
}

static void test_valid_generated(void **state)
{
	(void)state;
	struct buf t = {0}, err = {0};
	theme_text(&t, -1, ROLE_DANGER, "danger: { fg: bright-red, bg: 17, attrs: [bold, underline] }");
	char *path = write_file("ok.yaml", buf_str(&t));
	struct theme th;
	assert_int_equal(theme_load_file(&th, path, &err), 0);
	assert_string_equal(th.name, "t");
	assert_int_equal(th.mono, 0);
	assert_int_equal(th.roles[ROLE_NORMAL].fg, 2);
	assert_int_equal(th.roles[ROLE_NORMAL].bg, -1);
	assert_int_equal(th.roles[ROLE_NORMAL].attrs, THEME_A_BOLD);
	assert_int_equal(th.roles[ROLE_NORMAL].mono_attrs, THEME_A_REVERSE);
	assert_int_equal(th.roles[ROLE_DANGER].fg, 9);
	assert_int_equal(th.roles[ROLE_DANGER].bg, 17);
	/* mono defaults to attrs */
	assert_int_equal(th.roles[ROLE_DANGER].mono_attrs, THEME_A_BOLD | THEME_A_UNDERLINE);
	theme_free(&th);
	free(path);

	/* palette, defaults, no name (taken from the file name), mono flag */
	buf_reset(&t);
	buf_adds(&t, "mono: yes\npalette:\n  accent: 33\n  plain: default\nroles:\n");
	for (int r = 0; r < ROLE_COUNT; r++)
		buf_printf(&t, "  %s: {%s}\n", role_key((enum role)r),
			   r == ROLE_TITLE ? "fg: accent, bg: plain, attrs: []" : "");
	path = write_file("my-theme.yaml", buf_str(&t));
	assert_int_equal(theme_load_file(&th, path, &err), 0);
	assert_string_equal(th.name, "my-theme");
	assert_int_equal(th.mono, 1);
	assert_int_equal(th.roles[ROLE_TITLE].fg, 33);
	assert_int_equal(th.roles[ROLE_TITLE].bg, -1);
	assert_int_equal(th.roles[ROLE_NORMAL].fg, -1);
	assert_int_equal(th.roles[ROLE_NORMAL].attrs, 0);

	/* theme_load takes a path when the name has a slash */
	struct theme th2;
	assert_int_equal(theme_load(&th2, path, &err), 0);
	assert_string_equal(th2.name, "my-theme");
	theme_free(&th2);
	theme_free(&th);
	free(path);
	buf_free(&t);
	assert_int_equal(err.len, 0);
	buf_free(&err);
}

static void test_missing_role(void **state)
{
	(void)state;
	/* line 2 is "roles:" */
	expect_error_text(ROLE_DANGER, -1, "", "2: roles.danger: missing");
	struct buf t = {0};
	buf_adds(&t, "name: t\n\nroles:\n  normal: {}\n  title: {}\n");
	struct buf want = {0};
	buf_adds(&want, "3: roles.header: missing (also missing:");
	for (int r = ROLE_HEADER + 1; r < ROLE_COUNT; r++)
		buf_printf(&want, " %s", role_key((enum role)r));
	buf_addc(&want, ')');
	expect_error(buf_str(&t), buf_str(&want));
	buf_free(&t);
	buf_free(&want);
	expect_error("name: t\npalette: {}\n", "1: roles: missing");
}

static void test_bad_colour(void **state)
{
	(void)state;
	/* title is role 1, so on line 4 */
	expect_error_text(-1, ROLE_TITLE, "title: { fg: purple }",
			  "4: roles.title.fg: unknown colour \"purple\" (use 0-255, a palette name, black red green "
			  "yellow blue magenta cyan white, bright-<name>, or default)");
	expect_error_text(-1, ROLE_TITLE, "title: { bg: 256 }",
			  "4: roles.title.bg: unknown colour \"256\" (use 0-255, a palette name, black red green "
			  "yellow blue magenta cyan white, bright-<name>, or default)");
	expect_error_text(-1, ROLE_TITLE, "title: { bg: bright-purple }",
			  "4: roles.title.bg: unknown colour \"bright-purple\" (use 0-255, a palette name, black red "
			  "green yellow blue magenta cyan white, bright-<name>, or default)");
	expect_error_text(-1, ROLE_TITLE, "title: { fg: [red] }", "4: roles.title.fg: expected a colour");
	expect_error("palette:\n  accent: 300\nroles: {}\n",
		     "2: palette.accent: unknown colour \"300\" (use 0-255, black red green yellow blue magenta "
		     "cyan white, bright-<name>, or default)");
	expect_error("palette:\n  red: 1\nroles: {}\n",
		     "2: palette.red: a palette entry cannot redefine a built-in colour");
}

static void test_bad_attr(void **state)
{
	(void)state;
	expect_error_text(
		-1, ROLE_HEADER, "header: { attrs: [bold, blink] }",
		"5: roles.header.attrs: unknown attribute \"blink\" (use bold, reverse, underline, dim, italic)");
	expect_error_text(
		-1, ROLE_HEADER, "header: { mono: [sparkle] }",
		"5: roles.header.mono: unknown attribute \"sparkle\" (use bold, reverse, underline, dim, italic)");
	expect_error_text(-1, ROLE_HEADER, "header: { attrs: bold }",
			  "5: roles.header.attrs: expected a list such as [bold, reverse]");
}

static void test_unknown_keys(void **state)
{
	(void)state;
	expect_error_text(-1, ROLE_NORMAL, "normall: { fg: red }", "3: roles.normall: unknown role");
	expect_error_text(-1, ROLE_NORMAL, "normal: { fgg: red }",
			  "3: roles.normal.fgg: unknown key (expected fg, bg, attrs, mono)");
	expect_error_text(-1, ROLE_NORMAL, "normal: red",
			  "3: roles.normal: expected a mapping such as "
			  "{ fg: green, attrs: [bold], mono: [bold] }");
	struct buf t = {0};
	theme_text(&t, -1, -1, "");
	buf_adds(&t, "  title: {}\n");
	expect_error(buf_str(&t), "29: roles.title: given twice (first on line 4)");
	buf_free(&t);
	expect_error("name: t\ncolours: {}\nroles: {}\n",
		     "2: colours: unknown key (expected name, description, mono, palette, roles)");
	expect_error("name: t\nmono: maybe\nroles: {}\n", "2: mono: expected true or false");
	expect_error("", "1: empty theme file");
	expect_error("- a\n- b\n", "1: expected a mapping with name, palette and roles");
}

static void test_yaml_syntax_error(void **state)
{
	(void)state;
	char *path = write_file("syntax.yaml", "name: t\nroles:\n  normal: { fg: red\n  title: {}\n");
	struct theme th;
	struct buf err = {0}, prefix = {0};
	assert_int_equal(theme_load_file(&th, path, &err), -1);
	buf_printf(&prefix, "%s:", path);
	assert_memory_equal(buf_str(&err), buf_str(&prefix), prefix.len);
	int line = atoi(buf_str(&err) + prefix.len);
	assert_true(line >= 3 && line <= 5);
	assert_null(th.name);
	buf_free(&err);
	buf_reset(&prefix);

	free(path);
	path = xstrdup("/nonexistent/relcon/x.yaml");
	assert_int_equal(theme_load_file(&th, path, &err), -1);
	assert_non_null(strstr(buf_str(&err), "/nonexistent/relcon/x.yaml: "));
	free(path);
	buf_free(&err);
	buf_free(&prefix);
}

/* $RELCON_THEMES_DIR first, then the config dir; errors list the path. */
static void test_search_path(void **state)
{
	(void)state;
	struct buf t = {0}, dir = {0}, err = {0};
	theme_text(&t, -1, -1, "");
	/* a "default" that shadows the shipped one */
	buf_printf(&dir, "%s/first", tmpdir);
	mkdir(buf_str(&dir), 0700);
	char *p = write_file("first/default.yaml", buf_str(&t));
	free(p);
	/* a theme only the config dir has */
	struct buf cfg = {0};
	buf_printf(&cfg, "%s/xdg/relcon", tmpdir);
	mkdir(buf_str(&cfg), 0700);
	buf_adds(&cfg, "/themes");
	mkdir(buf_str(&cfg), 0700);
	p = write_file("xdg/relcon/themes/from-config.yaml", buf_str(&t));
	free(p);

	setenv("RELCON_THEMES_DIR", buf_str(&dir), 1);
	struct theme th;
	assert_int_equal(theme_load(&th, "default", &err), 0);
	assert_string_equal(th.name, "t");
	theme_free(&th);
	assert_int_equal(theme_load(&th, "from-config", &err), 0);
	theme_free(&th);
	assert_int_equal(theme_load(&th, "from-config.yaml", &err), 0);
	theme_free(&th);

	size_t n;
	char **names = theme_list(&n);
	int seen_default = 0, seen_config = 0;
	for (size_t i = 0; i < n; i++) {
		seen_default += !strcmp(names[i], "default");
		seen_config += !strcmp(names[i], "from-config");
		free(names[i]);
	}
	free(names);
	assert_int_equal(seen_default, 1);
	assert_int_equal(seen_config, 1);

	assert_int_equal(theme_load(&th, "no-such-theme", &err), -1);
	assert_null(th.name);
	const char *e = buf_str(&err);
	assert_non_null(strstr(e, "theme \"no-such-theme\" not found; looked for no-such-theme.yaml in: "));
	assert_non_null(strstr(e, buf_str(&dir)));
	assert_non_null(strstr(e, buf_str(&cfg)));
	assert_non_null(strstr(e, "/share/relcon/themes"));
	buf_reset(&err);
	assert_int_equal(theme_load(&th, "", &err), -1);
	assert_string_equal(buf_str(&err), "no theme name given");

	setenv("RELCON_THEMES_DIR", repo_themes, 1);
	buf_free(&t);
	buf_free(&dir);
	buf_free(&cfg);
	buf_free(&err);
}

static void test_fit(void **state)
{
	(void)state;
	struct theme th;
	memset(&th, 0, sizeof th);
	for (int r = 0; r < ROLE_COUNT; r++)
		th.roles[r] = (struct role_style){-1, -1, 0, 0};
	th.roles[ROLE_TITLE] = (struct role_style){15, 236, 0, 0};
	th.roles[ROLE_ROW_SELECTED] = (struct role_style){15, 18, 0, 0};
	th.roles[ROLE_DANGER] = (struct role_style){196, -1, 0, 0};
	th.roles[ROLE_DIM] = (struct role_style){244, -1, 0, 0};
	th.roles[ROLE_STATUS] = (struct role_style){231, 15, 0, 0};

	struct theme t256 = th;
	theme_fit(&t256, 256);
	assert_memory_equal(&t256, &th, sizeof th);

	struct theme t16 = th;
	theme_fit(&t16, 16);
	assert_int_equal(t16.roles[ROLE_TITLE].fg, 15);
	assert_int_equal(t16.roles[ROLE_TITLE].bg, 0);
	assert_int_equal(t16.roles[ROLE_ROW_SELECTED].bg, 4);
	assert_int_equal(t16.roles[ROLE_DANGER].fg, 9);
	assert_int_equal(t16.roles[ROLE_DIM].fg, 8);
	/* white on near-white would vanish: text goes black */
	assert_int_equal(t16.roles[ROLE_STATUS].bg, 15);
	assert_int_equal(t16.roles[ROLE_STATUS].fg, 0);
	assert_int_equal(t16.roles[ROLE_NORMAL].fg, -1);

	struct theme t8 = th;
	theme_fit(&t8, 8);
	assert_int_equal(t8.roles[ROLE_TITLE].fg, 7);
	assert_int_equal(t8.roles[ROLE_ROW_SELECTED].fg, 7);
	assert_int_equal(t8.roles[ROLE_ROW_SELECTED].bg, 4);
	assert_int_equal(t8.roles[ROLE_DANGER].fg, 1);
	for (int r = 0; r < ROLE_COUNT; r++) {
		assert_true(t8.roles[r].fg < 8 && t8.roles[r].bg < 8);
		if (t8.roles[r].fg >= 0)
			assert_int_not_equal(t8.roles[r].fg, t8.roles[r].bg);
	}

	struct theme t0 = th;
	theme_fit(&t0, 0);
	assert_memory_equal(&t0, &th, sizeof th);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_themes_load),
		cmocka_unit_test(test_shipped_roles_explicit),
		cmocka_unit_test(test_shipped_specifics),
		cmocka_unit_test(test_theme_list),
		cmocka_unit_test(test_role_metadata),
		cmocka_unit_test(test_valid_generated),
		cmocka_unit_test(test_missing_role),
		cmocka_unit_test(test_bad_colour),
		cmocka_unit_test(test_bad_attr),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_yaml_syntax_error),
		cmocka_unit_test(test_search_path),
		cmocka_unit_test(test_fit),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
