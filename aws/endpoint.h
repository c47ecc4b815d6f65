/* aws/endpoint.h - where requests for one AWS service in one region go,
 * as botocore's configured-endpoint lookup decides, and the S3 URLs and
 * Host values built on it.  Pure: reads the environment and a profile.
 *
 * Lookup, first match wins: $AWS_ENDPOINT_URL_<SERVICE> (service id
 * upper-cased, spaces and hyphens as '_': EC2, CLOUDFORMATION, S3, STS) >
 * $AWS_ENDPOINT_URL > the profile's [services NAME] entry for the service >
 * the profile's endpoint_url > the regional default
 * https://<service>.<region>.amazonaws.com (.amazonaws.com.cn for cn-*;
 * regional STS, never the global endpoint).  AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true
 * (or ignore_configured_endpoint_urls = true in the profile; the variable
 * wins) turns every override off.  An override is signed with its own
 * host:port and the given region. */
#ifndef RELCON_AWS_ENDPOINT_H
#define RELCON_AWS_ENDPOINT_H

#include "aws/profile.h"
#include "core/buf.h"

enum aws_endpoint_source {
	AWS_ENDPOINT_DEFAULT,          /* the regional AWS endpoint */
	AWS_ENDPOINT_FROM_ENV_SERVICE, /* $AWS_ENDPOINT_URL_<SERVICE> */
	AWS_ENDPOINT_FROM_ENV,         /* $AWS_ENDPOINT_URL */
	AWS_ENDPOINT_FROM_SERVICES,    /* the profile's [services NAME] section */
	AWS_ENDPOINT_FROM_PROFILE,     /* the profile's endpoint_url */
};

/* A resolved endpoint; every string owned (free with aws_endpoint_free). */
struct aws_endpoint {
	char *service;   /* service id, also the signing name: "ec2", "s3" ... */
	char *region;    /* signing region */
	char *scheme;    /* "https" or "http" (lower-case) */
	char *host;      /* "s3.us-east-2.amazonaws.com", "localhost", "[::1]" */
	int port;        /* the URL's port, else 443 (https) or 80 (http) */
	char *base_path; /* path of an override URL as written ("", "/", "/prefix"); "" by default */
	int overridden;  /* an override URL is in use */
	enum aws_endpoint_source source;
	char *origin; /* "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "FILE:LINE" or "default" */
	/* S3 only: always put the bucket in the path, because the endpoint is
	 * overridden (local simulators) or the profile's s3 addressing_style
	 * is path.  Otherwise buckets go in the host name when they can (see
	 * aws_endpoint_path_style); addressing_style = virtual keeps that even
	 * for an override. */
	int s3_path_style;
};

/* Resolve the endpoint of service (lower-case id: "ec2", "cloudformation",
 * "s3", "sts") in region; p may be NULL (no profile settings).  Returns 0
 * and fills *out, or -1 with a one-line message appended to err and *out
 * zeroed.  Errors: no or malformed region; an override that is not
 * "http[s]://host[:port][/path]" (no user, query or fragment), prefixed
 * with the variable's name or the profile's "FILE:LINE: endpoint_url". */
int aws_endpoint_resolve(struct aws_endpoint *out, const char *service, const char *region, const struct aws_profile *p,
			 struct buf *err);
/* Free the strings of e and zero it. */
void aws_endpoint_free(struct aws_endpoint *e);
/* Append the service's variable name, e.g. "AWS_ENDPOINT_URL_CLOUDFORMATION". */
void aws_endpoint_env_name(struct buf *out, const char *service);

/* Nonzero when bucket goes in the path rather than the host name: the
 * endpoint says so, the host is an IP address, or the bucket cannot be a
 * DNS label (upper case, '_', too short or long, dots over https). */
int aws_endpoint_path_style(const struct aws_endpoint *e, const char *bucket);
/* Append the Host header value to sign: "host", "host:port" when the port
 * is not the scheme's default, with "bucket." in front for a
 * virtual-hosted bucket (bucket may be NULL).  Returns 0, or -1 (nothing
 * appended) for an invalid bucket name. */
int aws_endpoint_host(struct buf *out, const struct aws_endpoint *e, const char *bucket);
/* Append the request path: the base path or "/" without a bucket (Query
 * APIs, ListBuckets); "<base>/bucket[/key]" path-style; "<base>/key" or
 * "<base>/" virtual-hosted.  key_encoded is the object key already
 * UriEncoded with '/' kept (sigv4_uri_encode), NULL or "" for none.
 * Returns 0, or -1 (nothing appended) for a key without a bucket, a
 * bucket for a service other than s3, or an invalid bucket name (bucket
 * names are [A-Za-z0-9._-], 1 to 255 bytes). */
int aws_endpoint_path(struct buf *out, const struct aws_endpoint *e, const char *bucket, const char *key_encoded);
/* Append the whole URL, "scheme://" + aws_endpoint_host + aws_endpoint_path,
 * e.g. https://bucket.s3.us-east-2.amazonaws.com/key or
 * http://localhost:4566/bucket/key.  Returns 0, or -1 as those do. */
int aws_endpoint_url(struct buf *out, const struct aws_endpoint *e, const char *bucket, const char *key_encoded);

#endif
