/* EC2 Query XML (aws/ec2.h): DescribeImages, DescribeImageAttribute
 * (launch permissions), DescribeKeyPairs, DescribeInstances.  Every
 * parser reads every input: each checks its own root element. */
#include "tests/fuzz/fuzz.h"

#include "aws/ec2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	struct buf err = {0};

	struct ec2_images im;
	if (ec2_images_parse(body, size, &im, &err) == 0)
		ec2_images_free(&im);
	buf_reset(&err);

	struct ec2_launch_perms lp;
	if (ec2_launch_perms_parse(body, size, &lp, &err) == 0)
		ec2_launch_perms_free(&lp);
	buf_reset(&err);

	struct ec2_key_pairs kp;
	if (ec2_key_pairs_parse(body, size, &kp, &err) == 0)
		ec2_key_pairs_free(&kp);
	buf_reset(&err);

	struct ec2_instances in;
	if (ec2_instances_parse(body, size, &in, &err) == 0)
		ec2_instances_free(&in);
	buf_free(&err);
	return 0;
}
