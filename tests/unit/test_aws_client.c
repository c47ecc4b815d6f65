/* aws/client against a tiny scripted HTTP/1.1 server on loopback
 * (AWS_ENDPOINT_URL points every service at it): what goes on the wire for
 * the Query protocol and for S3, signatures checked independently with
 * sigv4_sign from the request as the server received it, the standard
 * retry mode (5xx, throttling, AWS_MAX_ATTEMPTS), no blind re-send of a
 * mutating request, one credential refresh after ExpiredToken, missing
 * credentials, cancellation, and S3 object URLs.  No other network: instance
 * metadata is disabled and the shared files do not exist. */
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
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "aws/client.h"
#include "aws/credentials.h"
#include "aws/sigv4.h"
#include "core/buf.h"
#include "core/http.h"
#include "core/loop.h"

extern char **environ;

#define AKID            "AKIDTESTCLIENT000001"
#define SECRET          "client-secret-do-not-leak-7c1d"
#define EXPLICIT_AKID   "ASIAEXPLICIT00000001"
#define EXPLICIT_SECRET "explicit-secret-3e9a"
#define EXPLICIT_TOKEN  "explicit-session-token-55aa"
/* Container credentials handed out by the fake server: number N of them is
 * ASIACONT...N / cont-secret-N / cont-token-N. */
#define CONT_SECRET_PREFIX "cont-secret-"

#define FORM_TYPE    "application/x-www-form-urlencoded; charset=utf-8"
#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

#define THROTTLE_BODY                                                                                                  \
	"<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>"
#define VALIDATION_BODY                                                                                                \
	"<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code>"                                        \
	"<Message>Stack with id nope does not exist</Message></Error><RequestId>r-1</RequestId></ErrorResponse>"
#define EXPIRED_BODY                                                                                                   \
	"<ErrorResponse><Error><Type>Sender</Type><Code>ExpiredToken</Code>"                                           \
	"<Message>The security token included in the request is expired</Message></Error>"                             \
	"<RequestId>r-2</RequestId></ErrorResponse>"
#define OK_BODY "<DescribeImagesResponse><imagesSet/></DescribeImagesResponse>"

/* ---- The fake server ---- */

enum reply_kind {
	REPLY, /* status + body */
	HANG,  /* read the request, never answer (the client must time out) */
	DROP,  /* read the request, close the connection without a word */
	ECHO,  /* 200 with the request's body */
};

struct reply {
	enum reply_kind kind;
	int status;
	const char *body;
};

#define MAX_SEEN 8

/* One request as received. */
struct seen {
	char method[16];
	char target[1024]; /* path?query exactly as on the request line */
	char head[8192];   /* request line and headers */
	char body[4096];
	size_t body_len;
};

static struct {
	int fd, port;
	pthread_t thread;
	pthread_mutex_t mu;
	int stop;
	int conn; /* the connection being served, -1 */
	struct reply replies[8];
	int nreplies, next;
	/* what it saw: API requests (everything but /creds) and credential GETs */
	int requests, cred_gets;
	struct seen seen[MAX_SEEN];
} srv;

/* Value of header name in a request head, or "" (case-insensitive name). */
static void header_value(const char *head, const char *name, char *out, size_t cap)
{
	size_t n = strlen(name);
	out[0] = '\0';
	for (const char *p = strstr(head, "\r\n"); p; p = strstr(p + 2, "\r\n")) {
		if (strncasecmp(p + 2, name, n) == 0 && p[2 + n] == ':') {
			const char *v = p + 3 + n;
			while (*v == ' ')
				v++;
			size_t len = strcspn(v, "\r\n");
			snprintf(out, cap, "%.*s", (int)len, v);
			return;
		}
	}
}

static int has_header(const char *head, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = strstr(head, "\r\n"); p; p = strstr(p + 2, "\r\n"))
		if (strncasecmp(p + 2, name, n) == 0 && p[2 + n] == ':')
			return 1;
	return 0;
}

static void respond(int c, int status, const char *body)
{
	char out[8192];
	int len = snprintf(
		out, sizeof out,
		"HTTP/1.1 %d X\r\nContent-Type: text/xml\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s", status,
		strlen(body), body);
	send(c, out, (size_t)len, MSG_NOSIGNAL);
}

/* Read one request into s; returns 0 or -1. */
static int read_request(int c, struct seen *s)
{
	static char buf[16384];
	size_t n = 0;
	buf[0] = '\0';
	char *end;
	while (!(end = strstr(buf, "\r\n\r\n"))) {
		if (n >= sizeof buf - 1)
			return -1;
		ssize_t r = recv(c, buf + n, sizeof buf - n - 1, 0);
		if (r <= 0)
			return -1;
		n += (size_t)r;
		buf[n] = '\0';
	}
	size_t head = (size_t)(end + 4 - buf);
	memset(s, 0, sizeof *s);
	snprintf(s->head, sizeof s->head, "%.*s", (int)(head - 2), buf); /* keeps the last "\r\n" */
	char clen[32];
	header_value(s->head, "Content-Length", clen, sizeof clen);
	size_t want = (size_t)atol(clen);
	while (n - head < want) {
		if (n >= sizeof buf - 1)
			return -1;
		ssize_t r = recv(c, buf + n, sizeof buf - n - 1, 0);
		if (r <= 0)
			return -1;
		n += (size_t)r;
		buf[n] = '\0';
	}
	if (want >= sizeof s->body)
		return -1;
	memcpy(s->body, buf + head, want);
	s->body[want] = '\0';
	s->body_len = want;
	sscanf(s->head, "%15s %1023s", s->method, s->target);
	return 0;
}

