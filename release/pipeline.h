/* release/pipeline.h - what a Buildkite build means for the release
 * process: which jobs are relcon's three block steps, and how states group
 * for display. */
#ifndef RELCON_RELEASE_PIPELINE_H
#define RELCON_RELEASE_PIPELINE_H

#include "buildkite/model.h"

struct config;

enum step_kind { STEP_BUILD_AMIS, STEP_ALPHA, STEP_RELEASE, STEP_COUNT };

/* "build_amis", "alpha", "release": the keys of --json output. */
const char *step_kind_key(enum step_kind k);
/* Short column titles: "AMIs", "alpha", "release". */
const char *step_kind_title(enum step_kind k);
/* The configured label of the step (borrowed from cfg). */
const char *step_kind_label(enum step_kind k, const struct config *cfg);

/* The block (manual) job of kind k in b, or NULL when the build has none
 * (e.g. no release step on a branch build).  Labels match when equal after
 * removing ":emoji:" shortcodes, surrounding space and case.  Borrowed
 * from b. */
const struct bk_job *pipeline_step(const struct bk_build *b, enum step_kind k, const struct config *cfg);

/* Compare a job label with a configured label (rules above). */
int pipeline_label_matches(const char *label, const char *want);

/* Display class of a build or job state. */
enum state_class {
	STATE_CLASS_OTHER,
	STATE_CLASS_PASSED,
	STATE_CLASS_FAILED,
	STATE_CLASS_RUNNING,
	STATE_CLASS_BLOCKED,
	STATE_CLASS_UNBLOCKED,
	STATE_CLASS_CANCELED,
	STATE_CLASS_PENDING,
};
enum state_class pipeline_state_class(const char *state);

/* Is the job running or about to (scheduled, assigned, accepted)? */
int pipeline_job_active(const struct bk_job *j);
/* Nonzero when the build may still change by itself (running, scheduled,
 * creating, canceling, failing, or any job running/scheduled). */
int pipeline_build_active(const struct bk_build *b);

#endif
