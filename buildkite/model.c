#include "buildkite/model.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "core/json.h"

static const struct {
	const char *name;
	enum bk_job_type type;
} job_types[] = {
	{"script", BK_JOB_SCRIPT},
	{"manual", BK_JOB_MANUAL},
	{"waiter", BK_JOB_WAITER},
	{"trigger", BK_JOB_TRIGGER},
};

static enum bk_job_type job_type(const char *s)
{
	for (size_t i = 0; s && i < sizeof job_types / sizeof *job_types; i++)
		if (!strcmp(s, job_types[i].name))
			return job_types[i].type;
	return BK_JOB_OTHER;
}

/* Copy a time member: the text as sent, and its value (0 when absent or
 * unparseable, so a strange format never fails the whole list). */
static void take_time(json_object *o, const char *key, char **text, time_t *t)
{
	*text = json_dup_str(o, key);
	if (!*text || bk_parse_time(*text, t) < 0)
		*t = 0;
}

/* A person object's name, else its email (for unblocked_by). */
static char *person_name(json_object *p, int email_fallback)
{
	const char *s = json_get_str(p, "name");
	if ((!s || !*s) && email_fallback)
		s = json_get_str(p, "email");
	return s ? xstrdup(s) : NULL;
}

static void job_from_json(struct bk_job *j, json_object *o)
{
	memset(j, 0, sizeof *j);
	j->id = json_dup_str(o, "id");
	j->type_name = json_dup_str(o, "type");
	j->type = job_type(j->type_name);
	j->label = json_dup_str(o, "label");
	j->name = json_dup_str(o, "name");
	if ((!j->name || !*j->name) && j->label) {
		free(j->name);
		j->name = xstrdup(j->label);
	}
	j->step_key = json_dup_str(o, "step_key");
	j->state = json_dup_str(o, "state");
	j->web_url = json_dup_str(o, "web_url");
	j->unblockable = json_get_bool(o, "unblockable", 0);
	j->unblocked_by = person_name(json_get_obj(o, "unblocked_by"), 1);
	take_time(o, "unblocked_at", &j->unblocked_at, &j->unblocked_at_t);
	take_time(o, "started_at", &j->started_at, &j->started_at_t);
	take_time(o, "finished_at", &j->finished_at, &j->finished_at_t);
	long long st = json_get_int(o, "exit_status", -1);
	j->exit_status = st >= -1 && st <= 255 ? (int)st : -1;
}

/* meta_data values are strings in the API; anything else is kept as its
 * JSON text rather than dropped, and JSON nulls are skipped. */
static void meta_from_json(struct bk_build *b, json_object *md)
{
	if (!md)
		return;
	size_t n = (size_t)json_object_object_length(md);
	if (!n)
		return;
	b->meta_keys = xcalloc(n, sizeof *b->meta_keys);
	b->meta_values = xcalloc(n, sizeof *b->meta_values);
	json_object_object_foreach(md, key, val)
	{
		if (!val || b->nmeta >= n)
			continue;
		const char *v;
		size_t vlen;
		if (json_object_is_type(val, json_type_string)) {
			v = json_object_get_string(val);
			vlen = (size_t)json_object_get_string_len(val);
		} else {
			v = json_object_to_json_string_ext(val, JSON_C_TO_STRING_PLAIN);
			vlen = strlen(v);
		}
		b->meta_keys[b->nmeta] = xstrdup(key);
		b->meta_values[b->nmeta] = xstrndup(v, vlen);
		b->nmeta++;
	}
}

