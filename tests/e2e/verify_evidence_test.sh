#!/usr/bin/env bash
# Freshness of embedded revocation evidence (ETSI EN 319 102-1 §5.2.5.4.3). The attack: a
# signer revoked before signing passes when an update after signing puts into the DSS an older
# CRL, one that does not list it yet and whose nextUpdate passed before the signature.
#   a. a PDF signed at B-T (a signature time-stamp now) by the LT `revoked` signer, then an
#      incremental update adding a /DSS with that old CRL of the intermediate (and the root's
#      current CRL, for the intermediate): --offline -> INDETERMINATE, TRY_LATER, "too old"
#      (exit 4); online -> the responder says revoked: TOTAL-FAILED, REVOKED (exit 1);
#      --offline --revocation soft-fail -> the unknown status is tolerated (exit 0)
#   b. positive controls: config `verify: {max_evidence_age: 365d}` ($ESIGN_HOME/config.yaml)
#      makes the old CRL fresh enough -> --offline exit 0 (the config is read); a current CRL
#      listing the signer, added the same way -> --offline TOTAL-FAILED, REVOKED (exit 1)
#   c. the same for a detached CAdES .p7s (B-T): the old CRL added to SignedData.crls
#      (outside the signed attributes) -> --offline exit 4 "too old", online exit 1 REVOKED,
#      max_evidence_age 365d -> exit 0; and a good signer with only the old CRL -> exit 4
# Evidence is a freshness window: a good answer counts when thisUpdate >= T - max_age, T the
# proof of existence (here the signature time-stamp), max_age the config's max_evidence_age,
# else the evidence's nextUpdate - thisUpdate. A revoked answer always counts.
#
# The PKI is tests/support/make_lt_pki.sh with tests/support/revocation_server.py and a loopback
# TSA (lib.sh start_tsa); the updates are tests/support/forge.py dss-add and cms-crls.
# Verdicts are deferred with `later`, so every case is tried and all wrong ones reported.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
need_tool openssl qpdf
[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 (Debian's python) is not installed"
py=/usr/bin/python3
export ESIGN_LEDGER=$TEST_TMP/ledger.db
unset ESIGN_HOME
LT=$TEST_TMP/lt

later_fails=()
# later MESSAGE: a failure reported at the end, so the checks after it still run.
later() { echo "FAIL (reported at the end) $TEST_NAME: $*" >&2; later_fails+=("$*"); }

# forge ATTACK IN OUT [ARGS...]: tests/support/forge.py (a failure there fails the test).
start_lt_pki "$LT"

# The old CRL: the intermediate's CA state as it was before `revoked` was revoked (its index
# entry back to valid "V"), issued 23 hours ago with a nextUpdate an hour ago -- after both
# certificates were issued (their notBefore is a day ago), before the signatures below. Its
# interval (22 h) is its own freshness: at the signing time it proves nothing.
OLD=$TEST_TMP/old-ca
cp -r "$LT/ca/intermediate" "$OLD"
sed -i "s|^dir .*|dir              = $OLD|" "$OLD/openssl.cnf"
awk -F'\t' -v OFS='\t' '$1 == "R" { $1 = "V"; $3 = "" } 1' "$LT/ca/intermediate/index.txt" >"$OLD/index.txt"
grep -q '^R' "$LT/ca/intermediate/index.txt" || fail "make_lt_pki.sh revoked nothing"
openssl ca -batch -config "$OLD/openssl.cnf" -cert "$LT/intermediate.pem" -keyfile "$LT/intermediate.key.pem" \
  -gencrl -crl_lastupdate "$(date -u -d '-23 hours' +%Y%m%d%H%M%SZ)" \
  -crl_nextupdate "$(date -u -d '-1 hour' +%Y%m%d%H%M%SZ)" -out "$OLD/crl.pem" 2>"$TEST_TMP/gencrl.err" ||
  fail "openssl ca -gencrl: $(cat "$TEST_TMP/gencrl.err")"
openssl crl -in "$OLD/crl.pem" -outform DER -out "$TEST_TMP/old.crl"
# Referee: openssl reads the old CRL as the intermediate's, listing nobody, nextUpdate passed.
crl_text=$(openssl crl -inform DER -in "$TEST_TMP/old.crl" -CAfile "$LT/chain.pem" -noout -text 2>&1)
grep -q "No Revoked Certificates" <<<"$crl_text" || fail "the old CRL lists certificates: $crl_text"
openssl crl -inform DER -in "$TEST_TMP/old.crl" -CAfile "$LT/chain.pem" -noout 2>&1 | grep -q "verify OK" ||
  fail "openssl does not verify the old CRL with the intermediate"
next=$(openssl crl -inform DER -in "$TEST_TMP/old.crl" -noout -nextupdate | cut -d= -f2)
[ "$(date -u -d "$next" +%s)" -lt "$(date -u +%s)" ] || fail "the old CRL's nextUpdate ($next) has not passed"
# The current CRL (make_lt_pki.sh, just made) lists the revoked signer.
openssl crl -inform DER -in "$LT/intermediate.crl" -noout -text | grep -q "Key Compromise" ||
  fail "the intermediate's current CRL does not list the revoked signer"

# A config home whose config.yaml accepts evidence up to a year old (esign caps the setting at a year).
CONF=$TEST_TMP/conf-home
mkdir -p "$CONF"
printf 'verify:\n  max_evidence_age: 365d\n' >"$CONF/config.yaml"

# json_of FILE EXPR: EXPR (python) with f = the first file report of FILE (verify --format json).
json_of() {
  "$py" -c 'import json, sys; f = json.load(open(sys.argv[1]))["files"][0]; print(eval(sys.argv[2]))' "$1" "$2" 2>/dev/null ||
    echo "(no JSON)"
}

# verdict LABEL WANT_EXIT WANT_INDICATION WANT_SUB DETAIL_TEXT FILE [VERIFY-ARGS...]: `esign
# verify FILE --format json` exits WANT_EXIT with files[0].indication WANT_INDICATION,
# .sub_indication WANT_SUB ('' for none) and, unless DETAIL_TEXT is '', the revocation check's
# detail of signature 0 contains DETAIL_TEXT. Deferred (later). The JSON stays in $TEST_TMP/v.json.
verdict() {
  local label=$1 want=$2 ind=$3 sub=$4 text=$5 f=$6 got_ind got_sub detail problems=""
  shift 6
  run esign verify "$f" --trust "$LT/root.pem" --format json "$@"
  cp "$LAST_STDOUT" "$TEST_TMP/v.json"
  got_ind=$(json_of "$TEST_TMP/v.json" 'f["indication"]')
  got_sub=$(json_of "$TEST_TMP/v.json" 'f.get("sub_indication") or ""')
  detail=$(json_of "$TEST_TMP/v.json" 'f["signatures"][0]["checks"]["revocation"]["detail"]')
  [ "$LAST_EXIT" = "$want" ] || problems+=" exit $LAST_EXIT, expected $want;"
  [ "$got_ind" = "$ind" ] || problems+=" indication '$got_ind', expected '$ind';"
  [ "$got_sub" = "$sub" ] || problems+=" sub_indication '$got_sub', expected '$sub';"
  [ -z "$text" ] || grep -qF -- "$text" <<<"$detail" || problems+=" revocation detail lacks '$text';"
  if [ -n "$problems" ]; then
    later "$label:$problems revocation detail: $detail; stderr: $(head -c 400 "$LAST_STDERR")"
  else
    note "$label: $ind${sub:+/$sub} (exit $want) as expected"
  fi
}

note "a. sign at B-T with the revoked signer, then add the old CRL in a DSS update"
IN=$(copy_fixture "$PDFS/classic.pdf" in.pdf)
expect_exit 0 esign sign "$IN" --profile "$LT/revoked.yaml" --level B-T -o "$TEST_TMP/revoked.pdf"
forge dss-add "$TEST_TMP/revoked.pdf" "$TEST_TMP/stale.pdf" --crl "$TEST_TMP/old.crl" --crl "$LT/root.crl"
qpdf_ok "$TEST_TMP/stale.pdf"
# What the DSS holds, read back with qpdf: the two CRLs, nothing else.
qpdf --json "$TEST_TMP/stale.pdf" >"$TEST_TMP/stale.json"
"$py" - "$TEST_TMP/stale.json" <<'PY' || fail "the DSS of stale.pdf is not the two CRLs"
import json, sys
objs = json.load(open(sys.argv[1]))["qpdf"][1]
get = lambda ref: objs["obj:" + ref]["value"]
dss = get(get(objs["trailer"]["value"]["/Root"])["/DSS"])
assert list(dss) == ["/CRLs"] and len(dss["/CRLs"]) == 2, dss
PY
verdict "old CRL in the DSS, --offline" 4 INDETERMINATE TRY_LATER "too old" "$TEST_TMP/stale.pdf" --offline
# The DSS update itself is allowed: only the evidence is not enough.
[ "$(json_of "$TEST_TMP/v.json" 'all(r["allowed"] for r in f["revisions"])')" = True ] ||
  later "the DSS update is not an allowed change: $(json_of "$TEST_TMP/v.json" 'f["revisions"]')"
verdict "old CRL in the DSS, online" 1 TOTAL-FAILED REVOKED "is revoked" "$TEST_TMP/stale.pdf"
verdict "old CRL in the DSS, --offline --revocation soft-fail" 0 TOTAL-PASSED "" "tolerated" \
  "$TEST_TMP/stale.pdf" --offline --revocation soft-fail
run esign verify "$TEST_TMP/stale.pdf" --trust "$LT/root.pem" --offline --revocation soft-fail
if [ "$LAST_EXIT" != 0 ] || ! grep -qF "tolerated" "$LAST_STDOUT"; then
  later "soft-fail text output: exit $LAST_EXIT (expected 0), 'tolerated' $(grep -qF tolerated "$LAST_STDOUT" && echo present || echo missing): $(cat "$LAST_STDOUT")"
fi
# Without the DSS update, --offline has nothing at all (the known case, for contrast).
verdict "B-T without a DSS, --offline" 4 INDETERMINATE TRY_LATER "nothing embedded" "$TEST_TMP/revoked.pdf" --offline

note "b. controls: max_evidence_age 365d lets the old CRL count; a current CRL says revoked"
ESIGN_HOME=$CONF verdict "old CRL, max_evidence_age 365d, --offline" 0 TOTAL-PASSED "" "good (embedded CRL)" \
  "$TEST_TMP/stale.pdf" --offline
forge dss-add "$TEST_TMP/revoked.pdf" "$TEST_TMP/fresh.pdf" --crl "$LT/intermediate.crl" --crl "$LT/root.crl"
qpdf_ok "$TEST_TMP/fresh.pdf"
verdict "current CRL in the DSS, --offline" 1 TOTAL-FAILED REVOKED "is revoked (keyCompromise" "$TEST_TMP/fresh.pdf" --offline
ESIGN_HOME=$CONF verdict "current CRL, max_evidence_age 365d, --offline" 1 TOTAL-FAILED REVOKED "is revoked" \
  "$TEST_TMP/fresh.pdf" --offline
verdict "current CRL in the DSS, --offline --revocation soft-fail" 1 TOTAL-FAILED REVOKED "is revoked" \
  "$TEST_TMP/fresh.pdf" --offline --revocation soft-fail

note "c. a detached CAdES .p7s at B-T: the old CRL in SignedData.crls"
printf 'evidence freshness\n' >"$TEST_TMP/data.txt"
expect_exit 0 esign sign "$TEST_TMP/data.txt" --profile "$LT/revoked.yaml" --level B-T -o "$TEST_TMP/revoked.p7s"
forge cms-crls "$TEST_TMP/revoked.p7s" "$TEST_TMP/stale.p7s" --crl "$TEST_TMP/old.crl" --crl "$LT/root.crl"
p7s_ok "$TEST_TMP/stale.p7s" "$TEST_TMP/data.txt" "$LT/chain.pem" -cades
openssl cms -cmsout -print -inform DER -in "$TEST_TMP/stale.p7s" | grep -c "d.crl:" | grep -qx 2 ||
  fail "stale.p7s does not hold the two CRLs in its crls field"
verdict ".p7s, old CRL, --offline" 4 INDETERMINATE TRY_LATER "too old" "$TEST_TMP/stale.p7s" --data "$TEST_TMP/data.txt" --offline
verdict ".p7s, old CRL, online" 1 TOTAL-FAILED REVOKED "is revoked" "$TEST_TMP/stale.p7s" --data "$TEST_TMP/data.txt"
ESIGN_HOME=$CONF verdict ".p7s, old CRL, max_evidence_age 365d, --offline" 0 TOTAL-PASSED "" "good (embedded CRL)" \
  "$TEST_TMP/stale.p7s" --data "$TEST_TMP/data.txt" --offline
forge cms-crls "$TEST_TMP/revoked.p7s" "$TEST_TMP/fresh.p7s" --crl "$LT/intermediate.crl" --crl "$LT/root.crl"
verdict ".p7s, current CRL, --offline" 1 TOTAL-FAILED REVOKED "is revoked (keyCompromise" "$TEST_TMP/fresh.p7s" \
  --data "$TEST_TMP/data.txt" --offline
# A signer that is not revoked gains nothing from the old CRL either: it proves nothing now.
expect_exit 0 esign sign "$TEST_TMP/data.txt" --profile "$LT/signer.yaml" --level B-T -o "$TEST_TMP/good.p7s"
forge cms-crls "$TEST_TMP/good.p7s" "$TEST_TMP/good-stale.p7s" --crl "$TEST_TMP/old.crl" --crl "$LT/root.crl"
verdict ".p7s, good signer, old CRL, --offline" 4 INDETERMINATE TRY_LATER "too old" "$TEST_TMP/good-stale.p7s" \
  --data "$TEST_TMP/data.txt" --offline

note "d. a CRL whose issuing distribution point covers CA certificates only says nothing about a signer"
ARL=$TEST_TMP/arl-ca
cp -r "$LT/ca/intermediate" "$ARL"
sed -i "s|^dir .*|dir              = $ARL|" "$ARL/openssl.cnf"
awk -F'\t' -v OFS='\t' '$1 == "R" { $1 = "V"; $3 = "" } 1' "$LT/ca/intermediate/index.txt" >"$ARL/index.txt"
printf '[ arl_ext ]\nissuingDistributionPoint = critical, @idp\n[ idp ]\nonlyCA = TRUE\n' >>"$ARL/openssl.cnf"
openssl ca -batch -config "$ARL/openssl.cnf" -cert "$LT/intermediate.pem" -keyfile "$LT/intermediate.key.pem" \
  -gencrl -crlexts arl_ext -out "$ARL/arl.pem" 2>"$TEST_TMP/arl.err" || fail "openssl ca -gencrl (ARL): $(cat "$TEST_TMP/arl.err")"
openssl crl -in "$ARL/arl.pem" -outform DER -out "$TEST_TMP/arl.crl"
openssl crl -inform DER -in "$TEST_TMP/arl.crl" -noout -text | grep -q "Only CA Certificates" || fail "the ARL has no onlyCA scope"
forge dss-add "$TEST_TMP/revoked.pdf" "$TEST_TMP/arl.pdf" --crl "$TEST_TMP/arl.crl" --crl "$LT/root.crl"
verdict "a CA-only CRL in the DSS, --offline" 4 INDETERMINATE TRY_LATER "nothing embedded" "$TEST_TMP/arl.pdf" --offline
verdict "a CA-only CRL in the DSS, online" 1 TOTAL-FAILED REVOKED "is revoked" "$TEST_TMP/arl.pdf"

note "e. online: an expired CRL that lists the signer still says revoked, also under soft-fail"
EXPIRED=$TEST_TMP/expired-ca
cp -r "$LT/ca/intermediate" "$EXPIRED"
sed -i "s|^dir .*|dir              = $EXPIRED|" "$EXPIRED/openssl.cnf"
openssl ca -batch -config "$EXPIRED/openssl.cnf" -cert "$LT/intermediate.pem" -keyfile "$LT/intermediate.key.pem" \
  -gencrl -crl_lastupdate "$(date -u -d '-20 minutes' +%Y%m%d%H%M%SZ)" \
  -crl_nextupdate "$(date -u -d '-10 minutes' +%Y%m%d%H%M%SZ)" -out "$EXPIRED/crl.pem" 2>/dev/null ||
  fail "openssl ca -gencrl (expired)"
cp "$LT/intermediate.crl" "$TEST_TMP/current.crl"
openssl crl -in "$EXPIRED/crl.pem" -outform DER -out "$LT/intermediate.crl"
touch "$LT/ocsp.down"
verdict "responder down, expired CRL listing the signer, soft-fail" 1 TOTAL-FAILED REVOKED "is revoked" \
  "$TEST_TMP/revoked.pdf" --revocation soft-fail
rm -f "$LT/ocsp.down"
cp "$TEST_TMP/current.crl" "$LT/intermediate.crl"

note "f. a time-stamp only archives what it covers: evidence added after it is not B-LTA"
expect_exit 0 esign sign "$IN" --profile "$LT/signer.yaml" --level B-T -o "$TEST_TMP/bt.pdf"
forge dss-add "$TEST_TMP/bt.pdf" "$TEST_TMP/empty-dss.pdf"
expect_exit 0 esign stamp "$TEST_TMP/empty-dss.pdf" --tsa "$TSA_URL/tsa" -o "$TEST_TMP/stamped.pdf"
forge dss-add "$TEST_TMP/stamped.pdf" "$TEST_TMP/late-evidence.pdf" --crl "$LT/intermediate.crl" --crl "$LT/root.crl"
run esign verify "$TEST_TMP/late-evidence.pdf" --trust "$LT/root.pem" --offline --format json
level=$(json_of "$LAST_STDOUT" 'f["signatures"][0]["level"]')
[ "$LAST_EXIT" = 0 ] && [ "$level" = B-LT ] || later "evidence added after the document time-stamp: exit $LAST_EXIT, level $level (expected 0, B-LT)"
run esign verify "$TEST_TMP/late-evidence.pdf" --trust "$LT/root.pem" --offline --require-level B-LTA
[ "$LAST_EXIT" = 4 ] || later "evidence added after the document time-stamp passes --require-level B-LTA: exit $LAST_EXIT"

note "g. a TSA revoked after its tokens: superseded keeps them, keyCompromise (RFC 3161 §4) does not"
cp -r "$LT/ca/intermediate" "$TEST_TMP/ca-before-tsa"
sleep 1  # revocation times have a resolution of a second: revoke strictly after the time-stamp
openssl ca -batch -config "$LT/ca/intermediate/openssl.cnf" -cert "$LT/intermediate.pem" -keyfile "$LT/intermediate.key.pem" \
  -revoke "$LT/tsa.cert.pem" -crl_reason superseded 2>/dev/null || fail "openssl ca -revoke tsa (superseded)"
verdict "TSA superseded after the time-stamp (OCSP)" 0 TOTAL-PASSED "" "" "$TEST_TMP/bt.pdf"
rm -rf "$LT/ca/intermediate" && cp -r "$TEST_TMP/ca-before-tsa" "$LT/ca/intermediate"
openssl ca -batch -config "$LT/ca/intermediate/openssl.cnf" -cert "$LT/intermediate.pem" -keyfile "$LT/intermediate.key.pem" \
  -revoke "$LT/tsa.cert.pem" -crl_reason keyCompromise 2>/dev/null || fail "openssl ca -revoke tsa (keyCompromise)"
run esign verify "$TEST_TMP/bt.pdf" --trust "$LT/root.pem" --format json
tsa_detail=$(json_of "$LAST_STDOUT" 'f["signatures"][0]["checks"]["timestamp_revocation"]["detail"]')
[ "$LAST_EXIT" = 1 ] && grep -q "is revoked (keyCompromise" <<<"$tsa_detail" ||
  later "TSA key compromised after the time-stamp: exit $LAST_EXIT (expected 1), timestamp_revocation: $tsa_detail"

if [ ${#later_fails[@]} -gt 0 ]; then
  fail "${#later_fails[@]} wrong verdict(s); see the FAIL lines above"
fi
