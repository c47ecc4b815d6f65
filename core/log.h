/* core/log.h - the --debug log file, with secrets redacted.
 *
 * Logging is off until log_open() succeeds; log_msg() is then cheap to call
 * when off.  Every line written passes through log_redact(). */
#ifndef RELCON_CORE_LOG_H
#define RELCON_CORE_LOG_H

#include "core/buf.h"

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Open (create 0600, append) the log file at path, making parent
 * directories (0700).  Returns 0, or -1 with a message in err. */
int log_open(const char *path, struct buf *err);
/* Close the log file (safe when not open). Forgets registered secrets. */
void log_close(void);
/* Nonzero when a log file is open. */
int log_enabled(void);
/* Register a secret value (token, secret key, session token) that must never
 * be written; the log keeps its own copy. Values shorter than 4 bytes are
 * ignored (they would redact ordinary text). */
void log_add_secret(const char *secret);
/* Write one line "2026-11-24T06:50:00.123Z LEVEL message" (UTC). */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Return a malloc'd copy of s with every registered secret, and the value of
 * any "Authorization:", "X-Amz-Security-Token:" header or
 * "X-Amz-Security-Token=" / "Signature=" parameter, and anything shaped like
 * "Bearer <token>" replaced by "[REDACTED]". */
char *log_redact(const char *s);

#endif
