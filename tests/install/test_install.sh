#!/bin/sh
# `make install` as a packager runs it, in a copy of the tree (the working
# tree's build is left alone):
#   make PREFIX=/usr && make install PREFIX=/usr DESTDIR=$tmp/root
# then: every file is there with its mode; the installed binary runs, has
# /usr/share/relcon compiled in and finds the installed themes (beside
# itself, DIR/../share/relcon/themes, since nothing is in /usr yet) with the
# console's own theme loader; the man pages render without a groff warning;
# the completions load and complete (bash always; zsh and fish when
# installed, else said); `make uninstall` removes it all.
# Prints "ok ..." / "FAIL ..." lines; exit status 0 only when all pass.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d /tmp/relcon-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
ok() { echo "ok $*"; }
fail() {
	echo "FAIL $*"
	fails=$((fails + 1))
}
check() { # description command...
	what=$1
	shift
	if "$@" >"$tmp/out" 2>&1; then ok "$what"; else
		fail "$what"
		sed 's/^/    /' "$tmp/out"
	fi
}

# The tree without its build products, plus the release objects (so only what
# depends on PREFIX is compiled again).
src=$tmp/src
mkdir -p "$src"
(cd "$top" && tar -c --exclude=./build --exclude=./relcon --exclude=./.git .) | tar -x -C "$src"
if [ -d "$top/build/release" ]; then
	mkdir -p "$src/build"
	cp -a "$top/build/release" "$src/build/"
fi
root=$tmp/root
if ! make -C "$src" -s PREFIX=/usr >"$tmp/build.log" 2>&1 ||
	! make -C "$src" -s install PREFIX=/usr DESTDIR="$root" >>"$tmp/build.log" 2>&1; then
	cat "$tmp/build.log"
	fail "make install PREFIX=/usr DESTDIR=..."
	echo "0 passed, 1 failed"
	exit 1
fi
ok "make install PREFIX=/usr DESTDIR=..."

