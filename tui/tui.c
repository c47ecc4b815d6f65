#include "tui/tui.h"

#include <curses.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "core/http.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/sanitize.h"
#include "core/timeutil.h"
#include "release/context.h"
#include "release/store.h"
#include "tui/clip.h"
#include "tui/keys.h"
#include "tui/palette.h"
#include "tui/term.h"

#define MAX_SCREENS 32
/* Rows a wheel turn moves a screen that registered no region there. */
#define WHEEL_ROWS 3

struct mouse_region {
	struct screen *screen;
	int y, x, h, w;
	tui_mouse_fn fn;
	void *ud;
};

struct tui {
	struct context *ctx;
	const struct tui_app *app;
	struct screen *stack[MAX_SCREENS];
	size_t n;
	int quit;
	int quit_signal; /* SIGTERM, SIGINT or SIGHUP that ended the console, else 0 */
	int dirty;
	int headless;
	/* frame timing for the debug log: the key read first since the last
	 * frame and when; the first frame after start */
	long long key_at, started_us;
	int key_last, frames;
	int use_color;
	struct theme theme;
	int have_theme;
	char *message;
	int message_error;
	int message_refresh; /* message is r's "refreshing…": a failed refresh replaces it */
	/* tui_message_full: the whole text, shown above the status line while
	 * the message it belongs to (detail_of) is the one shown and is cut. */
	char *detail, *detail_of;
	int cursor_y, cursor_x;
	unsigned long age_timer;
	long long age_due; /* loop_now_ms() when age_timer fires */
	/* mouse (ui.mouse): the regions the last draw registered */
	int mouse;
	struct mouse_region *regions;
	size_t nregions, cap_regions;
	struct screen *drawing; /* the screen whose draw is running */
	/* scripted runs */
	char **script;
	size_t nscript, script_pos;
	int script_failed;
	int exit_code;
};

/* ---- screens ------------------------------------------------------------- */

struct screen *tui_push(struct tui *t, const struct screen_ops *ops, void *data)
{
	struct screen *s = xcalloc(1, sizeof *s);
	s->ops = ops;
	s->data = data;
	if (t->n == MAX_SCREENS) {
		tui_message(t, 1, "too many screens open");
		if (ops->free)
			ops->free(s);
		free(s);
		return NULL;
	}
	t->stack[t->n++] = s;
	t->dirty = 1;
	return s;
}

static void screen_free(struct screen *s)
{
	if (s->ops->free)
		s->ops->free(s);
	free(s);
}

void tui_close(struct tui *t, struct screen *s)
{
	for (size_t i = t->n; i-- > 0;) {
		if (t->stack[i] != s)
			continue;
		memmove(&t->stack[i], &t->stack[i + 1], (t->n - i - 1) * sizeof t->stack[0]);
		t->n--;
		screen_free(s);
		break;
	}
	if (!t->n)
		t->quit = 1;
	t->dirty = 1;
}

void tui_pop(struct tui *t)
{
	if (t->n)
		tui_close(t, t->stack[t->n - 1]);
}

void tui_quit(struct tui *t)
{
	t->quit = 1;
}

struct context *tui_context(struct tui *t)
{
	return t->ctx;
}

void tui_dirty(struct tui *t)
{
	t->dirty = 1;
}

void tui_message(struct tui *t, int is_error, const char *fmt, ...)
{
	struct buf b = {0};
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	free(t->message);
	t->message = buf_steal(&b);
	t->message_error = is_error;
	t->message_refresh = 0;
	t->dirty = 1;
	if (is_error)
		log_msg(LOG_WARN, "ui: %s", t->message);
}

void tui_message_full(struct tui *t, int is_error, const char *head, const char *text)
{
	char *clean = sanitize_str(text ? text : "", SANITIZE_ONE_LINE);
	tui_message(t, is_error, "%s: %s", head, clean);
	free(t->detail);
	free(t->detail_of);
	t->detail = clean;
	t->detail_of = xstrdup(t->message);
}

void tui_bell(struct tui *t, const char *message)
{
	const char *how = t->ctx->cfg.ui_notify;
	log_msg(LOG_INFO, "ui: bell (ui.notify %s)", how ? how : "bell");
	if (t->headless || clip_notify_kind(how) == CLIP_NOTIFY_NONE)
		return;
	beep();
	clip_notify(how, message);
}

/* ---- drawing helpers ---------------------------------------------------- */

static void set_role(enum role r)
{
	unsigned long a;
	short pair;
	term_role_attr(r, &a, &pair);
	attr_set((attr_t)a, pair, NULL);
}

void tui_fill(struct tui *t, int y, int x, int w, enum role r)
{
	(void)t;
	if (y < 0 || y >= LINES || w <= 0)
		return;
	set_role(r);
	if (x + w > COLS)
		w = COLS - x;
	mvhline(y, x, ' ', w);
}

