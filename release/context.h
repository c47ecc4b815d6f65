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

#endif
