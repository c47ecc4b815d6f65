#!/bin/sh
# Fails when a lower layer includes curses or a header from tui/ or views/.
# Layers (DESIGN.md): core < aws, buildkite < release < cli, tui < views < main.
set -u
cd "$(dirname "$0")/.." || exit 2
bad=0
for dir in core aws buildkite release cli; do
	[ -d "$dir" ] || continue
	hits=$(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]((n?curses(w)?/)?(n?curses|curses|term|panel|menu|form)\.h|tui/|views/)' \
		$(find "$dir" -name '*.[ch]') 2>/dev/null)
	if [ -n "$hits" ]; then
		echo "layering: $dir/ must not include curses, tui/ or views/:"
		echo "$hits"
		bad=1
	fi
done
# core/ knows no service.
hits=$(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"(aws|buildkite|release|cli)/' $(find core -name '*.[ch]') 2>/dev/null)
if [ -n "$hits" ]; then
	echo "layering: core/ must not include service layers:"
	echo "$hits"
	bad=1
fi
[ $bad -eq 0 ] && echo "layering: ok"
exit $bad
