"""Tests for the relcon sandbox's AWS half (aws_sim.py, aws_world.py, pipeline effects).

Run: python3 -m unittest discover -s tests/sandbox -v
One in-process sandbox (moto with signature checks + the Buildkite simulator on a live clock
at high speed, seeded with the AWS world) serves most tests; moto's state is process-wide, so
there is only one.  Raw requests are signed with botocore's SigV4Auth / S3SigV4Auth and sent
byte for byte with http.client; the AWS CLI and ctl.sh run as subprocesses.
"""
import hashlib
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import xml.etree.ElementTree as ET
from urllib.parse import quote, urlsplit

import yaml
from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SANDBOX = os.path.join(ROOT, "sandbox")
sys.path.insert(0, SANDBOX)
import aws_sim  # noqa: E402
import aws_world  # noqa: E402
import buildkite_sim  # noqa: E402
import scenario  # noqa: E402
from pipeline_effects import PipelineEffects  # noqa: E402

BUILDS = "/v2/organizations/readyset/pipelines/readyset/builds"
REGIONS = ("us-east-1", "us-east-2", "us-west-2")
INTERNAL, PUBLIC = aws_world.INTERNAL_BUCKET, aws_world.PUBLIC_BUCKET
FORM = "application/x-www-form-urlencoded; charset=utf-8"
LOCALS = aws_world.load_locals()
AMI_USERS = set(LOCALS["ami_users"])
SPEED = 100


def commit_of(n):
    return hashlib.sha1(("commit/%d" % n).encode()).hexdigest()


# What the scenario's history implies (sandbox/README.md lists the same).
BUILT = [4104, 4107, 4113, 4115, 4118, 4122, 4124, 4125, 4130, 4136, 4137, 4139, 4141, 4146, 4148,
         4153, 4154, 4155]
ALPHA = [4122, 4146]
RELEASES = {"2026.10.0": 4104, "2026.10.1": 4113, "2026.11.0": 4124, "2026.11.1": 4136, "2026.11.2": 4148}


class CfnLoader(yaml.SafeLoader):
    """YAML loader that keeps CloudFormation short-form tags (!Ref x -> {"Ref": x}, !Sub -> Fn::Sub)."""


def _cfn_tag(loader, suffix, node):
    if isinstance(node, yaml.SequenceNode):
        v = loader.construct_sequence(node, deep=True)
    elif isinstance(node, yaml.MappingNode):
        v = loader.construct_mapping(node, deep=True)
    else:
        v = loader.construct_scalar(node)
    return {suffix if suffix in ("Ref", "Condition") else "Fn::" + suffix: v}


CfnLoader.add_multi_constructor("!", _cfn_tag)


