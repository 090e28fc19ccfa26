#!/usr/bin/env bash
# esign encrypt / decrypt: CMS round trips for RSA and EC recipients, several recipients, openssl
# interop both ways, refused key usages, wrong key, tampered and truncated files (no output),
# pipes, audit events, and a 2 GB file through both commands in bounded memory.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
need_tool openssl

export ESIGN_LEDGER=$TEST_TMP/ledger.db
W=$TEST_TMP/work
mkdir -p "$W"
head -c 300000 /dev/urandom >"$W/data.bin"
remember "$W/data.bin"

# An EC recipient allowed to agree keys (the fixture EC signers may only sign).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$W/ecr.key.pem" \
  -out "$W/ecr.cert.pem" -subj /CN=EC-Recipient -days 3 -addext keyUsage=critical,keyAgreement 2>/dev/null
printf 'name: ec-recipient\nkey:\n  source: pem\n  key: ecr.key.pem\n  cert: ecr.cert.pem\n' >"$W/ecr.yaml"
RSA_CERT=$PKI/nokeyusage.cert.pem  # keyEncipherment only
RSA_PROFILE=$PKI/nokeyusage.yaml

# RSA round trip, default name, GCM + OAEP, and OpenSSL opens it.
expect_exit 0 esign encrypt "$W/data.bin" --recipient "$RSA_CERT"
expect_file "$W/data.bin.p7m"
openssl asn1parse -inform DER -in "$W/data.bin.p7m" >"$W/asn1.txt"
grep -q 'id-smime-ct-authEnvelopedData' "$W/asn1.txt" || fail "default output is not AuthEnvelopedData"
grep -q 'rsaesOaep' "$W/asn1.txt" || fail "default RSA key transport is not RSAES-OAEP"
grep -q 'aes-256-gcm' "$W/asn1.txt" || fail "default content cipher is not AES-256-GCM"
openssl cms -decrypt -binary -inform DER -in "$W/data.bin.p7m" -recip "$RSA_CERT" -inkey "$PKI/nokeyusage.key.pem" \
  -out "$W/ossl.out" || fail "openssl cms -decrypt rejects esign's output"
cmp "$W/ossl.out" "$W/data.bin" || fail "openssl decrypts something else"
mv "$W/data.bin" "$W/orig.bin"
expect_exit 0 esign decrypt "$W/data.bin.p7m" --profile "$RSA_PROFILE"
cmp "$W/data.bin" "$W/orig.bin" || fail "RSA round trip differs"
mv "$W/orig.bin" "$W/data.bin"
expect_unchanged "$W/data.bin"

# An existing output is not overwritten without --force.
expect_exit 2 esign decrypt "$W/data.bin.p7m" --profile "$RSA_PROFILE"
expect_stderr_contains "output exists (use --force to overwrite)"
expect_exit 0 esign decrypt "$W/data.bin.p7m" --profile "$RSA_PROFILE" --force

# EC, two recipients at once: each opens it; OpenSSL opens it with the EC key.
expect_exit 0 esign encrypt "$W/data.bin" -r "$W/ecr.cert.pem" -r "$RSA_CERT" -o "$W/two.p7m"
expect_exit 0 esign decrypt "$W/two.p7m" -p "$W/ecr.yaml" -o "$W/two-ec.out"
cmp "$W/two-ec.out" "$W/data.bin" || fail "EC round trip differs"
expect_exit 0 esign decrypt "$W/two.p7m" -p "$RSA_PROFILE" -o "$W/two-rsa.out"
cmp "$W/two-rsa.out" "$W/data.bin" || fail "second recipient round trip differs"
openssl cms -decrypt -binary -inform DER -in "$W/two.p7m" -recip "$W/ecr.cert.pem" -inkey "$W/ecr.key.pem" |
  cmp - "$W/data.bin" || fail "openssl cannot open the EC recipient's copy"

