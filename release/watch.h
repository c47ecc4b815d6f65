/* release/watch.h - following one stack while CloudFormation works on it.
 *
 * A watch reads the whole stack (release/stack_detail.h) again and again
 * while the root stack is *_IN_PROGRESS: first after min_ms, then, while
 * nothing new happens, twice as long each time up to max_ms; a new event
 * brings it back to min_ms.  Once the stack is settled it stops asking
 * (stack_watch_poke asks again, and keeps watching if something started).
 * The last complete reading stays shown while the next one loads, and the
 * stack is followed by its ARN once known, so a deleted stack stays
 * readable.  What a person watching wants to know is computed here, the
 * same for the TUI and `--wait`: progress (resources done of those known,
 * nested stacks' included) and the first *_FAILED event of the current
 * operation (its root cause: the failures after it are consequences). */
#ifndef RELCON_RELEASE_WATCH_H
#define RELCON_RELEASE_WATCH_H

#include <stddef.h>

#include "release/stack_detail.h"

struct aws_client;

/* Whether a stack status is an operation in progress (CREATE_IN_PROGRESS,
 * ROLLBACK_IN_PROGRESS, DELETE_IN_PROGRESS, UPDATE_*_IN_PROGRESS, ...). */
int stack_status_busy(const char *status);

/* Resources done in the current operation (CREATE_COMPLETE while creating,
 * DELETE_COMPLETE or gone while deleting, ...) of all known, nested stacks'
 * resources included. */
void stack_progress(const struct stack_detail *d, size_t *done, size_t *total);

/* The first (oldest) *_FAILED event since the current operation began
 * (the root stack's last CREATE_, UPDATE_, DELETE_ or IMPORT_IN_PROGRESS
 * event), or NULL.  Borrowed from d. */
const struct cfn_event *stack_first_failure(const struct stack_detail *d);

struct stack_watch_view {
	const struct stack_detail *d;    /* the last reading (may still be loading the first time) */
	int busy;                        /* the root stack is *_IN_PROGRESS */
	int ended;                       /* this reading is the one where a watched operation settled */
	size_t done, total;              /* stack_progress */
	const struct cfn_event *failure; /* stack_first_failure */
	long next_ms;                    /* when the next reading starts (0: not polling) */
	const char *stale;               /* non-NULL: the last reading failed (why); d is older */
};

struct stack_watch;
typedef void (*stack_watch_fn)(void *ud, const struct stack_watch_view *v);

/* Watch stack name_or_id: fn is called as a reading arrives and again
 * when it is complete. */
struct stack_watch *stack_watch_start(struct aws_client *aws, const char *name_or_id, long min_ms, long max_ms,
				      stack_watch_fn fn, void *ud);
/* Read again now (after a change we made, or on request). */
void stack_watch_poke(struct stack_watch *w);
/* The current view (valid until the next callback). */
void stack_watch_get(const struct stack_watch *w, struct stack_watch_view *out);
void stack_watch_free(struct stack_watch **w);

#endif
