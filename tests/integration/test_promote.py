"""`relcon unblock-build`, `relcon promote alpha|release` and `relcon audit`
against the sandbox (frozen clock moved by advance): end to end (the step
unblocked, the deploy followed, every promised public URL there, the
journal's intent and outcome), the guards (each leaves the step blocked, no
unblock sent, nothing new in the public bucket), a lost unblock answer
(never sent twice), a process killed mid-promotion (intent with no outcome),
the AMI build, and a deploy that fails (build 4130, sandbox/README.md).

Needs RELCON_BIN and the sandbox, AWS included (tests/run.sh)."""
import hashlib
import json
import os
import signal
import subprocess
import time
import unittest

from tests.integration.test_cli import BIN, ORG, Relcon, sandbox
from tests.integration.test_lineage import PUBLIC, REGIONS, boto3, client

BUILDS = "/v2/organizations/%s/pipelines/readyset/builds" % ORG
TEMPLATES = sorted(["readyset-mysql-super-template.yaml", "readyset-postgres-super-template.yaml",
                    "readyset-bastion-template.yaml", "readyset-rds-template.yaml", "readyset-template.yaml",
                    "readyset-authority-consul-template.yaml"])
ALPHA_LABEL = "Deploy AMIs and CloudFormation as alpha release"
RELEASE_LABEL = "Deploy AMIs and CloudFormation as release"


def commit_of(n):
    return hashlib.sha1(("commit/%d" % n).encode()).hexdigest()


def build(n):
    return sandbox("GET", "%s/%d" % (BUILDS, n))


def job(b, key):
    return next(j for j in b["jobs"] if j.get("step_key") == key)


def put_unblocks():
    """The PUT .../unblock requests that reached the sandbox since the last clear."""
    return [e for e in sandbox("GET", "/_sandbox/requests")["log"] if e["route"] == "PUT unblock"]


