/* release/launch.c - see launch.h. */
#include "release/launch.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include <json-c/json.h>

#include "aws/cfn.h"
#include "aws/client.h"
#include "aws/ec2.h"
#include "aws/sts.h"
#include "core/audit.h"
#include "core/config.h"
#include "core/http.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "release/context.h"

enum call { C_SUMMARY, C_KEYS, C_IDENTITY, C_IP, C_COUNT };

struct launch {
	struct aws_client *aws;
	struct http *http;
	const struct config *cfg;
	struct launch_plan p;
	launch_fn fn;
	void *ud;
	unsigned long calls[C_COUNT];
	int pending;
	struct buf problems; /* what failed while preparing */
	char **req_params;   /* the operator's "Key=Value" */
	size_t nreq_params;
	char *req_key;
	char *ip_url; /* the URL asked for the operator's IP */
	launch_created_fn created_fn;
	void *created_ud;
	struct context *ctx; /* for the journal */
	char journal_id[AUDIT_ID_LEN + 1];
	unsigned long create_call;
	char **tcaps; /* what the template summary says CreateStack must acknowledge */
	size_t ntcaps;
};

const char *launch_source_name(enum launch_source s)
{
	static const char *const names[] = {"unset", "template default", "relcon", "config", "you"};
	return names[s];
}

long launch_parse_ttl(const char *s)
{
	if (!s || !isdigit((unsigned char)*s))
		return -1;
	char *end;
	long n = strtol(s, &end, 10);
	long unit = 1;
	if (!strcmp(end, "d"))
		unit = 86400;
	else if (!strcmp(end, "h"))
		unit = 3600;
	else if (!strcmp(end, "m"))
		unit = 60;
	else if (*end && strcmp(end, "s"))
		return -1;
	if (n <= 0 || n > 30L * 86400 / unit)
		return -1;
	long secs = n * unit;
	return secs < 600 ? -1 : secs;
}

static const char *user_name(void)
{
	const char *u = getenv("USER");
	return u && *u ? u : "relcon";
}

/* pattern with <KEY> <COMMIT> <REGION> <ACCOUNT> <USER> replaced. */
static char *expand(const struct launch_plan *p, const char *pattern, const char *key)
{
	static const char *const names[] = {"<KEY>", "<COMMIT>", "<REGION>", "<ACCOUNT>", "<USER>"};
	const char *values[] = {key, p->commit, p->region, p->account, user_name()};
	struct buf b = {0};
	for (const char *s = pattern; *s;) {
		size_t i;
		for (i = 0; i < sizeof names / sizeof names[0]; i++)
			if (!strncmp(s, names[i], strlen(names[i])))
				break;
		if (i < sizeof names / sizeof names[0]) {
			buf_adds(&b, values[i] ? values[i] : "");
			s += strlen(names[i]);
		} else {
			buf_addc(&b, *s++);
		}
	}
	return buf_steal(&b);
}

static struct launch_param *param(struct launch_plan *p, const char *key)
{
	for (size_t i = 0; key && i < p->nparams; i++)
		if (!strcmp(p->params[i].key, key))
			return &p->params[i];
	return NULL;
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = v ? xstrdup(v) : NULL;
}

static void add_tag(struct launch_plan *p, const char *k, const char *v)
{
	p->tag_keys = xrealloc(p->tag_keys, (p->ntags + 1) * sizeof *p->tag_keys);
	p->tag_values = xrealloc(p->tag_values, (p->ntags + 1) * sizeof *p->tag_values);
	p->tag_keys[p->ntags] = xstrdup(k);
	p->tag_values[p->ntags++] = xstrdup(v ? v : "");
}

static void free_tags(struct launch_plan *p)
{
	for (size_t i = 0; i < p->ntags; i++) {
		free(p->tag_keys[i]);
		free(p->tag_values[i]);
	}
	free(p->tag_keys);
	free(p->tag_values);
	p->tag_keys = p->tag_values = NULL;
	p->ntags = 0;
}

