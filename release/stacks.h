/* release/stacks.h - the CloudFormation stacks of the account, as relcon
 * sees them: which are relcon's (tag created-by=relcon), whose (tag owner),
 * of which commit (tag commit) and until when (tag relcon:expires-at).
 * Root stacks only: nested stacks belong to their root. */
#ifndef RELCON_RELEASE_STACKS_H
#define RELCON_RELEASE_STACKS_H

#include <stddef.h>
#include <time.h>

#include "release/lineage.h"

struct aws_client;
struct config;

struct stack_row {
	char *name;
	char *id;
	char *status;
	char *status_reason;
	time_t created;
	int ours;       /* created-by = relcon */
	char *owner;    /* the owner tag: the AWS identity that launched it */
	char *commit;   /* the commit tag */
	time_t expires; /* relcon:expires-at, 0 when absent or unreadable */
	int termination_protection;
};

struct stack_list {
	enum fetch_state state;
	char *error;
	struct stack_row *v; /* ours first (newest first), then the others by name */
	size_t n;
};

struct stacks_fetch;
typedef void (*stacks_changed_fn)(void *ud, const struct stack_list *l);

/* List the root stacks of the account in the client's region (DescribeStacks,
 * every page); fn is called once when done (or failed). */
struct stacks_fetch *stacks_fetch_start(struct aws_client *aws, stacks_changed_fn fn, void *ud);
const struct stack_list *stacks_fetch_result(const struct stacks_fetch *f);
void stacks_fetch_free(struct stacks_fetch **f);

/* Status classes for colouring: settled fine, in progress, failed, deleted. */
enum stack_class { STACK_OK, STACK_BUSY, STACK_FAILED, STACK_GONE };
enum stack_class stack_status_class(const char *status);

#endif
