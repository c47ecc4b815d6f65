/* release/store.h - what relcon knows about the pipeline, kept fresh.
 *
 * The store owns the list of recent builds (for the current branch filter)
 * and any builds fetched one by one, refreshes them on the core loop, and
 * notifies watchers by topic when something changed.  Refresh is adaptive:
 * refresh.active_seconds while any build runs, refresh.idle_seconds when
 * all are settled, and never faster than the share of the organization's
 * rate limit that refresh.max_budget_percent allows (the Buildkite budget is
 * shared by everyone in the organization).  On failure the previous data is
 * kept and marked stale along with the error. */
#ifndef RELCON_RELEASE_STORE_H
#define RELCON_RELEASE_STORE_H

#include <stddef.h>
#include <time.h>

#include "buildkite/client.h"
#include "buildkite/model.h"

struct loop;
struct config;
struct store;

enum store_topic {
	TOPIC_BUILDS = 1 << 0,   /* the build list changed */
	TOPIC_BUILD = 1 << 1,    /* a single build fetched by number changed */
	TOPIC_STATUS = 1 << 2,   /* loading/error/age/rate-limit changed */
	TOPIC_LINEAGE = 1 << 3,  /* the followed build's lineage changed */
	TOPIC_OVERVIEW = 1 << 4, /* what the listed builds shipped changed */
};

struct aws_client;
struct lineage;

typedef void (*store_watch_fn)(void *ud, unsigned topics);

struct store_status {
	int loading;            /* a refresh is in flight */
	int loaded;             /* at least one refresh succeeded */
	time_t fetched_at;      /* wall time of the last successful refresh, 0 = never */
	int cached;             /* the builds are the on-disk cache's (fetched_at: when saved) */
	const char *error;      /* last refresh's error (borrowed), NULL when it succeeded */
	long next_refresh_ms;   /* ms until the next automatic refresh, -1 = none */
	int live;               /* automatic refresh on */
	int active;             /* something is running (fast cadence) */
	unsigned long requests; /* Buildkite requests made */
};

/* Create a store over a Buildkite client (both borrowed; they outlive it). */
struct store *store_new(struct loop *l, struct bk_client *bk, const struct config *cfg);
void store_free(struct store **s);

/* The console's on-disk cache (release/buildcache.h): from now on the
 * store starts each branch from the cached builds, if any, and saves every
 * list it receives.  Headless commands never turn it on. */
void store_use_cache(struct store *s);

/* Watch for changes; a watcher is called after the data changed.  Up to 16. */
void store_watch(struct store *s, store_watch_fn fn, void *ud);
void store_unwatch(struct store *s, store_watch_fn fn, void *ud);

/* Branch filter for the list: NULL or "" = all branches.  Refreshes. */
void store_set_branch(struct store *s, const char *branch);
/* Current branch filter, "" for all (borrowed). */
const char *store_branch(const struct store *s);

/* Refresh the list now (no-op if one is in flight). */
void store_refresh(struct store *s);
/* Turn automatic refresh on or off. */
void store_set_live(struct store *s, int live);

/* The builds, newest first (borrowed until the next TOPIC_BUILDS). */
const struct bk_build *store_builds(const struct store *s, size_t *n);
/* A build by number: the single-build cache if fetched, else from the list;
 * NULL when unknown (borrowed until the next change). */
const struct bk_build *store_build(const struct store *s, long number);
/* Follow one build (the build screen): fetch it now and, while it is
 * active, at the active cadence.  number 0 stops following. */
void store_follow_build(struct store *s, long number);
/* The AWS client lineages are fetched with (borrowed), or NULL with the
 * reason (copied) when AWS is not available. */
void store_set_aws(struct store *s, struct aws_client *aws, const char *why_not);
/* The followed build's lineage (AMIs, templates, expected accounts),
 * fetched once the build's commit is known and again on refresh; NULL
 * before that or without AWS (then *why_not says why).  Borrowed until the
 * next TOPIC_LINEAGE. */
const struct lineage *store_lineage(const struct store *s, const char **why_not);
/* The build followed (0: none). */
long store_followed(const struct store *s);
/* Fetch the followed build's lineage again. */
void store_refresh_lineage(struct store *s);

/* Who AWS says we are (STS GetCallerIdentity), asked once by
 * store_fetch_identity.  account/arn NULL until known; error set when the
 * call failed (or AWS is not available).  Borrowed. */
struct store_identity {
	const char *account;
	const char *arn;
	const char *error;
	int sandbox; /* account is one of aws.sandbox_accounts */
};
void store_fetch_identity(struct store *s);
void store_identity(const struct store *s, struct store_identity *out);

/* Error of the followed build's last fetch (borrowed) or NULL. */
const char *store_build_error(const struct store *s);

/* Distinct branches seen in loaded builds, sorted (borrowed array of
 * borrowed strings, valid until the next TOPIC_BUILDS). */
const char *const *store_branches(const struct store *s, size_t *n);

void store_status(const struct store *s, struct store_status *out);

/* What the listed builds have shipped (release/overview.h), NULL before
 * the first answer or without AWS.  Fetched again, in the background, when
 * the list's commits change, on an explicit refresh and at most once a
 * minute otherwise; the last complete one stays until the next lands.
 * Borrowed until the next TOPIC_OVERVIEW. */
struct overview_fetch;
const struct overview_fetch *store_overview(const struct store *s);
/* 1 when the store has an AWS client (the overview and lineage can come). */
int store_has_aws(const struct store *s);
const struct bk_ratelimit *store_ratelimit(const struct store *s);

/* The delay the scheduler would choose now, in ms. */
long store_next_delay_ms(const struct store *s);

/* The refresh policy itself (pure; unit-tested): the active or idle cadence
 * from cfg, stretched so that `pages` requests per refresh stay within
 * refresh.max_budget_percent of the smaller of the organization and user
 * limits per minute, and to the window's reset when fewer than a tenth of
 * the requests remain.  rl may be unknown (rl->known == 0). */
long refresh_delay_ms(int active, long pages, const struct bk_ratelimit *rl, const struct config *cfg);

#endif
