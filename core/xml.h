/* core/xml.h - small helpers over libxml2 for reading AWS responses (EC2,
 * CloudFormation and STS Query XML, S3 REST XML): parse a counted body
 * safely with a one-line error, walk elements by local name, read text.
 *
 * Parsing never touches the network or the disk and never prints: a body
 * with a DOCTYPE is refused before its internal subset is read, so no
 * entity is declared, expanded or loaded (AWS never sends one).  Element
 * names are matched on their local part, namespaces ignored.  Node
 * pointers are borrowed from the document and valid until xml_free; every
 * lookup accepts a NULL node and then returns NULL, so lookups chain. */
#ifndef RELCON_CORE_XML_H
#define RELCON_CORE_XML_H

#include <stddef.h>

#include <libxml/tree.h>

#include "core/buf.h"

struct xml_doc;

/* Parse exactly len bytes of text (need not be NUL-terminated) as one XML
 * document.  Returns 0 with *out set (free with xml_free), or -1 with *out
 * NULL and one line appended to err: "empty body", "not XML",
 * "not XML (an HTML page)", "line 3: DOCTYPE not allowed",
 * "line 3: Opening and ending tag mismatch: item line 2 and imagesSet". */
int xml_parse(struct xml_doc **out, const char *text, size_t len, struct buf *err);
/* Free the document and set *d to NULL (NULL or *d NULL is a no-op). */
void xml_free(struct xml_doc **d);

/* The root element (never NULL for a parsed document). */
xmlNode *xml_root(struct xml_doc *d);
/* Nonzero when node is an element with local name name. */
int xml_is(const xmlNode *node, const char *name);
/* First element child of parent with local name name (NULL name: any
 * element), or NULL. */
xmlNode *xml_child(xmlNode *parent, const char *name);
/* Next element sibling after node with local name name (NULL name: any
 * element), or NULL; iterate with
 * for (n = xml_child(set, "item"); n; n = xml_next(n, "item")). */
xmlNode *xml_next(xmlNode *node, const char *name);
/* Follow child elements by the local names in a slash-separated path
 * relative to from (from's own name is not part of it), e.g.
 * xml_path(root, "Errors/Error/Code"); empty steps are skipped, so "" is
 * from itself.  NULL when any step is missing. */
xmlNode *xml_path(xmlNode *from, const char *path);
/* The text content of node and its descendants, trimmed of surrounding
 * whitespace, malloc'd ("" for an empty element); NULL when node is NULL. */
char *xml_text(xmlNode *node);
/* xml_text(xml_path(from, path)). */
char *xml_text_path(xmlNode *from, const char *path);

/* Recognise an AWS error body: Query <ErrorResponse><Error>, EC2
 * <Response><Errors><Error> and S3 <Error>, each with a non-empty <Code>.
 * Returns 0 with *code and *message malloc'd (*message NULL when the body
 * has no <Message>; message itself may be NULL to skip it), or -1 with both
 * set to NULL when the body is not such an error (success, HTML, garbage). */
int xml_aws_error(const char *text, size_t len, char **code, char **message);

#endif
