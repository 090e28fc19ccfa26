#!/usr/bin/env bash
# PAdES signing end to end: every test PDF shape (classic xref, xref stream, several pages,
# object streams) with every key type and digest (RSA PKCS#1 v1.5, RSA-PSS + SHA-512, P-256,
# P-384, SHA-384), checked by the referees (pdfsig, qpdf --check, openssl cms) and by esign
# verify; then output naming (default, --out-dir, -o, --force), --reason/--location, visible
# signatures, a second signature on a signed PDF, and stdin -> stdout.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
need_tool pdfsig qpdf openssl pdftoppm certutil

export ESIGN_LEDGER=$TEST_TMP/ledger.db
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3)

# cms_of PDF [INDEX]: writes the DER CMS of the INDEX-th signature (default: the last) of PDF
# on stdout, from its /Contents hex string without the zero padding.
cms_of() {
  "$py" - "$1" "${2:--1}" <<'PY'
import re, sys
data = open(sys.argv[1], 'rb').read()
sigs = re.findall(rb'/Contents\s*<([0-9A-Fa-f\s]+)>', data)
if not sigs:
    sys.exit('no /Contents hex string')
der = bytes.fromhex(sigs[int(sys.argv[2])].decode().replace('\n', ''))
# DER length of the outer SEQUENCE: the rest is padding
if der[0] != 0x30:
    sys.exit('not a DER SEQUENCE')
if der[1] < 0x80:
    n = 2 + der[1]
else:
    k = der[1] & 0x7f
    n = 2 + k + int.from_bytes(der[2:2 + k], 'big')
sys.stdout.buffer.write(der[:n])
PY
}

