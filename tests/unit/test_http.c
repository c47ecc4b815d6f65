#define _GNU_SOURCE /* strcasestr */
/* core/http against a tiny scripted HTTP/1.1 server on loopback: retries
 * with backoff on 5xx and 429 (Retry-After), no blind re-send of a PUT,
 * timeouts, connection reuse, header lookup. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/http.h"
#include "core/loop.h"

struct reply {
	int status;
	const char *headers; /* extra header lines, each ending "\r\n" */
	const char *body;
	int hang; /* never answer (client must time out) */
};

static struct {
	int fd, port;
	pthread_t thread;
	struct reply replies[16];
	int nreplies, next;
	int connections, requests;
	char last_method[16];
	char last_body[256];
	pthread_mutex_t mu;
	int stop;
} srv;

static int read_request(int c)
{
	char buf[8192];
	size_t n = 0;
	buf[0] = '\0';
	char *end = NULL;
	while (!(end = strstr(buf, "\r\n\r\n"))) {
		ssize_t r = recv(c, buf + n, sizeof buf - n - 1, 0);
		if (r <= 0)
			return -1;
		n += (size_t)r;
		buf[n] = '\0';
	}
	size_t head = (size_t)(end + 4 - buf);
	long clen = 0;
	char *cl = strcasestr(buf, "\r\nContent-Length:");
	if (cl && cl < end)
		clen = strtol(cl + 17, NULL, 10);
	while ((long)(n - head) < clen) {
		ssize_t r = recv(c, buf + n, sizeof buf - n - 1, 0);
		if (r <= 0)
			return -1;
		n += (size_t)r;
		buf[n] = '\0';
	}
	pthread_mutex_lock(&srv.mu);
	sscanf(buf, "%15s", srv.last_method);
	snprintf(srv.last_body, sizeof srv.last_body, "%.*s", (int)clen, buf + head);
	srv.requests++;
	pthread_mutex_unlock(&srv.mu);
	return 0;
}

static void *serve(void *arg)
{
	(void)arg;
	for (;;) {
		int c = accept(srv.fd, NULL, NULL);
		if (c < 0 || srv.stop) {
			if (c >= 0)
				close(c);
			return NULL;
		}
		pthread_mutex_lock(&srv.mu);
		srv.connections++;
		pthread_mutex_unlock(&srv.mu);
		while (read_request(c) == 0) {
			pthread_mutex_lock(&srv.mu);
			struct reply r = srv.replies[srv.next < srv.nreplies ? srv.next : srv.nreplies - 1];
			srv.next++;
			pthread_mutex_unlock(&srv.mu);
			if (r.hang) {
				char sink[256];
				while (recv(c, sink, sizeof sink, 0) > 0)
					;
				break;
			}
			char out[2048];
			int len = snprintf(out, sizeof out,
					   "HTTP/1.1 %d X\r\nContent-Length: %zu\r\n%sConnection: keep-alive\r\n\r\n%s",
					   r.status, strlen(r.body ? r.body : ""), r.headers ? r.headers : "",
					   r.body ? r.body : "");
			if (send(c, out, (size_t)len, MSG_NOSIGNAL) < 0)
				break;
		}
		close(c);
	}
}

static void server_start(const struct reply *replies, int n)
{
	memset(&srv, 0, sizeof srv);
	pthread_mutex_init(&srv.mu, NULL);
	memcpy(srv.replies, replies, (size_t)n * sizeof *replies);
	srv.nreplies = n;
	srv.fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(srv.fd, (struct sockaddr *)&a, sizeof a), 0);
	socklen_t len = sizeof a;
	getsockname(srv.fd, (struct sockaddr *)&a, &len);
	srv.port = ntohs(a.sin_port);
	assert_int_equal(listen(srv.fd, 8), 0);
	pthread_create(&srv.thread, NULL, serve, NULL);
}

static void server_stop(void)
{
	srv.stop = 1;
	shutdown(srv.fd, SHUT_RDWR);
	close(srv.fd);
	pthread_join(srv.thread, NULL);
	pthread_mutex_destroy(&srv.mu);
}

