/* Unit tests for aws/ec2.c: request bodies byte for byte, and the
 * DescribeImages, DescribeImageAttribute, DescribeKeyPairs and
 * DescribeInstances parsers on responses modelled on the EC2 docs:
 * pagination, empty lists, error bodies, truncation at every byte and
 * hostile strings kept exactly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aws/ec2.h"
#include "core/buf.h"

#define SHA1 "abcd0b72a1e580e90712cdd9eb26d3fb41cd09c8"
#define SHA2 "0123456789abcdef0123456789abcdef01234567"
#define SHA3 "fedcba9876543210fedcba9876543210fedcba98"

static const char images_page1[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<DescribeImagesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\n"
	"  <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>\n"
	"  <imagesSet>\n"
	"    <item>\n"
	"      <imageId>ami-0abcdef1234567890</imageId>\n"
	"      <imageLocation>305232526136/readyset/images/hvm-ssd/readyset-server</imageLocation>\n"
	"      <imageState>available</imageState>\n"
	"      <imageOwnerId>305232526136</imageOwnerId>\n"
	"      <creationDate>2025-03-01T10:15:00.000Z</creationDate>\n"
	"      <isPublic>false</isPublic>\n"
	"      <architecture>x86_64</architecture>\n"
	"      <imageType>machine</imageType>\n"
	"      <name>readyset/images/hvm-ssd/readyset-server-release-test-amd64-20250301101500</name>\n"
	"      <description>ReadySet server &amp; adapter</description>\n"
	"      <rootDeviceType>ebs</rootDeviceType>\n"
	"      <blockDeviceMapping><item><deviceName>/dev/xvda</deviceName><ebs><snapshotId>snap-1</snapshotId>"
	"<volumeSize>8</volumeSize></ebs></item></blockDeviceMapping>\n"
	"      <virtualizationType>hvm</virtualizationType>\n"
	"      <tagSet>\n"
	"        <item><key>Commit</key><value>" SHA1 "</value></item>\n"
	"        <item><key>Name</key><value>readyset-server</value></item>\n"
	"      </tagSet>\n"
	"      <stateReason><code>x</code><message>y</message></stateReason>\n"
	"    </item>\n"
	"    <item>\n"
	"      <imageId>ami-0fedcba9876543210</imageId>\n"
	"      <imageState>pending</imageState>\n"
	"      <imageOwnerId>305232526136</imageOwnerId>\n"
	"      <creationDate>2025-03-01T10:16:30.000Z</creationDate>\n"
	"      <isPublic>true</isPublic>\n"
	"      <architecture>arm64</architecture>\n"
	"      <name>readyset/images/hvm-ssd/readyset-mysql-adapter-release-test-arm64-20250301101500</name>\n"
	"      <description/>\n"
	"    </item>\n"
	"  </imagesSet>\n"
	"  <nextToken>eyJ2IjoiMiIsImMiOiJ+/abc=</nextToken>\n"
	"</DescribeImagesResponse>\n";

static const char images_last_empty[] = "<DescribeImagesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
					"<requestId>1</requestId><imagesSet/><nextToken/></DescribeImagesResponse>";

static const char launch_perms[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<DescribeImageAttributeResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\n"
	"  <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>\n"
	"  <imageId>ami-0abcdef1234567890</imageId>\n"
	"  <launchPermission>\n"
	"    <item><userId>069491470376</userId></item>\n"
	"    <item><userId>724964194832</userId></item>\n"
	"    <item><group>all</group></item>\n"
	"    "
	"<item><organizationArn>arn:aws:organizations::305232526136:organization/o-abc123</organizationArn></item>\n"
	"    <item><organizationalUnitArn>arn:aws:organizations::305232526136:ou/o-abc123/ou-ab12-cd34"
	"</organizationalUnitArn></item>\n"
	"    <item><userId>305232526136</userId></item>\n"
	"  </launchPermission>\n"
	"</DescribeImageAttributeResponse>\n";

static const char key_pairs[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<DescribeKeyPairsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\n"
	"  <requestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</requestId>\n"
	"  <keySet>\n"
	"    <item>\n"
	"      <keyPairId>key-0123456789abcdef0</keyPairId>\n"
	"      <keyName>alice</keyName>\n"
	"      <keyFingerprint>1f:51:ae:28:bf:89:e9:d8:1f:25:5d:37:2d:7d:b8:ca:9f:f5:f1:6f</keyFingerprint>\n"
	"      <keyType>rsa</keyType>\n"
	"      <tagSet/>\n"
	"      <createTime>2023-06-01T09:30:00.000Z</createTime>\n"
	"    </item>\n"
	"    <item>\n"
	"      <keyPairId>key-0fedcba9876543210</keyPairId>\n"
	"      <keyName>bob laptop</keyName>\n"
	"      <keyFingerprint>SHA256:abc+def/ghi=</keyFingerprint>\n"
	"      <keyType>ed25519</keyType>\n"
	"    </item>\n"
	"  </keySet>\n"
	"</DescribeKeyPairsResponse>\n";

static const char instances[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<DescribeInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\n"
	"  <requestId>8f7724cf-496f-496e-8fe3-example</requestId>\n"
	"  <reservationSet>\n"
	"    <item>\n"
	"      <reservationId>r-1234567890abcdef0</reservationId>\n"
	"      <ownerId>069491470376</ownerId>\n"
	"      <groupSet/>\n"
	"      <instancesSet>\n"
	"        <item>\n"
	"          <instanceId>i-0598c7d356eba48d7</instanceId>\n"
	"          <imageId>ami-0abcdef1234567890</imageId>\n"
	"          <instanceState><code>16</code><name>running</name></instanceState>\n"
	"          <privateDnsName>ip-10-0-1-12.us-east-2.compute.internal</privateDnsName>\n"
	"          <dnsName>ec2-3-14-15-92.us-east-2.compute.amazonaws.com</dnsName>\n"
	"          <keyName>alice</keyName>\n"
	"          <instanceType>t3.medium</instanceType>\n"
	"          <launchTime>2025-03-01T11:05:00.000Z</launchTime>\n"
	"          <subnetId>subnet-0a1b2c3d</subnetId>\n"
	"          <vpcId>vpc-0a1b2c3d</vpcId>\n"
	"          <privateIpAddress>10.0.1.12</privateIpAddress>\n"
	"          <ipAddress>3.14.15.92</ipAddress>\n"
	"          <tagSet>\n"
	"            "
	"<item><key>aws:cloudformation:stack-name</key><value>alice-super-BastionStack-1AB2</value></item>\n"
	"            <item><key>aws:cloudformation:logical-id</key><value>BastionHost</value></item>\n"
	"          </tagSet>\n"
	"          <networkInterfaceSet><item><privateIpAddress>10.0.1.99</privateIpAddress></item>"
	"</networkInterfaceSet>\n"
	"        </item>\n"
	"      </instancesSet>\n"
	"    </item>\n"
	"    <item>\n"
	"      <reservationId>r-0fedcba9876543210</reservationId>\n"
	"      <instancesSet>\n"
	"        <item>\n"
	"          <instanceId>i-0aaaaaaaaaaaaaaa1</instanceId>\n"
	"          <instanceState><code>336</code><name>stopped</name></instanceState>\n"
	"          <privateIpAddress>10.0.2.7</privateIpAddress>\n"
	"          <subnetId>subnet-0e0e0e0e</subnetId>\n"
	"          <launchTime>2025-03-01T11:06:00.000Z</launchTime>\n"
	"        </item>\n"
	"        <item>\n"
	"          <instanceId>i-0aaaaaaaaaaaaaaa2</instanceId>\n"
	"          <instanceState><name>pending</name></instanceState>\n"
	"        </item>\n"
	"      </instancesSet>\n"
	"    </item>\n"
	"  </reservationSet>\n"
	"  <nextToken>AAEAAQ==</nextToken>\n"
	"</DescribeInstancesResponse>\n";

static const char ec2_error[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<Response><Errors><Error><Code>InvalidAMIID.NotFound</Code>"
	"<Message>The image id '[ami-0abcdef1234567890]' does not exist</Message></Error></Errors>"
	"<RequestID>ee5d8b3c-3f0d-4a4b-9b8a-0c2e1EXAMPLE</RequestID></Response>";

/* ---- Builders ---- */

