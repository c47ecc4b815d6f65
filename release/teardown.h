/* release/teardown.h - deleting a super-stack, safely: the guards (read-only,
 * not relcon's, termination protection), DeleteStack with an idempotency
 * token (retained resources for a retry after DELETE_FAILED), and following
 * the deletion to DELETE_COMPLETE or DELETE_FAILED with what failed. */
#ifndef RELCON_RELEASE_TEARDOWN_H
#define RELCON_RELEASE_TEARDOWN_H

#include <stddef.h>

#include "core/buf.h"
#include "release/stack_detail.h"

struct aws_client;
struct config;

/* Whether stack d may be deleted: 0, or -1 with why (read-only; no
 * created-by=relcon tag unless stacks.allow_foreign_teardown; termination
 * protection on). */
int teardown_allowed(const struct stack_detail *d, const struct config *cfg, int read_only, struct buf *why);
/* The same from what the stacks list knows: ours = created-by=relcon. */
int teardown_allowed_stack(const char *name, int ours, int protection, const struct config *cfg, int read_only,
			   struct buf *why);

enum teardown_state { TEARDOWN_SENT, TEARDOWN_DELETING, TEARDOWN_DONE, TEARDOWN_FAILED, TEARDOWN_ERROR };

struct teardown_progress {
	enum teardown_state state;
	const char *status; /* the stack's status, NULL before the first look */
	const char *error;  /* TEARDOWN_ERROR: what went wrong */
	/* TEARDOWN_FAILED: resources that could not be deleted, "Logical: reason". */
	const char *const *failed;
	size_t nfailed;
	const char *const *failed_ids; /* their logical ids, for a retry that retains them */
};

struct teardown;
typedef void (*teardown_fn)(void *ud, const struct teardown_progress *p);

/* Send DeleteStack for stack_id (the ARN, so a recreated stack of the same
 * name is never touched; name is for people and the journal) retaining
 * retain[0..nretain), and, when follow, watch it until DELETE_COMPLETE or
 * DELETE_FAILED (polling every poll_ms).  The intent is journaled first
 * (context_intent): when it cannot be, nothing is sent and NULL is returned
 * with err.  fn is called after the call and on every change; the last call
 * has state DONE, FAILED or ERROR (ERROR right after sending when !follow
 * means the call failed; SENT then is the last call when !follow). */
struct context;
struct teardown *teardown_start(struct context *ctx, const char *stack_id, const char *name, const char *const *retain,
				size_t nretain, int follow, long poll_ms, teardown_fn fn, void *ud, struct buf *err);
void teardown_free(struct teardown **t);

#endif
