/* aws/query.h - the AWS Query protocol's wire format (EC2, CloudFormation,
 * STS): form bodies to POST, and the common part of reading their XML
 * responses.  No HTTP and no signing here.
 *
 * A body is "Action=<Op>&Version=<v>&Name=value..." with every name and
 * value percent-encoded with the SigV4 UriEncode set: A-Z a-z 0-9 - . _ ~
 * are kept, every other byte becomes %XX (upper-case hex, space is %20,
 * never '+'), so the body is also its own canonical form.  Lists are
 * 1-based: EC2 "Name.N", CloudFormation and STS "Name.member.N".
 *
 * The response readers keep strings exactly as the service sent them
 * (entities decoded, surrounding whitespace trimmed, never sanitized: the
 * UI does that).  S3 shares the encoder and the reader (aws/s3.h). */
#ifndef RELCON_AWS_QUERY_H
#define RELCON_AWS_QUERY_H

#include <stddef.h>
#include <time.h>

#include "core/buf.h"
#include "core/xml.h"

/* ---- Requests ---- */

/* A borrowed name/value pair for request builders (tags, parameters). */
struct query_pair {
	const char *key;
	const char *value;
};

/* Append the len bytes of s UriEncoded to out; keep_slash leaves '/'
 * literal (S3 object keys in a path), otherwise it is %2F. */
void query_encode(struct buf *out, const char *s, size_t len, int keep_slash);
/* Empty body, then write "Action=<action>&Version=<version>". */
void query_begin(struct buf *body, const char *action, const char *version);
/* Append "&name=value" ("name=value" when body is empty), both encoded.
 * A NULL value appends nothing (optional parameter left out); "" appends
 * "name=". */
void query_add(struct buf *body, const char *name, const char *value);
/* query_add with a printf-formatted name, e.g. ("Filter.%zu.Name", i). */
void query_addf(struct buf *body, const char *value, const char *name_fmt, ...) __attribute__((format(printf, 3, 4)));
/* Append name=<decimal v>. */
void query_add_long(struct buf *body, const char *name, long v);
/* Append name=true or name=false. */
void query_add_bool(struct buf *body, const char *name, int v);
/* EC2 list: prefix.1=values[0]&prefix.2=values[1]... (n == 0: nothing). */
void query_add_list(struct buf *body, const char *prefix, const char *const *values, size_t n);
/* CloudFormation/STS list: prefix.member.1=values[0]... (n == 0: nothing). */
void query_add_members(struct buf *body, const char *prefix, const char *const *values, size_t n);

/* ---- Responses ---- */

/* A tag (EC2 tagSet/item{key,value}, CloudFormation Tags/member{Key,Value}):
 * both strings owned, never NULL (a missing value is ""). */
struct aws_tag {
	char *key;
	char *value;
};
/* Free n tags and the array; *tags = NULL. */
void aws_tags_free(struct aws_tag **tags, size_t n);
/* Free n strings and the array; *v = NULL. */
void aws_strv_free(char ***v, size_t n);

/* One response being read.  Node pointers are borrowed until query_close. */
struct query_doc {
	struct xml_doc *doc;
	xmlNode *root;   /* <OpResponse> (or S3's root element) */
	xmlNode *result; /* <OpResult> for CloudFormation/STS, else root */
	const char *op;  /* operation name for messages, borrowed */
	struct buf *err; /* where messages go, borrowed */
};

/* Parse len bytes of body as the response of op whose root element must be
 * root_name and, when result_name is not NULL, hold a <result_name> child.
 * Returns 0 with q ready (close with query_close), or -1 with q closed and
 * one line appended to err:
 *   "DescribeImages: malformed response: line 3: ..." (not XML, truncated),
 *   "DescribeImages: AuthFailure: AWS was not able to validate ..." (an AWS
 *      error body sent with a success status),
 *   "DescribeImages: not the expected response element <Foo> (want
 *      <DescribeImagesResponse>)",
 *   "DescribeStacks: malformed response: no <DescribeStacksResult>". */
int query_open(struct query_doc *q, const char *op, const char *root_name, const char *result_name, const char *body,
	       size_t len, struct buf *err);
/* Free the document (q->doc NULL is a no-op). */
void query_close(struct query_doc *q);
/* Append "<op>: malformed response: <formatted text>" to q->err; returns -1. */
int query_malformed(struct query_doc *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Number of <item_name> children of set (0 when set is NULL). */
size_t query_count(xmlNode *set, const char *item_name);
/* Reads one list element: elem is the zeroed index'th element. */
typedef int (*query_item_fn)(struct query_doc *q, xmlNode *item, size_t index, void *elem);
/* Read every <item> child of set into a new array of elements of size
 * bytes each, calling fn on each in order until one returns -1.  Returns
 * the array (NULL when there are none) with *n the elements touched, and
 * *rc 0 or -1; on -1 the caller frees the *n elements with its own free. */
void *query_items(struct query_doc *q, xmlNode *set, const char *item, size_t size, query_item_fn fn, size_t *n,
		  int *rc);
/* Text of from/path, malloc'd, or NULL when absent (xml_text_path). */
char *query_text(xmlNode *from, const char *path);
/* Text of from/name that must be present and non-empty.  Returns it
 * malloc'd, or NULL after query_malformed(q, "<what> <index+1> has no
 * <name>") (what NULL: "no <name>"). */
char *query_need(struct query_doc *q, xmlNode *from, const char *name, const char *what, size_t index);
/* 1 when from/path is exactly "true", 0 otherwise (absent included). */
int query_bool(xmlNode *from, const char *path);
/* Read from/path as text into *text (NULL when absent) and ISO 8601 time
 * into *t (0 when absent or unparseable). */
void query_time(xmlNode *from, const char *path, char **text, time_t *t);
/* Read the tags under from/set_path: items named item with key and value
 * elements key_name, value_name.  Returns 0 with *tags (NULL when none)
 * and *n, or -1 after query_malformed (a tag without a key) with *tags
 * NULL and *n 0. */
int query_tags(struct query_doc *q, xmlNode *from, const char *set_path, const char *item, const char *key_name,
	       const char *value_name, struct aws_tag **tags, size_t *n);
/* The text of every <item> child of from/set_path (e.g. "Capabilities",
 * "member"), in order.  Returns *v (NULL when none) and *n. */
void query_strings(xmlNode *from, const char *set_path, const char *item, char ***v, size_t *n);
/* Text of from/path as a pagination token: NULL when absent or empty. */
char *query_token(xmlNode *from, const char *path);

#endif
