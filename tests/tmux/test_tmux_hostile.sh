#!/bin/sh
# Terminal safety in a real terminal (tmux): hostile strings (CSI, OSC with
# titles, OSC 52 and hyperlinks, DCS and tmux passthrough, C1 controls, bidi
# overrides, invalid and overlong UTF-8, zero-width characters, 10,000-
# character lines: tests/hostile/corpus.txt) in every untrusted field
#  - commit messages, branch and author of the scenario's hostile builds
#    (builds list and build screens);
#  - the sandbox's hostile super-stack (sandbox/cfn_sim.py: a root stack named
#    hostile-*): its status reason, owner and commit tags (given here), every
#    corpus entry as a tag, parameter, output and event reason (stacks list,
#    stack screen with its events and parameters panes);
#  - error bodies: a hostile Buildkite and AWS (tests/hostile/hostile_server.py)
#    answering every request with a 403 whose JSON "message" / XML <Message>
#    carries the corpus (the builds screen's status line, the stacks screen,
#    the command log);
# and checks that
#  (a) the screen shows them neutralized (^[, ^G, <U+202E>, \xC0 ...) and the
#      bytes relcon wrote (pipe-pane) hold no OSC, DCS, APC/PM/SOS, tmux
#      rename, mouse/origin/insert mode, terminal query, C1, bidi control or
#      invalid UTF-8;
#  (b) tmux's state is the state relcon itself sets: window title (set-titles
#      on), window name (allow-rename on), alternate screen, cursor, keypad,
#      insert, wrap, origin and mouse modes, scroll region -- compared with a
#      baseline taken on a screen without hostile text -- and the paste buffers
#      (set-clipboard on) are only the one set here;
#  (c) headless: `relcon stack hostile-corpus` prints them neutralized, and
#      `--json` is valid JSON (no raw control, C1 or bidi character) whose
#      values are exactly the corpus; `relcon builds` and `relcon stacks`
#      against the hostile servers print a sanitized error.
# Needs RELCON_BIN, the sandbox's variables (tests/run.sh sets them) and
# python3 with boto3 (the sandbox's).
set -u
bin=${RELCON_BIN:?}
top=$(cd "$(dirname "$0")/../.." && pwd)
sock="relcon-hostile-test-$$"
dir=$(mktemp -d /tmp/relcon-tmux-hostile.XXXXXX)
stack=hostile-corpus
fails=0
hs_pid=
# shellcheck source=tests/tmux/lib.sh
. "$top/tests/tmux/lib.sh"

cleanup() {
	T kill-server >/dev/null 2>&1
	[ -n "$hs_pid" ] && kill "$hs_pid" 2>/dev/null
	# Back to the scenario's frozen instant, without the stack, for what runs next.
	sandbox_post /_sandbox/reset '{}' >/dev/null 2>&1
	rm -rf "$dir"
}
trap cleanup EXIT

: "${RELCON_BUILDKITE_ENDPOINT:?the sandbox is not running (tests/run.sh starts it)}"
: "${AWS_ENDPOINT_URL:?the sandbox has no AWS side}"

# ---- the hostile stack and the hostile servers ---------------------------------

# A MySQL super-stack of build 4155's commit named hostile-corpus (the
# sandbox's hostile scenario), with hostile owner and commit tags, complete on
# the frozen clock.
if sandbox_post /_sandbox/reset '{}' && python3 - "$stack" <<'PY'; then
import os, sys, urllib.request
import boto3
cfn = boto3.client("cloudformation", region_name="us-east-2", endpoint_url=os.environ["AWS_ENDPOINT_URL"],
                   aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
                   aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"])
commit = "af0840d92bcd15f9f99682d5e8fcad12f6319fb8"
url = ("%s/readysettech-cfn-internal-us-east-2/%s/readyset/templates/readyset-mysql-super-template.yaml"
       % (os.environ["AWS_ENDPOINT_URL"], commit))
params = {"KeyPairName": "alice", "AvailabilityZones": "us-east-2a,us-east-2b,us-east-2c",
          "AccessCIDR": "127.0.0.1/32", "ReadySetDeploymentName": "hostile",
          "SSMParameterKmsKeyArn": "arn:aws:kms:us-east-2:123456789012:key/00000000-0000-0000-0000-000000000000"}
cfn.create_stack(StackName=sys.argv[1], TemplateURL=url, Capabilities=["CAPABILITY_IAM"],
                 Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in params.items()],
                 Tags=[{"Key": "created-by", "Value": "relcon"},
                       {"Key": "owner", "Value": "Mallory \x1b]0;pwned-owner\x07 \u202eenwo"},
                       {"Key": "commit", "Value": "\x1b[2J" + commit[:8] + "\u009b31m"},
                       {"Key": "relcon:expires-at", "Value": "2026-11-24T20:00:00Z"}])
