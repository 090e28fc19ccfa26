#!/usr/bin/env bash
# esign profile list | show, and finding profiles: every example in profiles/ loads through the
# real loader and is installed by CMake; an installed esign (cmake --install --prefix) finds its
# examples under that prefix, not in the build or source tree; --profile NAME finds a profile by
# its `name:` (first folder wins, two in one folder are an error naming both); "no such profile"
# lists the folders searched; `profile show` prints secrets as references, never their values;
# `certs list` leaves the examples out.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
need_tool jq

SRC_PROFILES=$ESIGN_SOURCE_DIR/profiles
BUILD=$(cd "$(dirname "$ESIGN")/.." && pwd)
unset ESIGN_HOME ESIGN_PROFILE_PATH
export ESIGN_LEDGER=$TEST_TMP/ledger.db
mapfile -t examples < <(cd "$SRC_PROFILES" && ls -- *.yaml *.yml 2>/dev/null | sort)

note "every example loads, with its key source, and holds no secret"
[ "${#examples[@]}" -ge 6 ] || fail "profiles/ holds ${#examples[@]} examples, expected one per key source and B-LT"
sources=""
for f in "${examples[@]}"; do
  expect_exit 0 esign profile show "$SRC_PROFILES/$f" --json
  sources+=$(jq -r '.key.source' "$LAST_STDOUT")$'\n'
  # Comments explain the keys: at least one comment line per example, besides the YAML.
  grep -q '^#' "$SRC_PROFILES/$f" || fail "$f has no comment"
  # Secrets only as references (the loader refuses anything else; this says it of the file).
  jq -e '[.. | objects | to_entries[] | select(.key | test("password|secret|pin|otp")) | .value
          | select(test("^(env:|file:|prompt$)") | not)] | length == 0' "$LAST_STDOUT" >/dev/null ||
    fail "$f has a secret that is not a reference"
done
for s in pkcs12 pem pkcs11 azure-keyvault csc; do
  grep -qx "$s" <<<"$sources" || fail "no example profile for key source $s"
done
expect_exit 0 esign profile show "$SRC_PROFILES/b-lt.yaml"
expect_stdout_contains "level: B-LT"
expect_stdout_contains "embed: true"
expect_stdout_contains "url: https://"

note "profiles/ and the CMake list of examples agree"
cmake_list=$(sed -n 's/^set(ESIGN_EXAMPLE_PROFILES \(.*\))$/\1/p' "$ESIGN_SOURCE_DIR/CMakeLists.txt" | tr ' ' '\n' | sort)
[ "$cmake_list" = "$(printf '%s\n' "${examples[@]}")" ] ||
  fail "CMakeLists.txt ESIGN_EXAMPLE_PROFILES [$(tr '\n' ' ' <<<"$cmake_list")] differs from profiles/ [${examples[*]}]"

note "the built binary finds the examples beside it (build/share), never in the source tree"
expect_exit 0 esign --json profile list
jq -e --arg d "$BUILD/share/esign/profiles" '.search_path[-1] | .path == $d and .exists and .examples and .origin == "examples"' \
  "$LAST_STDOUT" >/dev/null || fail "the last folder is not the build tree's examples: $(jq -c .search_path "$LAST_STDOUT")"
if grep -qF "\"$SRC_PROFILES" "$LAST_STDOUT"; then fail "the source tree's profiles/ is on the search path"; fi

note "installed: <prefix>/bin/esign lists <prefix>/share/esign/profiles"
command -v cmake >/dev/null || skip "cmake is not installed"
[ -f "$BUILD/CMakeCache.txt" ] || skip "no build tree at $BUILD"
prefix=$TEST_TMP/prefix
run cmake --install "$BUILD" --prefix "$prefix"
[ "$LAST_EXIT" = 0 ] || { _show_last; fail "cmake --install failed"; }
[ -x "$prefix/bin/esign" ] || fail "cmake --install put no $prefix/bin/esign"
for f in "${examples[@]}"; do expect_file "$prefix/share/esign/profiles/$f"; done
expect_file "$prefix/share/man/man1/esign-profile.1"
run "$prefix/bin/esign" profile list
[ "$LAST_EXIT" = 0 ] || { _show_last; fail "the installed esign profile list failed"; }
expect_stdout_contains "$prefix/share/esign/profiles  [examples]"
for f in "${examples[@]}"; do expect_stdout_contains "$prefix/share/esign/profiles/$f"; done
expect_stdout_lacks "$BUILD"
expect_stdout_lacks "$SRC_PROFILES"
run "$prefix/bin/esign" profile show pkcs12
[ "$LAST_EXIT" = 0 ] || { _show_last; fail "the installed esign does not find the pkcs12 example by name"; }
expect_stdout_contains "# profile pkcs12 ($prefix/share/esign/profiles/pkcs12.yaml)"
# Moved elsewhere, the install still finds its own examples.
mv "$prefix" "$TEST_TMP/moved"
run "$TEST_TMP/moved/bin/esign" --json profile list
jq -e --arg d "$TEST_TMP/moved/share/esign/profiles" '.search_path[-1].path == $d and .search_path[-1].exists
  and ([.profiles[] | select(.folder == $d)] | length) >= 6' "$LAST_STDOUT" >/dev/null ||
  fail "a moved install does not find its examples: $(cat "$LAST_STDOUT")"

