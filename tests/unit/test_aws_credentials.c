/* aws/credentials: the default chain against temp files, small scripts and a
 * fake metadata / container / STS server on loopback.  No other network:
 * every test disables instance metadata unless it points it at the fake
 * server, and clears every AWS_* variable first. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "aws/client.h"
#include "aws/credentials.h"
#include "aws/profile.h"
#include "core/buf.h"
#include "core/http.h"
#include "core/loop.h"
#include "core/timeutil.h"

extern char **environ;

#define IMDS_TOKEN       "IMDSTOKEN-7f3a9c"
#define IMDS_SECRET      "imds-secret-4b1e0d"
#define IMDS_SESSION     "imds-session-token-c0ffee"
#define CONTAINER_AUTH   "ctok-3141592653"
#define CONTAINER_SECRET "container-secret-9d8c"

/* ---- A fake server: IMDS, a container agent and STS ---- */

static struct {
	int fd, port;
	pthread_t thread;
	pthread_mutex_t mu;
	int stop;
	/* what it serves */
	char expiration[40]; /* IMDS / container Expiration */
	int container_status;
	int sts_deny;
	int imds_v1;      /* no tokens: PUT answers 403, GETs need none */
	int imds_no_role; /* the role listing answers 404 */
	/* what it saw */
	int requests, token_puts, imds_gets, refused, container_gets, sts_posts;
	char sts_auth[4][512];
	char sts_token[4][128];
	char sts_body[4][1024];
} srv;

/* Value of header name in the request head, or "" (case-insensitive name). */
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

static void respond(int c, int status, const char *type, const char *body)
{
	char out[8192];
	int len = snprintf(out, sizeof out,
			   "HTTP/1.1 %d X\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
			   status, type, strlen(body), body);
	send(c, out, (size_t)len, MSG_NOSIGNAL);
}

static void serve_sts(int c, const char *head, const char *body)
{
	char auth[512], tok[128];
	header_value(head, "Authorization", auth, sizeof auth);
	header_value(head, "X-Amz-Security-Token", tok, sizeof tok);
	pthread_mutex_lock(&srv.mu);
	int i = srv.sts_posts++;
	if (i < 4) {
		snprintf(srv.sts_auth[i], sizeof srv.sts_auth[i], "%s", auth);
		snprintf(srv.sts_token[i], sizeof srv.sts_token[i], "%s", tok);
		snprintf(srv.sts_body[i], sizeof srv.sts_body[i], "%s", body);
	}
	int deny = srv.sts_deny;
	pthread_mutex_unlock(&srv.mu);
	if (deny) {
		respond(c, 403, "text/xml",
			"<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
			"<Code>AccessDenied</Code><Message>User is not authorized to perform: sts:AssumeRole</Message>"
			"</Error><RequestId>r2</RequestId></ErrorResponse>");
		return;
	}
	/* The role asked for decides the keys handed out. */
	const char *who = strstr(body, "role%2FMid") ? "MID" : "DEV";
	char xml[2048];
	snprintf(xml, sizeof xml,
		 "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>"
		 "<Credentials><AccessKeyId>ASIA%s0000000000</AccessKeyId>"
		 "<SecretAccessKey>sts-secret-%s</SecretAccessKey>"
		 "<SessionToken>sts-session-%s</SessionToken>"
		 "<Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>"
		 "<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/%s/s</Arn>"
		 "<AssumedRoleId>AROA%s:s</AssumedRoleId></AssumedRoleUser>"
		 "</AssumeRoleResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata>"
		 "</AssumeRoleResponse>",
		 who, who, who, who, who);
	respond(c, 200, "text/xml", xml);
}

static void serve_one(int c)
{
	char buf[16384];
	size_t n = 0;
	buf[0] = '\0';
	char *end;
	while (!(end = strstr(buf, "\r\n\r\n"))) {
		ssize_t r = recv(c, buf + n, sizeof buf - n - 1, 0);
		if (r <= 0)
			return;
		n += (size_t)r;
		buf[n] = '\0';
	}
	*end = '\0';
	const char *body = end + 4;
	char clen[32];
	header_value(buf, "Content-Length", clen, sizeof clen);
	long want = atol(clen);
	while ((long)(n - (size_t)(body - buf)) < want) {
		ssize_t r = recv(c, buf + n, sizeof buf - n - 1, 0);
		if (r <= 0)
			return;
		n += (size_t)r;
		buf[n] = '\0';
	}
	char method[16] = "", path[512] = "";
	sscanf(buf, "%15s %511s", method, path);
	char ttl[32], token[128], auth[256];
	header_value(buf, "X-aws-ec2-metadata-token-ttl-seconds", ttl, sizeof ttl);
	header_value(buf, "X-aws-ec2-metadata-token", token, sizeof token);
	header_value(buf, "Authorization", auth, sizeof auth);
	pthread_mutex_lock(&srv.mu);
	srv.requests++;
	char expiration[40];
	snprintf(expiration, sizeof expiration, "%s", srv.expiration);
	int cstatus = srv.container_status, v1 = srv.imds_v1, no_role = srv.imds_no_role;
	pthread_mutex_unlock(&srv.mu);

	if (!strcmp(method, "PUT") && !strcmp(path, "/latest/api/token")) {
		pthread_mutex_lock(&srv.mu);
		srv.token_puts++;
		pthread_mutex_unlock(&srv.mu);
		if (v1)
			respond(c, 403, "text/plain", "");
		else if (strcmp(ttl, "21600") != 0)
			respond(c, 400, "text/plain", "missing ttl");
		else
			respond(c, 200, "text/plain", IMDS_TOKEN);
		return;
	}
	if (!strncmp(path, "/latest/meta-data/", 18)) {
		pthread_mutex_lock(&srv.mu);
		srv.imds_gets++;
		int ok = !strcmp(method, "GET") && (v1 ? !*token : !strcmp(token, IMDS_TOKEN));
		if (!ok)
			srv.refused++;
		pthread_mutex_unlock(&srv.mu);
		if (!ok) {
			respond(c, 401, "text/plain", "");
		} else if (no_role) {
			respond(c, 404, "text/plain", "");
		} else if (!strcmp(path, "/latest/meta-data/iam/security-credentials/")) {
			respond(c, 200, "text/plain", "test-role\n");
		} else if (!strcmp(path, "/latest/meta-data/iam/security-credentials/test-role")) {
			char json[1024];
			snprintf(json, sizeof json,
				 "{\"Code\":\"Success\",\"LastUpdated\":\"2025-03-01T12:00:00Z\",\"Type\":\"AWS-HMAC\","
				 "\"AccessKeyId\":\"ASIAIMDS000000000000\",\"SecretAccessKey\":\"" IMDS_SECRET "\","
				 "\"Token\":\"" IMDS_SESSION "\",\"Expiration\":\"%s\"}",
				 expiration);
			respond(c, 200, "application/json", json);
		} else {
			respond(c, 404, "text/plain", "");
		}
		return;
	}
	if (!strcmp(path, "/container/creds")) {
		pthread_mutex_lock(&srv.mu);
		srv.container_gets++;
		pthread_mutex_unlock(&srv.mu);
		if (cstatus) {
			respond(c, cstatus, "application/json", "{\"code\":\"Denied\",\"message\":\"agent says no\"}");
		} else if (strcmp(auth, CONTAINER_AUTH) != 0) {
			respond(c, 403, "application/json", "{\"message\":\"bad authorization token\"}");
		} else {
			char json[1024];
			snprintf(json, sizeof json,
				 "{\"AccessKeyId\":\"ASIACONT000000000000\",\"SecretAccessKey\":\"" CONTAINER_SECRET
				 "\",\"Token\":\"container-session\",\"Expiration\":\"%s\"}",
				 expiration);
			respond(c, 200, "application/json", json);
		}
		return;
	}
	if (!strcmp(method, "POST") && !strcmp(path, "/")) {
		serve_sts(c, buf, body);
		return;
	}
	respond(c, 404, "text/plain", "no such thing");
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
		serve_one(c);
		close(c);
	}
}

