"""Tests for the relcon sandbox's Buildkite REST v2 simulator (stdlib unittest only).

Run: python3 -m unittest discover -s tests/sandbox -v
Most tests run the server in-process on a free loopback port with a frozen clock;
the ctl.sh test and the SIGTERM test use subprocesses (with --no-aws: the AWS half has its
own tests in test_aws_sim.py).
"""
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
import urllib.request
from urllib.parse import quote, urlsplit

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SANDBOX = os.path.join(ROOT, "sandbox")
sys.path.insert(0, SANDBOX)
import buildkite_sim  # noqa: E402
import scenario  # noqa: E402

NOW = "2026-11-24T12:00:00Z"
NOW_TS = 1795521600.0
TOKEN = "sandbox-token"
BUILDS = "/v2/organizations/readyset/pipelines/readyset/builds"


class Server:
    """An in-process sandbox on a free port."""

    def __init__(self, **kw):
        kw.setdefault("now", NOW_TS)
        self.srv = buildkite_sim.make_server(buildkite_sim.Config(**kw))
        self.port = self.srv.server_address[1]
        self.base = "http://127.0.0.1:%d" % self.port
        self.thread = threading.Thread(target=self.srv.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()
        self.conn = None

    def close(self):
        if self.conn:
            self.conn.close()
        buildkite_sim.stop_server(self.srv)

    def req(self, method, path, body=None, token=TOKEN, headers=None, raw=False):
        """(status, headers, parsed JSON or raw bytes) over one keep-alive connection."""
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + token
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
            h["Content-Type"] = "application/json"
        try:
            self.conn.request(method, path, body=body, headers=h)
            r = self.conn.getresponse()
            data = r.read()
        except Exception:
            self.conn.close()
            self.conn = None
            raise
        if r.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = None
        return r.status, r.headers, data if raw else json.loads(data)

    def ok(self, method, path, body=None):
        st, _, js = self.req(method, path, body)
        assert st == 200, (st, js)
        return js


class SandboxTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server()

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def setUp(self):
        self.s.ok("POST", "/_sandbox/reset")

    def build(self, n):
        return self.s.ok("GET", "%s/%d" % (BUILDS, n))

    def job(self, b, key):
        return next(j for j in b["jobs"] if j.get("step_key") == key)

    def numbers(self, query):
        return [b["number"] for b in self.s.ok("GET", BUILDS + "?per_page=100&exclude_jobs=true&" + query)]

    # --- basics ---------------------------------------------------------------
    def test_root_and_auth(self):
        st, _, js = self.s.req("GET", "/", token=None)
        self.assertEqual(st, 200)
        self.assertIn("timestamp", js)
        for tok in (None, "wrong"):
            st, h, js = self.s.req("GET", BUILDS, token=tok)
            self.assertEqual(st, 401)
            self.assertEqual(js, {"message": buildkite_sim.MSG_AUTH})
            self.assertEqual(h["RateLimit-Scope"], "rest")
        st, _, js = self.s.req("GET", BUILDS, headers={"Authorization": "Basic c2FuZGJveA=="}, token=None)
        self.assertEqual(st, 401)
        tok = self.s.ok("GET", "/v2/access-token")
        self.assertEqual(tok["scopes"], ["read_builds", "write_builds"])
        self.assertEqual(tok["user"], {"name": "Sandbox User", "email": "sandbox@example.com"})
        st, _, js = self.s.req("GET", "/v2/organizations/other/pipelines/readyset/builds")
        self.assertEqual((st, js), (404, {"message": "No pipeline found"}))

    def test_rate_limit_headers(self):
        st, h, _ = self.s.req("GET", BUILDS + "?per_page=1")
        self.assertEqual(st, 200)
        self.assertEqual(h["RateLimit-Scope"], "rest")
        self.assertEqual(h["RateLimit-User-Scope"], "rest_user")
        self.assertEqual(h["RateLimit-Limit"], "200")
        self.assertEqual(h["RateLimit-User-Limit"], "200")
        for k in ("RateLimit-Remaining", "RateLimit-Reset", "RateLimit-User-Remaining", "RateLimit-User-Reset"):
            self.assertTrue(h[k].isdigit(), k)
        self.assertTrue(1 <= int(h["RateLimit-Reset"]) <= 60)
        self.assertEqual(h["Content-Length"], str(len(self.s.req("GET", BUILDS + "?per_page=1", raw=True)[2])))

    def test_rate_limit_enforced(self):
        s = Server(rate_limit=100, user_rate_limit=3)
        try:
            statuses = [s.req("GET", BUILDS + "?per_page=1")[0] for _ in range(3)]
            st, h, js = s.req("GET", BUILDS + "?per_page=1")
        finally:
            s.close()
        if st == 200:  # crossed a minute boundary mid-test; the window reset
            self.skipTest("rate-limit window rolled over")
        self.assertEqual(statuses, [200, 200, 200])
        self.assertEqual(st, 429)
        self.assertEqual((js["scope"], js["limit"], js["current"]), ("rest_user", 3, 4))
        self.assertEqual(h["RateLimit-User-Remaining"], "0")
        self.assertIn("Please wait %d seconds" % js["reset"], js["message"])

    # --- listing ----------------------------------------------------------------
    def test_pagination_and_link(self):
        st, h, page1 = self.s.req("GET", BUILDS + "?per_page=25&branch=main&exclude_jobs=true")
        self.assertEqual(st, 200)
        self.assertEqual(len(page1), 25)
        nums = [b["number"] for b in page1]
        self.assertEqual(nums, sorted(nums, reverse=True))
        self.assertEqual(nums[0], 4160)
        self.assertNotIn("jobs", page1[0])
        link = h["Link"]
        base = "%s%s" % (self.s.base, BUILDS)
        self.assertEqual(link, '<%s?page=2&per_page=25&branch=main&exclude_jobs=true>; rel="next", '
                               '<%s?page=2&per_page=25&branch=main&exclude_jobs=true>; rel="last"' % (base, base))
        # Follow rel="next" verbatim over the whole unfiltered list.
        seen, url, pages = [], BUILDS + "?per_page=25", 0
        while url:
            st, h, page = self.s.req("GET", url)
            self.assertEqual(st, 200)
            seen += [b["number"] for b in page]
            pages += 1
            nxt = [p for p in (h.get("Link") or "").split(", ") if p.endswith('rel="next"')]
            url = None
            if nxt:
                u = urlsplit(nxt[0].split(">")[0][1:])
                self.assertEqual("%s://%s" % (u.scheme, u.netloc), self.s.base)
                url = u.path + "?" + u.query
        self.assertEqual(pages, 3)
        self.assertEqual(seen, list(range(4160, 4099, -1)))
        st, h, page = self.s.req("GET", BUILDS + "?page=2&per_page=25")
        self.assertEqual([p.split("; ")[1] for p in h["Link"].split(", ")],
                         ['rel="first"', 'rel="prev"', 'rel="next"', 'rel="last"'])
        st, h, page = self.s.req("GET", BUILDS + "?page=3&per_page=25")
        self.assertNotIn("next", h["Link"])
        self.assertEqual(len(self.s.ok("GET", BUILDS)), 30)  # default per_page

    def test_pagination_limits(self):
        self.assertEqual(len(self.s.ok("GET", BUILDS + "?per_page=500")), 61)
        st, h, _ = self.s.req("GET", BUILDS + "?per_page=500")
        self.assertNotIn("Link", h)
        st, _, js = self.s.req("GET", BUILDS + "?per_page=lots")
        self.assertEqual(st, 400)
        st, _, js = self.s.req("GET", BUILDS + "?page=51")
        self.assertEqual((st, js["message"]), (400, buildkite_sim.MSG_DEEP))
        self.assertEqual(self.s.ok("GET", BUILDS + "?page=50"), [])

    def test_branch_filters(self):
        main = self.numbers("branch=main")
        self.assertIn(4160, main)
        self.assertTrue(all(self.build(n)["branch"] == "main" for n in main[:5]))
        self.assertEqual(set(self.numbers("branch[]=fix/*&branch[]=feat/*")),
                         set(self.numbers("branch=fix/replication-lag")) | set(self.numbers("branch=feat/cfn-params")))
        self.assertEqual(self.numbers("branch=" + quote("ünïcode/分支")), [4151])
        self.assertEqual(self.numbers("branch=*" + quote("\x1b[7m") + "*"), [4144])
        self.assertEqual(self.numbers("branch=nope"), [])
        c = self.build(4148)["commit"]
        self.assertEqual(self.numbers("commit=" + c), [4148])
        self.assertEqual(self.numbers("commit=" + c[:7]), [])
        self.assertEqual(self.numbers("commit=" + self.build(4133)["commit"]), [4134, 4133])  # rebuild

    def test_state_filters(self):
        self.assertEqual(self.numbers("state[]=running&state[]=scheduled"), [4160, 4159, 4158])
        blocked = self.numbers("state=blocked")
        self.assertIn(4157, blocked)  # state passed, blocked true
        self.assertIn(4135, blocked)  # legacy state "blocked"
        self.assertNotIn(4148, blocked)
        self.assertEqual(self.build(4157)["state"], "passed")
        failed = self.numbers("state=failed")
        self.assertTrue({4156, 4153, 4152, 4137, 4133} <= set(failed))
        finished = set(self.numbers("state=finished"))
        self.assertFalse(finished & {4160, 4159, 4158})
        self.assertIn(4149, finished)
        self.assertEqual(self.numbers("created_from=2026-11-24T11:00:00Z"), [4160, 4159, 4158])
        self.assertEqual(self.numbers("created_to=2026-11-15T03:00:00Z"), [4100])
        self.assertEqual(self.numbers("meta_data[release-name]=2026.11.2"), [4148])

    # --- one build ----------------------------------------------------------------
    def test_get_build_shape(self):
        b = self.build(4157)
        self.assertEqual((b["number"], b["state"], b["blocked"], b["message"]), (4157, "passed", True, "🚀 Ship it"))
        self.assertRegex(b["commit"], r"^[0-9a-f]{40}$")
        self.assertRegex(b["created_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertEqual(b["web_url"], "https://buildkite.com/readyset/readyset/builds/4157")
        self.assertEqual(b["pipeline"]["slug"], "readyset")
        ami = self.job(b, "build-amis")
        self.assertEqual((ami["type"], ami["label"], ami["state"], ami["unblockable"]),
                         ("manual", scenario.LABEL_BUILD_AMIS, "blocked", True))
        self.assertEqual(ami["unblock_url"], "%s#%s" % (b["web_url"], ami["id"]))
        rel = self.job(b, "release")
        self.assertEqual((rel["label"], rel["state"], rel["unblockable"]), (scenario.LABEL_RELEASE, "blocked", False))
        self.assertEqual([j["type"] for j in b["jobs"]].count("waiter"), 2)
        self.assertEqual(self.job(self.build(4154), "alpha")["label"], scenario.LABEL_ALPHA)
        r = self.job(self.build(4148), "release")
        self.assertEqual((r["state"], r["unblocked_by"]["name"]), ("unblocked", "Bob Builder"))
        self.assertEqual(self.job(self.build(4148), "build-amis")["unblocked_by"]["name"], "Alice Example")
        self.assertEqual(self.build(4134)["rebuilt_from"]["number"], 4133)
        st, _, js = self.s.req("GET", BUILDS + "/9999")
        self.assertEqual((st, js), (404, {"message": "No build found"}))

    def test_hostile_text_exact(self):
        for n, msg in scenario.HOSTILE.items():
            self.assertEqual(self.build(n)["message"], msg, n)
        self.assertEqual(self.build(4143)["message"], scenario.LONG_LINE)
        self.assertEqual(len(scenario.LONG_LINE), 10000)
        self.assertEqual(self.build(4159)["message"], "修复复制延迟")
        self.assertIn("\n\n", self.build(4158)["message"])
        self.assertEqual(self.build(4144)["branch"], scenario.HOSTILE_BRANCH)
        self.assertEqual(self.build(4142)["author"]["name"], scenario.HOSTILE_AUTHOR[0])
        raw = self.s.req("GET", BUILDS + "/4150", raw=True)[2]
        self.assertIn(b"\\u001b[2J", raw)
        self.assertNotIn(b"\x1b", raw)

    # --- unblock ------------------------------------------------------------------
    def unblock(self, n, key, body=None, raw=None):
        b = self.build(n)
        j = self.job(b, key) if key else b["jobs"][1]
        return self.s.req("PUT", "%s/%d/jobs/%s/unblock" % (BUILDS, n, j["id"]),
                          body=raw if raw is not None else body)

    def test_unblock_release_success(self):
        st, _, j = self.unblock(4155, "release", {"fields": {"release-name": "2026.11.3"}})
        self.assertEqual(st, 200, j)
        self.assertEqual((j["state"], j["unblockable"]), ("unblocked", False))
        self.assertEqual(j["unblocked_by"]["name"], "Sandbox User")
        self.assertEqual(j["unblocked_at"], "2026-11-24T12:00:00.000Z")
        b = self.build(4155)
        self.assertEqual(b["meta_data"], {"release-name": "2026.11.3"})
        self.assertEqual((b["state"], b["blocked"], b["finished_at"]), ("running", False, None))
        self.assertEqual(self.job(b, "deploy")["state"], "scheduled")  # frozen: waits for the clock
        self.s.ok("POST", "/_sandbox/advance", {"seconds": 30})
        self.assertEqual(self.build(4155)["state"], "passed")
        ev = self.s.ok("GET", "/_sandbox/events")["events"]
        self.assertEqual(ev[-1]["effect"], "release_deployed")
        self.assertEqual((ev[-1]["build"], ev[-1]["release"], ev[-1]["seeded"]), (4155, "2026.11.3", False))

    def test_unblock_alpha_deploy_fails(self):
        # 4130 (sandbox/README.md): a filler build blocked at alpha whose Deploy fails once unblocked;
        # until then it looks like any other build blocked at its gate.
        b = self.build(4130)
        self.assertEqual((b["branch"], b["state"], b["blocked"]), ("feat/cfn-params", "passed", True))
        self.assertEqual((self.job(b, "alpha")["state"], self.job(b, "alpha")["unblockable"]), ("blocked", True))
        self.assertEqual((self.job(b, "deploy")["state"], self.job(b, "deploy")["exit_status"]), ("waiting", None))
        st, _, j = self.unblock(4130, "alpha", {})
        self.assertEqual((st, j["state"]), (200, "unblocked"))
        self.s.ok("POST", "/_sandbox/advance", {"seconds": 60})
        b = self.build(4130)
        deploy = self.job(b, "deploy")
        self.assertEqual((deploy["state"], deploy["exit_status"]), ("failed", 1))
        self.assertEqual((b["state"], b["blocked"], b["failing_at"]), ("failed", False, deploy["finished_at"]))
        ev = [e for e in self.s.ok("GET", "/_sandbox/events")["events"] if not e["seeded"]]
        self.assertEqual([(e["effect"], e["build"], e["step"]) for e in ev], [("deploy_failed", 4130, "alpha")])

    def test_unblock_build_amis_empty_body(self):
        st, _, j = self.unblock(4157, "build-amis", raw=b"")
        self.assertEqual((st, j["state"]), (200, "unblocked"))
        self.assertEqual(self.job(self.build(4157), "amis")["state"], "scheduled")
        st, _, j = self.unblock(4150, "build-amis", {})
        self.assertEqual(st, 200)

    def test_unblock_errors(self):
        cases = [
            (4148, "release", {"fields": {"release-name": "x"}}, 422, "This job has already been unblocked"),
            (4155, "release", {}, 422, "Field release-name is required"),
            (4155, "release", {"fields": {"release-name": ""}}, 422, "Field release-name is required"),
            (4155, "release", {"fields": {"release-name": "bad name;rm"}}, 422, "Field release-name is required"),
            (4155, None, {}, 400, "This job type cannot be unblocked"),
            (4149, "build-amis", {}, 422, "Jobs from canceled builds cannot be unblocked"),
            (4157, "release", {"fields": {"release-name": "1.0"}}, 422, "This job is not unblockable yet"),
            (4156, "build-amis", {}, 422, "This job is not unblockable yet"),
            (4157, "build-amis", {"unblocker": "nobody"}, 422,
             "Unblocker is not a valid user id for this organization"),
        ]
        for n, key, body, status, msg in cases:
            st, _, js = self.unblock(n, key, body)
            self.assertEqual((st, js), (status, {"message": msg}), (n, key, body))
        st, _, js = self.unblock(4157, "build-amis", raw=b"{not json")
        self.assertEqual(st, 400)
        st, _, js = self.s.req("PUT", BUILDS + "/4157/jobs/00000000-0000-0000-0000-000000000000/unblock", body={})
        self.assertEqual((st, js), (404, {"message": "No job found"}))
        self.assertEqual(self.job(self.build(4155), "release")["state"], "blocked")  # nothing changed

    def test_unblock_needs_write_scope(self):
        s = Server(scopes=("read_builds",))
        try:
            b = s.ok("GET", BUILDS + "/4157")
            st, _, js = s.req("PUT", "%s/4157/jobs/%s/unblock" % (BUILDS, self.job(b, "build-amis")["id"]), body={})
        finally:
            s.close()
        self.assertEqual(st, 403)

    # --- faults -------------------------------------------------------------------
    def test_fault_429(self):
        self.s.ok("POST", "/_sandbox/faults", {"status": 429, "count": 2, "reset": 7, "path_contains": "/builds"})
        self.s.ok("GET", "/v2/access-token")  # does not match
        for _ in range(2):
            st, h, js = self.s.req("GET", BUILDS)
            self.assertEqual(st, 429)
            self.assertEqual((h["Retry-After"], h["RateLimit-Reset"], h["RateLimit-Remaining"]), ("7", "7", "0"))
            self.assertEqual((js["scope"], js["reset"], js["limit"]), ("rest", 7, 200))
            self.assertEqual(js["message"], "You have exceeded your API rate limit. Please wait 7 seconds "
                                            "before making more requests.")
        self.assertEqual(self.s.req("GET", BUILDS)[0], 200)
        r = self.s.ok("GET", "/_sandbox/requests")
        self.assertEqual(r["total"], 4)
        self.assertEqual(r["by_route"], {"GET access-token": 1, "GET builds": 3})
        self.assertEqual([e["status"] for e in r["log"]], [200, 429, 429, 200])
        self.assertEqual(r["log"][1].get("fault"), "status")

    def test_fault_kinds(self):
        self.s.ok("POST", "/_sandbox/faults", {"status": 503, "method": "PUT"})
        st, _, js = self.unblock(4157, "build-amis", {})
        self.assertEqual((st, js), (503, {"message": "Service Unavailable"}))
        self.assertEqual(self.job(self.build(4157), "build-amis")["state"], "blocked")
        self.s.ok("POST", "/_sandbox/faults", {"kind": "slow", "delay": 0.3})
        t = time.monotonic()
        self.assertEqual(self.s.req("GET", BUILDS + "/4157")[0], 200)
        self.assertGreaterEqual(time.monotonic() - t, 0.3)
        self.s.ok("POST", "/_sandbox/faults", {"kind": "malformed"})
        st, _, raw = self.s.req("GET", BUILDS + "/4157", raw=True)
        self.assertEqual(st, 200)
        self.assertRaises(ValueError, json.loads, raw)
        self.s.ok("POST", "/_sandbox/faults", {"kind": "truncated"})
        self.assertRaises(http.client.IncompleteRead, self.s.req, "GET", BUILDS + "/4157")
        self.s.conn = None
        self.s.ok("POST", "/_sandbox/faults", {"kind": "reset"})
        self.assertRaises((ConnectionError, http.client.HTTPException), self.s.req, "GET", BUILDS + "/4157")
        self.s.conn = None
        self.assertEqual(self.s.req("GET", BUILDS + "/4157")[0], 200)
        st, _, js = self.s.req("POST", "/_sandbox/faults", {"kind": "explode"})
        self.assertEqual(st, 400)

    # --- time ---------------------------------------------------------------------
    def test_frozen_determinism(self):
        other = Server()
        try:
            for path in (BUILDS + "?per_page=100", BUILDS + "/4150", "/v2/access-token"):
                a = self.s.req("GET", path, raw=True)[2].replace(self.s.base.encode(), b"BASE")
                b = other.req("GET", path, raw=True)[2].replace(other.base.encode(), b"BASE")
                self.assertEqual(a, b, path)
            time.sleep(0.3)
            self.assertEqual(self.s.ok("GET", BUILDS + "/4159"), self.s.ok("GET", BUILDS + "/4159"))
        finally:
            other.close()

    def test_live_progression(self):
        s = Server(now=None, speed=40)
        try:
            b = s.ok("GET", BUILDS + "/4157")
            self.assertEqual(s.req("PUT", "%s/4157/jobs/%s/unblock" % (BUILDS, self.job(b, "build-amis")["id"]),
                                   body={})[0], 200)
            deadline, states = time.monotonic() + 10, None
            while time.monotonic() < deadline:
                b = s.ok("GET", BUILDS + "/4157")
                states = (self.job(b, "amis")["state"], self.job(b, "smoke")["state"])
                if states == ("passed", "passed"):
                    break
                time.sleep(0.1)
            self.assertEqual(states, ("passed", "passed"))
            self.assertEqual((b["state"], b["blocked"]), ("passed", True))
            self.assertTrue(self.job(b, "release")["unblockable"])
            ev = [e for e in s.ok("GET", "/_sandbox/events")["events"] if not e["seeded"]]
            self.assertEqual([(e["effect"], e["build"]) for e in ev if e["build"] == 4157], [("amis_built", 4157)])
            # The running build 4158 has progressed to its build-amis block step by now.
            self.assertTrue(s.ok("GET", BUILDS + "/4158")["blocked"])
        finally:
            s.close()


def exited(pid):
    """True if pid is gone or a zombie (an orphan's zombie stays if PID 1 does not reap)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


class ProcessTest(unittest.TestCase):
    def test_ctl_start_stop(self):
        d = tempfile.mkdtemp()
        try:
            ctl = os.path.join(SANDBOX, "ctl.sh")
            p = subprocess.run(["sh", ctl, "start", d, "--now", NOW, "--token", "t0k", "--no-aws"],
                               capture_output=True, text=True, timeout=15)
            self.assertEqual(p.returncode, 0, p.stderr)
            env = dict(line.split("=", 1) for line in p.stdout.splitlines())
            self.assertEqual(set(env), {"RELCON_BUILDKITE_ENDPOINT", "BUILDKITE_API_TOKEN",
                                        "BUILDKITE_ORGANIZATION_SLUG", "RELCON_PIPELINE", "RELCON_IP_URL",
                                        "SANDBOX_PID"})
            # The checkip stand-in answers the operator's public IP as plain text.
            with urllib.request.urlopen(env["RELCON_IP_URL"], timeout=5) as r:
                self.assertEqual(r.read(), b"203.0.113.7\n")
            self.assertEqual((env["BUILDKITE_API_TOKEN"], env["RELCON_PIPELINE"]), ("t0k", "readyset"))
            u = urlsplit(env["RELCON_BUILDKITE_ENDPOINT"])
            c = http.client.HTTPConnection(u.hostname, u.port, timeout=5)
            c.request("GET", BUILDS + "/4157", headers={"Authorization": "Bearer t0k"})
            self.assertEqual(c.getresponse().status, 200)
            c.close()
            p2 = subprocess.run(["sh", ctl, "start", d], capture_output=True, text=True, timeout=15)
            self.assertNotEqual(p2.returncode, 0)
            self.assertIn("already running", p2.stderr)
            p = subprocess.run(["sh", ctl, "stop", d], capture_output=True, text=True, timeout=15)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertTrue(exited(int(env["SANDBOX_PID"])))
            with open(os.path.join(d, "sandbox.log")) as f:
                self.assertNotIn("Traceback", f.read())
            p = subprocess.run(["sh", ctl, "start", d, "--speed", "-1", "--no-aws"], capture_output=True, text=True,
                               timeout=15)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("exited during startup", p.stderr)
        finally:
            shutil.rmtree(d, ignore_errors=True)

    def test_sigint_clean_exit(self):
        d = tempfile.mkdtemp()
        try:
            ready = os.path.join(d, "ready.json")
            p = subprocess.Popen([sys.executable, os.path.join(SANDBOX, "sandbox.py"), "--ready-file", ready,
                                  "--now", NOW, "--no-aws"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            deadline = time.monotonic() + 10
            while not os.path.exists(ready) and time.monotonic() < deadline:
                time.sleep(0.05)
            with open(ready) as f:
                info = json.load(f)
            self.assertEqual(info["pid"], p.pid)
            self.assertTrue(info["buildkite"].startswith("http://127.0.0.1:"))
            p.send_signal(signal.SIGINT)
            out, err = p.communicate(timeout=10)
            self.assertEqual((p.returncode, err), (0, b""))
            self.assertFalse(os.path.exists(ready))
        finally:
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