note "--profile NAME finds a profile by its name: key"
p1=$TEST_TMP/p1 p2=$TEST_TMP/p2
mkdir -p "$p1" "$p2"
for f in rsa.p12 ec256.p12 p12-password.txt; do cp "$PKI/$f" "$p1/"; cp "$PKI/$f" "$p2/"; done
cat >"$p2/company-seal-2026.yaml" <<'YAML'
name: company-seal
key:
  source: pkcs12
  path: rsa.p12
  password: file:p12-password.txt
YAML
export ESIGN_PROFILE_PATH=$p1:$TEST_TMP/nowhere:$p2
copy_fixture "$PDFS/classic.pdf" in.pdf >/dev/null
expect_exit 0 esign sign "$TEST_TMP/in.pdf" --profile company-seal -o "$TEST_TMP/by-name.pdf"
expect_exit 0 esign verify "$TEST_TMP/by-name.pdf" --trust "$PKI/root.pem" --no-record
expect_stdout_contains "Test Signer RSA"
expect_exit 0 esign audit log --json --limit 2
jq -e '[.events[] | select(.operation == "sign")][0].profile == "company-seal"' "$LAST_STDOUT" >/dev/null ||
  fail "the ledger does not record the profile's name: $(cat "$LAST_STDOUT")"
# An earlier folder wins, by name: too.
sed 's/rsa.p12/ec256.p12/' "$p2/company-seal-2026.yaml" >"$p1/ec-seal.yaml"
expect_exit 0 esign profile show company-seal
expect_stdout_contains "# profile company-seal ($p1/ec-seal.yaml)"
# Two in one folder: an error naming both files (exit 2), also for sign.
cp "$p1/ec-seal.yaml" "$p1/ec-seal-copy.yaml"
expect_exit 2 esign sign "$TEST_TMP/in.pdf" --profile company-seal -o "$TEST_TMP/ambiguous.pdf"
expect_stderr_contains "$p1/ec-seal.yaml"
expect_stderr_contains "$p1/ec-seal-copy.yaml"
expect_no_file "$TEST_TMP/ambiguous.pdf"
rm "$p1/ec-seal-copy.yaml"
# The file name comes first in a folder.
cp "$p1/ec-seal.yaml" "$p1/company-seal.yaml"
sed -i 's/^name: company-seal/name: other/' "$p1/company-seal.yaml"
expect_exit 0 esign profile show company-seal
expect_stdout_contains "# profile other ($p1/company-seal.yaml)"
rm "$p1/company-seal.yaml"

note "profile list: the search path, each profile, shadowed and broken ones"
cp "$p2/company-seal-2026.yaml" "$p2/ec-seal.yaml"  # same file name as in p1: shadowed
printf 'name: broken\nkey:\n  source: pkcs12\n  path: x.p12\n  pasword: env:X\n' >"$p2/broken.yaml"
expect_exit 0 esign profile list
expect_stdout_contains "$p1  [\$ESIGN_PROFILE_PATH]"
expect_stdout_contains "$TEST_TMP/nowhere  [\$ESIGN_PROFILE_PATH, missing]"
expect_stdout_contains "$HOME/.config/esign/profiles  [config folder, missing]"
expect_exit 0 esign --json profile list
jq -e --arg p1 "$p1" --arg p2 "$p2" '
  (.search_path | map(.path)[0:3] == [$p1, ($p1 | sub("/p1$"; "/nowhere")), $p2])
  and (.profiles[] | select(.file == ($p1 + "/ec-seal.yaml")) | .reachable and .name == "company-seal" and .source == "pkcs12" and .level == "B-B")
  and (.profiles[] | select(.file == ($p2 + "/ec-seal.yaml")) | .reachable | not)
  and (.profiles[] | select(.file == ($p2 + "/broken.yaml")) | .source == null and (.error | test("broken.yaml:5.*key.pasword")))' \
  "$LAST_STDOUT" >/dev/null || fail "profile list --json: $(cat "$LAST_STDOUT")"
rm "$p2/broken.yaml"