static void server_start(void)
{
	memset(&srv, 0, sizeof srv);
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
	srv.stop = 1;
	shutdown(srv.fd, SHUT_RDWR);
	close(srv.fd);
	pthread_join(srv.thread, NULL);
	pthread_mutex_destroy(&srv.mu);
}

static int srv_count(const int *field)
{
	pthread_mutex_lock(&srv.mu);
	int v = *field;
	pthread_mutex_unlock(&srv.mu);
	return v;
}

static void srv_set_expiration(time_t t)
{
	struct buf b = {0};
	time_iso(&b, t);
	pthread_mutex_lock(&srv.mu);
	snprintf(srv.expiration, sizeof srv.expiration, "%s", buf_str(&b));
	pthread_mutex_unlock(&srv.mu);
	buf_free(&b);
}

/* A loopback port nobody listens on. */
static int closed_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	socklen_t len = sizeof a;
	getsockname(fd, (struct sockaddr *)&a, &len);
	close(fd);
	return ntohs(a.sin_port);
}

/* ---- Fixture: a temp HOME with the two files, a clean environment ---- */

struct fx {
	char dir[64];
	struct loop *l;
	struct http *h;
	struct aws_files *files;
	struct aws_creds *p;
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
	unsetenv("RELCON_NOW");
}

static void path_in(const struct fx *f, const char *name, char *out, size_t cap)
{
	snprintf(out, cap, "%s/%s", f->dir, name);
}

static void write_file(const struct fx *f, const char *name, const char *text, mode_t mode)
{
	char path[256];
	path_in(f, name, path, sizeof path);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	chmod(path, mode);
}

static void rm_tree(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char path[512];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		struct stat st;
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			rm_tree(path);
		else
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/relcon-creds-XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	clear_aws_env();
	char path[256];
	setenv("HOME", f->dir, 1);
	path_in(f, "config", path, sizeof path);
	setenv("AWS_CONFIG_FILE", path, 1);
	path_in(f, "credentials", path, sizeof path);
	setenv("AWS_SHARED_CREDENTIALS_FILE", path, 1);
	/* Never the real 169.254.169.254. */
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	f->l = loop_new();
	f->h = http_new(f->l);
	http_set_backoff(f->h, 5, 20);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	aws_creds_free(&f->p);
	aws_files_free(&f->files);
	http_free(&f->h);
	loop_free(&f->l);
	rm_tree(f->dir);
	clear_aws_env();
	free(f);
	return 0;
}

/* Load the files named by the environment and make the provider. */
static void open_provider(struct fx *f)
{
	struct buf err = {0};
	assert_int_equal(aws_files_load(&f->files, NULL, NULL, &err), 0);
	buf_free(&err);
	f->p = aws_creds_new(f->l, f->h, f->files, NULL);
}

struct got {
	int calls;
	int ok;
	char akid[64], secret[128], token[128], source[256];
	char error[4096];
	time_t expiration;
};

static void on_creds(void *ud, const struct aws_credentials *c, const char *error)
{
	struct got *g = ud;
	g->calls++;
	g->ok = c != NULL;
	if (c) {
		snprintf(g->akid, sizeof g->akid, "%s", c->access_key_id);
		snprintf(g->secret, sizeof g->secret, "%s", c->secret_access_key);
		snprintf(g->token, sizeof g->token, "%s", c->session_token ? c->session_token : "");
		snprintf(g->source, sizeof g->source, "%s", c->source ? c->source : "");
		g->expiration = c->expiration;
	} else {
		assert_non_null(error);
		snprintf(g->error, sizeof g->error, "%s", error);
		if (getenv("TEST_SHOW_ERRORS")) /* to read the messages: TEST_SHOW_ERRORS=1 */
			fprintf(stderr, "    error: %s\n", error);
	}
}

static void wait_for(struct loop *l, const int *flag)
{
	long long deadline = loop_now_ms() + 15000;
	while (!*flag && loop_now_ms() < deadline)
		loop_run_once(l, 200);
	assert_true(*flag);
}

/* One get, waited for; the callback never runs inside aws_creds_get. */
static void get_on(struct loop *l, struct aws_creds *p, struct got *g)
{
	memset(g, 0, sizeof *g);
	aws_creds_get(p, on_creds, g);
	assert_int_equal(g->calls, 0);
	wait_for(l, &g->calls);
	assert_int_equal(g->calls, 1);
}

static void get(struct fx *f, struct got *g)
{
	get_on(f->l, f->p, g);
	assert_int_equal(loop_busy(f->l), 0);
}

/* ---- Environment ---- */

static void env_keys(void **state)
{
	struct fx *f = *state;
	setenv("AWS_ACCESS_KEY_ID", "AKIAENV0000000000000", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "env-secret-abcdef", 1);
	setenv("AWS_SESSION_TOKEN", "env-session-123456", 1);
	setenv("AWS_CREDENTIAL_EXPIRATION", "2099-01-01T00:00:00Z", 1);
	open_provider(f);
	struct got g;
	get(f, &g);
	assert_true(g.ok);
	assert_string_equal(g.akid, "AKIAENV0000000000000");
	assert_string_equal(g.secret, "env-secret-abcdef");
	assert_string_equal(g.token, "env-session-123456");
	assert_string_equal(g.source, "environment");
	assert_int_equal(g.expiration, 4070908800);
}

