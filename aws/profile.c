#include "aws/profile.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/config.h"
#include "core/sanitize.h"

/* ---- Parsed files ---- */

struct ini_entry {
	char *key;   /* lower-cased at top level; as written in a sub-section */
	char *value; /* never NULL */
	int line;
	int is_sub_head; /* "key =" followed by indented "k = v" lines */
	struct ini_entry *sub;
	size_t n_sub, cap_sub;
};

enum section_kind { SECTION_OTHER, SECTION_PROFILE, SECTION_SERVICES };

struct ini_section {
	char *name; /* the text between the brackets, trimmed */
	int line;
	struct ini_entry *e;
	size_t n, cap;
	/* config file only: what the section is, and the NAME of
	 * [profile NAME] / [services NAME] ("default" for [default]) */
	enum section_kind kind;
	char *target;
};

struct ini_file {
	char *path;
	struct ini_section *s;
	size_t n, cap;
};

struct aws_files {
	struct ini_file config, creds;
};

static void wipe_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static void entry_clear(struct ini_entry *e)
{
	for (size_t i = 0; i < e->n_sub; i++)
		entry_clear(&e->sub[i]);
	free(e->sub);
	wipe_free(e->key);
	wipe_free(e->value);
	memset(e, 0, sizeof *e);
}

static void ini_free(struct ini_file *f)
{
	for (size_t i = 0; i < f->n; i++) {
		struct ini_section *s = &f->s[i];
		for (size_t j = 0; j < s->n; j++)
			entry_clear(&s->e[j]);
		free(s->e);
		free(s->name);
		free(s->target);
	}
	free(f->s);
	free(f->path);
	memset(f, 0, sizeof *f);
}

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Trim [*s, *e) of whitespace. */
static void trim(const char **s, const char **e)
{
	while (*s < *e && is_ws(**s))
		(*s)++;
	while (*e > *s && is_ws((*e)[-1]))
		(*e)--;
}

/* End of a value: the first # or ; preceded by whitespace. */
static const char *cut_comment(const char *s, const char *e)
{
	for (const char *p = s + 1; p < e; p++)
		if ((*p == '#' || *p == ';') && is_ws(p[-1]))
			return p;
	return e;
}

static struct ini_section *section_get(struct ini_file *f, const char *name, size_t len, int line)
{
	for (size_t i = 0; i < f->n; i++)
		if (strlen(f->s[i].name) == len && memcmp(f->s[i].name, name, len) == 0)
			return &f->s[i];
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 8;
		f->s = xrealloc(f->s, f->cap * sizeof *f->s);
	}
	struct ini_section *s = &f->s[f->n++];
	memset(s, 0, sizeof *s);
	s->name = xstrndup(name, len);
	s->line = line;
	return s;
}

/* Set key (len bytes) to value in the array; a repeated key replaces the
 * earlier value in place, as a dict would.  Returns its index. */
static size_t entry_set(struct ini_entry **v, size_t *n, size_t *cap, const char *key, size_t klen, const char *val,
			size_t vlen, int line, int lower)
{
	char *k = xstrndup(key, klen);
	if (lower)
		for (char *p = k; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	size_t i;
	for (i = 0; i < *n; i++)
		if (strcmp((*v)[i].key, k) == 0)
			break;
	if (i == *n) {
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 8;
			*v = xrealloc(*v, *cap * sizeof **v);
		}
		memset(&(*v)[i], 0, sizeof **v);
		(*n)++;
	} else {
		entry_clear(&(*v)[i]);
	}
	(*v)[i].key = k;
	(*v)[i].value = xstrndup(val, vlen);
	(*v)[i].line = line;
	return i;
}

static int parse_error(struct buf *err, const char *path, int line, const char *msg)
{
	buf_printf(err, "%s:%d: %s", path, line, msg);
	return -1;
}

/* Parse len bytes of text (not NUL-terminated) into f.  Messages name
 * the line, never quote it: it may hold a secret. */
