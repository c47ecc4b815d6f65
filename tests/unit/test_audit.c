/* Unit tests for core/audit.c: the journal of mutating actions.  What is on
 * disk after a success, a failure, a crash (a killed process, a torn
 * write), with hostile text and with concurrent writers; its permissions;
 * and that a journal that cannot be written is an error the caller sees. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <ftw.h>
#include <json-c/json.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/audit.h"
#include "core/buf.h"
#include "core/json.h"

struct fixture {
	char dir[64];
	char *path; /* dir/state/relcon/audit.jsonl: parents do not exist yet */
};

static int rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	strcpy(f->dir, "/tmp/relcon-test-audit-XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	struct buf p = {0};
	buf_printf(&p, "%s/state/relcon/audit.jsonl", f->dir);
	f->path = buf_steal(&p);
	setenv("RELCON_NOW", "2026-11-24T12:00:00Z", 1);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	unsetenv("RELCON_NOW");
	free(f->path);
	free(f);
	return 0;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	assert_non_null(fp);
	struct buf b = {0};
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		buf_add(&b, chunk, n);
	fclose(fp);
	if (len)
		*len = b.len;
	return buf_steal(&b);
}

static size_t count_char(const char *s, size_t len, char c)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += s[i] == c;
	return n;
}

/* The file's lines, each parsed (asserting it is a JSON object). */
static size_t parse_lines(const char *path, json_object **out, size_t max)
{
	size_t len;
	char *text = slurp(path, &len);
	assert_true(len > 0);
	assert_int_equal(text[len - 1], '\n');
	size_t n = 0;
	for (const char *p = text; p < text + len;) {
		const char *nl = memchr(p, '\n', (size_t)(text + len - p));
		assert_non_null(nl);
		struct buf err = {0};
		json_object *o = json_parse_text(p, (size_t)(nl - p), &err);
		if (!o)
			fail_msg("line %zu is not JSON: %s", n + 1, buf_str(&err));
		assert_true(json_object_is_type(o, json_type_object));
		buf_free(&err);
		assert_true(n < max);
		out[n++] = o;
		p = nl + 1;
	}
	free(text);
	return n;
}

static struct audit *open_journal(const char *path)
{
	struct audit *a = NULL;
	struct buf err = {0};
	int rc = audit_open(&a, path, &err);
	if (rc < 0)
		fail_msg("audit_open: %s", buf_str(&err));
	buf_free(&err);
	return a;
}

static void intent(struct audit *a, const struct audit_entry *e, char id[AUDIT_ID_LEN + 1])
{
	struct buf err = {0};
	int rc = audit_intent(a, e, id, &err);
	if (rc < 0)
		fail_msg("audit_intent: %s", buf_str(&err));
	buf_free(&err);
	assert_int_equal(strlen(id), AUDIT_ID_LEN);
}

static void outcome(struct audit *a, const char *id, const struct audit_entry *e)
{
	struct buf err = {0};
	int rc = audit_outcome(a, id, e, &err);
	if (rc < 0)
		fail_msg("audit_outcome: %s", buf_str(&err));
	buf_free(&err);
}

static struct audit_log *read_journal(const char *path)
{
	struct audit_log *l = NULL;
	struct buf err = {0};
	int rc = audit_read(path, &l, &err);
	if (rc < 0)
		fail_msg("audit_read: %s", buf_str(&err));
	buf_free(&err);
	return l;
}

static const char *str_member(json_object *o, const char *key)
{
	json_object *v;
	assert_true(json_object_object_get_ex(o, key, &v)); /* every member is present, null or not */
	return v ? json_object_get_string(v) : NULL;
}

static int is_null_member(json_object *o, const char *key)
{
	json_object *v = (json_object *)1;
	return json_object_object_get_ex(o, key, &v) && v == NULL;
}