static void test_describe_images_body(void **state)
{
	(void)state;
	const char *shas[] = {SHA1, SHA2, SHA3};
	const char *avail[] = {"available"};
	const struct ec2_filter filters[] = {{"tag:Commit", shas, 3}, {"state", avail, 1}};
	const char *owners[] = {"self", "305232526136"};
	struct ec2_images_req req = {
		.owners = owners,
		.nowners = 2,
		.filters = filters,
		.nfilters = 2,
		.max_results = 100,
		.next_token = "eyJ2IjoiMiIsImMiOiJ+/abc=",
	};
	struct buf b = {0};
	ec2_describe_images_body(&b, &req);
	assert_string_equal(buf_str(&b), "Action=DescribeImages&Version=2016-11-15&Owner.1=self&Owner.2=305232526136"
					 "&Filter.1.Name=tag%3ACommit&Filter.1.Value.1=" SHA1 "&Filter.1.Value.2=" SHA2
					 "&Filter.1.Value.3=" SHA3 "&Filter.2.Name=state&Filter.2.Value.1=available"
					 "&MaxResults=100&NextToken=eyJ2IjoiMiIsImMiOiJ%2B%2Fabc%3D");

	const char *ids[] = {"ami-0abcdef1234567890", "ami-0fedcba9876543210"};
	const char *names[] = {"readyset/images/hvm-ssd/*-release-test-*"};
	const struct ec2_filter name_filter[] = {{"name", names, 1}};
	struct ec2_images_req byid = {.image_ids = ids, .nimage_ids = 2, .filters = name_filter, .nfilters = 1};
	ec2_describe_images_body(&b, &byid); /* replaces the previous body */
	assert_string_equal(buf_str(&b),
			    "Action=DescribeImages&Version=2016-11-15"
			    "&ImageId.1=ami-0abcdef1234567890&ImageId.2=ami-0fedcba9876543210"
			    "&Filter.1.Name=name&Filter.1.Value.1=readyset%2Fimages%2Fhvm-ssd%2F%2A-release-test-%2A");

	struct ec2_images_req none = {0};
	ec2_describe_images_body(&b, &none);
	assert_string_equal(buf_str(&b), "Action=DescribeImages&Version=2016-11-15");
	buf_free(&b);
}

