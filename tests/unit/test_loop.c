/* core/loop: timers fire in order, cancel works, fds and signals wake the
 * loop, and an idle loop sleeps (one wake-up per event, no ticks). */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/loop.h"

static char order[16];
static int norder;

static void mark(void *ud)
{
	order[norder++] = *(const char *)ud;
}

static void timers_fire_in_order(void **state)
{
	(void)state;
	struct loop *l = loop_new();
	static const char a = 'a', b = 'b', c = 'c';
	norder = 0;
	loop_timer(l, 30, mark, (void *)&c);
	loop_timer(l, 0, mark, (void *)&a);
	loop_timer(l, 10, mark, (void *)&b);
	while (norder < 3)
		loop_run_once(l, 1000);
	assert_memory_equal(order, "abc", 3);
	loop_free(&l);
	assert_null(l);
}

static void cancelled_timer_never_fires(void **state)
{
	(void)state;
	struct loop *l = loop_new();
	static const char x = 'x', y = 'y';
	norder = 0;
	unsigned long id = loop_timer(l, 5, mark, (void *)&x);
	loop_timer(l, 20, mark, (void *)&y);
	assert_true(loop_timer_remaining(l, id) >= 0);
	loop_timer_cancel(l, id);
	assert_int_equal(loop_timer_remaining(l, id), -1);
	while (norder < 1)
		loop_run_once(l, 1000);
	assert_int_equal(norder, 1);
	assert_int_equal(order[0], 'y');
	loop_free(&l);
}

static int fd_seen;

static void on_fd(void *ud, int fd, int revents)
{
	(void)ud;
	char buf[8];
	if (revents & POLLIN && read(fd, buf, sizeof buf) > 0)
		fd_seen++;
}

static void fd_wakes_the_loop(void **state)
{
	(void)state;
	struct loop *l = loop_new();
	int p[2];
	assert_int_equal(pipe(p), 0);
	fd_seen = 0;
	loop_watch_fd(l, p[0], POLLIN, on_fd, NULL);
	assert_int_equal(write(p[1], "x", 1), 1);
	unsigned long before = loop_wakeups(l);
	loop_run_once(l, 5000);
	assert_int_equal(fd_seen, 1);
	assert_int_equal(loop_wakeups(l) - before, 1);
	/* Unwatched: nothing more is dispatched; the wait times out. */
	loop_watch_fd(l, p[0], 0, NULL, NULL);
	assert_int_equal(write(p[1], "y", 1), 1);
	assert_int_equal(loop_run_once(l, 10), 0);
	assert_int_equal(fd_seen, 1);
	close(p[0]);
	close(p[1]);
	loop_free(&l);
}

static int got_signal;

static void on_sig(void *ud, int signo)
{
	(void)ud;
	got_signal = signo;
}

static void signal_arrives_through_the_loop(void **state)
{
	(void)state;
	struct loop *l = loop_new();
	got_signal = 0;
	assert_int_equal(loop_on_signal(l, SIGUSR1, on_sig, NULL), 0);
	raise(SIGUSR1);
	/* The handler only writes the self-pipe: the callback runs in the loop. */
	assert_int_equal(got_signal, 0);
	loop_run_once(l, 1000);
	assert_int_equal(got_signal, SIGUSR1);
	loop_free(&l);
}

static void busy_counts(void **state)
{
	(void)state;
	struct loop *l = loop_new();
	assert_int_equal(loop_busy(l), 0);
	loop_busy_add(l, 2);
	assert_int_equal(loop_busy(l), 2);
	loop_busy_add(l, -3);
	assert_int_equal(loop_busy(l), 0);
	loop_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(timers_fire_in_order), cmocka_unit_test(cancelled_timer_never_fires),
		cmocka_unit_test(fd_wakes_the_loop),    cmocka_unit_test(signal_arrives_through_the_loop),
		cmocka_unit_test(busy_counts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
