#!/usr/bin/env bash
# Operator accounts through the binary, secrets on stdin: the first admin, users add/list/show,
# login/status/logout (session file 0600), password policy (short, reused), one message for an
# unknown user and a wrong password, lockout after 5 failures (the right password refused while
# locked) and admin unlock, disabled and dormant accounts, TOTP enrollment (--json + --confirm) with codes
# from oathtool (one step off accepted, two refused, a replay refused), recovery codes used once,
# a role that requires 2FA, the session limit and --force, session expiry and idle timeout (short
# ones from the config file), and a require_login profile: refused without a session and for a
# non-signer, refused for an unassigned signer once the profile has assignments, signed for a
# signer (pdfsig accepts it; the user is in the audit event). No password, TOTP secret, recovery
# code or session token is stored in the ledger.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
need_tool oathtool sqlite3 jq pdfsig

export ESIGN_LEDGER=$TEST_TMP/ledger.db
cfg=$XDG_CONFIG_HOME/esign/config.yaml
mkdir -p "$(dirname "$cfg")"
# Each operator has a session file of their own here.
sessions=$XDG_STATE_HOME/esign/sessions
session=$sessions/root

# config [YAML-LINES]: the config file with a cheap scrypt cost (tests only) plus the lines given
# (indented under auth:).
config() {
  printf 'auth:\n  password:\n    scrypt_log2_n: 10\n%s' "${1:-}" >"$cfg"
}
config

ADMIN_PW='admin password one'
SIGNER_PW='signer password one'
AUDITOR_PW='auditor password one'

# as USER PASSWORD [ARGS...]: logs in (expects success).
as() {
  local user=$1 pw=$2
  shift 2
  printf '%s\n' "$pw" | expect_exit 0 esign login --user "$user" --password-stdin "$@"
}
# add USER ROLE PASSWORD: adds a user in the current session (expects success).
add() {
  printf '%s\n' "$3" | expect_exit 0 esign users add "$1" --role "$2" --password-stdin
}
# code SECRET [STEPS]: the TOTP code STEPS time steps from now.
code() {
  oathtool --totp -b "$1" -N "@$(($(date +%s) + 30 * ${2:-0}))"
}
# wait_early_in_step: a fresh 30 s step has begun less than 15 s ago, so that a short run of
# checks sees one "now" step.
wait_early_in_step() {
  while [ $(($(date +%s) % 30)) -ge 15 ]; do sleep 1; done
}

note "the first user: must be an admin, needs no session; later ones need an admin session"
printf '%s\n' "$SIGNER_PW" | expect_exit 2 esign users add sam --role signer --password-stdin
expect_stderr_contains "first user must have the admin role"
add root admin "$ADMIN_PW"
expect_stdout_contains "added user root (admin)"
printf '%s\n' "$SIGNER_PW" | expect_exit 2 esign users add sam --role signer --password-stdin
expect_stderr_contains "needs an admin session"
# Refused before any password is asked for.
expect_exit 2 esign users add sam --role signer </dev/null
expect_stderr_contains "needs an admin session"

note "login, status, users add/list/show, logout"
as root "$ADMIN_PW"
expect_stdout_contains "logged in as root until "
expect_file "$session"
[ "$(stat -c %a "$session")" = 600 ] || fail "the session file has mode $(stat -c %a "$session"), not 600"
expect_exit 0 esign login --status
expect_stdout_contains "operator root logged in until "
expect_stdout_contains "no cached logins"
expect_exit 0 esign --json login --status
jq -e '.operator.user == "root" and .operator.roles == ["admin"] and (.logins | length) == 0' "$LAST_STDOUT" >/dev/null ||
  fail "login --status --json: $(cat "$LAST_STDOUT")"
expect_exit 2 esign users add sam --role signer </dev/null
expect_stderr_contains "stdin is not a terminal: pass the password with --password-stdin"
add sam signer "$SIGNER_PW"
add tess signer "tess password one"
add audrey auditor "$AUDITOR_PW"
expect_exit 0 esign --json users list
jq -e '[.users[].name] == ["audrey", "root", "sam", "tess"] and (.users[] | select(.name == "sam") | .roles == ["signer"] and .status == "active")' \
  "$LAST_STDOUT" >/dev/null || fail "users list --json: $(cat "$LAST_STDOUT")"
