#!/usr/bin/env bash
# The azure-keyvault key source end to end, against the loopback Key Vault test server
# (tests/support/azure_kv_server.py, real keys): PDFs and .p7s signed with RS256, PS256, PS512,
# ES256 and ES384 keys and checked by pdfsig, openssl cms -verify and esign verify; the chain from
# chain:, from the certificate's AIA caIssuers URL, or just the leaf; throttling (429 with
# Retry-After, 503) retried; the service's errors shown with their code and message (a wrong
# client secret, an unknown certificate); a curve/digest mismatch and a vault key that is not the
# certificate's key refused; a plain-http vault refused before any request; bulk of 20 PDFs on
# one token, and of 40 with up to 16 sign requests in flight whatever --jobs; esign login/logout
# when the CLI has them; the secret nowhere in output or ledger.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
need_tool pdfsig openssl certutil

py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3)
export ESIGN_LEDGER=$TEST_TMP/ledger.db

tenant=72f988bf-86f1-41af-91ab-2d7cd011db47
client=5a1c0de5-0000-4000-8000-000000000001
secret='Az.Test~Secret-8Qv2rT'
export AZ_SECRET=$secret

# The vault's keys and certificates: NAME.key.pem + NAME.cert.pem.
vault=$TEST_TMP/vault
mkdir -p "$vault"
for k in rsa ec256 ec384; do
  cp "$PKI/$k.key.pem" "$vault/seal-$k.key.pem"
  cp "$PKI/$k.cert.pem" "$vault/seal-$k.cert.pem"
done
cp "$PKI/revoked.key.pem" "$vault/mismatch.key.pem" # a key that is not its certificate's
cp "$PKI/rsa.cert.pem" "$vault/mismatch.cert.pem"

AZ_TEST_CLIENT_SECRET=$secret "$py" "$ESIGN_SOURCE_DIR/tests/support/azure_kv_server.py" \
  --keys "$vault" --tenant "$tenant" --client-id "$client" --aia-issuer "$PKI/intermediate.pem" \
  >"$TEST_TMP/server.port" 2>"$TEST_TMP/server.log" &
server=$!
on_exit "kill $server"
for _ in $(seq 100); do [ -s "$TEST_TMP/server.port" ] && break; sleep 0.1; done
port=$(head -n1 "$TEST_TMP/server.port")
[ -n "$port" ] || fail "the Key Vault test server did not start: $(cat "$TEST_TMP/server.log")"
base=http://127.0.0.1:$port

# ctl PATH [JSON]: GET (or POST JSON to) a test-control endpoint; prints the answer.
ctl() {
  "$py" - "$base$1" "${2:-}" <<'PY'
import sys, urllib.request
url, body = sys.argv[1], sys.argv[2]
req = urllib.request.Request(url, data=body.encode() if body else None,
                             headers={"Content-Type": "application/json"})
print(urllib.request.urlopen(req, timeout=10).read().decode())
PY
}
# counter NAME: one counter of /_test/stats.
counter() { ctl /_test/stats | "$py" -c "import json, sys; print(json.load(sys.stdin)['$1'])"; }

# profile NAME KEY [YAML-LINES]: an azure-keyvault profile in $prof/NAME.yaml.
prof=$TEST_TMP/profiles
mkdir -p "$prof"
profile() {
  local name=$1 key=$2 extra=${3:-}
  cat >"$prof/$name.yaml" <<YAML
name: az-$name
key:
  source: azure-keyvault
  vault_url: $base/
  key: $key
  tenant_id: $tenant
  client_id: $client
  client_secret: env:AZ_SECRET
  authority_url: $base
$extra
YAML
}
chain="  chain: $PKI/chain.pem"
profile rs256 seal-rsa "$chain"
profile ps256 seal-rsa "$chain
signature: {digest: sha256, padding: pss}"
profile ps512 seal-rsa "$chain
signature: {digest: sha512, padding: pss}"
profile es256 seal-ec256 "$chain"
profile es384 seal-ec384 "$chain
signature: {digest: sha384}"

# every_output_lacks_secret: the secret is in neither stdout nor stderr of the last command.
lacks_secret() {
  expect_stdout_lacks "$secret"
  expect_stderr_lacks "$secret"
}

# pdfsig's NSS database, trusting the test root only: a PDF whose chain is trusted embeds the intermediate.
nss=$TEST_TMP/nss
make_nssdb "$nss" "$PKI/root.pem" >/dev/null

