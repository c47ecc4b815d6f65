/* Unit tests for core/log.c: the debug log never holds a secret, is private
 * to the user, and is not written at all unless opened. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"

struct fixture {
	char dir[64];
	char *path; /* dir/a/b/debug.log: parents do not exist yet */
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
	strcpy(f->dir, "/tmp/relcon-test-log-XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	struct buf p = {0};
	buf_printf(&p, "%s/a/b/debug.log", f->dir);
	f->path = buf_steal(&p);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	log_close();
	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f->path);
	free(f);
	return 0;
}

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	assert_non_null(fp);
	struct buf b = {0};
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		buf_add(&b, chunk, n);
	fclose(fp);
	return buf_steal(&b);
}

static void open_log(struct fixture *f)
{
	struct buf err = {0};
	int rc = log_open(f->path, &err);
	if (rc < 0)
		fprintf(stderr, "log_open: %s\n", buf_str(&err));
	assert_int_equal(rc, 0);
	assert_true(log_enabled());
	buf_free(&err);
}

static void check_redact(const char *in, const char *want)
{
	char *got = log_redact(in);
	assert_string_equal(got, want);
	free(got);
}

static void test_secrets_redacted_in_file(void **state)
{
	struct fixture *f = *state;
	open_log(f);
	log_add_secret("bkua_0123456789abcdef");
	log_add_secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
	log_msg(LOG_INFO, "token is %s; key %s.", "bkua_0123456789abcdef", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
	log_msg(LOG_DEBUG, "body: {\"t\":\"bkua_0123456789abcdef\"}\nsecond line bkua_0123456789abcdef end");
	log_close();
	char *text = slurp(f->path);
	assert_null(strstr(text, "bkua_0123456789abcdef"));
	assert_null(strstr(text, "wJalrXUtnFEMI"));
	assert_non_null(strstr(text, " INFO token is [REDACTED]; key [REDACTED].\n"));
	assert_non_null(strstr(text, " DEBUG body: {\"t\":\"[REDACTED]\"}\n    second line [REDACTED] end\n"));
	free(text);
}

static void test_headers_redacted_in_file(void **state)
{
	struct fixture *f = *state;
	open_log(f);
	/* A whole request as curl's debug callback would hand it over. */
	log_msg(LOG_DEBUG, "%s",
		"GET /v2/organizations/readyset/builds HTTP/1.1\r\n"
		"Host: api.buildkite.com\r\n"
		"Authorization: Bearer bkua_abcdefghijklmnop\r\n"
		"Accept: application/json\r\n");
	log_msg(LOG_DEBUG, "%s",
		"POST / HTTP/1.1\n"
		"authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261124/us-east-2/ec2/aws4_request, "
		"SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=5d672d79c15b13162d9279b0855cfba6\n"
		"X-Amz-Security-Token: IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ\n"
		"X-Amz-Date: 20261124T065000Z\n");
	log_msg(LOG_INFO, "GET %s",
		"https://bucket.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256"
		"&X-Amz-Security-Token=FwoGZXIvYXdz%2Fsession&X-Amz-Signature=0123abcd&x-id=GetObject");
	log_msg(LOG_INFO, "retrying with Bearer tok.en-value_1~+/= after 429");
	log_close();

	char *text = slurp(f->path);
	static const char *const gone[] = {
		"bkua_abcdefghijklmnop", "AKIDEXAMPLE",  "5d672d79c15b13162d9279b0855cfba6",
		"IQoJb3JpZ2luX2VjEJr",   "FwoGZXIvYXdz", "0123abcd",
		"tok.en-value_1",
	};
	for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++) {
		if (strstr(text, gone[i]))
			fail_msg("\"%s\" is in the log:\n%s", gone[i], text);
	}
	static const char *const kept[] = {
		"Host: api.buildkite.com\n",
		"Authorization: [REDACTED]\n",
		"Accept: application/json\n",
		"authorization: [REDACTED]\n",
		"X-Amz-Security-Token: [REDACTED]\n",
		"X-Amz-Date: 20261124T065000Z\n",
		"X-Amz-Security-Token=[REDACTED]&X-Amz-Signature=[REDACTED]&x-id=GetObject\n",
		"retrying with Bearer [REDACTED] after 429\n",
	};
	for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
		if (!strstr(text, kept[i]))
			fail_msg("\"%s\" is not in the log:\n%s", kept[i], text);
	}
	/* CR LF line ends and control characters never reach the file. */
	assert_null(strchr(text, '\r'));
	free(text);
}

static void test_redact_rules(void **state)
{
	(void)state;
	check_redact("Authorization: token abc123", "Authorization: [REDACTED]");
	check_redact("Proxy-Authorization: Basic dXNlcjpwYXNz\nnext", "Proxy-Authorization: [REDACTED]\nnext");
	check_redact("\"Authorization\": \"Bearer abc.def\"", "\"Authorization\": [REDACTED]");
	check_redact("a=1&Signature=abc%2Bdef&b=2", "a=1&Signature=[REDACTED]&b=2");
	check_redact("x-amz-security-token=abc def", "x-amz-security-token=[REDACTED] def");
	check_redact("{\"SecretAccessKey\": \"s3cr3t/Key+\", \"SessionToken\": \"tok\"}",
		     "{\"SecretAccessKey\": \"[REDACTED]\", \"SessionToken\": \"[REDACTED]\"}");
	check_redact("aws_secret_access_key = abcd1234\naws_access_key_id = AKIA1",
		     "aws_secret_access_key = [REDACTED]\naws_access_key_id = AKIA1");
	check_redact("bearer xyz", "bearer [REDACTED]");
	/* Words that merely contain the names, or have no value, stay. */
	check_redact("SignedHeaders=host;x-amz-security-token;x-amz-date",
		     "SignedHeaders=host;x-amz-security-token;x-amz-date");
	check_redact("the Authorization header was missing", "the Authorization header was missing");
	check_redact("Authorization:\nnext", "Authorization:\nnext");
	check_redact("forbearer thing", "forbearer thing");
	check_redact("Bearer", "Bearer");
	check_redact("", "");
	char *got = log_redact(NULL);
	assert_string_equal(got, "");
	free(got);
}

