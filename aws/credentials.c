/* aws/credentials.c - the default credential chain, asynchronously.
 *
 * One resolution at a time per provider walks the chain as a sequence of
 * steps; synchronous steps (environment, static keys) run straight on,
 * asynchronous ones (credential_process, container, IMDS, AssumeRole)
 * continue from their completion callback.  Every outcome goes to all the
 * waiters at once; waiters are only ever called from the loop. */
#define _GNU_SOURCE /* posix_spawn_file_actions_addclosefrom_np (glibc 2.34) */
#include "aws/credentials.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "aws/client.h"
#include "aws/profile.h"
#include "aws/sts.h"
#include "core/http.h"
#include "core/json.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/sanitize.h"
#include "core/timeutil.h"

extern char **environ;

#define REFRESH_MARGIN_S     300 /* refresh five minutes before expiry */
#define PROCESS_TIMEOUT_MS   30000L
#define PROCESS_MAX_STDOUT   (1024 * 1024)
#define PROCESS_MAX_STDERR   4096
#define CONTAINER_TIMEOUT_MS 2000L
#define CONTAINER_ATTEMPTS   3 /* botocore's ContainerMetadataFetcher */
#define IMDS_TIMEOUT_MS      2000L
#define CONTAINER_HOST       "http://169.254.170.2"
#define IMDS_HOST            "http://169.254.169.254"
#define IMDS_HOST_V6         "http://[fd00:ec2::254]"
#define IMDS_CREDS_PATH      "/latest/meta-data/iam/security-credentials/"

enum purpose {
	FOR_RESULT, /* the credentials asked for */
	FOR_ROLE,   /* the source credentials of a role chain */
};

struct waiter {
	unsigned long id;
	aws_creds_fn fn;
	void *ud;
	struct waiter *next;
};

/* A running credential_process. */
struct proc {
	pid_t pid; /* > 0 while not reaped */
	int out_fd, err_fd;
	int out_open, err_open;
	char *out; /* stdout: secret, grown by hand so no stale copy is left behind */
	size_t out_len, out_cap;
	struct buf err; /* the start of stderr */
	unsigned long timer, reap_timer;
	long reap_delay;
	char *what;  /* "credential_process (profile x)" */
	char *argv0; /* sanitized, for messages */
};

/* The resolution in progress. */
struct resolution {
	char *profile; /* the profile asked for */
	struct aws_role_chain chain;
	int have_chain;
	enum purpose purpose;
	size_t role_i;              /* next role of the chain to assume */
	struct aws_credentials cur; /* credentials that sign the next AssumeRole */
	struct buf tried;           /* what each source said, "; "-separated */
	struct proc proc;
	unsigned long http_id, aws_id;
	char *where;      /* container / IMDS base URL for messages (no path) */
	char *imds_base;  /* IMDS endpoint without trailing '/' */
	char *imds_token; /* secret */
	int imds_v1;
};

struct aws_creds {
	struct loop *loop;
	struct http *http;
	const struct aws_files *files;
	struct aws_client *client;
	char *profile; /* as given to aws_creds_new, NULL = select */
	long process_timeout_ms;

	struct aws_credentials cache;
	int have_cache;

	struct waiter *waiters;    /* waiting for the next outcome */
	struct waiter *delivering; /* being called back right now */
	unsigned long next_id;
	unsigned long kick_timer;
	int delivering_now; /* inside deliver(): aws_creds_free waits for it */
	int free_pending;   /* aws_creds_free was called from a callback */

	int resolving;
	struct resolution r;
};

/* ---- Small helpers ---- */

static const char *env_get(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

static void wipe_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/* Untrusted text (profile names, paths, stderr) made safe for one line. */
static void add_clean(struct buf *b, const char *s)
{
	char *c = sanitize_str(s ? s : "", SANITIZE_ONE_LINE);
	buf_adds(b, c);
	free(c);
}

/* A path with $HOME shown as ~. */
static void add_path(struct buf *b, const char *path)
{
	const char *home = env_get("HOME");
	size_t n = home ? strlen(home) : 0;
	if (path && n > 1 && strncmp(path, home, n) == 0 && path[n] == '/') {
		buf_addc(b, '~');
		add_clean(b, path + n);
	} else {
		add_clean(b, path);
	}
}

static char *profile_label(const char *name)
{
	struct buf b = {0};
	buf_adds(&b, "profile ");
	add_clean(&b, name);
	return buf_steal(&b);
}

void aws_credentials_copy(struct aws_credentials *dst, const struct aws_credentials *src)
{
	dst->access_key_id = xstrdup(src->access_key_id);
	dst->secret_access_key = xstrdup(src->secret_access_key);
	dst->session_token = xstrdup(src->session_token);
	dst->expiration = src->expiration;
	dst->source = xstrdup(src->source);
}

void aws_credentials_free(struct aws_credentials *c)
{
	if (!c)
		return;
	free(c->access_key_id);
	wipe_free(c->secret_access_key);
	wipe_free(c->session_token);
	free(c->source);
	memset(c, 0, sizeof *c);
}

static void creds_register_secrets(const struct aws_credentials *c)
{
	log_add_secret(c->secret_access_key);
	log_add_secret(c->session_token);
}

/* ---- JSON of credential_process, container and IMDS ---- */

/* Zero a string member in place before the document is released: json-c
 * does not wipe what it frees. */
static void json_wipe_member(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;
	if (json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)) {
		char *s = (char *)json_object_get_string(v);
		explicit_bzero(s, (size_t)json_object_get_string_len(v));
	}
}