/* Fill b from object o.  Returns 0, or -1 with err appended (b freed). */
static int build_from_json(struct bk_build *b, json_object *o, struct buf *err)
{
	memset(b, 0, sizeof *b);
	if (!json_object_is_type(o, json_type_object)) {
		buf_printf(err, "expected an object, got %s", json_kind(o));
		return -1;
	}
	long long num;
	if (json_try_int(o, "number", &num) < 0) {
		json_object *v = NULL;
		if (json_object_object_get_ex(o, "number", &v) && v)
			buf_printf(err, "number: expected an integer, got %s", json_kind(v));
		else
			buf_adds(err, "missing number");
		return -1;
	}
	b->number = (long)num;
	b->id = json_dup_str(o, "id");
	b->state = json_dup_str(o, "state");
	b->blocked = json_get_bool(o, "blocked", 0);
	b->message = json_dup_str(o, "message");
	b->commit = json_dup_str(o, "commit");
	b->branch = json_dup_str(o, "branch");
	b->web_url = json_dup_str(o, "web_url");
	json_object *author = json_get_obj(o, "author");
	json_object *creator = json_get_obj(o, "creator");
	const char *an = json_get_str(author, "name");
	if (an && *an) {
		b->author = xstrdup(an);
		b->author_email = json_dup_str(author, "email");
	} else {
		b->author = person_name(creator, 0);
		b->author_email = json_dup_str(creator, "email");
		if (!b->author_email)
			b->author_email = json_dup_str(author, "email");
	}
	take_time(o, "created_at", &b->created_at, &b->created_at_t);
	take_time(o, "started_at", &b->started_at, &b->started_at_t);
	take_time(o, "finished_at", &b->finished_at, &b->finished_at_t);
	meta_from_json(b, json_get_obj(o, "meta_data"));

	json_object *jobs = json_get_array(o, "jobs");
	size_t n = jobs ? json_object_array_length(jobs) : 0;
	if (n) {
		b->jobs = xcalloc(n, sizeof *b->jobs);
		for (size_t i = 0; i < n; i++) {
			json_object *jo = json_object_array_get_idx(jobs, i);
			if (!jo || !json_object_is_type(jo, json_type_object)) {
				buf_printf(err, "job %zu: expected an object, got %s", i, json_kind(jo));
				bk_build_free(b);
				return -1;
			}
			job_from_json(&b->jobs[b->njobs++], jo);
		}
	}
	return 0;
}

int bk_builds_parse(const char *json, size_t len, struct bk_build **out, size_t *n, struct buf *err)
{
	*out = NULL;
	*n = 0;
	json_object *root = json_parse_text(json, len, err);
	if (!root)
		return -1;
	if (!json_object_is_type(root, json_type_array)) {
		buf_printf(err, "not a JSON array (got %s)", json_kind(root));
		json_object_put(root);
		return -1;
	}
	size_t count = json_object_array_length(root);
	struct bk_build *arr = count ? xcalloc(count, sizeof *arr) : NULL;
	for (size_t i = 0; i < count; i++) {
		struct buf e = {0};
		if (build_from_json(&arr[i], json_object_array_get_idx(root, i), &e) < 0) {
			/* Builds are numbered by array index, as jq's .[i] would. */
			buf_printf(err, "build %zu: %s", i, buf_str(&e));
			buf_free(&e);
			bk_builds_free(&arr, i);
			json_object_put(root);
			return -1;
		}
	}
	json_object_put(root);
	*out = arr;
	*n = count;
	return 0;
}

/* ---- back to the wire format (the console's on-disk cache) ---- */

static void put_str(json_object *o, const char *key, const char *v)
{
	if (v)
		json_object_object_add(o, key, json_object_new_string(v));
}

static json_object *job_to_json(const struct bk_job *j)
{
	json_object *o = json_object_new_object();
	put_str(o, "id", j->id);
	put_str(o, "type", j->type_name);
	put_str(o, "label", j->label);
	put_str(o, "name", j->name);
	put_str(o, "step_key", j->step_key);
	put_str(o, "state", j->state);
	put_str(o, "web_url", j->web_url);
	if (j->type == BK_JOB_MANUAL)
		json_object_object_add(o, "unblockable", json_object_new_boolean(j->unblockable));
	if (j->unblocked_by) {
		json_object *by = json_object_new_object();
		put_str(by, "name", j->unblocked_by);
		json_object_object_add(o, "unblocked_by", by);
	}
	put_str(o, "unblocked_at", j->unblocked_at);
	put_str(o, "started_at", j->started_at);
	put_str(o, "finished_at", j->finished_at);
	if (j->exit_status >= 0)
		json_object_object_add(o, "exit_status", json_object_new_int(j->exit_status));
	return o;
}

