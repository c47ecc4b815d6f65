/* release/promote.h - the pipeline's three block steps as operations:
 * unblocking "Build AMIs and CloudFormation templates", promoting to alpha,
 * promoting to a named release.
 *
 * promote_prepare reads what the decision needs, all at once: the build;
 * for a promotion the commit's lineage (AMIs, launch permissions, internal
 * templates, the expected accounts); for a release also the public
 * bucket's releases and the recent builds of main (a name is used once).
 * The plan then holds the guards that refuse outright (read-only, no such
 * step on this branch, already unblocked, a bad or used release name), the
 * preflight checklist (pass / FAIL / unknown; any item not passed needs an
 * explicit override, which config may forbid), every public URL the
 * promotion will create and the accounts that will launch the AMIs.
 *
 * promote_send unblocks the step once.  A lost answer (timeout, dropped
 * connection) is never sent again: the build is read and says whether the
 * step was unblocked.  Then the jobs after the step are followed until they
 * pass or one fails, and each promised URL is checked with HEAD. */
#ifndef RELCON_RELEASE_PROMOTE_H
#define RELCON_RELEASE_PROMOTE_H

#include <stddef.h>

#include "core/buf.h"
#include "release/lineage.h"

struct bk_build;
struct published_list;
struct context;
struct config;
struct aws_client;

enum promote_kind { PROMOTE_BUILD_AMIS, PROMOTE_ALPHA, PROMOTE_RELEASE };

/* "unblock-build", "promote-alpha", "promote-release" (journal actions). */
const char *promote_kind_name(enum promote_kind k);

enum check_state { CHECK_PASS, CHECK_FAIL, CHECK_UNKNOWN };
const char *check_state_name(enum check_state s); /* "pass", "FAIL", "unknown" */

#define PROMOTE_MAX_CHECKS 6

struct promote_check {
	const char *name; /* "AMI build step passed", ... */
	enum check_state state;
	char *detail;
};

struct promote_plan {
	enum fetch_state state;
	char *error; /* FAILED: what could not be read */
	enum promote_kind kind;
	long number;
	char *commit, *branch, *message, *web_url;
	char *step_label;
	char *job_id; /* the block job, NULL when the build has no such step */
	char *job_state;
	char *unblocked_by, *unblocked_at;
	char *release_name;  /* PROMOTE_RELEASE */
	char *release_field; /* the block step's field key (steps.release_field) */
	struct promote_check checks[PROMOTE_MAX_CHECKS];
	size_t nchecks;
	int failing;     /* checks not passed */
	char **urls;     /* public template URLs the promotion creates */
	char **url_keys; /* their object keys in the public bucket */
	size_t nurls;
	char **accounts; /* who will be able to launch the AMIs */
	size_t naccounts;
	char *refused; /* guards that refuse, one per line; NULL when none */
};

/* Release names: the configured pattern (promote.release_name_pattern,
 * anchored), and never a slash, whitespace, "alpha", "." or "..".  NULL when
 * fine, else a malloc'd reason. */
char *promote_check_release_name(const char *name, const struct config *cfg);

/* Build the plan from what was read (pure; unit-tested).  l may be NULL for
 * PROMOTE_BUILD_AMIS; pub and recent only matter for PROMOTE_RELEASE (NULL:
 * unknown).  aws turns object keys into URLs. */
void promote_evaluate(struct promote_plan *p, const struct bk_build *b, const struct lineage *l,
		      const struct published_list *pub, const struct bk_build *recent, size_t nrecent,
		      const struct config *cfg, struct aws_client *aws, int read_only);
void promote_plan_free(struct promote_plan *p);

/* The plan as JSON (journal, --json); caller puts it. */
struct json_object;
struct json_object *promote_plan_json(const struct promote_plan *p);

/* The plan as text lines (build, step, checks, URLs, accounts, guards). */
void promote_describe(const struct promote_plan *p, struct buf *out);

struct promote;
typedef void (*promote_plan_fn)(void *ud, const struct promote_plan *p);

/* Read everything for kind on build number (release_name for a release)
 * and evaluate; fn is called once with the plan (state DONE or FAILED). */
struct promote *promote_prepare(struct context *ctx, enum promote_kind kind, long number, const char *release_name,
				promote_plan_fn fn, void *ud);
const struct promote_plan *promote_plan_of(const struct promote *pr);

enum promote_phase {
	PROMOTE_SENDING,   /* the unblock is on its way */
	PROMOTE_UNBLOCKED, /* Buildkite says unblocked (message says by whom) */
	PROMOTE_RUNNING,   /* the jobs after the step are running (message: which) */
	PROMOTE_VERIFYING, /* the jobs passed; HEAD of each promised URL */
	PROMOTE_DONE,      /* everything passed (and every URL exists) */
	PROMOTE_FAILED,    /* refused, a job failed, a URL is missing, or the outcome is unknown */
};

struct promote_progress {
	enum promote_phase phase;
	const char *message;                 /* one line for people */
	const char *failed_job, *failed_url; /* a job that failed and its web URL */
	const char *const *urls;             /* VERIFYING/DONE: each URL ... */
	const int *url_ok;                   /* ... 1 exists, 0 missing, -1 unknown */
	size_t nurls;
	int unknown; /* FAILED because the outcome of the unblock is not known */
};

typedef void (*promote_progress_fn)(void *ud, const struct promote_progress *pp);

/* Unblock (after the guards and the checks, or with override when checks
 * failed and config allows it; returns -1 with why otherwise), then follow
 * when follow is set (else the last call is UNBLOCKED or FAILED).  The
 * journal gets an "override" entry when checks are overridden, the intent
 * before the unblock (or -1: nothing is sent), the unblock's outcome, and
 * when followed a last outcome saying how it ended. */
int promote_send(struct promote *pr, int override, int follow, promote_progress_fn fn, void *ud, struct buf *why);

void promote_free(struct promote **pr);

#endif
