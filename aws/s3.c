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
