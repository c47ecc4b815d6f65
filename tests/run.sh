#!/bin/sh
# Runs the whole suite: unit tests of each build given (release, asan), an
# install into a DESTDIR (tests/install), the sandbox's own tests, headless
# integration tests (some of them again under valgrind), scripted UI
# (golden screens) and the tmux terminal
# tests (tests/tmux: the console, ssh from its stack screen to a real sshd on
# loopback, the bytes of copy and notification, and the terminal given back
# after SIGTERM, SIGINT or SIGSEGV mid-operation), against a sandbox
# started here.
# Ends with one line "N passed, N failed".  Exit status 0 only when all pass.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
passed=0
failed=0
failures=""

record() { # name status
	if [ "$2" -eq 0 ]; then
		passed=$((passed + 1))
		echo "PASS $1"
	else
		failed=$((failed + 1))
		failures="$failures $1"
		echo "FAIL $1 (exit $2)"
	fi
}

tmp=$(mktemp -d /tmp/relcon-test.XXXXXX)

# The README's key and configuration tables are the binary's own.
if [ -x "$top/relcon" ]; then
	sh scripts/readme-tables.sh "$top/relcon" | grep '^|' | grep -v -x -F -f README.md >"$tmp/readme" 2>&1
	if [ -s "$tmp/readme" ]; then
		echo "README.md lacks these table rows (sh scripts/readme-tables.sh ./relcon):"
		cat "$tmp/readme"
		record "readme/tables" 1
	else
		record "readme/tables" 0
	fi
else
	record "readme/tables" 1
fi
# make install into a DESTDIR (in a copy of the tree): files and modes, the
# installed binary and its themes, man pages, shell completions.
sh tests/install/test_install.sh >"$tmp/install" 2>&1
rc=$?
[ $rc -eq 0 ] || cat "$tmp/install"
grep '^skip' "$tmp/install"
record "install" $rc

sandbox_dir="$tmp/sandbox"
mkdir -p "$sandbox_dir"
cleanup() {
	sh sandbox/ctl.sh stop "$sandbox_dir" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# LeakSanitizer: ncurses keeps terminfo data for the process lifetime.
export LSAN_OPTIONS="suppressions=$top/tests/lsan.supp:print_suppressions=0"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=86"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=87"

for dir in "$@"; do
	variant=$(basename "$dir")
	for t in "$dir"/tests/test_*; do
		[ -x "$t" ] || continue
		name="unit/$variant/$(basename "$t")"
		( cd "$top" && "$t" ) >"$tmp/out" 2>&1
		rc=$?
		[ $rc -eq 0 ] || cat "$tmp/out"
		record "$name" $rc
	done
done

# A short run of every libFuzzer target (tests/fuzz/README.md), 5 s each,
# built with clang into build/fuzz; a crash names its reproducer.
if make --no-print-directory fuzz FUZZ_SECONDS=5 FUZZ_RESULTS="$tmp/fuzz" >"$tmp/out" 2>&1 && [ -s "$tmp/fuzz" ]; then
	sed -n '/^target /,$p' "$tmp/out"
else
	if grep -q '^target ' "$tmp/out"; then sed -n '/^target /,$p' "$tmp/out"; else tail -30 "$tmp/out"; fi
	command -v clang >/dev/null 2>&1 || echo "fuzz: needs clang and its libFuzzer runtime (sh scripts/deps.sh as root installs them)"
	[ -s "$tmp/fuzz" ] || record "fuzz/build" 1
fi
if [ -s "$tmp/fuzz" ]; then
	while read -r name rc; do
		record "fuzz/$name" "$rc"
	done <"$tmp/fuzz"
fi

# The sandbox's own tests.
python3 -m unittest discover -s tests/sandbox >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 0 ] || cat "$tmp/out"
record "sandbox/python" $rc

# One frozen-clock sandbox for the integration and UI tests.
if ! sh sandbox/ctl.sh start "$sandbox_dir" --now 2026-11-24T12:00:00Z >"$tmp/env" 2>"$tmp/err"; then
	cat "$tmp/err"
	record "sandbox/start" 1
