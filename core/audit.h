/* core/audit.h - the audit journal: every mutating action (launch, teardown,
 * unblock-build, promote-alpha, promote-release, override) as JSON lines in
 * $XDG_STATE_HOME/relcon/audit.jsonl.
 *
 * A mutating operation writes an *intent* line before its call and an
 * *outcome* line after it; both carry the same random id.  Each line is one
 * JSON object written with a single write() on a file opened O_APPEND and
 * fsync'd before the call returns, so a crash or a kill leaves the intent on
 * disk with no outcome: the reader reports it as "no outcome".  A line torn
 * by a crash in the middle of a write is skipped and counted by the reader;
 * the next write starts on a fresh line, so it never spoils a later entry.
 *
 * Every line has the members
 *   v          1 (format version)
 *   id         16 hex digits shared by an intent and its outcome
 *   phase      "intent" | "outcome"
 *   time       ISO 8601 UTC of the write (time_now(): honours RELCON_NOW)
 *   user       the local user (passwd name of the effective uid, else $USER)
 *   identity   the AWS identity (ARN) the caller acts as
 *   action     "launch" | "teardown" | "unblock-build" | "promote-alpha" |
 *              "promote-release" | "override"
 *   target     what is acted on: stack name, commit
 *   inputs     what the operator gave (JSON), plan: what will be called
 *              (JSON), details: what the call returned (JSON, outcomes)
 *   result     outcomes: "ok" | "failed" | "unknown" | "refused"
 *   error      outcomes: the error text
 *   reference  Buildkite job id or CloudFormation ClientRequestToken
 * with JSON null for what the caller did not give.
 *
 * SECRETS: the journal writes exactly what callers pass, and it is kept
 * forever.  Callers must never pass a token, key, password or anything else
 * secret in any member (inputs and plan included): pass names, ids and
 * public parameters only, with secret values replaced by "(secret)".
 *
 * Strings are stored as JSON strings, so newlines, quotes and escape
 * sequences in them cannot break the line format; bytes that are not valid
 * UTF-8 are kept as they are (the journal records what it was given).  The
 * text is untrusted when shown: sanitize it (tui_text does; the CLI uses
 * core/sanitize.h). */
#ifndef RELCON_CORE_AUDIT_H
#define RELCON_CORE_AUDIT_H

#include <stddef.h>

#include "core/buf.h"

struct json_object;
struct audit;

#define AUDIT_ID_LEN 16

/* What a caller journals.  Every member may be NULL (written as null); the
 * JSON objects are borrowed (the journal takes its own reference while
 * writing).  result and error belong to outcomes and are ignored in
 * intents. */
struct audit_entry {
	const char *identity;
	const char *action; /* required */
	const char *target;
	struct json_object *inputs;
	struct json_object *plan;
	struct json_object *details;
	const char *result; /* outcome: required, one of the four results */
	const char *error;
	const char *reference;
};

/* The journal's default path: $XDG_STATE_HOME/relcon/audit.jsonl (or
 * ~/.local/state/relcon/audit.jsonl).  Malloc'd. */
char *audit_default_path(void);

/* Open the journal at path (NULL = audit_default_path()): create the
 * missing directories (0700) and the file (0600; an existing file readable
 * by others is tightened), and check that it can be written.  Nothing is
 * held open between entries.  Returns 0 with *out set (free with
 * audit_close), or -1 with err appended ("PATH: Permission denied"); a
 * caller then refuses its mutating action. */
int audit_open(struct audit **out, const char *path, struct buf *err);

/* Close the journal (safe with *a == NULL) and set *a to NULL. */
void audit_close(struct audit **a);

/* The journal's file path, borrowed until audit_close. */
const char *audit_path(const struct audit *a);

/* Journal the intent of e->action before the call: a new id (written to
 * id_out, NUL-terminated), phase "intent", time and user filled in.  The
 * line is on disk (fsync'd) when this returns 0.  Returns -1 with err
 * appended when it cannot be written (the action must then not happen) or
 * when e->action is missing. */
int audit_intent(struct audit *a, const struct audit_entry *e, char id_out[AUDIT_ID_LEN + 1], struct buf *err);

/* Journal the outcome of the intent id after the call (or when it is
 * refused, or cannot be known): phase "outcome", time and user filled in,
 * e->result one of "ok", "failed", "unknown", "refused".  Repeat action and
 * target so the line reads on its own.  Returns 0 once fsync'd, or -1 with
 * err appended (bad id or result, or the write failed). */
int audit_outcome(struct audit *a, const char *id, const struct audit_entry *e, struct buf *err);

/* ---- reading ------------------------------------------------------------ */

/* One action: its intent and its outcome, paired by id.  Strings are
 * borrowed from the parsed lines until audit_log_free. */
struct audit_record {
	const char *id;
	const char *time;            /* the intent's (the outcome's when no intent was found) */
	const char *user;            /* as time */
	const char *identity;        /* as time */
	const char *action;          /* as time */
	const char *target;          /* as time */
	const char *reference;       /* the outcome's when it has one, else the intent's */
	const char *result;          /* the outcome's result; NULL = no outcome recorded */
	const char *error;           /* the outcome's error, or NULL */
	const char *outcome_time;    /* NULL = no outcome */
	struct json_object *intent;  /* the intent line; NULL when only an outcome was found */
	struct json_object *outcome; /* the last outcome line for the id; NULL = none */
	size_t line;                 /* line number (1-based) of the record's first line */
};

struct audit_log {
	char *path;             /* the file read (owned) */
	struct audit_record *v; /* in the file's order: oldest first */
	size_t n;
	size_t bad_lines;      /* lines that are not journal entries (a torn write) */
	size_t first_bad_line; /* line number of the first of them, 0 = none */
	int missing;           /* the file does not exist (n == 0) */
};

/* Read the journal at path (NULL = audit_default_path()).  Every line that
 * is a journal entry is kept; others (not JSON, not an object, no id or
 * phase: a line torn by a crash) are counted, never fatal.  A missing file
 * gives an empty log with missing set.  Returns 0 with *out set (free with
 * audit_log_free), or -1 with err appended when the file exists but cannot
 * be read. */
int audit_read(const char *path, struct audit_log **out, struct buf *err);

/* Free the log (safe with *l == NULL) and set *l to NULL. */
void audit_log_free(struct audit_log **l);

/* A short text for the record's result: the result, or "no outcome" when
 * none was recorded (the process died before the call returned, or is still
 * running).  Static string. */
const char *audit_result_text(const struct audit_record *r);

/* Append the record as text lines ("\n"-separated) for a detail view: id,
 * action, target, user, identity, intent and outcome times, result, error,
 * reference, then inputs, plan and details as indented, pretty-printed
 * JSON.  Values are sanitized here (one line per member), so the text is
 * safe to draw and no member can forge another's line. */
void audit_record_detail(const struct audit_record *r, struct buf *out);

/* The record as a new JSON object (caller puts it): id, time, user,
 * identity, action, target, reference, result (null = no outcome), error,
 * outcome_time, and the lines themselves as "intent" and "outcome". */
struct json_object *audit_record_json(const struct audit_record *r);

#endif
