#!/usr/bin/env bash
# Certification signatures (ISO 32000-2 §12.8.2.2 DocMDP) and FieldMDP locks end to end:
# `sign --certify 1|2|3` and `signature: {certify: N, lock_fields: ...}` in a profile write
# /Perms /DocMDP and the /Reference transforms (checked in qpdf's JSON of the file, and by
# pdfsig and qpdf --check); `sign` refuses to certify a signed document and to sign one certified
# P1; `verify` reports the level and holds every later revision to it: a later signature (by an
# independent signer), validation data, a document time-stamp and an annotation after P1, P2 and
# P3, a later signature under a lock on all fields, and a locked signature field signed later.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
need_tool pdfsig qpdf openssl

export ESIGN_LEDGER=$TEST_TMP/ledger.db
py=/usr/bin/python3
root=$PKI/root.pem
d=$TEST_TMP/certify
mkdir -p "$d"

# docmdp FILE: "P LOCK" from qpdf's JSON of FILE: the /P of the DocMDP transform of the
# signature that the catalog's /Perms /DocMDP names, and the FieldMDP /Action of that signature
# (or "-"); fails unless /Perms /DocMDP is an indirect reference to a /Type /Sig dictionary.
docmdp() {
  qpdf --json "$1" >"$d/qpdf.json" || fail "qpdf --json $1 failed"
  "$py" - "$d/qpdf.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
objs = doc["qpdf"][1]
def get(ref):
    o = objs["obj:" + ref]
    return o.get("value", o.get("stream", {}).get("dict"))
root = get(objs["trailer"]["value"]["/Root"])
perms = root.get("/Perms")
if isinstance(perms, str):
    perms = get(perms)
if not perms or not isinstance(perms.get("/DocMDP"), str):
    sys.exit("no /Perms /DocMDP indirect reference in the catalog")
sig = get(perms["/DocMDP"])
if sig.get("/Type") != "/Sig":
    sys.exit("/Perms /DocMDP does not name a signature dictionary")
p, lock = None, "-"
for r in sig.get("/Reference", []):
    if r["/TransformMethod"] == "/DocMDP":
        p = r["/TransformParams"]["/P"]
        assert r["/TransformParams"]["/V"] == "/1.2"
    if r["/TransformMethod"] == "/FieldMDP":
        lock = r["/TransformParams"]["/Action"][1:]
print(p, lock)
PY
}

# pdfsig_signed FILE N: pdfsig finds N valid signatures in FILE (which also has empty signature
# fields, so pdfsig_valid's count of fields does not apply) and none that is not valid.
pdfsig_signed() {
  local report valid
  report=$(pdfsig_report "$1")
  valid=$(grep -c 'Signature Validation: Signature is Valid\.' <<<"$report" || true)
  [ "$valid" = "$2" ] || fail "pdfsig: $valid valid signatures in $1, expected $2:
$report"
  ! grep -q 'Signature Validation: Signature is Invalid' <<<"$report" || fail "pdfsig: an invalid signature in $1:
$report"
}

# verdict FILE: "VALID VALID ..." / "INVALID ..." per signature, from verify --format json.
verdict() {
  run esign verify "$1" --trust "$root" --format json
  cp "$LAST_STDOUT" "$d/v.json"
  "$py" -c 'import json,sys; d=json.load(open(sys.argv[1]))["files"][0]; print(" ".join("VALID" if s["valid"] else "INVALID" for s in d["signatures"]))' "$d/v.json"
}

# expect_verdict LABEL FILE WANT [ERROR-REGEX]: verify's per-signature verdicts (in field-tree
# order) are WANT, and a signature's error matches ERROR-REGEX when given.
expect_verdict() {
  local label=$1 f=$2 want=$3 error=${4:-} got err
  got=$(verdict "$f")
  [ "$got" = "$want" ] || fail "$label: verify says '$got', expected '$want': $(cat "$LAST_STDOUT")"
  if [ -n "$error" ]; then
    err=$("$py" -c 'import json,sys; print(" | ".join(s["error"] or "" for s in json.load(open(sys.argv[1]))["files"][0]["signatures"]))' "$d/v.json")
    grep -qE "$error" <<<"$err" || fail "$label: no signature's error matches /$error/: $err"
  fi
  note "$label: $got"
}

