#!/usr/bin/env bash
# Makes a test PKI for validation-time tests: certificates that were valid only in the past (so
# a signature made with them can be valid only through a proof of existence from that time), a
# TSA that was already valid then, and a signer whose chain is complete only through its AIA
# caIssuers URL. Revocation pointers and caIssuers URLs name BASE_URL (a loopback
# tests/support/revocation_server.py, started first so its port is known).
#
# Usage: make_time_pki.sh OUTDIR BASE_URL      e.g. make_time_pki.sh /tmp/tp http://127.0.0.1:41234
#
# Validity periods are set with `openssl ca -startdate/-enddate` and CRL update times with
# -crl_lastupdate/-crl_nextupdate, so nothing here depends on the wall clock but the `current`
# and `leaf` periods (from yesterday); the signatures dated 2020 are made by the test under
# faketime(1). Every key is EC P-256 (fast: each test run makes its own PKI for its own port).
#
# What OUTDIR holds (PEM unless noted):
#   root.pem                "Time Root CA", self-signed, 2019-01-01 .. 2039-12-31
#   intermediate.pem        "Time Intermediate CA", issued by the root, 2019-01-01 .. 2039-12-31;
#                           no revocation pointers (its CA publishes no status for it), so a
#                           path through it needs the network only for the signer's own status
#   intermediate.der        the same in DER: what BASE_URL/certs/intermediate.der serves
#   chain.pem               intermediate + root
#   issued by the intermediate, each as NAME.key.pem NAME.cert.pem:
#     old      "Time Signer 2020": valid 2020-01-01 00:00:00 .. 2020-12-31 23:59:59 only;
#              OCSP BASE_URL/ocsp/intermediate, CRL BASE_URL/crl/intermediate.crl,
#              caIssuers BASE_URL/certs/intermediate.der
#     current  "Time Signer Current": from yesterday for 5 years, the same three pointers
#     leaf     "Time Signer AIA only": from yesterday for 5 years; caIssuers only (no OCSP, no
#              CRL), for signatures that embed the signer certificate alone (podofosign)
#     tsa      "Time TSA": 2019-01-01 .. 2030-12-31, extendedKeyUsage critical timeStamping,
#              the same three pointers (so a 2020 time-stamp's TSA is still valid, and checkable)
#     ocsp     "Time OCSP Responder": the intermediate's delegated responder (OCSPSigning,
#              ocsp-nocheck), 2019-01-01 .. 2039-12-31 (its responses may be made at any time
#              a test fakes)
#   NAME.p12 NAME.yaml      for old, current, leaf: PKCS#12 (key, certificate, chain; password in
#                           p12-password.txt) and a profile at level B-B whose timestamp section
#                           reads `url: @TSA_URL@` for the test to fill (sign with --level B-T)
#   intermediate.crl        DER CRL of the intermediate, thisUpdate now, nextUpdate in 30 days
#                           (empty: nothing is revoked); BASE_URL/crl/intermediate.crl serves it
#   intermediate-2020.crl   DER CRL of the intermediate, thisUpdate 2020-06-01 00:00:00,
#                           nextUpdate 2020-07-01: evidence from the time the `old` signer was valid
#   root.crl                DER CRL of the root (empty), for completeness
#   ca/root ca/intermediate the `openssl ca` state (index.txt for `openssl ocsp -index`: every
#                           certificate is "V", including the expired `old`, so OCSP answers good)
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: make_time_pki.sh OUTDIR BASE_URL" >&2
  exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)
base=$2
cd "$out"
printf '%s\n' 'esign-test-password' >p12-password.txt
ca_start=20190101000000Z
ca_end=20391231235959Z
old_start=20200101000000Z
old_end=20201231235959Z
tsa_end=20301231235959Z
now_start=$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)
now_end=$(date -u -d '+5 years' +%Y%m%d%H%M%SZ)

. "$here/test_ca.sh"
CA_ORG="esign time test"
ca_extensions() {
  cat <<CNF
[ v3_intermediate ]
basicConstraints       = critical, CA:TRUE, pathlen:0
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
[ v3_signer ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
authorityInfoAccess    = OCSP;URI:$base/ocsp/intermediate, caIssuers;URI:$base/certs/intermediate.der
crlDistributionPoints  = URI:$base/crl/intermediate.crl
[ v3_leaf ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
authorityInfoAccess    = caIssuers;URI:$base/certs/intermediate.der
[ v3_tsa ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, nonRepudiation
extendedKeyUsage       = critical, timeStamping
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
authorityInfoAccess    = OCSP;URI:$base/ocsp/intermediate, caIssuers;URI:$base/certs/intermediate.der
crlDistributionPoints  = URI:$base/crl/intermediate.crl
CNF
}

ca_init root 3000
ca_init intermediate 3000
root_and_intermediate "Time Root CA" "Time Intermediate CA" "$ca_start" "$ca_end"
openssl x509 -in intermediate.pem -outform DER -out intermediate.der
issue intermediate old "Time Signer 2020" v3_signer "$old_start" "$old_end" intermediate
issue intermediate current "Time Signer Current" v3_signer "$now_start" "$now_end" intermediate
issue intermediate leaf "Time Signer AIA only" v3_leaf "$now_start" "$now_end" intermediate
issue intermediate tsa "Time TSA" v3_tsa "$ca_start" "$tsa_end" intermediate
issue intermediate ocsp "Time OCSP Responder" v3_ocsp "$ca_start" "$ca_end" intermediate

gencrl root root.crl
gencrl intermediate intermediate.crl
gencrl intermediate intermediate-2020.crl 20200601000000Z 20200701000000Z

for s in old current leaf; do
  openssl pkcs12 -export -inkey "$s.key.pem" -in "$s.cert.pem" -certfile chain.pem -name "$s" \
    -passout file:p12-password.txt -out "$s.p12"
  cat >"$s.yaml" <<YAML
# Test profile: the $s certificate of tests/support/make_time_pki.sh (B-B; --level B-T uses the TSA).
name: time-$s
key:
  source: pkcs12
  path: $s.p12
  password: file:p12-password.txt
signature:
  level: B-B
timestamp:
  url: @TSA_URL@
  trust: chain.pem
YAML
done