static int parse_json(struct aws_credentials *out, const char *json, size_t len, const char *source, int need_version,
		      struct buf *err)
{
	memset(out, 0, sizeof *out);
	const char *src = source ? source : "credentials";
	struct buf perr = {0};
	struct json_object *o = json_parse_text(json, len, &perr);
	if (!o) {
		buf_printf(err, "%s: not valid JSON: %s", src, buf_str(&perr));
		buf_free(&perr);
		return -1;
	}
	int rc = -1;
	if (!json_object_is_type(o, json_type_object)) {
		buf_printf(err, "%s: expected a JSON object, got %s", src, json_kind(o));
		goto out;
	}
	struct json_object *v = NULL;
	if (json_object_object_get_ex(o, "Version", &v)) {
		int one = (json_object_is_type(v, json_type_int) && json_object_get_int64(v) == 1) ||
			  (json_object_is_type(v, json_type_double) && json_object_get_double(v) == 1.0);
		if (!one) {
			if (json_object_is_type(v, json_type_int))
				buf_printf(err, "%s: unsupported Version %lld (only 1 is defined)", src,
					   (long long)json_object_get_int64(v));
			else
				buf_printf(err, "%s: Version must be the number 1, not a %s", src, json_kind(v));
			goto out;
		}
	} else if (need_version) {
		buf_printf(err, "%s: no \"Version\": 1 in the output", src);
		goto out;
	}
	const char *code = json_get_str(o, "Code");
	if (code && strcmp(code, "Success") != 0) {
		buf_printf(err, "%s: ", src);
		add_clean(err, code);
		const char *msg = json_get_str(o, "Message");
		if (msg) {
			char *m = sanitize(msg, strlen(msg), SANITIZE_ONE_LINE, 300);
			buf_printf(err, ": %s", m);
			free(m);
		}
		goto out;
	}
	const char *akid = json_get_str(o, "AccessKeyId");
	const char *secret = json_get_str(o, "SecretAccessKey");
	const char *token = json_get_str(o, "SessionToken");
	if (!token)
		token = json_get_str(o, "Token");
	if (!akid || !*akid) {
		buf_printf(err, "%s: no AccessKeyId in the JSON", src);
		goto out;
	}
	if (!secret || !*secret) {
		buf_printf(err, "%s: no SecretAccessKey in the JSON", src);
		goto out;
	}
	time_t exp = 0;
	if (json_object_object_get_ex(o, "Expiration", &v) && v) {
		const char *e = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
		if (!e || time_parse_iso(e, &exp) != 0 || exp <= 0) {
			buf_printf(err, "%s: Expiration is not an ISO 8601 time", src);
			if (e) {
				char *c = sanitize(e, strlen(e), SANITIZE_ONE_LINE, 40);
				buf_printf(err, " (\"%s\")", c);
				free(c);
			}
			goto out;
		}
	}
	out->access_key_id = xstrdup(akid);
	out->secret_access_key = xstrdup(secret);
	out->session_token = token && *token ? xstrdup(token) : NULL;
	out->expiration = exp;
	out->source = xstrdup(src);
	creds_register_secrets(out);
	rc = 0;
out:
	json_wipe_member(o, "SecretAccessKey");
	json_wipe_member(o, "SessionToken");
	json_wipe_member(o, "Token");
	json_object_put(o);
	buf_free(&perr);
	return rc;
}

int aws_credentials_parse_json(struct aws_credentials *out, const char *json, size_t len, const char *source,
			       struct buf *err)
{
	return parse_json(out, json, len, source, 0, err);
}

/* ---- Waiters ---- */

static int cache_valid(const struct aws_creds *p)
{
	if (!p->have_cache)
		return 0;
	/* The real clock, not time_now(): credentials expire in real time,
	 * whatever RELCON_NOW pins for display. */
	return p->cache.expiration == 0 || time(NULL) + REFRESH_MARGIN_S < p->cache.expiration;
}

static void creds_destroy(struct aws_creds *p);

/* Call every waiter with the outcome.  c and error may point into p: they
 * are copied first, because a callback may invalidate p's cache. */
static void deliver(struct aws_creds *p, const struct aws_credentials *c, const char *error)
{
	struct aws_credentials copy;
	memset(&copy, 0, sizeof copy);
	if (c)
		aws_credentials_copy(&copy, c);
	char *msg = c ? NULL : xstrdup(error ? error : "no AWS credentials");
	/* Waiters that arrive during the callbacks wait for the next round. */
	p->delivering = p->waiters;
	p->waiters = NULL;
	p->delivering_now = 1;
	while (p->delivering && !p->free_pending) {
		struct waiter *w = p->delivering;
		p->delivering = w->next;
		aws_creds_fn fn = w->fn;
		void *ud = w->ud;
		free(w);
		fn(ud, c ? &copy : NULL, msg);
	}
	p->delivering_now = 0;
	aws_credentials_free(&copy);
	free(msg);
	if (p->free_pending)
		creds_destroy(p);
}

static void res_start(struct aws_creds *p);

static void on_kick(void *ud)
{
	struct aws_creds *p = ud;
	p->kick_timer = 0;
	loop_busy_add(p->loop, -1);
	if (!p->waiters)
		return;
	if (cache_valid(p))
		deliver(p, &p->cache, NULL);
	else if (!p->resolving)
		res_start(p);
}

unsigned long aws_creds_get(struct aws_creds *p, aws_creds_fn fn, void *ud)
{
	struct waiter *w = xcalloc(1, sizeof *w);
	w->id = p->next_id++;
	w->fn = fn;
	w->ud = ud;
	struct waiter **tail = &p->waiters;
	while (*tail)
		tail = &(*tail)->next;
	*tail = w;
	/* Never call back from in here, even with credentials at hand. */
	if (!p->kick_timer) {
		p->kick_timer = loop_timer(p->loop, 0, on_kick, p);
		loop_busy_add(p->loop, +1);
	}
	return w->id;
}

static int unlink_waiter(struct waiter **list, unsigned long id)
{
	for (struct waiter **w = list; *w; w = &(*w)->next) {
		if ((*w)->id == id) {
			struct waiter *dead = *w;
			*w = dead->next;
			free(dead);
			return 1;
		}
	}
	return 0;
}

void aws_creds_cancel(struct aws_creds *p, unsigned long id)
{
	if (!p || !id)
		return;
	if (!unlink_waiter(&p->waiters, id))
		unlink_waiter(&p->delivering, id);
	/* A resolution nobody waits for any more still runs to completion and
	 * fills the cache: it is about to be asked for again. */
}

void aws_creds_invalidate(struct aws_creds *p)
{
	aws_credentials_free(&p->cache);
	p->have_cache = 0;
}

/* ---- Life cycle ---- */

struct aws_creds *aws_creds_new(struct loop *l, struct http *h, const struct aws_files *files, const char *profile)
{
	struct aws_creds *p = xcalloc(1, sizeof *p);
	p->loop = l;
	p->http = h;
	p->files = files;
	p->profile = profile && *profile ? xstrdup(profile) : NULL;
	p->process_timeout_ms = PROCESS_TIMEOUT_MS;
	p->next_id = 1;
	return p;
}

void aws_creds_set_client(struct aws_creds *p, struct aws_client *client)
{
	p->client = client;
}

void aws_creds_set_process_timeout(struct aws_creds *p, long ms)
{
	p->process_timeout_ms = ms > 0 ? ms : PROCESS_TIMEOUT_MS;
}

static void res_cleanup(struct aws_creds *p);

static void waiters_free(struct waiter *w)
{
	while (w) {
		struct waiter *next = w->next;
		free(w);
		w = next;
	}
}

static void creds_destroy(struct aws_creds *p)
{
	waiters_free(p->waiters);
	waiters_free(p->delivering);
	aws_credentials_free(&p->cache);
	free(p->profile);
	free(p);
}

void aws_creds_free(struct aws_creds **pp)
{
	if (!pp || !*pp)
		return;
	struct aws_creds *p = *pp;
	*pp = NULL;
	if (p->resolving)
		res_cleanup(p);
	if (p->kick_timer) {
		loop_timer_cancel(p->loop, p->kick_timer);
		loop_busy_add(p->loop, -1);
		p->kick_timer = 0;
	}
	if (p->delivering_now) {
		/* Called from a callback: deliver() finishes the job on return,
		 * calling nobody else. */
		p->free_pending = 1;
		return;
	}
	creds_destroy(p);
}

