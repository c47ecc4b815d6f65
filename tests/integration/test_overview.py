"""`relcon builds --artifacts`: what each listed build shipped (AMIs per
region, internal templates, public alpha templates, its named release, its
stacks), fetched in one batch, compared with what the sandbox's AWS holds
read independently through boto3; the batch's requests counted from the
debug log (they do not grow with the number of builds); a failing part is
said and the others still shown.

Needs RELCON_BIN and the sandbox variables, AWS included (tests/run.sh)."""
import json
import os
import re
import unittest

from tests.integration.test_cli import Relcon, sandbox
from tests.integration.test_lineage import INTERNAL, PUBLIC, REGIONS, boto3, client


def commits_with_prefix(bucket, head):
    """The names directly under head ("<name>/...") in bucket."""
    out, token = set(), None
    s3 = client("s3")
    while True:
        kw = dict(Bucket=bucket, Prefix=head, Delimiter="/")
        if token:
            kw["ContinuationToken"] = token
        page = s3.list_objects_v2(**kw)
        out.update(p["Prefix"][len(head):].rstrip("/") for p in page.get("CommonPrefixes", []))
        token = page.get("NextContinuationToken")
        if not token:
            return out


class Overview(Relcon):
    def setUp(self):
        super().setUp()
        self.assertIsNotNone(boto3, "boto3 is needed to check the sandbox independently")
        self.assertTrue(os.environ.get("AWS_ENDPOINT_URL"), "the sandbox's AWS is not running")

    def artifacts(self, *args):
        log = os.path.join(self.home.name, "debug-%s.log" % "-".join(args or ("all",)))
        r = self.run_relcon("--debug=" + log, "builds", "--artifacts", "--json", *args)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(log, encoding="utf-8") as f:
            requests = [l for l in f if " http: done " in l]
        return json.loads(r.stdout), requests

    def test_matches_aws(self):
        builds, _ = self.artifacts()
        self.assertEqual(len(builds), 50)
        images = {}
        for region in REGIONS:
            for im in client("ec2", region).describe_images(Owners=["self"])["Images"]:
                tags = {t["Key"]: t["Value"] for t in im.get("Tags", [])}
                if im["State"] == "available" and "Commit" in tags:
                    images.setdefault(tags["Commit"], set()).add(region)
        internal = commits_with_prefix(INTERNAL, "")
        alpha = commits_with_prefix(PUBLIC, "alpha/")
        releases = commits_with_prefix(PUBLIC, "")
        stacks = {}
        for st in client("cloudformation").describe_stacks()["Stacks"]:
            tags = {t["Key"]: t["Value"] for t in st.get("Tags", [])}
            if "commit" in tags and st["StackStatus"] != "DELETE_COMPLETE" and not st.get("ParentId"):
                stacks[tags["commit"]] = stacks.get(tags["commit"], 0) + 1
        seen = {"amis": 0, "templates": 0, "alpha": 0, "released": 0}
        for b in builds:
            a, c = b["artifacts"], b["commit"]
            self.assertEqual(a["ami_regions"], len(images.get(c, ())), b["number"])
            self.assertEqual(a["templates"], c in internal, b["number"])
            self.assertEqual(a["alpha"], c in alpha, b["number"])
            self.assertEqual(a["release"], (b.get("meta_data") or {}).get("release-name"))
            self.assertEqual(a["released"], a["release"] in releases if a["release"] else False)
            self.assertEqual(a["stacks"], stacks.get(c, 0), b["number"])
            seen["amis"] += a["ami_regions"] == 3
            seen["templates"] += a["templates"]
            seen["alpha"] += a["alpha"]
            seen["released"] += a["released"]
        # The scenario has each kind: the comparison above compared something.
        for k, v in seen.items():
            self.assertGreater(v, 0, k)

    def test_requests_do_not_grow_with_builds(self):
        counts = {}
        for limit in ("5", "50"):
            _, requests = self.artifacts("--limit", limit)
            aws = [l for l in requests if "/v2/" not in l]
            counts[limit] = len(aws)
            # Per region one DescribeImages; three listings; DescribeStacks.
            images = [l for l in aws if re.search(r"POST http://[^ ]*(localhost|127\.0\.0\.1)", l)]
            self.assertEqual(len([l for l in aws if "list-type=2" in l]), 3, aws)
            self.assertGreaterEqual(len(images), 4)  # 3 x DescribeImages + DescribeStacks
        self.assertEqual(counts["5"], counts["50"], counts)

    def test_table_and_failed_part(self):
        r = self.run_relcon("builds", "--artifacts", "--limit", "20")
        self.assertEqual(r.returncode, 0, r.stderr)
        head, *rows = r.stdout.decode().splitlines()
        for col in ("AMI", "TPL", "PUBLIC", "STK"):
            self.assertIn(col, head)
        row = next(l for l in rows if l.startswith("4148"))
        self.assertIn("2026.11.2", row)
        self.assertIn("3/3", row)
        # The internal bucket's listing fails: said on stderr, exit 1, the
        # other parts still there, the failed one "?" (never a guess).
        env = self.env(RELCON_CONFIG=self.write_config("aws:\n  internal_bucket: no-such-bucket\n"))
        r = self.run_relcon("builds", "--artifacts", "--limit", "20", env=env)
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"templates", r.stderr)
        self.assertIn(b"NoSuchBucket", r.stderr)
        row = next(l for l in r.stdout.decode().splitlines() if l.startswith("4148"))
        self.assertIn("2026.11.2", row)
        self.assertIn("3/3", row)
        self.assertIn(" ? ", row)

    def write_config(self, text):
        path = os.path.join(self.home.name, "relcon.yaml")
        with open(path, "w") as f:
            f.write(text)
        return path


if __name__ == "__main__":
    unittest.main()
