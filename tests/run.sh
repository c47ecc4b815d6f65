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

cleanup() {
	for d in "$tmp"/sandbox-*; do
		[ -d "$d" ] && sh sandbox/ctl.sh stop "$d" >/dev/null 2>&1
	done
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

# The rest runs in two lanes at once, each against a frozen-clock sandbox
# of its own (most of these tests wait on the sandbox, not the CPU): the
# release build's integration and UI tests, then the tmux tests of ./relcon;
# the ASan build's integration and UI tests, then the headless tests under
# valgrind.  A lane writes "NAME RC" lines and each check's output; the
# results are recorded here in a fixed order.
check() { # lane name command...
	lane=$1
	name=$2
	shift 2
	log="$tmp/$lane.$(echo "$name" | tr / _).log"
	"$@" >"$log" 2>&1
	echo "$name $?" >>"$tmp/$lane.results"
}

start_sandbox() { # lane: the sandbox's variables in the environment, or 1
	if ! sh sandbox/ctl.sh start "$tmp/sandbox-$1" --now 2026-11-24T12:00:00Z >"$tmp/$1.env" 2>"$tmp/$1.err"; then
		cat "$tmp/$1.err" >"$tmp/$1.sandbox_start.log"
		echo "sandbox/start-$1 1" >>"$tmp/$1.results"
		return 1
	fi
	set -a
	. "$tmp/$1.env"
	set +a
}

suites() { # lane dir: the integration and UI tests of one build
	check "$1" "integration/$(basename "$2")" env RELCON_BIN="$top/$2/relcon" \
		python3 -m unittest discover -s tests/integration -t .
	check "$1" "ui/$(basename "$2")" env RELCON_BIN="$top/$2/relcon" python3 tests/ui/run_ui.py
}

tmux_tests() { # lane: the binary a user runs, ./relcon beside themes/, in a real terminal
	if ! command -v tmux >/dev/null 2>&1; then
		for t in terminal ssh clip crash faults hostile; do
			echo "tmux not installed: the terminal tests cannot run" >"$tmp/$1.tmux_$t.log"
			echo "tmux/$t 1" >>"$tmp/$1.results"
		done
		return
	fi
	check "$1" tmux/terminal env RELCON_BIN="$top/relcon" sh tests/tmux/test_tmux.sh
	# s on the stack screen: ssh to a real sshd on loopback and back.
	check "$1" tmux/ssh env RELCON_BIN="$top/relcon" sh tests/tmux/test_tmux_ssh.sh
	# y, o and the end-of-operation notification: the OSC 52 / OSC 9 bytes.
	check "$1" tmux/clip env RELCON_BIN="$top/relcon" sh tests/tmux/test_tmux_clip.sh
	# SIGTERM, SIGINT and SIGSEGV mid-promotion: the terminal given back, the journal whole.
	check "$1" tmux/crash env RELCON_BIN="$top/relcon" RELCON_FAULTING_BIN="$top/build/release/relcon-faulting" \
		sh tests/tmux/test_tmux_crash.sh
	# The console under 20 % faults: stale data shown with the error, one unblock.
	check "$1" tmux/faults env RELCON_BIN="$top/relcon" sh tests/tmux/test_tmux_faults.sh
	# Hostile strings in every untrusted field (tests/hostile): neutralized on
	# the screen and in headless output, the terminal's state unchanged.
	check "$1" tmux/hostile env RELCON_BIN="$top/relcon" sh tests/tmux/test_tmux_hostile.sh
}

valgrind_tests() { # lane: the tests that cover the most code (Buildkite reading,
	# config and retries; AWS lineage; stacks; the promotion's guards and
	# journal) with every run of relcon under valgrind's memcheck: the
	# release build (valgrind cannot run an ASan one).  About 2 minutes;
	# `make valgrind` runs all of tests/integration and tests/ui so (about 9).
	vg_dir=""
	for dir in $dirs; do
		[ "$(basename "$dir")" = asan ] || vg_dir=${vg_dir:-$dir}
	done
	if ! command -v valgrind >/dev/null 2>&1; then
		echo "valgrind not installed: the headless tests cannot run under memcheck (sh scripts/deps.sh as root installs it)" \
			>"$tmp/$1.valgrind_headless.log"
		echo "valgrind/headless 1" >>"$tmp/$1.results"
	elif [ -z "$vg_dir" ]; then
		echo "valgrind: no build without sanitizers among: $dirs" >"$tmp/$1.valgrind_headless.log"
		echo "valgrind/headless 1" >>"$tmp/$1.results"
	else
		check "$1" valgrind/headless sh tests/valgrind.sh --sandbox-from-env "$top/$vg_dir/relcon" test_cli \
			test_lineage test_stacks test_promote.PromoteGuards
	fi
}

dirs="$*"
lanes=""
first=$(basename "${1:-}")
last=""
for dir in "$@"; do last=$(basename "$dir"); done
for dir in "$@"; do
	lane=$(basename "$dir")
	lanes="$lanes $lane"
	(
		start_sandbox "$lane" || exit 0
		suites "$lane" "$dir"
		# The first lane (release) has the terminal tests, the last (asan)
		# valgrind; a single lane both.
		[ "$lane" != "$first" ] || tmux_tests "$lane"
		[ "$lane" != "$last" ] || valgrind_tests "$lane"
		sh sandbox/ctl.sh stop "$tmp/sandbox-$lane" >/dev/null 2>&1
	) &
done
wait
for lane in $lanes; do
	[ -f "$tmp/$lane.results" ] || continue
	while read -r name rc; do
		log="$tmp/$lane.$(echo "$name" | tr / _).log"
		case $name in
		valgrind/*) if [ "$rc" -eq 0 ]; then grep '^valgrind: ' "$log"; else cat "$log"; fi ;;
		*) [ "$rc" -eq 0 ] || cat "$log" ;;
		esac
		record "$name" "$rc"
	done <"$tmp/$lane.results"
done

[ -z "$failures" ] || echo "failed:$failures"
# Something that deletes /dev/null (a tool run as root) breaks every later
# test in strange ways: name it here.
if [ ! -c /dev/null ]; then
	echo "FAIL /dev/null is no longer a character device: a test or tool removed it"
	record "system/dev-null" 1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