req = urllib.request.Request(os.environ["RELCON_BUILDKITE_ENDPOINT"] + "/_sandbox/advance", data=b'{"seconds": 300}',
                             method="POST", headers={"Content-Type": "application/json"})
urllib.request.urlopen(req, timeout=30).read()
PY
	ok "hostile super-stack $stack created in the sandbox"
else
	not_ok "hostile super-stack created in the sandbox"
	echo "tmux-hostile: $fails failure(s)"
	exit 1
fi

mkdir -p "$dir/hs"
python3 "$top/tests/hostile/hostile_server.py" "$dir/hs/ready" >"$dir/hs/log" 2>&1 &
hs_pid=$!
i=0
while [ ! -s "$dir/hs/ready" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
hostile_bk=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["buildkite"])' "$dir/hs/ready" 2>/dev/null)
hostile_aws=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["aws"])' "$dir/hs/ready" 2>/dev/null)
if [ -n "$hostile_bk" ] && [ -n "$hostile_aws" ]; then
	ok "hostile Buildkite ($hostile_bk) and AWS ($hostile_aws) listening"
else
	not_ok "hostile servers did not start: $(cat "$dir/hs/log")"
	echo "tmux-hostile: $fails failure(s)"
	exit 1
fi

# ---- helpers ---------------------------------------------------------------------

# What tmux knows of the terminal state an application can change.
FORMATS='title=#{pane_title} window=#{window_name} alternate_on=#{alternate_on} cursor_flag=#{cursor_flag}'
FORMATS="$FORMATS"' keypad_flag=#{keypad_flag} keypad_cursor_flag=#{keypad_cursor_flag} insert_flag=#{insert_flag}'
FORMATS="$FORMATS"' wrap_flag=#{wrap_flag} origin_flag=#{origin_flag} mouse_any_flag=#{mouse_any_flag}'
FORMATS="$FORMATS"' mouse_button_flag=#{mouse_button_flag} mouse_all_flag=#{mouse_all_flag}'
FORMATS="$FORMATS"' mouse_standard_flag=#{mouse_standard_flag} mouse_sgr_flag=#{mouse_sgr_flag}'
FORMATS="$FORMATS"' mouse_utf8_flag=#{mouse_utf8_flag} scroll_region=#{scroll_region_upper}-#{scroll_region_lower}'
term_state() { T display -p -t t "$FORMATS"; }

check_state() { # LABEL
	now=$(term_state)
	if [ "$now" = "$baseline" ]; then
		ok "$1: terminal state unchanged"
	else
		not_ok "$1: terminal state changed: before [$baseline] now [$now]"
	fi
}

# The screen shows each fixed string given (neutralized forms).
screen_shows() { # LABEL STRING...
	label=$1
	shift
	T capture-pane -p -t t -J >"$dir/screen"
	missing=""
	for s in "$@"; do
		grep -q -F -- "$s" "$dir/screen" || missing="$missing [$s]"
	done
	if [ -z "$missing" ]; then
		ok "$label: shows $#  neutralized strings"
	else
		not_ok "$label: not on the screen:$missing"
		cat "$dir/screen"
	fi
}