static void env_half_set_is_an_error(void **state)
{
	struct fx *f = *state;
	setenv("AWS_SECRET_ACCESS_KEY", "env-secret-abcdef", 1);
	/* Profile keys exist, but a half-set environment ends the chain. */
	write_file(f, "credentials", "[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = file-secret-1\n",
		   0600);
	open_provider(f);
	struct got g;
	get(f, &g);
	assert_false(g.ok);
	assert_non_null(strstr(g.error, "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not"));
	assert_null(strstr(g.error, "env-secret-abcdef"));
	aws_creds_free(&f->p);

	unsetenv("AWS_SECRET_ACCESS_KEY");
	setenv("AWS_ACCESS_KEY_ID", "AKIAENV0000000000000", 1);
	f->p = aws_creds_new(f->l, f->h, f->files, NULL);
	get(f, &g);
	assert_false(g.ok);
	assert_non_null(strstr(g.error, "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"));
}

/* ---- Shared files ---- */

static void profile_static_keys(void **state)
{
	struct fx *f = *state;
	write_file(f, "credentials",
		   "[default]\naws_access_key_id = AKIAFILE000000000000\naws_secret_access_key = file-secret-1\n"
		   "[other]\naws_access_key_id = AKIAOTHER00000000000\naws_secret_access_key = other-secret-2\n"
		   "aws_session_token = other-token-3\n",
		   0600);
	open_provider(f);
	struct got g;
	get(f, &g);
	assert_true(g.ok);
	assert_string_equal(g.akid, "AKIAFILE000000000000");
	assert_string_equal(g.secret, "file-secret-1");
	assert_string_equal(g.token, "");
	assert_string_equal(g.source, "profile default (~/credentials)");
	assert_int_equal(g.expiration, 0);
	aws_creds_free(&f->p);

	setenv("AWS_PROFILE", "other", 1);
	f->p = aws_creds_new(f->l, f->h, f->files, NULL);
	get(f, &g);
	assert_true(g.ok);
	assert_string_equal(g.akid, "AKIAOTHER00000000000");
	assert_string_equal(g.token, "other-token-3");
	assert_string_equal(g.source, "profile other (~/credentials)");
	aws_creds_free(&f->p);

	/* The profile given to aws_creds_new wins over AWS_PROFILE. */
	f->p = aws_creds_new(f->l, f->h, f->files, "default");
	get(f, &g);
	assert_string_equal(g.akid, "AKIAFILE000000000000");
}

static void config_file_keys(void **state)
{
	struct fx *f = *state;
	write_file(f, "config",
		   "[profile cfg]\nregion = us-east-2\naws_access_key_id = AKIACONFIG0000000000\n"
		   "aws_secret_access_key = config-secret-1\n",
		   0600);
	setenv("AWS_PROFILE", "cfg", 1);
	open_provider(f);
	struct got g;
	get(f, &g);
	assert_true(g.ok);
	assert_string_equal(g.akid, "AKIACONFIG0000000000");
	assert_string_equal(g.source, "profile cfg (~/config)");
}

static void env_beats_profile(void **state)
{
	struct fx *f = *state;
	write_file(f, "credentials",
		   "[default]\naws_access_key_id = AKIAFILE000000000000\naws_secret_access_key = file-secret-1\n",
		   0600);
	setenv("AWS_ACCESS_KEY_ID", "AKIAENV0000000000000", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "env-secret-abcdef", 1);
	open_provider(f);
	struct got g;
	get(f, &g);
	assert_true(g.ok);
	assert_string_equal(g.akid, "AKIAENV0000000000000");
	assert_string_equal(g.source, "environment");
}

static void missing_named_profile_is_an_error(void **state)
{
	struct fx *f = *state;
	write_file(f, "credentials",
		   "[default]\naws_access_key_id = AKIAFILE000000000000\naws_secret_access_key = file-secret-1\n",
		   0600);
	setenv("AWS_PROFILE", "nosuch", 1);
	open_provider(f);
	struct got g;
	get(f, &g);
	assert_false(g.ok);
	assert_non_null(strstr(g.error, "nosuch"));
	assert_null(strstr(g.error, "file-secret-1"));
}

static void sso_profile_gets_a_hint(void **state)
{
	struct fx *f = *state;
	write_file(f, "config",
		   "[profile corp]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Admin\n"
		   "[sso-session corp]\nsso_start_url = https://example.awsapps.com/start\nsso_region = us-east-1\n",
		   0600);
	setenv("AWS_PROFILE", "corp", 1);
	open_provider(f);
	struct got g;
	get(f, &g);
	assert_false(g.ok);
	assert_non_null(strstr(g.error, "IAM Identity Center"));
	assert_non_null(strstr(g.error, "export-credentials --profile corp --format process"));
}

/* ---- credential_process ---- */

static void process_profile(struct fx *f, const char *script_name, const char *script, const char *extra_args)
{
	write_file(f, script_name, script, 0700);
	char cfg[1024];
	snprintf(cfg, sizeof cfg, "[default]\ncredential_process = %s/%s%s\n", f->dir, script_name,
		 extra_args ? extra_args : "");
	write_file(f, "config", cfg, 0600);
	open_provider(f);
}

static void process_success_with_expiration(void **state)
{
	struct fx *f = *state;
	process_profile(f, "creds.sh",
			"#!/bin/sh\necho 'debug chatter' >&2\n"
			"printf '%s\\n' '{\"Version\": 1, \"AccessKeyId\": \"ASIAPROC000000000000\", "
			"\"SecretAccessKey\": \"proc-secret-1a2b\", \"SessionToken\": \"proc-token-3c4d\", "
			"\"Expiration\": \"2099-03-01T12:00:00Z\"}'\n",
			NULL);
	struct got g;
	get(f, &g);
	assert_true(g.ok);
	assert_string_equal(g.akid, "ASIAPROC000000000000");
	assert_string_equal(g.secret, "proc-secret-1a2b");
	assert_string_equal(g.token, "proc-token-3c4d");
	assert_string_equal(g.source, "credential_process (profile default)");
	time_t want;
	assert_int_equal(time_parse_iso("2099-03-01T12:00:00Z", &want), 0);
	assert_int_equal(g.expiration, want);
}

