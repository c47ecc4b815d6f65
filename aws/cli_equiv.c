#include "aws/cli_equiv.h"

#include <stdlib.h>
#include <string.h>

#include "core/shquote.h"

static int is_upper(int c)
{
	return c >= 'A' && c <= 'Z';
}

static int is_lower(int c)
{
	return c >= 'a' && c <= 'z';
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

void aws_cli_name(struct buf *out, const char *name)
{
	/* botocore.xform_name: a trailing run of capitals plus "s" ("ARNs")
	 * is one word; then "(.)([A-Z][a-z]+)" and "([a-z0-9])([A-Z])" get a
	 * separator between their groups, left to right, and all is lower-cased. */
	struct buf n = {0};
	size_t len = strlen(name);
	if (len >= 3 && name[len - 1] == 's' && is_upper(name[len - 2]) && is_upper(name[len - 3])) {
		size_t start = len - 1;
		while (start > 0 && is_upper(name[start - 1]))
			start--;
		buf_add(&n, name, start);
		buf_addc(&n, '-');
		for (size_t i = start; i < len; i++)
			buf_addc(&n, is_upper(name[i]) ? (char)(name[i] - 'A' + 'a') : name[i]);
	} else {
		buf_adds(&n, name);
	}
	struct buf s1 = {0};
	const char *s = buf_str(&n);
	for (size_t i = 0; s[i];) {
		if (s[i + 1] && is_upper(s[i + 1]) && is_lower(s[i + 2])) {
			size_t end = i + 3;
			while (is_lower(s[end]))
				end++;
			buf_addc(&s1, s[i]);
			buf_addc(&s1, '-');
			buf_add(&s1, s + i + 1, end - i - 1);
			i = end;
		} else {
			buf_addc(&s1, s[i++]);
		}
	}
	s = buf_str(&s1);
	for (size_t i = 0; s[i];) {
		if ((is_lower(s[i]) || is_digit(s[i])) && is_upper(s[i + 1])) {
			buf_addc(out, s[i]);
			buf_addc(out, '-');
			buf_addc(out, (char)(s[i + 1] - 'A' + 'a'));
			i += 2;
		} else {
			buf_addc(out, is_upper(s[i]) ? (char)(s[i] - 'A' + 'a') : s[i]);
			i++;
		}
	}
	buf_free(&s1);
	buf_free(&n);
}

/* ---- the request's parameters ---- */

struct param {
	char *name;  /* decoded */
	char *value; /* decoded, or "(secret)" */
};

struct params {
	struct param *v;
	size_t n;
};

static int hex(int c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static char *decode(const char *s, size_t len)
{
	struct buf b = {0};
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '%' && i + 2 < len && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
			buf_addc(&b, (char)(hex(s[i + 1]) * 16 + hex(s[i + 2])));
			i += 2;
		} else {
			buf_addc(&b, s[i]);
		}
	}
	return buf_steal(&b);
}

static int secret_value(const char *v, const char *const *secrets)
{
	for (const char *const *p = secrets; p && *p; p++)
		if (**p && !strcmp(v, *p))
			return 1;
	return 0;
}

/* Split a form body or query "a=1&b=2" into decoded pairs, leaving out skip1
 * and skip2 (names). */
static void params_parse(struct params *ps, const char *s, size_t len, const char *const *secrets, const char *skip1,
			 const char *skip2)
{
	memset(ps, 0, sizeof *ps);
	size_t i = 0;
	while (s && i < len) {
		size_t end = i;
		while (end < len && s[end] != '&')
			end++;
		if (end > i) {
			const char *eq = memchr(s + i, '=', end - i);
			size_t nl = eq ? (size_t)(eq - (s + i)) : end - i;
			char *name = decode(s + i, nl);
			char *value = eq ? decode(eq + 1, (size_t)(s + end - eq - 1)) : xstrdup("");
			if ((skip1 && !strcmp(name, skip1)) || (skip2 && !strcmp(name, skip2))) {
				free(name);
				free(value);
			} else {
				if (secret_value(value, secrets) || !strcmp(name, "TokenCode")) {
					free(value);
					value = xstrdup("(secret)");
				}
				ps->v = xrealloc(ps->v, (ps->n + 1) * sizeof *ps->v);
				ps->v[ps->n++] = (struct param){name, value};
			}
		}
		i = end + 1;
	}
}