# --compat: CBC EnvelopedData, PKCS#1 v1.5; both sides open it.
expect_exit 0 esign encrypt "$W/data.bin" -r "$RSA_CERT" --compat -o "$W/compat.p7m"
openssl asn1parse -inform DER -in "$W/compat.p7m" >"$W/asn1.txt"
grep -q 'pkcs7-envelopedData' "$W/asn1.txt" || fail "--compat is not EnvelopedData"
grep -q 'aes-256-cbc' "$W/asn1.txt" || fail "--compat is not AES-256-CBC"
grep -q 'rsaesOaep' "$W/asn1.txt" && fail "--compat uses RSAES-OAEP"
openssl cms -decrypt -binary -inform DER -in "$W/compat.p7m" -recip "$RSA_CERT" -inkey "$PKI/nokeyusage.key.pem" |
  cmp - "$W/data.bin" || fail "openssl cannot open --compat output"
expect_exit 0 esign decrypt "$W/compat.p7m" -p "$RSA_PROFILE" -o "$W/compat.out"
cmp "$W/compat.out" "$W/data.bin" || fail "--compat round trip differs"

# openssl cms -encrypt output (CBC and GCM, DER and streamed BER) opened by esign.
for mode in "-aes-256-cbc" "-aes-256-gcm" "-aes-256-gcm -stream" "-aes-256-cbc -stream"; do
  # shellcheck disable=SC2086
  openssl cms -encrypt -binary -outform DER $mode -in "$W/data.bin" -out "$W/ossl.p7m" "$RSA_CERT"
  expect_exit 0 esign decrypt "$W/ossl.p7m" -p "$RSA_PROFILE" -o "$W/from-ossl.out" --force
  cmp "$W/from-ossl.out" "$W/data.bin" || fail "esign decrypts openssl's $mode output to something else"
done
openssl cms -encrypt -binary -outform DER -aes-256-gcm -in "$W/data.bin" -out "$W/ossl-ec.p7m" "$W/ecr.cert.pem"
expect_exit 0 esign decrypt "$W/ossl-ec.p7m" -p "$W/ecr.yaml" -o "$W/from-ossl-ec.out"
cmp "$W/from-ossl-ec.out" "$W/data.bin" || fail "esign decrypts openssl's EC output to something else"

# A certificate whose key usage forbids encryption is refused, naming it; no output.
expect_exit 2 esign encrypt "$W/data.bin" -r "$PKI/rsa.cert.pem" -o "$W/refused.p7m"
expect_stderr_contains "rsa.cert.pem"
expect_stderr_contains "does not allow encryption"
expect_exit 2 esign encrypt "$W/data.bin" -r "$PKI/ec256.cert.pem" -o "$W/refused.p7m"
expect_stderr_contains "keyAgreement"
expect_no_file "$W/refused.p7m"

# Wrong key: exit 2, a clear message, no output.
expect_exit 2 esign decrypt "$W/compat.p7m" -p "$PKI/rsa.yaml" -o "$W/wrong.out"
expect_stderr_contains "not encrypted to this profile's key"
expect_no_file "$W/wrong.out"

# Tampered GCM ciphertext (a byte near the end of the content) and a truncated file: an error,
# no output and no temporary left behind.
mkdir "$W/bad"
cp "$W/data.bin.p7m" "$W/bad/t.p7m"
size=$(stat -c %s "$W/bad/t.p7m")
printf '\x5a' | dd of="$W/bad/t.p7m" bs=1 seek=$((size - 60)) conv=notrunc 2>/dev/null
cmp -s "$W/bad/t.p7m" "$W/data.bin.p7m" && fail "tampering changed nothing"
expect_exit 2 esign decrypt "$W/bad/t.p7m" -p "$RSA_PROFILE"
expect_stderr_contains "tampered"
head -c $((size - 100)) "$W/data.bin.p7m" >"$W/bad/cut.p7m"
expect_exit 2 esign decrypt "$W/bad/cut.p7m" -p "$RSA_PROFILE"
expect_stderr_contains "truncated"
expect_dir_contents "$W/bad" t.p7m cut.p7m
# Tampered CBC: the last block's padding breaks (or the bytes differ); never a silent success with the same name.
cp "$W/compat.p7m" "$W/bad/c.p7m"
size=$(stat -c %s "$W/bad/c.p7m")
printf '\x5a' | dd of="$W/bad/c.p7m" bs=1 seek=$((size - 40)) conv=notrunc 2>/dev/null
run esign decrypt "$W/bad/c.p7m" -p "$RSA_PROFILE"
if [ "$LAST_EXIT" = 0 ]; then
  cmp -s "$W/bad/c" "$W/data.bin" && fail "tampered CBC decrypted to the original"
