#!/usr/bin/env python3
"""Scripted UI tests: each tests/ui/NAME.script drives the real console
(RELCON_NO_DISPLAY=1, RELCON_SCRIPT) against the frozen-clock sandbox and
dumps screens with ":dump-screen FILE"; every dump must equal
tests/ui/golden/FILE.  UPDATE_GOLDEN=1 rewrites the golden files instead.

Environment pinned: 30x120 (scripts may @resize), TZ=UTC, LANG=C.UTF-8,
RELCON_NOW, HOME and XDG_* in a temporary directory.  Needs RELCON_BIN and
the sandbox variables (tests/run.sh sets them).  Arguments, when given, name
the scripts to run (without ".script")."""
import difflib
import os
import re
import subprocess
import sys
import tempfile
import urllib.request

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(HERE, "golden")
NOW = "2026-11-24T12:00:00Z"


def run_script(binary, script, workdir, extra_env=None):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("XDG_", "RELCON_SCRIPT", "RELCON_CONFIG", "NO_COLOR"))}
    env.update({
        "RELCON_NO_DISPLAY": "1",
        "RELCON_SCRIPT": script,
        "RELCON_NOW": NOW,
        "LINES": "30",
        "COLUMNS": "120",
        "TERM": "xterm-256color",
        "TZ": "UTC",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "HOME": workdir,
        "XDG_CONFIG_HOME": os.path.join(workdir, "config"),
        "XDG_STATE_HOME": os.path.join(workdir, "state"),
        "XDG_CACHE_HOME": os.path.join(workdir, "cache"),
        # The sandbox's AWS account is a sandbox account (green banner).
        "RELCON_CONFIG": os.path.join(HERE, "config.yaml"),
        # The binary under test may live in build/*/, away from themes/.
        "RELCON_THEMES_DIR": os.path.join(os.path.dirname(os.path.dirname(HERE)), "themes"),
    })
    env.update(extra_env or {})
    return subprocess.run([binary], cwd=workdir, env=env, capture_output=True, text=True, timeout=120)


def write_config(workdir, changes):
    """config.yaml with changes ({"ui.mouse": 1}) applied, written in workdir;
    returns its path."""
    with open(os.path.join(HERE, "config.yaml")) as f:
        doc = yaml.safe_load(f) or {}
    for key, value in changes.items():
        section, _, name = key.partition(".")
        doc.setdefault(section, {})[name] = value
    path = os.path.join(workdir, "config.yaml")
    with open(path, "w") as f:
        yaml.safe_dump(doc, f)
    return path


def reset_sandbox():
    """Every script starts from the same scenario and rate-limit window."""
    req = urllib.request.Request(os.environ["RELCON_BUILDKITE_ENDPOINT"] + "/_sandbox/reset", data=b"{}",
                                 method="POST")
    urllib.request.urlopen(req, timeout=10).read()


def sandbox_fault(spec):
    req = urllib.request.Request(os.environ["RELCON_BUILDKITE_ENDPOINT"] + "/_sandbox/faults", data=spec.encode(),
                                 method="POST", headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=10).read()


def super_stack(name, deployment, expires="2026-11-24T20:00:00Z", advance=True):
    """Create a MySQL super-stack of build 4155's commit in the sandbox and move
    the frozen clock past its creation (for the stacks and stack screens);
    advance=False leaves it being created."""
    import boto3
    cfn = boto3.client("cloudformation", region_name="us-east-2", endpoint_url=os.environ["AWS_ENDPOINT_URL"],
                       aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
                       aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"])
    url = ("%s/readysettech-cfn-internal-us-east-2/af0840d92bcd15f9f99682d5e8fcad12f6319fb8/"
           "readyset/templates/readyset-mysql-super-template.yaml" % os.environ["AWS_ENDPOINT_URL"])
    params = {"KeyPairName": "alice", "AvailabilityZones": "us-east-2a,us-east-2b,us-east-2c",
              "AccessCIDR": "127.0.0.1/32", "ReadySetDeploymentName": deployment,
              "SSMParameterKmsKeyArn": "arn:aws:kms:us-east-2:123456789012:key/00000000-0000-0000-0000-000000000000"}
    cfn.create_stack(StackName=name, TemplateURL=url, Capabilities=["CAPABILITY_IAM"],
                     Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in params.items()],
                     Tags=[{"Key": "created-by", "Value": "relcon"},
                           {"Key": "owner", "Value": "arn:aws:iam::123456789012:user/relcon-sandbox"},
                           {"Key": "commit", "Value": "af0840d92bcd15f9f99682d5e8fcad12f6319fb8"},
                           {"Key": "relcon:expires-at", "Value": expires}])
    if not advance:
        return
    req = urllib.request.Request(os.environ["RELCON_BUILDKITE_ENDPOINT"] + "/_sandbox/advance",
                                 data=b'{"seconds": 300}', method="POST", headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=30).read()


