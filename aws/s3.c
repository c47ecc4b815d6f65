#include "aws/s3.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws/query.h"
#include "core/xml.h"

/* ---- Addresses ---- */

/* A bucket usable as a host name label: 3-63 of [a-z0-9-], alphanumeric at
 * both ends.  Dotted names are valid buckets but break TLS wildcards. */
static int dns_bucket(const char *b)
{
	size_t n = strlen(b);
	if (n < 3 || n > 63 || b[0] == '-' || b[n - 1] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((b[i] >= 'a' && b[i] <= 'z') || (b[i] >= '0' && b[i] <= '9') || b[i] == '-'))
			return 0;
	return 1;
}

/* Split "scheme://host[:port][/prefix]" into base, signing host and prefix
 * (without trailing '/'). */
static int split_endpoint(const char *url, struct s3_addr *a, struct buf *prefix, struct buf *err)
{
	size_t slen = strncasecmp(url, "https://", 8) == 0 ? 8 : strncasecmp(url, "http://", 7) == 0 ? 7 : 0;
	if (strchr(url, '@')) {
		/* Not echoed: user info may hold a password. */
		buf_adds(err, "bad S3 endpoint URL (user info is not supported)");
		return -1;
	}
	if (slen == 0 || strpbrk(url, "?# ")) {
		buf_printf(err, "bad S3 endpoint URL \"%s\" (want http[s]://host[:port][/path])", url);
		return -1;
	}
	const char *host = url + slen;
	size_t hlen = strcspn(host, "/");
	if (hlen == 0) {
		buf_printf(err, "bad S3 endpoint URL \"%s\" (no host)", url);
		return -1;
	}
	a->base = xstrndup(url, slen + hlen);
	/* SigV4 signs the port only when it is not the scheme's default. */
	const char *dflt = slen == 8 ? ":443" : ":80";
	size_t dlen = strlen(dflt);
	if (hlen > dlen && strncmp(host + hlen - dlen, dflt, dlen) == 0)
		a->host = xstrndup(host, hlen - dlen);
	else
		a->host = xstrndup(host, hlen);
	const char *p = host + hlen;
	size_t plen = strlen(p);
	while (plen > 0 && p[plen - 1] == '/')
		plen--;
	buf_add(prefix, p, plen);
	return 0;
}

int s3_addr_make(struct s3_addr *out, const char *endpoint, const char *region, const char *bucket, const char *key,
                 struct buf *err)
{
	memset(out, 0, sizeof *out);
	if (!bucket || !*bucket || strchr(bucket, '/')) {
		buf_printf(err, "bad S3 bucket name \"%s\"", bucket ? bucket : "");
		return -1;
	}
	struct buf path = {0};
	if (endpoint && *endpoint) {
		if (split_endpoint(endpoint, out, &path, err) < 0) {
			buf_free(&path);
			s3_addr_free(out);
			return -1;
		}
		out->path_style = 1;
	} else {
		if (!region || !*region) {
			buf_adds(err, "no AWS region for S3");
			return -1;
		}
		out->path_style = !dns_bucket(bucket);
		struct buf host = {0};
		if (out->path_style)
			buf_printf(&host, "s3.%s.amazonaws.com", region);
		else
			buf_printf(&host, "%s.s3.%s.amazonaws.com", bucket, region);
		out->host = buf_steal(&host);
		struct buf base = {0};
		buf_printf(&base, "https://%s", out->host);
		out->base = buf_steal(&base);
	}
	if (out->path_style) {
		buf_addc(&path, '/');
		query_encode(&path, bucket, strlen(bucket), 0);
	}
	if (key && *key) {
		buf_addc(&path, '/');
		query_encode(&path, key, strlen(key), 1);
	} else if (path.len == 0) {
		buf_addc(&path, '/');
	}
	out->path = buf_steal(&path);
	return 0;
}

void s3_addr_free(struct s3_addr *a)
{
	free(a->base);
	free(a->host);
	free(a->path);
	memset(a, 0, sizeof *a);
}

void s3_addr_url(struct buf *out, const struct s3_addr *a, const char *query)
{
	buf_adds(out, a->base);
	buf_adds(out, a->path);
	if (query && *query) {
		buf_addc(out, '?');
		buf_adds(out, query);
	}
}

void s3_list_query(struct buf *out, const struct s3_list_req *req)
{
	struct buf q = {0};
	/* Byte order of the names: the canonical query string's order. */
	if (req->continuation_token && *req->continuation_token)
		query_add(&q, "continuation-token", req->continuation_token);
	if (req->delimiter && *req->delimiter)
		query_add(&q, "delimiter", req->delimiter);
	query_add(&q, "list-type", "2");
	if (req->max_keys > 0)
		query_add_long(&q, "max-keys", req->max_keys);
	if (req->prefix && *req->prefix)
		query_add(&q, "prefix", req->prefix);
	buf_add(out, q.s, q.len);
	buf_free(&q);
}

