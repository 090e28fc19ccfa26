#!/usr/bin/env bash
# `esign stamp` for files that are not PDFs, against tests/support/tsa_server.py (a loopback
# TEST TSA answering with `openssl ts -reply`): every .tsr passes `openssl ts -verify`; basic
# auth and policy from a profile; rejections, replayed or foreign answers, bad credentials, an
# untrusted TSA and an unreachable one all exit 2 with one line and leave no output; each stamp
# is an audit event.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

py=/usr/bin/python3
[ -x "$py" ] || skip "$py is not installed"
need_tool openssl jq
export ESIGN_LEDGER=$TEST_TMP/ledger.db
TSA_USER=asha TSA_PASSWORD=tsa-secret-0042


# requests NAME: how many POSTs the TSA NAME received.
requests() {
  "$py" -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())' \
    "http://127.0.0.1:$(cat "$TEST_TMP/$1.portnum")/_stats" | jq .requests
}

# tsr_ok DATA TSR [CHAIN]: the referee accepts TSR as a time-stamp response over DATA.
tsr_ok() {
  local out
  out=$(openssl ts -verify -data "$1" -in "$2" -CAfile "${3:-$PKI/chain.pem}" 2>&1) ||
    fail "openssl ts -verify rejects $2:
$out"
  grep -q '^Verification: OK' <<<"$out" || fail "openssl ts -verify says: $out"
}

start_tsa tsa "$PKI/tsa.key.pem" "$PKI/tsa.cert.pem" "$PKI/chain.pem"
main_url=$TSA_URL

mkdir "$TEST_TMP/w"
cd "$TEST_TMP/w"
printf 'minutes of the meeting\n' >notes.txt
remember notes.txt

note "a text file with --tsa"
expect_exit 0 esign stamp notes.txt --tsa "$main_url/tsa"
expect_stdout_contains "stamped notes.txt -> notes.txt.tsr"
expect_stdout_contains "CN=Test TSA"
tsr_ok notes.txt notes.txt.tsr
expect_unchanged notes.txt
expect_dir_contents . notes.txt notes.txt.tsr
# (openssl.cnf may name the test policies 1.2.3.4.1 and .2 tsa_policy1 and tsa_policy2.)
openssl ts -reply -in notes.txt.tsr -text 2>/dev/null | grep -qE 'Policy OID: (1\.2\.3\.4\.1|tsa_policy1)$' ||
  fail "the token does not carry the TSA's default policy"
openssl ts -reply -in notes.txt.tsr -text 2>/dev/null | grep -qE 'Nonce: 0x[0-9A-F]+' ||
  fail "the request had no nonce"

note "esign verify checks a .tsr against the data beside it"
expect_exit 0 esign --json verify notes.txt.tsr --trust "$PKI/root.pem"
grep -q '"timestamp_time": "20' "$LAST_STDOUT" || fail "verify of notes.txt.tsr reports no time"
cp notes.txt notes.orig
printf 'changed\n' >>notes.txt
expect_exit 1 esign verify notes.txt.tsr --trust "$PKI/root.pem"
expect_exit 1 esign verify notes.txt.tsr --trust "$PKI/untrusted-root.pem"
mv notes.orig notes.txt

note "an existing output is kept without --force, and the TSA is not asked"
before=$(requests tsa)
remember notes.txt.tsr
expect_exit 2 esign stamp notes.txt --tsa "$main_url/tsa"
expect_stderr_contains "notes.txt.tsr"
expect_stderr_contains "--force"
expect_unchanged notes.txt.tsr
[ "$(requests tsa)" = "$before" ] || fail "the TSA was asked although the output exists"
expect_exit 0 esign -q stamp notes.txt --tsa "$main_url/tsa" --force
[ ! -s "$LAST_STDOUT" ] || fail "--quiet printed: $(cat "$LAST_STDOUT")"
tsr_ok notes.txt notes.txt.tsr
expect_dir_contents . notes.txt notes.txt.tsr

note "a 50 MB file is streamed"
head -c $((50 * 1024 * 1024)) /dev/urandom >big.bin
/usr/bin/time -f '%M' -o big.rss "$ESIGN" stamp big.bin --tsa "$main_url/tsa" -o big.tsr >/dev/null 2>big.err ||
  fail "stamping big.bin failed: $(cat big.err)"
tsr_ok big.bin big.tsr
rss_kb=$(tail -n1 big.rss)
note "RSS ${rss_kb} KiB"
# AddressSanitizer's shadow memory and quarantine add a fixed ~100 MB: a larger allowance there.
limit_kb=$((40 * 1024))
[ -n "${ASAN_OPTIONS:-}" ] && limit_kb=$((256 * 1024))
[ "$rss_kb" -lt "$limit_kb" ] || fail "stamping 50 MB used ${rss_kb} KiB of memory"
rm big.bin big.tsr big.rss big.err