/* Work out every value again after a change. */
static void resolve(struct launch *l)
{
	struct launch_plan *p = &l->p;
	struct launch_param *kp = param(p, p->key_param);
	for (size_t i = 0; i < p->nparams; i++) {
		struct launch_param *q = &p->params[i];
		const char *v = NULL;
		enum launch_source src = LAUNCH_UNSET;
		if (q->operator_value)
			v = q->operator_value, src = LAUNCH_OPERATOR;
		else if (q->config_value)
			v = q->config_value, src = LAUNCH_CONFIG;
		else if (q->relcon_value)
			v = q->relcon_value, src = LAUNCH_RELCON;
		else if (q->default_value)
			v = q->default_value, src = LAUNCH_TEMPLATE;
		set_str(&q->value, v);
		q->source = src;
	}
	if (!p->stack_name_set) {
		free(p->stack_name);
		p->stack_name = expand(p, l->cfg->launch_stack_name, kp && kp->value ? kp->value : "");
	}
	struct buf b = {0};
	p->expires = time_now() + p->ttl_seconds;
	time_iso(&b, p->expires);
	free(p->expires_text);
	p->expires_text = buf_steal(&b);
	free_tags(p);
	add_tag(p, "created-by", "relcon");
	add_tag(p, "owner", p->owner);
	add_tag(p, "commit", p->commit);
	add_tag(p, "relcon:expires-at", p->expires_text);
	add_tag(p, "cloud-nuke-after", p->expires_text);
}

