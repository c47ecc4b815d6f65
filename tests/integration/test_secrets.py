"""Secrets stay secret.  The Buildkite token, the AWS secret access key and
the AWS session token never appear -- raw, base64'd, URL-encoded, or as the
SigV4 key-derivation input ("AWS4" + secret) -- in the --debug log, the argv
of a child (ssh, through a wrapper that records its arguments), anything
printed (stdout, stderr, --json), the audit journal, `relcon audit`,
`relcon info`, or the console's screens (scripted, dumped).  And a token or
credentials file that group or others may read is refused with a message
naming the file and `chmod 600`, as ssh refuses such a key.

The sandbox's moto refuses requests that carry a session token it did not
issue, so the session token is checked through commands that fail (and the
console, whose AWS requests then fail) rather than a whole launch.

Needs RELCON_BIN, the sandbox, AWS included (tests/run.sh) and openssh-server."""
import base64
import glob
import json
import os
import shutil
import stat
import subprocess
import sys
import unittest
from urllib.parse import quote, quote_plus

from tests.integration.test_cli import BIN, Relcon, sandbox
from tests.integration.test_launch import LaunchBase
from tests.integration.test_ssh import SshdMixin

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
SESSION_TOKEN = "FQoGZXIvYXdzEXAMPLE/sEsSiOn+ToKeN/relcon-7f3a91c2d4=="


def forms(secret):
    """Every way a secret could leak: as is, base64'd, URL-encoded, and the
    SigV4 signing-key derivation's input."""
    s = secret.encode()
    out = {secret, base64.b64encode(s).decode(), base64.urlsafe_b64encode(s).decode(),
           base64.b64encode(s).decode().rstrip("="), quote(secret, safe=""), quote_plus(secret),
           "AWS4" + secret}
    return {f for f in out if len(f) >= 8}


class SecretsBase(Relcon):
    def secrets(self, session=False):
        got = {"BUILDKITE_API_TOKEN": os.environ["BUILDKITE_API_TOKEN"],
               "AWS_SECRET_ACCESS_KEY": os.environ["AWS_SECRET_ACCESS_KEY"]}
        if session:
            got["AWS_SESSION_TOKEN"] = SESSION_TOKEN
        return got

    def assert_no_secret(self, where, data, secrets):
        if isinstance(data, bytes):
            data = data.decode("utf-8", errors="replace")
        for name, value in secrets.items():
            for form in forms(value):
                self.assertNotIn(form, data, "%s appears in %s (as %r)" % (name, where, form))

    def logs(self):
        self.log_n = getattr(self, "log_n", 0) + 1
        return "--debug=%s/debug-%d.log" % (self.home.name, self.log_n)

    def debug_logs(self):
        return sorted(glob.glob(self.home.name + "/debug-*.log"))


