#include "core/json.h"

#include <limits.h>
#include <string.h>

#include <json-c/json.h>

static int is_json_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

struct json_object *json_parse_text(const char *text, size_t len, struct buf *err)
{
	if (!text)
		len = 0;
	size_t start = 0;
	while (start < len && is_json_space(text[start]))
		start++;
	if (start == len) {
		buf_adds(err, "empty body");
		return NULL;
	}
	if (len > INT_MAX) {
		buf_printf(err, "JSON body too large (%zu bytes)", len);
		return NULL;
	}
	json_tokener *tok = json_tokener_new();
	if (!tok) {
		buf_adds(err, "cannot allocate a JSON parser");
		return NULL;
	}
	/* Trailing bytes are checked below, for a clearer message. */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS);
	json_object *o = json_tokener_parse_ex(tok, text, (int)len);
	enum json_tokener_error e = json_tokener_get_error(tok);
	size_t end = json_tokener_get_parse_end(tok);
	if (e == json_tokener_continue) {
		/* A top-level number or literal is only complete once the parser
		 * sees where it ends; a NUL tells it the input is over.  Anything
		 * still open after that is a truncated body. */
		o = json_tokener_parse_ex(tok, "", 1);
		e = json_tokener_get_error(tok);
		if (e != json_tokener_success || !o) {
			json_object_put(o);
			json_tokener_free(tok);
			if (e == json_tokener_success) {
				buf_adds(err, "JSON null");
				return NULL;
			}
			buf_printf(err, "truncated JSON (ends inside a value at byte %zu)", len);
			return NULL;
		}
		end = len;
	} else if (e != json_tokener_success) {
		if (end < len && text[end] == '\0')
			buf_printf(err, "invalid JSON at byte %zu: NUL byte", end);
		else if (e == json_tokener_error_parse_eof)
			buf_printf(err, "truncated JSON (ends inside a value at byte %zu)", end);
		else
			buf_printf(err, "invalid JSON at byte %zu: %s", end, json_tokener_error_desc(e));
		json_tokener_free(tok);
		return NULL;
	}
	json_tokener_free(tok);
	for (size_t i = end; i < len; i++) {
		if (!is_json_space(text[i])) {
			buf_printf(err, "unexpected data after the JSON value at byte %zu", i);
			json_object_put(o);
			return NULL;
		}
	}
	if (!o)
		buf_adds(err, "JSON null");
	return o;
}

static json_object *member(json_object *o, const char *key)
{
	json_object *v = NULL;
	if (!o || !json_object_is_type(o, json_type_object))
		return NULL;
	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

const char *json_get_str(struct json_object *o, const char *key)
{
	json_object *v = member(o, key);
	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

char *json_dup_str(struct json_object *o, const char *key)
{
	json_object *v = member(o, key);
	if (!v || !json_object_is_type(v, json_type_string))
		return NULL;
	/* Copy by length: the text is kept byte-exact, escapes decoded. */
	return xstrndup(json_object_get_string(v), (size_t)json_object_get_string_len(v));
}

int json_try_int(struct json_object *o, const char *key, long long *out)
{
	json_object *v = member(o, key);
	if (!v || !json_object_is_type(v, json_type_int))
		return -1;
	*out = (long long)json_object_get_int64(v);
	return 0;
}

long long json_get_int(struct json_object *o, const char *key, long long def)
{
	long long v = def;
	json_try_int(o, key, &v);
	return v;
}

int json_get_bool(struct json_object *o, const char *key, int def)
{
	json_object *v = member(o, key);
	return v && json_object_is_type(v, json_type_boolean) ? json_object_get_boolean(v) != 0 : def;
}

struct json_object *json_get_obj(struct json_object *o, const char *key)
{
	json_object *v = member(o, key);
	return v && json_object_is_type(v, json_type_object) ? v : NULL;
}

struct json_object *json_get_array(struct json_object *o, const char *key)
{
	json_object *v = member(o, key);
	return v && json_object_is_type(v, json_type_array) ? v : NULL;
}

const char *json_kind(struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_object:
		return "object";
	case json_type_array:
		return "array";
	case json_type_string:
		return "string";
	case json_type_int:
	case json_type_double:
		return "number";
	case json_type_boolean:
		return "boolean";
	case json_type_null:
		break;
	}
	return "null";
}
