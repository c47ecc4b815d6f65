/* Unit tests for the keymap (tui/actions.c): the default bindings, keymap
 * files (bind replaces a default, unbind frees a key, conflicts and every
 * error with its line), and the printed table following what is loaded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <curses.h>

#include "core/buf.h"
#include "tui/actions.h"
#include "tui/keys.h"

static int key(const char *name)
{
	const char *p = name;
	int k = key_parse(&p);
	if (k <= 0 || *p)
		fail_msg("bad key name in test: %s", name);
	return k;
}

static void assert_keys(enum action a, const char *want)
{
	struct buf b = {0};
	keymap_keys(a, &b);
	if (strcmp(buf_str(&b), want))
		fail_msg("%s: keys \"%s\", want \"%s\"", action_name(a), buf_str(&b), want);
	buf_free(&b);
}

static int reset(void **state)
{
	(void)state;
	keymap_reset();
	unsetenv("RELCON_KEYMAP");
	return 0;
}

/* The error of loading text, which must fail. */
static void expect_error(const char *text, const char *want)
{
	struct buf err = {0};
	assert_int_equal(keymap_load_text(text, "keymap", &err), -1);
	if (strcmp(buf_str(&err), want))
		fail_msg("error \"%s\", want \"%s\"", buf_str(&err), want);
	buf_free(&err);
}

static void load_ok(const char *text)
{
	struct buf err = {0};
	if (keymap_load_text(text, "keymap", &err) < 0)
		fail_msg("keymap refused: %s", buf_str(&err));
	buf_free(&err);
}

static void test_defaults(void **state)
{
	(void)state;
	assert_int_equal(keymap_lookup('j'), ACTION_MOVE_DOWN);
	assert_int_equal(keymap_lookup(KEY_OFFSET + KEY_DOWN), ACTION_MOVE_DOWN);
	assert_int_equal(keymap_lookup('\r'), ACTION_OPEN);
	assert_int_equal(keymap_lookup('x'), ACTION_NONE);
	assert_keys(ACTION_PAGE_DOWN, "<PgDn> <C-f>");
	assert_keys(ACTION_HELP, "? <F1>");
	assert_int_equal(keymap_key(ACTION_HELP), '?');
	/* Every action has a key by default, and no key is bound twice. */
	for (int a = 1; a < ACTION_COUNT; a++)
		if (!keymap_key((enum action)a))
			fail_msg("%s has no default key", action_name((enum action)a));
	/* An empty file and a file of comments change nothing. */
	load_ok("");
	load_ok("# nothing\n\n   \t\n  # indented comment\n");
	assert_keys(ACTION_PAGE_DOWN, "<PgDn> <C-f>");
}

/* bind: the new key joins the action's keys (after its defaults); a key
 * that had a default elsewhere leaves that action, which keeps its others. */
static void test_bind_replaces_default(void **state)
{
	(void)state;
	load_ok("# my keys\n"
		"bind <C-d> page-down\n"
		"bind <C-u> page-up   # like vim\n"
		"bind\tx\tquit\n"
		"bind j move-up\n"
		"bind # help\n"
		"bind <lt> move-top\r\n");
	assert_int_equal(keymap_lookup(key("<C-d>")), ACTION_PAGE_DOWN);
	assert_keys(ACTION_PAGE_DOWN, "<PgDn> <C-f> <C-d>");
	assert_keys(ACTION_PAGE_UP, "<PgUp> <C-b> <C-u>");
	assert_keys(ACTION_QUIT, "q x");
	/* j was move-down's: now it moves up, and move-down keeps <Down>. */
	assert_int_equal(keymap_lookup('j'), ACTION_MOVE_UP);
	assert_keys(ACTION_MOVE_DOWN, "<Down>");
	assert_keys(ACTION_MOVE_UP, "k <Up> j");
	assert_int_equal(keymap_lookup('#'), ACTION_HELP);
	assert_keys(ACTION_MOVE_TOP, "g <Home> <lt>");
	/* Names fold to their canonical form. */
	load_ok("bind <c-D> page-down\nbind <PageDown> move-bottom\n");
	assert_keys(ACTION_PAGE_DOWN, "<C-f> <C-d>");
	assert_keys(ACTION_MOVE_BOTTOM, "G <End> <PgDn>");
}

/* unbind frees a key; an action left with no key is fine (the palette
 * still runs it) and prints as such. */
static void test_unbind(void **state)
{
	(void)state;
	load_ok("unbind T\nunbind <F1>\nunbind Q # no quitting all at once\n");
	assert_int_equal(keymap_lookup('T'), ACTION_NONE);
	assert_keys(ACTION_THEME_NEXT, "");
	assert_int_equal(keymap_key(ACTION_THEME_NEXT), 0);
	assert_keys(ACTION_HELP, "?");
	assert_int_equal(keymap_lookup('Q'), ACTION_NONE);
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	keymap_print(f);
	fclose(f);
	assert_non_null(strstr(out, "| `(palette)` | theme-next |"));
	assert_non_null(strstr(out, "| `?` | help |"));
	free(out);
}

/* Loading starts again from the defaults, and a refused file changes
 * nothing. */
static void test_reload_and_refused_file(void **state)
{
	(void)state;
	load_ok("bind x quit\n");
	load_ok("bind y quit\n");
	assert_int_equal(keymap_lookup('x'), ACTION_NONE);
	assert_keys(ACTION_QUIT, "q y");
	expect_error("bind z quit\nbind w nonsense\n",
		     "keymap:2: unknown action \"nonsense\" (`relcon keys` lists them)");
	assert_int_equal(keymap_lookup('z'), ACTION_NONE);
	assert_keys(ACTION_QUIT, "q y");
	keymap_reset();
	assert_keys(ACTION_QUIT, "q");
	assert_keys(ACTION_COPY, "y");
}

