"""`relcon launch COMMIT --key KEYPAIR`: the plan (GetTemplateSummary, key
pairs, caller identity, the operator's IP from RELCON_IP_URL) with where each
value comes from, the guards (read-only, not confirmed, unknown key pair, bad
AccessCIDR, unknown parameter, usage), CreateStack with its tags, token and
capabilities as the sandbox's CloudFormation records them, --wait following
the stack to CREATE_COMPLETE or to the first failure, and a CreateStack whose
answer is lost (a proxy resets the connection after the sandbox made the
stack) retried with the same ClientRequestToken: one stack.  End to end, the
launched stack is read back by `relcon stack`, entered with `relcon ssh`
through a real sshd on loopback, and torn down.

Needs RELCON_BIN, the sandbox (tests/run.sh; RELCON_IP_URL is its checkip)
and openssh-server."""
import json
import os
import re
import socket
import subprocess
import threading
import time
import unittest
from urllib.parse import parse_qs, urlsplit

from tests.integration.test_cli import BIN, Relcon, sandbox
from tests.integration.test_lineage import boto3, client
from tests.integration.test_ssh import SshdMixin

BUILD = "4155"
COMMIT = "af0840d92bcd15f9f99682d5e8fcad12f6319fb8"  # build 4155: has internal templates
OWNER = "arn:aws:iam::123456789012:user/relcon-sandbox"  # GetCallerIdentity in the sandbox
OPERATOR_CIDR = "203.0.113.7/32"  # the sandbox's checkip answer, /32
ZONES = "us-east-2a,us-east-2b,us-east-2c"
NOW = "2026-11-24T12:00:00Z"  # RELCON_NOW (Relcon.env) and the sandbox's frozen start
EXPIRES_8H = "2026-11-24T20:00:00Z"
GONE = "DELETE_COMPLETE"


class LaunchBase(Relcon):
    def setUp(self):
        super().setUp()
        self.assertIsNotNone(boto3, "boto3 is needed to check the sandbox independently")
        self.assertTrue(os.environ.get("AWS_ENDPOINT_URL"), "the sandbox's AWS is not running")
        self.assertTrue(os.environ.get("RELCON_IP_URL"), "RELCON_IP_URL (the sandbox's checkip) is not set")
        self.cfn = client("cloudformation")
        # Back to the scenario's frozen instant, and no stacks, for the tests after these.
        self.addCleanup(sandbox, "POST", "/_sandbox/reset", {})

    def live_stacks(self):
        """{name: [stack ids]} of every stack not deleted (root and nested)."""
        out, token = {}, None
        while True:
            page = self.cfn.list_stacks(**({"NextToken": token} if token else {}))
            for s in page["StackSummaries"]:
                if s["StackStatus"] != GONE:
                    out.setdefault(s["StackName"], []).append(s["StackId"])
            token = page.get("NextToken")
            if not token:
                return out

    def stack(self, name_or_id):
        return self.cfn.describe_stacks(StackName=name_or_id)["Stacks"][0]

    def wait_for_status(self, name_or_id, status, p=None, seconds=30):
        """Poll boto3 until the stack has status (while p, if given, runs)."""
        deadline = time.time() + seconds
        while True:
            try:
                got = self.stack(name_or_id)["StackStatus"]
            except self.cfn.exceptions.ClientError:
                got = None
            if got == status:
                return
            if p is not None and p.poll() is not None:
                out, err = p.communicate()
                self.fail("relcon ended (exit %s) before %s was %s: %s" % (p.returncode, name_or_id, status,
                                                                         err.decode(errors="replace")))
            self.assertLess(time.time(), deadline, "%s never became %s (last: %s)" % (name_or_id, status, got))
            time.sleep(0.1)

    def root_events(self, stack_id):
        events, token = [], None
        while True:
            page = self.cfn.describe_stack_events(StackName=stack_id, **({"NextToken": token} if token else {}))
            events += page["StackEvents"]
            token = page.get("NextToken")
            if not token:
                return events


