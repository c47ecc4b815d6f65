#include "core/http.h"

#include <curl/curl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/shquote.h"

struct request {
	struct http *h;
	unsigned long id;
	CURL *easy;
	struct curl_slist *headers;
	char *method, *url, *body;
	size_t body_len;
	long timeout_ms;
	int max_attempts, attempts;
	enum http_retry retry;
	char **secrets;
	struct buf resp_body;
	struct buf resp_headers; /* "name: value\n" lines of the last response */
	char errbuf[CURL_ERROR_SIZE];
	http_done_fn fn;
	void *ud;
	long long started;
	unsigned long retry_timer;
	char *what;         /* http_req's, for http_retry_wait */
	long long retry_at; /* while retry_timer waits after a failed attempt */
	long retry_status;
	struct request *next;
	int in_multi;
};

struct http {
	struct loop *loop;
	CURLM *multi;
	CURLSH *share;
	unsigned long timer;
	unsigned long next_id;
	long timeout_ms;
	int max_attempts;
	long backoff_base, backoff_cap;
	struct request *reqs;
	int inflight;
	unsigned long sent;
	uint64_t rng;
	http_observe_fn observe;
	void *observe_ud;
};

/* The response being delivered: http_resp_header needs its header text. */
struct resp_ctx {
	struct http_resp pub;
	const struct request *req;
};

static int curl_ready;

static void on_socket_ready(void *ud, int fd, int revents);

static int socket_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	(void)easy;
	(void)socketp;
	struct http *h = userp;
	short ev = 0;
	if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
		ev |= POLLIN;
	if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
		ev |= POLLOUT;
	loop_watch_fd(h->loop, s, what == CURL_POLL_REMOVE ? 0 : ev, on_socket_ready, h);
	return 0;
}

static void check_done(struct http *h);

static void on_timeout(void *ud)
{
	struct http *h = ud;
	int running;
	h->timer = 0;
	curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(h);
}

static int timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	(void)multi;
	struct http *h = userp;
	if (h->timer)
		loop_timer_cancel(h->loop, h->timer);
	h->timer = timeout_ms >= 0 ? loop_timer(h->loop, timeout_ms, on_timeout, h) : 0;
	return 0;
}

static void on_socket_ready(void *ud, int fd, int revents)
{
	struct http *h = ud;
	int flags = 0, running;
	if (revents & POLLIN)
		flags |= CURL_CSELECT_IN;
	if (revents & POLLOUT)
		flags |= CURL_CSELECT_OUT;
	if (revents & (POLLERR | POLLHUP | POLLNVAL))
		flags |= CURL_CSELECT_ERR;
	curl_multi_socket_action(h->multi, fd, flags, &running);
	check_done(h);
}

struct http *http_new(struct loop *l)
{
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return NULL;
		curl_ready = 1;
	}
	struct http *h = xcalloc(1, sizeof *h);
	h->loop = l;
	h->multi = curl_multi_init();
	if (!h->multi) {
		free(h);
		return NULL;
	}
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
	curl_multi_setopt(h->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 8L);
	h->next_id = 1;
	h->timeout_ms = 30000;
	h->max_attempts = 4;
	h->backoff_base = 250;
	h->backoff_cap = 20000;
	h->rng = (uint64_t)loop_now_ms() * 6364136223846793005ULL + (uint64_t)(uintptr_t)h;
	return h;
}

static void request_free(struct request *r)
{
	if (r->easy)
		curl_easy_cleanup(r->easy);
	curl_slist_free_all(r->headers);
	free(r->method);
	free(r->url);
	free(r->what);
	free(r->body);
	if (r->secrets) {
		for (char **s = r->secrets; *s; s++)
			free(*s);
		free(r->secrets);
	}
	buf_free(&r->resp_body);
	buf_free(&r->resp_headers);
	free(r);
}

static void unlink_req(struct http *h, struct request *r)
{
	for (struct request **p = &h->reqs; *p; p = &(*p)->next) {
		if (*p == r) {
			*p = r->next;
			break;
		}
	}
	if (r->in_multi) {
		curl_multi_remove_handle(h->multi, r->easy);
		r->in_multi = 0;
	}
	if (r->retry_timer)
		loop_timer_cancel(h->loop, r->retry_timer);
	h->inflight--;
	loop_busy_add(h->loop, -1);
}

void http_free(struct http **hp)
{
	if (!hp || !*hp)
		return;
	struct http *h = *hp;
	while (h->reqs) {
		struct request *r = h->reqs;
		unlink_req(h, r);
		request_free(r);
	}
	if (h->timer)
		loop_timer_cancel(h->loop, h->timer);
	curl_multi_cleanup(h->multi);
	free(h);
	*hp = NULL;
}

