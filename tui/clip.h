/* tui/clip.h - what relcon asks of the terminal besides drawing: copy to
 * the clipboard (OSC 52), desktop notifications (OSC 9, OSC 777), and
 * opening a URL in the browser.
 *
 * Untrusted text.  What is copied or announced comes from services (URLs,
 * AMI ids, stack names and statuses).  A copy is refused when the text holds
 * anything the sanitizer would change (control characters and so escape
 * sequences, a line break, a tab, bidi or invisible characters, invalid
 * UTF-8) or is longer than CLIP_MAX bytes: what lands in a clipboard is
 * pasted into shells.  It travels base64-encoded (OpenSSL's
 * EVP_EncodeBlock).  A notification's message is sanitized to one line, its
 * ';' made ',' (OSC 9 and 777 split on ';'), and shortened.
 *
 * tmux ($TMUX set).  tmux reads what the program writes: it takes an OSC 52
 * for its own paste buffer (and passes it on to the outer terminal) when
 * set-clipboard is on, and hands a DCS passthrough
 *     ESC P tmux; <the sequence, every ESC doubled> ESC \
 * to the outer terminal as is when allow-passthrough is on; what an option
 * forbids it drops silently.  So inside tmux an OSC 52 is sent both ways (a
 * terminal that gets it twice sets the same clipboard twice), and OSC 9/777,
 * which tmux does not know, only wrapped.
 *
 * Whether the terminal did anything with an OSC 52 cannot be known, so the
 * copied text is always shown as well, to be selected with the mouse (see
 * tui_message_full). */
#ifndef RELCON_TUI_CLIP_H
#define RELCON_TUI_CLIP_H

#include <stddef.h>

#include "core/buf.h"

struct tui;

/* The longest text copied, in bytes: far more than a URL, an id or a
 * route; less than terminals take in one OSC 52. */
#define CLIP_MAX 100000

/* Whether text may go to the clipboard (see above).  Returns 0, or -1 with
 * one line in err ("it holds control characters", "it is 200000 bytes long
 * (at most 100000)", "nothing to copy"). */
int clip_check(const char *text, struct buf *err);

/* Append ESC ] 52 ; c ; BASE64 BEL for text to out.  Returns 0, or -1 (out
 * untouched) with err as clip_check says. */
int clip_osc52(const char *text, struct buf *out, struct buf *err);

/* Append seq (n bytes) wrapped in tmux's DCS passthrough to out. */
void clip_tmux_wrap(const char *seq, size_t n, struct buf *out);

enum clip_notify { CLIP_NOTIFY_NONE, CLIP_NOTIFY_BELL, CLIP_NOTIFY_OSC9, CLIP_NOTIFY_OSC777 };

/* The ui.notify setting ("bell", "osc9", "osc777", "none"); unknown is
 * "bell" (the config refuses other values). */
enum clip_notify clip_notify_kind(const char *setting);

/* Append the notification sequence of kind (OSC 9 or OSC 777 "relcon" as
 * the title) carrying message, cleaned as said above; nothing for the
 * others. */
void clip_notify_seq(enum clip_notify kind, const char *message, struct buf *out);

/* What to write to the terminal for seq: itself, or inside tmux (in_tmux)
 * itself and/or wrapped (both: OSC 52; else only wrapped). */
void clip_for_terminal(const char *seq, size_t n, int in_tmux, int both, struct buf *out);

/* Whether url may be opened: an http:// or https:// URL with a host and
 * nothing clip_check refuses.  Returns 0, or -1 with one line in err. */
int clip_url_check(const char *url, struct buf *err);

/* The program that opens URLs: the first entry of browser ($BROWSER, a
 * ':'-separated list as freedesktop has it) when set and non-empty, else
 * "xdg-open".  Appended to out. */
void clip_opener(const char *browser, struct buf *out);

/* Start program with url as its only argument (execvp: no shell, nothing
 * split), detached: its own session, stdin/stdout/stderr on /dev/null,
 * signals at their defaults, none of relcon's descriptors, and nobody
 * waiting for it (a double fork; only the short-lived middle child is
 * reaped).  Returns 0 once it is running, or -1 with one line in err
 * ("xdg-open: No such file or directory"). */
int clip_spawn(const char *program, const char *url, struct buf *err);

/* ---- the actions (y and o) ---------------------------------------------- */

/* Copy text (what it is: "URL", "AMI id", ...) through OSC 52 and show it:
 * "copied URL: …"; refused text is said, not sent. */
void clip_copy(struct tui *t, const char *text, const char *what);
/* Open text in the browser when it is a URL, and show it: "opening URL
 * (xdg-open): …"; else say why not (still showing the text). */
void clip_open(struct tui *t, const char *text, const char *what);
/* Send the notification of setting (ui.notify) for message, if any. */
void clip_notify(const char *setting, const char *message);

#endif
