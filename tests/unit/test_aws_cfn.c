/* Unit tests for aws/cfn.c: request bodies byte for byte (CreateStack with
 * parameters, capabilities and tags; DeleteStack; ListStacks filters) and
 * the parsers for DescribeStacks, DescribeStackEvents,
 * DescribeStackResources, ListStacks, GetTemplateSummary, CreateStack and
 * DeleteStack on responses modelled on the CloudFormation docs:
 * pagination, nested stacks, empty lists, errors, truncation, hostile text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aws/cfn.h"
#include "core/buf.h"

#define NS       "xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\""
#define SUPER_ID "arn:aws:cloudformation:us-east-2:069491470376:stack/alice-super/3dd4a0d0-9cd8-11f1-98f3-0e8dc942569d"
#define NESTED_ID                                                                                                      \
	"arn:aws:cloudformation:us-east-2:069491470376:stack/alice-super-BastionStack-1AB2/4ee5b1e1-9cd8-11f1-a1b2-"   \
	"0a1b2c3d4e5f"
#define META "<ResponseMetadata><RequestId>b9b4b068-3a41-11e5-94eb-example</RequestId></ResponseMetadata>"

static const char stacks[] =
	"<DescribeStacksResponse " NS ">\n"
	" <DescribeStacksResult>\n"
	"  <Stacks>\n"
	"   <member>\n"
	"    <StackName>alice-super</StackName>\n"
	"    <StackId>" SUPER_ID "</StackId>\n"
	"    <Description>ReadySet MySQL super stack</Description>\n"
	"    <Parameters>\n"
	"     <member><ParameterKey>KeyPairName</ParameterKey><ParameterValue>alice</ParameterValue></member>\n"
	"     <member><ParameterKey>DatabasePassword</ParameterKey><ParameterValue>****</ParameterValue></member>\n"
	"     <member><ParameterKey>LatestAmi</ParameterKey><ParameterValue>/aws/service/ami</ParameterValue>"
	"<ResolvedValue>ami-0abc</ResolvedValue></member>\n"
	"    </Parameters>\n"
	"    <CreationTime>2025-03-01T11:00:00.123Z</CreationTime>\n"
	"    <StackStatus>CREATE_COMPLETE</StackStatus>\n"
	"    <DisableRollback>true</DisableRollback>\n"
	"    <Capabilities><member>CAPABILITY_IAM</member><member>CAPABILITY_AUTO_EXPAND</member></Capabilities>\n"
	"    <Outputs>\n"
	"     <member><OutputKey>ReadySetAdapterNLBDNSName</OutputKey>"
	"<OutputValue>rs-nlb-0123.elb.us-east-2.amazonaws.com</OutputValue>"
	"<Description>Connect here</Description><ExportName>alice-nlb</ExportName></member>\n"
	"     <member><OutputKey>Empty</OutputKey><OutputValue/></member>\n"
	"    </Outputs>\n"
	"    <Tags><member><Key>relcon:commit</Key><Value>abcd0b72</Value></member></Tags>\n"
	"    <EnableTerminationProtection>true</EnableTerminationProtection>\n"
	"    <DriftInformation><StackDriftStatus>NOT_CHECKED</StackDriftStatus></DriftInformation>\n"
	"   </member>\n"
	"   <member>\n"
	"    <StackName>alice-super-BastionStack-1AB2</StackName>\n"
	"    <StackId>" NESTED_ID "</StackId>\n"
	"    <StackStatus>UPDATE_ROLLBACK_COMPLETE</StackStatus>\n"
	"    <StackStatusReason>Resource creation cancelled</StackStatusReason>\n"
	"    <CreationTime>2025-03-01T11:01:00Z</CreationTime>\n"
	"    <LastUpdatedTime>2025-03-01T12:00:00Z</LastUpdatedTime>\n"
	"    <ParentId>" SUPER_ID "</ParentId>\n"
	"    <RootId>" SUPER_ID "</RootId>\n"
	"    <EnableTerminationProtection>false</EnableTerminationProtection>\n"
	"    <Outputs><member><OutputKey>EIP1</OutputKey><OutputValue>3.14.15.92</OutputValue></member></Outputs>\n"
	"   </member>\n"
	"  </Stacks>\n"
	"  <NextToken>c3RhY2tzLXBhZ2UtMg==</NextToken>\n"
	" </DescribeStacksResult>\n"
	" " META "\n"
	"</DescribeStacksResponse>\n";

static const char events[] =
	"<DescribeStackEventsResponse " NS ">\n"
	" <DescribeStackEventsResult>\n"
	"  <StackEvents>\n"
	"   <member>\n"
	"    <EventId>BastionStack-CREATE_FAILED-2025-03-01T11:03:00.000Z</EventId>\n"
	"    <StackId>" SUPER_ID "</StackId><StackName>alice-super</StackName>\n"
	"    <LogicalResourceId>BastionStack</LogicalResourceId>\n"
	"    <PhysicalResourceId>" NESTED_ID "</PhysicalResourceId>\n"
	"    <ResourceType>AWS::CloudFormation::Stack</ResourceType>\n"
	"    <Timestamp>2025-03-01T11:03:00.000Z</Timestamp>\n"
	"    <ResourceStatus>CREATE_FAILED</ResourceStatus>\n"
	"    <ResourceStatusReason>Embedded stack " NESTED_ID " was not successfully created: The following "
	"resource(s) failed to create: [EIP1]. </ResourceStatusReason>\n"
	"    <ClientRequestToken>relcon-7f3a</ClientRequestToken>\n"
	"   </member>\n"
	"   <member>\n"
	"    <EventId>4ee5b1e1-9cd8-11f1-a1b2-0a1b2c3d4e5f</EventId>\n"
	"    <StackName>alice-super</StackName>\n"
	"    <LogicalResourceId>alice-super</LogicalResourceId>\n"
	"    <ResourceType>AWS::CloudFormation::Stack</ResourceType>\n"
	"    <Timestamp>2025-03-01T11:00:00.123Z</Timestamp>\n"
	"    <ResourceStatus>CREATE_IN_PROGRESS</ResourceStatus>\n"
	"    <ResourceStatusReason>User Initiated</ResourceStatusReason>\n"
	"   </member>\n"
	"  </StackEvents>\n"
	"  <NextToken>ZXZlbnRzLTI=</NextToken>\n"
	" </DescribeStackEventsResult>\n"
	" " META "\n"
	"</DescribeStackEventsResponse>\n";

static const char resources[] =
	"<DescribeStackResourcesResponse " NS ">\n"
	" <DescribeStackResourcesResult>\n"
	"  <StackResources>\n"
	"   <member><StackId>" SUPER_ID "</StackId><StackName>alice-super</StackName>"
	"<LogicalResourceId>BastionStack</LogicalResourceId><PhysicalResourceId>" NESTED_ID "</PhysicalResourceId>"
	"<ResourceType>AWS::CloudFormation::Stack</ResourceType><Timestamp>2025-03-01T11:05:00Z</Timestamp>"
	"<ResourceStatus>CREATE_COMPLETE</ResourceStatus></member>\n"
	"   <member><LogicalResourceId>ReadySetMonitorInstance</LogicalResourceId>"
	"<PhysicalResourceId>i-0598c7d356eba48d7</PhysicalResourceId><ResourceType>AWS::EC2::Instance</ResourceType>"
	"<ResourceStatus>CREATE_COMPLETE</ResourceStatus></member>\n"
	"   <member><LogicalResourceId>Waiter</LogicalResourceId>"
	"<ResourceType>AWS::CloudFormation::WaitCondition</ResourceType>"
	"<ResourceStatus>CREATE_FAILED</ResourceStatus><ResourceStatusReason>timed "
	"out</ResourceStatusReason></member>\n"
	"  </StackResources>\n"
	" </DescribeStackResourcesResult>\n"
	" " META "\n"
	"</DescribeStackResourcesResponse>\n";

static const char summaries[] =
	"<ListStacksResponse " NS ">\n"
	" <ListStacksResult>\n"
	"  <StackSummaries>\n"
	"   <member><StackId>" SUPER_ID "</StackId><StackStatus>DELETE_COMPLETE</StackStatus>"
	"<StackName>alice-super</StackName><CreationTime>2025-03-01T11:00:00.123Z</CreationTime>"
	"<DeletionTime>2025-03-02T09:00:00Z</DeletionTime><TemplateDescription>super</TemplateDescription></member>\n"
	"   <member><StackId>" NESTED_ID "</StackId><StackStatus>CREATE_COMPLETE</StackStatus>"
	"<StackName>alice-super-BastionStack-1AB2</StackName><CreationTime>2025-03-01T11:01:00Z</CreationTime>"
	"<ParentId>" SUPER_ID "</ParentId><RootId>" SUPER_ID "</RootId></member>\n"
	"  </StackSummaries>\n"
	"  <NextToken>bGlzdC0y</NextToken>\n"
	" </ListStacksResult>\n"
	" " META "\n"
	"</ListStacksResponse>\n";

static const char template_summary[] =
	"<GetTemplateSummaryResponse " NS ">\n"
	" <GetTemplateSummaryResult>\n"
	"  <Description>ReadySet MySQL super stack</Description>\n"
	"  <Parameters>\n"
	"   <member><ParameterKey>KeyPairName</ParameterKey><NoEcho>false</NoEcho>"
	"<ParameterType>AWS::EC2::KeyPair::KeyName</ParameterType>"
	"<Description>SSH key for the bastion</Description><ParameterConstraints/></member>\n"
	"   <member><ParameterKey>AccessCIDR</ParameterKey><DefaultValue>0.0.0.0/0</DefaultValue>"
	"<ParameterType>String</ParameterType><NoEcho>false</NoEcho></member>\n"
	"   <member><ParameterKey>DatabasePassword</ParameterKey><ParameterType>String</ParameterType>"
	"<NoEcho>true</NoEcho></member>\n"
	"   <member><ParameterKey>InstanceType</ParameterKey><DefaultValue>t3.large</DefaultValue>"
	"<ParameterType>String</ParameterType><ParameterConstraints><AllowedValues>"
	"<member>t3.large</member><member>t3.xlarge</member><member>m5.large</member>"
	"</AllowedValues></ParameterConstraints></member>\n"
	"   <member><ParameterKey>Suffix</ParameterKey><DefaultValue></DefaultValue>"
	"<ParameterType>String</ParameterType></member>\n"
	"  </Parameters>\n"
	"  <Capabilities><member>CAPABILITY_IAM</member><member>CAPABILITY_AUTO_EXPAND</member></Capabilities>\n"
	"  <CapabilitiesReason>The following resource(s) require capabilities: [AWS::IAM::Role, "
	"AWS::CloudFormation::Stack]</CapabilitiesReason>\n"
	"  <ResourceTypes><member>AWS::IAM::Role</member></ResourceTypes>\n"
	"  <Version>2010-09-09</Version>\n"
	" </GetTemplateSummaryResult>\n"
	" " META "\n"
	"</GetTemplateSummaryResponse>\n";

static const char create_stack[] = "<CreateStackResponse " NS "><CreateStackResult><StackId>" SUPER_ID
				   "</StackId></CreateStackResult>" META "</CreateStackResponse>\n";

static const char delete_stack[] = "<DeleteStackResponse " NS ">" META "</DeleteStackResponse>\n";

static const char validation_error[] = "<ErrorResponse " NS ">\n"
				       "  <Error>\n"
				       "    <Type>Sender</Type>\n"
				       "    <Code>ValidationError</Code>\n"
				       "    <Message>Stack with id alice-super does not exist</Message>\n"
				       "  </Error>\n"
				       "  <RequestId>b9b4b068-3a41-11e5-94eb-example</RequestId>\n"
				       "</ErrorResponse>\n";

/* ---- Builders ---- */

