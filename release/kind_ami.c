/* release/kind_ami.c - the AMI artifact kind: a commit's AMIs are the
 * images tagged <aws.commit_tag>=<full SHA> in each of
 * aws.destination_regions, with their launch permissions.  All regions,
 * and then all images' permissions, are asked for at once.  For several
 * commits: one DescribeImages per region whose tag filter holds them all
 * (up to 200 values, EC2's limit, per request); without commits: every
 * image of ours carrying the tag.  Lists get no permissions: one call per
 * image would be too many. */
#include <stdlib.h>
#include <string.h>

#include "aws/client.h"
#include "aws/ec2.h"
#include "core/buf.h"
#include "core/config.h"
#include "release/artifact.h"

struct ami_fetch;

struct ami_call {
	struct ami_fetch *f;
	unsigned long id;
	char *region;
	size_t index; /* artifact whose permissions this asks for; or SIZE_MAX */
	size_t chunk; /* DescribeImages: the first of the commits its filter holds */
	char *error;  /* why it failed, said in the calls' order (regions as configured) */
};

#define FILTER_VALUES_MAX 200

struct ami_fetch {
	struct aws_client *aws;
	char **commits; /* none: every commit */
	size_t ncommits;
	char *tag;
	artifact_done_fn done;
	void *ud;
	struct artifact *v;
	size_t n;
	struct ami_call **calls;
	size_t ncalls;
	int pending;
};

static void fetch_free(struct ami_fetch *f)
{
	for (size_t i = 0; i < f->ncalls; i++) {
		free(f->calls[i]->region);
		free(f->calls[i]->error);
		free(f->calls[i]);
	}
	free(f->calls);
	artifacts_free(&f->v, f->n);
	for (size_t i = 0; i < f->ncommits; i++)
		free(f->commits[i]);
	free(f->commits);
	free(f->tag);
	free(f);
}

static void maybe_done(struct ami_fetch *f)
{
	if (f->pending)
		return;
	struct artifact *v = f->v;
	size_t n = f->n;
	f->v = NULL;
	f->n = 0;
	/* The same failures read the same whichever answered first. */
	struct buf errors = {0};
	for (size_t i = 0; i < f->ncalls; i++)
		if (f->calls[i]->error)
			buf_printf(&errors, "%s%s", errors.len ? "; " : "", f->calls[i]->error);
	f->done(f->ud, v, n, errors.len ? buf_str(&errors) : NULL);
	buf_free(&errors);
	fetch_free(f);
}

static struct ami_call *new_call(struct ami_fetch *f, const char *region, size_t index)
{
	struct ami_call *c = xcalloc(1, sizeof *c);
	c->f = f;
	c->region = xstrdup(region);
	c->index = index;
	f->calls = xrealloc(f->calls, (f->ncalls + 1) * sizeof *f->calls);
	f->calls[f->ncalls++] = c;
	f->pending++;
	return c;
}

static void on_perms(void *ud, const struct aws_resp *r)
{
	struct ami_call *c = ud;
	struct ami_fetch *f = c->f;
	c->id = 0;
	f->pending--;
	struct artifact *a = &f->v[c->index];
	if (r->error) {
		a->access_error = xstrdup(r->error);
	} else {
		struct ec2_launch_perms p;
		struct buf err = {0};
		if (ec2_launch_perms_parse(r->body, r->body_len, &p, &err) < 0) {
			a->access_error = buf_steal(&err);
		} else {
			a->access_known = 1;
			a->is_public = p.is_public;
			a->access = p.user_ids;
			a->naccess = p.nuser_ids;
			p.user_ids = NULL;
			p.nuser_ids = 0;
			ec2_launch_perms_free(&p);
		}
		buf_free(&err);
	}
	maybe_done(f);
}

static void ask_perms(struct ami_fetch *f, size_t index)
{
	struct ami_call *c = new_call(f, f->v[index].location, index);
	struct buf body = {0};
	ec2_describe_image_attribute_body(&body, f->v[index].id, "launchPermission");
	struct aws_req req = {.op = "DescribeImageAttribute",
			      .service = "ec2",
			      .region = c->region,
			      .body = buf_str(&body),
			      .body_len = body.len};
	c->id = aws_send(f->aws, &req, on_perms, c);
	buf_free(&body);
}

static void ask_images(struct ami_fetch *f, const char *region, size_t chunk, const char *token);

