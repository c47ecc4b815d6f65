#!/bin/sh
# The console in a real terminal (tmux) with 20 % of the Buildkite and AWS
# requests faulted (503, 429, throttling, slow past the 4 s timeout,
# truncated, malformed, reset before and after acting: sandbox/README.md
# "Faults").  One attempt per request while browsing (http.max_attempts: 1,
# AWS_MAX_ATTEMPTS=1), so a refresh fails often enough to be seen.  On the
# home screen, a build's screen, the images screen and the stacks screen (a
# stack made beforehand, scope "all"), r is pressed until a refresh fails:
# the screen must keep the data it had and show that it is stale together
# with the error.  Then, in a second console with the default 3 attempts: a
# super-stack launched from the console (L, the confirmation), watched to
# CREATE_COMPLETE, torn down (D, its name typed) and watched to
# DELETE_COMPLETE -- one CreateStack and one DeleteStack token reach the
# simulator, one stack is ever made, both are journaled -- and a promotion
# to alpha (a on build 4154, Promote): exactly one PUT unblock reaches the
# sandbox.  relcon must still be running (no crash) and quit cleanly with q.
# relcon runs with --debug: a failed run prints the log's last 60 lines;
# RELCON_KEEP_DEBUG=FILE keeps the whole log (to see what a loaded machine did).
# Needs RELCON_BIN and the sandbox's variables (tests/run.sh sets them).
set -u
bin=${RELCON_BIN:?}
top=$(cd "$(dirname "$0")/../.." && pwd)
sock="relcon-faults-test-$$"
dir=$(mktemp -d /tmp/relcon-tmux-faults.XXXXXX)
fails=0
delay=6 # a slow fault's delay: past http.timeout_seconds (4)
# shellcheck source=tests/tmux/lib.sh
. "$top/tests/tmux/lib.sh"

: "${RELCON_BUILDKITE_ENDPOINT:?the sandbox is not running (tests/run.sh starts it)}"

# GET or DELETE on the control API; prints the JSON answer.
sandbox_call() { # METHOD PATH
	python3 - "$1" "$RELCON_BUILDKITE_ENDPOINT$2" <<'PY'
import sys, urllib.request
print(urllib.request.urlopen(urllib.request.Request(sys.argv[2], method=sys.argv[1]), timeout=30).read().decode())
PY
}

