/* CloudFormation Query XML (aws/cfn.h): DescribeStacks, DescribeStackEvents,
 * DescribeStackResources, ListStacks, GetTemplateSummary, CreateStack,
 * DeleteStack.  Every parser reads every input. */
#include "tests/fuzz/fuzz.h"

#include "aws/cfn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	struct buf err = {0};

	struct cfn_stacks st;
	if (cfn_stacks_parse(body, size, &st, &err) == 0)
		cfn_stacks_free(&st);
	buf_reset(&err);

	struct cfn_events ev;
	if (cfn_events_parse(body, size, &ev, &err) == 0)
		cfn_events_free(&ev);
	buf_reset(&err);

	struct cfn_resources rs;
	if (cfn_resources_parse(body, size, &rs, &err) == 0)
		cfn_resources_free(&rs);
	buf_reset(&err);

	struct cfn_summaries su;
	if (cfn_summaries_parse(body, size, &su, &err) == 0)
		cfn_summaries_free(&su);
	buf_reset(&err);

	struct cfn_template_summary ts;
	if (cfn_template_summary_parse(body, size, &ts, &err) == 0)
		cfn_template_summary_free(&ts);
	buf_reset(&err);

	char *id = NULL;
	if (cfn_create_stack_parse(body, size, &id, &err) == 0)
		free(id);
	buf_reset(&err);

	(void)cfn_delete_stack_parse(body, size, &err);
	buf_free(&err);
	return 0;
}