/* Sanitized wide text that fits w columns; returns width used. */
static wchar_t *fit(const char *text, int w, int *used)
{
	char *clean = sanitize_str(text ? text : "", SANITIZE_ONE_LINE);
	size_t len = strlen(clean);
	wchar_t *ws = xcalloc(len + 2, sizeof *ws);
	mbstate_t st;
	memset(&st, 0, sizeof st);
	const char *p = clean;
	size_t n = 0;
	int cols = 0, cut = 0;
	int ell = 1; /* width of "…" */
	while (*p) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, p, strlen(p), &st);
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			wc = 0xfffd;
			k = 1;
			memset(&st, 0, sizeof st);
		}
		int cw = wcwidth(wc);
		if (cw < 0) {
			wc = 0xfffd;
			cw = 1;
		}
		if (cols + cw > w) {
			cut = 1;
			break;
		}
		ws[n++] = wc;
		cols += cw;
		p += k;
	}
	if (cut && w >= ell) {
		/* Make room for the ellipsis, never splitting a wide character. */
		while (n && cols + ell > w) {
			int cw = wcwidth(ws[n - 1]);
			cols -= cw > 0 ? cw : 0;
			n--;
		}
		ws[n++] = 0x2026;
		cols += ell;
	}
	ws[n] = 0;
	free(clean);
	*used = cols;
	return ws;
}

int tui_text(struct tui *t, int y, int x, int w, enum role r, const char *text)
{
	(void)t;
	if (y < 0 || y >= LINES || x >= COLS || w <= 0)
		return 0;
	if (x + w > COLS)
		w = COLS - x;
	int used;
	wchar_t *ws = fit(text, w, &used);
	set_role(r);
	mvaddwstr(y, x, ws);
	free(ws);
	return used;
}

int tui_text_width(const char *text)
{
	int used;
	wchar_t *ws = fit(text, 1 << 20, &used);
	free(ws);
	return used;
}

void tui_cursor(struct tui *t, int y, int x)
{
	t->cursor_y = y;
	t->cursor_x = x;
}

int tui_lines(const struct tui *t)
{
	(void)t;
	return LINES;
}

int tui_cols(const struct tui *t)
{
	(void)t;
	return COLS;
}

int tui_has_color(const struct tui *t)
{
	return t->use_color && term_can_color() && !t->theme.mono;
}

void tui_suspend(struct tui *t)
{
	(void)t;
	term_suspend();
}

void tui_resume(struct tui *t)
{
	term_resume();
	t->dirty = 1;
}

/* ---- themes -------------------------------------------------------------- */

static void fallback_theme(struct theme *th)
{
	memset(th, 0, sizeof *th);
	th->name = xstrdup("built-in");
	th->mono = 1;
	for (int r = 0; r < ROLE_COUNT; r++)
		th->roles[r] = (struct role_style){-1, -1, 0, 0};
	th->roles[ROLE_ROW_SELECTED].mono_attrs = THEME_A_REVERSE;
	th->roles[ROLE_TITLE].mono_attrs = THEME_A_REVERSE | THEME_A_BOLD;
	th->roles[ROLE_STATUS].mono_attrs = THEME_A_REVERSE;
	th->roles[ROLE_STATUS_ERROR].mono_attrs = THEME_A_REVERSE | THEME_A_BOLD;
	th->roles[ROLE_DANGER].mono_attrs = THEME_A_BOLD | THEME_A_UNDERLINE;
	th->roles[ROLE_COLUMN_HEADER].mono_attrs = THEME_A_BOLD | THEME_A_UNDERLINE;
	th->roles[ROLE_BUTTON_FOCUS].mono_attrs = THEME_A_REVERSE;
	th->roles[ROLE_STATE_FAILED].mono_attrs = THEME_A_BOLD;
}

int tui_set_theme(struct tui *t, const char *name, struct buf *err)
{
	struct theme th;
	memset(&th, 0, sizeof th);
	if (theme_load(&th, name, err) < 0) {
		theme_free(&th);
		return -1;
	}
	if (has_colors())
		theme_fit(&th, COLORS);
	if (t->have_theme)
		theme_free(&t->theme);
	t->theme = th;
	t->have_theme = 1;
	term_apply_theme(&t->theme, t->use_color);
	clearok(curscr, TRUE);
	t->dirty = 1;
	return 0;
}

const char *tui_theme_name(const struct tui *t)
{
	return t->theme.name ? t->theme.name : "";
}

/* Whether a theme of that name is on the search path; if not, say which are. */
static int theme_known_in(struct tui *t, const char *name)
{
	size_t n;
	char **names = theme_list(&n);
	int found = 0;
	struct buf all = {0};
	for (size_t i = 0; i < n; i++) {
		found |= !strcmp(names[i], name);
		buf_printf(&all, "%s%s", i ? ", " : "", names[i]);
		free(names[i]);
	}
	free(names);
	if (!found)
		tui_message(t, 1, "no theme \"%s\"; themes: %s", name, n ? buf_str(&all) : "none found");
	buf_free(&all);
	return found;
}

