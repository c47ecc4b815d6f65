#!/usr/bin/env python3
"""`make bench`: relcon's performance figures, measured side by side in one run (issue 8).

    python3 tests/bench/bench.py            (make bench builds ./relcon first)

Environment:
  RELCON_BIN           the binary (default ./relcon)
  BENCH_RUNS           runs of each measurement; the table shows medians (default 5)
  BENCH_IDLE_SECONDS   length of each idle-CPU / Buildkite-calls window (default 60)
  BENCH_DELAY_MS       latency the proxies add to every request (default 50)
  BENCH_OUT            where the table is written too (default build/bench.md)
  BENCH_KEEP=1         keep the work directory (debug logs, screens) instead of removing it

It starts its own sandboxes (frozen clock): the default scenario for a, b, e, f and the idle CPU,
and one with --extra-builds 10000 --extra-amis 5000 for c and the peak RSS.  The figures:
  a  exec -> first frame, cold (empty $XDG_CACHE_HOME) and from the on-disk cache: the scripted
     console (RELCON_NO_DISPLAY, RELCON_SCRIPT) whose first line is ":dump-screen FILE"; both the
     instant of the "frame first" line of the --debug log and the instant FILE appears
  b  `relcon builds --artifacts --limit 50 --json` through two latency proxies (Buildkite, AWS;
     tests/bench/latency_proxy.py): wall time, requests and the slowest one (the "http: done"
     lines of the --debug log), next to tests/bench/sequential.sh (curl + aws CLI, the same
     requests one after another) through the same proxies
  c  keypress -> frame in tmux with 10,000 builds (the "frame key=K us=N rows=R" log lines):
     scrolling (j, k, PgDn, G, g) and one filter keystroke
  d  CPU (utime+stime, /proc/PID/stat) of the console in tmux, live refresh on, over the idle
     window; peak RSS (VmHWM) of the 10,000-build console after c
  e  Buildkite requests a minute, counted by the sandbox (GET /_sandbox/requests), while a build
     runs (build 4158, running on the frozen clock, open on its screen) and while idle (the
     clock moved 3 h on first, so that every build of the scenario has finished)
  f  `relcon builds --json` wall time next to one request's round trip (curl of the same
     builds page), both through the latency proxy
Speed is measured here, never asserted: a missed target is reported, and the exit status is 0
unless the harness itself could not run.
"""
import datetime
import json
import os
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from latency_proxy import Proxy  # noqa: E402

RUNS = max(1, int(os.environ.get("BENCH_RUNS", "5")))
IDLE_S = max(5.0, float(os.environ.get("BENCH_IDLE_SECONDS", "60")))
DELAY_MS = float(os.environ.get("BENCH_DELAY_MS", "50"))
RELCON = os.path.abspath(os.environ.get("RELCON_BIN", os.path.join(ROOT, "relcon")))
OUT = os.environ.get("BENCH_OUT", os.path.join(ROOT, "build", "bench.md"))
NOW = "2026-11-24T12:00:00Z"
BIG_BUILDS, BIG_AMIS = 10000, 5000
LIMIT = 50
HZ = os.sysconf("SC_CLK_TCK")

DONE = re.compile(r"http: done (\S+) (\S+) status=(\d+) ms=(\d+)")
FRAME_KEY = re.compile(r"frame key=(\S+) us=(\d+) rows=(\d+)")
FRAME_FIRST = re.compile(r"frame first us=(\d+) rows=(\d+)(?: data=(\S+))?")