cleanup() {
	T kill-server >/dev/null 2>&1
	sandbox_call DELETE /_sandbox/faults >/dev/null 2>&1
	sleep "$delay" # a held request lands after its delay
	sandbox_post /_sandbox/reset '{}' >/dev/null 2>&1
	# relcon's debug log, for a failed run: the requests and what came back.
	if [ "$fails" -ne 0 ] && [ -s "$dir/debug.log" ]; then
		echo "--- the last 60 lines of relcon's debug log:"
		tail -n 60 "$dir/debug.log"
	fi
	[ -n "${RELCON_KEEP_DEBUG:-}" ] && cp "$dir/debug.log" "$RELCON_KEEP_DEBUG" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT

cat >"$dir/config.yaml" <<YAML
aws:
  sandbox_accounts: ["123456789012"]
http:
  max_attempts: 1
  timeout_seconds: 4
refresh:
  active_seconds: 2
YAML

cat >"$dir/run.sh" <<SH
#!/bin/sh
HOME="$dir" XDG_CONFIG_HOME="$dir/config" XDG_STATE_HOME="$dir/state" XDG_CACHE_HOME="$dir/cache" \
	RELCON_CONFIG="$dir/config.yaml" RELCON_NOW=2026-11-24T12:00:00Z USER=alice AWS_MAX_ATTEMPTS=\$(cat "$dir/aws_attempts") \
	sh -c 'echo \$\$ > "$dir/pid"; exec "$bin" --debug="$dir/debug.log"'
echo "exit=\$?" > "$dir/exit"
echo RELCON-DONE
sleep 60
SH
chmod +x "$dir/run.sh"

sandbox_post /_sandbox/reset '{}' >/dev/null
# A stack for the stacks screen to show (moto's own, made before the faults).
python3 - <<'PY' || not_ok "could not make the stack the stacks screen shows"
import os, boto3
cfn = boto3.client("cloudformation", endpoint_url=os.environ["AWS_ENDPOINT_URL"],
                   region_name=os.environ.get("AWS_REGION", "us-east-2"))
cfn.create_stack(StackName="faults-tmux-stack", TemplateBody='{"Resources":{"T":{"Type":"AWS::SNS::Topic"}}}')
PY
# 20 % in all, every kind, both sides (the shares add up: faults.py).
for spec in '"status": 503' '"status": 429, "reset": 1' '"kind": "throttle", "reset": 1' \
	"\"kind\": \"slow\", \"delay\": $delay" '"kind": "truncated"' '"kind": "malformed"' '"kind": "reset"' \
	'"kind": "reset", "after": true'; do
	sandbox_post /_sandbox/faults "{$spec, \"side\": \"both\", \"share\": 0.025}"
done

echo 1 >"$dir/aws_attempts"
T -f /dev/null new-session -d -s t -x 150 -y 40 "sh $dir/run.sh"

# Press r (at most 40 times, ~2.5 s apart) until the screen shows both the
# stale marker and the data (two patterns); the screen is kept in $dir/screen.
stale_with_data() { # LABEL STALE-PATTERN DATA-PATTERN
	sw_n=0
	while [ $sw_n -lt 40 ]; do
		T send-keys -t t r
		sleep 2.5
		T capture-pane -p -t t >"$dir/screen"
		if grep -q -- "$2" "$dir/screen" && grep -q -- "$3" "$dir/screen"; then
			ok "$1: a failed refresh keeps the data ('$3') and shows it stale with the error"
			sed -n "/$2/p" "$dir/screen" | head -1 | cut -c1-150
			return 0
		fi
		if grep -q -- "$2" "$dir/screen"; then
			echo "--- $1: stale, but the data is gone:"
			cat "$dir/screen"
			not_ok "$1: a failed refresh dropped the data"
			return 1
		fi
		sw_n=$((sw_n + 1))
	done
	cat "$dir/screen"
	not_ok "$1: no failed refresh seen in 40 tries"
}

# Until the pattern shows, pressing r now and then (a first load may fail).
# (Each function's counter has a name of its own: sh has no locals.)
until_shown() { # PATTERN
	us_n=0
	while [ $us_n -lt 15 ]; do
		wait_for "$1" >"$dir/waited" && return 0
		T send-keys -t t r
		us_n=$((us_n + 1))
	done
	cat "$dir/waited" # the screen before the last r, not just after it
	echo "--- the last Buildkite requests:"
	sandbox_call GET /_sandbox/requests | python3 -c '
import json, sys
for e in json.load(sys.stdin)["log"][-15:]:
    print(e["method"], e["path"][:90], e["status"], e.get("fault"))'
	echo "--- the last AWS requests:"
	sandbox_call GET /_sandbox/aws-requests | python3 -c '
import json, sys, time
for e in json.load(sys.stdin)["log"][-15:]:
    print(time.strftime("%H:%M:%S", time.gmtime(e["t"])), e["service"], e["op"], e["status"], e.get("fault"))'
	return 1
}

if until_shown "Builds  branch" && until_shown " 4157 "; then ok "console opens and lists builds"; else not_ok "console opens"; fi
# Home: the status line says what failed and how old the data is.
stale_with_data "home" "⚠ .*showing data read" " 4157 "

T send-keys -t t ":build 4155" Enter
if until_shown "Block steps"; then ok "build screen"; else not_ok "build screen"; fi
stale_with_data "build #4155" "⚠ stale:" "Commit    af0840d92bcd"

T send-keys -t t i
if until_shown "ami-"; then ok "images screen lists AMIs"; else not_ok "images screen"; fi
stale_with_data "images" "⚠ stale: AMIs" "ami-"

T send-keys -t t X
# f: mine -> relcon -> all (moto's own stack is not relcon's).
wait_for "Stacks  " >/dev/null
i=0
while [ $i -lt 6 ] && ! T capture-pane -p -t t | grep -q "Stacks  all"; do
	T send-keys -t t f
	sleep 1
	i=$((i + 1))
done
if until_shown "faults-tmux-stack"; then ok "stacks screen lists the stack"; else not_ok "stacks screen"; fi
stale_with_data "stacks" "⚠ stale:" "faults-tmux-stack"

pid=$(cat "$dir/pid" 2>/dev/null)
if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then ok "relcon still running after browsing"; else not_ok "relcon is gone"; fi
echo 3 >"$dir/aws_attempts"
# The promoting console retries what may be retried (reads, on both sides), as
# relcon does by default; the unblock itself is never retried.
sed -i 's/max_attempts: 1/max_attempts: 3/' "$dir/config.yaml"
T respawn-pane -k -t t "sh $dir/run.sh"
until_shown "Builds  branch" >/dev/null || not_ok "the second console did not open"

# Launch a super-stack of 4155 from the console (L: the plan, its form, Esc,
# Enter, the confirmation), watch it come up, tear it down (D, the name
# typed), watch it go -- all under the same faults.  A plan whose reads
# failed is prepared again with r, as a user would.
sandbox_call DELETE /_sandbox/aws-requests >/dev/null
T send-keys -t t ":build 4155" Enter
until_shown "Block steps" >/dev/null
T send-keys -t t L
# The plan opens its form when ready (Esc closes it: the defaults stand);
# a plan that failed says "r prepares it again".
n=0
while [ $n -lt 15 ]; do
	wait_for "Submit  *Cancel\|Enter launches (after\|r prepares it again" >/dev/null
	T capture-pane -p -t t >"$dir/launch"
	if grep -q "Submit  *Cancel" "$dir/launch"; then
		T send-keys -t t Escape
		sleep 0.5
	elif grep -q "Enter launches (after" "$dir/launch"; then
		break
	elif grep -q "r prepares it again" "$dir/launch"; then
		grep -B3 "r prepares it again" "$dir/launch" | head -2 | cut -c1-150
		T send-keys -t t r
	fi
	n=$((n + 1))
done
T send-keys -t t Enter
if wait_for "Launch alice-super?" >/dev/null; then
	T send-keys -t t Tab Enter
	if until_shown "alice-super  CREATE_IN_PROGRESS" >/dev/null; then
		ok "launched from the console; the stack screen watches alice-super being created"
	else
		not_ok "no stack screen after the launch"
	fi
else
	not_ok "the launch's confirmation did not open"
fi
sandbox_post /_sandbox/advance '{"seconds": 300}'
if until_shown "alice-super  CREATE_COMPLETE"; then ok "watched to CREATE_COMPLETE"; else not_ok "never CREATE_COMPLETE"; fi
T send-keys -t t D
if wait_for "Delete the stack?" >/dev/null; then
	T send-keys -t t "alice-super" Tab Enter
	if until_shown "alice-super  DELETE_" >/dev/null; then ok "torn down from the console: $(T capture-pane -p -t t | grep -o 'alice-super  DELETE_[A-Z_]*' | head -1)"; else not_ok "no teardown seen"; fi
else
	not_ok "D opened no confirmation"
fi
sandbox_post /_sandbox/advance '{"seconds": 600}'
if until_shown "DELETE_COMPLETE" >/dev/null; then ok "watched to DELETE_COMPLETE"; else not_ok "never DELETE_COMPLETE on screen"; fi
# The mutations the simulator received, the stack's end, the journal.
if env HOME="$dir" XDG_STATE_HOME="$dir/state" XDG_CONFIG_HOME="$dir/config" XDG_CACHE_HOME="$dir/cache" \
	RELCON_CONFIG="$dir/config.yaml" "$bin" audit --json >"$dir/audit.json" 2>"$dir/audit.err" &&
	sandbox_call GET /_sandbox/aws-requests >"$dir/aws.json" && python3 - "$dir/aws.json" "$dir/audit.json" <<'PY'; then
import json, os, sys, time, boto3
log = json.load(open(sys.argv[1]))["log"]
audit = json.load(open(sys.argv[2]))
def summary(op):
    es = [e for e in log if e["op"] == op and e.get("stack") in (None, "alice-super") or
          (e["op"] == op and "alice-super" in (e.get("stack") or ""))]
    acted = [e for e in es if e["acted"]]
    print("%s: %d sent, %d reached (faults %s), tokens %s" % (op, len(es), len(acted),
          [e.get("fault") for e in es], sorted({e.get("token") for e in acted})))
    return acted
creates = [e for e in summary("CreateStack") if e.get("stack") == "alice-super"]
deletes = summary("DeleteStack")
ok = True
for what, sent in (("CreateStack", creates), ("DeleteStack", deletes)):
    if len({e.get("token") for e in sent}) != 1:
        print("not one %s token: %s" % (what, sent)); ok = False
from botocore.config import Config
# The sandbox's own mark: not faulted (sandbox/aws_sim.py INTERNAL_UA).
cfn = boto3.client("cloudformation", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name="us-east-2",
                   config=Config(user_agent_extra="relcon-sandbox-internal"))
for _ in range(20):
    roots = [x for x in cfn.list_stacks()["StackSummaries"] if x["StackName"] == "alice-super"]
    if roots and roots[0]["StackStatus"] == "DELETE_COMPLETE":
        break
    time.sleep(0.5)
print("stacks named alice-super ever made: %d, %s" % (len(roots), [x["StackStatus"] for x in roots]))
ok &= len(roots) == 1 and roots[0]["StackStatus"] == "DELETE_COMPLETE"
for action, sent in (("launch", creates), ("teardown", deletes)):
    tokens = {e.get("token") for e in sent}
    mine = [r for r in audit if r["action"] == action and r["reference"] in tokens]
    print("journal %s: %s" % (action, [r["result"] for r in mine]))
    ok &= len(mine) == 1 and mine[0]["result"] in ("ok", "unknown")
sys.exit(0 if ok else 1)
PY
	ok "one CreateStack and one DeleteStack token reached the simulator, one stack made and deleted, both journaled"
else
	cat "$dir/audit.err" 2>/dev/null
	not_ok "the launch and teardown's mutations, final state or journal"
fi

# Promote 4154 to alpha from the console: a plan whose reads failed is not
# all "pass"; go back and open it again (as a user would) until it is.  The
# unblock itself may meet a fault: one that loses it before Buildkite acts
# (503, throttling, a reset) leaves the step blocked and says so; the user
# then promotes again.  One that loses only the answer must never lead to a
# second unblock.
sandbox_call DELETE /_sandbox/requests >/dev/null
# "ACTED SENT [faults]" of the PUT unblocks so far.
unblock_log() {
	sandbox_call GET /_sandbox/requests | python3 -c '
import json, sys
log = json.load(sys.stdin)["log"]
puts = [e for e in log if e["route"] == "PUT unblock"]
print(len([e for e in puts if e["acted"]]), len(puts), [e.get("fault") for e in puts])'
}
attempt=0
while :; do
	attempt=$((attempt + 1))
	[ $attempt -gt 1 ] && T send-keys -t t q # back from the failed promotion
	promoted=0
	i=0
	while [ $i -lt 10 ] && [ $promoted -eq 0 ]; do
		[ $i -gt 0 ] && T send-keys -t t q # back from the promotion screen
		sleep 0.3
		T send-keys -t t ":build 4154" Enter
		until_shown "Block steps" >/dev/null
		T send-keys -t t a
		# The plan reads the build, the AMIs, templates and permissions: slow
		# faults (6 s each, retried) can take a while, more on a busy machine.
		j=0
		while [ $j -lt 9 ] && ! wait_for "Preflight checks did not pass\|Enter goes ahead\|Refused\|refused\|already unblocked" >/dev/null; do
			j=$((j + 1))
		done
		sleep 0.5
		# One look decides: a plan with a check not passed also says "Enter
		# goes ahead" on its last line (to an override, which is not wanted).
		T capture-pane -p -t t >"$dir/plan"
		grep -E "^   (FAIL|unknown) " "$dir/plan" | cut -c1-150
		if grep -q "already unblocked" "$dir/plan"; then
			promoted=1
		elif grep -q "^ Enter goes ahead" "$dir/plan" && ! grep -q "Preflight checks did not pass\|Refused\|refused" "$dir/plan"; then
			T send-keys -t t Enter
			wait_for "\[ Cancel \]" >/dev/null && T send-keys -t t Tab Enter
			promoted=1
		fi
		i=$((i + 1))
	done
	[ $promoted -eq 1 ] || break
	sleep "$delay" # a slow PUT lands after its delay
	sleep 1
	unblocks=$(unblock_log)
	case "$unblocks" in
	"0 "*) [ $attempt -lt 3 ] && echo "attempt $attempt: the unblock was lost before it acted ($unblocks): again" && continue ;;
	esac
	break