class SecretsEndToEnd(SshdMixin, LaunchBase, SecretsBase):
    """Reads, a launch followed to the end, ssh into it, its teardown and a
    promotion, every one with --debug: nothing secret anywhere."""

    def test_no_secret_anywhere(self):
        outputs = []  # (label, bytes)

        def run(*args, ok=(0,)):
            r = self.run_relcon(self.logs(), "--config", cfg, *args, env=env)
            outputs.append((" ".join(args) + " stdout", r.stdout))
            outputs.append((" ".join(args) + " stderr", r.stderr))
            self.assertIn(r.returncode, ok, "%s: %s" % (args, r.stderr.decode(errors="replace")))
            return r

        def follow(*args):
            p = self.popen(self.logs(), "--config", cfg, *args, env=env)
            return p

        # ssh.program: a wrapper that records its arguments, then runs ssh.
        argv_file = os.path.join(self.home.name, "ssh-argv")
        wrapper = os.path.join(self.home.name, "ssh-wrapper")
        with open(wrapper, "w") as f:
            f.write('#!/bin/sh\nfor a in "$@"; do printf "%%s\\n" "$a"; done >>"%s"\nexec ssh "$@"\n' % argv_file)
        os.chmod(wrapper, 0o755)
        cfg = self.ssh_config()
        with open(cfg, "a") as f:
            f.write("  program: %s\naws:\n  sandbox_accounts: ['123456789012']\n" % wrapper)
        env = self.env()

        run("builds")
        run("builds", "--json")
        run("build", "4155", "--json")
        run("build", "4155")
        run("stacks", "--json")

        p = follow("launch", "4155", "--key", "alice", "--yes", "--wait")
        self.wait_for_status("alice-super", "CREATE_IN_PROGRESS", p)
        self.advance(300)
        out, err = p.communicate(timeout=60)
        outputs += [("launch stdout", out), ("launch stderr", err)]
        self.assertEqual(p.returncode, 0, err.decode(errors="replace"))

        run("stack", "alice-super", "--json")
        r = run("ssh", "alice-super", "--", "echo", "secrets-ok")
        self.assertEqual(r.stdout.strip(), b"secrets-ok")
        with open(argv_file) as f:
            argv = f.read()
        self.assertIn("127.0.0.2", argv, "the wrapper saw ssh's arguments")

        p = follow("teardown", "alice-super", "--yes", "--wait")
        self.wait_for_status("alice-super", "DELETE_IN_PROGRESS", p)
        self.advance(300)
        out, err = p.communicate(timeout=60)
        outputs += [("teardown stdout", out), ("teardown stderr", err)]
        self.assertEqual(p.returncode, 0, err.decode(errors="replace"))

        run("promote", "alpha", "4154", "--yes")
        run("audit", "--json")
        run("audit")
        run("info")
        run("info", "--json")

        secrets = self.secrets()
        for label, data in outputs:
            self.assert_no_secret(label, data, secrets)
        self.assert_no_secret("the ssh child's argv", argv, secrets)
        logs = self.debug_logs()
        self.assertEqual(len(logs), self.log_n, "every command wrote its --debug log")
        requests = 0
        for path in logs:
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
            requests += text.count("Authorization")
            self.assert_no_secret(path, text, secrets)
        self.assertGreater(requests, 0, "the debug logs show the requests (their authorization redacted)")
        journal = os.path.join(self.home.name, "state", "relcon", "audit.jsonl")
        with open(journal, encoding="utf-8") as f:
            text = f.read()
        actions = {json.loads(line)["action"] for line in text.splitlines()}
        self.assertTrue({"launch", "teardown", "promote-alpha"} <= actions, actions)
        self.assert_no_secret("the audit journal", text, secrets)


class SessionToken(SecretsBase):
    """AWS_SESSION_TOKEN set: the sandbox refuses it (moto did not issue it),
    and neither the failures nor anything else show it."""

    def test_session_token_never_shown(self):
        cfg = os.path.join(self.home.name, "c.yaml")
        with open(cfg, "w") as f:
            f.write("aws:\n  sandbox_accounts: ['123456789012']\nhttp:\n  max_attempts: 1\n")
        env = self.env(AWS_SESSION_TOKEN=SESSION_TOKEN)
        secrets = self.secrets(session=True)
        seen = []
        for args in (("stacks", "--json"), ("stacks",), ("build", "4155", "--json"), ("build", "4155"),
                     ("images", "af0840d92bcd15f9f99682d5e8fcad12f6319fb8", "--json"),
                     ("launch", "4155", "--key", "alice", "--yes"), ("info",), ("info", "--json"), ("audit", "--json")):
            r = self.run_relcon(self.logs(), "--config", cfg, *args, env=env)
            seen.append(r.returncode)
            self.assert_no_secret(" ".join(args) + " stdout", r.stdout, secrets)
            self.assert_no_secret(" ".join(args) + " stderr", r.stderr, secrets)
        self.assertNotEqual(seen[0], 0, "the sandbox refuses a session token it did not issue")
        for path in self.debug_logs():
            with open(path, encoding="utf-8", errors="replace") as f:
                self.assert_no_secret(path, f.read(), secrets)


