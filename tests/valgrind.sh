#!/bin/sh
# The headless integration tests (tests/integration), and the scripted
# console (tests/ui), with every run of relcon under valgrind's memcheck:
# invalid reads and writes, uses of uninitialised values, bad frees, and
# definite or indirect leaks.
#
#   sh tests/valgrind.sh [--sandbox-from-env] BIN [MODULE...]
#
# BIN is a relcon built with symbols and without sanitizers (ASan builds
# cannot run under valgrind): build/release/relcon (-O2 -g).  MODULEs are
# names under tests/integration (test_cli, test_promote.PromoteGuards, ...)
# or "ui" (the scripted console, tests/ui/run_ui.py, drawing nowhere); none
# = all of them.
# It starts a sandbox of its own, or with --sandbox-from-env uses the one
# whose variables are in the environment (tests/run.sh's).
#
# RELCON_BIN is a wrapper that execs valgrind on BIN (same pid, so the tests
# that signal relcon reach it), logging to one file per process.  With
# --quiet a clean run leaves its file empty; a run with an error writes it
# and exits 99.  A test may ignore an exit status (a process it killed, one
# it only reads the output of), so the logs decide: any non-empty one is a
# failure, printed at the end.  First a canary -- a small program with a
# known leak and a read of uninitialised memory -- must be caught by the
# same options, so a valgrind that reports nothing cannot pass for clean.
#
# Prints one line per module with its time, then "valgrind: N passed, N
# failed"; exit status 0 only when every module passed and no log holds an
# error.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
env_sandbox=""
if [ "${1:-}" = --sandbox-from-env ]; then
	env_sandbox=1
	shift
fi
bin=${1:?usage: sh tests/valgrind.sh [--sandbox-from-env] BIN [MODULE...]}
shift
case "$bin" in /*) ;; *) bin="$top/$bin" ;; esac
if ! command -v valgrind >/dev/null 2>&1; then
	echo "valgrind: not installed (sh scripts/deps.sh as root installs it: apt-get install valgrind)"
	exit 1
fi
if [ ! -x "$bin" ]; then
	echo "valgrind: $bin is not built"
	exit 1
fi
if nm -a "$bin" 2>/dev/null | grep -q __asan_init; then
	echo "valgrind: $bin is an ASan build (valgrind cannot run it): use build/release/relcon"
	exit 1
fi

tmp=$(mktemp -d /tmp/relcon-valgrind.XXXXXX)
logs="$tmp/logs"
mkdir -p "$logs"
own_sandbox=""
cleanup() {
	[ -z "$own_sandbox" ] || sh sandbox/ctl.sh stop "$own_sandbox" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The options: exit 99 on any error, leaks counted as errors when definitely
# or indirectly lost (what is still reachable at exit -- ncurses' terminfo,
# OpenSSL's and libcurl's global state -- is the libraries' design, not a
# leak), suppressions only for libraries relcon does not own.
vg_opts="--quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
--show-leak-kinds=definite,indirect --track-fds=no --num-callers=30 --suppressions=$top/tests/valgrind.supp"

# A copy of BIN, beside the tree's themes as in the tree: a rebuild of BIN
# while the tests run (another make) cannot pull it from under them.
cp "$bin" "$tmp/relcon.bin" || exit 1
ln -s "$top/themes" "$tmp/themes"
cat >"$tmp/relcon" <<SH
#!/bin/sh
exec valgrind $vg_opts --log-file="$logs/vg.%p.log" "$tmp/relcon.bin" "\$@"
SH
chmod +x "$tmp/relcon"

# The canary: what the options must catch.
cat >"$tmp/canary.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
int main(void)
{
	int *lost = malloc(64);
	int *uninit = malloc(sizeof *uninit);
	if (*uninit > 0) /* uninitialised */
		puts("yes");
	lost = NULL; /* definitely lost */
	free(uninit);
	return lost != NULL;
}
C
canary_rc=0
if cc -O0 -g -o "$tmp/canary" "$tmp/canary.c" 2>"$tmp/canary.err"; then
	# shellcheck disable=SC2086
	valgrind $vg_opts --log-file="$tmp/canary.log" "$tmp/canary" >/dev/null 2>&1
	rc=$?
	if [ $rc -ne 99 ] || ! grep -q "uninitialised" "$tmp/canary.log" || ! grep -q "definitely lost" "$tmp/canary.log"; then
		echo "valgrind: the canary's leak and uninitialised read were not both reported (exit $rc):"
		cat "$tmp/canary.log"
		canary_rc=1
	fi
