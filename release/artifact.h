/* release/artifact.h - kinds of release artifacts, in one registry.
 *
 * An artifact is something a commit's release ships: today AMIs (one per
 * destination region); later plain binaries, OCI images or Helm charts.
 * Each kind is one file (release/kind_*.c) filling a struct artifact_kind
 * and one line in release/artifact.c's registry; the lineage, the screens
 * and the JSON output work on the generic struct artifact, so a new kind
 * needs nothing else. */
#ifndef RELCON_RELEASE_ARTIFACT_H
#define RELCON_RELEASE_ARTIFACT_H

#include <stddef.h>
#include <time.h>

struct aws_client;
struct config;

/* One artifact.  Strings owned; exactly as the service sent them. */
struct artifact {
	char *id;       /* "ami-0abc..." */
	char *location; /* where it lives: a region for AMIs */
	char *name;
	char *state;   /* "available", "pending", "failed", ... */
	char *created; /* as sent (ISO 8601) */
	char *commit;  /* the commit it was built from (its tag), when known */
	time_t created_t;
	/* Who may use it (AMIs: launch permissions). */
	int access_known; /* fetched; else access_error says why not */
	char *access_error;
	char **access; /* account IDs */
	size_t naccess;
	int is_public;
};

void artifact_free(struct artifact *a);
void artifacts_free(struct artifact **v, size_t n);

/* done is called once, from the loop: the artifacts (ownership passes to
 * the callee: free with artifacts_free) or an error. Partial results come
 * with error set too (e.g. one region failed): both are shown. */
typedef void (*artifact_done_fn)(void *ud, struct artifact *v, size_t n, const char *error);

struct artifact_kind {
	const char *key;            /* JSON key and palette word: "amis" */
	const char *title;          /* "AMIs" */
	const char *location_title; /* column title for location: "REGION" */
	const char *access_title;   /* "launch permissions" */
	/* Start finding the artifacts of the commits (full SHAs; one: the
	 * build screen, with access; many: the builds list, in as few requests
	 * as the service allows), or of every commit when ncommits is 0 (the
	 * images screen).  Returns a handle for cancel.  The kind reads what it
	 * needs from cfg (regions, tag); the caller makes sure
	 * aws.destination_regions is not empty. */
	void *(*fetch)(struct aws_client *aws, const struct config *cfg, const char *const *commits, size_t ncommits,
		       artifact_done_fn done, void *ud);
	/* Stop a fetch: done will not be called. */
	void (*cancel)(void *handle);
};

/* Sort by location (region), then creation (oldest first), then id: a
 * stable, readable order whatever order the answers arrived in. */
void artifacts_sort(struct artifact *v, size_t n);

/* The registered kinds, NULL-terminated (static). */
const struct artifact_kind *const *artifact_kinds(void);

/* Access drift against the expected account list: accounts expected but
 * missing, accounts present but not expected (both malloc'd arrays of
 * borrowed strings; free the arrays only).  Public is reported by the
 * artifact itself. */
void artifact_drift(const struct artifact *a, const char *const *expected, size_t nexpected, const char ***missing,
		    size_t *nmissing, const char ***extra, size_t *nextra);

#endif