class LaunchEndToEnd(SshdMixin, LaunchBase):
    def test_launch_wait_stack_ssh_teardown(self):
        p = self.popen("launch", BUILD, "--key", "alice", "--yes", "--wait")
        self.wait_for_status("alice-super", "CREATE_IN_PROGRESS", p)
        # The clock is frozen: move it past the whole creation (106 s).
        self.advance(300)
        out, err = p.communicate(timeout=60)
        text = err.decode(errors="replace")
        self.assertEqual(p.returncode, 0, text)
        st = self.stack("alice-super")
        stack_id = st["StackId"]
        self.assertEqual(out.decode(), stack_id + "\n", "stdout is the stack id alone")

        # The plan came first, on stderr.
        for line in ("Stack         alice-super in us-east-2, account 123456789012", "Commit        " + COMMIT,
                     "Owner         " + OWNER, "Capabilities  CAPABILITY_IAM", "Token         relcon-launch-"):
            self.assertIn(line, text)
        self.assertRegex(text, r"\n  AccessCIDR +203\.0\.113\.7/32 +relcon\n")
        self.assertRegex(text, r"\n  KeyPairName +alice +you\n")
        self.assertIn("relcon: CreateStack: " + stack_id, text)
        # Then the events, oldest first, to the end.
        started = re.search(r"alice-super +alice-super +CREATE_IN_PROGRESS +User Initiated", text)
        finished = re.search(r"alice-super +alice-super +CREATE_COMPLETE", text)
        self.assertIsNotNone(started, text)
        self.assertIsNotNone(finished, text)
        self.assertLess(started.start(), finished.start())
        self.assertRegex(text, r"alice-super +BastionStack +CREATE_COMPLETE")
        self.assertIn("relcon: alice-super: CREATE_COMPLETE", text)
        self.assertNotIn("first failure", text)

        # What CloudFormation was given.
        self.assertEqual(st["StackStatus"], "CREATE_COMPLETE")
        tags = {t["Key"]: t["Value"] for t in st["Tags"]}
        self.assertEqual(tags["created-by"], "relcon")
        self.assertEqual(tags["owner"], OWNER)
        self.assertEqual(tags["commit"], COMMIT)
        self.assertRegex(tags["relcon:expires-at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(tags["relcon:expires-at"], EXPIRES_8H, "RELCON_NOW + the default ttl, 8h")
        self.assertEqual(tags["cloud-nuke-after"], tags["relcon:expires-at"])
        self.assertIn("CAPABILITY_IAM", st["Capabilities"])
        self.assertTrue(st["DisableRollback"])
        params = {q["ParameterKey"]: q["ParameterValue"] for q in st["Parameters"]}
        self.assertEqual(params["KeyPairName"], "alice")
        self.assertEqual(params["AccessCIDR"], OPERATOR_CIDR)
        self.assertEqual(params["AvailabilityZones"], ZONES)
        self.assertTrue(st["Outputs"], "outputs are set on CREATE_COMPLETE")

        # relcon stack reads it back: nested outputs (the bastion's EIP1) and the hosts.
        got = self.json_of("stack", "alice-super")
        self.assertEqual(got["status"], "CREATE_COMPLETE")
        outputs = {(o["stack"], o["key"]): o["value"] for o in got["outputs"]}
        self.assertEqual(outputs[("BastionStack", "EIP1")], "127.0.0.1")
        hosts = {h["logical_id"]: h for h in got["hosts"]}
        self.assertEqual(hosts["ReadySetMonitorInstance"]["private_ip"], "127.0.0.2")
        self.assertTrue(any(h["public_ip"] == "127.0.0.1" for h in got["hosts"]))
        self.assertEqual(got["tags"]["commit"], COMMIT)
        self.assertEqual(got["tags"]["created-by"], "relcon")

        # relcon ssh through the bastion (127.0.0.1) to the monitor host (127.0.0.2): a real sshd.
        cfg = self.ssh_config()
        r = self.run_relcon("--config", cfg, "ssh", "alice-super", "--", "echo", "launched-ok")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), b"launched-ok")
        self.assertIn(b"127.0.0.2", r.stderr)

        # And away again, followed to the end, by stack id.
        p = self.popen("teardown", "alice-super", "--yes", "--wait")
        self.wait_for_status(stack_id, "DELETE_IN_PROGRESS", p)
        self.advance(300)
        out, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 0, err)
        self.assertIn(b"DELETE_COMPLETE", err)
        self.assertEqual(self.stack(stack_id)["StackStatus"], GONE)
        self.assertNotIn("alice-super", self.live_stacks())


