/* release/buildcache.h - the console's last known builds list on disk.
 *
 * $XDG_CACHE_HOME/relcon/builds/ORG-PIPELINE-HASH.json, where HASH names
 * the endpoint and the branch filter.  The file is JSON Lines: a header
 *   {"relcon":"builds","version":2,"key":"...","saved_at":EPOCH,"count":N}
 * then one build a line in Buildkite's own format (read a line at a time:
 * 10,000 builds never sit in memory as one JSON document).  The
 * console draws it at once, marked with its age, and replaces it with
 * what the next refresh brings.  Headless commands never show it;
 * `builds --artifacts` takes its commits as a hint of what to ask. */
#ifndef RELCON_RELEASE_BUILDCACHE_H
#define RELCON_RELEASE_BUILDCACHE_H

#include <stddef.h>
#include <time.h>

#include "buildkite/model.h"
#include "core/buf.h"

struct bk_settings;

/* The cache file of these settings and branch ("" = all branches) and the
 * key stored in it (both malloc'd). */
void buildcache_names(const struct bk_settings *s, const char *branch, char **path, char **key);

/* Read the builds cached under key.  Returns 1 with *out, *n and *saved_at
 * set; 0 when there is no cache file; -1 with err appended when the file is
 * unusable (not ours, another key, malformed): the caller ignores it. */
int buildcache_load(const char *path, const char *key, struct bk_build **out, size_t *n, time_t *saved_at,
		    struct buf *err);

/* Replace the cache file.  0, or -1 with err appended. */
int buildcache_save(const char *path, const char *key, const struct bk_build *v, size_t n, time_t saved_at,
		    struct buf *err);

#endif
