#!/usr/bin/env bash
# esign verify rejects forgeries built byte by byte (tests/support/forge.py) from PDFs that
# `esign sign` just signed: an attached CMS in a PDF signature (or a CMS swapped in from
# another document), a .p7s whose attached content hides changed data, incremental updates
# that change the page while posing as validation data, an object stream, an xref stream or a
# signature annotation, signature dictionaries and fields not tied to their revision, hybrid
# xref tricks that make readers disagree, weak or unfit signer keys, and xref / DSS bombs
# (under 1 GB of address space and 20 s). Legitimate files (signed twice by esign, or by esign
# and an independent openssl signer) stay valid.
#
# Each attack is one block. A witness shows the attack is real: pdftotext (poppler) shows the
# forged text where the signed revision shows the original, qpdf --check parses the file,
# pdfsig says what poppler thinks of the signatures. Witness failures are hard failures (the
# forgery is broken); esign verdicts are deferred with `later`, so every attack is tried.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
need_tool openssl qpdf pdftotext pdfsig certutil timeout

export ESIGN_LEDGER=$TEST_TMP/ledger.db
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3)
root=$PKI/root.pem
d=$TEST_TMP/d
mkdir -p "$d"

# later MESSAGE: a failure reported at the end, so the checks after it still run.
later_fails=()
later() { echo "FAIL (reported at the end) $TEST_NAME: $*" >&2; later_fails+=("$*"); }

