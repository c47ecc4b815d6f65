#include "release/context.h"

#include <stdlib.h>
#include <string.h>

#include "aws/client.h"
#include "core/audit.h"
#include "core/http.h"
#include "core/log.h"
#include "core/loop.h"
#include "release/cmdlog.h"
#include "release/store.h"

int context_init(struct context *ctx, struct config *cfg, int need_token, struct buf *err)
{
	int ro = ctx->read_only;
	const char *profile = ctx->aws_profile, *region = ctx->aws_region;
	memset(ctx, 0, sizeof *ctx);
	ctx->read_only = ro;
	ctx->aws_profile = profile;
	ctx->aws_region = region;
	ctx->cfg = *cfg;
	memset(cfg, 0, sizeof *cfg);
	if (bk_settings_resolve(&ctx->bk_settings, &ctx->cfg, need_token, err) < 0)
		return -1;
	ctx->loop = loop_new();
	if (!ctx->loop) {
		buf_adds(err, "cannot create the event loop (pipe failed)");
		return -1;
	}
	ctx->http = http_new(ctx->loop);
	if (!ctx->http) {
		buf_adds(err, "cannot initialise libcurl");
		return -1;
	}
	http_set_defaults(ctx->http, ctx->cfg.http_timeout * 1000, (int)ctx->cfg.http_max_attempts);
	ctx->cmdlog = cmdlog_new(0);
	http_set_observer(ctx->http, cmdlog_http_event, ctx->cmdlog);
	ctx->bk = bk_client_new(ctx->http, &ctx->bk_settings);
	struct aws_client_options ao = {
		.profile = ctx->aws_profile,
		.region = ctx->aws_region,
		.fallback_region = ctx->cfg.aws_region,
	};
	struct buf aerr = {0};
	if (aws_client_new(&ctx->aws, ctx->loop, ctx->http, &ao, &aerr) < 0)
		ctx->aws_error = buf_steal(&aerr);
	buf_free(&aerr);
	ctx->store = store_new(ctx->loop, ctx->bk, &ctx->cfg);
	store_set_aws(ctx->store, ctx->aws, ctx->aws_error);
	return 0;
}

int context_retry_wait(const struct context *ctx, struct http_wait *w)
{
	int have = http_retry_wait(ctx->http, w);
	struct http_wait a;
	if (ctx->aws && aws_retry_wait(ctx->aws, &a))
		have = http_wait_pick(w, have, a.what, a.status, a.attempt, a.max_attempts, a.at_ms);
	return have;
}

const char *context_identity(const struct context *ctx)
{
	struct store_identity id;
	store_identity(ctx->store, &id);
	return id.arn;
}

int context_intent(struct context *ctx, struct audit_entry *e, char id[AUDIT_ID_LEN + 1], struct buf *err)
{
	int rc = 0;
	if (!ctx->audit && audit_open(&ctx->audit, NULL, err) < 0)
		rc = -1;
	if (!rc && !e->identity)
		e->identity = context_identity(ctx);
	if (!rc && audit_intent(ctx->audit, e, id, err) < 0)
		rc = -1;
	if (rc < 0)
		buf_adds(err, ": the audit journal cannot be written, so nothing is changed");
	cmdlog_action_start(ctx->cmdlog, rc < 0 ? NULL : id, e->action, e->target, rc < 0 ? buf_str(err) : NULL);
	return rc;
}

void context_outcome(struct context *ctx, const char *id, struct audit_entry *e)
{
	struct buf err = {0};
	cmdlog_action_end(ctx->cmdlog, id, e->result, e->error);
	if (!e->identity)
		e->identity = context_identity(ctx);
	if (!ctx->audit || audit_outcome(ctx->audit, id, e, &err) < 0)
		log_msg(LOG_ERROR, "audit: the outcome of %s %s could not be journaled: %s", e->action,
			e->target ? e->target : "", err.len ? buf_str(&err) : "no journal");
	buf_free(&err);
}

void context_free(struct context *ctx)
{
	audit_close(&ctx->audit);
	store_free(&ctx->store);
	aws_client_free(&ctx->aws);
	free(ctx->aws_error);
	bk_client_free(&ctx->bk);
	http_free(&ctx->http);
	loop_free(&ctx->loop);
	bk_settings_free(&ctx->bk_settings);
	config_free(&ctx->cfg);
	cmdlog_free(&ctx->cmdlog);
}

void context_wait(struct context *ctx, const int *done)
{
	while (!*done && !loop_stopped(ctx->loop))
		loop_run_once(ctx->loop, -1);
}
