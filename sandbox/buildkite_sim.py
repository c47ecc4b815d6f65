"""Buildkite REST v2 simulator for the relcon sandbox (stdlib only).

make_server(Config) returns a ThreadingHTTPServer (HTTP/1.1, keep-alive) whose
`.sandbox` holds the state: the scenario Pipeline (scenario.py), rate-limit
windows, injected faults and the request log.  Routes are in Handler.ROUTES;
JSON shapes follow shared/reference/apis.md section 1; the /_sandbox/ control
API is documented in sandbox/README.md.
"""
import base64
import json
import re
import socket
import struct
import sys
import threading
import time
import traceback
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit

import faults
import scenario
from pipeline_effects import PipelineEffects

MSG_AUTH = "Authentication required. Please supply a valid API Access Token."
MSG_DEEP = ("Listing builds this deep is not supported. Please narrow your query using "
            "filters such as branch or created_from.")
FINISHED = {"passed", "failed", "blocked", "canceled"}
MAX_BODY = 1 << 20


class HTTPError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status, self.message = status, message


class Config:
    """effects_factory: makes the PipelineEffects for each (re)seed (default: the events log only;
    sandbox.py passes one backed by the AWS world).  aws: shown by GET /_sandbox."""

    def __init__(self, token="sandbox-token", org="readyset", pipeline="readyset", now=None, speed=1.0,
                 rate_limit=200, user_rate_limit=200, scopes=("read_builds", "write_builds"), log=None,
                 effects_factory=None, aws=None, reset_timeout=60):
        self.token, self.org, self.pipeline, self.now, self.speed = token, org, pipeline, now, speed
        self.rate_limit, self.user_rate_limit, self.scopes, self.log = rate_limit, user_rate_limit, scopes, log
        self.effects_factory, self.aws, self.reset_timeout = effects_factory, aws, reset_timeout


# The fault list (both sides) lives in faults.py; the name stays for older imports.
Faults = faults.Faults