static int ini_parse(struct ini_file *f, const char *text, size_t len, struct buf *err)
{
	struct ini_section *sec = NULL;
	long cur = -1; /* index in sec of the key that indented lines continue */
	size_t cur_indent = 0;
	int lineno = 0;
	const char *p = text, *end = text + len;
	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3; /* UTF-8 byte order mark, as editors on Windows write it */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *ls = p, *le = nl ? nl : end;
		p = nl ? nl + 1 : end;
		lineno++;
		if (memchr(ls, '\0', (size_t)(le - ls)))
			return parse_error(err, f->path, lineno, "NUL byte in the line");
		while (le > ls && is_ws(le[-1]))
			le--;
		const char *s = ls;
		while (s < le && is_ws(*s))
			s++;
		size_t indent = (size_t)(s - ls);
		if (s == le || *s == '#' || *s == ';')
			continue; /* blank lines and comments end nothing, as in configparser */

		if (sec && cur >= 0 && indent > cur_indent) {
			struct ini_entry *e = &sec->e[cur];
			if (e->value[0] == '\0') {
				/* Sub-section line: split at the first '=' like botocore's
				 * _parse_nested; its keys are kept as written. */
				const char *eq = memchr(s, '=', (size_t)(le - s));
				if (!eq)
					return parse_error(err, f->path, lineno,
							   "expected \"key = value\" in an indented sub-section");
				const char *ks = s, *ke = eq, *vs = eq + 1, *ve = le;
				trim(&ks, &ke);
				ve = cut_comment(vs - 1, ve);
				trim(&vs, &ve);
				if (ks == ke)
					return parse_error(err, f->path, lineno, "missing key before '='");
				e->is_sub_head = 1;
				entry_set(&e->sub, &e->n_sub, &e->cap_sub, ks, (size_t)(ke - ks), vs, (size_t)(ve - vs),
					  lineno, 0);
			} else {
				/* Continuation of a value on its own line. */
				const char *ve = cut_comment(s, le);
				trim(&s, &ve);
				/* Sized exactly, so no stale copy of a secret is left. */
				size_t ol = strlen(e->value), al = (size_t)(ve - s);
				char *v = xmalloc(ol + al + 2);
				memcpy(v, e->value, ol);
				v[ol] = '\n';
				memcpy(v + ol + 1, s, al);
				v[ol + 1 + al] = '\0';
				wipe_free(e->value);
				e->value = v;
			}
			continue;
		}
		cur = -1;

		if (*s == '[') {
			const char *close = memchr(s, ']', (size_t)(le - s));
			if (!close)
				return parse_error(err, f->path, lineno, "section header without ']'");
			const char *rest = close + 1;
			while (rest < le && is_ws(*rest))
				rest++;
			if (rest < le && *rest != '#' && *rest != ';')
				return parse_error(err, f->path, lineno, "unexpected text after the section header");
			const char *ns = s + 1, *ne = close;
			trim(&ns, &ne);
			if (ns == ne)
				return parse_error(err, f->path, lineno, "empty section name");
			sec = section_get(f, ns, (size_t)(ne - ns), lineno);
			continue;
		}

		const char *delim = s;
		while (delim < le && *delim != '=' && *delim != ':')
			delim++;
		if (delim == le)
			delim = NULL;
		if (!delim)
			return parse_error(err, f->path, lineno, "expected \"key = value\" or a [section]");
		if (!sec)
			return parse_error(err, f->path, lineno, "setting before the first [section]");
		const char *ks = s, *ke = delim, *vs = delim + 1, *ve;
		trim(&ks, &ke);
		if (ks == ke)
			return parse_error(err, f->path, lineno,
					   *delim == ':' ? "missing key before ':'" : "missing key before '='");
		ve = cut_comment(delim, le);
		trim(&vs, &ve);
		cur = (long)entry_set(&sec->e, &sec->n, &sec->cap, ks, (size_t)(ke - ks), vs, (size_t)(ve - vs), lineno,
				      1);
		cur_indent = indent;
	}
	return 0;
}

/* Python's os.path.expandvars ($NAME and ${NAME}, unknown names kept),
 * then a leading ~. */
static char *expand_path(const char *path)
{
	struct buf b = {0};
	for (const char *s = path; *s;) {
		if (*s == '$') {
			int brace = s[1] == '{';
			const char *n = s + 1 + brace, *ne = n;
			while (*ne && (isalnum((unsigned char)*ne) || *ne == '_'))
				ne++;
			if (ne > n && (!brace || *ne == '}')) {
				char *name = xstrndup(n, (size_t)(ne - n));
				const char *v = getenv(name);
				free(name);
				if (v) {
					buf_adds(&b, v);
					s = ne + brace;
					continue;
				}
			}
		}
		buf_addc(&b, *s++);
	}
	char *r = config_expand_home(buf_str(&b));
	buf_free(&b);
	return r;
}

