#!/usr/bin/env bash
# Signature level B-T (a signature time-stamp from a loopback RFC 3161 TSA in the CMS, PAdES and
# CAdES) and PDF document time-stamps (`esign stamp FILE.pdf`), with openssl ts -verify and pdfsig
# as referees and esign verify reporting the level and the trusted time.
source "$(dirname "$0")/lib.sh"
need_tool pdfsig openssl
export ESIGN_LEDGER=$TEST_TMP/ledger.db
start_tsa tsa
GOOD_TSA=$TSA_URL

cat >"$TEST_TMP/bt.yaml" <<YAML
name: test-bt
key:
  source: pkcs12
  path: $PKI/rsa.p12
  password: file:$PKI/p12-password.txt
signature:
  level: B-T
timestamp:
  url: $TSA_URL/tsa
YAML
cp "$PDFS/classic.pdf" "$TEST_TMP/in.pdf"
printf 'time-stamped data\n' >"$TEST_TMP/data.txt"

note "B-T PDF"
expect_exit 0 esign sign "$TEST_TMP/in.pdf" --profile "$TEST_TMP/bt.yaml" -o "$TEST_TMP/bt.pdf"
pdfsig_valid "$TEST_TMP/bt.pdf" 1
qpdf_ok "$TEST_TMP/bt.pdf"
expect_exit 0 esign --json verify "$TEST_TMP/bt.pdf" --trust "$PKI/root.pem"
/usr/bin/python3 - "$LAST_STDOUT" <<'PY' || fail "bt.pdf: verify did not report level B-T with a timestamp time"
import json, sys
s = json.load(open(sys.argv[1]))["files"][0]["signatures"][0]
assert s["level"] == "B-T", s["level"]
assert s["timestamp_time"], s
assert s["checks"]["signature_timestamp"]["ok"], s["checks"]["signature_timestamp"]
PY

note "--require-level: a policy on the level reached"
expect_exit 0 esign verify "$TEST_TMP/bt.pdf" --trust "$PKI/root.pem" --require-level B-T
expect_exit 0 esign sign "$TEST_TMP/in.pdf" --profile "$PKI/rsa.yaml" -o "$TEST_TMP/bb.pdf"
expect_exit 4 esign verify "$TEST_TMP/bb.pdf" --trust "$PKI/root.pem" --require-level B-T
expect_stdout_contains "below the required B-T"
expect_exit 0 esign verify "$TEST_TMP/bb.pdf" --trust "$PKI/root.pem" --require-level B-B
# A B-T signature carries no revocation data, so it does not reach B-LT: a B-LT policy fails.
expect_exit 4 esign verify "$TEST_TMP/bt.pdf" --trust "$PKI/root.pem" --require-level B-LT

note "B-T .p7s, its token checked by openssl ts -verify"
expect_exit 0 esign sign "$TEST_TMP/data.txt" --profile "$TEST_TMP/bt.yaml" -o "$TEST_TMP/bt.p7s"
p7s_ok "$TEST_TMP/bt.p7s" "$TEST_TMP/data.txt" "$PKI/chain.pem" -cades
# Extract the token and the signature value; the token's imprint is SHA-256 of the value.
/usr/bin/python3 - "$TEST_TMP/bt.p7s" "$TEST_TMP" <<'PY'
import subprocess, sys
der = open(sys.argv[1], 'rb').read()
out = subprocess.run(['openssl', 'asn1parse', '-inform', 'DER'], input=der, capture_output=True, check=True).stdout.decode()
lines = out.splitlines()
# the signature value: the OCTET STRING right after the signature algorithm in the SignerInfo,
# the token: the SEQUENCE after the id-smime-aa-timeStampToken OID
value = token = None
for i, l in enumerate(lines):
    if 'id-smime-aa-timeStampToken' in l:
        off = int(lines[i + 2].split(':')[0])
        hl = int(lines[i + 2].split('hl=')[1].split()[0]); ln = int(lines[i + 2].split('l=')[2].split()[0])
        token = der[off:off + hl + ln]
for i, l in enumerate(lines):
    if 'OCTET STRING' in l and '[HEX DUMP]' in l:
        off = int(l.split(':')[0]); hl = int(l.split('hl=')[1].split()[0]); ln = int(l.split('l=')[2].split()[0])
        if ln >= 256 and value is None: value = der[off + hl:off + hl + ln]  # the first: the signer's
