/* aws/profile.h - the AWS shared config and credentials files, read as
 * botocore (the AWS CLI's library) reads them: which files, which profile,
 * which region, and the role chain behind role_arn + source_profile.
 * Synchronous and pure: it reads two small files and the environment, runs
 * nothing and talks to no network.
 *
 * Files: $AWS_CONFIG_FILE or ~/.aws/config, where profiles are [default]
 * and [profile NAME] ([sso-session X] is skipped, [services X] holds
 * endpoint overrides, other sections are ignored); and
 * $AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials, where every section
 * [NAME] is a profile.  Both paths get $VAR and leading ~ expansion.  A
 * missing file is an empty file.
 *
 * Syntax, as Python's configparser does it for botocore, plus the SDKs'
 * inline comments: full-line comments start with # or ; (after optional
 * indentation); a value ends before " #" or " ;" (any whitespace before
 * the mark); "key = value" or "key: value"; keys are case-insensitive
 * (lower-cased), section and profile names and values are not; whitespace
 * around keys and values is trimmed; CRLF is accepted.  A line indented
 * deeper than the key line above it continues that key: after "key =" with
 * nothing on the line the indented "k = v" lines form a sub-section
 * (sub-keys kept as written, as botocore does); after a value they are
 * appended to it with "\n".  Duplicates: a repeated section is merged and
 * a repeated key replaces the earlier value (configparser would refuse
 * both; the SDKs' own parsers do this).
 *
 * Secrets (aws_secret_access_key, aws_session_token) never appear in
 * messages: no message quotes a line of either file, only key names and
 * the values of non-secret settings. */
#ifndef RELCON_AWS_PROFILE_H
#define RELCON_AWS_PROFILE_H

#include <stddef.h>

#include "core/buf.h"

/* The two files, parsed.  Opaque; strings it hands out are borrowed until
 * aws_files_free. */
struct aws_files;

/* Read the config and credentials files.  config_path / credentials_path
 * NULL (or "") mean $AWS_CONFIG_FILE / $AWS_SHARED_CREDENTIALS_FILE, else
 * ~/.aws/config / ~/.aws/credentials.  A file that does not exist counts as
 * empty.  Returns 0, or -1 with "PATH: reason" (unreadable, a directory) or
 * "PATH:LINE: message" (malformed line) appended to err and *out NULL.  A
 * credentials file that group or others may access is refused, as ssh refuses
 * such a private key: "PATH: permissions 0644 are too open: ... chmod 600 PATH". */
int aws_files_load(struct aws_files **out, const char *config_path, const char *credentials_path, struct buf *err);
/* Free f, wiping every value read, and set *f to NULL (NULL is fine). */
void aws_files_free(struct aws_files **f);
/* The paths used, after expansion (borrowed). */
const char *aws_files_config_path(const struct aws_files *f);
const char *aws_files_credentials_path(const struct aws_files *f);
/* Nonzero when profile name is defined in either file. */
int aws_files_has_profile(const struct aws_files *f, const char *name);

/* Where the profile name came from. */
enum aws_profile_source {
	AWS_PROFILE_FROM_FLAG,        /* --profile */
	AWS_PROFILE_FROM_ENV,         /* $AWS_PROFILE */
	AWS_PROFILE_FROM_ENV_DEFAULT, /* $AWS_DEFAULT_PROFILE */
	AWS_PROFILE_FROM_DEFAULT,     /* none given: "default" */
};

/* Choose the profile: flag (the --profile value, may be NULL) >
 * $AWS_PROFILE > $AWS_DEFAULT_PROFILE > "default"; empty strings count as
 * unset.  Returns a malloc'd name and sets *source when source != NULL. */
char *aws_profile_select(const char *flag, enum aws_profile_source *source);
/* "--profile", "AWS_PROFILE", "AWS_DEFAULT_PROFILE" or "default" (static). */
const char *aws_profile_source_name(enum aws_profile_source source);

/* One merged key of a profile: the credentials file's keys win over the
 * config file's, key by key, as botocore merges them. */
struct aws_profile_entry {
	const char *key;   /* lower-case */
	const char *value; /* "" for the head of a sub-section ("s3 =" + indented lines) */
	const char *file;  /* path of the file it was read from */
	int line;
};

/* endpoint_url of one service in the profile's [services NAME] section:
 *   [services local]
 *   s3 =
 *     endpoint_url = http://127.0.0.1:4566 */
struct aws_service_endpoint {
	const char *service; /* lower-case service key: "s3", "ec2", ... */
	const char *endpoint_url;
	const char *file;
	int line;
};

/* The resolved settings of one profile.  Every string is NULL when unset
 * (an empty value counts as unset) and owned by the profile until
 * aws_profile_free; numbers are 0 when unset. */
struct aws_profile {
	const char *name;
	int found;               /* 0 only for an implicit "default" that neither file defines */
	const char *config_file; /* the paths consulted */
	const char *credentials_file;

	/* Static keys, all three from the same file: the credentials file when
	 * its section has aws_access_key_id, else the config file's profile.
	 * The token is aws_session_token or its legacy alias
	 * aws_security_token (which botocore checks first). */
	const char *aws_access_key_id;
	const char *aws_secret_access_key; /* secret */
	const char *aws_session_token;     /* secret */

	const char *region;
	const char *credential_process; /* verbatim; split with aws_split_command */
	const char *role_arn;
	const char *source_profile;
	const char *credential_source; /* Environment | Ec2InstanceMetadata | EcsContainer */
	const char *external_id;
	const char *role_session_name;
	const char *mfa_serial;
	long duration_seconds; /* > 0 when set */
	const char *web_identity_token_file;