expect_exit 0 esign users show sam
expect_stdout_contains "roles:      signer"
expect_exit 0 esign logout
expect_stdout_contains "logged out root"
expect_no_file "$session"
expect_exit 2 esign logout
expect_stderr_contains "no operator is logged in"
expect_exit 2 esign users list
expect_stderr_contains "needs an admin session"
as audrey "$AUDITOR_PW"
expect_exit 0 esign users list
expect_stdout_contains "sam"
printf '%s\n' "new password 123" | expect_exit 2 esign users add eve --role signer --password-stdin
expect_stderr_contains "needs the admin role"

note "password policy: minimum length, not one of the last passwords, both from the config file"
as root "$ADMIN_PW"
printf 'short pw\n' | expect_exit 2 esign users add bob --role signer --password-stdin
expect_stderr_contains "at least 12 characters"
as sam "$SIGNER_PW"
printf '%s\n%s\n' "$SIGNER_PW" "$SIGNER_PW" | expect_exit 2 esign users passwd --password-stdin
expect_stderr_contains "differ from the last 5 passwords"
printf '%s\n%s\n' "not my password" "signer password two" | expect_exit 2 esign users passwd --password-stdin
expect_stderr_contains "current password is wrong"
printf '%s\n%s\n' "$SIGNER_PW" "signer password two" | expect_exit 0 esign users passwd --password-stdin
expect_stdout_contains "changed the password of sam"
printf '%s\n%s\n' "signer password two" "$SIGNER_PW" | expect_exit 2 esign users passwd --password-stdin
expect_stderr_contains "differ from the last 5"
config "    min_length: 24
"
printf '%s\n%s\n' "signer password two" "twenty-three characters" | expect_exit 2 esign users passwd --password-stdin
expect_stderr_contains "at least 24 characters"
# With a history of 1, the password refused above (one of the last 5) is allowed again.
config "    history: 1
"
printf '%s\n%s\n' "signer password two" "$SIGNER_PW" | expect_exit 0 esign users passwd --password-stdin
config
# An unknown key in the config file is an error naming the file and line.
printf 'auth:\n  lockout:\n    attempts: 5\n    forever: true\n' >"$cfg"
expect_exit 2 esign login --status
expect_stderr_contains "$cfg:4"
expect_stderr_contains "auth.lockout.forever"
config

note "one message for an unknown user and a wrong password"
printf 'whatever password\n' | expect_exit 2 esign login --user nosuchuser --password-stdin
unknown=$(cat "$LAST_STDERR")
printf 'wrong password!!\n' | expect_exit 2 esign login --user sam --password-stdin
wrong=$(cat "$LAST_STDERR")
[ "$unknown" = "$wrong" ] || fail "unknown user says '$unknown', wrong password says '$wrong'"
expect_stderr_contains "unknown user or wrong password"

note "lockout after 5 consecutive failures; the right password is refused while locked; admin unlock"
for i in 1 2 3 4; do printf 'wrong password %s\n' "$i" | expect_exit 2 esign login --user sam --password-stdin; done
printf '%s\n' "$SIGNER_PW" | expect_exit 2 esign login --user sam --password-stdin
expect_stderr_contains "account is locked until"
as root "$ADMIN_PW"
expect_exit 0 esign --json users show sam
jq -e '.status == "locked" and .locked_until != null' "$LAST_STDOUT" >/dev/null || fail "users show: $(cat "$LAST_STDOUT")"
expect_exit 0 esign users unlock sam
expect_stdout_contains "unlocked sam"
as sam "$SIGNER_PW"
expect_exit 0 esign --json audit log
jq -e '[.events[] | select(.operation == "lockout" and .user == "sam")] | length == 1' "$LAST_STDOUT" >/dev/null ||
  fail "no lockout event for sam"
jq -e '[.events[] | select(.operation == "unlock" and .user == "root")] | length == 1' "$LAST_STDOUT" >/dev/null ||
  fail "no unlock event by root"
jq -e '[.events[] | select(.operation == "login" and .outcome == "failed")] | length >= 6' "$LAST_STDOUT" >/dev/null ||
  fail "failed logins are not audit events"

note "a disabled account cannot log in"
as root "$ADMIN_PW"
expect_exit 0 esign users disable tess
printf 'tess password one\n' | expect_exit 2 esign login --user tess --password-stdin
expect_stderr_contains "account is disabled"
as root "$ADMIN_PW"
expect_exit 0 esign users enable tess
as tess "tess password one"
printf 'tess password one\n' | expect_exit 2 esign login --user tess --password-stdin --otp 123456
expect_stderr_contains "has no 2FA enrolled"

