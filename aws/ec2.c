#include "aws/ec2.h"

#include <stdlib.h>
#include <string.h>

/* ---- Requests ---- */

static void add_filters(struct buf *body, const struct ec2_filter *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		query_addf(body, f[i].name, "Filter.%zu.Name", i + 1);
		for (size_t j = 0; j < f[i].nvalues; j++)
			query_addf(body, f[i].values[j], "Filter.%zu.Value.%zu", i + 1, j + 1);
	}
}

static void add_page(struct buf *body, long max_results, const char *next_token)
{
	if (max_results > 0)
		query_add_long(body, "MaxResults", max_results);
	query_add(body, "NextToken", next_token);
}

void ec2_describe_images_body(struct buf *body, const struct ec2_images_req *req)
{
	query_begin(body, "DescribeImages", EC2_API_VERSION);
	query_add_list(body, "ImageId", req->image_ids, req->nimage_ids);
	query_add_list(body, "Owner", req->owners, req->nowners);
	add_filters(body, req->filters, req->nfilters);
	add_page(body, req->max_results, req->next_token);
}

void ec2_describe_image_attribute_body(struct buf *body, const char *image_id, const char *attribute)
{
	query_begin(body, "DescribeImageAttribute", EC2_API_VERSION);
	query_add(body, "ImageId", image_id);
	query_add(body, "Attribute", attribute ? attribute : "launchPermission");
}

void ec2_describe_key_pairs_body(struct buf *body, const char *const *key_names, size_t n)
{
	query_begin(body, "DescribeKeyPairs", EC2_API_VERSION);
	query_add_list(body, "KeyName", key_names, n);
}

void ec2_describe_instances_body(struct buf *body, const struct ec2_instances_req *req)
{
	query_begin(body, "DescribeInstances", EC2_API_VERSION);
	query_add_list(body, "InstanceId", req->instance_ids, req->ninstance_ids);
	add_filters(body, req->filters, req->nfilters);
	add_page(body, req->ninstance_ids ? 0 : req->max_results, req->next_token);
}

/* ---- Images ---- */

static void image_free(struct ec2_image *im)
{
	free(im->image_id);
	free(im->name);
	free(im->state);
	free(im->creation_date);
	free(im->owner_id);
	free(im->description);
	free(im->architecture);
	aws_tags_free(&im->tags, im->ntags);
}

static int image_read(struct query_doc *q, xmlNode *it, size_t i, void *elem)
{
	struct ec2_image *im = elem;
	im->image_id = query_need(q, it, "imageId", "image", i);
	if (!im->image_id)
		return -1;
	im->name = query_text(it, "name");
	im->state = query_text(it, "imageState");
	query_time(it, "creationDate", &im->creation_date, &im->created);
	im->owner_id = query_text(it, "imageOwnerId");
	im->is_public = query_bool(it, "isPublic");
	im->description = query_text(it, "description");
	im->architecture = query_text(it, "architecture");
	return query_tags(q, it, "tagSet", "item", "key", "value", &im->tags, &im->ntags);
}

void ec2_images_free(struct ec2_images *l)
{
	for (size_t i = 0; l->v && i < l->n; i++)
		image_free(&l->v[i]);
	free(l->v);
	free(l->next_token);
	memset(l, 0, sizeof *l);
}

int ec2_images_parse(const char *body, size_t len, struct ec2_images *out, struct buf *err)
{
	memset(out, 0, sizeof *out);
	struct query_doc q;
	if (query_open(&q, "DescribeImages", "DescribeImagesResponse", NULL, body, len, err) < 0)
		return -1;
	int rc;
	out->v = query_items(&q, xml_child(q.root, "imagesSet"), "item", sizeof *out->v, image_read, &out->n, &rc);
	out->next_token = query_token(q.root, "nextToken");
	query_close(&q);
	if (rc < 0)
		ec2_images_free(out);
	return rc;
}

/* ---- Launch permissions ---- */

static void push(char ***v, size_t *n, char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = s;
}

void ec2_launch_perms_free(struct ec2_launch_perms *p)
{
	free(p->image_id);
	aws_strv_free(&p->user_ids, p->nuser_ids);
	aws_strv_free(&p->org_arns, p->norg_arns);
	aws_strv_free(&p->ou_arns, p->nou_arns);
	memset(p, 0, sizeof *p);
}

int ec2_launch_perms_parse(const char *body, size_t len, struct ec2_launch_perms *out, struct buf *err)
{
	memset(out, 0, sizeof *out);
	struct query_doc q;
	if (query_open(&q, "DescribeImageAttribute", "DescribeImageAttributeResponse", NULL, body, len, err) < 0)
		return -1;
	out->image_id = query_need(&q, q.root, "imageId", NULL, 0);
	if (!out->image_id) {
		query_close(&q);
		return -1;
	}
	xmlNode *set = xml_child(q.root, "launchPermission");
	for (xmlNode *it = xml_child(set, "item"); it; it = xml_next(it, "item")) {
		char *s;
		if ((s = query_text(it, "userId")))
			push(&out->user_ids, &out->nuser_ids, s);
		if ((s = query_text(it, "organizationArn")))
			push(&out->org_arns, &out->norg_arns, s);
		if ((s = query_text(it, "organizationalUnitArn")))
			push(&out->ou_arns, &out->nou_arns, s);
		if ((s = query_text(it, "group"))) {
			/* "all" is the only group EC2 knows: the image is public. */
			if (strcmp(s, "all") == 0)
				out->is_public = 1;
			free(s);
		}
	}
	query_close(&q);
	return 0;
}