class Screens(SecretsBase):
    """The console's screens -- builds, a build, the stacks, the command log
    (its list and a request's detail), the audit screen -- dumped and read."""

    SCRIPT = """:dump-screen s-home.txt
:build 4155
:dump-screen s-build.txt
<Tab>
:dump-screen s-build-tab.txt
<U+0040>
:dump-screen s-cmdlog.txt
<Enter>
:dump-screen s-cmdlog-detail.txt
q
SSSSg<Enter>
:dump-screen s-cmdlog-detail2.txt
q
q
q
X
:dump-screen s-stacks.txt
f
:dump-screen s-stacks-all.txt
<U+0040>
<Enter>
:dump-screen s-cmdlog-aws.txt
q
q
q
:audit
:dump-screen s-audit.txt
"""

    def session(self, session_token):
        work = os.path.join(self.home.name, "ui-%d" % bool(session_token))
        os.makedirs(work)
        script = os.path.join(work, "s.script")
        with open(script, "w") as f:
            f.write(self.SCRIPT)
        sys.path.insert(0, os.path.join(TOP, "tests", "ui"))
        try:
            import run_ui
        finally:
            sys.path.pop(0)
        extra = {"AWS_SESSION_TOKEN": session_token} if session_token else {}
        r = run_ui.run_script(BIN, script, work, extra)
        self.assertEqual(r.returncode, 0, r.stderr)
        dumps = sorted(glob.glob(work + "/s-*.txt"))
        self.assertEqual(len(dumps), self.SCRIPT.count(":dump-screen"), dumps)
        secrets = self.secrets(session=bool(session_token))
        screens = ""
        for path in dumps:
            with open(path, encoding="utf-8") as f:
                text = f.read()
            screens += text
            self.assert_no_secret("the screen " + os.path.basename(path), text, secrets)
        self.assert_no_secret("the UI session's output", r.stdout + r.stderr, secrets)
        return screens

    def test_screens_show_no_secret(self):
        screens = self.session(None)
        self.assertIn("$BUILDKITE_API_TOKEN", screens, "the command log names the variable, not the token")
        self.assertIn("aws ", screens, "the command log shows the AWS commands")

    def test_screens_show_no_session_token(self):
        self.session(SESSION_TOKEN)


class OpenFilesRefused(Relcon):
    """Token and credentials files others could read are refused (exit 2),
    naming the file and the fix; 0600 is accepted."""

    def check_refused(self, r, path, mode, secret):
        err = r.stderr.decode(errors="replace")
        self.assertEqual(r.returncode, 2, err)
        self.assertIn(path, err)
        self.assertIn("%04o" % mode, err)
        self.assertIn("chmod 600 " + path, err)
        self.assertNotIn(secret, err + r.stdout.decode(errors="replace"))

    def test_buildkite_token_file(self):
        token = os.environ["BUILDKITE_API_TOKEN"]
        default = os.path.join(self.home.name, "config", "relcon", "buildkite-token")
        given = os.path.join(self.home.name, "elsewhere", "bk.token")
        cfg = os.path.join(self.home.name, "c.yaml")
        with open(cfg, "w") as f:
            f.write("buildkite:\n  token_file: %s\n" % given)
        for path, extra in ((default, ()), (given, ("--config", cfg))):
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(token + "\n")
            env = self.env(BUILDKITE_API_TOKEN=None)
            for mode in (0o644, 0o640, 0o604):
                os.chmod(path, mode)
                self.check_refused(self.run_relcon(*extra, "builds", "--limit", "1", env=env), path, mode, token)
            os.chmod(path, 0o600)
            r = self.run_relcon(*extra, "builds", "--limit", "1", "--json", env=env)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(len(json.loads(r.stdout)), 1)
            os.remove(path)

    def test_aws_credentials_file(self):
        key_id, secret = os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"]
        home_creds = os.path.join(self.home.name, ".aws", "credentials")
        var_creds = os.path.join(self.home.name, "creds", "shared")
        for path in (home_creds, var_creds):
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write("[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n" % (key_id, secret))
            env = self.env(AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None, AWS_SESSION_TOKEN=None,
                           AWS_PROFILE=None, AWS_CONFIG_FILE=os.path.join(self.home.name, "no-config"),
                           AWS_SHARED_CREDENTIALS_FILE=None if path == home_creds else path,
                           AWS_EC2_METADATA_DISABLED="true")
            for mode in (0o644, 0o640, 0o604):
                os.chmod(path, mode)
                self.check_refused(self.run_relcon("stacks", "--json", env=env), path, mode, secret)
            os.chmod(path, 0o600)
            r = self.run_relcon("stacks", "--json", env=env)
            self.assertEqual(r.returncode, 0, r.stderr)
            json.loads(r.stdout)
            os.remove(path)


if __name__ == "__main__":
    unittest.main()