static void process_argv_reaches_the_script_exactly(void **state)
{
	struct fx *f = *state;
	char sub[256];
	path_in(f, "my dir", sub, sizeof sub);
	assert_int_equal(mkdir(sub, 0700), 0);
	char script[1024];
	snprintf(script, sizeof script,
		 "#!/bin/sh\nfor a in \"$@\"; do printf '[%%s]\\n' \"$a\"; done > '%s/args.out'\n"
		 "echo '{\"Version\":1,\"AccessKeyId\":\"AKIAARGS\",\"SecretAccessKey\":\"args-secret-1\"}'\n",
		 f->dir);
	write_file(f, "my dir/args.sh", script, 0700);
	char cfg[1024];
	snprintf(cfg, sizeof cfg,
		 "[default]\ncredential_process = \"%s/my dir/args.sh\" \"a b\" 'c  d' e\\ f '' --x=\"$HOME\"\n",
		 f->dir);
	write_file(f, "config", cfg, 0600);
	open_provider(f);
	struct got g;
	get(f, &g);
	assert_true(g.ok);
	assert_string_equal(g.akid, "AKIAARGS");
	assert_int_equal(g.expiration, 0);
	char path[256], out[512] = "";
	path_in(f, "args.out", path, sizeof path);
	FILE *fp = fopen(path, "r");
	assert_non_null(fp);
	size_t n = fread(out, 1, sizeof out - 1, fp);
	out[n] = '\0';
	fclose(fp);
	/* No shell: no variable expansion either. */
	assert_string_equal(out, "[a b]\n[c  d]\n[e f]\n[]\n[--x=$HOME]\n");
}

static void process_nonzero_exit_is_an_error(void **state)
{
	struct fx *f = *state;
	write_file(f, "credentials",
		   "[default]\naws_access_key_id = AKIAFILE000000000000\naws_secret_access_key = file-secret-1\n",
		   0600);
	/* Static keys in the credentials file come before credential_process:
	 * use another profile that only has the process. */
	process_profile(f, "fail.sh",
			"#!/bin/sh\n"
			"echo '{\"Version\":1,\"AccessKeyId\":\"AKIAX\",\"SecretAccessKey\":\"leaked-secret-77\"}'\n"
			"printf '\\n  session expired: run login\\nsecond line\\n' >&2\nexit 3\n",
			NULL);
	struct got g;
	get(f, &g);
	assert_true(g.ok); /* the credentials file's keys win */
	assert_string_equal(g.akid, "AKIAFILE000000000000");
	aws_creds_free(&f->p);

	write_file(f, "credentials", "", 0600);
	aws_files_free(&f->files);
	open_provider(f);
	get(f, &g);
	assert_false(g.ok);
	assert_non_null(strstr(g.error, "credential_process (profile default)"));
	assert_non_null(strstr(g.error, "exited with status 3: session expired: run login"));
	assert_null(strstr(g.error, "second line"));
	assert_null(strstr(g.error, "leaked-secret-77"));
}

static void process_bad_json_is_an_error(void **state)
{
	struct fx *f = *state;
	process_profile(
		f, "bad.sh",
		"#!/bin/sh\necho '{\"Version\":1,\"AccessKeyId\":\"AKIAX\",\"SecretAccessKey\":\"leaked-secret-88\"'\n",
		NULL);
	struct got g;
	get(f, &g);
	assert_false(g.ok);
	assert_non_null(strstr(g.error, "credential_process (profile default): not valid JSON"));
	assert_null(strstr(g.error, "leaked-secret-88"));
}

static void process_wrong_version_is_an_error(void **state)
{
	struct fx *f = *state;
	process_profile(f, "v2.sh",
			"#!/bin/sh\necho "
			"'{\"Version\":2,\"AccessKeyId\":\"AKIAX\",\"SecretAccessKey\":\"leaked-secret-99\"}'\n",
			NULL);
	struct got g;
	get(f, &g);
	assert_false(g.ok);
	assert_non_null(strstr(g.error, "unsupported Version 2"));
	assert_null(strstr(g.error, "leaked-secret-99"));
	aws_creds_free(&f->p);
	aws_files_free(&f->files);

	process_profile(f, "nov.sh",
			"#!/bin/sh\necho '{\"AccessKeyId\":\"AKIAX\",\"SecretAccessKey\":\"leaked-secret-99\"}'\n",
			NULL);
	get(f, &g);
	assert_false(g.ok);
	assert_non_null(strstr(g.error, "no \"Version\": 1"));
}

static void process_timeout_kills_it(void **state)
{
	struct fx *f = *state;
	/* The sleep runs as a grandchild, in the helper's process group. */
	process_profile(f, "slow.sh", "#!/bin/sh\nsleep 20\necho '{}'\n", NULL);
	aws_creds_set_process_timeout(f->p, 300);
	long long t0 = loop_now_ms();
	struct got g;
	get(f, &g);
	long long took = loop_now_ms() - t0;
	assert_false(g.ok);
	assert_non_null(strstr(g.error, "did not finish within 300 ms"));
	assert_true(took >= 250 && took < 5000);
}

static void process_that_cannot_run(void **state)
{
	struct fx *f = *state;
	char cfg[512];
	snprintf(cfg, sizeof cfg, "[default]\ncredential_process = %s/no-such-helper --flag\n", f->dir);
	write_file(f, "config", cfg, 0600);
	open_provider(f);
	struct got g;
	get(f, &g);
	assert_false(g.ok);
	assert_non_null(strstr(g.error, "no-such-helper"));
	assert_null(strstr(g.error, "--flag")); /* arguments may be secret */
}

static void process_output_too_large(void **state)
{
	struct fx *f = *state;
	process_profile(f, "big.sh", "#!/bin/sh\nhead -c 3000000 /dev/zero | tr '\\0' x\n", NULL);
	struct got g;
	get(f, &g);
	assert_false(g.ok);
	assert_non_null(strstr(g.error, "wrote more than 1048576 bytes to stdout"));
}

static void free_while_the_process_runs(void **state)
{
	struct fx *f = *state;
	process_profile(f, "slow.sh", "#!/bin/sh\nexec sleep 20\n", NULL);
	struct got g;
	memset(&g, 0, sizeof g);
	aws_creds_get(f->p, on_creds, &g);
	for (int i = 0; i < 5; i++)
		loop_run_once(f->l, 10);
	assert_true(loop_busy(f->l) > 0);
	aws_creds_free(&f->p);
	assert_int_equal(loop_busy(f->l), 0);
	loop_run_once(f->l, 10);
	assert_int_equal(g.calls, 0);
}