# --- writing ---
for p in 1 2 3; do
  expect_exit 0 esign sign "$PDFS/classic.pdf" --profile "$PKI/rsa.yaml" --certify "$p" -o "$d/p$p.pdf"
  [ "$(docmdp "$d/p$p.pdf")" = "$p -" ] || fail "p$p.pdf: qpdf shows '$(docmdp "$d/p$p.pdf")', expected '$p -'"
  pdfsig_valid "$d/p$p.pdf" 1
  qpdf_ok "$d/p$p.pdf"
  expect_exit 0 esign verify "$d/p$p.pdf" --trust "$root"
  expect_stdout_contains "certification: P$p"
  expect_verdict "P$p as signed" "$d/p$p.pdf" "VALID"
  [ "$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["files"][0]["signatures"][0]["certification"])' "$d/v.json")" = "$p" ] ||
    fail "verify --format json does not report certification $p"
done

# The profile says it too, with a lock on all fields.
cat >"$d/author.yaml" <<YAML
name: author
key:
  source: pkcs12
  path: $PKI/rsa.p12
  password: file:$PKI/p12-password.txt
signature:
  certify: 2
  lock_fields: all
YAML
expect_exit 0 esign sign "$PDFS/classic.pdf" --profile "$d/author.yaml" -o "$d/p2-all.pdf"
[ "$(docmdp "$d/p2-all.pdf")" = "2 All" ] || fail "p2-all.pdf: qpdf shows '$(docmdp "$d/p2-all.pdf")', expected '2 All'"
grep -aq '/Lock *<<' "$d/p2-all.pdf" || fail "p2-all.pdf: the signature field has no /Lock dictionary"
pdfsig_valid "$d/p2-all.pdf" 1
qpdf_ok "$d/p2-all.pdf"
expect_exit 0 esign verify "$d/p2-all.pdf" --trust "$root"
expect_stdout_contains "locked fields: all"

# Refusals: certifying a signed document; signing a P1 document; locking a field it lacks; a
# certification of a file signed as CAdES.
remember "$d/p1.pdf" "$d/p2.pdf"
expect_exit 2 esign sign "$d/p2.pdf" --profile "$PKI/rsa.yaml" --certify 2 -o "$d/twice.pdf"
expect_stderr_contains "only a document's first signature may certify it"
expect_no_file "$d/twice.pdf"
expect_exit 2 esign sign "$d/p1.pdf" --profile "$PKI/rsa.yaml" -o "$d/after-p1.pdf"
expect_stderr_contains "certified with permission level 1"
expect_no_file "$d/after-p1.pdf"
expect_exit 2 esign sign "$PDFS/classic.pdf" --profile "$PKI/rsa.yaml" --lock-fields Nope -o "$d/nope.pdf"
expect_stderr_contains "cannot lock field 'Nope'"
printf 'data\n' >"$d/data.txt"
expect_exit 2 esign sign "$d/data.txt" --profile "$PKI/rsa.yaml" --certify 1 -o "$d/data.p7s"
expect_stderr_contains "certification and field locks are for PDF signatures"
expect_exit 2 esign sign "$PDFS/classic.pdf" --profile "$PKI/rsa.yaml" --certify 4 -o "$d/p4.pdf"
expect_unchanged "$d/p1.pdf" "$d/p2.pdf"

# --- later revisions, for each level ---
start_tsa tsa
forge empty-field "$PDFS/classic.pdf" "$d/form.pdf" --name Approval
for p in 1 2 3; do
  # An approval signature by an independent signer (openssl through forge.py).
  forge sign "$d/p$p.pdf" "$d/p$p-signed.pdf" --key "$PKI/ec256.key.pem" --cert "$PKI/ec256.cert.pem" --certfile "$PKI/chain.pem"
  # Validation data, then a document time-stamp.
  forge dss-add "$d/p$p.pdf" "$d/p$p-dss.pdf"
  expect_exit 0 esign stamp "$d/p$p-dss.pdf" --tsa "$TSA_URL/tsa" -o "$d/p$p-dts.pdf"
  # An annotation that claims to be a signature field and paints text over the page.
  forge annot "$d/p$p.pdf" "$d/p$p-annot.pdf" --subtype FreeText
done
expect_verdict "P1 + later signature" "$d/p1-signed.pdf" "INVALID VALID" "does not permit"
expect_verdict "P2 + later signature" "$d/p2-signed.pdf" "VALID VALID"
expect_verdict "P3 + later signature" "$d/p3-signed.pdf" "VALID VALID"
for p in 1 2 3; do
  expect_verdict "P$p + DSS" "$d/p$p-dss.pdf" "VALID"
  expect_verdict "P$p + DSS + document time-stamp" "$d/p$p-dts.pdf" "VALID VALID"
  # An annotation with field entries is neither a field nor a reviewer's note: never allowed.
  expect_verdict "P$p + annotation posing as a field" "$d/p$p-annot.pdf" "INVALID" "modified after signing"
