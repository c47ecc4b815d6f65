"""Headless commands against the sandbox: `relcon builds`, `relcon build`,
exit codes, configuration and token errors, retries, and that text output
is sanitized while --json keeps the exact strings.

Needs RELCON_BIN and the sandbox variables (tests/run.sh sets them)."""
import json
import os
import stat
import subprocess
import tempfile
import unittest
import urllib.request

BIN = os.environ.get("RELCON_BIN", "")
ENDPOINT = os.environ.get("RELCON_BUILDKITE_ENDPOINT", "")
TOKEN = os.environ.get("BUILDKITE_API_TOKEN", "")
ORG = os.environ.get("BUILDKITE_ORGANIZATION_SLUG", "readyset")


def sandbox(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(ENDPOINT + path, data=data, method=method,
                                 headers={"Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read() or b"null")


def all_builds():
    out, page = [], 1
    while True:
        got = sandbox("GET", f"/v2/organizations/{ORG}/pipelines/readyset/builds?per_page=100&page={page}")
        out += got
        if len(got) < 100:
            return out
        page += 1


class Relcon(unittest.TestCase):
    def setUp(self):
        self.assertTrue(BIN and ENDPOINT, "run through tests/run.sh (needs RELCON_BIN and the sandbox)")
        self.home = tempfile.TemporaryDirectory(prefix="relcon-it-")
        self.addCleanup(self.home.cleanup)
        # No fault left over from another test.
        sandbox("DELETE", "/_sandbox/faults")
        self.addCleanup(sandbox, "DELETE", "/_sandbox/faults")

    def env(self, **extra):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "RELCON_CONFIG"))}
        env.update(HOME=self.home.name, XDG_CONFIG_HOME=self.home.name + "/config",
                   XDG_STATE_HOME=self.home.name + "/state", XDG_CACHE_HOME=self.home.name + "/cache",
                   RELCON_NOW="2026-11-24T12:00:00Z", LANG="C.UTF-8")
        for k, v in extra.items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = v
        return env

    def run_relcon(self, *args, env=None, timeout=60):
        # No terminal on stdin: a confirmation can only come from --yes.
        return subprocess.run([BIN, *args], env=env or self.env(), capture_output=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)

    def popen(self, *args, env=None):
        """relcon in the background (killed at cleanup if still running)."""
        p = subprocess.Popen([BIN, *args], env=env or self.env(), stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)

        def stop():
            if p.poll() is None:
                p.kill()
            p.communicate()
        self.addCleanup(stop)
        return p

    def advance(self, seconds):
        """Move the sandbox's frozen clock on."""
        sandbox("POST", "/_sandbox/advance", {"seconds": seconds})

    def json_of(self, *args, env=None):
        r = self.run_relcon(*args, "--json", env=env)
        self.assertEqual(r.returncode, 0, r.stderr.decode(errors="replace"))
        self.assertEqual(r.stderr, b"", "--json prints nothing but the document")
        return json.loads(r.stdout)

    def requests(self):
        return sandbox("GET", "/_sandbox/requests")

    def fault(self, **kw):
        sandbox("POST", "/_sandbox/faults", kw)