class World:
    """The one in-process sandbox for this module: AwsSim + Buildkite simulator with AWS effects."""
    _inst = None

    @classmethod
    def get(cls):
        if cls._inst is None:
            cls._inst = cls()
        return cls._inst

    def __init__(self):
        self.sim = aws_sim.AwsSim().start()
        self.errors = []
        cfg = buildkite_sim.Config(speed=SPEED, effects_factory=lambda: PipelineEffects(
            aws_world.World(self.sim), log=self.errors.append))
        self.srv = buildkite_sim.make_server(cfg)
        self.bk_port = self.srv.server_address[1]
        threading.Thread(target=self.srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        assert self.srv.sandbox.effects.wait_idle(60), "AWS world not seeded"
        assert not self.srv.sandbox.effects.errors, self.srv.sandbox.effects.errors

    def bk(self, method, path, body=None):
        c = http.client.HTTPConnection("127.0.0.1", self.bk_port, timeout=60)
        h = {"Authorization": "Bearer sandbox-token"}
        if body is not None:
            body, h["Content-Type"] = json.dumps(body), "application/json"
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = json.loads(r.read() or b"null")
        c.close()
        return r.status, data


def tearDownModule():
    if World._inst is not None:
        buildkite_sim.stop_server(World._inst.srv)
        World._inst.sim.stop()
        World._inst = None


def send(port, method, service, path, query="", body=b"", headers=None, region="us-east-2",
         key=aws_sim.ACCESS_KEY_ID, secret=aws_sim.SECRET_ACCESS_KEY, s3=False, tamper=None, sign=True):
    """Sign (botocore) and send exactly these bytes; returns (status, parsed XML root or None, raw).

    `path` and `query` are the wire form (already percent-encoded).  `tamper(path, query, body,
    headers)` may change what is sent after signing.
    """
    host = "localhost:%d" % port
    hdrs = {"Host": host}
    hdrs.update(headers or {})
    if sign:
        if s3:
            hdrs.setdefault("X-Amz-Content-SHA256", hashlib.sha256(body).hexdigest())
        req = AWSRequest(method=method, url="http://%s%s%s" % (host, path, "?" + query if query else ""),
                         data=body, headers=hdrs)
        (S3SigV4Auth if s3 else SigV4Auth)(Credentials(key, secret), service, region).add_auth(req)
        hdrs = dict(req.headers.items())
    if tamper:
        path, query, body, hdrs = tamper(path, query, body, hdrs)
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.putrequest(method, path + ("?" + query if query else ""), skip_host=True, skip_accept_encoding=True)
    for k, v in hdrs.items():
        c.putheader(k, v)
    if body or method in ("POST", "PUT"):
        c.putheader("Content-Length", str(len(body)))
    c.endheaders(body or None)
    r = c.getresponse()
    raw = r.read()
    c.close()
    try:
        root = ET.fromstring(raw) if raw.strip() else None
    except ET.ParseError:
        root = None
    return r.status, root, raw


def local(el):
    return el.tag.rsplit("}", 1)[-1]


def find_all(root, name):
    return [e for e in root.iter() if local(e) == name]


def text(root, name):
    e = next(iter(find_all(root, name)), None)
    return None if e is None else e.text


def code(root):
    return text(root, "Code") if root is not None else None


class SignatureTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.w = World.get()
        cls.port = cls.w.sim.port
        cls.commit = commit_of(4148)

    def send(self, *a, **kw):
        return send(self.port, *a, **kw)

    def list_v2(self, prefix, delimiter="/", **kw):
        q = "delimiter=%s&list-type=2&prefix=%s" % (quote(delimiter, safe=""), quote(prefix, safe=""))
        return self.send("GET", "s3", "/" + INTERNAL, q, s3=True, **kw)

    # --- refused --------------------------------------------------------------------------
    def test_unsigned_refused(self):
        st, root, _ = self.send("POST", "sts", "/", body=b"Action=GetCallerIdentity&Version=2011-06-15",
                                headers={"Content-Type": FORM}, sign=False)
        self.assertEqual((st, code(root)), (403, "MissingAuthenticationToken"))
        st, root, _ = self.send("GET", "ec2", "/", "Action=DescribeImages&Version=2016-11-15", sign=False)
        self.assertEqual((st, code(root)), (401, "AuthFailure"))
        st, root, _ = self.send("GET", "s3", "/%s/%s/readyset/templates/%s" % (
            PUBLIC, "2026.11.2", aws_world.TEMPLATES[0]), sign=False)
        self.assertEqual((st, code(root)), (403, "AccessDenied"))
        # a SigV2-style header and a SigV4 header without X-Amz-Date are refused, not a 500
        st, root, _ = self.send("GET", "s3", "/" + INTERNAL, sign=False,
                                headers={"Authorization": "AWS %s:c2lnbmF0dXJl" % aws_sim.ACCESS_KEY_ID})
        self.assertEqual((st, code(root)), (400, "AuthorizationHeaderMalformed"))
        drop_date = lambda p, q, b, h: (p, q, b, {k: v for k, v in h.items() if k != "X-Amz-Date"})  # noqa: E731
        st, root, _ = self.send("POST", "cloudformation", "/", body=b"Action=ListStacks&Version=2010-05-15",
                                headers={"Content-Type": FORM}, tamper=drop_date)
        self.assertEqual((st, code(root)), (403, "IncompleteSignature"))

    def test_wrong_secret_refused(self):
        bad = aws_sim.SECRET_ACCESS_KEY[:-1] + "X"
        st, root, _ = self.send("POST", "sts", "/", body=b"Action=GetCallerIdentity&Version=2011-06-15",
                                headers={"Content-Type": FORM}, secret=bad)
        self.assertEqual((st, code(root)), (403, "SignatureDoesNotMatch"))
        st, root, _ = self.list_v2(self.commit + "/", secret=bad)
        self.assertEqual((st, code(root)), (403, "SignatureDoesNotMatch"))
        st, root, _ = self.send("GET", "ec2", "/", "Action=DescribeImages&Version=2016-11-15", secret=bad)
        self.assertEqual((st, code(root)), (401, "AuthFailure"))  # EC2's word for it

    def test_unknown_key_refused(self):
        st, root, _ = self.send("POST", "sts", "/", body=b"Action=GetCallerIdentity&Version=2011-06-15",
                                headers={"Content-Type": FORM}, key="AKIAIOSFODNN7EXAMPLE", secret="x" * 40)
        self.assertEqual((st, code(root)), (403, "InvalidClientTokenId"))
        st, root, _ = self.list_v2("", key="AKIAIOSFODNN7EXAMPLE", secret="x" * 40)
        self.assertEqual((st, code(root)), (403, "InvalidAccessKeyId"))

    def test_tampered_refused(self):
        # form body changed after signing
        more = lambda p, q, b, h: (p, q, b + b"&Foo=bar", h)  # noqa: E731
        st, root, _ = self.send("POST", "cloudformation", "/", body=b"Action=ListStacks&Version=2010-05-15",
                                headers={"Content-Type": FORM}, tamper=more)
        self.assertEqual((st, code(root)), (403, "SignatureDoesNotMatch"))
        # %20 swapped for + (the same form data to a form parser, other bytes on the wire)
        plus = lambda p, q, b, h: (p, q, b.replace(b"%20", b"+"), h)  # noqa: E731
        st, root, _ = self.send("POST", "cloudformation", "/", headers={"Content-Type": FORM}, tamper=plus,
                                body=b"Action=ValidateTemplate&Version=2010-05-15&TemplateBody="
                                     + quote(TINY_TEMPLATE, safe="-_.~").encode())
        self.assertEqual((st, code(root)), (403, "SignatureDoesNotMatch"))
        # S3 query changed after signing: another prefix
        other = lambda p, q, b, h: (p, q.replace("prefix=a", "prefix=b"), b, h)  # noqa: E731
        st, root, _ = self.list_v2("a/b", tamper=other)
        self.assertEqual((st, code(root)), (403, "SignatureDoesNotMatch"))
        # %2F sent as / : the same parameters, so (like AWS) still accepted ...
        slash = lambda p, q, b, h: (p, q.replace("%2F", "/"), b, h)  # noqa: E731
        st, root, _ = self.list_v2(self.commit + "/readyset/", tamper=slash)
        self.assertEqual(st, 200)
        # ... but an encoded '&' is data, not a separator: splitting there changes the request
        amp = lambda p, q, b, h: (p, q.replace("%26", "&"), b, h)  # noqa: E731
        st, root, _ = self.list_v2("x&y=z", tamper=amp)
        self.assertEqual((st, code(root)), (403, "SignatureDoesNotMatch"))
        # Query-protocol GET with a parameter changed
        sha = lambda p, q, b, h: (p, q.replace(self.commit, commit_of(4104)), b, h)  # noqa: E731
        st, root, _ = self.send("GET", "ec2", "/", describe_query(self.commit), tamper=sha)
        self.assertEqual((st, code(root)), (401, "AuthFailure"))
        # S3 path changed (another object)
        key = "/%s/%s/readyset/templates/" % (INTERNAL, self.commit)
        other_obj = lambda p, q, b, h: (p.replace(aws_world.TEMPLATES[0], aws_world.TEMPLATES[1]), q, b, h)  # noqa
        st, root, _ = self.send("GET", "s3", key + aws_world.TEMPLATES[0], s3=True, tamper=other_obj)
        self.assertEqual((st, code(root)), (403, "SignatureDoesNotMatch"))
        # a signed header changed
        date = lambda p, q, b, h: (p, q, b, dict(h, **{"X-Amz-Date": "20200101T000000Z"}))  # noqa: E731
        st, root, _ = self.send("POST", "sts", "/", body=b"Action=GetCallerIdentity&Version=2011-06-15",
                                headers={"Content-Type": FORM}, tamper=date)
        self.assertEqual((st, code(root)), (403, "SignatureDoesNotMatch"))

    def test_s3_body_must_match_signed_hash(self):
        key = "/%s/scratch/tampered.txt" % INTERNAL
        swap = lambda p, q, b, h: (p, q, b"evil", h)  # noqa: E731
        st, root, _ = self.send("PUT", "s3", key, body=b"good", s3=True, tamper=swap)
        self.assertEqual((st, code(root)), (400, "XAmzContentSHA256Mismatch"))
        st, _, _ = self.send("HEAD", "s3", key, s3=True)
        self.assertEqual(st, 404)  # nothing was written
        st, _, _ = self.send("PUT", "s3", key, body=b"good", s3=True)
        self.assertEqual(st, 200)
        st, _, raw = self.send("GET", "s3", key, s3=True)
        self.assertEqual((st, raw), (200, b"good"))
        self.assertEqual(self.send("DELETE", "s3", key, s3=True)[0], 204)

    def test_moto_control_api_read_only(self):
        st, _, _ = self.send("POST", "moto", "/moto-api/reset-auth", body=b"1000", sign=False)
        self.assertEqual(st, 403)
        st, _, _ = self.send("POST", "moto", "/moto-api/reset", sign=False)
        self.assertEqual(st, 403)
        st, root, _ = self.send("GET", "ec2", "/", "Action=DescribeImages&Version=2016-11-15", sign=False)
        self.assertEqual(st, 401)  # still checked
        got = self.w.sim.client("s3").list_objects_v2(Bucket=INTERNAL, Prefix=self.commit + "/")
        self.assertEqual(got["KeyCount"], len(aws_world.TEMPLATES))  # and nothing was reset

    # --- the three false rejections of moto 5.2.1 -------------------------------------------
    def test_s3_prefix_and_delimiter_with_slashes(self):
        st, root, raw = self.list_v2(self.commit + "/readyset/")
        self.assertEqual(st, 200, raw)
        self.assertEqual(text(root, "Prefix"), self.commit + "/readyset/")
        self.assertEqual([text(p, "Prefix") for p in find_all(root, "CommonPrefixes")],
                         [self.commit + "/readyset/templates/"])
        st, root, raw = self.list_v2(self.commit + "/readyset/templates/")
        self.assertEqual(st, 200, raw)
        self.assertEqual(sorted(k.text.rsplit("/", 1)[1] for k in find_all(root, "Key")),
                         sorted(aws_world.TEMPLATES))
        st, root, raw = self.list_v2("a/b")  # the literal case from DESIGN.md
        self.assertEqual((st, find_all(root, "Contents")), (200, []))

    def test_s3_keys_with_plus_and_space(self):
        s3 = self.w.sim.client("s3")
        key = "scratch/a+b c%.yaml"  # on the wire: a%2Bb%20c%25.yaml
        s3.put_object(Bucket=INTERNAL, Key=key, Body=b"x")
        self.assertEqual(s3.get_object(Bucket=INTERNAL, Key=key)["Body"].read(), b"x")
        got = s3.list_objects_v2(Bucket=INTERNAL, Prefix="scratch/a+b ", Delimiter="/")
        self.assertEqual([o["Key"] for o in got["Contents"]], [key])
        s3.delete_object(Bucket=INTERNAL, Key=key)

    def test_form_post_with_percent20(self):
        body = ("Action=ValidateTemplate&Version=2010-05-15&TemplateBody="
                + quote(TINY_TEMPLATE, safe="-_.~")).encode()
        self.assertIn(b"%20", body)
        self.assertNotIn(b"+", body)
        st, root, raw = self.send("POST", "cloudformation", "/", body=body, headers={"Content-Type": FORM})
        self.assertEqual(st, 200, raw)
        self.assertEqual(text(root, "Description"), "Tiny template: a + b = c, 100% sure")

    def test_query_get_with_parameters(self):
        for region in REGIONS:
            st, root, raw = self.send("GET", "ec2", "/", describe_query(self.commit), region=region)
            self.assertEqual(st, 200, raw)
            self.assertEqual(len(find_all(root, "imageId")), 2, region)  # build AMI + 2026.11.2 copy
        st, root, raw = self.send("GET", "cloudformation", "/",
                                  "Action=ListStacks&StackStatusFilter.member.1=CREATE_COMPLETE&"
                                  "Version=2010-05-15")
        self.assertEqual(st, 200, raw)
        st, root, raw = self.send("GET", "sts", "/", "Action=GetCallerIdentity&Version=2011-06-15")
        self.assertEqual((st, text(root, "Account")), (200, aws_sim.ACCOUNT_ID))

    def test_canonical_query(self):
        cq = aws_sim.canonical_query
        self.assertEqual(cq("prefix=a%2Fb&list-type=2&delimiter=%2F"), "delimiter=%2F&list-type=2&prefix=a%2Fb")
        self.assertEqual(cq("prefix=a/b&delimiter=/"), "delimiter=%2F&prefix=a%2Fb")
        self.assertEqual(cq("x=%7e%2f&acl"), "acl=&x=~%2F")
        self.assertEqual(cq("k=a%26b%3Dc&k=a"), "k=a&k=a%26b%3Dc")
        self.assertEqual(cq("v=a+b"), "v=a%2Bb")

    def test_boto3_and_identity(self):
        sts = self.w.sim.client("sts")
        ident = sts.get_caller_identity()
        self.assertEqual(ident["Account"], "123456789012")
        self.assertTrue(ident["Arn"].endswith(":user/" + aws_sim.USER_NAME))
        with self.assertRaises(ClientError) as cm:
            import boto3
            boto3.client("sts", region_name="us-east-2", endpoint_url=self.w.sim.endpoint,
                         aws_access_key_id="test", aws_secret_access_key="test").get_caller_identity()
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidClientTokenId")


TINY_TEMPLATE = ('AWSTemplateFormatVersion: "2010-09-09"\nDescription: "Tiny template: a + b = c, 100% sure"\n'
                 "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n")


def describe_query(commit):
    return ("Action=DescribeImages&Filter.1.Name=tag%3ACommit&Filter.1.Value.1=" + commit
            + "&Owner.1=self&Version=2016-11-15")


class SeededWorldTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.w = World.get()
        cls.s3 = cls.w.sim.client("s3")
        cls.ec2 = {r: cls.w.sim.client("ec2", r) for r in REGIONS}

    def images(self, region, commit, stage=None):
        f = [{"Name": "tag:Commit", "Values": [commit]}]
        if stage:
            f.append({"Name": "tag:Stage", "Values": [stage]})
        return self.ec2[region].describe_images(Owners=["self"], Filters=f)["Images"]

    def perms(self, region, image_id):
        lp = self.ec2[region].describe_image_attribute(ImageId=image_id, Attribute="launchPermission")
        return {p.get("UserId") or "group:" + p["Group"] for p in lp["LaunchPermissions"]}

    def keys(self, bucket, prefix, delimiter=None):
        kw = {"Delimiter": delimiter} if delimiter else {}
        r = self.s3.list_objects_v2(Bucket=bucket, Prefix=prefix, **kw)
        return [o["Key"] for o in r.get("Contents", [])], [p["Prefix"] for p in r.get("CommonPrefixes", [])]

    def template(self, bucket, key):
        return yaml.load(self.s3.get_object(Bucket=bucket, Key=key)["Body"].read(), Loader=CfnLoader)

    def test_seeded_events(self):
        ev = [e for e in self.w.srv.sandbox.effects.events() if e["seeded"]]
        self.assertEqual(len(ev), 27)
        self.assertEqual(sorted(e["build"] for e in ev if e["effect"] == "amis_built"), BUILT)
        self.assertEqual({e["aws"] for e in ev if e["effect"] != "deploy_failed"}, {"done"})
        self.assertEqual({e["aws"] for e in ev if e["effect"] == "deploy_failed"}, {"none"})
        self.assertEqual(self.w.errors, [])

    def test_built_commits_have_amis_in_each_region(self):
        for n in BUILT:
            c = commit_of(n)
            for region in REGIONS:
                imgs = self.images(region, c, "build")
                self.assertEqual(len(imgs), 1, (n, region))
                im = imgs[0]
                tags = {t["Key"]: t["Value"] for t in im["Tags"]}
                self.assertEqual(tags["Commit"], c)
                self.assertEqual(tags["Name"], "readyset-%s-%s" % (c[:12], region))
                self.assertEqual(tags["Build"], str(n))
                self.assertEqual(im["Name"], tags["Name"])
                self.assertEqual(im["State"], "available")
                self.assertEqual(im["OwnerId"], aws_sim.ACCOUNT_ID)

    def test_commits_without_amis(self):
        for n in (4157, 4152, 4156, 4150, 4160):  # blocked, Build AMIs failed, Test failed, blocked, queued
            for region in REGIONS:
                self.assertEqual(self.images(region, commit_of(n)), [], (n, region))
            self.assertEqual(self.keys(INTERNAL, commit_of(n) + "/")[0], [], n)

    def test_launch_permissions_and_the_one_drift_commit(self):
        drift = {}
        for n in BUILT:
            c = commit_of(n)
            for region in REGIONS:
                for im in self.images(region, c):
                    got = self.perms(region, im["ImageId"])
                    if got != AMI_USERS:
                        drift[(n, region)] = got
        missing = LOCALS["customer_account_ids"][1]
        self.assertEqual(drift, {
            (aws_world.DRIFT_BUILD, "us-east-1"): AMI_USERS - {missing},
            (aws_world.DRIFT_BUILD, "us-east-2"): AMI_USERS | {aws_world.DRIFT_EXTRA_ACCOUNT},
            (aws_world.DRIFT_BUILD, "us-west-2"): AMI_USERS | {"group:all"},
        })
        pub = self.images("us-west-2", commit_of(aws_world.DRIFT_BUILD))[0]
        self.assertTrue(pub["Public"])

    def test_internal_templates(self):
        for n in BUILT:
            c = commit_of(n)
            keys, _ = self.keys(INTERNAL, "%s/readyset/templates/" % c)
            self.assertEqual(sorted(keys), sorted("%s/readyset/templates/%s" % (c, t) for t in aws_world.TEMPLATES))
        c = commit_of(4148)
        amis = {r: self.images(r, c, "build")[0]["ImageId"] for r in REGIONS}
        t = self.template(INTERNAL, "%s/readyset/templates/readyset-mysql-super-template.yaml" % c)
        self.assertEqual({r: v["ReadySetServerAMI"] for r, v in t["Mappings"]["AMIRegionMap"].items()}, amis)
        self.assertEqual(set(t["Parameters"]), {
            "KeyPairName", "AvailabilityZones", "AccessCIDR", "ReadySetS3BucketName", "DatabaseUsername",
            "DatabaseName", "ReadySetDeploymentName", "SSMParameterKmsKeyArn", "SSMPathRDSDatabasePassword"})
        self.assertEqual(t["Parameters"]["ReadySetS3BucketName"]["Default"], INTERNAL)
        self.assertEqual(t["Metadata"]["ReadySet"]["Commit"], c)
        res = t["Resources"]
        self.assertEqual({k for k, v in res.items() if v["Type"] == "AWS::CloudFormation::Stack"},
                         {"BastionStack", "ReadySetRDSMySQLStack", "ReadySetMySQLStack"})
        self.assertIn("%s/readyset/templates/readyset-bastion-template.yaml" % c,
                      res["BastionStack"]["Properties"]["TemplateURL"]["Fn::Sub"])
        self.assertIn("EIP1", self.template(INTERNAL, "%s/readyset/templates/readyset-bastion-template.yaml"
                                            % c)["Outputs"])
        rs = self.template(INTERNAL, "%s/readyset/templates/readyset-template.yaml" % c)
        self.assertIn("ReadySetMonitorInstance", rs["Resources"])
        self.assertIn("ReadySetAdapterNLBDNSName", rs["Outputs"])
        # moto's CloudFormation reads it from the https S3 URL form relcon uses
        url = aws_world.template_url(INTERNAL, "%s/readyset/templates/readyset-mysql-super-template.yaml" % c)
        summary = self.w.sim.client("cloudformation").get_template_summary(TemplateURL=url)
        self.assertIn("KeyPairName", [p["ParameterKey"] for p in summary["Parameters"]])

    def test_alpha_and_release_templates(self):
        _, top = self.keys(PUBLIC, "", "/")
        self.assertEqual(sorted(top), sorted(["alpha/"] + [r + "/" for r in RELEASES]))
        _, alpha = self.keys(PUBLIC, "alpha/", "/")
        self.assertEqual(sorted(alpha), sorted("alpha/%s/" % commit_of(n) for n in ALPHA))
        for n in ALPHA:
            c = commit_of(n)
            keys, _ = self.keys(PUBLIC, "alpha/%s/readyset/templates/" % c)
            self.assertEqual(len(keys), len(aws_world.TEMPLATES))
            amis = {}
            for r in REGIONS:
                imgs = self.images(r, c, "alpha")
                self.assertEqual(len(imgs), 1, (n, r))
                self.assertEqual(self.perms(r, imgs[0]["ImageId"]), AMI_USERS)
                amis[r] = imgs[0]["ImageId"]
            t = self.template(PUBLIC, "alpha/%s/readyset/templates/readyset-template.yaml" % c)
            self.assertEqual({r: v["ReadySetServerAMI"] for r, v in t["Mappings"]["AMIRegionMap"].items()}, amis)
            self.assertEqual(t["Metadata"]["ReadySet"]["Stage"], "alpha")
        for name, n in RELEASES.items():
            c = commit_of(n)
            keys, _ = self.keys(PUBLIC, "%s/readyset/templates/" % name)
            self.assertEqual(len(keys), len(aws_world.TEMPLATES), name)
            imgs = self.images("us-east-2", c, "release")
            self.assertEqual(len(imgs), 1, name)
            tags = {t["Key"]: t["Value"] for t in imgs[0]["Tags"]}
            self.assertEqual((tags["Release"], tags["Name"]), (name, "readyset-%s-us-east-2" % name))
            t = self.template(PUBLIC, "%s/readyset/templates/readyset-mysql-super-template.yaml" % name)
            self.assertEqual(t["Mappings"]["AMIRegionMap"]["us-east-2"]["ReadySetServerAMI"], imgs[0]["ImageId"])
            self.assertEqual(t["Metadata"]["ReadySet"]["Version"], name)
            acl = self.s3.get_object_acl(Bucket=PUBLIC, Key=keys[0])
            self.assertIn("http://acs.amazonaws.com/groups/global/AllUsers",
                          [g["Grantee"].get("URI") for g in acl["Grants"]])
        # alpha step unblockable but not unblocked, and the failed alpha deploy: nothing public
        for n in (4154, 4137, 4141):
            self.assertEqual(self.keys(PUBLIC, "alpha/%s/" % commit_of(n))[0], [], n)
            self.assertEqual(self.images("us-east-2", commit_of(n), "alpha"), [], n)

    def test_key_pairs(self):
        kp = self.ec2["us-east-2"].describe_key_pairs()["KeyPairs"]
        self.assertEqual(sorted(k["KeyName"] for k in kp), ["alice", "bob"])
        with self.assertRaises(ClientError) as cm:
            self.ec2["us-east-2"].describe_key_pairs(KeyNames=["mallory"])
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidKeyPair.NotFound")

    def test_locals_file(self):
        self.assertEqual(len(LOCALS["internal_account_ids"]), 2)
        self.assertIn(aws_sim.ACCOUNT_ID, LOCALS["internal_account_ids"])
        self.assertEqual(len(LOCALS["customer_account_ids"]), 4)
        self.assertEqual(LOCALS["ami_users"], LOCALS["internal_account_ids"] + LOCALS["customer_account_ids"])
        self.assertEqual(LOCALS["destination_regions"], list(REGIONS))
        with open(aws_world.LOCALS_PATH) as f:
            src = f.read()
        self.assertRegex(src, r'"135792468013", // Umbrella\n  \]')  # comment + trailing comma kept
        odd = ('locals {\n  a = "111111111111" # x\n  b = [local.a, /* y */ "222222222222",]\n'
               '  internal_account_ids = local.b\n  customer_account_ids = []\n'
               '  ami_users = concat(local.internal_account_ids, ["333333333333"])\n'
               '  destination_regions = ["us-east-2"]\n  s = "# not a comment"\n}\n')
        got = aws_world.parse_locals(odd)
        self.assertEqual(got["ami_users"], ["111111111111", "222222222222", "333333333333"])
        with self.assertRaises(ValueError):
            aws_world.parse_locals(odd.replace('"222222222222"', '"2222"'))


class EffectsTest(unittest.TestCase):
    """Unblocking steps through the Buildkite REST API makes the AWS world change (live clock)."""

    @classmethod
    def setUpClass(cls):
        cls.w = World.get()

    def wait_for(self, what, fn, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            v = fn()
            if v:
                return v
            time.sleep(0.1)
        self.fail("timed out waiting for " + what)

    @classmethod
    def tearDownClass(cls):
        # Put the seeded world back (this also exercises POST /_sandbox/reset in-process).
        st, body = cls.w.bk("POST", "/_sandbox/reset")
        assert (st, body) == (200, {"ok": True}), (st, body)

    def test_unblock_build_amis_then_release(self):
        w, n = self.w, 4157
        c = commit_of(n)
        ec2 = {r: w.sim.client("ec2", r) for r in REGIONS}
        s3 = w.sim.client("s3")

        def amis(stage):
            out = {}
            for r in REGIONS:
                imgs = ec2[r].describe_images(Owners=["self"], Filters=[
                    {"Name": "tag:Commit", "Values": [c]}, {"Name": "tag:Stage", "Values": [stage]}])["Images"]
                if imgs:
                    out[r] = imgs[0]["ImageId"]
            return out if len(out) == len(REGIONS) else None

        def keys(bucket, prefix):
            return [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])]

        self.assertIsNone(amis("build"))
        st, b = w.bk("GET", "%s/%d" % (BUILDS, n))
        job = next(j for j in b["jobs"] if j.get("step_key") == "build-amis")
        st, _ = w.bk("PUT", "%s/%d/jobs/%s/unblock" % (BUILDS, n, job["id"]), {})
        self.assertEqual(st, 200)
        self.assertEqual(keys(INTERNAL, c + "/"), [])  # Build AMIs takes (simulated) time first
        built = self.wait_for("AMIs of %d" % n, lambda: amis("build"))
        for r, image_id in built.items():
            lp = ec2[r].describe_image_attribute(ImageId=image_id, Attribute="launchPermission")
            self.assertEqual({p["UserId"] for p in lp["LaunchPermissions"]}, AMI_USERS)
        self.wait_for("internal templates", lambda: len(keys(INTERNAL, c + "/readyset/templates/"))
                      == len(aws_world.TEMPLATES))
        ev = self.wait_for("the effect's event", lambda: [
            e for e in w.srv.sandbox.effects.events()
            if e["build"] == n and not e["seeded"] and e.get("aws") == "done"])
        self.assertEqual((ev[0]["effect"], ev[0]["amis"]), ("amis_built", built))

        def release_unblockable():
            _, b = w.bk("GET", "%s/%d" % (BUILDS, n))
            j = next(j for j in b["jobs"] if j.get("step_key") == "release")
            return j if j["unblockable"] else None
        rel = self.wait_for("smoke test", release_unblockable)
        st, _ = w.bk("PUT", "%s/%d/jobs/%s/unblock" % (BUILDS, n, rel["id"]), {"fields": {"release-name": "2026.12.0"}})
        self.assertEqual(st, 200)
        self.wait_for("release templates", lambda: len(keys(PUBLIC, "2026.12.0/readyset/templates/"))
                      == len(aws_world.TEMPLATES))
        released = self.wait_for("release AMIs", lambda: amis("release"))
        self.assertTrue(set(released.values()).isdisjoint(built.values()))

    def test_failed_deploy_writes_nothing(self):
        w, n = self.w, 4130  # its alpha Deploy fails once unblocked (sandbox/README.md)
        c = commit_of(n)
        s3 = w.sim.client("s3")
        st, b = w.bk("GET", "%s/%d" % (BUILDS, n))
        job = next(j for j in b["jobs"] if j.get("step_key") == "alpha")
        st, _ = w.bk("PUT", "%s/%d/jobs/%s/unblock" % (BUILDS, n, job["id"]), {})
        self.assertEqual(st, 200)

        def deploy_failed():
            _, b = w.bk("GET", "%s/%d" % (BUILDS, n))
            return next(j for j in b["jobs"] if j.get("step_key") == "deploy")["state"] == "failed"
        self.wait_for("the deploy of %d to fail" % n, deploy_failed)
        self.assertTrue(w.srv.sandbox.effects.wait_idle(20))
        ev = [e for e in w.srv.sandbox.effects.events() if e["build"] == n and not e["seeded"]]
        self.assertEqual([(e["effect"], e["step"], e["aws"]) for e in ev], [("deploy_failed", "alpha", "none")])
        self.assertEqual(s3.list_objects_v2(Bucket=PUBLIC, Prefix="alpha/%s/" % c).get("Contents", []), [])
        for r in REGIONS:
            imgs = w.sim.client("ec2", r).describe_images(Owners=["self"], Filters=[
                {"Name": "tag:Commit", "Values": [c]}])["Images"]
            self.assertEqual([{t["Key"]: t["Value"] for t in i["Tags"]}["Stage"] for i in imgs], ["build"], r)

    def test_effects_queue_in_order_and_close(self):
        calls = []

        class FakeWorld:
            def prepare(self):
                calls.append("prepare")

            def build_amis(self, b):
                time.sleep(0.05)
                calls.append(("amis", b.number))
                return {"us-east-2": "ami-1"}

            def deploy(self, b, stage, name=None):
                calls.append((stage, b.number, name))
                if name == "boom":
                    raise RuntimeError("boom")

        fx = PipelineEffects(FakeWorld())
        b = scenario.Build(number=1, branch="main", commit="c" * 40, message="m", author={}, creator={},
                           created_at=0.0, jobs=[])
        fx.amis_built(b)
        fx.release_deployed(b, "boom")
        fx.alpha_deployed(b)
        fx.deploy_failed(b, "alpha")
        self.assertTrue(fx.wait_idle(5))
        self.assertEqual(calls, ["prepare", ("amis", 1), ("release", 1, "boom"), ("alpha", 1, None)])
        self.assertEqual([e["aws"] for e in fx.events()], ["done", "error: boom", "done", "none"])
        self.assertEqual(fx.events()[0]["amis"], {"us-east-2": "ami-1"})
        self.assertEqual(fx.errors, ["deploy: boom"])
        fx.close()
        fx.amis_built(b)
        self.assertEqual(fx.events()[-1]["aws"], "error: sandbox effects closed")


