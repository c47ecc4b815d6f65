"""What the simulated pipeline *does* outside Buildkite: the seam to the AWS side.

The Buildkite simulator (scenario.Pipeline) calls one method here whenever a job with
an external effect finishes:

  amis_built(build)              "Build AMIs" passed: AMIs registered in each region,
                                 templates uploaded under <COMMIT>/readyset/templates/
                                 in the internal bucket.
  alpha_deployed(build)          alpha "Deploy" passed: AMIs copied, templates written
                                 under alpha/<COMMIT>/ in the public bucket.
  release_deployed(build, name)  release "Deploy" passed: templates under <RELEASE>/.
  deploy_failed(build, step)     "Build AMIs" (step "build-amis") or "Deploy" (step
                                 "alpha" / "release") failed.

For now each call only appends an entry to an in-memory events log (served at
GET /_sandbox/events).  A later issue subclasses or extends this class to make the
same calls against moto (EC2 RegisterImage/ModifyImageAttribute, S3 PutObject).
Calls happen with the sandbox lock held, both while seeding the historical scenario
(`seeding` is True then, entries carry "seeded": true) and live.  `t` is the
simulated instant the job finished, not the wall-clock time of the call.
"""
import threading


class PipelineEffects:
    def __init__(self):
        self.seeding = False
        self._events = []
        self._lock = threading.Lock()

    def _log(self, effect, build, **extra):
        job = next((j for j in reversed(build.jobs) if j.finished_at is not None and j.effect), None)
        entry = {"t": job.finished_at if job else None, "effect": effect, "commit": build.commit,
                 "build": build.number, "branch": build.branch, "seeded": self.seeding}
        entry.update(extra)
        with self._lock:
            self._events.append(entry)

    def amis_built(self, build):
        self._log("amis_built", build)

    def alpha_deployed(self, build):
        self._log("alpha_deployed", build)

    def release_deployed(self, build, name):
        self._log("release_deployed", build, release=name)

    def deploy_failed(self, build, step):
        self._log("deploy_failed", build, step=step)

    def events(self):
        with self._lock:
            return list(self._events)
