#!/bin/sh
# `s` on the stack screen, in a real terminal (tmux), against a real sshd on
# loopback (tests/ssh/sshd.sh: the bastion on 127.0.0.1, the monitor host on
# 127.0.0.2) and a super-stack made in the sandbox: the console steps aside
# (normal screen), the remote shell runs a command, and when it ends -- or
# when ssh fails (wrong port in the config) or the remote shell exits
# non-zero -- the console is back as it was: its screen redrawn, the status
# line saying how it went, the alternate screen, keypad and cursor modes and
# the tty's termios exactly as before `s`, and keys working (Down, which
# depends on the keypad mode, and ?).
# Needs RELCON_BIN, the sandbox's variables (tests/run.sh sets them),
# openssh-server and python3 with boto3 (the sandbox's).  A missing sshd is a
# failure, not a skip.
set -u
bin=${RELCON_BIN:?}
top=$(cd "$(dirname "$0")/../.." && pwd)
sock="relcon-ssh-test-$$"
dir=$(mktemp -d /tmp/relcon-tmux-ssh.XXXXXX)
stack=alice-tmux
fails=0
# shellcheck source=tests/tmux/lib.sh
. "$top/tests/tmux/lib.sh"

cleanup() {
	T kill-server >/dev/null 2>&1
	sh "$top/tests/ssh/sshd.sh" stop "$dir/sshd" >/dev/null 2>&1
	# Back to the scenario's frozen instant, without the stack, for what runs next.
	sandbox_post /_sandbox/reset '{}' >/dev/null 2>&1
	rm -rf "$dir"
}
trap cleanup EXIT

: "${RELCON_BUILDKITE_ENDPOINT:?the sandbox is not running (tests/run.sh starts it)}"
: "${AWS_ENDPOINT_URL:?the sandbox has no AWS side}"