/* ---- Instance metadata (IMDSv2) ---- */

static void use_imds(int port)
{
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/", port);
	unsetenv("AWS_EC2_METADATA_DISABLED");
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", url, 1);
}

static void on_plain(void *ud, const struct http_resp *r)
{
	*(long *)ud = r->status;
}

static void imds_v2(void **state)
{
	struct fx *f = *state;
	server_start();
	srv_set_expiration(time(NULL) + 6 * 3600);
	use_imds(srv.port);
	/* The fake refuses a GET without the session token. */
	char url[128];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/latest/meta-data/iam/security-credentials/", srv.port);
	struct http_req raw = {.url = url, .max_attempts = 1};
	long status = -1;
	http_send(f->h, &raw, on_plain, &status);
	while (status < 0)
		loop_run_once(f->l, 1000);
	assert_int_equal(status, 401);
	assert_int_equal(srv_count(&srv.refused), 1);

	open_provider(f);
	struct got g;
	get(f, &g);
	assert_true(g.ok);
	assert_string_equal(g.akid, "ASIAIMDS000000000000");
	assert_string_equal(g.secret, IMDS_SECRET);
	assert_string_equal(g.token, IMDS_SESSION);
	assert_string_equal(g.source, "instance metadata (IMDSv2)");
	assert_true(g.expiration > time(NULL) + 5 * 3600);
	assert_int_equal(srv_count(&srv.token_puts), 1);
	assert_int_equal(srv_count(&srv.imds_gets), 3); /* the refused one, role, credentials */
	assert_int_equal(srv_count(&srv.refused), 1);
	http_free(&f->h); /* before the server goes */
	server_stop();
}

static void imds_credentials_are_cached_until_near_expiry(void **state)
{
	struct fx *f = *state;
	server_start();
	use_imds(srv.port);
	srv_set_expiration(time(NULL) + 3600);
	open_provider(f);
	struct got g1, g2;
	get(f, &g1);
	get(f, &g2);
	assert_true(g1.ok && g2.ok);
	assert_string_equal(g2.akid, "ASIAIMDS000000000000");
	assert_int_equal(srv_count(&srv.requests), 3); /* one resolution: PUT, role, credentials */

	/* Forgotten on request (after ExpiredToken). */
	aws_creds_invalidate(f->p);
	get(f, &g1);
	assert_true(g1.ok);
	assert_int_equal(srv_count(&srv.requests), 6);

	/* Within five minutes of expiry: fetched every time. */
	aws_creds_invalidate(f->p);
	srv_set_expiration(time(NULL) + 240);
	get(f, &g1);
	get(f, &g2);
	assert_true(g1.ok && g2.ok);
	assert_int_equal(srv_count(&srv.requests), 12);
	http_free(&f->h);
	server_stop();
}

static void concurrent_gets_share_one_resolution(void **state)
{
	struct fx *f = *state;
	server_start();
	use_imds(srv.port);
	srv_set_expiration(time(NULL) + 3600);
	open_provider(f);
	struct got a, b, c;
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	memset(&c, 0, sizeof c);
	aws_creds_get(f->p, on_creds, &a);
	unsigned long idb = aws_creds_get(f->p, on_creds, &b);
	loop_run_once(f->l, 0); /* the resolution is under way */
	aws_creds_get(f->p, on_creds, &c);
	aws_creds_cancel(f->p, idb);
	wait_for(f->l, &a.calls);
	wait_for(f->l, &c.calls);
	assert_true(a.ok && c.ok);
	assert_int_equal(a.calls, 1);
	assert_int_equal(c.calls, 1);
	assert_int_equal(b.calls, 0);
	assert_int_equal(srv_count(&srv.token_puts), 1);
	assert_int_equal(srv_count(&srv.requests), 3);
	http_free(&f->h);
	server_stop();
}

static struct aws_creds *freed_in_callback;

static void on_creds_then_free(void *ud, const struct aws_credentials *c, const char *error)
{
	on_creds(ud, c, error);
	aws_creds_free(&freed_in_callback);
}

static void free_inside_a_callback(void **state)
{
	struct fx *f = *state;
	setenv("AWS_ACCESS_KEY_ID", "AKIAENV0000000000000", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "env-secret-abcdef", 1);
	open_provider(f);
	freed_in_callback = f->p;
	f->p = NULL;
	struct got a, b;
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	aws_creds_get(freed_in_callback, on_creds_then_free, &a);
	aws_creds_get(freed_in_callback, on_creds, &b);
	wait_for(f->l, &a.calls);
	assert_null(freed_in_callback);
	loop_run_once(f->l, 10);
	assert_int_equal(b.calls, 0);
	assert_int_equal(loop_busy(f->l), 0);
}

static void imds_v1_fallback_and_no_role(void **state)
{
	struct fx *f = *state;
	server_start();
	srv.imds_v1 = 1;
	srv_set_expiration(time(NULL) + 3600);
	use_imds(srv.port);
	open_provider(f);
	struct got g;
	get(f, &g);
	assert_true(g.ok);
	assert_string_equal(g.akid, "ASIAIMDS000000000000");
	assert_string_equal(g.source, "instance metadata (IMDSv1)");
	assert_int_equal(srv_count(&srv.refused), 0);
	aws_creds_free(&f->p);

	/* An instance without a role: nothing there, like no instance at all. */
	srv.imds_v1 = 0;
	srv.imds_no_role = 1;
	f->p = aws_creds_new(f->l, f->h, f->files, NULL);
	get(f, &g);
	assert_false(g.ok);
	assert_non_null(strstr(g.error, "no AWS credentials found"));
	assert_non_null(strstr(g.error, "the instance has no IAM role"));
	assert_null(strstr(g.error, IMDS_TOKEN));
	http_free(&f->h);
	server_stop();
}

/* ---- Container ---- */

