#!/usr/bin/env bash
# esign sign fails cleanly: wrong or missing secrets, broken profiles (unknown key, wrong type,
# missing section: each names file, line and key), inputs it cannot sign (encrypted, corrupt,
# empty, not a PDF), unsupported levels. Every failure exits 2 with one line naming the file,
# writes no output and leaves no temp file; inputs are never touched. Also profile lookup
# through ESIGN_PROFILE_PATH.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

export ESIGN_LEDGER=$TEST_TMP/ledger.db
w=$TEST_TMP/w
mkdir -p "$w"
in=$(copy_fixture "$PDFS/classic.pdf" w/in.pdf)
printf 'some text\n' >"$w/in.txt"
remember "$in" "$w/in.txt"
secret=$(head -n1 "$PKI/p12-password.txt")

# expect_sign_fails PATTERN ARGS...: `esign sign ARGS...` exits 2, stderr is one line (or
# more, but the first names the problem) containing PATTERN, and $w holds only the inputs.
expect_sign_fails() {
  local pattern=$1
  shift
  expect_exit 2 esign sign "$@"
  expect_stderr_contains "$pattern"
  [ "$(wc -l <"$LAST_STDERR")" -le 2 ] || { _show_last; fail "more than a line or two on stderr"; }
  expect_stderr_lacks "$secret"
  expect_dir_contents "$w" in.pdf in.txt
  expect_unchanged "$in" "$w/in.txt"
}

# profile NAME BODY: writes $TEST_TMP/NAME.yaml (a key section from rsa.p12 unless BODY has one).
profile() {
  printf '%s\n' "$2" >"$TEST_TMP/$1.yaml"
}
keyp12="key:
  source: pkcs12
  path: $PKI/rsa.p12
  password: env:P12PW"

# A profile only logged-in operators may use is refused while esign has no operator accounts.
note "require_login"
profile needslogin "name: needslogin
$keyp12
require_login: true"
P12PW=$(cat "$PKI/p12-password.txt") expect_sign_fails "operator login" "$in" --profile "$TEST_TMP/needslogin.yaml" -o "$w/out.pdf"

# Secrets.
note "secrets"
profile envpw "name: envpw
$keyp12"
P12PW=not-the-password expect_sign_fails "password" "$in" --profile "$TEST_TMP/envpw.yaml" -o "$w/out.pdf"
grep -qi 'wrong' "$LAST_STDERR" || { _show_last; fail "wrong password: stderr does not say it is wrong"; }
P12PW=not-the-password expect_sign_fails "password" "$w/in.txt" --profile "$TEST_TMP/envpw.yaml"
( unset P12PW; expect_sign_fails "P12PW" "$in" --profile "$TEST_TMP/envpw.yaml" -o "$w/out.pdf" )
P12PW='' expect_sign_fails "password" "$in" --profile "$TEST_TMP/envpw.yaml" -o "$w/out.pdf"
# The right password through the same profile works (the negative cases fail for their reason).
P12PW=$secret expect_exit 0 esign sign "$in" --profile "$TEST_TMP/envpw.yaml" -o "$TEST_TMP/ok.pdf"
expect_stderr_lacks "$secret"
expect_stdout_lacks "$secret"
profile filepw "name: filepw
key:
  source: pkcs12
  path: $PKI/rsa.p12
  password: file:$TEST_TMP/no-such-password-file"
expect_sign_fails "no-such-password-file" "$in" --profile "$TEST_TMP/filepw.yaml" -o "$w/out.pdf"
profile pemwrong "name: pemwrong
key:
  source: pem
  key: $PKI/rsa.enc.key.pem
  cert: $PKI/rsa.cert.pem
  password: env:P12PW"
P12PW=wrong expect_sign_fails "rsa.enc.key.pem" "$in" --profile "$TEST_TMP/pemwrong.yaml" -o "$w/out.pdf"
profile missingp12 "name: missingp12
key:
  source: pkcs12
  path: $TEST_TMP/nothere.p12
  password: env:P12PW"
P12PW=$secret expect_sign_fails "nothere.p12" "$in" --profile "$TEST_TMP/missingp12.yaml" -o "$w/out.pdf"

# Broken profiles: file:line and the key.
note "broken profiles"
profile typo "name: typo
$keyp12
signatur:
  digest: sha256"
P12PW=$secret expect_sign_fails "typo.yaml:6" "$in" --profile "$TEST_TMP/typo.yaml" -o "$w/out.pdf"
expect_stderr_contains "signatur"
profile typo2 "name: typo2
$keyp12
signature:
  digest: sha256
  reasn: Approved"
