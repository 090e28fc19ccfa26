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
mkdir -p "$1"
out=$(cd "$1" && pwd)
base=$2
cd "$out"
printf '%s\n' 'esign-test-password' >p12-password.txt
now_start=$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)
ca_end=$(date -u -d '+20 years' +%Y%m%d%H%M%SZ)
leaf_end=$(date -u -d '+5 years' +%Y%m%d%H%M%SZ)

ca_init() {
  local d=ca/$1
  mkdir -p "$d/newcerts"
  : >"$d/index.txt"
  echo 2000 >"$d/serial"
  echo 2000 >"$d/crlnumber"
  cat >"$d/openssl.cnf" <<CNF
[ ca ]
default_ca = ca_default
[ ca_default ]
dir              = $out/$d
database         = \$dir/index.txt
new_certs_dir    = \$dir/newcerts
serial           = \$dir/serial
crlnumber        = \$dir/crlnumber
default_md       = sha256
default_crl_days = 30
policy           = policy_any
unique_subject   = no
copy_extensions  = none
[ policy_any ]
organizationName       = optional
commonName             = supplied
[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
CN = unused
[ v3_root ]
basicConstraints       = critical, CA:TRUE
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
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
[ v3_ocsp ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = OCSPSigning
noCheck                = ignored
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
CNF
}

issue() {  # issue CA NAME CN EXT START END [ISSUER]
  local ca=$1 name=$2 cn=$3 ext=$4 start=$5 end=$6 issuer=${7:-}
  local cnf=ca/$ca/openssl.cnf
  openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:named_curve \
    -out "$name.key.pem"
  openssl req -new -config "$cnf" -key "$name.key.pem" -subj "/O=esign LT test/CN=$cn" -out "ca/$ca/$name.csr"
  if [ -z "$issuer" ]; then
    openssl ca -batch -notext -config "$cnf" -selfsign -keyfile "$name.key.pem" -extensions "$ext" \
      -startdate "$start" -enddate "$end" -in "ca/$ca/$name.csr" -out "$name.cert.pem" 2>/dev/null
  else
    openssl ca -batch -notext -config "$cnf" -cert "$issuer.pem" -keyfile "$issuer.key.pem" -extensions "$ext" \
      -startdate "$start" -enddate "$end" -in "ca/$ca/$name.csr" -out "$name.cert.pem" 2>/dev/null
  fi
}

ca_init root
ca_init intermediate
issue root root "LT Root CA" v3_root "$now_start" "$ca_end"
mv root.cert.pem root.pem
issue root intermediate "LT Intermediate CA" v3_intermediate "$now_start" "$ca_end" root
mv intermediate.cert.pem intermediate.pem
cat intermediate.pem root.pem >chain.pem
issue intermediate signer "LT Signer" v3_signer "$now_start" "$leaf_end" intermediate
issue intermediate revoked "LT Signer Revoked" v3_signer "$now_start" "$leaf_end" intermediate
issue intermediate crlonly "LT Signer CRL only" v3_crlonly "$now_start" "$leaf_end" intermediate
issue intermediate tsa "LT TSA" v3_tsa "$now_start" "$leaf_end" intermediate
issue intermediate ocsp "LT OCSP Responder" v3_ocsp "$now_start" "$leaf_end" intermediate

openssl ca -batch -config ca/intermediate/openssl.cnf -cert intermediate.pem -keyfile intermediate.key.pem \
  -revoke revoked.cert.pem -crl_reason keyCompromise 2>/dev/null
gencrl() {  # gencrl CA
  openssl ca -batch -config "ca/$1/openssl.cnf" -cert "$1.pem" -keyfile "$1.key.pem" -gencrl -out "ca/$1/crl.pem" 2>/dev/null
  openssl crl -in "ca/$1/crl.pem" -outform DER -out "$1.crl"
}
gencrl root
gencrl intermediate

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