struct result {
	int done;
	long status;
	int attempts;
	int timed_out;
	char body[256];
	char header[64];
	char error[256];
};

static void on_done(void *ud, const struct http_resp *r)
{
	struct result *res = ud;
	res->done = 1;
	res->status = r->status;
	res->attempts = r->attempts;
	res->timed_out = r->timed_out;
	snprintf(res->body, sizeof res->body, "%s", r->body);
	const char *h = http_resp_header(r, "X-Test");
	snprintf(res->header, sizeof res->header, "%s", h ? h : "");
	snprintf(res->error, sizeof res->error, "%s", r->error ? r->error : "");
}

static void run(const char *method, const char *body, long timeout_ms, int attempts, struct result *res)
{
	struct loop *l = loop_new();
	struct http *h = http_new(l);
	http_set_backoff(h, 5, 50);
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/x", srv.port);
	struct http_req req = {.method = method,
			       .url = url,
			       .body = body,
			       .body_len = body ? strlen(body) : 0,
			       .timeout_ms = timeout_ms,
			       .max_attempts = attempts};
	memset(res, 0, sizeof *res);
	http_send(h, &req, on_done, res);
	assert_int_equal(res->done, 0); /* never called from inside http_send */
	assert_true(loop_busy(l) > 0);
	while (!res->done)
		loop_run_once(l, 5000);
	assert_int_equal(loop_busy(l), 0);
	http_free(&h);
	loop_free(&l);
}

static void get_ok_with_header(void **state)
{
	(void)state;
	struct reply r[] = {{200, "X-Test:  hello \r\n", "body!", 0}};
	server_start(r, 1);
	struct result res;
	run(NULL, NULL, 5000, 3, &res);
	assert_int_equal(res.status, 200);
	assert_int_equal(res.attempts, 1);
	assert_string_equal(res.body, "body!");
	assert_string_equal(res.header, "hello");
	server_stop();
}

static void get_retries_5xx_then_succeeds(void **state)
{
	(void)state;
	struct reply r[] = {{503, NULL, "{}", 0}, {500, NULL, "{}", 0}, {200, NULL, "ok", 0}};
	server_start(r, 3);
	struct result res;
	run("GET", NULL, 5000, 4, &res);
	assert_int_equal(res.status, 200);
	assert_int_equal(res.attempts, 3);
	assert_int_equal(srv.requests, 3);
	/* All three attempts on one kept-alive connection. */
	assert_int_equal(srv.connections, 1);
	server_stop();
}

static void get_gives_up_after_max_attempts(void **state)
{
	(void)state;
	struct reply r[] = {{503, NULL, "{\"message\":\"down\"}", 0}};
	server_start(r, 1);
	struct result res;
	run("GET", NULL, 5000, 3, &res);
	assert_int_equal(res.status, 503);
	assert_int_equal(res.attempts, 3);
	assert_string_equal(res.body, "{\"message\":\"down\"}");
	server_stop();
}

static void rate_limited_429_honours_retry_after(void **state)
{
	(void)state;
	struct reply r[] = {{429, "Retry-After: 0\r\nRateLimit-Reset: 0\r\n", "{}", 0}, {200, NULL, "ok", 0}};
	server_start(r, 2);
	struct result res;
	run("GET", NULL, 5000, 4, &res);
	assert_int_equal(res.status, 200);
	assert_int_equal(res.attempts, 2);
	server_stop();
}

/* While a request waits out a Retry-After, http_retry_wait says which, why,
 * which attempt comes next and when: what the status bar shows. */