done
forge sign "$d/p2-all.pdf" "$d/p2-all-signed.pdf" --key "$PKI/ec256.key.pem" --cert "$PKI/ec256.cert.pem" \
  --certfile "$PKI/chain.pem"
expect_verdict "P2, all fields locked + later signature" "$d/p2-all-signed.pdf" "INVALID VALID" "a field this signature locks"

# A form with two empty signature fields; the author certifies P2 and locks one of them. A
# second signer signing the locked field breaks the certification; signing the other does not.
forge empty-field "$d/form.pdf" "$d/form2.pdf" --name Witness
for lock in Approval Witness; do
  expect_exit 0 esign sign "$d/form2.pdf" --profile "$PKI/rsa.yaml" --certify 2 --lock-fields "$lock" -o "$d/lock-$lock.pdf"
  [ "$(docmdp "$d/lock-$lock.pdf")" = "2 Include" ] || fail "lock-$lock.pdf: no FieldMDP /Include transform"
  pdfsig_signed "$d/lock-$lock.pdf" 1
  forge sign-field "$d/lock-$lock.pdf" "$d/lock-$lock-signed.pdf" --name Approval \
    --key "$PKI/ec256.key.pem" --cert "$PKI/ec256.cert.pem" --certfile "$PKI/chain.pem"
  pdfsig_signed "$d/lock-$lock-signed.pdf" 2
done
# (Approval comes first in the field tree: it was there before the author signed.)
expect_verdict "Approval locked, Approval signed later" "$d/lock-Approval-signed.pdf" "VALID INVALID" "later_changes: .*signature field Approval.*a field this signature locks"
expect_verdict "Witness locked, Approval signed later" "$d/lock-Witness-signed.pdf" "VALID VALID"


# A lock names fields by their fully qualified names: the field Parties.Witness (a widget named
# Witness under the parent field Parties) is locked, and signing it later must not slip past the
# lock under its partial name.
forge nested-field "$PDFS/classic.pdf" "$d/nested.pdf" --parent Parties --name Witness
expect_exit 0 esign sign "$d/nested.pdf" --profile "$PKI/rsa.yaml" --certify 2 --lock-fields Parties.Witness -o "$d/lock-nested.pdf"
forge sign-field "$d/lock-nested.pdf" "$d/lock-nested-signed.pdf" --name Witness \
  --key "$PKI/ec256.key.pem" --cert "$PKI/ec256.cert.pem" --certfile "$PKI/chain.pem"
pdfsig_signed "$d/lock-nested-signed.pdf" 2
expect_verdict "Parties.Witness locked, signed later" "$d/lock-nested-signed.pdf" "VALID INVALID" \
  "later_changes: .*a field this signature locks"

# --- form filling and annotations, per level ---
# A form with a text field, signed (approval) or certified P1/P2/P3; then, each on its own: the
# field filled in, a reviewer's note and free-text annotation, the page's content replaced, and
# the field filled in and hidden (/F changed).
forge text-field "$PDFS/classic.pdf" "$d/tform.pdf" --name Amount
expect_exit 0 esign sign "$d/tform.pdf" --profile "$PKI/rsa.yaml" -o "$d/t0.pdf"
for p in 1 2 3; do
  expect_exit 0 esign sign "$d/tform.pdf" --profile "$PKI/rsa.yaml" --certify "$p" -o "$d/t$p.pdf"
done
for p in 0 1 2 3; do
  forge fill-text "$d/t$p.pdf" "$d/t$p-fill.pdf" --name Amount --text "1000 EUR"
  forge annot "$d/t$p.pdf" "$d/t$p-note.pdf" --plain --subtype Text
  forge annot "$d/t$p.pdf" "$d/t$p-freetext.pdf" --plain --subtype FreeText
  forge content "$d/t$p.pdf" "$d/t$p-content.pdf"
  forge fill-text "$d/t$p.pdf" "$d/t$p-hidden.pdf" --name Amount --key F=2
  qpdf_ok "$d/t$p-fill.pdf"
  qpdf_ok "$d/t$p-note.pdf"
  expect_verdict "P$p + page content" "$d/t$p-content.pdf" "INVALID" "modified after signing"
  expect_verdict "P$p + field filled and hidden" "$d/t$p-hidden.pdf" "INVALID" "modified after signing: .*form field Amount: .*/F"
