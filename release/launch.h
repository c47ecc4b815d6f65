/* release/launch.h - launching a super-stack for a commit, as
 * ops/cfn-test/create-mysql-super-stack.sh did, with everything shown
 * before it happens.
 *
 * launch_prepare asks AWS, all at once: GetTemplateSummary of the commit's
 * internal template (launch.template under aws.internal_prefix), the
 * region's key pairs (DescribeKeyPairs), who we are (GetCallerIdentity,
 * for the owner tag), and the operator's public IP (GET launch.ip_url, for
 * AccessCIDR).  The plan then holds every template parameter with its
 * value and where the value came from, in this order of precedence: the
 * operator (--param, --key, the form), launch.params in the config, what
 * relcon worked out (the key pair, the operator's IP/32), the template's
 * default.  Also: the stack name (launch.stack_name), the capabilities the
 * template needs plus CAPABILITY_IAM, rollback (launch.disable_rollback),
 * the tags (created-by=relcon, owner, commit, relcon:expires-at and
 * cloud-nuke-after, both now + TTL) and a ClientRequestToken made once per
 * plan, so CreateStack can be sent again safely: CloudFormation answers a
 * repeated token with the stack it already made. */
#ifndef RELCON_RELEASE_LAUNCH_H
#define RELCON_RELEASE_LAUNCH_H

#include <stddef.h>
#include <time.h>

#include "core/buf.h"
#include "release/lineage.h"

struct aws_client;
struct http;
struct config;

enum launch_source { LAUNCH_UNSET, LAUNCH_TEMPLATE, LAUNCH_RELCON, LAUNCH_CONFIG, LAUNCH_OPERATOR };

/* "unset", "template default", "relcon", "config", "you". */
const char *launch_source_name(enum launch_source s);

struct launch_param {
	char *key;
	char *type;
	char *description;
	char *value; /* the effective value, NULL while unset */
	enum launch_source source;
	int no_echo;    /* shown as **** */
	char **allowed; /* AllowedValues, or NULL */
	size_t nallowed;
	char *default_value;  /* the template's */
	char *config_value;   /* launch.params */
	char *relcon_value;   /* worked out: key pair, operator IP */
	char *operator_value; /* given by the operator */
};

struct launch_plan {
	enum fetch_state state; /* LOADING until every answer is in */
	char *error;            /* FAILED: what stopped the plan (one line per problem) */
	char *commit;
	char *region;
	char *account; /* from GetCallerIdentity */
	char *owner;   /* the caller's ARN: the owner tag */
	char *template_name;
	char *template_url;
	char *stack_name;
	int stack_name_set; /* given by the operator (else follows the key pair) */
	long ttl_seconds;
	time_t expires;
	char *expires_text; /* ISO 8601 UTC */
	struct launch_param *params;
	size_t nparams;
	char **key_pairs; /* the region's key pairs, sorted */
	size_t nkey_pairs;
	char *key_param; /* the parameter of type AWS::EC2::KeyPair::KeyName (KeyPairName), or NULL */
	char *operator_ip;
	char *operator_ip_error;
	char **capabilities;
	size_t ncapabilities;
	int disable_rollback;
	char **tag_keys, **tag_values;
	size_t ntags;
	char *token;
};

struct launch_request {
	const char *commit;        /* the full SHA */
	const char *key_name;      /* NULL: $USER's key pair when there is one */
	const char *stack_name;    /* NULL: launch.stack_name */
	const char *const *params; /* "Key=Value" from the operator */
	size_t nparams;
	long ttl_seconds; /* 0: launch.ttl */
};

struct launch;
typedef void (*launch_fn)(void *ud, const struct launch_plan *p);

/* Prepare the plan; fn is called once, when it is ready or failed. */
struct launch *launch_prepare(struct aws_client *aws, struct http *http, const struct config *cfg,
			      const struct launch_request *req, launch_fn fn, void *ud);
const struct launch_plan *launch_plan(const struct launch *l);

/* Change the plan as the operator asks: a parameter's value ("" or NULL
 * clears the operator's value), the stack name (NULL: the pattern again), the
 * TTL.  Returns 0, or -1 with err. */
int launch_set_param(struct launch *l, const char *key, const char *value, struct buf *err);
int launch_set_stack_name(struct launch *l, const char *name, struct buf *err);
int launch_set_ttl(struct launch *l, const char *ttl, struct buf *err);

/* Everything that stops the launch, one line each ("KeyPairName: key pair
 * carol does not exist in us-east-2 (alice, bob)"); 0 when none. */
int launch_check(const struct launch_plan *p, int read_only, struct buf *why);
/* The same checks for one value (a form field): NULL when fine, else a
 * malloc'd message. */
char *launch_check_stack_name(const char *name);
char *launch_check_param(const struct launch_plan *p, const char *key, const char *value);

/* The plan as lines for a confirmation or a terminal: template, stack,
 * region and account, each parameter with its source, capabilities,
 * rollback, tags, token. */
void launch_describe(const struct launch_plan *p, struct buf *out);

typedef void (*launch_created_fn)(void *ud, const char *stack_id, const char *error);
/* Journal the intent (context_intent) and send CreateStack for the plan
 * (after launch_check); fn is called once, after the outcome is journaled.
 * Returns -1 with err, sending nothing, when the journal cannot be written. */
struct context;
int launch_create(struct launch *l, struct context *ctx, launch_created_fn fn, void *ud, struct buf *err);

/* The plan as JSON (secret parameter values as "(secret)"); caller puts it. */
struct json_object;
struct json_object *launch_plan_json(const struct launch_plan *p);

void launch_free(struct launch **l);

/* "8h", "90m", "2d", "3600s", "3600" → seconds; -1 when unreadable or
 * outside 10 minutes..30 days. */
long launch_parse_ttl(const char *s);

#endif
