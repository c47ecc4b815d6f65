/* aws/sts.h - STS Query API 2011-06-15 wire format: GetCallerIdentity and
 * AssumeRole request bodies and response parsers.
 *
 * The secret access key and session token are secrets: nothing here
 * prints them or puts them in an error message, they are copied out of
 * the parsed document once (no stray heap copies of ours), the document's
 * text nodes holding them are wiped before it is freed, and
 * sts_credentials_free wipes them.  Best effort only: the response body
 * belongs to the caller, who should wipe it too, and libxml2's own parse
 * buffers are freed without wiping.
 * Parsers return 0 with *out filled, or -1 with *out zeroed and one line
 * appended to err ("AssumeRole: malformed response: no <SessionToken>",
 * "AssumeRole: AccessDenied: ..." for an error body sent with status 200). */
#ifndef RELCON_AWS_STS_H
#define RELCON_AWS_STS_H

#include <stddef.h>
#include <time.h>

#include "core/buf.h"

#define STS_API_VERSION "2011-06-15"

/* Action=GetCallerIdentity&Version=2011-06-15 (body replaced). */
void sts_get_caller_identity_body(struct buf *body);

struct sts_assume_role_req {
	const char *role_arn;      /* required */
	const char *session_name;  /* required: RoleSessionName */
	long duration_seconds;     /* 0 leaves it out (the role's default, 1 h) */
	const char *external_id;   /* optional */
	const char *serial_number; /* optional MFA device ARN/serial */
	const char *token_code;    /* optional MFA code, with serial_number */
};

/* Action=AssumeRole with RoleArn, RoleSessionName, DurationSeconds,
 * ExternalId, SerialNumber, TokenCode in that order, each only when given
 * (body replaced; strings borrowed). */
void sts_assume_role_body(struct buf *body, const struct sts_assume_role_req *req);

/* GetCallerIdentity: every field owned and never NULL on success. */
struct sts_identity {
	char *account; /* 12-digit account ID */
	char *arn;     /* arn:aws:iam::123456789012:user/alice, ...:assumed-role/R/s */
	char *user_id;
};

int sts_identity_parse(const char *body, size_t len, struct sts_identity *out, struct buf *err);
void sts_identity_free(struct sts_identity *id); /* frees members, zeroes *id */

/* AssumeRole: temporary credentials.  All owned; the first four never NULL
 * on success. */
struct sts_credentials {
	char *access_key_id;
	char *secret_access_key; /* SECRET: never print or log */
	char *session_token;     /* SECRET: never print or log */
	char *expiration;        /* as sent, "2025-03-01T12:00:00Z" */
	time_t expires;          /* the same in seconds since the epoch */
	char *assumed_role_arn;  /* AssumedRoleUser/Arn, NULL when absent */
	char *assumed_role_id;   /* AssumedRoleUser/AssumedRoleId */
};

int sts_credentials_parse(const char *body, size_t len, struct sts_credentials *out, struct buf *err);
/* Wipe the secrets (OPENSSL_cleanse), free every member and zero *c. */
void sts_credentials_free(struct sts_credentials *c);

#endif
