#include "aws/sigv4.h"

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

static const char hex_upper[] = "0123456789ABCDEF";
static const char hex_lower[] = "0123456789abcdef";

/* Headers that proxies or curl may add, drop or rewrite, so signing them
 * would break the signature; names compared lower-case. */
static const char *const unsigned_headers[] = {
	"authorization",     "connection", "expect",     "keep-alive",      "te", "trailer",
	"transfer-encoding", "upgrade",    "user-agent", "x-amzn-trace-id", NULL,
};

struct header {
	char *name;   /* lower-case */
	char *value;  /* canonical: trimmed, whitespace runs collapsed to one space */
	size_t order; /* position in the request, to join repeats in order */
};

struct header_list {
	struct header *v;
	size_t n, cap;
};

struct query_param {
	char *name; /* UriEncoded */
	char *value;
};

static void fail(struct buf *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct buf *err, const char *fmt, ...)
{
	if (!err)
		return;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(err, fmt, ap);
	va_end(ap);
}

static int is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
	       c == '_' || c == '~';
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int is_upper_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

static char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static void to_hex(const unsigned char *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex_lower[p[i] >> 4];
		out[2 * i + 1] = hex_lower[p[i] & 15];
	}
	out[2 * n] = '\0';
}

void sigv4_uri_encode(struct buf *out, const char *s, size_t len, int keep_slash)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (is_unreserved(c) || (keep_slash && c == '/')) {
			buf_addc(out, (char)c);
		} else {
			char e[3] = {'%', hex_upper[c >> 4], hex_upper[c & 15]};
			buf_add(out, e, sizeof e);
		}
	}
}

int sigv4_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (!EVP_Digest(len ? data : "", len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32) {
		out[0] = '\0';
		return -1;
	}
	to_hex(md, 32, out);
	return 0;
}

void sigv4_amz_date(time_t t, char out[17])
{
	struct tm tm;
	if (!gmtime_r(&t, &tm) || strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm) != 16)
		out[0] = '\0';
}

void sigv4_host_value(struct buf *out, const char *scheme, const char *host, int port)
{
	int def = scheme && strcasecmp(scheme, "http") == 0 ? 80 : 443;
	buf_adds(out, host);
	if (port > 0 && port != def)
		buf_printf(out, ":%d", port);
}

void sigv4_result_free(struct sigv4_result *r)
{
	if (!r)
		return;
	free(r->canonical_request);
	free(r->string_to_sign);
	free(r->authorization);
	free(r->query);
	for (size_t i = 0; i < sizeof r->extra_headers / sizeof r->extra_headers[0]; i++)
		free(r->extra_headers[i]);
	memset(r, 0, sizeof *r);
}

/* ---- canonical headers ---- */

static void canonical_value(struct buf *out, const char *s)
{
	int pending = 0;
	for (; *s; s++) {
		if (is_space(*s)) {
			pending = out->len > 0;
			continue;
		}
		if (pending)
			buf_addc(out, ' ');
		pending = 0;
		buf_addc(out, *s);
	}
}

static int is_unsigned_header(const char *name)
{
	if (strncmp(name, "proxy-", 6) == 0)
		return 1;
	for (size_t i = 0; unsigned_headers[i]; i++)
		if (strcmp(name, unsigned_headers[i]) == 0)
			return 1;
	return 0;
}

static void headers_push(struct header_list *l, char *name, char *value)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n] = (struct header){.name = name, .value = value, .order = l->n};
	l->n++;
}

static void headers_free(struct header_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].value);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}

static int header_cmp(const void *a, const void *b)
{
	const struct header *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

static const struct header *headers_find(const struct header_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0)
			return &l->v[i];
	return NULL;
}

/* Parse the request's header lines into l: sorted by name, one entry per
 * name with repeated values joined by ',' in request order. */