static void success_writes_intent_then_outcome(void **state)
{
	struct fixture *f = *state;
	struct audit *a = open_journal(f->path);
	assert_string_equal(audit_path(a), f->path);
	json_object *inputs = json_tokener_parse("{\"key\":\"alice\",\"ttl\":\"8h\"}");
	json_object *plan = json_tokener_parse("{\"call\":\"CreateStack\",\"capabilities\":[\"CAPABILITY_IAM\"]}");
	struct audit_entry e = {
		.identity = "arn:aws:iam::123456789012:user/alice",
		.action = "launch",
		.target = "alice-super",
		.inputs = inputs,
		.plan = plan,
		.reference = "relcon-0123456789abcdef",
	};
	char id[AUDIT_ID_LEN + 1];
	intent(a, &e, id);
	json_object *details = json_tokener_parse("{\"StackId\":\"arn:aws:cloudformation:x\"}");
	struct audit_entry o = {.action = "launch",
				.target = "alice-super",
				.result = "ok",
				.details = details,
				.reference = "relcon-0123456789abcdef"};
	outcome(a, id, &o);
	audit_close(&a);
	assert_null(a);

	json_object *lines[4];
	assert_int_equal(parse_lines(f->path, lines, 4), 2);
	json_object *in = lines[0], *out = lines[1];
	assert_string_equal(str_member(in, "id"), id);
	assert_string_equal(str_member(in, "phase"), "intent");
	assert_string_equal(str_member(in, "time"), "2026-11-24T12:00:00Z");
	assert_non_null(str_member(in, "user"));
	assert_true(*str_member(in, "user"));
	assert_string_equal(str_member(in, "identity"), "arn:aws:iam::123456789012:user/alice");
	assert_string_equal(str_member(in, "action"), "launch");
	assert_string_equal(str_member(in, "target"), "alice-super");
	assert_string_equal(json_get_str(json_get_obj(in, "inputs"), "key"), "alice");
	assert_string_equal(json_get_str(json_get_obj(in, "plan"), "call"), "CreateStack");
	assert_true(is_null_member(in, "result"));
	assert_true(is_null_member(in, "error"));
	assert_true(is_null_member(in, "details"));
	assert_string_equal(str_member(in, "reference"), "relcon-0123456789abcdef");
	assert_int_equal(json_get_int(in, "v", 0), 1);

	assert_string_equal(str_member(out, "id"), id);
	assert_string_equal(str_member(out, "phase"), "outcome");
	assert_string_equal(str_member(out, "result"), "ok");
	assert_true(is_null_member(out, "error"));
	assert_string_equal(str_member(out, "user"), str_member(in, "user"));
	assert_string_equal(json_get_str(json_get_obj(out, "details"), "StackId"), "arn:aws:cloudformation:x");
	json_object_put(in);
	json_object_put(out);

	struct audit_log *l = read_journal(f->path);
	assert_int_equal(l->n, 1);
	assert_int_equal(l->bad_lines, 0);
	const struct audit_record *r = &l->v[0];
	assert_string_equal(r->id, id);
	assert_string_equal(r->action, "launch");
	assert_string_equal(r->target, "alice-super");
	assert_string_equal(r->identity, "arn:aws:iam::123456789012:user/alice");
	assert_string_equal(r->result, "ok");
	assert_string_equal(audit_result_text(r), "ok");
	assert_string_equal(r->outcome_time, "2026-11-24T12:00:00Z");
	assert_null(r->error);
	assert_non_null(r->intent);
	assert_non_null(r->outcome);
	assert_int_equal(r->line, 1);

	struct buf d = {0};
	audit_record_detail(r, &d);
	assert_non_null(strstr(buf_str(&d), "action     launch\n"));
	assert_non_null(strstr(buf_str(&d), "result     ok\n"));
	assert_non_null(strstr(buf_str(&d), "inputs:\n"));
	assert_non_null(strstr(buf_str(&d), "\"key\":\"alice\"") ? strstr(buf_str(&d), "\"key\":\"alice\"")
								 : strstr(buf_str(&d), "\"key\": \"alice\""));
	assert_non_null(strstr(buf_str(&d), "details:\n"));
	buf_free(&d);

	json_object *j = audit_record_json(r);
	assert_string_equal(json_get_str(j, "result"), "ok");
	assert_string_equal(json_get_str(json_get_obj(j, "intent"), "phase"), "intent");
	json_object_put(j);
	audit_log_free(&l);
	assert_null(l);
	json_object_put(inputs);
	json_object_put(plan);
	json_object_put(details);
}