static void on_images(void *ud, const struct aws_resp *r)
{
	struct ami_call *c = ud;
	struct ami_fetch *f = c->f;
	c->id = 0;
	f->pending--;
	if (r->error) {
		c->error = xstrdup(r->error);
		maybe_done(f);
		return;
	}
	struct ec2_images imgs;
	struct buf err = {0};
	if (ec2_images_parse(r->body, r->body_len, &imgs, &err) < 0) {
		struct buf m = {0};
		buf_printf(&m, "DescribeImages in %s: %s", c->region, buf_str(&err));
		c->error = buf_steal(&m);
		buf_free(&err);
		maybe_done(f);
		return;
	}
	size_t first = f->n;
	f->v = xrealloc(f->v, (f->n + imgs.n) * sizeof *f->v);
	for (size_t i = 0; i < imgs.n; i++) {
		struct ec2_image *im = &imgs.v[i];
		struct artifact *a = &f->v[f->n++];
		memset(a, 0, sizeof *a);
		a->id = xstrdup(im->image_id);
		a->location = xstrdup(c->region);
		a->name = xstrdup(im->name);
		a->state = xstrdup(im->state);
		a->created = xstrdup(im->creation_date);
		a->created_t = im->created;
		a->is_public = im->is_public;
		for (size_t t = 0; t < im->ntags; t++)
			if (im->tags[t].key && !strcmp(im->tags[t].key, f->tag))
				a->commit = xstrdup(im->tags[t].value);
	}
	if (imgs.next_token)
		ask_images(f, c->region, c->chunk, imgs.next_token);
	ec2_images_free(&imgs);
	for (size_t i = first; f->ncommits == 1 && i < f->n; i++)
		ask_perms(f, i);
	buf_free(&err);
	maybe_done(f);
}

static void ask_images(struct ami_fetch *f, const char *region, size_t chunk, const char *token)
{
	struct ami_call *c = new_call(f, region, SIZE_MAX);
	c->chunk = chunk;
	struct buf name = {0};
	const char *every[] = {f->tag};
	struct ec2_filter filter = {.values = every, .nvalues = 1};
	if (f->ncommits) {
		buf_printf(&name, "tag:%s", f->tag);
		filter.values = (const char *const *)f->commits + chunk;
		filter.nvalues = f->ncommits - chunk < FILTER_VALUES_MAX ? f->ncommits - chunk : FILTER_VALUES_MAX;
	} else {
		buf_adds(&name, "tag-key");
	}
	filter.name = buf_str(&name);
	/* Tags are visible to their owner only: the filter finds our images. */
	struct ec2_images_req q = {.filters = &filter, .nfilters = 1, .next_token = token};
	struct buf body = {0};
	ec2_describe_images_body(&body, &q);
	struct aws_req req = {.op = "DescribeImages",
			      .service = "ec2",
			      .region = region,
			      .body = buf_str(&body),
			      .body_len = body.len};
	c->id = aws_send(f->aws, &req, on_images, c);
	buf_free(&body);
	buf_free(&name);
}

static void *ami_fetch(struct aws_client *aws, const struct config *cfg, const char *const *commits, size_t ncommits,
		       artifact_done_fn done, void *ud)
{
	struct ami_fetch *f = xcalloc(1, sizeof *f);
	f->aws = aws;
	f->commits = xcalloc(ncommits + 1, sizeof *f->commits);
	for (size_t i = 0; i < ncommits; i++)
		f->commits[f->ncommits++] = xstrdup(commits[i]);
	f->tag = xstrdup(cfg->aws_commit_tag);
	f->done = done;
	f->ud = ud;
	for (size_t i = 0; i < cfg->aws_regions.n; i++) {
		size_t chunk = 0;
		do
			ask_images(f, cfg->aws_regions.v[i], chunk, NULL);
		while ((chunk += FILTER_VALUES_MAX) < f->ncommits);
	}
	return f;
}

static void ami_cancel(void *handle)
{
	struct ami_fetch *f = handle;
	for (size_t i = 0; i < f->ncalls; i++)
		if (f->calls[i]->id)
			aws_cancel(f->aws, f->calls[i]->id);
	fetch_free(f);
}

const struct artifact_kind artifact_kind_ami = {
	.key = "amis",
	.title = "AMIs",
	.location_title = "REGION",
	.access_title = "launch permissions",
	.fetch = ami_fetch,
	.cancel = ami_cancel,
};
