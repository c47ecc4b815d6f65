/* release/context.h - everything one run of relcon works with: config,
 * loop, HTTP, the Buildkite client and the store.  Shared by the TUI and
 * the headless commands so both drive exactly the same code. */
#ifndef RELCON_RELEASE_CONTEXT_H
#define RELCON_RELEASE_CONTEXT_H

#include "buildkite/client.h"
#include "core/buf.h"
#include "core/config.h"

struct loop;
struct http;
struct store;
struct aws_client;
struct cmdlog;

struct context {
	struct config cfg;
	struct loop *loop;
	struct http *http;
	struct bk_settings bk_settings;
	struct bk_client *bk;
	struct store *store;
	struct aws_client *aws; /* NULL when AWS could not be set up: aws_error says why */
	char *aws_error;
	int read_only;
	struct audit *audit;   /* the journal, opened by the first mutating action */
	struct cmdlog *cmdlog; /* every request and action (release/cmdlog.h) */
	/* --profile and --region, borrowed from argv. */
	const char *aws_profile;
	const char *aws_region;
};

/* Set up the run: cfg must already be loaded (ownership moves into ctx).
 * Resolves Buildkite settings (a missing token is an error when need_token),
 * creates the loop, HTTP client and store, and the AWS client (a broken
 * AWS setup is not fatal here: ctx->aws stays NULL and ctx->aws_error says
 * why, for the screens and commands that need AWS to report).  Set
 * read_only, aws_profile and aws_region before calling.  Returns 0 or -1
 * with err. */
int context_init(struct context *ctx, struct config *cfg, int need_token, struct buf *err);
void context_free(struct context *ctx);

/* Run the loop until *done becomes nonzero.  For headless commands. */
void context_wait(struct context *ctx, const int *done);

/* The request of this run waiting to be sent again soonest, Buildkite's or
 * AWS's (core/http.h struct http_wait): 1 and *w, or 0 when none waits. */
struct http_wait;
int context_retry_wait(const struct context *ctx, struct http_wait *w);

/* Who AWS says we are (the store's GetCallerIdentity), or NULL. */
const char *context_identity(const struct context *ctx);

/* Journal a mutating action's intent before its call (core/audit.h; the
 * identity is filled in when e->identity is NULL).  0 with the id, or -1 with
 * err: the action must then not happen.  Both also go to the command log. */
struct audit_entry;
int context_intent(struct context *ctx, struct audit_entry *e, char id[17], struct buf *err);
/* Journal its outcome; a failure to write is logged (the call was made). */
void context_outcome(struct context *ctx, const char *id, struct audit_entry *e);

#endif
