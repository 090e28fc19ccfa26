#!/usr/bin/env bash
# esign certs: keys generated where the profile's key lives (a SoftHSM2 token, an encrypted
# PKCS#8 file), requests checked by `openssl req -verify` and issued by the test CA with
# `openssl x509 -req`, certificates installed (a mismatch refused), PDFs signed with them and
# accepted by pdfsig against an NSS db trusting the test root; the same in Azure Key Vault (the
# loopback test server: create, pending/merge, import); a PKCS#12 imported onto a token and
# signed with; list/show/export/expiring/remove; both DN forms; signing with an expired
# certificate refused.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
need_tool softhsm2-util openssl pdfsig certutil

module=/usr/lib/softhsm/libsofthsm2.so
[ -f "$module" ] || skip "SoftHSM2 module not found at $module"
export ESIGN_LEDGER=$TEST_TMP/ledger.db
W=$TEST_TMP/work
prof=$TEST_TMP/profiles
mkdir -p "$W" "$prof"
export ESIGN_PROFILE_PATH=$prof

export SOFTHSM2_CONF=$TEST_TMP/softhsm2.conf
mkdir -p "$TEST_TMP/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$TEST_TMP/tokens" >"$SOFTHSM2_CONF"
softhsm2-util --init-token --free --label certs-test --pin 1234 --so-pin 5678 >/dev/null
printf '1234\n' >"$prof/pin.txt"
export KEY_PASS='k3y-pass-Phrase'

# The CA side: the test intermediate issues leaf certificates from requests.
cat >"$W/leaf.cnf" <<'CNF'
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
CNF
serial=4096
# issue CSR OUT DAYS: the intermediate CA signs the request.
issue() {
  serial=$((serial + 1))
  openssl x509 -req -in "$1" -CA "$PKI/intermediate.pem" -CAkey "$PKI/intermediate.key.pem" -set_serial "$serial" \
    -days "$3" -sha256 -extfile "$W/leaf.cnf" -out "$2" 2>/dev/null || fail "the test CA refused $1"
}
# csr_ok CSR SUBJECT-REGEX: openssl verifies the request's self-signature and finds the subject.
csr_ok() {
  local out
  out=$(openssl req -in "$1" -verify -noout -subject 2>&1) || fail "openssl req -verify rejects $1: $out"
  grep -q 'verify OK' <<<"$out" || fail "openssl req -verify: $out"
  grep -qE "$2" <<<"$out" || fail "$1 has the subject '$out', expected /$2/"
}

nss=$TEST_TMP/nss
make_nssdb "$nss" "$PKI/root.pem" >/dev/null
cp "$PDFS/classic.pdf" "$W/in.pdf"
remember "$W/in.pdf"
# signed_ok PROFILE NAME: signs in.pdf with PROFILE; pdfsig finds it valid and trusted.
signed_ok() {
  expect_exit 0 esign sign "$W/in.pdf" --profile "$1" -o "$W/$2.pdf"
  pdfsig_valid "$W/$2.pdf" 1 "$nss"
  pdfsig_trusted "$W/$2.pdf" "$nss"
}

# ---------------------------------------------------------------------------------------------
note "token: generate (RFC 4514 subject), CSR, issue, install, sign"
cat >"$prof/seal.yaml" <<YAML
name: seal
key:
  source: pkcs11
  uri: "pkcs11:token=certs-test;object=seal;id=%51"
  module: $module
  pin: file:pin.txt
  chain: $PKI/chain.pem
YAML
expect_exit 0 esign certs generate --profile seal --subject 'CN=Seal\, Token One,O=Acme Ltd,C=IN' \
  --san email:seal@acme.example --key-type rsa2048 -o "$W/seal.csr"