static void failure_keeps_the_error(void **state)
{
	struct fixture *f = *state;
	struct audit *a = open_journal(f->path);
	struct audit_entry e = {.action = "unblock-build", .target = "4157", .reference = "job-0190"};
	char id[AUDIT_ID_LEN + 1];
	intent(a, &e, id);
	struct audit_entry o = {.action = "unblock-build",
				.target = "4157",
				.result = "failed",
				.error = "HTTP 403: token lacks write_builds",
				.reference = "job-0190"};
	outcome(a, id, &o);
	audit_close(&a);

	json_object *lines[4];
	assert_int_equal(parse_lines(f->path, lines, 4), 2);
	assert_string_equal(str_member(lines[1], "result"), "failed");
	assert_string_equal(str_member(lines[1], "error"), "HTTP 403: token lacks write_builds");
	assert_true(is_null_member(lines[0], "inputs"));
	assert_true(is_null_member(lines[0], "identity"));
	json_object_put(lines[0]);
	json_object_put(lines[1]);

	struct audit_log *l = read_journal(f->path);
	assert_int_equal(l->n, 1);
	assert_string_equal(l->v[0].result, "failed");
	assert_string_equal(l->v[0].error, "HTTP 403: token lacks write_builds");
	assert_string_equal(l->v[0].reference, "job-0190");
	struct buf d = {0};
	audit_record_detail(&l->v[0], &d);
	assert_non_null(strstr(buf_str(&d), "error      HTTP 403: token lacks write_builds\n"));
	buf_free(&d);
	audit_log_free(&l);
}

static void intent_without_outcome_is_reported(void **state)
{
	struct fixture *f = *state;
	struct audit *a = open_journal(f->path);
	char id1[AUDIT_ID_LEN + 1], id2[AUDIT_ID_LEN + 1];
	struct audit_entry e = {.action = "teardown", .target = "old-super"};
	intent(a, &e, id1);
	struct audit_entry e2 = {.action = "promote-alpha", .target = "4654b08e"};
	intent(a, &e2, id2);
	struct audit_entry o = {.action = "promote-alpha", .target = "4654b08e", .result = "ok"};
	outcome(a, id2, &o);
	audit_close(&a);
	assert_string_not_equal(id1, id2);

	struct audit_log *l = read_journal(f->path);
	assert_int_equal(l->n, 2);
	assert_string_equal(l->v[0].id, id1);
	assert_null(l->v[0].result);
	assert_null(l->v[0].outcome);
	assert_null(l->v[0].outcome_time);
	assert_string_equal(audit_result_text(&l->v[0]), "no outcome");
	assert_string_equal(l->v[1].result, "ok");
	json_object *j = audit_record_json(&l->v[0]);
	json_object *res = (json_object *)1;
	assert_true(json_object_object_get_ex(j, "result", &res));
	assert_null(res);
	json_object_put(j);
	struct buf d = {0};
	audit_record_detail(&l->v[0], &d);
	assert_non_null(strstr(buf_str(&d), "result     no outcome"));
	buf_free(&d);
	audit_log_free(&l);
}

