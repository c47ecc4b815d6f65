#!/bin/sh
# relcon sandbox control.
#   sandbox/ctl.sh start STATE_DIR [sandbox.py args...]
#       Start sandbox.py in the background (log: STATE_DIR/sandbox.log), wait up to 30 s for
#       STATE_DIR/sandbox.ready.json (written once Buildkite and AWS serve and the AWS world is
#       seeded) and print eval-able assignments, one a line:
#         RELCON_BUILDKITE_ENDPOINT=... BUILDKITE_API_TOKEN=... BUILDKITE_ORGANIZATION_SLUG=...
#         RELCON_PIPELINE=... RELCON_IP_URL=... (the checkip stand-in) SANDBOX_PID=...
#       and, unless --no-aws is given:
#         AWS_ENDPOINT_URL=http://localhost:PORT AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=...
#         AWS_REGION=us-east-2 AWS_DEFAULT_REGION=us-east-2 RELCON_LOCALS_PATH=/abs/locals.pkr.hcl
#       e.g.  set -a; eval "$(sandbox/ctl.sh start "$dir")"; set +a
#   sandbox/ctl.sh stop STATE_DIR
#       SIGTERM the sandbox started there, wait up to 10 s (then SIGKILL and fail).
set -u
here=$(cd "$(dirname "$0")" && pwd)
PYTHON=${PYTHON:-python3}

die() {
	echo "sandbox/ctl.sh: $*" >&2
	if [ -n "${log:-}" ] && [ -f "$log" ]; then
		echo "--- last lines of $log ---" >&2
		tail -n 20 "$log" >&2
	fi
	exit 1
}

usage() {
	echo "usage: $0 start STATE_DIR [sandbox.py args...] | stop STATE_DIR" >&2
	exit 2
}

# alive PID: the process exists and is not a zombie.
alive() {
	kill -0 "$1" 2>/dev/null || return 1
	if [ -r "/proc/$1/stat" ]; then
		st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
		[ "$st" != Z ] || return 1
	fi
	return 0
}

[ $# -ge 2 ] || usage
cmd=$1 dir=$2
shift 2
ready="$dir/sandbox.ready.json" log="$dir/sandbox.log" pidf="$dir/sandbox.pid"

case "$cmd" in
start)
	mkdir -p "$dir" || die "cannot create $dir"
	if [ -f "$pidf" ] && alive "$(cat "$pidf")"; then
		die "a sandbox is already running from $dir (pid $(cat "$pidf")); run: $0 stop $dir"
	fi
	rm -f "$ready" "$pidf"
	# Both the access log (--log) and stray stdout/stderr append to the same file.
	# shellcheck disable=SC2094
	"$PYTHON" "$here/sandbox.py" --ready-file "$ready" --log "$log" "$@" >>"$log" 2>&1 </dev/null &
	pid=$!
	echo "$pid" >"$pidf"
	i=0
	while [ ! -s "$ready" ]; do
		alive "$pid" || die "sandbox exited during startup (pid $pid)"
		i=$((i + 1))
		[ $i -le 300 ] || { kill -TERM "$pid" 2>/dev/null; die "sandbox not ready after 30 s"; }
		sleep 0.1
	done
	"$PYTHON" - "$ready" <<'PY' || die "cannot read $ready"
import json, shlex, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
for k, v in (("RELCON_BUILDKITE_ENDPOINT", r["buildkite"]), ("BUILDKITE_API_TOKEN", r["token"]),
             ("BUILDKITE_ORGANIZATION_SLUG", r["org"]), ("RELCON_PIPELINE", r["pipeline"]),
             ("RELCON_IP_URL", r["buildkite"] + "/_sandbox/checkip"), ("SANDBOX_PID", r["pid"])):
    print("%s=%s" % (k, shlex.quote(str(v))))
if "aws" in r:
    for k, v in (("AWS_ENDPOINT_URL", r["aws_endpoint_url"]), ("AWS_ACCESS_KEY_ID", r["aws_access_key_id"]),
                 ("AWS_SECRET_ACCESS_KEY", r["aws_secret_access_key"]), ("AWS_REGION", r["aws_region"]),
                 ("AWS_DEFAULT_REGION", r["aws_region"]), ("RELCON_LOCALS_PATH", r["locals_path"])):
        print("%s=%s" % (k, shlex.quote(str(v))))
PY
	;;
stop)
	if [ ! -f "$pidf" ]; then
		echo "sandbox/ctl.sh: no sandbox pid file in $dir; nothing to stop" >&2
		exit 0
	fi
	pid=$(cat "$pidf")
	case "$pid" in '' | *[!0-9]*) die "bad pid file $pidf" ;; esac
	if ! alive "$pid"; then
		rm -f "$pidf" "$ready"
		echo "sandbox/ctl.sh: sandbox (pid $pid) was not running" >&2
		exit 0
	fi
	kill -TERM "$pid" 2>/dev/null
	i=0
	while alive "$pid"; do
		i=$((i + 1))
		if [ $i -gt 100 ]; then
			kill -KILL "$pid" 2>/dev/null
			die "sandbox (pid $pid) did not exit within 10 s of SIGTERM; killed"
		fi
		sleep 0.1
	done
	rm -f "$pidf" "$ready"
	;;
*)
	usage
	;;
esac
