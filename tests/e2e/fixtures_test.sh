#!/usr/bin/env bash
# The test fixtures themselves are sane: good PDFs pass qpdf, broken ones do not, every signer
# certificate has the properties its name promises, and the PKCS#12 and encrypted keys open.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

for f in classic multipage xrefstream; do qpdf_ok "$PDFS/$f.pdf"; done
qpdf_ok "$PDFS/encrypted.pdf" "$(head -n1 "$PDFS/pdf-user-password.txt")"
qpdf --show-encryption --password=user "$PDFS/encrypted.pdf" | grep -- 'R = 6' >/dev/null ||
  fail "encrypted.pdf is not AES-256 (R6)"
for f in corrupt empty notapdf; do
  if qpdf --check "$PDFS/$f.pdf" >/dev/null 2>&1; then fail "$f.pdf passes qpdf --check"; fi
done
grep -q '/Type /XRef' "$PDFS/xrefstream.pdf" || fail "xrefstream.pdf has no xref stream"
grep -q '^xref$' "$PDFS/classic.pdf" || fail "classic.pdf has no classic xref table"
[ "$(pdfinfo "$PDFS/multipage.pdf" | awk '/^Pages:/ { print $2 }')" = 3 ] || fail "multipage.pdf is not 3 pages"
pdftotext "$PDFS/classic.pdf" - | grep -- 'Hello esign' >/dev/null || fail "classic.pdf lacks its text"

# Chains: the good signers verify against chain.pem, the bad ones fail for their reason.
for s in rsa ec256 ec384 nokeyusage revoked tsa ocsp; do cert_ok "$PKI/$s.cert.pem" "$PKI/chain.pem"; done
cert_ok "$PKI/intermediate.pem" "$PKI/root.pem"
cert_bad "$PKI/expired.cert.pem" "$PKI/chain.pem"
why=$(openssl verify -CAfile "$PKI/chain.pem" "$PKI/expired.cert.pem" 2>&1 || true)
grep -q 'certificate has expired' <<<"$why" || fail "expired.cert.pem fails for another reason: $why"
cert_ok "$PKI/expired.cert.pem" "$PKI/chain.pem" -attime "$(date -u -d 2020-06-01 +%s)"
cert_bad "$PKI/revoked.cert.pem" "$PKI/chain.pem" -crl_check -CRLfile "$PKI/intermediate.crl.pem"
cert_ok "$PKI/rsa.cert.pem" "$PKI/chain.pem" -crl_check -CRLfile "$PKI/intermediate.crl.pem"
cert_bad "$PKI/untrusted.cert.pem" "$PKI/chain.pem"
cert_ok "$PKI/untrusted.cert.pem" "$PKI/untrusted-chain.pem"

# Key types and key usage.
p12pass=file:$PKI/p12-password.txt
openssl x509 -in "$PKI/rsa.cert.pem" -noout -text | grep -- 'Public-Key: (2048 bit)' >/dev/null || fail "rsa is not RSA 2048"
openssl x509 -in "$PKI/ec256.cert.pem" -noout -text | grep -- 'NIST CURVE: P-256' >/dev/null || fail "ec256 is not P-256"
openssl x509 -in "$PKI/ec384.cert.pem" -noout -text | grep -- 'NIST CURVE: P-384' >/dev/null || fail "ec384 is not P-384"
openssl x509 -in "$PKI/rsa.cert.pem" -noout -ext keyUsage | grep -- 'Digital Signature, Non Repudiation' >/dev/null ||
  fail "rsa lacks digitalSignature,nonRepudiation"
ku=$(openssl x509 -in "$PKI/nokeyusage.cert.pem" -noout -ext keyUsage | tail -n1 | tr -d ' ')
[ "$ku" = KeyEncipherment ] || fail "nokeyusage has keyUsage '$ku'"

# Every signer: key matches certificate, encrypted key and PKCS#12 open with the password,
# the PKCS#12 carries the chain, both profiles point at files that exist.
data=$TEST_TMP/data.txt
echo "fixture data" >"$data"
for s in rsa ec256 ec384 expired nokeyusage revoked untrusted; do
  chain=$PKI/chain.pem
  [ "$s" = untrusted ] && chain=$PKI/untrusted-chain.pem
  head -n1 "$PKI/$s.key.pem" | grep -- 'BEGIN PRIVATE KEY' >/dev/null || fail "$s.key.pem is not PKCS#8"
  head -n1 "$PKI/$s.enc.key.pem" | grep -- 'BEGIN ENCRYPTED PRIVATE KEY' >/dev/null || fail "$s.enc.key.pem is not encrypted PKCS#8"
  [ "$(openssl pkey -in "$PKI/$s.key.pem" -pubout)" = "$(openssl x509 -in "$PKI/$s.cert.pem" -noout -pubkey)" ] ||
    fail "$s.key.pem does not match $s.cert.pem"
  [ "$(openssl pkey -in "$PKI/$s.enc.key.pem" -passin "$p12pass" -pubout)" = "$(openssl pkey -in "$PKI/$s.key.pem" -pubout)" ] ||
    fail "$s.enc.key.pem does not open to $s's key"
  ncerts=$(openssl pkcs12 -in "$PKI/$s.p12" -passin "$p12pass" -nokeys | grep -c 'BEGIN CERTIFICATE')
  want=3
  [ "$s" = untrusted ] && want=2
  [ "$ncerts" = "$want" ] || fail "$s.p12 holds $ncerts certificates, expected $want"
  openssl pkcs12 -in "$PKI/$s.p12" -passin "$p12pass" -info -noout 2>&1 | grep -- 'PBES2, PBKDF2, AES-256-CBC' >/dev/null ||
    fail "$s.p12 is not AES-256/PBKDF2"
  for p in "$s.yaml" "$s-pem.yaml"; do
    grep -q "^name: test-$s" "$PKI/$p" || fail "$p has no name"
    for ref in $(awk '$1 ~ /^(path|key|cert|chain):$/ && NF == 2 { print $2 }' "$PKI/$p"); do
      [ -f "$PKI/$ref" ] || fail "$p refers to missing $ref"
    done
  done
  # A detached CMS signature made with openssl itself is accepted by p7s_ok (when the chain
  # is trusted and the certificate is current) -- this checks the referee helper too.
  openssl cms -sign -binary -md sha256 -in "$data" -signer "$PKI/$s.cert.pem" -inkey "$PKI/$s.key.pem" \
    -outform DER -out "$TEST_TMP/$s.p7s"
  case $s in
    expired) p7s_bad "$TEST_TMP/$s.p7s" "$data" "$chain"
             p7s_ok "$TEST_TMP/$s.p7s" "$data" "$chain" -attime "$(date -u -d 2020-06-01 +%s)" ;;
    nokeyusage) p7s_ok "$TEST_TMP/$s.p7s" "$data" "$chain"
                p7s_bad "$TEST_TMP/$s.p7s" "$data" "$chain" -purpose smimesign ;;
    *) p7s_ok "$TEST_TMP/$s.p7s" "$data" "$chain" ;;
  esac
done
p7s_bad "$TEST_TMP/untrusted.p7s" "$data" "$PKI/chain.pem"
echo "other data" >"$TEST_TMP/other.txt"
p7s_bad "$TEST_TMP/rsa.p7s" "$TEST_TMP/other.txt" "$PKI/chain.pem"
[ "$(cat "$PKI/p12-password.txt")" = esign-test-password ] || fail "p12-password.txt changed"