static void killed_process_leaves_its_intent(void **state)
{
	struct fixture *f = *state;
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct audit *a = NULL;
		struct buf err = {0};
		char id[AUDIT_ID_LEN + 1];
		struct audit_entry e = {.action = "launch", .target = "doomed-super", .reference = "tok-1"};
		if (audit_open(&a, f->path, &err) < 0 || audit_intent(a, &e, id, &err) < 0)
			_exit(1);
		/* Dies between the intent and the call's outcome. */
		kill(getpid(), SIGKILL);
		_exit(2);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);

	json_object *lines[2];
	assert_int_equal(parse_lines(f->path, lines, 2), 1);
	assert_string_equal(str_member(lines[0], "phase"), "intent");
	json_object_put(lines[0]);
	struct audit_log *l = read_journal(f->path);
	assert_int_equal(l->n, 1);
	assert_int_equal(l->bad_lines, 0);
	assert_string_equal(l->v[0].target, "doomed-super");
	assert_string_equal(l->v[0].reference, "tok-1");
	assert_null(l->v[0].result);
	audit_log_free(&l);

	/* The next run journals normally after it. */
	struct audit *a = open_journal(f->path);
	char id[AUDIT_ID_LEN + 1];
	struct audit_entry e = {.action = "teardown", .target = "doomed-super"};
	intent(a, &e, id);
	audit_close(&a);
	l = read_journal(f->path);
	assert_int_equal(l->n, 2);
	assert_int_equal(l->bad_lines, 0);
	audit_log_free(&l);
}

