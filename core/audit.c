#include "core/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/rand.h>

#include "core/config.h"
#include "core/json.h"
#include "core/sanitize.h"
#include "core/timeutil.h"

struct audit {
	char *path;
	char *user;
};

char *audit_default_path(void)
{
	char *dir = config_state_dir();
	struct buf b = {0};
	buf_printf(&b, "%s/audit.jsonl", dir);
	free(dir);
	return buf_steal(&b);
}

/* ---- writing -------------------------------------------------------------- */

/* Make a new file's directory entry durable too. */
static void sync_parent(const char *path)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash) {
		*(slash == dir ? slash + 1 : slash) = '\0';
		int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			(void)fsync(fd);
			close(fd);
		}
	}
	free(dir);
}

/* Open the journal for appending, creating it (and its directories) when
 * missing.  Read access too: append_line looks at the last byte. */
static int journal_fd(const char *path, struct buf *err)
{
	if (config_make_parents(path, err) < 0)
		return -1;
	struct stat st;
	int created = stat(path, &st) < 0 && errno == ENOENT;
	int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		buf_printf(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		buf_printf(err, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		buf_printf(err, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	/* The journal says who did what: keep it private whatever the umask
	 * or an earlier copy did. */
	if (st.st_mode & 077)
		(void)fchmod(fd, 0600);
	if (created)
		sync_parent(path);
	return fd;
}

/* Append one line with a single write() and fsync it.  When the file does
 * not end with a newline (a write torn by a crash), the line starts with
 * one, so the torn line stays alone and this one stays whole. */
static int append_line(const char *path, const char *line, struct buf *err)
{
	int fd = journal_fd(path, err);
	if (fd < 0)
		return -1;
	struct buf b = {0};
	struct stat st;
	char last = '\n';
	if (fstat(fd, &st) == 0 && st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n')
		buf_addc(&b, '\n');
	buf_adds(&b, line);
	buf_addc(&b, '\n');
	int rc = 0;
	size_t off = 0;
	while (off < b.len) {
		ssize_t w = write(fd, b.s + off, b.len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			buf_printf(err, "%s: write: %s", path, w < 0 ? strerror(errno) : "nothing written");
			rc = -1;
			break;
		}
		off += (size_t)w;
	}
	if (rc == 0 && fsync(fd) < 0) {
		buf_printf(err, "%s: fsync: %s", path, strerror(errno));
		rc = -1;
	}
	if (close(fd) < 0 && rc == 0) {
		buf_printf(err, "%s: close: %s", path, strerror(errno));
		rc = -1;
	}
	buf_free(&b);
	return rc;
}

static char *local_user(void)
{
	struct passwd *pw = getpwuid(geteuid());
	if (pw && pw->pw_name && *pw->pw_name)
		return xstrdup(pw->pw_name);
	const char *u = getenv("USER");
	if (u && *u)
		return xstrdup(u);
	struct buf b = {0};
	buf_printf(&b, "uid %lu", (unsigned long)geteuid());
	return buf_steal(&b);
}

int audit_open(struct audit **out, const char *path, struct buf *err)
{
	*out = NULL;
	char *p = path ? xstrdup(path) : audit_default_path();
	int fd = journal_fd(p, err);
	if (fd < 0) {
		free(p);
		return -1;
	}
	close(fd);
	struct audit *a = xcalloc(1, sizeof *a);
	a->path = p;
	a->user = local_user();
	*out = a;
	return 0;
}

void audit_close(struct audit **a)
{
	if (!*a)
		return;
	free((*a)->path);
	free((*a)->user);
	free(*a);
	*a = NULL;
}

const char *audit_path(const struct audit *a)
{
	return a->path;
}

static json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static json_object *ref_or_null(json_object *o)
{
	return o ? json_object_get(o) : NULL;
}

static int write_entry(struct audit *a, const char *id, const char *phase, const struct audit_entry *e, struct buf *err)
{
	struct buf now = {0};
	time_iso(&now, time_now());
	int outcome = !strcmp(phase, "outcome");
	json_object *o = json_object_new_object();
	json_object_object_add(o, "v", json_object_new_int(1));
	json_object_object_add(o, "id", json_object_new_string(id));
	json_object_object_add(o, "phase", json_object_new_string(phase));
	json_object_object_add(o, "time", json_object_new_string(buf_str(&now)));
	json_object_object_add(o, "user", json_object_new_string(a->user));
	json_object_object_add(o, "identity", str_or_null(e->identity));
	json_object_object_add(o, "action", str_or_null(e->action));
	json_object_object_add(o, "target", str_or_null(e->target));
	json_object_object_add(o, "inputs", ref_or_null(e->inputs));
	json_object_object_add(o, "plan", ref_or_null(e->plan));
	json_object_object_add(o, "details", ref_or_null(e->details));
	json_object_object_add(o, "result", outcome ? str_or_null(e->result) : NULL);
	json_object_object_add(o, "error", outcome ? str_or_null(e->error) : NULL);
	json_object_object_add(o, "reference", str_or_null(e->reference));
	/* Plain: no newline can appear; strings escape theirs. */
	const char *line = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	int rc = line ? append_line(a->path, line, err) : -1;
	if (!line)
		buf_adds(err, "cannot format the journal entry");
	json_object_put(o);
	buf_free(&now);
	return rc;
}

int audit_intent(struct audit *a, const struct audit_entry *e, char id_out[AUDIT_ID_LEN + 1], struct buf *err)
{
	id_out[0] = '\0';
	if (!e->action || !*e->action) {
		buf_adds(err, "audit: an intent needs an action");
		return -1;
	}
	unsigned char rnd[AUDIT_ID_LEN / 2];
	if (RAND_bytes(rnd, sizeof rnd) != 1) {
		buf_adds(err, "audit: no random bytes for the entry's id");
		return -1;
	}
	char id[AUDIT_ID_LEN + 1];
	for (size_t i = 0; i < sizeof rnd; i++)
		snprintf(id + 2 * i, 3, "%02x", rnd[i]);
	if (write_entry(a, id, "intent", e, err) < 0)
		return -1;
	memcpy(id_out, id, sizeof id);
	return 0;
}

static int valid_id(const char *id)
{
	if (!id || strlen(id) != AUDIT_ID_LEN)
		return 0;
	for (const char *p = id; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return 0;
	return 1;
}

int audit_outcome(struct audit *a, const char *id, const struct audit_entry *e, struct buf *err)
{
	static const char *const results[] = {"ok", "failed", "unknown", "refused"};
	if (!valid_id(id)) {
		buf_adds(err, "audit: an outcome needs the id of its intent");
		return -1;
	}
	int known = 0;
	for (size_t i = 0; i < sizeof results / sizeof results[0]; i++)
		known |= e->result && !strcmp(e->result, results[i]);
	if (!known) {
		buf_printf(err, "audit: result must be ok, failed, unknown or refused, not %s",
			   e->result ? e->result : "(none)");
		return -1;
	}
	return write_entry(a, id, "outcome", e, err);
}

/* ---- reading -------------------------------------------------------------- */

static void fill_from(struct audit_record *r, json_object *o)
{
	r->id = json_get_str(o, "id");
	r->time = json_get_str(o, "time");
	r->user = json_get_str(o, "user");
	r->identity = json_get_str(o, "identity");
	r->action = json_get_str(o, "action");
	r->target = json_get_str(o, "target");
	r->reference = json_get_str(o, "reference");
}

static void add_outcome(struct audit_record *r, json_object *o)
{
	json_object_put(r->outcome);
	r->outcome = o;
	r->result = json_get_str(o, "result");
	r->error = json_get_str(o, "error");
	r->outcome_time = json_get_str(o, "time");
	if (json_get_str(o, "reference"))
		r->reference = json_get_str(o, "reference");
	if (!r->result)
		r->result = "unknown"; /* an outcome line without a result still says the call returned */
}

/* One line: keep it, pair it or count it as bad. */
static void take_line(struct audit_log *l, json_object *index, const char *text, size_t len, size_t lineno)
{
	size_t i = 0;
	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r'))
		i++;
	if (i == len)
		return; /* blank: the newline that closed a torn line */
	struct buf perr = {0};
	json_object *o = json_parse_text(text, len, &perr);
	buf_free(&perr);
	const char *id = json_get_str(o, "id");
	const char *phase = json_get_str(o, "phase");
	int intent = phase && !strcmp(phase, "intent");
	if (!id || !*id || !phase || (!intent && strcmp(phase, "outcome"))) {
		json_object_put(o);
		if (!l->bad_lines++)
			l->first_bad_line = lineno;
		return;
	}
	json_object *at;
	struct audit_record *r = NULL;
	if (json_object_object_get_ex(index, id, &at))
		r = &l->v[json_object_get_int64(at)];
	if (r && intent && r->intent)
		r = NULL; /* the same id twice: keep both rather than lose one */
	if (!r) {
		l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
		r = &l->v[l->n];
		memset(r, 0, sizeof *r);
		r->line = lineno;
		json_object_object_add(index, id, json_object_new_int64((int64_t)l->n));
		l->n++;
	}
	if (intent) {
		const char *keep_ref = r->outcome ? r->reference : NULL;
		r->intent = o;
		fill_from(r, o);
		if (keep_ref)
			r->reference = keep_ref;
	} else {
		if (!r->intent)
			fill_from(r, o);
		add_outcome(r, o);
	}
}

int audit_read(const char *path, struct audit_log **out, struct buf *err)
{
	*out = NULL;
	char *p = path ? xstrdup(path) : audit_default_path();
	struct audit_log *l = xcalloc(1, sizeof *l);
	l->path = p;
	FILE *f = fopen(p, "r");
	if (!f) {
		if (errno == ENOENT) {
			l->missing = 1;
			*out = l;
			return 0;
		}
		buf_printf(err, "%s: %s", p, strerror(errno));
		audit_log_free(&l);
		return -1;
	}
	json_object *index = json_object_new_object(); /* id -> index into l->v */
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t len;
	errno = 0;
	while ((len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (len && line[len - 1] == '\n')
			len--;
		take_line(l, index, line, (size_t)len, lineno);
	}
	int rc = 0;
	if (ferror(f)) {
		buf_printf(err, "%s: %s", p, strerror(errno ? errno : EIO));
		rc = -1;
	}
	free(line);
	fclose(f);
	json_object_put(index);
	if (rc < 0) {
		audit_log_free(&l);
		return -1;
	}
	*out = l;
	return 0;
}

void audit_log_free(struct audit_log **lp)
{
	struct audit_log *l = *lp;
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		json_object_put(l->v[i].intent);
		json_object_put(l->v[i].outcome);
	}
	free(l->v);
	free(l->path);
	free(l);
	*lp = NULL;
}

const char *audit_result_text(const struct audit_record *r)
{
	return r->result ? r->result : "no outcome";
}

/* "name      value" with the value made one safe line. */
static void detail_field(struct buf *out, const char *name, const char *value)
{
	if (!value)
		return;
	char *clean = sanitize_str(value, SANITIZE_ONE_LINE);
	buf_printf(out, "%-10s %s\n", name, clean);
	free(clean);
}

/* Member key of o whatever its type; NULL when missing or null. */
static json_object *member(json_object *o, const char *key)
{
	json_object *v = NULL;
	if (o && json_object_is_type(o, json_type_object))
		json_object_object_get_ex(o, key, &v);
	return v && !json_object_is_type(v, json_type_null) ? v : NULL;
}

static void detail_json(struct buf *out, const char *name, json_object *o)
{
	if (!o)
		return;
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
								  JSON_C_TO_STRING_NOSLASHESCAPE);
	/* json-c escapes control characters in strings; the rest (invalid
	 * UTF-8, bidi controls) is made visible line by line. */
	char *clean = sanitize_str(s, 0);
	buf_printf(out, "%s:\n", name);
	for (const char *p = clean; *p;) {
		size_t n = strcspn(p, "\n");
		buf_adds(out, "  ");
		buf_add(out, p, n);
		buf_addc(out, '\n');
		p += n;
		if (*p)
			p++;
	}
	free(clean);
}

void audit_record_detail(const struct audit_record *r, struct buf *out)
{
	detail_field(out, "id", r->id);
	detail_field(out, "action", r->action);
	detail_field(out, "target", r->target);
	detail_field(out, "user", r->user);
	detail_field(out, "identity", r->identity);
	detail_field(out, "intent", r->intent ? r->time : "(not found: only the outcome is in the journal)");
	if (r->outcome) {
		detail_field(out, "outcome", r->outcome_time);
		detail_field(out, "result", r->result);
	} else {
		detail_field(out, "result",
			     "no outcome: the process ended before the call returned, "
			     "or the action is still running");
	}
	detail_field(out, "error", r->error);
	detail_field(out, "reference", r->reference);
	detail_json(out, "inputs", member(r->intent, "inputs"));
	detail_json(out, "plan", member(r->intent, "plan"));
	detail_json(out, "details", member(r->outcome, "details"));
}

json_object *audit_record_json(const struct audit_record *r)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "id", str_or_null(r->id));
	json_object_object_add(o, "time", str_or_null(r->time));
	json_object_object_add(o, "user", str_or_null(r->user));
	json_object_object_add(o, "identity", str_or_null(r->identity));
	json_object_object_add(o, "action", str_or_null(r->action));
	json_object_object_add(o, "target", str_or_null(r->target));
	json_object_object_add(o, "reference", str_or_null(r->reference));
	json_object_object_add(o, "result", str_or_null(r->result));
	json_object_object_add(o, "error", str_or_null(r->error));
	json_object_object_add(o, "outcome_time", str_or_null(r->outcome_time));
	json_object_object_add(o, "intent", ref_or_null(r->intent));
	json_object_object_add(o, "outcome", ref_or_null(r->outcome));
	return o;
}
