"""Fault injection on both sides of the sandbox (sandbox/faults.py, README "Faults").

Run: python3 -m unittest discover -s tests/sandbox -v
One sandbox started with ctl.sh as a separate process (moto's state is process-wide and
test_aws_sim.py has the in-process one), frozen clock.  The AWS side is seen through boto3 with
retries off (one attempt) and through raw HTTP (unsigned requests: a fault is applied before the
signature is looked at, so the exact error document can be read); the Buildkite side through
http.client.  Each kind is checked for what the client sees and for whether the request acted
(a key pair made or not).
"""
import http.client
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import boto3
import botocore.exceptions
import botocore.parsers
from botocore.config import Config

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CTL = os.path.join(ROOT, "sandbox", "ctl.sh")
BUILDS = "/v2/organizations/readyset/pipelines/readyset/builds"
REGION = "us-east-2"
HOSTILE = "<b>&\"it's\" \u00e9\u5206</b>"  # a message that must be escaped, not interpreted


class FaultsBase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="relcon-faults-")
        r = subprocess.run(["sh", CTL, "start", cls.dir + "/sb", "--now", "2026-11-24T12:00:00Z"],
                           capture_output=True, text=True, timeout=90)
        if r.returncode != 0:
            shutil.rmtree(cls.dir, ignore_errors=True)
            raise RuntimeError("sandbox did not start: " + r.stderr)
        cls.env = {}
        for line in r.stdout.splitlines():
            k, _, v = line.partition("=")
            cls.env[k] = v.strip("'")
        cls.bk = cls.env["RELCON_BUILDKITE_ENDPOINT"]
        cls.aws = cls.env["AWS_ENDPOINT_URL"]
        cls.session = boto3.session.Session(aws_access_key_id=cls.env["AWS_ACCESS_KEY_ID"],
                                            aws_secret_access_key=cls.env["AWS_SECRET_ACCESS_KEY"],
                                            region_name=REGION)

    @classmethod
    def tearDownClass(cls):
        subprocess.run(["sh", CTL, "stop", cls.dir + "/sb"], capture_output=True, timeout=30)
        shutil.rmtree(cls.dir, ignore_errors=True)

    def setUp(self):
        self.ctl("DELETE", "/_sandbox/faults")
        self.ctl("DELETE", "/_sandbox/aws-requests")
        self.ctl("DELETE", "/_sandbox/requests")
        self.addCleanup(self.ctl, "DELETE", "/_sandbox/faults")

    def ctl(self, method, path, body=None):
        req = urllib.request.Request(self.bk + path, method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())

    def fault(self, **spec):
        return self.ctl("POST", "/_sandbox/faults", spec)

    def client(self, service, read_timeout=10):
        """boto3 with one attempt: every fault is seen as it is."""
        return self.session.client(service, endpoint_url=self.aws, config=Config(
            retries={"total_max_attempts": 1}, read_timeout=read_timeout, connect_timeout=5,
            s3={"addressing_style": "path"}))

    def aws_log(self):
        return self.ctl("GET", "/_sandbox/aws-requests")

    def raw_aws(self, method, path, body=None, headers=None):
        """(status, body bytes) of an unsigned request to the AWS port."""
        u = urlsplit(self.aws)
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            return r.status, r.read()
        finally:
            c.close()

    def key_names(self):
        ec2 = self.client("ec2")
        self.ctl("DELETE", "/_sandbox/faults")
        return {k["KeyName"] for k in ec2.describe_key_pairs()["KeyPairs"]}


