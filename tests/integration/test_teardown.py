"""`relcon teardown`: guards (not relcon's, termination protection, read-only,
not confirmed), DeleteStack by stack id, following the deletion, and
DELETE_FAILED with the resources that failed and a retry that retains them,
against the sandbox's CloudFormation layer (frozen clock moved by advance).
Needs RELCON_BIN and the sandbox (tests/run.sh)."""
import json
import os
import subprocess
import time
import unittest
import uuid

from tests.integration.test_cli import BIN, Relcon, sandbox
from tests.integration.test_lineage import INTERNAL, boto3, client

COMMIT = "af0840d92bcd15f9f99682d5e8fcad12f6319fb8"


class Teardown(Relcon):
    def setUp(self):
        super().setUp()
        self.assertIsNotNone(boto3)
        self.cfn = client("cloudformation")
        self.addCleanup(sandbox, "POST", "/_sandbox/reset", {})

    def super_stack(self, deployment, relcon=True, protect=False):
        name = deployment + "-" + uuid.uuid4().hex[:6]
        url = "%s/%s/%s/readyset/templates/readyset-mysql-super-template.yaml" % (
            os.environ["AWS_ENDPOINT_URL"], INTERNAL, COMMIT)
        params = {"KeyPairName": "alice", "AvailabilityZones": "us-east-2a,us-east-2b,us-east-2c",
                  "AccessCIDR": "127.0.0.1/32", "ReadySetDeploymentName": name,
                  "SSMParameterKmsKeyArn": "arn:aws:kms:us-east-2:123456789012:key/0"}
        self.cfn.create_stack(StackName=name, TemplateURL=url, Capabilities=["CAPABILITY_IAM"],
                              Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in params.items()],
                              Tags=[{"Key": "created-by", "Value": "relcon"}] if relcon else [],
                              EnableTerminationProtection=protect)
        sandbox("POST", "/_sandbox/advance", {"seconds": 300})
        self.assertEqual(self.status(name), "CREATE_COMPLETE")
        return name

    def status(self, name):
        return self.cfn.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"]

    def test_guards(self):
        foreign = self.super_stack("alien", relcon=False)
        r = self.run_relcon("teardown", foreign, "--yes")
        self.assertEqual(r.returncode, 3)
        self.assertIn(b"not created by relcon", r.stderr)
        protected = self.super_stack("keep", protect=True)
        r = self.run_relcon("teardown", protected, "--yes")
        self.assertEqual(r.returncode, 3)
        self.assertIn(b"termination protection", r.stderr)
        mine = self.super_stack("mine")
        r = self.run_relcon("teardown", mine, "--yes", "--read-only")
        self.assertEqual(r.returncode, 3)
        self.assertIn(b"read-only", r.stderr)
        r = self.run_relcon("teardown", mine)  # no --yes and no terminal to ask on
        self.assertEqual(r.returncode, 3)
        self.assertIn(b"not confirmed", r.stderr)
        for name in (foreign, protected, mine):
            self.assertEqual(self.status(name), "CREATE_COMPLETE", "nothing was deleted")

    def test_delete_followed_to_the_end(self):
        name = self.super_stack("gone")
        stack_id = self.cfn.describe_stacks(StackName=name)["Stacks"][0]["StackId"]
        p = subprocess.Popen([BIN, "teardown", name, "--yes", "--wait"], env=self.env(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.time() + 30
        while self.cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"] != "DELETE_IN_PROGRESS":
            self.assertLess(time.time(), deadline, "DeleteStack was not sent")
            time.sleep(0.2)
        sandbox("POST", "/_sandbox/advance", {"seconds": 300})
        out, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 0, err)
        self.assertIn(b"DELETE_COMPLETE", err)
        self.assertEqual(self.cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"],
                         "DELETE_COMPLETE")

    def test_delete_failed_then_retry_retaining(self):
        name = self.super_stack("stuck")
        stack_id = self.cfn.describe_stacks(StackName=name)["Stacks"][0]["StackId"]
        p = subprocess.Popen([BIN, "teardown", name, "--yes", "--wait"], env=self.env(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.time() + 30
        while self.cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"] != "DELETE_IN_PROGRESS":
            self.assertLess(time.time(), deadline, "DeleteStack was not sent")
            time.sleep(0.2)
        sandbox("POST", "/_sandbox/advance", {"seconds": 300})
        out, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 1, err)
        self.assertIn(b"DELETE_FAILED", err)
        self.assertIn(b"ReadySetMySQLStack", err)
        self.assertIn(b"--retain ReadySetMySQLStack", err)
        r = self.run_relcon("teardown", name, "--yes", "--retain", "ReadySetMySQLStack")
        self.assertEqual(r.returncode, 0, r.stderr)
        sandbox("POST", "/_sandbox/advance", {"seconds": 300})
        self.assertEqual(self.cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"],
                         "DELETE_COMPLETE")

    def test_missing_stack_and_usage(self):
        r = self.run_relcon("teardown", "no-such-stack", "--yes")
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"does not exist", r.stderr)
        self.assertEqual(self.run_relcon("teardown").returncode, 2)


if __name__ == "__main__":
    unittest.main()
