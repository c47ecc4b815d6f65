#include "release/stack_detail.h"

#include <stdlib.h>
#include <string.h>

#include "aws/client.h"
#include "aws/ec2.h"
#include "core/buf.h"
#include "release/ssh.h"

/* One request in flight and what it is for. */
enum what { W_STACK, W_RESOURCES, W_EVENTS, W_INSTANCES };

struct dcall {
	struct stack_detail_fetch *f;
	enum what what;
	char *stack;   /* the stack asked about (name or ARN) */
	char *logical; /* its logical id in the root ("" for the root) */
	unsigned long id;
	struct dcall *next;
};

struct stack_detail_fetch {
	struct aws_client *aws;
	struct stack_detail d;
	stack_detail_fn fn;
	void *ud;
	struct dcall *calls;
	int pending;
};

static void ask(struct stack_detail_fetch *f, enum what what, const char *stack, const char *logical,
		const char *extra);

static void fail(struct stack_detail_fetch *f, const char *msg)
{
	if (!f->d.error)
		f->d.error = xstrdup(msg);
}

static void add_output(struct stack_detail_fetch *f, const char *stack, const struct cfn_output *o)
{
	f->d.outputs = xrealloc(f->d.outputs, (f->d.noutputs + 1) * sizeof *f->d.outputs);
	struct detail_output *d = &f->d.outputs[f->d.noutputs++];
	d->stack = xstrdup(stack);
	d->key = xstrdup(o->key);
	d->value = xstrdup(o->value);
	d->description = xstrdup(o->description);
}

/* Root outputs first, then each nested stack's by logical id; hosts by
 * logical id: the same order whatever order the answers arrived in. */
static int output_order(const void *a, const void *b)
{
	const struct detail_output *x = a, *y = b;
	int r = strcmp(x->stack, y->stack);
	return r ? r : strcmp(x->key, y->key);
}

static int host_order(const void *a, const void *b)
{
	const struct detail_host *x = a, *y = b;
	int r = strcmp(x->logical_id, y->logical_id);
	return r ? r : strcmp(x->instance_id, y->instance_id);
}

static void take_resources(struct stack_detail_fetch *f, struct cfn_resources *r, const char *stack)
{
	f->d.resources = xrealloc(f->d.resources, (f->d.nresources + r->n + 1) * sizeof *f->d.resources);
	f->d.resource_stack = xrealloc(f->d.resource_stack, (f->d.nresources + r->n + 1) * sizeof *f->d.resource_stack);
	if (r->n) /* an empty answer has no array */
		memcpy(f->d.resources + f->d.nresources, r->v, r->n * sizeof *r->v);
	for (size_t i = 0; i < r->n; i++)
		f->d.resource_stack[f->d.nresources + i] = xstrdup(stack);
	f->d.nresources += r->n;
	free(r->v);
	r->v = NULL;
	r->n = 0;
}

static int newest_first(const void *a, const void *b)
{
	const struct cfn_event *x = a, *y = b;
	if (x->time != y->time)
		return x->time < y->time ? 1 : -1;
	/* Same second: ISO 8601 text with fractions orders them. */
	if (x->timestamp && y->timestamp) {
		int r = strcmp(y->timestamp, x->timestamp);
		if (r)
			return r;
	}
	return strcmp(y->event_id, x->event_id);
}

