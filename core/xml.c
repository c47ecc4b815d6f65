#include "core/xml.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>

/* libxml2 2.12 made the error passed to structured handlers const. */
#if LIBXML_VERSION >= 21200
typedef const xmlError xml_error_t;
#else
typedef xmlError xml_error_t;
#endif

struct xml_doc {
	xmlDoc *doc;
};

/* Per-parse state, reached from the callbacks through ctxt->_private. */
struct parse_state {
	struct buf *err;
	int failed;
};

static int is_xml_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Keep the first error only: later ones are usually knock-on effects. */
static void fail(xmlParserCtxt *ctxt, int line, const char *msg)
{
	struct parse_state *st = ctxt->_private;
	if (st->failed)
		return;
	st->failed = 1;
	size_t n = msg ? strlen(msg) : 0;
	while (n > 0 && is_xml_space(msg[n - 1]))
		n--;
	buf_printf(st->err, "line %d: ", line > 0 ? line : 1);
	for (size_t i = 0; i < n; i++)
		buf_addc(st->err, (unsigned char)msg[i] < 0x20 ? ' ' : msg[i]);
	if (n == 0)
		buf_adds(st->err, "invalid XML");
}

static void on_error(void *ctx, xml_error_t *e)
{
	if (e->level >= XML_ERR_ERROR)
		fail(ctx, e->line, e->message);
}

/* Refuse DTDs before the internal subset is parsed: that is where entity
 * declarations (billion laughs, external files) would come from. */
static void on_doctype(void *ctx, const xmlChar *name, const xmlChar *public_id, const xmlChar *system_id)
{
	(void)name;
	(void)public_id;
	(void)system_id;
	xmlParserCtxt *ctxt = ctx;
	fail(ctxt, ctxt->input ? ctxt->input->line : 1, "DOCTYPE not allowed");
	xmlStopParser(ctxt);
}

static int starts_with_ci(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);
	return len >= n && strncasecmp(s, prefix, n) == 0;
}

/* AWS can write a control character in text as a character reference
 * ("&#x1B;", "&#27;"; S3 does so in object keys, hence its EncodingType=url),
 * which XML 1.0 forbids: libxml2 would refuse the whole
 * answer (a stack whose output or parameter holds an ESC could not be read at
 * all).  Such references (U+0001-U+001F but tab, newline and carriage return)
 * are rewritten before parsing to references to the private-use stand-ins
 * U+10FF01-U+10FF1F, and xml_text gives the control characters back: they
 * reach the caller as sent, and the UI sanitizes them like any other. */
#define STAND_IN 0x10ff00u
static const char stand_in_doc[] = "control characters as stand-ins";

/* The code point of the character reference at s ("&#...;"), its length in
 * *n; 0 when s is not one. */
static unsigned long char_ref(const char *s, size_t avail, size_t *n)
{
	size_t i = 2;
	int hex = avail > 2 && (s[2] == 'x' || s[2] == 'X');
	i += (size_t)hex;
	unsigned long v = 0;
	size_t digits = 0;
	for (; i < avail && digits < 8; i++, digits++) {
		char c = s[i];
		int d = c >= '0' && c <= '9'          ? c - '0'
			: hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
			: hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
						      : -1;
		if (d < 0)
			break;
		v = v * (hex ? 16 : 10) + (unsigned long)d;
	}
	if (!digits || i >= avail || s[i] != ';')
		return 0;
	*n = i + 1;
	return v;
}

/* A copy of text with the forbidden control references replaced, or NULL
 * when it has none. */
static char *stand_in_controls(const char *text, size_t len, size_t *out_len)
{
	struct buf b = {0};
	size_t done = 0;
	for (size_t i = 0; i + 3 < len; i++) {
		if (text[i] != '&' || text[i + 1] != '#')
			continue;
		size_t n = 0;
		unsigned long v = char_ref(text + i, len - i, &n);
		if (v < 1 || v > 0x1f || v == '\t' || v == '\n' || v == '\r')
			continue;
		buf_add(&b, text + done, i - done);
		buf_printf(&b, "&#x%lX;", STAND_IN + v);
		done = i + n;
		i += n - 1;
	}
	if (!b.len)
		return NULL;
	buf_add(&b, text + done, len - done);
	*out_len = b.len;
	return buf_steal(&b);
}

