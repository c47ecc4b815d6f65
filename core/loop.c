#include "core/loop.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"

struct watch {
	int fd;
	short events;
	loop_fd_fn fn;
	void *ud;
};

struct timer {
	unsigned long id;
	long long due;
	loop_timer_fn fn;
	void *ud;
};

struct sigwatch {
	int signo;
	loop_signal_fn fn;
	void *ud;
};

struct loop {
	struct watch *w;
	size_t nw, capw;
	struct timer *t;
	size_t nt, capt;
	unsigned long next_id;
	struct sigwatch sig[16];
	size_t nsig;
	int stopped;
	int busy;
	unsigned long wakeups;
};

/* The self-pipe is process-wide: signal handlers cannot find a loop. */
static int self_pipe[2] = {-1, -1};

static void on_signal(int signo)
{
	int saved = errno;
	unsigned char b = (unsigned char)signo;
	if (self_pipe[1] >= 0) {
		ssize_t r = write(self_pipe[1], &b, 1);
		(void)r;
	}
	errno = saved;
}

long long loop_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long loop_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void set_flags(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
}

struct loop *loop_new(void)
{
	if (self_pipe[0] < 0) {
		if (pipe(self_pipe) < 0)
			return NULL;
		set_flags(self_pipe[0]);
		set_flags(self_pipe[1]);
	}
	struct loop *l = xcalloc(1, sizeof *l);
	l->next_id = 1;
	return l;
}

void loop_free(struct loop **lp)
{
	if (!lp || !*lp)
		return;
	struct loop *l = *lp;
	for (size_t i = 0; i < l->nsig; i++)
		signal(l->sig[i].signo, SIG_DFL);
	free(l->w);
	free(l->t);
	free(l);
	*lp = NULL;
}

void loop_watch_fd(struct loop *l, int fd, short events, loop_fd_fn fn, void *ud)
{
	for (size_t i = 0; i < l->nw; i++) {
		if (l->w[i].fd != fd)
			continue;
		if (!events) {
			l->w[i] = l->w[--l->nw];
			return;
		}
		l->w[i] = (struct watch){fd, events, fn, ud};
		return;
	}
	if (!events)
		return;
	if (l->nw == l->capw) {
		l->capw = l->capw ? l->capw * 2 : 8;
		l->w = xrealloc(l->w, l->capw * sizeof *l->w);
	}
	l->w[l->nw++] = (struct watch){fd, events, fn, ud};
}

unsigned long loop_timer(struct loop *l, long ms, loop_timer_fn fn, void *ud)
{
	if (l->nt == l->capt) {
		l->capt = l->capt ? l->capt * 2 : 8;
		l->t = xrealloc(l->t, l->capt * sizeof *l->t);
	}
	unsigned long id = l->next_id++;
	l->t[l->nt++] = (struct timer){id, loop_now_ms() + (ms > 0 ? ms : 0), fn, ud};
	return id;
}

void loop_timer_cancel(struct loop *l, unsigned long id)
{
	for (size_t i = 0; i < l->nt; i++) {
		if (l->t[i].id == id) {
			l->t[i] = l->t[--l->nt];
			return;
		}
	}
}

long loop_timer_remaining(const struct loop *l, unsigned long id)
{
	for (size_t i = 0; i < l->nt; i++) {
		if (l->t[i].id == id) {
			long long left = l->t[i].due - loop_now_ms();
			return left > 0 ? (long)left : 0;
		}
	}
	return -1;
}

int loop_on_signal(struct loop *l, int signo, loop_signal_fn fn, void *ud)
{
	if (l->nsig == sizeof l->sig / sizeof l->sig[0])
		return -1;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	if (sigaction(signo, &sa, NULL) < 0)
		return -1;
	l->sig[l->nsig++] = (struct sigwatch){signo, fn, ud};
	return 0;
}

static int drain_signals(struct loop *l)
{
	unsigned char b[64];
	int ran = 0;
	ssize_t n;
	while ((n = read(self_pipe[0], b, sizeof b)) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			for (size_t j = 0; j < l->nsig; j++) {
				if (l->sig[j].signo == b[i]) {
					l->sig[j].fn(l->sig[j].ud, b[i]);
					ran++;
				}
			}
		}
	}
	return ran;
}

static int run_timers(struct loop *l)
{
	int ran = 0;
	long long now = loop_now_ms();
	/* Fire due timers one at a time: a callback may change the list. */
	for (;;) {
		size_t best = l->nt;
		for (size_t i = 0; i < l->nt; i++)
			if (l->t[i].due <= now && (best == l->nt || l->t[i].due < l->t[best].due))
				best = i;
		if (best == l->nt)
			break;
		struct timer t = l->t[best];
		l->t[best] = l->t[--l->nt];
		t.fn(t.ud);
		ran++;
	}
	return ran;
}

int loop_run_once(struct loop *l, long max_ms)
{
	long long now = loop_now_ms();
	long timeout = max_ms;
	for (size_t i = 0; i < l->nt; i++) {
		long long left = l->t[i].due - now;
		if (left < 0)
			left = 0;
		if (timeout < 0 || left < timeout)
			timeout = (long)left;
	}
	size_t n = l->nw + 1;
	struct pollfd *p = xcalloc(n, sizeof *p);
	p[0].fd = self_pipe[0];
	p[0].events = POLLIN;
	for (size_t i = 0; i < l->nw; i++) {
		p[i + 1].fd = l->w[i].fd;
		p[i + 1].events = l->w[i].events;
	}
	int r = poll(p, (nfds_t)n, timeout > (long)1 << 30 ? 1 << 30 : (int)timeout);
	l->wakeups++;
	int ran = 0;
	if (r > 0) {
		if (p[0].revents)
			ran += drain_signals(l);
		for (size_t i = 1; i < n; i++) {
			if (!p[i].revents)
				continue;
			/* The watch may have been removed or replaced by an earlier callback. */
			for (size_t j = 0; j < l->nw; j++) {
				if (l->w[j].fd == p[i].fd) {
					l->w[j].fn(l->w[j].ud, p[i].fd, p[i].revents);
					ran++;
					break;
				}
			}
		}
	}
	free(p);
	ran += run_timers(l);
	return ran;
}

void loop_run(struct loop *l)
{
	while (!l->stopped)
		loop_run_once(l, -1);
}

void loop_stop(struct loop *l)
{
	l->stopped = 1;
}

int loop_stopped(const struct loop *l)
{
	return l->stopped;
}

void loop_busy_add(struct loop *l, int delta)
{
	l->busy += delta;
	if (l->busy < 0)
		l->busy = 0;
}

int loop_busy(const struct loop *l)
{
	return l->busy;
}

unsigned long loop_wakeups(const struct loop *l)
{
	return l->wakeups;
}
