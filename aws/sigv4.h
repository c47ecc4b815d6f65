/* aws/sigv4.h - AWS Signature Version 4 (HMAC-SHA256, header signing).
 *
 * sigv4_sign builds the canonical request, the string to sign and the
 * Authorization value for one HTTP request, as AWS's SigV4 documentation
 * and its test suite (testdata/sigv4/, run by tests/unit/test_sigv4.c)
 * define them.  It performs no I/O and keeps no state; hashing is OpenSSL's.
 * Secrets (the secret key and every derived signing key) are never copied
 * into results or messages, and derived keys are wiped with OPENSSL_cleanse. */
#ifndef RELCON_AWS_SIGV4_H
#define RELCON_AWS_SIGV4_H

#include <stddef.h>
#include <time.h>

#include "core/buf.h"

struct sigv4_creds {
	const char *access_key;
	const char *secret_key;
	const char *session_token; /* NULL or "" for long-term credentials */
};

struct sigv4_request {
	const char *method; /* "GET", "POST", ... */
	/* The path exactly as sent on the wire, already percent-encoded, starting
	 * with '/' ("" or NULL means "/").  Build S3 paths with
	 * sigv4_uri_encode(..., keep_slash = 1) on the bucket and key. */
	const char *path;
	/* Query without '?': "a=b&c" or NULL.  Names and values may be raw or
	 * percent-encoded: "%XX" is decoded first, then everything is encoded
	 * the SigV4 way, so encode a literal '%' as %25.  '+' is a literal plus.
	 * Send result.query on the wire, not this. */
	const char *query;
	/* NULL-terminated "Name: value" lines (the space is optional); must
	 * include Host (see sigv4_host_value).  Values may hold folded lines.
	 * Hop-by-hop headers, User-Agent, X-Amzn-Trace-Id and Authorization are
	 * accepted but never signed.  X-Amz-Date, X-Amz-Security-Token and
	 * X-Amz-Content-SHA256 may be given only with the value the signer
	 * would add (then they are not repeated in extra_headers). */
	const char *const *headers;
	const void *body; /* may be NULL when body_len == 0 */
	size_t body_len;
};

enum sigv4_flags {
	/* S3 rules: the path is signed as sent (no dot-segment removal, no second
	 * encoding; it must be fully encoded: unreserved bytes, '/' and %XX
	 * only) and x-amz-content-sha256 is added and signed. */
	SIGV4_S3 = 1,
	/* Payload hash "UNSIGNED-PAYLOAD" instead of the body's SHA-256. */
	SIGV4_UNSIGNED_PAYLOAD = 2,
	/* Non-S3 path without normalization: segments are still encoded again. */
	SIGV4_NO_NORMALIZE = 4,
	/* Add and sign x-amz-content-sha256 without S3 path rules. */
	SIGV4_CONTENT_SHA256 = 8,
};

struct sigv4_result {
	char *canonical_request; /* holds the session token when one is signed */
	char *string_to_sign;
	char signature[65];  /* lower-case hex */
	char *authorization; /* value of the Authorization header */
	char *query;         /* canonical query to send after '?'; "" when none */
	/* NULL-terminated "Name: value" lines the caller must add to the request
	 * (X-Amz-Date; X-Amz-Security-Token with a session token;
	 * X-Amz-Content-SHA256 with SIGV4_S3 or SIGV4_CONTENT_SHA256), minus
	 * those already present in the request with the same value. */
	char *extra_headers[4];
};

/* Sign req for region and service at amz_date ("20150830T123600Z", UTC; see
 * sigv4_amz_date) with flags from enum sigv4_flags.  Returns 0 and fills
 * *out (free with sigv4_result_free), or -1 with a one-line reason appended
 * to err (may be NULL; never holds a secret) and *out left empty (safe to
 * free).
 * Errors: missing or malformed inputs, no Host header, a header line without
 * a name, an unencoded S3 path, a given X-Amz-* header that conflicts. */
int sigv4_sign(const struct sigv4_request *req, const struct sigv4_creds *c, const char *region, const char *service,
	       const char *amz_date, unsigned flags, struct sigv4_result *out, struct buf *err);
/* Free the strings of r and zero it. */
void sigv4_result_free(struct sigv4_result *r);

/* Append SigV4's UriEncode of len bytes of s to out: every byte except
 * A-Z a-z 0-9 - . _ ~ becomes %XX (upper-case hex; space is %20, never '+');
 * with keep_slash, '/' is kept literal (for paths). */
void sigv4_uri_encode(struct buf *out, const char *s, size_t len, int keep_slash);
/* Lower-case hex SHA-256 of len bytes of data into out.  Returns 0, or -1
 * with out set to "" when OpenSSL fails. */
int sigv4_sha256_hex(const void *data, size_t len, char out[65]);
/* The X-Amz-Date form of t, "YYYYMMDDTHHMMSSZ" in UTC, into out; "" when t
 * cannot be represented. */
void sigv4_amz_date(time_t t, char out[17]);
/* Append the Host header value for a URL's scheme, host and port: "host",
 * or "host:port" when port is not the scheme's default (80 for "http", 443
 * for "https" and anything else).  port <= 0 means the default. */
void sigv4_host_value(struct buf *out, const char *scheme, const char *host, int port);

#endif
