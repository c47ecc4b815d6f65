"""Injected failures for both halves of the sandbox (stdlib only).

One `Faults` list serves the Buildkite simulator (buildkite_sim.py, /v2 requests) and the local
AWS (aws_sim.py, every request but the sandbox's own); both are configured through
POST /_sandbox/faults on the Buildkite port.  Each spec names the `side` it applies to
("buildkite", the default, "aws" or "both").  What a kind does on each side is in
sandbox/README.md ("Faults"); the servers apply them, this module only decides which fault a
request gets.

The draw is seeded: every matching request draws one number from a random.Random(SEED) that is
re-seeded whenever the list is cleared (DELETE /_sandbox/faults, POST /_sandbox/reset), so the
same sequence of requests after a clear gets the same faults.  The shares of the specs a request
matches add up: four specs of share 0.05 hit 20 % of the requests, 5 % each.
"""
import random
import threading

SEED = 52
KINDS = ("status", "throttle", "slow", "truncated", "malformed", "reset")
SIDES = ("buildkite", "aws", "both")


def acted(f):
    """Whether a request that got fault f (None: no fault) was served by the simulator before its
    answer was lost or spoiled: slow, truncated, malformed and reset with "after" were; status,
    throttle and a plain reset never reached it."""
    if f is None:
        return True
    if f["kind"] == "reset":
        return bool(f.get("after"))
    return f["kind"] in ("slow", "truncated", "malformed")


class Faults:
    """The pending faults; each fires on the next `count` matching requests (-1: no end)."""

    def __init__(self):
        self._lock, self._faults, self._next = threading.Lock(), [], 1
        self._rng = random.Random(SEED)
        self._fired = {}

    def add(self, spec):
        if not isinstance(spec, dict):
            raise ValueError("fault must be a JSON object")
        kind = spec.get("kind") or ("status" if "status" in spec else None)
        if kind not in KINDS:
            raise ValueError("kind must be one of " + ", ".join(KINDS))
        side = spec.get("side", "buildkite")
        if side not in SIDES:
            raise ValueError("side must be one of " + ", ".join(SIDES))
        if side == "buildkite" and (spec.get("action") or spec.get("service")):
            raise ValueError("action and service match AWS requests: give side aws or both")
        try:
            f = {"kind": kind, "side": side, "count": int(spec.get("count", -1 if "share" in spec else 1)),
                 "path_contains": str(spec.get("path_contains", "")), "method": spec.get("method"),
                 "action": spec.get("action"), "service": spec.get("service"),
                 "share": float(spec.get("share", 1.0))}
            if not 0 <= f["share"] <= 1 or f["count"] == 0:
                raise ValueError
            # The error message of status and throttle answers ("body" is another name for it).
            message = spec.get("message", spec.get("body"))
            if message is not None:
                f["message"] = str(message)
            if kind == "status":
                f.update(status=int(spec["status"]), reset=int(spec.get("reset", 30)),
                         scope=spec.get("scope", "rest"))
                if spec.get("code") is not None:
                    f["code"] = str(spec["code"])
                if not 400 <= f["status"] <= 599 or f["scope"] not in ("rest", "rest_user"):
                    raise ValueError
            elif kind == "throttle":
                f.update(reset=int(spec.get("reset", 30)), scope=spec.get("scope", "rest"))
                if f["scope"] not in ("rest", "rest_user"):
                    raise ValueError
            elif kind == "slow":
                f["delay"] = min(60.0, max(0.0, float(spec.get("delay", 2))))
            elif kind == "reset":
                f["after"] = bool(spec.get("after", False))
        except (KeyError, TypeError, ValueError):
            raise ValueError("bad fault spec (status 400..599, scope rest|rest_user, numeric "
                             "count (not 0)/reset/delay, share 0..1)") from None
        with self._lock:
            f["id"], self._next = self._next, self._next + 1
            self._faults.append(f)
        return dict(f)

    def take(self, side, method, target, action=None, service=None):
        """The fault for this request (a copy), or None.  side: "buildkite" or "aws"; target: the
        request target (path?query); action: the Query Action or S3 operation; service: the SigV4
        scope's service (AWS only)."""
        with self._lock:
            matching = [f for f in self._faults
                        if f["side"] in (side, "both") and f["path_contains"] in target
                        and f["method"] in (None, method) and f["action"] in (None, action)
                        and f["service"] in (None, service)]
            if not matching:
                return None
            draw, acc = self._rng.random(), 0.0
            for f in matching:
                acc += f["share"]
                if draw < acc:
                    break
            else:
                return None
            if f["count"] > 0:
                f["count"] -= 1
                if f["count"] == 0:
                    self._faults.remove(f)
            per = self._fired.setdefault(side, {})
            per[f["kind"]] = per.get(f["kind"], 0) + 1
            return dict(f)

    def list(self):
        with self._lock:
            return [dict(f) for f in self._faults]

    def fired(self):
        """{side: {kind: N}}: the faults that fired since the last clear."""
        with self._lock:
            return {s: dict(k) for s, k in self._fired.items()}

    def clear(self):
        with self._lock:
            self._faults.clear()
            self._fired = {}
            self._next = 1
            self._rng.seed(SEED)


class RequestLog:
    """The last `keep` requests of one side with counters (the AWS request log)."""

    def __init__(self, keep=10000):
        self._lock, self.keep = threading.Lock(), keep
        self.clear()

    def clear(self):
        with self._lock:
            self._log, self._by_op, self._total = [], {}, 0

    def record(self, entry, key):
        with self._lock:
            self._total += 1
            self._by_op[key] = self._by_op.get(key, 0) + 1
            self._log.append(entry)
            del self._log[:-self.keep]

    def snapshot(self):
        with self._lock:
            return {"total": self._total, "by_op": dict(self._by_op), "log": [dict(e) for e in self._log]}
