/* buildkite/model.h - Buildkite REST v2 builds and jobs, parsed from JSON.
 *
 * Strings are owned by the struct (malloc'd, NUL-terminated, exactly as
 * the API sent them: never sanitized here; NULL when absent or JSON null).
 * Times are kept as the original ISO 8601 text plus seconds since the epoch
 * (0 when absent or unparseable). */
#ifndef RELCON_BUILDKITE_MODEL_H
#define RELCON_BUILDKITE_MODEL_H

#include <stddef.h>
#include <time.h>

#include "core/buf.h"

enum bk_job_type { BK_JOB_OTHER, BK_JOB_SCRIPT, BK_JOB_MANUAL, BK_JOB_WAITER, BK_JOB_TRIGGER };

struct bk_job {
	char *id;
	enum bk_job_type type;
	char *type_name; /* "script", "manual", ... as sent */
	char *name;      /* "name" for script/trigger, else "label" (manual); may be NULL */
	char *label;     /* "label" as sent (manual jobs), may be NULL */
	char *step_key;
	char *state; /* "blocked", "unblocked", "passed", ... */
	char *web_url;
	int unblockable;    /* manual jobs: 1 when it can be unblocked now */
	char *unblocked_by; /* unblocked_by.name (or .email when no name), NULL if not */
	char *unblocked_at;
	time_t unblocked_at_t;
	char *started_at;
	char *finished_at;
	time_t started_at_t, finished_at_t;
	int exit_status; /* script jobs; -1 when null/absent */
};

struct bk_build {
	char *id;
	long number;
	char *state;
	int blocked;
	char *message;
	char *commit;
	char *branch;
	char *author; /* author.name, else creator.name, else NULL */
	char *author_email;
	char *web_url;
	char *created_at;
	char *started_at;
	char *finished_at;
	time_t created_at_t, started_at_t, finished_at_t;
	struct bk_job *jobs; /* owned array */
	size_t njobs;
	/* meta_data as key/value pairs (owned), e.g. release-name */
	char **meta_keys, **meta_values;
	size_t nmeta;
};

/* Parse a JSON array of builds (the list endpoint's body).  On success
 * returns 0 and an owned array in *out (free with bk_builds_free); on a
 * malformed body returns -1 with err describing it ("not a JSON array",
 * "build 3: missing number", json-c's parse error) and *out = NULL. */
int bk_builds_parse(const char *json, size_t len, struct bk_build **out, size_t *n, struct buf *err);

/* Parse one build object (the get-build endpoint's body). 0 / -1 as above;
 * free with bk_build_free. */
int bk_build_parse(const char *json, size_t len, struct bk_build *out, struct buf *err);

/* Parse one job object (the unblock endpoint's body). 0 / -1 as above. */
int bk_job_parse(const char *json, size_t len, struct bk_job *out, struct buf *err);

/* Parse a Buildkite error body {"message": "..."}; returns malloc'd message
 * or NULL when the body is not such an object. */
char *bk_error_message(const char *json, size_t len);

/* Append one build as a JSON object in the API's own format, on one line
 * (newlines in strings are escaped), which bk_build_parse reads back to the
 * same struct (the console's cache). */
void bk_build_to_json(const struct bk_build *b, struct buf *out);

/* Which jobs to keep (1) of a build. */
typedef int (*bk_keep_job_fn)(const struct bk_job *j);
/* Free the jobs keep does not accept, keeping the others in order. */
void bk_build_keep_jobs(struct bk_build *b, bk_keep_job_fn keep);

/* Deep copy. */
void bk_build_copy(struct bk_build *dst, const struct bk_build *src);

void bk_job_free(struct bk_job *j);                   /* frees members, not j */
void bk_build_free(struct bk_build *b);               /* frees members, not b */
void bk_builds_free(struct bk_build **arr, size_t n); /* frees all, sets *arr NULL */

/* Parse ISO 8601 "2025-03-01T10:00:00.000Z" (fraction and Z optional,
 * +hh:mm offsets honoured).  Returns 0 and *t, or -1. */
int bk_parse_time(const char *s, time_t *t);

/* Link header: return malloc'd URL of rel="next", or NULL when absent. */
char *bk_link_next(const char *link_header);

#endif
