#!/usr/bin/env bash
# Benchmark: one `esign bulk` host with its ledger on PostgreSQL against the same run on SQLite
# (issue 17): documents per second, in the same run, alternating, median of ROUNDS each.
#
# Usage: bench/ledger.sh [N=2000] [ROUNDS=5]
#   ESIGN=/path/to/esign   the binary to measure (default: build/cli/esign beside this script)
#
# The PostgreSQL server is a private one (tests/support/with_postgresql) with its durable
# defaults (fsync and synchronous_commit on), listening on a unix socket, as the SQLite ledger
# is durable (WAL, synchronous=FULL). Each round signs N distinct one-page PDFs (RSA-2048,
# --jobs 2, -q) into a new output folder with a new ledger: a new SQLite file, a new database.
# Checks: every run signs N and fails none; pdfsig accepts 3 outputs of each kind; both ledgers'
# chains verify and hold N bulk events.
# Exit status: 0 all good; 1 a correctness check failed; 3 results are right but PostgreSQL's
# median is more than 20% below SQLite's.
set -euo pipefail
export LC_ALL=C

N=${1:-2000}
ROUNDS=${2:-5}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
ESIGN=${ESIGN:-$root/build/cli/esign}

if [ -z "${ESIGN_TEST_PG_HOST:-}" ]; then
  ESIGN_TEST_PG_FSYNC=on exec "$root/tests/support/with_postgresql" bash "$0" "$@"
fi

# shellcheck source=lib.sh
. "$here/lib.sh"
for tool in "$ESIGN" pdfsig /usr/bin/python3; do
  command -v "$tool" >/dev/null || die "missing tool: $tool"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/esign-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export ESIGN_HOME=$tmp/home XDG_DATA_HOME=$tmp/xdg XDG_CACHE_HOME=$tmp/cache
bash "$root/tests/support/make_pki.sh" "$tmp/pki" >/dev/null 2>&1 || die "make_pki.sh failed"
make_pdfs "$tmp/in" "$N" "esign bench/ledger.sh"
echo "bench: N=$N, rounds=$ROUNDS, esign=$ESIGN, PostgreSQL on $ESIGN_TEST_PG_HOST" >&2

psql_admin() { "$ESIGN_TEST_PG_BINDIR/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$ESIGN_TEST_PG_HOST" -U postgres "$@"; }

# run KIND ROUND: one bulk run; prints its seconds.
run() {
  local kind=$1 r=$2 ledger t0 t1
  if [ "$kind" = sqlite ]; then
    ledger=$tmp/ledger-$r.db
  else
    psql_admin -d postgres -c "CREATE DATABASE bench$r"
    ledger="postgresql://postgres@/bench$r?host=$ESIGN_TEST_PG_HOST"
  fi
  "$ESIGN" --ledger "$ledger" ledger info >/dev/null  # the schema, outside the timing
  t0=$(now)
  "$ESIGN" --ledger "$ledger" bulk "$tmp/in" --out-dir "$tmp/out-$kind-$r" --profile "$tmp/pki/rsa.yaml" \
    --jobs 2 -q >"$tmp/$kind-$r.out" 2>&1 || { cat "$tmp/$kind-$r.out" >&2; die "$kind round $r failed"; }
  t1=$(now)
  grep -q "^$N signed, 0 skipped, 0 failed" "$tmp/$kind-$r.out" || die "$kind round $r: $(cat "$tmp/$kind-$r.out")"
  "$ESIGN" --ledger "$ledger" audit verify >/dev/null || die "$kind round $r: the audit chain does not verify"
  local events
  events=$("$ESIGN" --ledger "$ledger" ledger info --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["events"])')
  ((events >= N)) || die "$kind round $r: $events events for $N documents"
  elapsed "$t0" "$t1"
}

declare -a sq pg
for ((r = 1; r <= ROUNDS; r++)); do
  sq+=("$(run sqlite "$r")")
  pg+=("$(run postgresql "$r")")
  echo "bench: round $r: sqlite ${sq[-1]} s, postgresql ${pg[-1]} s" >&2
done
for kind in sqlite postgresql; do
  for f in doc00001 "doc$(printf %05d $((N / 2)))" "doc$(printf %05d "$N")"; do
    pdfsig_ok "$tmp/out-$kind-1/$f.signed.pdf" "$kind"
  done
done

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
sq_med=$(median "${sq[@]}")
pg_med=$(median "${pg[@]}")
sq_rate=$(rate "$N" "$sq_med")
pg_rate=$(rate "$N" "$pg_med")
share=$(awk -v p="$pg_rate" -v s="$sq_rate" 'BEGIN { printf "%.0f", 100 * p / s }')
printf '%-12s %10s %12s\n' ledger "median s" "docs/s"
printf '%-12s %10s %12s\n' sqlite "$sq_med" "$sq_rate"
printf '%-12s %10s %12s\n' postgresql "$pg_med" "$pg_rate"
echo "postgresql: ${share}% of sqlite's documents per second (target: at least 80%)"
((share >= 80)) || exit 3