void http_set_defaults(struct http *h, long timeout_ms, int max_attempts)
{
	if (timeout_ms > 0)
		h->timeout_ms = timeout_ms;
	if (max_attempts > 0)
		h->max_attempts = max_attempts;
}

void http_set_backoff(struct http *h, long base_ms, long cap_ms)
{
	h->backoff_base = base_ms;
	h->backoff_cap = cap_ms;
}

static size_t write_cb(char *p, size_t size, size_t n, void *ud)
{
	struct request *r = ud;
	buf_add(&r->resp_body, p, size * n);
	return size * n;
}

static size_t header_cb(char *p, size_t size, size_t n, void *ud)
{
	struct request *r = ud;
	size_t len = size * n;
	/* A new status line starts a new header block (redirects, 100-continue). */
	if (len >= 5 && !strncmp(p, "HTTP/", 5))
		buf_reset(&r->resp_headers);
	while (len && (p[len - 1] == '\n' || p[len - 1] == '\r'))
		len--;
	if (len) {
		buf_add(&r->resp_headers, p, len);
		buf_addc(&r->resp_headers, '\n');
	}
	return size * n;
}

static void start_attempt(struct request *r)
{
	struct http *h = r->h;
	buf_reset(&r->resp_body);
	buf_reset(&r->resp_headers);
	r->errbuf[0] = '\0';
	r->attempts++;
	h->sent++;
	curl_multi_add_handle(h->multi, r->easy);
	r->in_multi = 1;
	log_msg(LOG_DEBUG, "http: %s %s (attempt %d)", r->method, r->url, r->attempts);
}

static void on_retry_timer(void *ud)
{
	struct request *r = ud;
	r->retry_timer = 0;
	start_attempt(r);
}

void http_set_observer(struct http *h, http_observe_fn fn, void *ud)
{
	h->observe = fn;
	h->observe_ud = ud;
}

/* Append url with any user:password@ and every secret replaced by "(secret)". */
static void url_masked(struct buf *out, const char *url, char *const *secrets)
{
	struct buf u = {0};
	const char *auth = strstr(url, "://");
	auth = auth ? auth + 3 : url;
	size_t alen = strcspn(auth, "/?#");
	const char *at = memchr(auth, '@', alen);
	if (at) {
		buf_add(&u, url, (size_t)(auth - url));
		buf_adds(&u, "(secret)");
		buf_adds(&u, at);
	} else {
		buf_adds(&u, url);
	}
	for (char *const *sp = secrets; sp && *sp; sp++) {
		size_t n = strlen(*sp);
		const char *hit;
		while (n && (hit = strstr(buf_str(&u), *sp))) {
			struct buf m = {0};
			buf_add(&m, buf_str(&u), (size_t)(hit - buf_str(&u)));
			buf_adds(&m, "(secret)");
			buf_adds(&m, hit + n);
			buf_free(&u);
			u = m;
		}
	}
	buf_add(out, u.s ? u.s : "", u.len);
	buf_free(&u);
}

static void observe_sent(struct http *h, const struct request *r, const struct http_req *req)
{
	struct buf what = {0}, cmd = {0}, url = {0};
	url_masked(&url, r->url, r->secrets);
	if (!req->what) {
		const char *host = strstr(buf_str(&url), "://");
		host = host ? host + 3 : buf_str(&url);
		const char *at = memchr(host, '@', strcspn(host, "/?#"));
		if (at)
			host = at + 1;
		buf_printf(&what, "%s %.*s", r->method, (int)strcspn(host, "/?#"), host);
	}
	if (!req->command) {
		buf_adds(&cmd, "curl -sS ");
		if (!strcmp(r->method, "HEAD"))
			buf_adds(&cmd, "-I ");
		else if (strcmp(r->method, "GET") != 0)
			buf_printf(&cmd, "-X %s ", r->method);
		shquote_word(&cmd, buf_str(&url));
		int headers = req->headers && req->headers[0];
		if (headers || req->body)
			buf_printf(&cmd, "  # %s not shown",
				   headers && req->body ? "headers and body"
				   : headers            ? "headers"
							: "body");
	}
	struct http_event ev = {
		.id = r->id,
		.what = req->what ? req->what : buf_str(&what),
		.command = req->command ? req->command : buf_str(&cmd),
	};
	h->observe(h->observe_ud, &ev);
	buf_free(&what);
	buf_free(&cmd);
	buf_free(&url);
}

