#!/bin/sh
# Crash safety, in a real terminal (tmux): relcon is killed in the middle of
# an operation -- a promotion to alpha whose PUT .../unblock the sandbox
# holds (a "slow" fault) -- by SIGTERM, by SIGINT, and by SIGSEGV.  Each
# time the terminal must be given back: the normal screen (not the
# alternate one), the cursor shown, cursor-key and keypad modes off, mouse
# reporting off (ui.mouse is on here), the tty's termios exactly as before
# relcon started, and the shell after it usable (a line typed is read back).
# The audit journal must still parse line by line (at most a torn last
# line), hold the promotion's intent, and `relcon audit --json` must work.
# And the shell must see how relcon ended: killed by the signal, so $? is
# 128 + N -- 143 after SIGTERM, 130 after SIGINT, 139 after SIGSEGV -- as
# for any interrupted program (relcon re-raises the signal once the
# terminal is restored; a plain exit 0 would tell a script all went well).
#
# SIGSEGV three ways: sent with kill(1); a real write through a null
# pointer; and a real stack overflow (the handler then needs a stack of its
# own, sigaltstack) -- the last two in the test build relcon-faulting
# (tests/crash/fault_hook.c: SIGUSR1 and SIGUSR2 make the fault happen on
# relcon's main thread).  Each runs tui/term.c's fatal_handler: reset bytes
# and termios with async-signal-safe calls, then the default action.
# Needs RELCON_FAULTING_BIN for the real faults (tests/run.sh sets it).
# Needs RELCON_BIN and the sandbox's variables (tests/run.sh sets them).
set -u
bin=${RELCON_BIN:?}
top=$(cd "$(dirname "$0")/../.." && pwd)
sock="relcon-crash-test-$$"
dir=$(mktemp -d /tmp/relcon-tmux-crash.XXXXXX)
fails=0
hold=4 # seconds the sandbox holds the PUT unblock
# shellcheck source=tests/tmux/lib.sh
. "$top/tests/tmux/lib.sh"

cleanup() {
	T kill-server >/dev/null 2>&1
	# A held PUT is applied when its delay is over: wait it out, then back
	# to the scenario's frozen instant for what runs next.
	sleep "$hold"
	sandbox_post /_sandbox/reset '{}' >/dev/null 2>&1
	sandbox_delete_faults
	rm -rf "$dir"
}
trap cleanup EXIT

: "${RELCON_BUILDKITE_ENDPOINT:?the sandbox is not running (tests/run.sh starts it)}"

sandbox_delete_faults() {
	python3 - "$RELCON_BUILDKITE_ENDPOINT/_sandbox/faults" <<'PY' >/dev/null 2>&1
import sys, urllib.request
urllib.request.urlopen(urllib.request.Request(sys.argv[1], method="DELETE"), timeout=10).read()
PY
}

# How many PUT .../unblock requests reached the sandbox.
put_unblocks() {
	python3 - "$RELCON_BUILDKITE_ENDPOINT/_sandbox/requests" <<'PY'
import json, sys, urllib.request
log = json.load(urllib.request.urlopen(sys.argv[1], timeout=10))["log"]
print(len([e for e in log if e["route"] == "PUT unblock"]))
PY
}

cat >"$dir/config.yaml" <<YAML
aws:
  sandbox_accounts: ["123456789012"]
ui:
  mouse: 1
http:
  max_attempts: 1
YAML

# The pane: the tty's modes before, relcon in the foreground (its pid
# written first), then the tty's modes after and a line read back.
cat >"$dir/run.sh" <<SH
#!/bin/sh
stty -g > "$dir/stty.before"
HOME="$dir" XDG_CONFIG_HOME="$dir/config" XDG_STATE_HOME="$dir/state" XDG_CACHE_HOME="$dir/cache" \
	RELCON_CONFIG="$dir/config.yaml" RELCON_NOW=2026-11-24T12:00:00Z \
	sh -c 'echo \$\$ > "$dir/pid"; exec "\$(cat "$dir/bin")"'
echo "exit=\$?" > "$dir/exit"
stty -g > "$dir/stty.after"
echo RELCON-DONE
read line
echo "READ-BACK:\$line"
sleep 60
SH
chmod +x "$dir/run.sh"

# The modes relcon sets, as tmux sees them.
modes() {
	printf 'alternate_on=%s cursor=%s keypad_cursor=%s keypad=%s mouse_any=%s mouse_button=%s mouse_standard=%s mouse_sgr=%s' \
		"$(T display -p -t t '#{alternate_on}')" "$(T display -p -t t '#{cursor_flag}')" \
		"$(T display -p -t t '#{keypad_cursor_flag}')" "$(T display -p -t t '#{keypad_flag}')" \
		"$(T display -p -t t '#{mouse_any_flag}')" "$(T display -p -t t '#{mouse_button_flag}')" \
		"$(T display -p -t t '#{mouse_standard_flag}')" "$(T display -p -t t '#{mouse_sgr_flag}')"
}
restored="alternate_on=0 cursor=1 keypad_cursor=0 keypad=0 mouse_any=0 mouse_button=0 mouse_standard=0 mouse_sgr=0"

