/* Unit tests for tui/clip.c: the OSC 52 bytes (base64, tmux passthrough with
 * every ESC doubled), what is refused (control characters and the like, too
 * long), notifications (OSC 9, OSC 777, their message made inert), which
 * URLs open, and the detached browser start (argv exactly, no shell, no
 * terminal, no descriptor of ours, nobody left to reap). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "tui/clip.h"

static void check_osc52(const char *text, const char *want)
{
	struct buf out = {0}, err = {0};
	if (clip_osc52(text, &out, &err) < 0)
		fail_msg("clip_osc52(\"%s\") refused: %s", text, buf_str(&err));
	assert_string_equal(buf_str(&out), want);
	assert_int_equal(err.len, 0);
	buf_free(&out);
	buf_free(&err);
}

static void check_refused(const char *text, const char *why)
{
	struct buf out = {0}, err = {0};
	if (clip_osc52(text, &out, &err) == 0)
		fail_msg("clip_osc52 accepted \"%s\"", text);
	assert_int_equal(out.len, 0); /* nothing half-written */
	assert_string_equal(buf_str(&err), why);
	buf_free(&out);
	buf_free(&err);
}

static void test_osc52(void **state)
{
	(void)state;
	check_osc52("a", "\033]52;c;YQ==\007");
	check_osc52("hello", "\033]52;c;aGVsbG8=\007");
	check_osc52("https://example.com/x?y=1", "\033]52;c;aHR0cHM6Ly9leGFtcGxlLmNvbS94P3k9MQ==\007");
	check_osc52("ünïcode ✓", "\033]52;c;w7xuw69jb2RlIOKckw==\007");
	/* A route with quotes and spaces is text like any other. */
	check_osc52("ssh -J 'a b'", "\033]52;c;c3NoIC1KICdhIGIn\007");
}

static void test_refused(void **state)
{
	(void)state;
	check_refused("", "nothing to copy");
	check_refused(NULL, "nothing to copy");
	check_refused("https://x/\033]52;c;cm0gLXJm\007", "it holds control characters");
	check_refused("https://x/\033[2J", "it holds control characters");
	check_refused("line one\nrm -rf ~\n", "it holds control characters");
	check_refused("a\rb", "it holds control characters");
	check_refused("a\tb", "it holds control characters");
	check_refused("a\x7f", "it holds control characters");
	check_refused("a\xc2\x9b[31m", "it holds invisible, bidi or invalid characters"); /* C1 CSI */
	check_refused("evil\xe2\x80\xaetxt.exe", "it holds invisible, bidi or invalid characters");
	check_refused("zero\xe2\x80\x8bwidth", "it holds invisible, bidi or invalid characters");
	check_refused("bad \xff utf-8", "it holds invisible, bidi or invalid characters");
}

static void test_length_cap(void **state)
{
	(void)state;
	char *big = malloc(CLIP_MAX + 2);
	memset(big, 'a', CLIP_MAX);
	big[CLIP_MAX] = '\0';
	struct buf out = {0}, err = {0};
	assert_int_equal(clip_osc52(big, &out, &err), 0);
	/* ESC ] 52 ; c ; (7 bytes) + base64 + BEL */
	assert_int_equal(out.len, 7 + 4 * ((CLIP_MAX + 2) / 3) + 1);
	buf_reset(&out);
	big[CLIP_MAX] = 'a';
	big[CLIP_MAX + 1] = '\0';
	check_refused(big, "it is 100001 bytes long (at most 100000)");
	free(big);
	buf_free(&out);
	buf_free(&err);
}

static void test_tmux(void **state)
{
	(void)state;
	const char *seq = "\033]52;c;YQ==\007";
	struct buf out = {0};
	clip_tmux_wrap(seq, strlen(seq), &out);
	assert_string_equal(buf_str(&out), "\033Ptmux;\033\033]52;c;YQ==\007\033\\");
	/* Every ESC inside is doubled, not only the first. */
	buf_reset(&out);
	clip_tmux_wrap("\033]x\033\\", 5, &out);
	assert_string_equal(buf_str(&out), "\033Ptmux;\033\033]x\033\033\\\033\\");

	buf_reset(&out);
	clip_for_terminal(seq, strlen(seq), 0, 1, &out);
	assert_string_equal(buf_str(&out), seq);
	buf_reset(&out);
	clip_for_terminal(seq, strlen(seq), 0, 0, &out);
	assert_string_equal(buf_str(&out), seq);
	/* In tmux: OSC 52 both as is (tmux's own buffer) and passed through. */
	buf_reset(&out);
	clip_for_terminal(seq, strlen(seq), 1, 1, &out);
	assert_string_equal(buf_str(&out), "\033]52;c;YQ==\007\033Ptmux;\033\033]52;c;YQ==\007\033\\");
	buf_reset(&out);
	clip_for_terminal(seq, strlen(seq), 1, 0, &out);
	assert_string_equal(buf_str(&out), "\033Ptmux;\033\033]52;c;YQ==\007\033\\");
	buf_free(&out);
}

