"""Deterministic Buildkite scenario and pipeline progression for the relcon sandbox.

This module owns the *internal* model (Build, Job), the Clock and the Pipeline
engine that moves jobs forward in time; buildkite_sim.py renders it as Buildkite
REST v2 JSON.  seed() builds the scenario: builds 4100..4160 over the ~10 days
before the clock's anchor (server start, or --now), created by replaying the
same engine from each build's creation time, with the human unblocks scripted.
Identifiers are uuid5/sha1 of stable names and all variation comes from a fixed
random.Random seed, so the same anchor always gives the same data.

Each build runs strictly in order:
  :pipeline: Upload, Build, Test, wait, [block build-amis], Build AMIs,
  :fire: Smoke test CloudFormation templates, wait, [block release|alpha], Deploy
"""
import hashlib
import random
import re
import time
import uuid
from dataclasses import dataclass, field

FIRST_BUILD, LAST_BUILD = 4100, 4160
LABEL_BUILD_AMIS = "Build AMIs and CloudFormation templates"
LABEL_RELEASE = "Deploy AMIs and CloudFormation as release"
LABEL_ALPHA = "Deploy AMIs and CloudFormation as alpha release"
RELEASE_FIELD = "release-name"
RELEASE_NAME_RE = re.compile(r"[A-Za-z0-9._-]+")
_NS = uuid.UUID("6f1c8a52-3d0e-4b8e-9a43-5e0c1b7d2a10")

# Commit messages and names the console must render safely (tests import these).
LONG_LINE = ("Very long line: " + "lorem ipsum dolor sit amet " * 400)[:10000]
MULTILINE = ("Fix replication lag under sustained write load\n\n"
             "The replicator could fall behind when a snapshot overlapped with\n"
             "a burst of writes.  Throttle snapshot batches instead.\n\nCloses #1234")
HOSTILE = {
    4150: "Clear screen \x1b[2J\x1b[31mred",
    4147: "Set title \x1b]0;pwned\x07 done",
    4145: "Clipboard \x1b]52;c;ZWNobyBwd25lZA==\x07 write",
    4141: "C1 CSI \u009b31m red",
    4140: "Bidi \u202eevil\u202c override",
    4139: "Zero a\u200bb width",
    4138: "Bare CR\rcarriage return",
    4137: "Bell \x07 ring",
    4136: "Tab\tseparated\tsubject",
}
HOSTILE_BRANCH = "evil/\x1b[7mbranch\x1b[0m"
HOSTILE_AUTHOR = ("Mallory \x1b[7mInverse\x1b[0m\x07", "mallory@example.com")
PLAIN = ["Bump sqlparser to 0.52", "Add CloudFormation parameter for instance type",
         "Refactor the dataflow graph builder", "Fix flaky replication test",
         "Update README with quickstart", "Reduce memory use of the snapshot reader",
         "Handle NULL in prepared statement params", "Tidy up logging in the adapter",
         "Speed up migration checks", "Make the packer build reproducible"]
AUTHORS = [("Alice Example", "alice@example.com"), ("Bob Builder", "bob@example.com"),
           ("Zoë Ångström", "zoe@example.com"), ("José Núñez", "jose@example.com"),
           ("田中 太郎", "tanaka@example.com")]
BRANCHES = ["main", "main", "main", "main", "fix/replication-lag", "feat/cfn-params",
            "release-2026.11", "renovate/curl-8.x"]

