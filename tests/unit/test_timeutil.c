/* core/timeutil and core/textwidth: ISO 8601 parsing, the pinned clock,
 * compact ages, display widths of wide characters. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/textwidth.h"
#include "core/timeutil.h"

static void parses_iso8601(void **state)
{
	(void)state;
	time_t t;
	assert_int_equal(time_parse_iso("2026-11-24T12:00:00Z", &t), 0);
	assert_int_equal((long long)t, 1795521600LL);
	assert_int_equal(time_parse_iso("2026-11-24T12:00:00.123Z", &t), 0);
	assert_int_equal((long long)t, 1795521600LL);
	assert_int_equal(time_parse_iso("2026-11-24T14:30:00+02:30", &t), 0);
	assert_int_equal((long long)t, 1795521600LL);
	assert_int_equal(time_parse_iso("2026-11-24T07:00:00-0500", &t), 0);
	assert_int_equal((long long)t, 1795521600LL);
	assert_int_equal(time_parse_iso("2026-11-24T12:00:00", &t), 0); /* no zone: UTC */
	assert_int_equal(time_parse_iso("yesterday", &t), -1);
	assert_int_equal(time_parse_iso("2026-11-24T12:00:00Zjunk", &t), -1);
	assert_int_equal(time_parse_iso(NULL, &t), -1);
}

static void pinned_clock(void **state)
{
	(void)state;
	setenv("RELCON_NOW", "2026-11-24T12:00:00Z", 1);
	assert_int_equal((long long)time_now(), 1795521600LL);
	setenv("RELCON_NOW", "1000", 1);
	assert_int_equal((long long)time_now(), 1000);
	unsetenv("RELCON_NOW");
	assert_true(time_now() > 1795521600LL - 86400 * 365 * 10);
}

static void ages(void **state)
{
	(void)state;
	static const struct {
		long d;
		const char *want;
	} cases[] = {{0, "now"},        {4, "now"},         {45, "45s"},          {125, "2m"}, {3 * 3600 + 5, "3h"},
		     {5 * 86400, "5d"}, {30 * 86400, "4w"}, {800 * 86400L, "2y"}, {-30, "now"}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct buf b = {0};
		time_age(&b, 1000000 - cases[i].d, 1000000);
		assert_string_equal(buf_str(&b), cases[i].want);
		buf_free(&b);
	}
	struct buf b = {0};
	time_age(&b, 0, 1000000);
	assert_string_equal(buf_str(&b), "-");
	/* As a phrase, appended to what the buffer holds; a time ahead of the
	 * clock (another machine's) is "just now", never "now ago". */
	buf_reset(&b);
	buf_adds(&b, "created ");
	time_ago(&b, 1000000 + 600, 1000000);
	assert_string_equal(buf_str(&b), "created just now");
	buf_reset(&b);
	time_ago(&b, 1000000 - 125, 1000000);
	assert_string_equal(buf_str(&b), "2m ago");
	buf_reset(&b);
	time_ago(&b, 0, 1000000);
	assert_string_equal(buf_str(&b), "-");
	buf_reset(&b);
	time_iso(&b, 1795521600);
	assert_string_equal(buf_str(&b), "2026-11-24T12:00:00Z");
	buf_free(&b);
}

static void widths(void **state)
{
	(void)state;
	assert_int_equal(text_width("main"), 4);
	assert_int_equal(text_width("田中 太郎"), 9);
	assert_int_equal(text_width("🚀 Ship it"), 10);
	int used;
	/* A wide character that does not fit is left out whole. */
	size_t n = text_fit("田中太郎", 5, &used);
	assert_int_equal(n, 6); /* two characters, three bytes each */
	assert_int_equal(used, 4);
	n = text_fit("abc", 10, &used);
	assert_int_equal(n, 3);
	assert_int_equal(used, 3);
	/* Invalid bytes count one column each and are never split. */
	assert_int_equal(text_width("a\xff"
				    "b"),
			 3);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_iso8601),
		cmocka_unit_test(pinned_clock),
		cmocka_unit_test(ages),
		cmocka_unit_test(widths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
