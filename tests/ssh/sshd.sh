#!/bin/sh
# tests/ssh/sshd.sh - a real OpenSSH sshd on loopback for the SSH tests.
#
#   sh tests/ssh/sshd.sh start DIR   start it; prints KEY=VALUE lines
#   sh tests/ssh/sshd.sh stop DIR    stop it (safe when not running)
#
# One sshd, running as the current user, plays both hosts of a super stack:
# the bastion on 127.0.0.1 and the private host on 127.0.0.2 (Linux routes
# all of 127.0.0.0/8 to lo), same port, public-key login only.  DIR gets a
# fresh host key, a fresh client key pair, authorized_keys, known_hosts,
# sshd_config, sshd.pid and sshd.log.  `start` prints
#   SSHD_PORT=...  SSHD_KEY=DIR/id_ed25519  SSHD_KNOWN_HOSTS=DIR/known_hosts
#   SSHD_USER=...  SSHD_PID=...  SSHD_DIR=DIR
# and exits 0 only when both addresses accept connections.  It exits non-zero
# with a message when sshd (Debian: openssh-server) or ssh-keygen
# (openssh-client) is missing: a test that needs it must then fail, not skip.
#
# Needs: /usr/sbin/sshd, ssh-keygen, python3 (picks a free port and waits
# for it).  As root, sshd also needs its privilege-separation directory
# /run/sshd, which is created when missing (as the Debian service does).
set -u

SSHD=${RELCON_SSHD:-/usr/sbin/sshd}

die() {
	echo "sshd.sh: $*" >&2
	exit 1
}

usage() {
	echo "usage: sh tests/ssh/sshd.sh start|stop DIR" >&2
	exit 2
}

[ $# -eq 2 ] || usage
cmd=$1
dir=$2
case $dir in
/*) ;;
*) dir=$(pwd)/$dir ;;
esac

# Is port $1 accepting connections on 127.0.0.1 and 127.0.0.2?
accepts() {
	python3 - "$1" <<'PY' 2>/dev/null
import socket, sys
port = int(sys.argv[1])
for host in ("127.0.0.1", "127.0.0.2"):
    s = socket.create_connection((host, port), timeout=1)
    s.close()
PY
}

free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

stop() {
	[ -f "$dir/sshd.pid" ] || return 0
	pid=$(cat "$dir/sshd.pid" 2>/dev/null)
	rm -f "$dir/sshd.pid"
	case $pid in
	'' | *[!0-9]*) return 0 ;;
	esac
	kill -TERM "$pid" 2>/dev/null || return 0
	i=0
	while kill -0 "$pid" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -ge 50 ]; then # 5 s
			kill -KILL "$pid" 2>/dev/null
			break
		fi
		sleep 0.1
	done
	return 0
}

start() {
	[ -x "$SSHD" ] || die "$SSHD not found: install openssh-server (Debian: apt-get install openssh-server)"
	command -v ssh-keygen >/dev/null 2>&1 || die "ssh-keygen not found: install openssh-client"
	command -v python3 >/dev/null 2>&1 || die "python3 not found"
	mkdir -p "$dir" || die "cannot create $dir"
	stop
	rm -f "$dir/host_ed25519" "$dir/host_ed25519.pub" "$dir/id_ed25519" "$dir/id_ed25519.pub"
	ssh-keygen -q -t ed25519 -N '' -C relcon-test-host -f "$dir/host_ed25519" </dev/null ||
		die "ssh-keygen failed (host key)"
	ssh-keygen -q -t ed25519 -N '' -C relcon-test-client -f "$dir/id_ed25519" </dev/null ||
		die "ssh-keygen failed (client key)"
	cp "$dir/id_ed25519.pub" "$dir/authorized_keys"
	chmod 600 "$dir/id_ed25519" "$dir/authorized_keys" "$dir/host_ed25519"
	if [ "$(id -u)" = 0 ] && [ ! -d /run/sshd ]; then
		{ mkdir -p /run/sshd && chmod 755 /run/sshd; } || die "cannot create /run/sshd"
	fi
	user=$(id -un)
	hostkey=$(cut -d' ' -f1-2 "$dir/host_ed25519.pub")

	attempt=0
	while :; do
		attempt=$((attempt + 1))
		[ $attempt -le 5 ] || die "sshd did not start; last log:
$(tail -n 20 "$dir/sshd.log" 2>/dev/null)"
		port=$(free_port) || die "cannot find a free port"
		cat >"$dir/sshd_config" <<EOF
# Written by tests/ssh/sshd.sh for relcon's SSH tests.
Port $port
ListenAddress 127.0.0.1
ListenAddress 127.0.0.2
HostKey $dir/host_ed25519
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
AllowUsers $user
StrictModes no
UsePAM no
AllowTcpForwarding yes
PermitTunnel no
X11Forwarding no
PrintMotd no
PrintLastLog no
LogLevel VERBOSE
MaxStartups 100
MaxSessions 50
LoginGraceTime 20
EOF
		: >"$dir/sshd.log"
		# Daemon mode: sshd forks, writes PidFile, logs to sshd.log; what it
		# says before the log is open (a bad config) goes to sshd.start.
		if ! "$SSHD" -f "$dir/sshd_config" -E "$dir/sshd.log" </dev/null >"$dir/sshd.start" 2>&1; then
			if cat "$dir/sshd.start" "$dir/sshd.log" | grep -q "Address already in use\|Cannot bind"; then
				continue # lost the port to someone else: pick another
			fi
			die "sshd failed to start:
$(cat "$dir/sshd.start" "$dir/sshd.log" | tail -n 20)"
		fi
		i=0
		while ! accepts "$port"; do
			i=$((i + 1))
			if [ $i -ge 100 ]; then # 10 s
				stop
				die "sshd did not accept connections on port $port within 10 s:
$(tail -n 20 "$dir/sshd.log")"
			fi
			sleep 0.1
		done
		break
	done
	pid=$(cat "$dir/sshd.pid" 2>/dev/null)
	{
		echo "[127.0.0.1]:$port $hostkey"
		echo "[127.0.0.2]:$port $hostkey"
	} >"$dir/known_hosts"
	echo "SSHD_PORT=$port"
	echo "SSHD_KEY=$dir/id_ed25519"
	echo "SSHD_KNOWN_HOSTS=$dir/known_hosts"
	echo "SSHD_USER=$user"
	echo "SSHD_PID=$pid"
	echo "SSHD_DIR=$dir"
}

case $cmd in
start) start ;;
stop) stop ;;
*) usage ;;
esac
