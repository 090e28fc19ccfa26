# shellcheck shell=bash
# Shared helpers for the end-to-end tests: source it first thing in every tests/e2e/*.sh.
#
#   source "$(dirname "$0")/lib.sh"
#   expect_exit 0 esign sign "$PDFS/classic.pdf" --profile "$PKI/rsa.yaml" -o "$TEST_TMP/out.pdf"
#   pdfsig_valid "$TEST_TMP/out.pdf" 1
#
# A test passes by reaching its end (exit 0), fails through `fail` (exit 1, one line on
# stderr naming the test) and skips through `skip` (exit 77, ctest's SKIP_RETURN_CODE).
# Sourcing sets `set -euo pipefail`, so any unchecked failing command also fails the test.
#
# Environment (ctest sets all three; run by hand, the defaults apply):
#   ESIGN_BIN            the esign binary (default: $ESIGN_SOURCE_DIR/build/cli/esign)
#   ESIGN_SOURCE_DIR     the source tree (default: two levels above this file)
#   ESIGN_TEST_FIXTURES  fixture cache (default: $ESIGN_SOURCE_DIR/build/fixtures), holding
#                        pki/ (tests/support/make_pki.sh) and pdf/ (tests/support/make_pdfs.sh).
#                        Made on first use and reused; both scripts lock and stamp their dir.
#   ESIGN_KEEP_TMP=1     keep each test's temp dir (its path is printed at exit)
#
# Variables set for the test:
#   ESIGN        the binary; prefer the `esign` function, which checks it exists
#   PKI          $ESIGN_TEST_FIXTURES/pki: root.pem, chain.pem, NAME.{key.pem,cert.pem,p12,yaml}...
#                (signers rsa ec256 ec384 expired nokeyusage revoked untrusted; see make_pki.sh)
#   PDFS         $ESIGN_TEST_FIXTURES/pdf: classic.pdf multipage.pdf xrefstream.pdf encrypted.pdf
#                corrupt.pdf empty.pdf notapdf.pdf (see make_pdfs.sh)
#   TEST_NAME    the script's name without .sh
#   TEST_TMP     a fresh temp dir for this test, removed at exit; HOME and XDG_* point inside it,
#                so tests never see (or write) the real user's ledger, profiles or NSS db
#   LAST_STDOUT, LAST_STDERR, LAST_EXIT   files/code of the last `run` or `expect_exit`
#
# Fixtures are read-only by convention: copy a fixture into $TEST_TMP before anything that
# might write beside it.

set -euo pipefail
export LC_ALL=C

