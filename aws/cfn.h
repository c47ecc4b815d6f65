/* aws/cfn.h - CloudFormation Query API 2010-05-15 wire format: request
 * bodies and parsers for the stacks, events, resources, ListStacks,
 * GetTemplateSummary, CreateStack and DeleteStack calls.
 *
 * Builders write a complete form body (see aws/query.h) into body,
 * replacing what it held; request structs and their strings are borrowed,
 * NULL strings and 0 counts leave optional parameters out.  Parsers return
 * 0 with *out filled (free with the matching *_free), or -1 with *out
 * zeroed and one line appended to err ("DescribeStacks: malformed response:
 * stack 2 has no <StackId>", "DescribeStacks: ValidationError: Stack with
 * id x does not exist" for an error body sent with a success status).
 * Strings are owned, kept exactly as sent, NULL when absent ("" when
 * present but empty).  Times are text plus seconds since the epoch (0 when
 * absent or unparseable).  next_token is NULL on the last page. */
#ifndef RELCON_AWS_CFN_H
#define RELCON_AWS_CFN_H

#include <stddef.h>
#include <time.h>

#include "aws/query.h"
#include "core/buf.h"

#define CFN_API_VERSION "2010-05-15"

/* ---- Requests ---- */

/* StackName (NULL: every stack, slow), NextToken. */
void cfn_describe_stacks_body(struct buf *body, const char *stack_name, const char *next_token);
/* StackName (a stack ID for deleted stacks), NextToken. */
void cfn_describe_stack_events_body(struct buf *body, const char *stack_name, const char *next_token);
/* StackName, LogicalResourceId (NULL: every resource; at most 100). */
void cfn_describe_stack_resources_body(struct buf *body, const char *stack_name, const char *logical_id);
/* StackStatusFilter.member.N, NextToken. */
void cfn_list_stacks_body(struct buf *body, const char *const *statuses, size_t n, const char *next_token);
/* TemplateURL. */
void cfn_get_template_summary_body(struct buf *body, const char *template_url);

struct cfn_create_stack_req {
	const char *stack_name;
	const char *template_url;
	const struct query_pair *params; /* Parameters.member.N.ParameterKey/Value */
	size_t nparams;
	const char *const *capabilities; /* Capabilities.member.N */
	size_t ncapabilities;
	const struct query_pair *tags; /* Tags.member.N.Key/Value */
	size_t ntags;
	int disable_rollback;             /* nonzero: DisableRollback=true */
	long timeout_minutes;             /* 0 leaves TimeoutInMinutes out */
	const char *client_request_token; /* idempotency token */
};

/* StackName, TemplateURL, Parameters..., Capabilities..., Tags...,
 * DisableRollback, TimeoutInMinutes, ClientRequestToken in that order. */
void cfn_create_stack_body(struct buf *body, const struct cfn_create_stack_req *req);
/* StackName, RetainResources.member.N, ClientRequestToken. */
void cfn_delete_stack_body(struct buf *body, const char *stack_name, const char *const *retain, size_t nretain,
			   const char *client_request_token);

/* ---- Responses ---- */

struct cfn_parameter {
	char *key; /* never NULL */
	char *value;
	char *resolved_value; /* SSM parameter types */
};

struct cfn_output {
	char *key; /* never NULL */
	char *value;
	char *description;
	char *export_name;
};

struct cfn_stack {
	char *name;   /* never NULL */
	char *id;     /* the stack ARN, never NULL */
	char *status; /* CREATE_COMPLETE, ... never NULL */
	char *status_reason;
	char *description;
	char *creation_time, *last_updated_time, *deletion_time;
	time_t created, updated, deleted;
	struct cfn_parameter *params;
	size_t nparams;
	struct cfn_output *outputs;
	size_t noutputs;
	struct aws_tag *tags;
	size_t ntags;
	char **capabilities;
	size_t ncapabilities;
	int termination_protection; /* EnableTerminationProtection */
	int disable_rollback;
	char *parent_id; /* nested stacks: the parent's and the root's ARN */
	char *root_id;
};

struct cfn_stacks {
	struct cfn_stack *v;
	size_t n;
	char *next_token;
};

int cfn_stacks_parse(const char *body, size_t len, struct cfn_stacks *out, struct buf *err);
void cfn_stacks_free(struct cfn_stacks *l);

/* DescribeStackEvents: newest first, as sent. */
struct cfn_event {
	char *event_id; /* never NULL */
	char *stack_id;
	char *stack_name;
	char *logical_id;
	char *physical_id;
	char *resource_type;
	char *timestamp;
	time_t time;
	char *status;
	char *status_reason;
	char *client_request_token;
};

struct cfn_events {
	struct cfn_event *v;
	size_t n;
	char *next_token;
};

int cfn_events_parse(const char *body, size_t len, struct cfn_events *out, struct buf *err);
void cfn_events_free(struct cfn_events *l);

/* DescribeStackResources (not paginated). */
struct cfn_resource {
	char *logical_id;  /* never NULL */
	char *physical_id; /* NULL before creation; a child stack ARN for nested stacks */
	char *type;
	char *status;
	char *status_reason;
	char *timestamp;
	time_t time;
};

struct cfn_resources {
	struct cfn_resource *v;
	size_t n;
};

int cfn_resources_parse(const char *body, size_t len, struct cfn_resources *out, struct buf *err);
void cfn_resources_free(struct cfn_resources *l);

/* ListStacks. */
struct cfn_summary {
	char *name;   /* never NULL */
	char *id;     /* never NULL */
	char *status; /* never NULL */
	char *status_reason;
	char *creation_time, *deletion_time;
	time_t created, deleted;
	char *parent_id; /* set for nested stacks */
	char *root_id;
};

struct cfn_summaries {
	struct cfn_summary *v;
	size_t n;
	char *next_token;
};

int cfn_summaries_parse(const char *body, size_t len, struct cfn_summaries *out, struct buf *err);
void cfn_summaries_free(struct cfn_summaries *l);

/* GetTemplateSummary. */
struct cfn_template_param {
	char *key;           /* never NULL */
	char *type;          /* String, Number, AWS::EC2::KeyPair::KeyName, ... */
	char *default_value; /* NULL: no default; "": an empty default */
	char *description;
	int no_echo;
	char **allowed_values; /* ParameterConstraints/AllowedValues, NULL when none */
	size_t nallowed;
};

struct cfn_template_summary {
	struct cfn_template_param *params;
	size_t nparams;
	char **capabilities; /* what CreateStack must acknowledge */
	size_t ncapabilities;
	char *capabilities_reason;
	char *description;
};

int cfn_template_summary_parse(const char *body, size_t len, struct cfn_template_summary *out, struct buf *err);
void cfn_template_summary_free(struct cfn_template_summary *s);

/* CreateStack: *stack_id malloc'd (never NULL on success). */
int cfn_create_stack_parse(const char *body, size_t len, char **stack_id, struct buf *err);
/* DeleteStack: no fields; 0 when body is a DeleteStackResponse. */
int cfn_delete_stack_parse(const char *body, size_t len, struct buf *err);

#endif
