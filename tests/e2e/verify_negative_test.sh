#!/usr/bin/env bash
# esign verify rejects what it must: a byte changed inside the signed ranges, a truncated file,
# an incremental update that changes a page after signing, an untrusted, expired or unfit
# (keyUsage) signer, broken and non-PDF files, a .p7s over changed data; and it tells usage
# problems (missing file, missing data) apart from invalid documents. Also --data and the
# JUnit report.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
need_tool openssl qpdf

export ESIGN_LEDGER=$TEST_TMP/ledger.db
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3)
root=$PKI/root.pem
# later MESSAGE: a failure reported at the end, so the checks after it still run.
later_fails=()
later() { echo "FAIL (reported at the end) $TEST_NAME: $*" >&2; later_fails+=("$*"); }

json_get() {
  "$py" -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# failed_checks JSONFILE: the names of the failed checks of every signature, one a line.
failed_checks() {
  json_get "$1" '"\n".join(k for f in d["files"] for s in f["signatures"] for k, v in s["checks"].items() if not v["ok"])'
}

# expect_invalid FILE [VERIFY-ARGS...]: verify exits 1; text output names FILE as INVALID with
# its reason; JSON says valid false and names FILE on stderr. Leaves the JSON in $TEST_TMP/v.json.
expect_invalid() {
  local f=$1
  shift
  expect_exit 1 esign verify "$f" --trust "$root" "$@"
  expect_stdout_contains "$f: INVALID ("
  [ "$(grep -c "^$f: INVALID (" "$LAST_STDOUT")" = 1 ] || fail "verify $f: not one INVALID line"
  expect_exit 1 esign verify "$f" --trust "$root" --format json "$@"
  expect_stderr_contains "$f"
  cp "$LAST_STDOUT" "$TEST_TMP/v.json"
  [ "$(json_get "$TEST_TMP/v.json" 'd["files"][0]["valid"]')" = False ] || fail "verify json: $f is valid"
}

# expect_indeterminate FILE SUB [ARGS...]: what cannot be confirmed without being proven forged
# (an unknown issuer, an expired certificate) exits 4, INDETERMINATE with the sub-indication SUB.
expect_indeterminate() {
  local f=$1 sub=$2
  shift 2
  expect_exit 4 esign verify "$f" --trust "$root" "$@"
  expect_stdout_contains "$f: INDETERMINATE ($sub)"
  expect_exit 4 esign verify "$f" --trust "$root" --format json "$@"
  cp "$LAST_STDOUT" "$TEST_TMP/v.json"
  [ "$(json_get "$TEST_TMP/v.json" 'd["files"][0]["indication"]')" = INDETERMINATE ] || fail "verify json: $f is not INDETERMINATE"
  [ "$(json_get "$TEST_TMP/v.json" 'd["files"][0]["sub_indication"]')" = "$sub" ] || fail "verify json: $f is not $sub"
}

d=$TEST_TMP/d
mkdir -p "$d"
expect_exit 0 esign sign "$PDFS/classic.pdf" --profile "$PKI/rsa.yaml" -o "$d/good.pdf"
expect_exit 0 esign verify "$d/good.pdf" --trust "$root"

# One byte changed inside each signed range (the page text in the first, the /Location in the
# second, after /Contents): digest mismatch.
note "flipped bytes"
"$py" - "$d/good.pdf" "$d/flip1.pdf" "$d/flip2.pdf" <<'PY'
import re, sys
data = open(sys.argv[1], 'rb').read()
br = [int(x) for x in re.search(rb'/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)', data).groups()]
for out, needle, new in ((sys.argv[2], b'Hello esign', b'J'), (sys.argv[3], b'(Bengaluru)', b'(X')):
    i = data.index(needle)
    assert i + len(new) <= br[1] or br[2] <= i, 'not inside a signed range'
    if out == sys.argv[2]:
        assert i + len(new) <= br[1], 'expected in the first range'
    else:
        assert br[2] <= i, 'expected in the second range'
    b = bytearray(data)
    b[i:i + len(new)] = new
    open(out, 'wb').write(b)
PY
for f in flip1 flip2; do
  remember "$d/$f.pdf"
  expect_invalid "$d/$f.pdf"
  grep -qi 'digest' <<<"$(failed_checks "$TEST_TMP/v.json")$(cat "$LAST_STDERR")" ||
    fail "verify $f.pdf: the reason does not mention the digest"
  grep -qx <<<"$(failed_checks "$TEST_TMP/v.json")" message_digest || fail "verify $f.pdf: message_digest did not fail"
  expect_unchanged "$d/$f.pdf"
done

# Truncated: the signed ranges run past the end of the file (or the trailer is gone).
note "truncated"
for n in 1 100 3000; do
  size=$(stat -c %s "$d/good.pdf")
  head -c $((size - n)) "$d/good.pdf" >"$d/trunc$n.pdf"
  expect_invalid "$d/trunc$n.pdf"
done

# An incremental update after the signature that replaces the page's content stream.
note "modified after signing"
cat >"$TEST_TMP/incremental.py" <<'PY'
# incremental.py IN OUT: appends an update to IN that gives its (last) page a new content stream.
import re, sys
data = open(sys.argv[1], 'rb').read()
prev = int(re.findall(rb'startxref\s+(\d+)', data)[-1])
trailer = re.findall(rb'trailer\s*<<(.*?)>>\s*startxref', data, re.S)[-1]
size = int(re.search(rb'/Size\s+(\d+)', trailer).group(1))
root = re.search(rb'/Root\s+(\d+ \d+ R)', trailer).group(1)
pages = [m for m in re.finditer(rb'(\d+) 0 obj\s*<<(.*?)>>\s*endobj', data, re.S)
         if re.search(rb'/Type\s*/Page(?!s)', m.group(2))]
num = int(pages[-1].group(1))
body = re.sub(rb'/Contents\s+\d+ 0 R', b'/Contents %d 0 R' % size, pages[-1].group(2))
out = bytearray(data)
if not out.endswith(b'\n'):
    out += b'\n'
content = b'BT /F1 24 Tf 72 700 Td (Pay 1000000 to Mallory) Tj ET'
off_c = len(out)
out += b'%d 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n' % (size, len(content), content)
off_p = len(out)
out += b'%d 0 obj\n<<%s>>\nendobj\n' % (num, body)
xref = len(out)
out += b'xref\n0 1\n0000000000 65535 f \n%d 1\n%010d 00000 n \n%d 1\n%010d 00000 n \n' % (num, off_p, size, off_c)
out += b'trailer\n<< /Size %d /Root %s /Prev %d >>\nstartxref\n%d\n%%%%EOF\n' % (size + 1, root, prev, xref)
open(sys.argv[2], 'wb').write(out)
PY
"$py" "$TEST_TMP/incremental.py" "$d/good.pdf" "$d/modified.pdf"
qpdf_ok "$d/modified.pdf"
pdftotext "$d/modified.pdf" - | grep -q 'Pay 1000000 to Mallory' || fail "the incremental update did not change the page"
pdfsig_report "$d/modified.pdf" | grep -q 'Not total document signed' || fail "pdfsig: modified.pdf is totally signed"
expect_invalid "$d/modified.pdf"
expect_stdout_contains "modified after signing"
# The same on a file signed twice: the update after the second signature is caught too.
expect_exit 0 esign sign "$d/good.pdf" --profile "$PKI/ec256.yaml" -o "$d/twice.pdf"
"$py" "$TEST_TMP/incremental.py" "$d/twice.pdf" "$d/twice-modified.pdf"
expect_invalid "$d/twice-modified.pdf"
expect_stdout_contains "modified after signing"

# Signers: untrusted root, nokeyusage (esign signs, verify refuses), expired (esign refuses to
# sign; a PDF signed by pdfsig with the expired certificate is rejected).
note "bad signers"
expect_exit 0 esign sign "$PDFS/classic.pdf" --profile "$PKI/untrusted.yaml" -o "$d/untrusted.pdf"
expect_indeterminate "$d/untrusted.pdf" NO_CERTIFICATE_CHAIN_FOUND
grep -qx <<<"$(failed_checks "$TEST_TMP/v.json")" chain || fail "untrusted: the chain check did not fail"
# ... valid for whoever trusts its root.
expect_exit 0 esign verify "$d/untrusted.pdf" --trust "$PKI/untrusted-root.pem"
# ... and the good file cannot be confirmed by whoever trusts only the untrusted root.
expect_exit 4 esign verify "$d/good.pdf" --trust "$PKI/untrusted-root.pem"

# esign refuses to sign with a certificate whose key usage forbids it; openssl does not.
expect_exit 2 esign sign "$PDFS/classic.pdf" --profile "$PKI/nokeyusage.yaml" -o "$d/nokeyusage.pdf"
expect_stderr_contains "key usage"
expect_no_file "$d/nokeyusage.pdf"
openssl cms -sign -binary -outform DER -in "$PDFS/classic.pdf" -signer "$PKI/nokeyusage.cert.pem" \
  -inkey "$PKI/nokeyusage.key.pem" -certfile "$PKI/chain.pem" -out "$d/nokeyusage.p7s"
expect_invalid "$d/nokeyusage.p7s" --data "$PDFS/classic.pdf"
grep -qx <<<"$(failed_checks "$TEST_TMP/v.json")" key_usage || fail "nokeyusage: the key_usage check did not fail"

expect_exit 2 esign sign "$PDFS/classic.pdf" --profile "$PKI/expired.yaml" -o "$d/expired.pdf"
expect_stderr_contains "expired"
expect_no_file "$d/expired.pdf"
if command -v pdfsig >/dev/null && command -v pk12util >/dev/null; then
  nss=$TEST_TMP/nss
  make_nssdb "$nss" "$root"
  pk12util -i "$PKI/expired.p12" -d "sql:$nss" -W "$(head -n1 "$PKI/p12-password.txt")" -K "" >/dev/null
  pdfsig -add-signature -nssdir "sql:$nss" -nick expired "$PDFS/classic.pdf" "$d/expired-pdfsig.pdf" >/dev/null 2>&1 ||
    [ -s "$d/expired-pdfsig.pdf" ] || fail "pdfsig could not sign with the expired certificate"
  expect_indeterminate "$d/expired-pdfsig.pdf" OUT_OF_BOUNDS_NO_POE
  grep -qxE <<<"$(failed_checks "$TEST_TMP/v.json")" 'certificate_validity|chain' ||
    fail "expired: neither certificate_validity nor chain failed"
else
  note "pdfsig/pk12util missing: no expired PDF"
fi
data=$TEST_TMP/data.txt
echo "expired data" >"$data"
openssl cms -sign -binary -outform DER -in "$data" -signer "$PKI/expired.cert.pem" -inkey "$PKI/expired.key.pem" \
  -certfile "$PKI/chain.pem" -out "$d/expired.p7s"
expect_indeterminate "$d/expired.p7s" OUT_OF_BOUNDS_NO_POE --data "$data"
grep -qxE <<<"$(failed_checks "$TEST_TMP/v.json")" 'certificate_validity|chain' ||
  fail "expired .p7s: neither certificate_validity nor chain failed"

# Broken inputs: a missing file is a usage error (2); a broken or non-PDF file is an invalid
# document (1) with a one-line reason.
note "broken inputs"
expect_exit 2 esign verify "$d/no-such.pdf" --trust "$root"
expect_stderr_contains "$d/no-such.pdf"
for f in corrupt notapdf; do
  expect_invalid "$PDFS/$f.pdf"
done
# One bad file among good ones: exit 1, and the good one is still reported valid.
expect_exit 1 esign verify "$d/good.pdf" "$PDFS/corrupt.pdf" --trust "$root" --format json
cp "$LAST_STDOUT" "$TEST_TMP/v.json"
[ "$(json_get "$TEST_TMP/v.json" '[f["valid"] for f in d["files"]]')" = "[True, False]" ] ||
  fail "verify good.pdf corrupt.pdf: expected [valid, invalid]"
expect_exit 2 esign verify "$d/good.pdf" "$d/no-such.pdf" --trust "$root"
expect_stderr_contains "$d/no-such.pdf"

# Detached .p7s: the data beside it, --data elsewhere, changed data, missing data.
note "p7s"
p=$TEST_TMP/p
mkdir -p "$p"
head -c 5000 /dev/urandom >"$p/blob.bin"
expect_exit 0 esign sign "$p/blob.bin" --profile "$PKI/ec256.yaml"
expect_exit 0 esign verify "$p/blob.bin.p7s" --trust "$root"
mkdir -p "$p/elsewhere"
mv "$p/blob.bin.p7s" "$p/elsewhere/sig.p7s"
expect_exit 2 esign verify "$p/elsewhere/sig.p7s" --trust "$root"
expect_stderr_contains "sig.p7s"
expect_exit 0 esign verify "$p/elsewhere/sig.p7s" --data "$p/blob.bin" --trust "$root"
expect_exit 2 esign verify "$p/elsewhere/sig.p7s" --data "$p/no-such.bin" --trust "$root"
grep -qF "no-such.bin" "$LAST_STDERR" ||
  later "verify --data MISSING: stderr does not name the missing data file: $(cat "$LAST_STDERR")"
mv "$p/elsewhere/sig.p7s" "$p/blob.bin.p7s"
cp "$p/blob.bin" "$p/blob.orig"
printf 'X' | dd of="$p/blob.bin" bs=1 seek=2500 conv=notrunc status=none
cmp -s "$p/blob.bin" "$p/blob.orig" && printf 'Y' | dd of="$p/blob.bin" bs=1 seek=2500 conv=notrunc status=none
expect_invalid "$p/blob.bin.p7s"
grep -qx <<<"$(failed_checks "$TEST_TMP/v.json")" message_digest || fail "changed data: message_digest did not fail"
expect_exit 1 esign verify "$p/blob.bin.p7s" --data "$p/blob.bin" --trust "$root"
expect_exit 0 esign verify "$p/blob.bin.p7s" --data "$p/blob.orig" --trust "$root"
rm "$p/blob.bin"
expect_exit 2 esign verify "$p/blob.bin.p7s" --trust "$root"
expect_stderr_contains "blob.bin"
# A .p7s that is not a CMS at all.
head -c 300 /dev/urandom >"$p/junk.p7s"
cp "$p/blob.orig" "$p/junk"
expect_invalid "$p/junk.p7s"

# JUnit: well-formed XML, one testcase per file, a failure for each bad one.
note "junit"
expect_exit 1 esign verify --trust "$root" --format junit "$d/good.pdf" "$d/flip1.pdf" "$PDFS/corrupt.pdf"
"$py" - "$LAST_STDOUT" "$d/good.pdf" "$d/flip1.pdf" "$PDFS/corrupt.pdf" <<'PY' || fail "bad JUnit report: $(cat "$LAST_STDOUT")"
import sys, xml.dom.minidom
doc = xml.dom.minidom.parse(sys.argv[1])
cases = doc.getElementsByTagName('testcase')
assert len(cases) == 3, 'expected 3 testcases'
names = [c.getAttribute('name') for c in cases]
failed = {c.getAttribute('name'): bool(c.getElementsByTagName('failure')) for c in cases}
for path, bad in zip(sys.argv[2:], (False, True, True)):
    name = next((n for n in names if path.endswith(n) or n.endswith(path)), None)
    assert name, 'no testcase for ' + path
    assert failed[name] == bad, path + ': failure element ' + ('missing' if bad else 'unexpected')
suite = doc.getElementsByTagName('testsuite')[0]
assert suite.getAttribute('failures') == '2', 'failures attribute is not 2'
PY

# --trust takes one file per occurrence (it is repeatable), so it may come before the files.
note "--trust before several files"
# trust_first WANT ARGS...: `esign verify ARGS...` exits WANT (a later failure otherwise).
trust_first() {
  local want=$1
  shift
  run esign verify "$@"
  [ "$LAST_EXIT" = "$want" ] || later "exit $LAST_EXIT, expected $want: esign verify $* ($(head -n1 "$LAST_STDERR"))"
}
trust_first 0 --trust "$root" "$d/good.pdf" "$d/twice.pdf"
trust_first 0 --trust "$root" --trust "$PKI/untrusted-root.pem" "$d/good.pdf" "$d/untrusted.pdf"
trust_first 1 --trust "$root" "$d/good.pdf" "$d/flip1.pdf"
trust_first 0 "--trust=$root" "$d/good.pdf" "$d/twice.pdf"

note "folders: what bulk wrote, checked in one call (--data-dir, -r)"
mkdir -p "$TEST_TMP/bin/sub" "$TEST_TMP/bout"
cp "$PDFS/classic.pdf" "$TEST_TMP/bin/a.pdf"
printf 'top\n' >"$TEST_TMP/bin/b.txt"
printf 'nested\n' >"$TEST_TMP/bin/sub/c.txt"
expect_exit 0 esign -q bulk "$TEST_TMP/bin" --profile "$PKI/rsa.yaml" --out-dir "$TEST_TMP/bout" --recursive
expect_exit 0 esign --json verify "$TEST_TMP/bout" --data-dir "$TEST_TMP/bin" --trust "$root"
json_get "$LAST_STDOUT" '[f["path"].rsplit("/", 1)[1] for f in d["files"]]' | grep -qxF "['a.signed.pdf', 'b.txt.p7s']" ||
  fail "a folder is not its top-level signed files: $(cat "$LAST_STDOUT")"
expect_exit 0 esign -q verify -r "$TEST_TMP/bout" --data-dir "$TEST_TMP/bin" --trust "$root"
# Without --data-dir the data is looked for beside each .p7s: not there.
expect_exit 2 esign -q verify -r "$TEST_TMP/bout" --trust "$root"
expect_stderr_contains "cannot find the signed data"
expect_stderr_contains "--data-dir DIR"
printf 'changed\n' >"$TEST_TMP/bin/sub/c.txt"
expect_exit 1 esign -q verify -r "$TEST_TMP/bout" --data-dir "$TEST_TMP/bin" --trust "$root"
expect_stderr_contains "c.txt.p7s"
expect_exit 2 esign verify "$TEST_TMP/bout/b.txt.p7s" --data "$TEST_TMP/bin/b.txt" --data-dir "$TEST_TMP/bin"
mkdir -p "$TEST_TMP/nothing"
expect_exit 2 esign verify "$TEST_TMP/nothing" --trust "$root"
expect_stderr_contains "no signed files"

note "a ledger that cannot be written does not change the verdict; --no-record writes none"
touch "$TEST_TMP/not-a-folder"
expect_exit 0 esign --ledger "$TEST_TMP/not-a-folder/l.db" verify "$d/good.pdf" --trust "$root"
expect_stderr_contains "warning: the results were not recorded in the ledger"
expect_exit 1 esign --ledger "$TEST_TMP/not-a-folder/l.db" verify "$d/flip1.pdf" --trust "$root"
expect_exit 0 esign --ledger "$TEST_TMP/unused.db" verify "$d/good.pdf" --trust "$root" --no-record
[ ! -e "$TEST_TMP/unused.db" ] || fail "--no-record created the ledger"

[ ${#later_fails[@]} = 0 ] || fail "${#later_fails[@]} failures: ${later_fails[*]}"
