#!/usr/bin/env bash
# Long-term validation: PAdES B-LT (DSS with certificates, OCSP responses, CRLs, VRI) and B-LTA
# (plus a document time-stamp), CAdES B-LT (SignedData certificates and crls), archive renewal
# with `esign stamp --extend`, and verify's revocation checks: embedded evidence first, then the
# certificates' OCSP responders and CRLs (a loopback server answering with `openssl ocsp` in
# responder mode and serving DER CRLs), none with --offline. Referees: pdfsig, qpdf --check,
# openssl cms -verify -cades, openssl ocsp.
source "$(dirname "$0")/lib.sh"
need_tool pdfsig qpdf openssl certutil
export ESIGN_LEDGER=$TEST_TMP/ledger.db
LT=$TEST_TMP/lt

# The revocation server first: the certificates must name its port.
start_lt_pki "$LT"
stats() { curl -s "http://127.0.0.1:$REV_PORT/_stats"; }

NSS=$TEST_TMP/nss
make_nssdb "$NSS" "$LT/root.pem" "$LT/intermediate.pem"
IN=$(copy_fixture "$PDFS/classic.pdf" in.pdf)
printf 'long-term data\n' >"$TEST_TMP/data.txt"

# json_check FILE PYTHON: runs PYTHON with `f` bound to the first file report of FILE (verify --json).
json_check() {
  /usr/bin/python3 - "$1" "$2" <<'PY' || fail "verify JSON check failed: $2"
import json, sys
f = json.load(open(sys.argv[1]))["files"][0]
exec(sys.argv[2])
PY
}

note "the referee agrees with the responder: openssl ocsp says good and revoked"
out=$(openssl ocsp -issuer "$LT/intermediate.pem" -cert "$LT/signer.cert.pem" -cert "$LT/revoked.cert.pem" \
  -url "http://127.0.0.1:$REV_PORT/ocsp/intermediate" -CAfile "$LT/chain.pem" 2>&1)
grep -q "signer.cert.pem: good" <<<"$out" && grep -q "revoked.cert.pem: revoked" <<<"$out" ||
  fail "openssl ocsp: $out"

note "PAdES B-LT: the DSS holds the chain and the OCSP/CRL evidence of the signer and the TSA"
expect_exit 0 esign sign "$IN" --profile "$LT/signer.yaml" -o "$TEST_TMP/lt.pdf"
pdfsig_long_term "$TEST_TMP/lt.pdf" "$NSS"
qpdf_ok "$TEST_TMP/lt.pdf"
expect_exit 0 esign --json verify "$TEST_TMP/lt.pdf" --trust "$LT/root.pem" --require-level B-LT
json_check "$LAST_STDOUT" '
s = f["signatures"][0]
assert s["level"] == "B-LT", s
assert "embedded OCSP response" in s["checks"]["revocation"]["detail"], s["checks"]["revocation"]
assert "embedded CRL" in s["checks"]["revocation"]["detail"], s["checks"]["revocation"]   # the intermediate, by the root CRL
assert "embedded" in s["checks"]["timestamp_revocation"]["detail"], s["checks"]["timestamp_revocation"]
assert s["checks"]["later_changes"]["ok"], s
revs = f["revisions"]
assert len(revs) == 1 and revs[0]["allowed"], revs
whats = [c["what"] for c in revs[0]["changes"]]
assert "DSS" in whats and "catalog: /DSS" in whats, whats
'
# What the DSS holds, read back with qpdf: certificates (signer, intermediate, root, TSA),
# OCSP responses (signer, TSA) and CRLs (the root's, for the intermediate), and one VRI entry.
qpdf --json "$TEST_TMP/lt.pdf" >"$TEST_TMP/lt.json"
/usr/bin/python3 - "$TEST_TMP/lt.json" <<'PY' || fail "the DSS of lt.pdf is not what B-LT needs"
import json, sys
objs = json.load(open(sys.argv[1]))["qpdf"][1]   # qpdf 11 JSON v2: "obj:N G R" -> {"value": ...}
get = lambda ref: objs["obj:" + ref]["value"]
root = get(objs["trailer"]["value"]["/Root"])
dss = get(root["/DSS"])
assert len(dss["/Certs"]) == 4, dss["/Certs"]
assert len(dss["/OCSPs"]) == 2, dss["/OCSPs"]
assert len(dss["/CRLs"]) == 1, dss["/CRLs"]
vri = dss["/VRI"]
assert len(vri) == 1 and all(len(k) == 41 for k in vri), vri   # "/" + 40 hex digits of SHA-1
PY