static void on_reply(void *ud, const struct aws_resp *r)
{
	struct dcall *c = ud;
	struct stack_detail_fetch *f = c->f;
	c->id = 0;
	f->pending--;
	struct buf err = {0};
	if (r->error) {
		fail(f, r->error);
	} else if (c->what == W_STACK) {
		struct cfn_stacks st;
		if (cfn_stacks_parse(r->body, r->body_len, &st, &err) < 0) {
			fail(f, buf_str(&err));
		} else if (st.n) {
			for (size_t i = 0; i < st.v[0].noutputs; i++)
				add_output(f, c->logical, &st.v[0].outputs[i]);
			if (!*c->logical && !f->d.have_root) {
				f->d.root = st.v[0];
				f->d.have_root = 1;
				memmove(st.v, st.v + 1, (st.n - 1) * sizeof *st.v);
				st.n--;
			}
		}
		cfn_stacks_free(&st);
	} else if (c->what == W_RESOURCES) {
		struct cfn_resources res;
		if (cfn_resources_parse(r->body, r->body_len, &res, &err) < 0) {
			fail(f, buf_str(&err));
		} else {
			for (size_t i = 0; i < res.n; i++) {
				const struct cfn_resource *x = &res.v[i];
				if (!x->type || !x->physical_id || !*x->physical_id)
					continue;
				/* Nested stacks: their outputs, resources and events too. */
				if (!strcmp(x->type, "AWS::CloudFormation::Stack")) {
					ask(f, W_STACK, x->physical_id, x->logical_id, NULL);
					ask(f, W_RESOURCES, x->physical_id, x->logical_id, NULL);
					ask(f, W_EVENTS, x->physical_id, x->logical_id, NULL);
				} else if (!strcmp(x->type, "AWS::EC2::Instance")) {
					ask(f, W_INSTANCES, NULL, x->logical_id, x->physical_id);
				}
			}
			take_resources(f, &res, c->logical);
		}
		cfn_resources_free(&res);
	} else if (c->what == W_EVENTS) {
		struct cfn_events ev;
		if (cfn_events_parse(r->body, r->body_len, &ev, &err) < 0) {
			fail(f, buf_str(&err));
		} else {
			f->d.events = xrealloc(f->d.events, (f->d.nevents + ev.n + 1) * sizeof *f->d.events);
			if (ev.n)
				memcpy(f->d.events + f->d.nevents, ev.v, ev.n * sizeof *ev.v);
			f->d.nevents += ev.n;
			free(ev.v);
			ev.v = NULL;
			ev.n = 0;
			if (f->d.nevents > 1)
				qsort(f->d.events, f->d.nevents, sizeof *f->d.events, newest_first);
		}
		cfn_events_free(&ev);
	} else if (c->what == W_INSTANCES) {
		struct ec2_instances in;
		if (ec2_instances_parse(r->body, r->body_len, &in, &err) < 0) {
			fail(f, buf_str(&err));
		} else {
			for (size_t i = 0; i < in.n; i++) {
				f->d.hosts = xrealloc(f->d.hosts, (f->d.nhosts + 1) * sizeof *f->d.hosts);
				struct detail_host *h = &f->d.hosts[f->d.nhosts++];
				h->logical_id = xstrdup(c->logical);
				h->instance_id = xstrdup(in.v[i].instance_id);
				h->public_ip = xstrdup(in.v[i].public_ip);
				h->private_ip = xstrdup(in.v[i].private_ip);
				h->state = xstrdup(in.v[i].state);
			}
		}
		ec2_instances_free(&in);
	}
	buf_free(&err);
	if (f->d.noutputs > 1)
		qsort(f->d.outputs, f->d.noutputs, sizeof *f->d.outputs, output_order);
	if (f->d.nhosts > 1)
		qsort(f->d.hosts, f->d.nhosts, sizeof *f->d.hosts, host_order);
	if (!f->pending)
		f->d.state = f->d.have_root ? FETCH_DONE : FETCH_FAILED;
	f->fn(f->ud, &f->d);
}

static void ask(struct stack_detail_fetch *f, enum what what, const char *stack, const char *logical, const char *extra)
{
	struct dcall *c = xcalloc(1, sizeof *c);
	c->f = f;
	c->what = what;
	c->stack = xstrdup(stack);
	c->logical = xstrdup(logical ? logical : "");
	c->next = f->calls;
	f->calls = c;
	f->pending++;
	struct buf body = {0};
	const char *op = "";
	struct aws_req req = {.service = "cloudformation"};
	switch (what) {
	case W_STACK:
		op = "DescribeStacks";
		cfn_describe_stacks_body(&body, stack, NULL);
		break;
	case W_RESOURCES:
		op = "DescribeStackResources";
		cfn_describe_stack_resources_body(&body, stack, NULL);
		break;
	case W_EVENTS:
		op = "DescribeStackEvents";
		cfn_describe_stack_events_body(&body, stack, NULL);
		break;
	case W_INSTANCES: {
		op = "DescribeInstances";
		req.service = "ec2";
		const char *ids[] = {extra};
		struct ec2_instances_req q = {.instance_ids = ids, .ninstance_ids = 1};
		ec2_describe_instances_body(&body, &q);
		break;
	}
	}
	req.op = op;
	req.body = buf_str(&body);
	req.body_len = body.len;
	c->id = aws_send(f->aws, &req, on_reply, c);
	buf_free(&body);
}

struct stack_detail_fetch *stack_detail_start(struct aws_client *aws, const char *name, stack_detail_fn fn, void *ud)
{
	struct stack_detail_fetch *f = xcalloc(1, sizeof *f);
	f->aws = aws;
	f->fn = fn;
	f->ud = ud;
	f->d.state = FETCH_LOADING;
	ask(f, W_STACK, name, "", NULL);
	ask(f, W_RESOURCES, name, "", NULL);
	ask(f, W_EVENTS, name, "", NULL);
	return f;
}