note "a dormant account (no login for dormant_days) cannot log in until enabled"
config "  dormant_days: 1
"
sqlite3 "$ESIGN_LEDGER" "UPDATE users SET last_seen = last_seen - 2 * 86400, last_login = last_login - 2 * 86400 WHERE name = 'tess'"
printf 'tess password one\n' | expect_exit 2 esign login --user tess --password-stdin
expect_stderr_contains "account is dormant"
as root "$ADMIN_PW"
expect_exit 0 esign --json users show tess
jq -e '.status == "dormant"' "$LAST_STDOUT" >/dev/null || fail "tess is not dormant: $(cat "$LAST_STDOUT")"
expect_exit 0 esign users enable tess
as tess "tess password one"
config

note "TOTP: enroll with --json and --confirm, codes from oathtool"
as sam "$SIGNER_PW"
expect_exit 0 esign --json users totp-enroll sam
enroll=$(cat "$LAST_STDOUT")
secret=$(jq -r .secret <<<"$enroll")
[[ $secret =~ ^[A-Z2-7]{32}$ ]] || fail "the TOTP secret is not 20 bytes of base32: $secret"
[ "$(jq -r .uri <<<"$enroll")" = "otpauth://totp/esign:sam?secret=$secret&issuer=esign" ] || fail "uri: $enroll"
mapfile -t recovery < <(jq -r '.recovery_codes[]' <<<"$enroll")
[ "${#recovery[@]}" = 10 ] || fail "expected 10 recovery codes: $enroll"
expect_exit 0 esign --json users show sam
jq -e '.totp == "pending"' "$LAST_STDOUT" >/dev/null || fail "enrollment not pending: $(cat "$LAST_STDOUT")"
wait_early_in_step
expect_exit 2 esign users totp-enroll sam --confirm "$(code "$secret" -3)"
expect_stderr_contains "wrong one-time code"
# One step back is accepted (and becomes the last used step).
expect_exit 0 esign users totp-enroll sam --confirm "$(code "$secret" -1)"
expect_stdout_contains "2FA enrolled for sam"
expect_exit 0 esign --json users show sam
jq -e '.totp == "enrolled" and .recovery_codes == 10' "$LAST_STDOUT" >/dev/null || fail "not enrolled: $(cat "$LAST_STDOUT")"
expect_exit 0 esign logout
printf '%s\n' "$SIGNER_PW" | expect_exit 2 esign login --user sam --password-stdin
expect_stderr_contains "one-time code is required"
printf '%s\n' "$SIGNER_PW" | expect_exit 2 esign login --user sam --password-stdin --otp "$(code "$secret" 2)"
expect_stderr_contains "wrong one-time code"
printf '%s\n' "$SIGNER_PW" | expect_exit 2 esign login --user sam --password-stdin --otp "$(code "$secret" -2)"
expect_stderr_contains "wrong one-time code"
# The step used at confirmation cannot log in (replay).
printf '%s\n' "$SIGNER_PW" | expect_exit 2 esign login --user sam --password-stdin --otp "$(code "$secret" -1)"
expect_stderr_contains "already used"
# One step ahead is accepted; using it again is a replay.
next=$(code "$secret" 1)
as sam "$SIGNER_PW" --otp "$next"
expect_stdout_contains "logged in as sam"
printf '%s\n' "$SIGNER_PW" | expect_exit 2 esign login --user sam --password-stdin --otp "$next"
expect_stderr_contains "already used"

note "recovery codes work once each"
as sam "$SIGNER_PW" --recovery-code "${recovery[0]}"
expect_stdout_contains "used a recovery code: 9 left"
printf '%s\n' "$SIGNER_PW" | expect_exit 2 esign login --user sam --password-stdin --recovery-code "${recovery[0]}"
expect_stderr_contains "wrong or already used recovery code"
printf '%s\n' "$SIGNER_PW" | expect_exit 2 esign login --user sam --password-stdin --recovery-code "abcd-efgh-ijkl-mnop"
as sam "$SIGNER_PW" --recovery-code "$(tr a-z A-Z <<<"${recovery[1]}")"
expect_stdout_contains "8 left"

