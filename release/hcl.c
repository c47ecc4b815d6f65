#include "release/hcl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Brackets, blocks and templates nested deeper than this are refused rather
 * than recursed into: the real file nests three deep, garbage can nest 1e6. */
#define MAX_NEST 64

enum tk { T_EOF, T_NL, T_IDENT, T_STR, T_HEREDOC, T_NUM, T_EQ, T_PUNCT };
enum body { BODY_TOP, BODY_LOCALS, BODY_OTHER };

struct tok {
	enum tk k;
	const char *p; /* raw text, borrowed from the input */
	size_t n;
	int line, col, literal; /* literal: T_STR without ${...}/%{...}, value in ps->sv */
};

/* A list item ("ID" or local.NAME) or a local set to one quoted string. */
struct val {
	char *s; /* owned value, len bytes; NULL for a reference */
	size_t len;
	const char *name; /* borrowed: the referenced or the defined local */
	size_t nlen;
	int line, col;
};

struct vals {
	struct val *v;
	size_t n, cap;
	int found, line; /* lists: where the attribute was set */
};

struct idset { /* open addressing; keys are id+1 so that 0 marks a free slot */
	uint64_t *key;
	size_t *val, mask;
};

struct ps {
	const char *name, *p, *end;
	int line, col, depth, failed;
	struct tok la; /* one token of lookahead */
	int have_la;
	struct buf sv, tmp, *err;
	struct vals lists[2], locals; /* internal, customer; string locals */
	struct hcl_accounts *out;
};

static const char *const list_names[2] = {"internal_account_ids", "customer_account_ids"};

static int at(const struct ps *ps, ptrdiff_t i)
{
	return ps->end - ps->p > i ? (unsigned char)ps->p[i] : -1;
}
static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}
/* HCL identifiers allow '-' and Unicode letters; any non-ASCII byte is taken. */
static int is_ident(int c)
{
	return is_alpha(c) || is_digit(c) || c == '-' || c >= 0x80;
}

/* How much of a name from the input to print: names hold no control
 * characters (see is_ident) but may be long. */
static int plen(size_t n)
{
	return n > 60 ? 60 : (int)n;
}

static void adv(struct ps *ps)
{
	if (*ps->p == '\n')
		ps->line++, ps->col = 1;
	else if (((unsigned char)*ps->p & 0xc0) != 0x80) /* not a UTF-8 continuation */
		ps->col++;
	ps->p++;
}

/* Printable excerpt of input text for a message (borrowed until the next
 * call): at most 60 bytes cut on a character boundary, control characters
 * as '?', between quote characters unless quote is 0. */
