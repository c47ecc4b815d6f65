#include "aws/client.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/awserr.h"
#include "aws/cli_equiv.h"
#include "aws/credentials.h"
#include "aws/endpoint.h"
#include "aws/profile.h"
#include "aws/sigv4.h"
#include "core/http.h"
#include "core/log.h"
#include "core/loop.h"

struct aws_client {
	struct loop *loop;
	struct http *http;
	struct aws_files *files;
	struct aws_profile *profile;
	char *profile_name;
	char *region;
	const char *region_source;
	struct aws_creds *creds;
	int max_attempts;
	long backoff_base, backoff_cap;
	struct call *calls;
	unsigned long next_id;
	int inflight;
	uint64_t rng;
};

/* One request through its attempts. */
struct call {
	struct aws_client *c;
	unsigned long id;
	char *op, *service, *region, *method, *body, *bucket, *key, *query;
	size_t body_len;
	struct aws_credentials explicit_creds;
	int has_explicit;
	int mutating;
	char **secrets; /* req->secrets, copied */
	int attempts;
	int refreshed; /* credentials refreshed once after ExpiredToken */
	unsigned long http_id, creds_id, timer;
	long long retry_at; /* while timer waits after a failed attempt */
	long retry_status;
	aws_done_fn fn;
	void *ud;
	struct call *next;
};

