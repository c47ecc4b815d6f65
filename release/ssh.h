/* release/ssh.h - SSH into a super stack through its bastion, with the
 * system ssh client.
 *
 * A super stack's bastion has a public address (output EIP1 of the nested
 * BastionStack); the other hosts (ReadySetMonitorInstance, ...) only have
 * private addresses, reached through the bastion.  ssh_argv() builds the
 * argument vector for the system `ssh` and the same command line quoted for
 * people to copy; ssh_run() runs it by fork + execvp: no shell, nothing
 * interpolated.
 *
 * The route.  With the defaults it is exactly
 *     ssh -J ec2-user@203.0.113.10 ubuntu@10.0.1.23
 * (-J BASTION_USER@EIP[:PORT]).  OpenSSH starts the hop to the bastion as a
 * second ssh and hands it only -l, -p, -J and -F: an identity file or -o
 * options given on the command line would silently not apply to the
 * bastion.  So when ssh.identity_file or ssh.options is set, the hop is
 * spelled out instead as
 *     -o 'ProxyCommand=ssh -i KEY -p PORT -o K=V -W %h:%p ec2-user@EIP'
 * which ssh runs through $SHELL -c.  That is why every value that can reach
 * it (program, identity file, options, users, addresses) is restricted to
 * characters no shell gives a meaning to (see below); relcon adds no quoting
 * of its own there.
 *
 * Host keys: relcon never weakens host-key checking.  ssh's defaults (and
 * the user's ~/.ssh/config) apply unless ssh.options says otherwise, so the
 * first connection to a new bastion asks "Are you sure you want to continue
 * connecting" on the terminal, as plain ssh does.
 *
 * Validation.  Stack outputs, tags and DescribeInstances answers are
 * untrusted, and so, for argument safety, is the configuration.  Nothing may
 * start with '-' (no option injection through "-oProxyCommand=...").
 *   addresses  an IPv4 dotted quad (no leading zeros), or a DNS name of
 *              [A-Za-z0-9-] labels (1-63, no '-' at either end) separated by
 *              dots, at most 253 bytes, whose last label is not all digits
 *   users      [a-z_][a-z0-9_-]*, at most 32 bytes
 *   program, identity file (after "~/" expansion)
 *              letters, digits and . _ / + @ , : = -
 *   options    Key=Value: Key is a letter then letters and digits; Value is
 *              non-empty, letters, digits and . _ / + @ , : = -;
 *              ProxyCommand and ProxyJump are refused (relcon sets the route)
 *   port       1..65535
 * Options needing other characters belong in ~/.ssh/config.  Command words
 * (after "--") are passed to ssh as given: ssh joins them with spaces and
 * the remote user's shell parses the result, exactly as with plain ssh.
 *
 * Nothing here reads or logs the identity file's content; only its path
 * appears in argv, in the display line and in the --debug log. */
#ifndef RELCON_RELEASE_SSH_H
#define RELCON_RELEASE_SSH_H

#include "core/buf.h"
#include "core/config.h"

struct ssh_target {
	const char *bastion_ip; /* the bastion's public address (output EIP1); required */
	const char *private_ip; /* a private host's address; NULL: the bastion itself */
	/* Optional names of where the addresses came from, for messages
	 * ("output EIP1 of BastionStack"); NULL: "bastion address" and
	 * "private address". */
	const char *bastion_source;
	const char *private_source;
};

