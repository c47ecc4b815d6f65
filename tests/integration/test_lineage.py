"""`relcon build --json` with AWS: the lineage of a commit (AMIs per region
with launch permissions and drift, template URLs at each stage) compared
with what the sandbox's AWS (moto, read independently through boto3) holds.

Needs RELCON_BIN and the sandbox variables, AWS included (tests/run.sh)."""
import json
import os
import unittest

from tests.integration.test_cli import Relcon, all_builds

try:
    import boto3
except ImportError:  # the sandbox needs boto3 anyway; fail clearly
    boto3 = None

REGIONS = ["us-east-1", "us-east-2", "us-west-2"]
INTERNAL = "readysettech-cfn-internal-us-east-2"
PUBLIC = "readysettech-cfn-public-us-east-2"


def client(service, region="us-east-2"):
    return boto3.client(service, region_name=region, endpoint_url=os.environ["AWS_ENDPOINT_URL"],
                        aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"])


def keys(bucket, prefix):
    out = client("s3").list_objects_v2(Bucket=bucket, Prefix=prefix)
    return sorted(o["Key"] for o in out.get("Contents", []))


class Lineage(Relcon):
    def setUp(self):
        super().setUp()
        self.assertIsNotNone(boto3, "boto3 is needed to check the sandbox independently")
        self.assertTrue(os.environ.get("AWS_ENDPOINT_URL"), "the sandbox's AWS is not running")

    def lineage(self, number):
        got = self.json_of("build", str(number))
        self.assertIsNotNone(got["lineage"], got.get("aws_error"))
        return got, got["lineage"]

    def test_amis_match_what_aws_holds(self):
        released = next(b for b in all_builds() if b["meta_data"].get("release-name"))
        got, lin = self.lineage(released["number"])
        want = []
        for region in REGIONS:
            imgs = client("ec2", region).describe_images(
                Filters=[{"Name": "tag:Commit", "Values": [released["commit"]]}])["Images"]
            want += [(region, i["ImageId"]) for i in imgs]
        self.assertTrue(want, "the released commit has AMIs in the sandbox")
        self.assertEqual(sorted((a["region"], a["id"]) for a in lin["amis"]), sorted(want))
        for a in lin["amis"]:
            perms = client("ec2", a["region"]).describe_image_attribute(
                ImageId=a["id"], Attribute="launchPermission")["LaunchPermissions"]
            users = sorted(p["UserId"] for p in perms if "UserId" in p)
            self.assertEqual(sorted(a["launch_permissions"]), users)
            self.assertEqual(a["state"], "available")
        self.assertFalse(lin["launch_permission_drift"])
        self.assertEqual(len(lin["expected_accounts"]), len(set(lin["expected_accounts"])))

    def test_templates_at_each_stage(self):
        released = next(b for b in all_builds() if b["meta_data"].get("release-name"))
        name = released["meta_data"]["release-name"]
        _, lin = self.lineage(released["number"])
        t = lin["templates"]
        internal = keys(INTERNAL, released["commit"] + "/readyset/templates/")
        self.assertTrue(internal)
        self.assertEqual(sorted(x["key"] for x in t["internal"]["templates"]), internal)
        self.assertTrue(t["internal"]["present"])
        self.assertEqual(sorted(x["key"] for x in t["release"]["templates"]), keys(PUBLIC, name + "/readyset/templates/"))
        self.assertEqual(t["release"]["prefix"], name + "/readyset/templates/")
        self.assertEqual(t["alpha"]["templates"], keys(PUBLIC, "alpha/" + released["commit"] + "/"))
        for x in t["internal"]["templates"] + t["release"]["templates"]:
            self.assertTrue(x["url"].endswith("/" + x["key"]), x["url"])
            self.assertTrue(x["name"].endswith(".yaml"))

    def test_drift_is_flagged(self):
        got, lin = self.lineage(4155)  # the sandbox's drift commit
        self.assertTrue(lin["launch_permission_drift"])
        kinds = {("missing" if a["missing"] else "extra" if a["extra"] else "public" if a["public"] else "ok")
                 for a in lin["amis"]}
        self.assertEqual(kinds, {"missing", "extra", "public"})
        r = self.run_relcon("build", "4155")
        self.assertEqual(r.returncode, 0)
        self.assertIn(b"PUBLIC", r.stdout)
        self.assertIn(b"missing ", r.stdout)
        self.assertIn(b"extra ", r.stdout)

    def test_commit_without_amis(self):
        fresh = next(b for b in all_builds() if b["state"] == "scheduled")
        _, lin = self.lineage(fresh["number"])
        self.assertEqual(lin["amis"], [])
        self.assertFalse(lin["templates"]["internal"]["present"])
        self.assertIsNone(lin["templates"]["release"]["prefix"])

    def test_without_aws_credentials_says_why(self):
        env = self.env(AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None, AWS_EC2_METADATA_DISABLED="true",
                       AWS_SHARED_CREDENTIALS_FILE="/nonexistent", AWS_CONFIG_FILE="/nonexistent")
        r = self.run_relcon("build", "4155", "--json", env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        lin = json.loads(r.stdout)["lineage"]
        self.assertIn("credentials", lin["amis_error"])
        self.assertNotIn(os.environ["AWS_SECRET_ACCESS_KEY"].encode(), r.stdout + r.stderr)

    def test_every_request_was_signature_checked(self):
        # A wrong secret: moto's signature check refuses every call (EC2
        # answers AuthFailure, S3 SignatureDoesNotMatch), with the code shown.
        env = self.env(AWS_SECRET_ACCESS_KEY="wrong" + os.environ["AWS_SECRET_ACCESS_KEY"][5:])
        r = self.run_relcon("build", "4155", "--json", env=env)
        lin = json.loads(r.stdout)["lineage"]
        self.assertIn("AuthFailure", lin["amis_error"])
        self.assertIn("SignatureDoesNotMatch", lin["templates"]["internal"]["error"])


if __name__ == "__main__":
    unittest.main()


class ImagesAndReleases(Relcon):
    def setUp(self):
        super().setUp()
        self.assertIsNotNone(boto3, "boto3 is needed to check the sandbox independently")

    def test_images_by_build_and_by_sha(self):
        by_number = self.json_of("images", "4155")
        commit = by_number["commit"]
        by_sha = self.json_of("images", commit)
        self.assertEqual(sorted(a["id"] for a in by_number["amis"]), sorted(a["id"] for a in by_sha["amis"]))
        self.assertTrue(by_sha["launch_permission_drift"])
        self.assertNotIn("templates", by_sha)
        r = self.run_relcon("images", "4155")
        self.assertEqual(r.returncode, 0)
        self.assertIn(b"PUBLIC", r.stdout)
        self.assertEqual(self.run_relcon("images").returncode, 2)

    def test_releases_match_the_public_bucket(self):
        got = self.json_of("releases")
        s3 = client("s3")
        top = s3.list_objects_v2(Bucket=PUBLIC, Delimiter="/").get("CommonPrefixes", [])
        names = sorted(p["Prefix"][:-1] for p in top if p["Prefix"] != "alpha/")
        alphas = s3.list_objects_v2(Bucket=PUBLIC, Prefix="alpha/", Delimiter="/").get("CommonPrefixes", [])
        commits = sorted(p["Prefix"][len("alpha/"):-1] for p in alphas)
        self.assertTrue(names and commits, "the sandbox has named and alpha releases")
        self.assertEqual(sorted(r["name"] for r in got if r["kind"] == "release"), names)
        self.assertEqual(sorted(r["commit"] for r in got if r["kind"] == "alpha"), commits)
        for r in got:
            want = keys(PUBLIC, r["prefix"])
            self.assertEqual(sorted(t["key"] for t in r["templates"]), want)
            self.assertTrue(all(t["url"].endswith(t["key"]) for t in r["templates"]))
        # Named releases match the Buildkite scenario's release names.
        released = {b["meta_data"]["release-name"] for b in all_builds() if b["meta_data"].get("release-name")}
        self.assertTrue(released <= set(names), (released, names))