static const char *show(struct ps *ps, const char *s, size_t n, char quote)
{
	size_t max = n > 60 ? 60 : n;
	while (max < n && max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	buf_reset(&ps->tmp);
	if (quote)
		buf_addc(&ps->tmp, quote);
	for (size_t i = 0; i < max; i++)
		buf_addc(&ps->tmp, (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i]);
	buf_adds(&ps->tmp, max < n ? "..." : "");
	if (quote)
		buf_addc(&ps->tmp, quote);
	return buf_str(&ps->tmp);
}

static const char *describe(struct ps *ps, const struct tok *t)
{
	static const char *const what[T_PUNCT + 1] = {[T_EOF] = "end of file",
						      [T_NL] = "end of line",
						      [T_STR] = "a quoted string",
						      [T_HEREDOC] = "a heredoc"};
	return what[t->k] ? what[t->k] : show(ps, t->p, t->n, '\'');
}

/* Record the first error; the lexer then sees end of file, so every loop
 * ends.  Returns -1. */
__attribute__((format(printf, 4, 5))) static int fail(struct ps *ps, int line, int col, const char *fmt, ...)
{
	va_list ap;
	if (ps->failed)
		return -1;
	buf_printf(ps->err, "%s:%d:%d: ", ps->name, line, col);
	va_start(ap, fmt);
	buf_vprintf(ps->err, fmt, ap);
	va_end(ap);
	ps->failed = 1;
	ps->p = ps->end;
	return -1;
}

__attribute__((format(printf, 4, 5))) static void warn(struct ps *ps, int line, int col, const char *fmt, ...)
{
	struct buf b = {0};
	struct hcl_accounts *o = ps->out;
	va_list ap;
	buf_printf(&b, "%s:%d:%d: ", ps->name, line, col);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if ((o->nwarnings & (o->nwarnings - 1)) == 0) /* 0, 1, 2, 4...: double the array */
		o->warnings = xrealloc(o->warnings, (o->nwarnings ? 2 * o->nwarnings : 1) * sizeof *o->warnings);
	o->warnings[o->nwarnings++] = buf_steal(&b);
}

static void lex(struct ps *ps, struct tok *t);

static int is_p(const struct tok *t, char c)
{
	return t->k == T_PUNCT && t->n == 1 && *t->p == c;
}

/* After "${" or "%{" in a string: lex up to the matching '}' (the template
 * may hold strings with braces of their own). */
static void skip_template(struct ps *ps, const struct tok *str)
{
	struct tok t;
	long depth = 0;
	if (++ps->depth > MAX_NEST) {
		fail(ps, str->line, str->col, "templates nested too deeply");
		return;
	}
	for (lex(ps, &t); t.k != T_EOF; lex(ps, &t)) {
		if (is_p(&t, '{'))
			depth++;
		else if (is_p(&t, '}') && depth-- == 0) {
			ps->depth--;
			return;
		}
	}
	fail(ps, str->line, str->col, "unterminated string");
}

static void lex_string(struct ps *ps, struct tok *t)
{
	buf_reset(&ps->sv);
	t->k = T_STR;
	t->literal = 1;
	adv(ps);
	while (!ps->failed) {
		static const char from[] = "ntr\"\\", to[] = "\n\t\r\"\\";
		int c = at(ps, 0), e = at(ps, 1);
		const char *esc = e > 0 ? strchr(from, e) : NULL;
		if (c < 0 || c == '\n' || (c == '\\' && (e < 0 || e == '\n'))) { /* quoted strings are one line */
			fail(ps, t->line, t->col, "unterminated string");
		} else if (c == '"') {
			adv(ps);
			break;
		} else if (c == '\\' && (esc || e == 'u' || e == 'U')) { /* \u is kept as written: no ID needs it */
			buf_addc(&ps->sv, esc ? to[esc - from] : '\\');
			adv(ps);
			if (esc)
				adv(ps);
		} else if (c == '\\') {
			fail(ps, ps->line, ps->col, "invalid escape sequence %s in a string", show(ps, ps->p, 2, '\''));
		} else if ((c == '$' || c == '%') && e == '{') {
			t->literal = 0;
			adv(ps), adv(ps);
			skip_template(ps, t);
		} else {
			if ((c == '$' || c == '%') && e == c && at(ps, 2) == '{') /* $${ and %%{ stand for ${ and %{ */
				adv(ps);
			buf_add(&ps->sv, ps->p, 1);
			adv(ps);
		}
	}
}

/* <<EOF or <<-EOF, then lines up to one holding only the marker (HCL lets
 * it be indented in both forms).  The content is never needed. */
static void lex_heredoc(struct ps *ps, struct tok *t)
{
	t->k = T_HEREDOC;
	adv(ps), adv(ps);
	if (at(ps, 0) == '-')
		adv(ps);
	const char *m = ps->p;
	while (is_alpha(at(ps, 0)) || (ps->p > m && at(ps, 0) < 0x80 && is_ident(at(ps, 0))))
		adv(ps);
	size_t mlen = (size_t)(ps->p - m);
	if (at(ps, 0) == '\r')
		adv(ps);
	if (mlen == 0 || at(ps, 0) != '\n') {
		fail(ps, t->line, t->col, "a heredoc needs a marker such as <<EOF at the end of its line");
		return;
	}
	for (;;) {
		adv(ps); /* the newline ending the previous line */
		while (at(ps, 0) == ' ' || at(ps, 0) == '\t')
			adv(ps);
		if ((size_t)(ps->end - ps->p) >= mlen && memcmp(ps->p, m, mlen) == 0) {
			const char *q = ps->p + mlen;
			while (q < ps->end && (*q == ' ' || *q == '\t' || *q == '\r'))
				q++;
			if (q == ps->end || *q == '\n') {
				while (ps->p < q)
					adv(ps);
				return;
			}
		}
		while (at(ps, 0) >= 0 && at(ps, 0) != '\n')
			adv(ps);
		if (at(ps, 0) < 0) {
			fail(ps, t->line, t->col, "unterminated heredoc (no line with just %s)", show(ps, m, mlen, 0));
			return;
		}
	}
}

/* Next token, skipping blanks and comments.  Newlines are tokens because
 * they end attributes.  After an error, T_EOF. */
static void lex(struct ps *ps, struct tok *t)
{
	for (int c = at(ps, 0);; c = at(ps, 0)) {
		if (c == ' ' || c == '\t' || c == '\r') {
			adv(ps);
		} else if (c == '#' || (c == '/' && at(ps, 1) == '/')) {
			while (at(ps, 0) >= 0 && at(ps, 0) != '\n')
				adv(ps);
		} else if (c == '/' && at(ps, 1) == '*') {
			int line = ps->line, col = ps->col;
			adv(ps), adv(ps);
			while (at(ps, 0) >= 0 && !(at(ps, 0) == '*' && at(ps, 1) == '/'))
				adv(ps);
			if (at(ps, 0) < 0)
				fail(ps, line, col, "unterminated /* comment");
			else
				adv(ps), adv(ps);
		} else {
			break;
		}
	}
	memset(t, 0, sizeof *t);
	t->p = ps->p;
	t->line = ps->line;
	t->col = ps->col;
	int c = at(ps, 0), d = at(ps, 1);
	if (c == '"') {
		lex_string(ps, t);
	} else if (c == '<' && d == '<') {
		lex_heredoc(ps, t);
	} else if (c == '\n') {
		t->k = T_NL;
		adv(ps);
	} else if (is_alpha(c) || c >= 0x80) {
		t->k = T_IDENT;
		while (is_ident(at(ps, 0)))
			adv(ps);
	} else if (is_digit(c)) {
		t->k = T_NUM;
		while (is_ident(at(ps, 0)) || at(ps, 0) == '.')
			adv(ps);
	} else if (c == '=' && d != '=' && d != '>') {
		t->k = T_EQ;
		adv(ps);
	} else if (c > 0 && strchr("{}[](),.:?!=<>+-*/%&|~", c)) {
		t->k = T_PUNCT;
		adv(ps);
		if ((d == '=' && strchr("!<>=", c)) || (c == '=' && d == '>')) /* so "a == b" has no lone '=' */
			adv(ps);
	} else if (c >= 0) {
		fail(ps, t->line, t->col, "unexpected character %s", show(ps, t->p, 1, '\''));
	}
	t->n = (size_t)(ps->p - t->p);
	if (ps->failed)
		t->k = T_EOF;
}

static struct tok *peek(struct ps *ps)
{
	if (!ps->have_la)
		lex(ps, &ps->la), ps->have_la = 1;
	return &ps->la;
}

static void take(struct ps *ps)
{
	ps->have_la = 0;
}

static struct tok *skip_nl(struct ps *ps)
{
	while (peek(ps)->k == T_NL)
		take(ps);
	return peek(ps);
}

static int ident_is(const struct tok *t, const char *s)
{
	return t->k == T_IDENT && t->n == strlen(s) && memcmp(t->p, s, t->n) == 0;
}

/* An attribute ends here (the '}' is left for the block). */
static int at_end(const struct tok *t)
{
	return t->k == T_NL || t->k == T_EOF || is_p(t, '}');
}

/* Skip the rest of an expression of which ntok tokens were read: up to a
 * newline outside brackets, or the '}' closing the enclosing block. */
static int skip_expr(struct ps *ps, const struct tok *attr, int ntok)
{
	static const char open[] = "([{", close[] = ")]}";
	static const char *const what[] = {"parenthesis", "list", "object"};
	struct {
		int kind, line, col;
	} st[MAX_NEST];
	int n = 0;
	for (;; take(ps), ntok++) {
		struct tok *t = peek(ps);
		const char *o = t->k == T_PUNCT && t->n == 1 ? strchr(open, *t->p) : NULL;
		const char *c = t->k == T_PUNCT && t->n == 1 ? strchr(close, *t->p) : NULL;
		if (n > 0 && t->k == T_EOF)
			return fail(ps, st[n - 1].line, st[n - 1].col, "unterminated %s (no closing '%c')",
				    what[st[n - 1].kind], close[st[n - 1].kind]);
		if (n == 0 && at_end(t) && ntok == 0)
			return fail(ps, t->line, t->col, "%.*s: expected an expression after '='", plen(attr->n),
				    attr->p);
		if (n == 0 && at_end(t))
			return 0;
		if (o && n == MAX_NEST)
			return fail(ps, t->line, t->col, "brackets nested too deeply");
		if (o)
			st[n].kind = (int)(o - open), st[n].line = t->line, st[n++].col = t->col;
		else if (c && n == 0)
			return fail(ps, t->line, t->col, "unexpected '%c'", *c);
		else if (c && close[st[n - 1].kind] != *c)
			return fail(ps, t->line, t->col, "'%c' does not close the '%c' at line %d, column %d", *c,
				    open[st[n - 1].kind], st[n - 1].line, st[n - 1].col);
		else if (c)
			n--;
	}
}

static void push(struct vals *l, struct val v)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n++] = v;
}

