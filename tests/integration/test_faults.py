"""A headless session under 20 % faults on both sides of the sandbox (issue 6).

Every Buildkite /v2 and every AWS request relcon sends has a 20 % chance of a fault, a mix of
all kinds (sandbox/README.md "Faults"): 503, 429 (Buildkite's rate-limit answer with a 1 s
Retry-After), throttling (AWS's real codes), slow past relcon's timeout (http.timeout_seconds is
2 here, the delay 3 s), truncated, malformed, reset before the request acts and reset after it
acted.  The session browses (builds, build, images, releases, stacks), launches a super-stack
with --wait, reads it, tears it down with --wait and promotes 4154 to alpha with --wait, as a
user would: a command that fails under the faults must fail with a message (exit 1 or 3, never a
signal or a sanitizer report), and is run again -- but a mutation whose outcome is unknown is
first looked up (the stack, the build's step), as relcon's message says, and not sent again if
it happened.

At the end, with the faults off: one stack was created (every CreateStack that reached the
simulator carried the one ClientRequestToken: a re-send after a lost answer is the same request,
by design), one DeleteStack token reached it, exactly one PUT .../unblock reached the Buildkite
side, the journal has an intent and an outcome for each mutation ("unknown" only where the test
proved the state), the stack is gone and the six alpha URLs are public.  The counts are printed.

Needs RELCON_BIN and the shared sandbox (tests/run.sh)."""
import hashlib
import json
import os
import re
import sys
import time

from tests.integration.test_cli import Relcon, sandbox
from tests.integration.test_lineage import PUBLIC, boto3, client

SHARE = 0.20
TIMEOUT = 2  # http.timeout_seconds in relcon's config
DELAY = TIMEOUT + 1  # a slow fault answers past it
# Every kind, both sides; the shares add up to SHARE (one draw per request, faults.py).
MIX = [{"status": 503}, {"status": 429, "reset": 1}, {"kind": "throttle", "reset": 1},
       {"kind": "slow", "delay": DELAY}, {"kind": "truncated"}, {"kind": "malformed"},
       {"kind": "reset"}, {"kind": "reset", "after": True}]
KEY = "bob"
STACK = "bob-super"
BUILD = 4155  # has internal templates: what launch reads
ALPHA = 4154  # alpha step unblockable
TRIES = 12  # runs of one command before the session gives up on it
SANITIZER = re.compile(r"AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:")


def commit_of(n):
    return hashlib.sha1(("commit/%d" % n).encode()).hexdigest()


def say(text):
    sys.stderr.write("faults: %s\n" % text)
    sys.stderr.flush()


