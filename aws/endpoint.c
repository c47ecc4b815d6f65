#include "aws/endpoint.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/sanitize.h"

void aws_endpoint_free(struct aws_endpoint *e)
{
	free(e->service);
	free(e->region);
	free(e->scheme);
	free(e->host);
	free(e->base_path);
	free(e->origin);
	memset(e, 0, sizeof *e);
}

void aws_endpoint_env_name(struct buf *out, const char *service)
{
	buf_adds(out, "AWS_ENDPOINT_URL_");
	for (const char *s = service; *s; s++)
		buf_addc(out, *s == ' ' || *s == '-' ? '_' : (char)toupper((unsigned char)*s));
}

static int is_label(const char *s)
{
	if (!s || !*s || strlen(s) > 63)
		return 0;
	for (; *s; s++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '-'))
			return 0;
	return 1;
}

static void add_quoted(struct buf *b, const char *s)
{
	char *q = sanitize(s, strlen(s), SANITIZE_ONE_LINE, 80);
	buf_printf(b, "\"%s\"", q);
	free(q);
}

static int default_port(const char *scheme)
{
	return strcmp(scheme, "http") == 0 ? 80 : 443;
}

/* Parse "http[s]://host[:port][/path]" into e.  Returns NULL or why not. */
static const char *parse_url(struct aws_endpoint *e, const char *url)
{
	const char *sep = strstr(url, "://");
	if (!sep)
		return "expected http://host[:port][/path] or https://...";
	size_t sl = (size_t)(sep - url);
	if (sl == 4 && strncasecmp(url, "http", 4) == 0)
		e->scheme = xstrdup("http");
	else if (sl == 5 && strncasecmp(url, "https", 5) == 0)
		e->scheme = xstrdup("https");
	else
		return "the scheme must be http or https";
	const char *a = sep + 3;
	for (const char *s = a; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c <= ' ' || c >= 0x7f)
			return "spaces, control and non-ASCII characters are not allowed";
		if (c == '?' || c == '#')
			return "a query or fragment is not allowed";
	}
	size_t al = strcspn(a, "/");
	if (memchr(a, '@', al))
		return "user information (user@host) is not supported";
	const char *hs = a, *he, *ps = NULL;
	if (*a == '[') {
		he = memchr(a, ']', al);
		if (!he)
			return "no ']' after an IPv6 address";
		for (const char *s = a + 1; s < he; s++)
			if (!isxdigit((unsigned char)*s) && *s != ':' && *s != '.')
				return "malformed IPv6 address";
		he++;
		if (he < a + al) {
			if (*he != ':')
				return "unexpected text after the IPv6 address";
			ps = he + 1;
		}
	} else {
		const char *colon = memchr(a, ':', al);
		he = colon ? colon : a + al;
		if (colon)
			ps = colon + 1;
		for (const char *s = hs; s < he; s++)
			if (!isalnum((unsigned char)*s) && *s != '.' && *s != '-' && *s != '_')
				return "the host name has characters other than letters, digits, '.', '-' and '_'";
	}
	if (he == hs || (*hs == '[' && he - hs == 2))
		return "no host";
	e->host = xstrndup(hs, (size_t)(he - hs));
	e->port = default_port(e->scheme);
	if (ps) {
		const char *pe = a + al;
		long port = 0;
		if (ps == pe || pe - ps > 5)
			return "the port must be a number from 1 to 65535";
		for (const char *s = ps; s < pe; s++) {
			if (!isdigit((unsigned char)*s))
				return "the port must be a number from 1 to 65535";
			port = port * 10 + (*s - '0');
		}
		if (port < 1 || port > 65535)
			return "the port must be a number from 1 to 65535";
		e->port = (int)port;
	}
	e->base_path = xstrdup(a + al);
	return NULL;
}

static int env_true(const char *name)
{
	const char *v = getenv(name);
	return v && *v && strcasecmp(v, "true") == 0;
}

int aws_endpoint_resolve(struct aws_endpoint *out, const char *service, const char *region, const struct aws_profile *p,
			 struct buf *err)
{
	memset(out, 0, sizeof *out);
	if (!is_label(service)) {
		buf_adds(err, "invalid AWS service id ");
		add_quoted(err, service ? service : "");
		return -1;
	}
	if (!region || !*region) {
		buf_printf(err,
			   "%s: no AWS region given (--region, AWS_REGION, AWS_DEFAULT_REGION, the "
			   "profile's region or aws.region)",
			   service);
		return -1;
	}
	if (!is_label(region)) {
		buf_printf(err, "%s: invalid AWS region ", service);
		add_quoted(err, region);
		return -1;
	}
	out->service = xstrdup(service);
	out->region = xstrdup(region);

