#include "release/lineage.h"

#include <stdlib.h>
#include <string.h>

#include "aws/client.h"
#include "aws/s3.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/loop.h"
#include "release/hcl.h"

struct list_call {
	struct lineage_fetch *f;
	enum stage stage;
	unsigned long id;
};

struct kind_call {
	struct lineage_fetch *f;
	size_t index;
	void *handle;
};

struct lineage_fetch {
	struct aws_client *aws;
	const struct config *cfg;
	struct lineage l;
	lineage_changed_fn changed;
	void *ud;
	struct list_call lists[STAGE_COUNT];
	struct kind_call kinds[LINEAGE_MAX_KINDS];
};

const char *stage_key(enum stage s)
{
	static const char *const keys[STAGE_COUNT] = {"internal", "alpha", "release"};
	return s < STAGE_COUNT ? keys[s] : "?";
}

char *lineage_prefix(const char *pattern, const char *commit, const char *release)
{
	struct buf b = {0};
	for (const char *p = pattern; *p;) {
		if (!strncmp(p, "<COMMIT>", 8)) {
			buf_adds(&b, commit);
			p += 8;
		} else if (!strncmp(p, "<RELEASE>", 9)) {
			buf_adds(&b, release ? release : "");
			p += 9;
		} else {
			buf_addc(&b, *p++);
		}
	}
	return buf_steal(&b);
}

int lineage_complete(const struct lineage *l)
{
	for (size_t i = 0; i < l->nkinds; i++)
		if (l->kinds[i].state == FETCH_LOADING)
			return 0;
	for (int s = 0; s < STAGE_COUNT; s++)
		if (l->stages[s].state == FETCH_LOADING)
			return 0;
	return l->expected_state != FETCH_LOADING;
}

int lineage_has_drift(const struct lineage *l)
{
	for (size_t k = 0; k < l->nkinds; k++) {
		for (size_t i = 0; i < l->kinds[k].n; i++) {
			const struct artifact *a = &l->kinds[k].v[i];
			if (a->is_public)
				return 1;
			if (!a->access_known || l->expected_state != FETCH_DONE)
				continue;
			const char **missing, **extra;
			size_t nm, ne;
			artifact_drift(a, (const char *const *)l->expected, l->nexpected, &missing, &nm, &extra, &ne);
			free(missing);
			free(extra);
			if (nm || ne)
				return 1;
		}
	}
	return 0;
}

void lineage_templates_append(struct lineage_template **v, size_t *n, const struct s3_list *page, const char *prefix,
			      struct aws_client *aws, const char *region, const char *bucket)
{
	*v = xrealloc(*v, (*n + page->nobjects + 1) * sizeof **v);
	size_t pl = strlen(prefix);
	for (size_t i = 0; i < page->nobjects; i++) {
		const struct s3_object *o = &page->objects[i];
		struct lineage_template *t = &(*v)[(*n)++];
		memset(t, 0, sizeof *t);
		t->key = xstrdup(o->key);
		t->name = xstrdup(strncmp(o->key, prefix, pl) ? o->key : o->key + pl);
		t->size = o->size;
		t->modified = xstrdup(o->last_modified);
		struct buf url = {0}, err = {0};
		if (aws_client_object_url(aws, &url, region, bucket, o->key, &err) == 0)
			t->url = buf_steal(&url);
		buf_free(&url);
		buf_free(&err);
	}
}

void lineage_templates_free(struct lineage_template **v, size_t n)
{
	for (size_t i = 0; *v && i < n; i++) {
		free((*v)[i].key);
		free((*v)[i].name);
		free((*v)[i].url);
		free((*v)[i].modified);
	}
	free(*v);
	*v = NULL;
}

static void stage_clear(struct lineage_stage *s)
{
	lineage_templates_free(&s->v, s->n);
	free(s->error);
	free(s->bucket);
	free(s->prefix);
	memset(s, 0, sizeof *s);
}

void lineage_free(struct lineage *l)
{
	for (size_t i = 0; i < l->nkinds; i++) {
		artifacts_free(&l->kinds[i].v, l->kinds[i].n);
		free(l->kinds[i].error);
	}
	for (int s = 0; s < STAGE_COUNT; s++)
		stage_clear(&l->stages[s]);
	for (size_t i = 0; i < l->nexpected; i++)
		free(l->expected[i]);
	free(l->expected);
	free(l->expected_error);
	free(l->expected_path);
	free(l->commit);
	free(l->release_name);
	memset(l, 0, sizeof *l);
}

static void notify(struct lineage_fetch *f)
{
	f->changed(f->ud, &f->l);
}

static void on_kind(void *ud, struct artifact *v, size_t n, const char *error)
{
	struct kind_call *kc = ud;
	struct lineage_fetch *f = kc->f;
	struct lineage_kind *k = &f->l.kinds[kc->index];
	kc->handle = NULL;
	artifacts_sort(v, n);
	k->v = v;
	k->n = n;
	k->error = error ? xstrdup(error) : NULL;
	k->state = error && !n ? FETCH_FAILED : FETCH_DONE;
	notify(f);
}

static void list_stage(struct lineage_fetch *f, enum stage s, const char *token);