class PromoteBase(Relcon):
    def setUp(self):
        super().setUp()
        self.assertIsNotNone(boto3, "boto3 is needed to check the sandbox independently")
        self.assertTrue(os.environ.get("AWS_ENDPOINT_URL"), "the sandbox's AWS is not running")
        self.s3 = client("s3")
        self.config = os.path.join(self.home.name, "relcon.yaml")
        with open(self.config, "w") as f:
            # Follow the build every second; one attempt per request (the hold below answers 503).
            f.write("aws:\n  sandbox_accounts: ['123456789012']\nrefresh:\n  active_seconds: 1\n"
                    "http:\n  max_attempts: 1\n")
        self.journal_path = os.path.join(self.home.name, "state", "relcon", "audit.jsonl")
        sandbox("DELETE", "/_sandbox/requests")
        # Back to the scenario's frozen instant for the tests after these.
        self.addCleanup(sandbox, "POST", "/_sandbox/reset", {})

    def env(self, **extra):
        base = dict(RELCON_CONFIG=self.config, AWS_CONFIG_FILE=self.home.name + "/no-aws-config",
                    AWS_SHARED_CREDENTIALS_FILE=self.home.name + "/no-aws-credentials")
        base.update(extra)
        return super().env(**base)

    def wait_for(self, what, fn, p=None, seconds=30):
        deadline = time.time() + seconds
        while True:
            v = fn()
            if v:
                return v
            if p is not None and p.poll() is not None:
                out, err = p.communicate()
                self.fail("relcon ended (exit %s) before %s: %s" % (p.returncode, what, err.decode(errors="replace")))
            self.assertLess(time.time(), deadline, "timed out waiting for " + what)
            time.sleep(0.1)

    def step(self, n, key):
        return job(build(n), key)

    def wait_unblocked(self, n, key, p=None):
        return self.wait_for("%d's %s step unblocked" % (n, key),
                             lambda: self.step(n, key)["state"] == "unblocked", p)

    def public_keys(self, prefix=""):
        out, token = [], None
        while True:
            page = self.s3.list_objects_v2(Bucket=PUBLIC, Prefix=prefix,
                                           **({"ContinuationToken": token} if token else {}))
            out += [o["Key"] for o in page.get("Contents", [])]
            token = page.get("NextContinuationToken")
            if not token:
                return sorted(out)

    def journal(self):
        """Every line of the journal, parsed (each must be whole JSON)."""
        if not os.path.exists(self.journal_path):
            return []
        with open(self.journal_path, encoding="utf-8") as f:
            return [json.loads(line) for line in f]

    def deploy_and_verify(self, p, n):
        """The step was unblocked by p (promote --wait): let the deploy pass and p check the URLs.

        The sandbox applies a deploy's AWS work a moment (~0.1 s) *after* the job shows passed
        (sandbox/README.md), while relcon HEADs each URL once as soon as it sees the job passed
        (in CI the deploy job uploads before it passes).  So relcon's readings of the build
        are held (503) from before the clock moves until the sandbox's effect is applied."""
        self.fault(status=503, count=-1, path_contains="%s/%d" % (BUILDS, n), method="GET")
        self.advance(300)
        self.wait_for("the deploy's AWS effect", lambda: [
            e for e in sandbox("GET", "/_sandbox/events")["events"]
            if e["build"] == n and not e["seeded"] and e["effect"].endswith("deployed") and e["aws"] != "pending"])
        sandbox("DELETE", "/_sandbox/faults")
        out, err = p.communicate(timeout=60)
        return out.decode(), err.decode(errors="replace")

    def check_journal(self, action, n, job_id, urls):
        lines = self.journal()
        intents = [e for e in lines if e["phase"] == "intent" and e["action"] == action]
        self.assertEqual(len(intents), 1, lines)
        intent = intents[0]
        self.assertEqual(intent["target"], commit_of(n))
        self.assertEqual(intent["reference"], job_id)
        self.assertEqual(intent["plan"]["job_id"], job_id)
        self.assertEqual(intent["plan"]["urls"], urls)
        self.assertEqual(intent["inputs"]["build"], n)
        for k in ("v", "id", "time", "user", "identity", "action", "target", "inputs", "plan", "reference"):
            self.assertIn(k, intent)
        outcomes = [e for e in lines if e["phase"] == "outcome" and e["id"] == intent["id"]]
        self.assertTrue(outcomes, "an outcome for the intent")
        self.assertEqual({e["result"] for e in outcomes}, {"ok"}, outcomes)
        self.assertEqual(outcomes[-1]["reference"], job_id)
        self.assertLess(lines.index(intent), lines.index(outcomes[0]), "the intent is written first")
        if urls:
            self.assertEqual([(u["url"], u["exists"]) for u in outcomes[-1]["details"]["urls"]],
                             [(u, True) for u in urls])
        got = self.json_of("audit")
        rec = next(r for r in got if r["id"] == intent["id"])
        self.assertEqual(got[0]["id"], intent["id"], "newest first")
        self.assertEqual((rec["action"], rec["target"], rec["result"], rec["reference"]),
                         (action, commit_of(n), "ok", job_id))
        return intent