class AwsErrorAnswers(FaultsBase):
    FORM = {"Content-Type": "application/x-www-form-urlencoded"}

    def test_status_faults_use_each_protocols_error_document(self):
        # CloudFormation and STS: Query <ErrorResponse>; EC2: <Response><Errors>; S3: <Error>.
        self.fault(side="aws", status=503, count=3)
        st, body = self.raw_aws("POST", "/", "Action=ListStacks&Version=2010-05-15", self.FORM)
        self.assertEqual(st, 503)
        root = ET.fromstring(body)
        self.assertEqual(root.tag, "ErrorResponse")
        self.assertEqual(root.findtext("Error/Code"), "ServiceUnavailable")
        self.assertEqual(root.findtext("Error/Type"), "Receiver")
        self.assertTrue(root.findtext("RequestId"))
        st, body = self.raw_aws("POST", "/", "Action=DescribeKeyPairs&Version=2016-11-15", self.FORM)
        root = ET.fromstring(body)
        self.assertEqual((st, root.tag, root.findtext("Errors/Error/Code")), (503, "Response", "Unavailable"))
        self.assertTrue(root.findtext("RequestID"))
        st, body = self.raw_aws("GET", "/some-bucket?list-type=2")
        root = ET.fromstring(body)
        self.assertEqual((st, root.tag, root.findtext("Code")), (503, "Error", "ServiceUnavailable"))

    def test_boto3_reads_429_and_503_per_service(self):
        cases = [("cloudformation", lambda c: c.list_stacks()), ("sts", lambda c: c.get_caller_identity()),
                 ("ec2", lambda c: c.describe_key_pairs()), ("s3", lambda c: c.list_buckets())]
        for status, codes in ((429, {"cloudformation": "TooManyRequestsException", "sts": "TooManyRequestsException",
                                     "ec2": "RequestLimitExceeded", "s3": "TooManyRequests"}),
                              (503, {"cloudformation": "ServiceUnavailable", "sts": "ServiceUnavailable",
                                     "ec2": "Unavailable", "s3": "ServiceUnavailable"})):
            for service, call in cases:
                with self.subTest(status=status, service=service):
                    self.fault(side="aws", status=status)
                    with self.assertRaises(botocore.exceptions.ClientError) as cm:
                        call(self.client(service))
                    r = cm.exception.response
                    self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], status)
                    self.assertEqual(r["Error"]["Code"], codes[service])
                    call(self.client(service))  # the fault was used up: the next one passes

    def test_throttle_is_each_services_real_answer(self):
        want = {"cloudformation": (400, "Throttling"), "sts": (400, "Throttling"),
                "ec2": (503, "RequestLimitExceeded"), "s3": (503, "SlowDown")}
        calls = {"cloudformation": lambda c: c.describe_stacks(), "sts": lambda c: c.get_caller_identity(),
                 "ec2": lambda c: c.describe_images(Owners=["self"]),
                 "s3": lambda c: c.list_objects_v2(Bucket="anything")}
        for service, (status, code) in want.items():
            with self.subTest(service=service):
                self.fault(side="aws", kind="throttle", service=service)
                with self.assertRaises(botocore.exceptions.ClientError) as cm:
                    calls[service](self.client(service))
                r = cm.exception.response
                self.assertEqual((r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"]), (status, code))
        self.assertEqual(self.ctl("GET", "/_sandbox/faults")["fired"], {"aws": {"throttle": 4}})

    def test_message_override_is_escaped_not_interpreted(self):
        self.fault(side="aws", status=400, code="ValidationError", message=HOSTILE)
        st, body = self.raw_aws("POST", "/", "Action=DescribeStacks&Version=2010-05-15", self.FORM)
        self.assertEqual(st, 400)
        self.assertIn(b"&lt;b&gt;&amp;", body)
        self.assertNotIn(b"<b>", body)
        root = ET.fromstring(body)
        self.assertEqual(root.findtext("Error/Message"), HOSTILE)
        self.assertEqual(root.findtext("Error/Type"), "Sender")
        # "body" is the other name; boto3 reads the exact string back.
        self.fault(side="aws", kind="throttle", body=HOSTILE)
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.client("ec2").describe_key_pairs()
        self.assertEqual(cm.exception.response["Error"]["Message"], HOSTILE)

    def test_head_gets_no_body(self):
        self.fault(side="aws", status=503)
        st, body = self.raw_aws("HEAD", "/bucket/key")
        self.assertEqual((st, body), (503, b""))


class AwsLostAnswers(FaultsBase):
    """Whether the request acted: a key pair made or not, and what the client saw."""

    def create_key(self, name, read_timeout=10):
        return self.client("ec2", read_timeout).create_key_pair(KeyName=name)

    def test_reset_before_never_acts(self):
        self.fault(side="aws", kind="reset", action="CreateKeyPair")
        with self.assertRaises(botocore.exceptions.ConnectionClosedError):
            self.create_key("fault-reset-before")
        self.assertNotIn("fault-reset-before", self.key_names())
        e = [x for x in self.aws_log()["log"] if x["op"] == "CreateKeyPair"]
        self.assertEqual([(x["fault"], x["acted"], x["status"]) for x in e], [("reset", False, None)])

    def test_reset_after_acts_and_loses_the_answer(self):
        self.fault(side="aws", kind="reset", after=True, action="CreateKeyPair")
        with self.assertRaises(botocore.exceptions.ConnectionClosedError):
            self.create_key("fault-reset-after")
        self.assertIn("fault-reset-after", self.key_names())
        e = [x for x in self.aws_log()["log"] if x["op"] == "CreateKeyPair"]
        self.assertEqual([(x["fault"], x["acted"], x["status"]) for x in e], [("reset_after", True, 200)])

    def test_reset_is_a_tcp_reset(self):
        self.fault(side="aws", kind="reset")
        u = urlsplit(self.aws)
        s = socket.create_connection((u.hostname, u.port), timeout=10)
        try:
            s.sendall(b"GET /b HTTP/1.1\r\nHost: localhost\r\n\r\n")
            with self.assertRaises(ConnectionResetError):
                while s.recv(4096):
                    pass
        finally:
            s.close()

    def test_truncated_acts_and_cuts_the_body(self):
        self.fault(side="aws", kind="truncated", action="CreateKeyPair")
        with self.assertRaises((botocore.exceptions.ResponseStreamingError,
                                botocore.exceptions.ConnectionClosedError,
                                botocore.exceptions.IncompleteReadError)):
            self.create_key("fault-truncated")
        self.assertIn("fault-truncated", self.key_names())
        # On the wire: the full Content-Length, half of it sent, then the end.
        self.fault(side="aws", kind="truncated")
        u = urlsplit(self.aws)
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        c.request("POST", "/", "Action=ListStacks&Version=2010-05-15",
                  {"Content-Type": "application/x-www-form-urlencoded"})
        r = c.getresponse()
        with self.assertRaises(http.client.IncompleteRead) as cm:
            r.read()
        self.assertGreater(len(cm.exception.partial), 0)
        self.assertEqual(int(r.getheader("Content-Length")), len(cm.exception.partial) + cm.exception.expected)
        c.close()

    def test_malformed_acts_and_spoils_the_body(self):
        self.fault(side="aws", kind="malformed", action="CreateKeyPair")
        with self.assertRaises(botocore.parsers.ResponseParserError):
            self.create_key("fault-malformed")
        self.assertIn("fault-malformed", self.key_names())

    def test_slow_past_the_timeout_acts_late(self):
        self.fault(side="aws", kind="slow", delay=2, action="CreateKeyPair")
        t0 = time.time()
        with self.assertRaises(botocore.exceptions.ReadTimeoutError):
            self.create_key("fault-slow", read_timeout=0.5)
        self.assertLess(time.time() - t0, 2, "the client gave up before the delay was over")
        time.sleep(2.5)  # the sandbox serves it once the delay is over
        self.assertIn("fault-slow", self.key_names())
        e = [x for x in self.aws_log()["log"] if x["op"] == "CreateKeyPair"]
        self.assertEqual([(x["fault"], x["acted"]) for x in e], [("slow", True)])

    def test_status_and_throttle_never_act(self):
        for i, spec in enumerate(({"status": 503}, {"status": 429}, {"kind": "throttle"})):
            self.fault(side="aws", action="CreateKeyPair", **spec)
            with self.assertRaises(botocore.exceptions.ClientError):
                self.create_key("fault-refused-%d" % i)
        self.assertFalse({"fault-refused-0", "fault-refused-1", "fault-refused-2"} & self.key_names())


class Targeting(FaultsBase):
    def test_sides_and_action(self):
        cfn = self.client("cloudformation")
        # Default side: Buildkite only.
        self.fault(status=503, count=5)
        cfn.list_stacks()
        u = urlsplit(self.bk)
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        c.request("GET", BUILDS, headers={"Authorization": "Bearer sandbox-token"})
        self.assertEqual(c.getresponse().status, 503)
        c.close()
        self.ctl("DELETE", "/_sandbox/faults")
        # side aws, one Action: DescribeStacks passes, ListStacks does not.
        self.fault(side="aws", status=503, action="ListStacks", count=-1)
        cfn.describe_stacks()
        with self.assertRaises(botocore.exceptions.ClientError):
            cfn.list_stacks()
        self.ctl("DELETE", "/_sandbox/faults")
        # side both: one of each.
        self.fault(side="both", status=500, count=2)
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            cfn.list_stacks()
        self.assertEqual(cm.exception.response["Error"]["Code"], "InternalFailure")
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        c.request("GET", BUILDS, headers={"Authorization": "Bearer sandbox-token"})
        self.assertEqual(c.getresponse().status, 500)
        c.close()
        self.assertEqual(self.ctl("GET", "/_sandbox/faults")["faults"], [])
        # S3 by path and operation.
        self.fault(side="aws", status=503, path_contains="/readysettech-cfn-public", action="ListObjectsV2",
                   count=-1)
        s3 = self.client("s3")
        s3.list_objects_v2(Bucket="readysettech-cfn-internal-us-east-2", MaxKeys=1)
        s3.head_bucket(Bucket="readysettech-cfn-public-us-east-2")
        with self.assertRaises(botocore.exceptions.ClientError):
            s3.list_objects_v2(Bucket="readysettech-cfn-public-us-east-2", MaxKeys=1)

    def test_bad_specs(self):
        for spec in ({"side": "buildkite", "action": "CreateStack", "kind": "reset"}, {"side": "gcp", "kind": "reset"},
                     {"kind": "slow", "share": 2}, {"kind": "throttle", "scope": "org"}):
            with self.subTest(spec=spec):
                with self.assertRaises(urllib.error.HTTPError) as cm:
                    self.ctl("POST", "/_sandbox/faults", spec)
                self.assertEqual(cm.exception.code, 400)

    def test_share_is_seeded_and_shares_add_up(self):
        ec2 = self.client("ec2")

        def run():
            self.ctl("DELETE", "/_sandbox/faults")  # re-seeds the draw
            self.fault(side="aws", status=503, share=0.15, action="DescribeKeyPairs")
            self.fault(side="aws", kind="throttle", share=0.15, action="DescribeKeyPairs")
            pattern = []
            for _ in range(60):
                try:
                    ec2.describe_key_pairs()
                    pattern.append(".")
                except botocore.exceptions.ClientError as e:
                    pattern.append({"Unavailable": "s", "RequestLimitExceeded": "t"}.get(e.response["Error"]["Code"]))
            return "".join(pattern), self.ctl("GET", "/_sandbox/faults")["fired"]["aws"]
        first, fired = run()
        second, _ = run()
        self.assertEqual(first, second, "the same requests after a clear get the same faults")
        self.assertEqual(fired, {"status": first.count("s"), "throttle": first.count("t")})
        self.assertTrue(first.count("s") and first.count("t"), first)
        # 30 % in all (15 + 15): far from the 15 % a single spec would give, with 60 draws.
        self.assertGreater(first.count("s") + first.count("t"), 9, first)


class RequestLog(FaultsBase):
    def test_log_names_ops_tokens_and_skips_the_sandboxs_own(self):
        cfn = self.client("cloudformation")
        with self.assertRaises(botocore.exceptions.ClientError):  # no such template: refused by moto
            cfn.create_stack(StackName="logged", TemplateURL="http://localhost/none/none.yaml",
                             ClientRequestToken="tok-1")
        self.client("s3").list_buckets()
        self.client("sts").get_caller_identity()
        got = self.aws_log()
        self.assertEqual(got["total"], 3)
        self.assertEqual(got["by_op"], {"cloudformation CreateStack": 1, "s3 ListBuckets": 1,
                                        "sts GetCallerIdentity": 1})
        e = got["log"][0]
        self.assertEqual((e["method"], e["op"], e["stack"], e["token"], e["acted"]),
                         ("POST", "CreateStack", "logged", "tok-1", True))
        self.assertGreaterEqual(e["status"], 400, "what moto answered is logged")
        self.assertNotIn("fault", e)
        # The reset re-makes the AWS world through the sandbox's own client: none of it is logged.
        self.ctl("POST", "/_sandbox/reset", {})
        self.assertEqual(self.aws_log()["total"], 0)

    def test_buildkite_log_says_whether_it_acted(self):
        self.fault(kind="reset", after=True, method="GET")
        self.fault(kind="truncated", method="GET")
        self.fault(kind="throttle", method="GET", message=HOSTILE)
        u = urlsplit(self.bk)
        for _ in range(3):
            c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
            try:
                c.request("GET", BUILDS + "/4154", headers={"Authorization": "Bearer sandbox-token"})
                r = c.getresponse()
                body = r.read()
                if r.status == 429:
                    self.assertEqual(json.loads(body)["message"], HOSTILE)
                    self.assertIn("Retry-After", r.headers)
            except (http.client.HTTPException, OSError):
                pass
            finally:
                c.close()
        log = self.ctl("GET", "/_sandbox/requests")["log"]
        self.assertEqual([(e["fault"], e["acted"]) for e in log],
                         [("reset_after", True), ("truncated", True), ("throttle", False)])


if __name__ == "__main__":
    unittest.main()
