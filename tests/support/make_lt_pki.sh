#!/usr/bin/env bash
# Makes a test PKI whose certificates name OCSP responders and CRL distribution points at
# BASE_URL (a loopback tests/support/revocation_server.py), for long-term validation tests.
#
# Usage: make_lt_pki.sh OUTDIR BASE_URL        e.g. make_lt_pki.sh /tmp/lt http://127.0.0.1:41234
#
# Every key is EC P-256 (fast to make, so each test run makes its own PKI for its own port).
# What OUTDIR holds (PEM unless noted):
#   root.pem                 "LT Root CA" (self-signed, no revocation pointers)
#   intermediate.pem         "LT Intermediate CA": CRL at BASE_URL/crl/root.crl
#   chain.pem                intermediate + root (the trust material)
#   signer, revoked, crlonly, tsa: NAME.key.pem NAME.cert.pem, issued by the intermediate;
#     signer, revoked, tsa:  OCSP at BASE_URL/ocsp/intermediate and CRL at BASE_URL/crl/intermediate.crl
#     crlonly:               only the CRL distribution point
#     revoked:               revoked (keyCompromise) in the intermediate's index and CRL
#     tsa:                   extendedKeyUsage critical timeStamping
#   ocsp.key.pem ocsp.cert.pem   the intermediate's delegated OCSP responder (OCSPSigning, ocsp-nocheck)
#   NAME.p12 NAME.yaml       for signer, revoked, crlonly: PKCS#12 (password p12-password.txt) and a
#                            profile at level B-LT with `timestamp: url: TSA_URL` left for the test
#                            to fill (the profile's `timestamp:` line reads  url: @TSA_URL@)
#   root.crl intermediate.crl    DER CRLs (what the revocation server serves)
#   ca/root ca/intermediate      the `openssl ca` state (index.txt for `openssl ocsp -index`)
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: make_lt_pki.sh OUTDIR BASE_URL" >&2
  exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)
base=$2
cd "$out"
printf '%s\n' 'esign-test-password' >p12-password.txt
now_start=$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)
ca_end=$(date -u -d '+20 years' +%Y%m%d%H%M%SZ)
leaf_end=$(date -u -d '+5 years' +%Y%m%d%H%M%SZ)

. "$here/test_ca.sh"
CA_ORG="esign LT test"
ca_extensions() {
  cat <<CNF
[ v3_intermediate ]
basicConstraints       = critical, CA:TRUE, pathlen:0
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
crlDistributionPoints  = URI:$base/crl/root.crl
[ v3_signer ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
authorityInfoAccess    = OCSP;URI:$base/ocsp/intermediate
crlDistributionPoints  = URI:$base/crl/intermediate.crl
[ v3_crlonly ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
crlDistributionPoints  = URI:$base/crl/intermediate.crl
[ v3_tsa ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, nonRepudiation
extendedKeyUsage       = critical, timeStamping
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
authorityInfoAccess    = OCSP;URI:$base/ocsp/intermediate
crlDistributionPoints  = URI:$base/crl/intermediate.crl
CNF
}

ca_init root 2000
ca_init intermediate 2000
root_and_intermediate "LT Root CA" "LT Intermediate CA" "$now_start" "$ca_end"
issue intermediate signer "LT Signer" v3_signer "$now_start" "$leaf_end" intermediate
issue intermediate revoked "LT Signer Revoked" v3_signer "$now_start" "$leaf_end" intermediate
issue intermediate crlonly "LT Signer CRL only" v3_crlonly "$now_start" "$leaf_end" intermediate
issue intermediate tsa "LT TSA" v3_tsa "$now_start" "$leaf_end" intermediate
issue intermediate ocsp "LT OCSP Responder" v3_ocsp "$now_start" "$leaf_end" intermediate

openssl ca -batch -config ca/intermediate/openssl.cnf -cert intermediate.pem -keyfile intermediate.key.pem \
  -revoke revoked.cert.pem -crl_reason keyCompromise 2>/dev/null
gencrl root root.crl
gencrl intermediate intermediate.crl

for s in signer revoked crlonly; do
  openssl pkcs12 -export -inkey "$s.key.pem" -in "$s.cert.pem" -certfile chain.pem -name "$s" \
    -passout file:p12-password.txt -out "$s.p12"
  cat >"$s.yaml" <<YAML
# Test profile: long-term signatures with the $s certificate (tests/support/make_lt_pki.sh).
name: lt-$s
key:
  source: pkcs12
  path: $s.p12
  password: file:p12-password.txt
signature:
  level: B-LT
timestamp:
  url: @TSA_URL@
  trust: chain.pem
YAML
done