static int collect_headers(const char *const *lines, struct header_list *l, struct buf *err)
{
	struct header_list raw = {0};
	for (size_t i = 0; lines && lines[i]; i++) {
		const char *line = lines[i];
		const char *colon = strchr(line, ':');
		size_t nlen = colon ? (size_t)(colon - line) : 0;
		for (size_t j = 0; j < nlen; j++)
			if ((unsigned char)line[j] <= ' ' || line[j] == 0x7f)
				nlen = 0;
		if (!nlen) {
			fail(err, "header %zu is not \"Name: value\"", i + 1);
			headers_free(&raw);
			return -1;
		}
		char *name = xstrndup(line, nlen);
		for (char *p = name; *p; p++)
			*p = ascii_lower(*p);
		if (is_unsigned_header(name)) {
			free(name);
			continue;
		}
		struct buf v = {0};
		canonical_value(&v, colon + 1);
		headers_push(&raw, name, buf_steal(&v));
	}
	if (raw.n)
		qsort(raw.v, raw.n, sizeof *raw.v, header_cmp);
	for (size_t i = 0; i < raw.n;) {
		struct buf v = {0};
		size_t j = i;
		for (; j < raw.n && strcmp(raw.v[j].name, raw.v[i].name) == 0; j++) {
			if (j > i)
				buf_addc(&v, ',');
			buf_adds(&v, raw.v[j].value);
		}
		headers_push(l, xstrdup(raw.v[i].name), buf_steal(&v));
		i = j;
	}
	headers_free(&raw);
	return 0;
}

/* Add a header the signer sets unless the request already carries it with
 * the same value; a different value is an error. */
static int add_signer_header(struct header_list *l, struct sigv4_result *out, size_t *nextra, const char *wire_name,
			     const char *value, struct buf *err)
{
	struct buf lname = {0};
	for (const char *p = wire_name; *p; p++)
		buf_addc(&lname, ascii_lower(*p));
	const struct header *h = headers_find(l, lname.s);
	if (h) {
		int same = strcmp(h->value, value) == 0;
		buf_free(&lname);
		if (!same)
			fail(err, "the request's %s header differs from the value being signed", wire_name);
		return same ? 0 : -1;
	}
	headers_push(l, buf_steal(&lname), xstrdup(value));
	struct buf line = {0};
	buf_printf(&line, "%s: %s", wire_name, value);
	out->extra_headers[(*nextra)++] = buf_steal(&line);
	return 0;
}

/* ---- canonical query ---- */

static int query_cmp(const void *a, const void *b)
{
	const struct query_param *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->value, y->value);
}

/* Percent-decode s[0..len) ("%XX" only; other bytes as they are), then
 * UriEncode the result. */
static char *reencode(const char *s, size_t len)
{
	struct buf raw = {0}, enc = {0};
	for (size_t i = 0; i < len; i++) {
		int hi, lo;
		if (s[i] == '%' && i + 2 < len && (hi = hex_value(s[i + 1])) >= 0 && (lo = hex_value(s[i + 2])) >= 0) {
			buf_addc(&raw, (char)(hi << 4 | lo));
			i += 2;
		} else {
			buf_addc(&raw, s[i]);
		}
	}
	sigv4_uri_encode(&enc, raw.s ? raw.s : "", raw.len, 0);
	buf_free(&raw);
	return buf_steal(&enc);
}

static void canonical_query(struct buf *out, const char *q)
{
	struct query_param *v = NULL;
	size_t n = 0, cap = 0;
	while (q && *q) {
		size_t len = strcspn(q, "&");
		if (len) {
			const char *eq = memchr(q, '=', len);
			size_t nlen = eq ? (size_t)(eq - q) : len;
			if (n == cap) {
				cap = cap ? 2 * cap : 16;
				v = xrealloc(v, cap * sizeof *v);
			}
			v[n].name = reencode(q, nlen);
			v[n].value = eq ? reencode(eq + 1, len - nlen - 1) : xstrdup("");
			n++;
		}
		q += len;
		if (*q == '&')
			q++;
	}
	if (n)
		qsort(v, n, sizeof *v, query_cmp);
	for (size_t i = 0; i < n; i++) {
		buf_printf(out, "%s%s=%s", i ? "&" : "", v[i].name, v[i].value);
		free(v[i].name);
		free(v[i].value);
	}
	free(v);
}

/* ---- canonical URI ---- */

/* RFC 3986 dot-segment removal, with empty segments ("//") dropped. */
static void normalize_path(struct buf *out, const char *p)
{
	size_t plen = strlen(p);
	struct seg {
		const char *s;
		size_t len;
	} *v = xmalloc((plen + 1) * sizeof *v);
	size_t n = 0;
	int trailing = 0;
	while (*p) {
		if (*p == '/') {
			trailing = 1;
			p++;
			continue;
		}
		size_t len = strcspn(p, "/");
		if (len == 1 && p[0] == '.') {
			trailing = 1;
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			if (n)
				n--;
			trailing = 1;
		} else {
			v[n++] = (struct seg){p, len};
			trailing = 0;
		}
		p += len;
	}
	for (size_t i = 0; i < n; i++) {
		buf_addc(out, '/');
		buf_add(out, v[i].s, v[i].len);
	}
	if (!n || trailing)
		buf_addc(out, '/');
	free(v);
}