note "PAdES B-LTA: B-LT plus a document time-stamp over the DSS"
expect_exit 0 esign sign "$IN" --profile "$LT/signer.yaml" --level B-LTA -o "$TEST_TMP/lta.pdf"
pdfsig_long_term "$TEST_TMP/lta.pdf" "$NSS"
pdfsig_report "$TEST_TMP/lta.pdf" "$NSS" | grep -q '^Signature #2' || fail "pdfsig does not see the document time-stamp"
qpdf_ok "$TEST_TMP/lta.pdf"
expect_exit 0 esign --json verify "$TEST_TMP/lta.pdf" --trust "$LT/root.pem" --require-level B-LTA
json_check "$LAST_STDOUT" '
s, ts = f["signatures"]
assert s["level"] == "B-LTA", s
assert ts["subfilter"] == "ETSI.RFC3161" and ts["valid"], ts
assert ts["checks"]["timestamp_revocation"]["ok"], ts
assert ts["covers_whole_file"], ts
'
expect_exit 4 esign verify "$TEST_TMP/lt.pdf" --trust "$LT/root.pem" --require-level B-LTA
expect_stdout_contains "reaches B-LT, below the required B-LTA"

note "CAdES B-LT: the evidence in SignedData.certificates and .crls (OCSP as id-ri-ocsp-response)"
expect_exit 0 esign sign "$TEST_TMP/data.txt" --profile "$LT/signer.yaml"
p7s_ok "$TEST_TMP/data.txt.p7s" "$TEST_TMP/data.txt" "$LT/root.pem" -cades
openssl cms -cmsout -print -inform DER -in "$TEST_TMP/data.txt.p7s" >"$TEST_TMP/p7s.txt"
grep -q "id-pkix-ocsp-response\|1.3.6.1.5.5.7.16.2" "$TEST_TMP/p7s.txt" || fail "no OCSP response in the crls field"
grep -q "d.crl:" "$TEST_TMP/p7s.txt" || fail "no CRL in the crls field"
expect_exit 0 esign --json verify "$TEST_TMP/data.txt.p7s" --trust "$LT/root.pem" --require-level B-LT
json_check "$LAST_STDOUT" 'assert f["signatures"][0]["level"] == "B-LT", f'

