/* core/http.h - asynchronous HTTP on curl multi, driven by core/loop.
 *
 * One curl multi handle per struct http: connections are kept alive and
 * reused, HTTP/2 is negotiated where the server offers it (TLS ALPN), and
 * every request has a timeout.  Failed attempts are retried with
 * exponential backoff and full jitter:
 *   - 429 and 5xx responses, and transport errors (connect failure, reset,
 *     timeout) for requests whose retry policy allows it;
 *   - the wait honours Retry-After (seconds) or RateLimit-Reset /
 *     RateLimit-User-Reset (seconds) when the server sends them.
 * A request that is not idempotent uses HTTP_RETRY_UNSENT: it is retried
 * only when the server said it did not act (429, 503 with Retry-After) or
 * the connection could not be made, never after a timeout or a reset once
 * sent, so a lost response is never re-sent blindly. */
#ifndef RELCON_CORE_HTTP_H
#define RELCON_CORE_HTTP_H

#include <stddef.h>

struct loop;
struct http;

/* How a request may be retried.  Anything but IDEMPOTENT also gets a fresh
 * connection, never reused: libcurl silently re-sends a request whose reused
 * connection turns out dead, which a request with effects must not risk. */
enum http_retry {
	HTTP_RETRY_DEFAULT, /* IDEMPOTENT for GET/HEAD, UNSENT otherwise */
	HTTP_RETRY_IDEMPOTENT,
	HTTP_RETRY_UNSENT,
	HTTP_RETRY_NEVER,
};

struct http_req {
	const char *method; /* NULL = "GET" */
	const char *url;
	const char *const *headers; /* NULL-terminated "Name: value" list, copied */
	const char *body;           /* copied; NULL = no body */
	size_t body_len;
	long timeout_ms;  /* 0 = the http's default */
	int max_attempts; /* 0 = the http's default; 1 = no retry */
	enum http_retry retry;
	const char *const *secrets; /* NULL-terminated values never to be logged */
	/* For the observer (the command log), both borrowed and holding no
	 * secret: what the request is ("cfn DescribeStacks") and the same
	 * request as a shell command ("aws cloudformation describe-stacks ...").
	 * NULL: "METHOD host" and "curl -sS [-X METHOD] URL", never a header or
	 * the body (noted when there were any), the secrets above masked. */
	const char *what;
	const char *command;
};

struct http_resp {
	long status;      /* HTTP status, 0 when no response arrived */
	const char *body; /* NUL-terminated (body may also contain NULs) */
	size_t body_len;
	const char *error;    /* transport error text when status == 0, else NULL */
	int timed_out;        /* the last attempt hit the timeout */
	int attempts;         /* attempts made */
	long long elapsed_ms; /* from first send to completion, retries included */
};

/* Called once per request with the final outcome; resp and its strings are
 * valid only during the call. */
typedef void (*http_done_fn)(void *ud, const struct http_resp *resp);

/* Create a client on loop l.  Returns NULL if curl cannot be initialised. */
struct http *http_new(struct loop *l);
/* Cancel everything pending (callbacks are not called) and free; *h = NULL. */
void http_free(struct http **h);

/* Defaults for requests that leave them 0: timeout 30 s, 4 attempts. */
void http_set_defaults(struct http *h, long timeout_ms, int max_attempts);
/* Backoff base and cap in ms (default 250 ms, 20 s): tests shorten them. */
void http_set_backoff(struct http *h, long base_ms, long cap_ms);

/* Start a request.  Returns an id > 0 (for http_cancel).  fn is always
 * called later from the loop, never from inside http_send. */
unsigned long http_send(struct http *h, const struct http_req *req, http_done_fn fn, void *ud);
/* Cancel a pending request: its callback will not be called. */
void http_cancel(struct http *h, unsigned long id);

/* Response header lookup (case-insensitive name), for use inside the
 * callback; returns the value with surrounding spaces removed or NULL. */
const char *http_resp_header(const struct http_resp *resp, const char *name);

/* What an observer sees of each request: once when it is sent (done 0:
 * what and command set) and once when it ends (done 1: the outcome, as the
 * callback gets it, or cancelled).  Strings are valid during the call. */
struct http_event {
	unsigned long id; /* http_send's id */
	int done;
	const char *what, *command; /* done == 0 */
	long status;                /* done == 1: as struct http_resp */
	const char *error;
	int timed_out, cancelled, attempts;
	long long elapsed_ms;
};
typedef void (*http_observe_fn)(void *ud, const struct http_event *ev);
/* Call fn for every request sent and ended from now on (NULL: stop).  fn
 * must not call back into h.  Nothing is observed by http_free. */
void http_set_observer(struct http *h, http_observe_fn fn, void *ud);

/* Requests in flight (including ones waiting to retry). */
int http_inflight(const struct http *h);

/* A request waiting to be sent again after a failed attempt (a 429's
 * Retry-After, a backoff): what a screen says instead of "loading". */
struct http_wait {
	char what[64];             /* as the command log names it: "buildkite list builds" */
	long status;               /* the failed attempt's HTTP status; 0: no answer */
	int attempt, max_attempts; /* the attempt it waits to send, of how many */
	long long at_ms;           /* loop_now_ms() when it is sent */
};
/* The waiting request sent soonest: 1 and *w, or 0 when none waits. */
int http_retry_wait(const struct http *h, struct http_wait *w);
/* Keep in *w whichever of *w (when have) and the wait at at_ms comes first;
 * returns 1.  For clients with retries of their own (aws/client.c). */
int http_wait_pick(struct http_wait *w, int have, const char *what, long status, int attempt, int max_attempts,
		   long long at_ms);
/* Attempts sent since creation (retries count), for stats and tests. */
unsigned long http_sent_count(const struct http *h);

/* Seconds to wait before retrying a 429/503, from Retry-After or
 * RateLimit-Reset / RateLimit-User-Reset (the larger); -1 when none.
 * Exposed for tests. */
long http_retry_after_s(const struct http_resp *resp);

#endif