# Wait (bounded, 10 s) for a fixed string on the screen.
wait_fixed() {
	i=0
	while [ $i -lt 100 ]; do
		T capture-pane -p -t t -J 2>/dev/null | grep -q -F -- "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "--- screen (waiting for '$1'):"
	T capture-pane -p -t t 2>/dev/null
	return 1
}

# The bytes relcon wrote (pipe-pane): nothing a hostile string could have
# smuggled out.  ncurses' own sequences (SGR, cursor moves, its keypad and
# alternate-screen modes) are fine; string controls, renames, mouse, origin
# and insert modes, queries, resets, C1, bidi and invalid UTF-8 are not.
bytes_clean() { # LABEL FILE
	if python3 - "$2" <<'PY'; then
import re, sys
data = open(sys.argv[1], "rb").read()
bad = []
for name, pat in [("OSC", rb"\x1b\]"), ("DCS", rb"\x1bP"), ("APC", rb"\x1b_"), ("PM", rb"\x1b\^"),
                  ("SOS", rb"\x1bX"), ("tmux rename ESC k", rb"\x1bk"), ("RIS ESC c", rb"\x1bc"),
                  ("mouse mode", rb"\x1b\[\?100[0-6]h"), ("origin mode", rb"\x1b\[\?6h"),
                  ("insert mode", rb"\x1b\[4h"), ("wrap off", rb"\x1b\[\?7l"), ("scroll region 5;10", rb"\x1b\[5;10r"),
                  ("device status query", rb"\x1b\[6n"), ("device attributes query", rb"\x1b\[>?c"),
                  ("window report", rb"\x1b\[21t"), ("soft reset", rb"\x1b\[!p"), ("line-feed mode", rb"\x1b\[20h")]:
    m = re.search(pat, data)
    if m:
        bad.append("%s at byte %d: %r" % (name, m.start(), data[max(0, m.start() - 20):m.start() + 40]))
text = data.decode("utf-8", "surrogateescape")
for i, ch in enumerate(text):
    o = ord(ch)
    if 0xdc80 <= o <= 0xdcff:
        bad.append("invalid UTF-8 byte 0x%02x near %r" % (o - 0xdc00, text[max(0, i - 20):i + 20]))
    elif 0x80 <= o <= 0x9f or o in (0x61c, 0x200e, 0x200f) or 0x202a <= o <= 0x202e or 0x2066 <= o <= 0x2069:
        bad.append("U+%04X near %r" % (o, text[max(0, i - 20):i + 20]))
    if len(bad) > 5:
        break
for b in bad[:6]:
    print(b)
sys.exit(1 if bad else 0)
PY
		ok "$1: the bytes relcon wrote ($(wc -c <"$2") bytes) carry no smuggled sequence"
	else
		not_ok "$1: the bytes relcon wrote carry a hostile sequence"
	fi
}

# The paste buffers are only the one set before relcon ran: no OSC 52 landed.
buffers_clean() { # LABEL
	names=$(T list-buffers -F '#{buffer_name}' 2>/dev/null | tr '\n' ' ')
	content=$(T show-buffer -b sentinel 2>/dev/null)
	if [ "$names" = "sentinel " ] && [ "$content" = "sentinel-before" ] &&
		! T list-buffers -F '#{buffer_sample}' 2>/dev/null | grep -q pwned; then
		ok "$1: paste buffers untouched (set-clipboard on)"
	else
		not_ok "$1: paste buffers changed: [$names] $(T list-buffers 2>&1 | head -5)"
	fi
}

cat >"$dir/config.yaml" <<YAML
aws:
  sandbox_accounts: ["123456789012"]
ui:
  branch: release-2026.11