note "bulk at B-LT: every output has its DSS, and the responder is asked a few times, not per file"
mkdir -p "$TEST_TMP/batch"
for i in 1 2 3 4 5 6 7 8; do cp "$PDFS/classic.pdf" "$TEST_TMP/batch/doc$i.pdf"; done
ocsp_before=$(stats | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["ocsp"])')
expect_exit 0 esign bulk "$TEST_TMP/batch" --profile "$LT/signer.yaml" --out-dir "$TEST_TMP/batch-out" --jobs 2 -q
ocsp_after=$(stats | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["ocsp"])')
[ $((ocsp_after - ocsp_before)) -le 4 ] || fail "bulk asked the OCSP responder $((ocsp_after - ocsp_before)) times for 8 files"
expect_exit 0 esign verify "$TEST_TMP"/batch-out/*.pdf --trust "$LT/root.pem" --offline --require-level B-LT

note "a signer without an OCSP responder: its CRL is fetched and embedded"
before=$(stats)
expect_exit 0 esign sign "$IN" --profile "$LT/crlonly.yaml" -o "$TEST_TMP/crlonly.pdf"
expect_exit 0 esign --json verify "$TEST_TMP/crlonly.pdf" --trust "$LT/root.pem" --require-level B-LT
json_check "$LAST_STDOUT" '
d = f["signatures"][0]["checks"]["revocation"]["detail"]
assert "LT Signer CRL only: good (embedded CRL)" in d, d
'
[ "$(stats)" != "$before" ] || fail "no request reached the revocation server"

note "a revoked signer: refused at B-LT, reported revoked by verify (by OCSP, and by CRL when OCSP is down)"
expect_exit 2 esign sign "$IN" --profile "$LT/revoked.yaml" -o "$TEST_TMP/revoked-lt.pdf"
expect_stderr_contains "is revoked (keyCompromise"
expect_no_file "$TEST_TMP/revoked-lt.pdf"
expect_exit 0 esign sign "$IN" --profile "$LT/revoked.yaml" --level B-T -o "$TEST_TMP/revoked.pdf"
expect_exit 1 esign --json verify "$TEST_TMP/revoked.pdf" --trust "$LT/root.pem"
json_check "$LAST_STDOUT" '
c = f["signatures"][0]["checks"]["revocation"]
assert not c["ok"] and "is revoked (keyCompromise" in c["detail"] and "/ocsp/" in c["detail"], c
'
touch "$LT/ocsp.down"
expect_exit 1 esign --json verify "$TEST_TMP/revoked.pdf" --trust "$LT/root.pem"
json_check "$LAST_STDOUT" '
c = f["signatures"][0]["checks"]["revocation"]
assert not c["ok"] and "is revoked" in c["detail"] and "/crl/" in c["detail"], c
'
expect_exit 4 esign verify "$TEST_TMP/revoked.pdf" --trust "$LT/root.pem" --offline
expect_stdout_contains "nothing embedded, and an offline check may not ask a responder"

note "responders down at signing: B-LT fails unless the profile says revocation: {required: false}"
touch "$LT/crl.down"
expect_exit 2 esign sign "$IN" --profile "$LT/signer.yaml" -o "$TEST_TMP/down.pdf"
expect_stderr_contains "cannot embed revocation data"
expect_no_file "$TEST_TMP/down.pdf"
{ cat "$LT/signer.yaml"; printf 'revocation:\n  required: false\n'; } >"$LT/lenient.yaml"
expect_exit 0 esign sign "$IN" --profile "$LT/lenient.yaml" -o "$TEST_TMP/lenient.pdf"
rm -f "$LT/ocsp.down" "$LT/crl.down"
expect_exit 0 esign --json verify "$TEST_TMP/lenient.pdf" --trust "$LT/root.pem"
json_check "$LAST_STDOUT" 'assert f["signatures"][0]["level"] == "B-T", f["signatures"][0]'

note "stamp --extend: the last time-stamp's validation data, then a new document time-stamp"
expect_exit 0 esign stamp "$TEST_TMP/lta.pdf" --profile "$LT/signer.yaml" --extend -o "$TEST_TMP/renewed.pdf"
qpdf_ok "$TEST_TMP/renewed.pdf"
pdfsig_report "$TEST_TMP/renewed.pdf" "$NSS" | grep -q '^Signature #3' || fail "pdfsig does not see the new time-stamp"
expect_exit 0 esign --json verify "$TEST_TMP/renewed.pdf" --trust "$LT/root.pem" --require-level B-LTA
json_check "$LAST_STDOUT" '
sigs = f["signatures"]
assert len(sigs) == 3 and all(s["valid"] for s in sigs), sigs
assert sigs[0]["level"] == "B-LTA" and sigs[2]["subfilter"] == "ETSI.RFC3161", sigs
assert all(r["allowed"] for r in f["revisions"]), f["revisions"]
'
note "extended twice more, then signed again at B-LTA: every revision stays allowed"
expect_exit 0 esign stamp "$TEST_TMP/renewed.pdf" --profile "$LT/signer.yaml" --extend -o "$TEST_TMP/renewed2.pdf"
expect_exit 0 esign stamp "$TEST_TMP/renewed2.pdf" --profile "$LT/signer.yaml" --extend -o "$TEST_TMP/renewed3.pdf"
expect_exit 0 esign sign "$TEST_TMP/renewed3.pdf" --profile "$LT/signer.yaml" --level B-LTA -o "$TEST_TMP/resigned.pdf"
qpdf_ok "$TEST_TMP/resigned.pdf"
expect_exit 0 esign --json verify "$TEST_TMP/resigned.pdf" --trust "$LT/root.pem" --require-level B-LTA --offline
json_check "$LAST_STDOUT" '
sigs = f["signatures"]
assert len(sigs) == 7 and all(s["valid"] for s in sigs), [(s["field"], s["error"]) for s in sigs]
assert all(r["allowed"] for r in f["revisions"]), f["revisions"]
'
expect_exit 2 esign stamp "$TEST_TMP/lt.pdf" --profile "$LT/signer.yaml" --extend -o "$TEST_TMP/not-lta.pdf"
expect_stderr_contains "no document time-stamp to renew"
expect_exit 2 esign stamp "$TEST_TMP/data.txt" --profile "$LT/signer.yaml" --extend
expect_stderr_contains "this is neither"   # neither a PDF nor a CMS signature (CAdES B-LTA: cades_lta_test.sh)

note "a change to the page content after the signature: invalid, and the JSON names the change"
/usr/bin/python3 - "$TEST_TMP/lt.pdf" "$TEST_TMP/tampered.pdf" <<'PY'
import re, sys
data = open(sys.argv[1], "rb").read()
trailer = data[data.rindex(b"trailer"):]
size = int(re.search(rb"/Size (\d+)", trailer).group(1))
prev = int(data[data.rindex(b"startxref") + 9:].split()[0])
body = b"/F1 12 Tf 72 700 Td (PAID IN FULL) Tj"
obj = b"6 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n" % (len(body), body)
off = len(data)
xref = b"xref\n6 1\n%010d 00000 n\r\ntrailer\n<< /Size %d /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
    off, size, prev, off + len(obj))
open(sys.argv[2], "wb").write(data + obj + xref)
PY
qpdf_ok "$TEST_TMP/tampered.pdf"
expect_exit 1 esign --json verify "$TEST_TMP/tampered.pdf" --trust "$LT/root.pem"
json_check "$LAST_STDOUT" '
assert not f["valid"] and "modified after signing" in f["error"], f["error"]
last = f["revisions"][-1]
assert not last["allowed"], last
assert any(c["object"] == "6 0" and c["change"] == "modified" and not c["allowed"] for c in last["changes"]), last
assert f["revisions"][0]["allowed"], f["revisions"][0]    # the DSS update before it is fine
'

note "responders stopped: what is embedded is enough with --offline (and online)"
kill "$REV_PID"
wait "$REV_PID" 2>/dev/null || true
pkill -f -- "--workdir $TEST_TMP/lt-tsa" || true
expect_exit 0 esign --json verify --offline "$TEST_TMP/lta.pdf" "$TEST_TMP/renewed.pdf" "$TEST_TMP/lt.pdf" \
  "$TEST_TMP/data.txt.p7s" --trust "$LT/root.pem"
/usr/bin/python3 - "$LAST_STDOUT" <<'PY' || fail "offline verification did not report the levels"
import json, sys
files = json.load(open(sys.argv[1]))["files"]
assert [f["signatures"][0]["level"] for f in files] == ["B-LTA", "B-LTA", "B-LT", "B-LT"], files
PY
expect_exit 0 esign verify "$TEST_TMP/lta.pdf" --trust "$LT/root.pem" --require-level B-LTA
expect_exit 4 esign verify --offline "$TEST_TMP/revoked.pdf" --trust "$LT/root.pem"