static void test_registered_secrets(void **state)
{
	(void)state;
	log_add_secret("abcdef");
	log_add_secret("abcdefghij"); /* longer secret sharing a prefix */
	log_add_secret("abcdef");     /* duplicates are harmless */
	check_redact("x abcdefghij y abcdef z", "x [REDACTED] y [REDACTED] z");
	check_redact("line1\nabcdef\nline3 abcdefghijabcdef", "line1\n[REDACTED]\nline3 [REDACTED][REDACTED]");
	/* Registering works before the log is opened; closing forgets. */
	log_close();
	check_redact("abcdef", "abcdef");
}

static void test_short_secrets_ignored(void **state)
{
	(void)state;
	log_add_secret("abc");
	log_add_secret("");
	log_add_secret(NULL);
	check_redact("abc abcd", "abc abcd");
	log_add_secret("abcd"); /* four bytes is enough */
	check_redact("abc abcd", "abc [REDACTED]");
	log_close();
}

static void test_file_mode(void **state)
{
	struct fixture *f = *state;
	mode_t old = umask(0);
	open_log(f);
	umask(old);
	log_msg(LOG_WARN, "hello");
	struct stat st;
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	struct buf parent = {0};
	buf_printf(&parent, "%s/a/b", f->dir);
	assert_int_equal(stat(parent.s, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0700);
	buf_free(&parent);
	log_close();
	assert_false(log_enabled());
}

static void test_existing_file_tightened_and_appended(void **state)
{
	struct fixture *f = *state;
	struct buf dir = {0};
	buf_printf(&dir, "%s/a", f->dir);
	assert_int_equal(mkdir(dir.s, 0755), 0);
	buf_adds(&dir, "/b");
	assert_int_equal(mkdir(dir.s, 0755), 0);
	buf_free(&dir);
	FILE *fp = fopen(f->path, "w");
	assert_non_null(fp);
	fputs("earlier line\n", fp);
	fclose(fp);
	assert_int_equal(chmod(f->path, 0644), 0);

	open_log(f);
	log_msg(LOG_ERROR, "later %d", 42);
	log_close();
	struct stat st;
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	char *text = slurp(f->path);
	assert_memory_equal(text, "earlier line\n", 13);
	/* "2026-11-24T06:50:00.123Z ERROR later 42\n" */
	const char *line = text + 13;
	int y, mo, d, h, mi, s, ms, n = 0;
	assert_int_equal(sscanf(line, "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ %n", &y, &mo, &d, &h, &mi, &s, &ms, &n), 7);
	assert_int_equal(n, 25);
	assert_true(y >= 2024 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31);
	assert_string_equal(line + n, "ERROR later 42\n");
	free(text);
}

static void test_control_characters_made_visible(void **state)
{
	struct fixture *f = *state;
	open_log(f);
	log_msg(LOG_WARN, "error body: \x1b]52;c;cm0gLXJm\x07 and \xff");
	log_close();
	char *text = slurp(f->path);
	assert_null(strchr(text, '\x1b'));
	assert_null(strchr(text, '\x07'));
	assert_non_null(strstr(text, "WARN error body: ^[]52;c;cm0gLXJm^G and \\xFF\n"));
	free(text);
}

static void test_log_off_writes_nothing(void **state)
{
	struct fixture *f = *state;
	assert_false(log_enabled());
	log_msg(LOG_ERROR, "nobody should see %s", "this");
	struct stat st;
	assert_int_equal(stat(f->path, &st), -1);
	struct buf parent = {0};
	buf_printf(&parent, "%s/a", f->dir);
	assert_int_equal(stat(parent.s, &st), -1);
	buf_free(&parent);

	/* After closing, messages are dropped too. */
	open_log(f);
	log_msg(LOG_INFO, "one");
	log_close();
	log_msg(LOG_INFO, "two");
	char *text = slurp(f->path);
	assert_non_null(strstr(text, "INFO one\n"));
	assert_null(strstr(text, "two"));
	free(text);
	log_close(); /* closing twice is safe */
}

static void test_open_failure(void **state)
{
	struct fixture *f = *state;
	/* A regular file where a directory is needed. */
	struct buf blocker = {0}, path = {0}, err = {0};
	buf_printf(&blocker, "%s/file", f->dir);
	FILE *fp = fopen(blocker.s, "w");
	assert_non_null(fp);
	fclose(fp);
	buf_printf(&path, "%s/sub/debug.log", blocker.s);
	assert_int_equal(log_open(path.s, &err), -1);
	assert_false(log_enabled());
	assert_non_null(strstr(buf_str(&err), blocker.s));
	assert_non_null(strstr(buf_str(&err), "Not a directory"));
	buf_free(&blocker);
	buf_free(&path);
	buf_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_secrets_redacted_in_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_headers_redacted_in_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_redact_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_registered_secrets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_short_secrets_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_existing_file_tightened_and_appended, setup, teardown),
		cmocka_unit_test_setup_teardown(test_control_characters_made_visible, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_off_writes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_failure, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
