"""The console's live refresh of a list longer than a page, against the
sandbox: the first refresh lists every page; the next ones ask for the
newest page and the builds that can still change (two requests, whatever
the list's length); a build that settles where those two do not show it
makes the next refresh list everything again; what is on screen at the end
is what the pipeline holds.  And the on-disk cache: a second start shows
the last list at once, marked "cached", before any answer.

Drives the real console (RELCON_NO_DISPLAY with a script, the "@wait"
directive letting the live refresh run).  Needs RELCON_BIN and the sandbox
(tests/run.sh)."""
import os
import re
import subprocess
import threading
import unittest

from tests.integration.test_cli import BIN, ORG, Relcon, sandbox

HERE = os.path.dirname(os.path.abspath(__file__))
THEMES = os.path.join(os.path.dirname(os.path.dirname(HERE)), "themes")
LIST = "/v2/organizations/%s/pipelines/readyset/builds" % ORG


class LiveRefresh(Relcon):
    def setUp(self):
        super().setUp()
        sandbox("DELETE", "/_sandbox/requests")
        self.addCleanup(sandbox, "POST", "/_sandbox/reset", {})
        self.config = os.path.join(self.home.name, "relcon.yaml")
        with open(self.config, "w") as f:
            # 30 builds in pages of 2: a list 15 pages long, the running
            # build 4158 on the second.
            f.write("ui:\n  builds: 30\nbuildkite:\n  per_page: 2\nrefresh:\n  idle_seconds: 1\n"
                    "  active_seconds: 1\n  max_budget_percent: 100\n")

    def console(self, script, extra=None, args=()):
        path = os.path.join(self.home.name, "script")
        with open(path, "w") as f:
            f.write(script)
        env = self.env(RELCON_NO_DISPLAY="1", RELCON_SCRIPT=path, RELCON_CONFIG=self.config, LINES="40",
                       COLUMNS="160", TERM="xterm-256color", RELCON_THEMES_DIR=THEMES, **(extra or {}))
        return subprocess.run([BIN, *args], cwd=self.home.name, env=env, capture_output=True, timeout=120)

    def lists(self):
        return [e for e in sandbox("GET", "/_sandbox/requests")["log"]
                if e["method"] == "GET" and e["path"].split("?")[0] == LIST]

    def screen_states(self, name):
        with open(os.path.join(self.home.name, name), encoding="utf-8") as f:
            rows = [l.split() for l in f.read().split("\n\n")[0].splitlines()[2:]]
        return {int(r[0]): r[3] for r in rows if r and r[0].isdigit()}

    def truth(self):
        got = sandbox("GET", LIST + "?per_page=30")
        return {b["number"]: b["state"] + ("+blocked" if b.get("blocked") and b["state"] != "blocked" else "")
                for b in got}

    def settle_4139(self):
        """Release build 4139 (its release step was blocked): the deploy runs
        and passes, and the build is no longer among the changing ones."""
        b = sandbox("GET", LIST + "/4139")
        step = next(j for j in b["jobs"] if j.get("step_key") == "release")
        sandbox("PUT", "%s/4139/jobs/%s/unblock" % (LIST, step["id"]), {"fields": {"release-name": "2026.11.9"}})
        sandbox("POST", "/_sandbox/advance", {"seconds": 3600})

    def test_incremental_then_full_after_a_build_settles(self):
        # Halfway through, build 4139 (far down the list) is released and
        # finishes, and the running builds finish too.
        mover = threading.Timer(3.0, self.settle_4139)
        mover.start()
        self.addCleanup(mover.cancel)
        r = self.console("@wait 2500\n:dump-screen before.txt\n@wait 8000\n:dump-screen after.txt\n")
        mover.join()
        self.assertEqual(r.returncode, 0, r.stderr)
        lists = self.lists()
        full_pages = [e for e in lists if "page=15&" in e["path"]]
        changing = [e for e in lists if "state[]=" in e["path"] or "state%5B%5D=" in e["path"]]
        newest = [e for e in lists if not re.search(r"[?&]page=", e["path"]) and "state" not in e["path"]]
        print("\nlist requests: %d (full lists: %d, changing: %d, newest page: %d)"
              % (len(lists), len(full_pages), len(changing), len(newest)))
        # The first refresh listed all 15 pages, and so did the one after
        # build 4139 settled; the ones in between asked twice each.
        self.assertEqual(len(full_pages), 2, [e["path"] for e in lists])
        self.assertGreaterEqual(len(changing), 2)
        self.assertEqual(len(changing), len(newest) - 2)  # the two full lists start with the newest page too
        before, after, truth = self.screen_states("before.txt"), self.screen_states("after.txt"), self.truth()
        self.assertEqual(len(after), 30)
        self.assertEqual(before[4139], "passed+blocked")
        self.assertEqual(after[4139], "passed")
        self.assertIn("running", before.values())
        self.assertEqual(after, truth)

    def test_cache_first(self):
        r = self.console("@wait 500\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        cache = os.path.join(self.home.name, "cache", "relcon", "builds")
        self.assertEqual(len(os.listdir(cache)), 1)
        # The Buildkite side holds its first answer for 3 s: the first frame is
        # the cache's 30 builds, drawn before any answer came.
        sandbox("POST", "/_sandbox/faults", {"kind": "slow", "delay": 3, "path_contains": "/builds", "count": 1})
        log = os.path.join(self.home.name, "debug.log")
        r = self.console(":dump-screen cached.txt\n", extra={"RELCON_NOW": "2026-11-24T12:20:00Z"},
                         args=["--debug=" + log])
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(log, encoding="utf-8") as f:
            lines = f.read().splitlines()
        first = next(i for i, l in enumerate(lines) if " frame first " in l)
        answered = next(i for i, l in enumerate(lines) if " http: done GET " in l and "/builds" in l)
        self.assertIn("rows=30 data=cache", lines[first])
        self.assertLess(first, answered)
        # After the answer the screen is the network's, not marked cached.
        with open(os.path.join(self.home.name, "cached.txt"), encoding="utf-8") as f:
            self.assertNotIn("cached", f.read().split("\n\n\n")[0])
        # A broken cache is ignored (and said in the log): the first frame
        # has no builds, then the answer's come.
        path = os.path.join(cache, os.listdir(cache)[0])
        with open(path, "w") as f:
            f.write("garbage\n")
        sandbox("DELETE", "/_sandbox/faults")
        log2 = os.path.join(self.home.name, "debug2.log")
        r = self.console(":dump-screen fresh.txt\n", args=["--debug=" + log2])
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(log2, encoding="utf-8") as f:
            text = f.read()
        self.assertIn("cache ignored: " + path + ": not a relcon cache file", text)
        self.assertRegex(text, r"frame first us=\d+ rows=0 data=none")
        self.assertEqual(len(self.screen_states("fresh.txt")), 30)


if __name__ == "__main__":
    unittest.main()
