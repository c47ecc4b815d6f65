#include "tui/clip.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/log.h"
#include "core/proc.h"
#include "core/sanitize.h"
#include "tui/term.h"
#include "tui/tui.h"

#define ESC "\033"
#define BEL "\007"

/* ---- sequences ------------------------------------------------------------- */

int clip_check(const char *text, struct buf *err)
{
	size_t n = text ? strlen(text) : 0;
	if (!n) {
		buf_adds(err, "nothing to copy");
		return -1;
	}
	if (n > CLIP_MAX) {
		buf_printf(err, "it is %zu bytes long (at most %d)", n, CLIP_MAX);
		return -1;
	}
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			buf_adds(err, "it holds control characters");
			return -1;
		}
	}
	/* What the sanitizer would change is not shown as it is (C1 controls,
	 * bidi and invisible characters, invalid UTF-8): never to a clipboard. */
	char *clean = sanitize(text, n, SANITIZE_ONE_LINE, 0);
	int same = !strcmp(clean, text);
	free(clean);
	if (!same) {
		buf_adds(err, "it holds invisible, bidi or invalid characters");
		return -1;
	}
	return 0;
}

int clip_osc52(const char *text, struct buf *out, struct buf *err)
{
	if (clip_check(text, err) < 0)
		return -1;
	size_t n = strlen(text);
	unsigned char *b64 = xmalloc(4 * ((n + 2) / 3) + 1);
	int len = EVP_EncodeBlock(b64, (const unsigned char *)text, (int)n);
	buf_adds(out, ESC "]52;c;");
	buf_add(out, b64, (size_t)len);
	buf_adds(out, BEL);
	free(b64);
	return 0;
}

void clip_tmux_wrap(const char *seq, size_t n, struct buf *out)
{
	buf_adds(out, ESC "Ptmux;");
	for (size_t i = 0; i < n; i++) {
		if (seq[i] == '\033')
			buf_addc(out, '\033');
		buf_addc(out, seq[i]);
	}
	buf_adds(out, ESC "\\");
}

void clip_for_terminal(const char *seq, size_t n, int in_tmux, int both, struct buf *out)
{
	if (!in_tmux || both)
		buf_add(out, seq, n);
	if (in_tmux)
		clip_tmux_wrap(seq, n, out);
}

enum clip_notify clip_notify_kind(const char *setting)
{
	if (!setting)
		return CLIP_NOTIFY_BELL;
	if (!strcmp(setting, "none"))
		return CLIP_NOTIFY_NONE;
	if (!strcmp(setting, "osc9"))
		return CLIP_NOTIFY_OSC9;
	if (!strcmp(setting, "osc777"))
		return CLIP_NOTIFY_OSC777;
	return CLIP_NOTIFY_BELL;
}

void clip_notify_seq(enum clip_notify kind, const char *message, struct buf *out)
{
	if (kind != CLIP_NOTIFY_OSC9 && kind != CLIP_NOTIFY_OSC777)
		return;
	const char *m = message ? message : "";
	char *clean = sanitize(m, strlen(m), SANITIZE_ONE_LINE, 200);
	for (char *p = clean; *p; p++)
		if (*p == ';')
			*p = ',';
	buf_adds(out, kind == CLIP_NOTIFY_OSC9 ? ESC "]9;" : ESC "]777;notify;relcon;");
	buf_adds(out, clean);
	buf_adds(out, BEL);
	free(clean);
}

/* ---- the browser ------------------------------------------------------------ */

int clip_url_check(const char *url, struct buf *err)
{
	size_t skip = !strncasecmp(url, "https://", 8) ? 8 : !strncasecmp(url, "http://", 7) ? 7 : 0;
	if (!skip) {
		buf_adds(err, "not an http or https URL");
		return -1;
	}
	if (!url[skip] || url[skip] == '/') {
		buf_adds(err, "it has no host");
		return -1;
	}
	if (strchr(url, ' ')) {
		buf_adds(err, "it holds a space");
		return -1;
	}
	return clip_check(url, err);
}

void clip_opener(const char *browser, struct buf *out)
{
	size_t n = browser ? strcspn(browser, ":") : 0;
	if (n)
		buf_add(out, browser, n);
	else
		buf_adds(out, "xdg-open");
}

/* The grandchild: only async-signal-safe calls until exec.  report is the
 * close-on-exec pipe that carries exec's errno back. */
static void grandchild_exec(char *const *argv, int devnull, int report)
{
	/* Both above 2 first, so the dup2s below clobber neither. */
	report = fcntl(report, F_DUPFD_CLOEXEC, 3);
	devnull = fcntl(devnull, F_DUPFD_CLOEXEC, 3);
	int e = devnull < 0 ? errno : 0;
	for (int fd = 0; fd < 3 && !e; fd++)
		if (dup2(devnull, fd) < 0)
			e = errno;
	proc_exec_child(argv, report, e);
}