static void test_simple_bodies(void **state)
{
	(void)state;
	struct buf b = {0};
	cfn_describe_stacks_body(&b, "alice-super", NULL);
	assert_string_equal(buf_str(&b), "Action=DescribeStacks&Version=2010-05-15&StackName=alice-super");
	cfn_describe_stacks_body(&b, NULL, "c3RhY2tzLXBhZ2UtMg==");
	assert_string_equal(buf_str(&b), "Action=DescribeStacks&Version=2010-05-15&NextToken=c3RhY2tzLXBhZ2UtMg%3D%3D");
	cfn_describe_stack_events_body(&b, SUPER_ID, "ZXZlbnRzLTI=");
	assert_string_equal(buf_str(&b),
			    "Action=DescribeStackEvents&Version=2010-05-15&StackName=arn%3Aaws%3Acloudformation"
			    "%3Aus-east-2%3A069491470376%3Astack%2Falice-super%2F3dd4a0d0-9cd8-11f1-98f3-"
			    "0e8dc942569d&NextToken=ZXZlbnRzLTI%3D");
	cfn_describe_stack_resources_body(&b, "alice-super", NULL);
	assert_string_equal(buf_str(&b), "Action=DescribeStackResources&Version=2010-05-15&StackName=alice-super");
	cfn_describe_stack_resources_body(&b, "alice-super", "BastionStack");
	assert_string_equal(buf_str(&b), "Action=DescribeStackResources&Version=2010-05-15&StackName=alice-super"
					 "&LogicalResourceId=BastionStack");
	const char *st[] = {"CREATE_IN_PROGRESS", "CREATE_COMPLETE", "ROLLBACK_COMPLETE"};
	cfn_list_stacks_body(&b, st, 3, "bGlzdC0y");
	assert_string_equal(buf_str(&b), "Action=ListStacks&Version=2010-05-15"
					 "&StackStatusFilter.member.1=CREATE_IN_PROGRESS"
					 "&StackStatusFilter.member.2=CREATE_COMPLETE"
					 "&StackStatusFilter.member.3=ROLLBACK_COMPLETE&NextToken=bGlzdC0y");
	cfn_list_stacks_body(&b, NULL, 0, NULL);
	assert_string_equal(buf_str(&b), "Action=ListStacks&Version=2010-05-15");
	cfn_get_template_summary_body(&b, "https://readysettech-cfn-internal-us-east-2.s3.us-east-2.amazonaws.com/"
					  "abcd0b72/readyset/templates/readyset%20mysql.yaml");
	assert_string_equal(buf_str(&b), "Action=GetTemplateSummary&Version=2010-05-15&TemplateURL=https%3A%2F%2F"
					 "readysettech-cfn-internal-us-east-2.s3.us-east-2.amazonaws.com%2Fabcd0b72%2F"
					 "readyset%2Ftemplates%2Freadyset%2520mysql.yaml");
	buf_free(&b);
}

