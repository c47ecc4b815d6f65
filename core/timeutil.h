/* core/timeutil.h - wall-clock "now" (pinnable for tests) and age text. */
#ifndef RELCON_CORE_TIMEUTIL_H
#define RELCON_CORE_TIMEUTIL_H

#include <time.h>

#include "core/buf.h"

/* Seconds since the epoch: $RELCON_NOW (ISO 8601 "2026-11-24T12:00:00Z" or
 * epoch seconds) when set, so tests pin the clock; else time(NULL). */
time_t time_now(void);

/* Append a compact age: "now", "45s", "12m", "3h", "5d", "8w", "2y".
 * then == 0 (unknown) appends "-". */
void time_age(struct buf *out, time_t then, time_t now);
/* The same as a phrase: "just now", "12m ago", "-" when unknown. */
void time_ago(struct buf *out, time_t then, time_t now);

/* Append UTC ISO 8601 "2026-11-24T06:50:00Z". */
void time_iso(struct buf *out, time_t t);

/* Parse ISO 8601 UTC/offset time, with optional fraction; 0 on success. */
int time_parse_iso(const char *s, time_t *out);

#endif