ESIGN_SOURCE_DIR=${ESIGN_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
ESIGN_TEST_FIXTURES=${ESIGN_TEST_FIXTURES:-$ESIGN_SOURCE_DIR/build/fixtures}
ESIGN=${ESIGN_BIN:-$ESIGN_SOURCE_DIR/build/cli/esign}
PKI=$ESIGN_TEST_FIXTURES/pki
PDFS=$ESIGN_TEST_FIXTURES/pdf
TEST_NAME=$(basename "$0" .sh)
export ESIGN_SOURCE_DIR ESIGN_TEST_FIXTURES

# fail MESSAGE...: prints "FAIL TEST_NAME: MESSAGE" on stderr and exits 1.
fail() {
  echo "FAIL $TEST_NAME: $*" >&2
  exit 1
}

# skip REASON...: prints "SKIP TEST_NAME: REASON" and exits 77 (ctest reports it as skipped).
skip() {
  echo "SKIP $TEST_NAME: $*" >&2
  exit 77
}

# note MESSAGE...: a progress line on stderr (shown by ctest --output-on-failure).
note() {
  echo "-- $TEST_NAME: $*" >&2
}

# forge ATTACK IN OUT [OPTIONS]: tests/support/forge.py (with Debian's python3) writes OUT, IN
# changed as ATTACK says (`forge.py --help` lists them); a failure of the script fails the test.
forge() {
  /usr/bin/python3 "$ESIGN_SOURCE_DIR/tests/support/forge.py" "$@" || fail "forge.py $* failed"
}

# need_tool NAME...: skips the test unless every NAME is on PATH.
need_tool() {
  local t
  for t in "$@"; do
    command -v "$t" >/dev/null 2>&1 || skip "$t is not installed"
  done
}

# Cleanup: commands registered with on_exit run in reverse order at exit (servers to stop,
# ...), then TEST_TMP is removed unless ESIGN_KEEP_TMP=1.
_on_exit=()
# on_exit COMMAND-STRING: registers COMMAND-STRING (eval'ed at exit; its failure is ignored).
on_exit() {
  _on_exit+=("$1")
}
_cleanup() {
  local rc=$? i
  for ((i = ${#_on_exit[@]} - 1; i >= 0; i--)); do eval "${_on_exit[$i]}" || true; done
  if [ "${ESIGN_KEEP_TMP:-0}" = 1 ]; then
    echo "-- $TEST_NAME: kept $TEST_TMP" >&2
  else
    rm -rf "$TEST_TMP"
  fi
  exit "$rc"
}
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/esign-e2e-$TEST_NAME.XXXXXX")
trap _cleanup EXIT
export HOME=$TEST_TMP/home XDG_CONFIG_HOME=$TEST_TMP/home/.config \
  XDG_DATA_HOME=$TEST_TMP/home/.local/share XDG_STATE_HOME=$TEST_TMP/home/.local/state \
  XDG_CACHE_HOME=$TEST_TMP/home/.cache
mkdir -p "$HOME"
LAST_STDOUT=$TEST_TMP/.last.stdout
LAST_STDERR=$TEST_TMP/.last.stderr
LAST_EXIT=0

# ensure_fixtures: makes $PKI and $PDFS if they are missing or stale (cheap when they exist).
# Sourcing lib.sh calls it, so a test also runs on its own without the e2e_fixtures ctest.
ensure_fixtures() {
  bash "$ESIGN_SOURCE_DIR/tests/support/make_pki.sh" "$PKI" ||
    fail "could not make the test PKI in $PKI"
  bash "$ESIGN_SOURCE_DIR/tests/support/make_pdfs.sh" "$PDFS" ||
    fail "could not make the test PDFs in $PDFS"
}
ensure_fixtures

# esign ARGS...: runs the esign binary under test (fails the test if it was not built).
esign() {
  [ -x "$ESIGN" ] || fail "esign binary not found at $ESIGN (set ESIGN_BIN)"
  "$ESIGN" "$@"
}

# run CMD...: runs CMD with stdout in $LAST_STDOUT, stderr in $LAST_STDERR and its exit code
# in $LAST_EXIT; never fails by itself. stdin is inherited (pipe into `run` to feed it).
run() {
  set +e
  "$@" >"$LAST_STDOUT" 2>"$LAST_STDERR"
  LAST_EXIT=$?
  set -e
}

# _show_last: the last command's output, indented, for failure messages.
_show_last() {
  echo "  stdout:" >&2
  sed 's/^/    /' "$LAST_STDOUT" >&2
  echo "  stderr:" >&2
  sed 's/^/    /' "$LAST_STDERR" >&2
}

# expect_exit CODE CMD...: runs CMD like `run` and fails unless it exits with CODE
# (0 ok, 1 a document failed, 2 usage/config, 3 internal; see DESIGN.md). Prints CMD's output
# on failure. Output stays in $LAST_STDOUT/$LAST_STDERR for the expect_* checks below.
expect_exit() {
  local want=$1
  shift
  run "$@"
  if [ "$LAST_EXIT" != "$want" ]; then
    echo "FAIL $TEST_NAME: exit $LAST_EXIT, expected $want: $*" >&2
    _show_last
    exit 1
  fi
}

# expect_stderr_contains TEXT: the last command's stderr contains TEXT (fixed string).
expect_stderr_contains() {
  grep -qF -- "$1" "$LAST_STDERR" || { _show_last; fail "stderr lacks '$1'"; }
}

# expect_stdout_contains TEXT: the last command's stdout contains TEXT (fixed string).
expect_stdout_contains() {
  grep -qF -- "$1" "$LAST_STDOUT" || { _show_last; fail "stdout lacks '$1'"; }
}

# expect_stderr_lacks TEXT: the last command's stderr does not contain TEXT (e.g. a secret).
expect_stderr_lacks() {
  if grep -qF -- "$1" "$LAST_STDERR"; then _show_last; fail "stderr contains '$1'"; fi
}

# expect_stdout_lacks TEXT: the last command's stdout does not contain TEXT.
expect_stdout_lacks() {
  if grep -qF -- "$1" "$LAST_STDOUT"; then _show_last; fail "stdout contains '$1'"; fi
}

# expect_file FILE...: each FILE exists and is non-empty.
expect_file() {
  local f
  for f in "$@"; do [ -s "$f" ] || fail "expected a non-empty file $f"; done
}

# expect_no_file FILE...: no FILE exists.
expect_no_file() {
  local f
  for f in "$@"; do [ ! -e "$f" ] || fail "expected no file $f"; done
}

# expect_dir_contents DIR NAME...: DIR holds exactly the entries NAME... (hidden ones included),
# which is how a test shows nothing was left behind (no temp files after a failure or a crash).
expect_dir_contents() {
  local dir=$1
  shift
  local want got
  want=$(printf '%s\n' "$@" | sed '/^$/d' | sort)
  got=$(cd "$dir" && find . -mindepth 1 -maxdepth 1 -printf '%f\n' | sort)
  [ "$want" = "$got" ] || fail "$dir holds [$(tr '\n' ' ' <<<"$got")], expected [$(tr '\n' ' ' <<<"$want")]"
}

# remember FILE...: records each FILE's sha256, for expect_unchanged.
declare -gA _remembered=()
remember() {
  local f
  for f in "$@"; do _remembered[$f]=$(sha256sum <"$f" | cut -d' ' -f1); done
}

# expect_unchanged FILE...: each FILE still has the sha256 `remember` recorded (inputs are never
# modified).
expect_unchanged() {
  local f
  for f in "$@"; do
    [ -n "${_remembered[$f]:-}" ] || fail "expect_unchanged $f without remember"
    [ "$(sha256sum <"$f" | cut -d' ' -f1)" = "${_remembered[$f]}" ] || fail "$f was modified"
  done
}

# qpdf_ok FILE [PASSWORD]: `qpdf --check` passes with neither errors nor warnings (qpdf exits 0;
# 2 is errors, 3 is warnings only). PASSWORD opens an encrypted PDF.
qpdf_ok() {
  local f=$1 out rc=0
  local -a pw=()
  [ $# -ge 2 ] && pw=("--password=$2")
  out=$(qpdf "${pw[@]}" --check "$f" 2>&1) || rc=$?
  [ "$rc" = 0 ] || fail "qpdf --check $f exited $rc:
$out"
}

# pdfsig_report FILE [NSSDIR]: prints pdfsig's text for FILE. NSSDIR defaults to an empty NSS
# database in TEST_TMP, so results never depend on the machine's ~/.pki/nssdb.
pdfsig_report() {
  local f=$1 nss=${2:-}
  if [ -z "$nss" ]; then
    nss=$TEST_TMP/.nssdb-empty
    [ -d "$nss" ] || make_nssdb "$nss"
  fi
  pdfsig -nssdir "sql:$nss" "$f" 2>&1
}

# pdfsig_valid FILE [COUNT [NSSDIR]]: pdfsig (poppler, an independent referee) finds COUNT
# signatures (default: at least one), says "Signature is Valid." for every one of them, and
# says "Total document signed" for the last one. Only the last can cover the whole file: an
# earlier signature covers its own revision and pdfsig calls it "Not total document signed",
# which is correct for a file signed twice. pdfsig exits 0 even when a signature is invalid, so
# this reads its text. Certificate trust is not checked here (see pdfsig_trusted).
pdfsig_valid() {
  local f=$1 want=${2:-} nss=${3:-} report n valid last
  report=$(pdfsig_report "$f" "$nss")
  n=$(grep -c '^Signature #' <<<"$report" || true)
  valid=$(grep -c 'Signature Validation: Signature is Valid\.' <<<"$report" || true)
  [ "$n" -ge 1 ] || fail "pdfsig finds no signature in $f:
$report"
  [ -z "$want" ] || [ "$n" = "$want" ] || fail "pdfsig finds $n signatures in $f, expected $want:
$report"
  [ "$valid" = "$n" ] || fail "pdfsig: $valid of $n signatures in $f are valid:
$report"
  last=$(awk -v n="$n" '/^Signature #/ { k++ } k == n' <<<"$report")
  grep -q -- '- Total document signed' <<<"$last" ||
    fail "pdfsig: the last signature in $f does not cover the whole document:
$report"
}

# pdfsig_long_term FILE NSSDIR: what pdfsig can referee in a B-LT/B-LTA file. Every CMS
# signature (ETSI.CAdES.detached) is "Signature is Valid." with a trusted certificate. Poppler
# 22.12 cannot validate document time-stamps (ETSI.RFC3161: "Signature Type: unknown", "not yet
# been verified"), so for those only their presence is checked. A CMS signature of a B-LT file
# is followed by a DSS update, so pdfsig calls it "Not total document signed"; what that update
# holds is checked by esign verify's revision analysis and qpdf --check.
pdfsig_long_term() {
  local f=$1 nss=$2 report cades valid trusted
  report=$(pdfsig_report "$f" "$nss")
  cades=$(grep -c 'Signature Type: ETSI.CAdES.detached' <<<"$report" || true)
  valid=$(grep -c 'Signature Validation: Signature is Valid\.' <<<"$report" || true)
  trusted=$(grep -c 'Certificate Validation: Certificate is Trusted\.' <<<"$report" || true)
  [ "$cades" -ge 1 ] && [ "$valid" = "$cades" ] && [ "$trusted" = "$cades" ] ||
    fail "pdfsig: of $cades CAdES signatures in $f, $valid are valid and $trusted trusted:
$report"
}

# pdfsig_trusted FILE NSSDIR: every signature's certificate chains to a trusted root in NSSDIR
# ("Certificate is Trusted."). Make NSSDIR with make_nssdb.
pdfsig_trusted() {
  local f=$1 nss=$2 report n trusted
  report=$(pdfsig_report "$f" "$nss")
  n=$(grep -c '^Signature #' <<<"$report" || true)
  trusted=$(grep -c 'Certificate Validation: Certificate is Trusted\.' <<<"$report" || true)
  if [ "$n" -lt 1 ] || [ "$trusted" != "$n" ]; then
    fail "pdfsig: $trusted of $n certificates in $f are trusted:
$report"
  fi
}

# make_nssdb DIR [ROOT.pem [INTERMEDIATE.pem...]]: an NSS database for pdfsig -nssdir in DIR
# (empty password), trusting ROOT as a CA and holding the intermediates untrusted (pdfsig needs
# them when a signature does not embed its chain). With no certificates: an empty database.
make_nssdb() {
  local dir=$1 i=0 c
  shift
  mkdir -p "$dir"
  certutil -N -d "sql:$dir" --empty-password
  if [ $# -ge 1 ]; then
    certutil -A -d "sql:$dir" -n root -t C,C,C -i "$1"
    shift
  fi
  for c in "$@"; do
    certutil -A -d "sql:$dir" -n "ca$((i++))" -t ,, -i "$c"
  done
}

# p7s_ok FILE DATA CHAIN [OPENSSL-ARGS...]: `openssl cms -verify` accepts the detached DER
# signature FILE over DATA, with the certificates in CHAIN (PEM: root, plus intermediates unless
# the signature embeds them) as the trust anchors. Uses `-purpose any`: OpenSSL's default
# purpose for cms -verify is smime_sign, which also demands keyUsage digitalSignature or
# nonRepudiation (our signers have both) and, when an extendedKeyUsage is present,
# emailProtection; the referee here checks the cryptography and the chain, esign's own policy
# checks key usage. The signer certificate's validity period is checked at the current time
# (so `expired` fails); pass e.g. `-attime EPOCH` or `-no_check_time` as OPENSSL-ARGS to change
# that, or `-purpose smimesign` to restore the default purpose (later options win).
p7s_ok() {
  local f=$1 data=$2 chain=$3 out
  shift 3
  out=$(openssl cms -verify -binary -inform DER -in "$f" -content "$data" -CAfile "$chain" \
    -purpose any "$@" -out /dev/null 2>&1) || fail "openssl cms -verify rejects $f:
$out"
}

# p7s_bad FILE DATA CHAIN [OPENSSL-ARGS...]: the opposite of p7s_ok: openssl rejects it.
p7s_bad() {
  local f=$1 data=$2 chain=$3
  shift 3
  if openssl cms -verify -binary -inform DER -in "$f" -content "$data" -CAfile "$chain" \
    -purpose any "$@" -out /dev/null >/dev/null 2>&1; then
    fail "openssl cms -verify accepts $f, expected a rejection"
  fi
}

# cert_ok CERT CHAIN [OPENSSL-ARGS...]: `openssl verify -CAfile CHAIN CERT` succeeds.
cert_ok() {
  local c=$1 chain=$2 out
  shift 2
  out=$(openssl verify -CAfile "$chain" "$@" "$c" 2>&1) || fail "openssl verify rejects $c:
$out"
}

# cert_bad CERT CHAIN [OPENSSL-ARGS...]: `openssl verify` rejects CERT.
cert_bad() {
  local c=$1 chain=$2
  shift 2
  if openssl verify -CAfile "$chain" "$@" "$c" >/dev/null 2>&1; then
    fail "openssl verify accepts $c, expected a rejection"
  fi
}

# copy_fixture SRC [NAME]: copies SRC into TEST_TMP (as NAME, default its basename) and prints
# the new path, for tests that need a writable input or an input beside its outputs.
copy_fixture() {
  local dst=$TEST_TMP/${2:-$(basename "$1")}
  cp "$1" "$dst"
  printf '%s\n' "$dst"
}

# start_tsa NAME [KEY CERT CHAIN]: starts tests/support/tsa_server.py (a loopback RFC 3161 TSA
# answering with `openssl ts -reply`; default: the fixture TSA key and certificate), stopped at
# exit, and sets TSA_URL to its base URL (http://127.0.0.1:PORT; POST /tsa for a token). Basic
# auth on /auth/tsa with $TSA_USER/$TSA_PASSWORD (defaults asha / tsa-secret-0042). Not in
# $(...): on_exit must run in this shell.
start_tsa() {
  local name=$1 key=${2:-$PKI/tsa.key.pem} cert=${3:-$PKI/tsa.cert.pem} chain=${4:-$PKI/chain.pem}
  TSA_USER=${TSA_USER:-asha}
  TSA_PASSWORD=${TSA_PASSWORD:-tsa-secret-0042}
  /usr/bin/python3 "$ESIGN_SOURCE_DIR/tests/support/tsa_server.py" --key "$key" --cert "$cert" --chain "$chain" \
    --workdir "$TEST_TMP/$name" --username "$TSA_USER" --password "$TSA_PASSWORD" \
    >"$TEST_TMP/$name.port" 2>"$TEST_TMP/$name.err" &
  on_exit "kill $! 2>/dev/null || true"
  wait_for_port "$TEST_TMP/$name.port" "the test TSA $name"
  echo "$PORT" >"$TEST_TMP/$name.portnum"
  TSA_URL=http://127.0.0.1:$PORT
}

# wait_for_port FILE WHAT: sets PORT to the port a test server started in the background writes
# as the first line of FILE (its stderr in FILE without .port, .err); fails the test after 5 s.
wait_for_port() {
  local i
  PORT=""
  for ((i = 0; i < 100; i++)); do
    PORT=$(head -n1 "$1" 2>/dev/null || true)
    [ -n "$PORT" ] && break
    sleep 0.05
  done
  [ -n "$PORT" ] || fail "$2 did not start: $(cat "${1%.port}.err" 2>/dev/null)"
}

# start_revocation_server DIR: tests/support/revocation_server.py serving DIR (OCSP, CRLs,
# caIssuers certificates); sets REV_PID and REV_PORT. Started before the PKI is made, since the
# certificates name its port.
start_revocation_server() {
  /usr/bin/python3 "$ESIGN_SOURCE_DIR/tests/support/revocation_server.py" --dir "$1" \
    >"$TEST_TMP/rev.port" 2>"$TEST_TMP/rev.err" &
  REV_PID=$!
  on_exit "kill $REV_PID 2>/dev/null || true"
  wait_for_port "$TEST_TMP/rev.port" "the revocation server"
  REV_PORT=$PORT
}

# start_lt_pki DIR: the revocation server, a long-term-validation PKI in DIR naming it
# (tests/support/make_lt_pki.sh), and a TSA of that PKI whose URL the PKI's profiles get.
start_lt_pki() {
  start_revocation_server "$1"
  bash "$ESIGN_SOURCE_DIR/tests/support/make_lt_pki.sh" "$1" "http://127.0.0.1:$REV_PORT" >"$TEST_TMP/pki.log" 2>&1 ||
    fail "make_lt_pki.sh failed: $(cat "$TEST_TMP/pki.log")"
  start_tsa lt-tsa "$1/tsa.key.pem" "$1/tsa.cert.pem" "$1/chain.pem"
  sed -i "s|@TSA_URL@|$TSA_URL/tsa|" "$1"/*.yaml
}