static void check_notify(enum clip_notify k, const char *msg, const char *want)
{
	struct buf out = {0};
	clip_notify_seq(k, msg, &out);
	assert_string_equal(buf_str(&out), want);
	buf_free(&out);
}

static void test_notify(void **state)
{
	(void)state;
	assert_int_equal(clip_notify_kind("bell"), CLIP_NOTIFY_BELL);
	assert_int_equal(clip_notify_kind(NULL), CLIP_NOTIFY_BELL);
	assert_int_equal(clip_notify_kind("none"), CLIP_NOTIFY_NONE);
	assert_int_equal(clip_notify_kind("osc9"), CLIP_NOTIFY_OSC9);
	assert_int_equal(clip_notify_kind("osc777"), CLIP_NOTIFY_OSC777);

	check_notify(CLIP_NOTIFY_OSC9, "alice-super CREATE_COMPLETE", "\033]9;alice-super CREATE_COMPLETE\007");
	check_notify(CLIP_NOTIFY_OSC777, "alice-super CREATE_COMPLETE",
		     "\033]777;notify;relcon;alice-super CREATE_COMPLETE\007");
	check_notify(CLIP_NOTIFY_BELL, "x", "");
	check_notify(CLIP_NOTIFY_NONE, "x", "");
	/* ';' would start another field (or an OSC 9 sub-command: "4;..."). */
	check_notify(CLIP_NOTIFY_OSC9, "4;3;50", "\033]9;4,3,50\007");
	check_notify(CLIP_NOTIFY_OSC777, "a;b", "\033]777;notify;relcon;a,b\007");
	/* A stack status reason cannot end the sequence or start another. */
	check_notify(CLIP_NOTIFY_OSC9, "x\007\033]52;c;cm0=\007y", "\033]9;x^G^[]52,c,cm0=^Gy\007");
	check_notify(CLIP_NOTIFY_OSC9, "two\nlines", "\033]9;two ⏎ lines\007");
	check_notify(CLIP_NOTIFY_OSC9, NULL, "\033]9;\007");
	/* Shortened. */
	char big[1000];
	memset(big, 'm', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	struct buf out = {0};
	clip_notify_seq(CLIP_NOTIFY_OSC9, big, &out);
	assert_true(out.len <= 4 + 200 + 1);
	assert_string_equal(buf_str(&out) + out.len - 4, "…\007");
	buf_free(&out);
}

static void check_url(const char *url, const char *why)
{
	struct buf err = {0};
	int rc = clip_url_check(url, &err);
	if (!why) {
		if (rc)
			fail_msg("\"%s\" refused: %s", url, buf_str(&err));
	} else {
		if (!rc)
			fail_msg("\"%s\" accepted", url);
		assert_string_equal(buf_str(&err), why);
	}
	buf_free(&err);
}

static void test_urls(void **state)
{
	(void)state;
	check_url("https://buildkite.com/readyset/readyset/builds/4155", NULL);
	check_url("http://localhost:4566/bucket/key.yaml", NULL);
	check_url("HTTPS://EXAMPLE.COM/", NULL);
	check_url("ami-0123456789abcdef0", "not an http or https URL");
	check_url("file:///etc/passwd", "not an http or https URL");
	check_url("javascript:alert(1)", "not an http or https URL");
	check_url("-oProxyCommand=x", "not an http or https URL");
	check_url("s3://bucket/prefix/", "not an http or https URL");
	check_url("https://", "it has no host");
	check_url("https:///etc/passwd", "it has no host");
	check_url("https://x/a b", "it holds a space");
	check_url("https://x/\033[2J", "it holds control characters");
}

static void test_opener(void **state)
{
	(void)state;
	struct buf out = {0};
	clip_opener(NULL, &out);
	assert_string_equal(buf_str(&out), "xdg-open");
	buf_reset(&out);
	clip_opener("", &out);
	assert_string_equal(buf_str(&out), "xdg-open");
	buf_reset(&out);
	clip_opener("firefox", &out);
	assert_string_equal(buf_str(&out), "firefox");
	buf_reset(&out);
	clip_opener("/usr/bin/firefox:chromium:w3m", &out);
	assert_string_equal(buf_str(&out), "/usr/bin/firefox");
	buf_reset(&out);
	/* Not split on spaces: one program (which then is not found). */
	clip_opener("firefox --new-window", &out);
	assert_string_equal(buf_str(&out), "firefox --new-window");
	buf_free(&out);
}

/* Wait (at most 5 s) until path holds a line "end". */
static char *wait_file(const char *path)
{
	for (int i = 0; i < 500; i++) {
		FILE *f = fopen(path, "r");
		if (f) {
			static char text[4096];
			size_t n = fread(text, 1, sizeof text - 1, f);
			fclose(f);
			text[n] = '\0';
			if (strstr(text, "end\n"))
				return text;
		}
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	return NULL;
}

static void test_spawn(void **state)
{
	(void)state;
	char dir[] = "/tmp/relcon-clip-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char script[256], out[256], notexec[256];
	snprintf(script, sizeof script, "%s/browser", dir);
	snprintf(out, sizeof out, "%s/argv", dir);
	snprintf(notexec, sizeof notexec, "%s/plain", dir);
	/* A descriptor of ours that must not reach the browser. */
	int leak = open("/dev/null", O_RDONLY);
	assert_true(leak > 2);
	char leak_s[16];
	snprintf(leak_s, sizeof leak_s, "%d", leak);
	setenv("LEAK_FD", leak_s, 1);
	FILE *f = fopen(script, "w");
	assert_non_null(f);
	fprintf(f,
		"#!/bin/sh\n"
		"{ echo \"argc=$#\"; for a; do echo \"arg=$a\"; done\n"
		"  echo \"stdin=$(readlink /proc/$$/fd/0)\"\n"
		"  [ -e /proc/$$/fd/$LEAK_FD ] && echo leaked\n"
		"  echo \"sid=$(cut -d' ' -f6 /proc/$$/stat)\"\n"
		"  echo end; } > %s.tmp && mv %s.tmp %s\n",
		out, out, out);
	fclose(f);
	chmod(script, 0755);
	f = fopen(notexec, "w");
	fclose(f);

	/* No shell: $(...) and ';' reach the program as they are. */
	const char *url = "https://example.com/a?b=$(touch%20x);c";
	struct buf err = {0};
	assert_int_equal(clip_spawn(script, url, &err), 0);
	assert_int_equal(err.len, 0);
	/* The middle child is reaped; the browser is nobody's child of ours. */
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	char *got = wait_file(out);
	assert_non_null(got);
	char want[512];
	snprintf(want, sizeof want, "argc=1\narg=%s\nstdin=/dev/null\n", url);
	if (strncmp(got, want, strlen(want)))
		fail_msg("the browser saw:\n%s", got);
	assert_null(strstr(got, "leaked"));
	/* Its own session: not ours, so the terminal's signals do not reach it. */
	char sid[64];
	snprintf(sid, sizeof sid, "sid=%ld\n", (long)getsid(0));
	assert_null(strstr(got, sid));

	assert_int_equal(clip_spawn("/nonexistent/browser", url, &err), -1);
	assert_string_equal(buf_str(&err), "/nonexistent/browser: not found");
	buf_reset(&err);
	assert_int_equal(clip_spawn(notexec, url, &err), -1);
	char want_err[300];
	snprintf(want_err, sizeof want_err, "%s: Permission denied", notexec);
	assert_string_equal(buf_str(&err), want_err);
	buf_free(&err);
	close(leak);
	unlink(script);
	unlink(out);
	unlink(notexec);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_osc52),  cmocka_unit_test(test_refused), cmocka_unit_test(test_length_cap),
		cmocka_unit_test(test_tmux),   cmocka_unit_test(test_notify),  cmocka_unit_test(test_urls),
		cmocka_unit_test(test_opener), cmocka_unit_test(test_spawn),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
