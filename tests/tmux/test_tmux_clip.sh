#!/bin/sh
# y, o and the end-of-operation notification in a real terminal (tmux), with
# the bytes relcon writes captured as they leave it (pipe-pane -o):
#  - inside tmux ($TMUX set), y on a build's template sends the OSC 52 both
#    as is and in tmux's passthrough (every ESC doubled), and tmux, with
#    set-clipboard on, puts exactly the URL in its paste buffer;
#  - with $TMUX unset, only the plain OSC 52 goes out (and tmux still takes it);
#  - o runs $BROWSER (a script recording its argv) with the URL as its one
#    argument, and the status line shows the URL;
#  - with ui.notify: osc9, a super-stack's creation watched to its end rings
#    the bell and sends OSC 9 "NAME CREATE_COMPLETE", passed through tmux.
# Needs RELCON_BIN, the sandbox's variables (tests/run.sh sets them) and
# python3 with boto3 (the sandbox's).
set -u
bin=${RELCON_BIN:?}
top=$(cd "$(dirname "$0")/../.." && pwd)
sock="relcon-clip-test-$$"
dir=$(mktemp -d /tmp/relcon-tmux-clip.XXXXXX)
stack=alice-notify
fails=0
# shellcheck source=tests/tmux/lib.sh
. "$top/tests/tmux/lib.sh"

cleanup() {
	T kill-server >/dev/null 2>&1
	# Back to the scenario's frozen instant, without the stack, for what runs next.
	sandbox_post /_sandbox/reset '{}' >/dev/null 2>&1
	rm -rf "$dir"
}
trap cleanup EXIT

: "${RELCON_BUILDKITE_ENDPOINT:?the sandbox is not running (tests/run.sh starts it)}"
: "${AWS_ENDPOINT_URL:?the sandbox has no AWS side}"