/* ---- The resolution ---- */

static void proc_stop(struct aws_creds *p);

static void res_cleanup(struct aws_creds *p)
{
	struct resolution *r = &p->r;
	proc_stop(p);
	if (r->http_id)
		http_cancel(p->http, r->http_id);
	if (r->aws_id && p->client)
		aws_cancel(p->client, r->aws_id);
	if (r->have_chain)
		aws_role_chain_free(&r->chain);
	aws_credentials_free(&r->cur);
	buf_free(&r->tried);
	free(r->profile);
	free(r->where);
	free(r->imds_base);
	wipe_free(r->imds_token);
	memset(r, 0, sizeof *r);
	if (p->resolving) {
		p->resolving = 0;
		loop_busy_add(p->loop, -1);
	}
}

/* Success: cache and deliver; takes c. */
static void res_ok(struct aws_creds *p, struct aws_credentials *c)
{
	log_msg(LOG_INFO, "aws: credentials from %s", c->source ? c->source : "?");
	res_cleanup(p);
	aws_credentials_free(&p->cache);
	p->cache = *c;
	memset(c, 0, sizeof *c);
	p->have_cache = 1;
	deliver(p, &p->cache, NULL);
}

/* Failure: the chain ends here. */
static void res_fail(struct aws_creds *p, const char *msg)
{
	char *m = xstrdup(msg);
	log_msg(LOG_WARN, "aws: credentials: %s", m);
	res_cleanup(p);
	deliver(p, NULL, m);
	free(m);
}

static void res_failf(struct aws_creds *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void res_failf(struct aws_creds *p, const char *fmt, ...)
{
	struct buf b = {0};
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	res_fail(p, buf_str(&b));
	buf_free(&b);
}

static void note(struct aws_creds *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct aws_creds *p, const char *fmt, ...)
{
	if (p->r.tried.len)
		buf_adds(&p->r.tried, "; ");
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&p->r.tried, fmt, ap);
	va_end(ap);
}

static void step_env(struct aws_creds *p);
static void step_profile(struct aws_creds *p);
static void step_container(struct aws_creds *p);
static void step_imds(struct aws_creds *p);
static void assume_next(struct aws_creds *p);

/* Credentials found by a step: the answer, or the start of a role chain.
 * Takes c. */
static void got(struct aws_creds *p, struct aws_credentials *c)
{
	if (p->r.purpose == FOR_RESULT) {
		res_ok(p, c);
		return;
	}
	aws_credentials_free(&p->r.cur);
	p->r.cur = *c;
	memset(c, 0, sizeof *c);
	assume_next(p);
}

static void nothing_found(struct aws_creds *p)
{
	struct buf m = {0};
	buf_printf(&m,
		   "no AWS credentials found. Tried: %s. To fix: set AWS_PROFILE (or --profile) to a profile with "
		   "aws_access_key_id, credential_process or role_arn, run `aws configure`, or export "
		   "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
		   buf_str(&p->r.tried));
	res_fail(p, buf_str(&m));
	buf_free(&m);
}

static void res_start(struct aws_creds *p)
{
	memset(&p->r, 0, sizeof p->r);
	p->resolving = 1;
	loop_busy_add(p->loop, +1);
	p->r.purpose = FOR_RESULT;
	log_msg(LOG_DEBUG, "aws: resolving credentials");
	step_env(p);
}

/* ---- 1. Environment ---- */