class CliTest(unittest.TestCase):
    """The real AWS CLI, pointed at the sandbox, reads what boto3 reads."""

    @classmethod
    def setUpClass(cls):
        cls.w = World.get()
        if not shutil.which("aws"):
            raise unittest.SkipTest("aws CLI not installed")

    def aws(self, *args, region="us-east-2"):
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(AWS_ACCESS_KEY_ID=aws_sim.ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY=aws_sim.SECRET_ACCESS_KEY,
                   AWS_DEFAULT_REGION=region, AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull,
                   AWS_EC2_METADATA_DISABLED="true", AWS_PAGER="")
        p = subprocess.run(["aws", "--endpoint-url", self.w.sim.endpoint, "--output", "json"] + list(args),
                           env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        return json.loads(p.stdout)

    def test_describe_images_and_list_objects(self):
        c = commit_of(4148)
        for region in ("us-east-2", "us-west-2"):
            got = self.aws("ec2", "describe-images", "--owners", "self", "--filters",
                           "Name=tag:Commit,Values=" + c, region=region)["Images"]
            want = self.w.sim.client("ec2", region).describe_images(
                Owners=["self"], Filters=[{"Name": "tag:Commit", "Values": [c]}])["Images"]
            self.assertEqual(sorted(i["ImageId"] for i in got), sorted(i["ImageId"] for i in want))
            self.assertEqual(len(got), 2)  # the build AMI and the 2026.11.2 release copy
        got = self.aws("s3api", "list-objects-v2", "--bucket", INTERNAL, "--prefix", c + "/", "--delimiter", "/")
        self.assertEqual([p["Prefix"] for p in got["CommonPrefixes"]], [c + "/readyset/"])
        got = self.aws("s3api", "list-objects-v2", "--bucket", INTERNAL, "--prefix", c + "/readyset/templates/",
                       "--delimiter", "/")
        want = self.w.sim.client("s3").list_objects_v2(Bucket=INTERNAL, Prefix=c + "/readyset/templates/")
        self.assertEqual([(o["Key"], o["ETag"]) for o in got["Contents"]],
                         [(o["Key"], o["ETag"]) for o in want["Contents"]])
        drift = self.aws("ec2", "describe-image-attribute", "--attribute", "launchPermission", "--image-id",
                         self.w.sim.client("ec2", "us-west-2").describe_images(Owners=["self"], Filters=[
                             {"Name": "tag:Commit", "Values": [commit_of(aws_world.DRIFT_BUILD)]}])["Images"][0]
                         ["ImageId"], region="us-west-2")
        self.assertIn({"Group": "all"}, drift["LaunchPermissions"])


class ProcessTest(unittest.TestCase):
    """ctl.sh / sandbox.py as a separate process, AWS included (it has its own moto)."""

    def test_ctl_start_stop_with_aws(self):
        d = tempfile.mkdtemp()
        ctl = os.path.join(SANDBOX, "ctl.sh")
        try:
            t0 = time.monotonic()
            p = subprocess.run(["sh", ctl, "start", d, "--now", "2026-11-24T12:00:00Z"],
                               capture_output=True, text=True, timeout=40)
            started = time.monotonic() - t0
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertLess(started, 15)
            lines = p.stdout.splitlines()
            env = dict(line.split("=", 1) for line in lines)
            self.assertEqual([line.split("=", 1)[0] for line in lines], [
                "RELCON_BUILDKITE_ENDPOINT", "BUILDKITE_API_TOKEN", "BUILDKITE_ORGANIZATION_SLUG",
                "RELCON_PIPELINE", "RELCON_IP_URL", "SANDBOX_PID", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID",
                "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_DEFAULT_REGION", "RELCON_LOCALS_PATH"])
            self.assertRegex(env["AWS_ENDPOINT_URL"], r"^http://localhost:\d+$")
            self.assertEqual((env["AWS_REGION"], env["AWS_DEFAULT_REGION"]), ("us-east-2", "us-east-2"))
            self.assertEqual(env["AWS_ACCESS_KEY_ID"], aws_sim.ACCESS_KEY_ID)
            self.assertEqual(env["RELCON_LOCALS_PATH"], aws_world.LOCALS_PATH)
            with open(os.path.join(d, "sandbox.ready.json")) as f:
                ready = json.load(f)
            port = urlsplit(env["AWS_ENDPOINT_URL"]).port
            self.assertEqual(ready["aws"], "http://127.0.0.1:%d" % port)
            # world seeded before ready; and the shell-quoted values evaluate back
            sh = subprocess.run(["sh", "-c", 'eval "$1"; printf %s "$AWS_SECRET_ACCESS_KEY"', "sh", p.stdout],
                                capture_output=True, text=True, timeout=10)
            self.assertEqual(sh.stdout, aws_sim.SECRET_ACCESS_KEY)
            st, root, raw = send(port, "GET", "s3", "/" + INTERNAL,
                                 "delimiter=%2F&list-type=2&prefix=" + commit_of(4155) + "%2F", s3=True)
            self.assertEqual(st, 200, raw)
            self.assertEqual(len(find_all(root, "CommonPrefixes")), 1)
            # POST /_sandbox/reset re-makes the AWS world: a stray object is gone, the seed is back
            self.assertEqual(send(port, "PUT", "s3", "/%s/stray.txt" % INTERNAL, body=b"x", s3=True)[0], 200)
            u = urlsplit(env["RELCON_BUILDKITE_ENDPOINT"])
            c = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
            c.request("POST", "/_sandbox/reset")
            r = c.getresponse()
            self.assertEqual((r.status, json.loads(r.read())), (200, {"ok": True}))
            c.request("GET", "/_sandbox")
            info = json.loads(c.getresponse().read())
            c.close()
            self.assertEqual(info["aws"]["aws_endpoint_url"], env["AWS_ENDPOINT_URL"])
            self.assertNotIn("aws_secret_access_key", info["aws"])
            self.assertEqual(send(port, "HEAD", "s3", "/%s/stray.txt" % INTERNAL, s3=True)[0], 404)
            st, root, _ = send(port, "GET", "ec2", "/", describe_query(commit_of(4148)), region="us-west-2")
            self.assertEqual((st, len(find_all(root, "imageId"))), (200, 2))
            p = subprocess.run(["sh", ctl, "stop", d], capture_output=True, text=True, timeout=20)
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(os.path.join(d, "sandbox.log")) as f:
                log = f.read()
            self.assertNotIn("Traceback", log)
            self.assertRegex(log, r'aws 127\.0\.0\.1 "PUT /readysettech-cfn-internal-us-east-2 HTTP/1\.1" 200')
        finally:
            subprocess.run(["sh", ctl, "stop", d], capture_output=True, timeout=20)
            shutil.rmtree(d, ignore_errors=True)

    def test_no_aws_and_clean_sigint(self):
        d = tempfile.mkdtemp()
        try:
            for extra in (["--no-aws"], []):
                ready = os.path.join(d, "ready.json")
                p = subprocess.Popen([sys.executable, os.path.join(SANDBOX, "sandbox.py"), "--ready-file", ready,
                                      "--now", "2026-11-24T12:00:00Z"] + extra,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                deadline = time.monotonic() + 30
                while not os.path.exists(ready) and time.monotonic() < deadline and p.poll() is None:
                    time.sleep(0.05)
                with open(ready) as f:
                    info = json.load(f)
                self.assertEqual("aws" in info, not extra)
                p.send_signal(signal.SIGINT)
                out, err = p.communicate(timeout=15)
                self.assertEqual((p.returncode, err), (0, b""))
                self.assertFalse(os.path.exists(ready))
        finally:
            shutil.rmtree(d, ignore_errors=True)

    def test_bad_locals_file_fails_startup(self):
        d = tempfile.mkdtemp()
        try:
            bad = os.path.join(d, "locals.pkr.hcl")
            with open(bad, "w") as f:
                f.write('locals {\n  customer_account_ids = ["12345"]\n}\n')
            p = subprocess.run([sys.executable, os.path.join(SANDBOX, "sandbox.py"), "--ready-file",
                                os.path.join(d, "r.json"), "--locals", bad], capture_output=True, text=True,
                               timeout=30)
            self.assertEqual(p.returncode, 1)
            self.assertIn(bad, p.stderr)
            self.assertFalse(os.path.exists(os.path.join(d, "r.json")))
        finally:
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