P12PW=$secret expect_sign_fails "typo2.yaml:8" "$in" --profile "$TEST_TMP/typo2.yaml" -o "$w/out.pdf"
expect_stderr_contains "reasn"
profile wrongtype "name: wrongtype
$keyp12
appearance: {rect: 5}"
P12PW=$secret expect_sign_fails "wrongtype.yaml:6" "$in" --profile "$TEST_TMP/wrongtype.yaml" -o "$w/out.pdf" --visible
expect_stderr_contains "rect"
profile wrongtype2 "name: wrongtype2
$keyp12
signature:
  digest: [sha256]"
P12PW=$secret expect_sign_fails "wrongtype2.yaml:7" "$in" --profile "$TEST_TMP/wrongtype2.yaml" -o "$w/out.pdf"
expect_stderr_contains "digest"
profile baddigest "name: baddigest
$keyp12
signature:
  digest: md5"
P12PW=$secret expect_sign_fails "baddigest.yaml:7" "$in" --profile "$TEST_TMP/baddigest.yaml" -o "$w/out.pdf"
expect_stderr_contains "digest"
profile nokey "name: nokey
signature:
  digest: sha256"
expect_sign_fails "nokey.yaml" "$in" --profile "$TEST_TMP/nokey.yaml" -o "$w/out.pdf"
expect_stderr_contains "key"
profile nosource "name: nosource
key:
  path: $PKI/rsa.p12
  password: env:P12PW"
P12PW=$secret expect_sign_fails "nosource.yaml:" "$in" --profile "$TEST_TMP/nosource.yaml" -o "$w/out.pdf"
expect_stderr_contains "key.source"
printf 'name: [unclosed\nkey: {\n' >"$TEST_TMP/badyaml.yaml"
expect_sign_fails "badyaml.yaml" "$in" --profile "$TEST_TMP/badyaml.yaml" -o "$w/out.pdf"
expect_sign_fails "no-such-profile" "$in" --profile no-such-profile -o "$w/out.pdf"

# Inputs that cannot be signed.
note "bad inputs"
for f in encrypted corrupt empty notapdf; do
  cp "$PDFS/$f.pdf" "$w/$f.pdf"
  remember "$w/$f.pdf"
  expect_exit 2 esign sign "$w/$f.pdf" --profile "$PKI/rsa.yaml"
  expect_stderr_contains "$w/$f.pdf"
  [ "$(wc -l <"$LAST_STDERR")" = 1 ] || { _show_last; fail "sign $f.pdf: not one line on stderr"; }
  expect_unchanged "$w/$f.pdf"
  expect_dir_contents "$w" in.pdf in.txt "$f.pdf"
  expect_exit 2 esign sign "$w/$f.pdf" --profile "$PKI/rsa.yaml" --out-dir "$TEST_TMP/outdir-$f"
  expect_stderr_contains "$w/$f.pdf"
  [ ! -d "$TEST_TMP/outdir-$f" ] || expect_dir_contents "$TEST_TMP/outdir-$f"
  [ "$f" = encrypted ] && expect_stderr_contains "encrypted"
  rm "$w/$f.pdf"
done
expect_sign_fails "$w/missing.pdf" "$w/missing.pdf" --profile "$PKI/rsa.yaml"
expect_exit 2 esign sign - --format pades --profile "$PKI/rsa.yaml" -o "$w/out.pdf" <"$PDFS/notapdf.pdf"
expect_dir_contents "$w" in.pdf in.txt
# A batch with one bad file: the good one is signed, the run exits non-zero and names the bad one.
cp "$PDFS/corrupt.pdf" "$TEST_TMP/corrupt.pdf"
run esign sign "$in" "$TEST_TMP/corrupt.pdf" --profile "$PKI/rsa.yaml" --out-dir "$TEST_TMP/batch"
[ "$LAST_EXIT" = 1 ] || [ "$LAST_EXIT" = 2 ] || { _show_last; fail "batch with a corrupt file exited $LAST_EXIT"; }
expect_stderr_contains "corrupt.pdf"
expect_dir_contents "$TEST_TMP/batch" in.signed.pdf
pdfsig_valid "$TEST_TMP/batch/in.signed.pdf" 1