csr_ok "$W/seal.csr" 'C *= *IN, *O *= *Acme Ltd, *CN *= *"?Seal, Token One'
openssl req -in "$W/seal.csr" -noout -text | grep -q 'email:seal@acme.example' || fail "the SAN is not in the request"
openssl req -in "$W/seal.csr" -noout -text | grep -q 'Public-Key: (2048 bit)' || fail "not an RSA-2048 key"
# The key exists now: a second generate is refused, the key is kept.
expect_exit 2 esign certs generate --profile seal --subject '/CN=Again' -o "$W/again.csr"
expect_stderr_contains "exists already"
expect_no_file "$W/again.csr"
issue "$W/seal.csr" "$W/seal.pem" 30
# A certificate of another key: refused, exit 2, nothing stored.
expect_exit 2 esign certs install "$PKI/rsa.cert.pem" --profile seal
expect_stderr_contains "not the certificate of the key"
expect_exit 0 esign certs install "$W/seal.pem" --profile seal
expect_stdout_contains "installed"
signed_ok seal token
# A new request for the same key (certs csr), the other DN form.
expect_exit 0 esign certs csr --profile seal --subject '/C=IN/O=Acme Ltd/CN=Seal Renewal' -o "$W/renew.csr"
csr_ok "$W/renew.csr" 'CN *= *Seal Renewal'
[ "$(openssl req -in "$W/renew.csr" -noout -pubkey)" = "$(openssl x509 -in "$W/seal.pem" -noout -pubkey)" ] ||
  fail "certs csr made a request for another key"

# ---------------------------------------------------------------------------------------------
note "pem: generate an encrypted PKCS#8 key (OpenSSL DN form), issue, install, sign"
cat >"$prof/filekey.yaml" <<YAML
name: filekey
key:
  source: pem
  key: keys/file.key.pem
  cert: keys/file.cert.pem
  chain: $PKI/chain.pem
  password: env:KEY_PASS
YAML
mkdir -p "$prof/keys"
expect_exit 0 esign certs generate --profile filekey --subject '/C=IN/O=Acme Ltd/CN=File Seal' --key-type p256 \
  -o "$W/file.csr"
csr_ok "$W/file.csr" 'CN *= *File Seal'
key=$prof/keys/file.key.pem
head -n1 "$key" | grep -q 'BEGIN ENCRYPTED PRIVATE KEY' || fail "the new key file is not encrypted PKCS#8"
[ "$(stat -c %a "$key")" = 600 ] || fail "the new key file is mode $(stat -c %a "$key"), not 600"
openssl pkey -in "$key" -passin env:KEY_PASS -noout || fail "openssl cannot open the key with its password"
if openssl pkey -in "$key" -passin pass:wrong -noout 2>/dev/null; then fail "the key opens with a wrong password"; fi
openssl pkey -in "$key" -passin env:KEY_PASS -text -noout | grep -q 'NIST CURVE: P-256' || fail "not a P-256 key"
sum=$(sha256sum "$key")
expect_exit 2 esign certs generate --profile filekey --subject '/CN=Again' -o "$W/again.csr"
expect_stderr_contains "never overwritten"
[ "$(sha256sum "$key")" = "$sum" ] || fail "an existing key file was changed"
expect_exit 2 esign certs install "$W/seal.pem" --profile filekey
expect_stderr_contains "not the certificate of the key"
expect_no_file "$prof/keys/file.cert.pem"
issue "$W/file.csr" "$W/file.pem" 1
expect_exit 0 esign certs install "$W/file.pem" --profile filekey
cmp <(openssl x509 -in "$prof/keys/file.cert.pem") <(openssl x509 -in "$W/file.pem") || fail "key.cert is not the certificate"
signed_ok filekey pem

# ---------------------------------------------------------------------------------------------
note "import a PKCS#12 onto the token, then sign with it"
expect_exit 0 esign certs import "$PKI/rsa.p12" --to "pkcs11:token=certs-test;object=imported;id=%61" \
  --module "$module" --pin "file:$prof/pin.txt" --password-stdin <"$PKI/p12-password.txt"
expect_stdout_contains "imported"
run esign certs import "$PKI/rsa.p12" --to "pkcs11:token=certs-test;object=other" \
  --module "$module" --pin "file:$prof/pin.txt" --password-stdin <<<"wrong"
[ "$LAST_EXIT" = 2 ] || fail "a wrong PKCS#12 password: exit $LAST_EXIT"
grep -q "wrong PKCS#12 password" "$LAST_STDERR" || fail "a wrong PKCS#12 password: $(cat "$LAST_STDERR")"
cat >"$prof/imported.yaml" <<YAML
name: imported
key:
  source: pkcs11
  uri: "pkcs11:token=certs-test;object=imported"
  module: $module
  pin: file:pin.txt
  chain: $PKI/chain.pem