	const char *endpoint_url;
	const char *services; /* NAME of the [services NAME] section used */
	struct aws_service_endpoint *service_endpoints;
	size_t n_service_endpoints;
	int ignore_configured_endpoint_urls; /* -1 unset, else 0 or 1 */
	const char *s3_addressing_style;     /* "auto", "virtual" or "path" (s3 = sub-section) */

	long max_attempts;      /* >= 1 when set */
	const char *retry_mode; /* "legacy", "standard" or "adaptive" */

	/* Every merged key (secrets included): the config file's in file
	 * order, then those only the credentials file has. */
	struct aws_profile_entry *entries;
	size_t n_entries;

	/* private: the strings above, wiped and freed by aws_profile_free */
	char **owned_;
	size_t n_owned_, cap_owned_;
};

/* Resolve profile name from files.  A name defined in neither file is an
 * error naming both files, unless must_exist is 0 (use it for the implicit
 * "default", which may be absent): then the profile is empty, found = 0.
 * Returns 0 and a new profile in *out (free with aws_profile_free), or -1
 * with a message appended to err and *out NULL.  Errors: unknown profile
 * (with a hint when the name is spelled for the other file), aws_access_key_id
 * without aws_secret_access_key in the same file, duration_seconds or
 * max_attempts not a positive whole number, unknown retry_mode or s3
 * addressing_style, services naming a missing section; all but the first
 * as "FILE:LINE: ...".  credential_source is checked by
 * aws_role_chain_resolve, where it is used. */
int aws_profile_get(struct aws_profile **out, const struct aws_files *files, const char *name, int must_exist,
		    struct buf *err);
/* Free p, wiping the secrets (explicit_bzero), and set *p to NULL. */
void aws_profile_free(struct aws_profile **p);
/* The merged entry for key (lower-case), or NULL; borrowed from p. */
const struct aws_profile_entry *aws_profile_entry(const struct aws_profile *p, const char *key);
/* The endpoint_url the profile's services section gives service (lower-case
 * key such as "s3"), or NULL. */
const struct aws_service_endpoint *aws_profile_service_endpoint(const struct aws_profile *p, const char *service);
/* Nonzero when p has a complete static key pair. */
int aws_profile_has_static_keys(const struct aws_profile *p);

/* Where the region came from. */
enum aws_region_source {
	AWS_REGION_NONE,             /* nothing set one */
	AWS_REGION_FROM_FLAG,        /* --region */
	AWS_REGION_FROM_ENV,         /* $AWS_REGION */
	AWS_REGION_FROM_ENV_DEFAULT, /* $AWS_DEFAULT_REGION */
	AWS_REGION_FROM_PROFILE,     /* the profile's region (aws_profile_entry(p, "region") says where) */
	AWS_REGION_FROM_FALLBACK,    /* the caller's fallback (relcon's aws.region) */
};

/* Choose the region: flag (--region, may be NULL) > $AWS_REGION >
 * $AWS_DEFAULT_REGION > p->region (p may be NULL) > fallback (may be NULL);
 * empty strings count as unset.  Returns a malloc'd region, or NULL when
 * none is set, and sets *source when source != NULL. */
char *aws_region_resolve(const char *flag, const struct aws_profile *p, const char *fallback,
			 enum aws_region_source *source);
/* "none", "--region", "AWS_REGION", "AWS_DEFAULT_REGION", "profile" or
 * "aws.region" (static). */
const char *aws_region_source_name(enum aws_region_source source);

/* How to obtain credentials for a profile with role_arn, following
 * source_profile links as botocore's AssumeRoleProvider does: a source
 * profile with static keys (or without role_arn) supplies credentials of
 * its own; one with role_arn and no static keys is itself assumed, from
 * its own source.  A profile may name itself as source_profile only when
 * it has static keys (they sign its own AssumeRole). */
struct aws_role_chain {
	/* Profile whose own credentials start the chain (static keys or
	 * credential_process), owned; NULL when credential_source is set. */
	struct aws_profile *source;
	/* Borrowed from roles[0]: where the first credentials come from when
	 * source is NULL. */
	const char *credential_source;
	/* Roles to assume in order, owned: roles[0] with the source's
	 * credentials, each next one with the previous role's; the last is
	 * the profile asked for.  n_roles == 0: that profile has no role_arn
	 * (or uses web identity) and source is the profile itself, whatever
	 * credentials it has (maybe none: the caller's chain goes on). */
	struct aws_profile **roles;
	size_t n_roles;
};

/* Resolve the chain for profile name (must_exist as for aws_profile_get).
 * Returns 0 and fills *out (free with aws_role_chain_free), or -1 with a
 * message appended to err and *out empty.  Errors, besides those of
 * aws_profile_get: role_arn with neither or both of source_profile and
 * credential_source; a source_profile that does not exist; a loop
 * ("FILE:LINE: source_profile loop: a -> b -> a"); a source profile
 * without credentials. */
int aws_role_chain_resolve(struct aws_role_chain *out, const struct aws_files *files, const char *name, int must_exist,
			   struct buf *err);
/* Free what c owns and zero it. */
void aws_role_chain_free(struct aws_role_chain *c);

/* Split a credential_process command line into arguments as botocore does
 * (Python's shlex.split: POSIX rules, no comments, no shell): whitespace
 * separates; '...' is literal; in "..." a backslash escapes only " and \;
 * elsewhere a backslash escapes any character; quoted parts join adjacent
 * text; '' is an empty argument.  No variables, globs or ~.  Returns the
 * argument count (>= 1) with *argv a new NULL-terminated array (free with
 * aws_argv_free), or -1 with a message appended to err (which never
 * quotes the line) and *argv NULL. */
int aws_split_command(const char *line, char ***argv, struct buf *err);
/* Wipe and free an argv from aws_split_command; *argv = NULL. */
void aws_argv_free(char ***argv);

#endif