static void container_full_uri_with_token_file(void **state)
{
	struct fx *f = *state;
	server_start();
	srv_set_expiration(time(NULL) + 3600);
	char url[128], tok[256];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/container/creds", srv.port);
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
	write_file(f, "token", CONTAINER_AUTH "\n", 0600);
	path_in(f, "token", tok, sizeof tok);
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", tok, 1);
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "the-file-wins", 1);
	open_provider(f);
	struct got g;
	get(f, &g);
	assert_true(g.ok);
	assert_string_equal(g.akid, "ASIACONT000000000000");
	assert_string_equal(g.secret, CONTAINER_SECRET);
	assert_string_equal(g.token, "container-session");
	assert_string_equal(g.source, "container");
	assert_int_equal(srv_count(&srv.container_gets), 1);
	aws_creds_free(&f->p);

	/* The variable alone, and it is wrong: refused, and the chain ends there. */
	unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	use_imds(srv.port);
	f->p = aws_creds_new(f->l, f->h, f->files, NULL);
	get(f, &g);
	assert_false(g.ok);
	char want[128];
	snprintf(want, sizeof want, "container credentials (http://127.0.0.1:%d): HTTP 403: bad authorization token",
		 srv.port);
	assert_string_equal(g.error, want);
	assert_int_equal(srv_count(&srv.token_puts), 0); /* IMDS not consulted */
	http_free(&f->h);
	server_stop();
}

static void container_agent_error_ends_the_chain(void **state)
{
	struct fx *f = *state;
	server_start();
	char url[128];
	snprintf(url, sizeof url, "http://localhost:%d/container/creds", srv.port);
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", CONTAINER_AUTH, 1);
	srv.container_status = 400;
	open_provider(f);
	struct got g;
	get(f, &g);
	assert_false(g.ok);
	assert_non_null(strstr(g.error, "HTTP 400: agent says no"));
	assert_null(strstr(g.error, CONTAINER_AUTH));
	http_free(&f->h);
	server_stop();
}

static void container_plain_http_needs_loopback(void **state)
{
	struct fx *f = *state;
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://example.com/creds", 1);
	open_provider(f);
	struct got g;
	get(f, &g);
	assert_false(g.ok);
	assert_non_null(strstr(g.error, "plain http is allowed only to loopback"));
	assert_non_null(strstr(g.error, "example.com needs https"));
	aws_creds_free(&f->p);

	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "ftp://127.0.0.1/creds", 1);
	f->p = aws_creds_new(f->l, f->h, f->files, NULL);
	get(f, &g);
	assert_false(g.ok);
	assert_non_null(strstr(g.error, "must be an http:// or https:// URL"));
}

/* ---- Nothing found ---- */

static void nothing_found_lists_every_source(void **state)
{
	struct fx *f = *state;
	write_file(f, "config", "[default]\nregion = us-east-2\n", 0600);
	use_imds(closed_port());
	open_provider(f);
	struct got g;
	get(f, &g);
	assert_false(g.ok);
	assert_non_null(strstr(g.error, "no AWS credentials found"));
	assert_non_null(strstr(g.error, "environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY not set"));
	assert_non_null(strstr(g.error, "profile default: no aws_access_key_id, credential_process or role_arn "
					"(in ~/config or ~/credentials)"));
	assert_non_null(strstr(g.error, "container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"));
	assert_non_null(strstr(g.error, "instance metadata (IMDSv2) at http://127.0.0.1:"));
	assert_non_null(strstr(g.error, "no answer"));
	assert_non_null(strstr(g.error, "aws configure"));
	assert_non_null(strstr(g.error, "AWS_PROFILE"));
	assert_null(strchr(g.error, '\n'));
	aws_creds_free(&f->p);

	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	char cfg[256];
	path_in(f, "config", cfg, sizeof cfg);
	unlink(cfg);
	aws_files_free(&f->files);
	open_provider(f);
	get(f, &g);
	assert_false(g.ok);
	assert_non_null(strstr(g.error, "profile default: not defined in ~/config or ~/credentials"));
	assert_non_null(strstr(g.error, "instance metadata: AWS_EC2_METADATA_DISABLED=true"));
}

/* ---- aws_credentials_parse_json ---- */

