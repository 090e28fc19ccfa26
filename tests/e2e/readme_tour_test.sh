#!/usr/bin/env bash
# The README's tour, replayed: every fenced block that follows a `<!-- tour -->` line runs, in
# README order, in one bash shell (so cd, export, background servers and $! carry over), with
# the built esign first on PATH, REPO pointing at the source tree, and a scratch HOME. In a block
#   $ COMMAND          is a command (lines starting with "> " continue it, as in a terminal),
#   anything else      is what the command prints (stdout and stderr together),
#   ...                on a line of its own: the command may print more lines than shown,
#   ...                inside a line: any text.
# A step fails, and the test with it, when the command exits non-zero (a command expected to
# fail shows `; echo "exit $?"` and its "exit N" line) or when its output differs from the
# README's: every line shown must be printed (in any order: stdout and stderr interleave
# differently in a file than on a terminal), and without a "..." line nothing else. Before
# comparing, times (2026-12-01T08:35:21Z, 2026-12-01 08:35:21 UTC), hex strings of 32 digits or
# more, loopback ports and the scratch HOME (shown as ~) are masked on both sides.
#
# Usage: readme_tour_test.sh [--update FILE]
#   --update FILE  writes the README with each differing output replaced by what ran to FILE,
#                  for a writer who changed the tour (review the diff; "..." elisions of steps
#                  that still match are kept). Commands that fail still fail the test.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

update=""
if [ "${1:-}" = --update ]; then
  update=$(realpath -m "${2:?--update FILE}")
fi

