/* aws/client.h - signed AWS requests on core/http, retried as the SDKs'
 * "standard" retry mode does.
 *
 * One client per run: it reads the shared config files once, picks the
 * profile and region, owns the credential chain (aws/credentials.h) and
 * resolves each service's endpoint (aws/endpoint.h: AWS_ENDPOINT_URL,
 * AWS_ENDPOINT_URL_<SERVICE>, profile endpoint_url; path-style S3 when an
 * endpoint is overridden).  Every attempt is signed afresh (aws/sigv4.h)
 * with the credentials of the moment.  Retries: throttling and transient
 * errors (aws/awserr.h), HTTP 5xx, and connection failures, up to
 * AWS_MAX_ATTEMPTS (else the profile's max_attempts, else 3) attempts,
 * waiting random(0, 1) * 2^attempt seconds, at most 20 s, between them.
 * A request marked `mutating` is not sent again after a timeout or a
 * dropped connection (its outcome is unknown: the caller re-reads). */
#ifndef RELCON_AWS_CLIENT_H
#define RELCON_AWS_CLIENT_H

#include <stddef.h>

#include "core/buf.h"

struct loop;
struct http;
struct http_wait; /* core/http.h */
struct aws_client;
struct aws_creds;
struct aws_credentials;

struct aws_client_options {
	const char *profile;          /* --profile, NULL = environment/default */
	const char *region;           /* --region, NULL = environment/profile */
	const char *fallback_region;  /* relcon's aws.region */
	const char *config_file;      /* NULL = $AWS_CONFIG_FILE or ~/.aws/config */
	const char *credentials_file; /* NULL = $AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials */
};

/* Create the client: reads the shared files and resolves profile and
 * region.  Returns 0, or -1 with err ("FILE:LINE: ...", "no AWS region:
 * ...").  A missing default profile is fine (credentials may come from the
 * environment or instance metadata). */
int aws_client_new(struct aws_client **out, struct loop *l, struct http *h, const struct aws_client_options *o,
		   struct buf *err);
void aws_client_free(struct aws_client **c);

/* The region requests go to unless they name one, and where it came from
 * ("--region", "AWS_REGION", "profile", "aws.region"); borrowed. */
const char *aws_client_region(const struct aws_client *c);
const char *aws_client_region_source(const struct aws_client *c);
/* The profile name in use (borrowed). */
const char *aws_client_profile(const struct aws_client *c);
/* The loop requests run on (borrowed). */
struct loop *aws_client_loop(const struct aws_client *c);
/* The credential chain (borrowed). */
struct aws_creds *aws_client_creds(struct aws_client *c);
/* Shorten the backoff for tests (base ms, cap ms). */
void aws_client_set_backoff(struct aws_client *c, long base_ms, long cap_ms);

struct aws_req {
	const char *op;      /* "DescribeImages": for messages and the log */
	const char *service; /* "ec2", "cloudformation", "sts", "s3" */
	const char *region;  /* NULL = the client's region */
	const char *method;  /* NULL = "POST" (Query protocol) or "GET" (S3) */
	/* Query protocol (ec2, cloudformation, sts): the form body from aws/query.h. */
	const char *body;
	size_t body_len;
	/* S3: bucket, object key (raw bytes, encoded here; NULL for bucket
	 * operations) and the raw query ("list-type=2&prefix=a/b"). */
	const char *bucket;
	const char *key;
	const char *query;
	/* Sign with these instead of the chain's (STS AssumeRole in the chain). */
	const struct aws_credentials *creds;
	int mutating; /* see above */
	/* Values never shown (NoEcho parameters): "(secret)" in the command
	 * log (aws/cli_equiv.h) and redacted from --debug.  NULL-terminated. */
	const char *const *secrets;
};

struct aws_resp {
	long status;      /* HTTP status, 0 when none arrived */
	const char *body; /* NUL-terminated */
	size_t body_len;
	const char *error;      /* NULL on 2xx; else one line for people:
				   "DescribeImages in us-east-1: UnauthorizedOperation: ... (HTTP 403)" */
	const char *error_code; /* the AWS error code, or NULL */
	int attempts;
	int timed_out;
};

/* Called once, from the loop; resp valid only during the call. */
typedef void (*aws_done_fn)(void *ud, const struct aws_resp *resp);

/* Append the URL of an S3 object as it is reached with this client's
 * endpoint for s3 in region (NULL = the client's): the public
 * https://bucket.s3.region.amazonaws.com/key form, or path-style on an
 * overridden endpoint.  Returns 0, or -1 with err. */
int aws_client_object_url(struct aws_client *c, struct buf *out, const char *region, const char *bucket,
			  const char *key, struct buf *err);

/* Send a request. Returns an id > 0 for aws_cancel. */
unsigned long aws_send(struct aws_client *c, const struct aws_req *req, aws_done_fn fn, void *ud);
/* Cancel: the callback will not be called. */
void aws_cancel(struct aws_client *c, unsigned long id);
/* Requests in flight. */
int aws_inflight(const struct aws_client *c);
/* The call waiting to be sent again soonest (core/http.h): 1 and *w, or 0. */
int aws_retry_wait(const struct aws_client *c, struct http_wait *w);

#endif
