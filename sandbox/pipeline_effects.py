"""What the simulated pipeline *does* outside Buildkite: the seam to the AWS side.

The Buildkite simulator (scenario.Pipeline) calls one method here whenever a job with
an external effect finishes:

  amis_built(build)              "Build AMIs" passed: AMIs registered in each region,
                                 templates uploaded under <COMMIT>/readyset/templates/
                                 in the internal bucket.
  alpha_deployed(build)          alpha "Deploy" passed: AMIs copied, templates written
                                 under alpha/<COMMIT>/ in the public bucket.
  release_deployed(build, name)  release "Deploy" passed: AMIs copied, templates under
                                 <RELEASE>/ in the public bucket.
  deploy_failed(build, step)     "Build AMIs" (step "build-amis") or "Deploy" (step
                                 "alpha" / "release") failed: nothing is written.

Every call appends an entry to an in-memory events log (GET /_sandbox/events).  With a
`world` (aws_world.World) the call also queues the AWS work, which one worker thread applies
in order through the AWS APIs (boto3 against the sandbox's moto); the entry then carries
"aws": "pending" -> "done" (with "amis": {region: id}) or "error: ...", and "none" for
deploy_failed.  The first queued item is world.prepare() (moto reset, buckets, key pairs),
so a fresh PipelineEffects also resets the AWS world.  Calls happen with the sandbox lock
held, both while seeding the historical scenario (`seeding` is True then, entries carry
"seeded": true) and live; queueing keeps them short, and the AMIs and templates appear a
moment after the job finished.  `t` is the simulated instant the job finished, not the
wall-clock time of the call.  wait_idle() waits until the queue is applied; close() stops
the worker (the item in progress completes, the rest is dropped).
"""
import queue
import threading
import traceback

from aws_world import BuildInfo  # a namedtuple; aws_world imports no AWS libraries


class PipelineEffects:
    def __init__(self, world=None, log=None):
        self.seeding = False
        self.world = world
        self._logf = log
        self._events = []
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._pending = 0
        self._closed = False
        self.errors = []  # "effect: message" for every AWS effect that failed
        if world is not None:
            self._q = queue.Queue()
            self._thread = threading.Thread(target=self._run, name="sandbox-effects", daemon=True)
            self._thread.start()
            self._enqueue(None, world.prepare)

    # --- the seam -------------------------------------------------------------------------
    def _log(self, effect, build, **extra):
        job = next((j for j in reversed(build.jobs) if j.finished_at is not None and j.effect), None)
        entry = {"t": job.finished_at if job else None, "effect": effect, "commit": build.commit,
                 "build": build.number, "branch": build.branch, "seeded": self.seeding}
        entry.update(extra)
        if self.world is not None:
            entry["aws"] = "none" if effect == "deploy_failed" else "pending"
        with self._lock:
            self._events.append(entry)
        return entry

    @staticmethod
    def _info(build):
        return BuildInfo(build.number, build.commit, build.branch)

    def amis_built(self, build):
        e = self._log("amis_built", build)
        if self.world is not None:
            self._enqueue(e, self.world.build_amis, self._info(build))

    def alpha_deployed(self, build):
        e = self._log("alpha_deployed", build)
        if self.world is not None:
            self._enqueue(e, self.world.deploy, self._info(build), "alpha")

    def release_deployed(self, build, name):
        e = self._log("release_deployed", build, release=name)
        if self.world is not None:
            self._enqueue(e, self.world.deploy, self._info(build), "release", name)

    def deploy_failed(self, build, step):
        self._log("deploy_failed", build, step=step)

    def events(self):
        with self._lock:
            return [dict(e) for e in self._events]

    # --- the worker -----------------------------------------------------------------------
    def _enqueue(self, entry, fn, *args):
        with self._lock:
            if self._closed:
                if entry is not None:
                    entry["aws"] = "error: sandbox effects closed"
                return
            self._pending += 1
        self._q.put((entry, fn, args))

    def _run(self):
        while True:
            item = self._q.get()
            if item is None:
                return
            entry, fn, args = item
            with self._lock:
                skip = self._closed
            status, amis = "error: sandbox effects closed", None
            if not skip:
                try:
                    amis = fn(*args)
                    status = "done"
                except Exception as e:  # keep going: one failed effect must not stop the rest
                    status = "error: %s" % e
                    with self._lock:
                        self.errors.append("%s: %s" % (getattr(fn, "__name__", fn), e))
                    if self._logf:
                        self._logf("pipeline effect %s failed: %s" % (getattr(fn, "__name__", fn),
                                                                      traceback.format_exc()))
            with self._lock:
                if entry is not None:
                    entry["aws"] = status
                    if isinstance(amis, dict):
                        entry["amis"] = dict(amis)
                self._pending -= 1
                self._idle.notify_all()

    def wait_idle(self, timeout=None):
        """True once everything queued so far has been applied (always True without a world)."""
        with self._lock:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def close(self, timeout=10):
        """Stop the worker: the item in progress completes, queued ones are dropped."""
        if self.world is None:
            return
        with self._lock:
            self._closed = True
        self._q.put(None)
        self._thread.join(timeout)
