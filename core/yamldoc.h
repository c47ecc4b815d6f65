/* core/yamldoc.h - small helpers over libyaml's document API, for config
 * and theme files: load with "file:line" errors, look up mapping keys,
 * read scalars.  Node pointers are borrowed from the document and valid
 * until ydoc_free. */
#ifndef RELCON_CORE_YAMLDOC_H
#define RELCON_CORE_YAMLDOC_H

#include <yaml.h>

#include "core/buf.h"

struct ydoc;

/* Load the first document of a YAML file.  Returns 0, or -1 with err set to
 * "PATH:LINE: message" (syntax errors) or "PATH: message" (I/O).  An empty
 * file gives a document whose root is NULL. */
int ydoc_load_file(struct ydoc **out, const char *path, struct buf *err);
/* Same, from memory; name is used in messages in place of the path. */
int ydoc_load_string(struct ydoc **out, const char *name, const char *s, size_t len, struct buf *err);
void ydoc_free(struct ydoc **d);

/* The file name given at load time (borrowed). */
const char *ydoc_name(const struct ydoc *d);
/* The root node, or NULL for an empty document. */
yaml_node_t *ydoc_root(struct ydoc *d);
/* 1-based line where node starts. */
int ydoc_line(const yaml_node_t *n);
/* The scalar's text (NUL-terminated, borrowed), or NULL when n is not a scalar. */
const char *ydoc_scalar(const yaml_node_t *n);
/* Nonzero when n is a scalar written as YAML null (~, null, or empty plain). */
int ydoc_is_null(const yaml_node_t *n);

/* Iterate a mapping: i from 0 while ydoc_map_pair(d, map, i, &k, &v) == 0.
 * Returns -1 past the end or when map is not a mapping. */
int ydoc_map_pair(struct ydoc *d, yaml_node_t *map, size_t i, yaml_node_t **key, yaml_node_t **value);
/* Value of key in a mapping, or NULL. */
yaml_node_t *ydoc_map_get(struct ydoc *d, yaml_node_t *map, const char *key);
/* Number of items in a sequence (0 when not a sequence) and the i-th item. */
size_t ydoc_seq_len(const yaml_node_t *seq);
yaml_node_t *ydoc_seq_item(struct ydoc *d, yaml_node_t *seq, size_t i);

#endif