def say(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


# --- small helpers ------------------------------------------------------------------------------

def median(xs):
    return statistics.median(xs) if xs else None


def pct(xs, p):
    """Nearest-rank percentile."""
    if not xs:
        return None
    s = sorted(xs)
    return s[max(0, min(len(s) - 1, int(-(-p * len(s) // 100)) - 1))]


def log_time(line):
    """The UTC wall-clock instant (s) a relcon --debug line starts with."""
    ts = line.split(" ", 1)[0]
    d = datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    return d.timestamp()


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def http(url, method="GET", body=None, timeout=60):
    req = urllib.request.Request(url, data=None if body is None else json.dumps(body).encode(),
                                 method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read() or b"null")


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)


def proc_status(pid, key):
    for line in read("/proc/%d/status" % pid).splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])  # kB
    return None


# --- sandboxes and the environment relcon runs in --------------------------------------------------

class Sandbox:
    def __init__(self, work, name, *args):
        self.dir = os.path.join(work, name)
        t = time.monotonic()
        out = subprocess.run(["sh", os.path.join(ROOT, "sandbox", "ctl.sh"), "start", self.dir, "--now", NOW]
                             + list(args), capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            raise RuntimeError("sandbox %s did not start: %s" % (name, out.stderr.strip()))
        self.env = {}
        for line in out.stdout.splitlines():
            k, _, v = line.partition("=")
            self.env[k] = shlex.split(v)[0] if v else ""
        self.bk = self.env["RELCON_BUILDKITE_ENDPOINT"]
        say("sandbox %s up in %.1f s (%s)" % (name, time.monotonic() - t, " ".join(args) or "default"))

    def stop(self):
        subprocess.run(["sh", os.path.join(ROOT, "sandbox", "ctl.sh"), "stop", self.dir],
                       capture_output=True, timeout=60)

    def requests(self, clear=False):
        return http(self.bk + "/_sandbox/requests", "DELETE" if clear else "GET")


def port_of(url):
    return int(url.rsplit(":", 1)[1].split("/", 1)[0])


class Proxies:
    """A latency proxy in front of each of the sandbox's two endpoints."""

    def __init__(self, sb, delay_ms):
        self.bk = Proxy("127.0.0.1", port_of(sb.bk), delay_ms).start()
        self.aws = Proxy("127.0.0.1", port_of(sb.env["AWS_ENDPOINT_URL"]), delay_ms).start()

    def env(self):
        return {"RELCON_BUILDKITE_ENDPOINT": "http://127.0.0.1:%d" % self.bk.port,
                "AWS_ENDPOINT_URL": "http://localhost:%d" % self.aws.port}

    def requests(self):
        return self.bk.requests + self.aws.requests

    def stop(self):
        self.bk.stop()
        self.aws.stop()


def write_config(path, **keys):
    """A config.yaml: the sandbox's account as a sandbox account, plus ui.* keys."""
    lines = ["aws:", '  sandbox_accounts: ["123456789012"]']
    if keys:
        lines.append("ui:")
        lines += ["  %s: %s" % (k, json.dumps(v)) for k, v in keys.items()]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def relcon_env(sb, home, config, cache=None, extra=None):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("XDG_", "RELCON_", "AWS_", "BUILDKITE_", "NO_COLOR"))}
    env.update(sb.env)
    env.update({
        "HOME": home,
        "XDG_CONFIG_HOME": os.path.join(home, "config"),
        "XDG_STATE_HOME": os.path.join(home, "state"),
        "XDG_CACHE_HOME": cache or os.path.join(home, "cache"),
        "RELCON_CONFIG": config,
        "RELCON_THEMES_DIR": os.path.join(ROOT, "themes"),
        "TERM": "xterm-256color", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TZ": "UTC",
    })
    env.update(extra or {})
    return env


# --- the measurements -------------------------------------------------------------------------------

def first_frame(sb, work, config):
    """a: exec -> first frame, cold (an empty cache each run) and from the on-disk cache (one
    cache directory, filled by a first run that is not counted)."""
    res = {"cold": [], "cache": [], "cold_dump": [], "cache_dump": [], "rows": None,
           "cold_data": set(), "data": set()}

    def once(cache, tag, i):
        d = os.path.join(work, "a-%s-%s" % (tag, i))
        os.makedirs(d)
        dump, log = os.path.join(d, "first.txt"), os.path.join(d, "debug.log")
        script = os.path.join(d, "first.script")
        with open(script, "w") as f:
            f.write(":dump-screen %s\n" % dump)
        env = relcon_env(sb, d, config, cache, {
            "RELCON_NO_DISPLAY": "1", "RELCON_SCRIPT": script, "LINES": "30", "COLUMNS": "120"})
        t0 = time.time()
        p = subprocess.Popen([RELCON, "--debug=" + log], cwd=d, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        seen = None
        while time.time() - t0 < 30:
            if os.path.exists(dump):  # polled every 0.5 ms: mtimes are only as fine as a tick
                seen = time.time()
                break
            if p.poll() is not None:
                break
            time.sleep(0.0005)
        p.wait(60)
        if tag == "warmup":
            return
        line = next((ln for ln in read(log).splitlines() if FRAME_FIRST.search(ln)), None)
        if line:
            m = FRAME_FIRST.search(line)
            res[tag].append((log_time(line) - t0) * 1000)
            if tag == "cache":
                res["rows"] = int(m.group(2))
            res["cold_data" if tag == "cold" else "data"].add(m.group(3) or "?")
        if seen is not None:
            res[tag + "_dump"].append((seen - t0) * 1000)

    warm = os.path.join(work, "a-cache")
    for i in range(RUNS):
        once(os.path.join(work, "a-cold-cache-%d" % i), "cold", i)
    once(warm, "warmup", 0)
    for i in range(RUNS):
        once(warm, "cache", i)
    return res


def full_refresh(sb, work, config):
    """b and f: through the latency proxies."""
    px = Proxies(sb, DELAY_MS)
    res = {"wall": [], "reqs": [], "slowest": [], "seq_wall": [], "seq_reqs": [], "seq_proxy": [],
           "rtt": [], "builds_wall": [], "errors": []}
    # The warm refresh: the console has shown the list before (its cache holds
    # the commits), so the AMIs are asked for beside the Buildkite list, as
    # every live refresh of a running console does.  A scripted console
    # fills the cache once (through the proxies: the cache is per endpoint;
    # not counted).
    warm_cache = os.path.join(work, "b-warm-cache")
    prime = os.path.join(work, "b-prime")
    os.makedirs(prime)
    with open(os.path.join(prime, "quit.script"), "w") as f:
        f.write(":dump-screen %s\n" % os.path.join(prime, "screen.txt"))
    subprocess.run([RELCON], cwd=prime, env=relcon_env(sb, prime, config, warm_cache, {
        **px.env(), "RELCON_NO_DISPLAY": "1", "RELCON_SCRIPT": os.path.join(prime, "quit.script")}),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
    res["warm_wall"], res["warm_reqs"] = [], []
    try:
        for i in range(RUNS):
            d = os.path.join(work, "b-%d" % i)
            os.makedirs(d)
            wlog = os.path.join(d, "warm.log")
            env = relcon_env(sb, d, config, warm_cache, extra=px.env())
            t0 = time.monotonic()
            r = subprocess.run([RELCON, "--debug=" + wlog, "builds", "--artifacts", "--json", "--limit", str(LIMIT)],
                               env=env, capture_output=True, text=True, timeout=120)
            if r.returncode == 0:
                res["warm_wall"].append((time.monotonic() - t0) * 1000)
                res["warm_reqs"].append(len([ln for ln in read(wlog).splitlines() if DONE.search(ln)]))
            else:
                res["errors"].append("warm builds --artifacts exit %d: %s" % (r.returncode, r.stderr.strip()[-300:]))
            log = os.path.join(d, "debug.log")
            env = relcon_env(sb, d, config, extra=px.env())
            t0 = time.monotonic()
            r = subprocess.run([RELCON, "--debug=" + log, "builds", "--artifacts", "--json", "--limit", str(LIMIT)],
                               env=env, capture_output=True, text=True, timeout=120)
            wall = (time.monotonic() - t0) * 1000
            if r.returncode != 0:
                res["errors"].append("relcon builds --artifacts exit %d: %s" % (r.returncode, r.stderr.strip()[-300:]))
                continue
            done = [DONE.search(ln) for ln in read(log).splitlines()]
            done = [m for m in done if m]
            res["wall"].append(wall)
            res["reqs"].append(len(done))
            res["slowest"].append(max(int(m.group(4)) for m in done) if done else 0)

            # the sequential script: the same requests, one after another
            env = dict(sb.env)
            env.update(px.env())
            env = {**{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "RELCON_", "BUILDKITE_"))},
                   **env, "HOME": d, "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
                   "BENCH_LIMIT": str(LIMIT)}
            before = px.requests()
            t0 = time.monotonic()
            r = subprocess.run(["sh", os.path.join(HERE, "sequential.sh"), os.path.join(d, "seq")], env=env,
                               capture_output=True, text=True, timeout=300)
            wall = (time.monotonic() - t0) * 1000
            if r.returncode != 0:
                res["errors"].append("sequential.sh exit %d: %s" % (r.returncode, r.stderr.strip()[-300:]))
            else:
                res["seq_wall"].append(wall)
                m = re.search(r"requests=(\d+)", r.stdout)
                res["seq_reqs"].append(int(m.group(1)) if m else None)
                res["seq_proxy"].append(px.requests() - before)

            # Each request of the refresh alone, through the same proxies: the Buildkite page
            # relcon asked for with curl (also f's "one request's round trip"), the AWS ones
            # with boto3 (a warm client: no CLI start-up in the figure).
            alone = aws_alone(sb, px, os.path.join(d, "seq", "builds.json"))
            bk_url = next((m.group(2) for m in done if m.group(1) == "GET" and "/builds" in m.group(2)), None)
            if bk_url:
                r = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{time_total}", "-H",
                                    "Authorization: Bearer " + sb.env["BUILDKITE_API_TOKEN"], bk_url],
                                   capture_output=True, text=True, timeout=60)
                if r.returncode == 0:
                    res["rtt"].append(float(r.stdout) * 1000)
                    alone["GET builds"] = res["rtt"][-1]
            if alone:
                res.setdefault("alone", []).append(max(alone.values()))
                res["alone_which"] = max(alone, key=alone.get)
            env = relcon_env(sb, d, config, extra=px.env())
            t0 = time.monotonic()
            r = subprocess.run([RELCON, "builds", "--json", "--limit", str(LIMIT)], env=env,
                               capture_output=True, text=True, timeout=120)
            if r.returncode == 0:
                res["builds_wall"].append((time.monotonic() - t0) * 1000)
            else:
                res["errors"].append("relcon builds --json exit %d: %s" % (r.returncode, r.stderr.strip()[-300:]))
    finally:
        px.stop()
    return res


