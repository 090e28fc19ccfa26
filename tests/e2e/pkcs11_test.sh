#!/usr/bin/env bash
# PKCS#11 keys: SoftHSM2 tokens made in a temporary SOFTHSM2_CONF, used directly (libsofthsm2)
# and remotely (a token exported by `p11-kit server`, used through p11-kit-client.so). Checks
# signing with RSA (PKCS#1 v1.5 and PSS) and EC keys, certificates from the token or the
# profile, esign bulk through the token, and that a wrong PIN fails once, clearly, without output.
source "$(dirname "$0")/lib.sh"
need_tool softhsm2-util p11-kit pdfsig openssl

module=/usr/lib/softhsm/libsofthsm2.so
client=$(ls /usr/lib/*/pkcs11/p11-kit-client.so 2>/dev/null | head -n 1)
[ -f "$module" ] || skip "SoftHSM2 module not found at $module"
store_cert=${ESIGN_P11_STORE_CERT:?ESIGN_P11_STORE_CERT (the p11_store_cert helper) is not set}

export SOFTHSM2_CONF=$TEST_TMP/softhsm2.conf
mkdir -p "$TEST_TMP/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$TEST_TMP/tokens" >"$SOFTHSM2_CONF"
printf '1234\n' >"$TEST_TMP/pin.txt"
softhsm2-util --init-token --free --label esign-test --pin 1234 --so-pin 5678 >/dev/null
for k in rsa:01 ec256:02 ec384:03; do
  name=${k%%:*} id=${k##*:}
  softhsm2-util --import "$PKI/$name.key.pem" --token esign-test --label "$name" --id "$id" --pin 1234 >/dev/null
done
# The RSA and P-256 certificates live on the token; the P-384 one comes from the profile.
"$store_cert" "$module" esign-test "$TEST_TMP/pin.txt" "$PKI/rsa.cert.pem" rsa 01
"$store_cert" "$module" esign-test "$TEST_TMP/pin.txt" "$PKI/ec256.cert.pem" ec256 02

# profile NAME URI MODULE [EXTRA-YAML]: writes $TEST_TMP/NAME.yaml
profile() {
  cat >"$TEST_TMP/$1.yaml" <<YAML
name: $1
key:
  source: pkcs11
  uri: "$2"
  module: $3
  pin: file:pin.txt
  chain: $PKI/chain.pem
${4:-}
YAML
}
profile rsa "pkcs11:token=esign-test;object=rsa" "$module"
profile rsa-pss "pkcs11:token=esign-test;id=%01" "$module" $'signature:\n  digest: sha256\n  padding: pss'
profile ec256 "pkcs11:token=esign-test;object=ec256" "$module"
cat >"$TEST_TMP/ec384.yaml" <<YAML
key:
  source: pkcs11
  uri: "pkcs11:token=esign-test;object=ec384"
  module: $module
  pin: env:ESIGN_TEST_PIN
  cert: $PKI/ec384.cert.pem
  chain: $PKI/chain.pem
signature:
  digest: sha384
YAML
export ESIGN_TEST_PIN=1234

note "signing with token keys"
in=$TEST_TMP/in.pdf
cp "$PDFS/classic.pdf" "$in"
printf 'token-signed data\n' >"$TEST_TMP/data.txt"
for p in rsa rsa-pss ec256 ec384; do
  expect_exit 0 esign sign "$in" --profile "$TEST_TMP/$p.yaml" -o "$TEST_TMP/$p.pdf"
  pdfsig_valid "$TEST_TMP/$p.pdf" 1
  expect_exit 0 esign sign "$TEST_TMP/data.txt" --profile "$TEST_TMP/$p.yaml" -o "$TEST_TMP/$p.p7s"
  p7s_ok "$TEST_TMP/$p.p7s" "$TEST_TMP/data.txt" "$PKI/chain.pem"
  expect_exit 0 esign verify "$TEST_TMP/$p.pdf" --trust "$PKI/root.pem"
  expect_exit 0 esign verify "$TEST_TMP/$p.p7s" --data "$TEST_TMP/data.txt" --trust "$PKI/root.pem"
done
# PSS really is PSS: the CMS names RSASSA-PSS.
"$ESIGN" verify "$TEST_TMP/rsa-pss.p7s" --data "$TEST_TMP/data.txt" --trust "$PKI/root.pem" >/dev/null
openssl cms -cmsout -print -inform DER -in "$TEST_TMP/rsa-pss.p7s" | grep -q rsassaPss ||
  fail "the PSS profile did not produce an RSASSA-PSS signature"

note "wrong PIN: one attempt, a clear message, no output"
printf '0000\n' >"$TEST_TMP/bad-pin.txt"
sed 's/pin.txt/bad-pin.txt/' "$TEST_TMP/rsa.yaml" >"$TEST_TMP/bad.yaml"
expect_exit 2 esign sign "$in" --profile "$TEST_TMP/bad.yaml" -o "$TEST_TMP/bad.pdf"
expect_stderr_contains "login failed"
expect_stderr_contains "not retried"
expect_stderr_lacks "0000"
expect_no_file "$TEST_TMP/bad.pdf"
# The token noticed one failure (count low) and is not locked: the right PIN still works, and
# esign warns before using it.
expect_exit 0 esign sign "$in" --profile "$TEST_TMP/rsa.yaml" -o "$TEST_TMP/after.pdf"
expect_stderr_contains "wrong PIN was entered before"
pdfsig_valid "$TEST_TMP/after.pdf" 1

note "unknown objects and tokens"
profile missing "pkcs11:token=esign-test;object=nope" "$module"
expect_exit 2 esign sign "$in" --profile "$TEST_TMP/missing.yaml" -o "$TEST_TMP/m.pdf"
expect_stderr_contains "no private key matches"
profile notoken "pkcs11:token=absent;object=rsa" "$module"
expect_exit 2 esign sign "$in" --profile "$TEST_TMP/notoken.yaml" -o "$TEST_TMP/m.pdf"
expect_stderr_contains "no token matches"
cat >"$TEST_TMP/pinuri.yaml" <<YAML
key:
  source: pkcs11
  uri: "pkcs11:token=esign-test;object=rsa?pin-value=1234"
  module: $module
YAML
expect_exit 2 esign sign "$in" --profile "$TEST_TMP/pinuri.yaml" -o "$TEST_TMP/m.pdf"
expect_stderr_contains "PIN does not belong in the URI"
expect_no_file "$TEST_TMP/m.pdf"

note "esign bulk through the token"
mkdir -p "$TEST_TMP/bulk-in"
for i in $(seq 1 20); do cp "$PDFS/classic.pdf" "$TEST_TMP/bulk-in/doc$i.pdf"; done
expect_exit 0 esign bulk "$TEST_TMP/bulk-in" --profile "$TEST_TMP/ec256.yaml" --out-dir "$TEST_TMP/bulk-out" --jobs 2
expect_stdout_contains "20 signed, 0 skipped, 0 failed"
for i in 1 7 20; do pdfsig_valid "$TEST_TMP/bulk-out/doc$i.signed.pdf" 1; done
expect_exit 0 esign verify "$TEST_TMP"/bulk-out/*.pdf --trust "$PKI/root.pem" --quiet

note "one call at a time: more in flight is refused (libp11 hangs when the token goes away)"
cp "$TEST_TMP/rsa.yaml" "$TEST_TMP/rsa-2.yaml"
printf 'signing:\n  max_in_flight: 2\n' >>"$TEST_TMP/rsa-2.yaml"
expect_exit 2 esign bulk "$TEST_TMP/bulk-in" --profile "$TEST_TMP/rsa-2.yaml" --out-dir "$TEST_TMP/bulk2-out"
expect_stderr_contains "libp11 hangs when a token is removed"
expect_no_file "$TEST_TMP/bulk2-out/doc1.signed.pdf"

note "a remote token through p11-kit server"
if [ -n "$client" ]; then
  sock=$TEST_TMP/p11.sock
  p11-kit server -f -n "$sock" --provider "$module" "pkcs11:token=esign-test" >"$TEST_TMP/server.log" 2>&1 &
  server=$!
  on_exit "kill $server 2>/dev/null || true"
  for _ in $(seq 1 50); do [ -S "$sock" ] && break; sleep 0.1; done
  [ -S "$sock" ] || fail "p11-kit server did not start: $(cat "$TEST_TMP/server.log")"
  export P11_KIT_SERVER_ADDRESS=unix:path=$sock
  profile remote "pkcs11:token=esign-test;object=rsa" "$client"
  expect_exit 0 esign sign "$in" --profile "$TEST_TMP/remote.yaml" -o "$TEST_TMP/remote.pdf"
  pdfsig_valid "$TEST_TMP/remote.pdf" 1
  expect_exit 0 esign verify "$TEST_TMP/remote.pdf" --trust "$PKI/root.pem"
  # The remote token signs exactly like the local one: same certificate, same structure.
  expect_exit 0 esign --json verify "$TEST_TMP/remote.pdf" "$TEST_TMP/rsa.pdf" --trust "$PKI/root.pem"
  fps=$(/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len({f["signatures"][0]["signer_sha256"] for f in d["files"]}))' "$LAST_STDOUT")
  [ "$fps" = 1 ] || fail "the remote and local tokens signed with different certificates"
  # The token goes away in the middle of a batch: the items after it fail with a clear error,
  # and the same command completes the job once the token is back.
  mkdir -p "$TEST_TMP/many"
  for i in $(seq 1 1000); do cp "$PDFS/classic.pdf" "$TEST_TMP/many/doc$i.pdf"; done
  "$ESIGN" bulk "$TEST_TMP/many" --profile "$TEST_TMP/remote.yaml" --out-dir "$TEST_TMP/many-out" --jobs 1 \
    >"$TEST_TMP/bulk1.out" 2>"$TEST_TMP/bulk1.err" &
  bulk=$!
  for _ in $(seq 1 100); do
    [ "$(find "$TEST_TMP/many-out" -name "*.signed.pdf" 2>/dev/null | wc -l)" -ge 1 ] && break
    sleep 0.02
  done
  # p11-kit server serves each client from a child process: the token goes when both do.
  pkill -KILL -P "$server" 2>/dev/null || true
  kill "$server"
  wait "$server" 2>/dev/null || true
  rc=0
  wait "$bulk" || rc=$?
  if [ "$rc" = 1 ]; then
    grep -q "token" "$TEST_TMP/bulk1.err" || fail "items failed without naming the token: $(head -3 "$TEST_TMP/bulk1.err")"
    note "the token went away after $(find "$TEST_TMP/many-out" -name '*.signed.pdf' | wc -l) of 1000 files"
  else
    note "the batch ended (exit $rc) before the token went away"
  fi
  # Token gone: a single sign fails clearly and writes nothing.
  expect_exit 2 esign sign "$in" --profile "$TEST_TMP/remote.yaml" -o "$TEST_TMP/gone.pdf"
  expect_no_file "$TEST_TMP/gone.pdf"
  # The token is back: the job resumes and completes.
  p11-kit server -f -n "$sock" --provider "$module" "pkcs11:token=esign-test" >"$TEST_TMP/server2.log" 2>&1 &
  server=$!
  on_exit "kill $server 2>/dev/null || true"
  for _ in $(seq 1 50); do [ -S "$sock" ] && break; sleep 0.1; done
  expect_exit 0 esign bulk "$TEST_TMP/many" --profile "$TEST_TMP/remote.yaml" --out-dir "$TEST_TMP/many-out" --jobs 2
  expect_stdout_contains "0 failed"
  [ "$(find "$TEST_TMP/many-out" -name '*.signed.pdf' | wc -l)" = 1000 ] || fail "the resumed job did not sign every file"
  pdfsig_valid "$TEST_TMP/many-out/doc1000.signed.pdf" 1
  kill "$server"
else
  note "p11-kit-client.so not found; remote token case skipped"
fi