static const char *env_nonempty(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

int aws_client_new(struct aws_client **out, struct loop *l, struct http *h, const struct aws_client_options *o,
		   struct buf *err)
{
	*out = NULL;
	struct aws_client *c = xcalloc(1, sizeof *c);
	c->loop = l;
	c->http = h;
	c->next_id = 1;
	c->backoff_base = 1000;
	c->backoff_cap = 20000;
	c->rng = (uint64_t)loop_now_ms() * 2862933555777941757ULL + 3037000493ULL;
	if (aws_files_load(&c->files, o->config_file, o->credentials_file, err) < 0)
		goto fail;
	enum aws_profile_source psrc;
	c->profile_name = aws_profile_select(o->profile, &psrc);
	/* An explicitly chosen profile must exist; the implicit default need not. */
	if (aws_profile_get(&c->profile, c->files, c->profile_name, psrc != AWS_PROFILE_FROM_DEFAULT, err) < 0)
		goto fail;
	enum aws_region_source rsrc;
	c->region = aws_region_resolve(o->region, c->profile, o->fallback_region, &rsrc);
	c->region_source = aws_region_source_name(rsrc);
	if (!c->region) {
		buf_adds(err, "no AWS region: set AWS_REGION, give --region, or set region in the profile");
		goto fail;
	}
	const char *ma = env_nonempty("AWS_MAX_ATTEMPTS");
	long attempts = ma ? strtol(ma, NULL, 10) : c->profile->max_attempts;
	c->max_attempts = attempts >= 1 && attempts <= 20 ? (int)attempts : 3;
	c->creds = aws_creds_new(l, h, c->files, c->profile_name);
	aws_creds_set_client(c->creds, c);
	*out = c;
	return 0;
fail:
	aws_client_free(&c);
	return -1;
}

static void call_free(struct call *k)
{
	free(k->op);
	free(k->service);
	free(k->region);
	free(k->method);
	free(k->body);
	free(k->bucket);
	free(k->key);
	free(k->query);
	if (k->has_explicit)
		aws_credentials_free(&k->explicit_creds);
	for (char **p = k->secrets; p && *p; p++)
		free(*p);
	free(k->secrets);
	free(k);
}

static void call_unlink(struct aws_client *c, struct call *k)
{
	for (struct call **p = &c->calls; *p; p = &(*p)->next) {
		if (*p == k) {
			*p = k->next;
			c->inflight--;
			loop_busy_add(c->loop, -1);
			return;
		}
	}
}

static void call_cancel_parts(struct aws_client *c, struct call *k)
{
	if (k->http_id)
		http_cancel(c->http, k->http_id);
	if (k->creds_id)
		aws_creds_cancel(c->creds, k->creds_id);
	if (k->timer)
		loop_timer_cancel(c->loop, k->timer);
	k->http_id = k->creds_id = k->timer = 0;
}

void aws_client_free(struct aws_client **cp)
{
	if (!cp || !*cp)
		return;
	struct aws_client *c = *cp;
	while (c->calls) {
		struct call *k = c->calls;
		call_cancel_parts(c, k);
		call_unlink(c, k);
		call_free(k);
	}
	aws_creds_free(&c->creds);
	aws_profile_free(&c->profile);
	aws_files_free(&c->files);
	free(c->profile_name);
	free(c->region);
	free(c);
	*cp = NULL;
}

const char *aws_client_region(const struct aws_client *c)
{
	return c->region;
}

const char *aws_client_region_source(const struct aws_client *c)
{
	return c->region_source;
}

const char *aws_client_profile(const struct aws_client *c)
{
	return c->profile_name;
}

struct loop *aws_client_loop(const struct aws_client *c)
{
	return c->loop;
}

struct aws_creds *aws_client_creds(struct aws_client *c)
{
	return c->creds;
}

void aws_client_set_backoff(struct aws_client *c, long base_ms, long cap_ms)
{
	c->backoff_base = base_ms;
	c->backoff_cap = cap_ms;
}

int aws_inflight(const struct aws_client *c)
{
	return c->inflight;
}

/* Finish a call: its callback, then free. */
static void finish(struct call *k, long status, const char *body, size_t len, const char *error, const char *code,
		   int timed_out)
{
	struct aws_client *c = k->c;
	call_unlink(c, k);
	struct aws_resp r = {
		.status = status,
		.body = body ? body : "",
		.body_len = body ? len : 0,
		.error = error,
		.error_code = code,
		.attempts = k->attempts,
		.timed_out = timed_out,
	};
	k->fn(k->ud, &r);
	call_free(k);
}

static void fail_msg(struct call *k, const char *what, const char *detail, long status, const char *code, int timed_out)
{
	struct buf m = {0};
	buf_printf(&m, "%s in %s: %s%s", k->op, k->region, what, detail ? detail : "");
	if (k->attempts > 1)
		buf_printf(&m, " (after %d attempts)", k->attempts);
	finish(k, status, NULL, 0, buf_str(&m), code, timed_out);
	buf_free(&m);
}

static void send_attempt(struct call *k, const struct aws_credentials *cr);
static void need_credentials(struct call *k);

static void on_retry_timer(void *ud)
{
	struct call *k = ud;
	k->timer = 0;
	need_credentials(k);
}

static long backoff_ms(struct aws_client *c, int attempt)
{
	/* Standard mode: random(0, 1) * base * 2^attempt, capped. */
	long ceiling = c->backoff_base << (attempt < 16 ? attempt : 16);
	if (ceiling > c->backoff_cap || ceiling <= 0)
		ceiling = c->backoff_cap;
	c->rng ^= c->rng << 13;
	c->rng ^= c->rng >> 7;
	c->rng ^= c->rng << 17;
	return (long)(c->rng % (uint64_t)(ceiling + 1));
}

static void on_http(void *ud, const struct http_resp *r)
{
	struct call *k = ud;
	struct aws_client *c = k->c;
	k->http_id = 0;
	if (r->status >= 200 && r->status < 300) {
		finish(k, r->status, r->body, r->body_len, NULL, NULL, 0);
		return;
	}
	struct aws_error e;
	memset(&e, 0, sizeof e);
	int retry = 0;
	if (r->status == 0) {
		/* No answer: for a mutating call the outcome is unknown. */
		retry = !k->mutating;
	} else {
		aws_error_parse(&e, r->status, r->body, r->body_len);
		retry = aws_error_retryable(e.code, r->status) != AWS_RETRY_NO;
		if (e.code &&
		    (!strcmp(e.code, "ExpiredToken") || !strcmp(e.code, "ExpiredTokenException") ||
		     !strcmp(e.code, "RequestExpired")) &&
		    !k->refreshed && !k->has_explicit) {
			k->refreshed = 1;
			aws_creds_invalidate(c->creds);
			retry = 1;
		}
	}
	if (retry && k->attempts < c->max_attempts) {
		long wait = backoff_ms(c, k->attempts);
		log_msg(LOG_INFO, "aws: %s in %s: retrying in %ld ms (attempt %d failed: HTTP %ld %s)", k->op,
			k->region, wait, k->attempts, r->status, e.code ? e.code : (r->error ? r->error : ""));
		aws_error_free(&e);
		k->timer = loop_timer(c->loop, wait, on_retry_timer, k);
		k->retry_at = loop_now_ms() + wait;
		k->retry_status = r->status;
		return;
	}
	struct buf d = {0};
	if (r->status == 0)
		buf_printf(&d, "%s%s", r->timed_out ? "timed out: " : "connection failed: ", r->error ? r->error : "");
	else
		aws_error_describe(&d, r->status, r->body, r->body_len);
	char *code = e.code ? xstrdup(e.code) : NULL;
	aws_error_free(&e);
	fail_msg(k, buf_str(&d), NULL, r->status, code, r->timed_out);
	free(code);
	buf_free(&d);
}

/* How the command log and the status bar name a call: "cfn DescribeStacks". */
static void call_what(const struct call *k, char *out, size_t n)
{
	snprintf(out, n, "%s %s", !strcmp(k->service, "cloudformation") ? "cfn" : k->service, k->op);
}

static void on_creds(void *ud, const struct aws_credentials *cr, const char *error)
{
	struct call *k = ud;
	k->creds_id = 0;
	if (!cr) {
		fail_msg(k, "no credentials: ", error, 0, NULL, 0);
		return;
	}
	send_attempt(k, cr);
}

static void need_credentials(struct call *k)
{
	if (k->has_explicit)
		send_attempt(k, &k->explicit_creds);
	else
		k->creds_id = aws_creds_get(k->c->creds, on_creds, k);
}

static void send_attempt(struct call *k, const struct aws_credentials *cr)
{
	struct aws_client *c = k->c;
	struct aws_endpoint ep;
	struct buf err = {0};
	if (aws_endpoint_resolve(&ep, k->service, k->region, c->profile, &err) < 0) {
		fail_msg(k, "endpoint: ", buf_str(&err), 0, NULL, 0);
		buf_free(&err);
		return;
	}
	int s3 = !strcmp(k->service, "s3");
	struct buf path = {0}, url = {0}, host = {0}, key = {0};
	if (s3 && *k->key)
		sigv4_uri_encode(&key, k->key, strlen(k->key), 1);
	const char *bucket = s3 && *k->bucket ? k->bucket : NULL;
	if (aws_endpoint_host(&host, &ep, bucket) < 0 ||
	    aws_endpoint_path(&path, &ep, bucket, key.len ? buf_str(&key) : NULL) < 0) {
		fail_msg(k, "invalid bucket or key: ", bucket ? bucket : "(none)", 0, NULL, 0);
		buf_free(&key);
		buf_free(&host);
		buf_free(&path);
		aws_endpoint_free(&ep);
		return;
	}
	buf_free(&key);
	char date[17];
	sigv4_amz_date(time(NULL), date);
	struct buf hosth = {0}, ctype = {0};
	buf_printf(&hosth, "Host: %s", buf_str(&host));
	const char *headers[4] = {buf_str(&hosth), NULL, NULL, NULL};
	if (k->body) {
		buf_adds(&ctype, "Content-Type: application/x-www-form-urlencoded; charset=utf-8");
		headers[1] = buf_str(&ctype);
	}
	struct sigv4_request sreq = {
		.method = k->method,
		.path = buf_str(&path),
		.query = k->query,
		.headers = headers,
		.body = k->body,
		.body_len = k->body_len,
	};
	struct sigv4_creds sc = {cr->access_key_id, cr->secret_access_key, cr->session_token};
	struct sigv4_result sig;
	memset(&sig, 0, sizeof sig);
	if (sigv4_sign(&sreq, &sc, ep.region, ep.service, date, s3 ? SIGV4_S3 : 0, &sig, &err) < 0) {
		fail_msg(k, "signing: ", buf_str(&err), 0, NULL, 0);
		goto out;
	}
	buf_printf(&url, "%s://%s%s%s%s", ep.scheme, buf_str(&host), buf_str(&path), sig.query && *sig.query ? "?" : "",
		   sig.query ? sig.query : "");
	/* Exactly the headers signed, plus Authorization. */
	struct buf auth = {0};
	buf_printf(&auth, "Authorization: %s", sig.authorization);
	const char *send_headers[10];
	size_t n = 0;
	send_headers[n++] = buf_str(&hosth);
	if (k->body)
		send_headers[n++] = buf_str(&ctype);
	for (size_t i = 0; i < 4 && sig.extra_headers[i]; i++)
		send_headers[n++] = sig.extra_headers[i];
	send_headers[n++] = buf_str(&auth);
	send_headers[n] = NULL;
	/* The command log's line (aws/cli_equiv.h). */
	struct buf cmd = {0}, epurl = {0};
	if (ep.overridden) {
		buf_printf(&epurl, "%s://%s", ep.scheme, ep.host);
		if (ep.port != (!strcmp(ep.scheme, "https") ? 443 : 80))
			buf_printf(&epurl, ":%d", ep.port);
		if (strcmp(ep.base_path, "/") != 0)
			buf_adds(&epurl, ep.base_path);
	}
	struct aws_req view = {.op = k->op,
			       .service = k->service,
			       .method = k->method,
			       .body = k->body,
			       .body_len = k->body_len,
			       .bucket = k->bucket,
			       .key = k->key,
			       .query = k->query,
			       .secrets = (const char *const *)k->secrets};
	aws_cli_command(&cmd, &view, k->region, ep.overridden ? buf_str(&epurl) : NULL, c->profile_name);
	char what[64];
	call_what(k, what, sizeof what);
	/* Credentials and the NoEcho values are never logged. */
	size_t nsecrets = 0;
	while (k->secrets && k->secrets[nsecrets])
		nsecrets++;
	const char **secrets = xcalloc(nsecrets + 3, sizeof *secrets);
	size_t ns = 0;
	secrets[ns++] = cr->secret_access_key;
	if (cr->session_token)
		secrets[ns++] = cr->session_token;
	for (size_t i = 0; i < nsecrets; i++)
		secrets[ns++] = k->secrets[i];
	struct http_req hr = {
		.method = k->method,
		.url = buf_str(&url),
		.headers = send_headers,
		.body = k->body,
		.body_len = k->body_len,
		.max_attempts = 1, /* retries are ours: every attempt is signed afresh */
		/* A mutating call gets a connection of its own (core/http.h);
		 * the others share kept-alive connections. */
		.retry = k->mutating ? HTTP_RETRY_NEVER : HTTP_RETRY_IDEMPOTENT,
		.secrets = secrets,
		.what = what,
		.command = buf_str(&cmd),
	};
	k->attempts++;
	k->http_id = http_send(c->http, &hr, on_http, k);
	free(secrets);
	buf_free(&cmd);
	buf_free(&epurl);
	buf_free(&auth);
out:
	sigv4_result_free(&sig);
	aws_endpoint_free(&ep);
	buf_free(&err);
	buf_free(&path);
	buf_free(&url);
	buf_free(&host);
	buf_free(&hosth);
	buf_free(&ctype);
}

int aws_client_object_url(struct aws_client *c, struct buf *out, const char *region, const char *bucket,
			  const char *key, struct buf *err)
{
	struct aws_endpoint ep;
	if (aws_endpoint_resolve(&ep, "s3", region ? region : c->region, c->profile, err) < 0)
		return -1;
	struct buf k = {0};
	sigv4_uri_encode(&k, key, strlen(key), 1);
	int rc = aws_endpoint_url(out, &ep, bucket, buf_str(&k));
	if (rc < 0)
		buf_printf(err, "invalid bucket name %s", bucket);
	buf_free(&k);
	aws_endpoint_free(&ep);
	return rc;
}

unsigned long aws_send(struct aws_client *c, const struct aws_req *req, aws_done_fn fn, void *ud)
{
	struct call *k = xcalloc(1, sizeof *k);
	k->c = c;
	k->id = c->next_id++;
	k->fn = fn;
	k->ud = ud;
	int s3 = !strcmp(req->service, "s3");
	k->op = xstrdup(req->op ? req->op : req->service);
	k->service = xstrdup(req->service);
	k->region = xstrdup(req->region ? req->region : c->region);
	k->method = xstrdup(req->method ? req->method : s3 ? "GET" : "POST");
	if (req->body) {
		k->body = xstrndup(req->body, req->body_len);
		k->body_len = req->body_len;
	}
	k->bucket = xstrdup(req->bucket ? req->bucket : "");
	k->key = xstrdup(req->key ? req->key : "");
	k->query = xstrdup(req->query);
	k->mutating = req->mutating;
	if (req->secrets) {
		size_t n = 0;
		while (req->secrets[n])
			n++;
		k->secrets = xcalloc(n + 1, sizeof *k->secrets);
		for (size_t i = 0; i < n; i++)
			k->secrets[i] = xstrdup(req->secrets[i]);
	}
	if (req->creds) {
		aws_credentials_copy(&k->explicit_creds, req->creds);
		k->has_explicit = 1;
	}
	k->next = c->calls;
	c->calls = k;
	c->inflight++;
	loop_busy_add(c->loop, +1);
	/* Never call back from inside aws_send. */
	k->timer = loop_timer(c->loop, 0, on_retry_timer, k);
	return k->id;
}

int aws_retry_wait(const struct aws_client *c, struct http_wait *w)
{
	int have = 0;
	for (const struct call *k = c->calls; k; k = k->next) {
		if (!k->timer || k->attempts == 0) /* not the first attempt's deferral */
			continue;
		char what[64];
		call_what(k, what, sizeof what);
		have = http_wait_pick(w, have, what, k->retry_status, k->attempts + 1, c->max_attempts, k->retry_at);
	}
	return have;
}

void aws_cancel(struct aws_client *c, unsigned long id)
{
	for (struct call *k = c->calls; k; k = k->next) {
		if (k->id == id) {
			call_cancel_parts(c, k);
			call_unlink(c, k);
			call_free(k);
			return;
		}
	}
}
