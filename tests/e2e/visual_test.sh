#!/usr/bin/env bash
# What a reader sees after signing (visual integrity): `verify` renders each signature's revision
# and the final one and compares them page by page. An unsigned signature field whose appearance
# paints over the signed text (the "sneaky signature" overlay; pdftotext of the two revisions
# shows different words) is invalid with a visual_changes entry; a later signature with a visible
# appearance in a blank area is valid (pdfsig agrees); one whose widget covers the signed text
# is not (pdfsig does not look); the same on a page with /Rotate 90 (qpdf --rotate), so widget
# rectangles are mapped through the rotation; --visual warn and off; files without later
# revisions are not rendered; a missing or silent renderer gives INDETERMINATE.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
need_tool pdfsig pdftotext qpdf

export ESIGN_LEDGER=$TEST_TMP/ledger.db
py=/usr/bin/python3
root=$PKI/root.pem
d=$TEST_TMP/visual
mkdir -p "$d"

# verdicts FILE [ARGS]: "VALID INVALID ..." per signature, with verify's JSON in $d/v.json.
verdicts() {
  run esign verify "$@" --trust "$root" --format json
  cp "$LAST_STDOUT" "$d/v.json"
  "$py" -c 'import json,sys; d=json.load(open(sys.argv[1]))["files"][0]; print(" ".join("VALID" if s["valid"] else "INVALID" for s in d["signatures"]))' "$d/v.json"
}

# visual N: the visual_changes of signature N in $d/v.json, as "PAGE:WHAT" words.
visual() {
  "$py" -c 'import json,sys; s=json.load(open(sys.argv[1]))["files"][0]["signatures"][int(sys.argv[2])]; print(" ".join("%d:%s" % (c["page"], c["what"].replace(" ", "_")) for c in s["visual_changes"]))' "$d/v.json" "$1"
}

# expect FILE WANT [VISUAL-OF-FIRST] [ARGS]: verify's verdicts and the first signature's visual changes.
expect() {
  local f=$1 want=$2 vis=${3:-} got
  shift 3 || shift $#
  got=$(verdicts "$f" "$@")
  [ "$got" = "$want" ] || fail "$(basename "$f"): verify says '$got', expected '$want': $(cat "$LAST_STDOUT")"
  [ "$(visual 0)" = "$vis" ] || fail "$(basename "$f"): visual changes '$(visual 0)', expected '$vis'"
  note "$(basename "$f"): $got ${vis:+($vis)}"
}

# A signer whose visible appearance goes at RECT on page 1.
profile() {
  cat >"$d/$1.yaml" <<YAML
name: $1
key:
  source: pkcs12
  path: $PKI/ec256.p12
  password: file:$PKI/p12-password.txt
appearance:
  page: 1
  rect: $2
  text: "Approved by {signer}"
YAML
}
profile blank "[300, 300, 560, 400]"
profile over "[60, 740, 360, 800]"  # over "Hello esign" at (72, 770)

qpdf --rotate=+90 "$PDFS/classic.pdf" "$d/rotated-input.pdf"
for doc in classic rotated; do
  src=$PDFS/classic.pdf
  [ "$doc" = rotated ] && src=$d/rotated-input.pdf
  expect_exit 0 esign sign "$src" --profile "$PKI/rsa.yaml" -o "$d/$doc.pdf"
  # Freshly signed: nothing later, nothing rendered.
  expect "$d/$doc.pdf" "VALID" ""
  # A second signer, visible in a blank area: expected there.
  expect_exit 0 esign sign "$d/$doc.pdf" --profile "$d/blank.yaml" --visible -o "$d/$doc-blank.pdf"
  pdfsig_valid "$d/$doc-blank.pdf" 2
  expect "$d/$doc-blank.pdf" "VALID VALID" ""
  # A second signer whose widget covers the signed text: the first signature no longer shows
  # what was signed. pdfsig calls both valid.
  expect_exit 0 esign sign "$d/$doc.pdf" --profile "$d/over.yaml" --visible -o "$d/$doc-over.pdf"
  pdfsig_valid "$d/$doc-over.pdf" 2
  expect "$d/$doc-over.pdf" "INVALID VALID" "1:covers_signed_content"
  grep -q "visual_integrity: what a reader sees changed after signing: page 1: covers signed content" "$d/v.json" ||
    fail "$doc-over.pdf: the error does not name the covered area"
done

# The sneaky overlay: an unsigned signature field painting "Pay 1000000" over the text.
forge empty-field "$d/classic.pdf" "$d/sneaky.pdf" --name Witness --rect "[60 760 360 790]" --text "Pay 1000000"
qpdf_ok "$d/sneaky.pdf"
forge revision "$d/sneaky.pdf" "$d/sneaky-signed-revision.pdf"
[ "$(pdftotext "$d/sneaky-signed-revision.pdf" - | tr -s ' \n' ' ')" != "$(pdftotext "$d/sneaky.pdf" - | tr -s ' \n' ' ')" ] ||
  fail "pdftotext shows the same words in the signed and the final revision of sneaky.pdf"
pdftotext "$d/sneaky.pdf" - | grep -q 1000000 || fail "pdftotext does not show the overlay's text"
expect "$d/sneaky.pdf" "INVALID" "1:changed"
"$py" -c '
import json, sys
c = json.load(open(sys.argv[1]))["files"][0]["signatures"][0]["visual_changes"][0]
x0, y0, x1, y1 = c["box"]
assert 55 <= x0 <= 80 and 750 <= y0 <= 775 and y1 <= 795, c   # around the overlay painted over "Hello esign"
' "$d/v.json" || fail "sneaky.pdf: the visual change is not where the overlay is"

# Policies: warn reports without failing; off renders nothing.
expect "$d/classic-over.pdf" "VALID VALID" "1:covers_signed_content" --visual warn
expect_exit 0 esign verify "$d/classic-over.pdf" --trust "$root" --visual warn
expect "$d/classic-over.pdf" "VALID VALID" "" --visual off
expect_exit 1 esign verify "$d/classic-over.pdf" --trust "$root"
expect_exit 2 esign verify "$d/classic-over.pdf" --trust "$root" --visual maybe

# No verdict without the renderer: missing, or one that ends without answering, makes the
# signatures that later revisions follow INDETERMINATE (exit 4), never valid.
ESIGN_RENDERER=$d/no-such-renderer expect_exit 4 esign verify "$d/classic-blank.pdf" --trust "$root"
expect_stdout_contains "cannot start the renderer"
ESIGN_RENDERER=/bin/false expect_exit 4 esign verify "$d/classic-blank.pdf" --trust "$root"
expect_stdout_contains "the renderer did not finish"
# ... and files without later revisions need none.
ESIGN_RENDERER=/bin/false expect_exit 0 esign verify "$d/classic.pdf" --trust "$root"