static void test_create_delete_bodies(void **state)
{
	(void)state;
	const struct query_pair params[] = {
		{"KeyPairName", "alice"},
		{"AvailabilityZones", "us-east-2a,us-east-2b,us-east-2c"},
		{"AccessCIDR", "203.0.113.7/32"},
		{"DatabaseName", ""},
	};
	const char *caps[] = {"CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"};
	const struct query_pair tags[] = {{"relcon:commit", "abcd0b72"}, {"Owner", "Alice Ünal"}};
	struct cfn_create_stack_req req = {
		.stack_name = "alice-super",
		.template_url = "https://b.s3.us-east-2.amazonaws.com/abcd0b72/readyset/templates/super.yaml",
		.params = params,
		.nparams = 4,
		.capabilities = caps,
		.ncapabilities = 2,
		.tags = tags,
		.ntags = 2,
		.disable_rollback = 1,
		.timeout_minutes = 90,
		.client_request_token = "relcon-7f3a",
	};
	struct buf b = {0};
	cfn_create_stack_body(&b, &req);
	assert_string_equal(buf_str(&b),
			    "Action=CreateStack&Version=2010-05-15&StackName=alice-super"
			    "&TemplateURL=https%3A%2F%2Fb.s3.us-east-2.amazonaws.com%2Fabcd0b72%2Freadyset%2Ftemplates"
			    "%2Fsuper.yaml"
			    "&Parameters.member.1.ParameterKey=KeyPairName&Parameters.member.1.ParameterValue=alice"
			    "&Parameters.member.2.ParameterKey=AvailabilityZones"
			    "&Parameters.member.2.ParameterValue=us-east-2a%2Cus-east-2b%2Cus-east-2c"
			    "&Parameters.member.3.ParameterKey=AccessCIDR"
			    "&Parameters.member.3.ParameterValue=203.0.113.7%2F32"
			    "&Parameters.member.4.ParameterKey=DatabaseName&Parameters.member.4.ParameterValue="
			    "&Capabilities.member.1=CAPABILITY_IAM&Capabilities.member.2=CAPABILITY_AUTO_EXPAND"
			    "&Tags.member.1.Key=relcon%3Acommit&Tags.member.1.Value=abcd0b72"
			    "&Tags.member.2.Key=Owner&Tags.member.2.Value=Alice%20%C3%9Cnal"
			    "&DisableRollback=true&TimeoutInMinutes=90&ClientRequestToken=relcon-7f3a");
	/* Optional parts left out. */
	struct cfn_create_stack_req min = {.stack_name = "s", .template_url = "https://x/t.yaml"};
	cfn_create_stack_body(&b, &min);
	assert_string_equal(buf_str(&b),
			    "Action=CreateStack&Version=2010-05-15&StackName=s&TemplateURL=https%3A%2F%2Fx%2Ft.yaml");

	const char *retain[] = {"DataBucket", "LogGroup"};
	cfn_delete_stack_body(&b, "alice-super", retain, 2, "relcon-del-1");
	assert_string_equal(buf_str(&b), "Action=DeleteStack&Version=2010-05-15&StackName=alice-super"
					 "&RetainResources.member.1=DataBucket&RetainResources.member.2=LogGroup"
					 "&ClientRequestToken=relcon-del-1");
	cfn_delete_stack_body(&b, "alice-super", NULL, 0, NULL);
	assert_string_equal(buf_str(&b), "Action=DeleteStack&Version=2010-05-15&StackName=alice-super");
	buf_free(&b);
}

