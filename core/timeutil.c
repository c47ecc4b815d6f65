#include "core/timeutil.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

int time_parse_iso(const char *s, time_t *out)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	if (!s)
		return -1;
	const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return -1;
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p))
			p++;
	}
	long offset = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1;
		if (!isdigit((unsigned char)p[1]) || !isdigit((unsigned char)p[2]))
			return -1;
		long hh = (p[1] - '0') * 10 + (p[2] - '0'), mm = 0;
		p += 3;
		if (*p == ':')
			p++;
		if (isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1])) {
			mm = (p[0] - '0') * 10 + (p[1] - '0');
			p += 2;
		}
		offset = sign * (hh * 3600 + mm * 60);
	}
	if (*p)
		return -1;
	*out = timegm(&tm) - offset;
	return 0;
}

time_t time_now(void)
{
	const char *v = getenv("RELCON_NOW");
	if (v && *v) {
		time_t t;
		if (time_parse_iso(v, &t) == 0)
			return t;
		char *end;
		long long n = strtoll(v, &end, 10);
		if (!*end)
			return (time_t)n;
	}
	return time(NULL);
}

void time_age(struct buf *out, time_t then, time_t now)
{
	if (!then) {
		buf_adds(out, "-");
		return;
	}
	long long d = (long long)(now - then);
	if (d < 0)
		d = 0;
	if (d < 5)
		buf_adds(out, "now");
	else if (d < 60)
		buf_printf(out, "%llds", d);
	else if (d < 3600)
		buf_printf(out, "%lldm", d / 60);
	else if (d < 86400)
		buf_printf(out, "%lldh", d / 3600);
	else if (d < 86400 * 14)
		buf_printf(out, "%lldd", d / 86400);
	else if (d < 86400 * 365)
		buf_printf(out, "%lldw", d / (86400 * 7));
	else
		buf_printf(out, "%lldy", d / (86400 * 365));
}

void time_ago(struct buf *out, time_t then, time_t now)
{
	size_t at = out->len;
	time_age(out, then, now);
	if (!strcmp(buf_str(out) + at, "now")) {
		out->len = at;
		buf_adds(out, "just now");
	} else if (then) {
		buf_adds(out, " ago");
	}
}

void time_iso(struct buf *out, time_t t)
{
	struct tm tm;
	char s[32];
	gmtime_r(&t, &tm);
	strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	buf_adds(out, s);
}
