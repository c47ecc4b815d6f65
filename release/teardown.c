#include "release/teardown.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "aws/cfn.h"
#include "aws/client.h"
#include "core/config.h"
#include "core/loop.h"

struct teardown {
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
	if (r->error) {
		t->error = xstrdup(r->error);
		report(t, TEARDOWN_ERROR);
		return;
	}
	report(t, TEARDOWN_SENT);
	if (t->follow)
		look(t);
}

struct teardown *teardown_start(struct aws_client *aws, const char *stack_id, const char *const *retain, size_t nretain,
				int follow, long poll_ms, teardown_fn fn, void *ud)
{
	struct teardown *t = xcalloc(1, sizeof *t);
	t->aws = aws;
	t->loop = aws_client_loop(aws);
	t->stack_id = xstrdup(stack_id);
	t->follow = follow;
	t->poll_ms = poll_ms > 0 ? poll_ms : 2000;
	t->fn = fn;
	t->ud = ud;
	/* A token makes a resent DeleteStack the same request, never a second one. */
	unsigned char rnd[16];
	char token[64];
	if (RAND_bytes(rnd, sizeof rnd) != 1)
		memset(rnd, 0, sizeof rnd);
	snprintf(token, sizeof token, "relcon-teardown-");
	for (size_t i = 0; i < sizeof rnd; i++)
		snprintf(token + strlen(token), 3, "%02x", rnd[i]);
	struct buf body = {0};
	cfn_delete_stack_body(&body, stack_id, retain, nretain, token);
	struct aws_req req = {
		.op = "DeleteStack", .service = "cloudformation", .body = buf_str(&body), .body_len = body.len};
	t->call = aws_send(aws, &req, on_delete, t);
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
	free(t);
	*tp = NULL;
}