class PromoteEndToEnd(PromoteBase):
    def test_alpha_unblocked_deployed_and_every_url_exists(self):
        n, c = 4154, commit_of(4154)
        self.assertEqual(self.public_keys("alpha/%s/" % c), [])
        p = self.popen("promote", "alpha", str(n), "--yes", "--wait")
        self.wait_unblocked(n, "alpha", p)
        out, err = self.deploy_and_verify(p, n)
        self.assertEqual(p.returncode, 0, err)
        self.assertIn("done: all 6 public URLs exist", err)
        urls = out.splitlines()
        self.assertEqual(len(urls), 6, out)
        prefix = "/%s/alpha/%s/readyset/templates/" % (PUBLIC, c)
        self.assertEqual(sorted(u.rsplit("/", 1)[1] for u in urls), TEMPLATES)
        for u in urls:
            self.assertIn(prefix, u)
            self.s3.head_object(Bucket=PUBLIC, Key=u.split("/%s/" % PUBLIC, 1)[1])  # raises if missing
        self.assertEqual(self.public_keys("alpha/%s/" % c), sorted("alpha/%s/readyset/templates/%s" % (c, t)
                                                                   for t in TEMPLATES))
        b = build(n)
        alpha = job(b, "alpha")
        self.assertEqual(alpha["state"], "unblocked")
        self.assertEqual(alpha["unblocked_by"]["name"], "Sandbox User")
        self.assertEqual(job(b, "deploy")["state"], "passed")
        self.assertEqual(len(put_unblocks()), 1)
        self.check_journal("promote-alpha", n, alpha["id"], urls)

    def test_release_named_deployed_and_listed(self):
        n, name = 4139, "2026.11.3"
        self.assertEqual(self.public_keys(name + "/"), [])
        p = self.popen("promote", "release", str(n), "--name", name, "--yes", "--wait")
        self.wait_unblocked(n, "release", p)
        out, err = self.deploy_and_verify(p, n)
        self.assertEqual(p.returncode, 0, err)
        urls = out.splitlines()
        self.assertEqual(sorted(u.rsplit("/", 1)[1] for u in urls), TEMPLATES)
        for u in urls:
            self.assertIn("/%s/%s/readyset/templates/" % (PUBLIC, name), u)
            self.s3.head_object(Bucket=PUBLIC, Key=u.split("/%s/" % PUBLIC, 1)[1])
        b = build(n)
        self.assertEqual(b["meta_data"].get("release-name"), name)
        self.assertEqual(job(b, "release")["state"], "unblocked")
        self.assertEqual(job(b, "deploy")["state"], "passed")
        intent = self.check_journal("promote-release", n, job(b, "release")["id"], urls)
        self.assertEqual(intent["inputs"]["release_name"], name)
        self.assertEqual(intent["plan"]["release_name"], name)
        releases = {r["name"]: r for r in self.json_of("releases") if r["kind"] == "release"}
        self.assertIn(name, releases)
        self.assertEqual(sorted(t["name"] for t in releases[name]["templates"]), TEMPLATES)

    def test_unblock_build_then_amis_exist(self):
        n, c = 4157, commit_of(4157)
        self.assertEqual(self.json_of("images", c)["amis"], [])
        p = self.popen("unblock-build", str(n), "--yes", "--wait")
        self.wait_unblocked(n, "build-amis", p)
        self.advance(300)  # Build AMIs 60 s, smoke test 30 s, and queueing
        out, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 0, err)
        self.assertIn(b"AMIs built, smoke test run", err)
        b = build(n)
        self.assertEqual((job(b, "amis")["state"], job(b, "smoke")["state"]), ("passed", "passed"))
        self.assertTrue(job(b, "release")["unblockable"])

        def amis():  # applied a moment after the job shows passed
            got = {r: client("ec2", r).describe_images(
                Filters=[{"Name": "tag:Commit", "Values": [c]}])["Images"] for r in REGIONS}
            return got if all(len(v) == 1 for v in got.values()) else None
        want = self.wait_for("the AMIs of %d" % n, amis)
        got = self.json_of("images", c)
        self.assertEqual(sorted((a["region"], a["id"]) for a in got["amis"]),
                         sorted((r, v[0]["ImageId"]) for r, v in want.items()))
        self.check_journal("unblock-build", n, job(b, "build-amis")["id"], [])

    def test_deploy_failure_names_the_job(self):
        n, c = 4130, commit_of(4130)  # the sandbox's alpha deploy that fails once unblocked
        p = self.popen("promote", "alpha", str(n), "--yes", "--wait")
        self.wait_unblocked(n, "alpha", p)
        self.advance(300)
        out, err = p.communicate(timeout=60)
        text = err.decode(errors="replace")
        self.assertEqual(p.returncode, 1, text)
        deploy = job(build(n), "deploy")
        self.assertEqual(deploy["state"], "failed")
        self.assertIn("Deploy failed", text)
        self.assertIn(deploy["web_url"], text)
        self.assertEqual(out, b"", "no URLs are printed for a failed deploy")
        lines = self.journal()
        intent = next(e for e in lines if e["phase"] == "intent" and e["action"] == "promote-alpha")
        outcomes = [e for e in lines if e["phase"] == "outcome" and e["id"] == intent["id"]]
        self.assertEqual(outcomes[-1]["result"], "failed")
        self.assertIn(deploy["web_url"], outcomes[-1]["error"])
        rec = next(r for r in self.json_of("audit") if r["id"] == intent["id"])
        self.assertEqual(rec["result"], "failed")
        # The sandbox's pipeline wrote nothing public for it.
        events = [e for e in sandbox("GET", "/_sandbox/events")["events"] if e["build"] == n and not e["seeded"]]
        self.assertEqual([(e["effect"], e.get("step"), e.get("aws")) for e in events],
                         [("deploy_failed", "alpha", "none")])
        self.assertEqual(self.public_keys("alpha/%s/" % c), [])

    def test_deploy_failure_json(self):
        n = 4130
        p = self.popen("promote", "alpha", str(n), "--yes", "--wait", "--json")
        self.wait_unblocked(n, "alpha", p)
        self.advance(300)
        out, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 1, err)
        self.assertEqual(err, b"", "--json prints nothing but the document")
        got = json.loads(out)
        deploy = job(build(n), "deploy")
        self.assertEqual(got["result"], "failed")
        self.assertIn(deploy["web_url"], got["message"])
        self.assertEqual(got["failed_url"], deploy["web_url"])
        self.assertEqual(got["plan"]["job_id"], job(build(n), "alpha")["id"])


