#include "release/ssh.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/proc.h"
#include "core/sanitize.h"
#include "core/shquote.h"

/* ---- validation ---- */

/* Characters that mean nothing to any shell and nothing to ssh's own
 * ProxyCommand expansion (no '%', '~', '$', quotes, spaces, globs). */
static int plain_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
	       c == '/' || c == '+' || c == '@' || c == ',' || c == ':' || c == '=' || c == '-';
}

static int plain_word(const char *s)
{
	if (!s || !*s || *s == '-')
		return 0;
	for (; *s; s++)
		if (!plain_char((unsigned char)*s))
			return 0;
	return 1;
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_ipv4(const char *s)
{
	for (int part = 0; part < 4; part++) {
		if (part > 0 && *s++ != '.')
			return 0;
		if (!is_digit((unsigned char)*s))
			return 0;
		/* "010" would be octal to inet_aton: refuse leading zeros. */
		if (s[0] == '0' && is_digit((unsigned char)s[1]))
			return 0;
		int v = 0, n = 0;
		while (is_digit((unsigned char)*s) && n < 4) {
			v = v * 10 + (*s++ - '0');
			n++;
		}
		if (n > 3 || v > 255)
			return 0;
	}
	return *s == '\0';
}

static int is_hostname(const char *s)
{
	size_t len = strlen(s);
	if (len == 0 || len > 253)
		return 0;
	const char *label = s;
	int all_digits = 1;
	for (const char *p = s;; p++) {
		if (*p == '.' || *p == '\0') {
			size_t n = (size_t)(p - label);
			if (n == 0 || n > 63 || label[0] == '-' || p[-1] == '-')
				return 0;
			if (*p == '\0')
				break;
			label = p + 1;
			all_digits = 1;
			continue;
		}
		int c = (unsigned char)*p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '-'))
			return 0;
		if (!is_digit(c))
			all_digits = 0;
	}
	/* "1.2.3" or "4294967295" would be read as an IPv4 address. */
	return !all_digits;
}

static int valid_address(const char *s)
{
	return s && (is_ipv4(s) || is_hostname(s));
}

static int valid_user(const char *s)
{
	if (!s || !*s || strlen(s) > 32)
		return 0;
	if (!((*s >= 'a' && *s <= 'z') || *s == '_'))
		return 0;
	for (s++; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || is_digit((unsigned char)*s) || *s == '_' || *s == '-'))
			return 0;
	return 1;
}

/* "FIELD: \"VALUE\" WHAT" with VALUE made inert and short. */
static int bad(struct buf *err, const char *field, const char *value, const char *what)
{
	char *q = sanitize_str(value ? value : "", SANITIZE_ONE_LINE);
	char *shortq = sanitize(q, strlen(q), SANITIZE_ONE_LINE, 80);
	buf_printf(err, "%s: \"%s\" %s", field, shortq, what);
	free(shortq);
	free(q);
	return -1;
}

static int valid_option(const char *opt, size_t idx, struct buf *err)
{
	char field[48];
	snprintf(field, sizeof field, "ssh.options item %zu", idx + 1);
	const char *eq = strchr(opt, '=');
	if (!eq || eq == opt)
		return bad(err, field, opt, "is not Key=Value");
	if (!((opt[0] >= 'a' && opt[0] <= 'z') || (opt[0] >= 'A' && opt[0] <= 'Z')))
		return bad(err, field, opt, "must start with an option name (a letter), not '-'");
	for (const char *p = opt; p < eq; p++) {
		int c = (unsigned char)*p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c)))
			return bad(err, field, opt, "has a name that is not letters and digits");
	}
	size_t klen = (size_t)(eq - opt);
	if ((klen == 12 && !strncasecmp(opt, "ProxyCommand", 12)) || (klen == 9 && !strncasecmp(opt, "ProxyJump", 9)))
		return bad(err, field, opt, "sets the route, which relcon chooses (through the stack's bastion)");
	if (!plain_word(eq + 1))
		return bad(err, field, opt,
			   "needs a value of letters, digits and ._/+@,:=- not starting with '-' (put other options in "
			   "~/.ssh/config)");
	return 0;
}