need_tool jq sqlite3 openssl softhsm2-util
[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is not installed"
README=$ESIGN_SOURCE_DIR/README.md
STEPS=$TEST_TMP/steps
mkdir -p "$STEPS"

# Steps: STEPS/N.cmd (the command), N.want (the output shown), N.at ("FIRST LAST": the README
# lines of that output, LAST < FIRST when it shows none), N.line (the command's README line).
awk -v dir="$STEPS" '
  function flush() {
    if (n > 0) { printf "%d %d\n", first, last > (dir "/" n ".at"); close(dir "/" n ".at") }
  }
  /^<!-- tour -->$/ { armed = 1; next }
  armed && /^```/ { armed = 0; inblock = 1; next }
  armed && !/^[[:space:]]*$/ { armed = 0 }
  inblock && /^```[[:space:]]*$/ { inblock = 0; flush(); next }
  inblock && /^\$ / {
    flush()
    n++; cont = 1
    printf "%s\n", substr($0, 3) > (dir "/" n ".cmd")
    printf "%d\n", NR > (dir "/" n ".line"); close(dir "/" n ".line")
    printf "" > (dir "/" n ".want")
    first = NR + 1; last = NR
    next
  }
  inblock && cont && /^> / { printf "%s\n", substr($0, 3) >> (dir "/" n ".cmd"); first = NR + 1; last = NR; next }
  inblock && n == 0 { printf "README.md:%d: a tour block must start with a $ command\n", NR > "/dev/stderr"; exit 1 }
  inblock { cont = 0; print >> (dir "/" n ".want"); last = NR; next }
  END { if (inblock) { printf "README.md: an unclosed tour block\n" > "/dev/stderr"; exit 1 } }
' "$README" || fail "cannot read the tour blocks of README.md"
steps=$(find "$STEPS" -name '*.cmd' | wc -l)
[ "$steps" -ge 50 ] || fail "README.md has only $steps tour commands; the tour markers are lost?"
note "$steps commands from README.md"

# The shell the tour runs in: the helpers first, then every step.
cat >"$TEST_TMP/tour.sh" <<'PRELUDE'
# What the tour left running in the background (servers) ends with it.
trap 'jobs -p >"$__tour_pids"; kill $(jobs -p) 2>/dev/null' EXIT
# __mask_paths: the build tree as $REPO/build, the source tree as $REPO, the scratch HOME as ~.
__mask_paths() {
  sed -e "s|$__build|\$REPO/build|g" -e "s|$__repo|\$REPO|g" -e "s|$__home|~|g"
}
# __normalize: besides, what varies from run to run, masked.
__normalize() {
  __mask_paths | sed -E \
    -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z/<time>/g' \
    -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} UTC/<time>/g' \
    -e 's/[0-9a-fA-F]{32,}/<hex>/g' \
    -e 's/127\.0\.0\.1:[0-9]+/127.0.0.1:<port>/g'
}
# __matches GOT WANT: WANT (a README line, "..." standing for any text) matches GOT.
__matches() {
  local pattern=$2
  pattern=${pattern//\\/\\\\}
  pattern=${pattern//\*/\\*}
  pattern=${pattern//\?/\\?}
  pattern=${pattern//\[/\\[}
  pattern=${pattern//.../*}
  # shellcheck disable=SC2053
  [[ $1 == $pattern ]]
}
# __check N RC: step N exited RC and printed N.got; compare with N.want.
__check() {
  local n=$1 rc=$2 more=0 line i found
  local -a got want used
  if [ "$rc" != 0 ]; then
    __fail "$n" "exited $rc"
    return
  fi
  # (Files, not <(...): a process substitution would set $!, which the tour's own commands use.)
  __normalize <"$__steps/$n.got" >"$__steps/$n.got.norm"
  __normalize <"$__steps/$n.want" >"$__steps/$n.want.norm"
  mapfile -t got <"$__steps/$n.got.norm"
  mapfile -t want <"$__steps/$n.want.norm"
  used=()
  for line in "${want[@]}"; do
    if [[ $line =~ ^[[:space:]]*\.\.\.$ ]]; then more=1; continue; fi
    found=0
    for i in "${!got[@]}"; do
      [ -z "${used[$i]:-}" ] || continue
      if __matches "${got[$i]}" "$line"; then used[$i]=1; found=1; break; fi
    done
    [ "$found" = 1 ] || { __differs "$n" "this line is not printed: $line"; return; }
  done
  if [ "$more" = 0 ]; then
    for i in "${!got[@]}"; do
      [ -n "${used[$i]:-}" ] || { __differs "$n" "this line is printed but not shown: ${got[$i]}"; return; }
    done
  fi
}
__differs() {
  if [ -n "$__update" ]; then echo "$1" >>"$__steps/differs"; return; fi
  __fail "$@"
}
__fail() {
  {
    echo "FAIL readme_tour_test: README.md:$(cat "$__steps/$1.line"): $2"
    echo "  command:"; sed 's/^/    $ /' "$__steps/$1.cmd"
    echo "  printed:"; sed 's/^/    /' "$__steps/$1.got"
    echo "  README shows:"; sed 's/^/    /' "$__steps/$1.want"
  } >&2
  exit 1
}
PRELUDE
for ((n = 1; n <= steps; n++)); do
  {
    echo "{"
    cat "$STEPS/$n.cmd"
    echo "} >\"\$__steps/$n.got\" 2>&1 </dev/null"
    echo "__check $n \$?"
  } >>"$TEST_TMP/tour.sh"
done

# The reader's setup (README "Tour"): esign on PATH, REPO the source tree; python3 is Debian's.
# The tour shell stops its background jobs when it ends; in case it was killed, so does this.
on_exit 'for p in $(cat "$TEST_TMP/tour.pids" 2>/dev/null); do kill "$p" 2>/dev/null; done'
unset ESIGN_LEDGER ESIGN_HOME ESIGN_PROFILE_PATH SOFTHSM2_CONF
mkdir -p "$HOME"
cd "$HOME"
rc=0
env PATH="$(dirname "$ESIGN"):/usr/bin:/bin:$PATH" REPO="$ESIGN_SOURCE_DIR" \
  __build="$(cd "$(dirname "$ESIGN")/.." && pwd)" __repo="$ESIGN_SOURCE_DIR" __home="$HOME" __steps="$STEPS" __update="$update" __tour_pids="$TEST_TMP/tour.pids" \
  bash --noprofile --norc "$TEST_TMP/tour.sh" || rc=$?
[ "$rc" = 0 ] || fail "the tour stopped (README.md above)"

if [ -n "$update" ]; then
  # The README with each differing output replaced by what the command printed (HOME as ~).
  declare -A replace=()
  while read -r n; do replace[$n]=1; done < <(cat "$STEPS/differs" 2>/dev/null || true)
  cp "$README" "$TEST_TMP/readme.in"
  : >"$update"
  line=1
  for ((n = 1; n <= steps; n++)); do
    [ -n "${replace[$n]:-}" ] || continue
    read -r first last <"$STEPS/$n.at"
    [ "$first" -le "$line" ] || sed -n "${line},$((first - 1))p" "$TEST_TMP/readme.in" >>"$update"
    __build=$(cd "$(dirname "$ESIGN")/.." && pwd)
    sed -e "s|$__build|\$REPO/build|g" -e "s|$ESIGN_SOURCE_DIR|\$REPO|g" -e "s|$HOME|~|g" "$STEPS/$n.got" >>"$update"
    line=$((last + 1))
  done
  sed -n "${line},\$p" "$TEST_TMP/readme.in" >>"$update"
  note "wrote $update (${#replace[@]} outputs replaced)"
fi