static json_object *build_to_json(const struct bk_build *b)
{
	json_object *o = json_object_new_object();
	put_str(o, "id", b->id);
	json_object_object_add(o, "number", json_object_new_int64(b->number));
	put_str(o, "state", b->state);
	json_object_object_add(o, "blocked", json_object_new_boolean(b->blocked));
	put_str(o, "message", b->message);
	put_str(o, "commit", b->commit);
	put_str(o, "branch", b->branch);
	put_str(o, "web_url", b->web_url);
	if (b->author || b->author_email) {
		json_object *a = json_object_new_object();
		put_str(a, "name", b->author);
		put_str(a, "email", b->author_email);
		json_object_object_add(o, "author", a);
	}
	put_str(o, "created_at", b->created_at);
	put_str(o, "started_at", b->started_at);
	put_str(o, "finished_at", b->finished_at);
	if (b->nmeta) {
		json_object *md = json_object_new_object();
		for (size_t i = 0; i < b->nmeta; i++)
			put_str(md, b->meta_keys[i], b->meta_values[i]);
		json_object_object_add(o, "meta_data", md);
	}
	json_object *jobs = json_object_new_array();
	for (size_t i = 0; i < b->njobs; i++)
		json_object_array_add(jobs, job_to_json(&b->jobs[i]));
	json_object_object_add(o, "jobs", jobs);
	return o;
}

void bk_build_to_json(const struct bk_build *b, struct buf *out)
{
	json_object *o = build_to_json(b);
	size_t len;
	const char *s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &len);
	buf_add(out, s, len);
	json_object_put(o);
}

int bk_build_parse(const char *json, size_t len, struct bk_build *out, struct buf *err)
{
	memset(out, 0, sizeof *out);
	json_object *root = json_parse_text(json, len, err);
	if (!root)
		return -1;
	struct buf e = {0};
	int rc = build_from_json(out, root, &e);
	if (rc < 0)
		buf_printf(err, "build: %s", buf_str(&e));
	buf_free(&e);
	json_object_put(root);
	return rc;
}

int bk_job_parse(const char *json, size_t len, struct bk_job *out, struct buf *err)
{
	memset(out, 0, sizeof *out);
	json_object *root = json_parse_text(json, len, err);
	if (!root)
		return -1;
	int rc = -1;
	if (!json_object_is_type(root, json_type_object))
		buf_printf(err, "job: expected an object, got %s", json_kind(root));
	else if (!json_get_str(root, "id"))
		buf_adds(err, "job: missing id");
	else {
		job_from_json(out, root);
		rc = 0;
	}
	json_object_put(root);
	return rc;
}

char *bk_error_message(const char *json, size_t len)
{
	struct buf err = {0};
	json_object *root = json_parse_text(json, len, &err);
	buf_free(&err);
	char *msg = json_dup_str(root, "message");
	json_object_put(root);
	return msg;
}

static void job_copy(struct bk_job *d, const struct bk_job *s)
{
	*d = *s;
	d->id = xstrdup(s->id);
	d->type_name = xstrdup(s->type_name);
	d->name = xstrdup(s->name);
	d->label = xstrdup(s->label);
	d->step_key = xstrdup(s->step_key);
	d->state = xstrdup(s->state);
	d->web_url = xstrdup(s->web_url);
	d->unblocked_by = xstrdup(s->unblocked_by);
	d->unblocked_at = xstrdup(s->unblocked_at);
	d->started_at = xstrdup(s->started_at);
	d->finished_at = xstrdup(s->finished_at);
}