void ssh_quote_argv(char *const *argv, struct buf *out)
{
	for (size_t i = 0; argv && argv[i]; i++) {
		if (i)
			buf_addc(out, ' ');
		shquote_word(out, argv[i]);
	}
}

/* ---- argv ---- */

struct vec {
	char **v;
	size_t n, cap;
};

static void vec_push(struct vec *a, char *owned)
{
	if (a->n + 2 > a->cap) {
		a->cap = a->cap ? a->cap * 2 : 16;
		a->v = xrealloc(a->v, a->cap * sizeof *a->v);
	}
	a->v[a->n++] = owned;
	a->v[a->n] = NULL;
}

static void vec_add(struct vec *a, const char *s)
{
	vec_push(a, xstrdup(s));
}

void ssh_argv_free(char ***argv)
{
	if (!argv || !*argv)
		return;
	for (char **p = *argv; *p; p++)
		free(*p);
	free(*argv);
	*argv = NULL;
}

int ssh_argv(const struct ssh_target *t, const struct config *cfg, const char *const *command, char ***argv,
	     struct buf *display, struct buf *err)
{
	*argv = NULL;
	/* The sources name stack outputs and logical IDs: inert too. */
	char bfield[160] = "bastion address", pfield[160] = "private address";
	if (t && t->bastion_source) {
		char *q = sanitize(t->bastion_source, strlen(t->bastion_source), SANITIZE_ONE_LINE, 100);
		snprintf(bfield, sizeof bfield, "bastion address (%s)", q);
		free(q);
	}
	if (t && t->private_source) {
		char *q = sanitize(t->private_source, strlen(t->private_source), SANITIZE_ONE_LINE, 100);
		snprintf(pfield, sizeof pfield, "private address (%s)", q);
		free(q);
	}

	if (!t || !t->bastion_ip || !*t->bastion_ip) {
		buf_printf(err, "%s: missing (the stack has no bastion address yet)", bfield);
		return -1;
	}
	if (!valid_address(t->bastion_ip))
		return bad(err, bfield, t->bastion_ip, "is not an IPv4 address or host name");
	if (t->private_ip && !*t->private_ip) {
		buf_printf(err, "%s: missing (the instance has no private address)", pfield);
		return -1;
	}
	if (t->private_ip && !valid_address(t->private_ip))
		return bad(err, pfield, t->private_ip, "is not an IPv4 address or host name");
	if (!valid_user(cfg->ssh_bastion_user))
		return bad(err, "ssh.bastion_user", cfg->ssh_bastion_user, "is not a user name ([a-z_][a-z0-9_-]*)");
	if (t->private_ip && !valid_user(cfg->ssh_user))
		return bad(err, "ssh.user", cfg->ssh_user, "is not a user name ([a-z_][a-z0-9_-]*)");
	if (!plain_word(cfg->ssh_program))
		return bad(err, "ssh.program", cfg->ssh_program,
			   "must be a name or path of letters, digits and ._/+@,:=- not starting with '-'");
	if (cfg->ssh_port < 1 || cfg->ssh_port > 65535) {
		buf_printf(err, "ssh.port: %ld is not between 1 and 65535", cfg->ssh_port);
		return -1;
	}
	for (size_t i = 0; i < cfg->ssh_options.n; i++)
		if (valid_option(cfg->ssh_options.v[i], i, err) < 0)
			return -1;
	char *identity = NULL;
	if (cfg->ssh_identity_file && *cfg->ssh_identity_file) {
		identity = config_expand_home(cfg->ssh_identity_file);
		if (!plain_word(identity)) {
			bad(err, "ssh.identity_file", identity,
			    "must be a path of letters, digits and ._/+@,:=- not starting with '-'");
			free(identity);
			return -1;
		}
	}

	char port[16];
	snprintf(port, sizeof port, "%ld", cfg->ssh_port);
	int other_port = cfg->ssh_port != 22;