# forge ATTACK IN OUT [ARGS...]: tests/support/forge.py (a failure there fails the test).
json_get() {
  "$py" -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# failed_checks JSONFILE: the names of the failed checks of every signature, one a line.
failed_checks() {
  json_get "$1" '"\n".join(k for f in d["files"] for s in f["signatures"] for k, v in s["checks"].items() if not v["ok"])'
}

# expect_rejected LABEL CHECKS ERROR FILE [VERIFY-ARGS...]: `esign verify FILE` exits 1 with an
# INVALID line, and its JSON report says the file is invalid and either a check whose name
# matches the regex CHECKS failed (in any signature) or the file-level error matches the
# regex ERROR (case-insensitive; '' for none). Deferred (later); the JSON stays in v.json.
# With WANT_EXIT=4 the outcome must be INDETERMINATE instead (exit 4): what cannot be trusted
# without being provably forged, such as a key too small to rely on.
expect_rejected() {
  local label=$1 checks=$2 error=$3 f=$4 failed err valid problems="" want=${WANT_EXIT:-1} line="INVALID ("
  [ "$want" = 4 ] && line="INDETERMINATE"
  shift 4
  run esign verify "$f" --trust "$root" "$@"
  if [ "$LAST_EXIT" != "$want" ] || ! grep -q "^$f: $line" "$LAST_STDOUT"; then
    problems=" exit $LAST_EXIT ($(head -n1 "$LAST_STDOUT" | sed "s|^$f: ||"));"
  fi
  run esign verify "$f" --trust "$root" --format json "$@"
  cp "$LAST_STDOUT" "$TEST_TMP/v.json"
  valid=$(json_get "$TEST_TMP/v.json" 'd["files"][0]["valid"]' 2>/dev/null || echo "no JSON")
  failed=$(failed_checks "$TEST_TMP/v.json" 2>/dev/null | tr '\n' ' ' || true)
  err=$(json_get "$TEST_TMP/v.json" 'd["files"][0]["error"] or ""' 2>/dev/null || true)
  [ "$valid" = False ] || problems+=" JSON valid=$valid;"
  if ! grep -qxE "$checks" <<<"$(tr ' ' '\n' <<<"$failed")" && { [ -z "$error" ] || ! grep -qiE "$error" <<<"$err"; }; then
    problems+=" no failed check matches '$checks'${error:+ nor the error /$error/} (failed: ${failed:-none})"
  fi
  if [ -n "$problems" ]; then
    later "$label: expected INVALID by $checks:$problems"
  else
    note "$label: INVALID ($checks) as expected"
  fi
}

# expect_valid LABEL FILE: `esign verify FILE` exits 0 (deferred).
expect_valid() {
  run esign verify "$2" --trust "$root"
  [ "$LAST_EXIT" = 0 ] || later "$1: exit $LAST_EXIT, expected 0 (valid): $(head -n1 "$LAST_STDOUT") $(head -n1 "$LAST_STDERR")"
}

# shows FILE TEXT / lacks FILE TEXT: pdftotext (poppler) does / does not show TEXT in FILE.
# (Output is captured before grep -q reads it: with pipefail, a writer that grep -q leaves
# behind dies of SIGPIPE and fails the pipeline.)
text_of() { pdftotext "$1" - 2>/dev/null || true; }
shows() { grep -qF -- "$2" <<<"$(text_of "$1")" || fail "witness: pdftotext does not show '$2' in $1"; }
lacks() { ! grep -qF -- "$2" <<<"$(text_of "$1")" || fail "witness: pdftotext shows '$2' in $1"; }

# forged_text FILE TEXT [SIG]: the forged FILE shows TEXT, the revision signature SIG (default:
# the last) covers does not, qpdf --check parses FILE cleanly, and pdfsig still calls the
# signatures valid (each for its own revision).
forged_text() {
  local f=$1 text=$2 sig=${3:--1}
  forge revision "$f" "$f.rev.pdf" --sig "$sig"
  shows "$f" "$text"
  lacks "$f.rev.pdf" "$text"
  shows "$f.rev.pdf" "Hello esign"
  qpdf_ok "$f"
  grep -q 'Signature is Valid' <<<"$(pdfsig_report "$f")" || fail "witness: pdfsig rejects the signature of $f"
}

# page_annots FILE: "/Subtype /FT /A-URI" of each annotation of page 1, as qpdf reads them.
page_annots() {
  qpdf --json --json-key=qpdf "$1" | "$py" -c '
import json, sys
o = json.load(sys.stdin)["qpdf"][1]   # qpdf 11 JSON v2: "obj:N G R" -> {"value": ...}
v = lambda x: o["obj:" + x]["value"] if isinstance(x, str) and x.endswith(" R") else x
page = v(v(v(v(o["trailer"]["value"]["/Root"])["/Pages"])["/Kids"])[0])
for a in v(page.get("/Annots", [])):
    a = v(a)
    print(a.get("/Subtype"), a.get("/FT"), v(a.get("/A") or {}).get("/URI"))'
}

# pdfsig_count FILE TEXT: how many times pdfsig's report on FILE says TEXT.
pdfsig_count() { pdfsig_report "$1" | grep -cF -- "$2" || true; }

FORGED="Pay 1000000 to Mallory"
expect_exit 0 esign sign "$PDFS/classic.pdf" --profile "$PKI/rsa.yaml" -o "$d/good.pdf"
expect_exit 0 esign verify "$d/good.pdf" --trust "$root"
expect_exit 0 esign sign "$PDFS/multipage.pdf" --profile "$PKI/rsa.yaml" -o "$d/other.pdf"

note "legitimate: a B-B file signed twice by esign stays valid"
expect_exit 0 esign sign "$d/good.pdf" --profile "$PKI/ec256.yaml" -o "$d/twice.pdf"
expect_valid "signed twice by esign" "$d/twice.pdf"
pdfsig_valid "$d/twice.pdf" 2

# 1. A PDF signature's CMS must be detached: the signed data is the ByteRange, nothing else.
note "1. cms-swap: attached CMS in a PDF signature"
printf 'I approve invoice 42\n' >"$d/small.txt"
# (a) esign's signature replaced by an attached openssl CMS over other bytes.
forge cms-swap "$d/good.pdf" "$d/attached.pdf" --key "$PKI/rsa.key.pem" --cert "$PKI/rsa.cert.pem" \
  --certfile "$PKI/intermediate.pem" --content "$d/small.txt"
grep -q 'Digest Mismatch' <<<"$(pdfsig_report "$d/attached.pdf")" || fail "witness: pdfsig accepts attached.pdf"
expect_rejected "cms-swap (attached, other content)" cms_detached "" "$d/attached.pdf"
# (b) no key needed: the CMS of other.pdf (a different document, signed by esign) with the
# bytes it covers re-attached as eContent, put into a PDF signed by an independent signer
# with a large /Contents gap. The signature value is untouched, so the CMS verifies on its
# own; only a verifier that digests eContent instead of the ByteRange is fooled.
forge sign "$PDFS/classic.pdf" "$d/b.pdf" --key "$PKI/ec256.key.pem" --cert "$PKI/ec256.cert.pem" \
  --certfile "$PKI/chain.pem" --cades --size 12000
forge cms-swap "$d/b.pdf" "$d/swapped.pdf" --from "$d/other.pdf"
forge cms "$d/swapped.pdf" "$d/swapped.p7m"
openssl cms -verify -inform DER -in "$d/swapped.p7m" -CAfile "$PKI/chain.pem" -purpose any -out "$d/swapped.content" 2>/dev/null ||
  fail "witness: the re-attached CMS does not verify on its own"
forge signed-bytes "$d/other.pdf" "$d/other.signed"
cmp -s "$d/swapped.content" "$d/other.signed" || fail "witness: the eContent is not what other.pdf's signature covers"
shows "$d/swapped.pdf" "Hello esign"
lacks "$d/swapped.pdf" "page 1 of 3"
qpdf_ok "$d/swapped.pdf"
grep -q 'Digest Mismatch' <<<"$(pdfsig_report "$d/swapped.pdf")" || fail "witness: pdfsig accepts swapped.pdf"
expect_rejected "cms-swap (CMS of another document)" cms_detached "" "$d/swapped.pdf"
# (c) attached, over exactly the bytes the ByteRange covers: right digest, wrong form.
forge cms-swap "$d/b.pdf" "$d/attached-same.pdf" --key "$PKI/rsa.key.pem" --cert "$PKI/rsa.cert.pem" \
  --certfile "$PKI/chain.pem"
expect_rejected "cms-swap (attached, same bytes)" cms_detached "" "$d/attached-same.pdf"

note "1b. .p7s with attached content, the data beside it changed"
p=$TEST_TMP/p7s
mkdir -p "$p"
printf 'id,amount\n1,100.00\n2,250.00\n' >"$p/data.csv"
printf 'id,amount\n1,100.00\n2,999999.00\n' >"$p/other.csv"
openssl cms -sign -nodetach -binary -md sha256 -outform DER -in "$p/data.csv" -signer "$PKI/rsa.cert.pem" \
  -inkey "$PKI/rsa.key.pem" -certfile "$PKI/chain.pem" -out "$p/data.csv.p7s"
expect_valid ".p7s with attached content, data unchanged" "$p/data.csv.p7s"
expect_rejected ".p7s attached, --data other.csv" 'message_digest|attached_content' "" "$p/data.csv.p7s" --data "$p/other.csv"
cp "$p/data.csv" "$p/data.orig"
cp "$p/other.csv" "$p/data.csv"
expect_rejected ".p7s attached, data.csv changed" 'message_digest|attached_content' "" "$p/data.csv.p7s"
cp "$p/data.orig" "$p/data.csv"
expect_valid ".p7s with attached content, data restored" "$p/data.csv.p7s"

# 2. Revision analysis must judge what an update does, not what its objects claim to be.
note "2a. a new page content stream listed in a /DSS /Certs"
forge dss-cover "$d/good.pdf" "$d/dss-cover.pdf" --text "$FORGED"
forged_text "$d/dss-cover.pdf" "$FORGED"
expect_rejected "dss-cover" later_changes "" "$d/dss-cover.pdf"
forge dss-cover "$d/good.pdf" "$d/dss-cover-xs.pdf" --text "$FORGED" --xref-stream
forged_text "$d/dss-cover-xs.pdf" "$FORGED"
expect_rejected "dss-cover (xref stream update)" later_changes "" "$d/dss-cover-xs.pdf"

note "2b. a page content stream claiming /Type /ObjStm or /XRef"
for t in ObjStm XRef; do
  forge typed-content "$d/good.pdf" "$d/typed-$t.pdf" --type "$t" --text "$FORGED"
  forged_text "$d/typed-$t.pdf" "$FORGED"
  expect_rejected "content stream typed /$t" later_changes "" "$d/typed-$t.pdf"
done

note "2c/2d. annotations posing as signature widgets"
forge annot "$d/good.pdf" "$d/freetext.pdf" --text "PAID IN FULL"
forged_text "$d/freetext.pdf" "PAID IN FULL"
expect_rejected "FreeText with /FT /Sig" later_changes "" "$d/freetext.pdf"
forge annot "$d/good.pdf" "$d/freetext-parent.pdf" --parent --text "PAID IN FULL"
forged_text "$d/freetext-parent.pdf" "PAID IN FULL"
expect_rejected "FreeText with /Parent = the signature field" later_changes "" "$d/freetext-parent.pdf"
forge annot "$d/good.pdf" "$d/link.pdf" --subtype Link --uri "http://127.0.0.1/"
qpdf_ok "$d/link.pdf"
grep -qx '/Link /Sig u:http://127.0.0.1/' <<<"$(page_annots "$d/link.pdf")" ||
  fail "witness: qpdf finds no Link /FT /Sig annotation with the URI on page 1 of link.pdf"
expect_rejected "Link with /FT /Sig and a URI action" later_changes "" "$d/link.pdf"

# 3. A signature dictionary belongs to one field and to the revision it signs.
note "3a. a second field whose new signature dictionary copies the first one's ByteRange and Contents"
forge sig-copy "$d/good.pdf" "$d/sig-copy.pdf"
qpdf_ok "$d/sig-copy.pdf"
[ "$(pdfsig_count "$d/sig-copy.pdf" 'Signature is Valid')" = 2 ] ||
  fail "witness: pdfsig does not see two valid signatures in sig-copy.pdf"
expect_rejected "sig-copy (Mallory, 2020)" signature_dictionary "" "$d/sig-copy.pdf"
[ "$(json_get "$TEST_TMP/v.json" '[s["checks"].get("signature_dictionary", {"ok": True})["ok"] for s in d["files"][0]["signatures"] if s["field"] == "Mallory"]' 2>/dev/null)" = "[False]" ] ||
  later "sig-copy: the Mallory signature's signature_dictionary check did not fail"
# The same with a current /M, so no certificate-validity check can hide the missing one.
forge sig-copy "$d/good.pdf" "$d/sig-copy-now.pdf" --m "$(date -u +D:%Y%m%d%H%M%SZ)"
expect_rejected "sig-copy (Mallory, now)" signature_dictionary "" "$d/sig-copy-now.pdf"

note "3b. a second field whose /V is the first signature's dictionary"
forge field-dup "$d/good.pdf" "$d/field-dup.pdf"
qpdf_ok "$d/field-dup.pdf"
[ "$(pdfsig_count "$d/field-dup.pdf" 'Signature is Valid')" = 2 ] ||
  fail "witness: pdfsig does not see the signature twice in field-dup.pdf"
expect_rejected "field-dup" signature_field "" "$d/field-dup.pdf"

note "3c. an empty signature field filled (appearance + string /V) after the last signature"
# esign sign has no option to sign into a named field, so: sign, add an empty field, sign
# again (esign makes a new field), then fill the empty one. And: the empty field made before
# the first signature.
# Each case: START (a signed or unsigned PDF) gets the empty field, esign signs, the field is filled.
for case in "after:$d/good.pdf:ec256" "before:$PDFS/classic.pdf:rsa"; do
  IFS=: read -r when start key <<<"$case"
  forge empty-field "$start" "$d/$when-empty.pdf" --name Approval
  qpdf_ok "$d/$when-empty.pdf"
  expect_exit 0 esign sign "$d/$when-empty.pdf" --profile "$PKI/$key.yaml" -o "$d/$when-signed.pdf"
  expect_valid "empty field made $when the first signature" "$d/$when-signed.pdf"
  forge fill-field "$d/$when-signed.pdf" "$d/$when-filled.pdf" --name Approval --text APPROVED
  forged_text "$d/$when-filled.pdf" APPROVED
  expect_rejected "empty field made $when the first signature, filled after signing" later_changes "" "$d/$when-filled.pdf"
done

# 4. Parser differentials: readers must not disagree on what the signed file shows.
note "4. hybrid xref: table says free, /XRefStm says the original offset, an unreferenced new definition"
forge hybrid-free "$d/good.pdf" "$d/hybrid.pdf" --text "$FORGED"
qpdf_ok "$d/hybrid.pdf"
# qpdf follows the /XRefStm (the original text); poppler sees a free object it needs and
# reconstructs the xref by scanning, finding the new definition.
grep -qF "Hello esign" <<<"$(qpdf --show-object=6 --filtered-stream-data "$d/hybrid.pdf" 2>/dev/null)" ||
  fail "witness: qpdf does not read the original page content in hybrid.pdf"
if grep -qF "$FORGED" <<<"$(text_of "$d/hybrid.pdf")"; then
  note "hybrid.pdf: poppler shows '$FORGED', qpdf the signed text"
else
  note "hybrid.pdf: poppler does not show the forged text"
fi
expect_rejected "hybrid xref (free + XRefStm + orphan)" later_changes 'hybrid|free|no xref entry' "$d/hybrid.pdf"

note "4b. an allowed DSS update carrying an object definition no xref entry reaches"
forge orphan "$d/good.pdf" "$d/orphan.pdf" --text "$FORGED" --cert "$PKI/rsa.cert.pem"
qpdf_ok "$d/orphan.pdf"
shows "$d/orphan.pdf" "Hello esign" # xref-following readers see the signed text ...
grep -qaF "($FORGED)" "$d/orphan.pdf" || fail "witness: no orphan definition in orphan.pdf"
# ... a reader that rebuilds the xref by scanning (as poppler does for hybrid.pdf) sees the other.
expect_rejected "orphan object definition" 'later_changes' 'xref|unreferenced|orphan|not reach' "$d/orphan.pdf"

# 5. Signer keys: too weak, or certified for something else.
note "5a. RSA 1024 and 512 signers issued by the test root"
w=$TEST_TMP/weak
mkdir -p "$w"
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always\n' >"$w/ext.cnf"
for bits in 1024 512; do
  openssl genpkey -quiet -algorithm RSA -pkeyopt "rsa_keygen_bits:$bits" -out "$w/rsa$bits.key.pem"
  openssl req -new -key "$w/rsa$bits.key.pem" -subj "/C=IN/O=esign test/CN=Weak RSA $bits" -out "$w/rsa$bits.csr"
  openssl x509 -req -in "$w/rsa$bits.csr" -CA "$root" -CAkey "$PKI/root.key.pem" -set_serial "0x$(openssl rand -hex 8)" \
    -days 365 -sha256 -extfile "$w/ext.cnf" -out "$w/rsa$bits.cert.pem" 2>/dev/null
  cat >"$w/rsa$bits.yaml" <<YAML
name: weak-rsa$bits
key:
  source: pem
  key: rsa$bits.key.pem
  cert: rsa$bits.cert.pem
  chain: $root
signature:
  format: auto
  level: B-B
  digest: sha256
YAML
  run esign sign "$PDFS/classic.pdf" --profile "$w/rsa$bits.yaml" -o "$d/weak$bits-esign.pdf"
  if [ "$LAST_EXIT" = 0 ] || ! grep -qi 'bits' "$LAST_STDERR"; then
    later "esign sign with RSA $bits: exit $LAST_EXIT, expected a refusal naming the key's bits: $(head -n1 "$LAST_STDERR")"
  elif [ -e "$d/weak$bits-esign.pdf" ]; then
    later "esign sign with RSA $bits refused but wrote $d/weak$bits-esign.pdf"
  else
    note "esign sign refuses RSA $bits (exit $LAST_EXIT)"
  fi
  forge sign "$PDFS/classic.pdf" "$d/weak$bits.pdf" --key "$w/rsa$bits.key.pem" --cert "$w/rsa$bits.cert.pem"
  qpdf_ok "$d/weak$bits.pdf"
  grep -q 'Signature is Valid' <<<"$(pdfsig_report "$d/weak$bits.pdf")" || fail "witness: pdfsig rejects weak$bits.pdf"
  WANT_EXIT=4 expect_rejected "RSA $bits signer (forge sign)" key_strength "" "$d/weak$bits.pdf"
done

note "5b. the TSA certificate (EKU timeStamping only) as a document signer"
forge sign "$PDFS/classic.pdf" "$d/tsa-signed.pdf" --key "$PKI/tsa.key.pem" --cert "$PKI/tsa.cert.pem" --certfile "$PKI/chain.pem"
qpdf_ok "$d/tsa-signed.pdf"
expect_rejected "TSA certificate as signer" key_usage "" "$d/tsa-signed.pdf"
printf 'name: tsa-as-signer\nkey:\n  source: pem\n  key: %s\n  cert: %s\n  chain: %s\nsignature:\n  level: B-B\n' \
  "$PKI/tsa.key.pem" "$PKI/tsa.cert.pem" "$PKI/chain.pem" >"$w/tsa.yaml"
expect_exit 2 esign sign "$PDFS/classic.pdf" --profile "$w/tsa.yaml" -o "$d/tsa-esign.pdf"
expect_stderr_contains "extended key usage that does not allow signing documents"
expect_no_file "$d/tsa-esign.pdf"

note "5c. an independent openssl signer after esign (AcroForm /DR added), then esign again"
forge sign "$d/good.pdf" "$d/indep.pdf" --key "$PKI/rsa.key.pem" --cert "$PKI/rsa.cert.pem" --certfile "$PKI/chain.pem" --dr
qpdf_ok "$d/indep.pdf"
pdfsig_valid "$d/indep.pdf" 2
expect_valid "esign + independent signer" "$d/indep.pdf"
expect_exit 0 esign sign "$d/indep.pdf" --profile "$PKI/ec256.yaml" -o "$d/indep3.pdf"
pdfsig_valid "$d/indep3.pdf" 3
expect_valid "esign + independent signer + esign" "$d/indep3.pdf"

# 6. Resource limits: a hostile file costs bounded memory and time, and says which limit.
# bounded_verify LABEL FILE: esign verify under 1 GB of address space and 20 s must exit 1 or
# 2 (never 3, a signal or a timeout) and name a limit on stderr or in the JSON (deferred).
bounded_verify() {
  local label=$1 f=$2 named=${3:-'limit|budget|too (many|large|big|much|deep)|more than|exceed'} start=$SECONDS
  [ -x "$ESIGN" ] || fail "esign binary not found at $ESIGN"
  set +e
  (
    # AddressSanitizer maps terabytes of shadow memory and keeps freed memory in quarantine:
    # under `scripts/test --sanitize` only the exit status and the time are checked.
    [ -n "${ASAN_OPTIONS:-}" ] || ulimit -v 1000000
    exec /usr/bin/time -f '%M' -o "$TEST_TMP/rss" timeout 20 "$ESIGN" verify "$f" --trust "$root" --format json
  ) >"$LAST_STDOUT" 2>"$LAST_STDERR"
  LAST_EXIT=$?
  set -e
  # The documented bound (man esign-verify): 64 MiB + 200 bytes per byte of the file.
  local rss_kb bound_kb
  rss_kb=$(tail -n1 "$TEST_TMP/rss")
  bound_kb=$((65536 + 200 * $(stat -c %s "$f") / 1024))
  if [ -z "${ASAN_OPTIONS:-}" ] && [ "$rss_kb" -gt "$bound_kb" ]; then
    later "$label: peak memory ${rss_kb} KB above the bound of ${bound_kb} KB"
  fi
  if [ "$LAST_EXIT" != 1 ] && [ "$LAST_EXIT" != 2 ]; then
    later "$label: exit $LAST_EXIT$([ "$LAST_EXIT" = 124 ] && echo ' (timeout)') after $((SECONDS - start)) s, expected 1 or 2: $(head -c 300 "$LAST_STDERR")"
  elif ! grep -qiE "$named" "$LAST_STDERR" "$LAST_STDOUT"; then
    later "$label: exit $LAST_EXIT but no limit named: $(head -c 300 "$LAST_STDERR")"
  else
    note "$label: exit $LAST_EXIT, $(head -n1 "$LAST_STDERR")"
  fi
}
note "6a-c. xref streams listing ten million free entries: 1, 17 and 250 updates"
forge xref-bomb "$d/good.pdf" "$d/bomb1.pdf"
[ "$(stat -c %s "$d/bomb1.pdf")" -lt $(($(stat -c %s "$d/good.pdf") + 30000)) ] || fail "bomb1.pdf is not small"
shows "$d/bomb1.pdf" "Hello esign"
bounded_verify "xref bomb, 1 update" "$d/bomb1.pdf"
forge xref-bomb "$d/good.pdf" "$d/bomb17.pdf" --updates 17
bounded_verify "xref bomb, 17 updates" "$d/bomb17.pdf"
forge xref-bomb "$d/good.pdf" "$d/bomb250.pdf" --updates 250
[ "$(grep -c '^%%EOF' "$d/bomb250.pdf")" -ge 251 ] || fail "bomb250.pdf lacks its %%EOF markers"
bounded_verify "xref bomb, 250 updates" "$d/bomb250.pdf"

# Sections each within the per-file limit, which only the budget shared by all revisions and
# every re-reading of them stops.
note "6e. 17 and 250 updates whose xref streams each list 150 000 / 40 000 free entries"
forge xref-bomb "$d/good.pdf" "$d/bomb17s.pdf" --updates 17 --entries 150000
bounded_verify "xref bomb, 17 updates of 150 000 entries" "$d/bomb17s.pdf"
forge xref-bomb "$d/good.pdf" "$d/bomb250s.pdf" --updates 250 --entries 40000
bounded_verify "xref bomb, 250 updates of 40 000 entries" "$d/bomb250s.pdf"

note "6f. two updates that set a page's /Annots to 200 000 direct entries"
forge annots-flood "$d/good.pdf" "$d/annots-flood.pdf" --count 200000
bounded_verify "long /Annots lists" "$d/annots-flood.pdf" 'modified'

note "6d. a DSS whose /Certs lists one 200 MB zero stream thirty times"
forge dss-bomb "$d/good.pdf" "$d/dss-bomb.pdf" --mb 200 --refs 30
qpdf_ok "$d/dss-bomb.pdf"
bounded_verify "DSS inflate bomb" "$d/dss-bomb.pdf"

[ ${#later_fails[@]} = 0 ] || fail "${#later_fails[@]} failures: $(printf '\n  - %s' "${later_fails[@]}")"