def iso(t):
    if t is None:
        return None
    sec, ms = divmod(int(round(t * 1000)), 1000)
    return datetime.fromtimestamp(sec, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") + ".%03dZ" % ms


def parse_iso(s, name):
    try:
        d = datetime.fromisoformat(s.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise HTTPError(400, "%s is not a valid ISO 8601 date" % name) from None
    return (d if d.tzinfo else d.replace(tzinfo=timezone.utc)).timestamp()


def gql(kind, uid):
    return base64.b64encode(("%s---%s" % (kind, uid)).encode()).decode()


class Sandbox:
    """All mutable state, guarded by self.lock."""

    def __init__(self, cfg):
        self.cfg, self.lock = cfg, threading.RLock()
        self.faults = faults.Faults()  # shared with the AWS half (attach_aws)
        self.aws_sim = None
        self.effects = None
        self.reset()

    def attach_aws(self, aws):
        """The AwsSim whose faults are this list and whose request log /_sandbox/aws-requests shows."""
        self.aws_sim = aws
        aws.faults = self.faults

    def reset(self):
        """Re-seed; with AWS effects, True once the AWS world is re-made too (False: timed out)."""
        with self.lock:
            if self.effects is not None:
                self.effects.close()
            self.clock = scenario.Clock(self.cfg.now, self.cfg.speed)
            self.effects = (self.cfg.effects_factory or PipelineEffects)()
            self.pipeline = scenario.seed(self.clock, self.effects)
            self.faults.clear()
            self.clear_requests()
            if self.aws_sim is not None:
                self.aws_sim.requests.clear()
            self.window, self.count = None, 0
            effects = self.effects
        return effects.wait_idle(self.cfg.reset_timeout)

    def clear_requests(self):
        with self.lock:
            self.log, self.by_route, self.total = [], {}, 0

    def record(self, entry):
        with self.lock:
            self.total += 1
            self.by_route[entry["route"]] = self.by_route.get(entry["route"], 0) + 1
            self.log.append(entry)
            del self.log[:-10000]

    def rate_hit(self, n=1):
        """Count n requests; returns (count, seconds to window end).  Fixed minutes of real
        time, or of the sandbox's clock when it is frozen (--now), so that a frozen sandbox
        answers the same headers to the same requests after a reset (golden screens)."""
        now = self.clock.now() if self.clock.frozen is not None else time.time()
        with self.lock:
            w = int(now // 60)
            if w != self.window:
                self.window, self.count = w, 0
            self.count += n
            return self.count, max(1, int((w + 1) * 60 - now + 0.999))

    def rate_headers(self, count, reset, zero=None):
        h = {}
        for pre, scope, limit in (("RateLimit-", "rest", self.cfg.rate_limit),
                                  ("RateLimit-User-", "rest_user", self.cfg.user_rate_limit)):
            h[pre + "Scope"] = scope
            h[pre + "Remaining"] = 0 if zero in (scope, "all") else max(0, limit - count)
            h[pre + "Limit"] = limit
            h[pre + "Reset"] = reset
        return h

    # --- JSON shapes -------------------------------------------------------
    def api(self, base):
        return "%s/v2/organizations/%s/pipelines/%s" % (base, self.cfg.org, self.cfg.pipeline)

    def web(self, n):
        return "https://buildkite.com/%s/%s/builds/%d" % (self.cfg.org, self.cfg.pipeline, n)

    def job_json(self, b, j, base):
        d = {"id": j.id, "graphql_id": gql("Job", j.id), "type": j.type}
        if j.type == "waiter":
            d.update(name=None, step_key=None, state=j.state, web_url=None)
            return d
        times = {k: iso(getattr(j, k)) for k in ("created_at", "scheduled_at", "runnable_at",
                                                 "started_at", "finished_at")}
        web = "%s#%s" % (self.web(b.number), j.id)
        if j.type == "manual":
            d.update(label=j.name, step_key=j.step_key, state=j.state, web_url=web,
                     unblocked_by=j.unblocked_by, unblocked_at=iso(j.unblocked_at),
                     unblockable=j.unblockable, unblock_url=web, **times)
            return d
        log = "%s/builds/%d/jobs/%s/log" % (self.api(base), b.number, j.id)
        agent = None if j.agent is None else {
            "id": scenario.sid("agent", j.agent), "name": "ci-agent-%d" % j.agent,
            "hostname": "ci-%d.build.internal" % j.agent}
        d.update(name=j.name, step_key=j.step_key, command=j.command, state=j.state, web_url=web,
                 log_url=log, raw_log_url=log + ".txt", agent=agent, exit_status=j.exit_status,
                 soft_failed=False, retried=False, retried_in_job_id=None, retries_count=None,
                 retry_type=None, parallel_group_index=None, parallel_group_total=None, **times)
        return d

    def build_json(self, b, base, exclude_jobs=False):
        failing = [j.finished_at for j in b.jobs if j.state == "failed"]
        rb = self.pipeline.builds.get(b.rebuilt_from)
        d = {"id": b.id, "graphql_id": gql("Build", b.id), "url": "%s/builds/%d" % (self.api(base), b.number),
             "web_url": self.web(b.number), "number": b.number, "state": b.state, "blocked": b.blocked,
             "cancel_reason": None, "message": b.message, "commit": b.commit, "branch": b.branch,
             "tag": None, "env": {}, "source": b.source, "author": b.author, "creator": b.creator,
             "created_at": iso(b.created_at), "scheduled_at": iso(b.created_at),
             "started_at": iso(b.started_at), "failing_at": iso(min(failing)) if failing else None,
             "finished_at": iso(b.finished_at), "meta_data": dict(b.meta_data), "pull_request": None,
             "rebuilt_from": rb and {"id": rb.id, "number": rb.number,
                                     "url": "%s/builds/%d" % (self.api(base), rb.number)},
             "pipeline": {"id": scenario.sid("pipeline", self.cfg.pipeline),
                          "url": self.api(base), "web_url": "https://buildkite.com/%s/%s" % (
                              self.cfg.org, self.cfg.pipeline),
                          "name": self.cfg.pipeline, "slug": self.cfg.pipeline,
                          "repository": "git@github.com:readysettech/readyset.git",
                          "default_branch": "main"}}
        if not exclude_jobs:
            d["jobs"] = [self.job_json(b, j, base) for j in b.jobs]
        return d


def _wild(pattern):
    return re.compile(".*".join(re.escape(p) for p in pattern.split("*")), re.S)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: avoid 40 ms delayed-ACK stalls
    timeout = 120
    _P = r"/v2/organizations/(?P<org>[^/]+)/pipelines/(?P<pipe>[^/]+)/builds"
    ROUTES = [  # (method, regex, route name, handler method)
        ("GET", r"/v2/access-token", "GET access-token", "h_token"),
        ("GET", r"/v2/organizations/(?P<org>[^/]+)/rate_limit", "GET rate_limit", "h_rate_limit"),
        ("GET", _P, "GET builds", "h_list"),
        ("GET", _P + r"/(?P<num>[^/]+)", "GET build", "h_build"),
        ("PUT", _P + r"/(?P<num>[^/]+)/jobs/(?P<job>[^/]+)/unblock", "PUT unblock", "h_unblock"),
        ("PUT", r"/v2/organizations/(?P<org>[^/]+)/jobs/(?P<job>[^/]+)/unblock", "PUT unblock", "h_unblock"),
    ]

    def version_string(self):
        return "relcon-sandbox/1"

    def log_message(self, fmt, *args):
        self.server.logline("%s %s" % (self.address_string(), fmt % args))

    def do_GET(self):
        self.dispatch()

    do_PUT = do_POST = do_DELETE = do_PATCH = do_GET

    # --- plumbing ----------------------------------------------------------
    def dispatch(self):
        self.sb = self.server.sandbox
        try:
            n = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            n = -1
        if n < 0:
            self.close_connection = True
            return self.send_json(400, {"message": "Bad Content-Length"})
        if n > MAX_BODY:
            self.close_connection = True
            return self.send_json(413, {"message": "Request body too large"})
        self.body = self.rfile.read(n) if n > 0 else b""
        u = urlsplit(self.path)
        self.rawpath, self.rawquery = u.path, u.query
        self.q = parse_qsl(u.query, keep_blank_values=True)
        if self.rawpath.startswith("/_sandbox/") or self.rawpath == "/_sandbox":
            return self.control()
        if self.rawpath == "/":
            return self.send_json(200, {"message": "Buildkite API (relcon sandbox)", "timestamp": int(time.time())})
        if not self.rawpath.startswith("/v2"):
            return self.send_json(404, {"message": "Not Found"})
        self.v2()

    def base(self):
        return "http://" + (self.headers.get("Host") or "%s:%d" % self.server.server_address[:2])

    def send_json(self, status, obj, headers=None, fault=None):
        body = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        if fault == "malformed":
            body = body[:len(body) // 2] + b"\x00<html>Bad Gateway"
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, str(v))
        self.end_headers()
        if fault == "truncated":
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(body)

    def v2(self):
        sb, method = self.sb, self.command
        route, fn, m = "%s other" % method, None, None
        for rm, rx, name, h in self.ROUTES:
            mm = re.fullmatch(rx, self.rawpath)
            if mm:
                m = mm
                if rm == method:
                    route, fn = name, h
                    break
        entry = {"t": time.time(), "method": method, "path": self.path, "route": route, "status": None}
        sb.record(entry)
        f = sb.faults.take("buildkite", method, self.path)
        if f:
            entry["fault"] = f["kind"] + ("_after" if f.get("after") else "")
        entry["acted"] = faults.acted(f)
        status, obj, hdrs = self.answer(f, fn, m)
        entry["status"] = status
        if status is not None:
            self.send_json(status, obj, hdrs, f and f["kind"])

    def answer(self, f, fn, m):
        """(status, json, headers) for a /v2 request, applying fault f; status None = no response."""
        sb, kind = self.sb, f and f["kind"]
        if kind == "reset":
            if f.get("after"):  # served, then the answer is lost
                self.serve(fn, m)
            self.close_connection = True
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            return None, None, None
        if kind == "status" and f["status"] != 429:
            return f["status"], {"message": f["message"] if "message" in f else "Service Unavailable"}, {}
        if kind in ("status", "throttle"):  # Buildkite's throttling is its rate-limit 429
            count, _ = sb.rate_hit()
            scope, reset = f.get("scope", "rest"), f["reset"]
            limit = sb.cfg.rate_limit if scope == "rest" else sb.cfg.user_rate_limit
            h = sb.rate_headers(count, reset, zero=scope)
            h["Retry-After"] = reset
            body = self.limit_body(scope, limit, max(count, limit + 1), reset)
            if "message" in f:
                body["message"] = f["message"]
            return 429, body, h
        if kind == "slow":
            time.sleep(f["delay"])
        return self.serve(fn, m)

    def serve(self, fn, m):
        """(status, json, headers) of the request as the simulator answers it."""
        sb = self.sb
        auth = self.headers.get("Authorization") or ""
        scheme, _, tok = auth.partition(" ")
        if scheme.lower() != "bearer" or tok.strip() != sb.cfg.token:
            return 401, {"message": MSG_AUTH}, sb.rate_headers(*sb.rate_hit(0))
        count, reset = sb.rate_hit()
        h = sb.rate_headers(count, reset)
        for scope, limit in (("rest", sb.cfg.rate_limit), ("rest_user", sb.cfg.user_rate_limit)):
            if count > limit:
                h["Retry-After"] = reset
                return 429, self.limit_body(scope, limit, count, reset), h
        if fn is None:
            return (405 if m else 404), {"message": "Method Not Allowed" if m else "Not Found"}, h
        try:
            with sb.lock:
                sb.pipeline.advance_all()
                status, obj, extra = getattr(self, fn)(**{k: unquote(v) for k, v in m.groupdict().items()})
        except HTTPError as e:
            return e.status, {"message": e.message}, h
        h.update(extra)
        return status, obj, h

    @staticmethod
    def limit_body(scope, limit, current, reset):
        return {"message": "You have exceeded your API rate limit. Please wait %d seconds before making "
                           "more requests." % reset, "scope": scope, "limit": limit, "current": current,
                "reset": reset}

    def need(self, scope):
        if scope not in self.sb.cfg.scopes:
            raise HTTPError(403, "Your access token does not have the %s scope" % scope)

    def pipe_check(self, org, pipe=None):
        if org != self.sb.cfg.org or (pipe is not None and pipe != self.sb.cfg.pipeline):
            raise HTTPError(404, "No pipeline found" if pipe is not None else "No organization found")

    def find_build(self, num):
        b = self.sb.pipeline.builds.get(int(num)) if num.isdigit() else None
        if b is None:
            raise HTTPError(404, "No build found")
        return b

    # --- routes ------------------------------------------------------------
    def h_token(self):
        c = self.sb.cfg
        return 200, {"uuid": scenario.sid("token", c.token), "scopes": list(c.scopes),
                     "description": "relcon sandbox", "created_at": iso(self.sb.clock.anchor - 30 * 86400),
                     "expires_at": None, "user": {"name": scenario.TOKEN_USER["name"],
                                                  "email": scenario.TOKEN_USER["email"]}}, {}

    def h_rate_limit(self, org):
        self.pipe_check(org)
        count, reset = self.sb.rate_hit(0)
        return 200, {"scopes": {"rest": {"limit": self.sb.cfg.rate_limit, "current": count, "reset": reset,
                                         "reset_at": iso(time.time() + reset), "enforced": True}}}, {}

    def h_build(self, org, pipe, num):
        self.need("read_builds")
        self.pipe_check(org, pipe)
        ex = dict(self.q).get("exclude_jobs") == "true"
        return 200, self.sb.build_json(self.find_build(num), self.base(), ex), {}

    def h_list(self, org, pipe):
        self.need("read_builds")
        self.pipe_check(org, pipe)
        q = self.q
        per_page, page = 30, 1
        for k, v in q:
            if k in ("per_page", "page"):
                if not re.fullmatch(r"\s*-?\d+\s*", v):
                    raise HTTPError(400, "%s must be an integer" % k)
                if k == "per_page":
                    per_page = min(100, max(1, int(v)))
                else:
                    page = max(1, int(v))
        if page > 50:
            raise HTTPError(400, MSG_DEEP)
        builds = sorted(self.sb.pipeline.builds.values(), key=lambda b: -b.number)
        builds = [b for b in builds if self.matches(b, q)]
        last = max(1, -(-len(builds) // per_page))
        items = builds[(page - 1) * per_page: page * per_page]
        ex = any(k == "exclude_jobs" and v == "true" for k, v in q)
        out = [self.sb.build_json(b, self.base(), ex) for b in items]
        link = self.link(page, per_page, last)
        return 200, out, ({"Link": link} if link else {})

    def matches(self, b, q):
        vals = lambda *names: [v for k, v in q if k in names]  # noqa: E731
        branches = vals("branch", "branch[]")
        if branches and not any(_wild(p).fullmatch(b.branch) for p in branches):
            return False
        commits = vals("commit", "commit[]")
        if commits and b.commit not in [c.lower().strip() for c in commits]:
            return False
        states = set()
        for s in vals("state", "state[]"):
            states |= FINISHED if s == "finished" else {s}
        if states and not (b.state in states or ("blocked" in states and b.blocked)):
            return False
        for name, cmp, t in (("created_from", 1, b.created_at), ("created_to", -1, b.created_at),
                             ("finished_from", 1, b.finished_at)):
            for v in vals(name):
                lim = parse_iso(v, name)
                if t is None or (cmp > 0 and t < lim) or (cmp < 0 and t >= lim):
                    return False
        for v in vals("creator"):
            if b.creator["id"] != v:
                return False
        for k, v in q:
            mk = re.fullmatch(r"meta_data\[(.+)\]", k)
            if mk and b.meta_data.get(mk.group(1)) != v:
                return False
        return True

    def link(self, page, per_page, last):
        rest = "&".join(p for p in self.rawquery.split("&")
                        if p and p.split("=", 1)[0] not in ("page", "per_page"))
        url = lambda n: "<%s%s?page=%d&per_page=%d%s>" % (  # noqa: E731
            self.base(), self.rawpath, n, per_page, "&" + rest if rest else "")
        rels = []
        if page > 1:
            rels += [(1, "first"), (page - 1, "prev")]
        if page < last:
            rels += [(page + 1, "next"), (last, "last")]
        return ", ".join('%s; rel="%s"' % (url(n), r) for n, r in rels)

    def h_unblock(self, org, job, pipe=None, num=None):
        self.need("write_builds")
        self.pipe_check(org, pipe)
        try:
            body = json.loads(self.body.decode("utf-8")) if self.body.strip() else {}
        except (ValueError, UnicodeDecodeError):
            raise HTTPError(400, "Problems parsing JSON") from None
        if not isinstance(body, dict) or not isinstance(body.get("fields") or {}, dict):
            raise HTTPError(400, "Body must be a JSON object with an optional fields object")
        fields = body.get("fields") or {}
        for k, v in fields.items():
            if not isinstance(v, str):
                raise HTTPError(422, "Field %s must be a string" % k)
        if num is not None:
            b = self.find_build(num)
        else:
            b = next((x for x in self.sb.pipeline.builds.values() if x.job(job)), None)
        j = b and next((x for x in b.jobs if x.id == job), None)
        if j is None:
            raise HTTPError(404, "No job found")
        by = None
        if body.get("unblocker") is not None:
            by = scenario.USERS.get(body["unblocker"])
            if by is None:
                raise HTTPError(422, "Unblocker is not a valid user id for this organization")
        try:
            self.sb.pipeline.unblock(b, j, by, fields)
        except scenario.UnblockError as e:
            raise HTTPError(e.status, e.message) from None
        return 200, self.sb.job_json(b, j, self.base()), {}

    # --- control API -------------------------------------------------------
    def control(self):
        sb, path, method = self.sb, self.rawpath.rstrip("/"), self.command
        try:
            body = json.loads(self.body or b"{}")
        except ValueError:
            return self.send_json(400, {"message": "Problems parsing JSON"})
        if path == "/_sandbox/faults" and method == "POST":
            try:
                sb.faults.add(body)
            except ValueError as e:
                return self.send_json(400, {"message": str(e)})
            return self.send_json(200, {"faults": sb.faults.list(), "fired": sb.faults.fired()})
        if path == "/_sandbox/faults" and method in ("GET", "DELETE"):
            if method == "DELETE":
                sb.faults.clear()
            return self.send_json(200, {"faults": sb.faults.list(), "fired": sb.faults.fired()})
        if path == "/_sandbox/aws-requests" and method in ("GET", "DELETE"):
            if sb.aws_sim is None:
                return self.send_json(404, {"message": "no AWS in this sandbox (--no-aws)"})
            if method == "DELETE":
                sb.aws_sim.requests.clear()
            return self.send_json(200, sb.aws_sim.requests.snapshot())
        if path == "/_sandbox/requests" and method in ("GET", "DELETE"):
            if method == "DELETE":
                sb.clear_requests()
            with sb.lock:
                return self.send_json(200, {"total": sb.total, "by_route": dict(sb.by_route),
                                            "log": list(sb.log)})
        if path == "/_sandbox/reset" and method == "POST":
            if not sb.reset():
                return self.send_json(503, {"message": "the AWS world was not re-seeded in time"})
            return self.send_json(200, {"ok": True})
        if path == "/_sandbox/events" and method == "GET":
            return self.send_json(200, {"events": sb.effects.events()})
        if path == "/_sandbox/advance" and method == "POST":
            with sb.lock:
                if sb.clock.frozen is None:
                    return self.send_json(409, {"message": "clock is not frozen (start with --now)"})
                sb.clock.frozen += float(body.get("seconds", 0))
                sb.pipeline.advance_all()
                return self.send_json(200, {"now": iso(sb.clock.now())})
        if path == "/_sandbox/checkip" and method == "GET":
            # What https://checkip.amazonaws.com answers: the caller's public IP (RELCON_IP_URL).
            body = (OPERATOR_IP + "\n").encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return None
        if path == "/_sandbox" and method == "GET":
            c = sb.cfg
            return self.send_json(200, {"now": iso(sb.clock.now()), "frozen": sb.clock.frozen is not None,
                                        "anchor": iso(sb.clock.anchor), "speed": c.speed, "org": c.org,
                                        "pipeline": c.pipeline, "rate_limit": c.rate_limit,
                                        "user_rate_limit": c.user_rate_limit, "aws": c.aws})
        return self.send_json(404, {"message": "Unknown sandbox control endpoint"})


OPERATOR_IP = "203.0.113.7"  # TEST-NET-3: the operator's public IP as the sandbox tells it


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    # socketserver's default backlog is 5: a client opening more connections
    # at once than that (curl multi: up to 8 a host) saw some wait a second
    # for a SYN retry.
    request_queue_size = 64

    def logline(self, text):
        if self.logfile:
            with self.loglock:
                self.logfile.write("[%s] %s\n" % (iso(time.time()), text))
                self.logfile.flush()

    def handle_error(self, request, client_address):
        e = sys.exc_info()[1]
        if isinstance(e, OSError):  # client went away (reset, broken pipe, timeout): routine
            self.logline("connection from %s ended: %s" % (client_address, e))
        else:
            self.logline("error serving %s: %s" % (client_address, traceback.format_exc()))


def make_server(cfg, host="127.0.0.1", port=0):
    """A bound server with a live-progress ticker; call serve_forever(), later stop_server()."""
    srv = Server((host, port), Handler)
    srv.logfile = open(cfg.log, "a", encoding="utf-8") if cfg.log else None
    srv.loglock = threading.Lock()
    srv.sandbox = Sandbox(cfg)
    srv.stopping = threading.Event()

    def tick():
        while not srv.stopping.wait(0.2):
            with srv.sandbox.lock:
                srv.sandbox.pipeline.advance_all()
    if cfg.now is None:
        threading.Thread(target=tick, name="sandbox-ticker", daemon=True).start()
    return srv


def stop_server(srv):
    srv.stopping.set()
    srv.shutdown()
    srv.server_close()
    with srv.sandbox.lock:
        srv.sandbox.effects.close()
    if srv.logfile:
        srv.logfile.close()
