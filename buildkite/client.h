/* buildkite/client.h - Buildkite REST v2 client on core/http.
 *
 * Lists builds (filters, Link-header pagination), gets one build, unblocks a
 * block step with fields, and keeps the rate-limit headers of the latest
 * response for display and for pacing refreshes. */
#ifndef RELCON_BUILDKITE_CLIENT_H
#define RELCON_BUILDKITE_CLIENT_H

#include <stddef.h>

#include "buildkite/model.h"
#include "core/buf.h"

struct http;
struct config;
struct bk_client;

/* Where to talk to and as whom; resolved by bk_settings_resolve. */
struct bk_settings {
	char *endpoint; /* e.g. "https://api.buildkite.com" (no trailing slash) */
	char *organization;
	char *pipeline;
	char *token;           /* secret: never logged, printed or put in argv */
	char *token_source;    /* "BUILDKITE_API_TOKEN" or the token file's path */
	char *endpoint_source; /* "RELCON_BUILDKITE_ENDPOINT", "BUILDKITE_REST_API_ENDPOINT" or "config" */
};

/* Resolve settings from the environment and config:
 *   endpoint: $RELCON_BUILDKITE_ENDPOINT, $BUILDKITE_REST_API_ENDPOINT, buildkite.endpoint
 *   organization: $BUILDKITE_ORGANIZATION_SLUG, buildkite.organization
 *   token: $BUILDKITE_API_TOKEN, else the token file (buildkite.token_file or
 *          $XDG_CONFIG_HOME/relcon/buildkite-token), which must not be
 *          readable or writable by group or others (as ssh refuses keys).
 * Returns 0, or -1 with a message in err saying what to do.  A missing token
 * is an error only when need_token is set.  Free with bk_settings_free. */
int bk_settings_resolve(struct bk_settings *s, const struct config *cfg, int need_token, struct buf *err);
void bk_settings_free(struct bk_settings *s);

/* Rate-limit state from the latest response's headers (-1 = not sent). */
struct bk_ratelimit {
	int known;
	long remaining, limit, reset;                /* organization-wide (RateLimit-*) */
	long user_remaining, user_limit, user_reset; /* per user (RateLimit-User-*) */
	long long at_ms;                             /* loop_now_ms() when seen */
};

/* An error from a call: HTTP status (0 = no response) and a message for
 * display (the API's "message" when it sent one, else a description). */
struct bk_error {
	long status;
	int timed_out;
	char *message;
};

struct bk_query {
	const char *branch; /* NULL = any */
	const char *commit; /* full SHA, NULL = any */
	const char *state;  /* NULL = any */
	/* more states, any of which (state[]=...; "blocked" also matches
	 * builds waiting at a block step) */
	const char *const *states;
	size_t nstates;
	size_t limit; /* stop after this many builds (0 = one page) */
	int per_page; /* 1..100; 0 = min(limit, 100) */
	int exclude_jobs;
	/* When set, each page keeps only the jobs this accepts (the others are
	 * freed as the page arrives: a long list never holds them all). */
	bk_keep_job_fn keep_job;
};

/* Callbacks own what they are given: builds must be freed with
 * bk_builds_free / bk_build_free / bk_job_free.  err is NULL on success and
 * borrowed otherwise. */
typedef void (*bk_builds_fn)(void *ud, const struct bk_error *err, struct bk_build *builds, size_t n);
typedef void (*bk_build_fn)(void *ud, const struct bk_error *err, struct bk_build *build);
typedef void (*bk_job_fn)(void *ud, const struct bk_error *err, struct bk_job *job);

/* Create a client; the settings are copied. */
struct bk_client *bk_client_new(struct http *h, const struct bk_settings *s);
void bk_client_free(struct bk_client **c);

/* List builds, newest first, following Link rel="next" until q->limit
 * builds are collected or there are no more pages.  Returns a request id. */
unsigned long bk_list_builds(struct bk_client *c, const struct bk_query *q, bk_builds_fn fn, void *ud);
/* Get one build by number. */
unsigned long bk_get_build(struct bk_client *c, long number, bk_build_fn fn, void *ud);
/* Unblock a block step: PUT .../builds/N/jobs/ID/unblock with
 * {"fields":{k:v,...}} (fields: NULL-terminated alternating keys and values,
 * may be NULL).  Never retried after it may have been sent; the caller
 * re-reads the build when the outcome is unknown (timeout). */
unsigned long bk_unblock(struct bk_client *c, long number, const char *job_id, const char *const *fields, bk_job_fn fn,
			 void *ud);
/* Cancel a pending call: its callback is not called. */
void bk_cancel(struct bk_client *c, unsigned long id);

/* Append the request as a curl command for the command log:
 *   curl -sS [-X METHOD] -H "Authorization: Bearer $BUILDKITE_API_TOKEN"
 *        [-H 'Content-Type: application/json' -d 'JSON'] 'URL'
 * The token is never in it: the shell expands $BUILDKITE_API_TOKEN.  Words
 * are quoted for a POSIX shell (core/shquote.h). */
void bk_curl_command(struct buf *out, const char *method, const char *url, const char *json_body);

/* The latest rate-limit state (borrowed, valid while c lives). */
const struct bk_ratelimit *bk_client_ratelimit(const struct bk_client *c);
/* Requests this client has completed (every page counts). */
unsigned long bk_client_requests(const struct bk_client *c);
/* The web and API base for display. */
const struct bk_settings *bk_client_settings(const struct bk_client *c);

#endif