static char *copy_sv(const struct ps *ps) /* the value may hold NULs */
{
	char *s = xmalloc(ps->sv.len + 1);
	memcpy(s, buf_str(&ps->sv), ps->sv.len + 1);
	return s;
}

/* internal_account_ids / customer_account_ids = [ "ID" or local.NAME, ... ] */
static int parse_list(struct ps *ps, int which, const struct tok *id)
{
	const char *nm = list_names[which];
	struct vals *l = &ps->lists[which];
	struct tok *t = peek(ps), open = *t;
	if (l->found)
		return fail(ps, id->line, id->col, "%s is set twice (first at line %d)", nm, l->line);
	l->found = 1;
	l->line = id->line;
	if (!is_p(t, '['))
		goto not_literal;
	for (take(ps); !is_p(t = skip_nl(ps), ']');) {
		struct val v = {.line = t->line, .col = t->col};
		if (t->k == T_EOF || is_p(t, '}'))
			goto unterminated;
		if (t->k == T_STR && !t->literal)
			return fail(ps, t->line, t->col,
				    "%s: relcon can only read literal account IDs, not strings with ${...}", nm);
		if (t->k == T_STR) {
			v.s = copy_sv(ps), v.len = ps->sv.len;
		} else if (ident_is(t, "local")) {
			take(ps);
			if (!is_p(t = peek(ps), '.'))
				goto bad_item;
			take(ps);
			if ((t = peek(ps))->k != T_IDENT)
				goto bad_item;
			v.name = t->p, v.nlen = t->n;
		} else {
			goto bad_item;
		}
		take(ps);
		push(l, v);
		if (is_p(t = skip_nl(ps), ','))
			take(ps);
		else if (t->k == T_EOF || is_p(t, '}'))
			goto unterminated;
		else if (!is_p(t, ']'))
			return fail(ps, t->line, t->col, "%s: expected ',' or ']' after a list item, found %s", nm,
				    describe(ps, t));
	}
	take(ps);
	if (at_end(peek(ps)))
		return 0;
	t = &open; /* "[...] + x", "[...][0]": an expression that starts with a list */
not_literal:
	return fail(ps, t->line, t->col,
		    "%s: relcon can only read a literal list of quoted account IDs, not an expression", nm);
bad_item:
	return fail(ps, t->line, t->col,
		    "%s: relcon can only read a literal list of quoted account IDs or local.NAME, found %s", nm,
		    describe(ps, t));
unterminated:
	return fail(ps, open.line, open.col, "%s: unterminated list (no closing ']')", nm);
}

