/* tui widgets without a terminal: the line editor, the confirm dialog's
 * and the form's state machines, the action table and keymap, and the
 * table's filtering, sorting and selection. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <curses.h>

#include "tui/actions.h"
#include "tui/dialog.h"
#include "tui/input.h"
#include "tui/keys.h"
#include "tui/table.h"

#define K(c)     ((int)(c))
#define KC(code) (KEY_OFFSET + (code))

static void type(struct input *in, const char *s)
{
	for (; *s; s++)
		input_key(in, K(*s));
}

static void line_editor(void **state)
{
	(void)state;
	struct input in = {0};
	input_set(&in, "");
	type(&in, "main");
	assert_string_equal(buf_str(&in.text), "main");
	input_key(&in, KC(KEY_LEFT));
	input_key(&in, KC(KEY_LEFT));
	input_key(&in, K('X'));
	assert_string_equal(buf_str(&in.text), "maXin");
	input_key(&in, KC(KEY_BACKSPACE));
	assert_string_equal(buf_str(&in.text), "main");
	input_key(&in, 0x01); /* C-a */
	input_key(&in, KC(KEY_DC));
	assert_string_equal(buf_str(&in.text), "ain");
	input_key(&in, 0x05); /* C-e */
	input_key(&in, 0xe9); /* é: two bytes in UTF-8 */
	assert_string_equal(buf_str(&in.text), "ain\xc3\xa9");
	input_key(&in, KC(KEY_BACKSPACE)); /* removes the whole character */
	assert_string_equal(buf_str(&in.text), "ain");
	type(&in, " two words");
	input_key(&in, 0x17); /* C-w */
	assert_string_equal(buf_str(&in.text), "ain two ");
	input_key(&in, 0x15); /* C-u */
	assert_string_equal(buf_str(&in.text), "");
	/* Control characters are not inserted. */
	assert_int_equal(input_key(&in, 0x1b), 0);
	assert_string_equal(buf_str(&in.text), "");
	input_free(&in);
}

static struct confirm make_confirm(const char *typed)
{
	struct confirm c;
	memset(&c, 0, sizeof c);
	c.title = xstrdup("Unblock?");
	c.confirm_label = xstrdup("Unblock");
	c.typed = xstrdup(typed);
	input_set(&c.in, "");
	return c;
}

static void confirm_defaults_to_cancel(void **state)
{
	(void)state;
	struct confirm c = make_confirm(NULL);
	assert_int_equal(confirm_feed(&c, '\r'), DIALOG_CANCELLED);
	confirm_free(&c);
	c = make_confirm(NULL);
	/* A stray key neither confirms nor cancels; it explains. */
	assert_int_equal(confirm_feed(&c, 'y'), DIALOG_PENDING);
	assert_non_null(c.hint);
	assert_int_equal(confirm_feed(&c, '\t'), DIALOG_PENDING);
	assert_int_equal(c.focus, 1);
	assert_null(c.hint);
	assert_int_equal(confirm_feed(&c, '\r'), DIALOG_ACCEPTED);
	confirm_free(&c);
	c = make_confirm(NULL);
	assert_int_equal(confirm_feed(&c, 0x1b), DIALOG_CANCELLED);
	confirm_free(&c);
}

static void confirm_by_typing(void **state)
{
	(void)state;
	struct confirm c = make_confirm("2026.11.3");
	confirm_feed(&c, '\t');
	assert_int_equal(confirm_feed(&c, '\r'), DIALOG_PENDING); /* nothing typed */
	assert_non_null(c.hint);
	const char *wrong = "2026.11.";
	for (const char *p = wrong; *p; p++)
		confirm_feed(&c, *p);
	assert_int_equal(confirm_feed(&c, '\r'), DIALOG_PENDING);
	confirm_feed(&c, '3');
	assert_int_equal(confirm_feed(&c, '\r'), DIALOG_ACCEPTED);
	confirm_free(&c);
	/* While typing, q is text, not cancel. */
	c = make_confirm("q");
	assert_int_equal(confirm_feed(&c, 'q'), DIALOG_PENDING);
	assert_string_equal(buf_str(&c.in.text), "q");
	confirm_free(&c);
}

static char *not_empty(void *ud, size_t field, const char *value)
{
	(void)ud;
	(void)field;
	return *value ? NULL : xstrdup("required");
}

static void form_validates_before_accepting(void **state)
{
	(void)state;
	struct form fm;
	memset(&fm, 0, sizeof fm);
	fm.title = xstrdup("t");
	fm.n = 2;
	for (int i = 0; i < 2; i++) {
		fm.f[i].label = xstrdup(i ? "Two" : "One");
		input_set(&fm.f[i].in, "");
	}
	fm.validate = not_empty;
	form_feed(&fm, 'a');
	assert_int_equal(form_feed(&fm, '\r'), DIALOG_PENDING); /* to field 2 */
	assert_int_equal(fm.focus, 1);
	assert_int_equal(form_feed(&fm, '\r'), DIALOG_PENDING); /* field 2 empty */
	assert_int_equal(fm.focus, 1);
	assert_string_equal(fm.f[1].error, "required");
	form_feed(&fm, 'b');
	assert_null(fm.f[1].error);
	assert_int_equal(form_feed(&fm, '\r'), DIALOG_ACCEPTED);
	assert_string_equal(buf_str(&fm.f[0].in.text), "a");
	assert_string_equal(buf_str(&fm.f[1].in.text), "b");
	/* Tab to Cancel, Enter cancels. */
	form_feed(&fm, '\t');
	form_feed(&fm, '\t');
	assert_int_equal(fm.focus, 3);
	assert_int_equal(form_feed(&fm, '\r'), DIALOG_CANCELLED);
	form_free(&fm);
}

