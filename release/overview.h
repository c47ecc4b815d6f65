/* release/overview.h - what each build of a list has shipped, in one batch:
 * its AMIs (regions holding an available image), its internal templates,
 * its public alpha templates, its named release and the super-stacks
 * launched from it.
 *
 * The requests do not depend on the number of builds: per destination
 * region one DescribeImages whose tag filter holds every commit (EC2 takes
 * 200 values a filter), one ListObjectsV2 with delimiter "/" for each of
 * the internal bucket's commit prefixes, the public bucket's alpha/ and its
 * release names, and DescribeStacks.  All run at once; the listings and the
 * stacks need no commits, so they start before the builds list arrives, and
 * so do the AMIs of the commits the last list held (the hint): a refresh
 * waits on no request it does not need. */
#ifndef RELCON_RELEASE_OVERVIEW_H
#define RELCON_RELEASE_OVERVIEW_H

#include <stddef.h>

#include "buildkite/model.h"
#include "release/lineage.h"

struct aws_client;
struct config;

enum overview_part { OV_AMIS, OV_TEMPLATES, OV_ALPHA, OV_RELEASES, OV_STACKS, OV_PARTS };

/* "amis", "templates", "alpha", "releases", "stacks" */
const char *overview_part_name(enum overview_part p);

struct overview_row {
	char *commit;
	char *release;  /* the build's release-name meta-data, or NULL */
	int amis;       /* destination regions holding an available image */
	int amis_other; /* images not (yet) available: pending, failed */
	int templates;  /* internal templates uploaded */
	int alpha;      /* public alpha templates */
	int released;   /* the release's prefix is in the public bucket */
	int stacks;     /* stacks tagged with this commit, not deleted */
};

struct overview {
	enum fetch_state state; /* DONE once every part settled */
	enum fetch_state part[OV_PARTS];
	char *error[OV_PARTS];
	int nregions;
	struct overview_row *v; /* one per build given, same order */
	size_t n;
};

struct overview_fetch;
typedef void (*overview_changed_fn)(void *ud, const struct overview *o);

/* Start the parts that need no commits.  changed is called from the loop
 * as parts settle. */
struct overview_fetch *overview_fetch_start(struct aws_client *aws, const struct config *cfg,
					    overview_changed_fn changed, void *ud);
/* Commits the builds are likely to have (the list shown, or cached): their
 * AMIs are asked for at once, before the list arrives.  Optional; before
 * overview_fetch_builds. */
void overview_fetch_hint(struct overview_fetch *f, const char *const *commits, size_t n);
/* The builds the rows are for (borrowed for the call): the AMIs of commits
 * the hint did not hold are asked for now.  Once per fetch. */
void overview_fetch_builds(struct overview_fetch *f, const struct bk_build *builds, size_t n);
const struct overview *overview_fetch_result(const struct overview_fetch *f);
/* The row of a commit (binary search), or NULL. */
const struct overview_row *overview_find(const struct overview_fetch *f, const char *commit);
/* Cancels what is in flight. */
void overview_fetch_free(struct overview_fetch **f);

/* The part of a key pattern before its placeholder ("alpha/" of
 * "alpha/<COMMIT>/readyset/templates/"): malloc'd, or NULL when the
 * placeholder is missing or not at the start of a path segment (then the
 * names cannot be listed with one delimiter listing). */
char *overview_prefix_head(const char *pattern, const char *placeholder);

#endif