unsigned long http_send(struct http *h, const struct http_req *req, http_done_fn fn, void *ud)
{
	struct request *r = xcalloc(1, sizeof *r);
	r->h = h;
	r->id = h->next_id++;
	r->fn = fn;
	r->ud = ud;
	r->method = xstrdup(req->method ? req->method : "GET");
	r->url = xstrdup(req->url);
	r->what = xstrdup(req->what ? req->what : r->method);
	r->timeout_ms = req->timeout_ms > 0 ? req->timeout_ms : h->timeout_ms;
	r->max_attempts = req->max_attempts > 0 ? req->max_attempts : h->max_attempts;
	r->retry = req->retry;
	if (r->retry == HTTP_RETRY_DEFAULT)
		r->retry = (!strcmp(r->method, "GET") || !strcmp(r->method, "HEAD")) ? HTTP_RETRY_IDEMPOTENT
										     : HTTP_RETRY_UNSENT;
	if (req->secrets) {
		size_t n = 0;
		while (req->secrets[n])
			n++;
		r->secrets = xcalloc(n + 1, sizeof *r->secrets);
		for (size_t i = 0; i < n; i++) {
			r->secrets[i] = xstrdup(req->secrets[i]);
			log_add_secret(req->secrets[i]);
		}
	}
	for (const char *const *p = req->headers; p && *p; p++)
		r->headers = curl_slist_append(r->headers, *p);
	/* No "Expect: 100-continue" round trip on PUT/POST bodies. */
	r->headers = curl_slist_append(r->headers, "Expect:");

	CURL *e = r->easy = curl_easy_init();
	curl_easy_setopt(e, CURLOPT_URL, r->url);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->headers);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, r->timeout_ms);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, r->timeout_ms < 10000 ? r->timeout_ms : 10000L);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	/* Wait for a connection that may multiplex only where HTTP/2 can be
	 * had (TLS, ALPN): on plain http:// every request would queue behind
	 * the first connection's answer instead of opening its own. */
	curl_easy_setopt(e, CURLOPT_PIPEWAIT, strncmp(r->url, "https://", 8) ? 0L : 1L);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "relcon/" RELCON_VERSION);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	/* Send the path exactly as given (and as signed): no dot-segment removal. */
	curl_easy_setopt(e, CURLOPT_PATH_AS_IS, 1L);
	/* A request that must not be sent twice gets a connection of its own:
	 * on a reused keep-alive connection that turns out dead, libcurl
	 * silently sends the request again, and the server may have acted on
	 * the first one.  Nor is its connection kept for later requests. */
	if (r->retry != HTTP_RETRY_IDEMPOTENT) {
		curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
		curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
	}
	curl_easy_setopt(e, CURLOPT_PRIVATE, r);
	if (!strcmp(r->method, "HEAD")) {
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	} else if (strcmp(r->method, "GET") != 0) {
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r->method);
	}
	if (req->body) {
		r->body = xstrndup(req->body, req->body_len);
		r->body_len = req->body_len;
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
	}
	r->next = h->reqs;
	h->reqs = r;
	h->inflight++;
	loop_busy_add(h->loop, +1);
	r->started = loop_now_ms();
	/* Defer the first attempt to the loop so fn never runs inside http_send. */
	r->retry_timer = loop_timer(h->loop, 0, on_retry_timer, r);
	if (h->observe)
		observe_sent(h, r, req);
	return r->id;
}

void http_cancel(struct http *h, unsigned long id)
{
	for (struct request *r = h->reqs; r; r = r->next) {
		if (r->id == id) {
			unlink_req(h, r);
			if (h->observe) {
				struct http_event ev = {.id = r->id,
							.done = 1,
							.error = "cancelled",
							.cancelled = 1,
							.attempts = r->attempts,
							.elapsed_ms = loop_now_ms() - r->started};
				h->observe(h->observe_ud, &ev);
			}
			request_free(r);
			return;
		}
	}
}

const char *http_resp_header(const struct http_resp *resp, const char *name)
{
	const struct resp_ctx *ctx = (const struct resp_ctx *)resp;
	const char *s = buf_str(&ctx->req->resp_headers);
	size_t nl = strlen(name);
	static char value[1024];
	while (*s) {
		const char *eol = strchr(s, '\n');
		size_t len = eol ? (size_t)(eol - s) : strlen(s);
		if (len > nl && s[nl] == ':' && !strncasecmp(s, name, nl)) {
			const char *v = s + nl + 1;
			const char *end = s + len;
			while (v < end && (*v == ' ' || *v == '\t'))
				v++;
			while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
				end--;
			size_t vl = (size_t)(end - v);
			if (vl >= sizeof value)
				vl = sizeof value - 1;
			memcpy(value, v, vl);
			value[vl] = '\0';
			return value;
		}
		s += len + (eol ? 1 : 0);
	}
	return NULL;
}

static long header_long(const struct http_resp *resp, const char *name)
{
	const char *v = http_resp_header(resp, name);
	if (!v || !*v)
		return -1;
	char *end;
	long n = strtol(v, &end, 10);
	return (*end || n < 0) ? -1 : n;
}

