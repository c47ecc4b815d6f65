# Shared by the tmux tests (sourced): set sock (the tmux server's name) and
# fails=0 first.
# shellcheck shell=sh

T() { tmux -L "$sock" "$@"; }

ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; fails=$((fails + 1)); }

# POST JSON to the sandbox's control API (reset, advance, faults).
sandbox_post() { # PATH JSON
	python3 - "$RELCON_BUILDKITE_ENDPOINT$1" "$2" <<'PY'
import sys, urllib.request
req = urllib.request.Request(sys.argv[1], data=sys.argv[2].encode(), method="POST",
                             headers={"Content-Type": "application/json"})
urllib.request.urlopen(req, timeout=60).read()
PY
}

# Wait (bounded, 10 s) until pane t shows the pattern.  Its counter has a
# name of its own: sh has no local variables, and callers loop on i.
wait_for() {
	wait_for_n=0
	while [ $wait_for_n -lt 100 ]; do
		if T capture-pane -p -t t 2>/dev/null | grep -q -- "$1"; then
			return 0
		fi
		sleep 0.1
		wait_for_n=$((wait_for_n + 1))
	done
	echo "--- screen (waiting for '$1'):"
	T capture-pane -p -t t 2>/dev/null
	return 1
}

# The last line of pane t (the status line).
bottom_line() {
	h=$(T display -p -t t '#{pane_height}')
	T capture-pane -p -t t -S $((h - 1)) -E $((h - 1))
}
