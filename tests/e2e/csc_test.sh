#!/usr/bin/env bash
# The csc key source end to end, against tests/support/csc_server.py (a loopback TEST server of
# the CSC API v2 signing with the fixture keys): PDFs and .p7s signed with RSA (PKCS#1 v1.5 and
# PSS) and EC credentials, through OAuth2 client credentials and basic auth, checked by pdfsig,
# openssl cms and esign verify; credential selection; a wrong PIN (exit 2, no output, never
# retried, not even by bulk); a refused client secret or password; a cached token the service
# forgot (one fresh login); an OTP credential through `esign login --otp`, `login --status`
# (text and JSON), the 0600 cache file, `logout`; a SAD that expires; bulk of 30 PDFs with
# batched signHash calls and authorizations within multisign, for SCAL 1 and SCAL 2; the bulk
# pipeline (batches larger than --jobs, max_in_flight and max_batch beyond multisign refused, a
# refused hash failing only its document, a service taking fewer hashes than it announced, a SAD
# expiring mid-job, SIGKILL during a batch then resume); ECDSA
# values returned as raw r||s; a non-loopback http:// base_url refused; and no secret (PIN,
# password, client secret, OTP, token, SAD) in any output, the ledger or a request line.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
need_tool pdfsig openssl certutil jq

py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3)

PIN=73916482
OTP=48151623
CLIENT_SECRET=csc-e2e-client-secret-5d2f
PASSWORD=csc-e2e-user-password-a71c
export CSC_PIN=$PIN CSC_SECRET=$CLIENT_SECRET CSC_PASSWORD=$PASSWORD CSC_BAD_PIN=11112222 CSC_OTP=$OTP
LEDGER_DIR=$XDG_DATA_HOME/esign
TRANSCRIPT=$TEST_TMP/transcript
: >"$TRANSCRIPT"

# x CODE CMD...: expect_exit, keeping the output for the secret check at the end.
x() {
  expect_exit "$@"
  cat "$LAST_STDOUT" "$LAST_STDERR" >>"$TRANSCRIPT"
}

# start_server NAME ARGS...: starts a test server (NAME's log and port in $TEST_TMP/NAME.*),
# stopped at exit, and sets URL to its base URL. (Not in $(...): on_exit must run in this shell.)
start_server() {
  local name=$1 port="" i pid
  shift
  "$py" "$ESIGN_SOURCE_DIR/tests/support/csc_server.py" --pki "$PKI" --pin "$PIN" --otp "$OTP" \
    --client-secret "$CLIENT_SECRET" --password "$PASSWORD" --log "$TEST_TMP/$name.log" "$@" \
    >"$TEST_TMP/$name.port" 2>"$TEST_TMP/$name.err" &
  pid=$!
  on_exit "kill $pid"
  for ((i = 0; i < 100; i++)); do
    port=$(head -n1 "$TEST_TMP/$name.port" 2>/dev/null || true)
    [ -n "$port" ] && break
    sleep 0.05
  done
  [ -n "$port" ] || fail "the CSC test server $name did not start: $(cat "$TEST_TMP/$name.err")"
  echo "$port" >"$TEST_TMP/$name.portnum"
  URL=http://127.0.0.1:$port/csc/v2
}

# stats NAME: the server's /_stats JSON.
stats() {
  "$py" -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())' \
    "http://127.0.0.1:$(cat "$TEST_TMP/$1.portnum")/_stats"
}
# calls NAME ENDPOINT: how often ENDPOINT was called.
calls() { stats "$1" | jq --arg e "$2" '.calls[$e] // 0'; }

# profile FILE NAME BASE CREDENTIAL AUTH [EXTRA-YAML]: a csc profile; AUTH is client or user
# (asha), or user:NAME; CREDENTIAL may be "" (none named).
profile() {
  local file=$1 name=$2 base=$3 cred=$4 auth=$5 extra=${6:-}
  {
    echo "name: $name"
    echo "key:"
    echo "  source: csc"
    echo "  base_url: $base"
    [ -z "$cred" ] || echo "  credential_id: $cred"
    case $auth in
      client) printf '  client_id: esign-test\n  client_secret: env:CSC_SECRET\n' ;;
      user) printf '  username: asha\n  password: env:CSC_PASSWORD\n' ;;
      user:*) printf '  username: %s\n  password: env:CSC_PASSWORD\n' "${auth#user:}" ;;
    esac
    echo "  pin: env:CSC_PIN"
    [ -z "$extra" ] || printf '%s\n' "$extra"
  } >"$TEST_TMP/$file"
  printf '%s\n' "$TEST_TMP/$file"
}