# Notable builds; everything else is filler drawn from the seeded RNG.
# outcome: blocked-amis | blocked-gate | test-failed | amis-failed | smoke-failed |
#          released | alpha-deployed | deploy-failed | canceled | running | scheduled
SPECIAL = {
    4160: dict(outcome="scheduled", age=5, queue=3600, message="Bump version to 1.8.0"),
    4159: dict(outcome="running", age=25, branch="fix/replication-lag",
               message="修复复制延迟", fail="test"),
    4158: dict(outcome="running", age=45, message=MULTILINE),
    4157: dict(message="🚀 Ship it"),
    4156: dict(outcome="test-failed", branch="feat/cfn-params"),
    4155: dict(outcome="blocked-gate"),
    4154: dict(outcome="blocked-gate", branch="release-2026.11"),
    4153: dict(outcome="smoke-failed"),
    4152: dict(outcome="amis-failed"),
    4151: dict(branch="ünïcode/分支", author=AUTHORS[4]),
    4149: dict(outcome="canceled", branch="renovate/curl-8.x"),
    4148: dict(outcome="released", release="2026.11.2"),
    4146: dict(outcome="alpha-deployed", branch="feat/cfn-params"),
    4144: dict(branch=HOSTILE_BRANCH),
    4143: dict(message=LONG_LINE),
    4142: dict(author=HOSTILE_AUTHOR),
    4137: dict(outcome="deploy-failed", branch="fix/replication-lag"),
    4136: dict(outcome="released", release="2026.11.1"),
    4135: dict(legacy_blocked_state=True),
    4134: dict(rebuild_of=4133, source="ui"),
    4133: dict(outcome="test-failed", message="Fix flaky replication test"),
    4132: dict(fail="smoke", message="Switch smoke test to the new template layout"),
    # Drawn as filler (blocked at alpha, its message and author from the RNG) and kept exactly so;
    # only its Deploy is set to fail, which shows once the alpha step is unblocked.
    4130: dict(outcome="blocked-gate", branch="feat/cfn-params", fail="deploy"),
    4124: dict(outcome="released", release="2026.11.0"),
    4113: dict(outcome="released", release="2026.10.1"),
    4104: dict(outcome="released", release="2026.10.0"),
}
# Filler builds whose gate step was reached get one of these outcomes.
FILLER_OUTCOMES = ["blocked-amis"] * 12 + ["test-failed"] * 3 + ["blocked-gate"] * 3 + ["alpha-deployed"]


def sid(*parts):
    return str(uuid.uuid5(_NS, "/".join(str(p) for p in parts)))


def user(name, email):
    return {"id": sid("user", email), "graphql_id": None, "name": name, "email": email,
            "avatar_url": "https://www.gravatar.com/avatar/" + hashlib.md5(email.encode()).hexdigest(),
            "created_at": None}


TOKEN_USER = user("Sandbox User", "sandbox@example.com")
ALICE = user("Alice Example", "alice@example.com")
BOB = user("Bob Builder", "bob@example.com")
USERS = {u["id"]: u for u in (TOKEN_USER, ALICE, BOB)}


class UnblockError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status, self.message = status, message


class Clock:
    """Frozen (now given) or real time; simulated work after the anchor runs `speed` times faster."""

    def __init__(self, frozen=None, speed=1.0):
        self.frozen = frozen
        self.speed = max(float(speed), 1e-6)
        self.anchor = frozen if frozen is not None else time.time()

    def now(self):
        return self.frozen if self.frozen is not None else time.time()

    def after(self, start, work):
        """Real time at which `work` seconds of simulated work begun at `start` complete."""
        w = (start if start <= self.anchor else self.anchor + (start - self.anchor) * self.speed) + work
        return w if w <= self.anchor else self.anchor + (w - self.anchor) / self.speed


@dataclass
class Job:
    id: str
    type: str                       # script | waiter | manual
    name: str = None                # script name, or manual label
    step_key: str = None
    command: str = None
    duration: float = 0.0           # simulated seconds of work
    queue: float = 3.0              # simulated seconds waiting for an agent
    outcome: str = "passed"
    effect: str = None              # "amis" | "deploy"
    fields: tuple = ()              # required block-step fields
    state: str = "waiting"
    created_at: float = None
    scheduled_at: float = None
    runnable_at: float = None
    started_at: float = None
    finished_at: float = None
    exit_status: int = None
    agent: int = None
    unblockable: bool = False
    unblocked_by: dict = None
    unblocked_at: float = None


@dataclass
class Build:
    number: int
    branch: str
    commit: str
    message: str
    author: dict
    creator: dict
    created_at: float
    jobs: list
    source: str = "webhook"
    id: str = ""
    state: str = "scheduled"
    blocked: bool = False
    started_at: float = None
    finished_at: float = None
    canceled_at: float = None
    meta_data: dict = field(default_factory=dict)
    rebuilt_from: int = None
    legacy_blocked_state: bool = False
    static: bool = False            # an --extra-builds filler: finished, never advanced again

    @property
    def gate(self):
        return "release" if self.branch == "main" else "alpha"

    def job(self, key_or_id):
        return next((j for j in self.jobs if key_or_id in (j.id, j.step_key)), None)