static void next_theme(struct tui *t)
{
	size_t n;
	char **names = theme_list(&n);
	if (!n) {
		tui_message(t, 1, "no themes found");
		free(names);
		return;
	}
	size_t next = 0;
	for (size_t i = 0; i < n; i++)
		if (t->theme.name && !strcmp(names[i], t->theme.name))
			next = (i + 1) % n;
	struct buf err = {0};
	if (tui_set_theme(t, names[next], &err) < 0)
		tui_message(t, 1, "%s", buf_str(&err));
	else
		tui_message(t, 0, "theme: %s", names[next]);
	buf_free(&err);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* ---- header and status bar ------------------------------------------------ */

static struct screen *base_screen(const struct tui *t, size_t *index)
{
	for (size_t i = t->n; i-- > 0;) {
		if (!t->stack[i]->ops->modal) {
			if (index)
				*index = i;
			return t->stack[i];
		}
	}
	if (index)
		*index = 0;
	return t->n ? t->stack[0] : NULL;
}

static void draw_header(struct tui *t)
{
	struct context *ctx = t->ctx;
	tui_fill(t, 0, 0, COLS, ROLE_TITLE);
	struct buf b = {0};
	buf_printf(&b, " relcon  %s/%s", ctx->bk_settings.organization, ctx->bk_settings.pipeline);
	int x = tui_text(t, 0, 0, COLS, ROLE_TITLE, buf_str(&b));
	struct screen *s = base_screen(t, NULL);
	if (s && s->ops->title) {
		buf_reset(&b);
		buf_adds(&b, "  ›  ");
		s->ops->title(s, &b);
		x += tui_text(t, 0, x, COLS - x, ROLE_TITLE, buf_str(&b));
	}
	/* Right: the AWS identity, on a banner coloured by account class, and
	 * where Buildkite data comes from when it is not Buildkite itself. */
	int right = COLS;
	struct store_identity id;
	store_identity(ctx->store, &id);
	buf_reset(&b);
	enum role banner = ROLE_WARNING;
	if (id.account) {
		banner = id.sandbox ? ROLE_BANNER_SANDBOX : ROLE_BANNER_PROD;
		buf_printf(&b, " aws %s %s %s ", id.sandbox ? "sandbox" : "ACCOUNT", id.account, id.arn ? id.arn : "");
		if (x + tui_text_width(buf_str(&b)) + 1 >= right) {
			/* Narrow: the account alone. */
			buf_reset(&b);
			buf_printf(&b, " aws %s %s ", id.sandbox ? "sandbox" : "ACCOUNT", id.account);
		}
	} else if (id.error) {
		buf_adds(&b, " aws: no identity ");
	}
	if (b.len) {
		int w = tui_text_width(buf_str(&b));
		if (x + w + 1 < right) {
			tui_text(t, 0, right - w, w, banner, buf_str(&b));
			right -= w + 1;
		}
	}
	if (ctx->read_only) { /* left of the identity: it changes what every key may do */
		const char *ro = " READ-ONLY ";
		int w = tui_text_width(ro);
		if (x + w + 1 < right) {
			tui_text(t, 0, right - w, w, ROLE_WARNING, ro);
			right -= w + 1;
		}
	}
	const char *ep = ctx->bk_settings.endpoint;
	if (ep && strcmp(ep, "https://api.buildkite.com") != 0) {
		buf_reset(&b);
		const char *host = strstr(ep, "://");
		buf_printf(&b, " buildkite: %s ", host ? host + 3 : ep);
		int w = tui_text_width(buf_str(&b));
		if (x + w + 1 < right)
			tui_text(t, 0, right - w, w, ROLE_BANNER_SANDBOX, buf_str(&b));
	}
	buf_free(&b);
}

static void status_age(struct buf *out, const char *what, time_t fetched, time_t now);

/* "?:help  /:filter  ::command  q:back" with the keys the keymap binds. */
static void key_hints(struct buf *out)
{
	static const struct {
		enum action a;
		const char *label;
	} hints[] = {
		{ACTION_HELP, "help"}, {ACTION_FILTER, "filter"}, {ACTION_PALETTE, "command"}, {ACTION_QUIT, "back"}};
	for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++) {
		int k = keymap_key(hints[i].a);
		if (!k)
			continue;
		if (out->len)
			buf_adds(out, "  ");
		key_format(k, out);
		buf_printf(out, ":%s", hints[i].label);
	}
}

/* Bytes of s (sanitized) that fill at most cols columns, at least one
 * character. */
static size_t fit_bytes(const char *s, int cols)
{
	mbstate_t st;
	memset(&st, 0, sizeof st);
	size_t off = 0;
	int used = 0;
	while (s[off]) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, s + off, strlen(s + off), &st);
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0)
			k = 1;
		int w = wcwidth(wc);
		if (used + (w > 0 ? w : 1) > cols && off)
			break;
		used += w > 0 ? w : 1;
		off += k;
	}
	return off;
}

/* The whole of a message's text, on the rows just above the status line
 * (bottom is the first row below them), so it can be read and selected. */
static void draw_detail(struct tui *t, int bottom, const char *text)
{
	int w = COLS - 2, n = 0;
	if (w < 10)
		return;
	for (const char *p = text; *p; p += fit_bytes(p, w))
		n++;
	if (n > bottom - 1)
		n = bottom - 1;
	int y = bottom - n;
	for (const char *p = text; *p && y < bottom; y++) {
		size_t k = fit_bytes(p, w);
		char *part = xstrndup(p, k);
		tui_fill(t, y, 0, COLS, ROLE_DIALOG);
		tui_text(t, y, 1, w, ROLE_DIALOG, part);
		free(part);
		p += k;
	}
}

/* "⟳ buildkite list builds: HTTP 429, retry 2/4 in 27s": while a request
 * waits (a Retry-After, a backoff), say so rather than just "loading". */