static int canonical_uri(struct buf *out, const char *path, unsigned flags, struct buf *err)
{
	if (!path || !*path)
		path = "/";
	if (path[0] != '/') {
		fail(err, "request path must start with '/'");
		return -1;
	}
	if (flags & SIGV4_S3) {
		/* S3 rebuilds the canonical URI from the decoded key, so only the
		 * fully encoded form of the path signs correctly. */
		for (size_t i = 0; path[i]; i++) {
			unsigned char c = (unsigned char)path[i];
			if (is_unreserved(c) || c == '/')
				continue;
			if (c == '%' && is_upper_hex(path[i + 1]) && is_upper_hex(path[i + 2])) {
				i += 2;
				continue;
			}
			fail(err, "S3 path is not fully percent-encoded (byte %zu); build it with sigv4_uri_encode", i);
			return -1;
		}
		buf_adds(out, path);
		return 0;
	}
	/* Other services encode the path as sent once more (a sent %20 is
	 * signed as %2520), after normalizing it. */
	struct buf norm = {0};
	if (flags & SIGV4_NO_NORMALIZE)
		buf_adds(&norm, path);
	else
		normalize_path(&norm, path);
	sigv4_uri_encode(out, norm.s, norm.len, 1);
	buf_free(&norm);
	return 0;
}

/* ---- keys ---- */

static int hmac_sha256(const void *key, size_t klen, const void *msg, size_t mlen, unsigned char out[32])
{
	unsigned int olen = 0;
	if (klen > INT_MAX)
		return -1;
	if (!HMAC(EVP_sha256(), key, (int)klen, msg, mlen, out, &olen) || olen != 32)
		return -1;
	return 0;
}

/* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" secret, date), region), service), "aws4_request"). */
static int signing_key(const char *secret, const char *date8, const char *region, const char *service,
		       unsigned char key[32])
{
	size_t slen = strlen(secret);
	unsigned char *k0 = xmalloc(slen + 4);
	unsigned char a[32], b[32];
	memcpy(k0, "AWS4", 4);
	memcpy(k0 + 4, secret, slen);
	int rc = -1;
	if (hmac_sha256(k0, slen + 4, date8, 8, a) == 0 && hmac_sha256(a, sizeof a, region, strlen(region), b) == 0 &&
	    hmac_sha256(b, sizeof b, service, strlen(service), a) == 0 &&
	    hmac_sha256(a, sizeof a, "aws4_request", 12, key) == 0)
		rc = 0;
	OPENSSL_cleanse(k0, slen + 4);
	OPENSSL_cleanse(a, sizeof a);
	OPENSSL_cleanse(b, sizeof b);
	free(k0);
	return rc;
}

/* ---- input checks ---- */

static int valid_amz_date(const char *d)
{
	if (!d || strlen(d) != 16 || d[8] != 'T' || d[15] != 'Z')
		return 0;
	for (int i = 0; i < 15; i++)
		if (i != 8 && (d[i] < '0' || d[i] > '9'))
			return 0;
	return 1;
}

/* Non-empty, printable, without whitespace or the characters that delimit
 * the credential scope and the Authorization value. */
static int valid_word(const char *s)
{
	if (!s || !*s)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f || *s == '/' || *s == ',' || *s == ';')
			return 0;
	return 1;
}

static int valid_header_value(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < ' ' || *s == 0x7f)
			return 0;
	return 1;
}

static int check_inputs(const struct sigv4_request *req, const struct sigv4_creds *c, const char *region,
			const char *service, const char *amz_date, struct buf *err)
{
	if (!req || !valid_word(req->method)) {
		fail(err, "missing or malformed HTTP method");
		return -1;
	}
	if (req->body_len && !req->body) {
		fail(err, "request body is NULL but body_len is %zu", req->body_len);
		return -1;
	}
	if (!c || !valid_word(c->access_key)) {
		fail(err, "missing or malformed access key id");
		return -1;
	}
	if (!c->secret_key || !*c->secret_key) {
		fail(err, "missing secret access key");
		return -1;
	}
	if (c->session_token && !valid_header_value(c->session_token)) {
		fail(err, "session token contains control characters");
		return -1;
	}
	if (!valid_word(region) || !valid_word(service)) {
		fail(err, "missing or malformed region or service name");
		return -1;
	}
	if (!valid_amz_date(amz_date)) {
		fail(err, "malformed X-Amz-Date \"%s\" (want YYYYMMDDTHHMMSSZ)", amz_date ? amz_date : "");
		return -1;
	}
	return 0;
}