class PromoteGuards(PromoteBase):
    def test_guards_send_nothing(self):
        watched = {4139: "release", 4154: "alpha", 4153: "release", 4155: "release", 4157: "build-amis"}
        before = {n: self.step(n, k)["state"] for n, k in watched.items()}
        public = self.public_keys()
        cases = [
            # a name that is taken: in the bucket, and by build 4148's release-name
            (("promote", "release", "4139", "--name", "2026.11.2", "--yes"), 3,
             [b"already exists", b"already used", b"#4148"]),
            (("promote", "release", "4154", "--name", "2026.11.9", "--yes"), 3, [b"only builds of main"]),
            (("promote", "alpha", "4139", "--yes"), 3, [b"builds of main are promoted to a named release"]),
            # the smoke test failed: named in the checklist; Buildkite would not unblock it anyway
            (("promote", "release", "4153", "--name", "2026.11.9", "--yes"), 3,
             [b"FAIL", b"smoke test passed", b"failed"]),
            (("promote", "release", "4153", "--name", "2026.11.9", "--yes", "--override"), 3, [b"smoke test"]),
            # launch-permission drift: a failing check needs --override
            (("promote", "release", "4155", "--name", "2026.11.9", "--yes"), 3,
             [b"launch permissions match the expected list", b"999988887777", b"PUBLIC", b"--override"]),
            (("--read-only", "promote", "alpha", "4154", "--yes"), 3, [b"read-only"]),
            (("promote", "release", "4139", "--name", "2026.11.3", "--yes", "--read-only"), 3, [b"read-only"]),
            (("--read-only", "unblock-build", "4157", "--yes"), 3, [b"read-only"]),
            # no --yes and no terminal to ask on
            (("promote", "alpha", "4154"), 3, [b"not confirmed", b"--yes"]),
            (("promote", "release", "4139", "--name", "2026.11.3"), 3, [b"not confirmed", b"--yes"]),
            (("unblock-build", "4157"), 3, [b"not confirmed", b"--yes"]),
            (("promote", "release", "4155", "--name", "2026.11.9", "--override"), 3, [b"override not confirmed"]),
            # names that cannot be release names
            (("promote", "release", "4139", "--name", "2026/11", "--yes"), 3, [b"2026/11", b"slash"]),
            (("promote", "release", "4139", "--name", "alpha-1", "--yes"), 3, [b"alpha-1", b"reserved"]),
            (("promote", "release", "4139", "--name", "next", "--yes"), 3, [b"\"next\"", b"release_name_pattern"]),
            # usage
            (("promote", "release", "4139", "--yes"), 2, [b"--name"]),
            (("promote", "alpha", "4154", "--name", "2026.11.9", "--yes"), 2, [b"alpha"]),
            (("promote", "beta", "4154", "--yes"), 2, []),
            (("unblock-build", "4157", "--override", "--yes"), 2, []),
        ]
        for args, code, words in cases:
            with self.subTest(args=" ".join(args)):
                r = self.run_relcon(*args)
                self.assertEqual(r.returncode, code, r.stderr.decode(errors="replace"))
                for w in words:
                    self.assertIn(w, r.stderr)
                self.assertEqual(r.stdout, b"")
                self.assertEqual(put_unblocks(), [], "no unblock was sent")
        self.assertEqual({n: self.step(n, k)["state"] for n, k in watched.items()}, before)
        self.assertEqual(build(4139)["meta_data"], {})
        self.assertEqual(self.public_keys(), public, "nothing new in the public bucket")
        # Nothing was done, so nothing was journaled as done.
        self.assertFalse([e for e in self.journal() if e["phase"] == "intent"], self.journal())

    def test_refused_json_shows_the_plan(self):
        r = self.run_relcon("promote", "release", "4139", "--name", "2026.11.2", "--yes", "--json")
        self.assertEqual(r.returncode, 3, r.stderr)
        got = json.loads(r.stdout)
        self.assertEqual(got["result"], "refused")
        self.assertIn("already exists", got["plan"]["refused"])
        self.assertEqual(got["plan"]["release_name"], "2026.11.2")
        self.assertEqual(put_unblocks(), [])

    def test_drift_with_override_is_journaled_first(self):
        n, name = 4155, "2026.11.9"
        r = self.run_relcon("promote", "release", str(n), "--name", name, "--override", "--yes")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(put_unblocks()), 1)
        b = build(n)
        self.assertEqual(job(b, "release")["state"], "unblocked")
        self.assertEqual(b["meta_data"].get("release-name"), name)
        lines = self.journal()
        self.assertEqual([(e["phase"], e["action"]) for e in lines][:3],
                         [("intent", "override"), ("outcome", "override"), ("intent", "promote-release")])
        override, promote = lines[0], lines[2]
        self.assertEqual(override["inputs"], {"failing_checks": 1, "for": "promote-release"})
        self.assertEqual(override["target"], commit_of(n))
        self.assertIn("launch permissions match the expected list",
                      [c["name"] for c in override["plan"]["preflight"] if c["state"] == "FAIL"])
        self.assertTrue(promote["inputs"]["override"])
        self.assertEqual(promote["reference"], job(b, "release")["id"])
        self.assertEqual([e["result"] for e in lines if e["phase"] == "outcome" and e["id"] == promote["id"]],
                         ["ok"])
        actions = [rec["action"] for rec in self.json_of("audit")]
        self.assertEqual(actions, ["promote-release", "override"])

    def test_already_unblocked(self):
        r = self.run_relcon("promote", "alpha", "4154", "--yes")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"unblocked by Sandbox User", r.stderr)
        r = self.run_relcon("promote", "alpha", "4154", "--yes")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn(b"already unblocked by Sandbox User", r.stderr)
        r = self.run_relcon("promote", "release", "4148", "--name", "2026.11.9", "--yes", "--override")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn(b"already unblocked by Bob Builder", r.stderr)
        self.assertEqual(len(put_unblocks()), 1, "the second promotion sent nothing")
        self.assertEqual([e["action"] for e in self.journal() if e["phase"] == "intent"], ["promote-alpha"])


