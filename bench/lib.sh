# shellcheck shell=bash
# Helpers shared by the bench/ scripts (sourced, not run).
# Expects `set -euo pipefail` and LC_ALL=C in the caller.

die() { echo "bench: $*" >&2; exit 1; }
now() { date +%s.%N; }
# rate FILES SECONDS -> files/s
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.1f", (s > 0 ? n / s : 0) }'; }
# elapsed T0 T1 -> seconds
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
# ratio A B -> A/B
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }'; }

# make_pdfs OUTDIR N [PRODUCER]: N distinct one-page PDFs OUTDIR/doc00001.pdf .. (make_pdfs.py)
make_pdfs() {
  /usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/make_pdfs.py" "$@" || die "make_pdfs.py failed"
}

# pdfsig_ok FILE WHAT: pdfsig must print "Signature is Valid" and "Total document signed"
# (pdfsig exits non-zero on an untrusted issuer, so its exit code is not the check).
pdfsig_ok() {
  local out
  out=$(pdfsig "$1" 2>&1 || true)
  grep -q "Signature is Valid" <<<"$out" || { echo "$out" >&2; die "pdfsig: signature not valid in $1 ($2)"; }
  grep -q "Total document signed" <<<"$out" || { echo "$out" >&2; die "pdfsig: $1 not wholly signed ($2)"; }
}
