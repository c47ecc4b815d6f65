#include "buildkite/client.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/config.h"
#include "core/http.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/shquote.h"

struct bk_client {
	struct http *http;
	struct bk_settings s;
	char *auth_header;
	struct bk_ratelimit rl;
	unsigned long requests;
	struct call *calls;
	unsigned long next_id;
};

enum call_kind { CALL_LIST, CALL_GET, CALL_UNBLOCK };

/* One logical call; a listing may span several HTTP requests (pages). */
struct call {
	struct bk_client *c;
	unsigned long id; /* our id, stable across pages */
	unsigned long http_id;
	enum call_kind kind;
	size_t limit;
	struct bk_build *builds;
	size_t n;
	char *list_url; /* the list's first page, to go deeper than MAX_PAGES */
	bk_keep_job_fn keep_job;
	int pages; /* pages followed since list_url was (re)started */
	void (*fn)(void);
	void *ud;
	struct call *next;
};

static const char *env_nonempty(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

static void trim_right_slash(char *s)
{
	size_t n = strlen(s);
	while (n && s[n - 1] == '/')
		s[--n] = '\0';
}

/* Read the token file, refusing one that others could read. */
static int read_token_file(const char *path, char **token, struct buf *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		buf_printf(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		buf_printf(err, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	if (st.st_mode & 077) {
		buf_printf(err,
			   "%s: permissions %04o are too open: the token must be readable by you alone.\n"
			   "  Run: chmod 600 %s",
			   path, (unsigned)(st.st_mode & 07777), path);
		close(fd);
		return -1;
	}
	struct buf b = {0};
	char chunk[512];
	ssize_t n;
	while ((n = read(fd, chunk, sizeof chunk)) > 0 && b.len < 8192)
		buf_add(&b, chunk, (size_t)n);
	close(fd);
	char *s = buf_steal(&b);
	/* The token is the first line, surrounding whitespace removed. */
	char *start = s + strspn(s, " \t\r\n");
	size_t len = strcspn(start, "\r\n");
	while (len && (start[len - 1] == ' ' || start[len - 1] == '\t'))
		len--;
	if (!len) {
		buf_printf(err, "%s: the file is empty", path);
		free(s);
		return -1;
	}
	*token = xstrndup(start, len);
	memset(s, 0, strlen(s));
	free(s);
	return 0;
}

int bk_settings_resolve(struct bk_settings *s, const struct config *cfg, int need_token, struct buf *err)
{
	memset(s, 0, sizeof *s);
	const char *v;
	if ((v = env_nonempty("RELCON_BUILDKITE_ENDPOINT"))) {
		s->endpoint = xstrdup(v);
		s->endpoint_source = xstrdup("RELCON_BUILDKITE_ENDPOINT");
	} else if ((v = env_nonempty("BUILDKITE_REST_API_ENDPOINT"))) {
		s->endpoint = xstrdup(v);
		s->endpoint_source = xstrdup("BUILDKITE_REST_API_ENDPOINT");
	} else {
		s->endpoint = xstrdup(cfg->bk_endpoint);
		s->endpoint_source = xstrdup(cfg->source_path ? cfg->source_path : "built-in default");
	}
	trim_right_slash(s->endpoint);
	/* Paths are built as <endpoint>/v2/...: accept an endpoint given with /v2. */
	size_t el = strlen(s->endpoint);
	if (el >= 3 && !strcmp(s->endpoint + el - 3, "/v2"))
		s->endpoint[el - 3] = '\0';
	v = env_nonempty("BUILDKITE_ORGANIZATION_SLUG");
	s->organization = xstrdup(v ? v : cfg->bk_organization);
	s->pipeline = xstrdup(cfg->bk_pipeline);

	if ((v = env_nonempty("BUILDKITE_API_TOKEN"))) {
		s->token = xstrdup(v);
		s->token_source = xstrdup("BUILDKITE_API_TOKEN");
	} else {
		char *path;
		if (cfg->bk_token_file && *cfg->bk_token_file) {
			path = config_expand_home(cfg->bk_token_file);
		} else {
			char *dir = config_dir();
			struct buf p = {0};
			buf_printf(&p, "%s/buildkite-token", dir);
			free(dir);
			path = buf_steal(&p);
		}
		int rc = read_token_file(path, &s->token, err);
		if (rc < 0) {
			free(path);
			return -1;
		}
		if (rc == 1 && need_token) {
			buf_printf(err,
				   "no Buildkite API token: set BUILDKITE_API_TOKEN, or put the token in %s "
				   "(chmod 600).\n  Create one at https://buildkite.com/user/api-access-tokens "
				   "with the read_builds scope (write_builds to unblock).",
				   path);
			free(path);
			return -1;
		}
		s->token_source = path;
	}
	if (s->token)
		log_add_secret(s->token);
	return 0;
}

void bk_settings_free(struct bk_settings *s)
{
	free(s->endpoint);
	free(s->organization);
	free(s->pipeline);
	if (s->token) {
		memset(s->token, 0, strlen(s->token));
		free(s->token);
	}
	free(s->token_source);
	free(s->endpoint_source);
	memset(s, 0, sizeof *s);
}

struct bk_client *bk_client_new(struct http *h, const struct bk_settings *s)
{
	struct bk_client *c = xcalloc(1, sizeof *c);
	c->http = h;
	c->s.endpoint = xstrdup(s->endpoint);
	c->s.organization = xstrdup(s->organization);
	c->s.pipeline = xstrdup(s->pipeline);
	c->s.token = xstrdup(s->token ? s->token : "");
	c->s.token_source = xstrdup(s->token_source);
	c->s.endpoint_source = xstrdup(s->endpoint_source);
	struct buf a = {0};
	buf_printf(&a, "Authorization: Bearer %s", c->s.token);
	c->auth_header = buf_steal(&a);
	c->rl.remaining = c->rl.limit = c->rl.reset = -1;
	c->rl.user_remaining = c->rl.user_limit = c->rl.user_reset = -1;
	c->next_id = 1;
	return c;
}

static void call_free(struct call *k)
{
	bk_builds_free(&k->builds, k->n);
	free(k->list_url);
	free(k);
}

static void call_unlink(struct bk_client *c, struct call *k)
{
	for (struct call **p = &c->calls; *p; p = &(*p)->next) {
		if (*p == k) {
			*p = k->next;
			return;
		}
	}
}

void bk_client_free(struct bk_client **cp)
{
	if (!cp || !*cp)
		return;
	struct bk_client *c = *cp;
	while (c->calls) {
		struct call *k = c->calls;
		http_cancel(c->http, k->http_id);
		call_unlink(c, k);
		call_free(k);
	}
	memset(c->auth_header, 0, strlen(c->auth_header));
	free(c->auth_header);
	bk_settings_free(&c->s);
	free(c);
	*cp = NULL;
}

static void append_param(struct buf *url, const char *key, const char *value)
{
	char *esc = curl_easy_escape(NULL, value, 0);
	buf_printf(url, "%c%s=%s", strchr(buf_str(url), '?') ? '&' : '?', key, esc ? esc : "");
	curl_free(esc);
}

static void builds_base(const struct bk_client *c, struct buf *url)
{
	char *org = curl_easy_escape(NULL, c->s.organization, 0);
	char *pipe = curl_easy_escape(NULL, c->s.pipeline, 0);
	buf_printf(url, "%s/v2/organizations/%s/pipelines/%s/builds", c->s.endpoint, org, pipe);
	curl_free(org);
	curl_free(pipe);
}

static long header_num(const struct http_resp *r, const char *name)
{
	const char *v = http_resp_header(r, name);
	if (!v)
		return -1;
	char *end;
	long n = strtol(v, &end, 10);
	return (end == v || *end) ? -1 : n;
}

static void note_ratelimit(struct bk_client *c, const struct http_resp *r)
{
	long rem = header_num(r, "RateLimit-Remaining");
	long urem = header_num(r, "RateLimit-User-Remaining");
	if (rem < 0 && urem < 0)
		return;
	c->rl.known = 1;
	c->rl.remaining = rem;
	c->rl.limit = header_num(r, "RateLimit-Limit");
	c->rl.reset = header_num(r, "RateLimit-Reset");
	c->rl.user_remaining = urem;
	c->rl.user_limit = header_num(r, "RateLimit-User-Limit");
	c->rl.user_reset = header_num(r, "RateLimit-User-Reset");
	c->rl.at_ms = loop_now_ms();
}

/* Turn a failed response into a bk_error. Returns 1 when r is a failure. */
static int response_error(const struct http_resp *r, struct bk_error *e)
{
	memset(e, 0, sizeof *e);
	if (r->status >= 200 && r->status < 300)
		return 0;
	e->status = r->status;
	e->timed_out = r->timed_out;
	struct buf m = {0};
	if (r->status == 0) {
		buf_printf(&m, "%s%s",
			   r->timed_out ? "timed out: " : "connection failed: ", r->error ? r->error : "no response");
	} else {
		char *api = bk_error_message(r->body, r->body_len);
		if (api)
			buf_printf(&m, "HTTP %ld: %s", r->status, api);
		else if (r->status == 401)
			buf_printf(&m, "HTTP 401: the Buildkite token was refused");
		else
			buf_printf(&m, "HTTP %ld", r->status);
		free(api);
	}
	if (r->attempts > 1)
		buf_printf(&m, " (after %d attempts)", r->attempts);
	e->message = buf_steal(&m);
	return 1;
}

void bk_curl_command(struct buf *out, const char *method, const char *url, const char *json_body)
{
	buf_adds(out, "curl -sS");
	if (method && strcmp(method, "GET") != 0)
		buf_printf(out, " -X %s", method);
	/* Double quotes: the shell expands the variable, the token is never here. */
	buf_adds(out, " -H \"Authorization: Bearer $BUILDKITE_API_TOKEN\"");
	if (json_body) {
		buf_adds(out, " -H 'Content-Type: application/json' -d ");
		shquote_word(out, json_body);
	}
	buf_addc(out, ' ');
	shquote_word(out, url);
}

static const char *call_what(const struct call *k)
{
	switch (k->kind) {
	case CALL_LIST:
		return "buildkite list builds";
	case CALL_GET:
		return "buildkite get build";
	default:
		return "buildkite unblock";
	}
}

static void send_get(struct call *k, const char *url, http_done_fn fn)
{
	const char *headers[] = {k->c->auth_header, "Accept: application/json", NULL};
	const char *secrets[] = {k->c->s.token, NULL};
	struct buf cmd = {0};
	bk_curl_command(&cmd, "GET", url, NULL);
	struct http_req req = {
		.url = url, .headers = headers, .secrets = secrets, .what = call_what(k), .command = buf_str(&cmd)};
	k->http_id = http_send(k->c->http, &req, fn, k);
	buf_free(&cmd);
}

static void fail_call(struct call *k, struct bk_error *e)
{
	struct bk_client *c = k->c;
	call_unlink(c, k);
	switch (k->kind) {
	case CALL_LIST:
		((bk_builds_fn)k->fn)(k->ud, e, NULL, 0);
		break;
	case CALL_GET:
		((bk_build_fn)k->fn)(k->ud, e, NULL);
		break;
	case CALL_UNBLOCK:
		((bk_job_fn)k->fn)(k->ud, e, NULL);
		break;
	}
	free(e->message);
	call_free(k);
}

static void fail_parse(struct call *k, const char *what, struct buf *err)
{
	struct bk_error e = {.status = 200};
	struct buf m = {0};
	buf_printf(&m, "malformed %s from Buildkite: %s", what, buf_str(err));
	e.message = buf_steal(&m);
	buf_free(err);
	fail_call(k, &e);
}

/* Pages Buildkite serves of one listing; deeper lists go on by creation. */
#define MAX_PAGES 50

static void on_list_page(void *ud, const struct http_resp *r)
{
	struct call *k = ud;
	struct bk_client *c = k->c;
	c->requests++;
	note_ratelimit(c, r);
	struct bk_error e;
	if (response_error(r, &e)) {
		fail_call(k, &e);
		return;
	}
	struct bk_build *page = NULL;
	size_t n = 0;
	struct buf err = {0};
	if (bk_builds_parse(r->body, r->body_len, &page, &n, &err) < 0) {
		fail_parse(k, "build list", &err);
		return;
	}
	for (size_t i = 0; k->keep_job && i < n; i++)
		bk_build_keep_jobs(&page[i], k->keep_job);
	size_t want = k->limit ? k->limit - k->n : n;
	if (n > want) {
		for (size_t i = want; i < n; i++)
			bk_build_free(&page[i]);
		n = want;
	}
	k->builds = xrealloc(k->builds, (k->n + n) * sizeof *k->builds);
	if (n)
		memcpy(k->builds + k->n, page, n * sizeof *page);
	k->n += n;
	free(page);
	char *next = bk_link_next(http_resp_header(r, "Link"));
	if (next && k->limit && k->n < k->limit && n > 0) {
		if (++k->pages < MAX_PAGES || !k->list_url || !k->builds[k->n - 1].created_at) {
			send_get(k, next, on_list_page);
		} else {
			/* Buildkite refuses pages past the 50th ("Listing builds
			 * this deep is not supported"): go on from the first page
			 * of the builds created before the oldest one so far. */
			struct buf url = {0};
			buf_adds(&url, k->list_url);
			append_param(&url, "created_to", k->builds[k->n - 1].created_at);
			k->pages = 0;
			send_get(k, buf_str(&url), on_list_page);
			buf_free(&url);
		}
		free(next);
		return;
	}
	free(next);
	call_unlink(c, k);
	struct bk_build *builds = k->builds;
	size_t count = k->n;
	k->builds = NULL;
	k->n = 0;
	((bk_builds_fn)k->fn)(k->ud, NULL, builds, count);
	call_free(k);
}

static struct call *call_new(struct bk_client *c, enum call_kind kind, void (*fn)(void), void *ud)
{
	struct call *k = xcalloc(1, sizeof *k);
	k->c = c;
	k->id = c->next_id++;
	k->kind = kind;
	k->fn = fn;
	k->ud = ud;
	k->next = c->calls;
	c->calls = k;
	return k;
}

unsigned long bk_list_builds(struct bk_client *c, const struct bk_query *q, bk_builds_fn fn, void *ud)
{
	struct call *k = call_new(c, CALL_LIST, (void (*)(void))fn, ud);
	k->limit = q->limit;
	int per_page = q->per_page;
	if (per_page <= 0)
		per_page = q->limit && q->limit < 100 ? (int)q->limit : 100;
	if (per_page > 100)
		per_page = 100;
	struct buf url = {0};
	builds_base(c, &url);
	buf_printf(&url, "?per_page=%d", per_page);
	if (q->branch && *q->branch)
		append_param(&url, "branch", q->branch);
	if (q->commit && *q->commit)
		append_param(&url, "commit", q->commit);
	if (q->state && *q->state)
		append_param(&url, "state", q->state);
	for (size_t i = 0; i < q->nstates; i++)
		append_param(&url, "state[]", q->states[i]);
	if (q->exclude_jobs)
		append_param(&url, "exclude_jobs", "true");
	k->list_url = xstrdup(buf_str(&url));
	k->keep_job = q->keep_job;
	send_get(k, buf_str(&url), on_list_page);
	buf_free(&url);
	return k->id;
}

static void on_build(void *ud, const struct http_resp *r)
{
	struct call *k = ud;
	struct bk_client *c = k->c;
	c->requests++;
	note_ratelimit(c, r);
	struct bk_error e;
	if (response_error(r, &e)) {
		fail_call(k, &e);
		return;
	}
	struct bk_build *b = xcalloc(1, sizeof *b);
	struct buf err = {0};
	if (bk_build_parse(r->body, r->body_len, b, &err) < 0) {
		free(b);
		fail_parse(k, "build", &err);
		return;
	}
	call_unlink(c, k);
	((bk_build_fn)k->fn)(k->ud, NULL, b);
	call_free(k);
}

unsigned long bk_get_build(struct bk_client *c, long number, bk_build_fn fn, void *ud)
{
	struct call *k = call_new(c, CALL_GET, (void (*)(void))fn, ud);
	struct buf url = {0};
	builds_base(c, &url);
	buf_printf(&url, "/%ld", number);
	send_get(k, buf_str(&url), on_build);
	buf_free(&url);
	return k->id;
}

static void on_unblock(void *ud, const struct http_resp *r)
{
	struct call *k = ud;
	struct bk_client *c = k->c;
	c->requests++;
	note_ratelimit(c, r);
	struct bk_error e;
	if (response_error(r, &e)) {
		fail_call(k, &e);
		return;
	}
	struct bk_job *j = xcalloc(1, sizeof *j);
	struct buf err = {0};
	if (bk_job_parse(r->body, r->body_len, j, &err) < 0) {
		free(j);
		fail_parse(k, "unblock response", &err);
		return;
	}
	call_unlink(c, k);
	((bk_job_fn)k->fn)(k->ud, NULL, j);
	call_free(k);
}

unsigned long bk_unblock(struct bk_client *c, long number, const char *job_id, const char *const *fields, bk_job_fn fn,
			 void *ud)
{
	struct call *k = call_new(c, CALL_UNBLOCK, (void (*)(void))fn, ud);
	struct buf url = {0};
	builds_base(c, &url);
	char *jid = curl_easy_escape(NULL, job_id, 0);
	buf_printf(&url, "/%ld/jobs/%s/unblock", number, jid);
	curl_free(jid);
	json_object *body = json_object_new_object();
	json_object *f = json_object_new_object();
	for (const char *const *p = fields; p && p[0] && p[1]; p += 2)
		json_object_object_add(f, p[0], json_object_new_string(p[1]));
	json_object_object_add(body, "fields", f);
	const char *text = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN);
	const char *headers[] = {c->auth_header, "Accept: application/json", "Content-Type: application/json", NULL};
	const char *secrets[] = {c->s.token, NULL};
	struct buf cmd = {0};
	bk_curl_command(&cmd, "PUT", buf_str(&url), text);
	struct http_req req = {.method = "PUT",
			       .what = call_what(k),
			       .command = buf_str(&cmd),
			       .url = buf_str(&url),
			       .headers = headers,
			       .body = text,
			       .body_len = strlen(text),
			       .retry = HTTP_RETRY_UNSENT,
			       .secrets = secrets};
	k->http_id = http_send(c->http, &req, on_unblock, k);
	buf_free(&cmd);
	json_object_put(body);
	buf_free(&url);
	return k->id;
}

void bk_cancel(struct bk_client *c, unsigned long id)
{
	for (struct call *k = c->calls; k; k = k->next) {
		if (k->id == id) {
			http_cancel(c->http, k->http_id);
			call_unlink(c, k);
			call_free(k);
			return;
		}
	}
}

const struct bk_ratelimit *bk_client_ratelimit(const struct bk_client *c)
{
	return &c->rl;
}

unsigned long bk_client_requests(const struct bk_client *c)
{
	return c->requests;
}

const struct bk_settings *bk_client_settings(const struct bk_client *c)
{
	return &c->s;
}