done
[ $promoted -eq 1 ] && ok "the promotion was sent from the console" || not_ok "the plan never passed in 10 tries"
# Its outcome on screen: unblocked (perhaps after a lost answer), or already
# the deploy it started being followed ("0 of 1 jobs passed; Deploy scheduled").
if wait_for "unblocked\|not sent again\|is unknown\|jobs passed" >/dev/null; then
	ok "the promotion's outcome is shown: $(T capture-pane -p -t t | grep -m1 -o '[^ ].*\(unblocked\|not sent again\|is unknown\|jobs passed\).*' | cut -c1-120)"
else
	T capture-pane -p -t t
	not_ok "no outcome of the promotion on screen"
fi
sleep "$delay"
unblocks=$(unblock_log)
echo "PUT unblock (reached the sandbox, sent, faults) after $attempt attempt(s): $unblocks"
case "$unblocks" in
"1 "*) ok "exactly one PUT unblock reached the sandbox" ;;
*) not_ok "PUT unblocks that reached the sandbox: $unblocks" ;;
esac

fired=$(sandbox_call GET /_sandbox/faults | python3 -c 'import json,sys; print(json.load(sys.stdin)["fired"])')
echo "faults fired: $fired"
pid=$(cat "$dir/pid" 2>/dev/null)
if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then ok "relcon still running after the session"; else not_ok "relcon is gone"; fi
# q closes one screen at a time, then quits from the home screen.
i=0
while [ $i -lt 20 ] && ! T capture-pane -p -t t | grep -q RELCON-DONE; do
	T send-keys -t t q
	sleep 0.5
	i=$((i + 1))
done
grep -q "exit=0" "$dir/exit" 2>/dev/null && ok "q quits, exit status 0" || not_ok "exit: $(cat "$dir/exit" 2>/dev/null)"

echo "$fails failed"
[ "$fails" -eq 0 ]
