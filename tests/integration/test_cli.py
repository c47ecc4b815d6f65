"""Headless commands against the sandbox: `relcon builds`, `relcon build`,
exit codes, configuration and token errors, retries, and that text output
is sanitized while --json keeps the exact strings.

Needs RELCON_BIN and the sandbox variables (tests/run.sh sets them)."""
import json
import os
import signal
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


def default_signals():
    for sig in (signal.SIGINT, signal.SIGQUIT):
        signal.signal(sig, signal.SIG_DFL)


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
        # With SIGINT and SIGQUIT at their defaults, as from a terminal: a
        # shell's background job (tests/run.sh runs its lanes so) would
        # hand them on ignored, and relcon keeps a signal its parent ignored.
        p = subprocess.Popen([BIN, *args], env=env or self.env(), stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=default_signals)

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
    def test_deeper_than_fifty_pages(self):
        # Buildkite refuses page 51 ("Listing builds this deep is not
        # supported"): with one build a page, the 55 newest go on past it by
        # created_to, none lost or repeated.
        cfg = os.path.join(self.home.name, "deep.yaml")
        with open(cfg, "w") as f:
            f.write("buildkite:\n  per_page: 1\n")
        sandbox("DELETE", "/_sandbox/requests")
        got = self.json_of("builds", "--limit", "55", env=self.env(RELCON_CONFIG=cfg))
        self.assertEqual([b["number"] for b in got], [b["number"] for b in all_builds()[:55]])
        paths = [e["path"] for e in sandbox("GET", "/_sandbox/requests")["log"] if e["method"] == "GET"]
        self.assertFalse([p for p in paths if "page=51" in p], "page 51 was asked for")
        self.assertTrue([p for p in paths if "created_to=" in p], paths[-3:])

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
        for bad in ("0", "abc", "-3", "10001"):
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


class Terminal(Relcon):
    """Without a terminal the console refuses at once and names the headless
    commands; scripted runs (RELCON_NO_DISPLAY) need none."""

    def console(self, env, stdin=subprocess.DEVNULL):
        # A new session: no controlling terminal, so /dev/tty cannot be the way in either.
        return subprocess.run([BIN], env=env, capture_output=True, stdin=stdin, timeout=30, start_new_session=True)

    def assert_refused(self, r, why):
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(r.stdout, b"")
        self.assertIn(b"the console needs a terminal (" + why + b")", r.stderr)
        for word in (b"relcon builds", b"relcon build COMMIT", b"relcon help"):
            self.assertIn(word, r.stderr)

    def test_term_dumb_refused(self):
        self.assert_refused(self.console(self.env(TERM="dumb")), b"TERM=dumb")

    def test_term_unset_refused(self):
        self.assert_refused(self.console(self.env(TERM=None)), b"TERM is not set")

    def test_stdin_not_a_terminal_refused(self):
        self.assert_refused(self.console(self.env(TERM="xterm-256color")), b"stdin is not a terminal")
        with tempfile.TemporaryFile() as f:
            self.assert_refused(self.console(self.env(TERM="xterm-256color"), stdin=f), b"stdin is not a terminal")

    def test_refused_before_the_token_is_needed(self):
        r = self.console(self.env(TERM="dumb", BUILDKITE_API_TOKEN=None))
        self.assert_refused(r, b"TERM=dumb")
        self.assertNotIn(b"token", r.stderr)

    def test_headless_commands_need_no_terminal(self):
        r = self.run_relcon("builds", "--limit", "1", env=self.env(TERM="dumb"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"BUILD", r.stdout)


class Options(Relcon):
    def test_help_command_prints_its_usage(self):
        r = self.run_relcon("help", "promote")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"relcon promote alpha COMMIT", r.stdout)
        self.assertIn(b"--name NAME", r.stdout)
        self.assertNotIn(b"relcon builds", r.stdout)  # only that command
        r = self.run_relcon("help", "keys")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"relcon keys", r.stdout)
        r = self.run_relcon("help")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"relcon builds", r.stdout)
        r = self.run_relcon("help", "frobnicate")
        self.assertEqual(r.returncode, 2)
        self.assertIn(b"no command 'frobnicate'", r.stderr)

    def step_state(self, build, step):
        return self.json_of("build", build)["steps"][step]["state"]

    def test_readonly_spelling_refuses_changes(self):
        for args in (("unblock-build", "4157", "--yes", "--readonly"),
                     ("--readonly", "promote", "alpha", "4154", "--yes")):
            with self.subTest(args=args):
                r = self.run_relcon(*args)
                self.assertEqual(r.returncode, 3, r.stderr)
                self.assertIn(b"read-only", r.stderr)
        self.assertEqual(self.step_state("4157", "build_amis"), "blocked")
        self.assertEqual(self.step_state("4154", "alpha"), "blocked")

    def test_no_color_accepted_anywhere(self):
        for args in (("--no-color", "builds", "--limit", "2"), ("builds", "--limit", "2", "--no-color")):
            with self.subTest(args=args):
                r = self.run_relcon(*args)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertNotIn(b"\x1b", r.stdout)
                self.assertIn(b"BUILD", r.stdout)


