/* core/json.h - small helpers over json-c: parse a counted body with a clear
 * error, and read object members leniently.
 *
 * Member getters never fail: a missing member, a JSON null and a member of
 * the wrong type (a number sent as a string, say) all give NULL or the
 * caller's default, so parsers decide what is required.  Returned strings
 * and objects are borrowed from the parent and valid until it is released
 * with json_object_put. */
#ifndef RELCON_CORE_JSON_H
#define RELCON_CORE_JSON_H

#include <stddef.h>

#include "core/buf.h"

struct json_object;

/* Parse exactly len bytes of text (need not be NUL-terminated) as one JSON
 * value, strictly: trailing commas, a second value or any bytes after the
 * value other than whitespace are errors, as is a NUL byte.  Returns a new
 * reference (release with json_object_put), or NULL with err appended,
 * e.g. "truncated JSON (ends inside a value at byte 120)",
 * "invalid JSON at byte 7: unexpected character",
 * "unexpected data after the JSON value at byte 42", "empty body".  A body
 * that is the JSON literal null also gives NULL, with "JSON null". */
struct json_object *json_parse_text(const char *text, size_t len, struct buf *err);

/* The member key of object o when it is a JSON string, else NULL.  o may be
 * NULL or not an object (then NULL too). */
const char *json_get_str(struct json_object *o, const char *key);
/* json_get_str copied with xstrdup (NULL stays NULL). */
char *json_dup_str(struct json_object *o, const char *key);
/* The member when it is a JSON integer, else def.  Floats and numeric
 * strings are not integers. */
long long json_get_int(struct json_object *o, const char *key, long long def);
/* Store the integer member in *out and return 0, or return -1 (missing,
 * null, wrong type) leaving *out alone; for required members. */
int json_try_int(struct json_object *o, const char *key, long long *out);
/* The member when it is a JSON boolean (1/0), else def. */
int json_get_bool(struct json_object *o, const char *key, int def);
/* The member when it is an object, else NULL. */
struct json_object *json_get_obj(struct json_object *o, const char *key);
/* The member when it is an array, else NULL. */
struct json_object *json_get_array(struct json_object *o, const char *key);
/* A short name of v's JSON type for messages: "object", "array", "string",
 * "number", "boolean", "null". */
const char *json_kind(struct json_object *v);

#endif