static void describe_wait(struct buf *out, const struct http_wait *w)
{
	long long left = w->at_ms - loop_now_ms();
	long secs = left > 0 ? (long)((left + 999) / 1000) : 0;
	buf_printf(out, "⟳ %s: ", w->what);
	if (w->status)
		buf_printf(out, "HTTP %ld", w->status);
	else
		buf_adds(out, "no answer");
	buf_printf(out, ", retry %d/%d in %lds  ", w->attempt, w->max_attempts, secs);
}

static void draw_status(struct tui *t)
{
	int y = LINES - 1;
	struct store_status st;
	store_status(t->ctx->store, &st);
	const struct bk_ratelimit *rl = store_ratelimit(t->ctx->store);
	time_t now = time_now();
	struct buf right = {0};
	struct http_wait wait;
	if (context_retry_wait(t->ctx, &wait))
		describe_wait(&right, &wait);
	else if (st.loading)
		buf_adds(&right, "⟳ loading  ");
	if (st.fetched_at) {
		/* "cached 3h ago": the last run's data, until the first refresh lands */
		status_age(&right, st.cached ? "cached" : "data", st.fetched_at, now);
	} else if (!st.loading) {
		buf_adds(&right, "no data");
	}
	if (st.live)
		buf_printf(&right, "  live %lds", (st.active ? t->ctx->cfg.refresh_active : t->ctx->cfg.refresh_idle));
	if (rl->known) {
		long rem = rl->remaining, lim = rl->limit;
		if (rl->user_remaining >= 0 && (rem < 0 || rl->user_remaining < rem)) {
			rem = rl->user_remaining;
			lim = rl->user_limit;
		}
		buf_printf(&right, "  BK %ld/%ld", rem, lim);
	}
	buf_addc(&right, ' ');
	int stale = st.error != NULL;
	tui_fill(t, y, 0, COLS, stale ? ROLE_STATUS_STALE : ROLE_STATUS);
	int rw = tui_text_width(buf_str(&right));
	int lw = COLS - rw - 1;
	if (t->message) {
		tui_text(t, y, 1, lw, t->message_error ? ROLE_STATUS_ERROR : ROLE_STATUS, t->message);
		if (t->detail && !strcmp(t->message, t->detail_of) && tui_text_width(t->message) > lw)
			draw_detail(t, y, t->detail);
	} else if (stale) {
		struct buf m = {0};
		buf_printf(&m, "⚠ %s", st.error);
		if (st.fetched_at) {
			buf_adds(&m, " — showing data read ");
			time_ago(&m, st.fetched_at, now);
		}
		tui_text(t, y, 1, lw, ROLE_STATUS_ERROR, buf_str(&m));
		buf_free(&m);
	} else {
		struct buf hint = {0};
		key_hints(&hint);
		tui_text(t, y, 1, lw, ROLE_STATUS, buf_str(&hint));
		buf_free(&hint);
	}
	if (rw < COLS)
		tui_text(t, y, COLS - rw, rw, stale ? ROLE_STATUS_STALE : ROLE_STATUS, buf_str(&right));
	buf_free(&right);
}

/* "frame key=j us=412 rows=10000": from reading a key to its frame on the
 * terminal (make bench reads these from the --debug log). */
static void log_frame(struct tui *t)
{
	long long now = loop_now_us();
	size_t rows;
	store_builds(t->ctx->store, &rows);
	if (!t->frames++) {
		struct store_status st;
		store_status(t->ctx->store, &st);
		log_msg(LOG_DEBUG, "frame first us=%lld rows=%zu data=%s", now - t->started_us, rows,
			st.cached ? "cache"
			: rows    ? "network"
				  : "none");
	}
	if (!t->key_at)
		return;
	struct buf k = {0};
	key_format(t->key_last, &k);
	log_msg(LOG_DEBUG, "frame key=%s us=%lld rows=%zu", buf_str(&k), now - t->key_at, rows);
	buf_free(&k);
	t->key_at = 0;
}

static void dispatch_key(struct tui *t, int key);

/* A key from the terminal or a script: timed until its frame is drawn. */
static void timed_key(struct tui *t, int key)
{
	if (!t->key_at) {
		t->key_at = loop_now_us();
		t->key_last = key;
	}
	dispatch_key(t, key);
}

static void draw(struct tui *t)
{
	t->cursor_y = -1;
	set_role(ROLE_NORMAL);
	bkgdset(' ');
	erase();
	draw_header(t);
	size_t bi;
	base_screen(t, &bi);
	int body_h = LINES - 2;
	t->nregions = 0;
	for (size_t i = bi; i < t->n; i++) {
		t->drawing = t->stack[i];
		if (t->stack[i]->ops->draw)
			t->stack[i]->ops->draw(t->stack[i], t, 1, body_h, COLS);
	}
	t->drawing = NULL;
	draw_status(t);
	if (t->cursor_y >= 0) {
		curs_set(1);
		move(t->cursor_y, t->cursor_x);
	} else {
		curs_set(0);
	}
	refresh();
	t->dirty = 0;
	log_frame(t);
}

/* Redraw when the status bar's age text would change; no ticks otherwise. */
static void on_age_timer(void *ud)
{
	struct tui *t = ud;
	t->age_timer = 0;
	t->dirty = 1;
}

