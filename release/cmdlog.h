/* release/cmdlog.h - the command log: every request relcon made and every
 * action it took, newest first, each as the command a person would type to
 * do the same (lazygit's command log).
 *
 * Requests arrive through core/http's observer (cmdlog_http_event, set by
 * context_init), so nothing sent escapes the log: AWS calls carry their
 * `aws ...` line (aws/cli_equiv.h), Buildkite calls their `curl ...` line
 * (bk_curl_command), anything else (the IP lookup, credential endpoints) a
 * plain `curl` of its URL.  Actions (launch, teardown, unblock-build,
 * promote-*, override) are recorded by context_intent and context_outcome:
 * "# launch alice-super", a shell comment, so pasting it does nothing.
 *
 * An entry is made when a request is sent or an action starts, and
 * completed when it ends.  The log keeps the newest CMDLOG_KEEP entries.
 * The log holds no secret: the commands are built without them (tokens are
 * $BUILDKITE_API_TOKEN, credentials are the CLI's own) and the error texts
 * are what the callers see. */
#ifndef RELCON_RELEASE_CMDLOG_H
#define RELCON_RELEASE_CMDLOG_H

#include <stddef.h>
#include <time.h>

#include "core/buf.h"

struct cmdlog;
struct http_event;

#define CMDLOG_KEEP 500

enum cmdlog_kind { CMDLOG_REQUEST, CMDLOG_ACTION };

/* One entry; strings owned by the log, never NULL unless said. */
struct cmdlog_entry {
	unsigned long seq; /* 1, 2, ...: the order of sending (ties of time) */
	time_t time;       /* time_now() when sent or started (RELCON_NOW) */
	enum cmdlog_kind kind;
	char *what;           /* "cfn DescribeStacks", "buildkite get build", "launch" */
	char *command;        /* one line of printable ASCII */
	int done;             /* the request ended / the action's outcome is known */
	int ok;               /* done: 2xx, or the action's result is "ok" */
	long status;          /* requests: the HTTP status, 0 when none arrived */
	char *result;         /* "…" (pending), "200", "404", "timed out", "failed", "cancelled",
				 "started", "ok", "failed", "unknown", "refused", "not done" */
	char *error;          /* the error text, or NULL */
	long long elapsed_ms; /* done: how long it took */
	int attempts;         /* requests: attempts made (retries inside core/http) */
	/* Matching an end to its start. */
	unsigned long http_id;
	char journal_id[17];
	long long started_ms;
};

/* An empty log keeping the newest keep entries (0 = CMDLOG_KEEP). */
struct cmdlog *cmdlog_new(size_t keep);
/* Free the log and its entries; *l = NULL (NULL is fine). */
void cmdlog_free(struct cmdlog **l);

/* core/http's observer (http_set_observer(h, cmdlog_http_event, log)). */
void cmdlog_http_event(void *log, const struct http_event *ev);

/* An action started: journal_id the audit id ("" when the journal refused
 * it: then error says why and the entry is done, result "not done").
 * target may be NULL. */
void cmdlog_action_start(struct cmdlog *l, const char *journal_id, const char *action, const char *target,
			 const char *error);
/* The outcome of the action journal_id: result "ok", "failed", "unknown"
 * or "refused", error or NULL.  Unknown ids (evicted) are ignored. */
void cmdlog_action_end(struct cmdlog *l, const char *journal_id, const char *result, const char *error);

/* Entries kept, and the i-th newest (i = 0 the newest, by seq), borrowed
 * until the next change; NULL past the end. */
size_t cmdlog_count(const struct cmdlog *l);
const struct cmdlog_entry *cmdlog_at(const struct cmdlog *l, size_t i);
/* Increases on every change, for views that redraw when it moves. */
unsigned long cmdlog_version(const struct cmdlog *l);

/* Call fn(ud) after every change (one watcher: a later call replaces it).
 * cmdlog_unwatch forgets it only if ud is still the watcher's. */
void cmdlog_watch(struct cmdlog *l, void (*fn)(void *ud), void *ud);
void cmdlog_unwatch(struct cmdlog *l, void *ud);

/* The entry as text for its detail view: time, what, status and duration,
 * then the command on the last line. */
void cmdlog_entry_detail(const struct cmdlog_entry *e, struct buf *out);

#endif
