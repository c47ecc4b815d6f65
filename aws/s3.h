/* aws/s3.h - S3 REST wire format: ListObjectsV2 query strings and
 * responses, error bodies and HEAD statuses.  No HTTP and no signing here;
 * where a bucket or object is reached (virtual-hosted or path-style) is
 * aws/endpoint.h's.  Parsed strings are owned and kept exactly as sent. */
#ifndef RELCON_AWS_S3_H
#define RELCON_AWS_S3_H

#include <stddef.h>
#include <time.h>

#include "core/buf.h"

struct s3_list_req {
	const char *prefix;             /* NULL or "": no prefix */
	const char *delimiter;          /* "/" groups keys into CommonPrefixes */
	const char *continuation_token; /* NextContinuationToken of the last page */
	long max_keys;                  /* 0 leaves it out (S3's default 1000) */
};

/* Append the ListObjectsV2 query string in SigV4 canonical order (names
 * sorted, names and values encoded, '/' as %2F), so it can be sent and
 * signed as is: "continuation-token=..&delimiter=%2F&list-type=2&
 * max-keys=..&prefix=..". */
void s3_list_query(struct buf *out, const struct s3_list_req *req);

struct s3_object {
	char *key; /* never NULL */
	char *last_modified;
	time_t modified;
	char *etag; /* surrounding quotes removed */
	long long size;
};

/* One ListObjectsV2 page. */
struct s3_list {
	char *bucket; /* <Name> */
	char *prefix;
	long key_count;
	int truncated;    /* IsTruncated: more pages follow */
	char *next_token; /* NextContinuationToken; never NULL when truncated */
	struct s3_object *objects;
	size_t nobjects;
	char **prefixes; /* CommonPrefixes/Prefix, e.g. "<commit>/" */
	size_t nprefixes;
};

/* Parse a ListBucketResult (namespace http://s3.amazonaws.com/doc/2006-03-01/
 * or none).  Returns 0, or -1 with *out zeroed and one line appended to
 * err ("ListObjectsV2: malformed response: object 2 has no <Key>",
 * "ListObjectsV2: NoSuchBucket: The specified bucket does not exist"). */
int s3_list_parse(const char *body, size_t len, struct s3_list *out, struct buf *err);
void s3_list_free(struct s3_list *l);

/* An S3 <Error> body. */
struct s3_error {
	char *code;     /* NoSuchKey, AccessDenied, PermanentRedirect, ... */
	char *message;  /* NULL when absent */
	char *region;   /* <Region> (AuthorizationHeaderMalformed), else NULL */
	char *endpoint; /* <Endpoint> (PermanentRedirect), else NULL */
};

/* Parse len bytes of an error body: 0 with *out set (free with
 * s3_error_free), -1 with *out zeroed when it is not an S3 error body. */
int s3_error_parse(const char *body, size_t len, struct s3_error *out);
void s3_error_free(struct s3_error *e);

/* HeadObject has no body: what its status says about the object. */
enum s3_head {
	S3_HEAD_PRESENT,   /* 200 */
	S3_HEAD_MISSING,   /* 404 */
	S3_HEAD_FORBIDDEN, /* 403: no access, or missing without s3:ListBucket */
	S3_HEAD_ERROR,     /* anything else (0 = no response, 301 wrong region, 5xx) */
};

enum s3_head s3_head_classify(long status);
/* "present", "missing", "forbidden", "error". */
const char *s3_head_name(enum s3_head h);

#endif
