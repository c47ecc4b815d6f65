#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/config.h"
#include "core/sanitize.h"

static int log_fd = -1;
static char **secrets; /* owned copies */
static size_t nsecrets;

static const char redacted[] = "[REDACTED]";

int log_open(const char *path, struct buf *err)
{
	if (!path || !*path) {
		buf_adds(err, "no log file name");
		return -1;
	}
	if (config_make_parents(path, err) < 0)
		return -1;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		buf_printf(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* An existing file may have been created readable by others; the log
	 * carries request details, so tighten it whatever the umask did. */
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077))
		(void)fchmod(fd, 0600);
	if (log_fd >= 0)
		close(log_fd);
	log_fd = fd;
	return 0;
}

void log_close(void)
{
	if (log_fd >= 0)
		close(log_fd);
	log_fd = -1;
	for (size_t i = 0; i < nsecrets; i++) {
		/* Wipe before freeing so the value does not linger in the heap. */
		volatile char *v = secrets[i];
		while (*v)
			*v++ = '\0';
		free(secrets[i]);
	}
	free(secrets);
	secrets = NULL;
	nsecrets = 0;
}

int log_enabled(void)
{
	return log_fd >= 0;
}

void log_add_secret(const char *secret)
{
	if (!secret || strlen(secret) < 4)
		return;
	for (size_t i = 0; i < nsecrets; i++)
		if (!strcmp(secrets[i], secret))
			return;
	secrets = xrealloc(secrets, (nsecrets + 1) * sizeof *secrets);
	secrets[nsecrets++] = xstrdup(secret);
}

/* clang-format off */
/* Names whose value is redacted.  A header ("Name: value") loses the rest of
 * its line; a parameter or field ("Name=value", "\"Name\": \"value\"") loses
 * one value. */
static const struct {
	const char *name;
	int header; /* with ':' the value runs to the end of the line */
} sensitive[] = {
	{"Authorization", 1},
	{"X-Amz-Security-Token", 1},
	{"X-aws-ec2-metadata-token", 1},
	{"Signature", 0},
	{"SecretAccessKey", 0},
	{"SessionToken", 0},
	{"aws_secret_access_key", 0},
	{"aws_session_token", 0},
};
/* clang-format on */

static int is_token_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("-._~+/=%", c) != NULL); /* strchr finds the NUL too */
}

static int is_value_end(unsigned char c)
{
	return c == '\0' || c == '\n' || c == '\r' || c == ' ' || c == '\t' || c == '&' || c == ',' || c == ';' ||
	       c == '"' || c == '\'' || c == '<' || c == '>';
}

static size_t skip_blanks(const char *s, size_t i)
{
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	return i;
}

/* At s + i, try "Name<sep>value" for a sensitive name.  On a match, appends
 * the kept part and the marker to out and returns the index after the value;
 * else returns i. */
static size_t redact_field(const char *s, size_t i, struct buf *out)
{
	for (size_t k = 0; k < sizeof sensitive / sizeof sensitive[0]; k++) {
		size_t nl = strlen(sensitive[k].name);
		if (strncasecmp(s + i, sensitive[k].name, nl) != 0)
			continue;
		size_t j = i + nl;
		if (s[j] == '"' || s[j] == '\'')
			j++;
		j = skip_blanks(s, j);
		if (s[j] != ':' && s[j] != '=')
			continue;
		int to_eol = s[j] == ':' && sensitive[k].header;
		j = skip_blanks(s, j + 1);
		size_t v = j;
		if (to_eol) {
			while (s[v] && s[v] != '\n' && s[v] != '\r')
				v++;
		} else if (s[v] == '"' || s[v] == '\'') {
			char q = s[v];
			j++;
			v++;
			while (s[v] && s[v] != q && s[v] != '\n')
				v++;
		} else {
			while (!is_value_end((unsigned char)s[v]))
				v++;
		}
		if (v == j)
			continue; /* nothing to hide */
		buf_add(out, s + i, j - i);
		buf_adds(out, redacted);
		return v;
	}
	return i;
}

/* "Bearer <token>" anywhere, as a word. */
static size_t redact_bearer(const char *s, size_t i, struct buf *out)
{
	if (strncasecmp(s + i, "Bearer", 6) != 0)
		return i;
	if (i > 0 && is_token_char((unsigned char)s[i - 1]))
		return i;
	size_t j = i + 6;
	if (s[j] != ' ' && s[j] != '\t')
		return i;
	j = skip_blanks(s, j);
	size_t v = j;
	while (is_token_char((unsigned char)s[v]))
		v++;
	if (v == j)
		return i;
	buf_add(out, s + i, j - i);
	buf_adds(out, redacted);
	return v;
}

static size_t redact_secret(const char *s, size_t i, struct buf *out)
{
	size_t best = 0;
	for (size_t k = 0; k < nsecrets; k++) {
		size_t n = strlen(secrets[k]);
		if (n > best && !strncmp(s + i, secrets[k], n))
			best = n;
	}
	if (!best)
		return i;
	buf_adds(out, redacted);
	return i + best;
}

char *log_redact(const char *s)
{
	struct buf out = {0};
	if (!s)
		return buf_steal(&out);
	size_t i = 0;
	while (s[i]) {
		size_t next = redact_secret(s, i, &out);
		if (next == i)
			next = redact_field(s, i, &out);
		if (next == i)
			next = redact_bearer(s, i, &out);
		if (next == i)
			buf_addc(&out, s[i++]);
		else
			i = next;
	}
	return buf_steal(&out);
}

static const char *level_name(enum log_level level)
{
	switch (level) {
	case LOG_DEBUG:
		return "DEBUG";
	case LOG_INFO:
		return "INFO";
	case LOG_WARN:
		return "WARN";
	case LOG_ERROR:
		return "ERROR";
	}
	return "?";
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return; /* a debug log must never take the program down */
		}
		p += w;
		n -= (size_t)w;
	}
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	if (log_fd < 0)
		return;
	struct buf msg = {0};
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	char *red = log_redact(buf_str(&msg));
	buf_free(&msg);
	/* Messages carry remote text (error bodies, commit messages): keep the
	 * file safe to `cat` or `tail -f` on a terminal. */
	char *clean = sanitize_str(red, 0);
	free(red);

	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	struct buf line = {0};
	buf_printf(&line, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		   tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000L, level_name(level));
	/* Continuation lines are indented so each entry still starts with a time. */
	for (const char *p = clean; *p; p++) {
		buf_addc(&line, *p);
		if (*p == '\n' && p[1])
			buf_adds(&line, "    ");
	}
	if (line.len && line.s[line.len - 1] != '\n')
		buf_addc(&line, '\n');
	free(clean);
	write_all(log_fd, line.s, line.len);
	buf_free(&line);
}