static void a_retry_wait_is_reported(void **state)
{
	(void)state;
	struct reply r[] = {{429, "Retry-After: 1\r\n", "{}", 0}, {200, NULL, "ok", 0}};
	server_start(r, 2);
	struct loop *l = loop_new();
	struct http *h = http_new(l);
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/x", srv.port);
	struct http_req req = {.url = url, .what = "buildkite list builds", .max_attempts = 4};
	struct result res;
	memset(&res, 0, sizeof res);
	struct http_wait w;
	memset(&w, 0, sizeof w);
	assert_int_equal(http_retry_wait(h, &w), 0); /* nothing sent yet */
	long long sent = loop_now_ms();
	http_send(h, &req, on_done, &res);
	/* Until the 429 is in: the first attempt is no retry. */
	int waiting = 0;
	while (!res.done && !(waiting = http_retry_wait(h, &w))) {
		assert_int_equal(http_inflight(h), 1);
		loop_run_once(l, 50);
	}
	assert_true(waiting);
	assert_string_equal(w.what, "buildkite list builds");
	assert_int_equal(w.status, 429);
	assert_int_equal(w.attempt, 2);
	assert_int_equal(w.max_attempts, 4);
	/* Retry-After: 1 and at most 250 ms of jitter after the answer. */
	assert_true(w.at_ms >= sent + 1000);
	assert_true(w.at_ms <= loop_now_ms() + 1250);
	while (!res.done)
		loop_run_once(l, 5000);
	assert_int_equal(res.status, 200);
	assert_int_equal(http_retry_wait(h, &w), 0);
	/* Of two waits, the sooner is kept. */
	assert_int_equal(http_wait_pick(&w, 0, "a", 503, 2, 3, 5000), 1);
	http_wait_pick(&w, 1, "b", 429, 3, 4, 9000);
	assert_string_equal(w.what, "a");
	http_wait_pick(&w, 1, "c", 0, 2, 4, 100);
	assert_string_equal(w.what, "c");
	assert_int_equal(w.status, 0);
	assert_int_equal(w.at_ms, 100);
	http_free(&h);
	loop_free(&l);
	server_stop();
}

static void put_is_not_resent_after_a_server_error(void **state)
{
	(void)state;
	struct reply r[] = {{500, NULL, "{}", 0}, {200, NULL, "ok", 0}};
	server_start(r, 2);
	struct result res;
	run("PUT", "{\"fields\":{}}", 5000, 4, &res);
	assert_int_equal(res.status, 500);
	assert_int_equal(res.attempts, 1);
	assert_int_equal(srv.requests, 1);
	assert_string_equal(srv.last_method, "PUT");
	assert_string_equal(srv.last_body, "{\"fields\":{}}");
	server_stop();
}

static void put_is_resent_after_429(void **state)
{
	(void)state;
	/* A 429 means the server did not act: sending again is safe. */
	struct reply r[] = {{429, "Retry-After: 0\r\n", "{}", 0}, {200, NULL, "ok", 0}};
	server_start(r, 2);
	struct result res;
	run("PUT", "{}", 5000, 4, &res);
	assert_int_equal(res.status, 200);
	assert_int_equal(res.attempts, 2);
	server_stop();
}

static void put_timeout_is_not_resent(void **state)
{
	(void)state;
	struct reply r[] = {{0, NULL, NULL, 1}, {200, NULL, "ok", 0}};
	server_start(r, 2);
	struct result res;
	run("PUT", "{}", 300, 4, &res);
	assert_int_equal(res.status, 0);
	assert_true(res.timed_out);
	assert_int_equal(res.attempts, 1);
	assert_true(strlen(res.error) > 0);
	server_stop();
}

static void connection_refused_is_reported(void **state)
{
	(void)state;
	/* Bind then close a socket: its port now refuses connections. */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	bind(fd, (struct sockaddr *)&a, sizeof a);
	socklen_t len = sizeof a;
	getsockname(fd, (struct sockaddr *)&a, &len);
	close(fd);
	srv.port = ntohs(a.sin_port);
	struct result res;
	run("GET", NULL, 2000, 2, &res);
	assert_int_equal(res.status, 0);
	assert_int_equal(res.attempts, 2);
	assert_false(res.timed_out);
	assert_true(strlen(res.error) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(get_ok_with_header),
		cmocka_unit_test(get_retries_5xx_then_succeeds),
		cmocka_unit_test(get_gives_up_after_max_attempts),
		cmocka_unit_test(rate_limited_429_honours_retry_after),
		cmocka_unit_test(a_retry_wait_is_reported),
		cmocka_unit_test(put_is_not_resent_after_a_server_error),
		cmocka_unit_test(put_is_resent_after_429),
		cmocka_unit_test(put_timeout_is_not_resent),
		cmocka_unit_test(connection_refused_is_reported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