static void on_list(void *ud, const struct aws_resp *r)
{
	struct list_call *lc = ud;
	struct lineage_fetch *f = lc->f;
	struct lineage_stage *st = &f->l.stages[lc->stage];
	lc->id = 0;
	if (r->error) {
		st->state = FETCH_FAILED;
		st->error = xstrdup(r->error);
		notify(f);
		return;
	}
	struct s3_list list;
	struct buf err = {0};
	if (s3_list_parse(r->body, r->body_len, &list, &err) < 0) {
		st->state = FETCH_FAILED;
		buf_printf(&err, " (ListObjectsV2 %s/%s)", st->bucket, st->prefix);
		st->error = buf_steal(&err);
		notify(f);
		return;
	}
	lineage_templates_append(&st->v, &st->n, &list, st->prefix, f->aws, f->cfg->aws_region, st->bucket);
	if (list.truncated && list.next_token) {
		list_stage(f, lc->stage, list.next_token);
	} else {
		st->state = FETCH_DONE;
	}
	s3_list_free(&list);
	buf_free(&err);
	notify(f);
}

static void list_stage(struct lineage_fetch *f, enum stage s, const char *token)
{
	struct lineage_stage *st = &f->l.stages[s];
	struct s3_list_req q = {.prefix = st->prefix, .continuation_token = token};
	struct buf query = {0};
	s3_list_query(&query, &q);
	struct aws_req req = {.op = "ListObjectsV2",
			      .service = "s3",
			      .region = f->cfg->aws_region,
			      .method = "GET",
			      .bucket = st->bucket,
			      .query = buf_str(&query)};
	f->lists[s] = (struct list_call){f, s, 0};
	f->lists[s].id = aws_send(f->aws, &req, on_list, &f->lists[s]);
	buf_free(&query);
}

static void read_expected(struct lineage_fetch *f)
{
	const char *env = getenv("RELCON_LOCALS_PATH");
	const char *path = env && *env ? env : f->cfg->aws_locals_path;
	f->l.expected_path = config_expand_home(path);
	struct hcl_accounts acc;
	struct buf err = {0};
	if (hcl_read_accounts_file(f->l.expected_path, &acc, &err) < 0) {
		f->l.expected_state = FETCH_FAILED;
		f->l.expected_error = buf_steal(&err);
		return;
	}
	size_t n;
	const char **users = hcl_expected_users(&acc, &n);
	f->l.expected = xcalloc(n + 1, sizeof *f->l.expected);
	for (size_t i = 0; i < n; i++)
		f->l.expected[i] = xstrdup(users[i]);
	f->l.nexpected = n;
	f->l.expected_state = FETCH_DONE;
	free(users);
	hcl_accounts_free(&acc);
	buf_free(&err);
}

struct lineage_fetch *lineage_fetch_start(struct aws_client *aws, const struct config *cfg, const char *commit,
					  const char *release_name, lineage_changed_fn changed, void *ud)
{
	struct lineage_fetch *f = xcalloc(1, sizeof *f);
	f->aws = aws;
	f->cfg = cfg;
	f->changed = changed;
	f->ud = ud;
	f->l.commit = xstrdup(commit);
	f->l.release_name = release_name && *release_name ? xstrdup(release_name) : NULL;
	read_expected(f);
	const char *patterns[STAGE_COUNT] = {cfg->aws_internal_prefix, cfg->aws_alpha_prefix, cfg->aws_release_prefix};
	const char *buckets[STAGE_COUNT] = {cfg->aws_internal_bucket, cfg->aws_public_bucket, cfg->aws_public_bucket};
	for (int s = 0; s < STAGE_COUNT; s++) {
		struct lineage_stage *st = &f->l.stages[s];
		st->bucket = xstrdup(buckets[s]);
		if (s == STAGE_RELEASE && !f->l.release_name) {
			st->state = FETCH_NONE;
			st->error = xstrdup("no release name: the release step has not run for this build");
			continue;
		}
		st->prefix = lineage_prefix(patterns[s], commit, f->l.release_name);
		st->state = FETCH_LOADING;
		list_stage(f, (enum stage)s, NULL);
	}
	const struct artifact_kind *const *kinds = artifact_kinds();
	for (size_t i = 0; kinds[i] && f->l.nkinds < LINEAGE_MAX_KINDS; i++) {
		struct lineage_kind *k = &f->l.kinds[f->l.nkinds];
		k->kind = kinds[i];
		if (!cfg->aws_regions.n) {
			k->state = FETCH_FAILED;
			k->error = xstrdup("aws.destination_regions is empty");
		} else {
			k->state = FETCH_LOADING;
			f->kinds[f->l.nkinds] = (struct kind_call){f, f->l.nkinds, NULL};
			f->kinds[f->l.nkinds].handle =
				kinds[i]->fetch(aws, cfg, &commit, 1, on_kind, &f->kinds[f->l.nkinds]);
		}
		f->l.nkinds++;
	}
	return f;
}

const struct lineage *lineage_fetch_result(const struct lineage_fetch *f)
{
	return &f->l;
}

void lineage_fetch_free(struct lineage_fetch **fp)
{
	if (!fp || !*fp)
		return;
	struct lineage_fetch *f = *fp;
	for (int s = 0; s < STAGE_COUNT; s++)
		if (f->lists[s].id)
			aws_cancel(f->aws, f->lists[s].id);
	for (size_t i = 0; i < f->l.nkinds; i++)
		if (f->kinds[i].handle)
			f->l.kinds[i].kind->cancel(f->kinds[i].handle);
	lineage_free(&f->l);
	free(f);
	*fp = NULL;
}
