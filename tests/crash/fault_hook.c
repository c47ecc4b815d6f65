/* tests/crash/fault_hook.c - linked into build/VARIANT/relcon-faulting, a
 * test build of relcon (never installed): real faults on demand, for the
 * crash-safety test (tests/tmux/test_tmux_crash.sh).
 *   SIGUSR1: a write through a null pointer (SIGSEGV, SEGV_MAPERR);
 *   SIGUSR2: unbounded recursion until the stack is gone (SIGSEGV with no
 *            stack left to run a handler on, unless it has one of its own).
 * Either arrives whenever the test chooses: in the middle of an operation.
 * The fault happens on relcon's main thread, as a bug would. */
#include <signal.h>
#include <stddef.h>
#include <string.h>

static int *volatile nowhere;

static void write_null(int sig)
{
	(void)sig;
	*nowhere = 1;
}

/* volatile depth and a frame the compiler cannot fold into a loop. */
static volatile unsigned long depth;

static unsigned long recurse(unsigned long n)
{
	volatile char frame[256];
	memset((char *)frame, (int)(n & 0xff), sizeof frame);
	depth = n;
	if (n == (unsigned long)-1) /* never: the stack ends long before */
		return 0;
	return recurse(n + 1) + frame[n % sizeof frame];
}

static void overflow_stack(int sig)
{
	(void)sig;
	depth = recurse(0);
}

__attribute__((constructor)) static void install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = write_null;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = overflow_stack;
	sigaction(SIGUSR2, &sa, NULL);
}