/* ---- Parsers ---- */

static void test_stacks(void **state)
{
	(void)state;
	struct cfn_stacks l;
	struct buf err = {0};
	assert_int_equal(cfn_stacks_parse(stacks, strlen(stacks), &l, &err), 0);
	assert_int_equal(err.len, 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.next_token, "c3RhY2tzLXBhZ2UtMg==");
	struct cfn_stack *s = &l.v[0], *n = &l.v[1];
	assert_string_equal(s->name, "alice-super");
	assert_string_equal(s->id, SUPER_ID);
	assert_string_equal(s->status, "CREATE_COMPLETE");
	assert_null(s->status_reason);
	assert_string_equal(s->description, "ReadySet MySQL super stack");
	assert_string_equal(s->creation_time, "2025-03-01T11:00:00.123Z");
	assert_int_equal(s->created, 1740826800);
	assert_null(s->last_updated_time);
	assert_int_equal(s->updated, 0);
	assert_int_equal(s->nparams, 3);
	assert_string_equal(s->params[0].key, "KeyPairName");
	assert_string_equal(s->params[0].value, "alice");
	assert_null(s->params[0].resolved_value);
	assert_string_equal(s->params[1].value, "****");
	assert_string_equal(s->params[2].resolved_value, "ami-0abc");
	assert_int_equal(s->noutputs, 2);
	assert_string_equal(s->outputs[0].key, "ReadySetAdapterNLBDNSName");
	assert_string_equal(s->outputs[0].value, "rs-nlb-0123.elb.us-east-2.amazonaws.com");
	assert_string_equal(s->outputs[0].description, "Connect here");
	assert_string_equal(s->outputs[0].export_name, "alice-nlb");
	assert_string_equal(s->outputs[1].value, "");
	assert_null(s->outputs[1].description);
	assert_int_equal(s->ntags, 1);
	assert_string_equal(s->tags[0].key, "relcon:commit");
	assert_string_equal(s->tags[0].value, "abcd0b72");
	assert_int_equal(s->ncapabilities, 2);
	assert_string_equal(s->capabilities[0], "CAPABILITY_IAM");
	assert_string_equal(s->capabilities[1], "CAPABILITY_AUTO_EXPAND");
	assert_int_equal(s->termination_protection, 1);
	assert_int_equal(s->disable_rollback, 1);
	assert_null(s->parent_id);
	assert_null(s->root_id);

	assert_string_equal(n->name, "alice-super-BastionStack-1AB2");
	assert_string_equal(n->status, "UPDATE_ROLLBACK_COMPLETE");
	assert_string_equal(n->status_reason, "Resource creation cancelled");
	assert_int_equal(n->updated, 1740830400);
	assert_string_equal(n->parent_id, SUPER_ID);
	assert_string_equal(n->root_id, SUPER_ID);
	assert_int_equal(n->termination_protection, 0);
	assert_int_equal(n->disable_rollback, 0);
	assert_int_equal(n->nparams, 0);
	assert_null(n->params);
	assert_int_equal(n->noutputs, 1);
	assert_string_equal(n->outputs[0].key, "EIP1");
	assert_string_equal(n->outputs[0].value, "3.14.15.92");
	assert_int_equal(n->ncapabilities, 0);
	assert_null(n->capabilities);
	cfn_stacks_free(&l);
	assert_null(l.v);

	const char *empty = "<DescribeStacksResponse " NS "><DescribeStacksResult><Stacks/></DescribeStacksResult>" META
			    "</DescribeStacksResponse>";
	assert_int_equal(cfn_stacks_parse(empty, strlen(empty), &l, &err), 0);
	assert_int_equal(l.n, 0);
	assert_null(l.next_token);
	cfn_stacks_free(&l);
	buf_free(&err);
}

