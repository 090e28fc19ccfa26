#!/usr/bin/env bash
# The ledger records every sign and verify with the input and output hashes and the signer's
# fingerprint, is private (0600), holds no secret, and its hash chain shows any edit: a changed
# row or a deleted last row makes `esign audit verify` fail and name the event. Also the
# --ledger flag (before or after the subcommand) and ESIGN_LEDGER. Anchors: `esign audit anchor`
# keeps a loopback TSA's token over the chain head, openssl ts -verify accepts it, and a chain
# rewritten consistently, an anchored hash edited, an anchor deleted, its time or TSA edited, a
# token replaced, the anchors table dropped: none passes `audit verify`.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
need_tool sqlite3 openssl

py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3)
unset ESIGN_LEDGER
l=$TEST_TMP/l.db
w=$TEST_TMP/w
mkdir -p "$w"
cp "$PDFS/classic.pdf" "$w/a.pdf"
printf 'ledger test data\n' >"$w/b.txt"
secret=$(head -n1 "$PKI/p12-password.txt")
sha() { sha256sum <"$1" | cut -d' ' -f1; }
# later MESSAGE: a failure reported at the end, so the checks after it still run.
later_fails=()
later() { echo "FAIL (reported at the end) $TEST_NAME: $*" >&2; later_fails+=("$*"); }
fpr=$(openssl x509 -in "$PKI/rsa.cert.pem" -outform DER | sha256sum | cut -d' ' -f1)

expect_exit 0 esign --ledger "$l" sign "$w/a.pdf" --profile "$PKI/rsa.yaml"
expect_exit 0 esign sign "$w/b.txt" --profile "$PKI/rsa.yaml" --ledger "$l"
expect_exit 0 esign --ledger "$l" verify "$w/a.signed.pdf" --trust "$PKI/root.pem"
expect_file "$l"
[ "$(stat -c %a "$l")" = 600 ] || fail "the ledger has mode $(stat -c %a "$l"), expected 600"
[ ! -e "$HOME/.local/share/esign/ledger.db" ] || fail "--ledger also wrote the default ledger"

# The schema this test relies on.
schema=$(sqlite3 "$l" .schema)
for col in id operation input_path input_sha256 output_path output_sha256 outcome signer_fingerprint hash prev_hash; do
  grep -qw "$col" <<<"$schema" || fail "events has no column $col:
$schema"
done

expect_exit 0 esign --ledger "$l" audit log --json
cp "$LAST_STDOUT" "$TEST_TMP/log.json"
"$py" - "$TEST_TMP/log.json" "$w" "$(sha "$w/a.pdf")" "$(sha "$w/a.signed.pdf")" "$(sha "$w/b.txt")" \
  "$(sha "$w/b.txt.p7s")" "$fpr" <<'PY' || fail "audit log --json: $(cat "$TEST_TMP/log.json")"
import json, os, sys
log, w, a_in, a_out, b_in, b_out, fpr = sys.argv[1:]
ev = json.load(open(log))['events']
ops = [e['operation'] for e in ev]
assert ops == ['sign', 'sign', 'verify'], 'operations %r' % ops
assert [e['id'] for e in ev] == [1, 2, 3], 'ids %r' % [e['id'] for e in ev]
s1, s2, v = ev
def same(p, q):
    return os.path.realpath(p) == os.path.realpath(q)
assert same(s1['input_path'], w + '/a.pdf'), s1['input_path']
assert same(s1['output_path'], w + '/a.signed.pdf'), s1['output_path']
assert s1['input_sha256'] == a_in, 'sign 1 input sha256'
assert s1['output_sha256'] == a_out, 'sign 1 output sha256'
assert same(s2['input_path'], w + '/b.txt') and same(s2['output_path'], w + '/b.txt.p7s'), 'sign 2 paths'
assert s2['input_sha256'] == b_in, 'sign 2 input sha256'
assert s2['output_sha256'] == b_out, 'sign 2 output sha256'
assert same(v['input_path'], w + '/a.signed.pdf'), v['input_path']
assert v['input_sha256'] == a_out, 'verify input sha256'
for e in ev:
    assert e['signer_fingerprint'] == fpr, '%s: fingerprint %s' % (e['operation'], e['signer_fingerprint'])
