#include "release/teardown.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include <json-c/json.h>

#include "aws/cfn.h"
#include "aws/client.h"
#include "core/audit.h"
#include "core/config.h"
#include "core/loop.h"
#include "release/context.h"

struct teardown {
	struct context *ctx;
	char journal_id[AUDIT_ID_LEN + 1];
	char *name;
	char *token;
	struct aws_client *aws;
	char *stack_id;
	int follow;
	long poll_ms;
	teardown_fn fn;
	void *ud;
	unsigned long call;
	struct stack_detail_fetch *detail;
	char *status;
	char *error;
	char **failed, **failed_ids;
	size_t nfailed;
	unsigned long timer_id;
	struct loop *loop;
};

static const char *tag_of(const struct cfn_stack *s, const char *key)
{
	for (size_t i = 0; i < s->ntags; i++)
		if (s->tags[i].key && !strcmp(s->tags[i].key, key))
			return s->tags[i].value;
	return NULL;
}

int teardown_allowed_stack(const char *name, int ours, int protection, const struct config *cfg, int read_only,
			   struct buf *why)
{
	if (read_only) {
		buf_adds(why, "relcon is read-only: teardown refused");
		return -1;
	}
	if (!ours && !cfg->stacks_allow_foreign) {
		buf_printf(why,
			   "stack %s was not created by relcon (no created-by=relcon tag): refused "
			   "(set stacks.allow_foreign_teardown: 1 to allow)",
			   name);
		return -1;
	}
	if (protection) {
		buf_printf(why,
			   "stack %s has termination protection on: turn it off in the AWS console or with "
			   "aws cloudformation update-termination-protection --no-enable-termination-protection "
			   "--stack-name %s, then try again",
			   name, name);
		return -1;
	}
	return 0;
}

int teardown_allowed(const struct stack_detail *d, const struct config *cfg, int read_only, struct buf *why)
{
	const char *by = tag_of(&d->root, "created-by");
	return teardown_allowed_stack(d->root.name, by && !strcmp(by, "relcon"), d->root.termination_protection, cfg,
				      read_only, why);
}

static void report(struct teardown *t, enum teardown_state state)
{
	struct teardown_progress p = {
		.state = state,
		.status = t->status,
		.error = t->error,
		.failed = (const char *const *)t->failed,
		.nfailed = t->nfailed,
		.failed_ids = (const char *const *)t->failed_ids,
	};
	t->fn(t->ud, &p);
}

static void look(struct teardown *t);

static void on_timer(void *ud)
{
	struct teardown *t = ud;
	t->timer_id = 0;
	look(t);
}

static void on_detail(void *ud, const struct stack_detail *d)
{
	struct teardown *t = ud;
	if (d->state == FETCH_LOADING)
		return;
	if (!d->have_root) {
		t->error = xstrdup(d->error ? d->error : "the stack could not be read");
		report(t, TEARDOWN_ERROR);
		return;
	}
	free(t->status);
	t->status = xstrdup(d->root.status);
	if (!strcmp(t->status, "DELETE_COMPLETE")) {
		report(t, TEARDOWN_DONE);
		return;
	}
	if (!strcmp(t->status, "DELETE_FAILED")) {
		/* What failed: the root's resources that ended DELETE_FAILED (a
		 * retry can retain only those), each with its reason (for nested
		 * stacks CloudFormation's reason names the inner resource). */
		for (size_t i = 0; i < d->nresources; i++) {
			const struct cfn_resource *r = &d->resources[i];
			if (*d->resource_stack[i] || !r->status || strcmp(r->status, "DELETE_FAILED"))
				continue;
			t->failed = xrealloc(t->failed, (t->nfailed + 1) * sizeof *t->failed);
			t->failed_ids = xrealloc(t->failed_ids, (t->nfailed + 1) * sizeof *t->failed_ids);
			struct buf b = {0};
			buf_printf(&b, "%s: %s", r->logical_id, r->status_reason ? r->status_reason : "DELETE_FAILED");
			t->failed[t->nfailed] = buf_steal(&b);
			t->failed_ids[t->nfailed++] = xstrdup(r->logical_id);
		}
		report(t, TEARDOWN_FAILED);
		return;
	}
	report(t, TEARDOWN_DELETING);
	t->timer_id = loop_timer(t->loop, t->poll_ms, on_timer, t);
}

