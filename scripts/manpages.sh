#!/bin/sh
# Writes the man pages relcon(1) and relcon-config(5) into OUTDIR from the
# hand-written prose in docs/*.in and what the binary itself prints, so the
# pages cannot drift from the code:
#   @COMMANDS@ @OPTIONS@ @EXIT_CODES@   from `relcon help` (cli_usage, main.c)
#   @KEYS@                              from `relcon keys` (the action table)
#   @CONFIG_KEYS@                       from `relcon config-keys` (core/config.c)
#   @VERSION@ @DATE@ @DATADIR@          relcon --version; $SOURCE_DATE_EPOCH,
#                                       else the last commit, else the .in file;
#                                       DATADIR (the Makefile's, for the themes)
# Each @NAME@ but the last three stands alone on its line.
#   sh scripts/manpages.sh ./relcon build/man /usr/local/share/relcon
set -eu
usage="usage: manpages.sh RELCON_BINARY OUTDIR DATADIR"
bin=${1:?$usage}
out=${2:?$usage}
datadir=${3:?$usage}
top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/relcon-man.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# The defaults, whoever runs it: no keymap or configuration of the user's,
# one locale.
run() {
	env -u RELCON_KEYMAP -u RELCON_CONFIG XDG_CONFIG_HOME="$tmp/empty" LC_ALL=C.UTF-8 NO_COLOR=1 "$bin" "$@"
}
run help >"$tmp/help"
run keys >"$tmp/keys"
run config-keys >"$tmp/config-keys"
version=$(run --version | awk '{ print $2 }')

# Shared awk: roff-safe text.  Every generated text line starts with \& so a
# leading . or ' is never a request; a backslash becomes \e; in command
# syntax "-" becomes \- (a real hyphen-minus when copied from the page) and
# placeholders in capitals are italic.
cat >"$tmp/lib.awk" <<'EOF'
function repl(s, from, to,    out, i) {
	out = ""
	while ((i = index(s, from)) > 0) {
		out = out substr(s, 1, i - 1) to
		s = substr(s, i + length(from))
	}
	return out s
}
function text(s) { return repl(s, "\\", "\\e") }
function syntax(s,    out) {
	s = repl(text(s), "-", "\\-")
	out = ""
	while (match(s, /[A-Z][A-Z0-9_]*/)) {
		out = out substr(s, 1, RSTART - 1) "\\fI" substr(s, RSTART, RLENGTH) "\\fR"
		s = substr(s, RSTART + RLENGTH)
	}
	return out s
}
# Let a long value (a list, a URL) break after , : / = where it must.
function breakable(s) {
	s = repl(s, ",", ",\\:"); s = repl(s, ":", ":\\:"); s = repl(s, "/", "/\\:"); s = repl(s, "=", "=\\:")
	return repl(s, "\\:\\:", "\\:")
}
function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
EOF

# Commands: "  relcon NAME ARGS" then "      what it does".
cat >"$tmp/commands.awk" <<'EOF'
/^  relcon [a-z]/ {
	line = substr($0, 10); name = line; args = ""
	if ((i = index(line, " ")) > 0) { name = substr(line, 1, i - 1); args = trim(substr(line, i + 1)) }
	printf ".TP\n\\fBrelcon %s\\fR", syntax(name)
	if (args != "") printf " %s", syntax(args)
	printf "\n"
	getline desc
	printf "\\&%s\n", text(trim(desc))
}
EOF
awk -f "$tmp/lib.awk" -f "$tmp/commands.awk" "$tmp/help" >"$tmp/COMMANDS"

# Options: "  --opt ARG   text" with continuation lines, up to a blank line.
cat >"$tmp/options.awk" <<'EOF'
/^options/ { on = 1; next }
on && /^$/ { on = 0 }
!on { next }
/^  -/ {
	line = substr($0, 3); i = index(line, "  ")
	printf ".TP\n\\fB%s\\fR\n\\&%s\n", syntax(substr(line, 1, i - 1)), text(trim(substr(line, i)))
	next
}
/^      / { printf "\\&%s\n", text(trim($0)) }
EOF
awk -f "$tmp/lib.awk" -f "$tmp/options.awk" "$tmp/help" >"$tmp/OPTIONS"

