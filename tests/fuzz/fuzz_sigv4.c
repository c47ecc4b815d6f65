/* SigV4 canonicalization (aws/sigv4.h): the input is a request in the AWS
 * test suite's .req form ("METHOD target HTTP/1.1", header lines with
 * folded continuations, a blank line, the body), signed with each set of
 * flags; plus the UriEncode of the raw bytes. */
#include "tests/fuzz/fuzz.h"

#include "aws/sigv4.h"

#define MAX_HEADERS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size); /* NULs end lines early: fine */
	char *headers[MAX_HEADERS + 1];
	size_t nh = 0;
	char *line = text, *nl = strchr(line, '\n');
	if (nl)
		*nl = '\0';
	if (nl && nl > line && nl[-1] == '\r')
		nl[-1] = '\0';
	/* Request line: method, target, and the protocol after the last space. */
	char *method = line, *target = strchr(line, ' ');
	char *path = NULL, *query = NULL;
	if (target) {
		*target++ = '\0';
		char *proto = strrchr(target, ' ');
		if (proto)
			*proto = '\0';
		path = target;
		query = strchr(target, '?');
		if (query)
			*query++ = '\0';
	}
	char *p = nl ? nl + 1 : NULL;
	while (p && *p) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		size_t ll = strlen(p);
		if (ll && p[ll - 1] == '\r')
			p[--ll] = '\0';
		if (ll == 0) {
			p = nl ? nl + 1 : NULL;
			break;
		}
		if ((p[0] == ' ' || p[0] == '\t') && nh) {
			/* A folded line: join it to the previous header with "\n". */
			size_t pl = strlen(headers[nh - 1]);
			char *j = malloc(pl + 1 + ll + 1);
			if (!j)
				abort();
			memcpy(j, headers[nh - 1], pl);
			j[pl] = '\n';
			memcpy(j + pl + 1, p, ll + 1);
			free(headers[nh - 1]);
			headers[nh - 1] = j;
		} else if (nh < MAX_HEADERS) {
			headers[nh++] = strdup(p);
		}
		p = nl ? nl + 1 : NULL;
	}
	headers[nh] = NULL;
	const char *body = p ? p : "";

	struct sigv4_request req = {
		.method = method,
		.path = path,
		.query = query,
		.headers = (const char *const *)headers,
		.body = body,
		.body_len = strlen(body),
	};
	static const struct sigv4_creds creds[] = {
		{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", NULL},
		{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
		 "AQoDYXdzEPT//////////"
		 "wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/"
		 "qkPpKPi/"
		 "kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q"
		 "6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/"
		 "oLxBA=="},
	};
	static const unsigned flag_sets[] = {0, SIGV4_S3, SIGV4_NO_NORMALIZE | SIGV4_UNSIGNED_PAYLOAD,
					     SIGV4_CONTENT_SHA256};
	struct buf err = {0};
	for (size_t i = 0; i < sizeof flag_sets / sizeof flag_sets[0]; i++) {
		struct sigv4_result res;
		memset(&res, 0, sizeof res);
		int rc = sigv4_sign(&req, &creds[i & 1], "us-east-1", "service", "20150830T123600Z", flag_sets[i], &res,
				    &err);
		if (rc == 0 &&
		    (!res.canonical_request || !res.authorization || !res.query || strlen(res.signature) != 64))
			abort();
		sigv4_result_free(&res);
		buf_reset(&err);
	}
	buf_free(&err);

	struct buf enc = {0};
	sigv4_uri_encode(&enc, (const char *)data, size, 0);
	sigv4_uri_encode(&enc, (const char *)data, size, 1);
	buf_free(&enc);

	for (size_t i = 0; i < nh; i++)
		free(headers[i]);
	free(text);
	return 0;
}
