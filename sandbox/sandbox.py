#!/usr/bin/env python3
"""relcon sandbox entry point: serve the Buildkite REST v2 simulator on loopback.

    python3 sandbox/sandbox.py --ready-file FILE [--port 0] [--token T] [--now ISO8601]
        [--speed X] [--rate-limit N] [--user-rate-limit N] [--org ORG] [--pipeline PIPE]
        [--scopes read_builds,write_builds] [--log FILE]

Once listening it writes FILE atomically (tmp + rename) as JSON
{"buildkite": "http://127.0.0.1:PORT", "token", "org", "pipeline", "pid", "port"},
serves until SIGTERM/SIGINT, removes FILE and exits 0.  See sandbox/README.md.
"""
import argparse
import json
import os
import signal
import sys
import threading
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import buildkite_sim  # noqa: E402


def parse_now(s):
    try:
        d = datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError("--now wants ISO 8601, e.g. 2026-11-24T12:00:00Z") from None
    return (d if d.tzinfo else d.replace(tzinfo=timezone.utc)).timestamp()


def positive(kind):
    def conv(s):
        v = kind(s)
        if v <= 0:
            raise argparse.ArgumentTypeError("must be > 0")
        return v
    return conv


def main(argv=None):
    ap = argparse.ArgumentParser(description="relcon sandbox (Buildkite REST v2 simulator)")
    ap.add_argument("--ready-file", required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--token", default="sandbox-token")
    ap.add_argument("--now", type=parse_now, default=None, help="freeze the clock at this instant")
    ap.add_argument("--speed", type=positive(float), default=1.0)
    ap.add_argument("--rate-limit", type=positive(int), default=200)
    ap.add_argument("--user-rate-limit", type=positive(int), default=200)
    ap.add_argument("--org", default="readyset")
    ap.add_argument("--pipeline", default="readyset")
    ap.add_argument("--scopes", default="read_builds,write_builds")
    ap.add_argument("--log", default=None, help="append the access log here (default: discard)")
    a = ap.parse_args(argv)

    cfg = buildkite_sim.Config(token=a.token, org=a.org, pipeline=a.pipeline, now=a.now, speed=a.speed,
                               rate_limit=a.rate_limit, user_rate_limit=a.user_rate_limit,
                               scopes=tuple(s for s in a.scopes.split(",") if s), log=a.log)
    try:
        srv = buildkite_sim.make_server(cfg, a.host, a.port)
    except OSError as e:
        print("sandbox: cannot listen on %s:%d: %s" % (a.host, a.port, e), file=sys.stderr)
        return 1
    host, port = srv.server_address[:2]
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: stop.set())
    th = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    th.start()

    info = {"buildkite": "http://%s:%d" % (host, port), "token": a.token, "org": a.org,
            "pipeline": a.pipeline, "pid": os.getpid(), "port": port}
    tmp = "%s.tmp.%d" % (a.ready_file, os.getpid())
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(info, f)
        f.write("\n")
    os.replace(tmp, a.ready_file)
    srv.logline("listening on %s (frozen=%s speed=%s)" % (info["buildkite"], a.now is not None, a.speed))

    while not stop.wait(0.5):
        pass
    srv.logline("stopping")
    buildkite_sim.stop_server(srv)
    try:
        os.unlink(a.ready_file)
    except OSError:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