static void test_events(void **state)
{
	(void)state;
	struct cfn_events l;
	struct buf err = {0};
	assert_int_equal(cfn_events_parse(events, strlen(events), &l, &err), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.next_token, "ZXZlbnRzLTI=");
	struct cfn_event *e = &l.v[0];
	assert_string_equal(e->event_id, "BastionStack-CREATE_FAILED-2025-03-01T11:03:00.000Z");
	assert_string_equal(e->stack_id, SUPER_ID);
	assert_string_equal(e->stack_name, "alice-super");
	assert_string_equal(e->logical_id, "BastionStack");
	assert_string_equal(e->physical_id, NESTED_ID);
	assert_string_equal(e->resource_type, "AWS::CloudFormation::Stack");
	assert_string_equal(e->timestamp, "2025-03-01T11:03:00.000Z");
	assert_int_equal(e->time, 1740826980);
	assert_string_equal(e->status, "CREATE_FAILED");
	/* Trailing space trimmed, the rest exact. */
	assert_string_equal(e->status_reason, "Embedded stack " NESTED_ID " was not successfully created: "
					      "The following resource(s) failed to create: [EIP1].");
	assert_string_equal(e->client_request_token, "relcon-7f3a");
	assert_null(l.v[1].physical_id);
	assert_null(l.v[1].client_request_token);
	assert_string_equal(l.v[1].status_reason, "User Initiated");
	cfn_events_free(&l);

	const char *bad = "<DescribeStackEventsResponse><DescribeStackEventsResult><StackEvents>"
			  "<member><EventId>1</EventId></member><member><StackName>x</StackName></member>"
			  "</StackEvents><NextToken>t</NextToken></DescribeStackEventsResult>"
			  "</DescribeStackEventsResponse>";
	assert_int_equal(cfn_events_parse(bad, strlen(bad), &l, &err), -1);
	assert_string_equal(buf_str(&err), "DescribeStackEvents: malformed response: event 2 has no <EventId>");
	assert_null(l.v);
	assert_null(l.next_token);
	buf_free(&err);
}

