#!/usr/bin/env python3
"""relcon sandbox entry point: the Buildkite REST v2 simulator and a local AWS (moto) on loopback.

    python3 sandbox/sandbox.py --ready-file FILE [--port 0] [--token T] [--now ISO8601]
        [--speed X] [--rate-limit N] [--user-rate-limit N] [--org ORG] [--pipeline PIPE]
        [--scopes read_builds,write_builds] [--log FILE]
        [--no-aws | --aws-port 0 --locals sandbox/locals.pkr.hcl] [--cfn-speed X]
        [--extra-builds N] [--extra-amis N]   (scale, for make bench; see sandbox/README.md)

Once both are listening and the AWS world is seeded it writes FILE atomically (tmp + rename)
as JSON {"buildkite": "http://127.0.0.1:PORT", "token", "org", "pipeline", "pid", "port",
"aws": "http://127.0.0.1:PORT", "aws_port", "aws_endpoint_url" (the localhost form),
"aws_access_key_id", "aws_secret_access_key", "aws_region", "locals_path"} (no aws* keys
with --no-aws), serves until SIGTERM/SIGINT/SIGHUP, removes FILE and exits 0.
See sandbox/README.md.
"""
import argparse
import json
import os
import signal
import sys
import threading
import time
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import buildkite_sim  # noqa: E402
from pipeline_effects import PipelineEffects  # noqa: E402


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


class Log:
    """Appends timestamped lines to FILE (the AWS access log and effect errors); None: discard."""

    def __init__(self, path):
        self.f = open(path, "a", encoding="utf-8") if path else None
        self.lock = threading.Lock()

    def __call__(self, text):
        if self.f:
            with self.lock:
                self.f.write("[%s] %s\n" % (buildkite_sim.iso(time.time()), text))
                self.f.flush()


def main(argv=None):
    ap = argparse.ArgumentParser(description="relcon sandbox (Buildkite REST v2 simulator + local AWS)")
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
    ap.add_argument("--no-aws", action="store_true", help="Buildkite only: no moto, no AWS effects")
    ap.add_argument("--aws-port", type=int, default=0)
    ap.add_argument("--locals", default=os.path.join(HERE, "locals.pkr.hcl"),
                    help="the locals.pkr.hcl whose ami_users the AMIs are shared with")
    ap.add_argument("--cfn-speed", type=positive(float), default=None,
                    help="simulated CloudFormation runs X times faster (default: --speed)")
    ap.add_argument("--extra-builds", type=int, default=0, metavar="N",
                    help="scale (make bench): N more finished builds on main, older than the scenario's")
    ap.add_argument("--extra-amis", type=int, default=0, metavar="N",
                    help="scale (make bench): N more AMIs of those builds' commits, over the regions")
    a = ap.parse_args(argv)
    if a.extra_builds < 0 or a.extra_amis < 0:
        ap.error("--extra-builds and --extra-amis must be >= 0")
    if a.extra_amis and a.no_aws:
        ap.error("--extra-amis needs the AWS half (not --no-aws)")
    # Read by scenario.seed() at every (re)seed; 0 and 0 leave the scenario exactly as it is.
    import scenario
    scenario.EXTRA_BUILDS, scenario.EXTRA_AMIS = a.extra_builds, a.extra_amis

    logline = Log(a.log)
    aws, factory, aws_info = None, None, None
    if not a.no_aws:
        import aws_sim
        import aws_world
        locals_path = os.path.abspath(a.locals)
        try:
            aws_world.load_locals(locals_path)
        except (OSError, ValueError, KeyError) as e:
            print("sandbox: %s: %s" % (locals_path, e), file=sys.stderr)
            return 1
        if a.now is not None:
            aws_sim.freeze_image_clock(a.now)
        try:
            aws = aws_sim.AwsSim(a.host, a.aws_port, log=logline, cfn_speed=a.cfn_speed).start()
        except OSError as e:
            print("sandbox: cannot listen on %s:%d: %s" % (a.host, a.aws_port, e), file=sys.stderr)
            return 1
        factory = lambda: PipelineEffects(aws_world.World(  # noqa: E731
            aws, locals_path, extra_amis=a.extra_amis, extra_builds=a.extra_builds), log=logline)
        aws_info = {"aws": aws.address, "aws_port": aws.port, "aws_endpoint_url": aws.endpoint,
                    "aws_access_key_id": aws_sim.ACCESS_KEY_ID,
                    "aws_secret_access_key": aws_sim.SECRET_ACCESS_KEY,
                    "aws_region": aws_sim.REGION, "locals_path": locals_path}

    cfg = buildkite_sim.Config(token=a.token, org=a.org, pipeline=a.pipeline, now=a.now, speed=a.speed,
                               rate_limit=a.rate_limit, user_rate_limit=a.user_rate_limit,
                               scopes=tuple(s for s in a.scopes.split(",") if s), log=a.log,
                               effects_factory=factory,
                               aws=aws_info and {k: v for k, v in aws_info.items() if "secret" not in k})
    try:
        srv = buildkite_sim.make_server(cfg, a.host, a.port)  # seeds the scenario (and the AWS world)
    except OSError as e:
        print("sandbox: cannot listen on %s:%d: %s" % (a.host, a.port, e), file=sys.stderr)
        if aws:
            aws.stop()
        return 1
    if aws:
        aws.cfn.set_clock(lambda: srv.sandbox.clock)  # the clock /_sandbox/advance moves (new on reset)
        srv.sandbox.attach_aws(aws)  # one fault list for both; /_sandbox/aws-requests
        effects = srv.sandbox.effects
        if not effects.wait_idle(60) or effects.errors:
            print("sandbox: seeding the AWS world failed: %s" % ("; ".join(effects.errors) or "timed out"),
                  file=sys.stderr)
            buildkite_sim.stop_server(srv)
            aws.stop()
            return 1
    host, port = srv.server_address[:2]
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: stop.set())
    th = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    th.start()

    info = {"buildkite": "http://%s:%d" % (host, port), "token": a.token, "org": a.org,
            "pipeline": a.pipeline, "pid": os.getpid(), "port": port}
    info.update(aws_info or {})
    tmp = "%s.tmp.%d" % (a.ready_file, os.getpid())
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(info, f)
        f.write("\n")
    os.replace(tmp, a.ready_file)
    srv.logline("listening on %s (frozen=%s speed=%s)%s" % (
        info["buildkite"], a.now is not None, a.speed, ", AWS on " + aws.address if aws else ""))

    while not stop.wait(0.5):
        pass
    srv.logline("stopping")
    buildkite_sim.stop_server(srv)
    if aws:
        aws.stop()
    try:
        os.unlink(a.ready_file)
    except OSError:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
