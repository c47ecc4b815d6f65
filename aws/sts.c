#include "aws/sts.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "aws/query.h"
#include "core/timeutil.h"

void sts_get_caller_identity_body(struct buf *body)
{
	query_begin(body, "GetCallerIdentity", STS_API_VERSION);
}

void sts_assume_role_body(struct buf *body, const struct sts_assume_role_req *req)
{
	query_begin(body, "AssumeRole", STS_API_VERSION);
	query_add(body, "RoleArn", req->role_arn);
	query_add(body, "RoleSessionName", req->session_name);
	if (req->duration_seconds > 0)
		query_add_long(body, "DurationSeconds", req->duration_seconds);
	query_add(body, "ExternalId", req->external_id);
	query_add(body, "SerialNumber", req->serial_number);
	query_add(body, "TokenCode", req->token_code);
}

void sts_identity_free(struct sts_identity *id)
{
	free(id->account);
	free(id->arn);
	free(id->user_id);
	memset(id, 0, sizeof *id);
}

int sts_identity_parse(const char *body, size_t len, struct sts_identity *out, struct buf *err)
{
	memset(out, 0, sizeof *out);
	struct query_doc q;
	if (query_open(&q, "GetCallerIdentity", "GetCallerIdentityResponse", "GetCallerIdentityResult", body, len,
		       err) < 0)
		return -1;
	int rc = 0;
	if (!(out->account = query_need(&q, q.result, "Account", NULL, 0)) ||
	    !(out->arn = query_need(&q, q.result, "Arn", NULL, 0)) ||
	    !(out->user_id = query_need(&q, q.result, "UserId", NULL, 0)))
		rc = -1;
	query_close(&q);
	if (rc < 0)
		sts_identity_free(out);
	return rc;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int is_text(const xmlNode *c)
{
	return (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content;
}

/* The trimmed text of node's text children, copied once into a buffer of
 * the exact size (xml_text's intermediate copy would be freed unwiped),
 * then wiped in the document.  NULL when node is NULL. */
static char *secret_text(xmlNode *node)
{
	if (!node)
		return NULL;
	size_t n = 0;
	for (xmlNode *c = node->children; c; c = c->next)
		if (is_text(c))
			n += strlen((const char *)c->content);
	char *s = xmalloc(n + 1), *p = s;
	for (xmlNode *c = node->children; c; c = c->next) {
		if (!is_text(c))
			continue;
		size_t k = strlen((const char *)c->content);
		memcpy(p, c->content, k);
		OPENSSL_cleanse(c->content, k);
		p += k;
	}
	*p = '\0';
	size_t start = 0, end = n;
	while (end > 0 && is_space(s[end - 1]))
		end--;
	while (start < end && is_space(s[start]))
		start++;
	memmove(s, s + start, end - start);
	OPENSSL_cleanse(s + (end - start), n - (end - start));
	s[end - start] = '\0';
	return s;
}

static void wipe_free(char **s)
{
	if (*s)
		OPENSSL_cleanse(*s, strlen(*s));
	free(*s);
	*s = NULL;
}

void sts_credentials_free(struct sts_credentials *c)
{
	wipe_free(&c->secret_access_key);
	wipe_free(&c->session_token);
	wipe_free(&c->access_key_id);
	free(c->expiration);
	free(c->assumed_role_arn);
	free(c->assumed_role_id);
	memset(c, 0, sizeof *c);
}

int sts_credentials_parse(const char *body, size_t len, struct sts_credentials *out, struct buf *err)
{
	memset(out, 0, sizeof *out);
	struct query_doc q;
	if (query_open(&q, "AssumeRole", "AssumeRoleResponse", "AssumeRoleResult", body, len, err) < 0)
		return -1;
	int rc = 0;
	xmlNode *cr = xml_child(q.result, "Credentials");
	/* Both secrets are read, and so wiped in the document, before any check. */
	out->secret_access_key = secret_text(xml_child(cr, "SecretAccessKey"));
	out->session_token = secret_text(xml_child(cr, "SessionToken"));
	if (!cr)
		rc = query_malformed(&q, "no <Credentials>");
	else if (!(out->access_key_id = query_need(&q, cr, "AccessKeyId", NULL, 0)))
		rc = -1;
	else if (!out->secret_access_key || !*out->secret_access_key)
		rc = query_malformed(&q, "no <SecretAccessKey>");
	else if (!out->session_token || !*out->session_token)
		rc = query_malformed(&q, "no <SessionToken>");
	else if (!(out->expiration = query_need(&q, cr, "Expiration", NULL, 0)))
		rc = -1;
	else if (time_parse_iso(out->expiration, &out->expires) != 0)
		rc = query_malformed(&q, "bad <Expiration>");
	out->assumed_role_arn = query_text(q.result, "AssumedRoleUser/Arn");
	out->assumed_role_id = query_text(q.result, "AssumedRoleUser/AssumedRoleId");
	query_close(&q);
	if (rc < 0)
		sts_credentials_free(out);
	return rc;
}