note "no such profile lists the folders searched"
expect_exit 2 esign sign "$TEST_TMP/in.pdf" --profile no-such-seal -o "$TEST_TMP/none.pdf"
expect_stderr_contains "no-such-seal: no such profile"
for d in "$p1" "$TEST_TMP/nowhere (missing)" "$p2" "$HOME/.config/esign/profiles (missing)" "$BUILD/share/esign/profiles"; do
  expect_stderr_contains "$d"
done
expect_exit 2 esign --json profile show no-such-seal
jq -e '.error.exit_code == 2 and (.error.message | test("no such profile"))' "$LAST_STDOUT" >/dev/null ||
  fail "profile show --json error: $(cat "$LAST_STDOUT")"

note "the config folder: ESIGN_HOME/profiles, else XDG_CONFIG_HOME/esign/profiles"
unset ESIGN_PROFILE_PATH
mkdir -p "$TEST_TMP/esign-home/profiles"
cp "$p2/company-seal-2026.yaml" "$p2/rsa.p12" "$p2/p12-password.txt" "$TEST_TMP/esign-home/profiles/"
ESIGN_HOME=$TEST_TMP/esign-home expect_exit 0 esign profile show company-seal
expect_stdout_contains "$TEST_TMP/esign-home/profiles/company-seal-2026.yaml"
ESIGN_HOME=$TEST_TMP/esign-home expect_exit 0 esign profile list
expect_stdout_contains "$TEST_TMP/esign-home/profiles  [config folder, \$ESIGN_HOME]"
expect_exit 2 esign profile show company-seal
mkdir -p "$XDG_CONFIG_HOME/esign"
mv "$TEST_TMP/esign-home/profiles" "$XDG_CONFIG_HOME/esign/"
expect_exit 0 esign profile show company-seal
expect_stdout_contains "$XDG_CONFIG_HOME/esign/profiles/company-seal-2026.yaml"

note "show: defaults filled in, secrets as references and never their values"
export SEAL_SECRET_VALUE='s3cr3t-Value-4711'
cat >"$TEST_TMP/secret.yaml" <<'YAML'
name: secret-test
key:
  source: csc
  base_url: https://sign.example.com/csc/v2
  client_id: app
  client_secret: env:SEAL_SECRET_VALUE
  pin: file:pin.txt
timestamp:
  url: https://tsa.example.com/rfc3161
  username: asha
  password: env:SEAL_SECRET_VALUE
YAML
echo 'pin-value-0815' >"$TEST_TMP/pin.txt"
for fmt in "" --json; do
  expect_exit 0 esign profile show "$TEST_TMP/secret.yaml" $fmt
  expect_stdout_lacks "$SEAL_SECRET_VALUE"
  expect_stdout_lacks "pin-value-0815"
  expect_stderr_lacks "$SEAL_SECRET_VALUE"
  expect_stdout_contains "env:SEAL_SECRET_VALUE"
  expect_stdout_contains "file:$TEST_TMP/pin.txt"
done
jq -e '.signature.level == "B-B" and .signature.digest == "sha256" and .signature.format == "auto"
  and .revocation.required == true and .require_login == false and .key.client_secret == "env:SEAL_SECRET_VALUE"' \
  "$LAST_STDOUT" >/dev/null || fail "profile show --json: $(cat "$LAST_STDOUT")"
# The YAML output loads again as the same profile.
expect_exit 0 esign profile show "$TEST_TMP/secret.yaml"
mkdir -p "$TEST_TMP/again"
cp "$LAST_STDOUT" "$TEST_TMP/again/copy.yaml"
expect_exit 0 esign profile show "$TEST_TMP/again/copy.yaml"
diff <(tail -n +2 "$TEST_TMP/again/copy.yaml") <(tail -n +2 "$LAST_STDOUT") >/dev/null ||
  fail "profile show output does not load as the same profile"
# A password written into a profile does not load, and the message does not repeat it.
sed 's|client_secret: env:SEAL_SECRET_VALUE|client_secret: literal-Secret-99|' "$TEST_TMP/secret.yaml" >"$TEST_TMP/literal.yaml"
expect_exit 2 esign profile show "$TEST_TMP/literal.yaml"
expect_stderr_contains "literal.yaml:6"
expect_stderr_contains "key.client_secret"
expect_stderr_lacks "literal-Secret-99"
expect_stdout_lacks "literal-Secret-99"

note "certs list leaves the installed examples out"
export ESIGN_PROFILE_PATH=$p1
expect_exit 0 esign certs list --json
jq -e '[.certificates[].profile_file] | all(test("/share/esign/profiles/") | not) and length >= 1' "$LAST_STDOUT" >/dev/null ||
  fail "certs list: $(cat "$LAST_STDOUT")"
