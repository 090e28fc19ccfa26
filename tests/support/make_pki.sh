#!/usr/bin/env bash
# Makes the test PKI (root CA -> intermediate CA -> signers, plus an untrusted root) in OUTDIR.
#
# Usage: make_pki.sh OUTDIR
#
# Idempotent: when OUTDIR/.stamp matches this script's hash, nothing is done. Concurrent calls
# serialise on OUTDIR.lock, so parallel tests may all call it. Everything is made with openssl.
#
# What OUTDIR holds (all PEM unless noted; every private key is PKCS#8):
#   p12-password.txt               the password of every .p12 and .enc.key.pem (one line)
#   root.pem root.key.pem          "Test Root CA" (self-signed)
#   intermediate.pem intermediate.key.pem   "Test Intermediate CA", issued by the root
#   chain.pem                      intermediate + root (the trust material for chain checks)
#   intermediate.crl.pem           CRL of the intermediate (lists `revoked`)
#   untrusted-root.pem untrusted-root.key.pem   "Untrusted Root CA" (self-signed, not in chain.pem)
#   untrusted-chain.pem            = untrusted-root.pem
#   For each signer NAME:
#     NAME.key.pem      unencrypted PKCS#8 key
#     NAME.enc.key.pem  encrypted PKCS#8 key (AES-256-CBC, PBKDF2; password p12-password.txt)
#     NAME.cert.pem     the signer certificate
#     NAME.p12          PKCS#12: key + certificate + chain (OpenSSL 3 defaults: AES-256-CBC,
#                       PBKDF2, HMAC-SHA256 MAC), friendly name NAME, password p12-password.txt
#     NAME.yaml         profile, `source: pkcs12`
#     NAME-pem.yaml     profile, `source: pem` (key, cert, chain)
#   Signers (issued by the intermediate unless noted):
#     rsa         RSA 2048, keyUsage critical digitalSignature,nonRepudiation
#     ec256       EC P-256, same keyUsage
#     ec384       EC P-384, same keyUsage
#     expired     RSA 2048, valid 2020-01-01 .. 2021-01-01 only
#     nokeyusage  RSA 2048, keyUsage critical keyEncipherment only (not fit for signing)
#     revoked     RSA 2048, revoked in intermediate.crl.pem and ca/intermediate/index.txt
#     untrusted   RSA 2048, issued by untrusted-root
#   Service certificates (no profiles): tsa (EKU critical timeStamping), ocsp (EKU OCSPSigning),
#   both issued by the intermediate, with .key.pem and .cert.pem.
#   ca/{root,intermediate,untrusted}/  the `openssl ca` state (openssl.cnf, index.txt, serial),
#   usable for `openssl ocsp -index ca/intermediate/index.txt` or further issuing.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: make_pki.sh OUTDIR" >&2
  exit 2
fi
out=$1
script_hash=$(sha256sum "${BASH_SOURCE[0]}" | cut -d' ' -f1)
readonly password='esign-test-password'