static void age_timer_at(struct tui *t, long ms)
{
	long long due = loop_now_ms() + ms;
	if (t->age_timer && t->age_due <= due)
		return;
	if (t->age_timer)
		loop_timer_cancel(t->ctx->loop, t->age_timer);
	t->age_timer = loop_timer(t->ctx->loop, ms, on_age_timer, t);
	t->age_due = due;
}

/* The status bar shows the data's age (or the cache's) in steps of 10 s for the first minute,
 * then minutes, then hours: wake up only when that text changes. */
static void status_age(struct buf *out, const char *what, time_t fetched, time_t now)
{
	long age = (long)(now - fetched);
	if (age < 10)
		buf_printf(out, "%s now", what);
	else if (age < 60)
		buf_printf(out, "%s %lds ago", what, age / 10 * 10);
	else {
		buf_printf(out, "%s ", what);
		time_age(out, fetched, now);
		buf_adds(out, " ago");
	}
}

static void schedule_age_timer(struct tui *t)
{
	/* A retry's countdown: each second until it is sent.  While requests
	 * are out, once a second too: one may fail and wait to be retried
	 * without anything else changing on the screen. */
	struct http_wait w;
	if (context_retry_wait(t->ctx, &w)) {
		long long left = w.at_ms - loop_now_ms();
		age_timer_at(t, left > 0 ? (long)((left - 1) % 1000) + 1 : 1);
	} else if (http_inflight(t->ctx->http)) {
		age_timer_at(t, 1000);
	}
	struct store_status st;
	store_status(t->ctx->store, &st);
	if (!st.fetched_at)
		return;
	long age = (long)(time_now() - st.fetched_at);
	long step = age < 60 ? 10 : age < 3600 ? 60 : 3600;
	age_timer_at(t, (step - age % step) * 1000);
}

/* ---- dispatch ------------------------------------------------------------- */

static void global_action(struct tui *t, enum action a)
{
	switch (a) {
	case ACTION_QUIT:
	case ACTION_BACK:
		if (a == ACTION_BACK && t->n <= 1)
			break;
		tui_pop(t);
		break;
	case ACTION_QUIT_ALL:
		t->quit = 1;
		break;
	case ACTION_HELP:
		if (t->app->open_help)
			t->app->open_help(t);
		break;
	case ACTION_PALETTE:
		palette_open(t);
		break;
	case ACTION_REFRESH:
		store_refresh(t->ctx->store);
		tui_message(t, 0, "refreshing…");
		t->message_refresh = 1;
		break;
	case ACTION_REDRAW:
		clearok(curscr, TRUE);
		break;
	case ACTION_THEME_NEXT:
		next_theme(t);
		break;
	case ACTION_COPY:
	case ACTION_OPEN_BROWSER: {
		/* What the top screen says is selected (tui/clip.c says the rest). */
		struct screen *top = t->n ? t->stack[t->n - 1] : NULL;
		struct buf text = {0}, what = {0};
		if (!top || !top->ops->selection || !top->ops->selection(top, &text, &what) || !text.len)
			tui_message(t, 0, "%s: nothing to %s on this screen", action_name(a),
				    a == ACTION_COPY ? "copy" : "open");
		else if (a == ACTION_COPY)
			clip_copy(t, buf_str(&text), what.len ? buf_str(&what) : "text");
		else
			clip_open(t, buf_str(&text), what.len ? buf_str(&what) : "text");
		buf_free(&text);
		buf_free(&what);
		break;
	}
	default:
		if (t->app->global)
			t->app->global(t, a);
		break;
	}
	t->dirty = 1;
}

static void dispatch_action(struct tui *t, enum action a)
{
	if (a == ACTION_NONE)
		return;
	if (t->ctx->read_only && (action_flags(a) & ACTION_MUTATING)) {
		tui_message(t, 1, "%s: refused, relcon is read-only", action_name(a));
		return;
	}
	struct screen *top = t->n ? t->stack[t->n - 1] : NULL;
	if (top && top->ops->action && top->ops->action(top, t, a) == HANDLED) {
		t->dirty = 1;
		return;
	}
	if (top && top->ops->modal)
		return;
	global_action(t, a);
}

static void dispatch_key(struct tui *t, int key)
{
	if (key == KEY_OFFSET + KEY_RESIZE) {
		t->dirty = 1;
		return;
	}
	/* A key press acknowledges the last message. */
	if (t->message && !(t->n && t->stack[t->n - 1]->ops->modal)) {
		free(t->message);
		t->message = NULL;
	}
	struct screen *top = t->n ? t->stack[t->n - 1] : NULL;
	if (top && top->ops->key && top->ops->key(top, t, key) == HANDLED) {
		t->dirty = 1;
		return;
	}
	enum action a = keymap_lookup(key);
	if (a == ACTION_NONE) {
		if (!(top && top->ops->modal)) {
			struct buf n = {0}, h = {0};
			key_format(key, &n);
			if (keymap_key(ACTION_HELP))
				key_format(keymap_key(ACTION_HELP), &h);
			tui_message(t, 0, "%s is not bound here; %s%s%s", buf_str(&n), h.len ? "press " : "",
				    h.len ? buf_str(&h) : "relcon keys lists the keys", h.len ? " for help" : "");
			buf_free(&n);
			buf_free(&h);
		}
		return;
	}
	dispatch_action(t, a);
}