# Wait (bounded, 10 s) until a tmux format has the value.
wait_format() { # FORMAT VALUE
	i=0
	while [ $i -lt 100 ]; do
		[ "$(T display -p -t t "$1" 2>/dev/null)" = "$2" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "--- $1 is $(T display -p -t t "$1" 2>/dev/null), not $2"
	return 1
}

# Wait (bounded, 15 s) until sshd has started N shell sessions.
wait_sessions() {
	i=0
	while [ $i -lt 150 ]; do
		n=$(grep -c 'Starting session: shell' "$dir/sshd/sshd.log" 2>/dev/null)
		[ "${n:-0}" -ge "$1" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "--- sshd.log:"
	tail -n 20 "$dir/sshd/sshd.log" 2>/dev/null
	return 1
}

# The terminal's state as the console leaves it: tmux's view of the modes
# relcon sets (alternate screen, cursor-key and keypad application modes,
# cursor visibility) and the tty's termios.
term_state() {
	tty=$(T display -p -t t '#{pane_tty}')
	printf 'alternate_on=%s keypad_cursor=%s keypad=%s cursor=%s termios=%s' \
		"$(T display -p -t t '#{alternate_on}')" "$(T display -p -t t '#{keypad_cursor_flag}')" \
		"$(T display -p -t t '#{keypad_flag}')" "$(T display -p -t t '#{cursor_flag}')" \
		"$(stty -F "$tty" -g 2>&1)"
}

# After ssh: the console is back exactly as it was before `s`.
check_restored() { # LABEL STATE_BEFORE
	if T capture-pane -p -t t | head -1 | grep -q "Stack $stack" && wait_for "CREATE_COMPLETE" >/dev/null &&
		wait_for "Hosts" >/dev/null; then
		ok "$1: the stack screen is redrawn"
	else
		not_ok "$1: the stack screen is not back"
		T capture-pane -p -t t
	fi
	if T capture-pane -p -t t | grep -q 'SSH-MARK\|relcon: ssh '; then
		not_ok "$1: the ssh session's text is left on the console's screen"
	else
		ok "$1: nothing of the ssh session left on the screen"
	fi
	after=$(term_state)
	if [ "$after" = "$2" ]; then
		ok "$1: alternate screen, keypad, cursor and tty modes as before ($after)"
	else
		not_ok "$1: terminal not restored: before [$2] after [$after]"
	fi
	# Down arrives as ESC O B only in keypad (cursor-key application) mode;
	# without it tmux sends ESC [ B, which relcon reads as ESC (back).
	T send-keys -t t Down
	sleep 0.5
	if T capture-pane -p -t t | head -1 | grep -q "Stack $stack"; then
		ok "$1: Down is a key (the stack screen stays)"
	else
		not_ok "$1: Down was not read as a key (keypad mode lost): $(T capture-pane -p -t t | head -1)"
	fi
	T send-keys -t t '?'
	if wait_for "Show keys and commands" >/dev/null; then
		ok "$1: ? opens help"
	else
		not_ok "$1: ? does not open help"
	fi
	T send-keys -t t q
	wait_for "Stack $stack" >/dev/null || not_ok "$1: q does not close help"
}

# A real sshd on loopback, with a fresh key pair in $dir/sshd.
if ! sh "$top/tests/ssh/sshd.sh" start "$dir/sshd" >"$dir/sshd.env" 2>"$dir/sshd.err"; then
	cat "$dir/sshd.err"
	not_ok "sshd starts (tests/ssh/sshd.sh)"
	echo "tmux-ssh: $fails failure(s)"
	exit 1
fi
# shellcheck disable=SC1091
. "$dir/sshd.env"
ok "sshd on 127.0.0.1 and 127.0.0.2, port $SSHD_PORT"

# A MySQL super-stack of build 4155's commit (bastion EIP 127.0.0.1, monitor
# host 127.0.0.2), complete on the frozen clock: what the UI tests make.
if sandbox_post /_sandbox/reset '{}' &&
	(cd "$top" && python3 -c 'import sys; sys.path.insert(0, "tests/ui"); import run_ui; run_ui.super_stack(*sys.argv[1:3])' \
		"$stack" alice-tmux); then
	ok "super-stack $stack created in the sandbox"
else
	not_ok "super-stack created in the sandbox"
	echo "tmux-ssh: $fails failure(s)"
	exit 1
fi

# ssh.* pointing at that sshd.  Host keys are checked (against its
# known_hosts); BatchMode so that a mistake fails instead of prompting.
write_config() { # FILE PORT
	cat >"$1" <<YAML
aws:
  sandbox_accounts: ["123456789012"]
ssh:
  bastion_user: $SSHD_USER
  user: $SSHD_USER
  identity_file: $SSHD_KEY
  port: $2
  options: ["UserKnownHostsFile=$SSHD_KNOWN_HOSTS", "StrictHostKeyChecking=yes", "IdentitiesOnly=yes", "BatchMode=yes", "ConnectTimeout=5"]
YAML
}
write_config "$dir/good.yaml" "$SSHD_PORT"
write_config "$dir/bad.yaml" 9 # nothing listens there

cat >"$dir/run.sh" <<SH
#!/bin/sh
HOME="$dir" XDG_CONFIG_HOME="$dir/config" XDG_STATE_HOME="$dir/state" XDG_CACHE_HOME="$dir/cache" \
	RELCON_CONFIG="\$1" AWS_CONFIG_FILE="$dir/none" AWS_SHARED_CREDENTIALS_FILE="$dir/none" "$bin"
echo "exit=\$?" > "$dir/exit"
echo RELCON-DONE
sleep 60
SH
chmod +x "$dir/run.sh"

open_stack() { # LABEL
	if wait_for "Builds  branch" >/dev/null; then
		T send-keys -t t ":stack $stack" Enter
		if wait_for "Stack $stack" && wait_for "SSH    ssh " && wait_for "CREATE_COMPLETE"; then
			ok "$1: :stack $stack opens the stack screen with its SSH route"
			return 0
		fi
	fi
	not_ok "$1: stack screen"
	return 1
}

# 1. A session that ends normally.
T -f /dev/null new-session -d -s t -x 120 -y 30 "sh $dir/run.sh $dir/good.yaml"
if open_stack "session"; then
	before=$(term_state)
	case "$before" in
	alternate_on=1\ keypad_cursor=1\ *) ok "console in the alternate screen and keypad mode before s" ;;
	*) not_ok "console modes before s: $before" ;;
	esac
	T send-keys -t t s
	if wait_format '#{alternate_on}' 0 && wait_for "relcon: ssh " >/dev/null; then
		ok "s: the console steps aside (normal screen) and shows the route"
	else
		not_ok "s: the console did not step aside"
	fi
	if wait_sessions 1; then
		ok "s: a shell session on the monitor host (127.0.0.2) through the bastion"
		# Leading space and no history file: nothing written to the remote
		# ~/.bash_history.  The remote shell computes 42 (not an echo of what was typed).
		# shellcheck disable=SC2016
		T send-keys -t t ' unset HISTFILE; echo SSH-MARK-$((6*7))' Enter
		if wait_for "SSH-MARK-42" >/dev/null; then
			ok "the remote shell runs a command (SSH-MARK-42)"
		else
			not_ok "no SSH-MARK-42 from the remote shell"
			T capture-pane -p -t t
		fi
		T send-keys -t t ' exit' Enter
	else
		not_ok "s: no shell session started"
		T capture-pane -p -t t
	fi
	if wait_for "ssh: session ended" >/dev/null && bottom_line | grep -q "ssh: session ended"; then
		ok "status line: ssh: session ended"
	else
		not_ok "status line after the session: $(bottom_line)"
	fi
	check_restored "after the session" "$before"

	# 2. The remote shell exits non-zero.
	before=$(term_state)
	T send-keys -t t s
	if wait_sessions 2; then
		T send-keys -t t ' unset HISTFILE; exit 3' Enter
	else
		not_ok "second s: no shell session started"
	fi
	if wait_for "exited with status 3" >/dev/null &&
		bottom_line | grep -q "ssh: the remote shell or command exited with status 3"; then
		ok "status line: the remote shell's exit status"
	else
		not_ok "status line after exit 3: $(bottom_line)"
	fi
	check_restored "after exit 3" "$before"
fi
T send-keys -t t q q
if wait_for RELCON-DONE >/dev/null && grep -q "exit=0" "$dir/exit" 2>/dev/null &&
	[ "$(T display -p -t t '#{alternate_on}')" = 0 ]; then
	ok "q q quits, exit 0, alternate screen left"
else
	not_ok "quitting after ssh: $(cat "$dir/exit" 2>/dev/null)"
fi

# 3. ssh fails: the configured port is wrong.
T respawn-pane -k -t t "sh $dir/run.sh $dir/bad.yaml"
if open_stack "wrong port"; then
	before=$(term_state)
	T send-keys -t t s
	if wait_for "ssh could not connect" >/dev/null &&
		bottom_line | grep -q "^ *ssh could not connect (exit 255)"; then
		ok "wrong port: the status line shows ssh's error"
	else
		not_ok "wrong port: status line: $(bottom_line)"
	fi
	check_restored "after the failed ssh" "$before"
fi
T send-keys -t t q q
if ! wait_for RELCON-DONE >/dev/null || ! grep -q "exit=0" "$dir/exit" 2>/dev/null; then
	not_ok "quit after the failed ssh: $(cat "$dir/exit" 2>/dev/null)"
fi

echo "tmux-ssh: $fails failure(s)"
[ $fails -eq 0 ]
