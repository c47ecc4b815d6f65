#!/bin/zsh -f
# Prints, one a line, the matches zsh's completion system offers for a
# command line, using the completion functions in DIR:
#   zsh -f tests/install/zsh_complete.zsh DIR 'relcon promote '
# A zsh in a pseudo-terminal (zsh/zpty) with compinit over DIR gets the line
# and a Tab.  compadd is wrapped to print what it is given (between << >>)
# and insert nothing; the Tab's widget prints <<__end__>> when completion
# is over, so nothing is typed while it runs.
zmodload zsh/zpty || exit 2
zpty z zsh -f -i
zpty -w z "PS1='' PROMPT='' RPROMPT=''"
zpty -w z "fpath=(${(q)1} \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z 'zstyle ":completion:*" list-grouped false'
zpty -w z 'zstyle ":completion:*" insert-tab false'
zpty -w z 'zstyle ":completion:*" format ""'
zpty -w z 'compadd () { if [[ ${@[(r)-(O|A|D)*]} != "" ]]; then builtin compadd "$@"; return; fi; typeset -a __hits; builtin compadd -A __hits "$@"; (( $#__hits )) && print -l -- "<<${^__hits}>>" >&2; builtin compadd -Q -U ""; }'
zpty -w z 'exec 2>&1'
zpty -w z 'zle -C __complete complete-word _main_complete'
zpty -w z '__capture() { zle __complete; print -u2 "<<__end__>>"; }; zle -N __capture; bindkey "^I" __capture'
zpty -w z 'print __ready__'
# The typed line echoes the marker first, then its output does.
zpty -r z line '*__ready__*'
zpty -r z line '*__ready__*'
zpty -n -w z "$2"$'\t'
zpty -r z out '*<<__end__>>*'
print -r -- $out | grep -o '<<[^>]*>>' | sed 's/^<<//; s/>>$//' | grep -v -x __end__ | sort -u
zpty -d z