static void test_resources(void **state)
{
	(void)state;
	struct cfn_resources l;
	struct buf err = {0};
	assert_int_equal(cfn_resources_parse(resources, strlen(resources), &l, &err), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0].logical_id, "BastionStack");
	assert_string_equal(l.v[0].physical_id, NESTED_ID);
	assert_string_equal(l.v[0].type, "AWS::CloudFormation::Stack");
	assert_string_equal(l.v[0].status, "CREATE_COMPLETE");
	assert_int_equal(l.v[0].time, 1740827100);
	assert_string_equal(l.v[1].physical_id, "i-0598c7d356eba48d7");
	assert_string_equal(l.v[1].type, "AWS::EC2::Instance");
	assert_null(l.v[2].physical_id);
	assert_string_equal(l.v[2].status, "CREATE_FAILED");
	assert_string_equal(l.v[2].status_reason, "timed out");
	cfn_resources_free(&l);
	buf_free(&err);
}

static void test_summaries(void **state)
{
	(void)state;
	struct cfn_summaries l;
	struct buf err = {0};
	assert_int_equal(cfn_summaries_parse(summaries, strlen(summaries), &l, &err), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.next_token, "bGlzdC0y");
	assert_string_equal(l.v[0].name, "alice-super");
	assert_string_equal(l.v[0].id, SUPER_ID);
	assert_string_equal(l.v[0].status, "DELETE_COMPLETE");
	assert_string_equal(l.v[0].creation_time, "2025-03-01T11:00:00.123Z");
	assert_string_equal(l.v[0].deletion_time, "2025-03-02T09:00:00Z");
	assert_int_equal(l.v[0].deleted, 1740906000);
	assert_null(l.v[0].parent_id);
	assert_string_equal(l.v[1].parent_id, SUPER_ID);
	assert_null(l.v[1].deletion_time);
	assert_int_equal(l.v[1].deleted, 0);
	cfn_summaries_free(&l);

	const char *last = "<ListStacksResponse><ListStacksResult><StackSummaries/></ListStacksResult>"
			   "</ListStacksResponse>";
	assert_int_equal(cfn_summaries_parse(last, strlen(last), &l, &err), 0);
	assert_int_equal(l.n, 0);
	assert_null(l.next_token);
	cfn_summaries_free(&l);
	const char *nostatus = "<ListStacksResponse><ListStacksResult><StackSummaries><member>"
			       "<StackName>a</StackName><StackId>id</StackId></member></StackSummaries>"
			       "</ListStacksResult></ListStacksResponse>";
	assert_int_equal(cfn_summaries_parse(nostatus, strlen(nostatus), &l, &err), -1);
	assert_string_equal(buf_str(&err), "ListStacks: malformed response: stack summary 1 has no <StackStatus>");
	buf_free(&err);
}

static void test_template_summary(void **state)
{
	(void)state;
	struct cfn_template_summary t;
	struct buf err = {0};
	assert_int_equal(cfn_template_summary_parse(template_summary, strlen(template_summary), &t, &err), 0);
	assert_string_equal(t.description, "ReadySet MySQL super stack");
	assert_int_equal(t.nparams, 5);
	struct cfn_template_param *p = t.params;
	assert_string_equal(p[0].key, "KeyPairName");
	assert_string_equal(p[0].type, "AWS::EC2::KeyPair::KeyName");
	assert_null(p[0].default_value);
	assert_string_equal(p[0].description, "SSH key for the bastion");
	assert_int_equal(p[0].no_echo, 0);
	assert_int_equal(p[0].nallowed, 0);
	assert_null(p[0].allowed_values);
	assert_string_equal(p[1].key, "AccessCIDR");
	assert_string_equal(p[1].default_value, "0.0.0.0/0");
	assert_null(p[1].description);
	assert_int_equal(p[2].no_echo, 1);
	assert_int_equal(p[3].nallowed, 3);
	assert_string_equal(p[3].allowed_values[0], "t3.large");
	assert_string_equal(p[3].allowed_values[2], "m5.large");
	assert_string_equal(p[4].default_value, ""); /* an empty default is a default */
	assert_int_equal(t.ncapabilities, 2);
	assert_string_equal(t.capabilities[0], "CAPABILITY_IAM");
	assert_string_equal(t.capabilities_reason, "The following resource(s) require capabilities: "
						   "[AWS::IAM::Role, AWS::CloudFormation::Stack]");
	cfn_template_summary_free(&t);
	assert_null(t.params);

	const char *bare = "<GetTemplateSummaryResponse><GetTemplateSummaryResult/></GetTemplateSummaryResponse>";
	assert_int_equal(cfn_template_summary_parse(bare, strlen(bare), &t, &err), 0);
	assert_int_equal(t.nparams + t.ncapabilities, 0);
	assert_null(t.capabilities_reason);
	cfn_template_summary_free(&t);
	buf_free(&err);
}