def make_jobs(number, gate, created, rng, fail=None, queue=3.0):
    """The pipeline's jobs for one build; `fail` names the script step that will fail."""
    f = lambda base: round(base * rng.uniform(0.85, 1.15), 1)  # noqa: E731
    gl = LABEL_RELEASE if gate == "release" else LABEL_ALPHA
    specs = [
        ("script", ":pipeline: Upload", "upload", "buildkite-agent pipeline upload", f(8), None, ()),
        ("script", "Build", "build", "cargo build --release --locked", f(20), None, ()),
        ("script", "Test", "test", "cargo nextest run --workspace", f(20), None, ()),
        ("waiter", None, None, None, 0, None, ()),
        ("manual", LABEL_BUILD_AMIS, "build-amis", None, 0, None, ()),
        ("script", "Build AMIs", "amis", "ops/image-deploy/build-amis.sh", f(60), "amis", ()),
        ("script", ":fire: Smoke test CloudFormation templates", "smoke", "ops/cfn-test/smoke-test.sh",
         f(30), None, ()),
        ("waiter", None, None, None, 0, None, ()),
        ("manual", gl, gate, None, 0, None, (RELEASE_FIELD,) if gate == "release" else ()),
        ("script", "Deploy", "deploy", "ops/image-deploy/deploy.sh " + gate, f(20), "deploy", ()),
    ]
    jobs = []
    for i, (typ, name, key, cmd, dur, eff, flds) in enumerate(specs):
        j = Job(id=sid("job", number, i), type=typ, name=name, step_key=key, command=cmd,
                duration=dur, effect=eff, fields=flds, created_at=created,
                outcome="failed" if fail and key == fail else "passed",
                state="blocked" if typ == "manual" else "waiting")
        jobs.append(j)
    jobs[0].queue = queue
    return jobs


class Pipeline:
    """All builds plus the rules that move them forward; callers hold the sandbox lock."""

    def __init__(self, clock, effects):
        self.clock, self.effects = clock, effects
        self.builds = {}

    def advance_all(self):
        now = self.clock.now()
        for b in self.builds.values():
            if not b.static:  # --extra-builds fillers are finished: nothing can move them
                self.advance(b, now)

    def advance(self, b, now):
        if b.canceled_at is None:
            self._run(b, now)
        self._derive(b)

    def _run(self, b, now):
        ready, failed = b.created_at, False
        for j in b.jobs:
            if failed:
                if j.state not in ("broken", "canceled"):
                    j.state, j.unblockable = "broken", False
                continue
            if j.state in ("passed", "failed"):
                failed = j.state == "failed"
                ready = j.finished_at
                continue
            if j.type == "waiter":
                j.state, j.finished_at = "passed", ready
                continue
            if j.type == "manual":
                if j.state == "unblocked":
                    ready = j.unblocked_at
                    continue
                if not j.unblockable:
                    j.unblockable, j.runnable_at = True, ready
                return
            if j.state == "waiting":
                j.state, j.scheduled_at, j.runnable_at = "scheduled", ready, ready
            if j.state == "scheduled":
                start = self.clock.after(j.scheduled_at, j.queue)
                if now < start:
                    return
                j.state, j.started_at, j.agent = "running", start, (b.number + len(j.step_key)) % 7 + 1
            end = self.clock.after(j.started_at, j.duration)
            if now < end:
                return
            j.state, j.finished_at = j.outcome, end
            j.exit_status = 0 if j.outcome == "passed" else 1
            failed, ready = j.outcome == "failed", end
            self._effect(b, j)

    def _effect(self, b, j):
        if j.effect == "amis":
            if j.state == "passed":
                self.effects.amis_built(b)
            else:
                self.effects.deploy_failed(b, "build-amis")
        elif j.effect == "deploy":
            if j.state == "failed":
                self.effects.deploy_failed(b, b.gate)
            elif b.gate == "release":
                self.effects.release_deployed(b, b.meta_data.get(RELEASE_FIELD, ""))
            else:
                self.effects.alpha_deployed(b)

    def _derive(self, b):
        starts = [j.started_at for j in b.jobs if j.started_at is not None]
        ends = [t for j in b.jobs for t in (j.finished_at, j.unblocked_at) if t is not None]
        b.started_at = min(starts) if starts else None
        if b.canceled_at is not None:
            b.state, b.blocked, b.finished_at = "canceled", False, b.canceled_at
            return
        active = any(j.state in ("scheduled", "running") for j in b.jobs)
        waiting = next((j for j in b.jobs if j.type == "manual" and j.state == "blocked" and j.unblockable),
                       None)
        b.blocked = False
        if active:
            b.state, b.finished_at = ("running" if starts else "scheduled"), None
        elif any(j.state == "failed" for j in b.jobs):
            b.state, b.finished_at = "failed", max(ends)
        elif waiting is not None:
            b.state, b.blocked = ("blocked" if b.legacy_blocked_state else "passed"), True
            b.finished_at = max(ends)
        else:
            b.state, b.finished_at = "passed", max(ends) if ends else None

    def unblock(self, b, j, by=None, fields=None, at=None):
        """Unblock manual job j of build b; raises UnblockError like the real API."""
        if j.type != "manual":
            raise UnblockError(400, "This job type cannot be unblocked")
        if b.canceled_at is not None:
            raise UnblockError(422, "Jobs from canceled builds cannot be unblocked")
        if j.state == "unblocked":
            raise UnblockError(422, "This job has already been unblocked")
        if j.state != "blocked" or not j.unblockable:
            raise UnblockError(422, "This job is not unblockable yet")
        fields = fields or {}
        for k in j.fields:
            if not RELEASE_NAME_RE.fullmatch(fields.get(k) or ""):
                raise UnblockError(422, "Field %s is required" % k)
        at = self.clock.now() if at is None else at
        j.state, j.unblockable, j.unblocked_by, j.unblocked_at = "unblocked", False, by or TOKEN_USER, at
        for k in j.fields:
            b.meta_data[k] = fields[k]
        self.advance(b, self.clock.now())

    def cancel(self, b, at):
        b.canceled_at = at
        for j in b.jobs:
            if j.state not in ("passed", "failed", "unblocked"):
                if j.state == "running":
                    j.finished_at, j.exit_status = at, -1
                j.state, j.unblockable = "canceled", False
        self._derive(b)