YAML
# $1: the Buildkite endpoint, $2: the AWS endpoint.
# Each script sets the title, then waits until the test pipes the pane's
# output (start_session), so only relcon's bytes are captured.
cat >"$dir/run.sh" <<SH
#!/bin/sh
printf '\033]2;before-relcon\007'
touch "$dir/titled"
while [ ! -e "$dir/piped" ]; do sleep 0.1; done
RELCON_BUILDKITE_ENDPOINT="\$1" AWS_ENDPOINT_URL="\$2" HOME="$dir" XDG_CONFIG_HOME="$dir/config" \
	XDG_STATE_HOME="$dir/state" XDG_CACHE_HOME="$dir/cache" RELCON_CONFIG="$dir/config.yaml" \
	AWS_CONFIG_FILE="$dir/none" AWS_SHARED_CREDENTIALS_FILE="$dir/none" "$bin"
echo "exit=\$?" > "$dir/exit"
echo RELCON-DONE
sleep 60
SH
chmod +x "$dir/run.sh"

# A tall, wide window: whole columns of outputs, parameters and events.
start_session() { # BYTES_FILE COMMAND
	rm -f "$dir/titled" "$dir/piped"
	T -f /dev/null new-session -d -s t -x 220 -y 150 "$2"
	T set-option -g set-titles on >/dev/null
	T set-option -g set-clipboard on >/dev/null
	T set-window-option -g allow-rename on >/dev/null
	T set-window-option -g automatic-rename off >/dev/null
	T rename-window -t t relcon-window
	T set-buffer -b sentinel "sentinel-before"
	i=0
	while [ ! -e "$dir/titled" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	sleep 0.2 # tmux has read the title
	T pipe-pane -o -t t "cat >> $1"
}

# ---- 1. the sandbox: hostile builds and the hostile stack -------------------------

start_session "$dir/bytes1" "sh $dir/run.sh $RELCON_BUILDKITE_ENDPOINT $AWS_ENDPOINT_URL"
touch "$dir/piped"
# The baseline: relcon on the release-2026.11 branch (one build, nothing hostile).
if wait_for "Builds  branch: release-2026.11" >/dev/null && wait_for "4154" >/dev/null; then
	baseline=$(term_state)
	case "$baseline" in
	*title=before-relcon*alternate_on=1*) ok "baseline on a screen without hostile text: $baseline" ;;
	*) not_ok "unexpected baseline: $baseline" ;;
	esac
else
	not_ok "the console did not open on release-2026.11"
	baseline=$(term_state)
fi

T send-keys -t t ":branch all" Enter
wait_for "Builds  branch: all" >/dev/null && wait_fixed "4150" >/dev/null
screen_shows "builds list" "Clear screen ^[[2J^[[31mred" "Set title ^[]0;pwned^G done" \
	"Clipboard ^[]52;c;ZWNobyBwd25lZA==^G write" " evil/^[[7mbranc… " " Mallory ^[[7m… " \
	"C1 CSI <U+009B>31m red" "Bidi <U+202E>evil<U+202C> override" "Zero a<U+200B>b width" "Very long line: lorem ipsum" \
	"Bell ^G ring"
check_state "builds list"