d=$TEST_TMP/in
out=$TEST_TMP/out
mkdir -p "$d" "$out"
printf 'Quarterly report\nsigned in the vault\n' >"$d/notes.txt"
cp "$PDFS/classic.pdf" "$d/classic.pdf"
remember "$d/notes.txt" "$d/classic.pdf"

# ---------------------------------------------------------------------------------------------
# Every algorithm, PDF and .p7s.
for p in rs256:sha256 ps256:sha256 ps512:sha512 es256:sha256 es384:sha384; do
  name=${p%:*} digest=${p#*:}
  note "$name: PDF and .p7s"
  expect_exit 0 esign sign "$d/classic.pdf" --profile "$prof/$name.yaml" -o "$out/$name.pdf"
  lacks_secret
  pdfsig_valid "$out/$name.pdf" 1 "$nss"
  pdfsig_trusted "$out/$name.pdf" "$nss"
  expect_exit 0 esign verify --trust "$PKI/root.pem" "$out/$name.pdf"
  expect_exit 0 esign sign "$d/notes.txt" --profile "$prof/$name.yaml" -o "$out/$name.p7s"
  lacks_secret
  p7s_ok "$out/$name.p7s" "$d/notes.txt" "$PKI/root.pem"
  p7s_ok "$out/$name.p7s" "$d/notes.txt" "$PKI/root.pem" -cades
  expect_exit 0 esign verify --trust "$PKI/root.pem" --data "$d/notes.txt" "$out/$name.p7s"
  cms=$(openssl cms -cmsout -print -inform DER -in "$out/$name.p7s")
  grep -q "algorithm: $digest " <<<"$cms" || fail "$name.p7s does not use $digest"
  case $name in
    ps*) grep -q 'algorithm: rsassaPss' <<<"$cms" || fail "$name.p7s is not RSASSA-PSS" ;;
    es*) grep -q 'algorithm: ecdsa-with-' <<<"$cms" || fail "$name.p7s is not ECDSA" ;;
    rs*) grep -q 'algorithm: rsaEncryption\|algorithm: sha256WithRSAEncryption' <<<"$cms" ||
      fail "$name.p7s is not RSA PKCS#1 v1.5" ;;
  esac
done

# The chain from the certificate's AIA caIssuers URL (served by the test server), without chain:.
note "chain from AIA caIssuers"
cat >"$TEST_TMP/aia.cnf" <<CNF
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
authorityInfoAccess    = caIssuers;URI:$base/aia/intermediate.cer
CNF
openssl req -new -key "$PKI/rsa.key.pem" -subj "/C=IN/O=esign test/CN=Test Signer RSA AIA" \
  -out "$TEST_TMP/aia.csr"
openssl x509 -req -in "$TEST_TMP/aia.csr" -CA "$PKI/intermediate.pem" -CAkey "$PKI/intermediate.key.pem" \
  -set_serial 0x5a17aa -days 30 -sha256 -extfile "$TEST_TMP/aia.cnf" -out "$vault/seal-aia.cert.pem" 2>/dev/null
cp "$PKI/rsa.key.pem" "$vault/seal-aia.key.pem"
profile aia seal-aia
expect_exit 0 esign sign "$d/notes.txt" --profile "$prof/aia.yaml" -o "$out/aia.p7s"
p7s_ok "$out/aia.p7s" "$d/notes.txt" "$PKI/root.pem" # the intermediate came from the AIA URL
expect_exit 0 esign sign "$d/classic.pdf" --profile "$prof/aia.yaml" -o "$out/aia.pdf"
pdfsig_valid "$out/aia.pdf" 1 "$nss"
pdfsig_trusted "$out/aia.pdf" "$nss" # the intermediate came from the AIA URL
expect_exit 0 esign verify --trust "$PKI/root.pem" "$out/aia.pdf"
# Neither chain: nor AIA: the chain is the leaf alone (the verifier needs the intermediate).
profile leaf seal-ec256
expect_exit 0 esign sign "$d/notes.txt" --profile "$prof/leaf.yaml" -o "$out/leaf.p7s"
[ "$(openssl pkcs7 -inform DER -in "$out/leaf.p7s" -print_certs | grep -c '^subject')" = 1 ] ||
  fail "leaf.p7s should carry only the signer certificate"
p7s_ok "$out/leaf.p7s" "$d/notes.txt" "$PKI/chain.pem"