/* ---- Key pairs ---- */

static int key_pair_read(struct query_doc *q, xmlNode *it, size_t i, void *elem)
{
	struct ec2_key_pair *k = elem;
	k->name = query_need(q, it, "keyName", "key pair", i);
	if (!k->name)
		return -1;
	k->id = query_text(it, "keyPairId");
	k->fingerprint = query_text(it, "keyFingerprint");
	k->type = query_text(it, "keyType");
	query_time(it, "createTime", &k->create_time, &k->created);
	return 0;
}

void ec2_key_pairs_free(struct ec2_key_pairs *l)
{
	for (size_t i = 0; l->v && i < l->n; i++) {
		struct ec2_key_pair *k = &l->v[i];
		free(k->name);
		free(k->id);
		free(k->fingerprint);
		free(k->type);
		free(k->create_time);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}

int ec2_key_pairs_parse(const char *body, size_t len, struct ec2_key_pairs *out, struct buf *err)
{
	memset(out, 0, sizeof *out);
	struct query_doc q;
	if (query_open(&q, "DescribeKeyPairs", "DescribeKeyPairsResponse", NULL, body, len, err) < 0)
		return -1;
	int rc;
	out->v = query_items(&q, xml_child(q.root, "keySet"), "item", sizeof *out->v, key_pair_read, &out->n, &rc);
	query_close(&q);
	if (rc < 0)
		ec2_key_pairs_free(out);
	return rc;
}

/* ---- Instances ---- */

static void instance_free(struct ec2_instance *in)
{
	free(in->instance_id);
	free(in->reservation_id);
	free(in->image_id);
	free(in->instance_type);
	free(in->key_name);
	free(in->state);
	free(in->private_ip);
	free(in->public_ip);
	free(in->subnet_id);
	free(in->vpc_id);
	free(in->launch_time);
	aws_tags_free(&in->tags, in->ntags);
}

static int instance_read(struct query_doc *q, xmlNode *it, size_t i, const char *reservation, struct ec2_instance *in)
{
	in->instance_id = query_need(q, it, "instanceId", "instance", i);
	if (!in->instance_id)
		return -1;
	in->reservation_id = xstrdup(reservation);
	in->image_id = query_text(it, "imageId");
	in->instance_type = query_text(it, "instanceType");
	in->key_name = query_text(it, "keyName");
	in->state = query_text(it, "instanceState/name");
	in->state_code = -1;
	char *code = query_text(it, "instanceState/code"), *end = NULL;
	long c = code ? strtol(code, &end, 10) : 0;
	if (code && *code && !*end)
		in->state_code = (int)(c & 0xFF); /* the high byte is internal */
	free(code);
	in->private_ip = query_text(it, "privateIpAddress");
	in->public_ip = query_text(it, "ipAddress");
	in->subnet_id = query_text(it, "subnetId");
	in->vpc_id = query_text(it, "vpcId");
	query_time(it, "launchTime", &in->launch_time, &in->launched);
	return query_tags(q, it, "tagSet", "item", "key", "value", &in->tags, &in->ntags);
}

void ec2_instances_free(struct ec2_instances *l)
{
	for (size_t i = 0; l->v && i < l->n; i++)
		instance_free(&l->v[i]);
	free(l->v);
	free(l->next_token);
	memset(l, 0, sizeof *l);
}

int ec2_instances_parse(const char *body, size_t len, struct ec2_instances *out, struct buf *err)
{
	memset(out, 0, sizeof *out);
	struct query_doc q;
	if (query_open(&q, "DescribeInstances", "DescribeInstancesResponse", NULL, body, len, err) < 0)
		return -1;
	xmlNode *rset = xml_child(q.root, "reservationSet");
	size_t n = 0;
	for (xmlNode *r = xml_child(rset, "item"); r; r = xml_next(r, "item"))
		n += query_count(xml_child(r, "instancesSet"), "item");
	out->v = n ? xcalloc(n, sizeof *out->v) : NULL;
	int rc = 0;
	for (xmlNode *r = xml_child(rset, "item"); r && rc == 0; r = xml_next(r, "item")) {
		char *reservation = query_text(r, "reservationId");
		xmlNode *iset = xml_child(r, "instancesSet");
		for (xmlNode *it = xml_child(iset, "item"); it && rc == 0 && out->n < n; it = xml_next(it, "item")) {
			size_t i = out->n++;
			rc = instance_read(&q, it, i, reservation, &out->v[i]);
		}
		free(reservation);
	}
	out->next_token = query_token(q.root, "nextToken");
	query_close(&q);
	if (rc < 0)
		ec2_instances_free(out);
	return rc;
}