# Each hostile build's screen (message up to three lines, author, branch).
for spec in "4150|Clear screen ^[[2J^[[31mred" "4147|Set title ^[]0;pwned^G done" \
	"4145|Clipboard ^[]52;c;ZWNobyBwd25lZA==^G write" "4144|evil/^[[7mbranch^[[0m" \
	"4143|Very long line: lorem ipsum dolor sit amet lorem" "4142|Mallory ^[[7mInverse^[[0m^G" \
	"4141|C1 CSI <U+009B>31m red" "4140|Bidi <U+202E>evil<U+202C> override" "4139|Zero a<U+200B>b width" \
	"4138|carriage return" "4137|Bell ^G ring"; do
	n=${spec%%|*}
	want=${spec#*|}
	T send-keys -t t ":build $n" Enter
	if wait_fixed "Block steps" >/dev/null && wait_fixed "$want" >/dev/null; then
		ok "build $n: shows '$want'"
	else
		not_ok "build $n: '$want' not on its screen"
	fi
	T send-keys -t t q
	wait_for "Builds  branch: all" >/dev/null
done
check_state "build screens"

# The stacks list: the hostile owner and commit tags.
T send-keys -t t X
if wait_for "Stacks " >/dev/null && wait_fixed "$stack" >/dev/null; then
	screen_shows "stacks list" "Mallory ^[]0;pwned-owner^G <U+202E>enwo" "^[[2Jaf"
else
	not_ok "stacks list: $stack not listed"
fi
check_state "stacks list"

# The stack screen: status reason, tags, every corpus entry as an output.
T send-keys -t t q
wait_for "Builds  branch: all" >/dev/null
T send-keys -t t ":stack $stack" Enter
if wait_for "Stack $stack" >/dev/null && wait_fixed "hostile-zw-tags" >/dev/null; then
	screen_shows "stack screen" "CREATE_COMPLETE  Set title ^[]0;pwned^G done | C1 CSI <U+009B>31m red <U+009B>2J | Bidi <U+202E>evil<U+202C> override" \
		"Owner     Mallory ^[]0;pwned-owner^G <U+202E>enwo" "Commit    ^[[2Jaf0840d9<U+009B>31m" \
		"hostile-csi-clear                        Clear ^[[2J^[[H^[[31mred^[[0m screen" \
		"hostile-csi-modes                        modes ^[[4h^[[?6h^[[?7l^[[?25l^[[?1h^[=^[[20h set" \
		"hostile-osc-title-st                     title2 ^[]2;pwned-st^[\\ icon ^[]1;pwned-icon^G end" \
		"hostile-osc52-clipboard                  Clipboard ^[]52;c;ZWNobyBwd25lZA==^G write" \
		"hostile-tmux-name                        tmux ^[kpwned-window^[\\ name" \
		"hostile-dcs-tmux                         passthrough ^[Ptmux;^[^[]52;c;cHduZWQ=^G^[\\ tmux" \
		"hostile-c1-osc                           C1 OSC <U+009D>0;pwned-c1<U+009C> end" \
		"hostile-c1-all                           c1 <U+0080><U+0084><U+0085><U+008D><U+008E><U+008F><U+0098><U+009A><U+009E><U+009F> end" \
		"hostile-bidi-filename                    invoice<U+202E>fdp.exe" \
		"hostile-zw-more                          more <U+180E><U+206A><U+206F><U+FFF9><U+FFFB><U+034F><U+115F><U+3164><U+FFA0> end" \
		"hostile-zw-tags                          tags <U+E0001><U+E0068><U+E0069><U+E007F> end" \
		"hostile-c0-cr                            Good ⏎ Evil overwrite" \
		"hostile-long-wide                        漢漢漢漢漢漢漢漢漢漢" "hostile-long-csi                         ^[[2J^[[2J^[[2J"
	# Every carried entry (valid UTF-8, no NUL) has its output row.
	missing=$(python3 - "$dir/screen" <<PY
import sys
sys.path.insert(0, "$top/tests/hostile")
import corpus
screen = open(sys.argv[1], encoding="utf-8", errors="replace").read()
print(" ".join(e.name for e in corpus.load() if e.valid_utf8 and "\0" not in e.text and
               ("hostile-" + e.name + " ") not in screen))
PY
)
	[ -z "$missing" ] && ok "stack screen: an output row for every corpus entry XML can carry" ||
		not_ok "stack screen: no output row for: $missing"
else
	not_ok "stack screen of $stack"
fi
check_state "stack screen (outputs)"
# Events: the corpus as the reasons of HostileCorpus events (newest first).
if wait_fixed "HostileCorpus" >/dev/null; then
	screen_shows "stack events" "HostileCorpus                CREATE_COMPLETE        zw-tags: tags <U+E0001>" \
		"osc-title: Set title ^[]0;pwned^G done" "dcs-sixel: sixel ^[Pq#0;2;0;0;0#0~~~^[\\ image" \
		"c1-csi: C1 CSI <U+009B>31m red <U+009B>2J" "bidi-rlo: Bidi <U+202E>evil<U+202C> override"
else
	not_ok "stack events: no HostileCorpus event"
fi
check_state "stack events"
# Parameters: Tab twice (events, resources, parameters).
T send-keys -t t Tab Tab
if wait_fixed "PARAMETER" >/dev/null; then
	screen_shows "stack parameters" "hostile-osc-hyperlink          link ^[]8;;https://evil.example/^Ghttps://good.example/^[]8;;^G end" \
		"hostile-csi-altscreen          alt ^[[?1049h^[[?47h screen" "hostile-zw-seps                sep <U+2028>line<U+2029>para end" \
		"hostile-c0-lines               one ⏎ two ⏎ three ⏎ four" "hostile-ok-unicode             🚀 Ship it 田中 太郎 ünïcode"
else
	not_ok "stack parameters pane"
fi
check_state "stack parameters"
buffers_clean "sandbox session"
T send-keys -t t q q
wait_for RELCON-DONE >/dev/null || not_ok "relcon did not quit"
T pipe-pane -t t
bytes_clean "sandbox session" "$dir/bytes1"

# ---- 2. error bodies: the hostile Buildkite and AWS ----------------------------------

T kill-server >/dev/null 2>&1
sock="$sock-errors" # a new tmux server: the old one may still be going away
start_session "$dir/bytes2" "sh $dir/run.sh $hostile_bk $hostile_aws"
touch "$dir/piped"
# relcon asks for ui.branch's builds and is refused; the status line shows why.
if wait_fixed "HTTP 403: hostile-bk: stray" >/dev/null; then
	screen_shows "Buildkite error body (status line)" \
		'HTTP 403: hostile-bk: stray \x80\xBF\xFE\xFF bytes | over-esc \xC0\x9B[2J \xE0\x80\x9B]0;pwned-overlong\xC0\x87 end | Clear ^[[2J^[[H^[[31mred^[[0m screen | Set title ^[]0;pwned^G done |'
else
	not_ok "the Buildkite error is not on the status line"
fi
check_state "Buildkite error body"
T send-keys -t t X
if wait_fixed "AccessDenied: hostile-aws:" >/dev/null; then
	screen_shows "AWS error body (stacks screen)" \
		"DescribeStacks in us-east-2: AccessDenied: hostile-aws: Clear ^[[2J^[[H^[[31mred^[[0m screen | Set title ^[]0;pwned^G done | Clipboard ^[]52;c;ZWNobyBwd25lZA==^G write | C1 OSC <U+009D>0;pwned-c1<U+009C> end"
else
	not_ok "the AWS error is not on the stacks screen"
fi
check_state "AWS error body"
T send-keys -t t q @
if wait_fixed "Command log" >/dev/null && wait_fixed "403" >/dev/null; then
	ok "command log lists the refused requests"
else
	not_ok "command log"
fi
check_state "command log"
buffers_clean "error-body session"
if grep -q '^buildkite ' "$dir/hs/requests.log" && grep -q '^aws ' "$dir/hs/requests.log"; then
	ok "relcon asked the hostile servers ($(wc -l <"$dir/hs/requests.log") requests)"
else
	not_ok "relcon never asked the hostile servers"
fi
T send-keys -t t q q
wait_for RELCON-DONE >/dev/null || not_ok "relcon did not quit (error-body session)"
T pipe-pane -t t
bytes_clean "error-body session" "$dir/bytes2"

# ---- 3. headless -------------------------------------------------------------------

# Output a terminal may show: valid UTF-8, no control (but newline), DEL, C1,
# bidi control or invisible character.
text_clean() { # LABEL FILE
	if python3 - "$2" <<'PY'; then
import sys
data = open(sys.argv[1], "rb").read()
try:
    text = data.decode("utf-8")
except UnicodeDecodeError as e:
    print("invalid UTF-8:", e)
    sys.exit(1)
for i, ch in enumerate(text):
    o = ord(ch)
    if (o < 0x20 and ch != "\n") or 0x7f <= o <= 0x9f or o in (0x61c, 0x200b, 0x200c, 0x200e, 0x200f, 0xfeff) \
            or 0x202a <= o <= 0x202e or 0x2066 <= o <= 0x2069 or 0x2028 <= o <= 0x2029 or 0x2060 <= o <= 0x2064:
        print("U+%04X near %r" % (o, text[max(0, i - 30):i + 10]))
        sys.exit(1)
PY
		ok "$1: valid UTF-8, no control, C1, bidi or invisible character ($(wc -c <"$2") bytes)"
	else
		not_ok "$1: raw hostile characters in the output"
	fi
}

run_headless() { # OUT ERR ARGS...
	out=$1 err=$2
	shift 2
	HOME="$dir" XDG_CONFIG_HOME="$dir/config" XDG_STATE_HOME="$dir/state" XDG_CACHE_HOME="$dir/cache" \
		AWS_CONFIG_FILE="$dir/none" AWS_SHARED_CREDENTIALS_FILE="$dir/none" "$bin" "$@" >"$out" 2>"$err"
}

if run_headless "$dir/stack.txt" "$dir/stack.err" stack "$stack"; then
	text_clean "relcon stack $stack" "$dir/stack.txt"
	text_clean "relcon stack $stack (stderr)" "$dir/stack.err"
	missing=""
	for s in "Status   CREATE_COMPLETE: Set title ^[]0;pwned^G done | C1 CSI <U+009B>31m red" \
		"  hostile-csi-clear            Clear ^[[2J^[[H^[[31mred^[[0m screen" \
		"  hostile-osc52-st             Clip2 ^[]52;p;cHduZWQtcHJpbWFyeQ==^[\\ primary" \
		"  hostile-bidi-rlo             Bidi <U+202E>evil<U+202C> override" \
		"  hostile-c0-cr                Good ⏎ Evil overwrite" \
		"hostile-dcs-tmux             passthrough ^[Ptmux;^[^[]52;c;cHduZWQ=^G^[\\ tmux" \
		"HostileCorpus                CREATE_COMPLETE        zw-tags: tags <U+E0001><U+E0068><U+E0069><U+E007F> end"; do
		grep -q -F -- "$s" "$dir/stack.txt" || missing="$missing [$s]"
	done
	[ -z "$missing" ] && ok "relcon stack $stack: parameters, outputs, events neutralized" ||
		not_ok "relcon stack $stack lacks:$missing"
else
	not_ok "relcon stack $stack failed: $(head -c 300 "$dir/stack.err")"
fi

if run_headless "$dir/stack.json" "$dir/stack.jerr" stack "$stack" --json; then
	text_clean "relcon stack $stack --json" "$dir/stack.json"
	if python3 - "$dir/stack.json" <<PY; then
import json, sys
sys.path.insert(0, "$top/tests/hostile")
import corpus
d = json.load(open(sys.argv[1], encoding="utf-8"))
carried = [e for e in corpus.load() if e.valid_utf8 and "\0" not in e.text]
bad = []
for e in carried:
    if d["parameters"].get("hostile-" + e.name) != e.text:
        bad.append("parameter " + e.name)
    if d["tags"].get("hostile:" + e.name) != e.text:
        bad.append("tag " + e.name)
    outs = [o for o in d["outputs"] if o["key"] == "hostile-" + e.name]
    if not outs or outs[0]["value"] != e.text or outs[0]["description"] != "%s: %s" % (e.name, e.text):
        bad.append("output " + e.name)
    if not any(ev["reason"] == "%s: %s" % (e.name, e.text) for ev in d["events"]):
        bad.append("event " + e.name)
if d["tags"].get("owner") != "Mallory \x1b]0;pwned-owner\x07 \u202eenwo":
    bad.append("owner tag")
if bad:
    print("; ".join(bad[:10]))
sys.exit(1 if bad else 0)
PY
		ok "relcon stack $stack --json: valid JSON, every parameter, tag, output and event reason exactly the corpus"
	else
		not_ok "relcon stack $stack --json: values differ from the corpus"
	fi
else
	not_ok "relcon stack $stack --json failed: $(head -c 300 "$dir/stack.jerr")"
fi

if run_headless "$dir/stacks.txt" "$dir/stacks.err" stacks && grep -q "^$stack " "$dir/stacks.txt"; then
	text_clean "relcon stacks" "$dir/stacks.txt"
	grep -q -F "Mallory ^[]0;pwned-owner^G <U+202E>enwo" "$dir/stacks.txt" && ok "relcon stacks: owner neutralized" ||
		not_ok "relcon stacks: owner not shown neutralized: $(grep "^$stack" "$dir/stacks.txt")"
else
	not_ok "relcon stacks failed or lacks $stack"
fi

# Against the hostile servers: the errors on stderr, sanitized.
RELCON_BUILDKITE_ENDPOINT=$hostile_bk AWS_ENDPOINT_URL=$hostile_aws run_headless "$dir/bk.out" "$dir/bk.err" builds
rc=$?
[ $rc -ne 0 ] && grep -q -F 'hostile-bk: stray \x80\xBF\xFE\xFF bytes' "$dir/bk.err" &&
	ok "relcon builds (hostile Buildkite): exit $rc, the error shown neutralized" ||
	not_ok "relcon builds (hostile Buildkite): exit $rc, stderr $(head -c 300 "$dir/bk.err")"
text_clean "relcon builds error" "$dir/bk.err"
RELCON_BUILDKITE_ENDPOINT=$hostile_bk AWS_ENDPOINT_URL=$hostile_aws run_headless "$dir/aws.out" "$dir/aws.err" stacks
rc=$?
[ $rc -ne 0 ] && grep -q -F 'AccessDenied: hostile-aws: Clear ^[[2J' "$dir/aws.err" &&
	ok "relcon stacks (hostile AWS): exit $rc, the error shown neutralized" ||
	not_ok "relcon stacks (hostile AWS): exit $rc, stderr $(head -c 300 "$dir/aws.err")"
text_clean "relcon stacks error" "$dir/aws.err"

# ---- 4. headless output on the terminal ------------------------------------------

# What a user sees running the headless commands in a terminal: the same
# state checks, the terminal a plain shell's before and after.
cat >"$dir/headless.sh" <<SH
#!/bin/sh
printf '\033]2;before-relcon\007'
touch "$dir/titled"
while [ ! -e "$dir/piped" ]; do sleep 0.1; done
export HOME="$dir" XDG_CONFIG_HOME="$dir/config" XDG_STATE_HOME="$dir/state" XDG_CACHE_HOME="$dir/cache"
export AWS_CONFIG_FILE="$dir/none" AWS_SHARED_CREDENTIALS_FILE="$dir/none"
"$bin" stack $stack
"$bin" stack $stack --json
"$bin" stacks
"$bin" builds --limit 100
RELCON_BUILDKITE_ENDPOINT=$hostile_bk AWS_ENDPOINT_URL=$hostile_aws "$bin" builds
RELCON_BUILDKITE_ENDPOINT=$hostile_bk AWS_ENDPOINT_URL=$hostile_aws "$bin" stacks
echo HEADLESS-DONE
sleep 60
SH
T kill-server >/dev/null 2>&1
sock="$sock-headless"
start_session "$dir/bytes3" "sh $dir/headless.sh"
baseline=$(term_state)
case "$baseline" in
*title=before-relcon*alternate_on=0*) ok "headless: baseline of the shell: $baseline" ;;
*) not_ok "headless: unexpected baseline: $baseline" ;;
esac
touch "$dir/piped"
i=0
while [ $i -lt 300 ] && ! T capture-pane -p -t t | grep -q HEADLESS-DONE; do
	sleep 0.1
	i=$((i + 1))
done
if T capture-pane -p -t t | grep -q HEADLESS-DONE; then
	ok "headless: stack, stack --json, stacks, builds and the hostile servers' errors printed on the terminal"
else
	not_ok "headless commands did not finish"
fi
check_state "headless output on the terminal"
buffers_clean "headless output on the terminal"
T pipe-pane -t t
bytes_clean "headless output on the terminal" "$dir/bytes3"

echo "tmux-hostile: $fails failure(s)"
[ $fails -eq 0 ]
