#!/usr/bin/env bash
# esign verify accepts what other tools sign, and rejects it once tampered with:
#   pdfsig -add-signature (poppler + NSS)   adbe.pkcs7.detached PDF signature
#   podofosign (PoDoFo 0.9.8)               adbe.pkcs7.detached, but two SignerInfos (see below)
#   openssl cms -sign                        detached .p7s, and attached (-nodetach) .p7s alone
# It also pins how --trust treats a chain: trust files are anchors, the CMS's certificates
# are untrusted intermediates, and an intermediate alone in --trust is not an anchor.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
need_tool openssl certutil pk12util pdfsig

export ESIGN_LEDGER=$TEST_TMP/ledger.db
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3)
root=$PKI/root.pem
d=$TEST_TMP/d
mkdir -p "$d"
in=$(copy_fixture "$PDFS/classic.pdf")
remember "$in"

# tamper_pdf IN OUT: OUT is IN with the page text changed inside the first signed range.
tamper_pdf() {
  "$py" - "$1" "$2" <<'PY'
import re, sys
data = bytearray(open(sys.argv[1], 'rb').read())
br = [int(x) for x in re.search(rb'/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)', data).groups()]
i = data.index(b'Hello esign')
assert i < br[1]
data[i] = ord('J')
open(sys.argv[2], 'wb').write(data)
PY
}

# pdfsig (poppler) with an NSS database holding rsa.p12.
note "pdfsig -add-signature"
nss=$TEST_TMP/nss
make_nssdb "$nss" "$root"
pk12util -i "$PKI/rsa.p12" -d "sql:$nss" -W "$(head -n1 "$PKI/p12-password.txt")" -K "" >/dev/null
pdfsig -add-signature -nssdir "sql:$nss" -nick rsa "$in" "$d/pdfsig.pdf" >"$TEST_TMP/pdfsig.log" 2>&1 ||
  [ -s "$d/pdfsig.pdf" ] || fail "pdfsig -add-signature failed: $(cat "$TEST_TMP/pdfsig.log")"
pdfsig_valid "$d/pdfsig.pdf" 1 "$nss"
pdfsig_trusted "$d/pdfsig.pdf" "$nss"
expect_exit 0 esign verify "$d/pdfsig.pdf" --trust "$root"
expect_exit 0 esign verify "$d/pdfsig.pdf" --trust "$root" --format json
grep -q '"covers_whole_file": true' "$LAST_STDOUT" || fail "pdfsig.pdf: not covering the whole file"
tamper_pdf "$d/pdfsig.pdf" "$d/pdfsig-tampered.pdf"
expect_exit 1 esign verify "$d/pdfsig-tampered.pdf" --trust "$root"
expect_stdout_contains "digest"
expect_exit 4 esign verify "$d/pdfsig.pdf" --trust "$PKI/untrusted-root.pem"
# esign signs on top of pdfsig's signature; pdfsig and esign accept both.
expect_exit 0 esign sign "$d/pdfsig.pdf" --profile "$PKI/ec256.yaml" -o "$d/pdfsig-esign.pdf"
pdfsig_valid "$d/pdfsig-esign.pdf" 2 "$nss"
expect_exit 0 esign verify "$d/pdfsig-esign.pdf" --trust "$root"

# podofosign embeds the signer certificate only, and (PoDoFo 0.9.8 with OpenSSL 3) writes two
# SignerInfos for the one signer. esign accepts a CMS with several SignerInfos only when every
# one of them passes every check (their checks are reported as name#2, ...).
if command -v podofosign >/dev/null; then
  note "podofosign"
  podofosign -in "$in" -out "$d/podofo.pdf" -cert "$PKI/rsa.cert.pem" -pkey "$PKI/rsa.key.pem" -digest sha256 \
    >"$TEST_TMP/podofo.log" 2>&1 || fail "podofosign failed: $(cat "$TEST_TMP/podofo.log")"
  pdfsig_valid "$d/podofo.pdf" 1
  nsi=$("$py" - "$d/podofo.pdf" <<'PY'
import re, subprocess, sys
data = open(sys.argv[1], 'rb').read()
der = bytes.fromhex(re.findall(rb'/Contents\s*<([0-9A-Fa-f]+)>', data)[-1].decode())
k = der[1] & 0x7f if der[1] & 0x80 else 0
der = der[:2 + k + (int.from_bytes(der[2:2 + k], 'big') if k else der[1])]
out = subprocess.run(['openssl', 'cms', '-cmsout', '-print', '-inform', 'DER'], input=der,
                     capture_output=True).stdout.decode()
print(out.count('d.issuerAndSerialNumber') + out.count('d.subjectKeyIdentifier'))
PY
)
  note "podofosign wrote $nsi SignerInfos"
  # The leaf only is embedded, so --trust needs the intermediate as well as the root.
  expect_exit 0 esign verify "$d/podofo.pdf" --trust "$PKI/chain.pem" --format json
  if [ "$nsi" != 1 ]; then
    grep -q "signature_value#$nsi" "$LAST_STDOUT" || { _show_last; fail "podofo.pdf: the SignerInfo #$nsi was not checked"; }
  fi
  tamper_pdf "$d/podofo.pdf" "$d/podofo-tampered.pdf"
  expect_exit 1 esign verify "$d/podofo-tampered.pdf" --trust "$PKI/chain.pem"