# ---------------------------------------------------------------------------------------------
# Throttling: 429 with Retry-After, then 503, then success; the server saw the retries.
note "429 and 503 retried"
before=$(counter sign_calls)
ctl /_test/config '{"sign_429": 2, "retry_after": 1}' >/dev/null
start=$(date +%s)
expect_exit 0 esign sign "$d/notes.txt" --profile "$prof/es256.yaml" -o "$out/retried.p7s"
[ $(($(date +%s) - start)) -ge 2 ] || fail "two 429s with Retry-After: 1 were retried in under 2 s"
p7s_ok "$out/retried.p7s" "$d/notes.txt" "$PKI/root.pem"
[ "$(counter sign_failed_injected)" = 2 ] || fail "the server did not answer 429 twice"
[ $(($(counter sign_calls) - before)) = 3 ] || fail "expected 3 sign calls (2 throttled + 1), got $(($(counter sign_calls) - before))"
ctl /_test/config '{"sign_503": 1}' >/dev/null
expect_exit 0 esign sign "$d/classic.pdf" --profile "$prof/rs256.yaml" -o "$out/retried.pdf"
pdfsig_valid "$out/retried.pdf" 1 "$nss"
[ "$(counter sign_failed_injected)" = 3 ] || fail "the server did not answer 503"
# Throttled for longer than esign retries: the service's error code and message, no output.
ctl /_test/config '{"sign_429": 50, "retry_after": 0}' >/dev/null
expect_exit 2 esign sign "$d/notes.txt" --profile "$prof/rs256.yaml" -o "$out/throttled.p7s"
expect_stderr_contains "Throttled: Operations per second is over the limit."
expect_no_file "$out/throttled.p7s"
ctl /_test/config '{"sign_429": 0}' >/dev/null

# ---------------------------------------------------------------------------------------------
# Errors from the service, with their code and message; nothing written.
note "service errors"
tokens=$(counter token_calls)
AZ_SECRET=wrong-secret-value run "$ESIGN" sign "$d/notes.txt" --profile "$prof/rs256.yaml" -o "$out/bad.p7s"
[ "$LAST_EXIT" = 2 ] || { _show_last; fail "a wrong client secret exited $LAST_EXIT, expected 2"; }
expect_stderr_contains "invalid_client: AADSTS7000215: Invalid client secret provided."
expect_stderr_contains "/$tenant/oauth2/v2.0/token"
expect_stderr_lacks "wrong-secret-value"
expect_stderr_lacks "Trace ID" # one line
[ "$(wc -l <"$LAST_STDERR")" = 1 ] || { _show_last; fail "a wrong secret should print one line"; }
expect_no_file "$out/bad.p7s"
[ $(($(counter token_calls) - tokens)) = 1 ] || fail "a refused client secret was sent more than once"
profile missing no-such-cert "$chain"
expect_exit 2 esign sign "$d/notes.txt" --profile "$prof/missing.yaml" -o "$out/missing.p7s"
expect_stderr_contains "$base/certificates/no-such-cert: cannot get the certificate: CertificateNotFound: A certificate with (name/id) no-such-cert was not found"
expect_stderr_lacks "api-version"
expect_no_file "$out/missing.p7s"
# The vault key is not the certificate's key: caught before anything is written.
profile mismatch mismatch "$chain"
expect_exit 2 esign sign "$d/notes.txt" --profile "$prof/mismatch.yaml" -o "$out/mismatch.p7s"
expect_stderr_contains "does not verify with the certificate"
expect_no_file "$out/mismatch.p7s"
# An EC P-256 key signs SHA-256 digests only (ES256).
profile es256-sha384 seal-ec256 "$chain
signature: {digest: sha384}"
expect_exit 2 esign sign "$d/notes.txt" --profile "$prof/es256-sha384.yaml" -o "$out/x.p7s"
expect_stderr_contains "ES256"
expect_stderr_contains "signature.digest: sha256"
expect_no_file "$out/x.p7s"
# Plain http:// to a host that is not loopback: refused before any request (exit 2).
tokens=$(counter token_calls)
sed "s|vault_url: .*|vault_url: http://vault.example.com|" "$prof/rs256.yaml" >"$prof/plain.yaml"
expect_exit 2 esign sign "$d/notes.txt" --profile "$prof/plain.yaml" -o "$out/plain.p7s"
expect_stderr_contains "https://"
expect_no_file "$out/plain.p7s"
sed "s|authority_url: .*|authority_url: http://login.example.com|" "$prof/rs256.yaml" >"$prof/plain-auth.yaml"
expect_exit 2 esign sign "$d/notes.txt" --profile "$prof/plain-auth.yaml" -o "$out/plain.p7s"
expect_stderr_contains "key.authority_url must be an https:// URL"
[ "$(counter token_calls)" = "$tokens" ] || fail "a plain-http profile still sent a token request"