# Wait (bounded, 10 s) until tmux's newest paste buffer is exactly $1.
wait_buffer() {
	i=0
	while [ $i -lt 100 ]; do
		[ "$(T show-buffer 2>/dev/null)" = "$1" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "--- tmux buffer: $(T show-buffer 2>&1 | head -c 300)"
	return 1
}

# Whether the captured bytes (file $1) hold what the checks below say.
# Prints what is wrong, if anything.
bytes_check() { # FILE MODE TEXT
	python3 - "$@" <<'PY'
import base64, re, sys
path, mode, text = sys.argv[1], sys.argv[2], sys.argv[3]
data = open(path, "rb").read()
b64 = base64.b64encode(text.encode())
plain = b"\x1b]52;c;" + b64 + b"\x07"
wrapped = b"\x1bPtmux;\x1b" + plain + b"\x1b\\"
bad = []
if mode == "copy-in-tmux":
    if wrapped not in data:
        bad.append("no OSC 52 in tmux passthrough (ESC P tmux; ESC ESC ] 52 ... ESC \\)")
    if data.replace(wrapped, b"").find(plain) < 0:
        bad.append("no plain OSC 52 for tmux itself")
elif mode == "copy-plain":
    if plain not in data:
        bad.append("no plain OSC 52")
    if b"\x1bPtmux;" in data:
        bad.append("a tmux passthrough although $TMUX was unset")
elif mode == "notify-in-tmux":
    osc9 = b"\x1b]9;" + text.encode() + b"\x07"
    wrapped9 = b"\x1bPtmux;\x1b" + osc9 + b"\x1b\\"
    if wrapped9 not in data:
        bad.append("no OSC 9 %r in tmux passthrough" % text)
    elif b"\x07" + wrapped9 not in data:
        bad.append("no bell (BEL) just before the notification")
    if data.replace(wrapped9, b"").find(osc9) >= 0:
        bad.append("OSC 9 also sent plain (tmux does not know it)")
# The scenario's hostile commit message carries an OSC 52 of its own: drawn
# inert ("^[]52;..."), it must never leave as a sequence.
if b"\x1b]52;" in data.replace(wrapped, b"").replace(plain, b""):
    bad.append("another OSC 52 than the one expected")
for line in bad:
    print(line)
if bad:
    print("captured:", repr(data[-600:]))
sys.exit(1 if bad else 0)
PY
}

# The first two internal templates of build 4155, as the headless command sees them.
urls=$(HOME="$dir" XDG_CONFIG_HOME="$dir/config" "$bin" build 4155 --json | python3 -c '
import json, sys
t = json.load(sys.stdin)["lineage"]["templates"]["internal"]["templates"]
print(t[0]["url"]); print(t[1]["url"])')
url1=$(echo "$urls" | sed -n 1p)
url2=$(echo "$urls" | sed -n 2p)
case "$url1" in
http://*.yaml) ok "build 4155's template URLs: $url1 ..." ;;
*)
	not_ok "no template URL from relcon build 4155 --json: $urls"
	exit 1
	;;
esac

cat >"$dir/config.yaml" <<YAML
aws:
  sandbox_accounts: ["123456789012"]
ui:
  notify: osc9
YAML
cat >"$dir/browser" <<SH
#!/bin/sh
printf '%s\n' "argc=\$#" "\$@" > "$dir/browser.out"
SH
chmod +x "$dir/browser"
cat >"$dir/run.sh" <<SH
#!/bin/sh
[ "\${1:-}" = notmux ] && unset TMUX
HOME="$dir" XDG_CONFIG_HOME="$dir/config" XDG_STATE_HOME="$dir/state" XDG_CACHE_HOME="$dir/cache" \
	RELCON_CONFIG="$dir/config.yaml" BROWSER="$dir/browser" AWS_CONFIG_FILE="$dir/none" \
	AWS_SHARED_CREDENTIALS_FILE="$dir/none" "$bin"
echo "exit=\$?" > "$dir/exit"
echo RELCON-DONE
sleep 60
SH
chmod +x "$dir/run.sh"

# tmux takes OSC 52 from its panes into a paste buffer only with this.
T -f /dev/null new-session -d -s t -x 160 -y 40 "sh $dir/run.sh"
T set-option -s set-clipboard on
T pipe-pane -o -t t "cat >> $dir/bytes"

templates_pane() { # LABEL
	wait_for "Builds  branch" >/dev/null || return 1
	T send-keys -t t ":build 4155" Enter
	wait_for "Block steps" >/dev/null || return 1
	T send-keys -t t Tab Tab
	wait_for "TEMPLATE URL" >/dev/null && wait_for "internal  http" >/dev/null
}

# 1. Inside tmux.
if templates_pane; then
	ok "in tmux: the build's templates pane"
	T send-keys -t t y
	if wait_for "copied URL: " >/dev/null && bottom_line | grep -q "copied URL: http://"; then
		ok "y: the status line says copied URL"
	else
		not_ok "y: status line: $(bottom_line)"
	fi
	if wait_buffer "$url1"; then
		ok "y: tmux's paste buffer holds exactly the URL"
	else
		not_ok "y: tmux's paste buffer is not the URL"
	fi
	if bytes_check "$dir/bytes" copy-in-tmux "$url1"; then
		ok "y: OSC 52 sent plain and in tmux passthrough (base64 of the URL)"
	else
		not_ok "y: the bytes sent"
	fi

	T send-keys -t t o
	if wait_for "opening with $dir/browser" >/dev/null; then
		ok "o: the status line says what opens the URL"
	else
		not_ok "o: status line: $(bottom_line)"
	fi
	i=0
	while [ ! -s "$dir/browser.out" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if [ "$(cat "$dir/browser.out" 2>/dev/null)" = "$(printf 'argc=1\n%s' "$url1")" ]; then
		ok "o: \$BROWSER ran with the URL as its only argument"
	else
		not_ok "o: \$BROWSER saw: $(cat "$dir/browser.out" 2>/dev/null)"
	fi
	T send-keys -t t q
else
	not_ok "in tmux: the templates pane"
fi

# 2. A super-stack being created, watched to its end: bell and OSC 9.
if (cd "$top" && python3 -c 'import sys; sys.path.insert(0, "tests/ui"); import run_ui; run_ui.super_stack(sys.argv[1], sys.argv[2], advance=False)' \
	"$stack" "$stack"); then
	ok "super-stack $stack being created in the sandbox"
	: >"$dir/bytes"
	T send-keys -t t ":stack $stack" Enter
	if wait_for "CREATE_IN_PROGRESS" >/dev/null; then
		ok "the stack screen watches $stack being created"
		sandbox_post /_sandbox/advance '{"seconds": 300}'
		i=0
		while ! bottom_line | grep -q "$stack CREATE_COMPLETE" && [ $i -lt 150 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		if bottom_line | grep -q "$stack CREATE_COMPLETE"; then
			ok "the status line says $stack CREATE_COMPLETE"
		else
			not_ok "no end of the creation: $(bottom_line)"
		fi
		sleep 0.3
		if bytes_check "$dir/bytes" notify-in-tmux "$stack CREATE_COMPLETE"; then
			ok "bell, then OSC 9 \"$stack CREATE_COMPLETE\" in tmux passthrough (ui.notify: osc9)"
		else
			not_ok "the notification bytes"
		fi
	else
		not_ok "stack screen of $stack"
	fi
else
	not_ok "super-stack created in the sandbox"
fi
T send-keys -t t q q
if wait_for RELCON-DONE >/dev/null && grep -q "exit=0" "$dir/exit" 2>/dev/null; then
	ok "q q quits, exit 0"
else
	not_ok "quitting: $(cat "$dir/exit" 2>/dev/null)"
fi

# 3. $TMUX unset: only the plain OSC 52 (tmux, still there, takes it).
: >"$dir/bytes"
T respawn-pane -k -t t "sh $dir/run.sh notmux"
if templates_pane; then
	T send-keys -t t j y
	if wait_for "copied URL: " >/dev/null && wait_buffer "$url2"; then
		ok "without \$TMUX: y on the second template, the paste buffer holds it"
	else
		not_ok "without \$TMUX: y"
	fi
	if bytes_check "$dir/bytes" copy-plain "$url2"; then
		ok "without \$TMUX: the plain OSC 52 only"
	else
		not_ok "without \$TMUX: the bytes sent"
	fi
else
	not_ok "without \$TMUX: the templates pane"
fi
T send-keys -t t q q
wait_for RELCON-DONE >/dev/null || not_ok "quit after the run without \$TMUX"

echo "tmux-clip: $fails failure(s)"
[ $fails -eq 0 ]
