#include "tui/term.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>

static SCREEN *scr;
static FILE *tty_out, *tty_in;
static int headless_mode;
static int open_flag;
static struct termios saved_tio;
static int have_tio;
static int tty_fd = -1;
/* Bytes that undo what curses did, prepared before they are needed. */
static char reset_bytes[256];
static size_t reset_len;
static int colors_on;
static mmask_t mouse_mask; /* events asked for with term_mouse(1), 0 when off */
static attr_t role_attrs[ROLE_COUNT];
static short role_pairs[ROLE_COUNT];

static void add_reset(const char *cap)
{
	if (!cap || cap == (char *)-1)
		return;
	size_t n = strlen(cap);
	if (reset_len + n < sizeof reset_bytes) {
		memcpy(reset_bytes + reset_len, cap, n);
		reset_len += n;
	}
}

static void fatal_handler(int sig)
{
	if (have_tio && tty_fd >= 0)
		tcsetattr(tty_fd, TCSAFLUSH, &saved_tio);
	if (tty_fd >= 0 && reset_len) {
		ssize_t r = write(tty_fd, reset_bytes, reset_len);
		(void)r;
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_fatal(void)
{
	static const int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
	/* A stack of its own: a SIGSEGV from a stack overflow has none left
	 * to run the handler on, and would leave the terminal raw. */
	static char alt[64 * 1024];
	stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt};
	int onstack = sigaltstack(&ss, NULL) == 0;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = fatal_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESETHAND | (onstack ? SA_ONSTACK : 0);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
}

int term_open(int headless, struct buf *err)
{
	headless_mode = headless;
	const char *term = getenv("TERM");
	if (headless) {
		tty_out = fopen("/dev/null", "w");
		tty_in = fopen("/dev/null", "r"); /* cppcheck-suppress incompatibleFileOpen */
		if (!term || !*term)
			term = "xterm-256color";
	} else {
		if (!term || !*term || !strcmp(term, "dumb")) {
			buf_printf(err,
				   "TERM is %s: relcon's console needs a real terminal.\n"
				   "  Use the headless commands instead (relcon --help), e.g. relcon builds --json",
				   term && *term ? "dumb" : "not set");
			return -1;
		}
		int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			buf_printf(err,
				   "no terminal (/dev/tty: %s).\n"
				   "  Use the headless commands instead (relcon --help), e.g. relcon builds --json",
				   strerror(errno));
			return -1;
		}
		tty_fd = fd;
		tty_out = fdopen(fd, "w");
		tty_in = fdopen(dup(fd), "r");
		if (tcgetattr(fd, &saved_tio) == 0)
			have_tio = 1;
	}
	if (!tty_out || !tty_in) {
		buf_printf(err, "cannot open the terminal: %s", strerror(errno));
		return -1;
	}
	scr = newterm(term, tty_out, tty_in);
	if (!scr) {
		buf_printf(err, "cannot start curses on terminal type '%s'", term);
		fclose(tty_out);
		fclose(tty_in);
		tty_out = tty_in = NULL;
		return -1;
	}
	set_term(scr);
	set_escdelay(25);
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	if (has_colors()) {
		start_color();
		use_default_colors();
	}
	if (!headless) {
		/* exit_ca_mode, cursor_normal, exit_attribute_mode, keypad_local. */
		add_reset(tigetstr("sgr0"));
		add_reset(tigetstr("cnorm"));
		add_reset(tigetstr("rmkx"));
		add_reset(tigetstr("rmcup"));
		install_fatal();
	}
	open_flag = 1;
	return 0;
}

void term_close(void)
{
	if (!open_flag)
		return;
	open_flag = 0;
	endwin();
	delscreen(scr);
	scr = NULL;
	if (have_tio && tty_fd >= 0)
		tcsetattr(tty_fd, TCSAFLUSH, &saved_tio);
	fclose(tty_out);
	fclose(tty_in);
	tty_out = tty_in = NULL;
	tty_fd = -1;
}

int term_is_open(void)
{
	return open_flag;
}

int term_input_fd(void)
{
	return headless_mode || !tty_in ? -1 : fileno(tty_in);
}

void term_suspend(void)
{
	if (!open_flag)
		return;
	def_prog_mode();
	endwin();
}

void term_resume(void)
{
	if (!open_flag)
		return;
	reset_prog_mode();
	if (mouse_mask) /* the child may have left mouse reporting off */
		mousemask(mouse_mask, NULL);
	clearok(curscr, TRUE);
	refresh();
}

int term_mouse(int on)
{
	if (!open_flag || headless_mode)
		return -1;
	mmask_t want = 0;
	if (on) {
		want = BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED;
#ifdef BUTTON5_PRESSED
		want |= BUTTON5_PRESSED;
#endif
	}
	/* Report presses as they come, not after waiting to see a click. */
	mouseinterval(0);
	mmask_t got = mousemask(want, NULL);
	mouse_mask = got;
	if (on && got) {
		/* Leave mouse reporting off again if relcon dies (xterm's modes). */
		add_reset("\033[?1006l\033[?1002l\033[?1000l");
	}
	return on && !got ? -1 : 0;
}

