#!/usr/bin/env bash
# esign decrypt with keys that never leave their home: a SoftHSM2 token (RSA-OAEP and PKCS#1 v1.5
# key transport by C_Decrypt, ECDH by C_DeriveKey) and Azure Key Vault (unwrapkey on the loopback
# test server, real keys). Every round trip is byte-identical, OpenSSL's own output opens too, a
# wrong PIN or a wrong client secret fails once with exit 2 and leaves no output.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
need_tool softhsm2-util openssl curl

module=/usr/lib/softhsm/libsofthsm2.so
[ -f "$module" ] || skip "SoftHSM2 module not found at $module"
store_cert=${ESIGN_P11_STORE_CERT:?ESIGN_P11_STORE_CERT (the p11_store_cert helper) is not set}
allow_derive=${ESIGN_P11_ALLOW_DERIVE:?ESIGN_P11_ALLOW_DERIVE (the p11_allow_derive helper) is not set}
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3)
export ESIGN_LEDGER=$TEST_TMP/ledger.db
W=$TEST_TMP/work
mkdir -p "$W"
head -c 200000 /dev/urandom >"$W/data.bin"
remember "$W/data.bin"

# The token: the keyEncipherment RSA signer and an EC key allowed to agree keys, with their certificates.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$W/ecr.key.pem" \
  -out "$W/ecr.cert.pem" -subj /CN=EC-Recipient -days 3 -addext keyUsage=critical,keyAgreement 2>/dev/null
export SOFTHSM2_CONF=$TEST_TMP/softhsm2.conf
mkdir -p "$TEST_TMP/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$TEST_TMP/tokens" >"$SOFTHSM2_CONF"
printf '1234\n' >"$W/pin.txt"
printf '0000\n' >"$W/bad-pin.txt"
softhsm2-util --init-token --free --label dec-test --pin 1234 --so-pin 5678 >/dev/null
softhsm2-util --import "$PKI/nokeyusage.key.pem" --token dec-test --label rsa --id 11 --pin 1234 >/dev/null
softhsm2-util --import "$W/ecr.key.pem" --token dec-test --label ec --id 12 --pin 1234 >/dev/null
"$store_cert" "$module" dec-test "$W/pin.txt" "$PKI/nokeyusage.cert.pem" rsa 11
"$store_cert" "$module" dec-test "$W/pin.txt" "$W/ecr.cert.pem" ec 12
for p in rsa:rsa:pin.txt ec:ec:pin.txt badpin:rsa:bad-pin.txt; do
  IFS=: read -r name obj pin <<<"$p"
  printf 'name: p11-%s\nkey:\n  source: pkcs11\n  uri: "pkcs11:token=dec-test;object=%s"\n  module: %s\n  pin: file:%s\n' \
    "$name" "$obj" "$module" "$pin" >"$W/p11-$name.yaml"
done

# roundtrip PROFILE P7M NAME: decrypts P7M with PROFILE and compares with data.bin.
roundtrip() {
  expect_exit 0 esign decrypt "$2" --profile "$1" -o "$W/$3.out"
  cmp "$W/$3.out" "$W/data.bin" || fail "$3: the decrypted file differs from the original"
}

note "PKCS#11: RSA-OAEP (default), PKCS#1 v1.5 (--compat), ECDH, and openssl's output"
expect_exit 0 esign encrypt "$W/data.bin" -r "$PKI/nokeyusage.cert.pem" -o "$W/oaep.p7m"
openssl asn1parse -inform DER -in "$W/oaep.p7m" >"$W/asn1.txt"
grep -q rsaesOaep "$W/asn1.txt" || fail "default encryption is not RSAES-OAEP"
roundtrip "$W/p11-rsa.yaml" "$W/oaep.p7m" p11-oaep
expect_exit 0 esign encrypt "$W/data.bin" -r "$PKI/nokeyusage.cert.pem" --compat -o "$W/compat.p7m"
roundtrip "$W/p11-rsa.yaml" "$W/compat.p7m" p11-compat
expect_exit 0 esign encrypt "$W/data.bin" -r "$W/ecr.cert.pem" -o "$W/ec.p7m"
# ECDH on the token is C_DeriveKey. softhsm2-util --import makes EC keys without CKA_DERIVE, so
# SoftHSM first refuses (CKR_KEY_FUNCTION_NOT_PERMITTED): an error naming the file, no output.
expect_exit 2 esign decrypt "$W/ec.p7m" --profile "$W/p11-ec.yaml" -o "$W/p11-ec.out"
expect_stderr_contains "ec.p7m"
expect_no_file "$W/p11-ec.out"
# With the right to derive, the token agrees the key and the file opens.
"$allow_derive" "$module" dec-test "$W/pin.txt" ec || fail "could not grant CKA_DERIVE to the token's EC key"
roundtrip "$W/p11-ec.yaml" "$W/ec.p7m" p11-ec
openssl cms -encrypt -binary -outform DER -aes-256-gcm -in "$W/data.bin" -out "$W/ossl-ec.p7m" "$W/ecr.cert.pem"
roundtrip "$W/p11-ec.yaml" "$W/ossl-ec.p7m" p11-ossl-ec
openssl cms -encrypt -binary -outform DER -aes-256-gcm -in "$W/data.bin" -out "$W/ossl.p7m" \
  -recip "$PKI/nokeyusage.cert.pem" -keyopt rsa_padding_mode:oaep -keyopt rsa_oaep_md:sha256
