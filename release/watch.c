/* release/watch.c - see watch.h. */
#include "release/watch.h"

#include <stdlib.h>
#include <string.h>

#include "aws/client.h"
#include "core/buf.h"
#include "core/loop.h"

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

int stack_status_busy(const char *status)
{
	return status && ends_with(status, "_IN_PROGRESS");
}

/* The verb of the operation a status belongs to: what a resource's status
 * must say to count as done. */
static const char *done_status(const char *root_status)
{
	if (!root_status)
		return "CREATE_COMPLETE";
	if (!strncmp(root_status, "DELETE_", 7) || strstr(root_status, "ROLLBACK"))
		return "DELETE_COMPLETE";
	if (!strncmp(root_status, "UPDATE_", 7))
		return "UPDATE_COMPLETE";
	if (!strncmp(root_status, "IMPORT_", 7))
		return "IMPORT_COMPLETE";
	return "CREATE_COMPLETE";
}

void stack_progress(const struct stack_detail *d, size_t *done, size_t *total)
{
	*done = *total = 0;
	if (!d || !d->have_root)
		return;
	const char *want = done_status(d->root.status);
	int updating = !strcmp(want, "UPDATE_COMPLETE");
	for (size_t i = 0; i < d->nresources; i++) {
		const char *s = d->resources[i].status ? d->resources[i].status : "";
		(*total)++;
		/* An update leaves untouched resources CREATE_COMPLETE: done too. */
		if (!strcmp(s, want) || (updating && !strcmp(s, "CREATE_COMPLETE")))
			(*done)++;
	}
}

static int is_root_event(const struct stack_detail *d, const struct cfn_event *e)
{
	if (e->physical_id && !strcmp(e->physical_id, d->root.id))
		return 1;
	return e->stack_id && !strcmp(e->stack_id, d->root.id) && e->logical_id &&
	       !strcmp(e->logical_id, d->root.name) && e->resource_type &&
	       !strcmp(e->resource_type, "AWS::CloudFormation::Stack");
}

static int begins_operation(const char *status)
{
	static const char *const starts[] = {"CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS", "DELETE_IN_PROGRESS",
					     "IMPORT_IN_PROGRESS"};
	for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++)
		if (status && !strcmp(status, starts[i]))
			return 1;
	return 0;
}

const struct cfn_event *stack_first_failure(const struct stack_detail *d)
{
	if (!d || !d->have_root)
		return NULL;
	/* Events are newest first: walk back to the start of the operation,
	 * remembering the oldest failure seen on the way. */
	const struct cfn_event *first = NULL;
	for (size_t i = 0; i < d->nevents; i++) {
		const struct cfn_event *e = &d->events[i];
		if (is_root_event(d, e) && begins_operation(e->status))
			break;
		if (e->status && ends_with(e->status, "_FAILED"))
			first = e;
	}
	return first;
}

struct stack_watch {
	struct aws_client *aws;
	struct loop *loop;
	char *target; /* name, then the ARN once known */
	long min_ms, max_ms, interval;
	stack_watch_fn fn;
	void *ud;
	struct stack_detail_fetch *cur;  /* the reading shown */
	struct stack_detail_fetch *next; /* the reading loading */
	unsigned long timer;
	int was_busy;   /* an operation was seen in progress */
	int ended;      /* set for the callback after it settled */
	long next_ms;   /* the pending timer's delay */
	char *last_top; /* newest event id of the last reading */
	char *stale;    /* why the last reading failed (the one before is shown) */
};

static void read_now(struct stack_watch *w);

static void on_timer(void *ud)
{
	struct stack_watch *w = ud;
	w->timer = 0;
	w->next_ms = 0;
	read_now(w);
}

static void notify(struct stack_watch *w)
{
	struct stack_watch_view v;
	stack_watch_get(w, &v);
	w->fn(w->ud, &v);
}