int clip_spawn(const char *program, const char *url, struct buf *err)
{
	char *argv[] = {xstrdup(program), xstrdup(url), NULL};
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	int p[2] = {-1, -1};
	int rc = -1;
	if (devnull < 0 || pipe(p) < 0 || fcntl(p[0], F_SETFD, FD_CLOEXEC) < 0 ||
	    fcntl(p[1], F_SETFD, FD_CLOEXEC) < 0) {
		buf_printf(err, "%s: %s", program, strerror(errno));
		goto out;
	}
	pid_t pid = fork();
	if (pid == 0) {
		/* The middle child: a new session (no terminal, no Ctrl-C, no
		 * SIGHUP when relcon's terminal goes), then gone at once. */
		setsid();
		pid_t g = fork();
		if (g == 0)
			grandchild_exec(argv, devnull, p[1]);
		_exit(g < 0 ? 1 : 0);
	}
	if (pid < 0) {
		buf_printf(err, "%s: fork: %s", program, strerror(errno));
		goto out;
	}
	close(p[1]);
	p[1] = -1;
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	/* EOF: exec succeeded (the pipe is close-on-exec); an int: its errno. */
	int e = 0;
	ssize_t r;
	while ((r = read(p[0], &e, sizeof e)) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		buf_printf(err, "%s: fork failed", program);
	else if (r == (ssize_t)sizeof e && e)
		buf_printf(err, "%s: %s", program, e == ENOENT ? "not found" : strerror(e));
	else
		rc = 0;
out:
	for (int i = 0; i < 2; i++)
		if (p[i] >= 0)
			close(p[i]);
	if (devnull >= 0)
		close(devnull);
	free(argv[0]);
	free(argv[1]);
	return rc;
}

/* ---- the actions ------------------------------------------------------------ */

static int in_tmux(void)
{
	const char *tmux = getenv("TMUX");
	return tmux && *tmux;
}

void clip_copy(struct tui *t, const char *text, const char *what)
{
	struct buf seq = {0}, out = {0}, err = {0}, head = {0};
	if (clip_osc52(text, &seq, &err) < 0) {
		buf_printf(&head, "%s not copied: %s", what, buf_str(&err));
		tui_message_full(t, 1, buf_str(&head), text);
	} else {
		clip_for_terminal(seq.s, seq.len, in_tmux(), 1, &out);
		if (term_send(out.s, out.len) < 0) {
			buf_printf(&head, "%s not copied: the terminal could not be written to", what);
			tui_message_full(t, 1, buf_str(&head), text);
		} else {
			/* The text itself stays out of the log. */
			log_msg(LOG_DEBUG, "ui: copied a %s of %zu bytes (OSC 52%s)", what, strlen(text),
				in_tmux() ? ", and tmux passthrough" : "");
			buf_printf(&head, "copied %s", what);
			tui_message_full(t, 0, buf_str(&head), text);
		}
	}
	buf_free(&seq);
	buf_free(&out);
	buf_free(&err);
	buf_free(&head);
}

void clip_open(struct tui *t, const char *text, const char *what)
{
	struct buf err = {0}, prog = {0}, head = {0};
	if (strcmp(what, "URL") != 0) {
		buf_printf(&head, "not opened: the %s is not a URL (y copies it)", what);
		tui_message_full(t, 1, buf_str(&head), text);
	} else if (clip_url_check(text, &err) < 0) {
		buf_printf(&head, "URL not opened: %s", buf_str(&err));
		tui_message_full(t, 1, buf_str(&head), text);
	} else {
		clip_opener(getenv("BROWSER"), &prog);
		if (clip_spawn(buf_str(&prog), text, &err) < 0) {
			buf_printf(&head, "not opened (%s; set $BROWSER)", buf_str(&err));
			tui_message_full(t, 1, buf_str(&head), text);
		} else {
			log_msg(LOG_INFO, "ui: opened a %s with %s", what, buf_str(&prog));
			buf_printf(&head, "opening with %s", buf_str(&prog));
			tui_message_full(t, 0, buf_str(&head), text);
		}
	}
	buf_free(&err);
	buf_free(&prog);
	buf_free(&head);
}

void clip_notify(const char *setting, const char *message)
{
	struct buf seq = {0}, out = {0};
	clip_notify_seq(clip_notify_kind(setting), message, &seq);
	if (seq.len) {
		clip_for_terminal(seq.s, seq.len, in_tmux(), 0, &out);
		term_send(out.s, out.len);
	}
	buf_free(&seq);
	buf_free(&out);
}