static void test_other_bodies(void **state)
{
	(void)state;
	struct buf b = {0};
	ec2_describe_image_attribute_body(&b, "ami-0abcdef1234567890", NULL);
	assert_string_equal(buf_str(&b), "Action=DescribeImageAttribute&Version=2016-11-15"
					 "&ImageId=ami-0abcdef1234567890&Attribute=launchPermission");
	ec2_describe_image_attribute_body(&b, "ami-1", "description");
	assert_string_equal(buf_str(&b), "Action=DescribeImageAttribute&Version=2016-11-15&ImageId=ami-1"
					 "&Attribute=description");

	ec2_describe_key_pairs_body(&b, NULL, 0);
	assert_string_equal(buf_str(&b), "Action=DescribeKeyPairs&Version=2016-11-15");
	const char *keys[] = {"alice", "bob laptop"};
	ec2_describe_key_pairs_body(&b, keys, 2);
	assert_string_equal(buf_str(&b), "Action=DescribeKeyPairs&Version=2016-11-15&KeyName.1=alice"
					 "&KeyName.2=bob%20laptop");

	const char *stack[] = {"alice-super"};
	const char *states[] = {"pending", "running"};
	const struct ec2_filter filters[] = {{"tag:aws:cloudformation:stack-name", stack, 1},
					     {"instance-state-name", states, 2}};
	struct ec2_instances_req req = {.filters = filters, .nfilters = 2, .max_results = 50, .next_token = "AAEAAQ=="};
	ec2_describe_instances_body(&b, &req);
	assert_string_equal(buf_str(&b), "Action=DescribeInstances&Version=2016-11-15"
					 "&Filter.1.Name=tag%3Aaws%3Acloudformation%3Astack-name"
					 "&Filter.1.Value.1=alice-super&Filter.2.Name=instance-state-name"
					 "&Filter.2.Value.1=pending&Filter.2.Value.2=running"
					 "&MaxResults=50&NextToken=AAEAAQ%3D%3D");
	/* MaxResults cannot be combined with InstanceId.N: left out. */
	const char *ids[] = {"i-0598c7d356eba48d7", "i-0aaaaaaaaaaaaaaa1"};
	struct ec2_instances_req byid = {.instance_ids = ids, .ninstance_ids = 2, .max_results = 50};
	ec2_describe_instances_body(&b, &byid);
	assert_string_equal(buf_str(&b), "Action=DescribeInstances&Version=2016-11-15"
					 "&InstanceId.1=i-0598c7d356eba48d7&InstanceId.2=i-0aaaaaaaaaaaaaaa1");
	buf_free(&b);
}