	/* Everything but the route and the destination: the same for both hops. */
	struct vec common = {0};
	if (identity) {
		vec_add(&common, "-i");
		vec_add(&common, identity);
	}
	if (other_port) {
		vec_add(&common, "-p");
		vec_add(&common, port);
	}
	for (size_t i = 0; i < cfg->ssh_options.n; i++) {
		vec_add(&common, "-o");
		vec_add(&common, cfg->ssh_options.v[i]);
	}

	struct vec a = {0};
	vec_add(&a, cfg->ssh_program);
	for (size_t i = 0; i < common.n; i++)
		vec_add(&a, common.v[i]);
	struct buf w = {0};
	if (t->private_ip) {
		if (!identity && cfg->ssh_options.n == 0) {
			buf_printf(&w, "%s@%s", cfg->ssh_bastion_user, t->bastion_ip);
			if (other_port)
				buf_printf(&w, ":%s", port);
			vec_add(&a, "-J");
			vec_push(&a, buf_steal(&w));
		} else {
			/* -J would drop -i and -o for the bastion hop (see ssh.h).
			 * Every word below passed plain_word() or is ours, so the
			 * shell ssh runs this through only splits it at spaces.
			 * %h:%p without brackets: a bracket is a glob. */
			buf_printf(&w, "ProxyCommand=%s", cfg->ssh_program);
			for (size_t i = 0; i < common.n; i++)
				buf_printf(&w, " %s", common.v[i]);
			buf_printf(&w, " -W %%h:%%p %s@%s", cfg->ssh_bastion_user, t->bastion_ip);
			vec_add(&a, "-o");
			vec_push(&a, buf_steal(&w));
		}
		buf_printf(&w, "%s@%s", cfg->ssh_user, t->private_ip);
	} else {
		buf_printf(&w, "%s@%s", cfg->ssh_bastion_user, t->bastion_ip);
	}
	vec_push(&a, buf_steal(&w));
	if (command && command[0]) {
		/* "--": nothing after the destination is read as an ssh option. */
		vec_add(&a, "--");
		for (size_t i = 0; command[i]; i++)
			vec_add(&a, command[i]);
	}
	char **cv = common.v;
	ssh_argv_free(&cv);
	free(identity);
	if (display)
		ssh_quote_argv(a.v, display);
	*argv = a.v;
	return 0;
}

int ssh_preflight(const struct config *cfg, struct buf *err)
{
	if (!cfg->ssh_identity_file || !*cfg->ssh_identity_file)
		return 0;
	char *path = config_expand_home(cfg->ssh_identity_file);
	char *q = sanitize_str(path, SANITIZE_ONE_LINE);
	struct stat st;
	int rc = 0;
	if (stat(path, &st) < 0 || access(path, R_OK) < 0) {
		buf_printf(err, "ssh.identity_file: %s: %s", q, strerror(errno));
		rc = -1;
	} else if (!S_ISREG(st.st_mode)) {
		buf_printf(err, "ssh.identity_file: %s: not a regular file", q);
		rc = -1;
	} else if (st.st_mode & 077) {
		buf_printf(err, "ssh.identity_file: %s is open to others (mode %04o) and ssh refuses it: chmod 600 %s",
			   q, (unsigned)(st.st_mode & 07777), q);
		rc = -1;
	}
	free(q);
	free(path);
	return rc;
}