/* An attribute of a top-level locals block. */
static int local_attr(struct ps *ps, const struct tok *id)
{
	for (int i = 0; i < 2; i++)
		if (ident_is(id, list_names[i]))
			return parse_list(ps, i, id);
	struct tok *t = peek(ps);
	if (t->k != T_STR || !t->literal)
		return skip_expr(ps, id, 0);
	/* Keep a local that is exactly one quoted string: a list may refer to it. */
	struct val v = {.len = ps->sv.len, .name = id->p, .nlen = id->n, .line = t->line, .col = t->col};
	v.s = copy_sv(ps);
	take(ps);
	if (at_end(peek(ps))) {
		push(&ps->locals, v);
		return 0;
	}
	free(v.s);
	return skip_expr(ps, id, 1);
}

/* A body: attributes "name = expr" and blocks "type label... { body }". */
static int parse_body(struct ps *ps, enum body kind, int oline, int ocol)
{
	for (;;) {
		struct tok *t = peek(ps), id = *t;
		int labels = 0;
		if (t->k == T_NL) {
			take(ps);
			continue;
		}
		if (t->k == T_EOF)
			return kind == BODY_TOP ? 0 : fail(ps, oline, ocol, "unterminated block (no closing '}')");
		if (is_p(t, '}') && kind == BODY_TOP)
			return fail(ps, t->line, t->col, "unexpected '}'");
		if (is_p(t, '}')) {
			take(ps);
			return 0;
		}
		if (t->k != T_IDENT)
			return fail(ps, t->line, t->col, "expected an attribute or a block, found %s", describe(ps, t));
		take(ps);
		if ((t = peek(ps))->k == T_EQ) {
			take(ps);
			if ((kind == BODY_LOCALS ? local_attr(ps, &id) : skip_expr(ps, &id, 0)) < 0)
				return -1;
			continue;
		}
		for (; t->k == T_STR || t->k == T_IDENT; t = peek(ps), labels++)
			take(ps);
		if (!is_p(t, '{'))
			return fail(ps, t->line, t->col, "expected '=' or '{' after %.*s, found %s", plen(id.n), id.p,
				    describe(ps, t));
		int line = t->line, col = t->col;
		take(ps);
		if (++ps->depth > MAX_NEST)
			return fail(ps, line, col, "blocks nested too deeply");
		if (parse_body(ps, kind == BODY_TOP && !labels && ident_is(&id, "locals") ? BODY_LOCALS : BODY_OTHER,
			       line, col))
			return -1;
		ps->depth--;
	}
}