YAML
signed_ok imported imported
# The same label again: refused; an EC key: refused (libp11 0.4.12 stores RSA keys only).
expect_exit 2 esign certs import "$PKI/nokeyusage.p12" --to-profile imported --password-stdin <"$PKI/p12-password.txt"
expect_stderr_contains "exists already"
expect_exit 2 esign certs import "$PKI/ec256.p12" --to "pkcs11:token=certs-test;object=ec" --module "$module" \
  --pin "file:$prof/pin.txt" --password-stdin <"$PKI/p12-password.txt"
expect_stderr_contains "only RSA keys"

# ---------------------------------------------------------------------------------------------
note "Azure Key Vault (loopback test server): generate in the vault, merge, import, sign"
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3)
tenant=72f988bf-86f1-41af-91ab-2d7cd011db47
client=5a1c0de5-0000-4000-8000-000000000001
export AZ_SECRET='Az.Test~Certs-Secret-1'
mkdir -p "$TEST_TMP/vault"
AZ_TEST_CLIENT_SECRET=$AZ_SECRET "$py" "$ESIGN_SOURCE_DIR/tests/support/azure_kv_server.py" \
  --keys "$TEST_TMP/vault" --tenant "$tenant" --client-id "$client" >"$TEST_TMP/server.port" 2>"$TEST_TMP/server.log" &
server=$!
on_exit "kill $server"
for _ in $(seq 100); do [ -s "$TEST_TMP/server.port" ] && break; sleep 0.1; done
port=$(head -n1 "$TEST_TMP/server.port")
[ -n "$port" ] || fail "the Key Vault test server did not start: $(cat "$TEST_TMP/server.log")"
for name in vaultseal vaultimport; do
  cat >"$prof/$name.yaml" <<YAML
name: $name
key:
  source: azure-keyvault
  vault_url: http://127.0.0.1:$port
  key: $name
  tenant_id: $tenant
  client_id: $client
  client_secret: env:AZ_SECRET
  authority_url: http://127.0.0.1:$port
  chain: $PKI/chain.pem
YAML
done
expect_exit 0 esign certs generate --profile vaultseal --subject 'CN=Vault Seal,O=Acme Ltd,C=IN' \
  --san dns:seal.acme.example --key-type rsa2048 -o "$W/vault.csr"
expect_stderr_lacks "$AZ_SECRET"
csr_ok "$W/vault.csr" 'CN *= *Vault Seal'
openssl req -in "$W/vault.csr" -noout -text | grep -q 'DNS:seal.acme.example' || fail "the vault's request lacks the SAN"
issue "$W/vault.csr" "$W/vault.pem" 30
expect_exit 2 esign certs install "$W/seal.pem" --profile vaultseal
expect_stderr_contains "not the certificate of the key"
expect_exit 0 esign certs install "$W/vault.pem" --profile vaultseal
signed_ok vaultseal vault
expect_exit 0 esign certs import "$PKI/rsa.p12" --to-profile vaultimport --password-stdin <"$PKI/p12-password.txt"
signed_ok vaultimport vaultimport
expect_stderr_lacks "$(head -n1 "$PKI/p12-password.txt")"

# ---------------------------------------------------------------------------------------------
note "list, show, export, expiring"
expect_exit 0 esign certs list
for s in "Seal, Token One" "File Seal" "Test Signer RSA"; do expect_stdout_contains "$s"; done
expect_exit 0 esign certs list --json
"${PY:-/usr/bin/python3}" - "$LAST_STDOUT" <<'PY' || fail "certs list --json is not what it should be"
import json, sys
doc = json.load(open(sys.argv[1]))
by = {c["profile"]: c for c in doc["certificates"]}
assert by["seal"]["source"] == "pkcs11" and by["seal"]["subject"].startswith("CN=Seal\\, Token One,"), by
assert by["filekey"]["days_left"] in (0, 1), by["filekey"]
assert by["seal"]["days_left"] in (29, 30), by["seal"]
assert by["seal"]["linked_users"] == [], by["seal"]
assert by["vaultseal"]["source"] == "azure-keyvault" and "Vault Seal" in by["vaultseal"]["subject"], by
for c in doc["certificates"]:
    assert "issuer" in c and "serial" in c and "not_before" in c and "not_after" in c, c
