/* core/proc.h - the last steps of a forked child before exec, shared by
 * everything that runs a program (release/ssh.c, tui/clip.c). */
#ifndef RELCON_CORE_PROC_H
#define RELCON_CORE_PROC_H

/* In a forked child, after it has set up fds 0-2; only async-signal-safe
 * calls.  Moves report (the write end of a close-on-exec pipe the parent
 * reads exec's errno from; -1 for none) to fd 3 and closes every fd above
 * it, so nothing of relcon's (curl sockets, the self-pipe, /dev/tty) leaks
 * into the program; puts every signal back to its default action and
 * unblocks them all (ignored signals would stay ignored across exec,
 * blocked ones blocked); then execvp(argv[0], argv) unless e, an errno
 * from the set-up, is already nonzero.  On failure writes the errno to
 * report and exits 127.  Never returns. */
_Noreturn void proc_exec_child(char *const *argv, int report, int e);

#endif