# Every file, with its mode.
expect_file() { # path mode
	if [ ! -f "$root$1" ]; then
		fail "$1 installed"
	elif [ "$(stat -c %a "$root$1")" != "$2" ]; then
		fail "$1 has mode $2 (it has $(stat -c %a "$root$1"))"
	else
		ok "$1 ($2)"
	fi
}
expect_file /usr/bin/relcon 755
for t in "$top"/themes/*.yaml; do
	expect_file "/usr/share/relcon/themes/$(basename "$t")" 644
done
expect_file /usr/share/man/man1/relcon.1 644
expect_file /usr/share/man/man5/relcon-config.5 644
expect_file /usr/share/bash-completion/completions/relcon 644
expect_file /usr/share/zsh/site-functions/_relcon 644
expect_file /usr/share/fish/vendor_completions.d/relcon.fish 644
extra=$(cd "$root" && find . -type f | sed 's/^\.//' | grep -v -e '^/usr/bin/relcon$' -e '^/usr/share/relcon/themes/[^/]*\.yaml$' \
	-e '^/usr/share/man/man1/relcon\.1$' -e '^/usr/share/man/man5/relcon-config\.5$' \
	-e '^/usr/share/bash-completion/completions/relcon$' -e '^/usr/share/zsh/site-functions/_relcon$' \
	-e '^/usr/share/fish/vendor_completions\.d/relcon\.fish$')
if [ -n "$extra" ]; then fail "nothing else installed: $extra"; else ok "nothing else installed"; fi

# The binary runs and knows where it was installed to.
bin=$root/usr/bin/relcon
check "relcon --version" sh -c '"$1" --version | grep -x "relcon [0-9.]*"' - "$bin"
home=$tmp/home
mkdir -p "$home"
run() { # relcon, alone in a temporary home, nothing of the caller's
	env -i PATH=/usr/bin:/bin HOME="$home" XDG_CONFIG_HOME="$home/config" XDG_STATE_HOME="$home/state" \
		XDG_CACHE_HOME="$home/cache" LANG=C.UTF-8 AWS_EC2_METADATA_DISABLED=true AWS_REGION=us-east-1 \
		AWS_CONFIG_FILE="$home/none" AWS_SHARED_CREDENTIALS_FILE="$home/none" "$@"
}
run "$bin" info --json >"$tmp/info.json" 2>"$tmp/info.err"
check "relcon info: data dir /usr/share/relcon, the installed default theme" python3 -c '
import json, os, sys
d = json.load(open(sys.argv[1]))
root = sys.argv[2]
assert d["data_dir"] == "/usr/share/relcon", d["data_dir"]
f = d["themes"]["file"]
assert f and os.path.realpath(f) == os.path.realpath(root + "/usr/share/relcon/themes/default.yaml"), f
assert sorted(d["themes"]["available"]) == sorted(sys.argv[3:]), d["themes"]["available"]
' "$tmp/info.json" "$root" $(cd "$top/themes" && ls *.yaml | sed 's/\.yaml$//')

# The console's own theme loader finds them: a scripted run (no display)
# switches to every installed theme; Buildkite is a closed port.
printf 'http:\n  max_attempts: 1\n' >"$tmp/config.yaml"
: >"$tmp/ui.script"
for t in "$top"/themes/*.yaml; do
	name=$(basename "$t" .yaml)
	printf ':theme %s\n:dump-screen %s/theme-%s.txt\n' "$name" "$tmp" "$name" >>"$tmp/ui.script"
done
run env RELCON_CONFIG="$tmp/config.yaml" BUILDKITE_API_TOKEN=install-test \
	RELCON_BUILDKITE_ENDPOINT=http://127.0.0.1:9 RELCON_NO_DISPLAY=1 RELCON_SCRIPT="$tmp/ui.script" \
	TERM=xterm-256color LINES=12 COLUMNS=160 "$bin" >"$tmp/ui.out" 2>&1
rc=$?
[ $rc -eq 0 ] || { cat "$tmp/ui.out"; fail "scripted console run (exit $rc)"; }
for t in "$top"/themes/*.yaml; do
	name=$(basename "$t" .yaml)
	check "the console loads the installed theme $name" grep -q "theme: $name " "$tmp/theme-$name.txt"
done

# Man pages: groff without a single warning; man-db too when installed.
for page in man1/relcon.1 man5/relcon-config.5; do
	f=$root/usr/share/man/$page
	check "groff -ww -man $page: no warning" sh -c '
		out=$(groff -ww -man -z "$1" 2>&1) && [ -z "$out" ] || { echo "$out"; exit 1; }' - "$f"
	if command -v man >/dev/null 2>&1; then
		check "man --warnings -l $page: no warning" sh -c '
			out=$(MANWIDTH=80 man --warnings -l "$1" 2>&1 >/dev/null) && [ -z "$out" ] || { echo "$out"; exit 1; }' - "$f"
	fi
done
# The roff source without font changes and with plain hyphens.
sed 's/\\f[BIRP]//g; s/\\-/-/g' "$root/usr/share/man/man1/relcon.1" >"$tmp/relcon.1.txt"
check "relcon.1 lists every command of relcon help" sh -c '
	for c in $("$1" help | sed -n "s/^  relcon \([a-z][a-z-]*\).*/\1/p"); do
		grep -q -F "relcon $c" "$2" || { echo "missing: $c"; exit 1; }
	done' - "$bin" "$tmp/relcon.1.txt"
check "relcon-config.5 lists every configuration key" sh -c '
	for k in $("$1" config-keys | awk "{ print \$1 }"); do
		grep -q -F ".B $k" "$2" || { echo "missing: $k"; exit 1; }
	done' - "$bin" "$root/usr/share/man/man5/relcon-config.5"