PY
expect_exit 0 esign certs show seal
expect_stdout_contains "Subject:     CN=Seal\\, Token One,O=Acme Ltd,C=IN"
expect_stdout_contains "Key:         RSA 2048"
expect_exit 0 esign certs show "$W/file.pem"
expect_stdout_contains "EC P-256"
expect_exit 0 esign certs export --profile seal -o "$W/export.pem"
[ "$(grep -c 'BEGIN CERTIFICATE' "$W/export.pem")" -ge 2 ] || fail "export has no chain"
openssl verify -CAfile "$PKI/root.pem" -untrusted "$PKI/intermediate.pem" "$W/export.pem" >/dev/null ||
  fail "the exported certificate does not verify"
# The one-day certificate expires within 30 days, not within 0; the 30-day one not within 10.
expect_exit 1 esign certs expiring --days 30
expect_stdout_contains "File Seal"
expect_stdout_contains "Seal, Token One"
expect_exit 1 esign certs expiring --days 10
expect_stdout_contains "File Seal"
expect_stdout_lacks "Seal, Token One"
expect_exit 0 esign certs expiring --days 0
expect_stdout_contains "no certificate expires"

# ---------------------------------------------------------------------------------------------
note "signing with an expired or a not yet valid certificate is refused"
expect_exit 2 esign sign "$W/in.pdf" --profile "$PKI/expired.yaml" -o "$W/expired.pdf"
expect_stderr_contains "not valid now (it expired)"
expect_no_file "$W/expired.pdf"
# A certificate valid from 2030 (openssl ca sets the start date), for the PEM key made above.
mkdir -p "$W/ca/new"
: >"$W/ca/index.txt"
cat >"$W/ca/ca.cnf" <<CNF
[ ca ]
default_ca = d
[ d ]
database = $W/ca/index.txt
new_certs_dir = $W/ca/new
serial = $W/ca/serial
default_md = sha256
policy = any
unique_subject = no
[ any ]
commonName = supplied
CNF
echo 7000 >"$W/ca/serial"
openssl ca -batch -config "$W/ca/ca.cnf" -cert "$PKI/intermediate.pem" -keyfile "$PKI/intermediate.key.pem" \
  -startdate 20300101000000Z -enddate 20310101000000Z -extfile "$W/leaf.cnf" -in "$W/file.csr" \
  -out "$W/future.pem" 2>/dev/null || fail "openssl ca could not issue the future certificate"
sed 's|cert: keys/file.cert.pem|cert: future.cert.pem|; s|^name: filekey|name: future|' "$prof/filekey.yaml" >"$prof/future.yaml"
expect_exit 0 esign certs install "$W/future.pem" --profile future
expect_exit 2 esign sign "$W/in.pdf" --profile future -o "$W/future.pdf"
expect_stderr_contains "not valid now (it is not yet valid)"
expect_no_file "$W/future.pdf"
rm "$prof/future.yaml" "$prof/future.cert.pem"

# ---------------------------------------------------------------------------------------------
note "remove: asks unless --yes; keeps the key unless --with-key"
run esign certs remove --profile filekey </dev/null
[ "$LAST_EXIT" = 2 ] || fail "remove without a terminal or --yes: exit $LAST_EXIT"
expect_file "$prof/keys/file.cert.pem"
expect_exit 0 esign certs remove --profile filekey --yes
expect_no_file "$prof/keys/file.cert.pem"
expect_file "$key"
expect_exit 0 esign certs remove --profile seal --yes
expect_exit 2 esign sign "$W/in.pdf" --profile seal -o "$W/gone.pdf"
expect_stderr_contains "no certificate"
expect_exit 0 esign certs csr --profile seal --subject '/CN=Key still there' -o "$W/still.csr"
expect_exit 0 esign certs remove --profile imported --yes --with-key
expect_exit 2 esign certs csr --profile imported --subject '/CN=Gone' -o "$W/gone.csr"
expect_stderr_contains "no private key"

# Every step is in the audit log, and no secret is.
expect_exit 0 esign audit log --json
for op in certs-generate certs-install certs-import certs-remove certs-csr; do expect_stdout_contains "\"operation\":\"$op\""; done
expect_stdout_lacks "$KEY_PASS"
expect_stdout_lacks "$(head -n1 "$PKI/p12-password.txt")"
expect_exit 0 esign audit verify
