#include "release/pipeline.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/config.h"

static const char *const keys[STEP_COUNT] = {"build_amis", "alpha", "release"};
static const char *const titles[STEP_COUNT] = {"AMIs", "alpha", "release"};

const char *step_kind_key(enum step_kind k)
{
	return keys[k];
}

const char *step_kind_title(enum step_kind k)
{
	return titles[k];
}

const char *step_kind_label(enum step_kind k, const struct config *cfg)
{
	switch (k) {
	case STEP_BUILD_AMIS:
		return cfg->step_build_amis;
	case STEP_ALPHA:
		return cfg->step_alpha;
	case STEP_RELEASE:
	default:
		return cfg->step_release;
	}
}

/* Labels compare lower-cased, without :shortcodes:, with runs of space
 * collapsed to one and none at either end.  A cursor over one label yields
 * its compared characters one at a time (no copies: the builds list asks
 * this three times a row, 10,000 rows on a filter keystroke). */
struct norm {
	const char *s;
	int started, space;
};

static int norm_next(struct norm *n)
{
	while (n->s && *n->s) {
		if (*n->s == ':') {
			const char *end = n->s + 1;
			while (*end && (isalnum((unsigned char)*end) || *end == '_' || *end == '-' || *end == '+'))
				end++;
			if (*end == ':' && end > n->s + 1) {
				n->s = end + 1;
				continue;
			}
		}
		if (isspace((unsigned char)*n->s)) {
			n->space = n->started;
			n->s++;
			continue;
		}
		if (n->space) {
			n->space = 0;
			return ' ';
		}
		n->started = 1;
		return tolower((unsigned char)*n->s++);
	}
	return 0;
}

int pipeline_label_matches(const char *label, const char *want)
{
	if (!label || !want)
		return 0;
	struct norm a = {label, 0, 0}, b = {want, 0, 0};
	int x, y;
	do {
		x = norm_next(&a);
		y = norm_next(&b);
	} while (x == y && x);
	return x == y;
}

const struct bk_job *pipeline_step(const struct bk_build *b, enum step_kind k, const struct config *cfg)
{
	const char *want = step_kind_label(k, cfg);
	const struct bk_job *found = NULL;
	for (size_t i = 0; i < b->njobs; i++) {
		const struct bk_job *j = &b->jobs[i];
		if (j->type != BK_JOB_MANUAL)
			continue;
		/* The last match wins: retried or re-run steps come later. */
		if (pipeline_label_matches(j->label ? j->label : j->name, want))
			found = j;
	}
	return found;
}

enum state_class pipeline_state_class(const char *s)
{
	static const struct {
		const char *state;
		enum state_class c;
	} map[] = {
		{"passed", STATE_CLASS_PASSED},           {"finished", STATE_CLASS_PASSED},
		{"failed", STATE_CLASS_FAILED},           {"failing", STATE_CLASS_FAILED},
		{"timed_out", STATE_CLASS_FAILED},        {"broken", STATE_CLASS_FAILED},
		{"waiting_failed", STATE_CLASS_FAILED},   {"blocked_failed", STATE_CLASS_FAILED},
		{"unblocked_failed", STATE_CLASS_FAILED}, {"expired", STATE_CLASS_FAILED},
		{"running", STATE_CLASS_RUNNING},         {"canceling", STATE_CLASS_RUNNING},
		{"timing_out", STATE_CLASS_RUNNING},      {"assigned", STATE_CLASS_RUNNING},
		{"accepted", STATE_CLASS_RUNNING},        {"blocked", STATE_CLASS_BLOCKED},
		{"unblocked", STATE_CLASS_UNBLOCKED},     {"canceled", STATE_CLASS_CANCELED},
		{"skipped", STATE_CLASS_CANCELED},        {"not_run", STATE_CLASS_CANCELED},
		{"scheduled", STATE_CLASS_PENDING},       {"creating", STATE_CLASS_PENDING},
		{"waiting", STATE_CLASS_PENDING},         {"pending", STATE_CLASS_PENDING},
		{"limited", STATE_CLASS_PENDING},
	};
	if (!s)
		return STATE_CLASS_OTHER;
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (!strcmp(s, map[i].state))
			return map[i].c;
	return STATE_CLASS_OTHER;
}

int pipeline_job_active(const struct bk_job *j)
{
	const char *s = j->state;
	return s &&
	       (!strcmp(s, "running") || !strcmp(s, "scheduled") || !strcmp(s, "assigned") || !strcmp(s, "accepted"));
}

int pipeline_build_active(const struct bk_build *b)
{
	static const char *const active[] = {"running", "scheduled", "creating", "canceling", "failing"};
	for (size_t i = 0; i < sizeof active / sizeof active[0]; i++)
		if (b->state && !strcmp(b->state, active[i]))
			return 1;
	for (size_t i = 0; i < b->njobs; i++)
		if (pipeline_job_active(&b->jobs[i]))
			return 1;
	return 0;
}