static void serve_creds(int c)
{
	pthread_mutex_lock(&srv.mu);
	int n = ++srv.cred_gets;
	pthread_mutex_unlock(&srv.mu);
	char json[512];
	snprintf(json, sizeof json,
		 "{\"AccessKeyId\":\"ASIACONT%012d\",\"SecretAccessKey\":\"" CONT_SECRET_PREFIX "%d\","
		 "\"Token\":\"cont-token-%d\",\"Expiration\":\"2099-01-01T00:00:00Z\"}",
		 n, n, n);
	respond(c, 200, json);
}

static void serve_one(int c)
{
	struct seen s;
	if (read_request(c, &s) < 0)
		return;
	if (!strcmp(s.target, "/creds")) {
		serve_creds(c);
		return;
	}
	pthread_mutex_lock(&srv.mu);
	if (srv.requests < MAX_SEEN)
		srv.seen[srv.requests] = s;
	srv.requests++;
	struct reply r = {REPLY, 500, "no reply scripted"};
	if (srv.nreplies)
		r = srv.replies[srv.next < srv.nreplies ? srv.next : srv.nreplies - 1];
	srv.next++;
	pthread_mutex_unlock(&srv.mu);
	switch (r.kind) {
	case HANG: {
		char sink[256];
		while (recv(c, sink, sizeof sink, 0) > 0)
			;
		break;
	}
	case DROP:
		break;
	case ECHO:
		respond(c, 200, s.body);
		break;
	case REPLY:
		respond(c, r.status, r.body ? r.body : "");
		break;
	}
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
		srv.conn = c;
		pthread_mutex_unlock(&srv.mu);
		serve_one(c);
		pthread_mutex_lock(&srv.mu);
		srv.conn = -1;
		pthread_mutex_unlock(&srv.mu);
		close(c);
	}
}

static void server_start(void)
{
	memset(&srv, 0, sizeof srv);
	srv.conn = -1;
	pthread_mutex_init(&srv.mu, NULL);
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
	pthread_mutex_lock(&srv.mu);
	srv.stop = 1;
	if (srv.conn >= 0)
		shutdown(srv.conn, SHUT_RDWR); /* a hanging reply ends */
	pthread_mutex_unlock(&srv.mu);
	shutdown(srv.fd, SHUT_RDWR);
	close(srv.fd);
	pthread_join(srv.thread, NULL);
	pthread_mutex_destroy(&srv.mu);
}

static void script(const struct reply *r, int n)
{
	pthread_mutex_lock(&srv.mu);
	memcpy(srv.replies, r, (size_t)n * sizeof *r);
	srv.nreplies = n;
	srv.next = 0;
	pthread_mutex_unlock(&srv.mu);
}

static int srv_requests(void)
{
	pthread_mutex_lock(&srv.mu);
	int v = srv.requests;
	pthread_mutex_unlock(&srv.mu);
	return v;
}

static int srv_cred_gets(void)
{
	pthread_mutex_lock(&srv.mu);
	int v = srv.cred_gets;
	pthread_mutex_unlock(&srv.mu);
	return v;
}

static struct seen *seen(int i)
{
	assert_true(i < MAX_SEEN);
	return &srv.seen[i];
}

/* ---- Fixture: environment, loop, http, client ---- */

struct fx {
	struct loop *l;
	struct http *h;
	struct aws_client *c;
	char endpoint[64];
	char host[64]; /* "127.0.0.1:PORT" */
};