class LostUnblockAnswer(PromoteBase):
    def unblock_path(self, n, key):
        return "%s/%d/jobs/%s/unblock" % (BUILDS, n, self.step(n, key)["id"])

    def outcome(self):
        lines = self.journal()
        intent = next(e for e in lines if e["phase"] == "intent" and e["action"] == "promote-alpha")
        return [e for e in lines if e["phase"] == "outcome" and e["id"] == intent["id"]]

    def test_truncated_answer_applied(self):
        # The sandbox unblocks, then cuts the answer: relcon reads the build and finds it unblocked.
        path = self.unblock_path(4154, "alpha")
        self.fault(kind="truncated", path_contains=path, method="PUT")
        r = self.run_relcon("promote", "alpha", "4154", "--yes")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"answer was lost", r.stderr)
        self.assertIn(b"unblocked by Sandbox User", r.stderr)
        sent = put_unblocks()
        self.assertEqual(len(sent), 1, "the unblock was never sent again")
        self.assertEqual(sent[0].get("fault"), "truncated")
        self.assertEqual(self.step(4154, "alpha")["state"], "unblocked")
        self.assertEqual([e["result"] for e in self.outcome()], ["ok"])

    def test_connection_reset_not_applied(self):
        # The connection is reset before the sandbox looks at the request: nothing happened, and
        # relcon must neither send it again nor claim it happened.
        path = self.unblock_path(4154, "alpha")
        self.fault(kind="reset", path_contains=path, method="PUT")
        r = self.run_relcon("promote", "alpha", "4154", "--yes")
        self.assertEqual(len(put_unblocks()), 1, "the unblock was sent again after a connection reset: "
                         + r.stderr.decode(errors="replace")[-400:])
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn(b"not sent again", r.stderr)
        self.assertEqual(self.step(4154, "alpha")["state"], "blocked")
        self.assertIn(self.outcome()[-1]["result"], ("unknown", "failed"))

    def test_answer_later_than_the_timeout(self):
        # The sandbox waits 3 s, then unblocks; relcon gives up after 1 s: the outcome is unknown.
        cfg = os.path.join(self.home.name, "slow.yaml")
        with open(cfg, "w") as f:
            f.write("http:\n  timeout_seconds: 1\n  max_attempts: 1\n")
        path = self.unblock_path(4154, "alpha")
        self.fault(kind="slow", delay=3, path_contains=path, method="PUT")
        r = self.run_relcon("promote", "alpha", "4154", "--yes", env=self.env(RELCON_CONFIG=cfg))
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn(b"not sent again", r.stderr)
        self.assertEqual([e["result"] for e in self.outcome()], ["unknown"])
        self.wait_for("the late unblock", lambda: self.step(4154, "alpha")["state"] == "unblocked", seconds=10)
        self.assertEqual(len(put_unblocks()), 1, "the unblock was never sent again")


