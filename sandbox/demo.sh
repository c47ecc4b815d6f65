#!/bin/sh
# make demo: start the sandbox on free loopback ports, open the console on
# it, and stop the sandbox when the console exits (whatever way it exits).
# With openssh-server installed it also starts a real sshd on loopback
# (tests/ssh/sshd.sh: 127.0.0.1 plays the bastion, 127.0.0.2 the private
# host, as the sandbox's super-stacks say) with a key pair made for the demo,
# so that `s` on a sandbox super-stack logs in (as you, on this machine).
# Everything it makes is in one temporary directory, removed on exit; the
# ssh it runs reads no ~/.ssh (no config, keys or known_hosts of yours).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
state=$(mktemp -d /tmp/relcon-demo.XXXXXX)
cleanup() {
	sh "$top/tests/ssh/sshd.sh" stop "$state/sshd" >/dev/null 2>&1
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

# SSH into the sandbox's super-stacks: one sshd, both addresses, one port
# (ssh.port applies to the bastion and the private hosts alike).
sshd=${RELCON_SSHD:-/usr/sbin/sshd}
if [ ! -x "$sshd" ]; then
	echo "demo: SSH into demo stacks (s on a stack) needs openssh-server (Debian: apt-get install openssh-server)"
elif ! sshd_env=$(RELCON_SSHD=$sshd sh "$top/tests/ssh/sshd.sh" start "$state/sshd" 2>"$state/sshd.err"); then
	echo "demo: the demo sshd did not start, so s on a stack cannot log in: $(tr -s '\n' ' ' <"$state/sshd.err" | cut -c1-300)"
else
	get() { printf '%s\n' "$sshd_env" | sed -n "s/^$1=//p"; }
	port=$(get SSHD_PORT) key=$(get SSHD_KEY) known=$(get SSHD_KNOWN_HOSTS) user=$(get SSHD_USER)
	# The system ssh with -F /dev/null: neither ~/.ssh/config nor
	# /etc/ssh/ssh_config applies (no ControlMaster socket, no IdentityFile
	# of yours).  relcon also uses it for the hop through the bastion.
	mkdir -p "$state/bin"
	printf '#!/bin/sh\nexec ssh -F /dev/null "$@"\n' >"$state/bin/ssh"
	chmod 755 "$state/bin/ssh"
	cat >>"$state/config.yaml" <<YAML
ssh:
  program: $state/bin/ssh
  bastion_user: $user
  user: $user
  identity_file: $key
  port: $port
  options: ["UserKnownHostsFile=$known", "StrictHostKeyChecking=yes", "IdentitiesOnly=yes", "IdentityAgent=none", "ConnectTimeout=5"]
YAML
	echo "demo: sshd on 127.0.0.1 and 127.0.0.2 port $port (demo key $key): s on a sandbox super-stack opens a shell as $user on this machine"
fi
RELCON_CONFIG="$state/config.yaml" AWS_CONFIG_FILE="$state/none" AWS_SHARED_CREDENTIALS_FILE="$state/none" "$top/relcon" "$@"
