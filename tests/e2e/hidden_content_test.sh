#!/usr/bin/env bash
# Signer-side hygiene: `sign` and `bulk` refuse a PDF prepared for a shadow attack, naming what
# it hides (a form XObject nothing uses yet, a layer that is off by default, the page content of
# an earlier revision that an update replaced), and sign it with --allow-hidden-content.
# Documents from common producers are signed as they are: LibreOffice, pdfTeX, Chromium,
# Ghostscript, cairo, pikepdf, PoDoFo (podofoimg2pdf) and qpdf (linearized, object streams).
# pdftotext shows that the hidden text is not what a reader sees.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
need_tool pdfsig pdftotext pdftoppm qpdf

export ESIGN_LEDGER=$TEST_TMP/ledger.db
py=/usr/bin/python3
d=$TEST_TMP/hidden
mkdir -p "$d/shadow" "$d/clean" "$d/out"

# --- prepared documents ---
forge shadow-xobject "$PDFS/classic.pdf" "$d/shadow/xobject.pdf"
forge shadow-layer "$PDFS/classic.pdf" "$d/shadow/layer.pdf"
forge content "$PDFS/classic.pdf" "$d/shadow/replaced.pdf" --text "Hello esign, version 2"
# The same content disguised as what readers never show, and one no cross-reference reaches.
forge shadow-xobject "$PDFS/classic.pdf" "$d/shadow/as-icc.pdf" --disguise icc
forge shadow-xobject "$PDFS/classic.pdf" "$d/shadow/as-metadata.pdf" --disguise metadata
forge shadow-orphan "$PDFS/classic.pdf" "$d/shadow/orphan.pdf"
for f in xobject layer; do
  qpdf_ok "$d/shadow/$f.pdf"
  ! pdftotext "$d/shadow/$f.pdf" - | grep -q Mallory || fail "$f.pdf: pdftotext shows the hidden text"
done
declare -A why=(
  [xobject]="object [0-9]+ 0, a form XObject, which nothing in the document uses"
  [layer]="optional content group 'Terms' \\(object [0-9]+ 0\\), which is off by default and which the pages use"
  [replaced]="object [0-9]+ 0 at offset [0-9]+, a content stream of an earlier revision, which the final cross-reference no longer uses"
  [as-icc]="object [0-9]+ 0, a content stream, which nothing in the document uses"
  [as-metadata]="object [0-9]+ 0, a stream \\(claiming /Type /Metadata /Subtype /XML\\), which nothing in the document uses"
  [orphan]="an object definition at offset [0-9]+ that no cross-reference entry reaches"
)
remember "$d/shadow/xobject.pdf" "$d/shadow/layer.pdf" "$d/shadow/replaced.pdf"
for f in xobject layer replaced as-icc as-metadata orphan; do
  expect_exit 2 esign sign "$d/shadow/$f.pdf" --profile "$PKI/rsa.yaml" -o "$d/out/$f.pdf"
  grep -qE "$f.pdf: refusing to sign: the PDF hides content that a later update could show: ${why[$f]}" "$LAST_STDERR" ||
    fail "$f.pdf: the refusal does not say what is hidden: $(cat "$LAST_STDERR")"
  expect_stderr_contains "--allow-hidden-content"
  expect_no_file "$d/out/$f.pdf"
  expect_exit 0 esign sign "$d/shadow/$f.pdf" --profile "$PKI/rsa.yaml" --allow-hidden-content -o "$d/out/$f.pdf"
  pdfsig_valid "$d/out/$f.pdf" 1
done
expect_unchanged "$d/shadow/xobject.pdf" "$d/shadow/layer.pdf" "$d/shadow/replaced.pdf"