static const char *env_nonempty(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

/* Read the whole file; the buffer is grown by copying so no stale copy
 * of a secret is left behind by realloc. */
static int read_file(const char *path, int private, char **text, size_t *len, int *missing, struct buf *err)
{
	*text = NULL;
	*len = 0;
	*missing = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR) {
			*missing = 1;
			return 0;
		}
		buf_printf(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	const char *bad = NULL;
	if (fstat(fd, &st) < 0)
		bad = strerror(errno);
	else if (S_ISDIR(st.st_mode))
		bad = "is a directory, not a file";
	else if (!S_ISREG(st.st_mode))
		bad = "not a regular file";
	if (bad) {
		buf_printf(err, "%s: %s", path, bad);
		close(fd);
		return -1;
	}
	/* Secret keys: refused when others could read them, as ssh refuses a
	 * private key (the AWS CLI itself writes this file 0600). */
	if (private && (st.st_mode & 077)) {
		buf_printf(err,
			   "%s: permissions %04o are too open: the credentials must be readable by you alone.\n"
			   "  Run: chmod 600 %s",
			   path, (unsigned)(st.st_mode & 07777), path);
		close(fd);
		return -1;
	}
	size_t cap = (size_t)st.st_size + 1, n = 0;
	char *b = xmalloc(cap);
	for (;;) {
		if (n == cap) {
			char *nb = xmalloc(cap * 2);
			memcpy(nb, b, n);
			explicit_bzero(b, n);
			free(b);
			b = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			buf_printf(err, "%s: %s", path, strerror(errno));
			explicit_bzero(b, n);
			free(b);
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	*text = b;
	*len = n;
	return 0;
}

/* Internal split with a static reason; shared by aws_split_command and
 * the [profile NAME] headers (botocore runs shlex.split on those too). */
static int split_words(const char *line, char ***argv, const char **why);
static void argv_free(char **argv);

static void classify(struct ini_file *f)
{
	for (size_t i = 0; i < f->n; i++) {
		struct ini_section *s = &f->s[i];
		if (strcmp(s->name, "default") == 0) {
			s->kind = SECTION_PROFILE;
			s->target = xstrdup("default");
			continue;
		}
		enum section_kind kind = strncmp(s->name, "profile", 7) == 0    ? SECTION_PROFILE
					 : strncmp(s->name, "services", 8) == 0 ? SECTION_SERVICES
										: SECTION_OTHER;
		if (kind == SECTION_OTHER)
			continue;
		/* botocore takes any two-word header that starts with the
		 * prefix ("profiles x" too); only the exact word is taken here. */
		char **w = NULL;
		const char *why;
		if (split_words(s->name, &w, &why) == 2 &&
		    strcmp(w[0], kind == SECTION_PROFILE ? "profile" : "services") == 0) {
			s->kind = kind;
			s->target = xstrdup(w[1]);
		}
		argv_free(w);
	}
}

static int ini_load(struct ini_file *f, const char *given, const char *env, const char *def, int private,
		    struct buf *err)
{
	const char *raw = given && *given ? given : env_nonempty(env);
	f->path = expand_path(raw ? raw : def);
	char *text;
	size_t len;
	int missing;
	if (read_file(f->path, private, &text, &len, &missing, err) < 0)
		return -1;
	if (missing)
		return 0;
	int rc = ini_parse(f, text, len, err);
	explicit_bzero(text, len);
	free(text);
	return rc;
}

int aws_files_load(struct aws_files **out, const char *config_path, const char *credentials_path, struct buf *err)
{
	struct aws_files *f = xcalloc(1, sizeof *f);
	*out = NULL;
	if (ini_load(&f->config, config_path, "AWS_CONFIG_FILE", "~/.aws/config", 0, err) < 0 ||
	    ini_load(&f->creds, credentials_path, "AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials", 1, err) < 0) {
		aws_files_free(&f);
		return -1;
	}
	classify(&f->config);
	*out = f;
	return 0;
}

void aws_files_free(struct aws_files **f)
{
	if (!*f)
		return;
	ini_free(&(*f)->config);
	ini_free(&(*f)->creds);
	free(*f);
	*f = NULL;
}

const char *aws_files_config_path(const struct aws_files *f)
{
	return f->config.path;
}

const char *aws_files_credentials_path(const struct aws_files *f)
{
	return f->creds.path;
}

/* The [default] / [profile NAME] section for name: when both spellings of
 * one name exist the later section wins whole, as in botocore's
 * build_profile_map. */
static const struct ini_section *config_section(const struct aws_files *f, enum section_kind kind, const char *name)
{
	const struct ini_section *found = NULL;
	for (size_t i = 0; i < f->config.n; i++)
		if (f->config.s[i].kind == kind && strcmp(f->config.s[i].target, name) == 0)
			found = &f->config.s[i];
	return found;
}

static const struct ini_section *creds_section(const struct aws_files *f, const char *name)
{
	for (size_t i = 0; i < f->creds.n; i++)
		if (strcmp(f->creds.s[i].name, name) == 0)
			return &f->creds.s[i];
	return NULL;
}

static const struct ini_section *raw_section(const struct ini_file *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->s[i].name, name) == 0)
			return &f->s[i];
	return NULL;
}

int aws_files_has_profile(const struct aws_files *f, const char *name)
{
	return config_section(f, SECTION_PROFILE, name) || creds_section(f, name);
}

/* ---- Selection ---- */

char *aws_profile_select(const char *flag, enum aws_profile_source *source)
{
	enum aws_profile_source src = AWS_PROFILE_FROM_DEFAULT;
	const char *name = "default";
	const char *v;
	if (flag && *flag) {
		src = AWS_PROFILE_FROM_FLAG;
		name = flag;
	} else if ((v = env_nonempty("AWS_PROFILE"))) {
		src = AWS_PROFILE_FROM_ENV;
		name = v;
	} else if ((v = env_nonempty("AWS_DEFAULT_PROFILE"))) {
		src = AWS_PROFILE_FROM_ENV_DEFAULT;
		name = v;
	}
	if (source)
		*source = src;
	return xstrdup(name);
}

const char *aws_profile_source_name(enum aws_profile_source source)
{
	switch (source) {
	case AWS_PROFILE_FROM_FLAG:
		return "--profile";
	case AWS_PROFILE_FROM_ENV:
		return "AWS_PROFILE";
	case AWS_PROFILE_FROM_ENV_DEFAULT:
		return "AWS_DEFAULT_PROFILE";
	case AWS_PROFILE_FROM_DEFAULT:
		break;
	}
	return "default";
}

char *aws_region_resolve(const char *flag, const struct aws_profile *p, const char *fallback,
			 enum aws_region_source *source)
{
	enum aws_region_source src = AWS_REGION_NONE;
	const char *r = NULL;
	if (flag && *flag) {
		src = AWS_REGION_FROM_FLAG;
		r = flag;
	} else if ((r = env_nonempty("AWS_REGION"))) {
		src = AWS_REGION_FROM_ENV;
	} else if ((r = env_nonempty("AWS_DEFAULT_REGION"))) {
		src = AWS_REGION_FROM_ENV_DEFAULT;
	} else if (p && p->region && *p->region) {
		src = AWS_REGION_FROM_PROFILE;
		r = p->region;
	} else if (fallback && *fallback) {
		src = AWS_REGION_FROM_FALLBACK;
		r = fallback;
	}
	if (source)
		*source = src;
	return xstrdup(r);
}

const char *aws_region_source_name(enum aws_region_source source)
{
	switch (source) {
	case AWS_REGION_FROM_FLAG:
		return "--region";
	case AWS_REGION_FROM_ENV:
		return "AWS_REGION";
	case AWS_REGION_FROM_ENV_DEFAULT:
		return "AWS_DEFAULT_REGION";
	case AWS_REGION_FROM_PROFILE:
		return "profile";
	case AWS_REGION_FROM_FALLBACK:
		return "aws.region";
	case AWS_REGION_NONE:
		break;
	}
	return "none";
}

/* ---- Profiles ---- */

static const char *own(struct aws_profile *p, const char *s)
{
	if (!s)
		return NULL;
	if (p->n_owned_ == p->cap_owned_) {
		p->cap_owned_ = p->cap_owned_ ? p->cap_owned_ * 2 : 32;
		p->owned_ = xrealloc(p->owned_, p->cap_owned_ * sizeof *p->owned_);
	}
	return p->owned_[p->n_owned_++] = xstrdup(s);
}

void aws_profile_free(struct aws_profile **pp)
{
	struct aws_profile *p = *pp;
	if (!p)
		return;
	/* Every string is wiped, not only the secrets: keys from the
	 * credentials file are copied under their own names too. */
	for (size_t i = 0; i < p->n_owned_; i++)
		wipe_free(p->owned_[i]);
	free(p->owned_);
	free(p->entries);
	free(p->service_endpoints);
	explicit_bzero(p, sizeof *p);
	free(p);
	*pp = NULL;
}

const struct aws_profile_entry *aws_profile_entry(const struct aws_profile *p, const char *key)
{
	for (size_t i = 0; i < p->n_entries; i++)
		if (strcmp(p->entries[i].key, key) == 0)
			return &p->entries[i];
	return NULL;
}

const struct aws_service_endpoint *aws_profile_service_endpoint(const struct aws_profile *p, const char *service)
{
	for (size_t i = 0; p && i < p->n_service_endpoints; i++)
		if (strcmp(p->service_endpoints[i].service, service) == 0)
			return &p->service_endpoints[i];
	return NULL;
}

int aws_profile_has_static_keys(const struct aws_profile *p)
{
	return p->aws_access_key_id && p->aws_secret_access_key;
}

static const struct ini_entry *sec_get(const struct ini_section *s, const char *key)
{
	for (size_t i = 0; s && i < s->n; i++)
		if (strcmp(s->e[i].key, key) == 0)
			return &s->e[i];
	return NULL;
}

static const struct ini_entry *sub_get(const struct ini_entry *e, const char *key)
{
	for (size_t i = 0; e && i < e->n_sub; i++)
		if (strcmp(e->sub[i].key, key) == 0)
			return &e->sub[i];
	return NULL;
}

static const char *nonempty(const struct ini_entry *e)
{
	return e && e->value[0] ? e->value : NULL;
}

/* A value for a message: one line, inert, short. */
static void add_quoted(struct buf *b, const char *s)
{
	char *q = sanitize(s, strlen(s), SANITIZE_ONE_LINE, 60);
	buf_printf(b, "\"%s\"", q);
	free(q);
}

/* Static keys from one file's section: 1 found, 0 none, -1 error. */
static int take_keys(struct aws_profile *p, const struct ini_section *s, const char *file, struct buf *err)
{
	const struct ini_entry *id = sec_get(s, "aws_access_key_id");
	if (!nonempty(id))
		return 0;
	const struct ini_entry *secret = sec_get(s, "aws_secret_access_key");
	if (!nonempty(secret)) {
		buf_printf(err, "%s:%d: profile ", file, id->line);
		add_quoted(err, p->name);
		buf_adds(err, " has aws_access_key_id but no aws_secret_access_key in the same file");
		return -1;
	}
	const char *token = nonempty(sec_get(s, "aws_security_token"));
	if (!token)
		token = nonempty(sec_get(s, "aws_session_token"));
	p->aws_access_key_id = own(p, id->value);
	p->aws_secret_access_key = own(p, secret->value);
	p->aws_session_token = own(p, token);
	return 1;
}

static int positive_number(struct aws_profile *p, const char *key, long *out, struct buf *err)
{
	const struct aws_profile_entry *e = aws_profile_entry(p, key);
	if (!e || !e->value[0])
		return 0;
	char *end;
	errno = 0;
	long v = strtol(e->value, &end, 10);
	if (errno || end == e->value || *end || v < 1 || v > INT_MAX || !isdigit((unsigned char)e->value[0])) {
		buf_printf(err, "%s:%d: %s: expected a whole number of at least 1, got ", e->file, e->line, key);
		add_quoted(err, e->value);
		return -1;
	}
	*out = v;
	return 0;
}

static int one_of(struct aws_profile *p, const char *key, const char *const *allowed, const char **out, struct buf *err)
{
	const struct aws_profile_entry *e = aws_profile_entry(p, key);
	if (!e || !e->value[0])
		return 0;
	for (size_t i = 0; allowed[i]; i++)
		if (strcmp(e->value, allowed[i]) == 0) {
			*out = e->value;
			return 0;
		}
	buf_printf(err, "%s:%d: %s: ", e->file, e->line, key);
	add_quoted(err, e->value);
	buf_adds(err, " is not one of");
	for (size_t i = 0; allowed[i]; i++)
		buf_printf(err, "%s %s", i ? "," : "", allowed[i]);
	return -1;
}

static void not_found(const struct aws_files *f, const char *name, struct buf *err)
{
	buf_adds(err, "profile ");
	add_quoted(err, name);
	buf_printf(err, " is defined in neither %s nor %s", f->config.path, f->creds.path);
	const struct ini_section *s = raw_section(&f->config, name);
	if (s && s->kind == SECTION_OTHER) {
		buf_printf(err, " (%s:%d has [", f->config.path, s->line);
		char *q = sanitize(name, strlen(name), SANITIZE_ONE_LINE, 60);
		buf_printf(err, "%s]; the config file needs [profile %s])", q, q);
		free(q);
		return;
	}
	struct buf alt = {0};
	buf_printf(&alt, "profile %s", name);
	s = raw_section(&f->creds, alt.s);
	if (s) {
		char *q = sanitize(name, strlen(name), SANITIZE_ONE_LINE, 60);
		buf_printf(err, " (%s:%d has [profile %s]; the credentials file needs [%s])", f->creds.path, s->line, q,
			   q);
		free(q);
	}
	buf_free(&alt);
}

/* Append the merged entries of one section; later calls override. */
static void merge(struct aws_profile *p, const struct ini_entry **from, size_t *cap, const struct ini_section *s,
		  const char *file)
{
	for (size_t i = 0; s && i < s->n; i++) {
		size_t j;
		for (j = 0; j < p->n_entries; j++)
			if (strcmp(p->entries[j].key, s->e[i].key) == 0)
				break;
		if (j == p->n_entries) {
			if (p->n_entries == *cap) {
				*cap = *cap ? *cap * 2 : 16;
				p->entries = xrealloc(p->entries, *cap * sizeof *p->entries);
			}
			p->n_entries++;
			p->entries[j].key = own(p, s->e[i].key);
		}
		p->entries[j].value = own(p, s->e[i].value);
		p->entries[j].file = file;
		p->entries[j].line = s->e[i].line;
		from[j] = &s->e[i];
	}
}

static const char *field(const struct aws_profile *p, const char *key)
{
	const struct aws_profile_entry *e = aws_profile_entry(p, key);
	return e && e->value[0] ? e->value : NULL;
}

static int services_of(struct aws_profile *p, const struct aws_files *f, struct buf *err)
{
	if (!p->services)
		return 0;
	const struct ini_section *s = config_section(f, SECTION_SERVICES, p->services);
	if (!s) {
		const struct aws_profile_entry *e = aws_profile_entry(p, "services");
		buf_printf(err, "%s:%d: services: no [services ", e->file, e->line);
		char *q = sanitize(p->services, strlen(p->services), SANITIZE_ONE_LINE, 60);
		buf_printf(err, "%s] section in %s", q, f->config.path);
		free(q);
		return -1;
	}
	p->service_endpoints = xcalloc(s->n ? s->n : 1, sizeof *p->service_endpoints);
	for (size_t i = 0; i < s->n; i++) {
		/* Only the nested form ("s3 =" + indented lines) names a
		 * service; its sub-keys are case-sensitive in botocore. */
		const char *url = nonempty(sub_get(&s->e[i], "endpoint_url"));
		if (!s->e[i].is_sub_head || !url)
			continue;
		struct aws_service_endpoint *se = &p->service_endpoints[p->n_service_endpoints++];
		se->service = own(p, s->e[i].key);
		se->endpoint_url = own(p, url);
		se->file = p->config_file;
		se->line = sub_get(&s->e[i], "endpoint_url")->line;
	}
	return 0;
}

int aws_profile_get(struct aws_profile **out, const struct aws_files *f, const char *name, int must_exist,
		    struct buf *err)
{
	*out = NULL;
	const struct ini_section *cs = config_section(f, SECTION_PROFILE, name);
	const struct ini_section *rs = creds_section(f, name);
	if (!cs && !rs && must_exist) {
		not_found(f, name, err);
		return -1;
	}
	struct aws_profile *p = xcalloc(1, sizeof *p);
	p->name = own(p, name);
	p->found = cs || rs;
	p->config_file = own(p, f->config.path);
	p->credentials_file = own(p, f->creds.path);
	p->ignore_configured_endpoint_urls = -1;

	size_t total = (cs ? cs->n : 0) + (rs ? rs->n : 0), cap = 0;
	const struct ini_entry **from = xcalloc(total ? total : 1, sizeof *from);
	merge(p, from, &cap, cs, p->config_file);
	merge(p, from, &cap, rs, p->credentials_file);

	int rc = take_keys(p, rs, p->credentials_file, err);
	if (rc == 0)
		rc = take_keys(p, cs, p->config_file, err);
	if (rc < 0)
		goto fail;

	p->region = field(p, "region");
	p->credential_process = field(p, "credential_process");
	p->role_arn = field(p, "role_arn");
	p->source_profile = field(p, "source_profile");
	p->credential_source = field(p, "credential_source");
	p->external_id = field(p, "external_id");
	p->role_session_name = field(p, "role_session_name");
	p->mfa_serial = field(p, "mfa_serial");
	p->web_identity_token_file = field(p, "web_identity_token_file");
	p->endpoint_url = field(p, "endpoint_url");
	p->services = field(p, "services");
	const char *ign = field(p, "ignore_configured_endpoint_urls");
	if (ign)
		p->ignore_configured_endpoint_urls = strcasecmp(ign, "true") == 0;

	static const char *const retry_modes[] = {"legacy", "standard", "adaptive", NULL};
	static const char *const styles[] = {"auto", "virtual", "path", NULL};
	if (positive_number(p, "duration_seconds", &p->duration_seconds, err) < 0 ||
	    positive_number(p, "max_attempts", &p->max_attempts, err) < 0 ||
	    one_of(p, "retry_mode", retry_modes, &p->retry_mode, err) < 0)
		goto fail;

	const struct aws_profile_entry *s3 = aws_profile_entry(p, "s3");
	const struct ini_entry *style = s3 ? sub_get(from[s3 - p->entries], "addressing_style") : NULL;
	if (nonempty(style)) {
		int ok = 0;
		for (size_t i = 0; styles[i]; i++)
			ok |= strcmp(style->value, styles[i]) == 0;
		if (!ok) {
			buf_printf(err, "%s:%d: s3.addressing_style: ", s3->file, style->line);
			add_quoted(err, style->value);
			buf_adds(err, " is not one of auto, virtual, path");
			goto fail;
		}
		p->s3_addressing_style = own(p, style->value);
	}
	if (services_of(p, f, err) < 0)
		goto fail;
	free(from);
	*out = p;
	return 0;
fail:
	free(from);
	aws_profile_free(&p);
	return -1;
}

/* ---- Role chains ---- */

static int assumes_role(const struct aws_profile *p)
{
	/* botocore leaves role_arn + web_identity_token_file to the web
	 * identity provider. */
	return p->role_arn && !p->web_identity_token_file;
}

static int chain_fail(struct aws_role_chain *c, struct aws_profile **pending)
{
	aws_profile_free(pending);
	aws_role_chain_free(c);
	return -1;
}

static void at_key(struct buf *err, const struct aws_profile *p, const char *key)
{
	const struct aws_profile_entry *e = aws_profile_entry(p, key);
	if (e)
		buf_printf(err, "%s:%d: ", e->file, e->line);
}

int aws_role_chain_resolve(struct aws_role_chain *out, const struct aws_files *f, const char *name, int must_exist,
			   struct buf *err)
{
	static const char *const sources[] = {"Environment", "Ec2InstanceMetadata", "EcsContainer", NULL};
	memset(out, 0, sizeof *out);
	struct aws_profile *p = NULL;
	if (aws_profile_get(&p, f, name, must_exist, err) < 0)
		return -1;
	if (!assumes_role(p)) {
		out->source = p;
		return 0;
	}
	size_t cap = 4;
	out->roles = xcalloc(cap, sizeof *out->roles);
	struct aws_profile *cur = p;
	out->roles[out->n_roles++] = p;
	p = NULL;
	for (;;) {
		if (cur->source_profile && cur->credential_source) {
			at_key(err, cur, "role_arn");
			buf_adds(err, "profile ");
			add_quoted(err, cur->name);
			buf_adds(err, " has both source_profile and credential_source; it needs one");
			return chain_fail(out, &p);
		}
		if (!cur->source_profile && !cur->credential_source) {
			at_key(err, cur, "role_arn");
			buf_adds(err, "profile ");
			add_quoted(err, cur->name);
			buf_adds(err, " has role_arn but neither source_profile nor credential_source");
			return chain_fail(out, &p);
		}
		if (cur->credential_source) {
			const char *ok = NULL;
			if (one_of(cur, "credential_source", sources, &ok, err) < 0)
				return chain_fail(out, &p);
			out->credential_source = ok;
			break;
		}
		const char *src = cur->source_profile;
		if (!aws_files_has_profile(f, src)) {
			at_key(err, cur, "source_profile");
			buf_adds(err, "source_profile ");
			add_quoted(err, src);
			buf_adds(err, " of profile ");
			add_quoted(err, cur->name);
			buf_printf(err, " is defined in neither %s nor %s", f->config.path, f->creds.path);
			return chain_fail(out, &p);
		}
		int seen = 0;
		for (size_t i = 0; i < out->n_roles; i++)
			seen |= strcmp(out->roles[i]->name, src) == 0;
		if (seen && !(strcmp(src, cur->name) == 0 && aws_profile_has_static_keys(cur))) {
			at_key(err, cur, "source_profile");
			buf_adds(err, "source_profile loop: ");
			for (size_t i = 0; i < out->n_roles; i++) {
				char *q = sanitize_str(out->roles[i]->name, SANITIZE_ONE_LINE);
				buf_printf(err, "%s -> ", q);
				free(q);
			}
			char *q = sanitize_str(src, SANITIZE_ONE_LINE);
			buf_adds(err, q);
			free(q);
			if (strcmp(src, cur->name) == 0)
				buf_adds(err, " (a profile may name itself only when it has static keys)");
			return chain_fail(out, &p);
		}
		if (aws_profile_get(&p, f, src, 1, err) < 0)
			return chain_fail(out, &p);
		if (seen || aws_profile_has_static_keys(p) || !assumes_role(p)) {
			if (!aws_profile_has_static_keys(p) && !p->credential_process) {
				at_key(err, cur, "source_profile");
				buf_adds(err, "source profile ");
				add_quoted(err, src);
				buf_adds(err, " has no credentials: it needs aws_access_key_id and "
					      "aws_secret_access_key, or credential_process");
				return chain_fail(out, &p);
			}
			out->source = p;
			p = NULL;
			break;
		}
		if (out->n_roles == cap) {
			cap *= 2;
			out->roles = xrealloc(out->roles, cap * sizeof *out->roles);
		}
		out->roles[out->n_roles++] = p;
		cur = p;
		p = NULL;
	}
	/* Collected from the profile asked for down to the source: reverse
	 * into the order of the AssumeRole calls. */
	for (size_t i = 0, j = out->n_roles - 1; i < j; i++, j--) {
		struct aws_profile *t = out->roles[i];
		out->roles[i] = out->roles[j];
		out->roles[j] = t;
	}
	return 0;
}

void aws_role_chain_free(struct aws_role_chain *c)
{
	aws_profile_free(&c->source);
	for (size_t i = 0; i < c->n_roles; i++)
		aws_profile_free(&c->roles[i]);
	free(c->roles);
	memset(c, 0, sizeof *c);
}

/* ---- Command lines ---- */

static void argv_free(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		wipe_free(argv[i]);
	free(argv);
}

void aws_argv_free(char ***argv)
{
	argv_free(*argv);
	*argv = NULL;
}

static void push_word(char ***argv, size_t *n, size_t *cap, struct buf *w)
{
	if (*n + 2 > *cap) {
		*cap = *cap ? *cap * 2 : 8;
		*argv = xrealloc(*argv, *cap * sizeof **argv);
	}
	(*argv)[(*n)++] = w->s ? buf_steal(w) : xstrdup("");
	(*argv)[*n] = NULL;
}

/* shlex.split(line) with posix=True, comments=False, whitespace_split. */
static int split_words(const char *line, char ***argv, const char **why)
{
	char **v = NULL;
	size_t n = 0, cap = 0;
	struct buf w = {0};
	int in_word = 0; /* a word has started (possibly empty: '') */
	char quote = 0;
	*why = NULL;
	for (const char *s = line;; s++) {
		char c = *s;
		if (quote) {
			if (c == '\0') {
				*why = quote == '\'' ? "no closing ' quote" : "no closing \" quote";
				break;
			}
			if (c == quote) {
				quote = 0;
			} else if (quote == '"' && c == '\\') {
				char d = s[1];
				if (d == '\0') {
					*why = "no closing \" quote";
					break;
				}
				if (d != '"' && d != '\\')
					buf_addc(&w, '\\');
				buf_addc(&w, d);
				s++;
			} else {
				buf_addc(&w, c);
			}
			continue;
		}
		if (c == '\0' || c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			if (in_word)
				push_word(&v, &n, &cap, &w);
			in_word = 0;
			if (c == '\0')
				break;
			continue;
		}
		in_word = 1;
		if (c == '\'' || c == '"') {
			quote = c;
		} else if (c == '\\') {
			if (s[1] == '\0') {
				*why = "a backslash at the end escapes nothing";
				break;
			}
			buf_addc(&w, *++s);
		} else {
			buf_addc(&w, c);
		}
	}
	if (w.s)
		explicit_bzero(w.s, w.cap);
	buf_free(&w);
	if (*why) {
		argv_free(v);
		*argv = NULL;
		return -1;
	}
	if (!v) {
		v = xcalloc(1, sizeof *v);
	}
	*argv = v;
	return (int)n;
}

int aws_split_command(const char *line, char ***argv, struct buf *err)
{
	const char *why;
	int n = split_words(line ? line : "", argv, &why);
	if (n < 0) {
		buf_printf(err, "cannot split the command line: %s", why);
		return -1;
	}
	if (n == 0) {
		aws_argv_free(argv);
		buf_adds(err, "empty command line");
		return -1;
	}
	return n;
}