static void test_errors_name_their_line(void **state)
{
	(void)state;
	expect_error("# ok\n\nbind <Foo> quit\n",
		     "keymap:3: unknown key <Foo> (keys are written as in `relcon keys`: x, <C-d>, <Space>, <F2>)");
	expect_error("bind gg move-top\n",
		     "keymap:1: \"gg\" is more than one key (one key per line; write \"<\" as <lt>)");
	expect_error("bind <C-d\n", "keymap:1: bind needs a key and an action: bind KEY ACTION");
	expect_error("bind <C-d page-down\n", "keymap:1: unknown key <C-d (keys are written as in `relcon keys`: x, "
					      "<C-d>, <Space>, <F2>)");
	expect_error("bind x\n", "keymap:1: bind needs a key and an action: bind KEY ACTION");
	expect_error("bind x quit now\n", "keymap:1: unexpected \"now\" after the action (comments start with #)");
	expect_error("unbind\n", "keymap:1: unbind needs a key: unbind KEY");
	expect_error("unbind q quit\n", "keymap:1: unexpected \"quit\" after the key (comments start with #)");
	expect_error("map x quit\n",
		     "keymap:1: unknown command \"map\" (a line is: bind KEY ACTION, unbind KEY, or a # comment)");
	expect_error("bind x none\n", "keymap:1: unknown action \"none\" (`relcon keys` lists them)");
	expect_error("bind <Resize> redraw\n", "keymap:1: <Resize> cannot be bound");
	expect_error("bind <Mouse> open\n", "keymap:1: <Mouse> cannot be bound");
	expect_error("unbind x\n", "keymap:1: x is not bound (nothing to unbind)");
	/* Control characters in a bad word are shown inert. */
	expect_error("bind \x1b[2J quit\n", "keymap:1: \"^[[2J\" is not a key (write keys as x, <Enter>, <C-x>)");
	expect_error("b\x1bnd x quit\n",
		     "keymap:1: unknown command \"b^[nd\" (a line is: bind KEY ACTION, unbind KEY, or a # comment)");
}

/* The same key on two lines is a conflict, however it is written. */
static void test_conflicts(void **state)
{
	(void)state;
	expect_error("bind <C-d> page-down\n# scroll\nbind <c-D> move-down\n",
		     "keymap:3: <C-d> is already bound on line 1");
	expect_error("unbind T\nbind T quit\n", "keymap:2: T is already unbound on line 1");
	expect_error("bind x quit\nunbind x\n", "keymap:2: x is already bound on line 1");
	expect_error("bind <Enter> open\n\n\nbind <C-m> tag\n", "keymap:4: <Enter> is already bound on line 1");
	expect_error("bind <Space> open\nbind <space> tag\n", "keymap:2: <Space> is already bound on line 1");
	/* The same action on many keys is fine. */
	load_ok("bind x quit\nbind z quit\n");
	assert_keys(ACTION_QUIT, "q x z");
}

static char *write_temp(const char *text)
{
	char *path = strdup("/tmp/relcon-keymap-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

/* Files: $RELCON_KEYMAP or the config directory's keymap; errors carry
 * the path. */
static void test_files(void **state)
{
	(void)state;
	struct buf err = {0};
	char *path = write_temp("bind <C-d> page-down\nbind x nosuch\n");
	assert_int_equal(keymap_load(path, &err), -1);
	struct buf want = {0};
	buf_printf(&want, "%s:2: unknown action \"nosuch\" (`relcon keys` lists them)", path);
	assert_string_equal(buf_str(&err), buf_str(&want));
	unlink(path);
	free(path);

	/* $RELCON_KEYMAP names the file; it must exist. */
	path = write_temp("bind <C-d> page-down\n");
	setenv("RELCON_KEYMAP", path, 1);
	char *p = keymap_path();
	assert_string_equal(p, path);
	free(p);
	buf_reset(&err);
	assert_int_equal(keymap_load(NULL, &err), 0);
	assert_int_equal(keymap_lookup(key("<C-d>")), ACTION_PAGE_DOWN);
	unlink(path);
	buf_reset(&err);
	assert_int_equal(keymap_load(NULL, &err), -1);
	buf_reset(&want);
	buf_printf(&want, "keymap %s: No such file or directory", path);
	assert_string_equal(buf_str(&err), buf_str(&want));
	free(path);

	/* The default file may be missing: the defaults then. */
	unsetenv("RELCON_KEYMAP");
	char dir[] = "/tmp/relcon-xdg-XXXXXX";
	assert_non_null(mkdtemp(dir));
	setenv("XDG_CONFIG_HOME", dir, 1);
	p = keymap_path();
	buf_reset(&want);
	buf_printf(&want, "%s/relcon/keymap", dir);
	assert_string_equal(p, buf_str(&want));
	free(p);
	buf_reset(&err);
	assert_int_equal(keymap_load(NULL, &err), 0);
	assert_int_equal(keymap_lookup(key("<C-d>")), ACTION_NONE);
	assert_int_equal(keymap_load(dir, &err), -1); /* a directory is not a keymap */
	rmdir(dir);
	unsetenv("XDG_CONFIG_HOME");
	buf_free(&err);
	buf_free(&want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_defaults, reset),
		cmocka_unit_test_setup(test_bind_replaces_default, reset),
		cmocka_unit_test_setup(test_unbind, reset),
		cmocka_unit_test_setup(test_reload_and_refused_file, reset),
		cmocka_unit_test_setup(test_errors_name_their_line, reset),
		cmocka_unit_test_setup(test_conflicts, reset),
		cmocka_unit_test_setup(test_files, reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
