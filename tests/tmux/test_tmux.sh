#!/bin/sh
# The real binary in a real terminal (tmux): it opens, draws the builds,
# navigates, opens a build and help, resizes, quits, and leaves the terminal
# as it found it (canonical mode, echo, no alternate screen, cursor shown,
# window title untouched by hostile commit messages).
# Needs the sandbox's variables in the environment (tests/run.sh sets them).
set -u
bin=${RELCON_BIN:?}
sock="relcon-test-$$"
dir=$(mktemp -d /tmp/relcon-tmux.XXXXXX)
fails=0
# shellcheck source=tests/tmux/lib.sh
. "$(dirname "$0")/lib.sh"
cleanup() { T kill-server >/dev/null 2>&1; rm -rf "$dir"; }
trap cleanup EXIT

cat >"$dir/run.sh" <<SH
#!/bin/sh
printf '\033]2;before-relcon\007'
HOME="$dir" XDG_CONFIG_HOME="$dir/config" XDG_STATE_HOME="$dir/state" XDG_CACHE_HOME="$dir/cache" \
	sh -c 'echo \$\$ > "$dir/pid"; exec "$bin"'
echo "exit=\$?" > "$dir/exit"
stty -a > "$dir/stty"
echo RELCON-DONE
sleep 60
SH
chmod +x "$dir/run.sh"

T -f /dev/null new-session -d -s t -x 120 -y 30 "sh $dir/run.sh"
T set-option -g set-titles on >/dev/null 2>&1
T set-option -t t allow-rename on >/dev/null 2>&1

if wait_for "Builds  branch" && wait_for "BK "; then ok "console opens and shows builds"; else not_ok "console opens"; fi
[ "$(T display -p -t t '#{alternate_on}')" = 1 ] && ok "alternate screen while running" || not_ok "alternate screen while running"

T send-keys -t t j j Enter
if wait_for "Block steps"; then ok "Enter opens the build screen"; else not_ok "build screen"; fi
T send-keys -t t q '?'
if wait_for "Show keys and commands"; then ok "? opens help"; else not_ok "help"; fi
T send-keys -t t q
T resize-window -t t -x 90 -y 20 >/dev/null 2>&1 || T resize-pane -t t -x 90 -y 20
sleep 0.3
if wait_for "Builds  branch"; then
	# The header ends with a right-aligned banner (AWS identity or Buildkite endpoint).
	header=$(T capture-pane -p -t t | head -1)
	width=$(printf '%s' "$header" | LC_ALL=C.UTF-8 wc -m)
	case "$header" in
	*buildkite:* | *" aws "*) [ "$width" -le 90 ] && [ "$width" -ge 85 ] && ok "redrawn at 90 columns after resize" ||
		not_ok "resize: header is $width columns: $header" ;;
	*) not_ok "resize: header lost: $header" ;;
	esac
else
	not_ok "resize"
fi
title=$(T display -p -t t '#{pane_title}')
case "$title" in
*pwned*) not_ok "a commit message set the window title ($title)" ;;
*) ok "window title untouched ($title)" ;;
esac
T send-keys -t t q
if wait_for RELCON-DONE; then ok "q quits"; else not_ok "q quits"; fi
grep -q "exit=0" "$dir/exit" 2>/dev/null && ok "exit status 0" || not_ok "exit status: $(cat "$dir/exit" 2>/dev/null)"
[ "$(T display -p -t t '#{alternate_on}')" = 0 ] && ok "alternate screen left" || not_ok "still on the alternate screen"
[ "$(T display -p -t t '#{cursor_flag}')" = 1 ] && ok "cursor visible" || not_ok "cursor hidden after exit"
if grep -q ' icanon' "$dir/stty" && grep -q ' echo ' "$dir/stty" && ! grep -q -- '-icanon' "$dir/stty"; then
	ok "tty back in canonical mode with echo"
else
	not_ok "tty modes not restored: $(cat "$dir/stty" 2>/dev/null | head -3)"
fi

# SIGTERM while running restores the terminal too.
T respawn-pane -k -t t "sh $dir/run.sh"
wait_for "Builds  branch" >/dev/null
pid=$(cat "$dir/pid" 2>/dev/null)
if [ -n "$pid" ]; then
	kill -TERM "$pid"
	if wait_for RELCON-DONE >/dev/null; then
		[ "$(T display -p -t t '#{alternate_on}')" = 0 ] && grep -q ' icanon' "$dir/stty" &&
			ok "SIGTERM restores the terminal" || not_ok "SIGTERM left the terminal altered"
	else
		not_ok "SIGTERM did not end relcon"
	fi
else
	not_ok "could not find relcon's pid"
fi

# Buildkite answers the first list with a 429 (Retry-After: 8): the status
# bar says so and counts down to the retry instead of just "loading"; then
# the list arrives and the countdown is gone.
sandbox_post /_sandbox/faults '{"status": 429, "reset": 8, "count": 1, "path_contains": "/builds?"}'
T respawn-pane -k -t t "sh $dir/run.sh"
if wait_for "buildkite list builds: HTTP 429, retry 2/[0-9] in [0-9]s" >/dev/null; then
	ok "a 429 is shown with its countdown: $(bottom_line | grep -o '⟳ buildkite.* in [0-9]s' | head -1)"
	first=$(bottom_line | grep -o 'in [0-9]s' | head -1)
	later=$first
	n=0
	while [ "$later" = "$first" ] && [ $n -lt 30 ]; do
		sleep 0.1
		later=$(bottom_line | grep -o 'in [0-9]s' | head -1)
		n=$((n + 1))
	done
	[ -n "$later" ] && [ "$later" != "$first" ] && ok "the countdown moves ($first, then $later)" ||
		not_ok "the countdown did not move in 3 s ($first, then '$later')"
else
	not_ok "no countdown to the retry after a 429: $(bottom_line)"
fi
if wait_for "data now" >/dev/null && ! bottom_line | grep -q "retry"; then ok "the retried list arrives, the countdown gone"; else not_ok "after the retry: $(bottom_line)"; fi
T send-keys -t t q
wait_for RELCON-DONE >/dev/null

echo "tmux: $fails failure(s)"
[ $fails -eq 0 ]