def _spec(n, rng, now):
    """Plan for build n: a dict with branch, message, author, age (s), outcome, ..."""
    r = [rng.random() for _ in range(6)]  # always draw the same amount per build
    s = dict(branch=BRANCHES[int(r[0] * len(BRANCHES))], message=PLAIN[int(r[1] * len(PLAIN))],
             author=AUTHORS[int(r[2] * len(AUTHORS))], outcome="blocked-amis", queue=3.0, fail=None,
             age=((LAST_BUILD - n) * 3.9 - 8 + r[3]) * 3600, source="webhook", release=None)
    if n not in SPECIAL:
        s["outcome"] = FILLER_OUTCOMES[int(r[4] * len(FILLER_OUTCOMES))]
        if s["outcome"] == "alpha-deployed" and s["branch"] == "main":
            s["outcome"] = "blocked-gate"
    else:
        s.update(branch="main")
        s.update(SPECIAL[n])
    if n in HOSTILE:
        s["message"] = HOSTILE[n]
    if s["branch"].startswith("renovate/"):
        s["author"] = ("Renovate Bot", "bot@renovateapp.com")
    s["delays"] = (600 + r[5] * 5400, 1800 + r[5] * 30000)  # human reaction times
    return s


_OUTCOME_PLAN = {  # outcome -> (failing script step, unblocks to perform)
    "test-failed": ("test", ()), "blocked-gate": (None, ("build-amis",)),
    "amis-failed": ("amis", ("build-amis",)), "smoke-failed": ("smoke", ("build-amis",)),
    "released": (None, ("build-amis", "gate")), "alpha-deployed": (None, ("build-amis", "gate")),
    "deploy-failed": ("deploy", ("build-amis", "gate")),
}


# Scale options (sandbox.py --extra-builds N --extra-amis M, for `make bench`); both 0 by default,
# and then seed() makes exactly the scenario above.  EXTRA_BUILDS finished builds on main, older
# than 4100, one every EXTRA_SPACING seconds; the newest ceil(EXTRA_AMIS / 3) of them passed
# build-amis (aws_world seeds their AMIs straight into moto's backend, see World.seed_extra_amis).
# Buildkite numbers are positive, so when EXTRA_BUILDS >= FIRST_BUILD every build is numbered
# EXTRA_BUILDS + 1 - FIRST_BUILD higher (see number_offset()); ids and commits do not change.
EXTRA_BUILDS = 0
EXTRA_AMIS = 0
EXTRA_SPACING = 1800


