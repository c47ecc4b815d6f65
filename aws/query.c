#include "aws/query.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"

/* ---- Requests ---- */

static int unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
	       c == '_' || c == '~';
}

void query_encode(struct buf *out, const char *s, size_t len, int keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (unreserved(c) || (keep_slash && c == '/')) {
			buf_addc(out, (char)c);
		} else {
			char pct[3] = {'%', hex[c >> 4], hex[c & 15]};
			buf_add(out, pct, 3);
		}
	}
}

void query_begin(struct buf *body, const char *action, const char *version)
{
	buf_reset(body);
	query_add(body, "Action", action);
	query_add(body, "Version", version);
}

void query_add(struct buf *body, const char *name, const char *value)
{
	if (!value)
		return;
	if (body->len > 0)
		buf_addc(body, '&');
	query_encode(body, name, strlen(name), 0);
	buf_addc(body, '=');
	query_encode(body, value, strlen(value), 0);
}

void query_addf(struct buf *body, const char *value, const char *name_fmt, ...)
{
	if (!value)
		return;
	struct buf name = {0};
	va_list ap;
	va_start(ap, name_fmt);
	buf_vprintf(&name, name_fmt, ap);
	va_end(ap);
	query_add(body, buf_str(&name), value);
	buf_free(&name);
}

void query_add_long(struct buf *body, const char *name, long v)
{
	char s[32];
	snprintf(s, sizeof s, "%ld", v);
	query_add(body, name, s);
}

void query_add_bool(struct buf *body, const char *name, int v)
{
	query_add(body, name, v ? "true" : "false");
}

void query_add_list(struct buf *body, const char *prefix, const char *const *values, size_t n)
{
	for (size_t i = 0; i < n; i++)
		query_addf(body, values[i], "%s.%zu", prefix, i + 1);
}

void query_add_members(struct buf *body, const char *prefix, const char *const *values, size_t n)
{
	for (size_t i = 0; i < n; i++)
		query_addf(body, values[i], "%s.member.%zu", prefix, i + 1);
}

/* ---- Responses ---- */

void aws_tags_free(struct aws_tag **tags, size_t n)
{
	if (!tags || !*tags)
		return;
	for (size_t i = 0; i < n; i++) {
		free((*tags)[i].key);
		free((*tags)[i].value);
	}
	free(*tags);
	*tags = NULL;
}

void aws_strv_free(char ***v, size_t n)
{
	if (!v || !*v)
		return;
	for (size_t i = 0; i < n; i++)
		free((*v)[i]);
	free(*v);
	*v = NULL;
}

int query_malformed(struct query_doc *q, const char *fmt, ...)
{
	buf_printf(q->err, "%s: malformed response: ", q->op);
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(q->err, fmt, ap);
	va_end(ap);
	return -1;
}

int query_open(struct query_doc *q, const char *op, const char *root_name, const char *result_name, const char *body,
	       size_t len, struct buf *err)
{
	memset(q, 0, sizeof *q);
	q->op = op;
	q->err = err;
	struct buf perr = {0};
	if (xml_parse(&q->doc, body, len, &perr) < 0) {
		query_malformed(q, "%s", buf_str(&perr));
		buf_free(&perr);
		return -1;
	}
	buf_free(&perr);
	q->root = xml_root(q->doc);
	if (!xml_is(q->root, root_name)) {
		char *code = NULL, *message = NULL;
		/* Services have been seen sending error bodies with status 200. */
		if (xml_aws_error(body, len, &code, &message) == 0)
			buf_printf(err, "%s: %s%s%s", op, code, message ? ": " : "", message ? message : "");
		else
			buf_printf(err, "%s: not the expected response element <%s> (want <%s>)", op,
				   (const char *)q->root->name, root_name);
		free(code);
		free(message);
		query_close(q);
		return -1;
	}
	q->result = q->root;
	if (result_name) {
		q->result = xml_child(q->root, result_name);
		if (!q->result) {
			query_malformed(q, "no <%s>", result_name);
			query_close(q);
			return -1;
		}
	}
	return 0;
}

void query_close(struct query_doc *q)
{
	xml_free(&q->doc);
	q->root = q->result = NULL;
}

size_t query_count(xmlNode *set, const char *item_name)
{
	size_t n = 0;
	for (xmlNode *it = xml_child(set, item_name); it; it = xml_next(it, item_name))
		n++;
	return n;
}

void *query_items(struct query_doc *q, xmlNode *set, const char *item, size_t size, query_item_fn fn, size_t *n,
		  int *rc)
{
	size_t count = query_count(set, item);
	*n = 0;
	*rc = 0;
	if (count == 0)
		return NULL;
	char *v = xcalloc(count, size);
	for (xmlNode *it = xml_child(set, item); it && *rc == 0; it = xml_next(it, item)) {
		size_t i = (*n)++;
		*rc = fn(q, it, i, v + i * size);
	}
	return v;
}

char *query_text(xmlNode *from, const char *path)
{
	return xml_text_path(from, path);
}

char *query_need(struct query_doc *q, xmlNode *from, const char *name, const char *what, size_t index)
{
	char *s = xml_text_path(from, name);
	if (s && *s)
		return s;
	free(s);
	if (what)
		query_malformed(q, "%s %zu has no <%s>", what, index + 1, name);
	else
		query_malformed(q, "no <%s>", name);
	return NULL;
}

int query_bool(xmlNode *from, const char *path)
{
	char *s = xml_text_path(from, path);
	int v = s && strcmp(s, "true") == 0;
	free(s);
	return v;
}

void query_time(xmlNode *from, const char *path, char **text, time_t *t)
{
	*text = xml_text_path(from, path);
	if (!*text || time_parse_iso(*text, t) != 0)
		*t = 0;
}

int query_tags(struct query_doc *q, xmlNode *from, const char *set_path, const char *item, const char *key_name,
	       const char *value_name, struct aws_tag **tags, size_t *n)
{
	*tags = NULL;
	*n = 0;
	xmlNode *set = xml_path(from, set_path);
	size_t count = query_count(set, item);
	if (count == 0)
		return 0;
	struct aws_tag *v = xcalloc(count, sizeof *v);
	size_t i = 0;
	for (xmlNode *it = xml_child(set, item); it; it = xml_next(it, item), i++) {
		v[i].key = query_need(q, it, key_name, "tag", i);
		if (!v[i].key) {
			aws_tags_free(&v, i);
			return -1;
		}
		v[i].value = xml_text_path(it, value_name);
		if (!v[i].value)
			v[i].value = xstrdup("");
	}
	*tags = v;
	*n = count;
	return 0;
}

void query_strings(xmlNode *from, const char *set_path, const char *item, char ***v, size_t *n)
{
	xmlNode *set = xml_path(from, set_path);
	*n = query_count(set, item);
	*v = NULL;
	if (*n == 0)
		return;
	*v = xcalloc(*n, sizeof **v);
	size_t i = 0;
	for (xmlNode *it = xml_child(set, item); it; it = xml_next(it, item))
		(*v)[i++] = xml_text(it);
}

char *query_token(xmlNode *from, const char *path)
{
	char *s = xml_text_path(from, path);
	if (s && !*s) {
		free(s);
		s = NULL;
	}
	return s;
}