static int cmp_name(const void *pa, const void *pb)
{
	const struct val *a = pa, *b = pb;
	int c = memcmp(a->name, b->name, a->nlen < b->nlen ? a->nlen : b->nlen);
	return c ? c : (a->nlen > b->nlen) - (a->nlen < b->nlen);
}

/* Sort the string locals for lookup; a name set twice is an error, as in Packer. */
static int sort_locals(struct ps *ps)
{
	struct vals *l = &ps->locals;
	if (l->n > 1)
		qsort(l->v, l->n, sizeof *l->v, cmp_name);
	for (size_t i = 1; i < l->n; i++) {
		const struct val *a = &l->v[i - 1], *b = &l->v[i], *x;
		if (cmp_name(a, b) != 0)
			continue;
		if (a->line > b->line || (a->line == b->line && a->col > b->col))
			x = a, a = b, b = x;
		return fail(ps, b->line, b->col, "local.%.*s is set twice (first at line %d)", plen(b->nlen), b->name,
			    a->line);
	}
	return 0;
}

static void idset_init(struct idset *s, size_t n)
{
	size_t cap = 16;
	while (cap < 2 * n)
		cap *= 2;
	s->key = xcalloc(cap, sizeof *s->key);
	s->val = xcalloc(cap, sizeof *s->val);
	s->mask = cap - 1;
}

/* The slot holding id, or the free slot where it belongs. */
static size_t idset_slot(const struct idset *s, uint64_t id)
{
	size_t i = (size_t)((id * UINT64_C(0x9e3779b97f4a7c15)) >> 32) & s->mask;
	while (s->key[i] && s->key[i] != id + 1)
		i = (i + 1) & s->mask;
	return i;
}

static int parse_id(const char *s, size_t len, uint64_t *id)
{
	*id = 0;
	if (len != 12)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (!is_digit((unsigned char)s[i]))
			return -1;
		*id = *id * 10 + (uint64_t)(s[i] - '0');
	}
	return 0;
}

/* Resolve, check and de-duplicate list `which` into out; set receives its
 * IDs (value: item index); IDs also in other (the internal list) are warned of. */
