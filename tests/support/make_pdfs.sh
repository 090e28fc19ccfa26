#!/usr/bin/env bash
# Writes the sample PDFs the tests sign and verify, without any PDF library.
#
# Usage: make_pdfs.sh OUTDIR            the test PDFs (below), idempotent via OUTDIR/.stamp
#        make_pdfs.sh --samples DIR     the demo documents: DIR/invoice.pdf, DIR/contract.pdf
#
# OUTDIR gets:
#   classic.pdf      one A4 page, "Hello esign" in Helvetica; classic xref table, PDF 1.7
#   multipage.pdf    three pages, same shape
#   xrefstream.pdf   classic.pdf rewritten by qpdf with object streams and an xref stream
#   encrypted.pdf    classic.pdf, AES-256 (R6); user password "user", owner password "owner"
#                    (also in pdf-user-password.txt and pdf-owner-password.txt, one line each)
#   corrupt.pdf      the first half of classic.pdf (no xref, no trailer)
#   empty.pdf        zero bytes
#   notapdf.pdf      a text file with a .pdf name
# Every good PDF passes `qpdf --check`; the script fails otherwise.
set -euo pipefail
export LC_ALL=C

# pdf_string TEXT: TEXT as a PDF literal string body (escapes \, ( and )).
pdf_string() {
  local s=${1//\\/\\\\}
  s=${s//(/\\(}
  s=${s//)/\\)}
  printf '%s' "$s"
}

# write_pdf OUT TITLE PAGE...: a PDF with one page per PAGE argument; each PAGE is text whose
# lines (separated by newlines) are set in 12 pt Helvetica from the top left of an A4 page.
# Objects: 1 catalog, 2 pages, 3 font, 4 info, then page i at 5+2i and its content at 6+2i.
# Offsets are measured from the file as it is written, so the xref table is exact.
write_pdf() {
  local out=$1 title=$2
  shift 2
  local npages=$# tmp="$out.tmp.$$"
  local -a offsets=()
  : >"$tmp"
  # obj NUM BODY: appends "NUM 0 obj BODY endobj" and records its offset.
  obj() {
    offsets[$1]=$(stat -c %s "$tmp")
    printf '%d 0 obj\n%s\nendobj\n' "$1" "$2" >>"$tmp"
  }
  printf '%%PDF-1.7\n%%\xe2\xe3\xcf\xd3\n' >>"$tmp"
  local kids="" i
  for ((i = 0; i < npages; i++)); do kids+="$((5 + 2 * i)) 0 R "; done
  obj 1 "<< /Type /Catalog /Pages 2 0 R >>"
  obj 2 "<< /Type /Pages /Kids [ ${kids}] /Count $npages >>"
  obj 3 "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
  obj 4 "<< /Title ($(pdf_string "$title")) /Producer (esign tests/support/make_pdfs.sh) >>"
  i=0
  local page line content
  for page in "$@"; do
    content=$'BT\n/F1 12 Tf\n14 TL\n72 770 Td\n'
    while IFS= read -r line; do
      content+="($(pdf_string "$line")) Tj T*"$'\n'
    done <<<"$page"
    content+=$'ET'
    obj $((5 + 2 * i)) "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents $((6 + 2 * i)) 0 R >>"
    obj $((6 + 2 * i)) "<< /Length ${#content} >>
stream
$content
endstream"
    i=$((i + 1))
  done
  local size=$((5 + 2 * npages)) xref n
  xref=$(stat -c %s "$tmp")
  {
    printf 'xref\n0 %d\n0000000000 65535 f \n' "$size"
    for ((n = 1; n < size; n++)); do printf '%010d 00000 n \n' "${offsets[$n]}"; done
    printf 'trailer\n<< /Size %d /Root 1 0 R /Info 4 0 R /ID [<%s> <%s>] >>\nstartxref\n%d\n%%%%EOF\n' \
      "$size" "$(printf '%s' "$title" | md5sum | cut -c1-32)" "$(printf '%s' "$title" | md5sum | cut -c1-32)" "$xref"
  } >>"$tmp"
  mv "$tmp" "$out"
}

# check_pdf FILE [QPDF-ARGS...]: qpdf --check must pass without warnings.
check_pdf() {
  local f=$1
  shift
  if ! qpdf "$@" --check "$f" >/dev/null 2>&1; then
    echo "make_pdfs.sh: qpdf --check failed for $f:" >&2
    qpdf "$@" --check "$f" >&2 || true
    exit 1
  fi
}

make_samples() {
  local dir=$1
  mkdir -p "$dir"
  write_pdf "$dir/invoice.pdf" "Invoice 2024-0042" "INVOICE 2024-0042
esign Demo Traders Pvt. Ltd., Bengaluru

Bill to: Example Customer
Date: 2024-05-01

1 x Document signing workshop      INR 25,000.00
2 x Signing certificate (1 year)   INR  8,000.00
Total                              INR 33,000.00

This is a sample document for the esign demo."
  write_pdf "$dir/contract.pdf" "Service agreement (sample)" "SERVICE AGREEMENT (SAMPLE)

Between esign Demo Traders and Example Customer.

1. Scope. The provider signs documents on request.
2. Term. One year from the date of the last signature." "3. Signatures. Each party signs this agreement electronically.

Signed for the provider: ______________________
Signed for the customer: ______________________

This is a sample document for the esign demo."
  check_pdf "$dir/invoice.pdf"
  check_pdf "$dir/contract.pdf"
}

if [ "${1:-}" = "--samples" ] && [ $# -eq 2 ]; then
  make_samples "$2"
  exit 0
fi
if [ $# -ne 1 ]; then
  echo "usage: make_pdfs.sh OUTDIR | make_pdfs.sh --samples DIR" >&2
  exit 2
fi
out=$1
script_hash=$(sha256sum "${BASH_SOURCE[0]}" | cut -d' ' -f1)
mkdir -p "$out"
out=$(cd "$out" && pwd)
exec 9>"$out.lock"
flock 9
if [ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$script_hash" ]; then
  exit 0
fi
# Refuse to wipe a folder this script did not make (no .stamp, no .partial from a broken run).
if [ -n "$(ls -A "$out")" ] && [ ! -e "$out/.stamp" ] && [ ! -e "$out/.partial" ]; then
  echo "$(basename "$0"): $out is not empty and was not made by this script" >&2
  exit 2
fi
rm -rf "${out:?}"/* "$out/.stamp"
touch "$out/.partial"
cd "$out"

write_pdf classic.pdf "esign test: classic" "Hello esign"
write_pdf multipage.pdf "esign test: multipage" "Hello esign (page 1 of 3)" \
  "Hello esign (page 2 of 3)" "Hello esign (page 3 of 3)"
qpdf --object-streams=generate classic.pdf xrefstream.pdf
printf 'user\n' >pdf-user-password.txt
printf 'owner\n' >pdf-owner-password.txt
qpdf --encrypt user owner 256 -- classic.pdf encrypted.pdf
head -c $(($(stat -c %s classic.pdf) / 2)) classic.pdf >corrupt.pdf
: >empty.pdf
printf 'This is not a PDF file, only text with a .pdf name.\n' >notapdf.pdf

check_pdf classic.pdf
check_pdf multipage.pdf
check_pdf xrefstream.pdf
check_pdf encrypted.pdf --password=user
if qpdf --check corrupt.pdf >/dev/null 2>&1; then
  echo "make_pdfs.sh: corrupt.pdf unexpectedly passes qpdf --check" >&2
  exit 1
fi

echo "$script_hash" >.stamp
rm -f .partial