static void params_free(struct params *ps)
{
	for (size_t i = 0; i < ps->n; i++) {
		free(ps->v[i].name);
		free(ps->v[i].value);
	}
	free(ps->v);
	memset(ps, 0, sizeof *ps);
}

/* ---- words ---- */

static void word(struct buf *out, const char *w)
{
	buf_addc(out, ' ');
	shquote_word(out, w);
}

static void option(struct buf *out, const char *name)
{
	buf_adds(out, " --");
	aws_cli_name(out, name);
}

/* Parameters the CLI takes as flags: --name / --no-name. */
static int boolean_param(const char *name)
{
	static const char *const names[] = {
		"DisableRollback",     "DryRun", "IncludeDeprecated", "IncludeDisabled", "EnableTerminationProtection",
		"IncludeNestedStacks", NULL};
	for (const char *const *p = names; *p; p++)
		if (!strcmp(name, *p))
			return 1;
	return 0;
}

static void scalar(struct buf *out, const char *name, const char *value)
{
	if (boolean_param(name) && (!strcmp(value, "true") || !strcmp(value, "false"))) {
		buf_adds(out, !strcmp(value, "true") ? " --" : " --no-");
		aws_cli_name(out, name);
		return;
	}
	if (value[0] == '-') {
		/* argparse would take "-x" for an option: give it as --name=-x. */
		struct buf w = {0};
		buf_adds(&w, "--");
		aws_cli_name(&w, name);
		buf_addc(&w, '=');
		buf_adds(&w, value);
		word(out, buf_str(&w));
		buf_free(&w);
		return;
	}
	option(out, name);
	word(out, value);
}

/* EC2 names a list parameter in the singular (ImageId.1); the CLI uses the
 * member's name, its plural (--image-ids). */
static void plural(struct buf *out, const char *name, size_t len)
{
	if (len == 12 && !strncmp(name, "ExecutableBy", 12)) {
		buf_adds(out, "ExecutableUsers");
		return;
	}
	buf_add(out, name, len);
	buf_addc(out, 's');
}

static int all_digits(const char *s, size_t len)
{
	if (!len)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!is_digit(s[i]))
			return 0;
	return 1;
}

/* One field of one element of a structure list. */
struct field {
	char *name;    /* the CLI's member name ("ParameterKey", "Values") */
	int list;      /* a list of scalars (Filter.N.Value.M) */
	char **values; /* borrowed from the params */
	size_t nvalues;
};

struct element {
	char *index; /* "1", "2" ... as in the request */
	struct field *fields;
	size_t nfields;
};

struct structs {
	struct element *v;
	size_t n;
};

static struct element *element_get(struct structs *ss, const char *index, size_t len)
{
	for (size_t i = 0; i < ss->n; i++)
		if (strlen(ss->v[i].index) == len && !strncmp(ss->v[i].index, index, len))
			return &ss->v[i];
	ss->v = xrealloc(ss->v, (ss->n + 1) * sizeof *ss->v);
	struct element *e = &ss->v[ss->n++];
	memset(e, 0, sizeof *e);
	e->index = xstrndup(index, len);
	return e;
}

static void field_add(struct element *e, const char *name, int list, char *value)
{
	struct field *f = NULL;
	for (size_t i = 0; i < e->nfields; i++)
		if (!strcmp(e->fields[i].name, name))
			f = &e->fields[i];
	if (!f) {
		e->fields = xrealloc(e->fields, (e->nfields + 1) * sizeof *e->fields);
		f = &e->fields[e->nfields++];
		memset(f, 0, sizeof *f);
		f->name = xstrdup(name);
		f->list = list;
	}
	f->values = xrealloc(f->values, (f->nvalues + 1) * sizeof *f->values);
	f->values[f->nvalues++] = value;
}