class Launch(LaunchBase):
    def test_json_plan_sources_and_token(self):
        r = self.run_relcon("launch", COMMIT, "--key", "bob", "--name", "json-launch", "--ttl", "2d",
                            "--param", "ReadySetDeploymentName=json-test", "--yes", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, b"", "--json prints nothing but the document")
        got = json.loads(r.stdout)
        st = self.stack("json-launch")
        self.assertEqual(got["stack_id"], st["StackId"])
        self.assertNotIn("status", got, "no --wait: nothing was followed")
        plan = got["plan"]
        self.assertEqual(plan["stack_name"], "json-launch")
        self.assertEqual(plan["commit"], COMMIT)
        self.assertEqual(plan["region"], "us-east-2")
        self.assertEqual(plan["account"], "123456789012")
        self.assertTrue(plan["template_url"].endswith(
            "/%s/readyset/templates/readyset-mysql-super-template.yaml" % COMMIT), plan["template_url"])
        params = {q["key"]: q for q in plan["parameters"]}
        want = {"KeyPairName": ("bob", "you"), "AccessCIDR": (OPERATOR_CIDR, "relcon"),
                "AvailabilityZones": (ZONES, "config"), "DatabaseName": ("testdb", "template default"),
                "ReadySetDeploymentName": ("json-test", "you"),
                "SSMParameterKmsKeyArn": ("arn:aws:kms:us-east-2:123456789012:alias/aws/ssm", "config")}
        for key, (value, source) in want.items():
            self.assertEqual((params[key]["value"], params[key]["source"]), (value, source), key)
        # Everything the template declares is in the plan, in the template's order.
        summary = self.cfn.get_template_summary(TemplateURL=plan["template_url"])
        self.assertEqual([q["key"] for q in plan["parameters"]],
                         [q["ParameterKey"] for q in summary["Parameters"]])
        self.assertIn("CAPABILITY_IAM", plan["capabilities"])
        self.assertTrue(plan["disable_rollback"])
        expires = "2026-11-26T12:00:00Z"  # RELCON_NOW + 2d
        self.assertEqual(plan["expires_at"], expires)
        self.assertEqual(plan["tags"], {"created-by": "relcon", "owner": OWNER, "commit": COMMIT,
                                        "relcon:expires-at": expires, "cloud-nuke-after": expires})

        # The plan is what CloudFormation got.
        self.assertEqual({t["Key"]: t["Value"] for t in st["Tags"]}, plan["tags"])
        self.assertEqual(sorted(st["Capabilities"]), sorted(plan["capabilities"]))
        self.assertEqual(st["DisableRollback"], plan["disable_rollback"])
        sent = {q["ParameterKey"]: q["ParameterValue"] for q in st["Parameters"]}
        for key, q in params.items():
            self.assertEqual(sent.get(key), q["value"], key)
        token = plan["client_request_token"]
        self.assertRegex(token, r"^[a-zA-Z0-9][-a-zA-Z0-9]{0,127}$", "a valid ClientRequestToken")
        events = self.root_events(st["StackId"])
        self.assertTrue(events)
        self.assertEqual({e.get("ClientRequestToken") for e in events}, {token},
                         "every event of the creation carries the plan's token")

        # A second launch makes a new token.
        r = self.run_relcon("launch", COMMIT, "--key", "bob", "--name", "json-launch-2", "--yes", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotEqual(json.loads(r.stdout)["plan"]["client_request_token"], token)

    def test_failed_launch_names_the_first_failure(self):
        p = self.popen("launch", BUILD, "--key", "bob", "--param", "ReadySetDeploymentName=fail-xyz",
                       "--yes", "--wait")
        self.wait_for_status("bob-super", "CREATE_IN_PROGRESS", p)
        self.advance(300)
        out, err = p.communicate(timeout=60)
        text = err.decode(errors="replace")
        self.assertEqual(p.returncode, 1, text)
        self.assertIn("relcon: bob-super: CREATE_FAILED", text)
        self.assertIn("relcon: first failure: ReadySetServerInstance CREATE_FAILED: "
                      "Resource handler returned message: \"We currently do not have sufficient m5.xlarge", text)
        self.assertNotIn("relcon: next:", text)
        st = self.stack("bob-super")
        self.assertEqual(out.decode(), st["StackId"] + "\n", "the stack id is printed all the same")
        # DisableRollback: what was made stays for inspection.
        self.assertEqual(st["StackStatus"], "CREATE_FAILED")
        self.assertTrue(st["DisableRollback"])

    def test_failed_launch_json(self):
        p = self.popen("launch", BUILD, "--key", "bob", "--param", "ReadySetDeploymentName=fail-json",
                       "--yes", "--wait", "--json")
        self.wait_for_status("bob-super", "CREATE_IN_PROGRESS", p)
        self.advance(300)
        out, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 1, err)
        self.assertEqual(err, b"", "--json prints nothing but the document")
        got = json.loads(out)
        self.assertEqual(got["status"], "CREATE_FAILED")
        self.assertTrue(got["first_failure"].startswith("ReadySetServerInstance CREATE_FAILED: "),
                        got["first_failure"])
        self.assertEqual(got["stack_id"], self.stack("bob-super")["StackId"])

    def test_guards_leave_no_stack(self):
        before = self.live_stacks()
        cases = [
            (("--read-only", "launch", BUILD, "--key", "alice", "--yes"), 3, [b"read-only"]),
            (("launch", BUILD, "--key", "alice"), 3, [b"not confirmed", b"--yes"]),
            (("launch", BUILD, "--key", "carol", "--yes"), 3, [b"carol", b"alice, bob"]),
            (("launch", BUILD, "--key", "alice", "--param", "AccessCIDR=1.2.3.4", "--yes"), 3,
             [b"AccessCIDR", b"1.2.3.4"]),
            (("launch", BUILD, "--key", "alice", "--name", "9lives", "--yes"), 3, [b"9lives"]),
            (("launch", BUILD, "--key", "alice", "--param", "NoSuch=1", "--yes"), 1,
             [b"NoSuch", b"no such parameter"]),
            (("launch", BUILD, "--yes"), 2, [b"--key"]),
            (("launch", BUILD, "--key", "alice", "--ttl", "5m", "--yes"), 2, [b"--ttl"]),
            (("launch", "--key", "alice", "--yes"), 2, []),
            (("launch", BUILD, "--key", "alice", "--param", "Broken", "--yes"), None, [b"Broken", b"Key=Value"]),
            (("launch", "99999", "--key", "alice", "--yes"), 1, [b"no build 99999"]),
            # 4150 is blocked at build-amis: no internal templates for its commit.
            (("launch", "4150", "--key", "alice", "--yes"), 1, [b"could not be read"]),
        ]
        for args, code, words in cases:
            with self.subTest(args=" ".join(args)):
                r = self.run_relcon(*args)
                if code is None:  # a malformed --param: failed or usage, but refused before CreateStack
                    self.assertIn(r.returncode, (1, 2), r.stderr)
                else:
                    self.assertEqual(r.returncode, code, r.stderr)
                for w in words:
                    self.assertIn(w, r.stderr)
                self.assertEqual(r.stdout, b"")
                self.assertEqual(self.live_stacks(), before, "nothing was created")

    def test_unknown_operator_ip(self):
        before = self.live_stacks()
        env = self.env(RELCON_IP_URL="http://127.0.0.1:9/")
        r = self.run_relcon("launch", BUILD, "--key", "alice", "--yes", env=env)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn(b"AccessCIDR: no value (your public IP is unknown", r.stderr)
        self.assertEqual(self.live_stacks(), before, "nothing was created")
        # An AccessCIDR given by the operator needs no IP lookup.
        r = self.run_relcon("launch", BUILD, "--key", "alice", "--param", "AccessCIDR=10.1.0.0/16", "--yes",
                            "--json", env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        params = {q["key"]: q for q in json.loads(r.stdout)["plan"]["parameters"]}
        self.assertEqual((params["AccessCIDR"]["value"], params["AccessCIDR"]["source"]), ("10.1.0.0/16", "you"))
        sent = {q["ParameterKey"]: q["ParameterValue"] for q in self.stack("alice-super")["Parameters"]}
        self.assertEqual(sent["AccessCIDR"], "10.1.0.0/16")

    def test_unknown_operator_ip_names_the_url_asked(self):
        r = self.run_relcon("launch", BUILD, "--key", "alice", "--yes",
                            env=self.env(RELCON_IP_URL="http://127.0.0.1:9/"))
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn(b"http://127.0.0.1:9/", r.stderr)
        self.assertNotIn(b"checkip.amazonaws.com", r.stderr)

    def test_existing_name_is_refused_by_cloudformation(self):
        r = self.run_relcon("launch", BUILD, "--key", "alice", "--yes")
        self.assertEqual(r.returncode, 0, r.stderr)
        first = self.stack("alice-super")["StackId"]
        self.assertEqual(r.stdout.decode(), first + "\n")
        r = self.run_relcon("launch", BUILD, "--key", "alice", "--yes")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn(b"AlreadyExistsException", r.stderr)
        self.assertEqual(r.stdout, b"")
        self.assertEqual(self.live_stacks().get("alice-super"), [first], "still exactly one alice-super")


class LossyAwsProxy:
    """A reverse proxy in front of the sandbox's AWS endpoint.

    Every request is forwarded byte for byte (so SigV4 signatures, which cover the Host
    header as sent, still verify), one request a connection (the sandbox answers
    "Connection: close").  The first `lose` CreateStack requests are processed by the
    sandbox, but their answers are lost: the client's connection is reset instead.
    The sandbox's own fault injection covers /v2 (Buildkite) requests only."""

    def __init__(self, upstream, lose=1):
        self.upstream = upstream
        self.lose = lose
        self.create_bodies = []      # every CreateStack request body
        self.lost_answers = []       # what the sandbox answered to the ones lost
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(32)
        self.port = self.sock.getsockname()[1]
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def close(self):
        self.sock.close()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.handle, args=(conn,), daemon=True).start()

    @staticmethod
    def read_message(sock, first=b"", until_eof=False):
        data = first
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                return data
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        m = re.search(rb"\r\ncontent-length:\s*(\d+)", head, re.I)
        want = int(m.group(1)) if m else None
        while (want is None and until_eof) or (want is not None and len(body) < want):
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
        return head + b"\r\n\r\n" + body

    def handle(self, conn):
        try:
            request = self.read_message(conn)
            if not request:
                return
            body = request.partition(b"\r\n\r\n")[2]
            lose = False
            if re.search(rb"(^|&)Action=CreateStack(&|$)", body):
                with self.lock:
                    self.create_bodies.append(body.decode())
                    if self.lose > 0:
                        self.lose -= 1
                        lose = True
            up = socket.create_connection(("127.0.0.1", self.upstream), timeout=30)
            try:
                up.sendall(request)
                answer = self.read_message(up, until_eof=True)
            finally:
                up.close()
            if lose:
                with self.lock:
                    self.lost_answers.append(answer.decode(errors="replace"))
                # RST, not FIN: the answer is gone and the client sees a connection reset.
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                return
            conn.sendall(answer)
        except OSError:
            pass
        finally:
            conn.close()


