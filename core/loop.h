/* core/loop.h - the one event loop: file descriptors, one-shot timers and
 * signals (through a self-pipe), all waited for in a single poll().
 *
 * Nothing here spins: with no timer due and no fd ready, loop_run_once()
 * sleeps in poll() until something happens.  Callbacks run on the loop's
 * thread; they may add or remove fds and timers freely. */
#ifndef RELCON_CORE_LOOP_H
#define RELCON_CORE_LOOP_H

#include <poll.h>
#include <stddef.h>

struct loop;

typedef void (*loop_fd_fn)(void *ud, int fd, int revents);
typedef void (*loop_timer_fn)(void *ud);
typedef void (*loop_signal_fn)(void *ud, int signo);

/* Create a loop. Returns NULL only if the self-pipe cannot be made. */
struct loop *loop_new(void);
/* Free the loop (restores default handlers of signals it caught); sets *l NULL. */
void loop_free(struct loop **l);

/* Watch fd for events (POLLIN, POLLOUT or both); events == 0 stops
 * watching.  Re-watching an fd replaces its events, callback and ud. */
void loop_watch_fd(struct loop *l, int fd, short events, loop_fd_fn fn, void *ud);

/* Call fn(ud) once after ms milliseconds (0 = at the next iteration).
 * Returns an id > 0 for loop_timer_cancel. */
unsigned long loop_timer(struct loop *l, long ms, loop_timer_fn fn, void *ud);
/* Cancel a pending timer; unknown or fired ids are ignored. */
void loop_timer_cancel(struct loop *l, unsigned long id);
/* Milliseconds until timer id fires, or -1 when it is not pending. */
long loop_timer_remaining(const struct loop *l, unsigned long id);

/* Catch signo and call fn(ud, signo) from the loop (never from the
 * handler).  Returns 0, or -1 when sigaction fails. */
int loop_on_signal(struct loop *l, int signo, loop_signal_fn fn, void *ud);

/* Wait once (at most max_ms; -1 = until something happens) and dispatch
 * what is ready.  Returns the number of callbacks run. */
int loop_run_once(struct loop *l, long max_ms);
/* Run until loop_stop(). */
void loop_run(struct loop *l);
void loop_stop(struct loop *l);
int loop_stopped(const struct loop *l);

/* Work in flight (HTTP requests, follow-ups) registers itself so tests and
 * scripts can wait for quiet: loop_busy_add(l, +1) / (l, -1). */
void loop_busy_add(struct loop *l, int delta);
/* Nonzero while any work is in flight. */
int loop_busy(const struct loop *l);

/* Monotonic milliseconds. */
long long loop_now_ms(void);
/* The same clock in microseconds (frame timing in the debug log). */
long long loop_now_us(void);

/* Counters for benchmarks and the idle-CPU check: how many times poll()
 * returned. */
unsigned long loop_wakeups(const struct loop *l);

#endif
