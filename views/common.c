#include "release/pipeline.h"
#include "views/views.h"

/* The screens that open from anywhere (k9s-style): X, P, i, A. */
static enum handled global(struct tui *t, enum action a)
{
	switch (a) {
	case ACTION_STACKS:
		stacks_open(t);
		return HANDLED;
	case ACTION_RELEASES:
		releases_open(t);
		return HANDLED;
	case ACTION_IMAGES:
		images_open(t);
		return HANDLED;
	case ACTION_AUDIT:
		audit_view_open(t);
		return HANDLED;
	default:
		return NOT_HANDLED;
	}
}

const struct tui_app views_app = {
	.open_home = builds_open,
	.open_help = help_open,
	.global = global,
};

enum role view_state_role(const char *state)
{
	switch (pipeline_state_class(state)) {
	case STATE_CLASS_PASSED:
		return ROLE_STATE_PASSED;
	case STATE_CLASS_FAILED:
		return ROLE_STATE_FAILED;
	case STATE_CLASS_RUNNING:
		return ROLE_STATE_RUNNING;
	case STATE_CLASS_BLOCKED:
		return ROLE_STATE_BLOCKED;
	case STATE_CLASS_UNBLOCKED:
		return ROLE_STATE_UNBLOCKED;
	case STATE_CLASS_CANCELED:
		return ROLE_STATE_CANCELED;
	case STATE_CLASS_PENDING:
		return ROLE_STATE_PENDING;
	default:
		return ROLE_NORMAL;
	}
}