note "totp-enroll without --json and without a terminal: URI, QR code, recovery codes, pending"
as tess "tess password one"
expect_exit 0 esign users totp-enroll tess </dev/null
expect_stdout_contains "otpauth://totp/esign:tess?secret="
expect_stdout_contains "████ ▄▄▄▄▄ █"  # quiet zone, then the top of a finder pattern in half blocks
expect_stdout_contains "enrollment pending: confirm with esign users totp-enroll tess --confirm CODE"
[ "$(grep -cE '^  [a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$' "$LAST_STDOUT")" = 10 ] || { _show_last; fail "not 10 recovery codes"; }
expect_exit 2 esign users totp-enroll sam --confirm 123456
expect_stderr_contains "needs the admin role"

note "a role that requires 2FA: its users must enroll at their next login"
config "  require_2fa: [auditor]
"
as audrey "$AUDITOR_PW"
expect_stderr_contains "audrey must enroll 2FA"
expect_exit 2 esign users list
expect_stderr_contains "restricted until 2FA is enrolled"
expect_exit 0 esign --json users totp-enroll audrey
asecret=$(jq -r .secret "$LAST_STDOUT")
expect_exit 0 esign users totp-enroll audrey --confirm "$(code "$asecret")"
expect_exit 0 esign users list
config

note "session limit (2 here) and --force"
# tess's session from this shell stays open (sessions are per operator): end it first.
esign --as tess logout >/dev/null 2>&1 || true
config "  session:
    limit: 2
"
XDG_STATE_HOME=$TEST_TMP/shell1 as tess "tess password one"
XDG_STATE_HOME=$TEST_TMP/shell2 as tess "tess password one"
printf 'tess password one\n' | XDG_STATE_HOME=$TEST_TMP/shell3 expect_exit 2 esign login --user tess --password-stdin
expect_stderr_contains "open sessions (the limit)"
expect_stderr_contains "--force"
XDG_STATE_HOME=$TEST_TMP/shell3 as tess "tess password one" --force
expect_stdout_contains "ended 2 other session(s)"
XDG_STATE_HOME=$TEST_TMP/shell1 expect_exit 0 esign login --status
expect_stdout_contains "operator: the operator session has ended"
config

note "session expiry and idle timeout (a few seconds, from the config file)"
config "  session:
    expiry: 6s
"
as tess "tess password one"
expect_exit 0 esign login --status
expect_stdout_contains "operator tess logged in"
sleep 7
expect_exit 0 esign login --status
expect_stdout_contains "operator session expired"
expect_no_file "$sessions/tess"
# Margins of several seconds: a loaded CI machine may take a second or two per command.
config "  session:
    idle: 10s
"
as tess "tess password one"
sleep 6
expect_exit 0 esign login --status
expect_stdout_contains "operator tess logged in"
sleep 6
# 12 s after login, but each use refreshes the session: 6 s after the last one.
expect_exit 0 esign login --status
expect_stdout_contains "operator tess logged in"
sleep 11
expect_exit 0 esign login --status
expect_stdout_contains "idle too long"
config

note "require_login: signs only for a logged-in signer; assignments narrow it to the assigned"
prof=$TEST_TMP/sealed.yaml
cat >"$prof" <<YAML
name: sealed
key:
  source: pkcs12
  path: $PKI/rsa.p12
  password: file:$PKI/p12-password.txt
require_login: true
YAML
out=$TEST_TMP/out
mkdir -p "$out"
rm -rf "$sessions"  # a shell where nobody is logged in
expect_exit 2 esign sign "$PDFS/classic.pdf" --profile "$prof" -o "$out/none.pdf"
expect_stderr_contains "requires an operator login"
expect_exit 2 esign bulk "$PDFS" --profile "$prof" --out-dir "$out/none"
expect_stderr_contains "requires an operator login"
expect_no_file "$out/none.pdf" "$out/none"
as audrey "$AUDITOR_PW" --otp "$(code "$asecret" 1)"
expect_exit 2 esign sign "$PDFS/classic.pdf" --profile "$prof" -o "$out/auditor.pdf"
expect_stderr_contains "operator audrey does not have the signer role"
as tess "tess password one"
expect_exit 0 esign sign "$PDFS/classic.pdf" --profile "$prof" -o "$out/tess.pdf"
pdfsig_valid "$out/tess.pdf" 1
expect_exit 0 esign --json audit log
jq -e '[.events[] | select(.operation == "sign")] | last | .user == "tess" and .profile == "sealed" and .outcome == "ok"' \
  "$LAST_STDOUT" >/dev/null || fail "the sign event does not name tess: $(cat "$LAST_STDOUT")"
