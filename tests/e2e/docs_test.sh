#!/usr/bin/env bash
# The manual pages match the binary: every subcommand listed by `esign --help` has
# man/esign-CMD.1; every long option its --help shows (sub-subcommands included, e.g.
# `esign audit log --help`) appears in the page, and every long option in the page's OPTIONS
# section exists in --help (the global options may be shown there too); every page renders
# without groff warnings and is installed by man/CMakeLists.txt. Also a shape check: no
# third-party headers (OpenSSL, PoDoFo, SQLite, SQLiteCpp, yaml-cpp) in cli/ or the public
# headers lib/include/esign/.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

MAN=$ESIGN_SOURCE_DIR/man

# help_subcommands ARGS...: the subcommand names listed by `esign ARGS... --help`.
help_subcommands() {
  esign "$@" --help | awk '/^Subcommands:/ { s = 1; next } s && /^  [a-z]/ { print $1 } s && /^[^ ]/ { s = 0 }'
}

# help_long_options ARGS...: the long option names (--xxx) of `esign ARGS... --help`, one a line.
# Only the option column of the "Options:" section counts (not "Excludes: --x" or help text).
help_long_options() {
  esign "$@" --help | awk '/^Options:/ { s = 1; next } s && /^[^ ]/ { s = 0 } s && /^  -/ { print $1 }' |
    tr ',' '\n' | grep -E '^--[a-z0-9]' | sort -u
}

# help_tree_options ARGS...: the long options of a command and of all its subcommands.
help_tree_options() {
  local sub
  help_long_options "$@"
  for sub in $(help_subcommands "$@"); do help_tree_options "$@" "$sub"; done
}

# roff_text FILE: the page's source with font escapes dropped and \- turned into -.
roff_text() {
  sed -e 's/\\f[BIRP]//g; s/\\f(..//g; s/\\f\[[^]]*\]//g; s/\\-/-/g; s/\\(hy/-/g' "$1"
}