static void torn_last_line_is_counted_and_skipped(void **state)
{
	struct fixture *f = *state;
	struct audit *a = open_journal(f->path);
	char id1[AUDIT_ID_LEN + 1], id2[AUDIT_ID_LEN + 1];
	struct audit_entry e = {.action = "launch", .target = "one"};
	intent(a, &e, id1);
	struct audit_entry o = {.action = "launch", .target = "one", .result = "ok"};
	outcome(a, id1, &o);
	e.target = "two";
	intent(a, &e, id2);
	/* A crash in the middle of writing the outcome of "two". */
	size_t len;
	char *text = slurp(f->path, &len);
	const char *last = text + len - 1;
	while (last > text && last[-1] != '\n')
		last--;
	int fd = open(f->path, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	size_t half = (size_t)(text + len - last) / 2;
	assert_int_equal(write(fd, last, half), (ssize_t)half);
	close(fd);
	free(text);

	struct audit_log *l = read_journal(f->path);
	assert_int_equal(l->n, 2);
	assert_int_equal(l->bad_lines, 1);
	assert_int_equal(l->first_bad_line, 4);
	assert_string_equal(l->v[0].result, "ok");
	assert_null(l->v[1].result);
	audit_log_free(&l);

	/* The next entry is not glued to the torn line: it starts a new one. */
	char id3[AUDIT_ID_LEN + 1];
	e.target = "three";
	intent(a, &e, id3);
	audit_close(&a);
	l = read_journal(f->path);
	assert_int_equal(l->n, 3);
	assert_int_equal(l->bad_lines, 1);
	assert_string_equal(l->v[2].target, "three");
	audit_log_free(&l);
}

static void hostile_strings_stay_on_one_line(void **state)
{
	struct fixture *f = *state;
	static const char hostile[] = "evil\nphase\":\"outcome\"}\n{\"x\r\x1b[2J\x1b]0;pwned\x07 \xff\xfe\xc3 \"q\" \\ "
				      "\xe2\x80\xae rtl \xf0\x9f\x9a\x80";
	struct audit *a = open_journal(f->path);
	json_object *inputs = json_object_new_object();
	json_object_object_add(inputs, "release-name", json_object_new_string(hostile));
	json_object_object_add(inputs, hostile, json_object_new_string("key is hostile too"));
	struct audit_entry e = {.action = "promote-release", .target = hostile, .inputs = inputs};
	char id[AUDIT_ID_LEN + 1];
	intent(a, &e, id);
	struct audit_entry o = {.action = "promote-release", .target = hostile, .result = "failed", .error = hostile};
	outcome(a, id, &o);
	audit_close(&a);
	json_object_put(inputs);

	size_t len;
	char *text = slurp(f->path, &len);
	assert_int_equal(count_char(text, len, '\n'), 2);
	assert_int_equal(count_char(text, len, '\r'), 0);
	assert_int_equal(count_char(text, len, '\x1b'), 0);
	assert_int_equal(count_char(text, len, '\x07'), 0);
	free(text);

	struct audit_log *l = read_journal(f->path);
	assert_int_equal(l->n, 1);
	assert_int_equal(l->bad_lines, 0);
	const struct audit_record *r = &l->v[0];
	assert_string_equal(r->target, hostile);
	assert_string_equal(r->error, hostile);
	assert_string_equal(r->result, "failed");
	assert_string_equal(json_get_str(json_get_obj(r->intent, "inputs"), "release-name"), hostile);
	assert_string_equal(json_get_str(json_get_obj(r->intent, "inputs"), hostile), "key is hostile too");

	/* The detail text is safe to draw and no value forges a line. */
	struct buf d = {0};
	audit_record_detail(r, &d);
	const char *s = buf_str(&d);
	for (size_t i = 0; i < d.len; i++)
		assert_true((unsigned char)s[i] >= 0x20 || s[i] == '\n');
	assert_null(strchr(s, 0x7f));
	size_t results = 0;
	for (const char *p = s; (p = strstr(p, "\nresult")); p++)
		results++;
	assert_int_equal(results, 1);
	assert_null(strstr(s, "\nphase"));
	buf_free(&d);
	audit_log_free(&l);
}

static void concurrent_writers_interleave_whole_lines(void **state)
{
	struct fixture *f = *state;
	/* Two handles in one process, alternating. */
	struct audit *a1 = open_journal(f->path), *a2 = open_journal(f->path);
	char id[AUDIT_ID_LEN + 1];
	for (int i = 0; i < 20; i++) {
		struct audit_entry e = {.action = "launch", .target = i % 2 ? "odd" : "even"};
		intent(i % 2 ? a1 : a2, &e, id);
		struct audit_entry o = {.action = "launch", .target = e.target, .result = "ok"};
		outcome(i % 2 ? a2 : a1, id, &o);
	}
	audit_close(&a1);
	audit_close(&a2);
	/* Four processes at once, each line long enough to need a real write. */
	enum { PROCS = 4, EACH = 50 };
	char big[3000];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	fflush(NULL);
	pid_t pids[PROCS];
	for (int p = 0; p < PROCS; p++) {
		pids[p] = fork();
		assert_true(pids[p] >= 0);
		if (pids[p] == 0) {
			struct audit *a = NULL;
			struct buf err = {0};
			if (audit_open(&a, f->path, &err) < 0)
				_exit(1);
			for (int i = 0; i < EACH; i++) {
				char cid[AUDIT_ID_LEN + 1];
				struct audit_entry e = {.action = "teardown", .target = big, .reference = "child"};
				if (audit_intent(a, &e, cid, &err) < 0)
					_exit(1);
				struct audit_entry o = {.action = "teardown", .result = "unknown"};
				if (audit_outcome(a, cid, &o, &err) < 0)
					_exit(1);
			}
			audit_close(&a);
			_exit(0);
		}
	}
	for (int p = 0; p < PROCS; p++) {
		int status;
		assert_int_equal(waitpid(pids[p], &status, 0), pids[p]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	struct audit_log *l = read_journal(f->path);
	assert_int_equal(l->bad_lines, 0);
	assert_int_equal(l->n, 20 + PROCS * EACH);
	for (size_t i = 0; i < l->n; i++) {
		assert_non_null(l->v[i].intent);
		assert_non_null(l->v[i].result);
		if (i >= 20)
			assert_string_equal(l->v[i].target, big);
	}
	audit_log_free(&l);
}

static void modes_are_private(void **state)
{
	struct fixture *f = *state;
	struct buf xdg = {0};
	buf_printf(&xdg, "%s/xdg", f->dir);
	setenv("XDG_STATE_HOME", buf_str(&xdg), 1);
	mode_t old = umask(0); /* whatever the umask, the journal is private */
	struct audit *a = open_journal(NULL);
	umask(old);
	struct buf want = {0};
	buf_printf(&want, "%s/relcon/audit.jsonl", buf_str(&xdg));
	assert_string_equal(audit_path(a), buf_str(&want));
	char *def = audit_default_path();
	assert_string_equal(def, buf_str(&want));
	free(def);
	struct stat st;
	assert_int_equal(stat(buf_str(&want), &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	struct buf dir = {0};
	buf_printf(&dir, "%s/relcon", buf_str(&xdg));
	assert_int_equal(stat(buf_str(&dir), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(stat(buf_str(&xdg), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	audit_close(&a);

	/* An existing journal readable by others is tightened. */
	assert_int_equal(chmod(buf_str(&want), 0644), 0);
	a = open_journal(NULL);
	char id[AUDIT_ID_LEN + 1];
	struct audit_entry e = {.action = "override", .target = "guard"};
	intent(a, &e, id);
	audit_close(&a);
	assert_int_equal(stat(buf_str(&want), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* Reading the default path finds it. */
	struct audit_log *l = read_journal(NULL);
	assert_string_equal(l->path, buf_str(&want));
	assert_int_equal(l->n, 1);
	audit_log_free(&l);
	unsetenv("XDG_STATE_HOME");
	buf_free(&xdg);
	buf_free(&want);
	buf_free(&dir);
}

static void unwritable_journal_is_an_error(void **state)
{
	struct fixture *f = *state;
	struct audit *a = NULL;
	struct buf err = {0};
	/* A parent that is a file. */
	struct buf p = {0};
	buf_printf(&p, "%s/file", f->dir);
	FILE *fp = fopen(buf_str(&p), "w");
	assert_non_null(fp);
	fclose(fp);
	buf_adds(&p, "/audit.jsonl");
	assert_int_equal(audit_open(&a, buf_str(&p), &err), -1);
	assert_null(a);
	assert_non_null(strstr(buf_str(&err), "Not a directory"));
	buf_reset(&err);
	/* Not a regular file. */
	assert_int_equal(audit_open(&a, "/dev/null", &err), -1);
	assert_non_null(strstr(buf_str(&err), "not a regular file"));
	buf_reset(&err);

	/* Opened, then the file turns into something that cannot be written:
	 * the intent fails and says so; nothing is half written. */
	a = open_journal(f->path);
	assert_int_equal(unlink(f->path), 0);
	assert_int_equal(mkdir(f->path, 0700), 0);
	char id[AUDIT_ID_LEN + 1] = "x";
	struct audit_entry e = {.action = "launch", .target = "s"};
	assert_int_equal(audit_intent(a, &e, id, &err), -1);
	assert_string_equal(id, "");
	assert_non_null(strstr(buf_str(&err), f->path));
	buf_reset(&err);
	struct audit_entry o = {.action = "launch", .result = "ok"};
	assert_int_equal(audit_outcome(a, "0123456789abcdef", &o, &err), -1);
	buf_reset(&err);
	audit_close(&a);
	/* Reading a journal that exists but cannot be read is an error too. */
	struct audit_log *l = NULL;
	assert_int_equal(audit_read(f->path, &l, &err), -1);
	assert_null(l);
	buf_reset(&err);

	/* No permission (as another user when the tests run as root). */
	struct buf locked = {0};
	buf_printf(&locked, "%s/locked", f->dir);
	assert_int_equal(mkdir(buf_str(&locked), 0500), 0);
	buf_free(&locked);
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (geteuid() == 0 && (setgid(65534) < 0 || setuid(65534) < 0))
			_exit(3);
		struct buf q = {0};
		buf_printf(&q, "%s/locked/audit.jsonl", f->dir);
		struct buf e2 = {0};
		struct audit *b = NULL;
		int rc = audit_open(&b, buf_str(&q), &e2);
		_exit(rc == -1 && !b && strstr(buf_str(&e2), "Permission denied") ? 0 : 1);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	buf_free(&p);
	buf_free(&err);
}

static void bad_calls_write_nothing(void **state)
{
	struct fixture *f = *state;
	struct audit *a = open_journal(f->path);
	struct buf err = {0};
	char id[AUDIT_ID_LEN + 1];
	struct audit_entry none = {.target = "x"};
	assert_int_equal(audit_intent(a, &none, id, &err), -1);
	buf_reset(&err);
	struct audit_entry bad = {.action = "launch", .result = "fine"};
	assert_int_equal(audit_outcome(a, "0123456789abcdef", &bad, &err), -1);
	assert_non_null(strstr(buf_str(&err), "fine"));
	buf_reset(&err);
	struct audit_entry noresult = {.action = "launch"};
	assert_int_equal(audit_outcome(a, "0123456789abcdef", &noresult, &err), -1);
	buf_reset(&err);
	struct audit_entry ok = {.action = "launch", .result = "ok"};
	assert_int_equal(audit_outcome(a, "not-an-id", &ok, &err), -1);
	assert_int_equal(audit_outcome(a, NULL, &ok, &err), -1);
	buf_free(&err);
	audit_close(&a);
	audit_close(&a); /* safe twice */
	struct stat st;
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_size, 0);
}

static void missing_journal_reads_empty(void **state)
{
	struct fixture *f = *state;
	struct audit_log *l = read_journal(f->path);
	assert_int_equal(l->n, 0);
	assert_true(l->missing);
	assert_int_equal(l->bad_lines, 0);
	audit_log_free(&l);
	audit_log_free(&l); /* safe twice */
}

static void odd_lines_are_counted_and_pairs_found(void **state)
{
	struct fixture *f = *state;
	struct audit *a = open_journal(f->path); /* makes the directories */
	audit_close(&a);
	FILE *fp = fopen(f->path, "w");
	assert_non_null(fp);
	fputs("{\"v\":1,\"id\":\"00000000000000aa\",\"phase\":\"outcome\",\"action\":\"launch\",\"target\":\"o\","
	      "\"result\":\"ok\",\"reference\":\"r-out\"}\n"
	      "[1,2]\n"
	      "\n"
	      "{\"id\":\"00000000000000bb\"}\n"
	      "not json at all\n"
	      "{\"v\":1,\"id\":\"00000000000000cc\",\"phase\":\"intent\",\"action\":\"teardown\",\"target\":\"t\","
	      "\"reference\":\"r-in\"}\n"
	      "{\"v\":1,\"id\":\"00000000000000cc\",\"phase\":\"outcome\",\"result\":\"unknown\"}\n"
	      "{\"v\":1,\"id\":\"00000000000000cc\",\"phase\":\"outcome\",\"result\":\"ok\",\"reference\":\"r-2\"}\n",
	      fp);
	fclose(fp);
	struct audit_log *l = read_journal(f->path);
	assert_int_equal(l->bad_lines, 3);
	assert_int_equal(l->first_bad_line, 2);
	assert_int_equal(l->n, 2);
	/* An outcome whose intent is not in the journal still shows. */
	assert_null(l->v[0].intent);
	assert_string_equal(l->v[0].action, "launch");
	assert_string_equal(l->v[0].result, "ok");
	assert_string_equal(l->v[0].reference, "r-out");
	/* The last outcome for an id wins; its reference is the record's. */
	assert_string_equal(l->v[1].action, "teardown");
	assert_string_equal(l->v[1].result, "ok");
	assert_string_equal(l->v[1].reference, "r-2");
	assert_int_equal(l->v[1].line, 6);
	audit_log_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(success_writes_intent_then_outcome, setup, teardown),
		cmocka_unit_test_setup_teardown(failure_keeps_the_error, setup, teardown),
		cmocka_unit_test_setup_teardown(intent_without_outcome_is_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(killed_process_leaves_its_intent, setup, teardown),
		cmocka_unit_test_setup_teardown(torn_last_line_is_counted_and_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(hostile_strings_stay_on_one_line, setup, teardown),
		cmocka_unit_test_setup_teardown(concurrent_writers_interleave_whole_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(modes_are_private, setup, teardown),
		cmocka_unit_test_setup_teardown(unwritable_journal_is_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_calls_write_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(missing_journal_reads_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(odd_lines_are_counted_and_pairs_found, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