done
expect_verdict "approval + form filling" "$d/t0-fill.pdf" "INVALID" "form filling, which the verify policy \(at most signing\) does not permit"
expect_verdict "approval + note" "$d/t0-note.pdf" "INVALID" "annotations, which the verify policy"
expect_verdict "P1 + form filling" "$d/t1-fill.pdf" "INVALID" "form filling, which the document's certification \(P1\) does not permit"
expect_verdict "P1 + note" "$d/t1-note.pdf" "INVALID" "annotations, which the document's certification \(P1\)"
expect_verdict "P2 + form filling" "$d/t2-fill.pdf" "VALID"
"$py" -c 'import json,sys; c=json.load(open(sys.argv[1]))["files"][0]["revisions"][0]; assert c["level"]=="form filling", c; assert any(x["what"].startswith("form field Amount") and x["level"]=="form filling" for x in c["changes"]), c' "$d/v.json" ||
  fail "P2 + form filling: the JSON does not name the form field at level 'form filling'"
expect_verdict "P2 + note" "$d/t2-note.pdf" "INVALID" "annotations, which the document's certification \(P2\)"
expect_verdict "P2 + free text" "$d/t2-freetext.pdf" "INVALID" "annotations, which the document's certification \(P2\)"
expect_verdict "P3 + form filling" "$d/t3-fill.pdf" "VALID"
expect_verdict "P3 + note" "$d/t3-note.pdf" "VALID"
"$py" -c 'import json,sys; c=json.load(open(sys.argv[1]))["files"][0]["revisions"][0]; assert c["level"]=="annotations", c' "$d/v.json" ||
  fail "P3 + note: the revision's level is not 'annotations'"
# A reviewer's note that the author certified P3 with, removed later: an annotation change,
# and what the reader no longer sees is where the note was.
forge annot "$d/tform.pdf" "$d/tform-note.pdf" --plain --subtype FreeText
expect_exit 0 esign sign "$d/tform-note.pdf" --profile "$PKI/rsa.yaml" --certify 3 -o "$d/t3n.pdf"
forge remove-annot "$d/t3n.pdf" "$d/t3n-removed.pdf"
expect_verdict "P3 + note removed" "$d/t3n-removed.pdf" "VALID"
expect_exit 0 esign sign "$d/tform-note.pdf" --profile "$PKI/rsa.yaml" --certify 2 -o "$d/t2n.pdf"
forge remove-annot "$d/t2n.pdf" "$d/t2n-removed.pdf"
expect_verdict "P2 + note removed" "$d/t2n-removed.pdf" "INVALID" "annotations, which the document's certification \\(P2\\)"
# A later signature and a later DSS + document time-stamp after the text form, per level.
for p in 1 2 3; do
  forge dss-add "$d/t$p.pdf" "$d/t$p-dss.pdf"
  expect_exit 0 esign stamp "$d/t$p-dss.pdf" --tsa "$TSA_URL/tsa" -o "$d/t$p-dts.pdf"
  expect_verdict "P$p form + DSS + document time-stamp" "$d/t$p-dts.pdf" "VALID VALID"
done
# --max-changes lets an approval-signed document take form filling (and annotations).
expect_exit 1 esign verify "$d/t0-fill.pdf" --trust "$root" --max-changes lta
expect_exit 0 esign verify "$d/t0-fill.pdf" --trust "$root" --max-changes form-filling
expect_exit 1 esign verify "$d/t0-note.pdf" --trust "$root" --max-changes form-filling
expect_exit 0 esign verify "$d/t0-note.pdf" --trust "$root" --max-changes annotations
expect_exit 1 esign verify "$d/t0-content.pdf" --trust "$root" --max-changes annotations
# A later signature that claims a DocMDP transform certifies nothing: the approval signature
# before it still tolerates only lta changes, so the note between them fails it.
forge sign "$d/t0-note.pdf" "$d/t0-note-claim.pdf" --key "$PKI/ec256.key.pem" --cert "$PKI/ec256.cert.pem" \
  --certfile "$PKI/chain.pem" --docmdp 3
expect_verdict "approval + note + a later signature claiming P3" "$d/t0-note-claim.pdf" "INVALID INVALID" \
  "annotations, which the verify policy .* does not permit"
# A certified document's level is not widened by --max-changes.
expect_exit 1 esign verify "$d/t2-note.pdf" --trust "$root" --max-changes annotations
expect_exit 2 esign verify "$d/t0-fill.pdf" --trust "$root" --max-changes everything

# FieldMDP: the author locks the text field; filling it breaks the certification.
expect_exit 0 esign sign "$d/tform.pdf" --profile "$PKI/rsa.yaml" --certify 2 --lock-fields Amount -o "$d/t2-lock.pdf"
forge fill-text "$d/t2-lock.pdf" "$d/t2-lock-fill.pdf" --name Amount
expect_verdict "P2, Amount locked + Amount filled" "$d/t2-lock-fill.pdf" "INVALID" "form field Amount.*a field this signature locks"