else
	set -a
	. "$tmp/env"
	set +a
	for dir in "$@"; do
		variant=$(basename "$dir")
		RELCON_BIN="$top/$dir/relcon" python3 -m unittest discover -s tests/integration -t . >"$tmp/out" 2>&1
		rc=$?
		[ $rc -eq 0 ] || cat "$tmp/out"
		record "integration/$variant" $rc
		RELCON_BIN="$top/$dir/relcon" python3 tests/ui/run_ui.py >"$tmp/out" 2>&1
		rc=$?
		[ $rc -eq 0 ] || cat "$tmp/out"
		record "ui/$variant" $rc
	done
	# The headless tests that cover the most code (Buildkite reading,
	# config and retries; AWS lineage; stacks; the promotion's guards and
	# journal) with every run of relcon under valgrind's memcheck: the
	# release build (valgrind cannot run an ASan one).  About 2 minutes;
	# `make valgrind` runs all of tests/integration and tests/ui so (about 9).
	vg_dir=""
	for dir in "$@"; do
		[ "$(basename "$dir")" = asan ] || vg_dir=${vg_dir:-$dir}
	done
	if ! command -v valgrind >/dev/null 2>&1; then
		echo "valgrind not installed: the headless tests cannot run under memcheck (sh scripts/deps.sh as root installs it)"
		record "valgrind/headless" 1
	elif [ -z "$vg_dir" ]; then
		echo "valgrind: no build without sanitizers among: $*"
		record "valgrind/headless" 1
	else
		sh tests/valgrind.sh --sandbox-from-env "$top/$vg_dir/relcon" test_cli test_lineage test_stacks \
			test_promote.PromoteGuards >"$tmp/out" 2>&1
		rc=$?
		if [ $rc -eq 0 ]; then grep '^valgrind: ' "$tmp/out"; else cat "$tmp/out"; fi
		record "valgrind/headless" $rc
	fi
	if command -v tmux >/dev/null 2>&1; then
		# The binary a user runs: ./relcon, beside themes/.
		RELCON_BIN="$top/relcon" sh tests/tmux/test_tmux.sh >"$tmp/out" 2>&1
		rc=$?
		[ $rc -eq 0 ] || cat "$tmp/out"
		record "tmux/terminal" $rc
		# s on the stack screen: ssh to a real sshd on loopback and back.
		RELCON_BIN="$top/relcon" sh tests/tmux/test_tmux_ssh.sh >"$tmp/out" 2>&1
		rc=$?
		[ $rc -eq 0 ] || cat "$tmp/out"
		record "tmux/ssh" $rc
		# y, o and the end-of-operation notification: the OSC 52 / OSC 9 bytes.
		RELCON_BIN="$top/relcon" sh tests/tmux/test_tmux_clip.sh >"$tmp/out" 2>&1
		rc=$?
		[ $rc -eq 0 ] || cat "$tmp/out"
		record "tmux/clip" $rc
		# SIGTERM, SIGINT and SIGSEGV mid-promotion: the terminal given back, the journal whole.
		RELCON_BIN="$top/relcon" sh tests/tmux/test_tmux_crash.sh >"$tmp/out" 2>&1
		rc=$?
		[ $rc -eq 0 ] || cat "$tmp/out"
		record "tmux/crash" $rc
		# 20 % faults on both sides: a failed refresh keeps the data, marked stale with the error; one unblock.
		RELCON_BIN="$top/relcon" sh tests/tmux/test_tmux_faults.sh >"$tmp/out" 2>&1
		rc=$?
		[ $rc -eq 0 ] || cat "$tmp/out"
		record "tmux/faults" $rc
		# Hostile strings in every untrusted field (tests/hostile): neutralized on
		# the screen and in headless output, the terminal's state unchanged.
		RELCON_BIN="$top/relcon" sh tests/tmux/test_tmux_hostile.sh >"$tmp/out" 2>&1
		rc=$?
		[ $rc -eq 0 ] || cat "$tmp/out"
		record "tmux/hostile" $rc
	else
		echo "tmux not installed: the terminal tests cannot run"
		record "tmux/terminal" 1
		record "tmux/ssh" 1
		record "tmux/clip" 1
		record "tmux/crash" 1
		record "tmux/faults" 1
		record "tmux/hostile" 1
	fi
fi

[ -z "$failures" ] || echo "failed:$failures"
# Something that deletes /dev/null (a tool run as root) breaks every later
# test in strange ways: name it here.
if [ ! -c /dev/null ]; then
	echo "FAIL /dev/null is no longer a character device: a test or tool removed it"
	record "system/dev-null" 1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
