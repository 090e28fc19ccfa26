#!/usr/bin/env bash
# One guarded path for every use of a profile's key. A require_login profile is refused without an
# operator session for sign, decrypt, stamp (with the profile) and certs export, before any key or
# secret is opened; each refusal is an audit event ("refused"). With a signer's session each of
# them works and its audit event names the operator (openssl agrees with what was made). Sessions
# are per operator: an admin logging in from the same account does not end the signer's session;
# --as and ESIGN_USER choose; a session file cannot be forged or moved to another name. An admin
# may manage (certs export) a profile but not use its key without the signer role.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
need_tool jq openssl

export ESIGN_LEDGER=$TEST_TMP/ledger.db
mkdir -p "$XDG_CONFIG_HOME/esign"
printf 'auth:\n  password:\n    scrypt_log2_n: 10\n' >"$XDG_CONFIG_HOME/esign/config.yaml"
sessions=$XDG_STATE_HOME/esign/sessions
W=$TEST_TMP/work
mkdir -p "$W"
start_tsa tsa

ADMIN_PW='admin password one'
SIGNER_PW='signer password one'
as() {
  local user=$1 pw=$2
  shift 2
  printf '%s\n' "$pw" | expect_exit 0 esign login --user "$user" --password-stdin "$@"
}

# Two require_login profiles on the fixture keys: one that signs (and names a TSA), one that decrypts.
cat >"$W/seal.yaml" <<YAML
name: seal
key:
  source: pkcs12
  path: $PKI/rsa.p12
  password: file:$PKI/p12-password.txt
timestamp:
  url: $TSA_URL/auth/tsa
  username: $TSA_USER
  password: env:TSA_PASSWORD
require_login: true
YAML
cat >"$W/box.yaml" <<YAML
name: box
key:
  source: pkcs12
  path: $PKI/nokeyusage.p12
  password: file:$PKI/p12-password.txt
require_login: true
YAML
export TSA_PASSWORD
printf 'a contract\n' >"$W/data.txt"
remember "$W/data.txt"
expect_exit 0 esign encrypt "$W/data.txt" --recipient "$PKI/nokeyusage.cert.pem" -o "$W/data.txt.p7m"

printf '%s\n' "$ADMIN_PW" | expect_exit 0 esign users add root --role admin --password-stdin
as root "$ADMIN_PW"
printf '%s\n' "$SIGNER_PW" | expect_exit 0 esign users add sam --role signer --password-stdin
printf '%s\n' "auditor password one" | expect_exit 0 esign users add audrey --role auditor --password-stdin
expect_exit 0 esign logout

note "no session: every key use of a require_login profile is refused, and recorded"
expect_exit 2 esign sign "$W/data.txt" --profile "$W/seal.yaml" -o "$W/none.p7s"
expect_stderr_contains "requires an operator login"
expect_stderr_contains "esign login --user NAME"
expect_exit 2 esign decrypt "$W/data.txt.p7m" --profile "$W/box.yaml" -o "$W/none.txt"
expect_stderr_contains "requires an operator login"
expect_exit 2 esign stamp "$W/data.txt" --profile "$W/seal.yaml" -o "$W/none.tsr"
expect_stderr_contains "requires an operator login"
expect_exit 2 esign certs export --profile "$W/seal.yaml" -o "$W/none.pem"
expect_stderr_contains "requires an operator login"
expect_no_file "$W/none.p7s" "$W/none.txt" "$W/none.tsr" "$W/none.pem"
expect_unchanged "$W/data.txt"

note "a signer's session: sign, decrypt, stamp and certs export work and name the operator"
as sam "$SIGNER_PW"
expect_exit 0 esign sign "$W/data.txt" --profile "$W/seal.yaml" -o "$W/sam.p7s"
openssl cms -verify -binary -inform DER -in "$W/sam.p7s" -content "$W/data.txt" -CAfile "$PKI/root.pem" \
  -purpose any -out /dev/null 2>/dev/null || fail "openssl rejects the signature sam made"
expect_exit 0 esign decrypt "$W/data.txt.p7m" --profile "$W/box.yaml" -o "$W/sam.txt"
cmp "$W/sam.txt" "$W/data.txt" || fail "decrypt gave something else"
expect_exit 0 esign stamp "$W/data.txt" --profile "$W/seal.yaml" -o "$W/sam.tsr"
openssl ts -verify -data "$W/data.txt" -in "$W/sam.tsr" -CAfile "$PKI/root.pem" >/dev/null 2>&1 ||
  fail "openssl ts -verify rejects the time-stamp"