/* ---- Parsers ---- */

static void test_images(void **state)
{
	(void)state;
	struct ec2_images l;
	struct buf err = {0};
	assert_int_equal(ec2_images_parse(images_page1, strlen(images_page1), &l, &err), 0);
	assert_int_equal(err.len, 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.next_token, "eyJ2IjoiMiIsImMiOiJ+/abc=");
	struct ec2_image *a = &l.v[0], *b = &l.v[1];
	assert_string_equal(a->image_id, "ami-0abcdef1234567890");
	assert_string_equal(a->name, "readyset/images/hvm-ssd/readyset-server-release-test-amd64-20250301101500");
	assert_string_equal(a->state, "available");
	assert_string_equal(a->creation_date, "2025-03-01T10:15:00.000Z");
	assert_int_equal(a->created, 1740824100);
	assert_string_equal(a->owner_id, "305232526136");
	assert_int_equal(a->is_public, 0);
	assert_string_equal(a->description, "ReadySet server & adapter");
	assert_string_equal(a->architecture, "x86_64");
	assert_int_equal(a->ntags, 2);
	assert_string_equal(a->tags[0].key, "Commit");
	assert_string_equal(a->tags[0].value, SHA1);
	assert_string_equal(a->tags[1].key, "Name");
	assert_string_equal(b->image_id, "ami-0fedcba9876543210");
	assert_string_equal(b->state, "pending");
	assert_int_equal(b->is_public, 1);
	assert_string_equal(b->architecture, "arm64");
	assert_string_equal(b->description, ""); /* present but empty */
	assert_int_equal(b->ntags, 0);
	assert_null(b->tags);
	ec2_images_free(&l);
	assert_null(l.v);
	assert_int_equal(l.n, 0);
	assert_null(l.next_token);

	/* Last page: empty set, empty nextToken = no more pages. */
	assert_int_equal(ec2_images_parse(images_last_empty, strlen(images_last_empty), &l, &err), 0);
	assert_int_equal(l.n, 0);
	assert_null(l.v);
	assert_null(l.next_token);
	ec2_images_free(&l);
	/* An empty page may still carry a token: keep paging. */
	const char *empty_more =
		"<DescribeImagesResponse><imagesSet/><nextToken>t2</nextToken></DescribeImagesResponse>";
	assert_int_equal(ec2_images_parse(empty_more, strlen(empty_more), &l, &err), 0);
	assert_int_equal(l.n, 0);
	assert_string_equal(l.next_token, "t2");
	ec2_images_free(&l);
	buf_free(&err);
}