int xml_parse(struct xml_doc **out, const char *text, size_t len, struct buf *err)
{
	*out = NULL;
	if (!text)
		len = 0;
	size_t start = 0;
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		start = 3;
	while (start < len && is_xml_space(text[start]))
		start++;
	if (start == len) {
		buf_adds(err, "empty body");
		return -1;
	}
	if (text[start] != '<') {
		buf_adds(err, "not XML");
		return -1;
	}
	if (starts_with_ci(text + start, len - start, "<!doctype html") ||
	    starts_with_ci(text + start, len - start, "<html")) {
		buf_adds(err, "not XML (an HTML page)");
		return -1;
	}
	if (len > INT_MAX) {
		buf_printf(err, "XML body too large (%zu bytes)", len);
		return -1;
	}
	xmlInitParser();
	xmlParserCtxt *ctxt = xmlNewParserCtxt();
	if (!ctxt) {
		buf_adds(err, "cannot allocate an XML parser");
		return -1;
	}
	struct parse_state st = {.err = err};
	ctxt->_private = &st;
	ctxt->sax->serror = on_error;
	ctxt->sax->internalSubset = on_doctype;
	size_t plen = len;
	char *patched = stand_in_controls(text, len, &plen);
	if (patched && plen > INT_MAX) {
		free(patched);
		patched = NULL;
		plen = len;
	}
	int stand_ins = patched != NULL;
	xmlDoc *doc = xmlCtxtReadMemory(ctxt, patched ? patched : text, (int)plen, NULL, NULL,
					XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	free(patched);
	if (!doc || !xmlDocGetRootElement(doc))
		fail(ctxt, 1, "invalid XML");
	else if (stand_ins)
		doc->_private = (void *)stand_in_doc;
	xmlFreeParserCtxt(ctxt);
	if (st.failed) {
		xmlFreeDoc(doc);
		return -1;
	}
	*out = xmalloc(sizeof **out);
	(*out)->doc = doc;
	return 0;
}

void xml_free(struct xml_doc **d)
{
	if (!d || !*d)
		return;
	xmlFreeDoc((*d)->doc);
	free(*d);
	*d = NULL;
}

xmlNode *xml_root(struct xml_doc *d)
{
	return d ? xmlDocGetRootElement(d->doc) : NULL;
}

/* An element whose local name is the n bytes of name (any when name is NULL). */
static int named(const xmlNode *node, const char *name, size_t n)
{
	if (!node || node->type != XML_ELEMENT_NODE)
		return 0;
	const char *local = (const char *)node->name;
	return !name || (strncmp(local, name, n) == 0 && local[n] == '\0');
}

static xmlNode *first_named(xmlNode *node, const char *name, size_t n)
{
	while (node && !named(node, name, n))
		node = node->next;
	return node;
}

int xml_is(const xmlNode *node, const char *name)
{
	return named(node, name, name ? strlen(name) : 0);
}

xmlNode *xml_child(xmlNode *parent, const char *name)
{
	return parent ? first_named(parent->children, name, name ? strlen(name) : 0) : NULL;
}

xmlNode *xml_next(xmlNode *node, const char *name)
{
	return node ? first_named(node->next, name, name ? strlen(name) : 0) : NULL;
}

xmlNode *xml_path(xmlNode *from, const char *path)
{
	const char *p = path ? path : "";
	while (from && *p) {
		size_t n = strcspn(p, "/");
		if (n > 0)
			from = first_named(from->children, p, n);
		p += n + (p[n] == '/');
	}
	return from;
}

char *xml_text(xmlNode *node)
{
	if (!node)
		return NULL;
	xmlChar *content = xmlNodeGetContent(node);
	const char *s = content ? (const char *)content : "";
	size_t n = strlen(s);
	while (n > 0 && is_xml_space(s[n - 1]))
		n--;
	while (n > 0 && is_xml_space(*s)) {
		s++;
		n--;
	}
	char *text = xstrndup(s, n);
	xmlFree(content);
	if (node->doc && node->doc->_private == (void *)stand_in_doc) {
		/* U+10FF01-U+10FF1F (F4 8F BC 81-9F) back to the control characters. */
		char *w = text;
		for (const char *r = text; *r;) {
			if (!strncmp(r, "\xf4\x8f\xbc", 3) && (unsigned char)r[3] >= 0x81 &&
			    (unsigned char)r[3] <= 0x9f) {
				*w++ = (char)((unsigned char)r[3] - 0x80);
				r += 4;
			} else {
				*w++ = *r++;
			}
		}
		*w = '\0';
	}
	return text;
}

char *xml_text_path(xmlNode *from, const char *path)
{
	return xml_text(xml_path(from, path));
}

int xml_aws_error(const char *text, size_t len, char **code, char **message)
{
	*code = NULL;
	if (message)
		*message = NULL;
	struct buf err = {0};
	struct xml_doc *d = NULL;
	int rc = xml_parse(&d, text, len, &err);
	buf_free(&err);
	if (rc < 0)
		return -1;
	xmlNode *root = xml_root(d), *e = NULL;
	/* Either root may wrap <Errors><Error> or <Error>: EC2 sends Response/
	 * Errors/Error, the Query protocol ErrorResponse/Error, and some
	 * emulators (moto's EC2) ErrorResponse/Errors/Error. */
	if (xml_is(root, "ErrorResponse") || xml_is(root, "Response")) {
		e = xml_child(root, "Error");
		if (!e)
			e = xml_path(root, "Errors/Error");
	} else if (xml_is(root, "Error"))
		e = root;
	*code = xml_text_path(e, "Code");
	if (!*code || !**code) {
		free(*code);
		*code = NULL;
		xml_free(&d);
		return -1;
	}
	if (message)
		*message = xml_text_path(e, "Message");
	xml_free(&d);
	return 0;
}