else
  note "podofosign is not installed"
fi

# openssl cms: detached (the data beside the .p7s, or --data) and attached.
note "openssl cms -sign"
c=$TEST_TMP/cms
mkdir -p "$c"
head -c 20000 /dev/urandom >"$c/data"
openssl cms -sign -binary -outform DER -in "$c/data" -signer "$PKI/rsa.cert.pem" -inkey "$PKI/rsa.key.pem" \
  -certfile "$PKI/chain.pem" -out "$c/data.p7s"
expect_exit 0 esign verify "$c/data.p7s" --trust "$root"
expect_exit 0 esign verify "$c/data.p7s" --data "$c/data" --trust "$root"
openssl cms -sign -binary -outform DER -in "$c/data" -signer "$PKI/ec384.cert.pem" -inkey "$PKI/ec384.key.pem" \
  -md sha384 -certfile "$PKI/chain.pem" -out "$c/ec.p7s"
expect_exit 0 esign verify "$c/ec.p7s" --data "$c/data" --trust "$root"
openssl cms -sign -binary -outform DER -in "$c/data" -signer "$PKI/rsa.cert.pem" -inkey "$PKI/rsa.key.pem" \
  -keyopt rsa_padding_mode:pss -md sha512 -certfile "$PKI/chain.pem" -out "$c/pss.p7s"
expect_exit 0 esign verify "$c/pss.p7s" --data "$c/data" --trust "$root"
mkdir -p "$c/alone"
openssl cms -sign -binary -nodetach -outform DER -in "$c/data" -signer "$PKI/ec256.cert.pem" \
  -inkey "$PKI/ec256.key.pem" -certfile "$PKI/chain.pem" -out "$c/alone/attached.p7s"
expect_exit 0 esign verify "$c/alone/attached.p7s" --trust "$root"
expect_exit 0 esign verify "$c/alone/attached.p7s" --trust "$root" --format json
grep -q '"valid": true' "$LAST_STDOUT" || fail "attached.p7s: json is not valid"
# Tampered: the data, the attached content, the signature value.
cp "$c/data" "$c/data.orig"
printf 'X' | dd of="$c/data" bs=1 seek=1000 conv=notrunc status=none
cmp -s "$c/data" "$c/data.orig" && printf 'Y' | dd of="$c/data" bs=1 seek=1000 conv=notrunc status=none
expect_exit 1 esign verify "$c/data.p7s" --trust "$root"
expect_stdout_contains "digest"
expect_exit 1 esign verify "$c/ec.p7s" --data "$c/data" --trust "$root"
cp "$c/data.orig" "$c/data"
"$py" - "$c/alone/attached.p7s" "$c/data" "$c/alone/attached-tampered.p7s" <<'PY'
import sys
sig, content = open(sys.argv[1], 'rb').read(), open(sys.argv[2], 'rb').read()
probe = content[5000:5032]
i = sig.index(probe)  # the attached content, inside the eContent OCTET STRING
b = bytearray(sig)
b[i] ^= 0x01
open(sys.argv[3], 'wb').write(b)
PY
expect_exit 1 esign verify "$c/alone/attached-tampered.p7s" --trust "$root"
"$py" - "$c/data.p7s" "$c/sigvalue-tampered.p7s" <<'PY'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
b[-10] ^= 0x01  # the end of the RSA signature value (the last element of the SignerInfo)
open(sys.argv[2], 'wb').write(b)
PY
expect_exit 1 esign verify "$c/sigvalue-tampered.p7s" --data "$c/data" --trust "$root"

# Trust anchors. A signature with the leaf only: the root alone cannot build the chain; the
# chain file (intermediate + root) can; the intermediate alone is not an anchor (OpenSSL
# without X509_V_FLAG_PARTIAL_CHAIN), whether or not the CMS carries it.
note "trust anchors"
openssl cms -sign -binary -outform DER -in "$c/data" -signer "$PKI/rsa.cert.pem" -inkey "$PKI/rsa.key.pem" \
  -out "$c/leafonly.p7s"
expect_exit 4 esign verify "$c/leafonly.p7s" --data "$c/data" --trust "$root" --format json
grep -q '"chain"' "$LAST_STDOUT" || fail "leafonly.p7s: no chain check"
expect_exit 0 esign verify "$c/leafonly.p7s" --data "$c/data" --trust "$PKI/chain.pem"
expect_exit 0 esign verify "$c/leafonly.p7s" --data "$c/data" --trust "$root" --trust "$PKI/intermediate.pem"
# ... or with the intermediate handed in as an untrusted certificate (--certs), never as an anchor.
expect_exit 0 esign verify "$c/leafonly.p7s" --data "$c/data" --trust "$root" --certs "$PKI/intermediate.pem"
expect_exit 4 esign verify "$c/leafonly.p7s" --data "$c/data" --trust "$PKI/intermediate.pem" --certs "$PKI/intermediate.pem"
expect_exit 4 esign verify "$c/leafonly.p7s" --data "$c/data" --trust "$PKI/intermediate.pem"
expect_stdout_contains "chain"
expect_exit 4 esign verify "$c/data.p7s" --data "$c/data" --trust "$PKI/intermediate.pem"
expect_stdout_contains "chain"
expect_exit 4 esign verify "$c/data.p7s" --data "$c/data" --trust "$PKI/untrusted-root.pem"
expect_unchanged "$in"
