#!/usr/bin/env bash
# Benchmark: esign sign/verify throughput against podofosign/pdfsig (one process per file).
#
# Usage: bench/sign_verify.sh [N=200]
#   ESIGN=/path/to/esign   the binary to measure (default: build/cli/esign beside this script)
#   LEDGER_DIR=/dev/shm    put the (temporary) ledger there instead of the temp dir, e.g. on
#                          tmpfs to see how much of the time is the ledger's fdatasync
#
# Generates N distinct one-page PDFs, then:
#   sign:   one `esign sign ALL --profile rsa.yaml --out-dir OUT` process  vs  N x podofosign
#   verify: one `esign verify OUT/*.pdf --trust root.pem --quiet` process  vs  N x pdfsig
#   visual: up to 100 of them signed again visibly, verified one at a time with --visual off
#           and fail: the render-and-compare cost per file of a file with a later revision
# and checks the results are right (esign verify exits 0; pdfsig reports "Signature is Valid"
# and "Total document signed" on a sample of 5 esign outputs; every podofosign run succeeds).
# The ratio column is esign's files/s over the reference tool's files/s, measured in the same run.
set -euo pipefail
export LC_ALL=C

N=${1:-200}
if ! [[ $N =~ ^[0-9]+$ ]] || ((N < 1)); then
  echo "usage: $0 [N>=1]" >&2
  exit 2
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
ESIGN=${ESIGN:-$root/build/cli/esign}
PY=/usr/bin/python3
for tool in "$ESIGN" podofosign pdfsig "$PY"; do
  command -v "$tool" >/dev/null || { echo "bench: missing tool: $tool" >&2; exit 2; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/esign-bench.XXXXXX")
ldir=$tmp
trap 'rm -rf "$tmp"; [[ $ldir == "$tmp" ]] || rm -rf "$ldir"' EXIT
if [[ -n ${LEDGER_DIR:-} ]]; then ldir=$(mktemp -d "$LEDGER_DIR/esign-bench-ledger.XXXXXX"); fi
ledger=$ldir/ledger.db
# Every esign command gets --ledger "$ledger"; the variables make sure nothing falls back to
# the user's own ledger either way.
export ESIGN_LEDGER=$ledger ESIGN_HOME=$tmp/home XDG_DATA_HOME=$tmp/xdg

# shellcheck source=lib.sh
. "$here/lib.sh"

echo "bench: N=$N, esign=$ESIGN, tmp=$tmp, ledger=$ledger" >&2
bash "$root/tests/support/make_pki.sh" "$tmp/pki" >/dev/null 2>&1 || die "make_pki.sh failed"
pki=$tmp/pki

# --- (a) N distinct one-page PDFs, classic xref table with exact offsets -------------------
mkdir -p "$tmp/in"
make_pdfs "$tmp/in" "$N" "esign bench/sign_verify.sh"
inputs=("$tmp"/in/doc*.pdf)
((${#inputs[@]} == N)) || die "generated ${#inputs[@]} PDFs, expected $N"

# --- (b) sign ------------------------------------------------------------------------------
t0=$(now)
"$ESIGN" --ledger "$ledger" --quiet sign "${inputs[@]}" --profile "$pki/rsa.yaml" \
  --out-dir "$tmp/esign-out" >"$tmp/esign-sign.log" 2>&1 ||
  { cat "$tmp/esign-sign.log" >&2; die "esign sign failed"; }
t1=$(now)
esign_sign_s=$(elapsed "$t0" "$t1")
signed=("$tmp"/esign-out/*.pdf)
((${#signed[@]} == N)) || die "esign wrote ${#signed[@]} outputs, expected $N"

mkdir -p "$tmp/podofo-out"
t0=$(now)
for f in "${inputs[@]}"; do
  podofosign -in "$f" -out "$tmp/podofo-out/${f##*/}" -cert "$pki/rsa.cert.pem" \
    -pkey "$pki/rsa.key.pem" >/dev/null 2>&1 || die "podofosign failed on $f"
done
t1=$(now)
podofo_sign_s=$(elapsed "$t0" "$t1")

# --- (c) verify ----------------------------------------------------------------------------
t0=$(now)
"$ESIGN" --ledger "$ledger" verify "${signed[@]}" --trust "$pki/root.pem" --quiet >"$tmp/esign-verify.log" 2>&1 ||
  { cat "$tmp/esign-verify.log" >&2; die "esign verify did not report all $N files valid"; }
t1=$(now)
esign_verify_s=$(elapsed "$t0" "$t1")

t0=$(now)
for f in "${signed[@]}"; do
  pdfsig "$f" >/dev/null 2>&1 || true # pdfsig exits non-zero on an untrusted issuer; checked below
done
t1=$(now)
pdfsig_verify_s=$(elapsed "$t0" "$t1")

# --- (c2) verify with a later revision: what rendering costs ----------------------------------
# Up to 100 of the signed files get a second, visible signature (a later revision, so verify
# renders the first signature's revision and the final one and compares them). One file at a
# time (-j 1), with --visual off and --visual fail: the difference per file is the cost of the
# comparison (the goal: under 100 ms for a one-page revision).
M=$((N < 100 ? N : 100))
cat >"$tmp/visible.yaml" <<YAML
name: visible
key:
  source: pkcs12
  path: $pki/ec256.p12
  password: file:$pki/p12-password.txt
appearance:
  page: 1
  rect: [300, 300, 560, 400]
  text: "Approved by {signer}"
YAML
"$ESIGN" --ledger "$ledger" --quiet sign "${signed[@]:0:M}" --profile "$tmp/visible.yaml" --visible \
  --out-dir "$tmp/esign-twice" >"$tmp/esign-twice.log" 2>&1 || { cat "$tmp/esign-twice.log" >&2; die "second signature failed"; }
twice=("$tmp"/esign-twice/*.pdf)
for v in off fail; do
  t0=$(now)
  "$ESIGN" --ledger "$ledger" verify "${twice[@]}" --trust "$pki/root.pem" --quiet --no-record -j 1 --visual "$v" \
    >"$tmp/esign-twice-verify.log" 2>&1 || { cat "$tmp/esign-twice-verify.log" >&2; die "verify --visual $v failed"; }
  t1=$(now)
  printf -v "twice_$v" '%s' "$(elapsed "$t0" "$t1")"
done
visual_ms=$(awk -v a="$twice_fail" -v b="$twice_off" -v m="$M" 'BEGIN { printf "%.1f", (a - b) * 1000 / m }')

# --- (d) correctness: pdfsig must accept a sample of esign's outputs -------------------------
step=$(((N + 4) / 5))
checked=0
for ((i = 0; i < N; i += step)); do
  pdfsig_ok "${signed[i]}" esign
  checked=$((checked + 1))
done
# and at least one podofosign output, so the comparison is against a working reference
pdfsig_ok "$tmp/podofo-out/${inputs[0]##*/}" podofosign

# --- report --------------------------------------------------------------------------------
es_r=$(rate "$N" "$esign_sign_s")
po_r=$(rate "$N" "$podofo_sign_s")
ev_r=$(rate "$N" "$esign_verify_s")
pv_r=$(rate "$N" "$pdfsig_verify_s")
sign_ratio=$(ratio "$podofo_sign_s" "$esign_sign_s") # same N: ratio of rates = inverse ratio of times
verify_ratio=$(ratio "$pdfsig_verify_s" "$esign_verify_s")

printf '%-11s %-9s %6s %9s %9s %8s\n' tool operation files seconds files/s ratio
printf '%-11s %-9s %6d %9s %9s %8s\n' esign sign "$N" "$esign_sign_s" "$es_r" "${sign_ratio}x"
printf '%-11s %-9s %6d %9s %9s %8s\n' podofosign sign "$N" "$podofo_sign_s" "$po_r" "1.0x"
printf '%-11s %-9s %6d %9s %9s %8s\n' esign verify "$N" "$esign_verify_s" "$ev_r" "${verify_ratio}x"
printf '%-11s %-9s %6d %9s %9s %8s\n' pdfsig verify "$N" "$pdfsig_verify_s" "$pv_r" "1.0x"
echo "visual integrity: $M files signed twice, verified one at a time: ${twice_off}s with --visual off, ${twice_fail}s with --visual fail: ${visual_ms} ms per file to render and compare"
echo "correctness: esign verify exit 0 on all $N; pdfsig 'Signature is Valid' + 'Total document signed' on $checked sampled esign outputs"
if awk -v r="$verify_ratio" 'BEGIN { exit !(r < 20) }'; then
  echo "note: esign verify is below the 20x-pdfsig target (${verify_ratio}x)"
fi