static void parse_json_cases(void **state)
{
	(void)state;
	struct aws_credentials c;
	struct buf err = {0};
	const char *ok = "{\"Version\":1,\"AccessKeyId\":\"AKIA1\",\"SecretAccessKey\":\"s3cr3t-val\","
			 "\"SessionToken\":\"tok-val-1\",\"Expiration\":\"2025-03-01T12:00:00Z\"}";
	assert_int_equal(aws_credentials_parse_json(&c, ok, strlen(ok), "test", &err), 0);
	assert_string_equal(c.access_key_id, "AKIA1");
	assert_string_equal(c.secret_access_key, "s3cr3t-val");
	assert_string_equal(c.session_token, "tok-val-1");
	assert_string_equal(c.source, "test");
	assert_int_equal(c.expiration, 1740830400);
	struct aws_credentials d;
	aws_credentials_copy(&d, &c);
	aws_credentials_free(&c);
	assert_null(c.access_key_id);
	assert_string_equal(d.secret_access_key, "s3cr3t-val");
	aws_credentials_free(&d);

	/* Container / IMDS shape: Token, no Version, fractional seconds. */
	const char *imds = "{\"Code\":\"Success\",\"AccessKeyId\":\"ASIA2\",\"SecretAccessKey\":\"s3cr3t-val\","
			   "\"Token\":\"tok-val-2\",\"Expiration\":\"2025-03-01T18:00:00.000Z\"}";
	assert_int_equal(aws_credentials_parse_json(&c, imds, strlen(imds), "imds", &err), 0);
	assert_string_equal(c.session_token, "tok-val-2");
	assert_int_equal(c.expiration, 1740852000);
	aws_credentials_free(&c);

	/* Long-term keys: no token, no expiration. */
	const char *lt = "{\"Version\":1,\"AccessKeyId\":\"AKIA3\",\"SecretAccessKey\":\"s3cr3t-val\"}";
	assert_int_equal(aws_credentials_parse_json(&c, lt, strlen(lt), "p", &err), 0);
	assert_null(c.session_token);
	assert_int_equal(c.expiration, 0);
	aws_credentials_free(&c);

	struct {
		const char *json, *want;
	} bad[] = {
		{"{\"Version\":2,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s3cr3t-val\"}",
		 "x: unsupported Version 2"},
		{"{\"Version\":\"1\",\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s3cr3t-val\"}",
		 "Version must be the number 1"},
		{"{\"AccessKeyId\":\"A\"}", "x: no SecretAccessKey in the JSON"},
		{"{\"SecretAccessKey\":\"s3cr3t-val\"}", "x: no AccessKeyId in the JSON"},
		{"{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s3cr3t-val\",\"Expiration\":\"tomorrow\"}",
		 "x: Expiration is not an ISO 8601 time (\"tomorrow\")"},
		{"{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s3cr3t-val\",\"Expiration\":12}",
		 "x: Expiration is not an ISO 8601 time"},
		{"[1,2]", "x: expected a JSON object, got array"},
		{"{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s3cr3t-val\"", "x: not valid JSON: truncated"},
		{"", "x: not valid JSON: empty body"},
		{"{\"Code\":\"AssumeRoleUnauthorizedAccess\",\"Message\":\"no "
		 "trust\",\"SecretAccessKey\":\"s3cr3t-val\"}",
		 "x: AssumeRoleUnauthorizedAccess: no trust"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		buf_reset(&err);
		memset(&c, 0x5a, sizeof c);
		assert_int_equal(aws_credentials_parse_json(&c, bad[i].json, strlen(bad[i].json), "x", &err), -1);
		assert_null(c.access_key_id);
		assert_non_null(strstr(buf_str(&err), bad[i].want));
		assert_null(strstr(buf_str(&err), "s3cr3t-val"));
	}
	buf_free(&err);
}

static void web_identity_is_refused_not_skipped(void **state)
{
	struct fx *f = *state;
	setenv("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/secrets/token", 1);
	setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/Pod", 1);
	open_provider(f);
	struct got g;
	get(f, &g);
	assert_false(g.ok);
	assert_non_null(strstr(g.error, "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are set"));
}

/* ---- AssumeRole through the client, against a fake STS ---- */

static void assume_role_setup(struct fx *f)
{
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", srv.port);
	setenv("AWS_ENDPOINT_URL_STS", url, 1);
	setenv("AWS_REGION", "us-east-1", 1);
	write_file(f, "config",
		   "[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/Dev\nsource_profile = mid\n"
		   "role_session_name = relcon-test\nexternal_id = ext-1\n"
		   "[profile mid]\nrole_arn = arn:aws:iam::123456789012:role/Mid\nsource_profile = base\n"
		   "duration_seconds = 1800\n",
		   0600);
	write_file(f, "credentials",
		   "[base]\naws_access_key_id = AKIABASE000000000000\naws_secret_access_key = base-secret-5e6f\n",
		   0600);
}

static void assume_role_chain_signed_with_each_source(void **state)
{
	struct fx *f = *state;
	server_start();
	assume_role_setup(f);
	setenv("AWS_PROFILE", "dev", 1);
	struct aws_client_options o;
	memset(&o, 0, sizeof o);
	struct aws_client *c = NULL;
	struct buf err = {0};
	assert_int_equal(aws_client_new(&c, f->l, f->h, &o, &err), 0);
	buf_free(&err);
	struct got g;
	get_on(f->l, aws_client_creds(c), &g);
	assert_true(g.ok);
	assert_string_equal(g.akid, "ASIADEV0000000000");
	assert_string_equal(g.secret, "sts-secret-DEV");
	assert_string_equal(g.token, "sts-session-DEV");
	assert_string_equal(g.source, "assume role arn:aws:iam::123456789012:role/Dev (profile dev)");
	assert_int_equal(g.expiration, 4070908800);
	assert_int_equal(srv_count(&srv.sts_posts), 2);
	/* Mid first, signed with base's long-term keys. */
	assert_non_null(strstr(srv.sts_auth[0], "Credential=AKIABASE000000000000/"));
	assert_non_null(strstr(srv.sts_auth[0], "/us-east-1/sts/aws4_request"));
	assert_string_equal(srv.sts_token[0], "");
	assert_non_null(strstr(srv.sts_body[0], "Action=AssumeRole"));
	assert_non_null(strstr(srv.sts_body[0], "RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2FMid"));
	assert_non_null(strstr(srv.sts_body[0], "DurationSeconds=1800"));
	assert_non_null(strstr(srv.sts_body[0], "RoleSessionName=relcon-"));
	/* Then Dev, signed with Mid's temporary credentials. */
	assert_non_null(strstr(srv.sts_auth[1], "Credential=ASIAMID0000000000/"));
	assert_string_equal(srv.sts_token[1], "sts-session-MID");
	assert_non_null(strstr(srv.sts_body[1], "RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2FDev"));
	assert_non_null(strstr(srv.sts_body[1], "RoleSessionName=relcon-test"));
	assert_non_null(strstr(srv.sts_body[1], "ExternalId=ext-1"));
	for (int i = 0; i < 2; i++)
		assert_null(strstr(srv.sts_auth[i], "secret"));

	/* Cached: no more STS calls. */
	get_on(f->l, aws_client_creds(c), &g);
	assert_true(g.ok);
	assert_int_equal(srv_count(&srv.sts_posts), 2);
	aws_client_free(&c);
	http_free(&f->h);
	server_stop();
}

static void assume_role_refused_ends_the_chain(void **state)
{
	struct fx *f = *state;
	server_start();
	assume_role_setup(f);
	srv.sts_deny = 1;
	setenv("AWS_PROFILE", "mid", 1);
	/* Environment keys would win: the role is asked for by profile, and
	 * the environment is unset here. */
	struct aws_client_options o;
	memset(&o, 0, sizeof o);
	struct aws_client *c = NULL;
	struct buf err = {0};
	assert_int_equal(aws_client_new(&c, f->l, f->h, &o, &err), 0);
	buf_free(&err);
	struct got g;
	get_on(f->l, aws_client_creds(c), &g);
	assert_false(g.ok);
	assert_non_null(strstr(g.error, "assume role arn:aws:iam::123456789012:role/Mid (profile mid)"));
	assert_non_null(strstr(g.error, "AccessDenied"));
	assert_null(strstr(g.error, "base-secret-5e6f"));
	assert_int_equal(srv_count(&srv.sts_posts), 1);
	aws_client_free(&c);
	http_free(&f->h);
	server_stop();
}

static void assume_role_from_a_process_source(void **state)
{
	struct fx *f = *state;
	server_start();
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", srv.port);
	setenv("AWS_ENDPOINT_URL_STS", url, 1);
	setenv("AWS_REGION", "us-east-1", 1);
	write_file(f, "helper.sh",
		   "#!/bin/sh\necho '{\"Version\":1,\"AccessKeyId\":\"AKIAHELPER0000000000\","
		   "\"SecretAccessKey\":\"helper-secret-1\"}'\n",
		   0700);
	char cfg[1024];
	snprintf(cfg, sizeof cfg,
		 "[default]\nrole_arn = arn:aws:iam::123456789012:role/Dev\nsource_profile = helper\n"
		 "[profile helper]\ncredential_process = %s/helper.sh\n",
		 f->dir);
	write_file(f, "config", cfg, 0600);
	struct aws_client_options o;
	memset(&o, 0, sizeof o);
	struct aws_client *c = NULL;
	struct buf err = {0};
	assert_int_equal(aws_client_new(&c, f->l, f->h, &o, &err), 0);
	buf_free(&err);
	struct got g;
	get_on(f->l, aws_client_creds(c), &g);
	assert_true(g.ok);
	assert_string_equal(g.akid, "ASIADEV0000000000");
	assert_string_equal(g.source, "assume role arn:aws:iam::123456789012:role/Dev (profile default)");
	assert_non_null(strstr(srv.sts_auth[0], "Credential=AKIAHELPER0000000000/"));
	aws_client_free(&c);
	http_free(&f->h);
	server_stop();
}

static void assume_role_with_its_own_keys(void **state)
{
	struct fx *f = *state;
	server_start();
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", srv.port);
	setenv("AWS_ENDPOINT_URL_STS", url, 1);
	setenv("AWS_REGION", "us-east-1", 1);
	/* The role wins over the profile's own keys, which sign its AssumeRole. */
	write_file(f, "config",
		   "[profile self]\nrole_arn = arn:aws:iam::123456789012:role/Dev\nsource_profile = self\n", 0600);
	write_file(f, "credentials",
		   "[self]\naws_access_key_id = AKIASELF000000000000\naws_secret_access_key = self-secret-1\n", 0600);
	struct aws_client_options o;
	memset(&o, 0, sizeof o);
	o.profile = "self";
	struct aws_client *c = NULL;
	struct buf err = {0};
	assert_int_equal(aws_client_new(&c, f->l, f->h, &o, &err), 0);
	buf_free(&err);
	struct got g;
	get_on(f->l, aws_client_creds(c), &g);
	assert_true(g.ok);
	assert_string_equal(g.akid, "ASIADEV0000000000");
	assert_string_equal(g.source, "assume role arn:aws:iam::123456789012:role/Dev (profile self)");
	assert_int_equal(srv_count(&srv.sts_posts), 1);
	assert_non_null(strstr(srv.sts_auth[0], "Credential=AKIASELF000000000000/"));
	aws_client_free(&c);
	http_free(&f->h);
	server_stop();
}

static void assume_role_from_instance_metadata(void **state)
{
	struct fx *f = *state;
	server_start();
	srv_set_expiration(time(NULL) + 3600);
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", srv.port);
	setenv("AWS_ENDPOINT_URL_STS", url, 1);
	setenv("AWS_REGION", "us-east-1", 1);
	write_file(f, "config",
		   "[default]\nrole_arn = arn:aws:iam::123456789012:role/Dev\ncredential_source = Ec2InstanceMetadata\n"
		   "[profile mfa]\nrole_arn = arn:aws:iam::123456789012:role/Dev\nsource_profile = base\n"
		   "mfa_serial = arn:aws:iam::123456789012:mfa/me\n",
		   0600);
	write_file(f, "credentials",
		   "[base]\naws_access_key_id = AKIABASE000000000000\naws_secret_access_key = base-secret-5e6f\n",
		   0600);
	struct aws_client_options o;
	memset(&o, 0, sizeof o);
	struct aws_client *c = NULL;
	struct buf err = {0};

	/* Disabled instance metadata is an error here, not a skip. */
	assert_int_equal(aws_client_new(&c, f->l, f->h, &o, &err), 0);
	struct got g;
	get_on(f->l, aws_client_creds(c), &g);
	assert_false(g.ok);
	assert_non_null(strstr(g.error, "credential_source = Ec2InstanceMetadata, but AWS_EC2_METADATA_DISABLED=true"));
	aws_client_free(&c);

	use_imds(srv.port);
	assert_int_equal(aws_client_new(&c, f->l, f->h, &o, &err), 0);
	get_on(f->l, aws_client_creds(c), &g);
	assert_true(g.ok);
	assert_string_equal(g.akid, "ASIADEV0000000000");
	assert_non_null(strstr(srv.sts_auth[0], "Credential=ASIAIMDS000000000000/"));
	assert_string_equal(srv.sts_token[0], IMDS_SESSION);
	aws_client_free(&c);

	/* mfa_serial: relcon cannot prompt; said before any STS call. */
	o.profile = "mfa";
	assert_int_equal(aws_client_new(&c, f->l, f->h, &o, &err), 0);
	get_on(f->l, aws_client_creds(c), &g);
	assert_false(g.ok);
	assert_non_null(strstr(g.error, "profile mfa: mfa_serial is set"));
	assert_int_equal(srv_count(&srv.sts_posts), 1);
	aws_client_free(&c);
	buf_free(&err);
	http_free(&f->h);
	server_stop();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(env_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(env_half_set_is_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(profile_static_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(config_file_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(env_beats_profile, setup, teardown),
		cmocka_unit_test_setup_teardown(missing_named_profile_is_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(sso_profile_gets_a_hint, setup, teardown),
		cmocka_unit_test_setup_teardown(process_success_with_expiration, setup, teardown),
		cmocka_unit_test_setup_teardown(process_argv_reaches_the_script_exactly, setup, teardown),
		cmocka_unit_test_setup_teardown(process_nonzero_exit_is_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(process_bad_json_is_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(process_wrong_version_is_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(process_timeout_kills_it, setup, teardown),
		cmocka_unit_test_setup_teardown(process_that_cannot_run, setup, teardown),
		cmocka_unit_test_setup_teardown(process_output_too_large, setup, teardown),
		cmocka_unit_test_setup_teardown(free_while_the_process_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(imds_v2, setup, teardown),
		cmocka_unit_test_setup_teardown(imds_credentials_are_cached_until_near_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(concurrent_gets_share_one_resolution, setup, teardown),
		cmocka_unit_test_setup_teardown(free_inside_a_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(imds_v1_fallback_and_no_role, setup, teardown),
		cmocka_unit_test_setup_teardown(container_full_uri_with_token_file, setup, teardown),
		cmocka_unit_test_setup_teardown(container_agent_error_ends_the_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(container_plain_http_needs_loopback, setup, teardown),
		cmocka_unit_test_setup_teardown(nothing_found_lists_every_source, setup, teardown),
		cmocka_unit_test(parse_json_cases),
		cmocka_unit_test_setup_teardown(web_identity_is_refused_not_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(assume_role_chain_signed_with_each_source, setup, teardown),
		cmocka_unit_test_setup_teardown(assume_role_refused_ends_the_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(assume_role_from_a_process_source, setup, teardown),
		cmocka_unit_test_setup_teardown(assume_role_with_its_own_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(assume_role_from_instance_metadata, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