as root "$ADMIN_PW"
expect_exit 0 esign certs assign --user sam --profile "$prof"
expect_stdout_contains "sam may sign with sealed"
expect_exit 0 esign --json users show sam
jq -e '.profiles == ["sealed"]' "$LAST_STDOUT" >/dev/null || fail "users show: $(cat "$LAST_STDOUT")"
# esign certs shows the link beside the certificate.
expect_exit 0 esign certs show "$prof" --json
jq -e '.linked_users == ["sam"]' "$LAST_STDOUT" >/dev/null || fail "certs show: $(cat "$LAST_STDOUT")"
as tess "tess password one"
expect_exit 2 esign sign "$PDFS/classic.pdf" --profile "$prof" -o "$out/tess2.pdf"
expect_stderr_contains "has no signing certificate assigned"
expect_stderr_contains "esign certs assign --user tess --profile sealed"
expect_no_file "$out/tess2.pdf"
as sam "$SIGNER_PW" --recovery-code "${recovery[2]}"
expect_exit 0 esign sign "$PDFS/classic.pdf" --profile "$prof" -o "$out/sam.pdf"
pdfsig_valid "$out/sam.pdf" 1
expect_exit 0 esign --json audit log
jq -e '[.events[] | select(.operation == "sign")] | last | .user == "sam"' "$LAST_STDOUT" >/dev/null ||
  fail "the sign event does not name sam"
# esign bulk asks the same question once, up front, and records the operator per file.
mkdir -p "$TEST_TMP/inbox"
cp "$PDFS/classic.pdf" "$TEST_TMP/inbox/a.pdf"
expect_exit 0 esign bulk "$TEST_TMP/inbox" --profile "$prof" --out-dir "$out/bulk"
pdfsig_valid "$out/bulk/a.signed.pdf" 1
expect_exit 0 esign --json audit log
jq -e '[.events[] | select(.operation == "sign")] | last | .user == "sam" and .outcome == "ok"' "$LAST_STDOUT" >/dev/null ||
  fail "the bulk sign event does not name sam"
expect_exit 2 esign certs assign --user tess --profile "$prof"
expect_stderr_contains "needs the admin role"
as root "$ADMIN_PW"
expect_exit 0 esign certs assign --user sam --profile "$prof" --remove
expect_stdout_contains "sam no longer signs with sealed"
expect_exit 0 esign audit verify

note "an admin resets a user's 2FA and sets another user's password"
as root "$ADMIN_PW"
expect_exit 0 esign users reset-2fa audrey
expect_stdout_contains "2FA reset for audrey"
printf 'tess password two\n' | expect_exit 0 esign users passwd tess --password-stdin
expect_stdout_contains "changed the password of tess"
expect_exit 0 esign --json audit log
jq -e '[.events[] | select(.operation == "2fa-reset" and .user == "root")] | length == 1' "$LAST_STDOUT" >/dev/null ||
  fail "no 2fa-reset event"
jq -e '[.events[] | select(.operation == "passwd" and .outcome == "ok")] | length == 3' "$LAST_STDOUT" >/dev/null ||
  fail "password changes are not audit events"
printf 'tess password one\n' | expect_exit 2 esign login --user tess --password-stdin
expect_stderr_contains "unknown user or wrong password"
as tess "tess password two"
as audrey "$AUDITOR_PW"
expect_exit 0 esign --json users show audrey
jq -e '.totp == "none" and .recovery_codes == 0' "$LAST_STDOUT" >/dev/null || fail "2FA not reset: $(cat "$LAST_STDOUT")"

note "no secret in the ledger"
token=$(cat "$sessions/audrey")
dump=$(sqlite3 "$ESIGN_LEDGER" .dump)
for s in "$ADMIN_PW" "$SIGNER_PW" "$AUDITOR_PW" "tess password one" "tess password two" "$secret" "$asecret" "${recovery[@]}" "$token"; do
  ! grep -qF -- "$s" <<<"$dump" || fail "the ledger holds a secret in the clear: ${s:0:4}..."
  for f in "$ESIGN_LEDGER"*; do
    ! grep -aqF -- "$s" "$f" || fail "$(basename "$f") holds a secret in the clear: ${s:0:4}..."
  done
done
[ "$(sqlite3 "$ESIGN_LEDGER" "SELECT COUNT(*) FROM users WHERE password_hash NOT LIKE '\$scrypt\$ln=10,r=8,p=1\$%'")" = 0 ] ||
  fail "a password is stored other than as an scrypt hash"
[ "$(stat -c %a "$ESIGN_LEDGER.totp-key")" = 600 ] || fail "the TOTP key file is not 0600"