class KilledMidPromotion(PromoteBase):
    def test_intent_without_outcome(self):
        # The unblock is in flight (the sandbox takes 3 s to answer) when relcon is killed.
        path = "%s/4154/jobs/%s/unblock" % (BUILDS, self.step(4154, "alpha")["id"])
        self.fault(kind="slow", delay=3, path_contains=path, method="PUT")
        p = self.popen("promote", "alpha", "4154", "--yes", "--wait")
        intent = self.wait_for("the intent in the journal", lambda: [
            e for e in self.journal() if e["phase"] == "intent" and e["action"] == "promote-alpha"], p)[0]
        self.wait_for("the unblock to reach the sandbox", put_unblocks, p)
        os.kill(p.pid, signal.SIGKILL)
        p.wait(timeout=10)
        self.assertEqual(p.returncode, -signal.SIGKILL)
        self.wait_for("the unblock applied", lambda: self.step(4154, "alpha")["state"] == "unblocked", seconds=10)
        with open(self.journal_path, encoding="utf-8") as f:
            raw = f.read()
        self.assertTrue(raw.endswith("\n"))
        lines = [json.loads(line) for line in raw.splitlines()]  # every line whole
        self.assertEqual([e["phase"] for e in lines], ["intent"])
        got = self.json_of("audit")
        self.assertEqual(len(got), 1)
        self.assertEqual((got[0]["id"], got[0]["result"], got[0]["outcome"]), (intent["id"], None, None))
        self.assertEqual(got[0]["reference"], self.step(4154, "alpha")["id"])
        r = self.run_relcon("audit")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"no outcome", r.stdout)

        # A write torn by a crash: the record stays, the torn line is counted.
        with open(self.journal_path, "a", encoding="utf-8") as f:
            f.write('{"v":1,"id":"0123456789abcdef","phase":"outc')
        r = self.run_relcon("audit", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual([x["id"] for x in json.loads(r.stdout)], [intent["id"]])
        self.assertIn(b"1 line of", r.stderr)
        self.assertIn(b"could not be read", r.stderr)


class Interrupted(PromoteBase):
    """SIGTERM, SIGINT mid-promotion and in the console: relcon ends *by the signal* (a shell
    says 143, 130), says on stderr whether the change had been sent, and the journal stays
    whole: each line JSON, an intent whose answer never came reads "no outcome"."""

    def requests(self, route):
        return [e for e in sandbox("GET", "/_sandbox/requests")["log"] if e["route"] == route]

    def whole_journal(self):
        with open(self.journal_path, encoding="utf-8") as f:
            raw = f.read()
        self.assertTrue(raw.endswith("\n"), raw)
        return [json.loads(line) for line in raw.splitlines()]  # every line whole

    def test_sigterm_while_the_unblock_is_in_flight(self):
        path = "%s/4154/jobs/%s/unblock" % (BUILDS, self.step(4154, "alpha")["id"])
        self.fault(kind="slow", delay=3, path_contains=path, method="PUT")
        p = self.popen("promote", "alpha", "4154", "--yes", "--wait")
        self.wait_for("the unblock to reach the sandbox", put_unblocks, p)
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=30)
        self.assertEqual(p.returncode, -signal.SIGTERM, err)
        self.assertIn(b"interrupted (SIGTERM): what was sent goes on without relcon", err)
        self.wait_for("the unblock applied", lambda: self.step(4154, "alpha")["state"] == "unblocked", seconds=10)
        self.assertEqual([(e["phase"], e["action"]) for e in self.whole_journal()], [("intent", "promote-alpha")])
        r = self.run_relcon("audit")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"no outcome", r.stdout)
        self.assertEqual(len(put_unblocks()), 1)

    def test_sigint_while_following_the_deploy(self):
        p = self.popen("promote", "alpha", "4154", "--yes", "--wait")
        self.wait_for("the unblock's outcome in the journal", lambda: [
            e for e in self.journal() if e["phase"] == "outcome"], p)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=30)
        self.assertEqual(p.returncode, -signal.SIGINT, err)
        self.assertIn(b"interrupted (SIGINT): what was sent goes on without relcon", err)
        lines = self.whole_journal()
        self.assertEqual([e["phase"] for e in lines][:2], ["intent", "outcome"], lines)
        self.assertEqual({e["result"] for e in lines if e["phase"] == "outcome"}, {"ok"}, lines)
        self.assertEqual(self.step(4154, "alpha")["state"], "unblocked")

    def test_sigint_before_anything_is_sent(self):
        # The build is being looked up (held by the sandbox): nothing journaled, nothing sent.
        self.fault(kind="slow", delay=3, path_contains="/builds", method="GET")
        p = self.popen("promote", "alpha", "4154", "--yes", "--wait")
        self.wait_for("the build lookup", lambda: [e for e in sandbox("GET", "/_sandbox/requests")["log"]
                                                   if e.get("fault") == "slow"], p)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=30)
        self.assertEqual(p.returncode, -signal.SIGINT, err)
        self.assertIn(b"interrupted (SIGINT) before anything was changed", err)
        self.assertEqual(self.journal(), [])
        self.assertEqual(put_unblocks(), [])

    def test_console_ends_by_the_signal(self):
        # The console (drawing nowhere, RELCON_NO_DISPLAY) while its first builds request is
        # held: SIGTERM and SIGINT end it cleanly, then by the signal itself.
        script = os.path.join(self.home.name, "script")
        with open(script, "w") as f:
            f.write("q\n")
        for sig in (signal.SIGTERM, signal.SIGINT):
            with self.subTest(sig=sig.name):
                sandbox("DELETE", "/_sandbox/requests")
                self.fault(kind="slow", delay=3, path_contains="/builds", method="GET")
                p = self.popen(env=self.env(RELCON_NO_DISPLAY="1", RELCON_SCRIPT=script))
                self.wait_for("the console's builds request", lambda: [
                    e for e in sandbox("GET", "/_sandbox/requests")["log"] if e.get("fault") == "slow"], p)
                p.send_signal(sig)
                out, err = p.communicate(timeout=30)
                self.assertEqual(p.returncode, -sig, err)
                sandbox("DELETE", "/_sandbox/faults")


if __name__ == "__main__":
    unittest.main()