/* A reading is complete: decide when to look again. */
static void settle(struct stack_watch *w)
{
	const struct stack_detail *d = stack_detail_result(w->cur);
	if (d->have_root && strcmp(w->target, d->root.id)) {
		free(w->target);
		w->target = xstrdup(d->root.id);
	}
	const char *top = d->nevents ? d->events[0].event_id : NULL;
	int changed = !top != !w->last_top || (top && strcmp(top, w->last_top));
	free(w->last_top);
	w->last_top = top ? xstrdup(top) : NULL;
	int busy = d->have_root && stack_status_busy(d->root.status);
	w->ended = 0;
	if (busy) {
		w->was_busy = 1;
		w->interval = changed || !w->interval ? w->min_ms : w->interval * 2;
		if (w->interval > w->max_ms)
			w->interval = w->max_ms;
		w->next_ms = w->interval;
		w->timer = loop_timer(w->loop, w->interval, on_timer, w);
	} else {
		w->ended = w->was_busy && d->have_root;
		w->was_busy = 0;
		w->interval = 0;
	}
	notify(w);
	w->ended = 0;
}

static void on_detail(void *ud, const struct stack_detail *d)
{
	struct stack_watch *w = ud;
	int is_next = w->next && stack_detail_result(w->next) == d;
	if (d->state == FETCH_LOADING) {
		if (!is_next)
			notify(w); /* the first reading, shown as it arrives */
		return;
	}
	if (!is_next && !d->have_root && d->error && !strstr(d->error, "does not exist")) {
		/* The first reading failed (a lost answer, throttling): nothing
		 * to show yet; say why and look again soon. */
		free(w->stale);
		w->stale = xstrdup(d->error);
		w->next_ms = w->min_ms;
		w->timer = loop_timer(w->loop, w->min_ms, on_timer, w);
		notify(w);
		return;
	}
	if (is_next) {
		if (!d->have_root) {
			/* Keep showing the last good reading, marked stale with
			 * the reason; look again later (read_now frees this one). */
			free(w->stale);
			w->stale = xstrdup(d->error ? d->error : "the stack could not be read");
			w->next_ms = w->max_ms;
			w->timer = loop_timer(w->loop, w->max_ms, on_timer, w);
			notify(w);
			return;
		}
		stack_detail_free(&w->cur);
		w->cur = w->next;
		w->next = NULL;
	}
	free(w->stale);
	w->stale = NULL;
	settle(w);
}

static void read_now(struct stack_watch *w)
{
	if (w->timer) {
		loop_timer_cancel(w->loop, w->timer);
		w->timer = 0;
		w->next_ms = 0;
	}
	if (!w->cur) {
		w->cur = stack_detail_start(w->aws, w->target, on_detail, w);
		return;
	}
	stack_detail_free(&w->next);
	w->next = stack_detail_start(w->aws, w->target, on_detail, w);
}

struct stack_watch *stack_watch_start(struct aws_client *aws, const char *name_or_id, long min_ms, long max_ms,
				      stack_watch_fn fn, void *ud)
{
	struct stack_watch *w = xcalloc(1, sizeof *w);
	w->aws = aws;
	w->loop = aws_client_loop(aws);
	w->target = xstrdup(name_or_id);
	w->min_ms = min_ms > 0 ? min_ms : 2000;
	w->max_ms = max_ms >= w->min_ms ? max_ms : w->min_ms;
	w->fn = fn;
	w->ud = ud;
	read_now(w);
	return w;
}

void stack_watch_poke(struct stack_watch *w)
{
	w->interval = 0;
	read_now(w);
}

void stack_watch_get(const struct stack_watch *w, struct stack_watch_view *out)
{
	memset(out, 0, sizeof *out);
	out->d = w->cur ? stack_detail_result(w->cur) : NULL;
	if (!out->d)
		return;
	out->busy = out->d->have_root && stack_status_busy(out->d->root.status);
	out->ended = w->ended;
	stack_progress(out->d, &out->done, &out->total);
	out->failure = stack_first_failure(out->d);
	out->next_ms = w->timer ? w->next_ms : 0;
	out->stale = w->stale;
}

void stack_watch_free(struct stack_watch **wp)
{
	if (!wp || !*wp)
		return;
	struct stack_watch *w = *wp;
	if (w->timer)
		loop_timer_cancel(w->loop, w->timer);
	stack_detail_free(&w->next);
	stack_detail_free(&w->cur);
	free(w->target);
	free(w->last_top);
	free(w->stale);
	free(w);
	*wp = NULL;
}