static void test_launch_perms(void **state)
{
	(void)state;
	struct ec2_launch_perms p;
	struct buf err = {0};
	assert_int_equal(ec2_launch_perms_parse(launch_perms, strlen(launch_perms), &p, &err), 0);
	assert_string_equal(p.image_id, "ami-0abcdef1234567890");
	assert_int_equal(p.nuser_ids, 3);
	assert_string_equal(p.user_ids[0], "069491470376");
	assert_string_equal(p.user_ids[1], "724964194832");
	assert_string_equal(p.user_ids[2], "305232526136");
	assert_int_equal(p.is_public, 1);
	assert_int_equal(p.norg_arns, 1);
	assert_string_equal(p.org_arns[0], "arn:aws:organizations::305232526136:organization/o-abc123");
	assert_int_equal(p.nou_arns, 1);
	assert_string_equal(p.ou_arns[0], "arn:aws:organizations::305232526136:ou/o-abc123/ou-ab12-cd34");
	ec2_launch_perms_free(&p);
	assert_null(p.user_ids);

	/* Private image: no launchPermission items (empty element or none). */
	const char *bodies[] = {
		"<DescribeImageAttributeResponse><requestId>1</requestId><imageId>ami-1</imageId>"
		"<launchPermission/></DescribeImageAttributeResponse>",
		"<DescribeImageAttributeResponse><imageId>ami-1</imageId></DescribeImageAttributeResponse>",
	};
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(ec2_launch_perms_parse(bodies[i], strlen(bodies[i]), &p, &err), 0);
		assert_string_equal(p.image_id, "ami-1");
		assert_int_equal(p.nuser_ids + p.norg_arns + p.nou_arns, 0);
		assert_int_equal(p.is_public, 0);
		ec2_launch_perms_free(&p);
	}
	const char *noid = "<DescribeImageAttributeResponse><launchPermission/></DescribeImageAttributeResponse>";
	assert_int_equal(ec2_launch_perms_parse(noid, strlen(noid), &p, &err), -1);
	assert_string_equal(buf_str(&err), "DescribeImageAttribute: malformed response: no <imageId>");
	assert_null(p.image_id);
	buf_free(&err);
}

static void test_key_pairs(void **state)
{
	(void)state;
	struct ec2_key_pairs l;
	struct buf err = {0};
	assert_int_equal(ec2_key_pairs_parse(key_pairs, strlen(key_pairs), &l, &err), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].name, "alice");
	assert_string_equal(l.v[0].id, "key-0123456789abcdef0");
	assert_string_equal(l.v[0].fingerprint, "1f:51:ae:28:bf:89:e9:d8:1f:25:5d:37:2d:7d:b8:ca:9f:f5:f1:6f");
	assert_string_equal(l.v[0].type, "rsa");
	assert_string_equal(l.v[0].create_time, "2023-06-01T09:30:00.000Z");
	assert_int_equal(l.v[0].created, 1685611800);
	assert_string_equal(l.v[1].name, "bob laptop");
	assert_string_equal(l.v[1].type, "ed25519");
	assert_null(l.v[1].create_time);
	assert_int_equal(l.v[1].created, 0);
	ec2_key_pairs_free(&l);

	const char *none = "<DescribeKeyPairsResponse><requestId>1</requestId><keySet/></DescribeKeyPairsResponse>";
	assert_int_equal(ec2_key_pairs_parse(none, strlen(none), &l, &err), 0);
	assert_int_equal(l.n, 0);
	ec2_key_pairs_free(&l);
	const char *noname = "<DescribeKeyPairsResponse><keySet><item><keyName>a</keyName></item>"
			     "<item><keyName> </keyName></item></keySet></DescribeKeyPairsResponse>";
	assert_int_equal(ec2_key_pairs_parse(noname, strlen(noname), &l, &err), -1);
	assert_string_equal(buf_str(&err), "DescribeKeyPairs: malformed response: key pair 2 has no <keyName>");
	assert_null(l.v);
	assert_int_equal(l.n, 0);
	buf_free(&err);
}