def main():
    binary = os.environ["RELCON_BIN"]
    update = os.environ.get("UPDATE_GOLDEN") == "1"
    failures = 0
    count = 0
    scripts = sorted(f for f in os.listdir(HERE) if f.endswith(".script"))
    if sys.argv[1:]:  # only these: run_ui.py clip stacks
        scripts = [f for f in scripts if f[:-len(".script")] in sys.argv[1:]]
    for name in scripts:
        reset_sandbox()
        with tempfile.TemporaryDirectory(prefix="relcon-ui-") as work:
            env = {}
            config = {}
            keymap = []
            # Leading directives: "#env K=V ...", "#sandbox-fault {json}",
            # "#super-stack NAME DEPLOYMENT [EXPIRES-AT]", "#config KEY VALUE"
            # (a key of config.yaml changed for this script: "#config ui.mouse 1")
            # and "#keymap LINE" (a line of the keymap file in the config directory).
            with open(os.path.join(HERE, name)) as f:
                for line in f:
                    if line.startswith("#config "):
                        key, _, value = line[len("#config "):].strip().partition(" ")
                        config[key] = yaml.safe_load(value)
                    elif line.startswith("#keymap "):
                        keymap.append(line[len("#keymap "):].rstrip("\n"))
                    elif line.startswith("#env "):
                        for pair in line[5:].split():
                            k, _, v = pair.partition("=")
                            env[k] = v
                    elif line.startswith("#sandbox-fault "):
                        sandbox_fault(line[len("#sandbox-fault "):])
                    elif line.startswith("#super-stack "):
                        super_stack(*line.split()[1:4])
            if config:
                env["RELCON_CONFIG"] = write_config(work, config)
            if keymap:
                os.makedirs(os.path.join(work, "config", "relcon"))
                with open(os.path.join(work, "config", "relcon", "keymap"), "w") as f:
                    f.write("\n".join(keymap) + "\n")
            r = run_script(binary, os.path.join(HERE, name), work, env)
            count += 1
            if r.returncode != 0:
                print(f"FAIL {name}: exit {r.returncode}\n{r.stderr}")
                failures += 1
                continue
            dumps = sorted(f for f in os.listdir(work) if f.endswith(".txt"))
            if not dumps:
                print(f"FAIL {name}: no screen dumps")
                failures += 1
                continue
            for d in dumps:
                with open(os.path.join(work, d), encoding="utf-8") as f:
                    got = f.read()
                # The sandbox's port changes from run to run (always 5 digits,
                # from the ephemeral range): the one environment-dependent text.
                # A dialog may cover the end of one: a visible prefix of the port counts too.
                for var, host in (("RELCON_BUILDKITE_ENDPOINT", "127.0.0.1"), ("AWS_ENDPOINT_URL", "localhost")):
                    if os.environ.get(var):
                        port = os.environ[var].rsplit(":", 1)[1]
                        got = re.sub(re.escape(host) + r":(\d+)",
                                     lambda m: (host + ":" + "P" * len(m.group(1))
                                                if port.startswith(m.group(1)) else m.group(0)), got)
                # A launch's ClientRequestToken is random by design.
                got = re.sub(r"relcon-launch-[0-9a-f]{32}", "relcon-launch-" + "T" * 32, got)
                # How long a request took (the command log's details; drawn in
                # the normal role, so the role grid does not change with it).
                got = re.sub(r"\bin \d+ ms\b", "in N ms", got)
                path = os.path.join(GOLDEN, d)
                if update:
                    with open(path, "w", encoding="utf-8") as f:
                        f.write(got)
                    print(f"updated {d}")
                    continue
                if not os.path.exists(path):
                    print(f"FAIL {name}: no golden file {d} (run with UPDATE_GOLDEN=1 and review it)")
                    failures += 1
                    continue
                with open(path, encoding="utf-8") as f:
                    want = f.read()
                if got != want:
                    failures += 1
                    print(f"FAIL {name}: {d} differs from the golden screen")
                    sys.stdout.writelines(difflib.unified_diff(
                        want.splitlines(True), got.splitlines(True), "golden/" + d, "got/" + d))
                else:
                    print(f"ok {name}: {d}")
    print(f"ui: {count} scripts, {failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
