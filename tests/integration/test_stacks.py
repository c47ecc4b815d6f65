"""`relcon stacks`: the region's root stacks, relcon's (tag created-by=relcon)
first with owner, commit and expiry, compared with what the sandbox's
CloudFormation (moto) holds.  Needs RELCON_BIN and the sandbox (tests/run.sh)."""
import json
import os
import unittest
import uuid

from tests.integration.test_cli import Relcon
from tests.integration.test_lineage import boto3, client

TEMPLATE = json.dumps({
    "AWSTemplateFormatVersion": "2010-09-09",
    "Resources": {"Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"}},
})


class Stacks(Relcon):
    def setUp(self):
        super().setUp()
        self.assertIsNotNone(boto3, "boto3 is needed to set up stacks in the sandbox")
        self.cfn = client("cloudformation")
        suffix = uuid.uuid4().hex[:8]
        self.ours = "alice-super-" + suffix
        self.expired = "bob-super-" + suffix
        self.other = "someone-elses-" + suffix
        tags = lambda owner, expires: [  # noqa: E731
            {"Key": "created-by", "Value": "relcon"},
            {"Key": "owner", "Value": owner},
            {"Key": "commit", "Value": "af0840d92bcd15f9f99682d5e8fcad12f6319fb8"},
            {"Key": "relcon:expires-at", "Value": expires},
        ]
        self.cfn.create_stack(StackName=self.ours, TemplateBody=TEMPLATE,
                              Tags=tags("arn:aws:iam::123456789012:user/alice", "2099-01-01T00:00:00Z"))
        self.cfn.create_stack(StackName=self.expired, TemplateBody=TEMPLATE,
                              Tags=tags("arn:aws:iam::123456789012:user/bob", "2020-01-01T00:00:00Z"))
        self.cfn.create_stack(StackName=self.other, TemplateBody=TEMPLATE)
        for name in (self.ours, self.expired, self.other):
            self.addCleanup(self.cfn.delete_stack, StackName=name)

    def test_relcon_stacks_first_with_tags(self):
        got = self.json_of("stacks")
        names = [s["name"] for s in got]
        for name in (self.ours, self.expired, self.other):
            self.assertIn(name, names)
        # Every relcon stack comes before every other one.
        flags = [s["relcon"] for s in got]
        self.assertEqual(flags, sorted(flags, reverse=True))
        by = {s["name"]: s for s in got}
        self.assertTrue(by[self.ours]["relcon"])
        self.assertFalse(by[self.ours]["expired"])
        self.assertEqual(by[self.ours]["owner"], "arn:aws:iam::123456789012:user/alice")
        self.assertEqual(by[self.ours]["commit"], "af0840d92bcd15f9f99682d5e8fcad12f6319fb8")
        self.assertEqual(by[self.ours]["expires_at"], "2099-01-01T00:00:00Z")
        self.assertTrue(by[self.expired]["expired"])
        self.assertFalse(by[self.other]["relcon"])
        self.assertIsNone(by[self.other]["owner"])
        want = {s["StackName"]: s["StackStatus"] for s in self.cfn.describe_stacks()["Stacks"]}
        for s in got:
            self.assertEqual(s["status"], want[s["name"]])

    def test_text_output(self):
        r = self.run_relcon("stacks")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout.decode()
        self.assertTrue(out.startswith("NAME"))
        line = next(x for x in out.splitlines() if x.startswith(self.expired))
        self.assertIn("EXPIRED", line)
        line = next(x for x in out.splitlines() if x.startswith(self.other))
        self.assertIn("(not relcon's)", line)

    def test_region_falls_back_to_config(self):
        # No AWS_REGION anywhere: aws.region (us-east-2, where the stacks are) applies.
        env = self.env(AWS_REGION=None, AWS_DEFAULT_REGION=None, AWS_CONFIG_FILE="/nonexistent")
        r = self.run_relcon("stacks", "--json", env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(self.ours, [s["name"] for s in json.loads(r.stdout)])
        r = self.run_relcon("stacks", "--json", "--region", "eu-west-1", env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn(self.ours, [s["name"] for s in json.loads(r.stdout)])


if __name__ == "__main__":
    unittest.main()