# ---------------------------------------------------------------------------------------------
# bulk: 20 PDFs through the vault on one token.
note "bulk of 20"
bin=$TEST_TMP/bulk-in
mkdir -p "$bin"
for i in $(seq -w 1 20); do cp "$PDFS/classic.pdf" "$bin/doc$i.pdf"; done
tokens=$(counter token_calls) signs=$(counter sign_calls)
expect_exit 0 esign bulk "$bin" --profile "$prof/es256.yaml" --out-dir "$TEST_TMP/bulk-out" --jobs 4
lacks_secret
[ $(($(counter token_calls) - tokens)) -le 1 ] || fail "bulk fetched $(($(counter token_calls) - tokens)) tokens for one run"
[ $(($(counter sign_calls) - signs)) = 20 ] || fail "bulk made $(($(counter sign_calls) - signs)) sign calls for 20 PDFs"
for i in $(seq -w 1 20); do pdfsig_valid "$TEST_TMP/bulk-out/doc$i.signed.pdf" 1 "$nss"; done
# Key Vault has no batch call: bulk keeps up to 16 sign requests in flight (signing.max_in_flight),
# whatever --jobs; with 100 ms per request they overlap on the server.
ctl /_test/config '{"delay_ms": 100}' >/dev/null
bin40=$TEST_TMP/bulk-in40
mkdir -p "$bin40"
for i in $(seq -w 1 40); do cp "$PDFS/classic.pdf" "$bin40/doc$i.pdf"; done
expect_exit 0 esign bulk "$bin40" --profile "$prof/es256.yaml" --out-dir "$TEST_TMP/bulk-out40" --jobs 2
expect_stdout_contains "40 signed, 0 skipped, 0 failed"
most=$(counter sign_in_flight_max)
note "40 PDFs, --jobs 2: at most $most sign requests in flight"
[ "$most" -gt 2 ] && [ "$most" -le 16 ] || fail "$most sign requests in flight (more than --jobs 2, at most 16 expected)"
for i in 01 20 40; do pdfsig_valid "$TEST_TMP/bulk-out40/doc$i.signed.pdf" 1 "$nss"; done
ctl /_test/config '{"delay_ms": 0}' >/dev/null

# ---------------------------------------------------------------------------------------------
# esign login / logout (when the CLI has them): the cached token is used without the secret.
if esign login --help >/dev/null 2>&1; then
  note "login"
  tokens=$(counter token_calls)
  expect_exit 0 esign login --profile "$prof/rs256.yaml"
  lacks_secret
  [ $(($(counter token_calls) - tokens)) = 1 ] || fail "esign login did not fetch one token"
  cache=$XDG_STATE_HOME/esign/logins
  [ "$(find "$cache" -type f -perm 600 | wc -l)" -ge 1 ] || fail "no 0600 login cache file in $cache"
  ! grep -rqF -- "$secret" "$cache" || fail "the login cache holds the client secret"
  expect_exit 0 env -u AZ_SECRET "$ESIGN" sign "$d/notes.txt" --profile "$prof/rs256.yaml" -o "$out/login.p7s"
  p7s_ok "$out/login.p7s" "$d/notes.txt" "$PKI/root.pem"
  [ $(($(counter token_calls) - tokens)) = 1 ] || fail "sign after login fetched another token"
  expect_exit 0 esign login --status
  expect_stdout_contains "az-rs256"
  # The vault stops accepting the cached token: esign gets a new one with the secret (401 -> retry).
  ctl /_test/config '{"revoke_tokens": true}' >/dev/null
  expect_exit 0 esign sign "$d/notes.txt" --profile "$prof/rs256.yaml" -o "$out/relogin.p7s"
  p7s_ok "$out/relogin.p7s" "$d/notes.txt" "$PKI/root.pem"
  [ $(($(counter token_calls) - tokens)) = 2 ] || fail "a refused cached token was not replaced"
  expect_exit 0 esign logout --profile "$prof/rs256.yaml"
else
  note "SKIPPED the login part: this esign has no 'login' command yet"
fi

# ---------------------------------------------------------------------------------------------
# The secret is nowhere on disk that esign wrote (ledger, state, outputs).
! grep -rqaF -- "$secret" "$HOME" "$out" "$TEST_TMP/bulk-out" || fail "the client secret was written to disk"
[ -f "$ESIGN_LEDGER" ] && { ! grep -qaF -- "$secret" "$ESIGN_LEDGER" || fail "the ledger holds the client secret"; }
expect_unchanged "$d/notes.txt" "$d/classic.pdf"