mkdir -p "$out"
out=$(cd "$out" && pwd)
exec 9>"$out.lock"
flock 9
if [ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$script_hash" ]; then
  exit 0
fi
# Refuse to wipe a folder this script did not make (no .stamp, no .partial from a broken run).
if [ -n "$(ls -A "$out")" ] && [ ! -e "$out/.stamp" ] && [ ! -e "$out/.partial" ]; then
  echo "$(basename "$0"): $out is not empty and was not made by this script" >&2
  exit 2
fi
rm -rf "${out:?}"/* "$out/.stamp"
touch "$out/.partial"
cd "$out"

printf '%s\n' "$password" >p12-password.txt
dn() { printf '/C=IN/O=esign test/CN=%s' "$1"; }
past() { date -u -d "$1" +%Y%m%d%H%M%SZ; }

# ca_init NAME: an `openssl ca` directory with the extension sections every cert here uses.
ca_init() {
  local d=ca/$1
  mkdir -p "$d/newcerts"
  : >"$d/index.txt"
  echo 1000 >"$d/serial"
  echo 1000 >"$d/crlnumber"
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
default_crl_days = 3650
policy           = policy_any
unique_subject   = no
copy_extensions  = none
email_in_dn      = no
[ policy_any ]
countryName            = optional
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
[ v3_signer ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
[ v3_nokeyusage ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, keyEncipherment
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
[ v3_tsa ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, nonRepudiation
extendedKeyUsage       = critical, timeStamping
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
[ v3_ocsp ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = OCSPSigning
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
CNF
}

# genkey NAME rsa|ec256|ec384: NAME.key.pem, unencrypted PKCS#8.
genkey() {
  case $2 in
    rsa)   openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1.key.pem" ;;
    ec256) openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
             -pkeyopt ec_param_enc:named_curve -out "$1.key.pem" ;;
    ec384) openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-384 \
             -pkeyopt ec_param_enc:named_curve -out "$1.key.pem" ;;
  esac
}

# issue CA NAME CN EXT STARTDATE ENDDATE [ISSUER]: NAME.cert.pem signed by ISSUER's key via
# `openssl ca` (the only way in OpenSSL 3.0 to set a start date in the past). Without ISSUER
# the certificate is self-signed with NAME's own key.
issue() {
  local ca=$1 name=$2 cn=$3 ext=$4 start=$5 end=$6 issuer=${7:-}
  local cnf=ca/$ca/openssl.cnf
  openssl req -new -config "$cnf" -key "$name.key.pem" -subj "$(dn "$cn")" -out "ca/$ca/$name.csr"
  if [ -z "$issuer" ]; then
    openssl ca -batch -notext -config "$cnf" -selfsign -keyfile "$name.key.pem" \
      -extensions "$ext" -startdate "$start" -enddate "$end" \
      -in "ca/$ca/$name.csr" -out "$name.cert.pem" 2>/dev/null
  else
    openssl ca -batch -notext -config "$cnf" -cert "$issuer.pem" -keyfile "$issuer.key.pem" \
      -extensions "$ext" -startdate "$start" -enddate "$end" \
      -in "ca/$ca/$name.csr" -out "$name.cert.pem" 2>/dev/null
  fi
}

# finish_signer NAME CHAINFILE: the encrypted key, the PKCS#12 and the two profiles.
finish_signer() {
  local name=$1 chain=$2
  openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256 -in "$name.key.pem" \
    -passout file:p12-password.txt -out "$name.enc.key.pem"
  openssl pkcs12 -export -inkey "$name.key.pem" -in "$name.cert.pem" -certfile "$chain" \
    -name "$name" -passout file:p12-password.txt -out "$name.p12"
  cat >"$name.yaml" <<YAML
# Test profile: $name signer from a PKCS#12 file (made by tests/support/make_pki.sh).
name: test-$name
key:
  source: pkcs12
  path: $name.p12
  password: file:p12-password.txt
signature:
  format: auto
  level: B-B
  digest: sha256
  reason: Approved
  location: Bengaluru
YAML
  cat >"$name-pem.yaml" <<YAML
# Test profile: $name signer from PEM files (made by tests/support/make_pki.sh).
name: test-$name-pem
key:
  source: pem
  key: $name.enc.key.pem
  cert: $name.cert.pem
  chain: $chain
  password: file:p12-password.txt
signature:
  format: auto
  level: B-B
  digest: sha256
  reason: Approved
  location: Bengaluru
YAML
}

ca_start=$(past '2019-01-01')
now_start=$(past '-1 day')
ca_end=$(past '+30 years')
leaf_end=$(past '+10 years')

# Keys first, in parallel: RSA key generation is most of the run time.
pids=()
for k in root:rsa intermediate:rsa rsa:rsa ec256:ec256 ec384:ec384 expired:rsa nokeyusage:rsa \
         revoked:rsa tsa:rsa ocsp:rsa untrusted-root:rsa untrusted:rsa; do
  genkey "${k%%:*}" "${k#*:}" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done

# Trusted hierarchy.
ca_init root
ca_init intermediate
issue root root "Test Root CA" v3_root "$ca_start" "$ca_end"
mv root.cert.pem root.pem
issue root intermediate "Test Intermediate CA" v3_intermediate "$ca_start" "$ca_end" root
mv intermediate.cert.pem intermediate.pem
cat intermediate.pem root.pem >chain.pem

issue intermediate rsa "Test Signer RSA" v3_signer "$now_start" "$leaf_end" intermediate
issue intermediate ec256 "Test Signer EC P-256" v3_signer "$now_start" "$leaf_end" intermediate
issue intermediate ec384 "Test Signer EC P-384" v3_signer "$now_start" "$leaf_end" intermediate
issue intermediate expired "Test Signer Expired" v3_signer 20200101000000Z 20210101000000Z intermediate
issue intermediate nokeyusage "Test Signer No KeyUsage" v3_nokeyusage "$now_start" "$leaf_end" intermediate
issue intermediate revoked "Test Signer Revoked" v3_signer "$now_start" "$leaf_end" intermediate
openssl ca -batch -config ca/intermediate/openssl.cnf -cert intermediate.pem -keyfile intermediate.key.pem \
  -revoke revoked.cert.pem -crl_reason keyCompromise 2>/dev/null
openssl ca -batch -config ca/intermediate/openssl.cnf -cert intermediate.pem -keyfile intermediate.key.pem \
  -gencrl -out intermediate.crl.pem 2>/dev/null

issue intermediate tsa "Test TSA" v3_tsa "$now_start" "$leaf_end" intermediate
issue intermediate ocsp "Test OCSP Responder" v3_ocsp "$now_start" "$leaf_end" intermediate

# Untrusted hierarchy: a self-signed root nobody trusts, and its signer.
ca_init untrusted
issue untrusted untrusted-root "Untrusted Root CA" v3_root "$ca_start" "$ca_end"
mv untrusted-root.cert.pem untrusted-root.pem
cp untrusted-root.pem untrusted-chain.pem
issue untrusted untrusted "Untrusted Signer" v3_signer "$now_start" "$leaf_end" untrusted-root

for s in rsa ec256 ec384 expired nokeyusage revoked; do finish_signer "$s" chain.pem; done
finish_signer untrusted untrusted-chain.pem

echo "$script_hash" >.stamp
rm -f .partial