void bk_build_copy(struct bk_build *dst, const struct bk_build *src)
{
	*dst = *src;
	dst->id = xstrdup(src->id);
	dst->state = xstrdup(src->state);
	dst->message = xstrdup(src->message);
	dst->commit = xstrdup(src->commit);
	dst->branch = xstrdup(src->branch);
	dst->author = xstrdup(src->author);
	dst->author_email = xstrdup(src->author_email);
	dst->web_url = xstrdup(src->web_url);
	dst->created_at = xstrdup(src->created_at);
	dst->started_at = xstrdup(src->started_at);
	dst->finished_at = xstrdup(src->finished_at);
	dst->jobs = NULL;
	dst->njobs = 0;
	if (src->njobs) {
		dst->jobs = xcalloc(src->njobs, sizeof *dst->jobs);
		for (size_t i = 0; i < src->njobs; i++)
			job_copy(&dst->jobs[i], &src->jobs[i]);
		dst->njobs = src->njobs;
	}
	dst->meta_keys = dst->meta_values = NULL;
	dst->nmeta = 0;
	if (src->nmeta) {
		dst->meta_keys = xcalloc(src->nmeta, sizeof *dst->meta_keys);
		dst->meta_values = xcalloc(src->nmeta, sizeof *dst->meta_values);
		for (size_t i = 0; i < src->nmeta; i++) {
			dst->meta_keys[i] = xstrdup(src->meta_keys[i]);
			dst->meta_values[i] = xstrdup(src->meta_values[i]);
		}
		dst->nmeta = src->nmeta;
	}
}

void bk_build_keep_jobs(struct bk_build *b, bk_keep_job_fn keep)
{
	size_t n = 0;
	for (size_t i = 0; i < b->njobs; i++) {
		if (keep(&b->jobs[i]))
			b->jobs[n++] = b->jobs[i];
		else
			bk_job_free(&b->jobs[i]);
	}
	b->njobs = n;
	if (!n) {
		free(b->jobs);
		b->jobs = NULL;
	} else {
		b->jobs = xrealloc(b->jobs, n * sizeof *b->jobs); /* give back the dropped slots */
	}
}

void bk_job_free(struct bk_job *j)
{
	if (!j)
		return;
	free(j->id);
	free(j->type_name);
	free(j->name);
	free(j->label);
	free(j->step_key);
	free(j->state);
	free(j->web_url);
	free(j->unblocked_by);
	free(j->unblocked_at);
	free(j->started_at);
	free(j->finished_at);
	memset(j, 0, sizeof *j);
	j->exit_status = -1;
}

void bk_build_free(struct bk_build *b)
{
	if (!b)
		return;
	free(b->id);
	free(b->state);
	free(b->message);
	free(b->commit);
	free(b->branch);
	free(b->author);
	free(b->author_email);
	free(b->web_url);
	free(b->created_at);
	free(b->started_at);
	free(b->finished_at);
	for (size_t i = 0; i < b->njobs; i++)
		bk_job_free(&b->jobs[i]);
	free(b->jobs);
	for (size_t i = 0; i < b->nmeta; i++) {
		free(b->meta_keys[i]);
		free(b->meta_values[i]);
	}
	free(b->meta_keys);
	free(b->meta_values);
	memset(b, 0, sizeof *b);
}

void bk_builds_free(struct bk_build **arr, size_t n)
{
	if (!arr || !*arr)
		return;
	for (size_t i = 0; i < n; i++)
		bk_build_free(&(*arr)[i]);
	free(*arr);
	*arr = NULL;
}

/* ---- time ---- */

static int digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int days_in_month(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : d[m - 1];
}

