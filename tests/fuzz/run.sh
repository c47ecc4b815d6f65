#!/bin/sh
# Runs every libFuzzer target of BUILD_DIR (fuzz_NAME, built by `make
# fuzz-build`) for SECONDS each on a scratch copy of tests/fuzz/corpus/NAME
# (the committed corpus never grows), FUZZ_JOBS at a time (default: the
# number of CPUs), then prints a table: target, executions, exec/s, result.
# A crash, leak, timeout or out-of-memory prints the fuzzer's report and the
# reproducer's path (kept in BUILD_DIR/artifacts).  With FUZZ_RESULTS set,
# "NAME STATUS" lines are also written to that file (for tests/run.sh).
# Exit status 0 only when every target ran clean.
#   usage: sh tests/fuzz/run.sh build/fuzz 60
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
bdir=${1:-build/fuzz}
seconds=${2:-60}
jobs=${FUZZ_JOBS:-}
[ -n "$jobs" ] || jobs=$(nproc 2>/dev/null || echo 1)
results=${FUZZ_RESULTS:-}

# Largest input per target: whole API responses for the response parsers,
# less for the small text formats (faster, and plenty for their grammar).
max_len() {
	case $1 in
	buildkite | ec2 | cfn) echo 32768 ;;
	s3 | sts | awserr | config | theme | hcl | aws_profile | aws_credentials | sigv4) echo 8192 ;;
	*) echo 1024 ;;
	esac
}

work=$(mktemp -d /tmp/relcon-fuzz.XXXXXX) || exit 2
trap 'rm -rf "$work"' EXIT INT TERM
art="$bdir/artifacts"
mkdir -p "$art"

targets=""
for bin in "$bdir"/fuzz_*; do
	[ -x "$bin" ] || continue
	targets="$targets ${bin##*/fuzz_}"
done
if [ -z "$targets" ]; then
	echo "fuzz: no targets in $bdir (make fuzz-build)" >&2
	exit 2
fi

run_one() { # name
	name=$1
	mkdir -p "$work/corpus/$name"
	if [ -d "tests/fuzz/corpus/$name" ]; then
		cp "tests/fuzz/corpus/$name"/* "$work/corpus/$name"/ 2>/dev/null
	fi
	rm -f "$art/$name"-*
	"$bdir/fuzz_$name" -max_total_time="$seconds" -max_len="$(max_len "$name")" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$art/$name-" \
		"$work/corpus/$name" >"$work/$name.log" 2>&1
	echo $? >"$work/$name.rc"
}

n=0
for name in $targets; do
	run_one "$name" &
	n=$((n + 1))
	if [ "$n" -ge "$jobs" ]; then
		wait
		n=0
	fi
done
wait

[ -z "$results" ] || : >"$results"
failed=0
printf '%-18s %12s %9s  %s\n' target executions exec/s result
for name in $targets; do
	rc=$(cat "$work/$name.rc" 2>/dev/null || echo 2)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$name.log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/$name.log" | tail -1)
	if [ "$rc" -eq 0 ]; then
		result=ok
	else
		failed=$((failed + 1))
		repro=$(ls "$art/$name"-* 2>/dev/null | head -1)
		result="FAILED (exit $rc)${repro:+ reproducer: $repro}"
	fi
	printf '%-18s %12s %9s  %s\n' "$name" "${execs:-?}" "${rate:-?}" "$result"
	[ -z "$results" ] || echo "$name $rc" >>"$results"
done
for name in $targets; do
	rc=$(cat "$work/$name.rc" 2>/dev/null || echo 2)
	[ "$rc" -ne 0 ] || continue
	echo
	echo "== fuzz_$name (exit $rc): the end of its log =="
	grep -v '^#[0-9]' "$work/$name.log" | tail -60
	repro=$(ls "$art/$name"-* 2>/dev/null | head -1)
	[ -z "$repro" ] || echo "reproduce: $bdir/fuzz_$name $repro"
done
[ "$failed" -eq 0 ]