class BuildsCommand(Relcon):
    def test_builds_json_shape_and_exact_messages(self):
        got = self.json_of("builds", "--limit", "100")
        want = all_builds()[:100]
        self.assertEqual([b["number"] for b in got], [b["number"] for b in want])
        by_number = {b["number"]: b for b in want}
        keys = {"number", "commit", "branch", "message", "state", "blocked", "author", "created_at", "web_url", "steps"}
        for b in got:
            self.assertTrue(keys <= set(b), b.keys())
            src = by_number[b["number"]]
            # The exact original strings, escape sequences and all.
            self.assertEqual(b["message"], src["message"])
            self.assertEqual(b["branch"], src["branch"])
            self.assertEqual(b["state"], src["state"])
            self.assertEqual(b["blocked"], src["blocked"])
            self.assertEqual(set(b["steps"]), {"build_amis", "alpha", "release"})
            manual = {j["label"]: j for j in src["jobs"] if j["type"] == "manual"}
            amis = manual.get("Build AMIs and CloudFormation templates")
            if amis:
                self.assertEqual(b["steps"]["build_amis"]["job_id"], amis["id"])
                self.assertEqual(b["steps"]["build_amis"]["state"], amis["state"])
                who = (amis.get("unblocked_by") or {}).get("name")
                self.assertEqual(b["steps"]["build_amis"]["unblocked_by"], who)
                self.assertEqual(b["steps"]["build_amis"]["unblocked_at"], amis.get("unblocked_at"))
            else:
                self.assertIsNone(b["steps"]["build_amis"])
            # main has a release step and no alpha step; branches the reverse.
            if src["branch"] == "main":
                self.assertIsNone(b["steps"]["alpha"])
            else:
                self.assertIsNone(b["steps"]["release"])
        self.assertTrue(any("\x1b" in b["message"] for b in got), "the scenario has hostile messages")
        self.assertTrue(any(b["blocked"] and b["state"] == "passed" for b in got), "passed + blocked builds")

    def test_pagination_follows_link_headers(self):
        cfg = os.path.join(self.home.name, "c.yaml")
        with open(cfg, "w") as f:
            f.write("buildkite:\n  per_page: 7\n")
        before = self.requests()["by_route"].get("GET builds", 0)
        got = self.json_of("builds", "--limit", "20", "--config", cfg)
        after = self.requests()["by_route"].get("GET builds", 0)
        self.assertEqual(len(got), 20)
        self.assertEqual(after - before, 3, "20 builds at 7 a page is three requests")
        self.assertEqual([b["number"] for b in got], [b["number"] for b in all_builds()[:20]])

    def test_branch_filter(self):
        got = self.json_of("builds", "--branch", "main", "--limit", "100")
        self.assertTrue(got)
        self.assertTrue(all(b["branch"] == "main" for b in got))
        self.assertEqual(len(got), len([b for b in all_builds() if b["branch"] == "main"][:100]))

    def test_text_output_is_sanitized(self):
        r = self.run_relcon("builds", "--limit", "100")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout.decode("utf-8")  # valid UTF-8
        self.assertNotIn("\x1b", out)
        self.assertNotIn("\x07", out)
        self.assertNotIn("\u202e", out)
        self.assertNotIn("\x9b", out)
        self.assertIn("^[", out, "escape characters are shown, not dropped")
        lines = out.splitlines()
        self.assertEqual(len(lines), 1 + len(all_builds()[:100]))
        self.assertTrue(lines[0].startswith("BUILD"))

    def test_limit_validation(self):
        for bad in ("0", "abc", "-3", "5000"):
            r = self.run_relcon("builds", "--limit", bad)
            self.assertEqual(r.returncode, 2, bad)
            self.assertIn(b"--limit", r.stderr)
        r = self.run_relcon("builds", "--bogus")
        self.assertEqual(r.returncode, 2)


class BuildCommand(Relcon):
    def test_by_number_and_by_commit(self):
        src = all_builds()[3]
        by_number = self.json_of("build", str(src["number"]))
        by_commit = self.json_of("build", src["commit"])
        by_prefix = self.json_of("build", src["commit"][:10])
        self.assertEqual(by_number["number"], src["number"])
        # A commit may have several builds; the newest wins.
        newest = next(b for b in all_builds() if b["commit"] == src["commit"])
        self.assertEqual(by_commit["number"], newest["number"])
        self.assertEqual(by_prefix["number"], newest["number"])
        self.assertEqual(len(by_number["jobs"]), len(src["jobs"]))
        self.assertEqual([j["id"] for j in by_number["jobs"]], [j["id"] for j in src["jobs"]])

    def test_unblocked_step_names_who_and_when(self):
        src = next(b for b in all_builds() for j in b["jobs"]
                   if j["type"] == "manual" and j["state"] == "unblocked" and j.get("unblocked_by"))
        got = self.json_of("build", str(src["number"]))
        steps = [s for s in got["steps"].values() if s and s["state"] == "unblocked"]
        self.assertTrue(steps)
        for s in steps:
            self.assertTrue(s["unblocked_by"])
            self.assertTrue(s["unblocked_at"])
        r = self.run_relcon("build", str(src["number"]))
        self.assertEqual(r.returncode, 0)
        self.assertIn(b"unblocked by", r.stdout)

    def test_missing_build_and_bad_reference(self):
        r = self.run_relcon("build", "99999")
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"no build 99999", r.stderr)
        r = self.run_relcon("build", "0123456789abcdef0123456789abcdef01234567")
        self.assertEqual(r.returncode, 1)
        r = self.run_relcon("build", "not-a-sha")
        self.assertEqual(r.returncode, 2)
        r = self.run_relcon("build")
        self.assertEqual(r.returncode, 2)


