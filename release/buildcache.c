#include "release/buildcache.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "buildkite/client.h"
#include "core/config.h"
#include "core/fileio.h"
#include "core/json.h"

#define CACHE_MAX_BUILDS 100000
#define CACHE_VERSION    2

/* Slugs are [a-z0-9-]; anything else becomes '_' so the name stays one
 * file name.  Followed by '-'. */
static void add_slug(struct buf *p, const char *s)
{
	for (; s && *s; s++)
		buf_addc(p, (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' ? *s : '_');
	buf_addc(p, '-');
}

void buildcache_names(const struct bk_settings *s, const char *branch, char **path, char **key)
{
	struct buf k = {0}, p = {0};
	buf_printf(&k, "%s %s %s %s", s->endpoint ? s->endpoint : "", s->organization ? s->organization : "",
		   s->pipeline ? s->pipeline : "", branch ? branch : "");
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_Digest(k.s, k.len, md, &mdlen, EVP_sha256(), NULL);
	char *dir = config_cache_dir();
	buf_printf(&p, "%s/builds/", dir);
	add_slug(&p, s->organization);
	add_slug(&p, s->pipeline);
	for (unsigned i = 0; i < 6 && i < mdlen; i++)
		buf_printf(&p, "%02x", md[i]);
	buf_adds(&p, ".json");
	free(dir);
	*path = buf_steal(&p);
	*key = buf_steal(&k);
}

int buildcache_load(const char *path, const char *key, struct bk_build **out, size_t *n, time_t *saved_at,
		    struct buf *err)
{
	*out = NULL;
	*n = 0;
	*saved_at = 0;
	FILE *f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		buf_printf(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t len = getline(&line, &cap, f);
	struct buf e = {0};
	json_object *head = len > 0 ? json_parse_text(line, (size_t)len, &e) : NULL;
	const char *what = json_get_str(head, "relcon"), *k = json_get_str(head, "key");
	long long at = json_get_int(head, "saved_at", -1), count = json_get_int(head, "count", -1);
	int rc = -1;
	if (!head)
		buf_printf(err, "%s: not a relcon cache file%s%s", path, e.len ? ": " : "", buf_str(&e));
	else if (!what || strcmp(what, "builds") || json_get_int(head, "version", 0) != CACHE_VERSION)
		buf_printf(err, "%s: not a relcon builds cache of version %d", path, CACHE_VERSION);
	else if (!k || strcmp(k, key))
		buf_printf(err, "%s: cached for another pipeline or branch", path);
	else if (at < 0 || count < 0 || count > CACHE_MAX_BUILDS)
		buf_printf(err, "%s: no saved_at or count", path);
	else
		rc = 1;
	if (head)
		json_object_put(head);
	/* One build a line: memory holds one line's JSON at a time. */
	struct bk_build *v = rc > 0 && count ? xcalloc((size_t)count, sizeof *v) : NULL;
	size_t got = 0;
	while (rc > 0 && got < (size_t)count && (len = getline(&line, &cap, f)) > 0) {
		buf_reset(&e);
		if (bk_build_parse(line, (size_t)len, &v[got], &e) < 0) {
			buf_printf(err, "%s: line %zu: %s", path, got + 2, buf_str(&e));
			rc = -1;
			break;
		}
		got++;
	}
	if (rc > 0 && got != (size_t)count) {
		buf_printf(err, "%s: %zu of %lld builds (cut short)", path, got, count);
		rc = -1;
	}
	if (rc > 0) {
		*out = v;
		*n = got;
		*saved_at = (time_t)at;
	} else {
		bk_builds_free(&v, got);
	}
	free(line);
	fclose(f);
	buf_free(&e);
	return rc;
}

struct saving {
	const char *key;
	const struct bk_build *v;
	size_t n;
	time_t saved_at;
};

static int write_cache(void *ud, FILE *f)
{
	const struct saving *sv = ud;
	json_object *head = json_object_new_object();
	json_object_object_add(head, "relcon", json_object_new_string("builds"));
	json_object_object_add(head, "version", json_object_new_int(CACHE_VERSION));
	json_object_object_add(head, "key", json_object_new_string(sv->key));
	json_object_object_add(head, "saved_at", json_object_new_int64((int64_t)sv->saved_at));
	json_object_object_add(head, "count", json_object_new_int64((int64_t)sv->n));
	int rc = fprintf(f, "%s\n", json_object_to_json_string_ext(head, JSON_C_TO_STRING_PLAIN)) < 0 ? -1 : 0;
	json_object_put(head);
	struct buf line = {0};
	for (size_t i = 0; i < sv->n && rc == 0; i++) {
		buf_reset(&line);
		bk_build_to_json(&sv->v[i], &line);
		buf_addc(&line, '\n');
		rc = fwrite(line.s, 1, line.len, f) == line.len ? 0 : -1;
	}
	buf_free(&line);
	return rc;
}

int buildcache_save(const char *path, const char *key, const struct bk_build *v, size_t n, time_t saved_at,
		    struct buf *err)
{
	struct saving sv = {key, v, n, saved_at};
	return file_replace_with(path, write_cache, &sv, err);
}