expect_exit 0 esign certs export --profile "$W/seal.yaml" -o "$W/sam.pem"
openssl x509 -in "$W/sam.pem" -noout 2>/dev/null || fail "certs export wrote no certificate"

note "an admin logs in from the same account: the signer's session stays"
as root "$ADMIN_PW"
expect_exit 0 esign login --status
expect_stdout_contains "operator root logged in"
expect_stdout_contains "sessions here: root, sam"
# root (admin, not a signer) may manage the profile, not use its key.
expect_exit 0 esign certs export --profile "$W/seal.yaml" -o "$W/root.pem"
expect_exit 2 esign sign "$W/data.txt" --profile "$W/seal.yaml" -o "$W/root.p7s"
expect_stderr_contains "operator root does not have the signer role"
# sam's session, chosen by --as or ESIGN_USER, still signs.
expect_exit 0 esign --as sam sign "$W/data.txt" --profile "$W/seal.yaml" -o "$W/sam2.p7s"
ESIGN_USER=sam expect_exit 0 esign --json login --status
jq -e '.operator.user == "sam" and .operators_here == ["root", "sam"]' "$LAST_STDOUT" >/dev/null ||
  fail "ESIGN_USER=sam login --status: $(cat "$LAST_STDOUT")"
expect_exit 2 esign --as audrey sign "$W/data.txt" --profile "$W/seal.yaml" -o "$W/audrey.p7s"
expect_stderr_contains "operator audrey is not logged in here"
expect_exit 2 esign --as ../root sign "$W/data.txt" --profile "$W/seal.yaml" -o "$W/bad.p7s"
expect_stderr_contains "a user name is 1-32 characters"
expect_no_file "$W/root.p7s" "$W/audrey.p7s" "$W/bad.p7s"

note "a session file cannot be forged or filed under another name"
cp "$sessions/root" "$TEST_TMP/root.token"
cp "$sessions/root" "$sessions/audrey"  # root's token filed as audrey's
expect_exit 2 esign --as audrey certs export --profile "$W/seal.yaml" -o "$W/forged.pem"
expect_stderr_contains "holds another operator's session"
printf '%064x\n' 42 >"$sessions/audrey"  # a made-up token
expect_exit 2 esign --as audrey certs export --profile "$W/seal.yaml" -o "$W/forged.pem"
expect_stderr_contains "has ended or belongs to another ledger"
expect_no_file "$W/forged.pem"
rm -f "$sessions/audrey"

note "logging root out leaves sam's session, which is then the one in effect"
expect_exit 0 esign logout
expect_stdout_contains "logged out root"
expect_exit 0 esign sign "$W/data.txt" --profile "$W/seal.yaml" -o "$W/sam3.p7s"

note "the audit log names the operator of every operation"
as audrey "auditor password one"
expect_exit 0 esign --json audit log
for op in sign decrypt stamp certs-export; do
  jq -e --arg op "$op" '[.events[] | select(.operation == $op and .outcome == "ok" and .user == "sam" and .profile != "")] | length >= 1' \
    "$LAST_STDOUT" >/dev/null || fail "no ok $op event naming sam"
  jq -e --arg op "$op" '[.events[] | select(.operation == $op and .outcome == "refused" and (.detail | test("requires an operator login")))] | length >= 1' \
    "$LAST_STDOUT" >/dev/null || fail "no refused $op event"
done
jq -e '[.events[] | select(.operation == "certs-export" and .outcome == "ok" and .user == "root")] | length == 1' \
  "$LAST_STDOUT" >/dev/null || fail "the admin's export does not name root"
jq -e '[.events[] | select(.operation == "sign" and .outcome == "refused" and (.detail | test("root does not have the signer role")))] | length == 1' \
  "$LAST_STDOUT" >/dev/null || fail "the admin's refused sign is not recorded"
jq -e '[.events[] | select(.operation == "sign" and .outcome == "ok" and .user == "sam")] | length == 3' \
  "$LAST_STDOUT" >/dev/null || fail "expected three signatures by sam"
expect_exit 0 esign audit verify
