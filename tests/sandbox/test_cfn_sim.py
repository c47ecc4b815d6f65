"""Tests for the sandbox's own CloudFormation layer (sandbox/cfn_sim.py): the super-stack.

Run: python3 -m unittest discover -s tests/sandbox -v
Two sandboxes run as separate processes (sandbox.py, each with its own moto): one on a frozen
clock (--now), moved on with POST /_sandbox/advance, for everything that is about order and
content; one on a live clock with --cfn-speed 40, to see stacks move by themselves and reset.
Clients are boto3 (signed with the sandbox key), raw requests signed with botocore's SigV4Auth
and sent byte for byte, and the real AWS CLI.  Every wait is a bounded loop.
"""
import hashlib
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request
import xml.etree.ElementTree as ET
from urllib.parse import quote

import boto3
import yaml
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SANDBOX = os.path.join(ROOT, "sandbox")
sys.path.insert(0, SANDBOX)
import aws_world  # noqa: E402
import cfn_sim  # noqa: E402

NOW = "2026-11-24T12:00:00Z"
NS = "{http://cloudformation.amazonaws.com/doc/2010-05-15/}"
FORM = "application/x-www-form-urlencoded; charset=utf-8"
COMMIT = hashlib.sha1(b"commit/4148").hexdigest()   # built, released as 2026.11.2
SUPER_URL = ("https://%s.s3.us-east-2.amazonaws.com/%s/readyset/templates/readyset-mysql-super-template.yaml"
             % (aws_world.INTERNAL_BUCKET, COMMIT))
NESTED = ("BastionStack", "ReadySetRDSMySQLStack", "ReadySetMySQLStack")
TINY = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n"


def code(root):
    """The error code of an error response, namespace or not (moto's auth errors have none)."""
    return next((e.text for e in root.iter() if e.tag.rsplit("}", 1)[-1] == "Code"), None)


def params(**kw):
    p = dict(KeyPairName="alice", AvailabilityZones="us-east-2a,us-east-2b,us-east-2c",
             AccessCIDR="203.0.113.7/32", SSMParameterKmsKeyArn="arn:aws:kms:us-east-2:123456789012:key/1234abcd")
    p.update(kw)
    return [{"ParameterKey": k, "ParameterValue": v} for k, v in p.items() if v is not None]