def number_offset(extra_builds=None):
    n = EXTRA_BUILDS if extra_builds is None else extra_builds
    return max(0, n - FIRST_BUILD + 1)


def extra_commit(i):
    """Commit of the i-th extra build (1 = the newest, just older than 4100)."""
    return hashlib.sha1(("extra/%d" % i).encode()).hexdigest()


class _NoEffects:
    """Extra builds have no pipeline effects (their AMIs are seeded in bulk by aws_world)."""
    seeding = True

    def __getattr__(self, name):
        return lambda *a, **k: None


def _seed_extra(p, now, offset):
    """EXTRA_BUILDS finished filler builds on main below the scenario's oldest (see above)."""
    rng = random.Random(9100)
    with_amis = -(-EXTRA_AMIS // 3)
    oldest = p.builds[FIRST_BUILD + offset].created_at
    effects, p.effects = p.effects, _NoEffects()
    for i in range(1, EXTRA_BUILDS + 1):
        number = FIRST_BUILD + offset - i
        r = [rng.random() for _ in range(4)]
        author = AUTHORS[int(r[0] * len(AUTHORS))]
        created = round(oldest - i * EXTRA_SPACING - r[1] * 600, 3)
        outcome = "blocked-gate" if i <= with_amis else ("test-failed" if r[2] < 0.2 else "blocked-amis")
        b = Build(number=number, id=sid("extra-build", i), branch="main", commit=extra_commit(i),
                  message="%s (#%d)" % (PLAIN[int(r[3] * len(PLAIN))], number),
                  author={"name": author[0], "email": author[1]}, creator=user(*author),
                  created_at=created, jobs=make_jobs("extra-%d" % i, "release", created, rng,
                                                      "test" if outcome == "test-failed" else None))
        p.builds[number] = b
        p.advance(b, now)
        if outcome == "blocked-gate":
            j = b.job("build-amis")
            p.unblock(b, j, ALICE, {}, j.runnable_at + 600)
            p.advance(b, now)
        b.static = True
    p.effects = effects


def seed(clock, effects):
    """Build the scenario as of clock.anchor; returns a Pipeline."""
    rng, now = random.Random(4100), clock.anchor
    p = Pipeline(clock, effects)
    offset = number_offset()
    effects.seeding = True
    for n in range(FIRST_BUILD, LAST_BUILD + 1):
        s = _spec(n, rng, now)
        fail, unblocks = _OUTCOME_PLAN.get(s["outcome"], (None, ()))
        fail = s["fail"] or fail
        created = round(now - s["age"], 3)
        commit = p.builds[s["rebuild_of"] + offset].commit if s.get("rebuild_of") else \
            hashlib.sha1(("commit/%d" % n).encode()).hexdigest()
        b = Build(number=n + offset, id=sid("build", n), branch=s["branch"], commit=commit, message=s["message"],
                  author={"name": s["author"][0], "email": s["author"][1]},
                  creator=user(*s["author"]), created_at=created, source=s["source"],
                  jobs=make_jobs(n, "release" if s["branch"] == "main" else "alpha", created, rng,
                                 fail, s["queue"]),
                  rebuilt_from=s.get("rebuild_of") and s["rebuild_of"] + offset,
                  legacy_blocked_state=s.get("legacy_blocked_state", False))
        p.builds[n + offset] = b
        for step, delay in zip(unblocks, s["delays"]):
            p.advance(b, now)
            j = b.job(b.gate if step == "gate" else step)
            if not (j.state == "blocked" and j.unblockable) or j.runnable_at + delay >= now:
                break
            fields = {RELEASE_FIELD: s["release"] or "2026.09.%d" % (n - FIRST_BUILD)} if j.fields else {}
            p.unblock(b, j, ALICE if step == "build-amis" else BOB, fields, j.runnable_at + delay)
        p.advance(b, now)
        if s["outcome"] == "canceled":
            j = b.job("build-amis")
            if j.unblockable and j.runnable_at + 7200 < now:
                p.cancel(b, j.runnable_at + 7200)
    if EXTRA_BUILDS:
        _seed_extra(p, now, offset)
    effects.seeding = False
    return p