# bulk: the prepared files fail their items, the clean one is signed.
mkdir -p "$d/batch"
cp "$d/shadow/xobject.pdf" "$d/shadow/layer.pdf" "$PDFS/classic.pdf" "$d/batch/"
expect_exit 1 esign bulk "$d/batch" --profile "$PKI/rsa.yaml" --out-dir "$d/batch-out"
expect_stdout_contains "1 signed, 0 skipped, 2 failed"
expect_stderr_contains "xobject.pdf: refusing to sign"
expect_stderr_contains "layer.pdf: refusing to sign"
pdfsig_valid "$d/batch-out/classic.signed.pdf" 1
expect_exit 0 esign bulk "$d/batch" --profile "$PKI/rsa.yaml" --out-dir "$d/batch-all" --allow-hidden-content
expect_stdout_contains "3 signed, 0 skipped, 0 failed"

# --- clean documents from common producers ---
c=$d/clean
export HOME=$TEST_TMP/home
mkdir -p "$HOME"
printf 'Contract\n\nThe parties agree to the terms below.\n' >"$c/doc.txt"
printf '<html><body><h1>Invoice</h1><p>Total: 100 EUR</p></body></html>\n' >"$c/doc.html"
printf '\\documentclass{article}\n\\usepackage{hyperref}\n\\begin{document}\nHello from pdf\\TeX{}.\n\\end{document}\n' >"$c/doc.tex"
for t in soffice pdflatex chromium gs podofoimg2pdf; do
  command -v "$t" >/dev/null || fail "$t is not installed (scripts/setup installs it)"
done
(cd "$c" && soffice --headless --convert-to pdf --outdir "$c/lo" doc.txt >/dev/null 2>&1) || fail "LibreOffice failed"
mv "$c/lo/doc.pdf" "$c/libreoffice.pdf"
(cd "$c" && pdflatex -interaction=nonstopmode doc.tex >/dev/null 2>&1) || fail "pdflatex failed"
mv "$c/doc.pdf" "$c/pdftex.pdf"
chromium --headless --no-sandbox --disable-gpu --print-to-pdf="$c/chromium.pdf" "file://$c/doc.html" >/dev/null 2>&1 ||
  fail "chromium failed"
gs -q -sDEVICE=pdfwrite -o "$c/ghostscript.pdf" -c "/Helvetica findfont 12 scalefont setfont 72 720 moveto (Hello) show showpage" ||
  fail "ghostscript failed"
"$py" - "$c" <<'PY' || fail "pikepdf or cairo failed"
import sys, pikepdf, cairo
c = sys.argv[1]
pdf = pikepdf.new()
pdf.add_blank_page(page_size=(612, 792))
page = pdf.pages[0]
font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                            BaseFont=pikepdf.Name.Helvetica))
page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
page.Contents = pdf.make_stream(b'BT /F1 12 Tf 72 720 Td (Hello from pikepdf) Tj ET')
pdf.save(c + '/pikepdf.pdf')
surface = cairo.PDFSurface(c + '/cairo.pdf', 612, 792)
ctx = cairo.Context(surface)
ctx.move_to(72, 72)
ctx.set_font_size(12)
ctx.show_text('Hello from cairo')
surface.finish()
PY
pdftoppm -jpeg -r 20 -singlefile "$c/cairo.pdf" "$c/image"
podofoimg2pdf "$c/podofo.pdf" "$c/image.jpg" >/dev/null || fail "podofoimg2pdf failed"
qpdf --linearize "$c/pikepdf.pdf" "$c/qpdf-linearized.pdf"
qpdf --object-streams=generate "$c/cairo.pdf" "$c/qpdf-object-streams.pdf"
rm -rf "$c/lo" "$c"/doc.* "$c"/image.jpg
n=0
for f in "$c"/*.pdf; do
  qpdf_ok "$f"
  expect_exit 0 esign sign "$f" --profile "$PKI/rsa.yaml" -o "$d/out/clean-$(basename "$f")"
  pdfsig_valid "$d/out/clean-$(basename "$f")" 1
  n=$((n + 1))
done
[ "$n" = 9 ] || fail "expected 9 clean documents, made $n"
note "$n clean documents signed"