note "stdin to stdout, and several files"
esign stamp - --tsa "$main_url/tsa" <notes.txt >stdin.tsr 2>stdin.err || fail "stamp - failed: $(cat stdin.err)"
tsr_ok notes.txt stdin.tsr
printf 'a\n' >a.txt
printf 'b\n' >b.txt
expect_exit 0 esign --json stamp a.txt b.txt --tsa "$main_url/tsa"
[ "$(jq -r '[.files[].status] | join(",")' "$LAST_STDOUT")" = stamped,stamped ] || fail "json: $(cat "$LAST_STDOUT")"
[ "$(jq -r '.files[0].input_sha256' "$LAST_STDOUT")" = "$(sha256sum <a.txt | cut -d' ' -f1)" ] ||
  fail "json input_sha256 is not the file's"
tsr_ok a.txt a.txt.tsr
tsr_ok b.txt b.txt.tsr
rm stdin.tsr stdin.err a.txt b.txt a.txt.tsr b.txt.tsr

note "a profile: basic auth, a password file, a policy, the TSA chain"
printf '%s\n' "$TSA_PASSWORD" >"$TEST_TMP/tsa-password.txt"
printf 'wrong-password\n' >"$TEST_TMP/bad-password.txt"
cat >"$TEST_TMP/tsa.yaml" <<YAML
name: test-tsa
key:
  source: pkcs12
  path: $PKI/rsa.p12
  password: file:$PKI/p12-password.txt
timestamp:
  url: $main_url/auth/tsa
  username: $TSA_USER
  password: file:tsa-password.txt
  policy: 1.2.3.4.2
  trust: $PKI/chain.pem
YAML
sed 's/tsa-password.txt/bad-password.txt/' "$TEST_TMP/tsa.yaml" >"$TEST_TMP/bad.yaml"
sed '/^timestamp:/,$d' "$TEST_TMP/tsa.yaml" >"$TEST_TMP/none.yaml"
expect_exit 0 esign stamp notes.txt --profile "$TEST_TMP/tsa.yaml" -o auth.tsr
tsr_ok notes.txt auth.tsr
openssl ts -reply -in auth.tsr -text 2>/dev/null | grep -qE 'Policy OID: (1\.2\.3\.4\.2|tsa_policy2)$' ||
  fail "the requested policy is not in the token"

expect_exit 2 esign stamp notes.txt --profile "$TEST_TMP/bad.yaml" -o bad.tsr
expect_stderr_contains "$main_url/auth/tsa"
expect_stderr_contains "refused the credentials"
expect_stderr_lacks "wrong-password"
expect_stderr_lacks "$TSA_PASSWORD"
expect_no_file bad.tsr
expect_exit 2 esign stamp notes.txt --tsa "$main_url/auth/tsa" -o bad.tsr
expect_stderr_contains "requires authentication"
expect_no_file bad.tsr
expect_exit 2 esign stamp notes.txt --profile "$TEST_TMP/none.yaml"
expect_stderr_contains "no timestamp: section"

note "refusals and answers that fail the client's checks leave nothing behind"
expect_exit 2 esign stamp notes.txt --tsa "$main_url/reject" -o x.tsr
expect_stderr_contains "$main_url/reject"
expect_stderr_contains "request rejected by the test TSA"
expect_stderr_contains "badRequest"
expect_exit 2 esign stamp notes.txt --tsa "$main_url/wrong-nonce" -o x.tsr
expect_stderr_contains "nonce"
expect_exit 2 esign stamp notes.txt --tsa "$main_url/wrong-imprint" -o x.tsr
expect_stderr_contains "imprint"
expect_exit 2 esign stamp notes.txt --tsa "$main_url/garbage" -o x.tsr
expect_stderr_contains "not an RFC 3161 TimeStampResp"
expect_dir_contents . notes.txt notes.txt.tsr auth.tsr

