/* release/releases.h - what the public bucket publishes: every alpha
 * release (alpha/<COMMIT>/) and every named release (<RELEASE>/), each
 * with its templates and their URLs, found by listing (never guessed). */
#ifndef RELCON_RELEASE_RELEASES_H
#define RELCON_RELEASE_RELEASES_H

#include <stddef.h>

#include "release/lineage.h"

struct aws_client;
struct config;

struct published {
	int alpha;    /* 1: alpha/<COMMIT>/, 0: a named release */
	char *name;   /* the commit (alpha) or the release name */
	char *prefix; /* the templates' prefix, e.g. "2026.11.2/readyset/templates/" */
	enum fetch_state state;
	char *error;
	struct lineage_template *v; /* templates, with URLs */
	size_t n;
};

struct published_list {
	enum fetch_state state;
	char *error;
	char *bucket;
	struct published *v;
	size_t n;
};

struct releases_fetch;

/* changed is called from the loop as parts arrive; the last call has
 * list->state != FETCH_LOADING and every entry's state settled. */
typedef void (*releases_changed_fn)(void *ud, const struct published_list *list);

/* List the public bucket's top-level prefixes, then alpha/'s, then each
 * release's templates (all at once).  Names with templates elsewhere than
 * the configured patterns are listed with what they hold. */
struct releases_fetch *releases_fetch_start(struct aws_client *aws, const struct config *cfg, releases_changed_fn fn,
					    void *ud);
const struct published_list *releases_fetch_result(const struct releases_fetch *f);
/* Nonzero once everything arrived (or failed). */
int releases_complete(const struct published_list *l);
void releases_fetch_free(struct releases_fetch **f);

/* Display order: named releases, highest version first ("2026.11.10"
 * before "2026.11.9"), then alpha releases by commit.  Returns a malloc'd
 * array of l->n indexes into l->v. */
size_t *releases_order(const struct published_list *l);

#endif
