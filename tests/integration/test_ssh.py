"""`relcon ssh`: the route comes from the stack (output EIP1 for the bastion),
runs the system ssh (no shell) against a real sshd on loopback started by
tests/ssh/sshd.sh, and reports failures clearly.  Needs RELCON_BIN, the
sandbox (tests/run.sh) and openssh-server."""
import json
import os
import subprocess
import tempfile
import unittest
import uuid

from tests.integration.test_cli import Relcon
from tests.integration.test_lineage import boto3, client

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))


def template(eip):
    return json.dumps({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {"Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"}},
        "Outputs": {"EIP1": {"Value": eip, "Description": "bastion address"}},
    })


class SshdMixin:
    """A real sshd on loopback for the class, and a relcon config that uses it."""

    @classmethod
    def setUpClass(cls):
        cls.sshd_dir = tempfile.mkdtemp(prefix="relcon-it-sshd-")
        r = subprocess.run(["sh", os.path.join(TOP, "tests/ssh/sshd.sh"), "start", cls.sshd_dir],
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise RuntimeError("sshd did not start: " + r.stdout + r.stderr)
        cls.sshd = dict(line.split("=", 1) for line in r.stdout.split() if "=" in line)

    @classmethod
    def tearDownClass(cls):
        subprocess.run(["sh", os.path.join(TOP, "tests/ssh/sshd.sh"), "stop", cls.sshd_dir],
                       capture_output=True, timeout=60)
        subprocess.run(["rm", "-rf", cls.sshd_dir])

    def ssh_config(self):
        s = self.sshd
        path = os.path.join(self.home.name, "ssh.yaml")
        with open(path, "w") as f:
            f.write("ssh:\n  bastion_user: %s\n  user: %s\n  identity_file: %s\n  port: %s\n"
                    "  options: [\"UserKnownHostsFile=%s\", \"BatchMode=yes\", \"ConnectTimeout=5\"]\n"
                    % (s["SSHD_USER"], s["SSHD_USER"], s["SSHD_KEY"], s["SSHD_PORT"], s["SSHD_KNOWN_HOSTS"]))
        return path


class Ssh(SshdMixin, Relcon):
    def setUp(self):
        super().setUp()
        self.assertIsNotNone(boto3)
        self.cfn = client("cloudformation")
        self.name = "ssh-test-" + uuid.uuid4().hex[:8]
        self.cfn.create_stack(StackName=self.name, TemplateBody=template("127.0.0.1"),
                              Tags=[{"Key": "created-by", "Value": "relcon"}])
        self.addCleanup(self.cfn.delete_stack, StackName=self.name)
        self.cfg = self.ssh_config()

    def test_runs_a_command_on_the_bastion(self):
        r = self.run_relcon("--config", self.cfg, "ssh", self.name, "--host", "bastion", "--", "echo", "bastion-ok")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), b"bastion-ok")
        # The exact route is shown first, on stderr.
        self.assertIn(b"@127.0.0.1", r.stderr)
        self.assertIn(b"ssh", r.stderr)

    def test_remote_failure_and_unreachable_bastion(self):
        r = self.run_relcon("--config", self.cfg, "ssh", self.name, "--host", "bastion", "--", "exit", "3")
        self.assertEqual(r.returncode, 1)
        bad = os.path.join(self.home.name, "bad.yaml")
        with open(self.cfg) as src, open(bad, "w") as dst:
            dst.write(src.read().replace("port: " + self.sshd["SSHD_PORT"], "port: 9"))
        r = self.run_relcon("--config", bad, "ssh", self.name, "--host", "bastion", "--", "true")
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"could not connect", r.stderr)

    def test_unknown_host_and_bad_address(self):
        r = self.run_relcon("--config", self.cfg, "ssh", self.name, "--host", "NoSuchInstance", "--", "true")
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"no instance NoSuchInstance", r.stderr)
        evil = "evil-" + uuid.uuid4().hex[:8]
        self.cfn.create_stack(StackName=evil, TemplateBody=template("1.2.3.4 -oProxyCommand=touch /tmp/pwned"))
        self.addCleanup(self.cfn.delete_stack, StackName=evil)
        r = self.run_relcon("--config", self.cfg, "ssh", evil, "--", "true")
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"not an IPv4 address", r.stderr)

    def test_usage(self):
        self.assertEqual(self.run_relcon("ssh").returncode, 2)
        self.assertEqual(self.run_relcon("ssh", self.name, "echo").returncode, 2)


if __name__ == "__main__":
    unittest.main()