assert s1['outcome'] == s2['outcome'] == 'ok', 'sign outcomes'
assert v['outcome'] == 'valid', 'verify outcome ' + v['outcome']
assert ev[0]['prev_hash'] == '0' * 64
for p, n in zip(ev, ev[1:]):
    assert n['prev_hash'] == p['hash'], 'chain link %d' % n['id']
PY
# The text log lists them too.
expect_exit 0 esign --ledger "$l" audit log
[ "$(grep -cE '^ *[0-9]+ ' "$LAST_STDOUT")" = 3 ] || { _show_last; fail "audit log does not list 3 events"; }
expect_exit 0 esign audit verify --ledger "$l"

# A failed sign and an invalid verify are recorded too.
cp "$PDFS/corrupt.pdf" "$w/corrupt.pdf"
expect_exit 2 esign --ledger "$l" sign "$w/corrupt.pdf" --profile "$PKI/rsa.yaml"
expect_exit 4 esign --ledger "$l" verify "$w/a.signed.pdf" --trust "$PKI/untrusted-root.pem"
expect_exit 0 esign --ledger "$l" --json audit log
"$py" -c '
import json, sys
ev = json.load(open(sys.argv[1]))["events"]
assert [e["operation"] for e in ev][3:] == ["sign", "verify"], [e["operation"] for e in ev]
assert ev[3]["outcome"] not in ("ok", ""), ev[3]
assert ev[4]["outcome"] == "indeterminate", ev[4]
' "$LAST_STDOUT" || fail "failed operations are not recorded: $(cat "$LAST_STDOUT")"
expect_exit 0 esign --ledger "$l" audit verify

# No secret in the ledger (the p12 password, nor the profile's reference to its file content).
dump=$(sqlite3 "$l" .dump)
[ "$(grep -c -- "$secret" <<<"$dump" || true)" = 0 ] || fail "the p12 password is in the ledger"
# A password given through env: is not recorded either.
cat >"$TEST_TMP/env.yaml" <<YAML
name: envpw
key:
  source: pkcs12
  path: $PKI/rsa.p12
  password: env:LEDGER_TEST_PW
YAML
LEDGER_TEST_PW=$secret expect_exit 0 esign --ledger "$l" sign "$w/b.txt" --profile "$TEST_TMP/env.yaml" -o "$w/b2.p7s"
LEDGER_TEST_PW=wrong-pw-value-123 expect_exit 2 esign --ledger "$l" sign "$w/b.txt" --profile "$TEST_TMP/env.yaml" -o "$w/b3.p7s"
dump=$(sqlite3 "$l" .dump)
[ "$(grep -c -- "$secret" <<<"$dump" || true)" = 0 ] || fail "the p12 password is in the ledger"
[ "$(grep -c -- "wrong-pw-value-123" <<<"$dump" || true)" = 0 ] || fail "a wrong password is in the ledger"
[ "$(stat -c %a "$l")" = 600 ] || fail "the ledger's mode changed to $(stat -c %a "$l")"
expect_exit 0 esign --ledger "$l" audit verify
n=$(sqlite3 "$l" 'SELECT count(*) FROM events')

