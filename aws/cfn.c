#include "aws/cfn.h"

#include <stdlib.h>
#include <string.h>

/* ---- Requests ---- */

void cfn_describe_stacks_body(struct buf *body, const char *stack_name, const char *next_token)
{
	query_begin(body, "DescribeStacks", CFN_API_VERSION);
	query_add(body, "StackName", stack_name);
	query_add(body, "NextToken", next_token);
}

void cfn_describe_stack_events_body(struct buf *body, const char *stack_name, const char *next_token)
{
	query_begin(body, "DescribeStackEvents", CFN_API_VERSION);
	query_add(body, "StackName", stack_name);
	query_add(body, "NextToken", next_token);
}

void cfn_describe_stack_resources_body(struct buf *body, const char *stack_name, const char *logical_id)
{
	query_begin(body, "DescribeStackResources", CFN_API_VERSION);
	query_add(body, "StackName", stack_name);
	query_add(body, "LogicalResourceId", logical_id);
}

void cfn_list_stacks_body(struct buf *body, const char *const *statuses, size_t n, const char *next_token)
{
	query_begin(body, "ListStacks", CFN_API_VERSION);
	query_add_members(body, "StackStatusFilter", statuses, n);
	query_add(body, "NextToken", next_token);
}

void cfn_get_template_summary_body(struct buf *body, const char *template_url)
{
	query_begin(body, "GetTemplateSummary", CFN_API_VERSION);
	query_add(body, "TemplateURL", template_url);
}

void cfn_create_stack_body(struct buf *body, const struct cfn_create_stack_req *req)
{
	query_begin(body, "CreateStack", CFN_API_VERSION);
	query_add(body, "StackName", req->stack_name);
	query_add(body, "TemplateURL", req->template_url);
	for (size_t i = 0; i < req->nparams; i++) {
		query_addf(body, req->params[i].key, "Parameters.member.%zu.ParameterKey", i + 1);
		query_addf(body, req->params[i].value, "Parameters.member.%zu.ParameterValue", i + 1);
	}
	query_add_members(body, "Capabilities", req->capabilities, req->ncapabilities);
	for (size_t i = 0; i < req->ntags; i++) {
		query_addf(body, req->tags[i].key, "Tags.member.%zu.Key", i + 1);
		query_addf(body, req->tags[i].value, "Tags.member.%zu.Value", i + 1);
	}
	if (req->disable_rollback)
		query_add_bool(body, "DisableRollback", 1);
	if (req->timeout_minutes > 0)
		query_add_long(body, "TimeoutInMinutes", req->timeout_minutes);
	query_add(body, "ClientRequestToken", req->client_request_token);
}

void cfn_delete_stack_body(struct buf *body, const char *stack_name, const char *const *retain, size_t nretain,
			   const char *client_request_token)
{
	query_begin(body, "DeleteStack", CFN_API_VERSION);
	query_add(body, "StackName", stack_name);
	query_add_members(body, "RetainResources", retain, nretain);
	query_add(body, "ClientRequestToken", client_request_token);
}

/* ---- Stacks ---- */

static int param_read(struct query_doc *q, xmlNode *it, size_t i, void *elem)
{
	struct cfn_parameter *p = elem;
	if (!(p->key = query_need(q, it, "ParameterKey", "parameter", i)))
		return -1;
	p->value = query_text(it, "ParameterValue");
	p->resolved_value = query_text(it, "ResolvedValue");
	return 0;
}

static int output_read(struct query_doc *q, xmlNode *it, size_t i, void *elem)
{
	struct cfn_output *o = elem;
	if (!(o->key = query_need(q, it, "OutputKey", "output", i)))
		return -1;
	o->value = query_text(it, "OutputValue");
	o->description = query_text(it, "Description");
	o->export_name = query_text(it, "ExportName");
	return 0;
}

static void stack_free(struct cfn_stack *s)
{
	free(s->name);
	free(s->id);
	free(s->status);
	free(s->status_reason);
	free(s->description);
	free(s->creation_time);
	free(s->last_updated_time);
	free(s->deletion_time);
	for (size_t i = 0; s->params && i < s->nparams; i++) {
		free(s->params[i].key);
		free(s->params[i].value);
		free(s->params[i].resolved_value);
	}
	free(s->params);
	for (size_t i = 0; s->outputs && i < s->noutputs; i++) {
		free(s->outputs[i].key);
		free(s->outputs[i].value);
		free(s->outputs[i].description);
		free(s->outputs[i].export_name);
	}
	free(s->outputs);
	aws_tags_free(&s->tags, s->ntags);
	aws_strv_free(&s->capabilities, s->ncapabilities);
	free(s->parent_id);
	free(s->root_id);
}

