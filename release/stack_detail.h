/* release/stack_detail.h - one stack in full: its status, parameters,
 * outputs (nested stacks' too: the bastion's EIP1, DatabaseHostname,
 * ReadySetAdapterNLBDNSName), resources, events (newest first, nested
 * stacks' included) and the hosts to SSH to (the bastion's public IP, the
 * ReadySetMonitorInstance's private IP), gathered from DescribeStacks,
 * DescribeStackResources, DescribeStackEvents and DescribeInstances, all
 * asked at once per level. */
#ifndef RELCON_RELEASE_STACK_DETAIL_H
#define RELCON_RELEASE_STACK_DETAIL_H

#include <stddef.h>
#include <time.h>

#include "aws/cfn.h"
#include "release/lineage.h"

struct aws_client;

/* A value of a stack or one of its nested stacks. */
struct detail_output {
	char *stack; /* logical id of the nested stack, or "" for the root */
	char *key;
	char *value;
	char *description;
};

struct detail_host {
	char *logical_id; /* "bastion" for the bastion, else the instance's logical id */
	char *instance_id;
	char *public_ip;
	char *private_ip;
	char *state;
};

struct stack_detail {
	enum fetch_state state;
	char *error;           /* the first failure; partial data may still be there */
	struct cfn_stack root; /* the root stack as DescribeStacks tells it */
	int have_root;
	struct detail_output *outputs;
	size_t noutputs;
	struct cfn_resource *resources; /* the root's and nested stacks' */
	char **resource_stack;          /* per resource: its nested stack's logical id, "" for the root */
	size_t nresources;
	struct cfn_event *events; /* newest first */
	size_t nevents;
	struct detail_host *hosts;
	size_t nhosts;
};

struct stack_detail_fetch;
typedef void (*stack_detail_fn)(void *ud, const struct stack_detail *d);

/* Fetch stack name (or ARN); fn is called as parts arrive, the last time
 * with d->state != FETCH_LOADING. */
struct stack_detail_fetch *stack_detail_start(struct aws_client *aws, const char *name, stack_detail_fn fn, void *ud);
const struct stack_detail *stack_detail_result(const struct stack_detail_fetch *f);
void stack_detail_free(struct stack_detail_fetch **f);

/* The host to SSH to: "bastion" (the instance at the EIP1 output, else the
 * first with a public address) or an instance's logical id; NULL = the
 * monitor instance, ReadySetMonitorInstance, when present, else the
 * bastion.  Borrowed; NULL when unknown. */
const struct detail_host *stack_detail_host(const struct stack_detail *d, const char *which);
struct ssh_target;
/* Where to SSH for host (NULL = ReadySetMonitorInstance, "bastion" = the
 * bastion itself, else an instance's logical id): the bastion address is
 * the EIP1 output (else the bastion instance's public IP), the target the
 * host's private IP.  Fills out with pointers borrowed from d.  Returns 0,
 * or -1 with err saying what is missing. */
int stack_ssh_target(const struct stack_detail *d, const char *host, struct ssh_target *out, struct buf *err);

/* The value of output key (root or nested), or NULL. Borrowed. */
const char *stack_detail_output(const struct stack_detail *d, const char *key);

#endif