/* Append one line (a problem) to b. */
static void add_line(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_line(struct buf *b, const char *fmt, ...)
{
	if (b->len)
		buf_addc(b, '\n');
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_capability(struct launch_plan *p, const char *c)
{
	for (size_t i = 0; i < p->ncapabilities; i++)
		if (!strcmp(p->capabilities[i], c))
			return;
	p->capabilities = xrealloc(p->capabilities, (p->ncapabilities + 1) * sizeof *p->capabilities);
	p->capabilities[p->ncapabilities++] = xstrdup(c);
}

/* Every answer is in: build the plan. */
static void finish(struct launch *l)
{
	struct launch_plan *p = &l->p;
	if (!p->nparams && !l->problems.len)
		add_line(&l->problems, "%s declares no parameters: is it a super-stack template?", p->template_name);
	/* launch.params from the config (only those the template has). */
	for (size_t i = 0; i < l->cfg->launch_params.n; i++) {
		const char *kv = l->cfg->launch_params.v[i], *eq = strchr(kv, '=');
		if (!eq)
			continue;
		char *k = xstrndup(kv, (size_t)(eq - kv));
		struct launch_param *q = param(p, k);
		if (q) {
			free(q->config_value);
			q->config_value = expand(p, eq + 1, NULL);
		}
		free(k);
	}
	/* The key pair: the operator's, else $USER's, else the only one. */
	struct launch_param *kp = param(p, p->key_param);
	if (kp) {
		if (l->req_key) {
			set_str(&kp->operator_value, l->req_key);
		} else {
			for (size_t i = 0; i < p->nkey_pairs; i++)
				if (!strcmp(p->key_pairs[i], user_name()))
					set_str(&kp->relcon_value, p->key_pairs[i]);
			if (!kp->relcon_value && p->nkey_pairs == 1)
				set_str(&kp->relcon_value, p->key_pairs[0]);
		}
	} else if (l->req_key && p->nparams) {
		add_line(&l->problems, "%s has no key pair parameter (of type AWS::EC2::KeyPair::KeyName)",
			 p->template_name);
	}
	struct launch_param *cidr = param(p, "AccessCIDR");
	if (cidr && p->operator_ip) {
		struct buf b = {0};
		buf_printf(&b, "%s/32", p->operator_ip);
		set_str(&cidr->relcon_value, buf_str(&b));
		buf_free(&b);
	}
	for (size_t i = 0; i < l->nreq_params; i++) {
		const char *kv = l->req_params[i], *eq = strchr(kv, '=');
		char *k = eq ? xstrndup(kv, (size_t)(eq - kv)) : xstrdup(kv);
		struct launch_param *q = param(p, k);
		if (!eq)
			add_line(&l->problems, "--param %s: expected Key=Value", kv);
		else if (!q && p->nparams)
			add_line(&l->problems, "--param %s: %s has no such parameter", k, p->template_name);
		else if (q)
			set_str(&q->operator_value, eq + 1);
		free(k);
	}
	/* CAPABILITY_IAM always (the script passed it), plus what the template says. */
	p->capabilities = xcalloc(1, sizeof *p->capabilities);
	p->capabilities[p->ncapabilities++] = xstrdup("CAPABILITY_IAM");
	for (size_t i = 0; i < l->ntcaps; i++)
		add_capability(p, l->tcaps[i]);
	resolve(l);
	if (l->problems.len) {
		p->state = FETCH_FAILED;
		p->error = buf_steal(&l->problems);
	} else {
		p->state = FETCH_DONE;
	}
	l->fn(l->ud, p);
}

static void answered(struct launch *l)
{
	if (--l->pending == 0)
		finish(l);
}

static void on_summary(void *ud, const struct aws_resp *r)
{
	struct launch *l = ud;
	struct launch_plan *p = &l->p;
	l->calls[C_SUMMARY] = 0;
	struct cfn_template_summary s;
	struct buf err = {0};
	if (r->error) {
		add_line(&l->problems, "the template %s could not be read: %s", p->template_url, r->error);
	} else if (cfn_template_summary_parse(r->body, r->body_len, &s, &err) < 0) {
		add_line(&l->problems, "%s", buf_str(&err));
	} else {
		p->params = xcalloc(s.nparams + 1, sizeof *p->params);
		for (size_t i = 0; i < s.nparams; i++) {
			struct cfn_template_param *t = &s.params[i];
			struct launch_param *q = &p->params[p->nparams++];
			q->key = xstrdup(t->key);
			q->type = xstrdup(t->type ? t->type : "String");
			q->description = t->description ? xstrdup(t->description) : NULL;
			q->default_value = t->default_value ? xstrdup(t->default_value) : NULL;
			q->no_echo = t->no_echo;
			q->allowed = t->allowed_values;
			q->nallowed = t->nallowed;
			t->allowed_values = NULL;
			t->nallowed = 0;
			if (!p->key_param && !strcmp(q->type, "AWS::EC2::KeyPair::KeyName"))
				p->key_param = xstrdup(q->key);
		}
		/* Kept until finish() adds CAPABILITY_IAM first. */
		for (size_t i = 0; i < s.ncapabilities; i++) {
			l->tcaps = xrealloc(l->tcaps, (l->ntcaps + 1) * sizeof *l->tcaps);
			l->tcaps[l->ntcaps++] = xstrdup(s.capabilities[i]);
		}
		cfn_template_summary_free(&s);
	}
	buf_free(&err);
	answered(l);
}

static void on_keys(void *ud, const struct aws_resp *r)
{
	struct launch *l = ud;
	struct launch_plan *p = &l->p;
	l->calls[C_KEYS] = 0;
	struct ec2_key_pairs k;
	struct buf err = {0};
	if (r->error) {
		add_line(&l->problems, "the key pairs could not be listed: %s", r->error);
	} else if (ec2_key_pairs_parse(r->body, r->body_len, &k, &err) < 0) {
		add_line(&l->problems, "%s", buf_str(&err));
	} else {
		p->key_pairs = xcalloc(k.n + 1, sizeof *p->key_pairs);
		for (size_t i = 0; i < k.n; i++)
			p->key_pairs[p->nkey_pairs++] = xstrdup(k.v[i].name);
		qsort(p->key_pairs, p->nkey_pairs, sizeof *p->key_pairs, cmp_str);
		ec2_key_pairs_free(&k);
	}
	buf_free(&err);
	answered(l);
}

static void on_identity(void *ud, const struct aws_resp *r)
{
	struct launch *l = ud;
	struct launch_plan *p = &l->p;
	l->calls[C_IDENTITY] = 0;
	struct sts_identity id;
	struct buf err = {0};
	if (r->error) {
		add_line(&l->problems, "who you are in AWS could not be learned (for the owner tag): %s", r->error);
	} else if (sts_identity_parse(r->body, r->body_len, &id, &err) < 0) {
		add_line(&l->problems, "%s", buf_str(&err));
	} else {
		p->account = xstrdup(id.account);
		p->owner = xstrdup(id.arn);
		sts_identity_free(&id);
	}
	buf_free(&err);
	answered(l);
}

/* The body must be one IPv4 or IPv6 address (checkip answers "a.b.c.d\n"). */
static void on_ip(void *ud, const struct http_resp *r)
{
	struct launch *l = ud;
	struct launch_plan *p = &l->p;
	l->calls[C_IP] = 0;
	struct buf err = {0};
	if (r->status != 200) {
		buf_printf(&err, "%s: %s", l->ip_url,
			   r->status ? "unexpected HTTP status" : (r->error ? r->error : "no answer"));
		if (r->status)
			buf_printf(&err, " %ld", r->status);
	} else {
		char ip[64] = "";
		size_t n = r->body_len < sizeof ip - 1 ? r->body_len : sizeof ip - 1;
		memcpy(ip, r->body, n);
		while (n && isspace((unsigned char)ip[n - 1]))
			ip[--n] = 0;
		unsigned char addr[16];
		if (inet_pton(AF_INET, ip, addr) == 1)
			p->operator_ip = xstrdup(ip);
		else
			buf_printf(&err, "%s did not answer an IPv4 address", l->ip_url);
	}
	if (err.len)
		p->operator_ip_error = buf_steal(&err);
	buf_free(&err);
	answered(l);
}

static char *new_token(void)
{
	unsigned char rnd[16];
	if (RAND_bytes(rnd, sizeof rnd) != 1)
		memset(rnd, 0, sizeof rnd);
	struct buf b = {0};
	buf_adds(&b, "relcon-launch-");
	for (size_t i = 0; i < sizeof rnd; i++)
		buf_printf(&b, "%02x", rnd[i]);
	return buf_steal(&b);
}

static void aws_call(struct launch *l, enum call c, const char *op, const char *service, struct buf *body,
		     aws_done_fn fn)
{
	struct aws_req req = {.op = op, .service = service, .body = buf_str(body), .body_len = body->len};
	l->pending++;
	l->calls[c] = aws_send(l->aws, &req, fn, l);
}

struct launch *launch_prepare(struct aws_client *aws, struct http *http, const struct config *cfg,
			      const struct launch_request *req, launch_fn fn, void *ud)
{
	struct launch *l = xcalloc(1, sizeof *l);
	struct launch_plan *p = &l->p;
	l->aws = aws;
	l->http = http;
	l->cfg = cfg;
	l->fn = fn;
	l->ud = ud;
	p->state = FETCH_LOADING;
	p->commit = xstrdup(req->commit);
	p->region = xstrdup(aws_client_region(aws));
	p->template_name = xstrdup(cfg->launch_template);
	p->disable_rollback = cfg->launch_disable_rollback != 0;
	p->token = new_token();
	if (req->stack_name) {
		p->stack_name = xstrdup(req->stack_name);
		p->stack_name_set = 1;
	}
	l->req_key = req->key_name ? xstrdup(req->key_name) : NULL;
	l->req_params = xcalloc(req->nparams + 1, sizeof *l->req_params);
	for (size_t i = 0; i < req->nparams; i++)
		l->req_params[l->nreq_params++] = xstrdup(req->params[i]);
	p->ttl_seconds = req->ttl_seconds > 0 ? req->ttl_seconds : launch_parse_ttl(cfg->launch_ttl);
	if (p->ttl_seconds < 0) {
		add_line(&l->problems, "launch.ttl: \"%s\" is not a duration between 10m and 30d (8h, 90m, 2d)",
			 cfg->launch_ttl);
		p->ttl_seconds = 8 * 3600;
	}

	struct buf body = {0}, err = {0}, url = {0};
	char *prefix = lineage_prefix(cfg->aws_internal_prefix, req->commit, NULL);
	buf_printf(&body, "%s%s", prefix, cfg->launch_template);
	free(prefix);
	if (aws_client_object_url(aws, &url, cfg->aws_region, cfg->aws_internal_bucket, buf_str(&body), &err) < 0)
		add_line(&l->problems, "the template URL: %s", buf_str(&err));
	p->template_url = buf_steal(&url);
	buf_free(&err);

	/* Everything at once: none of these needs another's answer. */
	l->pending = 1; /* held until every request is out */
	cfn_get_template_summary_body(&body, p->template_url);
	aws_call(l, C_SUMMARY, "GetTemplateSummary", "cloudformation", &body, on_summary);
	ec2_describe_key_pairs_body(&body, NULL, 0);
	aws_call(l, C_KEYS, "DescribeKeyPairs", "ec2", &body, on_keys);
	sts_get_caller_identity_body(&body);
	aws_call(l, C_IDENTITY, "GetCallerIdentity", "sts", &body, on_identity);
	buf_free(&body);
	const char *ip_url = getenv("RELCON_IP_URL");
	if (!ip_url || !*ip_url)
		ip_url = cfg->launch_ip_url;
	if (ip_url && *ip_url) {
		l->ip_url = xstrdup(ip_url);
		struct http_req hr = {.url = ip_url, .timeout_ms = 10000, .max_attempts = 2};
		l->pending++;
		l->calls[C_IP] = http_send(http, &hr, on_ip, l);
	} else {
		p->operator_ip_error = xstrdup("launch.ip_url is empty");
	}
	l->pending--; /* every answer comes later, from the loop */
	return l;
}

const struct launch_plan *launch_plan(const struct launch *l)
{
	return &l->p;
}

int launch_set_param(struct launch *l, const char *key, const char *value, struct buf *err)
{
	struct launch_param *q = param(&l->p, key);
	if (!q) {
		buf_printf(err, "%s has no parameter %s", l->p.template_name, key);
		return -1;
	}
	set_str(&q->operator_value, value && *value ? value : NULL);
	resolve(l);
	return 0;
}

int launch_set_stack_name(struct launch *l, const char *name, struct buf *err)
{
	(void)err;
	l->p.stack_name_set = name && *name;
	if (l->p.stack_name_set)
		set_str(&l->p.stack_name, name);
	resolve(l);
	return 0;
}

int launch_set_ttl(struct launch *l, const char *ttl, struct buf *err)
{
	long s = launch_parse_ttl(ttl);
	if (s < 0) {
		buf_printf(err, "\"%s\" is not a duration between 10m and 30d (8h, 90m, 2d)", ttl ? ttl : "");
		return -1;
	}
	l->p.ttl_seconds = s;
	resolve(l);
	return 0;
}

static int valid_stack_name(const char *s)
{
	if (!s || !isalpha((unsigned char)*s) || strlen(s) > 128)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-')
			return 0;
	return 1;
}

static int in_list(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return 1;
	return 0;
}

static int valid_cidr(const char *s)
{
	const char *slash = strchr(s, '/');
	if (!slash || slash - s >= 40)
		return 0;
	char ip[40];
	memcpy(ip, s, (size_t)(slash - s));
	ip[slash - s] = 0;
	unsigned char addr[16];
	char *end;
	long bits = strtol(slash + 1, &end, 10);
	return inet_pton(AF_INET, ip, addr) == 1 && slash[1] && !*end && bits >= 0 && bits <= 32;
}

char *launch_check_stack_name(const char *name)
{
	if (valid_stack_name(name))
		return NULL;
	struct buf b = {0};
	buf_printf(&b,
		   "stack name \"%s\": must start with a letter and hold only letters, digits and hyphens (at "
		   "most 128)",
		   name ? name : "");
	return buf_steal(&b);
}

char *launch_check_param(const struct launch_plan *p, const char *key, const char *value)
{
	const struct launch_param *q = NULL;
	for (size_t i = 0; i < p->nparams; i++)
		if (!strcmp(p->params[i].key, key))
			q = &p->params[i];
	struct buf b = {0};
	if (!q) {
		buf_printf(&b, "%s: no such parameter", key);
	} else if (!value || !*value) {
		if (!q->default_value) {
			buf_printf(&b, "%s: no value", key);
			if (!strcmp(key, "AccessCIDR") && p->operator_ip_error)
				buf_printf(&b, " (your public IP is unknown: %s)", p->operator_ip_error);
		}
	} else if (q->nallowed && !in_list(q->allowed, q->nallowed, value)) {
		buf_printf(&b, "%s: \"%s\" is not one of its allowed values (", key, value);
		for (size_t k = 0; k < q->nallowed; k++)
			buf_printf(&b, "%s%s", k ? ", " : "", q->allowed[k]);
		buf_addc(&b, ')');
	} else if (p->key_param && !strcmp(key, p->key_param) && !in_list(p->key_pairs, p->nkey_pairs, value)) {
		buf_printf(&b, "%s: key pair \"%s\" does not exist in %s (", key, value, p->region);
		for (size_t k = 0; k < p->nkey_pairs; k++)
			buf_printf(&b, "%s%s", k ? ", " : "", p->key_pairs[k]);
		buf_adds(&b, p->nkey_pairs ? ")" : "none)");
	} else if (!strcmp(key, "AccessCIDR") && !valid_cidr(value)) {
		buf_printf(&b, "AccessCIDR: \"%s\" is not an IPv4 CIDR block such as 203.0.113.7/32", value);
	}
	if (!b.len) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

int launch_check(const struct launch_plan *p, int read_only, struct buf *why)
{
	size_t before = why->len;
	if (read_only)
		add_line(why, "relcon is read-only: launch refused");
	if (p->state != FETCH_DONE) {
		add_line(why, "%s", p->error ? p->error : "the plan is not ready");
		return -1;
	}
	char *msg = launch_check_stack_name(p->stack_name);
	if (msg)
		add_line(why, "%s", msg);
	free(msg);
	for (size_t i = 0; i < p->nparams; i++) {
		msg = launch_check_param(p, p->params[i].key, p->params[i].value);
		if (msg)
			add_line(why, "%s", msg);
		free(msg);
	}
	return why->len > before ? -1 : 0;
}

void launch_describe(const struct launch_plan *p, struct buf *out)
{
	buf_printf(out, "Template      %s\n", p->template_url ? p->template_url : "");
	buf_printf(out, "Stack         %s in %s, account %s\n", p->stack_name ? p->stack_name : "", p->region,
		   p->account ? p->account : "?");
	buf_printf(out, "Commit        %s\n", p->commit);
	buf_printf(out, "Owner         %s\n", p->owner ? p->owner : "?");
	buf_adds(out, "Parameters\n");
	int kw = 10, vw = 10;
	for (size_t i = 0; i < p->nparams; i++) {
		const struct launch_param *q = &p->params[i];
		int k = (int)strlen(q->key), v = q->value && !q->no_echo ? (int)strlen(q->value) : 10;
		kw = k > kw ? k : kw;
		vw = v > vw ? v : vw;
	}
	vw = vw > 64 ? 64 : vw;
	for (size_t i = 0; i < p->nparams; i++) {
		const struct launch_param *q = &p->params[i];
		const char *v = !q->value ? "(no value)" : q->no_echo ? "****" : q->value;
		buf_printf(out, "  %-*s  %-*s  %s\n", kw, q->key, vw, v, launch_source_name(q->source));
	}
	buf_adds(out, "Capabilities  ");
	for (size_t i = 0; i < p->ncapabilities; i++)
		buf_printf(out, "%s%s", i ? ", " : "", p->capabilities[i]);
	buf_printf(out, "\nRollback      %s\n",
		   p->disable_rollback ? "disabled: a failed launch keeps its resources for inspection"
				       : "on: a failed launch is rolled back");
	buf_printf(out, "Expires       %s (in ", p->expires_text ? p->expires_text : "");
	time_age(out, 1, 1 + p->ttl_seconds);
	buf_adds(out, ")\n");
	for (size_t i = 0; i < p->ntags; i++)
		buf_printf(out, "%-14s%s=%s\n", i ? "" : "Tags", p->tag_keys[i], p->tag_values[i]);
	buf_printf(out, "Token         %s\n", p->token);
}

static json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

json_object *launch_plan_json(const struct launch_plan *p)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "stack_name", str_or_null(p->stack_name));
	json_object_object_add(o, "template_url", str_or_null(p->template_url));
	json_object_object_add(o, "commit", str_or_null(p->commit));
	json_object_object_add(o, "region", str_or_null(p->region));
	json_object_object_add(o, "account", str_or_null(p->account));
	json_object *params = json_object_new_array();
	for (size_t i = 0; i < p->nparams; i++) {
		const struct launch_param *q = &p->params[i];
		json_object *po = json_object_new_object();
		json_object_object_add(po, "key", str_or_null(q->key));
		json_object_object_add(po, "value", str_or_null(q->no_echo && q->value ? "(secret)" : q->value));
		json_object_object_add(po, "source", str_or_null(launch_source_name(q->source)));
		json_object_array_add(params, po);
	}
	json_object_object_add(o, "parameters", params);
	json_object *caps = json_object_new_array();
	for (size_t i = 0; i < p->ncapabilities; i++)
		json_object_array_add(caps, json_object_new_string(p->capabilities[i]));
	json_object_object_add(o, "capabilities", caps);
	json_object_object_add(o, "disable_rollback", json_object_new_boolean(p->disable_rollback));
	json_object *tags = json_object_new_object();
	for (size_t i = 0; i < p->ntags; i++)
		json_object_object_add(tags, p->tag_keys[i], json_object_new_string(p->tag_values[i]));
	json_object_object_add(o, "tags", tags);
	json_object_object_add(o, "expires_at", str_or_null(p->expires_text));
	json_object_object_add(o, "client_request_token", str_or_null(p->token));
	return o;
}

static void on_created(void *ud, const struct aws_resp *r)
{
	struct launch *l = ud;
	l->create_call = 0;
	struct buf err = {0};
	char *id = NULL;
	if (r->error)
		buf_adds(&err, r->error);
	else
		cfn_create_stack_parse(r->body, r->body_len, &id, &err);
	int unknown = !id && (r->timed_out || !r->status);
	if (unknown)
		buf_printf(&err,
			   "; whether the stack was created is unknown: look with relcon stack %s (a launch again "
			   "with the same plan is safe only from this run: it would carry a new token)",
			   l->p.stack_name);
	log_msg(LOG_INFO, "launch: CreateStack %s token %s: %s", l->p.stack_name, l->p.token, id ? id : buf_str(&err));
	json_object *details = json_object_new_object();
	json_object_object_add(details, "stack_id", str_or_null(id));
	struct audit_entry e = {
		.identity = l->p.owner,
		.action = "launch",
		.target = l->p.stack_name,
		.details = details,
		.result = id                           ? "ok"
			  : r->timed_out || !r->status ? "unknown"
						       : "failed",
		.error = id ? NULL : buf_str(&err),
		.reference = l->p.token,
	};
	context_outcome(l->ctx, l->journal_id, &e);
	json_object_put(details);
	l->created_fn(l->created_ud, id, id ? NULL : buf_str(&err));
	free(id);
	buf_free(&err);
}

int launch_create(struct launch *l, struct context *ctx, launch_created_fn fn, void *ud, struct buf *err)
{
	struct launch_plan *p = &l->p;
	/* The intent is on disk before CreateStack, or there is no CreateStack. */
	l->ctx = ctx;
	json_object *plan = launch_plan_json(p);
	struct audit_entry e = {
		.identity = p->owner, .action = "launch", .target = p->stack_name, .plan = plan, .reference = p->token};
	int rc = context_intent(ctx, &e, l->journal_id, err);
	json_object_put(plan);
	if (rc < 0)
		return -1;
	struct query_pair *params = xcalloc(p->nparams + 1, sizeof *params);
	struct query_pair *tags = xcalloc(p->ntags + 1, sizeof *tags);
	const char **secrets = xcalloc(p->nparams + 1, sizeof *secrets); /* NoEcho: "(secret)" in the command log */
	size_t np = 0, ns = 0;
	for (size_t i = 0; i < p->nparams; i++) {
		if (p->params[i].value && p->params[i].source != LAUNCH_TEMPLATE)
			params[np++] = (struct query_pair){p->params[i].key, p->params[i].value};
		if (p->params[i].value && p->params[i].no_echo)
			secrets[ns++] = p->params[i].value;
	}
	for (size_t i = 0; i < p->ntags; i++)
		tags[i] = (struct query_pair){p->tag_keys[i], p->tag_values[i]};
	struct cfn_create_stack_req req = {
		.stack_name = p->stack_name,
		.template_url = p->template_url,
		.params = params,
		.nparams = np,
		.capabilities = (const char *const *)p->capabilities,
		.ncapabilities = p->ncapabilities,
		.tags = tags,
		.ntags = p->ntags,
		.disable_rollback = p->disable_rollback,
		.client_request_token = p->token,
	};
	struct buf body = {0};
	cfn_create_stack_body(&body, &req);
	l->created_fn = fn;
	l->created_ud = ud;
	/* Not `mutating`: the token makes a second CreateStack the same one. */
	struct aws_req ar = {.op = "CreateStack",
			     .service = "cloudformation",
			     .body = buf_str(&body),
			     .body_len = body.len,
			     .secrets = secrets};
	l->create_call = aws_send(l->aws, &ar, on_created, l);
	free(secrets);
	buf_free(&body);
	free(params);
	free(tags);
	return 0;
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void launch_free(struct launch **lp)
{
	if (!lp || !*lp)
		return;
	struct launch *l = *lp;
	for (int c = 0; c < C_COUNT; c++) {
		if (!l->calls[c])
			continue;
		if (c == C_IP)
			http_cancel(l->http, l->calls[c]);
		else
			aws_cancel(l->aws, l->calls[c]);
	}
	if (l->create_call)
		aws_cancel(l->aws, l->create_call);
	struct launch_plan *p = &l->p;
	for (size_t i = 0; i < p->nparams; i++) {
		struct launch_param *q = &p->params[i];
		free(q->key);
		free(q->type);
		free(q->description);
		free(q->value);
		strv_free(q->allowed, q->nallowed);
		free(q->default_value);
		free(q->config_value);
		free(q->relcon_value);
		free(q->operator_value);
	}
	free(p->params);
	free(p->error);
	free(p->commit);
	free(p->region);
	free(p->account);
	free(p->owner);
	free(p->template_name);
	free(p->template_url);
	free(p->stack_name);
	free(p->expires_text);
	strv_free(p->key_pairs, p->nkey_pairs);
	free(p->key_param);
	free(p->operator_ip);
	free(p->operator_ip_error);
	strv_free(p->capabilities, p->ncapabilities);
	free_tags(p);
	free(p->token);
	strv_free(l->req_params, l->nreq_params);
	strv_free(l->tcaps, l->ntcaps);
	free(l->req_key);
	free(l->ip_url);
	buf_free(&l->problems);
	free(l);
	*lp = NULL;
}