class Keymap(Relcon):
    """The keymap file: `relcon keys` prints the bindings in effect; an error
    names the file and line and ends the run (exit 2) before the terminal."""

    def keymap(self, text, path=None):
        path = path or os.path.join(self.home.name, "keymap")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        return path

    def keys(self, **env):
        return self.run_relcon("keys", env=self.env(**env))

    def test_rebinding_shows_in_keys(self):
        default = self.keys()
        self.assertEqual(default.returncode, 0, default.stderr)
        self.assertIn(b"| `<PgDn> <C-f>` | page-down |", default.stdout)
        # An empty keymap (what scripts/readme-tables.sh uses) is the defaults.
        self.assertEqual(self.keys(RELCON_KEYMAP="/dev/null").stdout, default.stdout)
        path = self.keymap("# mine\nbind <C-d> page-down\nbind j move-up\nunbind T\n")
        r = self.keys(RELCON_KEYMAP=path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"| `<PgDn> <C-f> <C-d>` | page-down |", r.stdout)
        self.assertIn(b"| `k <Up> j` | move-up |", r.stdout)
        self.assertIn(b"| `<Down>` | move-down |", r.stdout)
        self.assertIn(b"| `(palette)` | theme-next |", r.stdout)

    def test_default_path_is_the_config_directory(self):
        self.keymap("bind x quit\n", os.path.join(self.home.name, "config", "relcon", "keymap"))
        r = self.keys()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"| `q x` | quit |", r.stdout)

    def test_errors_name_file_and_line(self):
        cases = [
            ("bind <C-d> page-down\n\nbind j nosuch\n", b"keymap:3: unknown action \"nosuch\""),
            ("# a\n# b\nbind <Foo> quit\n", b"keymap:3: unknown key <Foo>"),
            ("bind x quit\n\nbind x help\n", b"keymap:3: x is already bound on line 1"),
            ("unbind x\n", b"keymap:1: x is not bound"),
            ("map x quit\n", b"keymap:1: unknown command \"map\""),
        ]
        for text, want in cases:
            with self.subTest(text=text):
                path = self.keymap(text)
                r = self.keys(RELCON_KEYMAP=path)
                self.assertEqual(r.returncode, 2)
                self.assertEqual(r.stdout, b"")
                self.assertIn(b"relcon: " + path.encode() + b":", r.stderr)
                self.assertIn(want, r.stderr)

    def test_missing_named_keymap_is_an_error(self):
        r = self.keys(RELCON_KEYMAP=os.path.join(self.home.name, "nope"))
        self.assertEqual(r.returncode, 2)
        self.assertIn(b"No such file", r.stderr)

    def test_console_stops_before_the_terminal(self):
        # A scripted console would run: the keymap error ends it first, with
        # nothing drawn and the script never read.
        path = self.keymap("bind x quit\nbind x help\n")
        r = subprocess.run([BIN], env=self.env(RELCON_KEYMAP=path, RELCON_NO_DISPLAY="1",
                                               RELCON_SCRIPT="/nonexistent/script", TERM="xterm-256color"),
                           capture_output=True, stdin=subprocess.DEVNULL, timeout=30, start_new_session=True)
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stdout, b"")
        self.assertIn(b"keymap:2: x is already bound on line 1", r.stderr)
        self.assertNotIn(b"RELCON_SCRIPT", r.stderr)

    def test_headless_commands_ignore_the_keymap(self):
        path = self.keymap("this is not a keymap\n")
        r = self.run_relcon("config-keys", env=self.env(RELCON_KEYMAP=path))
        self.assertEqual(r.returncode, 0, r.stderr)