/* ---- running ---- */

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int set_cloexec(int fd)
{
	return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

static void close_pair(int p[2])
{
	for (int i = 0; i < 2; i++)
		if (p[i] >= 0)
			close(p[i]);
	p[0] = p[1] = -1;
}

/* In the forked child: only async-signal-safe calls until exec. */
static void child_exec(char *const *argv, const struct ssh_io *io, int err_w, int exec_w)
{
	/* Park every source above 2 first, so no dup2 below clobbers another. */
	int src_in = io && io->in_fd >= 0 ? fcntl(io->in_fd, F_DUPFD_CLOEXEC, 3) : -1;
	int src_out = io && io->out_fd >= 0 ? fcntl(io->out_fd, F_DUPFD_CLOEXEC, 3) : -1;
	int src_err = fcntl(err_w, F_DUPFD_CLOEXEC, 3);
	int report = fcntl(exec_w, F_DUPFD_CLOEXEC, 3);
	int e = 0;
	if (io && io->in_fd >= 0 && (src_in < 0 || dup2(src_in, 0) < 0))
		e = errno;
	else if (io && io->out_fd >= 0 && (src_out < 0 || dup2(src_out, 1) < 0))
		e = errno;
	else if (src_err < 0 || dup2(src_err, 2) < 0)
		e = errno;
	else if (report < 0)
		e = errno;
	/* fd 3 becomes the report pipe; nothing of relcon's leaks into ssh. */
	proc_exec_child(argv, report, e);
}

/* The last few non-blank lines ssh wrote on stderr, for the message. */
#define TAIL_LINES 4
struct tail {
	char cur[512];
	size_t ncur;
	char line[TAIL_LINES][512];
	size_t len[TAIL_LINES];
	size_t count; /* lines kept so far (ring index = count % TAIL_LINES) */
};

static void tail_commit(struct tail *t)
{
	size_t k = t->ncur;
	while (k > 0 && (t->cur[k - 1] == ' ' || t->cur[k - 1] == '\t'))
		k--;
	if (k > 0) {
		size_t slot = t->count++ % TAIL_LINES;
		memcpy(t->line[slot], t->cur, k);
		t->len[slot] = k;
	}
	t->ncur = 0;
}

static void tail_feed(struct tail *t, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n' || p[i] == '\r')
			tail_commit(t);
		else if (t->ncur < sizeof t->cur)
			t->cur[t->ncur++] = p[i];
	}
}

/* What the outer ssh says after the hop to the bastion failed; the hop's
 * own line before it says why. */
static int tail_noise(const char *s, size_t n)
{
	static const char *const noise[] = {
		"Connection closed by UNKNOWN",
		"kex_exchange_identification: Connection closed by remote host",
		"stdio forwarding failed",
	};
	for (size_t i = 0; i < sizeof noise / sizeof noise[0]; i++) {
		size_t m = strlen(noise[i]);
		if (n >= m && !memcmp(s, noise[i], m))
			return 1;
	}
	return 0;
}

/* Malloc'd, one line, inert: the last line that says something, else the
 * last line, else "". */
static char *tail_line(struct tail *t)
{
	tail_commit(t);
	size_t kept = t->count < TAIL_LINES ? t->count : TAIL_LINES;
	for (size_t i = 0; i < kept; i++) {
		size_t slot = (t->count - 1 - i) % TAIL_LINES;
		if (!tail_noise(t->line[slot], t->len[slot]))
			return sanitize(t->line[slot], t->len[slot], SANITIZE_ONE_LINE, 300);
	}
	if (kept == 0)
		return xstrdup("");
	size_t last = (t->count - 1) % TAIL_LINES;
	return sanitize(t->line[last], t->len[last], SANITIZE_ONE_LINE, 300);
}