else
  [ "$LAST_EXIT" = 2 ] || fail "tampered CBC: exit $LAST_EXIT"
  expect_no_file "$W/bad/c"
fi

# Strict envelopes: an algorithm off esign-decrypt(1)'s list, or an AES-GCM tag outside 12..16
# bytes or unlike aes-ICVlen, is refused with exit 2 and one line naming the file, before any
# output. The hostile files are good ones after DER surgery; OpenSSL 3.0 alone opens several
# (an unknown key transport OID as PKCS#1 v1.5, a 4-byte tag).
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3)
S=$W/strict
mkdir "$S"
surgery() { "$py" "$ESIGN_SOURCE_DIR/tests/support/envelope_surgery.py" "$@" || fail "envelope_surgery $*"; }
# refused FILE PROFILE REASON: decrypting FILE fails (exit 2) with one line naming FILE and saying REASON; no output.
refused() {
  expect_exit 2 esign decrypt "$1" -p "$2" -o "$S/out.bin"
  expect_stderr_contains "esign: $1: "
  expect_stderr_contains "$3"
  [ "$(wc -l <"$LAST_STDERR")" = 1 ] || { _show_last; fail "$1: more than one line on stderr"; }
  expect_no_file "$S/out.bin"
}
surgery "$W/compat.p7m" "$S/kek.p7m" kek-oid=1.2.3.4.5
refused "$S/kek.p7m" "$RSA_PROFILE" "recipient 1: key transport algorithm 1.2.3.4.5 is not accepted"
expect_stderr_contains "rsaEncryption, id-RSAES-OAEP"
surgery "$W/compat.p7m" "$S/pss.p7m" kek-oid=1.2.840.113549.1.1.10  # RSASSA-PSS: known to OpenSSL, no key transport
refused "$S/pss.p7m" "$RSA_PROFILE" "(1.2.840.113549.1.1.10) is not accepted"
# Every recipient is checked, not only the profile's: the EC one here, the RSA one altered.
surgery "$W/two.p7m" "$S/two.p7m" kek-oid=1.2.3.4.5
refused "$S/two.p7m" "$W/ecr.yaml" ": key transport algorithm 1.2.3.4.5 is not accepted"
surgery "$W/ossl-ec.p7m" "$S/wrap.p7m" wrap-oid=2.16.840.1.101.3.4.1.48  # id-aes256-wrap-pad
refused "$S/wrap.p7m" "$W/ecr.yaml" "recipient 1: key wrap algorithm"
surgery "$W/ossl-ec.p7m" "$S/mqv.p7m" kari-oid=1.3.133.16.840.63.0.16  # mqvSinglePass-sha1kdf-scheme
refused "$S/mqv.p7m" "$W/ecr.yaml" "recipient 1: key agreement algorithm"
openssl cms -encrypt -binary -outform DER -des3 -in "$W/data.bin" -out "$S/3des.p7m" "$RSA_CERT"
refused "$S/3des.p7m" "$RSA_PROFILE" "content encryption des-ede3-cbc (1.2.840.113549.3.7) is not accepted"
surgery "$W/data.bin.p7m" "$S/ccm.p7m" content-oid=2.16.840.1.101.3.4.1.47  # aes-256-ccm
refused "$S/ccm.p7m" "$RSA_PROFILE" "not accepted in AuthEnvelopedData"
# AES-GCM tags (esign's own output, BER, re-encoded): 4 and 17 bytes, whatever aes-ICVlen says.
surgery "$W/data.bin.p7m" "$S/tag4.p7m" mac-len=4 icvlen=4
refused "$S/tag4.p7m" "$RSA_PROFILE" "the AES-GCM authentication tag is 4 bytes long; esign accepts 12 to 16"
expect_exit 2 esign decrypt "$S/tag4.p7m" -p "$RSA_PROFILE" -o -
[ -s "$LAST_STDOUT" ] && fail "a refused envelope wrote to stdout"
surgery "$W/data.bin.p7m" "$S/tag4-icv16.p7m" mac-len=4
refused "$S/tag4-icv16.p7m" "$RSA_PROFILE" "tag is 4 bytes long"
surgery "$W/data.bin.p7m" "$S/tag17.p7m" mac-len=17 icvlen=17
refused "$S/tag17.p7m" "$RSA_PROFILE" "the AES-GCM authentication tag is 17 bytes long; esign accepts 12 to 16"
surgery "$W/data.bin.p7m" "$S/icv12.p7m" icvlen=12
refused "$S/icv12.p7m" "$RSA_PROFILE" "tag is 16 bytes long but the parameters declare 12 (aes-ICVlen)"
surgery "$W/data.bin.p7m" "$S/icv8.p7m" icvlen=8
refused "$S/icv8.p7m" "$RSA_PROFILE" "tag length (aes-ICVlen) of 8 bytes"
expect_dir_contents "$S" kek.p7m pss.p7m two.p7m wrap.p7m mqv.p7m 3des.p7m ccm.p7m tag4.p7m tag4-icv16.p7m \
  tag17.p7m icv12.p7m icv8.p7m