# Unsupported level; bad flag values.
note "levels and flags"
# B-T and above need a TSA: the fixture profiles have no timestamp: section.
expect_sign_fails "B-T" "$in" --profile "$PKI/rsa.yaml" --level B-T -o "$w/out.pdf"
grep -q 'timestamp' "$LAST_STDERR" || { _show_last; fail "--level B-T without a TSA: no mention of timestamp:"; }
expect_sign_fails "B-LT" "$in" --profile "$PKI/rsa.yaml" --level B-LT -o "$w/out.pdf"
grep -q 'B-LT needs a timestamp' "$LAST_STDERR" || { _show_last; fail "--level B-LT without a TSA: no mention of timestamp:"; }
expect_sign_fails "B-X" "$in" --profile "$PKI/rsa.yaml" --level B-X -o "$w/out.pdf"
expect_sign_fails "--format" "$in" --profile "$PKI/rsa.yaml" --format xml -o "$w/out.pdf"
expect_exit 2 esign sign "$in" "$w/in.txt" --profile "$PKI/rsa.yaml" -o "$w/out.pdf"
expect_dir_contents "$w" in.pdf in.txt
expect_exit 2 esign sign "$w/in.txt" --profile "$PKI/rsa.yaml" --format pades -o "$w/out.pdf"
expect_stderr_contains "in.txt"
expect_dir_contents "$w" in.pdf in.txt

# Profile lookup by name through ESIGN_PROFILE_PATH (first match wins, relative paths resolve
# against the profile's own folder).
note "ESIGN_PROFILE_PATH"
mkdir -p "$TEST_TMP/p1" "$TEST_TMP/p2"
cp "$PKI/ec256.p12" "$TEST_TMP/p2/"
cat >"$TEST_TMP/p2/seal.yaml" <<YAML
name: seal
key:
  source: pkcs12
  path: ec256.p12
  password: file:$PKI/p12-password.txt
YAML
cd "$TEST_TMP"
ESIGN_PROFILE_PATH=$TEST_TMP/p1:$TEST_TMP/nowhere:$TEST_TMP/p2 expect_exit 0 esign sign "$in" --profile seal -o "$TEST_TMP/byname.pdf"
pdfsig_valid "$TEST_TMP/byname.pdf" 1
pdfsig_report "$TEST_TMP/byname.pdf" | grep -q 'Test Signer EC P-256' || fail "profile by name: wrong signer"
cp "$TEST_TMP/p2/seal.yaml" "$TEST_TMP/p1/seal.yaml"
sed -i "s#path: ec256.p12#path: $PKI/rsa.p12#" "$TEST_TMP/p1/seal.yaml"
ESIGN_PROFILE_PATH=$TEST_TMP/p1:$TEST_TMP/p2 expect_exit 0 esign sign "$in" --profile seal -o "$TEST_TMP/byname2.pdf"
pdfsig_report "$TEST_TMP/byname2.pdf" | grep -q 'Test Signer RSA' || fail "ESIGN_PROFILE_PATH: the first folder does not win"
ESIGN_PROFILE_PATH=$TEST_TMP/nowhere expect_sign_fails "seal" "$in" --profile seal -o "$w/out.pdf"
expect_unchanged "$in" "$w/in.txt"
left=$(find "$TEST_TMP" -name '.*.esign-tmp-*')
[ -z "$left" ] || fail "temp files left: $left"

note "mistyped commands and options: the closest known one is suggested; --json errors are JSON too"
expect_exit 2 esign sing "$in"
expect_stderr_contains "unknown command 'sing' for 'esign'; did you mean 'sign'?"
expect_exit 2 esign users ad bob
expect_stderr_contains "did you mean 'add'?"
expect_exit 2 esign verify --trsut "$PKI/root.pem" "$in"
expect_stderr_contains "unknown option --trsut for 'esign verify'; did you mean --trust?"
expect_exit 2 esign qqqqqqqq
expect_stderr_contains "unknown command 'qqqqqqqq'"
grep -q "did you mean" "$LAST_STDERR" && fail "a suggestion for a word close to no command: $(cat "$LAST_STDERR")"
expect_exit 2 esign --json sign "$in" --profile no-such-profile -o "$w/out.pdf"
/usr/bin/python3 -c 'import json, sys; e = json.load(open(sys.argv[1]))["error"]; assert e["exit_code"] == 2 and "no such profile" in e["message"], e' \
  "$LAST_STDOUT" || fail "--json: the error is not a JSON object on stdout: $(cat "$LAST_STDOUT")"
expect_exit 2 esign --json sing
/usr/bin/python3 -c 'import json, sys; e = json.load(open(sys.argv[1]))["error"]; assert "did you mean" in e["message"], e' \
  "$LAST_STDOUT" || fail "--json: a usage error is not a JSON object on stdout: $(cat "$LAST_STDOUT")"