static void write_all(int fd, const char *p, size_t n, int *broken)
{
	while (n > 0 && !*broken) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			*broken = 1; /* keep reading: ssh must never block on a full pipe */
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

struct saved_signals {
	struct sigaction intr, quit, tstp, pipe;
};

static void signals_for_child(struct saved_signals *s)
{
	struct sigaction ign, dfl;
	memset(&ign, 0, sizeof ign);
	sigemptyset(&ign.sa_mask);
	dfl = ign;
	ign.sa_handler = SIG_IGN;
	dfl.sa_handler = SIG_DFL;
	sigaction(SIGINT, &ign, &s->intr);
	sigaction(SIGQUIT, &ign, &s->quit);
	sigaction(SIGPIPE, &ign, &s->pipe);
	sigaction(SIGTSTP, &dfl, &s->tstp);
}

static void signals_restore(const struct saved_signals *s)
{
	sigaction(SIGINT, &s->intr, NULL);
	sigaction(SIGQUIT, &s->quit, NULL);
	sigaction(SIGPIPE, &s->pipe, NULL);
	sigaction(SIGTSTP, &s->tstp, NULL);
}

static int pidfd_for(pid_t pid)
{
#ifdef SYS_pidfd_open
	long fd = syscall(SYS_pidfd_open, pid, 0);
	if (fd >= 0) {
		set_cloexec((int)fd);
		return (int)fd;
	}
#else
	(void)pid;
#endif
	return -1;
}

static void describe_exit(int status, int signaled, int timed_out, long timeout_ms, struct tail *tl, struct buf *err)
{
	if (timed_out) {
		if (timeout_ms % 1000 == 0)
			buf_printf(err, "ssh timed out after %ld s and was stopped", timeout_ms / 1000);
		else
			buf_printf(err, "ssh timed out after %.1f s and was stopped", (double)timeout_ms / 1000.0);
	} else if (status == 255) {
		char *line = tail_line(tl);
		if (*line)
			buf_printf(err, "ssh could not connect (exit 255): %s", line);
		else
			buf_adds(err, "ssh could not connect (exit 255)");
		free(line);
	} else if (signaled) {
		char *name = sanitize_str(strsignal(status - 128), SANITIZE_ONE_LINE);
		buf_printf(err, "ssh was killed by signal %d (%s)", status - 128, name);
		free(name);
	} else {
		buf_printf(err, "the remote shell or command exited with status %d", status);
	}
}

int ssh_run(char *const *argv, int *exit_status, struct buf *err)
{
	return ssh_run_io(argv, NULL, exit_status, err);
}

int ssh_run_io(char *const *argv, const struct ssh_io *io, int *exit_status, struct buf *err)
{
	*exit_status = -1;
	if (!argv || !argv[0] || !*argv[0]) {
		buf_adds(err, "ssh: no command to run");
		return -1;
	}
	char *prog = sanitize_str(argv[0], SANITIZE_ONE_LINE);
	if (log_enabled()) {
		struct buf line = {0};
		ssh_quote_argv(argv, &line);
		log_msg(LOG_INFO, "ssh: running %s", buf_str(&line));
		buf_free(&line);
	}
	int errp[2] = {-1, -1}, execp[2] = {-1, -1};
	if (pipe(errp) < 0 || pipe(execp) < 0 || set_cloexec(errp[0]) < 0 || set_cloexec(errp[1]) < 0 ||
	    set_cloexec(execp[0]) < 0 || set_cloexec(execp[1]) < 0) {
		buf_printf(err, "cannot run %s: cannot make a pipe: %s", prog, strerror(errno));
		close_pair(errp);
		close_pair(execp);
		free(prog);
		return -1;
	}
	/* What relcon has buffered comes before what ssh prints. */
	fflush(stdout);
	fflush(stderr);
	struct saved_signals saved;
	signals_for_child(&saved);
	pid_t pid = fork();
	if (pid == 0)
		child_exec(argv, io, errp[1], execp[1]);
	int fork_errno = errno;
	close(errp[1]);
	close(execp[1]);
	errp[1] = execp[1] = -1;
	if (pid < 0) {
		signals_restore(&saved);
		buf_printf(err, "cannot run %s: fork: %s", prog, strerror(fork_errno));
		close_pair(errp);
		close_pair(execp);
		free(prog);
		return -1;
	}

	/* EOF: exec succeeded (the pipe is close-on-exec); an int: its errno. */
	int exec_errno = 0;
	ssize_t r;
	while ((r = read(execp[0], &exec_errno, sizeof exec_errno)) < 0 && errno == EINTR)
		;
	close_pair(execp);
	if (r != (ssize_t)sizeof exec_errno)
		exec_errno = 0;

	int status = 0, reaped = 0, wait_errno = 0, timed_out = 0, killed = 0;
	long timeout_ms = io && io->timeout_ms > 0 ? io->timeout_ms : 0;
	struct tail tl = {0};
	if (exec_errno) {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		close_pair(errp);
		signals_restore(&saved);
		*exit_status = 127;
		if (exec_errno == ENOENT)
			buf_printf(err, "ssh not found: %s: %s (install openssh-client, or set ssh.program)", prog,
				   strerror(exec_errno));
		else
			buf_printf(err, "cannot run %s: %s", prog, strerror(exec_errno));
		log_msg(LOG_WARN, "ssh: %s", buf_str(err));
		free(prog);
		return -1;
	}

	fcntl(errp[0], F_SETFL, fcntl(errp[0], F_GETFL) | O_NONBLOCK);
	int out = io && io->err_fd >= 0 ? io->err_fd : 2;
	int broken = 0, eof = 0;
	int pfd = pidfd_for(pid);
	long long start = now_ms(), kill_at = 0;
	char chunk[4096];
	while (!reaped) {
		struct pollfd fds[2];
		nfds_t n = 0;
		if (!eof)
			fds[n++] = (struct pollfd){.fd = errp[0], .events = POLLIN};
		if (pfd >= 0)
			fds[n++] = (struct pollfd){.fd = pfd, .events = POLLIN};
		/* Without a pidfd, look at the child five times a second: the
		 * pipe may outlive it (a process it started may hold stderr). */
		long long wait = pfd >= 0 ? -1 : 200;
		long long due = !timeout_ms ? 0 : !timed_out ? start + timeout_ms : !killed ? kill_at : 0;
		if (due) {
			long long left = due - now_ms();
			if (left < 0)
				left = 0;
			if (wait < 0 || left < wait)
				wait = left;
		}
		int pr = poll(fds, n, (int)wait);
		if (pr < 0 && errno != EINTR) {
			/* Cannot watch: just wait. */
			pid_t w;
			while ((w = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
				;
			if (w < 0)
				wait_errno = errno;
			break;
		}
		if (!eof && pr > 0 && fds[0].revents) {
			ssize_t got = read(errp[0], chunk, sizeof chunk);
			if (got > 0) {
				tail_feed(&tl, chunk, (size_t)got);
				write_all(out, chunk, (size_t)got, &broken);
			} else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
				eof = 1;
			}
		}
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid) {
			reaped = 1;
		} else if (w < 0 && errno != EINTR) {
			wait_errno = errno;
			reaped = 1;
		}
		if (!reaped && timeout_ms) {
			long long now = now_ms();
			if (!timed_out && now >= start + timeout_ms) {
				kill(pid, SIGTERM);
				timed_out = 1;
				kill_at = now + 2000;
			} else if (timed_out && !killed && now >= kill_at) {
				kill(pid, SIGKILL);
				killed = 1;
			}
		}
	}
	/* What is left in the pipe, bounded: a grandchild may keep writing. */
	for (int i = 0; i < 16 && !eof; i++) {
		ssize_t got = read(errp[0], chunk, sizeof chunk);
		if (got <= 0)
			break;
		tail_feed(&tl, chunk, (size_t)got);
		write_all(out, chunk, (size_t)got, &broken);
	}
	if (pfd >= 0)
		close(pfd);
	close_pair(errp);
	signals_restore(&saved);

	if (wait_errno) {
		buf_printf(err, "cannot wait for %s: %s", prog, strerror(wait_errno));
		log_msg(LOG_WARN, "ssh: %s", buf_str(err));
		free(prog);
		return -1;
	}
	if (WIFEXITED(status))
		*exit_status = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		*exit_status = 128 + WTERMSIG(status);
	if (*exit_status != 0 || timed_out)
		describe_exit(*exit_status, WIFSIGNALED(status), timed_out, timeout_ms, &tl, err);
	log_msg(*exit_status ? LOG_WARN : LOG_INFO, "ssh: pid %ld exited %d%s%s", (long)pid, *exit_status,
		*exit_status ? ": " : "", *exit_status ? buf_str(err) : "");
	free(prog);
	return 0;
}