# man_long_options FILE [SECTION]: the --xxx names in the page (or only in its .SH SECTION).
man_long_options() {
  local file=$1 section=${2:-}
  if [ -n "$section" ]; then
    roff_text "$file" | awk -v want="$section" '
      /^\.SH/ { name = $0; sub(/^\.SH[ \t]+/, "", name); gsub(/"/, "", name); s = (name == want); next }
      s'
  else
    roff_text "$file"
  fi | grep -oE -- '--[a-z0-9][a-z0-9-]*' | sort -u || true
}

# check_page FILE REQUIRED-OPTIONS ALLOWED-OPTIONS: each required option appears in FILE; each
# option of FILE's OPTIONS section is allowed.
check_page() {
  local file=$1 required=$2 allowed=$3 o
  for o in $required; do
    grep -qxF -- "$o" <(man_long_options "$file") ||
      fail "$(basename "$file") does not document $o (shown by --help)"
  done
  for o in $(man_long_options "$file" OPTIONS); do
    grep -qxF -- "$o" <<<"$allowed" ||
      fail "$(basename "$file") documents $o in OPTIONS, but --help has no such option"
  done
}

# Every page has the sections a reader looks for.
check_sections() {
  local file=$1 s
  for s in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" EXAMPLES "SEE ALSO"; do
    grep -qE "^\.SH \"?$s\"?\$" "$file" || fail "$(basename "$file") has no $s section"
  done
}

global=$(help_long_options)
[ -n "$global" ] || fail "esign --help shows no options"
commands=$(help_subcommands)
[ -n "$commands" ] || fail "esign --help lists no subcommands"

# esign.1: the global options, every one of them (--help and --version included), and a
# pointer to each subcommand's page.
[ -f "$MAN/esign.1" ] || fail "man/esign.1 is missing"
check_sections "$MAN/esign.1"
check_page "$MAN/esign.1" "$global" "$global"
# (grep -q reads into a here-string, never a pipe: with pipefail, an early exit of grep -q
# would fail the pipeline through SIGPIPE.)
overview=$(roff_text "$MAN/esign.1")
for cmd in $commands; do
  grep -qF "esign-$cmd" <<<"$overview" || fail "esign.1 does not refer to esign-$cmd(1)"
done

# esign-CMD.1: the command's options (its automatic --help aside) and its subcommands'.
for cmd in $commands; do
  page=$MAN/esign-$cmd.1
  [ -f "$page" ] || fail "esign $cmd has no manual page man/esign-$cmd.1"
  check_sections "$page"
  own=$(help_tree_options "$cmd" | sort -u)
  required=$(grep -vxF -- --help <<<"$own" || true)
  allowed=$(printf '%s\n%s\n' "$own" "$global" | sort -u)
  check_page "$page" "$required" "$allowed"
  text=$(roff_text "$page")
  for sub in $(help_subcommands "$cmd"); do
    grep -qE "^\.(SS|TP|B|BR).*\b$sub\b|^\.B $cmd $sub\b|^$sub\b" <<<"$text" ||
      fail "esign-$cmd.1 does not describe 'esign $cmd $sub'"
  done
done
note "checked esign.1 and $(wc -w <<<"$commands") command pages"

# Rendering: no warnings from groff (all warnings on) nor from man(1).
need_tool man
shopt -s nullglob
pages=("$MAN"/*.1)
[ ${#pages[@]} -gt 0 ] || fail "no manual pages in $MAN"
for page in "${pages[@]}"; do
  name=$(basename "$page")
  if command -v groff >/dev/null 2>&1; then
    run groff -man -Tutf8 -ww -z "$page"
    if [ "$LAST_EXIT" != 0 ] || [ -s "$LAST_STDERR" ]; then _show_last; fail "groff warns about $name"; fi
  elif command -v mandoc >/dev/null 2>&1; then
    run mandoc -T lint -W warning "$page"
    if [ "$LAST_EXIT" != 0 ] || [ -s "$LAST_STDOUT" ] || [ -s "$LAST_STDERR" ]; then
      _show_last
      fail "mandoc -T lint warns about $name"
    fi
  fi
  run env MANWIDTH=80 man --warnings=w -l "$page"
  if [ "$LAST_EXIT" != 0 ] || [ -s "$LAST_STDERR" ]; then _show_last; fail "man -l $name warns or fails"; fi
  grep -q "NAME" "$LAST_STDOUT" || fail "man -l $name renders no NAME section"
  # Installed: man/CMakeLists.txt lists it explicitly.
  grep -qE "(^|[[:space:]])$name([[:space:]]|\$)" "$MAN/CMakeLists.txt" ||
    fail "man/CMakeLists.txt does not install $name"
done

# Shape: cli/ and the public headers speak esign's own types only.
if hits=$(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](openssl/|podofo|sqlite3|SQLiteCpp/|yaml-cpp/)' \
  "$ESIGN_SOURCE_DIR/cli" "$ESIGN_SOURCE_DIR/lib/include/esign"); then
  fail "third-party headers included outside lib/src:
$hits"
fi

# Shell completion is made from the command table: every command and verb --help lists, and its
# options, complete in bash; zsh loads the same; fish names them too.
expect_exit 0 esign completion bash
cp "$LAST_STDOUT" "$TEST_TMP/esign.bash"
bash -n "$TEST_TMP/esign.bash" || fail "the bash completion script does not parse"
# complete_words WORDS...: what the bash completion offers for the last word.
complete_words() {
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _esign; printf "%s\n" "${COMPREPLY[@]}"' \
    _ "$TEST_TMP/esign.bash" "$@"
}
[ "$(complete_words esign sig)" = sign ] || fail "bash completion: 'esign sig' does not give sign"
# (The offers are captured first: `grep -q` in a pipe may end it early, and pipefail would
# count the writer's SIGPIPE as a failure.)
commands_offered=$(complete_words esign "")
for cmd in $(help_subcommands); do
  grep -qxF "$cmd" <<<"$commands_offered" || fail "bash completion: command $cmd missing"
  offered=$(complete_words esign --ledger x.db "$cmd" "")
  for verb in $(help_subcommands "$cmd"); do
    grep -qxF "$verb" <<<"$offered" || fail "bash completion: $cmd $verb missing"
  done
  for o in $(help_long_options "$cmd"); do
    offered=$(complete_words esign "$cmd" "${o:0:4}")
    grep -qxF -- "$o" <<<"$offered" || fail "bash completion: $cmd $o missing"
  done
done
offered=$(complete_words esign verify --data-d)
grep -qxF -- --data-dir <<<"$offered" || fail "bash completion: verify --data-dir missing"
expect_exit 0 esign completion zsh
grep -q "bashcompinit" "$LAST_STDOUT" && grep -q "complete -o filenames -F _esign esign" "$LAST_STDOUT" ||
  fail "the zsh completion does not load the bash one"
expect_exit 0 esign completion fish
for cmd in $(help_subcommands); do
  grep -qE "^complete -c esign -f -n '__fish_use_subcommand' -a $cmd\$" "$LAST_STDOUT" || fail "fish completion: $cmd missing"
done
grep -qE "^complete -c esign -n '__fish_seen_subcommand_from verify' -l trust\$" "$LAST_STDOUT" ||
  fail "fish completion: verify --trust missing"
expect_exit 2 esign completion tcsh