static int stack_read(struct query_doc *q, xmlNode *it, size_t i, void *elem)
{
	struct cfn_stack *s = elem;
	int rc;
	if (!(s->name = query_need(q, it, "StackName", "stack", i)) ||
	    !(s->id = query_need(q, it, "StackId", "stack", i)) ||
	    !(s->status = query_need(q, it, "StackStatus", "stack", i)))
		return -1;
	s->status_reason = query_text(it, "StackStatusReason");
	s->description = query_text(it, "Description");
	query_time(it, "CreationTime", &s->creation_time, &s->created);
	query_time(it, "LastUpdatedTime", &s->last_updated_time, &s->updated);
	query_time(it, "DeletionTime", &s->deletion_time, &s->deleted);
	s->params =
		query_items(q, xml_child(it, "Parameters"), "member", sizeof *s->params, param_read, &s->nparams, &rc);
	if (rc < 0)
		return -1;
	s->outputs =
		query_items(q, xml_child(it, "Outputs"), "member", sizeof *s->outputs, output_read, &s->noutputs, &rc);
	if (rc < 0)
		return -1;
	if (query_tags(q, it, "Tags", "member", "Key", "Value", &s->tags, &s->ntags) < 0)
		return -1;
	query_strings(it, "Capabilities", "member", &s->capabilities, &s->ncapabilities);
	s->termination_protection = query_bool(it, "EnableTerminationProtection");
	s->disable_rollback = query_bool(it, "DisableRollback");
	s->parent_id = query_text(it, "ParentId");
	s->root_id = query_text(it, "RootId");
	return 0;
}

void cfn_stacks_free(struct cfn_stacks *l)
{
	for (size_t i = 0; l->v && i < l->n; i++)
		stack_free(&l->v[i]);
	free(l->v);
	free(l->next_token);
	memset(l, 0, sizeof *l);
}

int cfn_stacks_parse(const char *body, size_t len, struct cfn_stacks *out, struct buf *err)
{
	memset(out, 0, sizeof *out);
	struct query_doc q;
	if (query_open(&q, "DescribeStacks", "DescribeStacksResponse", "DescribeStacksResult", body, len, err) < 0)
		return -1;
	int rc;
	out->v = query_items(&q, xml_child(q.result, "Stacks"), "member", sizeof *out->v, stack_read, &out->n, &rc);
	out->next_token = query_token(q.result, "NextToken");
	query_close(&q);
	if (rc < 0)
		cfn_stacks_free(out);
	return rc;
}

/* ---- Events ---- */

static int event_read(struct query_doc *q, xmlNode *it, size_t i, void *elem)
{
	struct cfn_event *e = elem;
	if (!(e->event_id = query_need(q, it, "EventId", "event", i)))
		return -1;
	e->stack_id = query_text(it, "StackId");
	e->stack_name = query_text(it, "StackName");
	e->logical_id = query_text(it, "LogicalResourceId");
	e->physical_id = query_text(it, "PhysicalResourceId");
	e->resource_type = query_text(it, "ResourceType");
	query_time(it, "Timestamp", &e->timestamp, &e->time);
	e->status = query_text(it, "ResourceStatus");
	e->status_reason = query_text(it, "ResourceStatusReason");
	e->client_request_token = query_text(it, "ClientRequestToken");
	return 0;
}

void cfn_events_free(struct cfn_events *l)
{
	for (size_t i = 0; l->v && i < l->n; i++) {
		struct cfn_event *e = &l->v[i];
		free(e->event_id);
		free(e->stack_id);
		free(e->stack_name);
		free(e->logical_id);
		free(e->physical_id);
		free(e->resource_type);
		free(e->timestamp);
		free(e->status);
		free(e->status_reason);
		free(e->client_request_token);
	}
	free(l->v);
	free(l->next_token);
	memset(l, 0, sizeof *l);
}

int cfn_events_parse(const char *body, size_t len, struct cfn_events *out, struct buf *err)
{
	memset(out, 0, sizeof *out);
	struct query_doc q;
	if (query_open(&q, "DescribeStackEvents", "DescribeStackEventsResponse", "DescribeStackEventsResult", body, len,
		       err) < 0)
		return -1;
	int rc;
	out->v =
		query_items(&q, xml_child(q.result, "StackEvents"), "member", sizeof *out->v, event_read, &out->n, &rc);
	out->next_token = query_token(q.result, "NextToken");
	query_close(&q);
	if (rc < 0)
		cfn_events_free(out);
	return rc;
}

/* ---- Resources ---- */

static int resource_read(struct query_doc *q, xmlNode *it, size_t i, void *elem)
{
	struct cfn_resource *r = elem;
	if (!(r->logical_id = query_need(q, it, "LogicalResourceId", "resource", i)))
		return -1;
	r->physical_id = query_text(it, "PhysicalResourceId");
	r->type = query_text(it, "ResourceType");
	r->status = query_text(it, "ResourceStatus");
	r->status_reason = query_text(it, "ResourceStatusReason");
	query_time(it, "Timestamp", &r->timestamp, &r->time);
	return 0;
}

