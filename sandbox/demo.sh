#!/bin/sh
# make demo: start the sandbox on free loopback ports, open the console on
# it, and stop the sandbox when the console exits (whatever way it exits).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
state=$(mktemp -d /tmp/relcon-demo.XXXXXX)
cleanup() {
	sh "$top/sandbox/ctl.sh" stop "$state" >/dev/null 2>&1
	rm -rf "$state"
}
trap cleanup EXIT INT TERM HUP
if ! env=$(sh "$top/sandbox/ctl.sh" start "$state"); then
	echo "demo: the sandbox did not start" >&2
	exit 1
fi
set -a
eval "$env"
set +a
echo "demo: sandbox Buildkite at $RELCON_BUILDKITE_ENDPOINT (token is a sandbox token)"
[ -z "${AWS_ENDPOINT_URL:-}" ] || echo "demo: sandbox AWS at $AWS_ENDPOINT_URL (sandbox credentials, region $AWS_REGION)"
# The demo must not pick up the user's own configuration, token or AWS
# files; the sandbox's AWS account (moto's) is a sandbox account.
cat >"$state/config.yaml" <<'YAML'
aws:
  sandbox_accounts: ["123456789012"]
YAML
RELCON_CONFIG="$state/config.yaml" AWS_CONFIG_FILE="$state/none" AWS_SHARED_CREDENTIALS_FILE="$state/none" "$top/relcon" "$@"
