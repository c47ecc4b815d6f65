#include "core/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

void proc_exec_child(char *const *argv, int report, int e)
{
	if (report >= 0 && report != 3 && dup2(report, 3) == 3) {
		fcntl(3, F_SETFD, FD_CLOEXEC);
		report = 3;
	}
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
	if (report == 3)
		closefrom(4);
#else
	if (report == 3)
		for (int fd = 4; fd < 4096; fd++)
			close(fd);
#endif
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (int sig = 1; sig < 65; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &sa, NULL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (!e) {
		execvp(argv[0], argv);
		e = errno;
	}
	if (report >= 0) {
		ssize_t r = write(report, &e, sizeof e);
		(void)r;
	}
	_exit(127);
}
