#!/usr/bin/env bash
# Detached CMS/CAdES signing end to end: text and binary files with every key type and digest,
# checked by `openssl cms -verify` (also with -cades: ESS signing-certificate-v2) and esign
# verify; the signed attributes; output naming; stdin -> stdout; and a 2 GiB stream from stdin
# signed (and verified) in bounded memory.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
need_tool openssl /usr/bin/time

export ESIGN_LEDGER=$TEST_TMP/ledger.db
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3)

json_get() {
  "$py" -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

expect_no_temp() {
  local left
  left=$(find "$1" -maxdepth 1 -name '.*.esign-tmp-*' -printf '%f ')
  [ -z "$left" ] || fail "temp files left in $1: $left"
}

# check_p7s P7S DATA DIGEST: a valid detached CAdES-B-B signature of DATA.
check_p7s() {
  local sig=$1 data=$2 digest=$3 cms
  expect_file "$sig"
  p7s_ok "$sig" "$data" "$PKI/chain.pem"
  p7s_ok "$sig" "$data" "$PKI/chain.pem" -cades
  cms=$(openssl cms -cmsout -print -inform DER -in "$sig") || fail "openssl cannot parse $sig"
  for a in contentType signingTime messageDigest id-smime-aa-signingCertificateV2; do
    grep -q "object: $a " <<<"$cms" || fail "$sig lacks the $a signed attribute"
  done
  grep -q 'eContent: <ABSENT>' <<<"$cms" || fail "$sig is not detached (it carries the content)"
  grep -q "algorithm: $digest " <<<"$cms" || fail "$sig does not use $digest"
  expect_exit 0 esign verify --trust "$PKI/root.pem" --data "$data" --format json "$sig"
  cp "$LAST_STDOUT" "$TEST_TMP/v.json"
  [ "$(json_get "$TEST_TMP/v.json" 'd["files"][0]["valid"]')" = True ] || fail "verify json: $sig is not valid"
  [ "$(json_get "$TEST_TMP/v.json" 'd["files"][0]["signatures"][0]["checks"]["digest_algorithm"]["detail"]')" = "$digest" ] ||
    fail "verify json: $sig does not use $digest"
}

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
  source: pkcs12
  path: $PKI/ec384.p12
  password: file:$PKI/p12-password.txt
signature: {digest: sha384}
YAML

d=$TEST_TMP/in
mkdir -p "$d"
printf 'Quarterly report\nline two\n' >"$d/notes.txt"
head -c 300000 /dev/urandom >"$d/blob.bin"
printf '\0\r\n\0\xff\n' >"$d/crlf.bin" # line endings and NULs must be signed as they are
remember "$d/notes.txt" "$d/blob.bin" "$d/crlf.bin"

# Default output names beside the input.
expect_exit 0 esign sign "$d/notes.txt" "$d/blob.bin" "$d/crlf.bin" --profile "$PKI/rsa.yaml"
for f in notes.txt blob.bin crlf.bin; do check_p7s "$d/$f.p7s" "$d/$f" sha256; done
expect_dir_contents "$d" notes.txt blob.bin crlf.bin notes.txt.p7s blob.bin.p7s crlf.bin.p7s
# The .p7s beside its data is found without --data.
expect_exit 0 esign verify --trust "$PKI/root.pem" "$d/notes.txt.p7s"
# An existing output is not overwritten without --force.
remember "$d/notes.txt.p7s"
expect_exit 2 esign sign "$d/notes.txt" --profile "$PKI/ec256.yaml"
expect_stderr_contains "notes.txt.p7s"
expect_unchanged "$d/notes.txt.p7s"
expect_exit 0 esign sign "$d/notes.txt" --profile "$PKI/ec256.yaml" --force
check_p7s "$d/notes.txt.p7s" "$d/notes.txt" sha256
openssl cms -cmsout -print -inform DER -in "$d/notes.txt.p7s" | grep -q 'Test Signer EC P-256' ||
  fail "--force did not replace notes.txt.p7s"

# Every key type and digest.
out=$TEST_TMP/out
for p in "$PKI/ec256.yaml:sha256" "$PKI/ec384.yaml:sha256" "$PKI/rsa-pem.yaml:sha256" \
         "$prof/pss.yaml:sha512" "$prof/sha384.yaml:sha384"; do
  profile=${p%:*} digest=${p##*:}
  name=$(basename "$profile" .yaml)
  note "CAdES with $name"
  expect_exit 0 esign sign "$d/notes.txt" "$d/blob.bin" --profile "$profile" --out-dir "$out/$name"
  check_p7s "$out/$name/notes.txt.p7s" "$d/notes.txt" "$digest"
  check_p7s "$out/$name/blob.bin.p7s" "$d/blob.bin" "$digest"
  expect_dir_contents "$out/$name" notes.txt.p7s blob.bin.p7s
done
openssl cms -cmsout -print -inform DER -in "$out/pss/blob.bin.p7s" | grep -q 'algorithm: rsassaPss' ||
  fail "the pss profile did not make an RSASSA-PSS signature"
# -o names the output.
expect_exit 0 esign sign "$d/blob.bin" --profile "$PKI/rsa.yaml" -o "$out/named.sig"
check_p7s "$out/named.sig" "$d/blob.bin" sha256

# stdin -> stdout (and stdin -> file).
note "stdin and stdout"
esign sign - --format cades --profile "$PKI/rsa.yaml" -o - <"$d/blob.bin" >"$out/stdio.p7s" ||
  fail "sign - -o - failed"
check_p7s "$out/stdio.p7s" "$d/blob.bin" sha256
# shellcheck disable=SC2002 # a pipe on purpose: stdin that cannot seek
cat "$d/notes.txt" | esign sign - --format cades --profile "$PKI/ec256.yaml" -o "$out/pipe.p7s" >/dev/null ||
  fail "sign - -o FILE from a pipe failed"
check_p7s "$out/pipe.p7s" "$d/notes.txt" sha256
# A PDF signed with --format cades is a detached .p7s, not a PAdES PDF.
expect_exit 0 esign sign "$PDFS/classic.pdf" --format cades --profile "$PKI/rsa.yaml" -o "$out/classic.pdf.p7s"
check_p7s "$out/classic.pdf.p7s" "$PDFS/classic.pdf" sha256

expect_unchanged "$d/notes.txt" "$d/blob.bin" "$d/crlf.bin"
expect_no_temp "$d"
for x in "$out" "$out"/*/; do expect_no_temp "$x"; done

# 2 GiB from stdin: signing streams (bounded memory); openssl and esign accept the result.
note "2 GiB stream"
start=$(date +%s)
head -c 2G /dev/zero | /usr/bin/time -v -o "$TEST_TMP/time.txt" \
  "$ESIGN" sign - --format cades --profile "$PKI/rsa.yaml" -o "$out/big.p7s" >/dev/null ||
  fail "signing 2 GiB from stdin failed"
rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$TEST_TMP/time.txt")
note "signed 2 GiB in $(($(date +%s) - start)) s, max RSS $rss kB"
# AddressSanitizer's shadow memory and quarantine add tens of MB to any process: the bound that
# matters (memory does not grow with the input) is checked with a larger allowance there.
limit_kb=65536
[ -n "${ASAN_OPTIONS:-}" ] && limit_kb=262144
[ "$rss" -lt "$limit_kb" ] || fail "signing 2 GiB from stdin used $rss kB of memory (limit $limit_kb kB)"
head -c 2G /dev/zero | p7s_ok "$out/big.p7s" /dev/stdin "$PKI/chain.pem" -cades
{ head -c 2G /dev/zero; echo x; } | p7s_bad "$out/big.p7s" /dev/stdin "$PKI/chain.pem"
start=$(date +%s)
/usr/bin/time -v -o "$TEST_TMP/time2.txt" "$ESIGN" verify --trust "$PKI/root.pem" \
  --data <(head -c 2G /dev/zero) "$out/big.p7s" >/dev/null || fail "esign verify rejects the 2 GiB signature"
rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$TEST_TMP/time2.txt")
note "verified 2 GiB in $(($(date +%s) - start)) s, max RSS $rss kB"
[ "$rss" -lt "$limit_kb" ] || fail "esign verify --data of 2 GiB used $rss kB of memory (limit $limit_kb kB)"