static void structs_free(struct structs *ss)
{
	for (size_t i = 0; i < ss->n; i++) {
		for (size_t j = 0; j < ss->v[i].nfields; j++) {
			free(ss->v[i].fields[j].name);
			free(ss->v[i].fields[j].values);
		}
		free(ss->v[i].fields);
		free(ss->v[i].index);
	}
	free(ss->v);
	memset(ss, 0, sizeof *ss);
}

/* Whether the CLI's shorthand reads v back as it is (a ',' escaped as \,
 * in a scalar field; none in a list's element). */
static int shorthand_ok(const char *v, int in_list)
{
	if (!*v)
		return 0;
	for (const char *p = v; *p; p++) {
		int c = (unsigned char)*p;
		if (!(is_upper(c) || is_lower(c) || is_digit(c) || strchr("._:/@+*-()", c) || (c == ',' && !in_list)))
			return 0;
	}
	return 1;
}

static void json_string(struct buf *out, const char *s)
{
	buf_addc(out, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_printf(out, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			buf_printf(out, "\\u%04x", *p);
		else
			buf_addc(out, (char)*p);
	}
	buf_addc(out, '"');
}

static void structs_render(struct buf *out, const struct structs *ss)
{
	int shorthand = 1;
	for (size_t i = 0; i < ss->n; i++)
		for (size_t j = 0; j < ss->v[i].nfields; j++)
			for (size_t k = 0; k < ss->v[i].fields[j].nvalues; k++)
				shorthand &= shorthand_ok(ss->v[i].fields[j].values[k], ss->v[i].fields[j].list);
	struct buf w = {0};
	if (shorthand) {
		for (size_t i = 0; i < ss->n; i++) {
			buf_reset(&w);
			const struct element *e = &ss->v[i];
			for (size_t j = 0; j < e->nfields; j++) {
				buf_printf(&w, "%s%s=", j ? "," : "", e->fields[j].name);
				for (size_t k = 0; k < e->fields[j].nvalues; k++) {
					if (k)
						buf_addc(&w, ',');
					for (const char *p = e->fields[j].values[k]; *p; p++) {
						if (*p == ',')
							buf_addc(&w, '\\');
						buf_addc(&w, *p);
					}
				}
			}
			word(out, buf_str(&w));
		}
		buf_free(&w);
		return;
	}
	buf_addc(&w, '[');
	for (size_t i = 0; i < ss->n; i++) {
		const struct element *e = &ss->v[i];
		buf_adds(&w, i ? ",{" : "{");
		for (size_t j = 0; j < e->nfields; j++) {
			if (j)
				buf_addc(&w, ',');
			json_string(&w, e->fields[j].name);
			buf_addc(&w, ':');
			if (e->fields[j].list)
				buf_addc(&w, '[');
			for (size_t k = 0; k < e->fields[j].nvalues; k++) {
				if (k)
					buf_addc(&w, ',');
				json_string(&w, e->fields[j].values[k]);
			}
			if (e->fields[j].list)
				buf_addc(&w, ']');
		}
		buf_addc(&w, '}');
	}
	buf_addc(&w, ']');
	word(out, buf_str(&w));
	buf_free(&w);
}

/* Write the parameters whose first name segment is top (all of ps that
 * have it, in their order) as one CLI argument. */
static void argument(struct buf *out, const struct params *ps, const char *top, size_t tlen)
{
	struct buf cli = {0};
	struct structs ss = {0};
	int list = 0, ec2 = 0;
	struct buf values = {0}; /* scalar list: the words */
	for (size_t i = 0; i < ps->n; i++) {
		const char *n = ps->v[i].name;
		if (strncmp(n, top, tlen) != 0 || (n[tlen] && n[tlen] != '.'))
			continue;
		if (!n[tlen]) {
			scalar(out, n, ps->v[i].value);
			continue;
		}
		const char *rest = n + tlen + 1;
		int member = !strncmp(rest, "member.", 7);
		if (member)
			rest += 7;
		else
			ec2 = 1;
		size_t il = strcspn(rest, ".");
		if (!all_digits(rest, il)) {
			/* Not a list: a structure parameter (none in relcon's requests);
			 * the CLI's shorthand names its fields the same way. */
			option(out, top);
			struct buf w = {0};
			buf_printf(&w, "%s=%s", rest, ps->v[i].value);
			word(out, buf_str(&w));
			buf_free(&w);
			continue;
		}
		if (!rest[il]) {
			list = 1;
			word(&values, ps->v[i].value);
			continue;
		}
		/* A structure list's field: F, F.M (EC2 list) or F.member.M. */
		const char *f = rest + il + 1;
		size_t fl = strcspn(f, ".");
		struct buf fname = {0};
		int flist = f[fl] != '\0';
		if (flist && !strncmp(f + fl, ".member.", 8))
			buf_add(&fname, f, fl);
		else if (flist)
			plural(&fname, f, fl);
		else
			buf_add(&fname, f, fl);
		field_add(element_get(&ss, rest, il), buf_str(&fname), flist, ps->v[i].value);
		buf_free(&fname);
	}
	if (list || ss.n) {
		if (ec2)
			plural(&cli, top, tlen);
		else
			buf_add(&cli, top, tlen);
		option(out, buf_str(&cli));
		if (list)
			buf_add(out, values.s ? values.s : "", values.len);
		if (ss.n)
			structs_render(out, &ss);
	}
	structs_free(&ss);
	buf_free(&values);
	buf_free(&cli);
}

static void arguments(struct buf *out, const struct params *ps)
{
	for (size_t i = 0; i < ps->n; i++) {
		const char *n = ps->v[i].name;
		size_t tlen = strcspn(n, ".");
		int seen = 0;
		for (size_t j = 0; j < i && !seen; j++)
			seen = !strncmp(ps->v[j].name, n, tlen) && (ps->v[j].name[tlen] == '.' || !ps->v[j].name[tlen]);
		if (!seen)
			argument(out, ps, n, tlen);
	}
}

void aws_cli_command(struct buf *out, const struct aws_req *req, const char *region, const char *endpoint_url,
		     const char *profile)
{
	int s3 = !strcmp(req->service, "s3");
	buf_printf(out, "aws %s ", s3 ? "s3api" : req->service);
	aws_cli_name(out, req->op ? req->op : "");
	if (region) {
		buf_adds(out, " --region");
		word(out, region);
	}
	if (endpoint_url) {
		buf_adds(out, " --endpoint-url");
		word(out, endpoint_url);
	}
	if (profile && *profile && strcmp(profile, "default") != 0) {
		buf_adds(out, " --profile");
		word(out, profile);
	}
	struct params ps;
	if (s3) {
		if (req->bucket && *req->bucket) {
			buf_adds(out, " --bucket");
			word(out, req->bucket);
		}
		if (req->key && *req->key) {
			buf_adds(out, " --key");
			word(out, req->key);
		}
		params_parse(&ps, req->query, req->query ? strlen(req->query) : 0, req->secrets, "list-type", NULL);
		for (size_t i = 0; i < ps.n; i++) {
			struct buf o = {0};
			buf_printf(&o, "--%s", ps.v[i].name);
			word(out, buf_str(&o));
			word(out, ps.v[i].value);
			buf_free(&o);
		}
		if (req->op && !strcmp(req->op, "GetObject"))
			buf_adds(out, " /dev/stdout");
	} else {
		params_parse(&ps, req->body, req->body ? req->body_len : 0, req->secrets, "Action", "Version");
		arguments(out, &ps);
	}
	params_free(&ps);
}