/* ---- signing ---- */

int sigv4_sign(const struct sigv4_request *req, const struct sigv4_creds *c, const char *region, const char *service,
	       const char *amz_date, unsigned flags, struct sigv4_result *out, struct buf *err)
{
	memset(out, 0, sizeof *out);
	if (check_inputs(req, c, region, service, amz_date, err) < 0)
		return -1;

	int rc = -1;
	struct header_list hdrs = {0};
	struct buf uri = {0}, query = {0}, creq = {0}, sts = {0}, signed_names = {0}, auth = {0};
	char payload[65], creq_hash[65], date8[9];
	size_t nextra = 0;
	memcpy(date8, amz_date, 8);
	date8[8] = '\0';

	if (flags & SIGV4_UNSIGNED_PAYLOAD)
		strcpy(payload, "UNSIGNED-PAYLOAD");
	else if (sigv4_sha256_hex(req->body, req->body_len, payload) < 0) {
		fail(err, "SHA-256 failed (OpenSSL)");
		goto done;
	}

	if (canonical_uri(&uri, req->path, flags, err) < 0 || collect_headers(req->headers, &hdrs, err) < 0)
		goto done;
	if (!headers_find(&hdrs, "host")) {
		fail(err, "the request has no Host header (SigV4 signs it)");
		goto done;
	}
	if (add_signer_header(&hdrs, out, &nextra, "X-Amz-Date", amz_date, err) < 0)
		goto done;
	if (c->session_token && *c->session_token &&
	    add_signer_header(&hdrs, out, &nextra, "X-Amz-Security-Token", c->session_token, err) < 0)
		goto done;
	if ((flags & (SIGV4_S3 | SIGV4_CONTENT_SHA256)) &&
	    add_signer_header(&hdrs, out, &nextra, "X-Amz-Content-SHA256", payload, err) < 0)
		goto done;
	qsort(hdrs.v, hdrs.n, sizeof *hdrs.v, header_cmp);

	canonical_query(&query, req->query);

	buf_printf(&creq, "%s\n%s\n%s\n", req->method, buf_str(&uri), buf_str(&query));
	for (size_t i = 0; i < hdrs.n; i++) {
		buf_printf(&creq, "%s:%s\n", hdrs.v[i].name, hdrs.v[i].value);
		buf_printf(&signed_names, "%s%s", i ? ";" : "", hdrs.v[i].name);
	}
	buf_printf(&creq, "\n%s\n%s", buf_str(&signed_names), payload);

	if (sigv4_sha256_hex(creq.s, creq.len, creq_hash) < 0) {
		fail(err, "SHA-256 failed (OpenSSL)");
		goto done;
	}
	buf_printf(&sts, "AWS4-HMAC-SHA256\n%s\n%s/%s/%s/aws4_request\n%s", amz_date, date8, region, service,
		   creq_hash);

	unsigned char key[32], sig[32];
	int krc = signing_key(c->secret_key, date8, region, service, key);
	if (krc == 0)
		krc = hmac_sha256(key, sizeof key, sts.s, sts.len, sig);
	OPENSSL_cleanse(key, sizeof key);
	if (krc < 0) {
		fail(err, "HMAC-SHA256 failed (OpenSSL)");
		goto done;
	}
	to_hex(sig, sizeof sig, out->signature);

	buf_printf(&auth, "AWS4-HMAC-SHA256 Credential=%s/%s/%s/%s/aws4_request, SignedHeaders=%s, Signature=%s",
		   c->access_key, date8, region, service, buf_str(&signed_names), out->signature);
	out->canonical_request = buf_steal(&creq);
	out->string_to_sign = buf_steal(&sts);
	out->authorization = buf_steal(&auth);
	out->query = buf_steal(&query);
	rc = 0;
done:
	if (rc < 0)
		sigv4_result_free(out);
	headers_free(&hdrs);
	buf_free(&uri);
	buf_free(&query);
	buf_free(&creq);
	buf_free(&sts);
	buf_free(&signed_names);
	buf_free(&auth);
	return rc;
}