class Info(Relcon):
    """relcon info: every path in use and where each setting came from, never a secret."""

    def secrets(self):
        return [s for s in (TOKEN, os.environ.get("AWS_SECRET_ACCESS_KEY", "")) if s]

    def info(self, *args, env=None):
        r = self.run_relcon("info", *args, env=env)
        self.assertEqual(r.returncode, 0, r.stderr.decode(errors="replace"))
        for secret in self.secrets():
            self.assertNotIn(secret.encode(), r.stdout + r.stderr)
        return r

    def info_json(self, *args, env=None):
        r = self.info("--json", *args, env=env)
        self.assertEqual(r.stderr, b"", "--json prints nothing but the document")
        return json.loads(r.stdout)

    def test_json_paths_honour_xdg(self):
        h = self.home.name
        d = self.info_json()
        self.assertEqual(d["config"], {"path": h + "/config/relcon/config.yaml", "exists": False,
                                       "source": "default", "read": False})
        self.assertEqual(d["config_dir"]["path"], h + "/config/relcon")
        self.assertEqual(d["config_dir"]["origin"], "XDG_CONFIG_HOME")
        self.assertEqual(d["keymap"], {"path": h + "/config/relcon/keymap", "exists": False, "source": "default"})
        self.assertEqual(d["state_dir"]["path"], h + "/state/relcon")
        self.assertEqual(d["state_dir"]["origin"], "XDG_STATE_HOME")
        self.assertEqual(d["audit_journal"], {"path": h + "/state/relcon/audit.jsonl", "exists": False})
        self.assertEqual(d["cache_dir"]["path"], h + "/cache/relcon")
        self.assertEqual(d["cache_dir"]["origin"], "XDG_CACHE_HOME")
        self.assertIsNone(d["log"])
        dirs = [x["dir"] for x in d["themes"]["search_path"]]
        self.assertEqual(dirs[0], h + "/config/relcon/themes")
        self.assertEqual(d["themes"]["theme"], "default")
        self.assertEqual(d["read_only"], {"enabled": False, "sources": []})
        # Without XDG_*: under $HOME, and said so.
        env = self.env(XDG_CONFIG_HOME=None, XDG_STATE_HOME=None, XDG_CACHE_HOME=None)
        d = self.info_json(env=env)
        self.assertEqual(d["config"]["path"], h + "/.config/relcon/config.yaml")
        self.assertEqual(d["state_dir"], {"path": h + "/.local/state/relcon", "exists": False, "origin": "HOME"})
        self.assertEqual(d["audit_journal"]["path"], h + "/.local/state/relcon/audit.jsonl")
        self.assertEqual(d["cache_dir"]["path"], h + "/.cache/relcon")

    def test_config_source_relcon_config_and_flag(self):
        a = os.path.join(self.home.name, "a.yaml")
        b = os.path.join(self.home.name, "b.yaml")
        for path, theme in ((a, "light"), (b, "mono")):
            with open(path, "w") as f:
                f.write("ui:\n  theme: %s\n" % theme)
        d = self.info_json(env=self.env(RELCON_CONFIG=a))
        self.assertEqual(d["config"], {"path": a, "exists": True, "source": "RELCON_CONFIG", "read": True})
        self.assertEqual(d["themes"]["theme"], "light")
        # The binary under test may live in build/*/, away from themes/.
        themes = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "themes")
        d = self.info_json("--config", b, env=self.env(RELCON_CONFIG=a, RELCON_THEMES_DIR=themes))
        self.assertEqual(d["config"], {"path": b, "exists": True, "source": "--config", "read": True})
        self.assertEqual(d["themes"]["theme"], "mono")
        self.assertEqual(d["themes"]["file"], os.path.join(themes, "mono.yaml"))

    def test_buildkite_and_aws_sources(self):
        d = self.info_json()
        bk = d["buildkite"]
        self.assertEqual(bk["organization"], ORG)
        self.assertEqual(bk["organization_source"], "BUILDKITE_ORGANIZATION_SLUG")
        self.assertEqual(bk["endpoint"], ENDPOINT)
        self.assertEqual(bk["endpoint_source"], "RELCON_BUILDKITE_ENDPOINT")
        self.assertEqual(bk["token"]["present"], True)
        self.assertEqual(bk["token"]["source"], "BUILDKITE_API_TOKEN")
        aws = d["aws"]
        self.assertTrue(aws["available"], aws["error"])
        self.assertEqual(aws["region"], os.environ["AWS_REGION"])
        self.assertEqual(aws["region_source"], "AWS_REGION")
        self.assertEqual(aws["credentials"]["source"], "environment")
        self.assertIsNone(aws["credentials"]["error"])
        key_id = os.environ["AWS_ACCESS_KEY_ID"]
        self.assertEqual(aws["credentials"]["access_key_id_last4"], key_id[-4:])
        self.assertNotIn(key_id, json.dumps(d), "at most the last four characters of the key id")
        for svc in ("ec2", "cloudformation", "s3", "sts"):
            ep = aws["endpoints"][svc]
            self.assertEqual(ep["source"], "AWS_ENDPOINT_URL", svc)
            self.assertTrue(ep["overridden"])
            self.assertTrue(ep["url"].startswith(os.environ["AWS_ENDPOINT_URL"]), ep["url"])

    def test_credentials_from_a_profile_name_the_source_not_the_secret(self):
        h = self.home.name
        cfg, cred = os.path.join(h, "aws-config"), os.path.join(h, "aws-credentials")
        with open(cfg, "w") as f:
            f.write("[profile relcon-info]\nregion = eu-west-3\n")
        secret = "pRoFiLe/secret+KEY/0123456789abcdefghijKL"
        with open(cred, "w") as f:
            f.write("[relcon-info]\naws_access_key_id = AKIAPROFILEKEY0WXYZ\naws_secret_access_key = %s\n" % secret)
        os.chmod(cred, 0o600)  # a credentials file others can read is refused
        env = self.env(AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None, AWS_REGION=None, AWS_DEFAULT_REGION=None,
                       AWS_CONFIG_FILE=cfg, AWS_SHARED_CREDENTIALS_FILE=cred, AWS_EC2_METADATA_DISABLED="true")
        for out in (self.info("--profile", "relcon-info", env=env).stdout,
                    self.info("--json", "--profile", "relcon-info", env=env).stdout):
            self.assertNotIn(secret.encode(), out)
            self.assertNotIn(b"AKIAPROFILEKEY0WXYZ", out)
        d = self.info_json("--profile", "relcon-info", env=env)["aws"]
        self.assertEqual((d["profile"], d["profile_source"], d["profile_defined"]), ("relcon-info", "--profile", True))
        self.assertEqual(d["config_file"], {"path": cfg, "exists": True})
        self.assertEqual(d["credentials_file"], {"path": cred, "exists": True})
        self.assertEqual((d["region"], d["region_source"]), ("eu-west-3", "profile"))
        self.assertIn("relcon-info", d["credentials"]["source"])
        self.assertIn("aws-credentials", d["credentials"]["source"])  # the file, ~ for $HOME
        self.assertEqual(d["credentials"]["access_key_id_last4"], "WXYZ")
        # No credentials anywhere: said, and still exit 0.
        env.update(AWS_SHARED_CREDENTIALS_FILE=os.path.join(h, "none"))
        d = self.info_json("--profile", "relcon-info", env=env)["aws"]
        self.assertIsNone(d["credentials"]["source"])
        self.assertTrue(d["credentials"]["error"])

    def test_no_token_log_read_only_and_themes_dir(self):
        themes = os.path.join(self.home.name, "mythemes")
        os.makedirs(themes)
        log = os.path.join(self.home.name, "debug.log")
        env = self.env(BUILDKITE_API_TOKEN=None, RELCON_READ_ONLY="1", RELCON_THEMES_DIR=themes)
        r = self.run_relcon("--debug=" + log, "--read-only", "info", "--json", env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        d = json.loads(r.stdout)
        self.assertEqual(d["buildkite"]["token"], {"present": False, "source": None,
                                                   "file": self.home.name + "/config/relcon/buildkite-token"})
        self.assertEqual(d["log"], {"path": log, "exists": True})
        self.assertEqual(d["read_only"], {"enabled": True, "sources": ["--read-only", "RELCON_READ_ONLY"]})
        self.assertEqual(d["themes"]["search_path"][0], {"dir": themes, "origin": "RELCON_THEMES_DIR",
                                                         "exists": True})
        with open(log, "rb") as f:
            text = f.read()
        for secret in self.secrets():
            self.assertNotIn(secret.encode(), text)

    def test_text(self):
        h = self.home.name
        out = self.info().stdout.decode()
        for want in ("config             %s/config/relcon/config.yaml (the default; not there" % h,
                     "state              %s/state/relcon (from $XDG_STATE_HOME" % h,
                     "audit journal      %s/state/relcon/audit.jsonl (not there yet)" % h,
                     "cache              %s/cache/relcon (from $XDG_CACHE_HOME" % h,
                     "log                none (no --debug)",
                     "organization       %s (BUILDKITE_ORGANIZATION_SLUG)" % ORG,
                     "endpoint           %s (RELCON_BUILDKITE_ENDPOINT)" % ENDPOINT,
                     "token              from BUILDKITE_API_TOKEN",
                     "region             %s (AWS_REGION)" % os.environ["AWS_REGION"],
                     "credentials        environment, access key id ending %s" % os.environ["AWS_ACCESS_KEY_ID"][-4:],
                     "read-only          no"):
            self.assertIn(want, out)
        # Paths are printed sanitized.
        odd = os.path.join(h, "odd\x1b[7m")
        os.makedirs(odd)
        out = self.info(env=self.env(XDG_STATE_HOME=odd)).stdout.decode()
        self.assertNotIn("\x1b", out)
        self.assertIn("odd^[[7m/relcon", out)

    def test_theme_search_path_is_the_consoles(self):
        # info follows tui/theme.c's search order (cli/ may not include
        # tui/): the console names the directories it tried when a theme is
        # missing; they must be info's, in the same order.
        cfg = os.path.join(self.home.name, "c.yaml")
        with open(cfg, "w") as f:
            f.write("ui:\n  theme: no-such-theme\n")
        themes = os.path.join(self.home.name, "mythemes")
        env = self.env(RELCON_CONFIG=cfg, RELCON_THEMES_DIR=themes)
        want = [x["dir"] for x in self.info_json(env=env)["themes"]["search_path"]]
        self.assertIsNone(self.info_json(env=env)["themes"]["file"])
        script = os.path.join(self.home.name, "s.script")
        dump = os.path.join(self.home.name, "screen.txt")
        with open(script, "w") as f:
            f.write(":dump-screen %s\n" % dump)
        env.update(RELCON_NO_DISPLAY="1", RELCON_SCRIPT=script, TERM="xterm-256color", LINES="10", COLUMNS="1000")
        r = subprocess.run([BIN], env=env, capture_output=True, stdin=subprocess.DEVNULL, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(dump, encoding="utf-8") as f:
            screen = f.read()
        line = next((ln for ln in screen.splitlines() if "looked for no-such-theme.yaml in:" in ln), None)
        self.assertIsNotNone(line, screen)
        tried = line.split("looked for no-such-theme.yaml in:", 1)[1].split(" (using", 1)[0]
        self.assertEqual([d.strip() for d in tried.split(",")], want)


if __name__ == "__main__":
    unittest.main()