int bk_parse_time(const char *s, time_t *t)
{
	if (!s)
		return -1;
	const char *p = s;
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' || digits(&p, 2, &d))
		return -1;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return -1;
	p++;
	if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi) || *p++ != ':' || digits(&p, 2, &sec))
		return -1;
	if (*p == '.' || *p == ',') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (digits(&p, 2, &oh))
			return -1;
		if (*p == ':' || isdigit((unsigned char)*p)) {
			p += *p == ':';
			if (digits(&p, 2, &om))
				return -1;
		}
		if (oh > 23 || om > 59)
			return -1;
	}
	if (*p)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60)
		return -1;
	struct tm tm = {0};
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	/* Fields are range-checked above, so timegm cannot fail or normalise. */
	*t = timegm(&tm) - (time_t)sign * (oh * 3600 + om * 60);
	return 0;
}

/* ---- Link header (RFC 8288) ---- */

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return p;
}

static int is_token_char(char c)
{
	return c && !strchr(" \t\r\n;,=\"<>", c);
}

/* Whether space-separated rel list [v, v+len) contains "next". */
static int rel_has_next(const char *v, size_t len)
{
	size_t i = 0;
	while (i < len) {
		while (i < len && (v[i] == ' ' || v[i] == '\t'))
			i++;
		size_t start = i;
		while (i < len && v[i] != ' ' && v[i] != '\t')
			i++;
		if (i - start == 4 && !strncasecmp(v + start, "next", 4))
			return 1;
	}
	return 0;
}

/* Skip to just past the next ',' that is outside <> and quotes (or to the
 * end) after a malformed link-value, so one bad entry cannot hide the rest. */
static const char *skip_link_value(const char *p)
{
	int quoted = 0, angle = 0;
	for (; *p; p++) {
		if (quoted) {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == '"')
				quoted = 0;
		} else if (*p == '"') {
			quoted = 1;
		} else if (*p == '<') {
			angle = 1;
		} else if (*p == '>') {
			angle = 0;
		} else if (*p == ',' && !angle) {
			return p + 1;
		}
	}
	return p;
}

char *bk_link_next(const char *h)
{
	if (!h)
		return NULL;
	const char *p = h;
	for (;;) {
		p = skip_ws(p);
		while (*p == ',')
			p = skip_ws(p + 1);
		if (!*p)
			return NULL;
		if (*p != '<') {
			p = skip_link_value(p);
			continue;
		}
		const char *url = p + 1, *close = strchr(url, '>');
		if (!close)
			return NULL;
		size_t url_len = (size_t)(close - url);
		p = close + 1;
		int next = 0, bad = 0;
		struct buf val = {0};
		for (;;) {
			p = skip_ws(p);
			if (*p != ';')
				break;
			p = skip_ws(p + 1);
			const char *name = p;
			while (is_token_char(*p))
				p++;
			size_t name_len = (size_t)(p - name);
			p = skip_ws(p);
			buf_reset(&val);
			if (*p == '=') {
				p = skip_ws(p + 1);
				if (*p == '"') {
					for (p++; *p && *p != '"'; p++) {
						if (*p == '\\' && p[1])
							p++;
						buf_addc(&val, *p);
					}
					if (*p != '"') {
						bad = 1;
						break;
					}
					p++;
				} else {
					const char *v = p;
					while (is_token_char(*p))
						p++;
					buf_add(&val, v, (size_t)(p - v));
				}
			}
			if (name_len == 3 && !strncasecmp(name, "rel", 3) && rel_has_next(buf_str(&val), val.len))
				next = 1;
		}
		buf_free(&val);
		p = skip_ws(p);
		if (!bad && (*p == ',' || !*p) && next) {
			/* The URL is taken verbatim, minus surrounding blanks. */
			while (url_len && (*url == ' ' || *url == '\t')) {
				url++;
				url_len--;
			}
			while (url_len && (url[url_len - 1] == ' ' || url[url_len - 1] == '\t'))
				url_len--;
			return url_len ? xstrndup(url, url_len) : NULL;
		}
		if (bad)
			return NULL;
		if (*p && *p != ',')
			p = skip_link_value(p);
	}
}