static int finish_list(struct ps *ps, int which, struct idset *set, const struct idset *other, char ***out,
		       size_t *nout)
{
	const char *nm = list_names[which];
	const struct vals *l = &ps->lists[which];
	idset_init(set, l->n);
	*out = xmalloc((l->n ? l->n : 1) * sizeof **out);
	for (size_t i = 0; i < l->n; i++) {
		const struct val *it = &l->v[i], *v = it;
		uint64_t id;
		if (it->name && (!ps->locals.n || !(v = bsearch(it, ps->locals.v, ps->locals.n, sizeof *v, cmp_name))))
			return fail(ps, it->line, it->col, "%s: local.%.*s is not a local set to a quoted account ID",
				    nm, plen(it->nlen), it->name);
		/* a bad value behind a reference is reported where it is written */
		if (parse_id(v->s, v->len, &id) < 0 && it->name)
			return fail(ps, v->line, v->col, "%s: %s (local.%.*s) is not a 12-digit AWS account ID", nm,
				    show(ps, v->s, v->len, '"'), plen(v->nlen), v->name);
		if (parse_id(v->s, v->len, &id) < 0)
			return fail(ps, v->line, v->col, "%s: %s is not a 12-digit AWS account ID", nm,
				    show(ps, v->s, v->len, '"'));
		size_t slot = idset_slot(set, id), o;
		if (set->key[slot]) {
			warn(ps, it->line, it->col,
			     "%s: %.12s is listed twice (first at line %d); the repeat is ignored", nm, v->s,
			     l->v[set->val[slot]].line);
			continue;
		}
		set->key[slot] = id + 1;
		set->val[slot] = i;
		if (other && other->key[o = idset_slot(other, id)])
			warn(ps, it->line, it->col, "%.12s is in both %s (line %d) and %s", v->s, list_names[0],
			     ps->lists[0].v[other->val[o]].line, nm);
		(*out)[(*nout)++] = xstrndup(v->s, 12);
	}
	return 0;
}

static void free_vals(struct vals *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].s);
	free(l->v);
}

int hcl_read_accounts(const char *name, const char *text, size_t len, struct hcl_accounts *out, struct buf *err)
{
	if (!text)
		text = "", len = 0;
	struct ps ps = {.name = name, .p = text, .end = text + len, .line = 1, .col = 1, .err = err, .out = out};
	struct idset sets[2] = {{0}, {0}};
	memset(out, 0, sizeof *out);
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		ps.p += 3;
	parse_body(&ps, BODY_TOP, 1, 1);
	if (!ps.failed && !ps.lists[1].found) {
		buf_printf(err, "%s: customer_account_ids not found in any locals block", name);
		ps.failed = 1;
	}
	if (!ps.failed)
		sort_locals(&ps);
	if (!ps.failed)
		finish_list(&ps, 0, &sets[0], NULL, &out->internal, &out->ninternal);
	if (!ps.failed)
		finish_list(&ps, 1, &sets[1], &sets[0], &out->customer, &out->ncustomer);
	for (int i = 0; i < 2; i++) {
		free_vals(&ps.lists[i]);
		free(sets[i].key);
		free(sets[i].val);
	}
	free_vals(&ps.locals);
	buf_free(&ps.sv);
	buf_free(&ps.tmp);
	if (ps.failed)
		hcl_accounts_free(out);
	return ps.failed ? -1 : 0;
}

int hcl_read_accounts_file(const char *path, struct hcl_accounts *out, struct buf *err)
{
	struct buf content = {0};
	char chunk[4096];
	size_t n;
	int rc = -1;
	FILE *f = fopen(path, "rb");
	memset(out, 0, sizeof *out);
	if (!f) {
		buf_printf(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&content, chunk, n);
	if (ferror(f))
		buf_printf(err, "%s: read error", path);
	else
		rc = hcl_read_accounts(path, buf_str(&content), content.len, out, err);
	fclose(f);
	buf_free(&content);
	return rc;
}

const char **hcl_expected_users(const struct hcl_accounts *a, size_t *n)
{
	size_t total = a->ninternal + a->ncustomer;
	const char **v = xmalloc((total ? total : 1) * sizeof *v);
	struct idset set;
	idset_init(&set, total);
	*n = 0;
	for (size_t i = 0; i < total; i++) {
		const char *s = i < a->ninternal ? a->internal[i] : a->customer[i - a->ninternal];
		uint64_t id;
		parse_id(s, strlen(s), &id); /* checked when read */
		size_t slot = idset_slot(&set, id);
		if (!set.key[slot])
			set.key[slot] = id + 1, v[(*n)++] = s;
	}
	free(set.key);
	free(set.val);
	return v;
}

void hcl_accounts_free(struct hcl_accounts *a)
{
	for (size_t i = 0; i < a->ninternal; i++)
		free(a->internal[i]);
	for (size_t i = 0; i < a->ncustomer; i++)
		free(a->customer[i]);
	for (size_t i = 0; i < a->nwarnings; i++)
		free(a->warnings[i]);
	free(a->internal);
	free(a->customer);
	free(a->warnings);
	memset(a, 0, sizeof *a);
}