class LaunchIdempotency(LaunchBase):
    def test_create_stack_answer_lost_then_retried_with_the_same_token(self):
        aws = urlsplit(os.environ["AWS_ENDPOINT_URL"])
        proxy = LossyAwsProxy(aws.port, lose=1)
        self.addCleanup(proxy.close)
        env = self.env(AWS_ENDPOINT_URL="http://localhost:%d" % proxy.port)
        r = self.run_relcon("launch", BUILD, "--key", "alice", "--yes", env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(proxy.lost_answers), 1, "the first CreateStack's answer was lost")
        lost_id = re.search(r"<StackId>([^<]+)</StackId>", proxy.lost_answers[0])
        self.assertIsNotNone(lost_id, "the sandbox made the stack before the answer was lost: "
                             + proxy.lost_answers[0])
        self.assertEqual(len(proxy.create_bodies), 2, "CreateStack was sent again after the lost answer")
        tokens = [parse_qs(b)["ClientRequestToken"][0] for b in proxy.create_bodies]
        self.assertEqual(tokens[0], tokens[1], "the retry carries the same ClientRequestToken")
        self.assertEqual(r.stdout.decode(), lost_id.group(1) + "\n", "the retry answered the same stack")
        self.assertEqual(self.live_stacks().get("alice-super"), [lost_id.group(1)], "exactly one stack")
        self.assertEqual({e.get("ClientRequestToken") for e in self.root_events(lost_id.group(1))}, {tokens[0]})


    def test_every_answer_lost_fails_but_makes_one_stack(self):
        # Every attempt (AWS_MAX_ATTEMPTS=3) is made by the sandbox and its answer lost: relcon
        # cannot know the outcome and fails, but the shared token means one stack, not three.
        aws = urlsplit(os.environ["AWS_ENDPOINT_URL"])
        proxy = LossyAwsProxy(aws.port, lose=10)
        self.addCleanup(proxy.close)
        env = self.env(AWS_ENDPOINT_URL="http://localhost:%d" % proxy.port, AWS_MAX_ATTEMPTS="3")
        r = self.run_relcon("launch", BUILD, "--key", "alice", "--yes", env=env)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn(b"CreateStack", r.stderr)
        self.assertIn(b"3 attempts", r.stderr)
        self.assertIn(b"whether the stack was created is unknown: look with relcon stack alice-super", r.stderr)
        self.assertEqual(r.stdout, b"")
        self.assertEqual(len(proxy.create_bodies), 3)
        self.assertEqual(len({parse_qs(b)["ClientRequestToken"][0] for b in proxy.create_bodies}), 1)
        self.assertEqual(len(self.live_stacks().get("alice-super", [])), 1, "exactly one stack")


if __name__ == "__main__":
    unittest.main()