class Failures(Relcon):
    def test_retries_through_429_and_503(self):
        self.fault(status=429, count=1, reset=0)
        self.fault(status=503, count=1)
        before = self.requests()["total"]
        got = self.json_of("builds", "--limit", "5")
        self.assertEqual(len(got), 5)
        self.assertEqual(self.requests()["total"] - before, 3, "two faults, then success")

    def test_persistent_failure_exits_1_with_message(self):
        cfg = os.path.join(self.home.name, "c.yaml")
        with open(cfg, "w") as f:
            f.write("http:\n  max_attempts: 2\n")
        self.fault(status=503, count=2)
        r = self.run_relcon("builds", "--config", cfg)
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"503", r.stderr)
        self.assertIn(b"2 attempts", r.stderr)
        self.assertEqual(r.stdout, b"")

    def test_malformed_body_is_a_clear_error(self):
        self.fault(kind="malformed", count=1)
        r = self.run_relcon("builds", "--json")
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"malformed", r.stderr)
        self.assertEqual(r.stdout, b"")

    def test_unreachable_endpoint(self):
        r = self.run_relcon("builds", env=self.env(RELCON_BUILDKITE_ENDPOINT="http://127.0.0.1:9"))
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"connection failed", r.stderr)

    def test_wrong_token(self):
        r = self.run_relcon("builds", env=self.env(BUILDKITE_API_TOKEN="wrong-token-value"))
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"401", r.stderr)
        self.assertNotIn(b"wrong-token-value", r.stderr + r.stdout)


class ConfigAndToken(Relcon):
    def test_bad_config_names_file_line_and_key(self):
        cfg = os.path.join(self.home.name, "bad.yaml")
        with open(cfg, "w") as f:
            f.write("buildkite:\n  organization: x\nrefresh:\n  idle_seconds: soon\n")
        r = self.run_relcon("builds", "--config", cfg)
        self.assertEqual(r.returncode, 2)
        self.assertIn(f"{cfg}:4".encode(), r.stderr)
        self.assertIn(b"refresh.idle_seconds", r.stderr)
        r = self.run_relcon("builds", env=self.env(RELCON_CONFIG=cfg))
        self.assertEqual(r.returncode, 2)
        r = self.run_relcon("builds", "--config", "/nonexistent/relcon.yaml")
        self.assertEqual(r.returncode, 2)
        self.assertIn(b"/nonexistent/relcon.yaml", r.stderr)

    def test_token_file_must_be_private(self):
        path = os.path.join(self.home.name, "config", "relcon", "buildkite-token")
        os.makedirs(os.path.dirname(path))
        with open(path, "w") as f:
            f.write(TOKEN + "\n")
        os.chmod(path, 0o644)
        env = self.env(BUILDKITE_API_TOKEN=None)
        r = self.run_relcon("builds", "--limit", "1", env=env)
        self.assertEqual(r.returncode, 2)
        self.assertIn(b"too open", r.stderr)
        self.assertIn(b"chmod 600", r.stderr)
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
        r = self.run_relcon("builds", "--limit", "1", "--json", env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(json.loads(r.stdout)), 1)

    def test_no_token_says_what_to_do(self):
        r = self.run_relcon("builds", env=self.env(BUILDKITE_API_TOKEN=None))
        self.assertEqual(r.returncode, 2)
        self.assertIn(b"BUILDKITE_API_TOKEN", r.stderr)

    def test_debug_log_redacts_the_token(self):
        log = os.path.join(self.home.name, "debug.log")
        r = self.run_relcon("builds", "--limit", "3", "--json", f"--debug={log}")
        self.assertEqual(r.returncode, 0)
        with open(log, encoding="utf-8", errors="replace") as f:
            text = f.read()
        self.assertIn("GET", text)
        self.assertNotIn(TOKEN, text)
        self.assertEqual(os.stat(log).st_mode & 0o777, 0o600)


class Basics(Relcon):
    def test_help_version_and_usage_errors(self):
        r = self.run_relcon("--help")
        self.assertEqual(r.returncode, 0)
        for word in (b"builds", b"build", b"--read-only", b"exit codes"):
            self.assertIn(word, r.stdout)
        r = self.run_relcon("--version")
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, rb"^relcon \d+\.\d+\.\d+\n$")
        r = self.run_relcon("frobnicate")
        self.assertEqual(r.returncode, 2)
        r = self.run_relcon("builds", "--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn(b"--branch", r.stdout)

    def test_console_refuses_without_a_terminal(self):
        r = subprocess.run([BIN], env=self.env(TERM="dumb"), capture_output=True, stdin=subprocess.DEVNULL,
                           timeout=30, start_new_session=True)
        self.assertEqual(r.returncode, 2)
        self.assertIn(b"headless", r.stderr)

    def test_config_keys_lists_every_key(self):
        r = self.run_relcon("config-keys")
        self.assertEqual(r.returncode, 0)
        for key in (b"buildkite.organization", b"steps.build_amis", b"refresh.idle_seconds", b"ui.theme"):
            self.assertIn(key, r.stdout)


if __name__ == "__main__":
    unittest.main()
