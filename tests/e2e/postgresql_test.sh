#!/usr/bin/env bash
# The ledger on PostgreSQL (a private server: tests/support/with_postgresql, unix socket only):
# - three `esign bulk` processes ("hosts" host-a, host-b, host-c) on one job of 3 000 PDFs, host-b
#   SIGKILLed mid-run: every output valid, each item signed once (ok sign events and outputs
#   counted), the items host-b held finished by the others after its lease ran out, and
#   `audit jobs` naming the three hosts with their counts;
# - operators made on one host log in on another (another ESIGN_HOME, the same database);
# - a row edited in the database: `audit verify` names the event; the whole chain rewritten
#   consistently under a copied anchor: `audit verify` fails on the anchor;
# - `ledger migrate --to postgresql://` copies a SQLite ledger (users, sessions, jobs, items,
#   events, anchors) and the copy verifies; a second migrate into it is refused.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
if [ -z "${ESIGN_TEST_PG_HOST:-}" ]; then
  exec "$ESIGN_SOURCE_DIR/tests/support/with_postgresql" bash "$0" "$@"
fi
need_tool pdfsig openssl
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3)

pg() { "$ESIGN_TEST_PG_BINDIR/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$ESIGN_TEST_PG_HOST" -U postgres -d "${PGDB:-esign}" "$@"; }
createdb() { "$ESIGN_TEST_PG_BINDIR/psql" -X -q -h "$ESIGN_TEST_PG_HOST" -U postgres -d postgres -c "CREATE DATABASE $1"; }
uri() { echo "postgresql://postgres@/$1?host=$ESIGN_TEST_PG_HOST"; }
export ESIGN_LEDGER=$ESIGN_TEST_PG_URI

note "ledger info on PostgreSQL"
expect_exit 0 esign ledger info --json
"$py" -c 'import json,sys; i=json.load(open(sys.argv[1])); assert i["backend"]=="postgresql" and i["schema_version"]==4 and i["events"]==0, i' \
  "$LAST_STDOUT" || fail "ledger info: $(cat "$LAST_STDOUT")"

note "three hosts, one job of 3000 PDFs, one host killed"
in=$TEST_TMP/in
out=$TEST_TMP/out
mkdir -p "$in" "$out"
"$py" -c '
import shutil, sys
for i in range(3000): shutil.copyfile(sys.argv[1], f"{sys.argv[2]}/doc{i:04d}.pdf")' "$PDFS/classic.pdf" "$in"
lease=4
declare -A pids
for h in host-a host-b host-c; do
  ESIGN_HOST_NAME=$h "$ESIGN" bulk "$in" --out-dir "$out" --profile "$PKI/rsa.yaml" -j 1 --lease $lease \
    >"$TEST_TMP/$h.out" 2>"$TEST_TMP/$h.err" &
  pids[$h]=$!
done
# Kill host-b once it has recorded 100 items: it holds leases on more.
for ((i = 0; i < 3000; i++)); do
  [ "$(pg -c "SELECT count(*) FROM items WHERE host = 'host-b'")" -ge 100 ] && break
  sleep 0.01
done
kill -KILL "${pids[host-b]}"
wait "${pids[host-b]}" 2>/dev/null || true
killed_at=$(date +%s.%N)
held=$(pg -c "SELECT count(*) FROM items WHERE lease_owner LIKE 'host-b:%' AND state = 'pending'")
pg -c "SELECT path FROM items WHERE lease_owner LIKE 'host-b:%' AND state = 'pending' ORDER BY path" >"$TEST_TMP/held"
[ "$held" -gt 0 ] || fail "host-b held no leases when it was killed (it had finished?)"
for h in host-a host-c; do
  rc=0
  wait "${pids[$h]}" || rc=$?
  [ "$rc" = 0 ] || fail "$h: exit $rc: $(cat "$TEST_TMP/$h.err")"
done
ended_at=$(date +%s.%N)
"$py" -c 'import sys; k, e, l = map(float, sys.argv[1:]); sys.exit(0 if e - k >= l - 1.5 else 1)' \
  "$killed_at" "$ended_at" $lease || fail "the others ended before host-b's leases ran out ($killed_at -> $ended_at)"
note "host-b held $held items at the kill"

# Every item done, each by one host; the items host-b held went to the others.
[ "$(pg -c "SELECT count(*) FROM items WHERE state = 'done'")" = 3000 ] ||
  fail "items: $(pg -c "SELECT state, count(*) FROM items GROUP BY state")"
while read -r p; do
  h=$(pg -c "SELECT host FROM items WHERE path = '$p'")
  [ "$h" = host-a ] || [ "$h" = host-c ] || fail "$p, held by host-b at the kill, finished by '$h'"
