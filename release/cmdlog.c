#include "release/cmdlog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/http.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/timeutil.h"

struct cmdlog {
	struct cmdlog_entry *v; /* a ring of keep slots */
	size_t keep, n, next;   /* next: the slot the next entry takes */
	unsigned long seq, version;
	void (*watch)(void *ud);
	void *watch_ud;
};

struct cmdlog *cmdlog_new(size_t keep)
{
	struct cmdlog *l = xcalloc(1, sizeof *l);
	l->keep = keep ? keep : CMDLOG_KEEP;
	l->v = xcalloc(l->keep, sizeof *l->v);
	return l;
}

static void entry_clear(struct cmdlog_entry *e)
{
	free(e->what);
	free(e->command);
	free(e->result);
	free(e->error);
	memset(e, 0, sizeof *e);
}

void cmdlog_free(struct cmdlog **lp)
{
	if (!lp || !*lp)
		return;
	struct cmdlog *l = *lp;
	for (size_t i = 0; i < l->keep; i++)
		entry_clear(&l->v[i]);
	free(l->v);
	free(l);
	*lp = NULL;
}

static void changed(struct cmdlog *l)
{
	l->version++;
	if (l->watch)
		l->watch(l->watch_ud);
}

/* A new entry in the next slot, the oldest one making room. */
static struct cmdlog_entry *entry_new(struct cmdlog *l, enum cmdlog_kind kind, const char *what, const char *command)
{
	struct cmdlog_entry *e = &l->v[l->next];
	entry_clear(e);
	l->next = (l->next + 1) % l->keep;
	if (l->n < l->keep)
		l->n++;
	e->seq = ++l->seq;
	e->time = time_now();
	e->kind = kind;
	e->what = xstrdup(what ? what : "");
	e->command = xstrdup(command ? command : "");
	e->result = xstrdup(kind == CMDLOG_REQUEST ? "…" : "started");
	e->started_ms = loop_now_ms();
	return e;
}

static void set_result(struct cmdlog_entry *e, const char *result, const char *error)
{
	free(e->result);
	free(e->error);
	e->result = xstrdup(result);
	e->error = error && *error ? xstrdup(error) : NULL;
	e->done = 1;
}

size_t cmdlog_count(const struct cmdlog *l)
{
	return l ? l->n : 0;
}

const struct cmdlog_entry *cmdlog_at(const struct cmdlog *l, size_t i)
{
	if (!l || i >= l->n)
		return NULL;
	return &l->v[(l->next + l->keep - 1 - i) % l->keep];
}

static struct cmdlog_entry *find(struct cmdlog *l, enum cmdlog_kind kind, unsigned long http_id, const char *jid)
{
	for (size_t i = 0; i < l->n; i++) {
		struct cmdlog_entry *e = &l->v[(l->next + l->keep - 1 - i) % l->keep];
		if (e->kind != kind || e->done)
			continue;
		if (kind == CMDLOG_REQUEST ? e->http_id == http_id : !strcmp(e->journal_id, jid))
			return e;
	}
	return NULL;
}

unsigned long cmdlog_version(const struct cmdlog *l)
{
	return l ? l->version : 0;
}

void cmdlog_watch(struct cmdlog *l, void (*fn)(void *ud), void *ud)
{
	l->watch = fn;
	l->watch_ud = ud;
}

void cmdlog_unwatch(struct cmdlog *l, void *ud)
{
	if (l && l->watch_ud == ud) {
		l->watch = NULL;
		l->watch_ud = NULL;
	}
}

void cmdlog_http_event(void *log, const struct http_event *ev)
{
	struct cmdlog *l = log;
	if (!l)
		return;
	if (!ev->done) {
		struct cmdlog_entry *e = entry_new(l, CMDLOG_REQUEST, ev->what, ev->command);
		e->http_id = ev->id;
		changed(l);
		return;
	}
	struct cmdlog_entry *e = find(l, CMDLOG_REQUEST, ev->id, NULL);
	if (!e)
		return;
	struct buf r = {0};
	if (ev->cancelled)
		buf_adds(&r, "cancelled");
	else if (ev->status)
		buf_printf(&r, "%ld", ev->status);
	else
		buf_adds(&r, ev->timed_out ? "timed out" : "failed");
	set_result(e, buf_str(&r), ev->cancelled ? NULL : ev->error);
	buf_free(&r);
	e->ok = ev->status >= 200 && ev->status < 300;
	e->status = ev->status;
	e->attempts = ev->attempts;
	e->elapsed_ms = ev->elapsed_ms;
	log_msg(LOG_DEBUG, "command: %s -> %s: %s", e->what, e->result, e->command);
	changed(l);
}

void cmdlog_action_start(struct cmdlog *l, const char *journal_id, const char *action, const char *target,
			 const char *error)
{
	if (!l)
		return;
	struct buf cmd = {0};
	/* A shell comment: pasted, it does nothing; the requests it makes
	 * follow it in the log. */
	buf_printf(&cmd, "# %s%s%s", action, target ? " " : "", target ? target : "");
	for (size_t i = 0; i < cmd.len; i++)
		if ((unsigned char)cmd.s[i] < 0x20 || cmd.s[i] == 0x7f)
			cmd.s[i] = '?';
	struct cmdlog_entry *e = entry_new(l, CMDLOG_ACTION, action, buf_str(&cmd));
	buf_free(&cmd);
	snprintf(e->journal_id, sizeof e->journal_id, "%s", journal_id ? journal_id : "");
	if (!journal_id || !*journal_id)
		set_result(e, "not done", error);
	changed(l);
}

void cmdlog_action_end(struct cmdlog *l, const char *journal_id, const char *result, const char *error)
{
	struct cmdlog_entry *e = l && journal_id && *journal_id ? find(l, CMDLOG_ACTION, 0, journal_id) : NULL;
	if (!e)
		return;
	set_result(e, result ? result : "unknown", error);
	e->ok = result && !strcmp(result, "ok");
	e->elapsed_ms = loop_now_ms() - e->started_ms;
	changed(l);
}

void cmdlog_entry_detail(const struct cmdlog_entry *e, struct buf *out)
{
	buf_adds(out, "time     ");
	time_iso(out, e->time);
	buf_printf(out, "\nwhat     %s%s\nstatus   %s", e->kind == CMDLOG_ACTION ? "action " : "", e->what, e->result);
	if (e->done)
		buf_printf(out, " in %lld ms", e->elapsed_ms);
	if (e->attempts > 1)
		buf_printf(out, " (%d attempts)", e->attempts);
	if (e->error)
		buf_printf(out, "\nerror    %s", e->error);
	buf_printf(out, "\ncommand  (y copies it)\n%s", e->command);
}