# Tampering: a changed row is found and named.
cp "$l" "$TEST_TMP/l.orig.db"
sqlite3 "$l" "UPDATE events SET outcome='x' WHERE id=2"
expect_exit 1 esign --ledger "$l" audit verify
grep -qE '(event|#|id)[ =:]*2\b' "$LAST_STDOUT" "$LAST_STDERR" || { _show_last; fail "audit verify does not name event 2"; }
grep -qF -- "$l" "$LAST_STDERR" || later "audit verify: stderr does not name the ledger file: $(cat "$LAST_STDERR")"
# ... also a changed hash column together with the row (the next link breaks).
cp "$TEST_TMP/l.orig.db" "$l"
sqlite3 "$l" "UPDATE events SET input_sha256='$(printf '0%.0s' {1..64})' WHERE id=3"
expect_exit 1 esign --ledger "$l" audit verify
grep -qE '(event|#|id)[ =:]*3\b' "$LAST_STDOUT" "$LAST_STDERR" || { _show_last; fail "audit verify does not name event 3"; }
# The last row deleted.
cp "$TEST_TMP/l.orig.db" "$l"
sqlite3 "$l" "DELETE FROM events WHERE id=(SELECT max(id) FROM events)"
expect_exit 1 esign --ledger "$l" audit verify
# A row in the middle deleted.
cp "$TEST_TMP/l.orig.db" "$l"
sqlite3 "$l" "DELETE FROM events WHERE id=2"
expect_exit 1 esign --ledger "$l" audit verify
# Untouched copy: still intact.
cp "$TEST_TMP/l.orig.db" "$l"
expect_exit 0 esign --ledger "$l" audit verify
[ "$(sqlite3 "$l" 'SELECT count(*) FROM events')" = "$n" ] || fail "event count changed"

# ESIGN_LEDGER, and the default location under XDG_DATA_HOME.
note "ESIGN_LEDGER"
export ESIGN_LEDGER=$TEST_TMP/env-ledger.db
expect_exit 0 esign sign "$w/b.txt" --profile "$PKI/ec256.yaml" -o "$w/b4.p7s"
expect_file "$ESIGN_LEDGER"
[ "$(stat -c %a "$ESIGN_LEDGER")" = 600 ] || fail "ESIGN_LEDGER ledger has mode $(stat -c %a "$ESIGN_LEDGER")"
expect_exit 0 esign audit log --json
"$py" -c '
import json, sys
ev = json.load(open(sys.argv[1]))["events"]
assert len(ev) == 1 and ev[0]["operation"] == "sign" and ev[0]["output_sha256"] == sys.argv[2], ev
' "$LAST_STDOUT" "$(sha "$w/b4.p7s")" || fail "ESIGN_LEDGER: $(cat "$LAST_STDOUT")"
[ "$(sqlite3 "$l" 'SELECT count(*) FROM events')" = "$n" ] || fail "ESIGN_LEDGER: the --ledger file got the event"
# --ledger wins over ESIGN_LEDGER.
expect_exit 0 esign --ledger "$TEST_TMP/flag.db" sign "$w/b.txt" --profile "$PKI/ec256.yaml" -o "$w/b5.p7s"
[ "$(sqlite3 "$ESIGN_LEDGER" 'SELECT count(*) FROM events')" = 1 ] || fail "--ledger did not win over ESIGN_LEDGER"
[ "$(sqlite3 "$TEST_TMP/flag.db" 'SELECT count(*) FROM events')" = 1 ] || fail "--ledger file has no event"
unset ESIGN_LEDGER
expect_exit 0 esign sign "$w/b.txt" --profile "$PKI/ec256.yaml" -o "$w/b6.p7s"
expect_file "$XDG_DATA_HOME/esign/ledger.db"
[ "$(stat -c %a "$XDG_DATA_HOME/esign/ledger.db")" = 600 ] || fail "the default ledger is not 0600"