static void action_table_and_keymap(void **state)
{
	(void)state;
	for (int a = 1; a < ACTION_COUNT; a++) {
		assert_true(strlen(action_name((enum action)a)) > 0);
		assert_true(strlen(action_description((enum action)a)) > 0);
		assert_int_equal(action_by_name(action_name((enum action)a)), a);
	}
	assert_int_equal(action_by_name("no-such-action"), ACTION_NONE);
	assert_int_equal(keymap_lookup('q'), ACTION_QUIT);
	assert_int_equal(keymap_lookup('/'), ACTION_FILTER);
	assert_int_equal(keymap_lookup('\r'), ACTION_OPEN);
	assert_int_equal(keymap_lookup(KC(KEY_DOWN)), ACTION_MOVE_DOWN);
	assert_int_equal(keymap_lookup('Z'), ACTION_NONE);
	struct buf k = {0};
	keymap_keys(ACTION_MOVE_DOWN, &k);
	assert_string_equal(buf_str(&k), "j <Down>");
	buf_free(&k);
	/* The printed table names every action once. */
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	keymap_print(f);
	fclose(f);
	for (int a = 1; a < ACTION_COUNT; a++) {
		char needle[64];
		snprintf(needle, sizeof needle, "| %s |", action_name((enum action)a));
		assert_non_null(strstr(text, needle));
	}
	free(text);
}

/* A table over a fixed array of (id, name, size). */
static const struct {
	long id;
	const char *name;
	long size;
} rows[] = {{10, "alpha", 3}, {11, "beta", 1}, {12, "Gamma", 2}, {13, "alphabet", 9}};

static size_t t_count(void *ud)
{
	return *(size_t *)ud;
}

static void t_row(void *ud, size_t i, struct rowbuf *rb)
{
	(void)ud;
	row_set(rb, 0, ROLE_NORMAL, rows[i].name);
	row_setf(rb, 1, ROLE_NORMAL, "%ld", rows[i].size);
}

static long t_id(void *ud, size_t i)
{
	(void)ud;
	return rows[i].id;
}

static int t_cmp(void *ud, size_t a, size_t b, size_t col)
{
	(void)ud;
	(void)col;
	return (rows[a].size > rows[b].size) - (rows[a].size < rows[b].size);
}

static void table_filter_sort_select(void **state)
{
	(void)state;
	static const struct table_col cols[] = {{"NAME", 10, 0, 0}, {"SIZE", 4, 1, 1}};
	static const struct table_ops ops = {.count = t_count, .row = t_row, .id = t_id, .cmp = t_cmp};
	size_t n = 4;
	struct table *t = table_new(cols, 2, &ops, &n);
	assert_int_equal(table_shown(t), 4);
	assert_int_equal(table_selected(t), 0);
	table_set_filter(t, "ALPHA"); /* case-insensitive */
	assert_int_equal(table_shown(t), 2);
	table_set_filter(t, "");
	table_sort(t, 0, 0); /* by name, case-insensitive */
	table_action(t, ACTION_MOVE_TOP);
	assert_int_equal(table_selected(t), 0); /* alpha */
	table_action(t, ACTION_MOVE_DOWN);
	assert_int_equal(table_selected(t), 3); /* alphabet */
	table_action(t, ACTION_MOVE_DOWN);
	assert_int_equal(table_selected(t), 1); /* beta */
	table_sort(t, 1, 1);                    /* by size, numeric, descending */
	table_action(t, ACTION_MOVE_TOP);
	assert_int_equal(table_selected(t), 3); /* size 9 */
	table_action(t, ACTION_MOVE_BOTTOM);
	assert_int_equal(table_selected(t), 1); /* size 1 */
	/* The selection follows its id across reloads and reorderings. */
	table_sort(t, -1, 0);
	assert_int_equal(table_selected(t), 1);
	n = 2; /* rows shrink: id 11 is still there */
	table_reload(t);
	assert_int_equal(table_selected(t), 1);
	n = 1; /* id 11 gone: selection clamps */
	table_reload(t);
	assert_int_equal(table_selected(t), 0);
	n = 0;
	table_reload(t);
	assert_int_equal(table_selected(t), -1);
	table_free(&t);
	assert_null(t);
}

int main(void)
{
	/* The console runs in the user's UTF-8 locale; so does this test. */
	setlocale(LC_ALL, "C.UTF-8");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(line_editor),
		cmocka_unit_test(confirm_defaults_to_cancel),
		cmocka_unit_test(confirm_by_typing),
		cmocka_unit_test(form_validates_before_accepting),
		cmocka_unit_test(action_table_and_keymap),
		cmocka_unit_test(table_filter_sort_select),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