/* ---- mouse --------------------------------------------------------------------- */

void tui_mouse_region(struct tui *t, int y, int x, int h, int w, tui_mouse_fn fn, void *ud)
{
	if (!t->mouse || !t->drawing || h <= 0 || w <= 0)
		return;
	if (t->nregions == t->cap_regions) {
		t->cap_regions = t->cap_regions ? t->cap_regions * 2 : 8;
		t->regions = xrealloc(t->regions, t->cap_regions * sizeof *t->regions);
	}
	t->regions[t->nregions++] = (struct mouse_region){t->drawing, y, x, h, w, fn, ud};
}

/* One mouse event at screen cell (x, y), from the terminal or a script's
 * "@mouse": the top screen's region under it answers, else a wheel turn
 * moves the top (non-modal) screen as move-up/move-down would.  Ignored
 * unless ui.mouse is on. */
static void mouse_event(struct tui *t, enum tui_mouse ev, int x, int y)
{
	if (!t->mouse || !t->n)
		return;
	/* Regions are where the last draw put things: draw first if anything
	 * changed since (a screen opened or closed, rows arrived). */
	if (t->dirty)
		draw(t);
	if (t->message && !t->stack[t->n - 1]->ops->modal) {
		free(t->message);
		t->message = NULL;
	}
	struct screen *top = t->stack[t->n - 1];
	for (size_t i = t->nregions; i-- > 0;) {
		struct mouse_region *r = &t->regions[i];
		if (r->screen != top || y < r->y || y >= r->y + r->h || x < r->x || x >= r->x + r->w)
			continue;
		if (r->fn(r->ud, ev, y - r->y, x - r->x) == HANDLED) {
			t->dirty = 1;
			return;
		}
	}
	if (ev == TUI_MOUSE_CLICK || top->ops->modal)
		return;
	for (int i = 0; i < WHEEL_ROWS && t->n && t->stack[t->n - 1] == top; i++)
		dispatch_action(t, ev == TUI_MOUSE_WHEEL_UP ? ACTION_MOVE_UP : ACTION_MOVE_DOWN);
	t->dirty = 1;
}

/* "  :theme  light  " -> cmd "theme", arg "light" (arg borrowed from argbuf). */
static void split_command(const char *line, struct buf *cmd, struct buf *argbuf, const char **arg)
{
	while (*line == ' ' || *line == ':')
		line++;
	size_t n = strcspn(line, " ");
	buf_add(cmd, line, n);
	const char *a = line + n;
	while (*a == ' ')
		a++;
	size_t len = strlen(a);
	while (len && a[len - 1] == ' ')
		len--;
	buf_add(argbuf, a, len);
	*arg = buf_str(argbuf);
}

enum handled tui_command(struct tui *t, const char *line)
{
	struct buf cmd = {0}, argbuf = {0};
	const char *arg;
	split_command(line, &cmd, &argbuf, &arg);
	const char *c = buf_str(&cmd);
	enum handled h = HANDLED;
	enum action a = action_by_name(c);
	if (!*c) {
		h = NOT_HANDLED;
	} else if (a != ACTION_NONE) {
		dispatch_action(t, a);
	} else if (!strcmp(c, "theme")) {
		struct buf err = {0};
		if (!*arg)
			tui_message(t, 0, "theme: %s", tui_theme_name(t));
		else if (!strchr(arg, '/') && !theme_known_in(t, arg))
			h = NOT_HANDLED;
		else if (tui_set_theme(t, arg, &err) < 0)
			tui_message(t, 1, "%s", buf_str(&err)), h = NOT_HANDLED;
		else
			tui_message(t, 0, "theme: %s", arg);
		buf_free(&err);
	} else if (!strcmp(c, "dump-screen")) {
		struct buf err = {0};
		if (t->dirty)
			draw(t);
		if (!*arg || term_dump(arg, &err) < 0)
			tui_message(t, 1, "dump-screen: %s", *arg ? buf_str(&err) : "give a file name"),
				h = NOT_HANDLED;
		buf_free(&err);
	} else {
		h = NOT_HANDLED;
		for (size_t i = t->n; i-- > 0 && h == NOT_HANDLED;) {
			struct screen *s = t->stack[i];
			if (s->ops->command)
				h = s->ops->command(s, t, c, arg);
		}
		if (h == NOT_HANDLED)
			tui_message(t, 1, "unknown command: %s (Tab completes, ? lists them)", c);
	}
	buf_free(&cmd);
	buf_free(&argbuf);
	t->dirty = 1;
	return h;
}

static int has_prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