# json_get FILE EXPR: evaluates the Python expression EXPR with `d` = the JSON in FILE.
json_get() {
  "$py" -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# expect_no_temp DIR: no `.NAME.esign-tmp-*` file is left in DIR.
expect_no_temp() {
  local left
  left=$(find "$1" -maxdepth 1 -name '.*.esign-tmp-*' -printf '%f ')
  [ -z "$left" ] || fail "temp files left in $1: $left"
}

# check_signed IN OUT NSIG DIGEST: OUT is IN plus a valid PAdES B-B signature (the last of NSIG).
check_signed() {
  local in=$1 out=$2 nsig=$3 digest=$4 size cms json
  expect_file "$out"
  pdfsig_valid "$out" "$nsig"
  qpdf_ok "$out"
  size=$(stat -c %s "$in")
  cmp -s -n "$size" "$in" "$out" || fail "$in is not a prefix of $out (incremental update)"
  [ "$(stat -c %s "$out")" -gt "$size" ] || fail "$out is not longer than $in"
  grep -aq '/SubFilter */ETSI\.CAdES\.detached' "$out" || fail "$out has no /SubFilter /ETSI.CAdES.detached"
  expect_exit 0 esign verify --trust "$PKI/root.pem" "$out"
  expect_exit 0 esign verify --trust "$PKI/root.pem" --format json "$out"
  json=$TEST_TMP/verify.json
  cp "$LAST_STDOUT" "$json"
  [ "$(json_get "$json" 'd["files"][0]["valid"]')" = True ] || fail "verify json: $out is not valid"
  [ "$(json_get "$json" 'len(d["files"][0]["signatures"])')" = "$nsig" ] ||
    fail "verify json: $out does not have $nsig signatures"
  [ "$(json_get "$json" 'all(s["valid"] for s in d["files"][0]["signatures"])')" = True ] ||
    fail "verify json: not every signature of $out is valid"
  [ "$(json_get "$json" 'd["files"][0]["signatures"][-1]["covers_whole_file"]')" = True ] ||
    fail "verify json: the last signature of $out does not cover the whole file"
  [ "$(json_get "$json" 'd["files"][0]["signatures"][-1]["checks"]["digest_algorithm"]["detail"]')" = "$digest" ] ||
    fail "verify json: the last signature of $out does not use $digest"
  # The CMS: PAdES baseline signed attributes, and no signing-time (the time is the PDF's /M).
  cms=$(cms_of "$out" | openssl cms -cmsout -print -inform DER) || fail "openssl cannot parse the CMS in $out"
  grep -q 'object: signingTime' <<<"$cms" && fail "the CMS in $out has a signingTime attribute (PAdES forbids it)"
  for a in contentType messageDigest id-smime-aa-signingCertificateV2; do
    grep -q "object: $a " <<<"$cms" || fail "the CMS in $out lacks the $a signed attribute"
  done
  grep -q "algorithm: $digest " <<<"$cms" || fail "the CMS in $out does not use $digest"
}

# Profiles: the fixtures' rsa, ec256, ec384, plus RSA-PSS with SHA-512 and P-256 with SHA-384.
prof=$TEST_TMP/profiles
mkdir -p "$prof"
cat >"$prof/pss.yaml" <<YAML
name: test-pss
key:
  source: pkcs12
  path: $PKI/rsa.p12
  password: file:$PKI/p12-password.txt
signature: {digest: sha512, padding: pss}
YAML
cat >"$prof/sha384.yaml" <<YAML
name: test-sha384
key:
  source: pem
  key: $PKI/ec256.enc.key.pem
  cert: $PKI/ec256.cert.pem
  chain: $PKI/chain.pem
  password: file:$PKI/p12-password.txt
signature:
  digest: sha384
YAML

in=$TEST_TMP/in
mkdir -p "$in"
for f in classic xrefstream multipage; do cp "$PDFS/$f.pdf" "$in/"; done
qpdf --object-streams=generate "$PDFS/classic.pdf" "$in/objstm.pdf"
grep -aq '/Type */ObjStm' "$in/objstm.pdf" || fail "qpdf made no object stream"
remember "$in"/*.pdf

out=$TEST_TMP/out
mkdir -p "$out"
for f in classic xrefstream multipage objstm; do
  for p in "$PKI/rsa.yaml:sha256" "$PKI/ec256.yaml:sha256" "$PKI/ec384.yaml:sha256" \
           "$prof/pss.yaml:sha512" "$prof/sha384.yaml:sha384"; do
    profile=${p%:*} digest=${p##*:}
    name=$(basename "$profile" .yaml)
    note "$f.pdf with $name"
    expect_exit 0 esign sign "$in/$f.pdf" --profile "$profile" -o "$out/$f-$name.pdf"
    check_signed "$in/$f.pdf" "$out/$f-$name.pdf" 1 "$digest"
  done
done
cms_of "$out/classic-pss.pdf" | openssl cms -cmsout -print -inform DER | grep -q 'algorithm: rsassaPss' ||
  fail "the pss profile did not make an RSASSA-PSS signature"
expect_unchanged "$in"/*.pdf
expect_no_temp "$out"
expect_no_temp "$in"

# Output naming: default name beside the input, --out-dir (created), -o, --force.
note "output names"
d=$TEST_TMP/names
mkdir -p "$d"
cp "$PDFS/classic.pdf" "$d/report.pdf"
remember "$d/report.pdf"
expect_exit 0 esign sign "$d/report.pdf" --profile "$PKI/rsa.yaml"
check_signed "$d/report.pdf" "$d/report.signed.pdf" 1 sha256
expect_dir_contents "$d" report.pdf report.signed.pdf
remember "$d/report.signed.pdf"
expect_exit 2 esign sign "$d/report.pdf" --profile "$PKI/ec256.yaml"
expect_stderr_contains "report.signed.pdf: output exists (use --force to overwrite)"
expect_unchanged "$d/report.signed.pdf"
expect_dir_contents "$d" report.pdf report.signed.pdf
expect_exit 0 esign sign "$d/report.pdf" --profile "$PKI/ec256.yaml" --force
check_signed "$d/report.pdf" "$d/report.signed.pdf" 1 sha256
pdfsig_report "$d/report.signed.pdf" | grep -q 'Common Name: Test Signer EC P-256' ||
  fail "--force did not replace report.signed.pdf"
expect_dir_contents "$d" report.pdf report.signed.pdf

expect_exit 0 esign sign "$d/report.pdf" "$in/multipage.pdf" --profile "$PKI/rsa.yaml" --out-dir "$d/new/dir"
check_signed "$d/report.pdf" "$d/new/dir/report.signed.pdf" 1 sha256
check_signed "$in/multipage.pdf" "$d/new/dir/multipage.signed.pdf" 1 sha256
expect_dir_contents "$d/new/dir" report.signed.pdf multipage.signed.pdf
remember "$d/new/dir/report.signed.pdf"
expect_exit 2 esign sign "$d/report.pdf" --profile "$PKI/rsa.yaml" --out-dir "$d/new/dir"
expect_stderr_contains "report.signed.pdf"
expect_unchanged "$d/new/dir/report.signed.pdf"
expect_dir_contents "$d/new/dir" report.signed.pdf multipage.signed.pdf

expect_exit 0 esign sign "$d/report.pdf" --profile "$PKI/rsa.yaml" -o "$d/custom name.pdf"
check_signed "$d/report.pdf" "$d/custom name.pdf" 1 sha256
remember "$d/custom name.pdf"
expect_exit 2 esign sign "$d/report.pdf" --profile "$PKI/rsa.yaml" -o "$d/custom name.pdf"
expect_stderr_contains "custom name.pdf"
expect_unchanged "$d/custom name.pdf"
expect_exit 0 esign sign "$d/report.pdf" --profile "$PKI/rsa.yaml" -o "$d/custom name.pdf" --force
check_signed "$d/report.pdf" "$d/custom name.pdf" 1 sha256
expect_dir_contents "$d" report.pdf report.signed.pdf new "custom name.pdf"
expect_unchanged "$d/report.pdf"

# --reason / --location override the profile's (Approved, Bengaluru).
note "reason and location"
expect_exit 0 esign sign "$in/classic.pdf" --profile "$PKI/rsa.yaml" -o "$out/reason.pdf" \
  --reason "Checked by QA" --location "Pune, IN"
check_signed "$in/classic.pdf" "$out/reason.pdf" 1 sha256
grep -aq '/Reason *(Checked by QA)' "$out/reason.pdf" || fail "--reason is not in the signature dictionary"
grep -aq '/Location *(Pune, IN)' "$out/reason.pdf" || fail "--location is not in the signature dictionary"
grep -aq '/Reason *(Approved)' "$out/reason.pdf" && fail "the profile's reason was not overridden"
grep -aq '/Reason *(Approved)' "$out/classic-rsa.pdf" || fail "the profile's reason is not in the signature"
grep -aq '/Location *(Bengaluru)' "$out/classic-rsa.pdf" || fail "the profile's location is not in the signature"

# Visible signatures: the page renders differently from the unsigned page; other pages do not.
# page_md5 PDF PAGE: md5 of PAGE rendered at 50 dpi.
page_md5() {
  pdftoppm -png -r 50 -f "$2" -l "$2" -singlefile "$1" "$TEST_TMP/render"
  md5sum <"$TEST_TMP/render.png" | cut -d' ' -f1
}
note "visible signatures"
expect_exit 0 esign sign "$in/multipage.pdf" --profile "$PKI/rsa.yaml" --visible -o "$out/visible.pdf"
check_signed "$in/multipage.pdf" "$out/visible.pdf" 1 sha256
[ "$(page_md5 "$out/visible.pdf" 3)" != "$(page_md5 "$in/multipage.pdf" 3)" ] ||
  fail "--visible: the last page looks the same as unsigned"
[ "$(page_md5 "$out/visible.pdf" 1)" = "$(page_md5 "$in/multipage.pdf" 1)" ] ||
  fail "--visible: page 1 changed, the default box belongs on the last page"
# An invisible signature does not change the rendering.
[ "$(page_md5 "$out/multipage-rsa.pdf" 3)" = "$(page_md5 "$in/multipage.pdf" 3)" ] ||
  fail "an invisible signature changed the rendering of the last page"
cat >"$prof/visible.yaml" <<YAML
name: test-visible
key:
  source: pkcs12
  path: $PKI/rsa.p12
  password: file:$PKI/p12-password.txt
appearance:
  page: 1
  rect: [300, 600, 560, 700]
  text: "Digitally signed by {signer}\n{date}"
YAML
expect_exit 0 esign sign "$in/multipage.pdf" --profile "$prof/visible.yaml" --visible -o "$out/visible1.pdf"
check_signed "$in/multipage.pdf" "$out/visible1.pdf" 1 sha256
[ "$(page_md5 "$out/visible1.pdf" 1)" != "$(page_md5 "$in/multipage.pdf" 1)" ] ||
  fail "appearance page 1: page 1 looks the same as unsigned"
[ "$(page_md5 "$out/visible1.pdf" 3)" = "$(page_md5 "$in/multipage.pdf" 3)" ] ||
  fail "appearance page 1: the last page changed"
grep -aq '/Rect *\[ *300\(\.0*\)\? \+600\(\.0*\)\? \+560\(\.0*\)\? \+700\(\.0*\)\? *\]' "$out/visible1.pdf" ||
  fail "appearance page 1: the widget does not have the profile's /Rect [300 600 560 700]"

# A signed PDF signed again by another signer: both signatures valid, only the last covers all.
note "second signature"
expect_exit 0 esign sign "$out/classic-rsa.pdf" --profile "$PKI/ec384.yaml" -o "$out/twice.pdf"
check_signed "$out/classic-rsa.pdf" "$out/twice.pdf" 2 sha256
report=$(pdfsig_report "$out/twice.pdf")
first=$(awk '/^Signature #/ { k++ } k == 1' <<<"$report")
grep -q 'Not total document signed' <<<"$first" || fail "pdfsig: the first signature covers the whole file:
$report"
grep -q 'Test Signer RSA' <<<"$first" || fail "pdfsig: the first signature is not RSA's:
$report"
cp "$LAST_STDOUT" "$TEST_TMP/twice.json"
[ "$(json_get "$TEST_TMP/twice.json" 'd["files"][0]["signatures"][0]["covers_whole_file"]')" = False ] ||
  fail "verify json: the first of two signatures claims to cover the whole file"

# stdin -> stdout.
note "stdin and stdout"
esign sign - --format pades --profile "$PKI/ec256.yaml" -o - <"$in/classic.pdf" >"$out/stdio.pdf" \
  2>"$TEST_TMP/stdio.err" || fail "sign - -o - failed: $(cat "$TEST_TMP/stdio.err")"
check_signed "$in/classic.pdf" "$out/stdio.pdf" 1 sha256
# shellcheck disable=SC2002 # a pipe on purpose: stdin that cannot seek
cat "$in/xrefstream.pdf" | esign sign - --format pades --profile "$PKI/rsa.yaml" -o - >"$out/stdio2.pdf" ||
  fail "sign - -o - from a pipe failed"
check_signed "$in/xrefstream.pdf" "$out/stdio2.pdf" 1 sha256

expect_unchanged "$in"/*.pdf "$d/report.pdf"
expect_no_temp "$out"
expect_no_temp "$in"
expect_no_temp "$d"