# The journal: every line JSON (a last line without its newline may be torn).
check_journal() { # LABEL
	if python3 - "$dir/state/relcon/audit.jsonl" <<'PY'; then
import json, sys
data = open(sys.argv[1], encoding="utf-8").read()
lines = data.split("\n")
torn = lines.pop()  # "" when the file ends with a newline
recs = [json.loads(l) for l in lines]
if torn:
    try:
        recs.append(json.loads(torn))
    except ValueError:
        pass  # a write cut short: allowed, last line only
intents = [r for r in recs if r.get("phase") == "intent" and r.get("action") == "promote-alpha"]
assert intents, "no promote-alpha intent in %r" % recs
PY
		ok "$1: the journal parses line by line and holds the promotion's intent"
	else
		not_ok "$1: the journal does not parse: $(cat "$dir/state/relcon/audit.jsonl" 2>&1)"
	fi
	if HOME="$dir" XDG_CONFIG_HOME="$dir/config" XDG_STATE_HOME="$dir/state" RELCON_CONFIG="$dir/config.yaml" \
		"$bin" audit --json >"$dir/audit.json" 2>"$dir/audit.err" &&
		python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert any(r["action"]=="promote-alpha" for r in d), d' \
			"$dir/audit.json"; then
		ok "$1: relcon audit --json reads it"
	else
		not_ok "$1: relcon audit --json: $(cat "$dir/audit.err")"
	fi
}

# One run: the promotion in flight, then the signal (kill -SEND), which ends
# relcon by SIG (exit 128 + N); the binary is BIN.
crash() { # LABEL SEND SIG BIN
	label=$1
	send=$2
	sig=$3
	echo "$4" >"$dir/bin"
	word=$(printf '%s' "$label" | tr -c 'A-Za-z0-9' '-')
	sandbox_post /_sandbox/reset '{}' >/dev/null
	sandbox_delete_faults
	sandbox_post /_sandbox/faults "{\"kind\": \"slow\", \"delay\": $hold, \"method\": \"PUT\", \"path_contains\": \"/unblock\"}"
	rm -rf "$dir/state" "$dir/pid" "$dir/exit" "$dir/stty.before" "$dir/stty.after"
	T respawn-pane -k -t t "sh $dir/run.sh" 2>/dev/null || T -f /dev/null new-session -d -s t -x 120 -y 30 "sh $dir/run.sh"
	if ! wait_for "Builds  branch" >/dev/null; then
		not_ok "$label: the console did not open"
		return
	fi
	puts=$(put_unblocks)
	T send-keys -t t ":build 4154" Enter
	wait_for "Block steps" >/dev/null || not_ok "$label: build 4154's screen"
	sleep 0.5
	T send-keys -t t a
	sleep 0.5
	T send-keys -t t Enter
	sleep 0.5
	T send-keys -t t Tab Enter
	i=0
	while [ $i -lt 100 ] && [ "$(put_unblocks)" -le "$puts" ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if [ "$(put_unblocks)" -gt "$puts" ]; then
		ok "$label: the promotion's PUT unblock is in flight (held by the sandbox)"
	else
		not_ok "$label: no PUT unblock was sent"
		T capture-pane -p -t t
	fi
	during=$(modes)
	case "$during" in
	alternate_on=1\ cursor=0\ keypad_cursor=1\ keypad=1\ mouse_any=1*) ok "$label: console modes set ($during)" ;;
	*) not_ok "$label: console modes while running: $during" ;;
	esac
	pid=$(cat "$dir/pid")
	kill -"$send" "$pid"
	if wait_for RELCON-DONE >/dev/null; then
		ok "$label: relcon ended ($(cat "$dir/exit"))"
	else
		not_ok "$label: relcon did not end"
		kill -KILL "$pid" 2>/dev/null
		return
	fi
	case $sig in
	TERM) want=143 ;;
	INT) want=130 ;;
	SEGV) want=139 ;;
	esac
	if [ "$(cat "$dir/exit")" = "exit=$want" ]; then
		ok "$label: the shell sees exit status $want (128 + SIG$sig)"
	else
		not_ok "$label: the shell sees $(cat "$dir/exit"), not exit=$want (killed by SIG$sig)"
	fi
	after=$(modes)
	if [ "$after" = "$restored" ]; then
		ok "$label: terminal modes restored ($after)"
	else
		not_ok "$label: terminal modes not restored: $after"
	fi
	if [ -s "$dir/stty.after" ] && cmp -s "$dir/stty.before" "$dir/stty.after"; then
		ok "$label: tty termios as before ($(cat "$dir/stty.after"))"
	else
		not_ok "$label: termios before [$(cat "$dir/stty.before")] after [$(cat "$dir/stty.after" 2>&1)]"
	fi
	T send-keys -t t "typed-after-$word" Enter
	if wait_for "READ-BACK:typed-after-$word" >/dev/null &&
		T capture-pane -p -t t | grep -q "^typed-after-$word\$"; then
		ok "$label: the shell reads a line, echoed as typed"
	else
		not_ok "$label: the terminal after relcon does not echo or read a line"
		T capture-pane -p -t t
	fi
	check_journal "$label"
	# Let the held PUT finish before the next run's reset.
	sleep "$hold"
}

T -f /dev/null new-session -d -s t -x 120 -y 30 "sleep 600"
for s in TERM INT SEGV; do
	crash "SIG$s" "$s" "$s" "$bin"
done
if [ -x "${RELCON_FAULTING_BIN:-}" ]; then
	crash "SIGSEGV (null write)" USR1 SEGV "$RELCON_FAULTING_BIN"
	crash "SIGSEGV (stack overflow)" USR2 SEGV "$RELCON_FAULTING_BIN"
else
	not_ok "RELCON_FAULTING_BIN (the test build with real faults) not given: make tests builds build/release/relcon-faulting"
fi

echo "tmux-crash: $fails failure(s)"
[ $fails -eq 0 ]