done <"$TEST_TMP/held"
# One ok sign event per input, none twice; as many outputs as inputs, no more.
dup=$(pg -c "SELECT input_path FROM events WHERE outcome = 'ok' AND detail LIKE 'bulk job%' GROUP BY input_path HAVING count(*) > 1 LIMIT 3")
[ -z "$dup" ] || fail "signed twice: $dup"
[ "$(pg -c "SELECT count(*) FROM events WHERE outcome = 'ok' AND detail LIKE 'bulk job%'")" = 3000 ] ||
  fail "ok bulk events: $(pg -c "SELECT count(*) FROM events WHERE outcome = 'ok' AND detail LIKE 'bulk job%'")"
[ "$(find "$out" -name '*.signed.pdf' ! -name '.*' | wc -l)" = 3000 ] || fail "outputs: $(find "$out" ! -name '.*' -type f | wc -l)"
expect_exit 0 esign verify --offline --trust "$PKI/root.pem" "$out"/*.signed.pdf
for i in 0000 1234 2999; do pdfsig_valid "$out/doc$i.signed.pdf"; done
# audit jobs names the hosts and what each did.
expect_exit 0 esign audit jobs --json
"$py" -c '
import json, sys
j = json.load(open(sys.argv[1]))["jobs"][0]
hosts = {h["host"]: h["done"] for h in j["hosts"]}
assert j["done"] == 3000 and set(hosts) == {"host-a", "host-b", "host-c"} and sum(hosts.values()) == 3000, j
assert hosts["host-b"] >= 100, hosts' "$LAST_STDOUT" || fail "audit jobs: $(cat "$LAST_STDOUT")"
expect_exit 0 esign audit jobs
expect_stdout_contains "hosts: host-a: "
expect_exit 0 esign audit verify
expect_stdout_contains "audit chain intact"
# A re-run on any host has nothing left to do.
ESIGN_HOST_NAME=host-b expect_exit 0 esign bulk "$in" --out-dir "$out" --profile "$PKI/rsa.yaml"
expect_stdout_contains "0 signed, 3000 skipped, 0 failed"

note "operators made on one host log in on another"
cfg=$TEST_TMP/esign.yaml
printf 'auth:\n  password:\n    scrypt_log2_n: 10\n' >"$cfg"
export ESIGN_CONFIG=$cfg
export XDG_STATE_HOME=$TEST_TMP/host1-state
printf '%s\n' 'admin password one' | expect_exit 0 esign users add ada --role admin --password-stdin
printf '%s\n' 'admin password one' | expect_exit 0 esign login --user ada --password-stdin
printf '%s\n' 'signer password one' | expect_exit 0 esign users add sam --role signer --password-stdin
export XDG_STATE_HOME=$TEST_TMP/host2-state
printf '%s\n' 'signer password one' | expect_exit 0 esign login --user sam --password-stdin
printf '%s\n' 'wrong password here' | expect_exit 2 esign login --user ada --password-stdin
[ "$(pg -c "SELECT failed_attempts FROM users WHERE name = 'ada'")" = 1 ] || fail "the failure was not counted in the shared ledger"
expect_exit 0 esign logout
unset XDG_STATE_HOME

note "a row edited in the database is named"
expect_exit 0 esign audit verify
pg -c "UPDATE events SET outcome = 'failed' WHERE id = 7"
expect_exit 1 esign audit verify
expect_stderr_contains "audit chain broken at event 7"
pg -c "UPDATE events SET outcome = 'ok' WHERE id = 7"
expect_exit 0 esign audit verify

note "anchors on PostgreSQL; a consistent rewrite under a copied anchor fails"
start_tsa tsa
expect_exit 0 esign audit anchor --tsa "$TSA_URL/tsa"
expect_exit 0 esign audit verify --trust "$PKI/root.pem" --json
"$py" -c 'import json,sys; v=json.load(open(sys.argv[1])); assert v["ok"] and v["anchors"]==1, v' "$LAST_STDOUT" ||
  fail "audit verify --json: $(cat "$LAST_STDOUT")"
pg -c "SELECT upper(encode(token, 'hex')) FROM anchors WHERE id = 1" | tr -d '\n' | basenc --base16 -d >"$TEST_TMP/a.tst"
pg -c "SELECT upper(head_hash) FROM anchors WHERE id = 1" | tr -d '\n' | basenc --base16 -d >"$TEST_TMP/a.data"
openssl ts -verify -in "$TEST_TMP/a.tst" -token_in -data "$TEST_TMP/a.data" -CAfile "$PKI/root.pem" >/dev/null 2>&1 ||
  fail "openssl ts -verify rejects the anchor stored in PostgreSQL"
createdb rewritten
ESIGN_LEDGER=$(uri rewritten)
printf 'other data\n' >"$TEST_TMP/c.txt"
for i in 1 2 3; do expect_exit 0 esign sign "$TEST_TMP/c.txt" --profile "$PKI/ec256.yaml" -o "$TEST_TMP/c$i.p7s"; done
PGDB=esign pg -c "COPY anchors TO STDOUT" | PGDB=rewritten pg -c "COPY anchors FROM STDIN"
PGDB=rewritten pg -c "UPDATE anchors SET event_id = 3, head_hash = (SELECT hash FROM events WHERE id = 3)"
expect_exit 1 esign audit verify --trust "$PKI/root.pem"
expect_stderr_contains "audit chain anchor broken: anchor 1"

note "ledger: in the configuration file; --ledger and ESIGN_LEDGER come first"
createdb configured
conf_home=$TEST_TMP/conf-home
mkdir -p "$conf_home"
printf 'ledger: %s\n' "$(uri configured)" >"$conf_home/config.yaml"
(
  unset ESIGN_LEDGER
  export ESIGN_HOME=$conf_home
  expect_exit 0 esign ledger info --json
  grep -q '"location":"postgresql://postgres@/configured' "$LAST_STDOUT" || fail "config ledger: not used: $(cat "$LAST_STDOUT")"
  printf 'ledger: local.db\n' >"$conf_home/config.yaml"
  expect_exit 0 esign ledger info
  expect_stdout_contains "location:  $conf_home/local.db"
  expect_exit 0 esign --ledger "$TEST_TMP/flag.db" ledger info
  expect_stdout_contains "location:  $TEST_TMP/flag.db"
  ESIGN_LEDGER=$TEST_TMP/env.db expect_exit 0 esign ledger info
  expect_stdout_contains "location:  $TEST_TMP/env.db"
  printf 'ledger: [1, 2]\n' >"$conf_home/config.yaml"
  expect_exit 2 esign ledger info
  expect_stderr_contains "'ledger' must be a file or a postgresql:// URI"
)

note "ledger migrate: a SQLite ledger into an empty PostgreSQL database"
lite=$TEST_TMP/lite.db
export XDG_STATE_HOME=$TEST_TMP/lite-state
printf '%s\n' 'admin password one' | expect_exit 0 esign --ledger "$lite" users add ada --role admin --password-stdin
printf '%s\n' 'admin password one' | expect_exit 0 esign --ledger "$lite" login --user ada --password-stdin
mkdir -p "$TEST_TMP/small"
for i in 1 2 3; do cp "$PDFS/classic.pdf" "$TEST_TMP/small/s$i.pdf"; done
expect_exit 0 esign --ledger "$lite" bulk "$TEST_TMP/small" --out-dir "$TEST_TMP/small-out" --profile "$PKI/rsa.yaml"
expect_exit 0 esign --ledger "$lite" audit anchor --tsa "$TSA_URL/tsa"
expect_exit 0 esign --ledger "$lite" ledger info --json
cp "$LAST_STDOUT" "$TEST_TMP/lite.json"
createdb moved
expect_exit 0 esign --ledger "$lite" ledger migrate --to "$(uri moved)" --json
"$py" -c '
import json, sys
m = json.load(open(sys.argv[1])); before = json.load(open(sys.argv[2]))
assert m["ok"] and m["chain_ok"] and m["to"]["backend"] == "postgresql", m
for k in ("events", "users", "sessions", "jobs", "items", "anchors", "head_event", "head_hash"):
    assert m["to"][k] == before[k], (k, m["to"][k], before[k])' "$LAST_STDOUT" "$TEST_TMP/lite.json" ||
  fail "ledger migrate: $(cat "$LAST_STDOUT")"
# The copy works as a ledger: the anchor verifies, the session is valid, new ids follow the old.
ESIGN_LEDGER=$(uri moved)
expect_exit 0 esign audit verify --trust "$PKI/root.pem"
expect_stdout_contains "anchored: 1 anchor"
expect_exit 0 esign login --status
printf '%s\n' 'signer password one' | expect_exit 0 esign users add sue --role signer --password-stdin
[ "$(PGDB=moved pg -c "SELECT id FROM users WHERE name = 'sue'")" = 2 ] || fail "ids do not continue after the copied ones"
expect_exit 0 esign audit verify --trust "$PKI/root.pem"
# Into a ledger that holds something: refused, nothing written.
expect_exit 2 esign --ledger "$lite" ledger migrate --to "$(uri moved)"
expect_stderr_contains "not empty"
# A literal password in the URI is refused and not repeated.
expect_exit 2 esign --ledger "postgresql://pwuser:hunter2secret@/pwdb?host=$ESIGN_TEST_PG_HOST" ledger info
expect_stderr_contains "password=env:VAR"
expect_stderr_lacks "hunter2secret"
PGPW=$(cat "$ESIGN_TEST_PG_HOST/pwuser.password") expect_exit 0 \
  esign --ledger "postgresql://pwuser@/pwdb?host=$ESIGN_TEST_PG_HOST&password=env:PGPW" ledger info
expect_stdout_contains "backend:   postgresql"