# Completions.  bash: the function the file registers, driven as bash does.
bashc=$root/usr/share/bash-completion/completions/relcon
complete_bash() { # words... (the last is the one being completed)
	bash --norc --noprofile -c '
		source "$1" || exit 1
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		fn=$(complete -p relcon | sed -n "s/.*-F \([^ ]*\) relcon$/\1/p")
		[ -n "$fn" ] || { echo "no complete -F for relcon" >&2; exit 1; }
		"$fn"
		printf "%s\n" "${COMPREPLY[@]}"' - "$bashc" "$@"
}
expect_words() { # description expected-words command...
	what=$1
	want=$2
	shift 2
	got=$("$@" 2>&1 | sort | tr '\n' ' ' | sed 's/ $//')
	if [ "$got" = "$want" ]; then ok "$what -> $want"; else fail "$what: expected '$want', got '$got'"; fi
}
expect_words "bash: relcon pro<TAB>" "promote" complete_bash relcon pro
expect_words "bash: relcon promote <TAB>" "alpha release" complete_bash relcon promote ""
expect_words "bash: relcon --profile p promote a<TAB>" "alpha" complete_bash relcon --profile p promote a
expect_words "bash: relcon promote alpha <TAB>" "" complete_bash relcon promote alpha ""
expect_words "bash: relcon ssh S --host <TAB>" "bastion" complete_bash relcon ssh S --host ""
expect_words "bash: relcon info --<TAB> (its own and the global options)" \
	"$(printf '%s\n' --json --config --profile --region --read-only --debug --no-color --help --version | sort | tr '\n' ' ' | sed 's/ $//')" \
	complete_bash relcon info --
expect_words "bash: relcon <TAB> is every command of relcon help, and help" \
	"$({ "$bin" help | sed -n 's/^  relcon \([a-z][a-z-]*\).*/\1/p'; echo help; } | sort | tr '\n' ' ' | sed 's/ $//')" \
	complete_bash relcon ""

# zsh and fish: only where they are installed (scripts/deps.sh installs
# them as optional packages); a missing shell is said, not faked.
zshc=$root/usr/share/zsh/site-functions/_relcon
if command -v zsh >/dev/null 2>&1; then
	check "zsh -n _relcon" zsh -n "$zshc"
	capture=$top/tests/install/zsh_complete.zsh
	expect_words "zsh: relcon pro<TAB>" "promote" timeout 30 zsh -f "$capture" "$(dirname "$zshc")" "relcon pro"
	expect_words "zsh: relcon promote <TAB>" "alpha release" timeout 30 zsh -f "$capture" "$(dirname "$zshc")" "relcon promote "
	expect_words "zsh: relcon ssh S --host <TAB>" "bastion" timeout 30 zsh -f "$capture" "$(dirname "$zshc")" "relcon ssh S --host "
else
	echo "skip zsh: not installed (the zsh completion is not checked)"
fi
fishc=$root/usr/share/fish/vendor_completions.d/relcon.fish
if command -v fish >/dev/null 2>&1; then
	check "fish -n relcon.fish" fish -n "$fishc"
	complete_fish() { fish --no-config -c 'source $argv[1]; complete -C $argv[2]' "$fishc" "$1" | cut -f1; }
	expect_words "fish: relcon pro<TAB>" "promote" complete_fish "relcon pro"
	expect_words "fish: relcon promote <TAB>" "alpha release" complete_fish "relcon promote "
	expect_words "fish: relcon ssh S --host <TAB>" "bastion" complete_fish "relcon ssh S --host "
else
	echo "skip fish: not installed (the fish completion is not checked)"
fi

# And away again.
if make -C "$src" -s uninstall PREFIX=/usr DESTDIR="$root" >"$tmp/out" 2>&1; then
	left=$(find "$root" -type f)
	if [ -z "$left" ]; then ok "make uninstall removes every file"; else fail "make uninstall left: $left"; fi
else
	cat "$tmp/out"
	fail "make uninstall"
fi

[ $fails -eq 0 ] && echo "install: all passed" || echo "install: $fails failed"
[ $fails -eq 0 ]