void cfn_resources_free(struct cfn_resources *l)
{
	for (size_t i = 0; l->v && i < l->n; i++) {
		struct cfn_resource *r = &l->v[i];
		free(r->logical_id);
		free(r->physical_id);
		free(r->type);
		free(r->status);
		free(r->status_reason);
		free(r->timestamp);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}

int cfn_resources_parse(const char *body, size_t len, struct cfn_resources *out, struct buf *err)
{
	memset(out, 0, sizeof *out);
	struct query_doc q;
	if (query_open(&q, "DescribeStackResources", "DescribeStackResourcesResponse", "DescribeStackResourcesResult",
		       body, len, err) < 0)
		return -1;
	int rc;
	out->v = query_items(&q, xml_child(q.result, "StackResources"), "member", sizeof *out->v, resource_read,
			     &out->n, &rc);
	query_close(&q);
	if (rc < 0)
		cfn_resources_free(out);
	return rc;
}

/* ---- ListStacks ---- */

static int summary_read(struct query_doc *q, xmlNode *it, size_t i, void *elem)
{
	struct cfn_summary *s = elem;
	if (!(s->name = query_need(q, it, "StackName", "stack summary", i)) ||
	    !(s->id = query_need(q, it, "StackId", "stack summary", i)) ||
	    !(s->status = query_need(q, it, "StackStatus", "stack summary", i)))
		return -1;
	s->status_reason = query_text(it, "StackStatusReason");
	query_time(it, "CreationTime", &s->creation_time, &s->created);
	query_time(it, "DeletionTime", &s->deletion_time, &s->deleted);
	s->parent_id = query_text(it, "ParentId");
	s->root_id = query_text(it, "RootId");
	return 0;
}

void cfn_summaries_free(struct cfn_summaries *l)
{
	for (size_t i = 0; l->v && i < l->n; i++) {
		struct cfn_summary *s = &l->v[i];
		free(s->name);
		free(s->id);
		free(s->status);
		free(s->status_reason);
		free(s->creation_time);
		free(s->deletion_time);
		free(s->parent_id);
		free(s->root_id);
	}
	free(l->v);
	free(l->next_token);
	memset(l, 0, sizeof *l);
}

int cfn_summaries_parse(const char *body, size_t len, struct cfn_summaries *out, struct buf *err)
{
	memset(out, 0, sizeof *out);
	struct query_doc q;
	if (query_open(&q, "ListStacks", "ListStacksResponse", "ListStacksResult", body, len, err) < 0)
		return -1;
	int rc;
	out->v = query_items(&q, xml_child(q.result, "StackSummaries"), "member", sizeof *out->v, summary_read, &out->n,
			     &rc);
	out->next_token = query_token(q.result, "NextToken");
	query_close(&q);
	if (rc < 0)
		cfn_summaries_free(out);
	return rc;
}

/* ---- GetTemplateSummary ---- */

static int template_param_read(struct query_doc *q, xmlNode *it, size_t i, void *elem)
{
	struct cfn_template_param *p = elem;
	if (!(p->key = query_need(q, it, "ParameterKey", "parameter", i)))
		return -1;
	p->type = query_text(it, "ParameterType");
	p->default_value = query_text(it, "DefaultValue");
	p->description = query_text(it, "Description");
	p->no_echo = query_bool(it, "NoEcho");
	query_strings(it, "ParameterConstraints/AllowedValues", "member", &p->allowed_values, &p->nallowed);
	return 0;
}

void cfn_template_summary_free(struct cfn_template_summary *s)
{
	for (size_t i = 0; s->params && i < s->nparams; i++) {
		struct cfn_template_param *p = &s->params[i];
		free(p->key);
		free(p->type);
		free(p->default_value);
		free(p->description);
		aws_strv_free(&p->allowed_values, p->nallowed);
	}
	free(s->params);
	aws_strv_free(&s->capabilities, s->ncapabilities);
	free(s->capabilities_reason);
	free(s->description);
	memset(s, 0, sizeof *s);
}

int cfn_template_summary_parse(const char *body, size_t len, struct cfn_template_summary *out, struct buf *err)
{
	memset(out, 0, sizeof *out);
	struct query_doc q;
	if (query_open(&q, "GetTemplateSummary", "GetTemplateSummaryResponse", "GetTemplateSummaryResult", body, len,
		       err) < 0)
		return -1;
	int rc;
	out->params = query_items(&q, xml_child(q.result, "Parameters"), "member", sizeof *out->params,
				  template_param_read, &out->nparams, &rc);
	query_strings(q.result, "Capabilities", "member", &out->capabilities, &out->ncapabilities);
	out->capabilities_reason = query_text(q.result, "CapabilitiesReason");
	out->description = query_text(q.result, "Description");
	query_close(&q);
	if (rc < 0)
		cfn_template_summary_free(out);
	return rc;
}

/* ---- CreateStack, DeleteStack ---- */

int cfn_create_stack_parse(const char *body, size_t len, char **stack_id, struct buf *err)
{
	*stack_id = NULL;
	struct query_doc q;
	if (query_open(&q, "CreateStack", "CreateStackResponse", "CreateStackResult", body, len, err) < 0)
		return -1;
	*stack_id = query_need(&q, q.result, "StackId", NULL, 0);
	query_close(&q);
	return *stack_id ? 0 : -1;
}

int cfn_delete_stack_parse(const char *body, size_t len, struct buf *err)
{
	struct query_doc q;
	if (query_open(&q, "DeleteStack", "DeleteStackResponse", NULL, body, len, err) < 0)
		return -1;
	query_close(&q);
	return 0;
}