static void look(struct teardown *t)
{
	stack_detail_free(&t->detail);
	t->detail = stack_detail_start(t->aws, t->stack_id, on_detail, t);
}

static void on_delete(void *ud, const struct aws_resp *r)
{
	struct teardown *t = ud;
	t->call = 0;
	struct audit_entry e = {
		.action = "teardown",
		.target = t->name,
		.result = r->error ? (r->timed_out || !r->status ? "unknown" : "failed") : "ok",
		.error = r->error,
		.reference = t->token,
	};
	context_outcome(t->ctx, t->journal_id, &e);
	if (r->error) {
		t->error = xstrdup(r->error);
		report(t, TEARDOWN_ERROR);
		return;
	}
	report(t, TEARDOWN_SENT);
	if (t->follow)
		look(t);
}

struct teardown *teardown_start(struct context *ctx, const char *stack_id, const char *name, const char *const *retain,
				size_t nretain, int follow, long poll_ms, teardown_fn fn, void *ud, struct buf *err)
{
	struct teardown *t = xcalloc(1, sizeof *t);
	t->ctx = ctx;
	t->aws = ctx->aws;
	t->loop = aws_client_loop(ctx->aws);
	t->stack_id = xstrdup(stack_id);
	t->name = xstrdup(name ? name : stack_id);
	t->follow = follow;
	t->poll_ms = poll_ms > 0 ? poll_ms : 2000;
	t->fn = fn;
	t->ud = ud;
	/* A token makes a resent DeleteStack the same request, never a second one. */
	unsigned char rnd[16];
	if (RAND_bytes(rnd, sizeof rnd) != 1)
		memset(rnd, 0, sizeof rnd);
	struct buf tok = {0};
	buf_adds(&tok, "relcon-teardown-");
	for (size_t i = 0; i < sizeof rnd; i++)
		buf_printf(&tok, "%02x", rnd[i]);
	t->token = buf_steal(&tok);
	/* The intent is on disk before the call, or there is no call. */
	json_object *inputs = json_object_new_object(), *ret = json_object_new_array();
	json_object_object_add(inputs, "stack_id", json_object_new_string(stack_id));
	for (size_t i = 0; i < nretain; i++)
		json_object_array_add(ret, json_object_new_string(retain[i]));
	json_object_object_add(inputs, "retain", ret);
	json_object_object_add(inputs, "read_only", json_object_new_boolean(ctx->read_only));
	struct audit_entry e = {.action = "teardown", .target = t->name, .inputs = inputs, .reference = t->token};
	int rc = context_intent(ctx, &e, t->journal_id, err);
	json_object_put(inputs);
	if (rc < 0) {
		teardown_free(&t);
		return NULL;
	}
	struct buf body = {0};
	cfn_delete_stack_body(&body, stack_id, retain, nretain, t->token);
	struct aws_req req = {
		.op = "DeleteStack", .service = "cloudformation", .body = buf_str(&body), .body_len = body.len};
	t->call = aws_send(t->aws, &req, on_delete, t);
	buf_free(&body);
	return t;
}

void teardown_free(struct teardown **tp)
{
	if (!tp || !*tp)
		return;
	struct teardown *t = *tp;
	if (t->call)
		aws_cancel(t->aws, t->call);
	if (t->timer_id)
		loop_timer_cancel(t->loop, t->timer_id);
	stack_detail_free(&t->detail);
	for (size_t i = 0; i < t->nfailed; i++) {
		free(t->failed[i]);
		free(t->failed_ids[i]);
	}
	free(t->failed);
	free(t->failed_ids);
	free(t->status);
	free(t->error);
	free(t->stack_id);
	free(t->name);
	free(t->token);
	free(t);
	*tp = NULL;
}
