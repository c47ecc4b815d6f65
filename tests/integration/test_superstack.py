"""End to end with the sandbox's CloudFormation super-stack layer: a MySQL
super-stack created from a commit's internal template (signed requests,
moto's signature check), moved to CREATE_COMPLETE on the frozen clock, read
back by `relcon stack` (nested outputs, hosts) and entered with `relcon ssh`
through the bastion (127.0.0.1) to the monitor host (127.0.0.2), both served
by a real sshd on loopback.  Needs RELCON_BIN, the sandbox and openssh-server."""
import os
import unittest
import uuid

from tests.integration.test_cli import Relcon, sandbox
from tests.integration.test_lineage import INTERNAL, boto3, client
from tests.integration.test_ssh import SshdMixin

COMMIT = "af0840d92bcd15f9f99682d5e8fcad12f6319fb8"  # build 4155: has internal templates


class SuperStack(SshdMixin, Relcon):
    def setUp(self):
        super().setUp()
        self.assertIsNotNone(boto3)
        self.cfn = client("cloudformation")
        self.name = "alice-super-" + uuid.uuid4().hex[:6]
        url = "%s/%s/%s/readyset/templates/readyset-mysql-super-template.yaml" % (
            os.environ["AWS_ENDPOINT_URL"], INTERNAL, COMMIT)
        summary = self.cfn.get_template_summary(TemplateURL=url)
        params = [{"ParameterKey": p["ParameterKey"], "ParameterValue": "alice"}
                  for p in summary["Parameters"] if p["ParameterKey"] == "KeyPairName"]
        values = {"AvailabilityZones": "us-east-2a,us-east-2b,us-east-2c", "AccessCIDR": "127.0.0.1/32",
                  "ReadySetDeploymentName": "alice-test",
                  "SSMParameterKmsKeyArn": "arn:aws:kms:us-east-2:123456789012:key/00000000-0000-0000-0000-000000000000"}
        for p in summary["Parameters"]:
            if p["ParameterKey"] in values:
                params.append({"ParameterKey": p["ParameterKey"], "ParameterValue": values[p["ParameterKey"]]})
            elif "DefaultValue" not in p and p["ParameterKey"] != "KeyPairName":
                self.fail("the super template gained a required parameter: " + p["ParameterKey"])
        # Back to the scenario's frozen instant (and no stacks) for the tests after these.
        self.addCleanup(sandbox, "POST", "/_sandbox/reset", {})
        self.cfn.create_stack(StackName=self.name, TemplateURL=url, Parameters=params,
                              Capabilities=["CAPABILITY_IAM"],
                              Tags=[{"Key": "created-by", "Value": "relcon"}, {"Key": "commit", "Value": COMMIT}])
        # The sandbox's clock is frozen: move it past the whole creation.
        sandbox("POST", "/_sandbox/advance", {"seconds": 300})
        status = self.cfn.describe_stacks(StackName=self.name)["Stacks"][0]["StackStatus"]
        self.assertEqual(status, "CREATE_COMPLETE")
        self.cfg = self.ssh_config()

    def test_stack_shows_nested_outputs_and_hosts(self):
        got = self.json_of("stack", self.name)
        self.assertEqual(got["status"], "CREATE_COMPLETE")
        outputs = {(o["stack"], o["key"]): o["value"] for o in got["outputs"]}
        self.assertEqual(outputs[("BastionStack", "EIP1")], "127.0.0.1")
        self.assertIn(("ReadySetRDSMySQLStack", "DatabaseHostname"), outputs)
        self.assertIn(("ReadySetMySQLStack", "ReadySetAdapterNLBDNSName"), outputs)
        hosts = {h["logical_id"]: h for h in got["hosts"]}
        self.assertEqual(hosts["ReadySetMonitorInstance"]["private_ip"], "127.0.0.2")
        self.assertTrue(any(h["public_ip"] == "127.0.0.1" for h in got["hosts"]))
        self.assertTrue(any(e["status"] == "CREATE_COMPLETE" and e["logical_id"] == self.name
                            for e in got["events"]))
        self.assertEqual(got["tags"]["commit"], COMMIT)
        listed = {s["name"]: s for s in self.json_of("stacks")}
        self.assertTrue(listed[self.name]["relcon"])

    def test_ssh_through_the_bastion_to_the_monitor_host(self):
        r = self.run_relcon("--config", self.cfg, "ssh", self.name, "--", "echo", "private-ok")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), b"private-ok")
        self.assertIn(b"127.0.0.2", r.stderr)  # the route shown names the private host
        r = self.run_relcon("--config", self.cfg, "ssh", self.name, "--host", "bastion", "--", "echo", "b-ok")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), b"b-ok")


if __name__ == "__main__":
    unittest.main()