assert token and value, "no token or signature value found"
open(sys.argv[2] + '/token.der', 'wb').write(token)
open(sys.argv[2] + '/value.bin', 'wb').write(value)
PY
openssl ts -verify -token_in -in "$TEST_TMP/token.der" -data "$TEST_TMP/value.bin" -CAfile "$PKI/chain.pem" \
  >"$TEST_TMP/tsverify.log" 2>&1 || fail "openssl ts -verify rejects the signature time-stamp: $(cat "$TEST_TMP/tsverify.log")"
expect_exit 0 esign --json verify "$TEST_TMP/bt.p7s" --data "$TEST_TMP/data.txt" --trust "$PKI/root.pem"
grep -q '"level": "B-T"' "$LAST_STDOUT" || fail "bt.p7s: verify did not report B-T"

note "a TSA that esign's trust anchors do not cover: the signature is not B-T valid"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TEST_TMP/rogue.key" -out "$TEST_TMP/rogue.pem" -days 30 \
  -subj "/CN=Rogue TSA" -addext "extendedKeyUsage=critical,timeStamping" >/dev/null 2>&1
start_tsa rogue "$TEST_TMP/rogue.key" "$TEST_TMP/rogue.pem" "$TEST_TMP/rogue.pem"
sed "s|$GOOD_TSA|$TSA_URL|" "$TEST_TMP/bt.yaml" >"$TEST_TMP/rogue.yaml"
expect_exit 0 esign sign "$TEST_TMP/in.pdf" --profile "$TEST_TMP/rogue.yaml" -o "$TEST_TMP/rogue.pdf"
# A TSA nobody trusts proves nothing: INDETERMINATE (NO_CERTIFICATE_CHAIN_FOUND), not a forgery.
expect_exit 4 esign --json verify "$TEST_TMP/rogue.pdf" --trust "$PKI/root.pem"
grep -q 'signature_timestamp' "$LAST_STDOUT" || fail "rogue.pdf: no signature_timestamp check in the report"

note "B-T without a timestamp: section is a configuration error"
sed '/^timestamp:/,$d' "$TEST_TMP/bt.yaml" >"$TEST_TMP/nots.yaml"
expect_exit 2 esign sign "$TEST_TMP/in.pdf" --profile "$TEST_TMP/nots.yaml" -o "$TEST_TMP/nots.pdf"
expect_stderr_contains "timestamp"
expect_no_file "$TEST_TMP/nots.pdf"

note "document time-stamp over a signed PDF"
start_tsa tsa2
expect_exit 0 esign stamp "$TEST_TMP/bt.pdf" --tsa "$TSA_URL/tsa" -o "$TEST_TMP/stamped.pdf"
cmp -n "$(stat -c %s "$TEST_TMP/bt.pdf")" "$TEST_TMP/bt.pdf" "$TEST_TMP/stamped.pdf" || fail "stamp did not append"
grep -aq '/SubFilter/ETSI.RFC3161' "$TEST_TMP/stamped.pdf" || fail "no ETSI.RFC3161 document time-stamp"
grep -aq '/Type/DocTimeStamp' "$TEST_TMP/stamped.pdf" || fail "no /Type /DocTimeStamp"
qpdf_ok "$TEST_TMP/stamped.pdf"
pdfsig "$TEST_TMP/stamped.pdf" >"$TEST_TMP/pdfsig.txt" 2>&1 || true
grep -q "Signature #2" "$TEST_TMP/pdfsig.txt" || fail "pdfsig does not see the document time-stamp: $(cat "$TEST_TMP/pdfsig.txt")"
expect_exit 0 esign --json verify "$TEST_TMP/stamped.pdf" --trust "$PKI/root.pem"
/usr/bin/python3 - "$LAST_STDOUT" <<'PY' || fail "stamped.pdf: verify report is wrong"
import json, sys
f = json.load(open(sys.argv[1]))["files"][0]
sigs = f["signatures"]
assert f["valid"] and len(sigs) == 2, f
assert sigs[0]["valid"] and not sigs[0]["covers_whole_file"], sigs[0]
assert sigs[1]["subfilter"] == "ETSI.RFC3161" and sigs[1]["covers_whole_file"], sigs[1]
assert sigs[1]["checks"]["document_timestamp"]["ok"], sigs[1]
PY
# The token over the byte ranges: tamper with a signed byte and the document time-stamp fails.
/usr/bin/python3 - "$TEST_TMP/stamped.pdf" "$TEST_TMP/tampered.pdf" <<'PY'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
i = b.rfind(b'/Type/DocTimeStamp')
b[i - 40] ^= 0x01 if b[i - 40] not in b'<>' else 0
open(sys.argv[2], 'wb').write(bytes(b))
PY
expect_exit 1 esign verify "$TEST_TMP/tampered.pdf" --trust "$PKI/root.pem"