static void test_create_delete(void **state)
{
	(void)state;
	struct buf err = {0};
	char *id = NULL;
	assert_int_equal(cfn_create_stack_parse(create_stack, strlen(create_stack), &id, &err), 0);
	assert_string_equal(id, SUPER_ID);
	free(id);
	const char *noid = "<CreateStackResponse><CreateStackResult/></CreateStackResponse>";
	assert_int_equal(cfn_create_stack_parse(noid, strlen(noid), &id, &err), -1);
	assert_null(id);
	assert_string_equal(buf_str(&err), "CreateStack: malformed response: no <StackId>");
	buf_reset(&err);
	const char *exists = "<ErrorResponse " NS "><Error><Type>Sender</Type><Code>AlreadyExistsException</Code>"
			     "<Message>Stack [alice-super] already exists</Message></Error>"
			     "<RequestId>1</RequestId></ErrorResponse>";
	assert_int_equal(cfn_create_stack_parse(exists, strlen(exists), &id, &err), -1);
	assert_string_equal(buf_str(&err), "CreateStack: AlreadyExistsException: Stack [alice-super] already exists");
	buf_reset(&err);

	assert_int_equal(cfn_delete_stack_parse(delete_stack, strlen(delete_stack), &err), 0);
	assert_int_equal(err.len, 0);
	assert_int_equal(cfn_delete_stack_parse(create_stack, strlen(create_stack), &err), -1);
	assert_string_equal(buf_str(&err), "DeleteStack: not the expected response element <CreateStackResponse> "
					   "(want <DeleteStackResponse>)");
	buf_free(&err);
}

static void test_errors(void **state)
{
	(void)state;
	struct buf err = {0};
	struct cfn_stacks l;
	assert_int_equal(cfn_stacks_parse(validation_error, strlen(validation_error), &l, &err), -1);
	assert_string_equal(buf_str(&err), "DescribeStacks: ValidationError: Stack with id alice-super does not exist");
	buf_reset(&err);
	const char *throttle = "<ErrorResponse " NS "><Error><Type>Sender</Type><Code>Throttling</Code>"
			       "<Message>Rate exceeded</Message></Error><RequestId>1</RequestId></ErrorResponse>";
	struct cfn_events ev;
	assert_int_equal(cfn_events_parse(throttle, strlen(throttle), &ev, &err), -1);
	assert_string_equal(buf_str(&err), "DescribeStackEvents: Throttling: Rate exceeded");
	buf_reset(&err);
	const char *nores = "<DescribeStacksResponse " NS ">" META "</DescribeStacksResponse>";
	assert_int_equal(cfn_stacks_parse(nores, strlen(nores), &l, &err), -1);
	assert_string_equal(buf_str(&err), "DescribeStacks: malformed response: no <DescribeStacksResult>");
	buf_reset(&err);
	/* A nested list with a bad member fails the whole page. */
	const char *badparam = "<DescribeStacksResponse><DescribeStacksResult><Stacks><member>"
			       "<StackName>a</StackName><StackId>i</StackId><StackStatus>s</StackStatus>"
			       "<Parameters><member><ParameterValue>v</ParameterValue></member></Parameters>"
			       "</member></Stacks></DescribeStacksResult></DescribeStacksResponse>";
	assert_int_equal(cfn_stacks_parse(badparam, strlen(badparam), &l, &err), -1);
	assert_string_equal(buf_str(&err), "DescribeStacks: malformed response: parameter 1 has no <ParameterKey>");
	assert_null(l.v);
	buf_reset(&err);
	const char *badout = "<DescribeStacksResponse><DescribeStacksResult><Stacks><member>"
			     "<StackName>a</StackName><StackId>i</StackId><StackStatus>s</StackStatus>"
			     "<Outputs><member><OutputKey>k</OutputKey></member><member/></Outputs>"
			     "<Tags><member><Key>k</Key></member></Tags>"
			     "</member></Stacks></DescribeStacksResult></DescribeStacksResponse>";
	assert_int_equal(cfn_stacks_parse(badout, strlen(badout), &l, &err), -1);
	assert_string_equal(buf_str(&err), "DescribeStacks: malformed response: output 2 has no <OutputKey>");
	buf_reset(&err);
	const char *badtag = "<DescribeStacksResponse><DescribeStacksResult><Stacks><member>"
			     "<StackName>a</StackName><StackId>i</StackId><StackStatus>s</StackStatus>"
			     "<Tags><member><Value>k</Value></member></Tags>"
			     "</member></Stacks></DescribeStacksResult></DescribeStacksResponse>";
	assert_int_equal(cfn_stacks_parse(badtag, strlen(badtag), &l, &err), -1);
	assert_string_equal(buf_str(&err), "DescribeStacks: malformed response: tag 1 has no <Key>");
	buf_free(&err);
}

