#!/bin/sh
# Installs what relcon needs to build, test and run its demo, on Debian.
# As root it runs apt-get; otherwise it prints the exact command to run.
# Used by both `make demo` and `make check`.
set -u

# pkg-config module -> Debian package
LIBS="ncursesw:libncurses-dev libcurl:libcurl4-openssl-dev libcrypto:libssl-dev json-c:libjson-c-dev yaml-0.1:libyaml-dev libxml-2.0:libxml2-dev cmocka:libcmocka-dev"
# command -> Debian package (build and test tools)
TOOLS="pkg-config:pkg-config cc:gcc make:make tmux:tmux python3:python3 ssh:openssh-client ssh-keygen:openssh-client groff:groff-base"

missing=""
if ! command -v pkg-config >/dev/null 2>&1; then
	missing="pkg-config"
fi
for pair in $LIBS; do
	mod=${pair%%:*}
	pkg=${pair#*:}
	if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists "$mod" 2>/dev/null; then
		missing="$missing $pkg"
	fi
done
for pair in $TOOLS; do
	cmd=${pair%%:*}
	pkg=${pair#*:}
	command -v "$cmd" >/dev/null 2>&1 || missing="$missing $pkg"
done
# A real sshd on loopback for the SSH tests.
[ -x /usr/sbin/sshd ] || missing="$missing openssh-server"
# Optional: the install test checks the zsh and fish completions with them
# (and says it cannot when they are missing).
optional=""
# The aws CLI: only `make bench` (tests/bench/sequential.sh) runs it.
for pair in zsh:zsh fish:fish aws:awscli; do
	command -v "${pair%%:*}" >/dev/null 2>&1 || optional="$optional ${pair#*:}"
done
# Optional: valgrind runs the headless tests under memcheck (`make
# valgrind`, and part of them in `make check`, which fails saying it is
# missing).
command -v valgrind >/dev/null 2>&1 || optional="$optional valgrind"
# The fuzz targets (`make fuzz`, and a short run in `make check`): clang and
# its libFuzzer runtime, libclang-rt-N-dev for clang-N (only recommended by
# clang, so named here).  Not needed to build or run relcon: optional, and
# the check says what is missing when they are.
clang_major=""
if command -v clang >/dev/null 2>&1; then
	clang_major=$(clang -dumpversion 2>/dev/null | cut -d. -f1)
else
	optional="$optional clang"
	clang_major=$(apt-cache depends clang 2>/dev/null | sed -n 's/^ *Depends: clang-\([0-9][0-9]*\)$/\1/p' | head -1)
fi
fuzzer_rt=""
command -v clang >/dev/null 2>&1 && fuzzer_rt=$(clang -print-file-name="libclang_rt.fuzzer-$(uname -m).a" 2>/dev/null)
if [ ! -f "$fuzzer_rt" ] && [ -n "$clang_major" ]; then
	optional="$optional libclang-rt-$clang_major-dev"
fi
optional=${optional# }
missing=$(echo $missing | tr ' ' '\n' | sort -u | tr '\n' ' ')
missing=${missing% }

if [ -n "$missing" ] || [ -n "${optional:-}" ]; then
	all="$missing ${optional:-}"
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "deps: installing $all"
		export DEBIAN_FRONTEND=noninteractive
		if ! apt-get install -y -qq --no-install-recommends $all >/tmp/relcon-apt.log 2>&1; then
			apt-get update -qq >/dev/null 2>&1 || true
			if ! apt-get install -y -qq --no-install-recommends $all >>/tmp/relcon-apt.log 2>&1; then
				if [ -n "$missing" ]; then
					echo "deps: apt-get failed; see /tmp/relcon-apt.log" >&2
					tail -5 /tmp/relcon-apt.log >&2
					exit 1
				fi
				echo "deps: optional $optional not installed (see /tmp/relcon-apt.log)"
			fi
		fi
	elif [ -n "$missing" ]; then
		echo "deps: missing: $missing" >&2
		echo "deps: run:  sudo apt-get install $missing" >&2
		exit 1
	fi
fi

# The sandbox (Buildkite simulator now, moto for AWS later) runs on python3.
if ! python3 - <<'PY' 2>/dev/null
import moto, boto3, yaml, flask  # noqa: F401
PY
then
	echo "deps: the sandbox's Python lacks some of: moto, boto3, PyYAML, Flask." >&2
	echo "deps: the Buildkite sandbox needs only the standard library and still works;" >&2
	echo "deps: the AWS sandbox (later) needs: pip install 'moto[server]' boto3 PyYAML Flask" >&2
	echo "deps:   (or Debian: apt-get install python3-moto python3-boto3 python3-yaml python3-flask)" >&2
fi
exit 0
