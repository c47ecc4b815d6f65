/* aws/credentials.h - AWS credentials from the SDKs' default chain, in
 * their order, asynchronously on the core loop:
 *
 *   1. environment: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY
 *      (+ AWS_SESSION_TOKEN); one without the other is an error;
 *   2. the shared files (aws/profile.h) for the selected profile: static
 *      keys; credential_process (run without a shell, its JSON read from
 *      stdout, with a timeout); role_arn + source_profile or
 *      credential_source: STS AssumeRole for each role in the chain, each
 *      signed with the previous credentials;
 *   3. container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
 *      (http://169.254.170.2 + URI) or AWS_CONTAINER_CREDENTIALS_FULL_URI
 *      with AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE);
 *   4. EC2 instance metadata, IMDSv2 (token PUT, role GET, credentials GET)
 *      at AWS_EC2_METADATA_SERVICE_ENDPOINT or http://169.254.169.254,
 *      unless AWS_EC2_METADATA_DISABLED=true.
 * Credentials that expire are cached until five minutes before expiry and
 * then fetched again; concurrent requests share one resolution.  When no
 * source has credentials, the error lists every source tried and says what
 * to do.  Secrets never reach the log, argv or messages. */
#ifndef RELCON_AWS_CREDENTIALS_H
#define RELCON_AWS_CREDENTIALS_H

#include <time.h>

#include "core/buf.h"

struct loop;
struct http;
struct aws_files;
struct aws_client;

struct aws_credentials {
	char *access_key_id;
	char *secret_access_key; /* secret */
	char *session_token;     /* secret; NULL for long-term keys */
	time_t expiration;       /* 0: does not expire */
	char *source;            /* for `relcon info` and errors: "environment",
				    "profile sandbox (~/.aws/credentials)",
				    "credential_process (profile x)",
				    "assume role arn:aws:iam::1:role/r (profile x)",
				    "container", "instance metadata (IMDSv2)" */
};

/* Deep copy / free (free wipes the secrets and zeroes c). */
void aws_credentials_copy(struct aws_credentials *dst, const struct aws_credentials *src);
void aws_credentials_free(struct aws_credentials *c);

struct aws_creds;

/* A provider for profile (NULL = $AWS_PROFILE, $AWS_DEFAULT_PROFILE,
 * "default") over files (borrowed; outlives the provider).  client is used
 * for STS AssumeRole (borrowed; may be set later with aws_creds_set_client
 * because the client itself uses the provider). */
struct aws_creds *aws_creds_new(struct loop *l, struct http *h, const struct aws_files *files, const char *profile);
void aws_creds_set_client(struct aws_creds *p, struct aws_client *client);
void aws_creds_free(struct aws_creds **p);

/* Called once, from the loop: creds (borrowed for the call) or error. */
typedef void (*aws_creds_fn)(void *ud, const struct aws_credentials *creds, const char *error);

/* Get credentials (cached while valid). Returns an id for aws_creds_cancel. */
unsigned long aws_creds_get(struct aws_creds *p, aws_creds_fn fn, void *ud);
void aws_creds_cancel(struct aws_creds *p, unsigned long id);
/* How long credential_process may run, in ms (<= 0: the default, 30 s). */
void aws_creds_set_process_timeout(struct aws_creds *p, long ms);
/* Forget cached credentials (after an ExpiredToken error). */
void aws_creds_invalidate(struct aws_creds *p);

/* Parse the JSON of credential_process ({"Version": 1, "AccessKeyId",
 * "SecretAccessKey", "SessionToken", "Expiration"}) or of the container /
 * IMDS endpoints ({"AccessKeyId", "SecretAccessKey", "Token",
 * "Expiration"}).  Returns 0 or -1 with err (never quoting secrets).
 * Exposed for tests. */
int aws_credentials_parse_json(struct aws_credentials *out, const char *json, size_t len, const char *source,
			       struct buf *err);

#endif