static void test_instances(void **state)
{
	(void)state;
	struct ec2_instances l;
	struct buf err = {0};
	assert_int_equal(ec2_instances_parse(instances, strlen(instances), &l, &err), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.next_token, "AAEAAQ==");
	struct ec2_instance *a = &l.v[0], *b = &l.v[1], *c = &l.v[2];
	assert_string_equal(a->instance_id, "i-0598c7d356eba48d7");
	assert_string_equal(a->reservation_id, "r-1234567890abcdef0");
	assert_string_equal(a->image_id, "ami-0abcdef1234567890");
	assert_string_equal(a->state, "running");
	assert_int_equal(a->state_code, 16);
	assert_string_equal(a->private_ip, "10.0.1.12"); /* not the interface's */
	assert_string_equal(a->public_ip, "3.14.15.92");
	assert_string_equal(a->subnet_id, "subnet-0a1b2c3d");
	assert_string_equal(a->vpc_id, "vpc-0a1b2c3d");
	assert_string_equal(a->key_name, "alice");
	assert_string_equal(a->instance_type, "t3.medium");
	assert_string_equal(a->launch_time, "2025-03-01T11:05:00.000Z");
	assert_int_equal(a->launched, 1740827100);
	assert_int_equal(a->ntags, 2);
	assert_string_equal(a->tags[0].key, "aws:cloudformation:stack-name");
	assert_string_equal(a->tags[0].value, "alice-super-BastionStack-1AB2");
	assert_string_equal(a->tags[1].value, "BastionHost");

	assert_string_equal(b->instance_id, "i-0aaaaaaaaaaaaaaa1");
	assert_string_equal(b->reservation_id, "r-0fedcba9876543210");
	assert_string_equal(b->state, "stopped");
	assert_int_equal(b->state_code, 80); /* 336 & 0xFF */
	assert_null(b->public_ip);
	assert_string_equal(b->private_ip, "10.0.2.7");
	assert_int_equal(b->ntags, 0);
	assert_string_equal(c->instance_id, "i-0aaaaaaaaaaaaaaa2");
	assert_int_equal(c->state_code, -1);
	assert_null(c->launch_time);
	assert_int_equal(c->launched, 0);
	ec2_instances_free(&l);

	const char *none = "<DescribeInstancesResponse><requestId>1</requestId><reservationSet/>"
			   "</DescribeInstancesResponse>";
	assert_int_equal(ec2_instances_parse(none, strlen(none), &l, &err), 0);
	assert_int_equal(l.n, 0);
	assert_null(l.next_token);
	ec2_instances_free(&l);

	const char *bad = "<DescribeInstancesResponse><reservationSet><item><instancesSet>"
			  "<item><instanceId>i-1</instanceId><tagSet><item><key>k</key></item></tagSet></item>"
			  "</instancesSet></item><item><instancesSet><item><instanceState/></item>"
			  "</instancesSet></item></reservationSet></DescribeInstancesResponse>";
	assert_int_equal(ec2_instances_parse(bad, strlen(bad), &l, &err), -1);
	assert_string_equal(buf_str(&err), "DescribeInstances: malformed response: instance 2 has no <instanceId>");
	assert_null(l.v);
	buf_free(&err);
}