	const char *ign = getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
	int ignore = ign && *ign ? env_true("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
				 : p && p->ignore_configured_endpoint_urls == 1;
	const char *url = NULL;
	struct buf origin = {0};
	if (!ignore) {
		struct buf var = {0};
		aws_endpoint_env_name(&var, service);
		const char *v = getenv(var.s);
		const struct aws_service_endpoint *se = p ? aws_profile_service_endpoint(p, service) : NULL;
		if (v && *v) {
			url = v;
			out->source = AWS_ENDPOINT_FROM_ENV_SERVICE;
			buf_adds(&origin, var.s);
		} else if ((v = getenv("AWS_ENDPOINT_URL")) && *v) {
			url = v;
			out->source = AWS_ENDPOINT_FROM_ENV;
			buf_adds(&origin, "AWS_ENDPOINT_URL");
		} else if (p && se) {
			url = se->endpoint_url;
			out->source = AWS_ENDPOINT_FROM_SERVICES;
			if (se->file)
				buf_printf(&origin, "%s:%d", se->file, se->line);
			else
				buf_printf(&origin, "[services %s] %s", p->services ? p->services : "", service);
		} else if (p && p->endpoint_url && *p->endpoint_url) {
			url = p->endpoint_url;
			out->source = AWS_ENDPOINT_FROM_PROFILE;
			const struct aws_profile_entry *pe = aws_profile_entry(p, "endpoint_url");
			if (pe)
				buf_printf(&origin, "%s:%d", pe->file, pe->line);
			else
				buf_printf(&origin, "profile %s", p->name ? p->name : "");
		}
		buf_free(&var);
	}

	const char *style = p ? p->s3_addressing_style : NULL;
	if (url) {
		const char *why = parse_url(out, url);
		if (why) {
			buf_adds(err, origin.s);
			if (out->source == AWS_ENDPOINT_FROM_SERVICES || out->source == AWS_ENDPOINT_FROM_PROFILE)
				buf_adds(err, ": endpoint_url");
			buf_adds(err, ": invalid endpoint URL");
			/* Never echo a URL with user information: it may hold a password. */
			if (!strchr(url, '@')) {
				buf_addc(err, ' ');
				add_quoted(err, url);
			}
			buf_printf(err, ": %s", why);
			buf_free(&origin);
			aws_endpoint_free(out);
			return -1;
		}
		out->overridden = 1;
		out->origin = buf_steal(&origin);
		out->s3_path_style = !(style && strcmp(style, "virtual") == 0);
	} else {
		out->source = AWS_ENDPOINT_DEFAULT;
		out->origin = xstrdup("default");
		out->scheme = xstrdup("https");
		struct buf h = {0};
		buf_printf(&h, "%s.%s.amazonaws.com%s", service, region, strncmp(region, "cn-", 3) == 0 ? ".cn" : "");
		out->host = buf_steal(&h);
		out->port = 443;
		out->base_path = xstrdup("");
		out->s3_path_style = style && strcmp(style, "path") == 0;
		buf_free(&origin);
	}
	if (strcmp(service, "s3") != 0)
		out->s3_path_style = 0;
	return 0;
}

static int valid_bucket(const char *b)
{
	size_t n = strlen(b);
	if (n < 1 || n > 255)
		return 0;
	for (; *b; b++)
		if (!isalnum((unsigned char)*b) && *b != '.' && *b != '-' && *b != '_')
			return 0;
	return 1;
}

/* Four dotted decimal numbers, or a bracketed IPv6 address. */
static int is_ip(const char *h)
{
	if (*h == '[')
		return 1;
	int parts = 0;
	for (const char *s = h; *s;) {
		if (!isdigit((unsigned char)*s))
			return 0;
		while (isdigit((unsigned char)*s))
			s++;
		parts++;
		if (*s == '.')
			s++;
		else if (*s)
			return 0;
	}
	return parts == 4;
}

/* S3's rule for a bucket that can be a host name label (botocore's
 * isVirtualHostableS3Bucket): 3 to 63 of a-z 0-9 - and, over plain http
 * only, '.'; a letter or digit at each end; not shaped like an IP. */
static int hostable(const char *b, int allow_dots)
{
	size_t n = strlen(b);
	if (n < 3 || n > 63 || !isalnum((unsigned char)b[0]) || !isalnum((unsigned char)b[n - 1]) || is_ip(b))
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)b[i];
		if (c == '.' && allow_dots && b[i + 1] != '.')
			continue;
		if (!(islower(c) || isdigit(c) || c == '-'))
			return 0;
	}
	return 1;
}

int aws_endpoint_path_style(const struct aws_endpoint *e, const char *bucket)
{
	if (e->s3_path_style || is_ip(e->host))
		return 1;
	return !hostable(bucket, strcmp(e->scheme, "http") == 0);
}

static int check(const struct aws_endpoint *e, const char *bucket, const char *key)
{
	if (key && *key && !bucket)
		return -1;
	if (bucket && (strcmp(e->service, "s3") != 0 || !valid_bucket(bucket)))
		return -1;
	return 0;
}

int aws_endpoint_host(struct buf *out, const struct aws_endpoint *e, const char *bucket)
{
	if (check(e, bucket, NULL) < 0)
		return -1;
	if (bucket && !aws_endpoint_path_style(e, bucket))
		buf_printf(out, "%s.", bucket);
	buf_adds(out, e->host);
	if (e->port != default_port(e->scheme))
		buf_printf(out, ":%d", e->port);
	return 0;
}

int aws_endpoint_path(struct buf *out, const struct aws_endpoint *e, const char *bucket, const char *key_encoded)
{
	if (check(e, bucket, key_encoded) < 0)
		return -1;
	const char *base = e->base_path ? e->base_path : "";
	size_t bl = strlen(base);
	int has_key = key_encoded && *key_encoded;
	if (!bucket) {
		buf_adds(out, bl ? base : "/");
		return 0;
	}
	/* botocore's _urljoin: one '/' between the base path and the rest. */
	if (bl && base[bl - 1] == '/')
		bl--;
	buf_add(out, base, bl);
	if (aws_endpoint_path_style(e, bucket))
		buf_printf(out, "/%s%s%s", bucket, has_key ? "/" : "", has_key ? key_encoded : "");
	else
		buf_printf(out, "/%s", has_key ? key_encoded : "");
	return 0;
}

int aws_endpoint_url(struct buf *out, const struct aws_endpoint *e, const char *bucket, const char *key_encoded)
{
	if (check(e, bucket, key_encoded) < 0)
		return -1;
	buf_printf(out, "%s://", e->scheme);
	aws_endpoint_host(out, e, bucket);
	aws_endpoint_path(out, e, bucket, key_encoded);
	return 0;
}
