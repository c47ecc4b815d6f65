/* release/lineage.h - what became of a commit: its artifacts (AMIs per
 * region, with launch permissions), its templates at each stage
 * (internal, alpha, release) found by listing their prefixes (never
 * guessed), and the accounts that are expected to launch the AMIs (read
 * from ops/image-deploy/locals.pkr.hcl, as Packer's ami_users).
 *
 * A fetch asks for everything at once on the core loop and reports each
 * part as it arrives, so screens fill in progressively. */
#ifndef RELCON_RELEASE_LINEAGE_H
#define RELCON_RELEASE_LINEAGE_H

#include <stddef.h>

#include "release/artifact.h"

struct aws_client;
struct config;

enum fetch_state { FETCH_NONE, FETCH_LOADING, FETCH_DONE, FETCH_FAILED };
enum stage { STAGE_INTERNAL, STAGE_ALPHA, STAGE_RELEASE, STAGE_COUNT };

/* "internal", "alpha", "release" (JSON keys and titles). */
const char *stage_key(enum stage s);

struct lineage_template {
	char *key;  /* object key */
	char *name; /* file name: the part after the prefix */
	char *url;  /* where it is reached */
	long long size;
	char *modified;
};

struct lineage_stage {
	enum fetch_state state; /* FETCH_NONE: not applicable (why in error) */
	char *error;
	char *bucket;
	char *prefix; /* "<commit>/readyset/templates/" */
	struct lineage_template *v;
	size_t n;
};

struct lineage_kind {
	const struct artifact_kind *kind;
	enum fetch_state state;
	char *error; /* may be set with partial results */
	struct artifact *v;
	size_t n;
};

#define LINEAGE_MAX_KINDS 8

struct lineage {
	char *commit;
	char *release_name; /* NULL when the build has none */
	struct lineage_kind kinds[LINEAGE_MAX_KINDS];
	size_t nkinds;
	struct lineage_stage stages[STAGE_COUNT];
	/* Expected launch permissions (internal + customer accounts). */
	enum fetch_state expected_state;
	char *expected_path;
	char *expected_error;
	char **expected;
	size_t nexpected;
};

/* Nonzero when every part is DONE, FAILED or NONE. */
int lineage_complete(const struct lineage *l);
/* Nonzero when some artifact's access differs from the expected accounts
 * (missing, extra, or public). */
int lineage_has_drift(const struct lineage *l);
void lineage_free(struct lineage *l);

struct lineage_fetch;

/* changed(ud, l) is called from the loop each time a part arrives; l is
 * owned by the fetch and valid until the next call or lineage_fetch_free;
 * the last call has lineage_complete(l) true. */
typedef void (*lineage_changed_fn)(void *ud, const struct lineage *l);

/* Start fetching the lineage of commit (full SHA); release_name may be
 * NULL.  Expected accounts come from $RELCON_LOCALS_PATH or
 * aws.locals_path (relative to the current directory). */
struct lineage_fetch *lineage_fetch_start(struct aws_client *aws, const struct config *cfg, const char *commit,
					  const char *release_name, lineage_changed_fn changed, void *ud);
/* The lineage so far (borrowed). */
const struct lineage *lineage_fetch_result(const struct lineage_fetch *f);
/* Cancel what is pending and free. */
void lineage_fetch_free(struct lineage_fetch **f);

struct s3_list;
/* Append the objects of a listing page as templates (name = key without
 * prefix, URL as reached with aws in region); *v grows. */
void lineage_templates_append(struct lineage_template **v, size_t *n, const struct s3_list *page, const char *prefix,
			      struct aws_client *aws, const char *region, const char *bucket);
/* Free n templates and the array. */
void lineage_templates_free(struct lineage_template **v, size_t n);

/* "<COMMIT>/readyset/templates/" with <COMMIT> and <RELEASE> replaced;
 * malloc'd. */
char *lineage_prefix(const char *pattern, const char *commit, const char *release);

#endif