class Sandbox:
    """sandbox.py in a subprocess; stop() ends it (SIGTERM, by its pid)."""

    def __init__(self, *args):
        self.dir = tempfile.mkdtemp(prefix="relcon-cfn-test-")
        ready = os.path.join(self.dir, "ready.json")
        self.proc = subprocess.Popen([sys.executable, os.path.join(SANDBOX, "sandbox.py"), "--ready-file", ready,
                                      "--log", os.path.join(self.dir, "log")] + list(args),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 30
        while not os.path.exists(ready):
            if self.proc.poll() is not None or time.time() > deadline:
                self.stop()
                raise RuntimeError("sandbox did not start: %s" % self.proc.stderr.read().decode(errors="replace"))
            time.sleep(0.05)
        with open(ready) as f:
            self.info = json.load(f)
        self.session = boto3.session.Session(aws_access_key_id=self.info["aws_access_key_id"],
                                             aws_secret_access_key=self.info["aws_secret_access_key"])
        self._clients = {}

    def client(self, service, region="us-east-2"):
        if (service, region) not in self._clients:
            self._clients[(service, region)] = self.session.client(
                service, region_name=region, endpoint_url=self.info["aws_endpoint_url"],
                config=Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"}))
        return self._clients[(service, region)]

    def control(self, path, body=None):
        req = urllib.request.Request(self.info["buildkite"] + path, data=json.dumps(body or {}).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as r:
            return json.loads(r.read())

    def send(self, body, tamper=None, region="us-east-2"):
        """POST a Query-protocol body signed by botocore, exactly as given; (status, XML root, raw)."""
        port = self.info["aws_port"]
        host = "localhost:%d" % port
        req = AWSRequest(method="POST", url="http://%s/" % host, data=body,
                         headers={"Host": host, "Content-Type": FORM})
        SigV4Auth(Credentials(self.info["aws_access_key_id"], self.info["aws_secret_access_key"]),
                  "cloudformation", region).add_auth(req)
        headers = dict(req.headers.items())
        if tamper:
            body = tamper(body)
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        c.putrequest("POST", "/", skip_host=True, skip_accept_encoding=True)
        for k, v in headers.items():
            c.putheader(k, v)
        c.putheader("Content-Length", str(len(body)))
        c.endheaders(body)
        r = c.getresponse()
        raw = r.read()
        c.close()
        return r.status, ET.fromstring(raw), raw

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)


FROZEN = LIVE = None


def setUpModule():
    global FROZEN
    FROZEN = Sandbox("--now", NOW)


def tearDownModule():
    for sb in (FROZEN, LIVE):
        if sb is not None:
            sb.stop()


class FrozenClockTest(unittest.TestCase):
    """The frozen sandbox: the clock only moves with /_sandbox/advance."""

    @classmethod
    def setUpClass(cls):
        cls.sb = FROZEN
        cls.cfn = FROZEN.client("cloudformation")
        cls.ec2 = FROZEN.client("ec2")

    @classmethod
    def tearDownClass(cls):
        # cfn_sim logs an exception in a scheduled step as "cfn error in ..." (and carries on)
        with open(os.path.join(cls.sb.dir, "log"), encoding="utf-8") as f:
            errors = [line for line in f if "cfn error in" in line]
        assert not errors, errors

    # helpers
    def advance(self, seconds):
        self.sb.control("/_sandbox/advance", {"seconds": seconds})

    def stack(self, name_or_id):
        return self.cfn.describe_stacks(StackName=name_or_id)["Stacks"][0]

    def run_until_stable(self, name_or_id, step=5, max_seconds=400, seen=None):
        """Advance the clock `step` s at a time until the stack is no longer *_IN_PROGRESS; returns
        (stack, simulated seconds it took).  `seen` collects every status observed."""
        for waited in range(0, max_seconds + step, step):
            st = self.stack(name_or_id)
            if seen is not None and (not seen or seen[-1] != st["StackStatus"]):
                seen.append(st["StackStatus"])
            if not st["StackStatus"].endswith("_IN_PROGRESS"):
                return st, waited
            self.advance(step)
        self.fail("%s still %s after %d simulated seconds" % (name_or_id, st["StackStatus"], max_seconds))

    def events(self, name_or_id):
        out, token = [], None
        while True:
            kw = {"StackName": name_or_id}
            if token:
                kw["NextToken"] = token
            page = self.cfn.describe_stack_events(**kw)
            out += page["StackEvents"]
            token = page.get("NextToken")
            if not token:
                return out

    def nested(self, root_id):
        """{logical id: nested stack summary} of a root stack, from ListStacks."""
        kids = [s for s in self.cfn.list_stacks()["StackSummaries"] if s.get("ParentId") == root_id]
        return {lid: next(s for s in kids if s["StackName"].split("-")[-2] == lid) for lid in NESTED
                if any(s["StackName"].split("-")[-2] == lid for s in kids)}

    def resources(self, name_or_id):
        return {r["LogicalResourceId"]: r for r in
                self.cfn.describe_stack_resources(StackName=name_or_id)["StackResources"]}

    def instances(self, ids):
        return {i["InstanceId"]: i for r in self.ec2.describe_instances(InstanceIds=ids)["Reservations"]
                for i in r["Instances"]}

    def first_failure(self, events, root_name):
        """The first *_FAILED event after the stack's last operation started (what a console shows)."""
        oldest_first = events[::-1]
        start = max(i for i, e in enumerate(oldest_first) if e["LogicalResourceId"] == root_name
                    and e.get("ResourceStatusReason") == "User Initiated")
        return next(e for e in oldest_first[start:] if e["ResourceStatus"].endswith("_FAILED"))

    def create(self, name, dep="readyset-super", **kw):
        kw.setdefault("Capabilities", ["CAPABILITY_IAM"])
        return self.cfn.create_stack(StackName=name, TemplateURL=SUPER_URL,
                                     Parameters=params(ReadySetDeploymentName=dep), **kw)["StackId"]

    def assertClientError(self, code, message, fn, *args, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(*args, **kw)
        err = cm.exception.response["Error"]
        self.assertEqual((err["Code"], err["Type"]), (code, "Sender"))
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        if message is not None:
            self.assertEqual(err["Message"], message)
        return err

    # tests
    def test_create_over_time_then_delete(self):
        sid = self.create("alice-super", ClientRequestToken="launch-1",
                          Tags=[{"Key": "relcon:commit", "Value": COMMIT}])
        self.assertRegex(sid, r"^arn:aws:cloudformation:us-east-2:123456789012:stack/alice-super/[0-9a-f-]{36}$")
        # the same token and name: the same stack, not a second one
        self.assertEqual(self.create("alice-super", ClientRequestToken="launch-1"), sid)
        self.assertEqual([s["StackId"] for s in self.cfn.list_stacks()["StackSummaries"]
                          if s["StackName"] == "alice-super"], [sid])
        st = self.stack("alice-super")
        self.assertEqual((st["StackStatus"], st["CreationTime"].isoformat()), ("CREATE_IN_PROGRESS",
                                                                              "2026-11-24T12:00:00+00:00"))
        self.assertEqual(st["Capabilities"], ["CAPABILITY_IAM"])
        self.assertEqual(st["Tags"], [{"Key": "relcon:commit", "Value": COMMIT}])
        self.assertNotIn("Outputs", st)
        first = self.events("alice-super")
        self.assertEqual([(e["LogicalResourceId"], e["ResourceStatus"], e["ResourceStatusReason"]) for e in first],
                         [("alice-super", "CREATE_IN_PROGRESS", "User Initiated")])
        self.assertEqual(first[0]["ClientRequestToken"], "launch-1")

        # events arrive over time: the event count grows step by step, nested stacks appear
        counts, seen = [], []
        for _ in range(8):
            self.advance(5)
            counts.append(len(self.events("alice-super")))
        self.assertEqual(counts, sorted(counts))
        self.assertGreater(counts[-1], counts[0])
        bastion = self.nested(sid)["BastionStack"]
        self.assertEqual(bastion["RootId"], sid)
        st, took = self.run_until_stable("alice-super", seen=seen)
        self.assertEqual(st["StackStatus"], "CREATE_COMPLETE")
        self.assertTrue(60 <= 40 + took <= 120, 40 + took)   # ~100 s at speed 1
        outs = {o["OutputKey"]: o["OutputValue"] for o in st["Outputs"]}
        self.assertEqual(outs["BastionPublicIP"], "127.0.0.1")
        self.assertRegex(outs["DatabaseHostname"], r"^[a-z0-9-]+\.c[a-z0-9]{10}\.us-east-2\.rds\.amazonaws\.com$")
        self.assertRegex(outs["ReadySetAdapterNLBDNSName"],
                         r"^[A-Za-z0-9-]+-[0-9a-f]{16}\.elb\.us-east-2\.amazonaws\.com$")

        # nested stacks: their own ids, ParentId/RootId, events and outputs
        kids = self.nested(sid)
        self.assertEqual(sorted(kids), sorted(NESTED))
        res = self.resources("alice-super")
        for lid in NESTED:
            kid = self.stack(kids[lid]["StackId"])
            self.assertEqual((kid["ParentId"], kid["RootId"], kid["StackStatus"]), (sid, sid, "CREATE_COMPLETE"))
            self.assertEqual(res[lid]["PhysicalResourceId"], kid["StackId"])
            self.assertEqual(res[lid]["ResourceType"], "AWS::CloudFormation::Stack")
            self.assertEqual(self.stack(kid["StackName"])["StackId"], kid["StackId"])  # by name too
            self.assertEqual(kid["Tags"], st["Tags"])
            evs = self.events(kid["StackId"])
            stamps = [e["Timestamp"] for e in evs]
            self.assertEqual(stamps, sorted(stamps, reverse=True))  # newest first
            self.assertEqual(evs[0]["ResourceStatus"], "CREATE_COMPLETE")
            for r in self.resources(kid["StackId"]).values():  # every resource: IN_PROGRESS, then COMPLETE
                mine = [e["ResourceStatus"] for e in evs[::-1] if e["LogicalResourceId"] == r["LogicalResourceId"]]
                self.assertEqual((mine[0], mine[-1]), ("CREATE_IN_PROGRESS", "CREATE_COMPLETE"))
                self.assertGreater(evs[[e["LogicalResourceId"] for e in evs].index(r["LogicalResourceId"])]
                                   ["Timestamp"], evs[-1]["Timestamp"])
        bout = {o["OutputKey"]: o["OutputValue"] for o in self.stack(kids["BastionStack"]["StackId"])["Outputs"]}
        self.assertEqual(bout["EIP1"], "127.0.0.1")
        self.assertRegex(bout["VPCID"], r"^vpc-")
        rout = {o["OutputKey"]: o["OutputValue"]
                for o in self.stack(kids["ReadySetRDSMySQLStack"]["StackId"])["Outputs"]}
        self.assertEqual(rout["DatabaseHostname"], outs["DatabaseHostname"])
        mout = {o["OutputKey"]: o["OutputValue"] for o in self.stack(kids["ReadySetMySQLStack"]["StackId"])["Outputs"]}
        self.assertEqual(mout["ReadySetAdapterNLBDNSName"], outs["ReadySetAdapterNLBDNSName"])

        # the instances are moto's: the bastion on 127.0.0.1, the monitor on 127.0.0.2
        bres = self.resources(kids["BastionStack"]["StackId"])
        mres = self.resources(kids["ReadySetMySQLStack"]["StackId"])
        self.assertEqual(bres["EIP"]["PhysicalResourceId"], "127.0.0.1")
        ids = [bres["BastionHost"]["PhysicalResourceId"], mres["ReadySetMonitorInstance"]["PhysicalResourceId"],
               mres["ReadySetServerInstance"]["PhysicalResourceId"]]
        insts = self.instances(ids)
        bastion_i, monitor_i, server_i = (insts[i] for i in ids)
        self.assertEqual((bastion_i["State"]["Name"], bastion_i["PublicIpAddress"]), ("running", "127.0.0.1"))
        self.assertEqual(bastion_i["KeyName"], "alice")
        self.assertEqual(bastion_i["VpcId"], bout["VPCID"])
        self.assertEqual((monitor_i["PrivateIpAddress"], monitor_i.get("PublicIpAddress")), ("127.0.0.2", None))
        self.assertEqual(server_i["PrivateIpAddress"], "127.0.0.3")
        self.assertEqual(monitor_i["ImageId"], self.ec2.describe_images(
            Owners=["self"], Filters=[{"Name": "tag:Commit", "Values": [COMMIT]},
                                      {"Name": "tag:Stage", "Values": ["build"]}])["Images"][0]["ImageId"])
        tags = {t["Key"]: t["Value"] for t in monitor_i["Tags"]}
        self.assertEqual(tags["aws:cloudformation:logical-id"], "ReadySetMonitorInstance")
        self.assertEqual(tags["aws:cloudformation:stack-name"], kids["ReadySetMySQLStack"]["StackName"])
        self.assertEqual(tags["relcon:commit"], COMMIT)
        self.assertEqual(tags["Name"], "readyset-super-monitor")
        by_tag = self.ec2.describe_instances(Filters=[{"Name": "tag:relcon:commit", "Values": [COMMIT]}])
        self.assertEqual(sorted(i["InstanceId"] for r in by_tag["Reservations"] for i in r["Instances"]), sorted(ids))
        one = self.cfn.describe_stack_resource(StackName=kids["ReadySetMySQLStack"]["StackId"],
                                               LogicalResourceId="ReadySetMonitorInstance")["StackResourceDetail"]
        self.assertEqual(one["PhysicalResourceId"], ids[1])

        # the AWS CLI reads the same
        if shutil.which("aws"):
            env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
            env.update(AWS_ACCESS_KEY_ID=self.sb.info["aws_access_key_id"], AWS_DEFAULT_REGION="us-east-2",
                       AWS_SECRET_ACCESS_KEY=self.sb.info["aws_secret_access_key"], AWS_PAGER="",
                       AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
            p = subprocess.run(["aws", "--endpoint-url", self.sb.info["aws_endpoint_url"], "--output", "json",
                                "cloudformation", "describe-stacks", "--stack-name", "alice-super"],
                               env=env, capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 0, p.stderr)
            got = json.loads(p.stdout)["Stacks"][0]
            self.assertEqual((got["StackId"], got["StackStatus"], got["Outputs"], got["Parameters"]),
                             (sid, "CREATE_COMPLETE", st["Outputs"], st["Parameters"]))

        # delete over time: DELETE_IN_PROGRESS, resources in reverse order, instances terminated
        self.cfn.delete_stack(StackName="alice-super")
        self.assertEqual(self.stack("alice-super")["StackStatus"], "DELETE_IN_PROGRESS")
        self.advance(5)
        self.assertEqual(self.stack(kids["ReadySetMySQLStack"]["StackId"])["StackStatus"], "DELETE_IN_PROGRESS")
        self.assertEqual(self.stack(kids["BastionStack"]["StackId"])["StackStatus"], "CREATE_COMPLETE")
        self.advance(10)
        self.assertEqual(self.instances([ids[1]])[ids[1]]["State"]["Name"], "shutting-down")
        st, took = self.run_until_stable(sid)
        self.assertEqual(st["StackStatus"], "DELETE_COMPLETE")
        self.assertGreater(15 + took, 30)
        self.assertIn("DeletionTime", st)
        self.assertEqual({i["State"]["Name"] for i in self.instances(ids).values()}, {"terminated"})
        self.assertClientError("ValidationError", "Stack with id alice-super does not exist",
                               self.cfn.describe_stacks, StackName="alice-super")
        listed = {s["StackId"]: s["StackStatus"] for s in self.cfn.list_stacks()["StackSummaries"]}
        self.assertEqual(listed[sid], "DELETE_COMPLETE")
        for lid in NESTED:
            self.assertEqual(listed[kids[lid]["StackId"]], "DELETE_COMPLETE")
        order = [e["LogicalResourceId"] for e in self.events(sid)[::-1] if e["ResourceStatus"] == "DELETE_COMPLETE"]
        self.assertEqual(order, ["ReadySetMySQLStack", "ReadySetRDSMySQLStack", "BastionStack", "alice-super"])
        bdel = [e["LogicalResourceId"] for e in self.events(kids["BastionStack"]["StackId"])[::-1]
                if e["ResourceStatus"] == "DELETE_COMPLETE"]
        self.assertLess(bdel.index("EIP"), bdel.index("BastionHost"))
        self.assertLess(bdel.index("BastionHost"), bdel.index("VPC"))
        # the name is free again
        sid2 = self.create("alice-super")
        self.assertNotEqual(sid2, sid)
        self.cfn.delete_stack(StackName="alice-super")   # while CREATE_IN_PROGRESS: cancelled, then deleted
        st, _ = self.run_until_stable(sid2)
        self.assertEqual(st["StackStatus"], "DELETE_COMPLETE")

    def test_validation(self):
        ok = dict(StackName="bob-super", TemplateURL=SUPER_URL, Capabilities=["CAPABILITY_IAM"])
        self.assertClientError("InsufficientCapabilitiesException", "Requires capabilities : [CAPABILITY_IAM]",
                               self.cfn.create_stack, StackName="bob-super", TemplateURL=SUPER_URL,
                               Parameters=params())
        self.assertClientError("ValidationError", "Parameter validation failed: parameter value carol for parameter "
                               "name KeyPairName does not exist. Rollback requested by user.",
                               self.cfn.create_stack, Parameters=params(KeyPairName="carol"), **ok)
        # the key pairs are in us-east-2 only
        self.assertClientError("ValidationError", "Parameter validation failed: parameter value alice for parameter "
                               "name KeyPairName does not exist. Rollback requested by user.",
                               self.sb.client("cloudformation", "us-east-1").create_stack,
                               Parameters=params(AvailabilityZones="us-east-1a,us-east-1b,us-east-1c"), **ok)
        self.assertClientError("ValidationError", "Parameters: [AccessCIDR, SSMParameterKmsKeyArn] must have values",
                               self.cfn.create_stack, Parameters=params(AccessCIDR=None, SSMParameterKmsKeyArn=None),
                               **ok)
        self.assertClientError("ValidationError", "Parameter AccessCIDR failed to satisfy constraint: must be a CIDR "
                               "block such as 203.0.113.7/32", self.cfn.create_stack,
                               Parameters=params(AccessCIDR="everyone"), **ok)
        self.assertClientError("ValidationError", "Parameters: [KeyName] do not exist in the template",
                               self.cfn.create_stack, Parameters=params(KeyName="alice"), **ok)
        self.assertClientError("ValidationError", "TemplateURL must reference a valid S3 object to which you have "
                               "access.", self.cfn.create_stack, StackName="bob-super",
                               TemplateURL=SUPER_URL.replace(COMMIT, "0" * 40), Parameters=params(),
                               Capabilities=["CAPABILITY_IAM"])
        self.assertEqual([s for s in self.cfn.list_stacks()["StackSummaries"] if s["StackName"] == "bob-super"], [])
        sid = self.cfn.create_stack(Parameters=params(), ClientRequestToken="t1", **ok)["StackId"]
        self.assertClientError("AlreadyExistsException", "Stack [bob-super] already exists",
                               self.cfn.create_stack, Parameters=params(), ClientRequestToken="t2", **ok)
        self.assertClientError("AlreadyExistsException", "Stack [bob-super] already exists",
                               self.cfn.create_stack, Parameters=params(), **ok)
        # moto's own stacks cannot take the name either
        self.assertClientError("AlreadyExistsException", "Stack [bob-super] already exists",
                               self.cfn.create_stack, StackName="bob-super", TemplateBody=TINY)
        self.assertEqual(self.cfn.create_stack(Parameters=params(), ClientRequestToken="t1", **ok)["StackId"], sid)
        self.assertClientError("ValidationError", None, self.cfn.delete_stack, StackName="bob-super",
                               RetainResources=["BastionStack"])
        self.advance(20)   # BastionStack is being created: DeleteStack cancels it, then deletes
        self.cfn.delete_stack(StackName=sid)
        st, _ = self.run_until_stable(sid)
        self.assertEqual(st["StackStatus"], "DELETE_COMPLETE")
        cancelled = [(e["LogicalResourceId"], e["ResourceStatus"]) for e in self.events(sid)
                     if e.get("ResourceStatusReason") == "Resource creation cancelled"]
        self.assertEqual(cancelled, [("BastionStack", "CREATE_FAILED")])

    def test_failure_with_disable_rollback(self):
        sid = self.create("fail-keep", dep="fail-keep", DisableRollback=True)
        seen = []
        st, _ = self.run_until_stable(sid, seen=seen)
        self.assertEqual(seen, ["CREATE_IN_PROGRESS", "CREATE_FAILED"])
        self.assertEqual(st["StackStatusReason"], "The following resource(s) failed to create: [ReadySetMySQLStack]. ")
        self.assertTrue(st["DisableRollback"])
        kids = self.nested(sid)
        rs = kids["ReadySetMySQLStack"]
        first = self.first_failure(self.events(sid), "fail-keep")
        self.assertEqual((first["LogicalResourceId"], first["ResourceStatus"]), ("ReadySetMySQLStack", "CREATE_FAILED"))
        self.assertTrue(first["ResourceStatusReason"].startswith("Embedded stack %s was not successfully created: "
                                                                 % rs["StackId"]), first["ResourceStatusReason"])
        inner = self.first_failure(self.events(rs["StackId"]), rs["StackName"])
        self.assertEqual((inner["LogicalResourceId"], inner["ResourceStatus"]), ("ReadySetServerInstance",
                                                                                 "CREATE_FAILED"))
        self.assertIn("We currently do not have sufficient m5.xlarge capacity", inner["ResourceStatusReason"])
        self.assertIn("HandlerErrorCode: GeneralServiceException", inner["ResourceStatusReason"])
        self.assertEqual(self.stack(rs["StackId"])["StackStatus"], "CREATE_FAILED")
        self.assertEqual(self.stack(kids["BastionStack"]["StackId"])["StackStatus"], "CREATE_COMPLETE")
        self.assertNotIn("Outputs", st)
        # nothing rolled back: the bastion and the monitor are still running
        bastion = self.resources(kids["BastionStack"]["StackId"])["BastionHost"]["PhysicalResourceId"]
        mres = self.resources(rs["StackId"])
        self.assertNotIn("PhysicalResourceId", mres["ReadySetServerInstance"])
        monitor = mres["ReadySetMonitorInstance"]["PhysicalResourceId"]
        self.assertEqual({i["State"]["Name"] for i in self.instances([bastion, monitor]).values()}, {"running"})
        self.cfn.delete_stack(StackName="fail-keep")
        st, _ = self.run_until_stable(sid)
        self.assertEqual(st["StackStatus"], "DELETE_COMPLETE")
        self.assertEqual({i["State"]["Name"] for i in self.instances([bastion, monitor]).values()}, {"terminated"})

    def test_failure_with_rollback(self):
        sid = self.create("fail-roll", dep="fail-roll")
        seen = []
        st, _ = self.run_until_stable(sid, step=3, seen=seen)
        self.assertEqual(seen, ["CREATE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS", "ROLLBACK_COMPLETE"])
        evs = self.events(sid)
        self.assertEqual((evs[0]["LogicalResourceId"], evs[0]["ResourceStatus"]), ("fail-roll", "ROLLBACK_COMPLETE"))
        first = self.first_failure(evs, "fail-roll")
        self.assertEqual((first["LogicalResourceId"], first["ResourceStatus"]), ("ReadySetMySQLStack", "CREATE_FAILED"))
        statuses = [(e["LogicalResourceId"], e["ResourceStatus"]) for e in evs[::-1]]
        rb = statuses.index(("fail-roll", "ROLLBACK_IN_PROGRESS"))
        self.assertLess(statuses.index(("ReadySetMySQLStack", "CREATE_FAILED")), rb)
        self.assertEqual(evs[len(evs) - 1 - rb]["ResourceStatusReason"], "The following resource(s) failed to "
                         "create: [ReadySetMySQLStack]. Rollback requested by user.")
        self.assertEqual([lid for lid, s in statuses[rb:] if s == "DELETE_COMPLETE"],
                         ["ReadySetMySQLStack", "ReadySetRDSMySQLStack", "BastionStack"])
        kids = self.nested(sid)
        rs_events = self.events(kids["ReadySetMySQLStack"]["StackId"])
        rs_status = [e["ResourceStatus"] for e in rs_events if e["LogicalResourceId"] == kids["ReadySetMySQLStack"]
                     ["StackName"]][::-1]
        self.assertEqual(rs_status, ["CREATE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS", "ROLLBACK_COMPLETE",
                                     "DELETE_IN_PROGRESS", "DELETE_COMPLETE"])
        for lid in NESTED:
            self.assertEqual(kids[lid]["StackStatus"], "DELETE_COMPLETE")
        bastion = self.resources(kids["BastionStack"]["StackId"])["BastionHost"]["PhysicalResourceId"]
        self.assertEqual(self.instances([bastion])[bastion]["State"]["Name"], "terminated")
        # ROLLBACK_COMPLETE: the stack can only be deleted
        self.cfn.delete_stack(StackName="fail-roll")
        st, took = self.run_until_stable(sid)
        self.assertEqual(st["StackStatus"], "DELETE_COMPLETE")

    def test_delete_failed_then_retain(self):
        for name, retain in (("stuck-a", "ReadySetMySQLStack"), ("stuck-b", "ReadySetSecurityGroup")):
            with self.subTest(retain=retain):
                sid = self.create(name, dep=name, EnableTerminationProtection=True)
                st, _ = self.run_until_stable(sid, step=10)
                self.assertEqual((st["StackStatus"], st["EnableTerminationProtection"]), ("CREATE_COMPLETE", True))
                self.assertClientError("ValidationError", "Stack [%s] cannot be deleted while TerminationProtection "
                                       "is enabled" % name, self.cfn.delete_stack, StackName=name)
                self.assertEqual(self.stack(name)["StackStatus"], "CREATE_COMPLETE")
                self.cfn.update_termination_protection(StackName=name, EnableTerminationProtection=False)
                self.cfn.delete_stack(StackName=name)
                st, _ = self.run_until_stable(sid)
                self.assertEqual(st["StackStatus"], "DELETE_FAILED")
                self.assertEqual(st["StackStatusReason"],
                                 "The following resource(s) failed to delete: [ReadySetMySQLStack]. ")
                rs = self.nested(sid)["ReadySetMySQLStack"]
                self.assertEqual(rs["StackStatus"], "DELETE_FAILED")
                sg = self.resources(rs["StackId"])["ReadySetSecurityGroup"]
                self.assertEqual(sg["ResourceStatus"], "DELETE_FAILED")
                self.assertRegex(sg["ResourceStatusReason"], r'resource sg-[0-9a-f]+ has a dependent object')
                first = self.first_failure(self.events(sid), name)
                self.assertEqual((first["LogicalResourceId"], first["ResourceStatus"]),
                                 ("ReadySetMySQLStack", "DELETE_FAILED"))
                # BastionStack and the database wait for what depends on them
                self.assertEqual(self.nested(sid)["BastionStack"]["StackStatus"], "CREATE_COMPLETE")
                # a plain retry fails again; a resource not in DELETE_FAILED cannot be retained
                self.assertClientError("ValidationError", None, self.cfn.delete_stack, StackName=name,
                                       RetainResources=["BastionStack"])
                self.cfn.delete_stack(StackName=name)
                st, _ = self.run_until_stable(sid)
                self.assertEqual(st["StackStatus"], "DELETE_FAILED")
                self.cfn.delete_stack(StackName=name, RetainResources=[retain])
                st, _ = self.run_until_stable(sid)
                self.assertEqual(st["StackStatus"], "DELETE_COMPLETE")
                rs_now = self.stack(rs["StackId"])["StackStatus"]
                if retain == "ReadySetMySQLStack":   # retained as it is
                    self.assertIn(("ReadySetMySQLStack", "DELETE_SKIPPED"),
                                  [(e["LogicalResourceId"], e["ResourceStatus"]) for e in self.events(sid)])
                    self.assertEqual(rs_now, "DELETE_FAILED")
                else:                                # retained inside the nested stack
                    self.assertEqual(rs_now, "DELETE_COMPLETE")
                    self.assertEqual(self.resources(rs["StackId"])["ReadySetSecurityGroup"]["ResourceStatus"],
                                     "DELETE_SKIPPED")
                    self.assertEqual(len(self.ec2.describe_security_groups(GroupIds=[sg["PhysicalResourceId"]])
                                         ["SecurityGroups"]), 1)

    def test_get_template_summary(self):
        for url in (SUPER_URL, "https://%s.s3.us-east-2.amazonaws.com/2026.11.2/readyset/templates/"
                    "readyset-mysql-super-template.yaml" % aws_world.PUBLIC_BUCKET):
            s = self.cfn.get_template_summary(TemplateURL=url)
            key = url.split(".amazonaws.com/", 1)[1]
            bucket = url.split("//", 1)[1].split(".", 1)[0]
            text = self.sb.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read().decode()
            tpl = yaml.load(text, Loader=cfn_sim.CfnLoader)  # noqa: S506 - SafeLoader subclass
            self.assertEqual([p["ParameterKey"] for p in s["Parameters"]],
                             ["KeyPairName", "AvailabilityZones", "AccessCIDR", "ReadySetS3BucketName",
                              "DatabaseUsername", "DatabaseName", "ReadySetDeploymentName", "SSMParameterKmsKeyArn",
                              "SSMPathRDSDatabasePassword"])
            for p in s["Parameters"]:
                spec = tpl["Parameters"][p["ParameterKey"]]
                self.assertEqual(p["ParameterType"], spec["Type"])
                self.assertEqual(p.get("DefaultValue"), spec.get("Default"))
                self.assertEqual(p.get("Description"), spec.get("Description"))
                self.assertIs(p["NoEcho"], False)
            types = {p["ParameterKey"]: p["ParameterType"] for p in s["Parameters"]}
            self.assertEqual(types["KeyPairName"], "AWS::EC2::KeyPair::KeyName")
            self.assertEqual(types["AvailabilityZones"], "List<AWS::EC2::AvailabilityZone::Name>")
            self.assertEqual(s["Capabilities"], ["CAPABILITY_IAM"])
            self.assertEqual(s["CapabilitiesReason"],
                             "The following resource(s) require capabilities: [AWS::CloudFormation::Stack]")
            self.assertEqual(s["ResourceTypes"], ["AWS::CloudFormation::Stack"])
            self.assertEqual(s["Description"], tpl["Description"])
            self.assertEqual(json.loads(s["Metadata"])["ReadySet"]["Commit"], COMMIT)
        self.assertClientError("ValidationError", "TemplateURL must reference a valid S3 object to which you have "
                               "access.", self.cfn.get_template_summary,
                               TemplateURL=SUPER_URL.replace(COMMIT, "f" * 40))
        # other templates are moto's business, as before
        other = self.cfn.get_template_summary(TemplateURL=SUPER_URL.replace("mysql-super", "bastion"))
        self.assertIn("KeyPairName", [p["ParameterKey"] for p in other["Parameters"]])

    def test_moto_keeps_other_stacks(self):
        mid = self.cfn.create_stack(StackName="plain-queue", TemplateBody=TINY)["StackId"]
        self.assertEqual(self.stack("plain-queue")["StackStatus"], "CREATE_COMPLETE")
        sid = self.create("mixed-super")
        self.assertEqual({s["StackId"] for s in self.cfn.describe_stacks()["Stacks"]} & {mid, sid}, {mid, sid})
        self.assertEqual({s["StackId"] for s in self.cfn.list_stacks()["StackSummaries"]} & {mid, sid}, {mid, sid})
        self.assertEqual(self.resources("plain-queue")["Queue"]["ResourceType"], "AWS::SQS::Queue")
        self.cfn.delete_stack(StackName="plain-queue")
        self.cfn.delete_stack(StackName="mixed-super")
        st, _ = self.run_until_stable(sid)
        self.assertEqual(st["StackStatus"], "DELETE_COMPLETE")

    def test_xml_and_signature(self):
        q = lambda s: quote(s, safe="-_.~")  # noqa: E731
        body = ("Action=CreateStack&Version=2010-05-15&StackName=raw-super&TemplateURL=%s"
                "&Capabilities.member.1=CAPABILITY_IAM&Tags.member.1.Key=Owner&Tags.member.1.Value=%s"
                % (q(SUPER_URL), q("Alice Example")))   # a space, sent as %20
        for i, p in enumerate(params(ReadySetDeploymentName="raw-x"), 1):
            body += "&Parameters.member.%d.ParameterKey=%s&Parameters.member.%d.ParameterValue=%s" % (
                i, p["ParameterKey"], i, q(p["ParameterValue"]))
        # tampered after signing: refused by the signature check, no stack made
        status, root, _ = self.sb.send(body.encode(), tamper=lambda b: b.replace(b"raw-super", b"raw-evil"))
        self.assertEqual((status, code(root)), (403, "SignatureDoesNotMatch"))
        status, root, _ = self.sb.send(body.encode(), tamper=lambda b: b + b"&DisableRollback=true")
        self.assertEqual((status, code(root)), (403, "SignatureDoesNotMatch"))
        self.assertEqual([s for s in self.cfn.list_stacks()["StackSummaries"]
                          if s["StackName"] in ("raw-super", "raw-evil")], [])
        status, root, raw = self.sb.send(body.encode())
        self.assertEqual(status, 200, raw)
        self.assertEqual(root.tag, NS + "CreateStackResponse")
        sid = root.find(NS + "CreateStackResult/" + NS + "StackId").text
        self.assertTrue(root.find(NS + "ResponseMetadata/" + NS + "RequestId").text)
        status, root, raw = self.sb.send(b"Action=DescribeStacks&Version=2010-05-15&StackName=raw-super")
        self.assertEqual((status, root.tag), (200, NS + "DescribeStacksResponse"))
        member = root.find(NS + "DescribeStacksResult/" + NS + "Stacks/" + NS + "member")
        self.assertEqual((member.find(NS + "StackId").text, member.find(NS + "StackStatus").text),
                         (sid, "CREATE_IN_PROGRESS"))
        self.assertEqual(member.find(NS + "Tags/" + NS + "member/" + NS + "Value").text, "Alice Example")
        status, root, _ = self.sb.send(b"Action=DescribeStacks&Version=2010-05-15&StackName=raw-super",
                                       tamper=lambda b: b.replace(b"raw-super", b"raw-superx"))
        self.assertEqual((status, code(root)), (403, "SignatureDoesNotMatch"))
        # errors: ErrorResponse/Error{Type,Code,Message} and RequestId, HTTP 400
        status, root, raw = self.sb.send(body.encode())
        self.assertEqual((status, root.tag), (400, NS + "ErrorResponse"))
        self.assertEqual([(c.tag, c.text) for c in root.find(NS + "Error")],
                         [(NS + "Type", "Sender"), (NS + "Code", "AlreadyExistsException"),
                          (NS + "Message", "Stack [raw-super] already exists")])
        self.assertTrue(root.find(NS + "RequestId").text)
        status, root, _ = self.sb.send(b"Action=DeleteStack&Version=2010-05-15&StackName=raw-super")
        self.assertEqual((status, root.tag, len(root)), (200, NS + "DeleteStackResponse", 1))
        st, _ = self.run_until_stable(sid)
        self.assertEqual(st["StackStatus"], "DELETE_COMPLETE")


class LiveClockTest(unittest.TestCase):
    """A sandbox on the real clock: stacks move by themselves (--cfn-speed 40); reset clears them."""

    @classmethod
    def setUpClass(cls):
        global LIVE
        LIVE = cls.sb = Sandbox("--cfn-speed", "40")
        cls.cfn = LIVE.client("cloudformation")

    def wait(self, name_or_id, want, deadline_s=15):
        deadline = time.time() + deadline_s
        while time.time() < deadline:
            st = self.cfn.describe_stacks(StackName=name_or_id)["Stacks"][0]
            if not st["StackStatus"].endswith("_IN_PROGRESS"):
                self.assertEqual(st["StackStatus"], want)
                return st
            time.sleep(0.1)
        self.fail("%s not %s within %d s" % (name_or_id, want, deadline_s))

    def test_live_progress_and_reset(self):
        t0 = time.time()
        sid = self.cfn.create_stack(StackName="live-super", TemplateURL=SUPER_URL, Parameters=params(),
                                    Capabilities=["CAPABILITY_IAM"])["StackId"]
        st = self.wait("live-super", "CREATE_COMPLETE")
        took = time.time() - t0
        self.assertTrue(1.0 < took < 10, took)   # ~100 simulated s / 40
        evs = self.cfn.describe_stack_events(StackName=sid)["StackEvents"]
        span = (evs[0]["Timestamp"] - evs[-1]["Timestamp"]).total_seconds()
        self.assertTrue(1.5 < span < 4, span)
        self.assertEqual({o["OutputKey"]: o["OutputValue"] for o in st["Outputs"]}["BastionPublicIP"], "127.0.0.1")
        self.cfn.delete_stack(StackName="live-super")
        self.wait(sid, "DELETE_COMPLETE")
        self.cfn.create_stack(StackName="live-super", TemplateURL=SUPER_URL, Parameters=params(),
                              Capabilities=["CAPABILITY_IAM"])
        self.sb.control("/_sandbox/reset")
        self.assertEqual(self.cfn.list_stacks()["StackSummaries"], [])
        with self.assertRaises(ClientError):
            self.cfn.describe_stacks(StackName="live-super")


if __name__ == "__main__":
    unittest.main()