char **tui_complete(struct tui *t, const char *line, size_t *n)
{
	static const char *const extra[] = {"theme", "branch", "build", "dump-screen", "filter", "sort"};
	char **out = NULL;
	*n = 0;
	size_t cap = 0;
#define ADD(s)                                                                                                         \
	do {                                                                                                           \
		if (*n == cap) {                                                                                       \
			cap = cap ? cap * 2 : 16;                                                                      \
			out = xrealloc(out, cap * sizeof *out);                                                        \
		}                                                                                                      \
		out[(*n)++] = xstrdup(s);                                                                              \
	} while (0)
	while (*line == ' ')
		line++;
	const char *space = strchr(line, ' ');
	if (!space) {
		for (int a = 1; a < ACTION_COUNT; a++)
			if (has_prefix(action_name((enum action)a), line))
				ADD(action_name((enum action)a));
		for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++)
			if (has_prefix(extra[i], line))
				ADD(extra[i]);
		return out;
	}
	struct buf cmd = {0};
	buf_add(&cmd, line, (size_t)(space - line));
	const char *arg = space + 1;
	while (*arg == ' ')
		arg++;
	if (!strcmp(buf_str(&cmd), "theme")) {
		size_t nt;
		char **names = theme_list(&nt);
		for (size_t i = 0; i < nt; i++) {
			if (has_prefix(names[i], arg)) {
				struct buf full = {0};
				buf_printf(&full, "theme %s", names[i]);
				ADD(buf_str(&full));
				buf_free(&full);
			}
			free(names[i]);
		}
		free(names);
	} else if (!strcmp(buf_str(&cmd), "branch")) {
		size_t nb;
		const char *const *br = store_branches(t->ctx->store, &nb);
		if (has_prefix("all", arg))
			ADD("branch all");
		for (size_t i = 0; i < nb; i++) {
			if (has_prefix(br[i], arg)) {
				struct buf full = {0};
				buf_printf(&full, "branch %s", br[i]);
				ADD(buf_str(&full));
				buf_free(&full);
			}
		}
	}
#undef ADD
	buf_free(&cmd);
	return out;
}

/* ---- input ------------------------------------------------------------------ */

static void on_input(void *ud, int fd, int revents)
{
	(void)fd;
	(void)revents;
	struct tui *t = ud;
	wint_t wc;
	int r;
	while ((r = get_wch(&wc)) != ERR) {
		if (r == KEY_CODE_YES && wc == KEY_MOUSE) {
			MEVENT ev;
			if (getmouse(&ev) == OK) {
				if (ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED))
					mouse_event(t, TUI_MOUSE_CLICK, ev.x, ev.y);
				else if (ev.bstate & BUTTON4_PRESSED)
					mouse_event(t, TUI_MOUSE_WHEEL_UP, ev.x, ev.y);
#ifdef BUTTON5_PRESSED
				else if (ev.bstate & BUTTON5_PRESSED)
					mouse_event(t, TUI_MOUSE_WHEEL_DOWN, ev.x, ev.y);
#endif
			}
			if (t->quit)
				break;
			continue;
		}
		int key = key_normalize(r == KEY_CODE_YES ? KEY_OFFSET + (int)wc : (int)wc);
		timed_key(t, key);
		if (t->quit)
			break;
	}
}

static void on_signal(void *ud, int signo)
{
	struct tui *t = ud;
	switch (signo) {
	case SIGWINCH:
		term_resize();
		t->dirty = 1;
		break;
	case SIGCONT:
		clearok(curscr, TRUE);
		t->dirty = 1;
		break;
	default: /* SIGTERM, SIGINT, SIGHUP: leave cleanly */
		log_msg(LOG_INFO, "signal %d: quitting", signo);
		t->quit = 1;
		t->quit_signal = signo;
		break;
	}
}

/* ---- scripts (tests) --------------------------------------------------------- */

static int load_script(struct tui *t, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "relcon: RELCON_SCRIPT %s: %s\n", path, strerror(errno));
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	while ((len = getline(&line, &cap, f)) >= 0) {
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (!len || line[0] == '#')
			continue;
		t->script = xrealloc(t->script, (t->nscript + 1) * sizeof *t->script);
		t->script[t->nscript++] = xstrdup(line);
	}
	free(line);
	fclose(f);
	return 0;
}

static void script_step(struct tui *t)
{
	if (t->script_pos >= t->nscript) {
		t->quit = 1;
		return;
	}
	const char *line = t->script[t->script_pos++];
	log_msg(LOG_DEBUG, "script: %s", line);
	if (line[0] == ':' && line[1]) {
		if (tui_command(t, line + 1) == NOT_HANDLED && has_prefix(line + 1, "dump-screen")) {
			t->script_failed = 1;
		}
	} else if (line[0] == '@') {
		int cols, rows, x, y, end = 0;
		char what[16];
		int ms;
		if (sscanf(line, "@wait %d%n", &ms, &end) == 1 && !line[end] && ms >= 0) {
			/* Let time pass: timers (live refresh) fire, answers arrive. */
			long long until = loop_now_ms() + ms;
			for (long long now; !t->quit && (now = loop_now_ms()) < until;) {
				if (t->dirty)
					draw(t);
				loop_run_once(t->ctx->loop, (long)(until - now));
			}
		} else if (sscanf(line, "@resize %d %d", &cols, &rows) == 2) {
			term_resize_to(cols, rows);
			t->dirty = 1;
		} else if (sscanf(line, "@mouse %15s %d %d%n", what, &x, &y, &end) == 3 && !line[end] &&
			   (!strcmp(what, "click") || !strcmp(what, "wheel-up") || !strcmp(what, "wheel-down"))) {
			mouse_event(t,
				    !strcmp(what, "click")      ? TUI_MOUSE_CLICK
				    : !strcmp(what, "wheel-up") ? TUI_MOUSE_WHEEL_UP
								: TUI_MOUSE_WHEEL_DOWN,
				    x, y);
		} else {
			fprintf(stderr, "relcon: script line %zu: unknown directive %s\n", t->script_pos, line);
			t->script_failed = 1;
		}
	} else {
		int keys[256];
		struct buf err = {0};
		int n = key_parse_seq(line, keys, sizeof keys / sizeof keys[0], &err);
		if (n < 0) {
			fprintf(stderr, "relcon: script line %zu: %s\n", t->script_pos, buf_str(&err));
			t->script_failed = 1;
		}
		for (int i = 0; i < n && !t->quit; i++)
			timed_key(t, keys[i]);
		buf_free(&err);
	}
}