/* ---- ListObjectsV2 ---- */

static int parse_ll(const char *s, long long *v)
{
	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	char *end;
	errno = 0;
	*v = strtoll(s, &end, 10);
	return *end || errno ? -1 : 0;
}

static int object_read(struct query_doc *q, xmlNode *it, size_t i, void *elem)
{
	struct s3_object *o = elem;
	if (!(o->key = query_need(q, it, "Key", "object", i)))
		return -1;
	query_time(it, "LastModified", &o->last_modified, &o->modified);
	o->etag = query_text(it, "ETag");
	size_t n = o->etag ? strlen(o->etag) : 0;
	if (n >= 2 && o->etag[0] == '"' && o->etag[n - 1] == '"') {
		memmove(o->etag, o->etag + 1, n - 2);
		o->etag[n - 2] = '\0';
	}
	char *size = query_text(it, "Size");
	int rc = size && parse_ll(size, &o->size) < 0 ? query_malformed(q, "object %zu has a bad <Size>", i + 1) : 0;
	free(size);
	return rc;
}

void s3_list_free(struct s3_list *l)
{
	free(l->bucket);
	free(l->prefix);
	free(l->next_token);
	for (size_t i = 0; l->objects && i < l->nobjects; i++) {
		free(l->objects[i].key);
		free(l->objects[i].last_modified);
		free(l->objects[i].etag);
	}
	free(l->objects);
	aws_strv_free(&l->prefixes, l->nprefixes);
	memset(l, 0, sizeof *l);
}

int s3_list_parse(const char *body, size_t len, struct s3_list *out, struct buf *err)
{
	memset(out, 0, sizeof *out);
	struct query_doc q;
	if (query_open(&q, "ListObjectsV2", "ListBucketResult", NULL, body, len, err) < 0)
		return -1;
	int rc;
	out->objects = query_items(&q, q.root, "Contents", sizeof *out->objects, object_read, &out->nobjects, &rc);
	/* CommonPrefixes repeat, each holding one <Prefix>. */
	out->nprefixes = query_count(q.root, "CommonPrefixes");
	out->prefixes = out->nprefixes ? xcalloc(out->nprefixes, sizeof *out->prefixes) : NULL;
	size_t i = 0;
	for (xmlNode *c = xml_child(q.root, "CommonPrefixes"); c && i < out->nprefixes;
	     c = xml_next(c, "CommonPrefixes"), i++) {
		out->prefixes[i] = query_text(c, "Prefix");
		if (!out->prefixes[i]) {
			out->prefixes[i] = xstrdup(""); /* keep the array NULL-free */
			if (rc == 0)
				rc = query_malformed(&q, "common prefix %zu has no <Prefix>", i + 1);
		}
	}
	out->bucket = query_text(q.root, "Name");
	out->prefix = query_text(q.root, "Prefix");
	out->truncated = query_bool(q.root, "IsTruncated");
	out->next_token = query_token(q.root, "NextContinuationToken");
	char *count = query_text(q.root, "KeyCount");
	long long kc = (long long)(out->nobjects + out->nprefixes);
	if (rc == 0 && count && parse_ll(count, &kc) < 0)
		rc = query_malformed(&q, "bad <KeyCount>");
	out->key_count = (long)kc;
	free(count);
	/* Without a token a truncated listing could only stop early or loop. */
	if (rc == 0 && out->truncated && !out->next_token)
		rc = query_malformed(&q, "IsTruncated is true but there is no <NextContinuationToken>");
	query_close(&q);
	if (rc < 0)
		s3_list_free(out);
	return rc;
}

/* ---- Errors and HEAD ---- */

int s3_error_parse(const char *body, size_t len, struct s3_error *out)
{
	memset(out, 0, sizeof *out);
	if (xml_aws_error(body, len, &out->code, &out->message) < 0)
		return -1;
	struct buf err = {0};
	struct xml_doc *d = NULL;
	if (xml_parse(&d, body, len, &err) == 0) {
		out->region = xml_text_path(xml_root(d), "Region");
		out->endpoint = xml_text_path(xml_root(d), "Endpoint");
	}
	xml_free(&d);
	buf_free(&err);
	return 0;
}

void s3_error_free(struct s3_error *e)
{
	free(e->code);
	free(e->message);
	free(e->region);
	free(e->endpoint);
	memset(e, 0, sizeof *e);
}

enum s3_head s3_head_classify(long status)
{
	switch (status) {
	case 200:
		return S3_HEAD_PRESENT;
	case 404:
		return S3_HEAD_MISSING;
	case 403:
		return S3_HEAD_FORBIDDEN;
	default:
		return S3_HEAD_ERROR;
	}
}

const char *s3_head_name(enum s3_head h)
{
	switch (h) {
	case S3_HEAD_PRESENT:
		return "present";
	case S3_HEAD_MISSING:
		return "missing";
	case S3_HEAD_FORBIDDEN:
		return "forbidden";
	default:
		return "error";
	}
}