start_server main --multisign 10
BASE=$URL
P_RSA=$(profile rsa.yaml csc-rsa "$BASE" rsa-1 client)
P_EC=$(profile ec.yaml csc-ec "$BASE" ec-1 user)
P_PSS=$(profile pss.yaml csc-pss "$BASE" rsa-1 client "signature:
  padding: pss")
printf 'data for the csc test\n' >"$TEST_TMP/data.bin"

# ---------------------------------------------------------------------------------------------
note "PDF and .p7s with RSA, RSASSA-PSS and EC credentials"
for p in "$P_RSA" "$P_EC" "$P_PSS"; do
  n=$(basename "$p" .yaml)
  x 0 esign sign "$PDFS/classic.pdf" --profile "$p" -o "$TEST_TMP/$n.pdf"
  pdfsig_valid "$TEST_TMP/$n.pdf" 1
  x 0 esign verify "$TEST_TMP/$n.pdf" --trust "$PKI/root.pem"
  x 0 esign sign "$TEST_TMP/data.bin" --profile "$p" -o "$TEST_TMP/$n.p7s"
  p7s_ok "$TEST_TMP/$n.p7s" "$TEST_TMP/data.bin" "$PKI/root.pem"
  x 0 esign verify "$TEST_TMP/$n.p7s" --data "$TEST_TMP/data.bin" --trust "$PKI/root.pem"
done
openssl cms -cmsout -print -inform DER -in "$TEST_TMP/pss.p7s" | grep -q rsassaPss ||
  fail "the PSS profile did not make an RSASSA-PSS signature"

note "ECDSA values returned as raw r||s are re-encoded as DER"
start_server raw --ecdsa-raw
RAW=$URL
P_RAW=$(profile raw.yaml csc-raw "$RAW" ec-1 user)
x 0 esign sign "$PDFS/classic.pdf" --profile "$P_RAW" -o "$TEST_TMP/raw.pdf"
pdfsig_valid "$TEST_TMP/raw.pdf" 1
x 0 esign sign "$TEST_TMP/data.bin" --profile "$P_RAW" -o "$TEST_TMP/raw.p7s"
p7s_ok "$TEST_TMP/raw.p7s" "$TEST_TMP/data.bin" "$PKI/root.pem"

note "credential selection"
P_SOLO=$(profile solo.yaml csc-solo "$BASE" "" user:solo)
x 0 esign sign "$TEST_TMP/data.bin" --profile "$P_SOLO" -o "$TEST_TMP/solo.p7s"
p7s_ok "$TEST_TMP/solo.p7s" "$TEST_TMP/data.bin" "$PKI/root.pem"
P_MANY=$(profile many.yaml csc-many "$BASE" "" user)
x 2 esign sign "$TEST_TMP/data.bin" --profile "$P_MANY" -o "$TEST_TMP/many.p7s"
expect_stderr_contains "set key.credential_id to one of: rsa-1, ec-1"
expect_no_file "$TEST_TMP/many.p7s"

# ---------------------------------------------------------------------------------------------
note "a wrong PIN: exit 2, a clear message, no output, one attempt only (bulk included)"
P_BAD=$(profile bad.yaml csc-bad "$BASE" rsa-1 client)
sed -i 's/env:CSC_PIN/env:CSC_BAD_PIN/' "$P_BAD"
before=$(stats main | jq .bad_pin)
x 2 esign sign "$PDFS/classic.pdf" --profile "$P_BAD" -o "$TEST_TMP/bad.pdf"
expect_stderr_contains "wrong PIN"
expect_no_file "$TEST_TMP/bad.pdf"
[ -z "$(find "$TEST_TMP" -maxdepth 1 -name '.*esign-tmp*')" ] || fail "a temporary output was left behind"
mkdir -p "$TEST_TMP/bad-in"
for i in 1 2 3 4 5 6; do cp "$PDFS/classic.pdf" "$TEST_TMP/bad-in/d$i.pdf"; done
x 1 esign bulk "$TEST_TMP/bad-in" --profile "$P_BAD" --out-dir "$TEST_TMP/bad-out" --jobs 3
expect_stderr_contains "wrong PIN"
[ "$(stats main | jq .bad_pin)" = $((before + 2)) ] ||
  fail "a wrong PIN was tried more than once per process: $(stats main | jq .bad_pin) after $before"

# ---------------------------------------------------------------------------------------------
note "an OTP credential: login --otp, status, sign without asking, logout"
P_OTP=$(profile otp.yaml csc-otp "$BASE" rsa-otp client)
x 2 esign sign "$PDFS/classic.pdf" --profile "$P_OTP" -o "$TEST_TMP/otp0.pdf"
expect_stderr_contains "(run esign login --profile $P_OTP --otp CODE)"
x 2 esign login --profile "$P_OTP" --otp 99999999
expect_stderr_contains "wrong one-time password"
x 0 esign login --status
expect_stdout_contains "no cached logins"

x 0 esign login --profile "$P_OTP" --otp "$OTP"
expect_stdout_contains "logged in to csc for csc-otp until "
expect_stdout_contains "token + SAD for 10 signatures"
logins=$XDG_STATE_HOME/esign/logins
cache=$(find "$logins" -type f)
[ "$(wc -l <<<"$cache")" = 1 ] || fail "expected one login cache file, found: $cache"
[ "$(stat -c %a "$cache")" = 600 ] || fail "the login cache file has mode $(stat -c %a "$cache"), not 600"
[ "$(stat -c %a "$logins")" = 700 ] || fail "the login cache folder has mode $(stat -c %a "$logins"), not 700"
authorizations=$(calls main credentials/authorize)
x 0 esign sign "$PDFS/classic.pdf" --profile "$P_OTP" -o "$TEST_TMP/otp1.pdf" </dev/null
pdfsig_valid "$TEST_TMP/otp1.pdf" 1
x 0 esign sign "$TEST_TMP/data.bin" --profile "$P_OTP" -o "$TEST_TMP/otp1.p7s" </dev/null
p7s_ok "$TEST_TMP/otp1.p7s" "$TEST_TMP/data.bin" "$PKI/root.pem"
[ "$(calls main credentials/authorize)" = "$authorizations" ] || fail "signing after login authorized again"
x 0 esign login --status
expect_stdout_contains "PROFILE  SERVICE"
grep -Eq '^csc-otp +csc +[0-9]{4}-[0-9]{2}-[0-9]{2}T' "$LAST_STDOUT" || fail "login --status: no aligned row: $(cat "$LAST_STDOUT")"
expect_stdout_contains "token + SAD for 8 signatures"
x 0 esign --json login --status
jq -e '.logins | length == 1 and .[0].profile == "csc-otp" and .[0].service == "csc" and (.[0].expires | test("Z$"))' \
  "$LAST_STDOUT" >/dev/null || fail "login --status --json: $(cat "$LAST_STDOUT")"
x 0 esign logout --profile "$P_OTP"
expect_stdout_contains "logged out of csc-otp"
expect_no_file "$cache"
x 0 esign logout --profile "$P_OTP"
expect_stdout_contains "no cached login for csc-otp"
x 0 esign login --status
expect_stdout_contains "no cached logins"
x 2 esign sign "$PDFS/classic.pdf" --profile "$P_OTP" -o "$TEST_TMP/otp2.pdf" </dev/null
expect_no_file "$TEST_TMP/otp2.pdf"

note "login usage errors, a login without OTP, a SAD that expires"
x 2 esign login
x 2 esign logout
x 2 esign login --profile "$P_RSA" --otp 123
expect_stderr_contains "does not ask for one-time passwords"
x 0 esign login --profile "$P_RSA"
expect_stdout_contains "logged in to csc for csc-rsa until "
x 0 esign sign "$TEST_TMP/data.bin" --profile "$P_RSA" -o "$TEST_TMP/cached.p7s" --force
p7s_ok "$TEST_TMP/cached.p7s" "$TEST_TMP/data.bin" "$PKI/root.pem"
# A cached token the service no longer knows: one fresh login with the profile's secret.
"$py" -c 'import sys, urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1], b"", method="POST"))' \
  "http://127.0.0.1:$(cat "$TEST_TMP/main.portnum")/_forget"
tokens=$(calls main oauth2/token)
x 0 esign sign "$TEST_TMP/data.bin" --profile "$P_RSA" -o "$TEST_TMP/relogin.p7s"
p7s_ok "$TEST_TMP/relogin.p7s" "$TEST_TMP/data.bin" "$PKI/root.pem"
[ "$(calls main oauth2/token)" = $((tokens + 1)) ] || fail "a refused cached token did not lead to one fresh login"
x 0 esign logout --profile "$P_RSA"
expect_stdout_contains "no cached login for csc-rsa"

note "a refused client secret or password: exit 2"
CSC_SECRET=wrong-secret x 2 esign sign "$TEST_TMP/data.bin" --profile "$P_RSA" -o "$TEST_TMP/wrong1.p7s"
expect_stderr_contains "refused the client credentials or password"
CSC_PASSWORD=wrong-password x 2 esign sign "$TEST_TMP/data.bin" --profile "$P_EC" -o "$TEST_TMP/wrong2.p7s"
expect_stderr_contains "refused the client credentials or password"
expect_no_file "$TEST_TMP/wrong1.p7s" "$TEST_TMP/wrong2.p7s"
start_server short --sad-ttl 2
SHORT=$URL
P_SHORT=$(profile short.yaml csc-short "$SHORT" rsa-otp client)
x 0 esign login --profile "$P_SHORT" --otp "$OTP"
sleep 3
x 2 esign sign "$PDFS/classic.pdf" --profile "$P_SHORT" -o "$TEST_TMP/short.pdf" </dev/null
expect_stderr_contains "--otp CODE"
# With key.otp set, an expired login is no obstacle: the signer authorizes with a fresh OTP.
P_OTPREF=$(profile otpref.yaml csc-otpref "$SHORT" rsa-otp client "  otp: env:CSC_OTP")
x 0 esign sign "$PDFS/classic.pdf" --profile "$P_OTPREF" -o "$TEST_TMP/otpref.pdf"
pdfsig_valid "$TEST_TMP/otpref.pdf" 1

# ---------------------------------------------------------------------------------------------
note "bulk: 30 PDFs in batched signHash calls, authorizations within multisign (SCAL 1 and 2)"
mkdir -p "$TEST_TMP/in"
for i in $(seq -w 1 30); do cp "$PDFS/classic.pdf" "$TEST_TMP/in/doc$i.pdf"; done
P_SCAL2=$(profile scal2.yaml csc-scal2 "$BASE" rsa-scal2 client)
P_ECSCAL2=$(profile ecscal2.yaml csc-ecscal2 "$BASE" ec-scal2 user)
for p in "$P_RSA" "$P_SCAL2" "$P_ECSCAL2"; do
  n=$(basename "$p" .yaml)
  s0=$(stats main)
  x 0 esign bulk "$TEST_TMP/in" --profile "$p" --out-dir "$TEST_TMP/out-$n" --jobs 8
  expect_stdout_contains "30 signed, 0 skipped, 0 failed"
  for f in "$TEST_TMP/out-$n"/*.pdf; do pdfsig_valid "$f" 1; done
  s1=$(stats main)
  sign_calls=$(($(jq '.calls["signatures/signHash"]' <<<"$s1") - $(jq '.calls["signatures/signHash"] // 0' <<<"$s0")))
  auth_calls=$(($(jq '.calls["credentials/authorize"]' <<<"$s1") - $(jq '.calls["credentials/authorize"] // 0' <<<"$s0")))
  new_auth=$(jq --argjson k "$(jq '.authorize | length' <<<"$s0")" '.authorize[$k:]' <<<"$s1")
  signed=$(jq --argjson k "$(jq '.signHash | length' <<<"$s0")" '.signHash[$k:] | add' <<<"$s1")
  note "$n: 30 documents, $sign_calls signHash calls, $auth_calls authorizations"
  [ "$signed" = 30 ] || fail "$n: signHash signed $signed hashes for 30 documents"
  [ "$sign_calls" -le 15 ] || fail "$n: $sign_calls signHash calls for 30 documents (not batched)"
  [ "$auth_calls" -le "$sign_calls" ] || fail "$n: $auth_calls authorizations for $sign_calls signHash calls"
  jq -e 'all(.[]; .numSignatures <= 10)' <<<"$new_auth" >/dev/null || fail "$n: an authorization beyond multisign: $new_auth"
  if [ "$n" != rsa ]; then
    jq -e 'all(.[]; .hashes == .numSignatures)' <<<"$new_auth" >/dev/null ||
      fail "$n: SCAL 2 authorizations without their hashes: $new_auth"
  fi
done

# ---------------------------------------------------------------------------------------------
note "bulk pipeline: batch size independent of --jobs; signing.max_in_flight above 1 refused"
mkdir -p "$TEST_TMP/in60"
for i in $(seq -w 1 60); do cp "$PDFS/classic.pdf" "$TEST_TMP/in60/doc$i.pdf"; done
start_server wide --multisign 100
P_WIDE=$(profile wide.yaml csc-wide "$URL" rsa-1 client)
x 0 esign bulk "$TEST_TMP/in60" --profile "$P_WIDE" --out-dir "$TEST_TMP/out-wide" --jobs 2
expect_stdout_contains "60 signed, 0 skipped, 0 failed"
for f in "$TEST_TMP/out-wide"/*.pdf; do pdfsig_valid "$f" 1; done
sizes=$(stats wide | jq -c '.signHash')
note "60 documents, --jobs 2: signHash batches $sizes"
[ "$(jq 'add' <<<"$sizes")" = 60 ] || fail "signHash signed $(jq 'add' <<<"$sizes") hashes for 60 documents"
[ "$(jq 'length' <<<"$sizes")" -le 6 ] || fail "60 documents took $(jq 'length' <<<"$sizes") signHash calls with --jobs 2"
[ "$(jq 'max' <<<"$sizes")" -gt 2 ] || fail "batches were no larger than --jobs: $sizes"
P_FLIGHT=$(profile flight.yaml csc-flight "$URL" rsa-1 client)
printf 'signing:\n  max_in_flight: 4\n' >>"$P_FLIGHT"
x 2 esign bulk "$TEST_TMP/in60" --profile "$P_FLIGHT" --out-dir "$TEST_TMP/out-flight"
expect_stderr_contains "signing.max_in_flight"
P_BIG=$(profile big.yaml csc-big "$URL" rsa-1 client)
printf 'signing:\n  max_batch: 500\n' >>"$P_BIG"
x 2 esign bulk "$TEST_TMP/in60" --profile "$P_BIG" --out-dir "$TEST_TMP/out-big"
expect_stderr_contains "multisign"

note "a hash the service refuses fails only its document"
start_server refuse --multisign 100 --reject-hash 7
P_REFUSE=$(profile refuse.yaml csc-refuse "$URL" rsa-1 client)
x 1 esign bulk "$TEST_TMP/in" --profile "$P_REFUSE" --out-dir "$TEST_TMP/out-refuse" --jobs 2 \
  --report "$TEST_TMP/refuse.json"
expect_stdout_contains "29 signed, 0 skipped, 1 failed"
jq -e '[.files[] | select(.status == "failed")] | length == 1' "$TEST_TMP/refuse.json" >/dev/null ||
  fail "not exactly one failed item: $(jq -c '[.files[] | select(.status == "failed")]' "$TEST_TMP/refuse.json")"
jq -e '.files[] | select(.status == "failed") | .error | test("Invalid hash")' "$TEST_TMP/refuse.json" >/dev/null ||
  fail "the failed item does not name the service's refusal"
[ "$(find "$TEST_TMP/out-refuse" -name '*.pdf' | wc -l)" = 29 ] || fail "not 29 outputs"
for f in "$TEST_TMP/out-refuse"/*.pdf; do pdfsig_valid "$f" 1; done
refused=$(stats refuse | jq '.refused_batches')
note "one refused hash among 30: $refused refused requests, $(calls refuse signatures/signHash) signHash calls"
[ "$refused" -le 8 ] || fail "$refused refused requests to isolate one hash among 30"

note "a service that takes fewer hashes per request than it announced"
start_server few --multisign 100 --max-hashes 8
P_FEW=$(profile few.yaml csc-few "$URL" rsa-1 client)
x 0 esign bulk "$TEST_TMP/in60" --profile "$P_FEW" --out-dir "$TEST_TMP/out-few" --jobs 2
expect_stdout_contains "60 signed, 0 skipped, 0 failed"
for f in "$TEST_TMP/out-few"/*.pdf; do pdfsig_valid "$f" 1; done
[ "$(stats few | jq '.signHash | max')" -le 8 ] || fail "a signHash call beyond the service's limit passed"
[ "$(stats few | jq '.refused_batches')" -le 6 ] ||
  fail "$(stats few | jq '.refused_batches') refused requests: the signer did not keep to the size that passed"

note "a SAD that expires mid-job: authorized again (OTP from key.otp), every document signed"
start_server expiring --multisign 100 --sad-expire-after-calls 2
P_EXP=$(profile expiring.yaml csc-expiring "$URL" rsa-otp client "  otp: env:CSC_OTP")
printf 'signing:\n  max_batch: 5\n' >>"$P_EXP"
x 0 esign bulk "$TEST_TMP/in" --profile "$P_EXP" --out-dir "$TEST_TMP/out-expiring" --jobs 2
expect_stdout_contains "30 signed, 0 skipped, 0 failed"
for f in "$TEST_TMP/out-expiring"/*.pdf; do pdfsig_valid "$f" 1; done
[ "$(stats expiring | jq '.signHash | max')" -le 5 ] || fail "signing.max_batch was not kept"
auths=$(calls expiring credentials/authorize)
[ "$auths" -ge 3 ] || fail "$auths authorizations: the expired SAD was not replaced"

note "SIGKILL during a batch, then resume: every document signed once, every output valid"
start_server slow --multisign 100 --delay-ms 400
P_SLOW=$(profile slow.yaml csc-slow "$URL" rsa-1 client)
printf 'signing:\n  max_batch: 10\n' >>"$P_SLOW"
"$ESIGN" bulk "$TEST_TMP/in60" --profile "$P_SLOW" --out-dir "$TEST_TMP/out-slow" --jobs 2 \
  >"$TEST_TMP/slow1.out" 2>&1 &
bulk_pid=$!
on_exit "kill -9 $bulk_pid 2>/dev/null"
for ((i = 0; i < 200; i++)); do
  [ "$(calls slow signatures/signHash)" -ge 2 ] && break
  sleep 0.05
done
kill -9 "$bulk_pid" 2>/dev/null || fail "bulk ended before it could be killed"
wait "$bulk_pid" 2>/dev/null || true
first=$(find "$TEST_TMP/out-slow" -name '*.pdf' | wc -l)
note "killed with $first outputs in place"
[ "$first" -lt 60 ] || fail "bulk finished before the kill"
x 0 esign bulk "$TEST_TMP/in60" --profile "$P_SLOW" --out-dir "$TEST_TMP/out-slow" --jobs 2
expect_stdout_contains "0 failed"
[ "$(find "$TEST_TMP/out-slow" -name '*.pdf' | wc -l)" = 60 ] || fail "not 60 outputs after the resume"
[ -z "$(find "$TEST_TMP/out-slow" -name '.*esign-tmp*')" ] || fail "a temporary output was left behind"
for f in "$TEST_TMP/out-slow"/*.pdf; do pdfsig_valid "$f" 1; done
x 0 esign audit jobs --json
jq -e '.jobs | max_by(.id) | .done == 60 and .failed == 0 and .pending == 0' "$LAST_STDOUT" >/dev/null ||
  fail "the ledger does not record 60 done items: $(jq -c '.' "$LAST_STDOUT")"

note "a non-loopback http:// base_url is refused"
P_HTTP=$(profile http.yaml csc-http "http://example.com/csc/v2" rsa-1 client)
x 2 esign sign "$TEST_TMP/data.bin" --profile "$P_HTTP" -o "$TEST_TMP/http.p7s"
expect_stderr_contains "https://"
expect_no_file "$TEST_TMP/http.p7s"
x 2 esign login --profile "$P_HTTP"

# ---------------------------------------------------------------------------------------------
note "no secret in outputs, the ledger or request lines"
secrets_file=$TEST_TMP/secrets
{
  printf '%s\n' "$PIN" "$OTP" "$CLIENT_SECRET" "$PASSWORD" 11112222
  for s in main raw short wide refuse few expiring slow; do stats "$s" | jq -r '.issued[]'; done
} >"$secrets_file"
[ "$(wc -l <"$secrets_file")" -gt 10 ] || fail "the servers issued too few tokens and SADs to check"
for f in "$TRANSCRIPT" "$TEST_TMP"/main.log "$TEST_TMP"/raw.log "$TEST_TMP"/short.log; do
  if hit=$(grep -aoFf "$secrets_file" "$f" | head -n1) && [ -n "$hit" ]; then
    fail "a secret appears in $(basename "$f")"
  fi
done
dump=$TEST_TMP/ledger.dump
for db in "$LEDGER_DIR"/*.db; do sqlite3 "$db" .dump; done >"$dump" 2>/dev/null || true
[ -s "$dump" ] || fail "no ledger found under $LEDGER_DIR"
if grep -qaFf "$secrets_file" "$dump" || grep -rqaFf "$secrets_file" "$LEDGER_DIR"; then
  fail "a secret appears in the ledger"
fi
grep -q '^POST /csc/v2/signatures/signHash HTTP' "$TEST_TMP/main.log" || fail "the request log has no signHash line"
