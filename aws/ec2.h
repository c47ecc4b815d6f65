/* aws/ec2.h - EC2 Query API 2016-11-15 wire format: request bodies for
 * DescribeImages, DescribeImageAttribute, DescribeKeyPairs and
 * DescribeInstances, and parsers for their XML responses.
 *
 * Builders write a complete form body (see aws/query.h) into body,
 * replacing what it held; request structs and their strings are borrowed.
 * Parsers return 0 with *out filled (free with the matching *_free), or -1
 * with *out zeroed and one line appended to err, e.g.
 * "DescribeImages: malformed response: image 2 has no <imageId>" or the
 * AWS error when an error body came with a success status.  Strings are
 * owned, kept exactly as sent, NULL when the element is absent ("" when
 * present but empty).  Times are kept as text plus seconds since the epoch
 * (0 when absent or unparseable). */
#ifndef RELCON_AWS_EC2_H
#define RELCON_AWS_EC2_H

#include <stddef.h>
#include <time.h>

#include "aws/query.h"
#include "core/buf.h"

#define EC2_API_VERSION "2016-11-15"

/* Filter.N.Name=name, Filter.N.Value.M=values[M-1], e.g. {"tag:Commit",
 * shas, 3} matches images tagged with any of the three commits. */
struct ec2_filter {
	const char *name;
	const char *const *values;
	size_t nvalues;
};

struct ec2_images_req {
	const char *const *image_ids; /* ImageId.N */
	size_t nimage_ids;
	const char *const *owners; /* Owner.N: account IDs, "self", "amazon" */
	size_t nowners;
	const struct ec2_filter *filters;
	size_t nfilters;
	long max_results;       /* MaxResults; 0 leaves it out */
	const char *next_token; /* NextToken; NULL on the first page */
};

struct ec2_instances_req {
	const char *const *instance_ids; /* InstanceId.N */
	size_t ninstance_ids;
	const struct ec2_filter *filters;
	size_t nfilters;
	long max_results; /* 0 leaves it out; also left out with instance_ids,
			     which EC2 refuses to combine with it */
	const char *next_token;
};

/* Action=DescribeImages with ImageId.N, Owner.N, Filter.N..., MaxResults,
 * NextToken in that order, each only when given. */
void ec2_describe_images_body(struct buf *body, const struct ec2_images_req *req);
/* Action=DescribeImageAttribute&ImageId=..&Attribute=<attribute>
 * (attribute NULL: "launchPermission"). */
void ec2_describe_image_attribute_body(struct buf *body, const char *image_id, const char *attribute);
/* Action=DescribeKeyPairs with KeyName.N (n == 0: every key pair). */
void ec2_describe_key_pairs_body(struct buf *body, const char *const *key_names, size_t n);
/* Action=DescribeInstances with InstanceId.N, Filter.N..., MaxResults,
 * NextToken. */
void ec2_describe_instances_body(struct buf *body, const struct ec2_instances_req *req);

struct ec2_image {
	char *image_id; /* never NULL */
	char *name;
	char *state; /* imageState: available, pending, failed, ... */
	char *creation_date;
	time_t created;
	char *owner_id;
	int is_public; /* isPublic == "true" */
	char *description;
	char *architecture;
	struct aws_tag *tags;
	size_t ntags;
};

/* One DescribeImages page. */
struct ec2_images {
	struct ec2_image *v;
	size_t n;
	char *next_token; /* NULL on the last page (absent or empty) */
};

int ec2_images_parse(const char *body, size_t len, struct ec2_images *out, struct buf *err);
void ec2_images_free(struct ec2_images *l); /* frees members, zeroes *l */

/* DescribeImageAttribute launchPermission.  No entries at all means the
 * image is private to its owner. */
struct ec2_launch_perms {
	char *image_id;
	char **user_ids; /* account IDs, in order */
	size_t nuser_ids;
	int is_public;   /* an item <group>all</group> */
	char **org_arns; /* organizationArn */
	size_t norg_arns;
	char **ou_arns; /* organizationalUnitArn */
	size_t nou_arns;
};

int ec2_launch_perms_parse(const char *body, size_t len, struct ec2_launch_perms *out, struct buf *err);
void ec2_launch_perms_free(struct ec2_launch_perms *p);

struct ec2_key_pair {
	char *name; /* keyName, never NULL */
	char *id;   /* keyPairId */
	char *fingerprint;
	char *type; /* rsa, ed25519 */
	char *create_time;
	time_t created;
};

struct ec2_key_pairs {
	struct ec2_key_pair *v;
	size_t n;
};

int ec2_key_pairs_parse(const char *body, size_t len, struct ec2_key_pairs *out, struct buf *err);
void ec2_key_pairs_free(struct ec2_key_pairs *l);

struct ec2_instance {
	char *instance_id; /* never NULL */
	char *reservation_id;
	char *image_id;
	char *instance_type;
	char *key_name;
	char *state;    /* instanceState/name: running, stopped, ... */
	int state_code; /* instanceState/code & 0xFF, -1 when absent */
	char *private_ip;
	char *public_ip; /* ipAddress, NULL when none */
	char *subnet_id;
	char *vpc_id;
	char *launch_time;
	time_t launched;
	struct aws_tag *tags;
	size_t ntags;
};

/* One DescribeInstances page, every reservation's instances flattened. */
struct ec2_instances {
	struct ec2_instance *v;
	size_t n;
	char *next_token;
};

int ec2_instances_parse(const char *body, size_t len, struct ec2_instances *out, struct buf *err);
void ec2_instances_free(struct ec2_instances *l);

#endif