roundtrip "$W/p11-rsa.yaml" "$W/ossl.p7m" p11-ossl
# Encrypted to someone else: the token key is not a recipient.
expect_exit 2 esign decrypt "$W/ec.p7m" --profile "$W/p11-rsa.yaml" -o "$W/other.out"
expect_stderr_contains "not encrypted to this profile's key"
expect_no_file "$W/other.out"

note "PKCS#11: a wrong PIN fails once, exit 2, no output"
expect_exit 2 esign decrypt "$W/oaep.p7m" --profile "$W/p11-badpin.yaml" -o "$W/badpin.out"
expect_stderr_contains "login failed"
expect_stderr_lacks "0000"
expect_no_file "$W/badpin.out"

note "Azure Key Vault: unwrapkey with RSA-OAEP-256 and RSA1_5"
tenant=72f988bf-86f1-41af-91ab-2d7cd011db47
client=5a1c0de5-0000-4000-8000-000000000001
secret='Az.Test~Secret-9Qv2rT'
vault=$TEST_TMP/vault
mkdir -p "$vault"
cp "$PKI/nokeyusage.key.pem" "$vault/enc-rsa.key.pem"
cp "$PKI/nokeyusage.cert.pem" "$vault/enc-rsa.cert.pem"
cp "$W/ecr.key.pem" "$vault/enc-ec.key.pem"
cp "$W/ecr.cert.pem" "$vault/enc-ec.cert.pem"
AZ_TEST_CLIENT_SECRET=$secret "$py" "$ESIGN_SOURCE_DIR/tests/support/azure_kv_server.py" \
  --keys "$vault" --tenant "$tenant" --client-id "$client" >"$TEST_TMP/server.port" 2>"$TEST_TMP/server.log" &
server=$!
on_exit "kill $server"
for _ in $(seq 100); do [ -s "$TEST_TMP/server.port" ] && break; sleep 0.1; done
port=$(head -n1 "$TEST_TMP/server.port")
[ -n "$port" ] || fail "the Key Vault test server did not start: $(cat "$TEST_TMP/server.log")"
for p in rsa:enc-rsa:AZ_SECRET ec:enc-ec:AZ_SECRET badsecret:enc-rsa:AZ_BAD; do
  IFS=: read -r name key var <<<"$p"
  cat >"$W/az-$name.yaml" <<YAML
name: az-$name
key:
  source: azure-keyvault
  vault_url: http://127.0.0.1:$port
  key: $key
  tenant_id: $tenant
  client_id: $client
  client_secret: env:$var
  authority_url: http://127.0.0.1:$port
YAML
done
export AZ_SECRET=$secret AZ_BAD=not-the-secret
roundtrip "$W/az-rsa.yaml" "$W/oaep.p7m" az-oaep
expect_stderr_lacks "$secret"
roundtrip "$W/az-rsa.yaml" "$W/compat.p7m" az-compat
roundtrip "$W/az-rsa.yaml" "$W/ossl.p7m" az-ossl
calls=$(curl -s "http://127.0.0.1:$port/_test/stats" | "$py" -c 'import json,sys; print(json.load(sys.stdin)["unwrap_calls"])')
[ "$calls" -ge 3 ] || fail "the vault saw $calls unwrapkey calls, not one per file"
# An EC vault key: Key Vault has no ECDH; a clear refusal, no output.
expect_exit 2 esign decrypt "$W/ec.p7m" --profile "$W/az-ec.yaml" -o "$W/az-ec.out"
expect_stderr_contains "only RSA Key Vault keys can decrypt"
expect_no_file "$W/az-ec.out"
# A wrong client secret: refused by the token endpoint, exit 2, no output, the secret nowhere.
expect_exit 2 esign decrypt "$W/oaep.p7m" --profile "$W/az-badsecret.yaml" -o "$W/az-bad.out"
expect_stderr_contains "invalid_client"
expect_stderr_lacks "not-the-secret"
expect_no_file "$W/az-bad.out"

expect_exit 0 esign audit verify
expect_unchanged "$W/data.bin"