note "a TSA from an untrusted root"
# A TSA certificate like the real one (critical timeStamping EKU), issued by the untrusted root.
cat >"$TEST_TMP/tsa-ext.cnf" <<'CNF'
[ e ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
CNF
openssl req -new -key "$PKI/ocsp.key.pem" -subj "/CN=Untrusted TSA" -out "$TEST_TMP/rogue.csr" 2>/dev/null
openssl x509 -req -in "$TEST_TMP/rogue.csr" -CA "$PKI/untrusted-root.pem" -CAkey "$PKI/untrusted-root.key.pem" \
  -CAcreateserial -CAserial "$TEST_TMP/rogue.srl" -days 30 -extfile "$TEST_TMP/tsa-ext.cnf" -extensions e \
  -out "$TEST_TMP/rogue.pem" 2>/dev/null
start_tsa rogue "$PKI/ocsp.key.pem" "$TEST_TMP/rogue.pem" "$PKI/untrusted-root.pem"
sed "s|$main_url/auth/tsa|$TSA_URL/auth/tsa|" "$TEST_TMP/tsa.yaml" >"$TEST_TMP/rogue.yaml"
expect_exit 2 esign stamp notes.txt --profile "$TEST_TMP/rogue.yaml" -o rogue.tsr
expect_stderr_contains "Untrusted TSA"
expect_stderr_contains "not trusted"
expect_no_file rogue.tsr
# Without timestamp.trust the client checks all but the path; the referee then refuses it.
expect_exit 0 esign stamp notes.txt --tsa "$TSA_URL/tsa" -o rogue.tsr
if openssl ts -verify -data notes.txt -in rogue.tsr -CAfile "$PKI/chain.pem" >/dev/null 2>&1; then
  fail "openssl ts -verify accepts a token from the untrusted TSA"
fi
tsr_ok notes.txt rogue.tsr "$PKI/untrusted-root.pem"
rm rogue.tsr

note "an unreachable TSA fails fast"
closed=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
start=$(date +%s)
expect_exit 2 esign stamp notes.txt --tsa "http://127.0.0.1:$closed/tsa" -o x.tsr
[ $(($(date +%s) - start)) -lt 10 ] || fail "an unreachable TSA took more than 10 s"
expect_stderr_contains "http://127.0.0.1:$closed/tsa"
expect_stderr_contains "connect"
expect_no_file x.tsr
expect_exit 2 esign stamp notes.txt --tsa "http://tsa.example.com/tsa" -o x.tsr
expect_stderr_contains "https://"

note "a PDF gets a document timestamp (stamp_pdf; its content is tested with the PDF signing tests)"
pdf=$(copy_fixture "$PDFS/classic.pdf")
remember "$pdf"
expect_exit 0 esign stamp "$pdf" --tsa "$main_url/tsa"
expect_stdout_contains "classic.stamped.pdf"
expect_file "$TEST_TMP/classic.stamped.pdf"
expect_unchanged "$pdf"
if command -v qpdf >/dev/null 2>&1; then qpdf_ok "$TEST_TMP/classic.stamped.pdf"; fi
grep -qa '/DocTimeStamp' "$TEST_TMP/classic.stamped.pdf" || fail "no /DocTimeStamp in the stamped PDF"
expect_exit 2 esign stamp "$pdf" --tsa "$main_url/reject" -o "$TEST_TMP/rejected.pdf"
expect_stderr_contains "request rejected by the test TSA"
expect_no_file "$TEST_TMP/rejected.pdf"

note "usage"
expect_exit 2 esign stamp notes.txt
expect_exit 2 esign stamp notes.txt --tsa "$main_url/tsa" --profile "$TEST_TMP/tsa.yaml"
expect_exit 2 esign stamp notes.txt notes.txt --tsa "$main_url/tsa" -o one.tsr
expect_exit 2 esign stamp missing.txt --tsa "$main_url/tsa"
expect_stderr_contains "missing.txt"
expect_no_file missing.txt.tsr

note "audit events"
expect_exit 0 esign --json audit log
events=$LAST_STDOUT
jq -e --arg sha "$(sha256sum <notes.txt | cut -d' ' -f1)" --arg fp "$(openssl x509 -in "$PKI/tsa.cert.pem" -outform DER | sha256sum | cut -d' ' -f1)" \
  '[.events[] | select(.operation == "stamp" and .outcome == "ok" and .input_sha256 == $sha and .signer_fingerprint == $fp
     and (.output_path | endswith("/notes.txt.tsr")))] | length >= 2' "$events" >/dev/null ||
  fail "no ok stamp event for notes.txt: $(cat "$events")"
jq -e '[.events[] | select(.operation == "stamp" and .outcome == "failed" and (.detail | contains("nonce")))] | length == 1' \
  "$events" >/dev/null || fail "no failed stamp event for the wrong nonce"
jq -e '[.events[] | select(.profile == "test-tsa")] | length >= 1' "$events" >/dev/null || fail "no event names the profile"
grep -qF "$TSA_PASSWORD" "$ESIGN_LEDGER" && fail "the TSA password is in the ledger"
expect_exit 0 esign audit verify