/* Returns 1 with *out filled, 0 when not set, -1 with err. */
static int env_creds(struct aws_credentials *out, struct buf *err)
{
	memset(out, 0, sizeof *out);
	const char *ak = env_get("AWS_ACCESS_KEY_ID"), *sk = env_get("AWS_SECRET_ACCESS_KEY");
	if (!ak && !sk)
		return 0;
	if (!ak || !sk) {
		buf_printf(err, "environment: %s is set but %s is not; set both, or unset it",
			   ak ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
			   ak ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
		return -1;
	}
	const char *tok = env_get("AWS_SESSION_TOKEN");
	if (!tok)
		tok = env_get("AWS_SECURITY_TOKEN");
	time_t exp = 0;
	const char *e = env_get("AWS_CREDENTIAL_EXPIRATION");
	if (e && (time_parse_iso(e, &exp) != 0 || exp <= 0)) {
		buf_adds(err, "environment: AWS_CREDENTIAL_EXPIRATION is not an ISO 8601 time");
		return -1;
	}
	out->access_key_id = xstrdup(ak);
	out->secret_access_key = xstrdup(sk);
	out->session_token = xstrdup(tok);
	out->expiration = exp;
	out->source = xstrdup("environment");
	creds_register_secrets(out);
	return 1;
}

/* ---- 2. The profile: static keys, credential_process, role chain ---- */

static void proc_start(struct aws_creds *p, const struct aws_profile *prof);

static int keys_in_credentials_file(const struct aws_profile *prof)
{
	const struct aws_profile_entry *e = aws_profile_entry(prof, "aws_access_key_id");
	return !e || !e->file || !prof->config_file || strcmp(e->file, prof->config_file) != 0;
}

static void static_creds(struct aws_creds *p, const struct aws_profile *prof)
{
	const struct aws_profile_entry *e = aws_profile_entry(prof, "aws_access_key_id");
	struct aws_credentials c;
	memset(&c, 0, sizeof c);
	c.access_key_id = xstrdup(prof->aws_access_key_id);
	c.secret_access_key = xstrdup(prof->aws_secret_access_key);
	c.session_token = xstrdup(prof->aws_session_token);
	struct buf src = {0};
	buf_adds(&src, "profile ");
	add_clean(&src, prof->name);
	buf_adds(&src, " (");
	add_path(&src, e && e->file ? e->file : prof->credentials_file);
	buf_adds(&src, ")");
	c.source = buf_steal(&src);
	creds_register_secrets(&c);
	got(p, &c);
}

/* Whether a profile is set up for a provider relcon does not have. */
static const char *unsupported_kind(const struct aws_profile *prof)
{
	if (aws_profile_entry(prof, "sso_session") || aws_profile_entry(prof, "sso_start_url") ||
	    aws_profile_entry(prof, "sso_account_id"))
		return "IAM Identity Center (sso_*)";
	if (prof->web_identity_token_file)
		return "web identity (web_identity_token_file)";
	if (aws_profile_entry(prof, "login_session"))
		return "console login (login_session)";
	return NULL;
}

/* The profile's own credentials, in botocore's order: keys from the
 * credentials file, credential_process, keys from the config file. */
static void own_creds(struct aws_creds *p, const struct aws_profile *prof)
{
	int keys = aws_profile_has_static_keys(prof);
	if (keys && keys_in_credentials_file(prof)) {
		static_creds(p, prof);
		return;
	}
	if (prof->credential_process) {
		proc_start(p, prof);
		return;
	}
	if (keys) {
		static_creds(p, prof);
		return;
	}
	char *label = profile_label(prof->name);
	if (p->r.purpose == FOR_ROLE) {
		/* aws_role_chain_resolve refuses this already. */
		res_failf(p, "source %s has no credentials", label);
		free(label);
		return;
	}
	const char *kind = unsupported_kind(prof);
	if (kind) {
		/* The AWS CLI's chain puts these before credential_process, so
		 * the profile can name the CLI as its own process. */
		res_failf(p,
			  "%s uses %s, which relcon cannot read; log in with the AWS CLI (aws sso login) and add "
			  "credential_process = aws configure export-credentials --profile %s --format process to it",
			  label, kind, label + strlen("profile "));
		free(label);
		return;
	}
	struct buf files = {0};
	add_path(&files, prof->config_file);
	buf_adds(&files, " or ");
	add_path(&files, prof->credentials_file);
	if (!prof->found)
		note(p, "%s: not defined in %s", label, buf_str(&files));
	else
		note(p, "%s: no aws_access_key_id, credential_process or role_arn (in %s)", label, buf_str(&files));
	buf_free(&files);
	free(label);
	if (env_get("AWS_WEB_IDENTITY_TOKEN_FILE") && env_get("AWS_ROLE_ARN")) {
		/* botocore would use them before the container and instance
		 * providers: going on could pick another identity. */
		res_fail(p, "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are set (web identity, as on EKS), which "
			    "relcon cannot use yet; export AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / "
			    "AWS_SESSION_TOKEN from `aws configure export-credentials --format env` instead");
		return;
	}
	step_container(p);
}

static int container_begin(struct aws_creds *p, struct buf *err);

/* credential_source: where the first role's credentials come from. */
static void credential_source(struct aws_creds *p, const char *cs)
{
	char *label = profile_label(p->r.chain.roles[0]->name);
	if (!strcmp(cs, "Environment")) {
		struct aws_credentials c;
		struct buf err = {0};
		int rc = env_creds(&c, &err);
		if (rc > 0) {
			free(label);
			got(p, &c);
		} else if (rc < 0) {
			res_failf(p, "%s (credential_source = Environment): %s", label, buf_str(&err));
			free(label);
		} else {
			res_failf(p,
				  "%s has credential_source = Environment, but AWS_ACCESS_KEY_ID and "
				  "AWS_SECRET_ACCESS_KEY are not set",
				  label);
			free(label);
		}
		buf_free(&err);
		return;
	}
	if (!strcmp(cs, "EcsContainer")) {
		struct buf err = {0};
		int rc = container_begin(p, &err);
		if (rc < 0)
			res_failf(p, "%s (credential_source = EcsContainer): %s", label, buf_str(&err));
		else if (rc == 0)
			res_failf(
				p,
				"%s has credential_source = EcsContainer, but neither "
				"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set",
				label);
		free(label);
		buf_free(&err);
		return;
	}
	free(label);
	step_imds(p); /* Ec2InstanceMetadata (aws_role_chain_resolve checked the value) */
}

static void step_env(struct aws_creds *p)
{
	struct aws_credentials c;
	struct buf err = {0};
	int rc = env_creds(&c, &err);
	if (rc > 0) {
		got(p, &c);
	} else if (rc < 0) {
		res_fail(p, buf_str(&err));
	} else {
		note(p, "environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY not set");
		step_profile(p);
	}
	buf_free(&err);
}

static void step_profile(struct aws_creds *p)
{
	struct resolution *r = &p->r;
	struct buf err = {0};
	if (!p->files) {
		note(p, "shared config files: not loaded");
		step_container(p);
		return;
	}
	enum aws_profile_source psrc = AWS_PROFILE_FROM_FLAG;
	r->profile = p->profile ? xstrdup(p->profile) : aws_profile_select(NULL, &psrc);
	/* A profile named by someone must exist; the implicit default need not. */
	int must_exist = p->profile ? strcmp(r->profile, "default") != 0 : psrc != AWS_PROFILE_FROM_DEFAULT;
	if (aws_role_chain_resolve(&r->chain, p->files, r->profile, must_exist, &err) < 0) {
		res_fail(p, buf_str(&err));
		buf_free(&err);
		return;
	}
	buf_free(&err);
	r->have_chain = 1;
	if (r->chain.n_roles == 0) {
		own_creds(p, r->chain.source);
		return;
	}
	r->purpose = FOR_ROLE;
	if (r->chain.source)
		own_creds(p, r->chain.source);
	else
		credential_source(p, r->chain.credential_source);
}

/* -- credential_process -- */

static void proc_close_fd(struct aws_creds *p, int is_out)
{
	struct proc *pr = &p->r.proc;
	int *fd = is_out ? &pr->out_fd : &pr->err_fd;
	int *open = is_out ? &pr->out_open : &pr->err_open;
	if (!*open)
		return;
	loop_watch_fd(p->loop, *fd, 0, NULL, NULL);
	close(*fd);
	*open = 0;
	*fd = -1;
}

static void proc_stop(struct aws_creds *p)
{
	struct proc *pr = &p->r.proc;
	if (pr->timer)
		loop_timer_cancel(p->loop, pr->timer);
	if (pr->reap_timer)
		loop_timer_cancel(p->loop, pr->reap_timer);
	pr->timer = pr->reap_timer = 0;
	proc_close_fd(p, 1);
	proc_close_fd(p, 0);
	if (pr->pid > 0) {
		/* Its own process group: helpers it started go too. */
		kill(-pr->pid, SIGKILL);
		kill(pr->pid, SIGKILL);
		while (waitpid(pr->pid, NULL, 0) < 0 && errno == EINTR)
			;
		pr->pid = 0;
	}
	if (pr->out) {
		explicit_bzero(pr->out, pr->out_cap);
		free(pr->out);
	}
	pr->out = NULL;
	pr->out_len = pr->out_cap = 0;
	buf_free(&pr->err);
	free(pr->what);
	free(pr->argv0);
	pr->what = pr->argv0 = NULL;
}

/* Append to the stdout buffer without leaving copies in freed memory. */
static void proc_out_add(struct proc *pr, const char *b, size_t n)
{
	if (pr->out_len + n + 1 > pr->out_cap) {
		size_t cap = pr->out_cap ? pr->out_cap : 4096;
		while (cap < pr->out_len + n + 1)
			cap *= 2;
		char *grown = xmalloc(cap);
		if (pr->out) {
			memcpy(grown, pr->out, pr->out_len);
			explicit_bzero(pr->out, pr->out_cap);
			free(pr->out);
		}
		pr->out = grown;
		pr->out_cap = cap;
	}
	memcpy(pr->out + pr->out_len, b, n);
	pr->out_len += n;
	pr->out[pr->out_len] = '\0';
}

/* ": <first line of stderr>" or " (nothing on stderr)". */
static void add_stderr_line(struct buf *m, const struct proc *pr)
{
	const char *s = buf_str(&pr->err);
	size_t n = pr->err.len;
	while (n && (*s == '\n' || *s == '\r' || *s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	if (!n) {
		buf_adds(m, " (nothing on stderr)");
		return;
	}
	char *line = sanitize(s, n, SANITIZE_FIRST_LINE, 300);
	buf_printf(m, ": %s", line);
	free(line);
}

static void proc_done(struct aws_creds *p, int known, int status)
{
	struct proc *pr = &p->r.proc;
	struct buf m = {0};
	if (known && (WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) != 0))) {
		if (WIFSIGNALED(status))
			buf_printf(&m, "%s: %s was killed by signal %d", pr->what, pr->argv0, WTERMSIG(status));
		else if (WEXITSTATUS(status) == 127 && !pr->out_len)
			buf_printf(&m, "%s: %s exited with status 127 (command not found?)", pr->what, pr->argv0);
		else
			buf_printf(&m, "%s: %s exited with status %d", pr->what, pr->argv0, WEXITSTATUS(status));
		add_stderr_line(&m, pr);
		res_fail(p, buf_str(&m));
		buf_free(&m);
		return;
	}
	struct aws_credentials c;
	int rc = parse_json(&c, pr->out ? pr->out : "", pr->out_len, pr->what, 1, &m);
	if (rc < 0) {
		res_fail(p, buf_str(&m));
	} else {
		proc_stop(p); /* wipes the output now */
		got(p, &c);
	}
	buf_free(&m);
}

static void proc_reap(struct aws_creds *p);

static void on_proc_reap(void *ud)
{
	struct aws_creds *p = ud;
	p->r.proc.reap_timer = 0;
	proc_reap(p);
}

/* Both pipes are closed: collect the exit status.  The child normally
 * exits as it closes them; if not yet, look again shortly (the timeout
 * still stands). */
static void proc_reap(struct aws_creds *p)
{
	struct proc *pr = &p->r.proc;
	int status = 0;
	pid_t w;
	while ((w = waitpid(pr->pid, &status, WNOHANG)) < 0 && errno == EINTR)
		;
	if (w == 0) {
		pr->reap_delay = pr->reap_delay ? pr->reap_delay * 2 : 2;
		if (pr->reap_delay > 100)
			pr->reap_delay = 100;
		pr->reap_timer = loop_timer(p->loop, pr->reap_delay, on_proc_reap, p);
		return;
	}
	/* w < 0 (ECHILD): someone else reaped it; judge by the output. */
	int known = w == pr->pid;
	pr->pid = 0;
	if (pr->timer)
		loop_timer_cancel(p->loop, pr->timer);
	pr->timer = 0;
	proc_done(p, known, status);
}

static void on_proc_fd(void *ud, int fd, int revents)
{
	(void)revents;
	struct aws_creds *p = ud;
	struct proc *pr = &p->r.proc;
	int is_out = pr->out_open && fd == pr->out_fd;
	int is_err = pr->err_open && fd == pr->err_fd;
	if (!is_out && !is_err)
		return;
	char b[4096];
	for (;;) {
		ssize_t n = read(fd, b, sizeof b);
		if (n > 0) {
			if (is_out) {
				if (pr->out_len + (size_t)n > PROCESS_MAX_STDOUT) {
					explicit_bzero(b, sizeof b);
					res_failf(p, "%s: %s wrote more than %d bytes to stdout", pr->what, pr->argv0,
						  PROCESS_MAX_STDOUT);
					return;
				}
				proc_out_add(pr, b, (size_t)n);
			} else if (pr->err.len < PROCESS_MAX_STDERR) {
				size_t room = PROCESS_MAX_STDERR - pr->err.len;
				buf_add(&pr->err, b, (size_t)n < room ? (size_t)n : room);
			}
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		proc_close_fd(p, is_out); /* end of file, or an error that ends it */
		break;
	}
	explicit_bzero(b, sizeof b);
	if (!pr->out_open && !pr->err_open && pr->pid > 0 && !pr->reap_timer)
		proc_reap(p);
}

static void on_proc_timeout(void *ud)
{
	struct aws_creds *p = ud;
	struct proc *pr = &p->r.proc;
	pr->timer = 0;
	long ms = p->process_timeout_ms;
	if (ms % 1000)
		res_failf(p, "%s: %s did not finish within %ld ms; stopped it", pr->what, pr->argv0, ms);
	else
		res_failf(p, "%s: %s did not finish within %ld s; stopped it", pr->what, pr->argv0, ms / 1000);
}

static int set_fd_flags(int fd, int nonblock)
{
	int f = fcntl(fd, F_GETFD);
	if (f < 0 || fcntl(fd, F_SETFD, f | FD_CLOEXEC) < 0)
		return -1;
	if (nonblock) {
		f = fcntl(fd, F_GETFL);
		if (f < 0 || fcntl(fd, F_SETFL, f | O_NONBLOCK) < 0)
			return -1;
	}
	return 0;
}

static void close_pair(int fds[2])
{
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	fds[0] = fds[1] = -1;
}

static void proc_start(struct aws_creds *p, const struct aws_profile *prof)
{
	struct proc *pr = &p->r.proc;
	struct buf what = {0};
	buf_adds(&what, "credential_process (profile ");
	add_clean(&what, prof->name);
	buf_adds(&what, ")");
	pr->what = buf_steal(&what);
	char **argv = NULL;
	struct buf err = {0};
	if (aws_split_command(prof->credential_process, &argv, &err) < 0) {
		res_failf(p, "%s: %s", pr->what, buf_str(&err));
		buf_free(&err);
		return;
	}
	buf_free(&err);
	pr->argv0 = sanitize_str(argv[0], SANITIZE_ONE_LINE);

	int out[2] = {-1, -1}, er[2] = {-1, -1};
	if (pipe(out) < 0 || pipe(er) < 0 || set_fd_flags(out[0], 1) < 0 || set_fd_flags(out[1], 0) < 0 ||
	    set_fd_flags(er[0], 1) < 0 || set_fd_flags(er[1], 0) < 0) {
		int e = errno;
		close_pair(out);
		close_pair(er);
		aws_argv_free(&argv);
		res_failf(p, "%s: cannot make a pipe: %s", pr->what, strerror(e));
		return;
	}
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	/* No terminal input (relcon owns it), stdout and stderr to us. */
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, er[1], 2);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
	/* Nothing else: curl's sockets are not all close-on-exec. */
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
#endif
	sigset_t none, deflt;
	sigemptyset(&none);
	sigemptyset(&deflt);
	static const int reset[] = {SIGPIPE, SIGINT,  SIGQUIT, SIGTERM, SIGHUP,  SIGCHLD, SIGWINCH,
				    SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU, SIGALRM, SIGUSR1, SIGUSR2};
	for (size_t i = 0; i < sizeof reset / sizeof reset[0]; i++)
		sigaddset(&deflt, reset[i]);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &deflt);
	pid_t pid = 0;
	int rc = posix_spawnp(&pid, argv[0], &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	aws_argv_free(&argv);
	close(out[1]);
	close(er[1]);
	if (rc != 0) {
		close(out[0]);
		close(er[0]);
		res_failf(p, "%s: cannot run %s: %s", pr->what, pr->argv0, strerror(rc));
		return;
	}
	log_msg(LOG_DEBUG, "aws: %s: started %s (pid %ld)", pr->what, pr->argv0, (long)pid);
	pr->pid = pid;
	pr->out_fd = out[0];
	pr->err_fd = er[0];
	pr->out_open = pr->err_open = 1;
	loop_watch_fd(p->loop, pr->out_fd, POLLIN, on_proc_fd, p);
	loop_watch_fd(p->loop, pr->err_fd, POLLIN, on_proc_fd, p);
	pr->timer = loop_timer(p->loop, p->process_timeout_ms, on_proc_timeout, p);
}

/* -- AssumeRole along the chain -- */

static void on_assume(void *ud, const struct aws_resp *resp)
{
	struct aws_creds *p = ud;
	struct resolution *r = &p->r;
	r->aws_id = 0;
	const struct aws_profile *role = r->chain.roles[r->role_i];
	struct buf m = {0};
	buf_adds(&m, "assume role ");
	add_clean(&m, role->role_arn);
	buf_adds(&m, " (profile ");
	add_clean(&m, role->name);
	buf_adds(&m, ")");
	if (resp->error) {
		/* The client's message names the operation and region already. */
		res_failf(p, "%s: %s", buf_str(&m), resp->error);
		buf_free(&m);
		return;
	}
	struct sts_credentials sc;
	struct buf err = {0};
	if (sts_credentials_parse(resp->body, resp->body_len, &sc, &err) < 0) {
		res_failf(p, "%s: %s", buf_str(&m), buf_str(&err));
		buf_free(&err);
		buf_free(&m);
		return;
	}
	buf_free(&err);
	struct aws_credentials c;
	memset(&c, 0, sizeof c);
	c.access_key_id = xstrdup(sc.access_key_id);
	c.secret_access_key = xstrdup(sc.secret_access_key);
	c.session_token = xstrdup(sc.session_token);
	c.expiration = sc.expires;
	c.source = buf_steal(&m);
	sts_credentials_free(&sc);
	creds_register_secrets(&c);
	log_msg(LOG_DEBUG, "aws: %s: ok", c.source);
	aws_credentials_free(&r->cur);
	r->cur = c;
	r->role_i++;
	assume_next(p);
}

static void assume_next(struct aws_creds *p)
{
	struct resolution *r = &p->r;
	if (r->role_i == r->chain.n_roles) {
		struct aws_credentials c = r->cur;
		memset(&r->cur, 0, sizeof r->cur);
		res_ok(p, &c);
		return;
	}
	const struct aws_profile *role = r->chain.roles[r->role_i];
	char *label = profile_label(role->name);
	if (role->mfa_serial) {
		res_failf(p,
			  "%s: mfa_serial is set, and relcon cannot ask for the MFA code; run any aws command with "
			  "--profile %s (the AWS CLI asks and caches the session), and point relcon at another profile "
			  "with credential_process = aws configure export-credentials --profile %s --format process",
			  label, label + strlen("profile "), label + strlen("profile "));
		free(label);
		return;
	}
	if (!p->client) {
		res_failf(p, "%s: role_arn needs STS, but no AWS client is attached (internal error)", label);
		free(label);
		return;
	}
	free(label);
	char session[64];
	if (!role->role_session_name)
		snprintf(session, sizeof session, "relcon-%lld", (long long)time(NULL));
	struct sts_assume_role_req ar = {
		.role_arn = role->role_arn,
		.session_name = role->role_session_name ? role->role_session_name : session,
		.duration_seconds = role->duration_seconds,
		.external_id = role->external_id,
	};
	struct buf body = {0};
	sts_assume_role_body(&body, &ar);
	struct aws_req req = {
		.op = "AssumeRole",
		.service = "sts",
		.body = buf_str(&body),
		.body_len = body.len,
		.creds = &r->cur,
	};
	log_msg(LOG_DEBUG, "aws: assuming %s", role->role_arn);
	r->aws_id = aws_send(p->client, &req, on_assume, p);
	buf_free(&body);
}

/* ---- 3. Container credentials ---- */

static int host_allowed_plain_http(const char *host)
{
	if (!strcasecmp(host, "localhost"))
		return 1;
	unsigned char a[16];
	if (inet_pton(AF_INET, host, a) == 1)
		return a[0] == 127 || (a[0] == 169 && a[1] == 254 && a[2] == 170 && (a[3] == 2 || a[3] == 23));
	size_t n = strlen(host);
	if (n > 2 && host[0] == '[' && host[n - 1] == ']') {
		char v6[64];
		if (n - 2 >= sizeof v6)
			return 0;
		memcpy(v6, host + 1, n - 2);
		v6[n - 2] = '\0';
		if (inet_pton(AF_INET6, v6, a) != 1)
			return 0;
		static const unsigned char loop6[16] = {[15] = 1};
		static const unsigned char ecs6[16] = {0xfd, 0x00, 0x0e, 0xc2, [15] = 0x23};
		return !memcmp(a, loop6, 16) || !memcmp(a, ecs6, 16);
	}
	return 0;
}

/* Check AWS_CONTAINER_CREDENTIALS_FULL_URI as the SDKs do: https, or http
 * to a loopback address or the ECS/EKS agent.  *where gets
 * "scheme://host[:port]" for messages (never the path or query). */
static int check_full_uri(const char *uri, char **where, struct buf *err)
{
	const char *rest;
	int https = 0;
	if (!strncasecmp(uri, "https://", 8)) {
		rest = uri + 8;
		https = 1;
	} else if (!strncasecmp(uri, "http://", 7)) {
		rest = uri + 7;
	} else {
		buf_adds(err, "AWS_CONTAINER_CREDENTIALS_FULL_URI must be an http:// or https:// URL");
		return -1;
	}
	size_t auth_len = strcspn(rest, "/?#");
	if (memchr(rest, '@', auth_len)) {
		buf_adds(err, "AWS_CONTAINER_CREDENTIALS_FULL_URI must not carry a user name or password");
		return -1;
	}
	size_t host_len;
	if (rest[0] == '[') {
		const char *close = memchr(rest, ']', auth_len);
		host_len = close ? (size_t)(close - rest) + 1 : auth_len;
	} else {
		host_len = strcspn(rest, ":/?#");
	}
	if (!host_len) {
		buf_adds(err, "AWS_CONTAINER_CREDENTIALS_FULL_URI has no host");
		return -1;
	}
	char *host = xstrndup(rest, host_len);
	struct buf w = {0};
	buf_add(&w, uri, (size_t)(rest - uri));
	char *clean = sanitize(rest, auth_len, SANITIZE_ONE_LINE, 200);
	buf_adds(&w, clean);
	free(clean);
	if (!https && !host_allowed_plain_http(host)) {
		buf_adds(err,
			 "AWS_CONTAINER_CREDENTIALS_FULL_URI: plain http is allowed only to loopback addresses and "
			 "the ECS/EKS agent (169.254.170.2, 169.254.170.23, fd00:ec2::23); ");
		add_clean(err, host);
		buf_adds(err, " needs https");
		free(host);
		buf_free(&w);
		return -1;
	}
	free(host);
	*where = buf_steal(&w);
	return 0;
}

/* The authorization token: the file (read afresh each time: EKS rotates
 * it) wins over the variable.  Returns 0 with *token (NULL: none), or -1. */
static int container_token(char **token, struct buf *err)
{
	*token = NULL;
	const char *path = env_get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	if (path) {
		FILE *f = fopen(path, "re");
		if (!f) {
			buf_adds(err, "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE ");
			add_path(err, path);
			buf_printf(err, ": %s", strerror(errno));
			return -1;
		}
		char *t = xmalloc(16384 + 1);
		size_t n = fread(t, 1, 16384, f);
		int bad = ferror(f) || !feof(f);
		fclose(f);
		t[n] = '\0';
		while (n && (t[n - 1] == '\n' || t[n - 1] == '\r' || t[n - 1] == ' '))
			t[--n] = '\0';
		if (bad || !n) {
			explicit_bzero(t, 16384 + 1);
			free(t);
			buf_adds(err, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE ");
			add_path(err, path);
			buf_adds(err, bad ? " is unreadable or too large" : " is empty");
			return -1;
		}
		*token = t;
	} else if (env_get("AWS_CONTAINER_AUTHORIZATION_TOKEN")) {
		*token = xstrdup(env_get("AWS_CONTAINER_AUTHORIZATION_TOKEN"));
	}
	if (*token && strpbrk(*token, "\r\n")) {
		wipe_free(*token);
		*token = NULL;
		buf_adds(err, "the container authorization token contains a line break");
		return -1;
	}
	if (*token)
		log_add_secret(*token);
	return 0;
}

static void on_container(void *ud, const struct http_resp *resp)
{
	struct aws_creds *p = ud;
	struct resolution *r = &p->r;
	r->http_id = 0;
	struct buf m = {0};
	buf_printf(&m, "container credentials (%s)", r->where);
	if (resp->status == 0) {
		res_failf(p, "%s: %s: %s", buf_str(&m), resp->timed_out ? "timed out" : "no answer",
			  resp->error ? resp->error : "");
		buf_free(&m);
		return;
	}
	if (resp->status != 200) {
		buf_printf(&m, ": HTTP %ld", resp->status);
		/* ECS/EKS agents answer errors as {"code": ..., "message": ...}. */
		struct buf ignore = {0};
		struct json_object *o = json_parse_text(resp->body, resp->body_len, &ignore);
		const char *msg = json_get_str(o, "message");
		if (!msg)
			msg = json_get_str(o, "Message");
		char *c = msg ? sanitize(msg, strlen(msg), SANITIZE_ONE_LINE, 300)
			      : sanitize(resp->body, resp->body_len, SANITIZE_FIRST_LINE, 200);
		if (*c)
			buf_printf(&m, ": %s", c);
		free(c);
		json_object_put(o);
		buf_free(&ignore);
		res_fail(p, buf_str(&m));
		buf_free(&m);
		return;
	}
	buf_free(&m);
	struct aws_credentials c;
	struct buf err = {0};
	if (parse_json(&c, resp->body, resp->body_len, "container", 0, &err) < 0)
		res_fail(p, buf_str(&err));
	else
		got(p, &c);
	buf_free(&err);
}

/* Returns 1 when the request is on its way, 0 when no container
 * credentials are configured, -1 with err. */
static int container_begin(struct aws_creds *p, struct buf *err)
{
	struct resolution *r = &p->r;
	const char *rel = env_get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = env_get("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	struct buf url = {0};
	if (rel) {
		buf_adds(&url, CONTAINER_HOST);
		if (*rel != '/')
			buf_addc(&url, '/');
		buf_adds(&url, rel);
		free(r->where);
		r->where = xstrdup(CONTAINER_HOST);
	} else if (full) {
		free(r->where);
		r->where = NULL;
		if (check_full_uri(full, &r->where, err) < 0)
			return -1;
		buf_adds(&url, full);
	} else {
		return 0;
	}
	char *token = NULL;
	if (container_token(&token, err) < 0) {
		buf_free(&url);
		return -1;
	}
	struct buf auth = {0};
	const char *headers[3] = {"Accept: application/json", NULL, NULL};
	if (token) {
		buf_printf(&auth, "Authorization: %s", token);
		headers[1] = buf_str(&auth);
	}
	/* The relative URI identifies the task's credentials: keep it out of the log too. */
	const char *secrets[3] = {NULL, NULL, NULL};
	size_t ns = 0;
	if (token)
		secrets[ns++] = token;
	if (rel)
		secrets[ns++] = rel;
	struct http_req req = {
		.method = "GET",
		.url = buf_str(&url),
		.headers = headers,
		.timeout_ms = CONTAINER_TIMEOUT_MS,
		.max_attempts = CONTAINER_ATTEMPTS,
		.retry = HTTP_RETRY_IDEMPOTENT,
		.secrets = secrets,
	};
	r->http_id = http_send(p->http, &req, on_container, p);
	if (auth.s)
		explicit_bzero(auth.s, auth.len);
	buf_free(&auth);
	wipe_free(token);
	buf_free(&url);
	return 1;
}

static void step_container(struct aws_creds *p)
{
	struct buf err = {0};
	int rc = container_begin(p, &err);
	if (rc < 0) {
		res_failf(p, "container credentials: %s", buf_str(&err));
	} else if (rc == 0) {
		note(p, "container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI not "
			"set");
		step_imds(p);
	}
	buf_free(&err);
}

/* ---- 4. EC2 instance metadata (IMDSv2) ---- */

static const char *imds_label(const struct resolution *r)
{
	return r->imds_v1 ? "instance metadata (IMDSv1)" : "instance metadata (IMDSv2)";
}

static void imds_send(struct aws_creds *p, const char *method, const char *path, http_done_fn fn)
{
	struct resolution *r = &p->r;
	struct buf url = {0}, h = {0};
	buf_printf(&url, "%s%s", r->imds_base, path);
	if (r->imds_token)
		buf_printf(&h, "X-aws-ec2-metadata-token: %s", r->imds_token);
	else if (!strcmp(method, "PUT"))
		buf_adds(&h, "X-aws-ec2-metadata-token-ttl-seconds: 21600");
	const char *headers[] = {h.len ? buf_str(&h) : NULL, NULL};
	const char *secrets[] = {r->imds_token, NULL};
	long timeout = IMDS_TIMEOUT_MS;
	const char *t = env_get("AWS_METADATA_SERVICE_TIMEOUT");
	if (t && strtod(t, NULL) > 0)
		timeout = (long)(strtod(t, NULL) * 1000);
	int attempts = 1;
	const char *a = env_get("AWS_METADATA_SERVICE_NUM_ATTEMPTS");
	if (a && atoi(a) > 1 && atoi(a) <= 10)
		attempts = atoi(a);
	struct http_req req = {
		.method = method,
		.url = buf_str(&url),
		.headers = headers,
		.body = strcmp(method, "PUT") ? NULL : "",
		.timeout_ms = timeout,
		.max_attempts = attempts,
		.retry = attempts > 1 ? HTTP_RETRY_IDEMPOTENT : HTTP_RETRY_NEVER,
		.secrets = secrets,
	};
	r->http_id = http_send(p->http, &req, fn, p);
	if (h.s)
		explicit_bzero(h.s, h.len);
	buf_free(&h);
	buf_free(&url);
}

/* Not there (no answer, no role): skip it, unless it is the
 * credential_source of a role. */
static void imds_absent(struct aws_creds *p, const char *why)
{
	struct resolution *r = &p->r;
	if (r->purpose == FOR_ROLE) {
		char *label = profile_label(r->chain.roles[0]->name);
		res_failf(p, "%s has credential_source = Ec2InstanceMetadata, but %s at %s: %s", label, imds_label(r),
			  r->imds_base, why);
		free(label);
		return;
	}
	note(p, "%s at %s: %s", imds_label(r), r->imds_base, why);
	nothing_found(p);
}

static void imds_failed(struct aws_creds *p, const char *step, const struct http_resp *resp)
{
	struct resolution *r = &p->r;
	if (resp->status == 0)
		res_failf(p, "%s at %s: %s: %s", imds_label(r), r->imds_base, step,
			  resp->error ? resp->error : "no answer");
	else
		res_failf(p, "%s at %s: %s: HTTP %ld", imds_label(r), r->imds_base, step, resp->status);
}

static int role_name_ok(const char *s)
{
	/* IAM role names: [A-Za-z0-9+=,.@_-]{1,64}. */
	size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+=,.@_-");
	return n && n <= 64 && !s[n];
}

static void on_imds_creds(void *ud, const struct http_resp *resp)
{
	struct aws_creds *p = ud;
	struct resolution *r = &p->r;
	r->http_id = 0;
	if (resp->status != 200) {
		imds_failed(p, "credentials request", resp);
		return;
	}
	struct aws_credentials c;
	struct buf err = {0};
	if (parse_json(&c, resp->body, resp->body_len, imds_label(r), 0, &err) < 0)
		res_fail(p, buf_str(&err));
	else
		got(p, &c);
	buf_free(&err);
}

static void on_imds_role(void *ud, const struct http_resp *resp)
{
	struct aws_creds *p = ud;
	struct resolution *r = &p->r;
	r->http_id = 0;
	if (resp->status == 404) {
		imds_absent(p, "the instance has no IAM role (instance profile)");
		return;
	}
	if (resp->status != 200) {
		imds_failed(p, "role name request", resp);
		return;
	}
	size_t n = strcspn(resp->body, "\r\n");
	char *role = xstrndup(resp->body, n);
	if (!*role) {
		free(role);
		imds_absent(p, "the instance has no IAM role (instance profile)");
		return;
	}
	if (!role_name_ok(role)) {
		free(role);
		res_failf(p, "%s at %s: the role name it gave is not a valid IAM role name", imds_label(r),
			  r->imds_base);
		return;
	}
	struct buf path = {0};
	buf_printf(&path, IMDS_CREDS_PATH "%s", role);
	free(role);
	imds_send(p, "GET", buf_str(&path), on_imds_creds);
	buf_free(&path);
}

static void on_imds_token(void *ud, const struct http_resp *resp)
{
	struct aws_creds *p = ud;
	struct resolution *r = &p->r;
	r->http_id = 0;
	if (resp->status == 0) {
		struct buf why = {0};
		buf_printf(&why, "no answer, so not on EC2 (%s)", resp->error ? resp->error : "no response");
		imds_absent(p, buf_str(&why));
		buf_free(&why);
		return;
	}
	if (resp->status == 403 || resp->status == 404 || resp->status == 405) {
		/* As botocore does: an endpoint without tokens is IMDSv1. */
		r->imds_v1 = 1;
	} else if (resp->status == 200) {
		size_t n = resp->body_len;
		while (n && (resp->body[n - 1] == '\n' || resp->body[n - 1] == '\r' || resp->body[n - 1] == ' '))
			n--;
		if (!n || memchr(resp->body, '\n', n) || memchr(resp->body, '\r', n) || memchr(resp->body, '\0', n)) {
			res_failf(p, "%s at %s: the session token it gave is not usable", imds_label(r), r->imds_base);
			return;
		}
		r->imds_token = xstrndup(resp->body, n);
		log_add_secret(r->imds_token);
	} else {
		imds_failed(p, "token request (PUT /latest/api/token)", resp);
		return;
	}
	imds_send(p, "GET", IMDS_CREDS_PATH, on_imds_role);
}

static void step_imds(struct aws_creds *p)
{
	struct resolution *r = &p->r;
	const char *off = env_get("AWS_EC2_METADATA_DISABLED");
	if (off && !strcasecmp(off, "true")) {
		if (r->purpose == FOR_ROLE) {
			char *label = profile_label(r->chain.roles[0]->name);
			res_failf(p,
				  "%s has credential_source = Ec2InstanceMetadata, but AWS_EC2_METADATA_DISABLED=true",
				  label);
			free(label);
			return;
		}
		note(p, "instance metadata: AWS_EC2_METADATA_DISABLED=true");
		nothing_found(p);
		return;
	}
	const char *ep = env_get("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	const char *mode = env_get("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
	struct buf base = {0};
	if (ep) {
		char *clean = sanitize_str(ep, SANITIZE_ONE_LINE);
		buf_adds(&base, clean);
		free(clean);
	} else {
		buf_adds(&base, mode && !strcasecmp(mode, "IPv6") ? IMDS_HOST_V6 : IMDS_HOST);
	}
	while (base.len && base.s[base.len - 1] == '/')
		base.s[--base.len] = '\0';
	r->imds_base = buf_steal(&base);
	r->imds_v1 = 0;
	imds_send(p, "PUT", "/latest/api/token", on_imds_token);
}
