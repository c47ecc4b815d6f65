#!/bin/sh
# Prints the README's generated tables (configuration keys and keys) from
# the binary, so the README can be checked against the code:
#   sh scripts/readme-tables.sh ./relcon
set -eu
bin=${1:-./relcon}
echo "| key | default | meaning |"
echo "|---|---|---|"
"$bin" config-keys | awk -F '  +' '{ printf "| `%s` | `%s` | %s |\n", $1, $2, $3 }'
echo
# The default bindings, whatever keymap file the one running this has.
RELCON_KEYMAP=/dev/null "$bin" keys