# Still accepted: a 12-byte tag (the first 12 bytes of the real one), other RFC 5753 schemes.
surgery "$W/data.bin.p7m" "$W/tag12.p7m" mac-len=12 icvlen=12
expect_exit 0 esign decrypt "$W/tag12.p7m" -p "$RSA_PROFILE" -o "$W/tag12.out"
cmp "$W/tag12.out" "$W/data.bin" || fail "a 12-byte tag decrypts to something else"
openssl cms -encrypt -binary -outform DER -aes-256-gcm -in "$W/data.bin" -out "$W/cofactor.p7m" \
  -recip "$W/ecr.cert.pem" -keyopt ecdh_kdf_md:sha256 -keyopt ecdh_cofactor_mode:1
expect_exit 0 esign decrypt "$W/cofactor.p7m" -p "$W/ecr.yaml" -o "$W/cofactor.out"
cmp "$W/cofactor.out" "$W/data.bin" || fail "cofactor ECDH with a SHA-256 KDF decrypts to something else"
openssl cms -encrypt -binary -outform DER -aes-128-cbc -in "$W/data.bin" -out "$W/sha512kdf.p7m" \
  -recip "$W/ecr.cert.pem" -keyopt ecdh_kdf_md:sha512
expect_exit 0 esign decrypt "$W/sha512kdf.p7m" -p "$W/ecr.yaml" -o "$W/sha512kdf.out"
cmp "$W/sha512kdf.out" "$W/data.bin" || fail "ECDH with a SHA-512 KDF and AES-128-CBC decrypts to something else"

# Pipes: - and -o - both ways.
esign encrypt - -r "$W/ecr.cert.pem" -o - <"$W/data.bin" | esign decrypt - -p "$W/ecr.yaml" -o - >"$W/pipe.out"
cmp "$W/pipe.out" "$W/data.bin" || fail "pipe round trip differs"

# Audit events: fingerprints and hashes, no secrets.
fp=$(openssl x509 -in "$RSA_CERT" -outform DER | sha256sum | cut -d' ' -f1)
in_sha=$(sha256sum <"$W/data.bin" | cut -d' ' -f1)
expect_exit 0 esign audit log --json
expect_stdout_contains '"operation":"encrypt"'
expect_stdout_contains '"operation":"decrypt"'
expect_stdout_contains "$fp"
expect_stdout_contains "$in_sha"
expect_stdout_lacks "$(head -n1 "$PKI/p12-password.txt")"
expect_exit 0 esign audit verify