class FaultSession(Relcon):
    def setUp(self):
        super().setUp()
        self.assertIsNotNone(boto3, "boto3 is needed to check the final state independently")
        self.assertTrue(os.environ.get("AWS_ENDPOINT_URL"), "the sandbox's AWS is not running")
        self.config = os.path.join(self.home.name, "relcon.yaml")
        with open(self.config, "w") as f:
            f.write("aws:\n  sandbox_accounts: ['123456789012']\nrefresh:\n  active_seconds: 1\n"
                    "http:\n  timeout_seconds: %d\n" % TIMEOUT)
        # Cleanup runs last-added first: faults off before the reset (which clears them too).
        self.addCleanup(sandbox, "POST", "/_sandbox/reset", {})
        self.addCleanup(sandbox, "DELETE", "/_sandbox/faults")
        sandbox("POST", "/_sandbox/reset", {})
        self.runs = []  # (args, exit code, seconds)

    def env(self, **extra):
        base = dict(RELCON_CONFIG=self.config, AWS_CONFIG_FILE=self.home.name + "/no-aws-config",
                    AWS_SHARED_CREDENTIALS_FILE=self.home.name + "/no-aws-credentials")
        base.update(extra)
        return super().env(**base)

    # --- running relcon as a user would ---------------------------------------------------
    def check_no_crash(self, args, rc, err):
        self.assertGreaterEqual(rc, 0, "relcon %s died of signal %d: %s" % (" ".join(args), -rc, err[-3000:]))
        self.assertIn(rc, (0, 1, 3), "relcon %s: exit %d: %s" % (" ".join(args), rc, err[-3000:]))
        self.assertIsNone(SANITIZER.search(err), "relcon %s: sanitizer report:\n%s" % (" ".join(args), err))
        if rc:
            self.assertTrue(err.strip(), "relcon %s failed (exit %d) without a message" % (" ".join(args), rc))

    def run1(self, *args, timeout=240):
        t0 = time.time()
        r = self.run_relcon(*args, timeout=timeout)
        out, err = r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")
        self.runs.append((args, r.returncode, time.time() - t0))
        self.check_no_crash(args, r.returncode, err)
        return r.returncode, out, err

    def until_ok(self, *args):
        """Run a read until it succeeds (each failure must be a clear one)."""
        for _ in range(TRIES):
            rc, out, err = self.run1(*args)
            if rc == 0:
                return out
            say("%s failed (exit %d), again: %s" % (" ".join(args), rc, err.strip().splitlines()[-1][:200]))
        self.fail("relcon %s never succeeded in %d runs under %d %% faults" % (" ".join(args), TRIES, SHARE * 100))

    def while_advancing(self, *args, seconds=240):
        """A --wait command while the frozen clock moves on (15 s every 0.3 s)."""
        t0 = time.time()
        p = self.popen(*args)
        while p.poll() is None:
            self.assertLess(time.time() - t0, seconds, "relcon %s did not end" % " ".join(args))
            self.advance(15)
            time.sleep(0.3)
        out, err = p.communicate()
        out, err = out.decode(errors="replace"), err.decode(errors="replace")
        self.runs.append((args, p.returncode, time.time() - t0))
        self.check_no_crash(args, p.returncode, err)
        return p.returncode, out, err

    def stack_status(self):
        """The stack's status as relcon reads it (None: there is no such stack)."""
        for _ in range(TRIES):
            rc, out, err = self.run1("stack", STACK, "--json")
            if rc == 0:
                return json.loads(out)["status"]
            if re.search(r"does not exist|no such stack|not found", err, re.I):
                return None
        self.fail("relcon stack %s never answered" % STACK)

    def alpha_step(self):
        b = json.loads(self.until_ok("build", str(ALPHA), "--json"))
        return b["steps"]["alpha"]["state"]

    # --- the session ----------------------------------------------------------------------
    def test_session_under_20_percent_faults(self):
        t_start = time.time()
        for spec in MIX:
            sandbox("POST", "/_sandbox/faults", dict(spec, side="both", share=SHARE / len(MIX)))

        # Browse.
        self.until_ok("builds")
        self.until_ok("build", str(BUILD))
        self.until_ok("images", commit_of(BUILD))
        self.until_ok("releases")
        self.until_ok("stacks")

        # Launch, --wait.
        for _ in range(TRIES):
            rc, out, err = self.while_advancing("launch", str(BUILD), "--key", KEY, "--yes", "--wait")
            if rc == 0:
                break
            say("launch failed (exit %d): %s" % (rc, err.strip().splitlines()[-1][:300]))
            time.sleep(DELAY)  # a slow CreateStack lands after its delay
            if self.stack_status() is not None:
                break  # it was made: look, do not launch again
        self.assertIsNotNone(self.stack_status(), "the stack was launched")
        for _ in range(100):
            status = self.stack_status()
            if status != "CREATE_IN_PROGRESS":
                break
            self.advance(30)
        self.assertEqual(status, "CREATE_COMPLETE")
        got = json.loads(self.until_ok("stack", STACK, "--json"))
        self.assertTrue(got["outputs"], "outputs of the complete stack")

        # Tear down, --wait.
        for _ in range(TRIES):
            rc, out, err = self.while_advancing("teardown", STACK, "--yes", "--wait")
            if rc == 0:
                break
            say("teardown failed (exit %d): %s" % (rc, err.strip().splitlines()[-1][:300]))
            time.sleep(DELAY)
            status = self.stack_status()
            if status is None or status.startswith("DELETE"):
                break  # it was sent: do not send it again
        for _ in range(100):
            status = self.stack_status()
            if status in (None, "DELETE_COMPLETE"):
                break
            self.advance(30)
        self.assertIn(status, (None, "DELETE_COMPLETE"))

        # Promote alpha, --wait.
        for _ in range(TRIES):
            rc, out, err = self.while_advancing("promote", "alpha", str(ALPHA), "--yes", "--wait")
            if rc == 0:
                break
            say("promote failed (exit %d): %s" % (rc, err.strip().splitlines()[-1][:300]))
            time.sleep(DELAY)  # a slow PUT lands after its delay
            if self.alpha_step() != "blocked":
                break  # unblocked: never again
        self.advance(600)

        # --- the figures, then the faults off and the checks ---------------------------
        fired = sandbox("GET", "/_sandbox/faults")["fired"]
        sandbox("DELETE", "/_sandbox/faults")
        bk = sandbox("GET", "/_sandbox/requests")
        aws = sandbox("GET", "/_sandbox/aws-requests")
        creates = [e for e in aws["log"] if e["op"] == "CreateStack" and e.get("stack") == STACK]
        deletes = [e for e in aws["log"] if e["op"] == "DeleteStack"]
        unblocks = [e for e in bk["log"] if e["route"] == "PUT unblock"]
        acted = lambda es: [e for e in es if e["acted"]]  # noqa: E731
        say("run time %.0f s, %d relcon runs (%d exited non-zero: run again, or a look at a stack that is gone)"
            % (time.time() - t_start, len(self.runs), len([r for r in self.runs if r[1]])))
        say("requests: Buildkite %d, AWS %d" % (bk["total"], aws["total"]))
        for side in ("buildkite", "aws"):
            say("faults fired (%s): %s" % (side, json.dumps(fired.get(side, {}), sort_keys=True)))
        say("CreateStack: %d sent, %d reached the simulator (faults: %s), tokens %s"
            % (len(creates), len(acted(creates)), [e.get("fault") for e in creates],
               sorted({e.get("token") for e in acted(creates)})))
        say("DeleteStack: %d sent, %d reached the simulator (faults: %s), tokens %s"
            % (len(deletes), len(acted(deletes)), [e.get("fault") for e in deletes],
               sorted({e.get("token") for e in acted(deletes)})))
        say("PUT unblock: %d sent, %d reached the simulator (faults: %s)"
            % (len(unblocks), len(acted(unblocks)), [e.get("fault") for e in unblocks]))
        self.assertGreater(sum(fired.get("buildkite", {}).values()), 0, "Buildkite faults fired")
        self.assertGreater(sum(fired.get("aws", {}).values()), 0, "AWS faults fired")

        # No duplicated mutation.
        self.assertEqual(len({e.get("token") for e in acted(creates)}), 1,
                         "one CreateStack (one token) reached the simulator: %s" % creates)
        self.assertEqual(len({e.get("token") for e in acted(deletes)}), 1,
                         "one DeleteStack (one token) reached the simulator: %s" % deletes)
        self.assertEqual(len(acted(unblocks)), 1, "one PUT unblock reached the simulator: %s" % unblocks)
        cfn = client("cloudformation")
        roots = [s for s in cfn.list_stacks()["StackSummaries"] if s["StackName"] == STACK]
        self.assertEqual(len(roots), 1, "one stack was ever made: %s" % roots)

        # The final state.
        self.assertEqual(roots[0]["StackStatus"], "DELETE_COMPLETE")
        c = commit_of(ALPHA)
        # The deploy publishes as the sandbox's clock moves; its effects land
        # a moment later (on a busy machine, a few seconds).
        for _ in range(30):
            keys = [o["Key"] for o in client("s3").list_objects_v2(
                Bucket=PUBLIC, Prefix="alpha/%s/" % c).get("Contents", [])]
            if len(keys) >= 6:
                break
            self.advance(60)
            time.sleep(1)
        self.assertEqual(len(keys), 6, keys)
        self.assertEqual(self.alpha_step(), "unblocked")
        releases = json.loads(self.until_ok("releases", "--json"))
        self.assertIn(c, json.dumps(releases), "relcon releases lists the new alpha")

        # The journal: an intent and an outcome for each mutation.
        audit = json.loads(self.until_ok("audit", "--json"))
        by_action = {}
        for rec in audit:
            by_action.setdefault(rec["action"], []).append(rec)
        say("journal: %s" % ", ".join("%s %s" % (r["action"], r["result"]) for r in reversed(audit)))
        for rec in audit:
            # Each intent has its outcome; "unknown" only where the state is proven above (the
            # stack made once and gone, the step unblocked once).
            self.assertIn(rec["result"], ("ok", "unknown", "failed"), rec)
        for action, sent in (("launch", acted(creates)), ("teardown", acted(deletes))):
            tokens = {e.get("token") for e in sent}
            recs = by_action.get(action, [])
            mine = [r for r in recs if r["reference"] in tokens]
            self.assertEqual(len(mine), 1, "%s: one journal entry names the token that reached the simulator: %s"
                             % (action, recs))
            self.assertIn(mine[0]["result"], ("ok", "unknown"), mine)
            for r in recs:  # any other: a run whose call was refused, never one that acted
                if r not in mine:
                    self.assertEqual(r["result"], "failed", r)
        promotes = by_action.get("promote-alpha", [])
        self.assertTrue(promotes, "the promotion is journaled")
        job_id = json.loads(self.until_ok("build", str(ALPHA), "--json"))["steps"]["alpha"]["job_id"]
        self.assertEqual({r["reference"] for r in promotes}, {job_id})
        self.assertIn(promotes[0]["result"], ("ok", "unknown"), "the newest promotion: %s" % promotes[0])