note "anchors: a TSA's token over the chain head"
start_tsa tsa
a=$TEST_TMP/anchored.db
expect_exit 2 esign --ledger "$a" audit anchor --tsa "$TSA_URL/tsa"
expect_stderr_contains "nothing to anchor"
expect_exit 2 esign --ledger "$a" audit anchor --tsa "$TSA_URL/tsa" --profile "$PKI/ec256.yaml"
expect_exit 0 esign --ledger "$a" sign "$w/b.txt" --profile "$PKI/ec256.yaml" -o "$w/anchor1.p7s"
expect_exit 0 esign --ledger "$a" audit anchor --tsa "$TSA_URL/tsa"
expect_stdout_contains "anchored event 1 ($(sqlite3 "$a" 'SELECT hash FROM events WHERE id=1')) at "
expect_exit 0 esign --ledger "$a" sign "$w/b.txt" --profile "$PKI/ec256.yaml" -o "$w/anchor2.p7s"
expect_exit 0 esign --ledger "$a" audit anchor --tsa "$TSA_URL/tsa" --json
"$py" -c '
import json, sys
a = json.load(open(sys.argv[1]))
assert a["event"] == 3 and a["head_hash"] == sys.argv[2] and a["tsa"].startswith("CN=Test TSA"), a
assert "127.0.0.1" in a["tsa_url"] and "tsa-secret" not in a["tsa_url"], a
' "$LAST_STDOUT" "$(sqlite3 "$a" 'SELECT hash FROM events WHERE id=3')" || fail "anchor --json: $(cat "$LAST_STDOUT")"
[ "$(sqlite3 "$a" "SELECT count(*) FROM events WHERE operation='audit-anchor' AND outcome='ok'")" = 2 ] ||
  fail "the anchors have no audit events"
# A TSA that cannot be reached: exit 2, a failed event, no anchor.
expect_exit 2 esign --ledger "$a" audit anchor --tsa "http://127.0.0.1:1/tsa"
[ "$(sqlite3 "$a" 'SELECT count(*) FROM anchors')" = 2 ] || fail "a failed anchor was stored"
[ "$(sqlite3 "$a" "SELECT outcome FROM events ORDER BY id DESC LIMIT 1")" = failed ] || fail "the failed anchor was not recorded"
expect_exit 0 esign --ledger "$a" audit verify --trust "$PKI/root.pem"
expect_stdout_contains "audit chain intact: 5 events"
expect_stdout_contains "anchored: 2 anchors, the last over event 3 at "
expect_exit 0 esign --ledger "$a" audit verify --trust "$PKI/root.pem" --json
"$py" -c '
import json, sys
v = json.load(open(sys.argv[1]))
assert v["ok"] and v["anchors"] == 2 and v["last_anchor"]["event"] == 3, v
' "$LAST_STDOUT" || fail "audit verify --json: $(cat "$LAST_STDOUT")"
# openssl agrees: each token covers the 32 bytes of its head hash and chains to the test root.
for id in 1 2; do
  sqlite3 "$a" "SELECT hex(token) FROM anchors WHERE id=$id" | basenc --base16 -d >"$TEST_TMP/anchor$id.tst"
  sqlite3 "$a" "SELECT upper(head_hash) FROM anchors WHERE id=$id" | basenc --base16 -d >"$TEST_TMP/anchor$id.data"
  openssl ts -verify -data "$TEST_TMP/anchor$id.data" -in "$TEST_TMP/anchor$id.tst" -token_in -CAfile "$PKI/chain.pem" \
    >"$TEST_TMP/ts$id.out" 2>&1 || fail "openssl ts -verify refused anchor $id: $(cat "$TEST_TMP/ts$id.out")"
done
# esign ledger info: backend, schema, counts and head from the same file.
expect_exit 0 esign --ledger "$a" ledger info --json
"$py" -c '
import json, sys
i = json.load(open(sys.argv[1]))
assert i["backend"] == "sqlite" and i["schema_version"] == 4 and i["events"] == 5 and i["anchors"] == 2, i
assert i["head_event"] == 5 and i["head_hash"] == sys.argv[2], i
' "$LAST_STDOUT" "$(sqlite3 "$a" 'SELECT hash FROM events WHERE id=5')" || fail "ledger info: $(cat "$LAST_STDOUT")"
expect_exit 0 esign --ledger "$a" ledger info
expect_stdout_contains "anchors:   2"
# What cannot be checked does not pass: without the TSA's root the anchors fail.
expect_exit 1 esign --ledger "$a" audit verify
expect_stderr_contains "audit chain anchor broken: anchor 1 (event 1)"
expect_stderr_contains "not trusted"