# PDF passwords (AES-256, R6), checked by qpdf.
if command -v qpdf >/dev/null 2>&1; then
  pdf=$(copy_fixture "$PDFS/classic.pdf" report.pdf)
  remember "$pdf"
  printf 'user-pw-4711\n' >"$W/user.txt"
  printf 'owner-pw-0815\n' >"$W/owner.txt"
  expect_exit 0 esign encrypt "$pdf" --pdf-password-file "$W/user.txt" --owner-password-file "$W/owner.txt" \
    --permissions print,copy
  enc=$TEST_TMP/report.encrypted.pdf
  expect_file "$enc"
  expect_unchanged "$pdf"
  info=$(qpdf --show-encryption --password=user-pw-4711 "$enc" 2>&1) || fail "qpdf cannot open $enc: $info"
  grep -q '^R = 6$' <<<"$info" || fail "not revision 6: $info"
  grep -q 'file encryption method: AESv3' <<<"$info" || fail "not AES-256: $info"
  grep -q 'print high resolution: allowed' <<<"$info" || fail "print not allowed: $info"
  grep -q 'modify other: not allowed' <<<"$info" || fail "modify allowed: $info"
  qpdf_ok "$enc" user-pw-4711
  qpdf_ok "$enc" owner-pw-0815
  if qpdf --check "$enc" >/dev/null 2>&1; then fail "qpdf opens $enc without a password"; fi
  # Wrong password: exit 2, no output.
  printf 'nope\n' >"$W/wrong.txt"
  expect_exit 2 esign decrypt "$enc" --pdf-password-file "$W/wrong.txt" -o "$W/nope.pdf"
  expect_stderr_contains "wrong PDF password"
  expect_no_file "$W/nope.pdf"
  # Removing the encryption with the user password gives an unencrypted, valid PDF.
  expect_exit 0 esign decrypt "$enc" --pdf-password-file "$W/user.txt" -o "$W/plain.pdf"
  qpdf --show-encryption "$W/plain.pdf" | grep -q 'File is not encrypted' || fail "decrypted PDF is still encrypted"
  qpdf_ok "$W/plain.pdf"
  # Flags that belong together.
  expect_exit 2 esign encrypt "$pdf" --pdf-password-file "$W/user.txt" -r "$RSA_CERT"
  expect_exit 2 esign encrypt "$pdf" --permissions print
  expect_exit 2 esign encrypt "$pdf" --pdf-password-file "$W/user.txt" --permissions fly -o "$W/x.pdf"
  expect_no_file "$W/x.pdf"
  expect_exit 0 esign audit log --json
  expect_stdout_contains "pdf-aes-256-r6"
  expect_stdout_lacks "user-pw-4711"
  expect_stdout_lacks "owner-pw-0815"
else
  note "qpdf is not installed: PDF password encryption not checked"
fi

# 2 GB, generated on the fly: bounded memory both ways (max RSS under 64 MB).
if [ -x /usr/bin/time ] && [ "$(df -Pk "$TEST_TMP" | awk 'NR==2 { print $4 }')" -gt 3000000 ]; then
  head -c 2G /dev/zero | /usr/bin/time -v -o "$W/enc.time" "$ESIGN" encrypt - -r "$RSA_CERT" -o "$W/big.p7m" >/dev/null
  got=$(/usr/bin/time -v -o "$W/dec.time" "$ESIGN" decrypt "$W/big.p7m" -p "$RSA_PROFILE" -o - | sha256sum | cut -d' ' -f1)
  want=$(head -c 2G /dev/zero | sha256sum | cut -d' ' -f1)
  [ "$got" = "$want" ] || fail "2 GB round trip differs"
  enc_kb=$(awk -F': ' '/Maximum resident/ { print $2 }' "$W/enc.time")
  dec_kb=$(awk -F': ' '/Maximum resident/ { print $2 }' "$W/dec.time")
  note "2 GB: encrypt max RSS ${enc_kb} kB, decrypt max RSS ${dec_kb} kB"
  # AddressSanitizer's shadow memory and quarantine add a fixed ~100 MB: a larger allowance there.
  limit_kb=65536
  [ -n "${ASAN_OPTIONS:-}" ] && limit_kb=262144
  [ "$enc_kb" -lt "$limit_kb" ] || fail "encrypting 2 GB took ${enc_kb} kB RSS"
  [ "$dec_kb" -lt "$limit_kb" ] || fail "decrypting 2 GB took ${dec_kb} kB RSS"
  rm -f "$W/big.p7m"
else
  note "skipping the 2 GB case (no /usr/bin/time or under 3 GB free)"
fi
