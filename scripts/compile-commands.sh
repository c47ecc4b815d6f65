#!/bin/sh
# Writes compile_commands.json for clangd/clang-tidy: one entry per C file.
set -eu
cc=${RELCON_CC_CMD:?run through make compile_commands.json}
dir=$(pwd)
first=1
printf '[\n'
for f in main.c core/*.c buildkite/*.c aws/*.c release/*.c tui/*.c views/*.c cli/*.c tests/unit/*.c; do
	[ -f "$f" ] || continue
	[ $first -eq 1 ] || printf ',\n'
	first=0
	# Shell quoting '"x"' becomes \"x\" (what clang's command splitter reads),
	# then the string is escaped for JSON.
	cmd=$(printf '%s -c -o /dev/null %s' "$cc" "$f" | sed "s/'\"\([^\"]*\)\"'/\\\\\"\\1\\\\\"/g" | sed 's/\\/\\\\/g; s/"/\\"/g')
	printf '  {"directory": "%s", "file": "%s", "command": "%s"}' "$dir" "$f" "$cmd"
done
printf '\n]\n'