void term_resize(void)
{
	struct winsize ws;
	if (!headless_mode && tty_fd >= 0 && ioctl(tty_fd, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
		resizeterm(ws.ws_row, ws.ws_col);
}

void term_resize_to(int cols, int rows)
{
	if (cols > 0 && rows > 0)
		resizeterm(rows, cols);
}

int term_send(const char *bytes, size_t n)
{
	if (!open_flag || !tty_out)
		return -1;
	/* Whatever curses still holds goes first, so the sequence never lands
	 * inside one of its own. */
	fflush(tty_out);
	int fd = fileno(tty_out);
	while (n) {
		ssize_t w = write(fd, bytes, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		bytes += w;
		n -= (size_t)w;
	}
	return 0;
}

int term_can_color(void)
{
	return open_flag && has_colors() && COLOR_PAIRS > ROLE_COUNT;
}

static attr_t to_curses(unsigned a)
{
	attr_t r = A_NORMAL;
	if (a & THEME_A_BOLD)
		r |= A_BOLD;
	if (a & THEME_A_REVERSE)
		r |= A_REVERSE;
	if (a & THEME_A_UNDERLINE)
		r |= A_UNDERLINE;
	if (a & THEME_A_DIM)
		r |= A_DIM;
	if (a & THEME_A_ITALIC)
		r |= A_ITALIC;
	return r;
}

void term_apply_theme(const struct theme *th, int use_color)
{
	colors_on = use_color && !th->mono && term_can_color();
	for (int r = 0; r < ROLE_COUNT; r++) {
		const struct role_style *st = &th->roles[r];
		/* Pair r+1 always names the role, so screen dumps can read roles
		 * back even without colours. */
		short fg = -1, bg = -1;
		if (colors_on) {
			fg = st->fg < COLORS ? st->fg : -1;
			bg = st->bg < COLORS ? st->bg : -1;
		}
		if (has_colors())
			init_pair((short)(r + 1), fg, bg);
		role_pairs[r] = (short)(r + 1);
		role_attrs[r] = to_curses(colors_on ? st->attrs : st->mono_attrs);
	}
}

void term_role_attr(enum role r, unsigned long *attr, short *pair)
{
	*attr = role_attrs[r];
	*pair = role_pairs[r];
}

int term_dump(const char *path, struct buf *err)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		buf_printf(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	int rows = LINES, cols = COLS;
	char *roles = malloc((size_t)cols + 2);
	struct buf line = {0};
	struct buf grid = {0};
	for (int y = 0; y < rows; y++) {
		buf_reset(&line);
		int x = 0;
		while (x < cols) {
			cchar_t cc;
			wchar_t wch[CCHARW_MAX + 1];
			attr_t a;
			short pair;
			int width = 1;
			if (mvwin_wch(curscr, y, x, &cc) == ERR || getcchar(&cc, wch, &a, &pair, NULL) == ERR) {
				buf_addc(&line, ' ');
				pair = 0;
			} else {
				char mb[MB_LEN_MAX * (CCHARW_MAX + 1)];
				size_t n = 0;
				mbstate_t st;
				memset(&st, 0, sizeof st);
				for (int i = 0; i < CCHARW_MAX && wch[i]; i++) {
					size_t k = wcrtomb(mb + n, wch[i], &st);
					if (k != (size_t)-1)
						n += k;
				}
				if (!n)
					mb[n++] = ' ';
				buf_add(&line, mb, n);
				int w = wch[0] ? wcwidth(wch[0]) : 1;
				width = w > 1 ? w : 1;
			}
			char letter = pair > 0 && pair <= ROLE_COUNT ? role_letter((enum role)(pair - 1)) : '.';
			for (int i = 0; i < width && x + i < cols; i++)
				roles[x + i] = letter;
			x += width;
		}
		/* Trailing blanks are noise in golden files. */
		while (line.len && line.s[line.len - 1] == ' ')
			line.s[--line.len] = '\0';
		fprintf(f, "%s\n", buf_str(&line));
		roles[cols] = '\0';
		buf_printf(&grid, "%s\n", roles);
	}
	fprintf(f, "\n%s", buf_str(&grid));
	/* A legend of the roles on screen with their colours and attributes, so
	 * a theme switch shows in the dump. */
	fprintf(f, "\n");
	for (int r = 0; r < ROLE_COUNT; r++) {
		if (!strchr(buf_str(&grid), role_letter((enum role)r)))
			continue;
		short fg = -1, bg = -1;
		if (colors_on)
			pair_content(role_pairs[r], &fg, &bg);
		attr_t a = role_attrs[r];
		fprintf(f, "%c %-16s fg=%d bg=%d%s%s%s%s%s\n", role_letter((enum role)r), role_key((enum role)r), fg,
			bg, a & A_BOLD ? " bold" : "", a & A_REVERSE ? " reverse" : "",
			a & A_UNDERLINE ? " underline" : "", a & A_DIM ? " dim" : "", a & A_ITALIC ? " italic" : "");
	}
	buf_free(&line);
	buf_free(&grid);
	free(roles);
	if (fclose(f) != 0) {
		buf_printf(err, "%s: write failed", path);
		return -1;
	}
	return 0;
}