/* Build the argv for execvp:
 *   PROGRAM [-i FILE] [-p PORT] [-o K=V ...] [ROUTE] USER@HOST [-- WORDS...]
 * ROUTE (only for a private host) is "-J BASTION_USER@BASTION[:PORT]", or
 * "-o ProxyCommand=..." when ssh.identity_file or ssh.options is set (see
 * above); -p appears when ssh.port is not 22.  USER is ssh.user for a
 * private host and ssh.bastion_user for the bastion.  command is a
 * NULL-terminated list of words to run instead of a login shell; NULL or
 * empty means an interactive session.
 * On success returns 0 with *argv a malloc'd NULL-terminated array of
 * malloc'd strings (free with ssh_argv_free) and, when display is not NULL,
 * the same command line appended to display, quoted for a POSIX shell so it
 * can be copied and pasted: words of plain characters stay bare, others are
 * single-quoted, and a word holding a control character or a non-ASCII byte
 * is written $'...' with \xNN escapes, so the line is printable ASCII and
 * safe to draw.  On failure returns -1, *argv NULL, nothing appended to
 * display, and one line appended to err naming the bad field, e.g.
 *   bastion address (output EIP1 of BastionStack): "1.2.3.4 -oProxyCommand=x" is not an IPv4 address or host name
 *   ssh.user: "-oX" is not a user name ([a-z_][a-z0-9_-]*)
 * (bad values are shown sanitized and shortened). */
int ssh_argv(const struct ssh_target *t, const struct config *cfg, const char *const *command, char ***argv,
	     struct buf *display, struct buf *err);

/* Free an argv from ssh_argv and set *argv to NULL (safe on NULL). */
void ssh_argv_free(char ***argv);

/* Append argv (NULL-terminated) to out as one line quoted for a POSIX shell,
 * as ssh_argv does for display. */
void ssh_quote_argv(char *const *argv, struct buf *out);

/* Checks worth making before running ssh, with clearer messages than ssh's:
 * ssh.identity_file, when set, exists, is readable and is not readable by
 * group or others (ssh refuses such a key).  Returns 0, or -1 with one line
 * in err ("ssh.identity_file: /k: No such file or directory"). */
int ssh_preflight(const struct config *cfg, struct buf *err);

/* Where the child's standard streams go.  -1 means relcon's own fd 0, 1, 2. */
struct ssh_io {
	int in_fd;
	int out_fd;
	int err_fd;      /* ssh's stderr passes through a pipe and is copied here */
	long timeout_ms; /* > 0: stop ssh (SIGTERM, SIGKILL 2 s later) after this long; 0: no limit */
};

/* Run argv (from ssh_argv) with fork + execvp and wait for it.
 *
 * The child inherits the terminal: the caller must have left curses mode
 * first (the TUI wraps this call in term_suspend() / term_resume()).  It
 * runs in relcon's process group (the terminal's foreground group), with
 * every signal at its default and unblocked, and only fds 0-2 open.  While
 * it runs, relcon ignores SIGINT and SIGQUIT (Ctrl-C belongs to ssh, as
 * with system(3)) and takes SIGTSTP's default action (Ctrl-Z stops both);
 * the previous actions are restored before returning.  ssh's stderr is
 * copied through to the terminal as it comes, and its last line is kept
 * for the message.
 *
 * Returns 0 when ssh was started and has exited; *exit_status is its exit
 * status, or 128+N when signal N killed it.  Returns -1 when it could not
 * be started: the pipes or fork failed (*exit_status -1), or exec failed
 * (the child exits 127; *exit_status 127).  Whenever the result is -1 or
 * *exit_status is not 0, one line is appended to err:
 *   ssh not found: PROGRAM: No such file or directory (install openssh-client, or set ssh.program)
 *   cannot run PROGRAM: Permission denied
 *   ssh could not connect (exit 255): <ssh's last line on stderr>
 *   the remote shell or command exited with status N
 *   ssh was killed by signal N (SIGNAME)
 *   ssh timed out after N s and was stopped
 * Blocks until ssh exits (or the timeout): the caller's event loop is not
 * run meanwhile. */
int ssh_run(char *const *argv, int *exit_status, struct buf *err);

/* ssh_run with the child's streams and a time limit given by io (NULL:
 * inherit everything, no limit).  Tests capture output this way; the TUI
 * can pass its /dev/tty descriptor when relcon's stdout is redirected. */
int ssh_run_io(char *const *argv, const struct ssh_io *io, int *exit_status, struct buf *err);

#endif
