#!/usr/bin/env bash
# Makes a DEMO ONLY signing identity for scripts/demo: a self-signed CA, a signer it issues,
# the signer's PKCS#12 and the profile demo.yaml that uses it. Never use these keys for anything
# real: the CA key sits unencrypted next to them and the password is written in a file.
#
# Usage: samples/make-demo-pki.sh DIR
# DIR gets: demo-root.pem demo-root.key.pem demo-signer.cert.pem demo-signer.key.pem
#           demo.p12 demo-password.txt demo.yaml
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: make-demo-pki.sh DIR" >&2
  exit 2
fi
mkdir -p "$1"
cd "$1"

printf '%s\n' 'demo-only-password' >demo-password.txt
openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out demo-root.key.pem
openssl req -x509 -new -key demo-root.key.pem -days 3650 -sha256 \
  -subj '/C=IN/O=esign DEMO ONLY/CN=esign DEMO ONLY root CA' \
  -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign' \
  -out demo-root.pem
openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out demo-signer.key.pem
openssl req -new -key demo-signer.key.pem -subj '/C=IN/O=esign DEMO ONLY/CN=esign DEMO ONLY signer' \
  -out demo-signer.csr
openssl x509 -req -in demo-signer.csr -CA demo-root.pem -CAkey demo-root.key.pem -CAcreateserial \
  -days 825 -sha256 -out demo-signer.cert.pem -extfile <(printf '%s\n' \
    'basicConstraints=critical,CA:FALSE' 'keyUsage=critical,digitalSignature,nonRepudiation' \
    'subjectKeyIdentifier=hash' 'authorityKeyIdentifier=keyid:always') 2>/dev/null
openssl pkcs12 -export -inkey demo-signer.key.pem -in demo-signer.cert.pem -certfile demo-root.pem \
  -name 'esign DEMO ONLY signer' -passout file:demo-password.txt -out demo.p12
rm -f demo-signer.csr demo-root.srl

cat >demo.yaml <<'YAML'
# DEMO ONLY profile made by samples/make-demo-pki.sh; the key is not protected.
name: demo
key:
  source: pkcs12
  path: demo.p12
  password: file:demo-password.txt
signature:
  format: auto
  level: B-B
  digest: sha256
  reason: esign demo (DEMO ONLY)
  location: Bengaluru
YAML
echo "make-demo-pki: DEMO ONLY identity in $PWD (trust anchor: demo-root.pem)"