/* ---- main ----------------------------------------------------------------------- */

static void on_store(void *ud, unsigned topics)
{
	struct tui *t = ud;
	for (size_t i = 0; i < t->n; i++)
		if (t->stack[i]->ops->changed)
			t->stack[i]->ops->changed(t->stack[i], t, topics);
	if (t->message && t->message_refresh) {
		/* The refresh r asked for failed: the status line shows why (and the
		 * data's age) instead of "refreshing…". */
		struct store_status st;
		store_status(t->ctx->store, &st);
		if (!st.loading && st.error) {
			free(t->message);
			t->message = NULL;
		}
	}
	t->dirty = 1;
}

int tui_run(struct context *ctx, const struct tui_app *app, int no_color)
{
	struct tui tv;
	struct tui *t = &tv;
	memset(t, 0, sizeof *t);
	t->started_us = loop_now_us();
	t->ctx = ctx;
	t->app = app;
	const char *nd = getenv("RELCON_NO_DISPLAY");
	t->headless = nd && *nd && strcmp(nd, "0") != 0;
	const char *script = getenv("RELCON_SCRIPT");
	if (script && *script && load_script(t, script) < 0)
		return 2;
	if (t->headless && !t->nscript) {
		fprintf(stderr, "relcon: RELCON_NO_DISPLAY needs RELCON_SCRIPT (nothing would drive the console)\n");
		return 2;
	}
	const char *nc = getenv("NO_COLOR");
	t->use_color = !no_color && !(nc && *nc);
	struct buf err = {0};
	if (term_open(t->headless, &err) < 0) {
		fprintf(stderr, "relcon: %s\n", buf_str(&err));
		buf_free(&err);
		return 2;
	}
	if (tui_set_theme(t, ctx->cfg.ui_theme, &err) < 0) {
		fallback_theme(&t->theme);
		t->have_theme = 1;
		term_apply_theme(&t->theme, 0);
		tui_message(t, 1, "theme: %s (using the built-in monochrome theme)", buf_str(&err));
	}
	buf_free(&err);
	t->mouse = ctx->cfg.ui_mouse != 0;
	if (t->mouse && !t->headless && term_mouse(1) < 0)
		log_msg(LOG_WARN, "ui.mouse: this terminal does not report the mouse");
	if (!t->headless) {
		int fd = term_input_fd();
		loop_watch_fd(ctx->loop, fd, POLLIN, on_input, t);
		loop_on_signal(ctx->loop, SIGWINCH, on_signal, t);
		loop_on_signal(ctx->loop, SIGCONT, on_signal, t);
	}
	loop_on_signal(ctx->loop, SIGTERM, on_signal, t);
	loop_on_signal(ctx->loop, SIGINT, on_signal, t);
	loop_on_signal(ctx->loop, SIGHUP, on_signal, t);
	if (ctx->cfg.ui_cache)
		store_use_cache(ctx->store);
	store_watch(ctx->store, on_store, t);
	app->open_home(t);
	store_fetch_identity(ctx->store);
	store_set_live(ctx->store, 1);
	store_refresh(ctx->store);
	t->dirty = 1;
	while (!t->quit) {
		if (t->dirty) {
			draw(t);
			schedule_age_timer(t);
		}
		if (t->nscript && !loop_busy(ctx->loop)) {
			script_step(t);
			/* Let the step's effects (requests, timers at 0 ms) start. */
			loop_run_once(ctx->loop, 0);
			continue;
		}
		loop_run_once(ctx->loop, -1);
	}
	struct store_status st;
	store_status(ctx->store, &st);
	log_msg(LOG_INFO, "console: %lu loop wake-ups, %lu Buildkite requests", loop_wakeups(ctx->loop), st.requests);
	store_unwatch(ctx->store, on_store, t);
	store_set_live(ctx->store, 0);
	while (t->n)
		tui_pop(t);
	if (!t->headless)
		loop_watch_fd(ctx->loop, term_input_fd(), 0, NULL, NULL);
	if (t->age_timer)
		loop_timer_cancel(ctx->loop, t->age_timer);
	if (t->mouse && !t->headless)
		term_mouse(0);
	term_close();
	theme_free(&t->theme);
	free(t->message);
	free(t->detail);
	free(t->detail_of);
	free(t->regions);
	for (size_t i = 0; i < t->nscript; i++)
		free(t->script[i]);
	free(t->script);
	return t->quit_signal ? 128 + t->quit_signal : t->script_failed ? 2 : 0;
}