static void test_errors(void **state)
{
	(void)state;
	struct buf err = {0};
	struct ec2_images l;
	/* An error body with status 200 is still an error. */
	assert_int_equal(ec2_images_parse(ec2_error, strlen(ec2_error), &l, &err), -1);
	assert_string_equal(
		buf_str(&err),
		"DescribeImages: InvalidAMIID.NotFound: The image id '[ami-0abcdef1234567890]' does not exist");
	assert_null(l.v);
	buf_reset(&err);
	struct ec2_instances in;
	assert_int_equal(ec2_instances_parse(images_page1, strlen(images_page1), &in, &err), -1);
	assert_string_equal(buf_str(&err), "DescribeInstances: not the expected response element "
					   "<DescribeImagesResponse> (want <DescribeInstancesResponse>)");
	buf_reset(&err);
	struct ec2_key_pairs k;
	const char *auth = "<Response><Errors><Error><Code>AuthFailure</Code><Message>AWS was not able to validate the "
			   "provided access credentials</Message></Error></Errors><RequestID>1</RequestID></Response>";
	assert_int_equal(ec2_key_pairs_parse(auth, strlen(auth), &k, &err), -1);
	assert_string_equal(
		buf_str(&err),
		"DescribeKeyPairs: AuthFailure: AWS was not able to validate the provided access credentials");
	buf_reset(&err);
	struct ec2_launch_perms p;
	assert_int_equal(ec2_launch_perms_parse("{}", 2, &p, &err), -1);
	assert_string_equal(buf_str(&err), "DescribeImageAttribute: malformed response: not XML");
	buf_reset(&err);
	const char *noid = "<DescribeImagesResponse><imagesSet><item><name>x</name></item></imagesSet>"
			   "</DescribeImagesResponse>";
	assert_int_equal(ec2_images_parse(noid, strlen(noid), &l, &err), -1);
	assert_string_equal(buf_str(&err), "DescribeImages: malformed response: image 1 has no <imageId>");
	buf_reset(&err);
	const char *tagnokey = "<DescribeImagesResponse><imagesSet><item><imageId>ami-1</imageId><tagSet>"
			       "<item><value>v</value></item></tagSet></item></imagesSet></DescribeImagesResponse>";
	assert_int_equal(ec2_images_parse(tagnokey, strlen(tagnokey), &l, &err), -1);
	assert_string_equal(buf_str(&err), "DescribeImages: malformed response: tag 1 has no <key>");
	assert_null(l.v);
	buf_free(&err);
}

/* Every proper prefix of a body fails cleanly with one line. */
static void test_truncated(void **state)
{
	(void)state;
	const char *bodies[] = {images_page1, launch_perms, key_pairs, instances, ec2_error};
	for (size_t b = 0; b < sizeof bodies / sizeof bodies[0]; b++) {
		size_t len = strlen(bodies[b]);
		while (len > 0 && bodies[b][len - 1] == '\n')
			len--; /* the trailing newline is not needed */
		for (size_t cut = 0; cut < len; cut++) {
			struct buf err = {0};
			int rc;
			switch (b) {
			case 0: {
				struct ec2_images l;
				rc = ec2_images_parse(bodies[b], cut, &l, &err);
				assert_null(l.v);
				break;
			}
			case 1: {
				struct ec2_launch_perms p;
				rc = ec2_launch_perms_parse(bodies[b], cut, &p, &err);
				assert_null(p.image_id);
				break;
			}
			case 2: {
				struct ec2_key_pairs k;
				rc = ec2_key_pairs_parse(bodies[b], cut, &k, &err);
				break;
			}
			default: {
				struct ec2_instances in;
				rc = ec2_instances_parse(bodies[b], cut, &in, &err);
				assert_null(in.v);
				break;
			}
			}
			assert_int_equal(rc, -1);
			assert_true(err.len > 0);
			assert_null(strchr(buf_str(&err), '\n'));
			buf_free(&err);
		}
	}
}

