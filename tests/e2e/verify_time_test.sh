#!/usr/bin/env bash
# Validation time from proof of existence only (issue 13), the three outcomes (TOTAL-PASSED,
# TOTAL-FAILED, INDETERMINATE), the revocation policy and complete chains:
#   a. a PDF signed in 2020 (faketime) with a certificate valid only in 2020, no time-stamp: its
#      /M is a claim, not a proof, so the path is validated now -> INDETERMINATE,
#      OUT_OF_BOUNDS_NO_POE (exit 4); pdfsig says the certificate has expired
#   b. the same for a detached CAdES .p7s (its signing-time attribute is a claim too)
#   c. the same certificate with a signature time-stamp from 2020 (a TSA under faketime):
#      validated at the time-stamp's time -> TOTAL-PASSED; OCSP still answers for the expired
#      certificate (openssl ocsp -index keeps it "V"), so revocation is proven online
#   d. OCSP responder and CRL server down: --revocation require (the default) -> INDETERMINATE,
#      TRY_LATER; soft-fail -> passes and names the unreachable responder; off -> passes and
#      says revocation was not checked
#   e. a PDF signed by podofosign with the signer certificate alone (no intermediate in the
#      CMS): online, the intermediate comes from the certificate's AIA caIssuers URL; --offline
#      cannot complete the chain (NO_CERTIFICATE_CHAIN_FOUND) unless --certs supplies it
#   f. --format etsi (ETSI TS 119 102-2 XML) read back for the valid, back-dated, forged (one
#      byte of a signed range flipped: TOTAL-FAILED, HASH_FAILURE, exit 1) and unreachable cases
# Exit codes: 0 all TOTAL-PASSED, 1 any TOTAL-FAILED, 4 worst INDETERMINATE.
#
# The PKI is tests/support/make_time_pki.sh, its revocation and caIssuers server
# tests/support/revocation_server.py (down-switch files ocsp.down, crl.down, certs.down in its
# folder). Referees: pdfsig (poppler/NSS), openssl ocsp and openssl cms -verify.
#
# Set-up failures (PKI, servers, signing, referees) fail at once; esign verify's verdicts are
# deferred with `later`, so every case is tried and all wrong verdicts are reported together.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
need_tool faketime openssl pdfsig certutil podofosign
[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 (Debian's python) is not installed"
py=/usr/bin/python3
export ESIGN_LEDGER=$TEST_TMP/ledger.db
TP=$TEST_TMP/tp
PAST='2020-06-01 12:00:00'   # inside the `old` certificate's only year of validity

later_fails=()
# later MESSAGE: a failure reported at the end, so the checks after it still run.
later() { echo "FAIL (reported at the end) $TEST_NAME: $*" >&2; later_fails+=("$*"); }

# in_2020 CMD...: runs CMD under libfaketime with the clock starting at $PAST (it ticks on from
# there). An ASan build of esign insists that its runtime comes first in the library list, which
# the LD_PRELOAD of libfaketime breaks ("ASan runtime does not come first"); verify_asan_link_order=0
# lifts that check and changes nothing for other programs.
in_2020() {
  ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 faketime "$PAST" "$@"
}
# esign_2020 ARGS...: the esign binary under test, in 2020.
esign_2020() {
  [ -x "$ESIGN" ] || fail "esign binary not found at $ESIGN (set ESIGN_BIN)"
  in_2020 "$ESIGN" "$@"
}
[ "$(in_2020 date -u +%Y)" = 2020 ] || fail "faketime does not fake the clock here: $(in_2020 date -u 2>&1)"


# The revocation server first: the certificates name its port.
start_revocation_server "$TP"
REV=http://127.0.0.1:$REV_PORT
bash "$ESIGN_SOURCE_DIR/tests/support/make_time_pki.sh" "$TP" "$REV" >"$TEST_TMP/pki.log" 2>&1 ||
  fail "make_time_pki.sh failed: $(cat "$TEST_TMP/pki.log")"
# stat_of KIND: how many ocsp|crl|certs requests the server has answered.
stat_of() {
  "$py" -c 'import json, sys, urllib.request; print(json.load(urllib.request.urlopen(sys.argv[1]))[sys.argv[2]])' \
    "$REV/_stats" "$1"
}
responders() {  # responders up|down: the OCSP responder and the CRL server (the down-switch files)
  if [ "$1" = down ]; then touch "$TP/ocsp.down" "$TP/crl.down"; else rm -f "$TP/ocsp.down" "$TP/crl.down"; fi
}

# A TSA living in 2020: tsa_server.py under faketime, and the `openssl ts -reply` it runs
# inherits the faked clock, so the tokens' genTime is 2020. faketime forks its command and does
# not pass signals on, so the exit hook stops faketime's child (pkill -P: by parent id) and then
# waits for faketime, which removes its shared-memory files when the child is gone.
# (faketime itself in the background, not in_2020: $! must be faketime's pid, not a subshell's.)
faketime "$PAST" "$py" "$ESIGN_SOURCE_DIR/tests/support/tsa_server.py" --key "$TP/tsa.key.pem" --cert "$TP/tsa.cert.pem" \
  --chain "$TP/chain.pem" --workdir "$TEST_TMP/tsa2020" >"$TEST_TMP/tsa.port" 2>"$TEST_TMP/tsa.err" &
TSA_FT_PID=$!
on_exit "pkill -P $TSA_FT_PID 2>/dev/null || kill $TSA_FT_PID 2>/dev/null; wait $TSA_FT_PID 2>/dev/null || true"
wait_for_port "$TEST_TMP/tsa.port" "the 2020 TSA"
TSA_PORT=$PORT
sed -i "s|@TSA_URL@|http://127.0.0.1:$TSA_PORT/tsa|" "$TP"/*.yaml

# NSS databases for pdfsig: the root trusted, the intermediate known (the signatures of the
# `leaf` signer do not carry it, and pdfsig does not follow caIssuers URLs).
NSS=$TEST_TMP/nss
make_nssdb "$NSS" "$TP/root.pem" "$TP/intermediate.pem" >/dev/null 2>&1
IN=$(copy_fixture "$PDFS/classic.pdf" in.pdf)

# verify_json WANT-EXIT LABEL PYTHON VERIFY-ARGS...: `esign verify --format json VERIFY-ARGS`
# exits WANT-EXIT and PYTHON holds, with `d` the report, `f` its first file and `s` that file's
# first signature (None without one). Deferred (later). The JSON stays in $TEST_TMP/v.json.
verify_json() {
  local want=$1 label=$2 code=$3
  shift 3
  run esign verify --format json "$@"
  cp "$LAST_STDOUT" "$TEST_TMP/v.json"
  [ "$LAST_EXIT" = "$want" ] || later "$label: exit $LAST_EXIT, expected $want: $(head -c 600 "$LAST_STDERR")"
  "$py" - "$TEST_TMP/v.json" "$code" <<'PY' 2>"$TEST_TMP/v.err" || later "$label: $(cat "$TEST_TMP/v.err")"
import json, sys
try:
    d = json.load(open(sys.argv[1]))
    f = d["files"][0]
    s = (f.get("signatures") or [None])[0]
    exec(sys.argv[2])
except Exception as e:  # one line for the summary: what was asserted, or what is missing
    sys.exit(f"JSON {type(e).__name__}: {e}")
PY
}

# verify_text WANT-EXIT LABEL REGEX VERIFY-ARGS...: `esign verify VERIFY-ARGS` (text) exits
# WANT-EXIT and its stdout matches the extended REGEX (case-insensitive; '' for none). Deferred.
verify_text() {
  local want=$1 label=$2 re=$3
  shift 3
  run esign verify "$@"
  [ "$LAST_EXIT" = "$want" ] || later "$label: exit $LAST_EXIT, expected $want: $(head -c 600 "$LAST_STDOUT") $(head -c 300 "$LAST_STDERR")"
  [ -z "$re" ] || grep -qiE -- "$re" "$LAST_STDOUT" || later "$label: the report does not match /$re/: $(head -c 800 "$LAST_STDOUT")"
}

# verify_etsi WANT-EXIT LABEL MAIN SUB VERIFY-ARGS...: `esign verify --format etsi` exits
# WANT-EXIT with an ETSI TS 119 102-2 ValidationReport whose every SignatureValidationReport
# says MainIndication urn:etsi:019102:mainindication:MAIN and SubIndication
# urn:etsi:019102:subindication:SUB (no SubIndication when SUB is ''). Deferred.
verify_etsi() {
  local want=$1 label=$2 main=$3 sub=$4
  shift 4
  run esign verify --format etsi "$@"
  cp "$LAST_STDOUT" "$TEST_TMP/v.xml"
  [ "$LAST_EXIT" = "$want" ] || later "$label (etsi): exit $LAST_EXIT, expected $want: $(head -c 600 "$LAST_STDERR")"
  "$py" - "$TEST_TMP/v.xml" "$main" "$sub" <<'PY' 2>"$TEST_TMP/x.err" || later "$label (etsi): $(cat "$TEST_TMP/x.err")"
import sys
import xml.etree.ElementTree as ET
NS = "{http://uri.etsi.org/19102/v1.2.1#}"
main, sub = sys.argv[2], sys.argv[3]
try:
    root = ET.parse(sys.argv[1]).getroot()
    assert root.tag == NS + "ValidationReport", root.tag
    reports = list(root.iter(NS + "SignatureValidationReport"))
    assert reports, "no SignatureValidationReport"
    for r in reports:
        status = r.find(NS + "SignatureValidationStatus")
        assert status is not None, "a SignatureValidationReport without SignatureValidationStatus"
        got_main = status.findtext(NS + "MainIndication")
        subs = [e.text for e in status.findall(NS + "SubIndication")]
        assert got_main == "urn:etsi:019102:mainindication:" + main, (got_main, subs)
        if sub:
            assert "urn:etsi:019102:subindication:" + sub in subs, (got_main, subs)
        else:
            assert not subs, (got_main, subs)
except Exception as e:
    sys.exit(f"XML {type(e).__name__}: {e}")
PY
}

note "the PKI: validity periods and pointers as make_time_pki.sh promises"
dates() { openssl x509 -in "$1" -noout -startdate -enddate | cut -d= -f2 | tr '\n' '|'; }
[ "$(dates "$TP/old.cert.pem")" = "Jan  1 00:00:00 2020 GMT|Dec 31 23:59:59 2020 GMT|" ] ||
  fail "old.cert.pem: $(dates "$TP/old.cert.pem")"
[ "$(dates "$TP/root.pem")" = "Jan  1 00:00:00 2019 GMT|Dec 31 23:59:59 2039 GMT|" ] || fail "root.pem: $(dates "$TP/root.pem")"
[ "$(dates "$TP/tsa.cert.pem")" = "Jan  1 00:00:00 2019 GMT|Dec 31 23:59:59 2030 GMT|" ] || fail "tsa.cert.pem: $(dates "$TP/tsa.cert.pem")"
openssl x509 -in "$TP/leaf.cert.pem" -noout -ext authorityInfoAccess,crlDistributionPoints >"$TEST_TMP/leaf.ext"
grep -q "CA Issuers - URI:$REV/certs/intermediate.der" "$TEST_TMP/leaf.ext" && ! grep -qE 'OCSP|CRL' "$TEST_TMP/leaf.ext" ||
  fail "leaf.cert.pem: $(cat "$TEST_TMP/leaf.ext")"
cert_ok "$TP/old.cert.pem" "$TP/chain.pem" -attime "$(date -u -d "$PAST" +%s)"
cert_bad "$TP/old.cert.pem" "$TP/chain.pem"
cert_ok "$TP/current.cert.pem" "$TP/chain.pem"
"$py" -c 'import sys, urllib.request; sys.stdout.buffer.write(urllib.request.urlopen(sys.argv[1]).read())' \
  "$REV/certs/intermediate.der" >"$TEST_TMP/aia.der" && cmp -s "$TEST_TMP/aia.der" "$TP/intermediate.der" ||
  fail "the server does not serve the intermediate at its caIssuers URL"

note "OCSP still answers for the expired 2020 certificate (openssl ocsp as the client)"
out=$(openssl ocsp -issuer "$TP/intermediate.pem" -cert "$TP/old.cert.pem" -cert "$TP/current.cert.pem" \
  -url "$REV/ocsp/intermediate" -CAfile "$TP/chain.pem" 2>&1) || fail "openssl ocsp: $out"
grep -q "old.cert.pem: good" <<<"$out" && grep -q "current.cert.pem: good" <<<"$out" || fail "openssl ocsp: $out"

note "a. a PDF back-dated to 2020 without a time-stamp: INDETERMINATE, OUT_OF_BOUNDS_NO_POE"
expect_exit 0 esign_2020 sign "$IN" --profile "$TP/old.yaml" -o "$TEST_TMP/backdated.pdf"
grep -aq '/M *(D:20200601' "$TEST_TMP/backdated.pdf" || fail "the back-dated PDF's /M is not 2020-06-01"
pdfsig_valid "$TEST_TMP/backdated.pdf" 1 "$NSS"
grep -q 'Certificate Validation: Certificate has Expired' <<<"$(pdfsig_report "$TEST_TMP/backdated.pdf" "$NSS")" ||
  fail "pdfsig does not call the 2020 certificate expired: $(pdfsig_report "$TEST_TMP/backdated.pdf" "$NSS")"
verify_json 4 "back-dated PDF" '
assert f["indication"] == "INDETERMINATE", (f["indication"], f["sub_indication"])
assert s["indication"] == "INDETERMINATE", s["indication"]
assert s["sub_indication"] == "OUT_OF_BOUNDS_NO_POE", s["sub_indication"]
assert s["validation_time_source"] == "current time", s["validation_time_source"]
assert s["signing_time"].startswith("2020-06-01T12:00"), s["signing_time"]   # shown, not trusted
assert not s["timestamp_time"], s["timestamp_time"]
assert not s["valid"] and not f["valid"], (s["valid"], f["valid"])
' "$TEST_TMP/backdated.pdf" --trust "$TP/root.pem"

note "b. a .p7s back-dated to 2020 (signing-time 2020, no time-stamp): OUT_OF_BOUNDS_NO_POE"
printf 'signed in 2020, or so it says\n' >"$TEST_TMP/data.txt"
expect_exit 0 esign_2020 sign "$TEST_TMP/data.txt" --profile "$TP/old.yaml"
openssl cms -cmsout -print -inform DER -in "$TEST_TMP/data.txt.p7s" >"$TEST_TMP/p7s.txt"
grep -A2 'signingTime' "$TEST_TMP/p7s.txt" | grep -q 'Jun  1 12:00:.. 2020 GMT' || fail "the .p7s signing-time is not 2020-06-01"
p7s_ok "$TEST_TMP/data.txt.p7s" "$TEST_TMP/data.txt" "$TP/chain.pem" -cades -attime "$(date -u -d "$PAST" +%s)"
p7s_bad "$TEST_TMP/data.txt.p7s" "$TEST_TMP/data.txt" "$TP/chain.pem" -cades   # now: expired
verify_json 4 "back-dated .p7s" '
assert f["kind"] == "cms" and f["indication"] == "INDETERMINATE", (f["kind"], f["indication"])
assert s["sub_indication"] == "OUT_OF_BOUNDS_NO_POE", s["sub_indication"]
assert s["validation_time_source"] == "current time", s["validation_time_source"]
' "$TEST_TMP/data.txt.p7s" --trust "$TP/root.pem"

note "c. the 2020 certificate with a 2020 signature time-stamp: TOTAL-PASSED at the time-stamp's time"
expect_exit 0 esign_2020 sign "$IN" --profile "$TP/old.yaml" --level B-T -o "$TEST_TMP/stamped.pdf"
pdfsig_valid "$TEST_TMP/stamped.pdf" 1 "$NSS"
ocsp_before=$(stat_of ocsp)
verify_json 0 "time-stamped in 2020" '
assert f["indication"] == "TOTAL-PASSED" and f["valid"], (f["indication"], f["error"])
assert s["indication"] == "TOTAL-PASSED" and not s["sub_indication"], (s["indication"], s["sub_indication"], s["error"])
assert s["validation_time_source"] == "signature time-stamp", s["validation_time_source"]
assert s["validation_time"].startswith("2020-06-01T12:0"), s["validation_time"]
assert s["timestamp_time"].startswith("2020-06-01T12:0"), s["timestamp_time"]
assert s["level"] == "B-T", s["level"]
assert s["checks"]["revocation"]["ok"], s["checks"]["revocation"]
' "$TEST_TMP/stamped.pdf" --trust "$TP/root.pem"
[ "$(stat_of ocsp)" -gt "$ocsp_before" ] || later "time-stamped in 2020: verify did not ask the OCSP responder"

note "d. responders down: require -> INDETERMINATE/TRY_LATER, soft-fail and off -> pass, and say so"
expect_exit 0 esign sign "$IN" --profile "$TP/current.yaml" -o "$TEST_TMP/current.pdf"
pdfsig_valid "$TEST_TMP/current.pdf" 1 "$NSS"
pdfsig_trusted "$TEST_TMP/current.pdf" "$NSS"
verify_json 0 "current, responders up" '
assert f["indication"] == "TOTAL-PASSED", (f["indication"], f["error"])
assert s["validation_time_source"] == "current time", s["validation_time_source"]
' "$TEST_TMP/current.pdf" --trust "$TP/root.pem"
responders down
verify_json 4 "responders down, --revocation require (default)" '
assert f["indication"] == "INDETERMINATE", (f["indication"], f["error"])
assert s["indication"] == "INDETERMINATE" and s["sub_indication"] == "TRY_LATER", (s["indication"], s["sub_indication"])
' "$TEST_TMP/current.pdf" --trust "$TP/root.pem"
verify_json 4 "responders down, --revocation require (explicit)" '
assert s["sub_indication"] == "TRY_LATER", s["sub_indication"]
' "$TEST_TMP/current.pdf" --trust "$TP/root.pem" --revocation require
verify_json 0 "responders down, --revocation soft-fail" '
assert f["indication"] == "TOTAL-PASSED" and s["indication"] == "TOTAL-PASSED", (f["indication"], f["error"])
assert "ocsp/intermediate" in json.dumps(f) or "crl/intermediate.crl" in json.dumps(f), s["checks"]["revocation"]
' "$TEST_TMP/current.pdf" --trust "$TP/root.pem" --revocation soft-fail
# The text report names the responder it could not reach.
verify_text 0 "responders down, --revocation soft-fail (text)" "127\.0\.0\.1:$REV_PORT/(ocsp/intermediate|crl/intermediate\.crl)" \
  "$TEST_TMP/current.pdf" --trust "$TP/root.pem" --revocation soft-fail
verify_json 0 "responders down, --revocation off" '
assert f["indication"] == "TOTAL-PASSED", (f["indication"], f["error"])
' "$TEST_TMP/current.pdf" --trust "$TP/root.pem" --revocation off
verify_text 0 "responders down, --revocation off (text)" 'revocation.*(not checked|\boff\b)|(not checked|\boff\b).*revocation' \
  "$TEST_TMP/current.pdf" --trust "$TP/root.pem" --revocation off
responders up

note "e. podofosign with the signer certificate alone: the chain from AIA caIssuers, or from --certs"
podofosign -in "$IN" -out "$TEST_TMP/leaf.pdf" -cert "$TP/leaf.cert.pem" -pkey "$TP/leaf.key.pem" -digest SHA256 \
  >"$TEST_TMP/podofo.log" 2>&1 || fail "podofosign failed: $(cat "$TEST_TMP/podofo.log")"
"$py" - "$ESIGN_SOURCE_DIR/tests/support" "$TEST_TMP/leaf.pdf" "$TEST_TMP/leaf.cms" <<'PY' || fail "cannot read the CMS of leaf.pdf"
import sys
sys.path.insert(0, sys.argv[1])
import forge
open(sys.argv[3], "wb").write(forge.pdf_cms(forge.Pdf(open(sys.argv[2], "rb").read())))
PY
openssl pkcs7 -inform DER -in "$TEST_TMP/leaf.cms" -print_certs -noout >"$TEST_TMP/leaf.certs"
# (podofosign 0.9 puts the signer certificate in twice: a duplicate a verifier must take in its stride.)
[ "$(grep '^subject=' "$TEST_TMP/leaf.certs" | sort -u)" = "subject=O = esign time test, CN = Time Signer AIA only" ] ||
  fail "podofosign's CMS should carry the signer certificate alone: $(cat "$TEST_TMP/leaf.certs")"
# pdfsig does not follow caIssuers: with the root alone the issuer is unknown, with the
# intermediate in its NSS database it agrees the signature is valid and trusted.
make_nssdb "$TEST_TMP/nss-root" "$TP/root.pem" >/dev/null 2>&1
grep -q 'Certificate issuer is unknown' <<<"$(pdfsig_report "$TEST_TMP/leaf.pdf" "$TEST_TMP/nss-root")" ||
  fail "pdfsig with the root alone: $(pdfsig_report "$TEST_TMP/leaf.pdf" "$TEST_TMP/nss-root")"
pdfsig_valid "$TEST_TMP/leaf.pdf" 1 "$NSS"
pdfsig_trusted "$TEST_TMP/leaf.pdf" "$NSS"
certs_before=$(stat_of certs)
verify_json 0 "leaf only, online (AIA caIssuers)" '
assert f["indication"] == "TOTAL-PASSED", (f["indication"], f["sub_indication"], f["error"])
' "$TEST_TMP/leaf.pdf" --trust "$TP/root.pem"
[ "$(stat_of certs)" -gt "$certs_before" ] || later "leaf only, online: verify did not fetch the caIssuers URL"
certs_before=$(stat_of certs)
verify_json 4 "leaf only, --offline" '
assert f["indication"] == "INDETERMINATE", (f["indication"], f["error"])
assert s["sub_indication"] == "NO_CERTIFICATE_CHAIN_FOUND", s["sub_indication"]
' "$TEST_TMP/leaf.pdf" --trust "$TP/root.pem" --offline
verify_json 0 "leaf only, --offline --certs intermediate.pem" '
assert f["indication"] == "TOTAL-PASSED", (f["indication"], f["error"])
' "$TEST_TMP/leaf.pdf" --trust "$TP/root.pem" --offline --certs "$TP/intermediate.pem"
[ "$(stat_of certs)" = "$certs_before" ] || later "leaf only, --offline: verify fetched the caIssuers URL"
touch "$TP/certs.down"
verify_json 4 "leaf only, caIssuers server down" '
assert f["indication"] == "INDETERMINATE", (f["indication"], f["error"])
' "$TEST_TMP/leaf.pdf" --trust "$TP/root.pem"
rm -f "$TP/certs.down"

note "f. --format etsi: valid, back-dated, forged and unreachable"
# The forgery: one bit of the signed page text ("Hello esign" -> "HellO esign"), inside the
# first signed range of the time-stamped PDF.
"$py" - "$TEST_TMP/stamped.pdf" "$TEST_TMP/forged.pdf" <<'PY' || fail "cannot forge stamped.pdf"
import re, sys
data = bytearray(open(sys.argv[1], "rb").read())
first = [int(x) for x in re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)", data).groups()]
at = data.index(b"(Hello esign)") + 5
assert first[0] <= at < first[0] + first[1], (at, first)
data[at] ^= 0x20
open(sys.argv[2], "wb").write(bytes(data))
PY
grep -q 'Signature Validation: Digest Mismatch' <<<"$(pdfsig_report "$TEST_TMP/forged.pdf" "$NSS")" ||
  fail "pdfsig does not see the forgery: $(pdfsig_report "$TEST_TMP/forged.pdf" "$NSS")"
verify_etsi 0 "time-stamped in 2020" total-passed "" "$TEST_TMP/stamped.pdf" --trust "$TP/root.pem"
verify_etsi 4 "back-dated PDF" indeterminate OUT_OF_BOUNDS_NO_POE "$TEST_TMP/backdated.pdf" --trust "$TP/root.pem"
verify_etsi 4 "back-dated .p7s" indeterminate OUT_OF_BOUNDS_NO_POE "$TEST_TMP/data.txt.p7s" --trust "$TP/root.pem"
verify_etsi 1 "forged" total-failed HASH_FAILURE "$TEST_TMP/forged.pdf" --trust "$TP/root.pem"
verify_json 1 "forged" '
assert f["indication"] == "TOTAL-FAILED" and s["sub_indication"] == "HASH_FAILURE", (f["indication"], s["sub_indication"])
' "$TEST_TMP/forged.pdf" --trust "$TP/root.pem"
responders down
verify_etsi 4 "responders down" indeterminate TRY_LATER "$TEST_TMP/current.pdf" --trust "$TP/root.pem"
responders up
# Several files in one run: the worst outcome decides the exit code.
run esign verify "$TEST_TMP/stamped.pdf" "$TEST_TMP/backdated.pdf" --trust "$TP/root.pem"
[ "$LAST_EXIT" = 4 ] || later "valid + back-dated: exit $LAST_EXIT, expected 4"
run esign verify "$TEST_TMP/stamped.pdf" "$TEST_TMP/backdated.pdf" "$TEST_TMP/forged.pdf" --trust "$TP/root.pem"
[ "$LAST_EXIT" = 1 ] || later "valid + back-dated + forged: exit $LAST_EXIT, expected 1"

[ ${#later_fails[@]} = 0 ] || fail "${#later_fails[@]} failures: $(printf '\n  - %s' "${later_fails[@]}")"