# A history rewritten consistently: another ledger whose chain is intact on its own, with the
# anchors copied in. Its events are not the ones the TSA saw.
r=$TEST_TMP/rewritten.db
printf 'other data\n' >"$w/c.txt"
for i in 1 2 3; do expect_exit 0 esign --ledger "$r" sign "$w/c.txt" --profile "$PKI/ec256.yaml" -o "$w/c$i.p7s"; done
expect_exit 0 esign --ledger "$r" audit verify
expect_stdout_contains "not anchored"
sqlite3 "$r" "ATTACH '$a' AS a; INSERT INTO anchors SELECT * FROM a.anchors;"
expect_exit 1 esign --ledger "$r" audit verify --trust "$PKI/root.pem"
expect_stderr_contains "event 1 is not the event the TSA time-stamped"
# ... and the anchored hashes made to match the rewrite: the tokens do not cover them.
sqlite3 "$r" "UPDATE anchors SET head_hash = (SELECT hash FROM events WHERE events.id = anchors.event_id)"
expect_exit 1 esign --ledger "$r" audit verify --trust "$PKI/root.pem" --json
"$py" -c '
import json, sys
v = json.load(open(sys.argv[1]))
assert not v["ok"] and v["last_anchor"] is None and "does not hold" in v["anchor_error"], v
' "$LAST_STDOUT" || fail "rewritten hashes: $(cat "$LAST_STDOUT")"
# An anchor deleted behind esign's back: its event still names it.
cp "$a" "$TEST_TMP/deleted.db"
sqlite3 "$TEST_TMP/deleted.db" "DELETE FROM anchors WHERE id=1"
expect_exit 1 esign --ledger "$TEST_TMP/deleted.db" audit verify --trust "$PKI/root.pem"
expect_stderr_contains "event 2 records an anchor that is not in the ledger"
# The stored time edited: it is not the token's.
cp "$a" "$TEST_TMP/retimed.db"
sqlite3 "$TEST_TMP/retimed.db" "UPDATE anchors SET time='2020-01-01T00:00:00Z' WHERE id=2"
expect_exit 1 esign --ledger "$TEST_TMP/retimed.db" audit verify --trust "$PKI/root.pem"
expect_stderr_contains "its time 2020-01-01T00:00:00Z is not the token's"

# The stored TSA name edited: what verify reports comes from the token, so it must agree.
cp "$a" "$TEST_TMP/renamed.db"
sqlite3 "$TEST_TMP/renamed.db" "UPDATE anchors SET tsa='CN=Trusted National TSA' WHERE id=2"
expect_exit 1 esign --ledger "$TEST_TMP/renamed.db" audit verify --trust "$PKI/root.pem"
expect_stderr_contains "its TSA CN=Trusted National TSA is not the token's"
# A token that is not one: garbage, empty, 5 MB of noise, another anchor's token.
for token in "X'3000'" "X''" "randomblob(5000000)" "(SELECT token FROM anchors WHERE id=1)"; do
  cp "$a" "$TEST_TMP/token.db"
  sqlite3 "$TEST_TMP/token.db" "UPDATE anchors SET token=$token WHERE id=2"
  expect_exit 1 esign --ledger "$TEST_TMP/token.db" audit verify --trust "$PKI/root.pem"
  expect_stderr_contains "anchor 2 (event 3): its time-stamp token does not hold"
done
# The anchors table dropped: an error, never "intact".
cp "$a" "$TEST_TMP/dropped.db"
sqlite3 "$TEST_TMP/dropped.db" "DROP TABLE anchors"
expect_exit 2 esign --ledger "$TEST_TMP/dropped.db" audit verify --trust "$PKI/root.pem"
expect_stderr_contains "cannot read the anchors"

[ ${#later_fails[@]} = 0 ] || fail "${later_fails[*]}"