static void test_hostile(void **state)
{
	(void)state;
	/* Entities decoded, C1 CSI, bidi override, tab and markup-looking text
	 * kept byte for byte: sanitizing is the UI's job. */
	const char *body = "<DescribeImagesResponse><imagesSet><item>"
			   "<imageId>ami-&lt;1&gt;</imageId>"
			   "<name>\xc2\x9b"
			   "31mred\xe2\x80\xae"
			   "txt.exe</name>"
			   "<description><![CDATA[</description><x>&amp;]]> a\tb</description>"
			   "<tagSet><item><key>&quot;k&apos;</key><value>line1\nline2</value></item></tagSet>"
			   "</item></imagesSet><nextToken>&#x41;&#66;</nextToken></DescribeImagesResponse>";
	struct ec2_images l;
	struct buf err = {0};
	assert_int_equal(ec2_images_parse(body, strlen(body), &l, &err), 0);
	assert_string_equal(l.v[0].image_id, "ami-<1>");
	assert_string_equal(l.v[0].name, "\xc2\x9b"
					 "31mred\xe2\x80\xae"
					 "txt.exe");
	assert_string_equal(l.v[0].description, "</description><x>&amp; a\tb");
	assert_string_equal(l.v[0].tags[0].key, "\"k'");
	assert_string_equal(l.v[0].tags[0].value, "line1\nline2");
	assert_string_equal(l.next_token, "AB");
	ec2_images_free(&l);

	/* A raw ESC is not XML: refused.  As a character reference (XML 1.0
	 * forbids it too, but AWS writes them) it is read, exactly. */
	const char *ref = "<DescribeImagesResponse><imagesSet><item><imageId>ami-1</imageId><name>&#27;[31m</name>"
			  "</item></imagesSet></DescribeImagesResponse>";
	assert_int_equal(ec2_images_parse(ref, strlen(ref), &l, &err), 0);
	assert_string_equal(l.v[0].name, "\x1b[31m");
	ec2_images_free(&l);
	const char *esc[] = {
		"<DescribeImagesResponse><imagesSet><item><imageId>ami-1</imageId><name>\x1b[31m</name></item>"
		"</imagesSet></DescribeImagesResponse>",
		"<!DOCTYPE x [<!ENTITY e \"ami-1\">]><DescribeImagesResponse/>",
	};
	for (size_t i = 0; i < sizeof esc / sizeof esc[0]; i++) {
		assert_int_equal(ec2_images_parse(esc[i], strlen(esc[i]), &l, &err), -1);
		assert_true(strncmp(buf_str(&err), "DescribeImages: malformed response: line 1: ", 44) == 0);
		buf_reset(&err);
	}
	/* A NUL byte inside the counted body. */
	const char nul[] = "<DescribeImagesResponse><imagesSet>\0</imagesSet></DescribeImagesResponse>";
	assert_int_equal(ec2_images_parse(nul, sizeof nul - 1, &l, &err), -1);
	buf_reset(&err);
	/* Deep nesting: a little is ignored, too much refused, never a crash. */
	struct buf deep = {0};
	for (int depth = 100; depth <= 10000; depth *= 100) {
		buf_reset(&deep);
		buf_adds(&deep, "<DescribeImagesResponse><imagesSet><item><imageId>ami-1</imageId><x>");
		for (int i = 0; i < depth; i++)
			buf_adds(&deep, "<y>");
		for (int i = 0; i < depth; i++)
			buf_adds(&deep, "</y>");
		buf_adds(&deep, "</x></item></imagesSet></DescribeImagesResponse>");
		struct ec2_images dl;
		int rc = ec2_images_parse(deep.s, deep.len, &dl, &err);
		assert_int_equal(rc, depth == 100 ? 0 : -1);
		assert_int_equal(dl.n, depth == 100 ? 1 : 0);
		ec2_images_free(&dl);
	}
	buf_free(&deep);
	buf_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_describe_images_body),
		cmocka_unit_test(test_other_bodies),
		cmocka_unit_test(test_images),
		cmocka_unit_test(test_launch_perms),
		cmocka_unit_test(test_key_pairs),
		cmocka_unit_test(test_instances),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
