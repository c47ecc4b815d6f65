#include "core/yamldoc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"

/* Config and theme files are small; a larger one is refused, not read. */
#define YAML_FILE_MAX (16u << 20)

struct ydoc {
	yaml_document_t doc;
	char *name;
};

static int load(struct ydoc **out, const char *name, yaml_parser_t *p, struct buf *err)
{
	struct ydoc *d = xcalloc(1, sizeof *d);
	d->name = xstrdup(name);
	if (!yaml_parser_load(p, &d->doc)) {
		buf_printf(err, "%s:%zu: %s%s%s", name, p->problem_mark.line + 1,
			   p->problem ? p->problem : "invalid YAML", p->context ? " " : "",
			   p->context ? p->context : "");
		free(d->name);
		free(d);
		*out = NULL;
		return -1;
	}
	*out = d;
	return 0;
}

int ydoc_load_string(struct ydoc **out, const char *name, const char *s, size_t len, struct buf *err)
{
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p)) {
		buf_printf(err, "%s: cannot initialise the YAML parser", name);
		return -1;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)s, len);
	int rc = load(out, name, &p, err);
	yaml_parser_delete(&p);
	return rc;
}

int ydoc_load_file(struct ydoc **out, const char *path, struct buf *err)
{
	*out = NULL;
	struct buf content = {0};
	if (file_read(path, YAML_FILE_MAX, &content, err) < 0) {
		buf_free(&content);
		return -1;
	}
	int rc = ydoc_load_string(out, path, buf_str(&content), content.len, err);
	buf_free(&content);
	return rc;
}

void ydoc_free(struct ydoc **d)
{
	if (!d || !*d)
		return;
	yaml_document_delete(&(*d)->doc);
	free((*d)->name);
	free(*d);
	*d = NULL;
}

const char *ydoc_name(const struct ydoc *d)
{
	return d->name;
}

yaml_node_t *ydoc_root(struct ydoc *d)
{
	return yaml_document_get_root_node(&d->doc);
}

int ydoc_line(const yaml_node_t *n)
{
	return n ? (int)n->start_mark.line + 1 : 0;
}

const char *ydoc_scalar(const yaml_node_t *n)
{
	if (!n || n->type != YAML_SCALAR_NODE)
		return NULL;
	return (const char *)n->data.scalar.value;
}

int ydoc_is_null(const yaml_node_t *n)
{
	const char *s = ydoc_scalar(n);
	if (!s || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL");
}

int ydoc_map_pair(struct ydoc *d, yaml_node_t *map, size_t i, yaml_node_t **key, yaml_node_t **value)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return -1;
	yaml_node_pair_t *start = map->data.mapping.pairs.start;
	if (start + i >= map->data.mapping.pairs.top)
		return -1;
	*key = yaml_document_get_node(&d->doc, start[i].key);
	*value = yaml_document_get_node(&d->doc, start[i].value);
	return 0;
}

yaml_node_t *ydoc_map_get(struct ydoc *d, yaml_node_t *map, const char *key)
{
	yaml_node_t *k, *v;
	for (size_t i = 0; ydoc_map_pair(d, map, i, &k, &v) == 0; i++) {
		const char *s = ydoc_scalar(k);
		if (s && !strcmp(s, key))
			return v;
	}
	return NULL;
}

size_t ydoc_seq_len(const yaml_node_t *seq)
{
	if (!seq || seq->type != YAML_SEQUENCE_NODE)
		return 0;
	return (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
}

yaml_node_t *ydoc_seq_item(struct ydoc *d, yaml_node_t *seq, size_t i)
{
	if (i >= ydoc_seq_len(seq))
		return NULL;
	return yaml_document_get_node(&d->doc, seq->data.sequence.items.start[i]);
}