else
	cat "$tmp/canary.err"
	canary_rc=1
fi

if [ -n "$env_sandbox" ]; then
	: "${RELCON_BUILDKITE_ENDPOINT:?--sandbox-from-env: the sandbox's variables are not set}"
else
	own_sandbox="$tmp/sandbox"
	if ! sh sandbox/ctl.sh start "$own_sandbox" --now 2026-11-24T12:00:00Z >"$tmp/env" 2>"$tmp/err"; then
		cat "$tmp/err"
		echo "valgrind: the sandbox did not start"
		exit 1
	fi
	set -a
	. "$tmp/env"
	set +a
fi

if [ $# -eq 0 ]; then
	for f in tests/integration/test_*.py; do
		m=$(basename "$f" .py)
		set -- "$@" "$m"
	done
	set -- "$@" ui
fi

# What a log holds beyond valgrind's notice that it does not know
# pidfd_open (syscall 434; valgrind 3.19): release/ssh.c then falls back to
# polling the child, as on a kernel without it.  Any other unknown syscall
# still counts.
reported() { # LOG
	grep -v -E '^--[0-9]+-- (WARNING: unhandled [a-z0-9]+-linux syscall: 434|You may be able to write your own handler\.|Read the file README_MISSING_SYSCALL_OR_IOCTL\.|Nevertheless we consider this a bug\.  Please report|it at http://valgrind\.org/support/bug_reports\.html\.)$' "$1"
}

passed=0
failed=0
[ $canary_rc -eq 0 ] && passed=$((passed + 1)) || failed=$((failed + 1))
start_all=$(date +%s)
for m in "$@"; do
	t0=$(date +%s)
	if [ "$m" = ui ]; then
		RELCON_BIN="$tmp/relcon" python3 tests/ui/run_ui.py >"$tmp/out" 2>&1
	else
		RELCON_BIN="$tmp/relcon" python3 -m unittest "tests.integration.$m" >"$tmp/out" 2>&1
	fi
	rc=$?
	t1=$(date +%s)
	# The runs of this module that reported something.
	bad=""
	for l in "$logs"/vg.*.log; do
		[ -e "$l" ] || continue
		reported "$l" >"$l.left"
		[ -s "$l.left" ] && bad="$bad $l"
		rm -f "$l.left"
	done
	summary=$(grep -E '^(Ran|OK|FAILED|ui: )' "$tmp/out" | tr '\n' ' ')
	if [ $rc -eq 0 ] && [ -z "$bad" ]; then
		passed=$((passed + 1))
		echo "valgrind: $m ok, $((t1 - t0)) s ($summary)"
	else
		failed=$((failed + 1))
		echo "valgrind: $m FAILED, $((t1 - t0)) s ($summary)"
		[ $rc -eq 0 ] || tail -60 "$tmp/out"
		for l in $bad; do
			echo "--- $l"
			cat "$l"
		done
	fi
	mkdir -p "$logs/$m"
	mv "$logs"/vg.*.log "$logs/$m/" 2>/dev/null
done
echo "valgrind: $# module(s) in $(($(date +%s) - start_all)) s, $(find "$logs" -name 'vg.*.log' | wc -l) runs of relcon"
echo "valgrind: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