_clients = {}


def aws_alone(sb, px, builds_json):
    """{request: ms} for the AWS requests of a refresh, one at a time, through the AWS proxy."""
    try:
        import boto3
        with open(builds_json) as f:
            commits = sorted({b["commit"] for b in json.load(f)})
    except (ImportError, OSError, ValueError, KeyError):
        return {}
    ep = px.env()["AWS_ENDPOINT_URL"]

    def client(service, region):
        k = (service, region, ep)
        if k not in _clients:
            _clients[k] = boto3.client(service, region_name=region, endpoint_url=ep,
                                       aws_access_key_id=sb.env["AWS_ACCESS_KEY_ID"],
                                       aws_secret_access_key=sb.env["AWS_SECRET_ACCESS_KEY"])
        return _clients[k]

    region = sb.env["AWS_REGION"]
    calls = {"ListObjectsV2 internal": lambda: client("s3", region).list_objects_v2(
                 Bucket="readysettech-cfn-internal-us-east-2", Delimiter="/"),
             "ListObjectsV2 public": lambda: client("s3", region).list_objects_v2(
                 Bucket="readysettech-cfn-public-us-east-2", Delimiter="/"),
             "ListObjectsV2 public alpha/": lambda: client("s3", region).list_objects_v2(
                 Bucket="readysettech-cfn-public-us-east-2", Delimiter="/", Prefix="alpha/"),
             "DescribeStacks": lambda: client("cloudformation", region).describe_stacks()}
    for r in ("us-east-1", "us-east-2", "us-west-2"):
        calls["DescribeImages " + r] = (lambda r=r: client("ec2", r).describe_images(
            Filters=[{"Name": "tag:Commit", "Values": commits}]))
    out = {}
    for name, fn in calls.items():
        fn()  # the client's first call loads its models and opens its connection
        t = time.monotonic()
        fn()
        out[name] = (time.monotonic() - t) * 1000
    return out