long http_retry_after_s(const struct http_resp *resp)
{
	long best = header_long(resp, "Retry-After");
	long a = header_long(resp, "RateLimit-Reset");
	long b = header_long(resp, "RateLimit-User-Reset");
	if (resp->status == 429) {
		/* Only the exhausted window matters; unknown which, take the larger. */
		if (a > best)
			best = a;
		if (b > best)
			best = b;
	}
	return best;
}

static uint64_t rng_next(struct http *h)
{
	h->rng ^= h->rng << 13;
	h->rng ^= h->rng >> 7;
	h->rng ^= h->rng << 17;
	return h->rng;
}

/* Whether the attempt may be repeated, by policy and outcome. */
static int should_retry(const struct request *r, CURLcode cc, long status, long retry_after)
{
	if (r->attempts >= r->max_attempts || r->retry == HTTP_RETRY_NEVER)
		return 0;
	int unsent_transport = cc == CURLE_COULDNT_CONNECT || cc == CURLE_COULDNT_RESOLVE_HOST;
	if (r->retry == HTTP_RETRY_UNSENT)
		return unsent_transport || status == 429 || (status == 503 && retry_after >= 0);
	if (cc != CURLE_OK)
		return 1;
	return status == 429 || status >= 500;
}

static void finish(struct http *h, struct request *r, CURLcode cc)
{
	long status = 0;
	if (cc == CURLE_OK)
		curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
	struct resp_ctx ctx = {
		.pub = {.status = status,
			.body = buf_str(&r->resp_body),
			.body_len = r->resp_body.len,
			.error = cc == CURLE_OK ? NULL : (r->errbuf[0] ? r->errbuf : curl_easy_strerror(cc)),
			.timed_out = cc == CURLE_OPERATION_TIMEDOUT,
			.attempts = r->attempts,
			.elapsed_ms = loop_now_ms() - r->started},
		.req = r,
	};
	curl_multi_remove_handle(h->multi, r->easy);
	r->in_multi = 0;
	long retry_after = (status == 429 || status == 503) ? http_retry_after_s(&ctx.pub) : -1;
	log_msg(LOG_DEBUG, "http: done %s %s status=%ld ms=%lld%s%s", r->method, r->url, status, ctx.pub.elapsed_ms,
		ctx.pub.error ? " error=" : "", ctx.pub.error ? ctx.pub.error : "");
	if (should_retry(r, cc, status, retry_after)) {
		long wait;
		if (retry_after >= 0) {
			wait = retry_after * 1000 + (long)(rng_next(h) % 250);
		} else {
			long ceiling = h->backoff_base << (r->attempts - 1 < 16 ? r->attempts - 1 : 16);
			if (ceiling > h->backoff_cap || ceiling <= 0)
				ceiling = h->backoff_cap;
			wait = (long)(rng_next(h) % (uint64_t)(ceiling + 1)); /* full jitter */
		}
		log_msg(LOG_INFO, "http: retrying %s %s in %ld ms", r->method, r->url, wait);
		r->retry_timer = loop_timer(h->loop, wait, on_retry_timer, r);
		r->retry_at = loop_now_ms() + wait;
		r->retry_status = status;
		return;
	}
	unlink_req(h, r);
	if (h->observe) {
		struct http_event ev = {.id = r->id,
					.done = 1,
					.status = status,
					.error = ctx.pub.error,
					.timed_out = ctx.pub.timed_out,
					.attempts = r->attempts,
					.elapsed_ms = ctx.pub.elapsed_ms};
		h->observe(h->observe_ud, &ev);
	}
	r->fn(r->ud, &ctx.pub);
	request_free(r);
}

static void check_done(struct http *h)
{
	CURLMsg *m;
	int left;
	while ((m = curl_multi_info_read(h->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		struct request *r = NULL;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&r);
		if (r)
			finish(h, r, m->data.result);
	}
}

int http_inflight(const struct http *h)
{
	return h->inflight;
}

int http_wait_pick(struct http_wait *w, int have, const char *what, long status, int attempt, int max_attempts,
		   long long at_ms)
{
	if (have && w->at_ms <= at_ms)
		return 1;
	snprintf(w->what, sizeof w->what, "%s", what);
	w->status = status;
	w->attempt = attempt;
	w->max_attempts = max_attempts;
	w->at_ms = at_ms;
	return 1;
}

int http_retry_wait(const struct http *h, struct http_wait *w)
{
	int have = 0;
	for (const struct request *r = h->reqs; r; r = r->next)
		if (r->retry_timer && r->attempts > 0) /* not the first attempt's deferral */
			have = http_wait_pick(w, have, r->what, r->retry_status, r->attempts + 1, r->max_attempts,
					      r->retry_at);
	return have;
}

unsigned long http_sent_count(const struct http *h)
{
	return h->sent;
}