static int parse_any(size_t which, const char *body, size_t len, struct buf *err)
{
	int rc;
	switch (which) {
	case 0: {
		struct cfn_stacks l;
		rc = cfn_stacks_parse(body, len, &l, err);
		if (rc == 0)
			cfn_stacks_free(&l);
		return rc;
	}
	case 1: {
		struct cfn_events l;
		rc = cfn_events_parse(body, len, &l, err);
		if (rc == 0)
			cfn_events_free(&l);
		return rc;
	}
	case 2: {
		struct cfn_resources l;
		rc = cfn_resources_parse(body, len, &l, err);
		if (rc == 0)
			cfn_resources_free(&l);
		return rc;
	}
	case 3: {
		struct cfn_summaries l;
		rc = cfn_summaries_parse(body, len, &l, err);
		if (rc == 0)
			cfn_summaries_free(&l);
		return rc;
	}
	case 4: {
		struct cfn_template_summary t;
		rc = cfn_template_summary_parse(body, len, &t, err);
		if (rc == 0)
			cfn_template_summary_free(&t);
		return rc;
	}
	case 5: {
		char *id;
		rc = cfn_create_stack_parse(body, len, &id, err);
		free(id);
		return rc;
	}
	default:
		return cfn_delete_stack_parse(body, len, err);
	}
}

static void test_truncated(void **state)
{
	(void)state;
	const char *bodies[] = {stacks, events, resources, summaries, template_summary, create_stack, delete_stack};
	for (size_t b = 0; b < sizeof bodies / sizeof bodies[0]; b++) {
		size_t len = strlen(bodies[b]);
		struct buf err = {0};
		assert_int_equal(parse_any(b, bodies[b], len, &err), 0);
		while (len > 0 && bodies[b][len - 1] == '\n')
			len--;
		for (size_t cut = 0; cut < len; cut++) {
			buf_reset(&err);
			assert_int_equal(parse_any(b, bodies[b], cut, &err), -1);
			assert_true(err.len > 0);
			assert_null(strchr(buf_str(&err), '\n'));
		}
		buf_free(&err);
	}
}

static void test_hostile(void **state)
{
	(void)state;
	const char *body = "<DescribeStackEventsResponse><DescribeStackEventsResult><StackEvents><member>"
			   "<EventId>e&amp;1</EventId>"
			   "<ResourceStatusReason>&lt;script&gt;alert(1)&lt;/script&gt; \xc2\x9b"
			   "2J "
			   "\xe2\x80\xae"
			   "evil\r\nline</ResourceStatusReason>"
			   "<LogicalResourceId>&#x10FFFF;</LogicalResourceId>"
			   "</member></StackEvents></DescribeStackEventsResult></DescribeStackEventsResponse>";
	struct cfn_events l;
	struct buf err = {0};
	assert_int_equal(cfn_events_parse(body, strlen(body), &l, &err), 0);
	assert_string_equal(l.v[0].event_id, "e&1");
	/* XML normalises CR LF to LF; everything else is kept. */
	assert_string_equal(l.v[0].status_reason, "<script>alert(1)</script> \xc2\x9b"
						  "2J \xe2\x80\xae"
						  "evil\nline");
	assert_string_equal(l.v[0].logical_id, "\xf4\x8f\xbf\xbf");
	cfn_events_free(&l);
	const char *esc = "<DescribeStackEventsResponse><DescribeStackEventsResult><StackEvents><member>"
			  "<EventId>1</EventId><ResourceStatusReason>&#x1b;]52;c;aGk=&#7;</ResourceStatusReason>"
			  "</member></StackEvents></DescribeStackEventsResult></DescribeStackEventsResponse>";
	/* XML 1.0 forbids these references, but an answer that has them is
	 * read: the control characters reach the caller as sent (the screens
	 * and the output sanitize them), rather than the stack being unreadable. */
	assert_int_equal(cfn_events_parse(esc, strlen(esc), &l, &err), 0);
	assert_string_equal(l.v[0].status_reason, "\x1b]52;c;aGk=\a");
	cfn_events_free(&l);
	buf_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple_bodies),    cmocka_unit_test(test_create_delete_bodies),
		cmocka_unit_test(test_stacks),           cmocka_unit_test(test_events),
		cmocka_unit_test(test_resources),        cmocka_unit_test(test_summaries),
		cmocka_unit_test(test_template_summary), cmocka_unit_test(test_create_delete),
		cmocka_unit_test(test_errors),           cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