class Tmux:
    """relcon in a tmux pane of a private tmux server (a real terminal)."""

    def __init__(self, work, name, env, cols=120, rows=30):
        self.sock = "relcon-bench-%d-%s" % (os.getpid(), name)
        self.dir = os.path.join(work, "tmux-" + name)
        os.makedirs(self.dir, exist_ok=True)
        self.log = os.path.join(self.dir, "debug.log")
        pidf = os.path.join(self.dir, "pid")
        run = os.path.join(self.dir, "run.sh")
        with open(run, "w") as f:
            f.write("".join("export %s=%s\n" % (k, shlex.quote(v)) for k, v in sorted(env.items())
                            if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", k)))
            f.write("echo $$ > %s\nexec %s --debug=%s\n" % (shlex.quote(pidf), shlex.quote(RELCON),
                                                            shlex.quote(self.log)))
        self.t(["-f", "/dev/null", "new-session", "-d", "-s", "b", "-x", str(cols), "-y", str(rows),
                "sh " + shlex.quote(run)])
        for _ in range(100):
            if read(pidf).strip():
                break
            time.sleep(0.05)
        self.pid = int(read(pidf).strip())

    def t(self, args):
        return subprocess.run(["tmux", "-L", self.sock] + args, capture_output=True, text=True, timeout=30)

    def keys(self, *keys):
        self.t(["send-keys", "-t", "b"] + list(keys))

    def alive(self):
        return os.path.exists("/proc/%d" % self.pid)

    def wait_quiet(self, quiet=2.0, timeout=60.0, need=r"frame first"):
        """Until the log has `need` and has not grown for `quiet` s (bounded by timeout)."""
        t0 = time.monotonic()
        size, since = -1, time.monotonic()
        while time.monotonic() - t0 < timeout:
            text = read(self.log)
            if len(text) != size:
                size, since = len(text), time.monotonic()
            elif re.search(need, text) and time.monotonic() - since >= quiet:
                return True
            time.sleep(0.1)
        return False

    def timed_key(self, key, timeout=2.0):
        """Send one key; the us= of the frame line it produced (None if no frame came)."""
        before = len(read(self.log))
        self.keys(key)
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            m = FRAME_KEY.search(read(self.log)[before:])
            if m:
                return int(m.group(2)), int(m.group(3))
            time.sleep(0.002)
        return None

    def close(self):
        if self.alive():
            self.keys("Q")
            for _ in range(50):
                if not self.alive():
                    break
                time.sleep(0.1)
        if self.alive():
            os.kill(self.pid, signal.SIGTERM)
        self.t(["kill-server"])


def idle_and_running(sb, work, config):
    """d (idle CPU) and e: the console in tmux on the default sandbox."""
    res = {}
    env = relcon_env(sb, os.path.join(work, "e-home"), config)
    os.makedirs(env["HOME"], exist_ok=True)
    tm = Tmux(work, "idle", env)
    try:
        if not tm.wait_quiet(2.0, 60):
            raise RuntimeError("the console did not settle (see %s)" % tm.log)

        def window(what):
            sb.requests(clear=True)
            c0, t0 = cpu_ticks(tm.pid), time.monotonic()
            time.sleep(IDLE_S)
            c1, t1 = cpu_ticks(tm.pid), time.monotonic()
            n = sb.requests()["total"]
            res[what] = {"cpu_pct": (c1 - c0) / HZ / (t1 - t0) * 100, "bk_per_min": n * 60.0 / (t1 - t0),
                         "bk": n, "seconds": t1 - t0}
            say("%s: %d Buildkite requests, %.2f %% CPU over %.0f s" % (what, n, res[what]["cpu_pct"], t1 - t0))

        # while a build runs: 4158 (main, running Test; the frozen clock keeps it running)
        tm.keys(":build 4158", "Enter")
        tm.wait_quiet(1.0, 20, need=r"http: done")
        window("running")
        tm.keys("Escape")
        # idle: every build finished (4160 leaves its 1 h queue, 4158/4159 end), nothing shown changes
        http(sb.bk + "/_sandbox/advance", "POST", {"seconds": 3 * 3600})
        tm.keys("r")  # pick the change up now rather than at the next active refresh
        tm.wait_quiet(2.0, 30, need=r"http: done")
        time.sleep(12)  # past one active refresh interval: nothing changing any more
        window("idle")
        res["vmhwm_kb"] = proc_status(tm.pid, "VmHWM")
    finally:
        tm.close()
    return res


def big(sb, work):
    """c and d (RSS): 10,000 builds in the console, in tmux."""
    res = {"scroll": [], "filter": [], "rows": set(), "missing": 0}
    home = os.path.join(work, "c-home")
    os.makedirs(home, exist_ok=True)
    config = write_config(os.path.join(home, "config.yaml"), builds=BIG_BUILDS)
    tm = Tmux(work, "big", relcon_env(sb, home, config), cols=160, rows=50)
    try:
        t0 = time.monotonic()
        settled = tm.wait_quiet(3.0, 150)
        res["load_s"] = time.monotonic() - t0
        if not settled:
            res["note"] = "still loading after 150 s"
        text = read(tm.log)
        res["load_requests"] = len(DONE.findall(text))
        res["load_errors"] = [ln.split("http: done ", 1)[1][:160] for ln in text.splitlines()
                              if DONE.search(ln) and not DONE.search(ln).group(3).startswith("2")]
        seq = ["j"] * 60 + ["NPage"] * 20 + ["G", "g"] + ["k"] * 10 + ["NPage"] * 10
        for _ in range(RUNS):
            run = []
            for key in seq:
                got = tm.timed_key(key)
                if got is None:
                    res["missing"] += 1
                    continue
                run.append(got[0])
                res["rows"].add(got[1])
            res["scroll"].append(run)
            tm.timed_key("/")
            for key in ("a", "l"):  # the filter narrows with each keystroke
                got = tm.timed_key(key)
                if got is None:
                    res["missing"] += 1
                else:
                    res["filter"].append(got[0])
            tm.timed_key("Escape")  # leave the prompt (the filter is restored)
            tm.timed_key("Escape")  # clear the filter
        res["vmhwm_kb"] = proc_status(tm.pid, "VmHWM")
        res["vmrss_kb"] = proc_status(tm.pid, "VmRSS")
    finally:
        tm.close()
    return res


# --- the table ---------------------------------------------------------------------------------------

def fmt_ms(x):
    if x is None:
        return "—"
    return "%.1f ms" % x if x < 100 else "%.0f ms" % x


def verdict(ok):
    return "n/a" if ok is None else ("met" if ok else "**not met**")


def table(a, b, c, e, notes):
    rows = []

    def row(what, target, measured, ok=None):
        rows.append("| %s | %s | %s | %s |" % (what, target, measured, verdict(ok) if target != "—" else ""))

    if a:
        cold, cache = median(a["cold"]), median(a["cache"])
        row("a. exec → first frame, cold (empty cache)", "—",
            "%s (`:dump-screen` written: %s)" % (fmt_ms(cold), fmt_ms(median(a["cold_dump"]))))
        row("a. exec → first frame, from the on-disk cache", "≤ 15 ms",
            "%s (`:dump-screen` written: %s; drew %s rows from %s)" % (
                fmt_ms(cache), fmt_ms(median(a["cache_dump"])), a["rows"], "/".join(sorted(a["data"])) or "?"),
            None if cache is None else cache <= 15)
    if b:
        wall, slow, alone = median(b["wall"]), median(b["slowest"]), median(b.get("alone", []))
        warm = median(b.get("warm_wall", []))
        row("b. full refresh, warm (the last list's commits known, as in a running console), 50 builds + AMIs, "
            "templates, stacks (+%g ms a request)" % DELAY_MS,
            "≤ 1.5 × slowest request",
            "%s, %s requests; %.2f × the slowest request alone" % (
                fmt_ms(warm), median(b.get("warm_reqs", [])), warm / alone if warm and alone else float("nan")),
            None if not (warm and alone) else warm <= 1.5 * alone)
        row("b. full refresh, cold (no list known: the AMIs wait for the builds page)",
            "≤ 1.5 × slowest request",
            "%s, %s requests; slowest request alone %s (%s), %.2f ×; slowest in relcon's log %s" % (
                fmt_ms(wall), median(b["reqs"]), fmt_ms(alone), b.get("alone_which", "?"),
                wall / alone if wall and alone else float("nan"), fmt_ms(slow)),
            None if not (wall and alone) else wall <= 1.5 * alone)
        seq = median(b["seq_wall"])
        row("b. the same, sequential script (curl + aws CLI)", "—",
            "%s, %s requests (%s through the proxies)" % (fmt_ms(seq), median([x for x in b["seq_reqs"] if x]),
                                                          median(b["seq_proxy"])))
        row("b. sequential script ÷ relcon (warm / cold)", "≥ 50 ×",
            "%.1f × / %.1f ×" % (seq / warm if warm else float("nan"), seq / wall) if seq and wall else "—",
            None if not (seq and warm) else seq / warm >= 50)
        row("f. `relcon builds --json` (+%g ms a request)" % DELAY_MS, "—",
            "%s; one request's round trip (curl): %s" % (fmt_ms(median(b["builds_wall"])), fmt_ms(median(b["rtt"]))))
    if c:
        p50s = [pct(r, 50) for r in c["scroll"] if r]
        p99s = [pct(r, 99) for r in c["scroll"] if r]
        rows_seen = max(c["rows"]) if c["rows"] else None
        p99 = median(p99s)
        row("c. keypress → frame, scrolling, %s rows: p50 / p99" % rows_seen, "p99 ≤ 2 ms",
            "%s / %s (%d keys a run)" % (fmt_ms(median(p50s) and median(p50s) / 1000),
                                         fmt_ms(p99 and p99 / 1000), len(c["scroll"][0]) if c["scroll"] else 0),
            None if p99 is None or not rows_seen or rows_seen < BIG_BUILDS else p99 <= 2000)
        fp99 = pct(c["filter"], 99)
        row("c. keypress → frame, one filter keystroke, %s rows: p50 / p99" % rows_seen, "p99 ≤ 2 ms",
            "%s / %s (%d keystrokes)" % (fmt_ms(pct(c["filter"], 50) and pct(c["filter"], 50) / 1000),
                                         fmt_ms(fp99 and fp99 / 1000), len(c["filter"])),
            None if fp99 is None or not rows_seen or rows_seen < BIG_BUILDS else fp99 <= 2000)
    if e and "idle" in e:
        row("d. CPU while idle, live refresh on (%.0f s)" % e["idle"]["seconds"], "≤ 0.2 % of a core",
            "%.3f %%" % e["idle"]["cpu_pct"], e["idle"]["cpu_pct"] <= 0.2)
    if c and c.get("vmhwm_kb"):
        row("d. peak RSS (VmHWM), %s builds loaded, %d AMIs in the sandbox" % (
            max(c["rows"]) if c["rows"] else "?", BIG_AMIS), "≤ 25 MB",
            "%.1f MB (VmRSS at the end %.1f MB)" % (c["vmhwm_kb"] / 1024, (c.get("vmrss_kb") or 0) / 1024),
            None if not c["rows"] or max(c["rows"]) < BIG_BUILDS else c["vmhwm_kb"] / 1024 <= 25)
    if e and "idle" in e:
        row("e. Buildkite requests a minute, idle", "≤ 6",
            "%.1f (%d in %.0f s)" % (e["idle"]["bk_per_min"], e["idle"]["bk"], e["idle"]["seconds"]),
            e["idle"]["bk_per_min"] <= 6)
    if e and "running" in e:
        row("e. Buildkite requests a minute, following a running build", "—",
            "%.1f (%d in %.0f s; CPU %.3f %%)" % (e["running"]["bk_per_min"], e["running"]["bk"],
                                                  e["running"]["seconds"], e["running"]["cpu_pct"]))
    head = ["| figure | target | measured (median of %d runs) | |" % RUNS, "|---|---|---|---|"]
    return "\n".join(head + rows)


def main():
    if not os.access(RELCON, os.X_OK):
        say("no relcon binary at %s (make relcon)" % RELCON)
        return 1
    for tool in ("tmux", "curl", "aws"):
        if not shutil.which(tool):
            say("%s is missing (scripts/deps.sh installs it)" % tool)
            return 1
    work = tempfile.mkdtemp(prefix="relcon-bench-")
    say("runs=%d idle window=%.0f s latency=%g ms; work in %s" % (RUNS, IDLE_S, DELAY_MS, work))
    started = time.monotonic()
    notes, a = [], None
    b = c = e = None
    sb = None
    try:
        sb = Sandbox(work, "default")
        config = write_config(os.path.join(work, "config.yaml"))
        for name, fn in (("a", lambda: first_frame(sb, work, config)),
                         ("b/f", lambda: full_refresh(sb, work, config)),
                         ("d/e", lambda: idle_and_running(sb, work, config))):
            t = time.monotonic()
            try:
                r = fn()
            except Exception as ex:  # keep going: the other figures are still worth having
                notes.append("%s: could not measure: %s" % (name, ex))
                say(notes[-1])
                continue
            say("%s done in %.0f s" % (name, time.monotonic() - t))
            if name == "a":
                a = r
            elif name == "b/f":
                b = r
                notes += ["b/f: " + x for x in r["errors"]]
            else:
                e = r
        sb.stop()
        sb = Sandbox(work, "big", "--extra-builds", str(BIG_BUILDS), "--extra-amis", str(BIG_AMIS))
        t = time.monotonic()
        try:
            c = big(sb, work)
            say("c/d done in %.0f s (loading %.1f s, %d requests)" % (
                time.monotonic() - t, c["load_s"], c["load_requests"]))
            if c["load_errors"]:
                notes.append("c: loading 10,000 builds, failed requests: " + "; ".join(c["load_errors"][:3]))
            if c.get("note"):
                notes.append("c: " + c["note"])
            if not c["rows"] or max(c["rows"]) < BIG_BUILDS:
                notes.append("c/d: the console showed %s rows, not %d: keypress and RSS figures are not "
                             "judged" % (max(c["rows"]) if c["rows"] else 0, BIG_BUILDS))
            if c["missing"]:
                notes.append("c: %d keys drew no frame line within 2 s" % c["missing"])
        except Exception as ex:
            notes.append("c/d: could not measure: %s" % ex)
            say(notes[-1])
    finally:
        if sb:
            sb.stop()
    if a and a.get("cold_data"):
        notes.append("a: cold first frames drew data from: %s" % "/".join(sorted(a["cold_data"])))
    text = table(a, b, c, e, notes)
    stamp = "%s on %s (%d cores), relcon %s; %.0f s in all" % (
        datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), os.uname().nodename,
        os.cpu_count() or 0, subprocess.run([RELCON, "--version"], capture_output=True, text=True).stdout.strip(),
        time.monotonic() - started)
    out = "%s\n\n%s\n" % (text, stamp)
    if notes:
        out += "\nNotes:\n" + "".join("- %s\n" % n for n in notes)
    print(out)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        f.write(out)
    if os.environ.get("BENCH_KEEP") == "1":
        say("table written to %s; logs kept in %s" % (OUT, work))
    else:
        shutil.rmtree(work, ignore_errors=True)
        say("table written to %s (BENCH_KEEP=1 keeps the logs)" % OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