# Exit codes: "exit codes: 0 done, 1 ..., 2 ..." over one or more lines.
cat >"$tmp/exit_codes.awk" <<'EOF'
/^exit codes:/ { on = 1; all = substr($0, 12); next }
on && /^  / { all = all " " trim($0); next }
{ on = 0 }
END {
	n = split(all, part, ", ")
	for (i = 1; i <= n; i++) {
		p = trim(part[i])
		if (p ~ /^[0-9]+ /) { k++; code[k] = substr(p, 1, index(p, " ") - 1); what[k] = substr(p, index(p, " ") + 1) }
		else if (k) what[k] = what[k] ", " p
	}
	for (i = 1; i <= k; i++) printf ".TP\n.B %s\n\\&%s\n", code[i], text(what[i])
}
EOF
awk -f "$tmp/lib.awk" -f "$tmp/exit_codes.awk" "$tmp/help" >"$tmp/EXIT_CODES"

# Keys: the Markdown table of `relcon keys`; "**Group**" rows become subsections.
cat >"$tmp/keys.awk" <<'EOF'
/^\| keys \|/ || /^\|---/ { next }
/^\|/ {
	row = substr($0, 3, length($0) - 4)
	n = split(row, cell, " \\| ")
	if (cell[1] ~ /^\*\*/) { g = cell[1]; gsub(/\*/, "", g); printf ".SS %s\n", text(g); next }
	keys = cell[1]; gsub(/`/, "", keys)
	printf ".TP 16\n\\fB%s\\fR\n\\fI%s\\fR: %s\n", text(keys), text(cell[2]), text(cell[3])
}
EOF
awk -f "$tmp/lib.awk" -f "$tmp/keys.awk" "$tmp/keys" >"$tmp/KEYS"

# Configuration keys: "key  default  meaning", grouped by the part before the dot.
cat >"$tmp/config_keys.awk" <<'EOF'
{
	split($0, f, /  +/)
	sect = f[1]; sub(/\..*/, "", sect)
	if (!(sect in seen)) { seen[sect] = 1; order[++ns] = sect }
	body[sect] = body[sect] sprintf(".TP\n.B %s\n\\&%s\n.br\n.na\nDefault: \\fB%s\\fR\n.ad\n", text(f[1]), text(f[3]), breakable(text(f[2])))
}
END { for (i = 1; i <= ns; i++) printf ".SS %s\n%s", text(order[i]), body[order[i]] }
EOF
awk -f "$tmp/lib.awk" -f "$tmp/config_keys.awk" "$tmp/config-keys" >"$tmp/CONFIG_KEYS"

for f in COMMANDS OPTIONS EXIT_CODES KEYS CONFIG_KEYS; do
	if [ ! -s "$tmp/$f" ]; then
		echo "manpages.sh: nothing generated for @$f@ from $bin (did its output change?)" >&2
		exit 1
	fi
done

if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
	date=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)
elif date=$(git -C "$top" log -1 --format=%cs 2>/dev/null) && [ -n "$date" ]; then
	:
else
	date=$(date -u -r "$top/docs/relcon.1.in" +%Y-%m-%d)
fi

for page in relcon.1 relcon-config.5; do
	awk -v dir="$tmp" -v version="$version" -v date="$date" -v datadir="$datadir" '
	/^@[A-Z_]+@$/ {
		f = dir "/" substr($0, 2, length($0) - 2)
		while ((getline l < f) > 0) print l
		close(f)
		next
	}
	{ gsub(/@VERSION@/, version); gsub(/@DATE@/, date); gsub(/@DATADIR@/, datadir); print }' "$top/docs/$page.in" >"$tmp/$page"
	if grep -n '@[A-Z_]*@' "$tmp/$page" >&2; then
		echo "manpages.sh: docs/$page.in: unknown placeholder" >&2
		exit 1
	fi
	mv -f "$tmp/$page" "$out/$page"
done