const struct stack_detail *stack_detail_result(const struct stack_detail_fetch *f)
{
	return &f->d;
}

/* The bastion: the instance reached at the EIP1 output, else the first
 * instance with a public address. */
static const struct detail_host *bastion(const struct stack_detail *d)
{
	const char *eip = stack_detail_output(d, "EIP1");
	for (size_t i = 0; eip && i < d->nhosts; i++)
		if (d->hosts[i].public_ip && !strcmp(d->hosts[i].public_ip, eip))
			return &d->hosts[i];
	for (size_t i = 0; i < d->nhosts; i++)
		if (d->hosts[i].public_ip)
			return &d->hosts[i];
	return NULL;
}

const struct detail_host *stack_detail_host(const struct stack_detail *d, const char *which)
{
	if (which && !strcmp(which, "bastion"))
		return bastion(d);
	const char *want = which ? which : "ReadySetMonitorInstance";
	for (size_t i = 0; i < d->nhosts; i++)
		if (!strcmp(d->hosts[i].logical_id, want))
			return &d->hosts[i];
	return which ? NULL : bastion(d);
}

const char *stack_detail_output(const struct stack_detail *d, const char *key)
{
	for (size_t i = 0; i < d->noutputs; i++)
		if (!strcmp(d->outputs[i].key, key))
			return d->outputs[i].value;
	return NULL;
}

void stack_detail_free(struct stack_detail_fetch **fp)
{
	if (!fp || !*fp)
		return;
	struct stack_detail_fetch *f = *fp;
	while (f->calls) {
		struct dcall *c = f->calls;
		f->calls = c->next;
		if (c->id)
			aws_cancel(f->aws, c->id);
		free(c->stack);
		free(c->logical);
		free(c);
	}
	struct stack_detail *d = &f->d;
	if (d->have_root) {
		struct cfn_stacks one = {.v = xcalloc(1, sizeof *one.v), .n = 1};
		one.v[0] = d->root;
		cfn_stacks_free(&one);
	}
	for (size_t i = 0; i < d->noutputs; i++) {
		free(d->outputs[i].stack);
		free(d->outputs[i].key);
		free(d->outputs[i].value);
		free(d->outputs[i].description);
	}
	free(d->outputs);
	for (size_t i = 0; i < d->nresources; i++)
		free(d->resource_stack[i]);
	free(d->resource_stack);
	struct cfn_resources res = {.v = d->resources, .n = d->nresources};
	cfn_resources_free(&res);
	struct cfn_events ev = {.v = d->events, .n = d->nevents};
	cfn_events_free(&ev);
	for (size_t i = 0; i < d->nhosts; i++) {
		free(d->hosts[i].logical_id);
		free(d->hosts[i].instance_id);
		free(d->hosts[i].public_ip);
		free(d->hosts[i].private_ip);
		free(d->hosts[i].state);
	}
	free(d->hosts);
	free(d->error);
	free(f);
	*fp = NULL;
}

int stack_ssh_target(const struct stack_detail *d, const char *host, struct ssh_target *out, struct buf *err)
{
	memset(out, 0, sizeof *out);
	const struct detail_host *b = bastion(d);
	out->bastion_ip = stack_detail_output(d, "EIP1");
	out->bastion_source = "output EIP1";
	if (!out->bastion_ip && b) {
		out->bastion_ip = b->public_ip;
		out->bastion_source = "the bastion's public IP";
	}
	if (!out->bastion_ip) {
		buf_adds(err, "no bastion address: the stack has no EIP1 output and no instance with a public IP "
			      "(is it still being created?)");
		return -1;
	}
	if (host && !strcmp(host, "bastion"))
		return 0;
	const struct detail_host *h = stack_detail_host(d, host);
	if (!h || h == b) {
		if (host) {
			buf_printf(err, "no instance %s in the stack (hosts: ", host);
			for (size_t i = 0; i < d->nhosts; i++)
				buf_printf(err, "%s%s", i ? ", " : "", d->hosts[i].logical_id);
			buf_adds(err, d->nhosts ? ", bastion)" : "none yet)");
			return -1;
		}
		return 0; /* only a bastion: connect to it */
	}
	if (!h->private_ip) {
		buf_printf(err, "instance %s has no private IP yet", h->logical_id);
		return -1;
	}
	out->private_ip = h->private_ip;
	out->private_source = h->logical_id;
	return 0;
}