static void clear_aws_env(void)
{
	char *names[256];
	size_t n = 0;
	for (char **e = environ; *e && n < 256; e++)
		if (!strncmp(*e, "AWS_", 4))
			names[n++] = strndup(*e, strcspn(*e, "="));
	for (size_t i = 0; i < n; i++) {
		unsetenv(names[i]);
		free(names[i]);
	}
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	server_start();
	clear_aws_env();
	snprintf(f->endpoint, sizeof f->endpoint, "http://127.0.0.1:%d", srv.port);
	snprintf(f->host, sizeof f->host, "127.0.0.1:%d", srv.port);
	setenv("AWS_ENDPOINT_URL", f->endpoint, 1);
	setenv("AWS_ACCESS_KEY_ID", AKID, 1);
	setenv("AWS_SECRET_ACCESS_KEY", SECRET, 1);
	setenv("AWS_REGION", "us-east-2", 1);
	setenv("AWS_CONFIG_FILE", "/nonexistent/relcon-test-aws-client/config", 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/relcon-test-aws-client/credentials", 1);
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	f->l = loop_new();
	f->h = http_new(f->l);
	/* A safety net only: tests that need a timeout set their own. */
	http_set_defaults(f->h, 10000, 1);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	aws_client_free(&f->c);
	http_free(&f->h);
	loop_free(&f->l);
	server_stop();
	clear_aws_env();
	free(f);
	return 0;
}

/* Make the client once the environment is as the test wants it. */
static void open_client(struct fx *f)
{
	struct aws_client_options o = {0};
	struct buf err = {0};
	assert_int_equal(aws_client_new(&f->c, f->l, f->h, &o, &err), 0);
	assert_string_equal(buf_str(&err), "");
	buf_free(&err);
	aws_client_set_backoff(f->c, 1, 5);
	assert_string_equal(aws_client_region(f->c), "us-east-2");
}

struct res {
	int calls;
	long status;
	int attempts, timed_out;
	char body[4096];
	size_t body_len;
	int has_error, has_code;
	char error[2048];
	char code[128];
};

static void on_done(void *ud, const struct aws_resp *r)
{
	struct res *res = ud;
	res->calls++;
	res->status = r->status;
	res->attempts = r->attempts;
	res->timed_out = r->timed_out;
	snprintf(res->body, sizeof res->body, "%s", r->body ? r->body : "(null)");
	res->body_len = r->body_len;
	res->has_error = r->error != NULL;
	snprintf(res->error, sizeof res->error, "%s", r->error ? r->error : "");
	res->has_code = r->error_code != NULL;
	snprintf(res->code, sizeof res->code, "%s", r->error_code ? r->error_code : "");
}

/* aws_send, checking the callback did not run inside it. */
static unsigned long send_req(struct fx *f, const struct aws_req *req, struct res *res)
{
	memset(res, 0, sizeof *res);
	unsigned long id = aws_send(f->c, req, on_done, res);
	assert_true(id > 0);
	assert_int_equal(res->calls, 0);
	assert_true(aws_inflight(f->c) > 0);
	assert_true(loop_busy(f->l));
	return id;
}

/* Run the loop until the callback ran (bounded, so a bug fails instead of
 * hanging the suite). */
static void wait_done(struct fx *f, struct res *res)
{
	for (int i = 0; i < 300 && !res->calls; i++)
		loop_run_once(f->l, 100);
	assert_int_equal(res->calls, 1);
}

/* Run the loop until the server has seen n API requests (bounded). */
static void wait_requests(struct fx *f, int n)
{
	for (int i = 0; i < 300 && srv_requests() < n; i++)
		loop_run_once(f->l, 20);
	assert_true(srv_requests() >= n);
}

/* A few idle turns of the loop, to let anything wrongly pending happen. */
static void spin(struct fx *f)
{
	for (int i = 0; i < 10; i++)
		loop_run_once(f->l, 20);
}

static void assert_no_secret(const char *s)
{
	assert_null(strstr(s, SECRET));
	assert_null(strstr(s, EXPLICIT_SECRET));
	assert_null(strstr(s, CONT_SECRET_PREFIX));
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("\"%s\" does not contain \"%s\"", hay, needle);
}

/* Recompute the signature of a received request with sigv4_sign, from its
 * method, path, query, the headers its SignedHeaders names and its body,
 * and compare it with the one sent.  Checks the credential scope too. */
static void verify_signature(const struct seen *s, const char *akid, const char *secret, const char *token,
			     const char *region, const char *service, unsigned flags)
{
	char auth[1024], amz_date[64];
	header_value(s->head, "Authorization", auth, sizeof auth);
	header_value(s->head, "X-Amz-Date", amz_date, sizeof amz_date);
	assert_int_equal(strlen(amz_date), 16);

	char scope[256];
	snprintf(scope, sizeof scope, "AWS4-HMAC-SHA256 Credential=%s/%.8s/%s/%s/aws4_request, SignedHeaders=", akid,
		 amz_date, region, service);
	if (strncmp(auth, scope, strlen(scope)) != 0)
		fail_msg("Authorization \"%s\" does not start with \"%s\"", auth, scope);
	const char *sh = auth + strlen(scope);
	const char *comma = strstr(sh, ", Signature=");
	assert_non_null(comma);
	char signed_headers[512];
	snprintf(signed_headers, sizeof signed_headers, "%.*s", (int)(comma - sh), sh);
	const char *sent_sig = comma + strlen(", Signature=");
	assert_int_equal(strlen(sent_sig), 64);

	/* The signed headers, with the values received. */
	char lines[16][600];
	const char *headers[17];
	size_t nh = 0;
	for (char *save = NULL, *name = strtok_r(signed_headers, ";", &save); name && nh < 16;
	     name = strtok_r(NULL, ";", &save)) {
		char v[512];
		assert_true(has_header(s->head, name));
		header_value(s->head, name, v, sizeof v);
		snprintf(lines[nh], sizeof lines[nh], "%s: %s", name, v);
		headers[nh] = lines[nh];
		nh++;
	}
	headers[nh] = NULL;

	char path[1024];
	snprintf(path, sizeof path, "%s", s->target);
	char *q = strchr(path, '?');
	const char *query = NULL;
	if (q) {
		*q = '\0';
		query = q + 1;
	}
	struct sigv4_request req = {
		.method = s->method,
		.path = path,
		.query = query,
		.headers = headers,
		.body = s->body,
		.body_len = s->body_len,
	};
	struct sigv4_creds c = {akid, secret, token};
	struct sigv4_result r;
	memset(&r, 0, sizeof r);
	struct buf err = {0};
	int rc = sigv4_sign(&req, &c, region, service, amz_date, flags, &r, &err);
	if (rc != 0)
		fail_msg("sigv4_sign: %s", buf_str(&err));
	buf_free(&err);
	assert_string_equal(r.signature, sent_sig);
	assert_string_equal(r.authorization, auth);
	/* Everything the signer adds was on the wire already, with its value. */
	assert_null(r.extra_headers[0]);
	/* The query was sent in canonical form. */
	assert_string_equal(r.query, query ? query : "");
	sigv4_result_free(&r);
}

static void check_amz_date(const struct seen *s)
{
	char d[64];
	header_value(s->head, "X-Amz-Date", d, sizeof d);
	assert_int_equal(strlen(d), 16);
	for (int i = 0; i < 16; i++) {
		if (i == 8)
			assert_int_equal(d[i], 'T');
		else if (i == 15)
			assert_int_equal(d[i], 'Z');
		else
			assert_true(d[i] >= '0' && d[i] <= '9');
	}
}

static const char describe_images_body[] =
	"Action=DescribeImages&Version=2016-11-15&Owner.1=self&Filter.1.Name=name&Filter.1.Value.1=relcon-%2A";

static struct aws_req ec2_req(void)
{
	struct aws_req r = {
		.op = "DescribeImages",
		.service = "ec2",
		.body = describe_images_body,
		.body_len = sizeof describe_images_body - 1,
	};
	return r;
}

/* ---- Query protocol ---- */

static void query_post_is_signed_and_sent(void **state)
{
	struct fx *f = *state;
	struct reply rs[] = {{REPLY, 200, OK_BODY}};
	script(rs, 1);
	open_client(f);
	struct aws_req req = ec2_req();
	struct res res;
	send_req(f, &req, &res);
	wait_done(f, &res);

	assert_int_equal(res.status, 200);
	assert_int_equal(res.attempts, 1);
	assert_false(res.timed_out);
	assert_false(res.has_error);
	assert_false(res.has_code);
	assert_string_equal(res.body, OK_BODY);
	assert_int_equal(res.body_len, strlen(OK_BODY));
	assert_int_equal(aws_inflight(f->c), 0);
	assert_false(loop_busy(f->l));

	assert_int_equal(srv_requests(), 1);
	const struct seen *s = seen(0);
	assert_string_equal(s->method, "POST");
	assert_string_equal(s->target, "/");
	char v[1024];
	header_value(s->head, "Content-Type", v, sizeof v);
	assert_string_equal(v, FORM_TYPE);
	assert_string_equal(s->body, describe_images_body);
	assert_int_equal(s->body_len, strlen(describe_images_body));
	header_value(s->head, "Host", v, sizeof v);
	assert_string_equal(v, f->host);
	check_amz_date(s);
	char date[64], want[256];
	header_value(s->head, "X-Amz-Date", date, sizeof date);
	header_value(s->head, "Authorization", v, sizeof v);
	snprintf(want, sizeof want,
		 "AWS4-HMAC-SHA256 Credential=" AKID "/%.8s/us-east-2/ec2/aws4_request, "
		 "SignedHeaders=content-type;host;x-amz-date, Signature=",
		 date);
	assert_int_equal(strncmp(v, want, strlen(want)), 0);
	/* Long-term keys: no token; not S3: no payload hash header. */
	assert_false(has_header(s->head, "X-Amz-Security-Token"));
	assert_false(has_header(s->head, "X-Amz-Content-SHA256"));
	/* The secret never travels. */
	assert_no_secret(s->head);
	verify_signature(s, AKID, SECRET, NULL, "us-east-2", "ec2", 0);
}

static void explicit_credentials_and_region_are_used(void **state)
{
	struct fx *f = *state;
	/* No keys in the environment: only the request's own credentials can sign. */
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	struct reply rs[] = {{REPLY, 200, "<AssumeRoleResponse/>"}};
	script(rs, 1);
	open_client(f);
	struct aws_credentials cr = {
		.access_key_id = (char *)EXPLICIT_AKID,
		.secret_access_key = (char *)EXPLICIT_SECRET,
		.session_token = (char *)EXPLICIT_TOKEN,
		.source = (char *)"test",
	};
	static const char body[] = "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr";
	struct aws_req req = {
		.op = "AssumeRole",
		.service = "sts",
		.region = "eu-west-1",
		.body = body,
		.body_len = sizeof body - 1,
		.creds = &cr,
	};
	struct res res;
	send_req(f, &req, &res);
	wait_done(f, &res);
	assert_int_equal(res.status, 200);
	assert_false(res.has_error);
	assert_int_equal(srv_requests(), 1);
	const struct seen *s = seen(0);
	char v[256];
	header_value(s->head, "X-Amz-Security-Token", v, sizeof v);
	assert_string_equal(v, EXPLICIT_TOKEN);
	header_value(s->head, "Authorization", v, sizeof v);
	assert_contains(v, "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token,");
	assert_no_secret(s->head);
	verify_signature(s, EXPLICIT_AKID, EXPLICIT_SECRET, EXPLICIT_TOKEN, "eu-west-1", "sts", 0);
}

/* ---- S3 ---- */

static void s3_get_path_style_encoded_key_and_canonical_query(void **state)
{
	struct fx *f = *state;
	struct reply rs[] = {{REPLY, 200, "<ListBucketResult/>"}};
	script(rs, 1);
	open_client(f);
	struct aws_req req = {
		.op = "ListObjectsV2",
		.service = "s3",
		.bucket = "my-bucket",
		.key = "dir/k ey \xc3\xbc\xe2\x82\xac.txt",
		.query = "list-type=2&prefix=a/b&delimiter=/",
	};
	struct res res;
	send_req(f, &req, &res);
	wait_done(f, &res);
	assert_int_equal(res.status, 200);
	assert_false(res.has_error);
	assert_string_equal(res.body, "<ListBucketResult/>");

	assert_int_equal(srv_requests(), 1);
	const struct seen *s = seen(0);
	assert_string_equal(s->method, "GET");
	assert_string_equal(s->target,
			    "/my-bucket/dir/k%20ey%20%C3%BC%E2%82%AC.txt?delimiter=%2F&list-type=2&prefix=a%2Fb");
	assert_int_equal(s->body_len, 0);
	char v[1024];
	header_value(s->head, "Host", v, sizeof v);
	assert_string_equal(v, f->host); /* path-style: no bucket in the host */
	header_value(s->head, "X-Amz-Content-SHA256", v, sizeof v);
	assert_string_equal(v, EMPTY_SHA256);
	assert_false(has_header(s->head, "Content-Type"));
	check_amz_date(s);
	header_value(s->head, "Authorization", v, sizeof v);
	assert_contains(v, "/us-east-2/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date,");
	assert_no_secret(s->head);
	verify_signature(s, AKID, SECRET, NULL, "us-east-2", "s3", SIGV4_S3);
}

static void s3_head_404_is_not_retried(void **state)
{
	struct fx *f = *state;
	struct reply rs[] = {{REPLY, 404, ""}, {REPLY, 200, ""}};
	script(rs, 2);
	open_client(f);
	struct aws_req req = {.op = "HeadObject", .service = "s3", .method = "HEAD", .bucket = "b1", .key = "k"};
	struct res res;
	send_req(f, &req, &res);
	wait_done(f, &res);
	assert_int_equal(res.status, 404);
	assert_int_equal(res.attempts, 1);
	assert_true(res.has_error);
	assert_false(res.has_code);
	assert_contains(res.error, "HeadObject in us-east-2: ");
	assert_contains(res.error, "HTTP 404");
	assert_int_equal(srv_requests(), 1);
	assert_string_equal(seen(0)->method, "HEAD");
	assert_string_equal(seen(0)->target, "/b1/k");
	verify_signature(seen(0), AKID, SECRET, NULL, "us-east-2", "s3", SIGV4_S3);
}

/* ---- Retries ---- */

static void retries_503_then_succeeds_each_attempt_signed(void **state)
{
	struct fx *f = *state;
	struct reply rs[] = {{REPLY, 503, "Service Unavailable"}, {REPLY, 200, OK_BODY}};
	script(rs, 2);
	open_client(f);
	struct aws_req req = ec2_req();
	struct res res;
	send_req(f, &req, &res);
	wait_done(f, &res);
	assert_int_equal(res.status, 200);
	assert_int_equal(res.attempts, 2);
	assert_false(res.has_error);
	assert_string_equal(res.body, OK_BODY);
	assert_int_equal(srv_requests(), 2);
	for (int i = 0; i < 2; i++) {
		assert_string_equal(seen(i)->body, describe_images_body);
		verify_signature(seen(i), AKID, SECRET, NULL, "us-east-2", "ec2", 0);
	}
}

/* While a call waits out its backoff, aws_retry_wait says which call, why,
 * which attempt comes next and when (the status bar's countdown). */
static void a_retry_wait_is_reported(void **state)
{
	struct fx *f = *state;
	struct reply rs[] = {{REPLY, 503, "Service Unavailable"}, {REPLY, 200, OK_BODY}};
	script(rs, 2);
	open_client(f);
	aws_client_set_backoff(f->c, 100000, 100000); /* long enough to look at */
	struct http_wait w;
	assert_int_equal(aws_retry_wait(f->c, &w), 0);
	struct aws_req req = ec2_req();
	struct res res;
	unsigned long id = send_req(f, &req, &res);
	int waiting = 0;
	for (int i = 0; i < 300 && !res.calls && !(waiting = aws_retry_wait(f->c, &w)); i++)
		loop_run_once(f->l, 20);
	assert_true(waiting);
	assert_string_equal(w.what, "ec2 DescribeImages");
	assert_int_equal(w.status, 503);
	assert_int_equal(w.attempt, 2);
	assert_int_equal(w.max_attempts, 3);
	assert_true(w.at_ms >= loop_now_ms());
	assert_int_equal(srv_requests(), 1);
	aws_cancel(f->c, id);
	assert_int_equal(aws_retry_wait(f->c, &w), 0);
	assert_int_equal(res.calls, 0);
}

static void throttling_error_is_retried(void **state)
{
	struct fx *f = *state;
	struct reply rs[] = {{REPLY, 400, THROTTLE_BODY}, {REPLY, 200, OK_BODY}};
	script(rs, 2);
	open_client(f);
	struct aws_req req = ec2_req();
	struct res res;
	send_req(f, &req, &res);
	wait_done(f, &res);
	assert_int_equal(res.status, 200);
	assert_int_equal(res.attempts, 2);
	assert_false(res.has_error);
	assert_int_equal(srv_requests(), 2);
	verify_signature(seen(1), AKID, SECRET, NULL, "us-east-2", "ec2", 0);
}

static void validation_error_is_not_retried(void **state)
{
	struct fx *f = *state;
	struct reply rs[] = {{REPLY, 400, VALIDATION_BODY}, {REPLY, 200, OK_BODY}};
	script(rs, 2);
	open_client(f);
	static const char body[] = "Action=DescribeStacks&Version=2010-05-15&StackName=nope";
	struct aws_req req = {
		.op = "DescribeStacks",
		.service = "cloudformation",
		.body = body,
		.body_len = sizeof body - 1,
	};
	struct res res;
	send_req(f, &req, &res);
	wait_done(f, &res);
	assert_int_equal(res.status, 400);
	assert_int_equal(res.attempts, 1);
	assert_false(res.timed_out);
	assert_true(res.has_code);
	assert_string_equal(res.code, "ValidationError");
	assert_true(res.has_error);
	assert_contains(res.error, "DescribeStacks");
	assert_contains(res.error, "us-east-2");
	assert_contains(res.error, "ValidationError");
	assert_contains(res.error, "Stack with id nope does not exist");
	assert_contains(res.error, "(HTTP 400)");
	assert_null(strstr(res.error, "after"));
	assert_no_secret(res.error);
	assert_int_equal(srv_requests(), 1);
	verify_signature(seen(0), AKID, SECRET, NULL, "us-east-2", "cloudformation", 0);
}

static void max_attempts_from_environment(void **state)
{
	struct fx *f = *state;
	setenv("AWS_MAX_ATTEMPTS", "2", 1);
	struct reply rs[] = {{REPLY, 503, "down"}, {REPLY, 503, "down"}, {REPLY, 503, "down"}};
	script(rs, 3);
	open_client(f);
	struct aws_req req = ec2_req();
	struct res res;
	send_req(f, &req, &res);
	wait_done(f, &res);
	assert_int_equal(res.status, 503);
	assert_int_equal(res.attempts, 2);
	assert_true(res.has_error);
	assert_contains(res.error, "DescribeImages in us-east-2: ");
	assert_contains(res.error, "HTTP 503");
	assert_contains(res.error, "(after 2 attempts)");
	assert_no_secret(res.error);
	assert_int_equal(srv_requests(), 2);
}

static void default_max_attempts_is_three(void **state)
{
	struct fx *f = *state;
	struct reply rs[] = {{REPLY, 500, "oops"}};
	script(rs, 1);
	open_client(f);
	struct aws_req req = ec2_req();
	struct res res;
	send_req(f, &req, &res);
	wait_done(f, &res);
	assert_int_equal(res.status, 500);
	assert_int_equal(res.attempts, 3);
	assert_contains(res.error, "(after 3 attempts)");
	assert_int_equal(srv_requests(), 3);
}

/* ---- Mutating requests: no blind re-send ---- */

static void mutating_timeout_is_not_resent(void **state)
{
	struct fx *f = *state;
	http_set_defaults(f->h, 300, 1);
	struct reply rs[] = {{HANG, 0, NULL}, {REPLY, 200, OK_BODY}};
	script(rs, 2);
	open_client(f);
	static const char body[] = "Action=CreateStack&Version=2010-05-15&StackName=s1";
	struct aws_req req = {
		.op = "CreateStack",
		.service = "cloudformation",
		.body = body,
		.body_len = sizeof body - 1,
		.mutating = 1,
	};
	struct res res;
	send_req(f, &req, &res);
	wait_done(f, &res);
	assert_int_equal(res.status, 0);
	assert_true(res.timed_out);
	assert_int_equal(res.attempts, 1);
	assert_true(res.has_error);
	assert_false(res.has_code);
	assert_contains(res.error, "CreateStack in us-east-2: ");
	assert_contains(res.error, "timed out");
	assert_no_secret(res.error);
	assert_int_equal(aws_inflight(f->c), 0);
	assert_false(loop_busy(f->l));
	wait_requests(f, 1);
	spin(f);
	assert_int_equal(srv_requests(), 1);
}

static void mutating_dropped_connection_is_not_resent(void **state)
{
	struct fx *f = *state;
	struct reply rs[] = {{DROP, 0, NULL}, {REPLY, 200, OK_BODY}};
	script(rs, 2);
	open_client(f);
	static const char body[] = "Action=RunInstances&Version=2016-11-15&MinCount=1&MaxCount=1";
	struct aws_req req = {
		.op = "RunInstances",
		.service = "ec2",
		.body = body,
		.body_len = sizeof body - 1,
		.mutating = 1,
	};
	struct res res;
	send_req(f, &req, &res);
	wait_done(f, &res);
	assert_int_equal(res.status, 0);
	assert_false(res.timed_out);
	assert_int_equal(res.attempts, 1);
	assert_contains(res.error, "RunInstances in us-east-2: ");
	assert_contains(res.error, "connection failed");
	spin(f);
	assert_int_equal(srv_requests(), 1);
}

static void mutating_request_is_retried_after_a_5xx(void **state)
{
	struct fx *f = *state;
	/* The server answered: the request may be sent again. */
	struct reply rs[] = {{REPLY, 503, "busy"}, {REPLY, 200, OK_BODY}};
	script(rs, 2);
	open_client(f);
	struct aws_req req = ec2_req();
	req.mutating = 1;
	struct res res;
	send_req(f, &req, &res);
	wait_done(f, &res);
	assert_int_equal(res.status, 200);
	assert_int_equal(res.attempts, 2);
	assert_int_equal(srv_requests(), 2);
}

static void read_only_timeout_and_drop_are_retried(void **state)
{
	struct fx *f = *state;
	http_set_defaults(f->h, 300, 1);
	struct reply rs[] = {{HANG, 0, NULL}, {DROP, 0, NULL}, {REPLY, 200, OK_BODY}};
	script(rs, 3);
	open_client(f);
	struct aws_req req = ec2_req();
	struct res res;
	send_req(f, &req, &res);
	wait_done(f, &res);
	assert_int_equal(res.status, 200);
	assert_int_equal(res.attempts, 3);
	assert_false(res.has_error);
	assert_int_equal(srv_requests(), 3);
}

/* ---- ExpiredToken ---- */

/* Container credentials from the fake server: each fetch hands out new keys. */
static void use_container_credentials(struct fx *f)
{
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	char url[128];
	snprintf(url, sizeof url, "%s/creds", f->endpoint);
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
}

static void expired_token_refreshes_credentials_once(void **state)
{
	struct fx *f = *state;
	use_container_credentials(f);
	struct reply rs[] = {{REPLY, 400, EXPIRED_BODY}, {REPLY, 200, OK_BODY}};
	script(rs, 2);
	open_client(f);
	struct aws_req req = ec2_req();
	struct res res;
	send_req(f, &req, &res);
	wait_done(f, &res);
	assert_int_equal(res.status, 200);
	assert_int_equal(res.attempts, 2);
	assert_false(res.has_error);
	assert_string_equal(res.body, OK_BODY);
	assert_int_equal(srv_requests(), 2);
	/* The cached credentials were dropped and fetched again... */
	assert_int_equal(srv_cred_gets(), 2);
	/* ... and each attempt was signed with the credentials of its moment. */
	char tok[128];
	header_value(seen(0)->head, "X-Amz-Security-Token", tok, sizeof tok);
	assert_string_equal(tok, "cont-token-1");
	header_value(seen(1)->head, "X-Amz-Security-Token", tok, sizeof tok);
	assert_string_equal(tok, "cont-token-2");
	verify_signature(seen(0), "ASIACONT000000000001", CONT_SECRET_PREFIX "1", "cont-token-1", "us-east-2", "ec2",
			 0);
	verify_signature(seen(1), "ASIACONT000000000002", CONT_SECRET_PREFIX "2", "cont-token-2", "us-east-2", "ec2",
			 0);
	for (int i = 0; i < 2; i++)
		assert_no_secret(seen(i)->head);

	/* The fresh credentials are cached: the next request needs no fetch. */
	struct reply ok[] = {{REPLY, 200, OK_BODY}};
	script(ok, 1);
	send_req(f, &req, &res);
	wait_done(f, &res);
	assert_int_equal(res.status, 200);
	assert_int_equal(res.attempts, 1);
	assert_int_equal(srv_cred_gets(), 2);
}

static void expired_token_twice_gives_up(void **state)
{
	struct fx *f = *state;
	use_container_credentials(f);
	struct reply rs[] = {{REPLY, 400, EXPIRED_BODY}, {REPLY, 400, EXPIRED_BODY}, {REPLY, 200, OK_BODY}};
	script(rs, 3);
	open_client(f);
	struct aws_req req = ec2_req();
	struct res res;
	send_req(f, &req, &res);
	wait_done(f, &res);
	assert_int_equal(res.status, 400);
	assert_int_equal(res.attempts, 2);
	assert_string_equal(res.code, "ExpiredToken");
	assert_contains(res.error, "ExpiredToken");
	assert_contains(res.error, "(HTTP 400)");
	assert_no_secret(res.error);
	assert_int_equal(srv_requests(), 2);
	assert_int_equal(srv_cred_gets(), 2);
}

static void expired_token_with_explicit_credentials_is_not_retried(void **state)
{
	struct fx *f = *state;
	struct reply rs[] = {{REPLY, 400, EXPIRED_BODY}, {REPLY, 200, OK_BODY}};
	script(rs, 2);
	open_client(f);
	struct aws_credentials cr = {
		.access_key_id = (char *)EXPLICIT_AKID,
		.secret_access_key = (char *)EXPLICIT_SECRET,
		.session_token = (char *)EXPLICIT_TOKEN,
	};
	struct aws_req req = ec2_req();
	req.creds = &cr;
	struct res res;
	send_req(f, &req, &res);
	wait_done(f, &res);
	assert_int_equal(res.status, 400);
	assert_int_equal(res.attempts, 1);
	assert_string_equal(res.code, "ExpiredToken");
	assert_no_secret(res.error);
	assert_int_equal(srv_requests(), 1);
}

/* ---- Credentials missing ---- */

static void no_credentials_sends_nothing(void **state)
{
	struct fx *f = *state;
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	struct reply rs[] = {{REPLY, 200, OK_BODY}};
	script(rs, 1);
	open_client(f);
	struct aws_req req = ec2_req();
	struct res res;
	send_req(f, &req, &res);
	wait_done(f, &res);
	assert_int_equal(res.status, 0);
	assert_int_equal(res.attempts, 0);
	assert_true(res.has_error);
	assert_false(res.has_code);
	assert_contains(res.error, "DescribeImages in us-east-2: ");
	assert_contains(res.error, "credentials");
	assert_int_equal(aws_inflight(f->c), 0);
	spin(f);
	assert_int_equal(srv_requests(), 0);
}

static void half_set_environment_keys_send_nothing(void **state)
{
	struct fx *f = *state;
	unsetenv("AWS_ACCESS_KEY_ID");
	struct reply rs[] = {{REPLY, 200, OK_BODY}};
	script(rs, 1);
	open_client(f);
	struct aws_req req = ec2_req();
	struct res res;
	send_req(f, &req, &res);
	wait_done(f, &res);
	assert_int_equal(res.status, 0);
	assert_contains(res.error, "credentials");
	assert_contains(res.error, "AWS_ACCESS_KEY_ID");
	assert_no_secret(res.error);
	spin(f);
	assert_int_equal(srv_requests(), 0);
}

/* ---- Cancellation, callbacks ---- */

static void cancel_before_sending(void **state)
{
	struct fx *f = *state;
	struct reply rs[] = {{REPLY, 200, OK_BODY}};
	script(rs, 1);
	open_client(f);
	struct aws_req req = ec2_req();
	struct res res;
	unsigned long id = send_req(f, &req, &res);
	aws_cancel(f->c, id);
	assert_int_equal(aws_inflight(f->c), 0);
	assert_false(loop_busy(f->l));
	spin(f);
	assert_int_equal(res.calls, 0);
	assert_int_equal(srv_requests(), 0);
	/* Cancelling again, or an id never handed out, does nothing. */
	aws_cancel(f->c, id);
	aws_cancel(f->c, id + 1000);
	assert_int_equal(aws_inflight(f->c), 0);
}

static void cancel_while_waiting_for_the_response(void **state)
{
	struct fx *f = *state;
	struct reply rs[] = {{HANG, 0, NULL}};
	script(rs, 1);
	open_client(f);
	struct aws_req req = ec2_req();
	struct res res;
	unsigned long id = send_req(f, &req, &res);
	wait_requests(f, 1);
	assert_int_equal(res.calls, 0);
	assert_int_equal(aws_inflight(f->c), 1);
	aws_cancel(f->c, id);
	assert_int_equal(aws_inflight(f->c), 0);
	assert_int_equal(http_inflight(f->h), 0);
	assert_false(loop_busy(f->l));
	spin(f);
	assert_int_equal(res.calls, 0);
	assert_int_equal(srv_requests(), 1);
}

static void client_freed_with_a_request_in_flight(void **state)
{
	struct fx *f = *state;
	struct reply rs[] = {{HANG, 0, NULL}};
	script(rs, 1);
	open_client(f);
	struct aws_req req = ec2_req();
	struct res res;
	send_req(f, &req, &res);
	wait_requests(f, 1);
	aws_client_free(&f->c);
	assert_null(f->c);
	assert_int_equal(http_inflight(f->h), 0);
	assert_false(loop_busy(f->l));
	spin(f);
	assert_int_equal(res.calls, 0);
}

static void concurrent_requests_each_get_their_own_answer(void **state)
{
	struct fx *f = *state;
	struct reply rs[] = {{ECHO, 0, NULL}};
	script(rs, 1);
	open_client(f);
	static const char body_a[] = "Action=DescribeImages&Version=2016-11-15&ImageId.1=ami-aaaa";
	static const char body_b[] = "Action=DescribeImages&Version=2016-11-15&ImageId.1=ami-bbbb";
	struct aws_req ra = {.op = "A", .service = "ec2", .body = body_a, .body_len = sizeof body_a - 1};
	struct aws_req rb = {.op = "B", .service = "ec2", .body = body_b, .body_len = sizeof body_b - 1};
	struct res a, b;
	send_req(f, &ra, &a);
	send_req(f, &rb, &b);
	assert_int_equal(aws_inflight(f->c), 2);
	for (int i = 0; i < 300 && !(a.calls && b.calls); i++)
		loop_run_once(f->l, 100);
	assert_int_equal(a.calls, 1);
	assert_int_equal(b.calls, 1);
	assert_int_equal(a.status, 200);
	assert_int_equal(b.status, 200);
	assert_string_equal(a.body, body_a);
	assert_string_equal(b.body, body_b);
	assert_int_equal(aws_inflight(f->c), 0);
	assert_int_equal(srv_requests(), 2);
}

/* ---- Object URLs ---- */

static void object_url_override_and_default(void **state)
{
	struct fx *f = *state;
	open_client(f);
	struct buf out = {0}, err = {0};
	assert_int_equal(aws_client_object_url(f->c, &out, NULL, "bucket", "key x", &err), 0);
	char want[128];
	snprintf(want, sizeof want, "%s/bucket/key%%20x", f->endpoint);
	assert_string_equal(buf_str(&out), want);
	assert_string_equal(buf_str(&err), "");

	unsetenv("AWS_ENDPOINT_URL");
	buf_reset(&out);
	assert_int_equal(aws_client_object_url(f->c, &out, NULL, "bucket", "key x", &err), 0);
	assert_string_equal(buf_str(&out), "https://bucket.s3.us-east-2.amazonaws.com/key%20x");
	buf_reset(&out);
	assert_int_equal(aws_client_object_url(f->c, &out, "eu-west-1", "bucket", "a/b c", &err), 0);
	assert_string_equal(buf_str(&out), "https://bucket.s3.eu-west-1.amazonaws.com/a/b%20c");
	assert_string_equal(buf_str(&err), "");

	/* Not a bucket name: an error, nothing appended. */
	buf_reset(&out);
	assert_int_equal(aws_client_object_url(f->c, &out, NULL, "bad/bucket", "k", &err), -1);
	assert_string_equal(buf_str(&out), "");
	assert_true(err.len > 0);
	buf_free(&out);
	buf_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(query_post_is_signed_and_sent, setup, teardown),
		cmocka_unit_test_setup_teardown(explicit_credentials_and_region_are_used, setup, teardown),
		cmocka_unit_test_setup_teardown(s3_get_path_style_encoded_key_and_canonical_query, setup, teardown),
		cmocka_unit_test_setup_teardown(s3_head_404_is_not_retried, setup, teardown),
		cmocka_unit_test_setup_teardown(retries_503_then_succeeds_each_attempt_signed, setup, teardown),
		cmocka_unit_test_setup_teardown(a_retry_wait_is_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(throttling_error_is_retried, setup, teardown),
		cmocka_unit_test_setup_teardown(validation_error_is_not_retried, setup, teardown),
		cmocka_unit_test_setup_teardown(max_attempts_from_environment, setup, teardown),
		cmocka_unit_test_setup_teardown(default_max_attempts_is_three, setup, teardown),
		cmocka_unit_test_setup_teardown(mutating_timeout_is_not_resent, setup, teardown),
		cmocka_unit_test_setup_teardown(mutating_dropped_connection_is_not_resent, setup, teardown),
		cmocka_unit_test_setup_teardown(mutating_request_is_retried_after_a_5xx, setup, teardown),
		cmocka_unit_test_setup_teardown(read_only_timeout_and_drop_are_retried, setup, teardown),
		cmocka_unit_test_setup_teardown(expired_token_refreshes_credentials_once, setup, teardown),
		cmocka_unit_test_setup_teardown(expired_token_twice_gives_up, setup, teardown),
		cmocka_unit_test_setup_teardown(expired_token_with_explicit_credentials_is_not_retried, setup,
						teardown),
		cmocka_unit_test_setup_teardown(no_credentials_sends_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(half_set_environment_keys_send_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(cancel_before_sending, setup, teardown),
		cmocka_unit_test_setup_teardown(cancel_while_waiting_for_the_response, setup, teardown),
		cmocka_unit_test_setup_teardown(client_freed_with_a_request_in_flight, setup, teardown),
		cmocka_unit_test_setup_teardown(concurrent_requests_each_get_their_own_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(object_url_override_and_default, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
