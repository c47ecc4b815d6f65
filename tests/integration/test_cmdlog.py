"""The command log's equivalents are real commands.  relcon writes each
finished request to its --debug log as "command: WHAT -> STATUS: COMMAND"
(the same text the @ screen shows and y copies).  Here every aws line of
`relcon build`, `releases`, `stacks` and a launch is run by the real AWS CLI
against the sandbox, whose endpoint it gets only from the line's
--endpoint-url: each exits 0.  The rendered CreateStack, given another name
and token, makes a stack with the same parameters, tags, capabilities and
rollback setting as relcon's; the rendered DeleteStack of `relcon teardown`
deletes it.  No line holds the sandbox's secret key or Buildkite token.
Skipped without the aws CLI.

Needs RELCON_BIN and the sandbox (tests/run.sh)."""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from tests.integration.test_cli import Relcon
from tests.integration.test_lineage import boto3, client

COMMIT = "af0840d92bcd15f9f99682d5e8fcad12f6319fb8"  # build 4155: AMIs and internal templates
LINE = re.compile(r"command: (.*?) -> (\S+): (.*)$")


class CommandLog(Relcon):
    def setUp(self):
        super().setUp()
        if not shutil.which("aws"):
            self.skipTest("aws CLI not installed")
        if boto3 is None:
            self.skipTest("boto3 not installed")

    def logged(self, *args):
        """Run relcon with --debug; return its command lines [(what, status, command)]."""
        with tempfile.NamedTemporaryFile(prefix="relcon-debug-", suffix=".log") as log:
            r = self.run_relcon("--debug=" + log.name, *args)
            self.assertEqual(r.returncode, 0, r.stderr.decode(errors="replace"))
            with open(log.name, encoding="utf-8") as f:
                text = f.read()
        for secret in (os.environ["AWS_SECRET_ACCESS_KEY"], os.environ["BUILDKITE_API_TOKEN"]):
            self.assertNotIn(secret, text)
        return [m.groups() for m in map(LINE.search, text.splitlines()) if m]

    def aws(self, command):
        """Run one logged aws line with bash and the sandbox's credentials, but
        no endpoint, config or metadata service but what the line says."""
        empty = os.path.join(self.home.name, "empty")
        open(empty, "w").close()
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(AWS_ACCESS_KEY_ID=os.environ["AWS_ACCESS_KEY_ID"],
                   AWS_SECRET_ACCESS_KEY=os.environ["AWS_SECRET_ACCESS_KEY"], AWS_CONFIG_FILE=empty,
                   AWS_SHARED_CREDENTIALS_FILE=empty, AWS_EC2_METADATA_DISABLED="true", AWS_PAGER="",
                   HOME=self.home.name)
        p = subprocess.run(["bash", "-c", command], env=env, capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, "%s\n%s" % (command, p.stderr))
        return p.stdout

    def test_reads_are_accepted_by_the_aws_cli(self):
        lines = self.logged("build", "4155", "--json") + self.logged("releases", "--json") + \
            self.logged("stacks", "--json")
        ops = set()
        for what, status, command in lines:
            self.assertEqual(status, "200", (what, command))
            if command.startswith("aws "):
                self.assertIn(" --endpoint-url " + os.environ["AWS_ENDPOINT_URL"], command)
                self.aws(command)
                ops.add(what)
            else:
                # The debug log redacts everything after "Authorization:".
                self.assertTrue(command.startswith('curl -sS -H "Authorization: [REDACTED]'), command)
        self.assertTrue({"ec2 DescribeImages", "ec2 DescribeImageAttribute", "s3 ListObjectsV2",
                         "cfn DescribeStacks"} <= ops, ops)

    def test_create_stack_and_delete_stack_do_the_same(self):
        cfn = client("cloudformation")
        name = "cmdlog-%d" % os.getpid()
        twin = name + "-cli"
        self.addCleanup(lambda: [cfn.delete_stack(StackName=n) for n in (name, twin)])
        lines = self.logged("launch", COMMIT, "--key", "alice", "--name", name, "--yes", "--json")
        by_what = {what: command for what, _, command in lines}
        for what in ("cfn GetTemplateSummary", "ec2 DescribeKeyPairs", "sts GetCallerIdentity"):
            self.aws(by_what[what])
        create = by_what["cfn CreateStack"]
        self.assertIn("'ParameterKey=AvailabilityZones,ParameterValue=us-east-2a\\,us-east-2b\\,us-east-2c'",
                      create)
        # The same line again is the same request (its token): the same stack.
        self.assertIn(cfn.describe_stacks(StackName=name)["Stacks"][0]["StackId"], self.aws(create))
        # With another name and token it makes the same stack again.
        other = create.replace(" --stack-name %s " % name, " --stack-name %s " % twin)
        other = re.sub(r"--client-request-token \S+$", "--client-request-token cmdlog-twin", other)
        self.aws(other)
        a, b = (cfn.describe_stacks(StackName=n)["Stacks"][0] for n in (name, twin))
        for key in ("Parameters", "Tags"):
            self.assertEqual(sorted(map(sorted, map(dict.items, a[key]))), sorted(map(sorted, map(dict.items, b[key]))))
        self.assertEqual(a["Capabilities"], b["Capabilities"])
        self.assertEqual(a["DisableRollback"], b["DisableRollback"])
        # relcon's teardown of the first; its DeleteStack, aimed at the twin, deletes that.
        lines = self.logged("teardown", name, "--yes")
        delete = {what: command for what, _, command in lines}["cfn DeleteStack"]
        delete = re.sub(r"--stack-name \S+", "--stack-name " + b["StackId"], delete)
        self.aws(delete)
        self.assertEqual(cfn.describe_stacks(StackName=b["StackId"])["Stacks"][0]["StackStatus"][:6], "DELETE")


if __name__ == "__main__":
    unittest.main()
