#!/usr/bin/env bash
# Benchmark: `esign bulk --jobs 2` throughput against podofosign and @signpdf/signpdf, and
# esign bulk's peak memory on 1 000 vs 10 000 files (issue 3, "Performance").
#
# Usage: bench/bulk.sh [--no-memory] [--no-signpdf] [--no-pdfbox] [N=1000]
#   --no-memory    skip the peak-RSS check (esign bulk on 1 000 and on 10 000 files, ~20 s)
#   --no-signpdf   skip @signpdf (no npm install)
#   --no-pdfbox    skip Apache PDFBox (needs javac and Debian's libpdfbox2-java libbcpkix-java:
#                  apt-get install default-jdk-headless libpdfbox2-java libbcpkix-java)
#   ESIGN=/path/to/esign   the binary to measure (default: build/cli/esign beside this script)
#   JOBS=2                 esign bulk --jobs (default 2: the spec's figure is for 2 workers)
#   PODOFO_SAMPLE=100      podofosign runs once per file on this many files spread over the
#                          corpus (all of them when N is smaller), its rate is extrapolated
#   SIGNPDF_SAMPLE=N       @signpdf signs this many files (default: all N) in one node process
#
# Generates N distinct one-page PDFs (bench/make_pdfs.py), then times, wall-clock:
#   esign bulk IN --profile rsa.yaml --out-dir OUT --jobs 2 -q   (one process; outputs fsync'ed)
#   podofosign -in F -out O -cert rsa.cert.pem -pkey rsa.key.pem   (one process per file)
#   node signpdf.js: plainAddPlaceholder + signpdf.sign with a P12Signer on rsa.p12, one process
#   java PdfBoxSign (bench/java): PDFBox 2 addSignature + saveIncremental, Bouncy Castle CMS, one JVM
#   esign bulk with the P-256 key (ec256.yaml), for the ECDSA rate
#   bench/io_floor.c: esign's system calls per document without signing (the file-system floor)
# and checks the results (esign exit 0 and N outputs; pdfsig "Signature is Valid" + "Total
# document signed" on 5 esign outputs, 2 podofosign outputs, 2 @signpdf outputs).
# Also measures, in the same run, what bounds the rate on this machine: `openssl speed -multi 2
# rsa2048` (RSA-2048 signatures/s on both cores) and fsync'ed small-file writes/s.
# Nothing is written outside a mktemp -d folder (ledger, npm cache and packages included),
# which is deleted on exit.
# Exit status: 0 all good; 1 a correctness check failed (or a tool did); 3 results are right
# but a performance check (>= 10x the fastest peer, RSS ratio <= 1.5) failed.
set -euo pipefail
export LC_ALL=C

memory=1 signpdf=1 pdfbox=1 N=1000
for arg; do
  case $arg in
    --no-memory) memory=0 ;;
    --memory) memory=1 ;;
    --no-signpdf) signpdf=0 ;;
    --no-pdfbox) pdfbox=0 ;;
    *) N=$arg ;;
  esac
done
if ! [[ $N =~ ^[0-9]+$ ]] || ((N < 1)); then
  echo "usage: $0 [--no-memory] [--no-signpdf] [--no-pdfbox] [N>=1]" >&2
  exit 2
fi
JOBS=${JOBS:-2}
PODOFO_SAMPLE=${PODOFO_SAMPLE:-100}
SIGNPDF_SAMPLE=${SIGNPDF_SAMPLE:-$N}
((PODOFO_SAMPLE > N)) && PODOFO_SAMPLE=$N
((SIGNPDF_SAMPLE > N)) && SIGNPDF_SAMPLE=$N

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
ESIGN=${ESIGN:-$root/build/cli/esign}
# shellcheck source=lib.sh
. "$here/lib.sh"
for tool in "$ESIGN" podofosign pdfsig openssl /usr/bin/python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench: missing tool: $tool" >&2; exit 2; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/esign-bench-bulk.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
ledger=$tmp/ledger.db
# Every esign command gets --ledger; the variables make sure nothing falls back to the user's
# own ledger either way.
export ESIGN_LEDGER=$ledger ESIGN_HOME=$tmp/home XDG_DATA_HOME=$tmp/xdg

# A private copy, so that a rebuild of build/ during the run cannot swap the binary under us.
cp "$ESIGN" "$tmp/esign" || die "cannot copy $ESIGN"
echo "bench: N=$N, jobs=$JOBS, esign=$ESIGN (copied to $tmp/esign), tmp=$tmp" >&2
ESIGN=$tmp/esign
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
bash "$root/tests/support/make_pki.sh" "$tmp/pki" >/dev/null 2>&1 || die "make_pki.sh failed"
pki=$tmp/pki
make_pdfs "$tmp/in" "$N" "esign bench/bulk.sh"
inputs=("$tmp"/in/doc*.pdf)
((${#inputs[@]} == N)) || die "generated ${#inputs[@]} PDFs, expected $N"

# sample_of K: K indexes spread evenly over 0..N-1 (first and last included when K >= 2)
sample_of() {
  awk -v n="$N" -v k="$1" 'BEGIN { for (j = 0; j < k; j++) print (k > 1 ? int(j * (n - 1) / (k - 1)) : 0) }'
}

# --- machine limits, measured now (the machine is shared, so they vary between runs) ---------
echo "bench: openssl speed -seconds 2 -multi 2 rsa2048" >&2
rsa_total=$(openssl speed -seconds 2 -multi 2 rsa2048 2>/dev/null |
  awk '$1 == "rsa" && $2 == "2048" && $3 == "bits" { print $6 }' | tail -1)
[[ -n $rsa_total ]] || die "could not read sign/s from openssl speed"

# esign_run PROFILE NAME WHAT: esign bulk of the corpus with PROFILE into TMP/NAME-out (ledger
# TMP/NAME.db), timed; sets run_s. Checks the summary and pdfsig on the first and last outputs.
esign_run() {
  local profile=$1 name=$2 what=$3 t0 t1
  sync
  t0=$(now)
  "$ESIGN" --ledger "$tmp/$name.db" bulk "$tmp/in" --profile "$profile" --out-dir "$tmp/$name-out" \
    --jobs "$JOBS" -q >"$tmp/$name.log" 2>&1 || { cat "$tmp/$name.log" >&2; die "$what failed"; }
  t1=$(now)
  run_s=$(elapsed "$t0" "$t1")
  grep -q "^$N signed, 0 skipped, 0 failed" "$tmp/$name.log" || { cat "$tmp/$name.log" >&2; die "$what summary"; }
  local out=("$tmp/$name-out"/*.pdf)
  ((${#out[@]} == N)) || die "$what wrote ${#out[@]} outputs, expected $N"
  pdfsig_ok "${out[0]}" "$what"
  pdfsig_ok "${out[${#out[@]} - 1]}" "$what"
}

# --- esign bulk ------------------------------------------------------------------------------
esign_run "$pki/rsa.yaml" esign "esign bulk"
esign_s=$run_s
esign_out=("$tmp"/esign-out/*.pdf)
for i in $(sample_of $((N < 5 ? N : 5))); do pdfsig_ok "${esign_out[i]}" esign; done

# --- esign bulk with an ECDSA P-256 key --------------------------------------------------------
esign_run "$pki/ec256.yaml" esign-ec "esign bulk (P-256)"
esign_ec_s=$run_s

# --- the file-system floor: esign's system calls per document, without signing (bench/io_floor.c)
io_note=''
if command -v cc >/dev/null && cc -O2 -pthread -o "$tmp/io_floor" "$here/io_floor.c" 2>"$tmp/cc.log"; then
  read -r io_user io_sys < <("$tmp/io_floor" "$tmp/in" "$tmp/io-floor-out" "$N") || die "io_floor failed"
else
  io_note="skipped: no C compiler"
fi

# --- podofosign, one process per file ----------------------------------------------------------
mkdir -p "$tmp/podofo-out"
mapfile -t podofo_idx < <(sample_of "$PODOFO_SAMPLE")
t0=$(now)
for i in "${podofo_idx[@]}"; do
  f=${inputs[i]}
  podofosign -in "$f" -out "$tmp/podofo-out/${f##*/}" -cert "$pki/rsa.cert.pem" \
    -pkey "$pki/rsa.key.pem" >/dev/null 2>&1 || die "podofosign failed on $f"
done
t1=$(now)
podofo_s=$(elapsed "$t0" "$t1")
pdfsig_ok "$tmp/podofo-out/${inputs[podofo_idx[0]]##*/}" podofosign
pdfsig_ok "$tmp/podofo-out/${inputs[podofo_idx[${#podofo_idx[@]} - 1]]##*/}" podofosign

# --- @signpdf/signpdf, all files in one node process -------------------------------------------
signpdf_s='' signpdf_note=''
if ((signpdf == 0)); then
  signpdf_note="skipped (--no-signpdf)"
elif ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  signpdf_note="skipped: node/npm not installed"
else
  echo "bench: npm install @signpdf/signpdf @signpdf/signer-p12 @signpdf/placeholder-plain" >&2
  if ! npm install --no-audit --no-fund --cache "$tmp/npm-cache" --prefix "$tmp/npm" \
    @signpdf/signpdf @signpdf/signer-p12 @signpdf/placeholder-plain >"$tmp/npm.log" 2>&1; then
    signpdf_note="skipped: npm install failed: $(grep -m1 -i 'err' "$tmp/npm.log" || tail -1 "$tmp/npm.log")"
  fi
fi
if [[ -z $signpdf_note ]]; then
  signpdf_version=$(node -p "require('$tmp/npm/node_modules/@signpdf/signpdf/package.json').version")
  cat >"$tmp/signpdf.js" <<'JSEOF'
// Signs every PDF of IN_DIR into OUT_DIR with @signpdf/signpdf, in this one node process.
// Usage: node signpdf.js NODE_MODULES P12 PASSWORD_FILE IN_DIR OUT_DIR
const path = require('path');
const fs = require('fs');
const [nodeModules, p12Path, pwFile, inDir, outDir] = process.argv.slice(2);
const req = (m) => require(path.join(nodeModules, m));
const signpdf = req('@signpdf/signpdf').default;
const { P12Signer } = req('@signpdf/signer-p12');
const { plainAddPlaceholder } = req('@signpdf/placeholder-plain');
(async () => {
  const p12 = fs.readFileSync(p12Path);
  const passphrase = fs.readFileSync(pwFile, 'utf8').trim();
  const files = fs.readdirSync(inDir).filter((f) => f.endsWith('.pdf')).sort();
  fs.mkdirSync(outDir, { recursive: true });
  for (const f of files) {
    const pdfBuffer = plainAddPlaceholder({
      pdfBuffer: fs.readFileSync(path.join(inDir, f)),
      reason: 'Approved', contactInfo: 'bench@example.org', name: 'esign bench', location: 'Bengaluru',
    });
    // A P12Signer can sign once: node-forge consumes its p12 buffer, and it decrypts the p12
    // again in every sign(). So one per file, as the library is meant to be used.
    const signer = new P12Signer(p12, { passphrase });
    fs.writeFileSync(path.join(outDir, f), await signpdf.sign(pdfBuffer, signer));
  }
  console.log(files.length);
})().catch((e) => { console.error((e && e.stack) || e); process.exit(1); });
JSEOF
  sp_in=$tmp/in
  if ((SIGNPDF_SAMPLE < N)); then
    sp_in=$tmp/signpdf-in
    mkdir -p "$sp_in"
    for i in $(sample_of "$SIGNPDF_SAMPLE"); do ln -s "${inputs[i]}" "$sp_in/"; done
  fi
  t0=$(now)
  node "$tmp/signpdf.js" "$tmp/npm/node_modules" "$pki/rsa.p12" "$pki/p12-password.txt" \
    "$sp_in" "$tmp/signpdf-out" >"$tmp/signpdf.log" 2>&1 || { cat "$tmp/signpdf.log" >&2; die "@signpdf failed"; }
  t1=$(now)
  signpdf_s=$(elapsed "$t0" "$t1")
  sp_out=("$tmp"/signpdf-out/*.pdf)
  ((${#sp_out[@]} == SIGNPDF_SAMPLE)) || die "@signpdf wrote ${#sp_out[@]} outputs, expected $SIGNPDF_SAMPLE"
  pdfsig_ok "${sp_out[0]}" @signpdf
  pdfsig_ok "${sp_out[${#sp_out[@]} - 1]}" @signpdf
fi

# --- Apache PDFBox 2, all files in one JVM -----------------------------------------------------
pdfbox_s='' pdfbox_note=''
pdfbox_cp=/usr/share/java/pdfbox2.jar:/usr/share/java/fontbox2.jar:/usr/share/java/commons-logging.jar:/usr/share/java/bcprov.jar:/usr/share/java/bcpkix.jar:/usr/share/java/bcutil.jar
if ((pdfbox == 0)); then
  pdfbox_note="skipped (--no-pdfbox)"
elif ! command -v javac >/dev/null || ! command -v java >/dev/null; then
  pdfbox_note="skipped: no javac (apt-get install default-jdk-headless)"
elif [[ ! -f /usr/share/java/pdfbox2.jar || ! -f /usr/share/java/bcpkix.jar ]]; then
  pdfbox_note="skipped: apt-get install libpdfbox2-java libbcpkix-java"
else
  mkdir -p "$tmp/pdfbox-classes" "$tmp/pdfbox-out"
  javac -cp "$pdfbox_cp" -d "$tmp/pdfbox-classes" "$here/java/PdfBoxSign.java" 2>"$tmp/javac.log" ||
    { cat "$tmp/javac.log" >&2; die "javac PdfBoxSign.java failed"; }
  pdfbox_version=$(dpkg-query -W -f '${Version}' libpdfbox2-java 2>/dev/null || echo 2)
  t0=$(now)
  java -cp "$pdfbox_cp:$tmp/pdfbox-classes" PdfBoxSign "$pki/rsa.p12" "$pki/p12-password.txt" "$tmp/in" \
    "$tmp/pdfbox-out" >"$tmp/pdfbox.log" 2>&1 || { cat "$tmp/pdfbox.log" >&2; die "PDFBox failed"; }
  t1=$(now)
  pdfbox_s=$(elapsed "$t0" "$t1")
  pb_out=("$tmp"/pdfbox-out/*.pdf)
  ((${#pb_out[@]} == N)) || die "PDFBox wrote ${#pb_out[@]} outputs, expected $N"
  pdfsig_ok "${pb_out[0]}" PDFBox
  pdfsig_ok "${pb_out[${#pb_out[@]} - 1]}" PDFBox
fi

# --- memory: peak RSS of esign bulk on 1 000 and on 10 000 files -------------------------------
# rss_of DIR COUNT -> "kB seconds" of a fresh esign bulk (own ledger and output folder)
rss_of() {
  local d=$1
  /usr/bin/time -v -o "$d.time" "$ESIGN" --ledger "$d.db" bulk "$d" --profile "$pki/rsa.yaml" \
    --out-dir "$d.out" --jobs "$JOBS" -q >"$d.log" 2>&1 || { cat "$d.log" >&2; die "esign bulk failed on $d"; }
  grep -q "^$2 signed, 0 skipped, 0 failed" "$d.log" || { cat "$d.log" >&2; die "esign bulk summary on $d"; }
  awk '/Maximum resident set size/ { rss = $NF } /Elapsed \(wall clock\)/ { n = split($NF, p, ":"); s = 0; for (j = 1; j <= n; j++) s = s * 60 + p[j] } END { print rss, s }' "$d.time"
}
if ((memory)); then
  echo "bench: memory: esign bulk on 1000 and 10000 files under /usr/bin/time -v" >&2
  make_pdfs "$tmp/mem1k" 1000 "esign bench/bulk.sh"
  make_pdfs "$tmp/mem10k" 10000 "esign bench/bulk.sh"
  read -r rss1k mem1k_s < <(rss_of "$tmp/mem1k" 1000)
  rm -rf "$tmp/mem1k.out"
  read -r rss10k mem10k_s < <(rss_of "$tmp/mem10k" 10000)
  n10k=$(find "$tmp/mem10k.out" -name '*.pdf' | wc -l)
  ((n10k == 10000)) || die "esign bulk wrote $n10k of 10000 outputs"
  pdfsig_ok "$(find "$tmp/mem10k.out" -name '*.pdf' | sort | tail -1)" "esign, 10000-file run"
fi

# Measured after the signing runs: deleting its files just before them would slow ext4's inode
# allocation for them (it skips recently deleted inodes).
# fsync'ed small-file writes: 2 threads x 250 files of 1 KiB, each written, fsync'ed, closed
fsync_rate=$(/usr/bin/python3 - "$tmp/fsync" <<'PYEOF'
import os, sys, threading, time
d = sys.argv[1]; os.makedirs(d)
def work(t):
    for i in range(250):
        fd = os.open(f"{d}/{t}-{i}", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.write(fd, b"x" * 1024); os.fsync(fd); os.close(fd)
t0 = time.time()
ts = [threading.Thread(target=work, args=(t,)) for t in range(2)]
[t.start() for t in ts]; [t.join() for t in ts]
print(f"{500 / (time.time() - t0):.0f}")
PYEOF
)
rm -rf "$tmp/fsync"

# --- report ------------------------------------------------------------------------------------
es_r=$(rate "$N" "$esign_s")
po_r=$(rate "$PODOFO_SAMPLE" "$podofo_s")
best=$po_r best_tool=podofosign
if [[ -n $signpdf_s ]]; then
  sp_r=$(rate "$SIGNPDF_SAMPLE" "$signpdf_s")
  if awk -v a="$sp_r" -v b="$best" 'BEGIN { exit !(a > b) }'; then best=$sp_r best_tool=@signpdf; fi
fi
if [[ -n $pdfbox_s ]]; then
  pb_r=$(rate "$N" "$pdfbox_s")
  if awk -v a="$pb_r" -v b="$best" 'BEGIN { exit !(a > b) }'; then best=$pb_r best_tool=PDFBox; fi
fi
echo
printf '%-22s %6s %9s %9s %10s\n' tool files seconds docs/s "vs fastest peer"
printf '%-22s %6d %9s %9s %10s\n' "esign bulk --jobs $JOBS" "$N" "$esign_s" "$es_r" "$(ratio "$es_r" "$best")x"
printf '%-22s %6d %9s %9s %10s\n' podofosign "$PODOFO_SAMPLE" "$podofo_s" "$po_r" "$(ratio "$po_r" "$best")x"
if [[ -n $signpdf_s ]]; then
  printf '%-22s %6d %9s %9s %10s\n' "@signpdf $signpdf_version" "$SIGNPDF_SAMPLE" "$signpdf_s" "$sp_r" "$(ratio "$sp_r" "$best")x"
else
  printf '%-22s %s\n' @signpdf "$signpdf_note"
fi
if [[ -n $pdfbox_s ]]; then
  printf '%-22s %6d %9s %9s %10s\n' "PDFBox $pdfbox_version" "$N" "$pdfbox_s" "$pb_r" "$(ratio "$pb_r" "$best")x"
else
  printf '%-22s %s\n' PDFBox "$pdfbox_note"
fi
ec_r=$(rate "$N" "$esign_ec_s")
printf '%-22s %6d %9s %9s\n' "esign bulk, P-256 key" "$N" "$esign_ec_s" "$ec_r"
((PODOFO_SAMPLE < N)) && echo "note: podofosign ran on $PODOFO_SAMPLE of the $N files (one process each); its docs/s is that sample's rate, extrapolated to the corpus"
((SIGNPDF_SAMPLE < N)) && [[ -n $signpdf_s ]] && echo "note: @signpdf signed $SIGNPDF_SAMPLE of the $N files; its docs/s is that sample's rate"
echo "note: esign fsyncs every output and its ledger; podofosign, @signpdf and PDFBox fsync nothing"
echo
echo "correctness: esign bulk exit 0 and $N outputs; pdfsig 'Signature is Valid' + 'Total document signed' on 5 esign, 2 esign P-256, 2 podofosign$([[ -n $signpdf_s ]] && echo ", 2 @signpdf")$([[ -n $pdfbox_s ]] && echo ", 2 PDFBox") outputs"

per_core=$(awk -v t="$rsa_total" 'BEGIN { printf "%.0f", t / 2 }')
# The 1000 docs/s goal was set for ~3900 RSA-2048 signatures/s per core (7800 on 2 cores).
scaled=$(awk -v t="$rsa_total" 'BEGIN { printf "%.0f", 1000 * t / 7800 }')
echo "machine: $(nproc) cores, load average at start ${load_start}, at end $(cut -d' ' -f1-3 /proc/loadavg) (shared machine: compare ratios, not absolute rates)"
echo "machine: openssl speed -multi 2 rsa2048: ${rsa_total} sign/s on 2 cores (~${per_core}/s per core; the spec assumes ~3900)"
echo "machine: fsync'ed 1 KiB file writes: ${fsync_rate}/s from 2 threads together (the spec assumes ~2000/s per thread)"
echo "ceiling: RSA alone caps esign at ~${rsa_total} docs/s here; the 1000 docs/s goal, scaled to this machine's RSA speed, is ~${scaled} docs/s"
if [[ -z $io_note ]]; then
  # With no work but RSA and these system calls, two cores sign at most 2 / (RSA CPU + I/O CPU)
  # documents a second.
  io_us=$(awk -v u="$io_user" -v s="$io_sys" -v n="$N" 'BEGIN { printf "%.0f", 1e6 * (u + s) / n }')
  io_ceiling=$(awk -v t="$rsa_total" -v u="$io_user" -v s="$io_sys" -v n="$N" 'BEGIN { printf "%.0f", 2 / (2 / t + (u + s) / n) }')
  echo "machine: esign's file-system calls alone (bench/io_floor.c, no signing): ${io_us} us of CPU per document (user ${io_user} s, system ${io_sys} s for $N)"
  echo "ceiling: RSA plus those calls cap any signer writing durable files at ~${io_ceiling} docs/s here ($(awk -v c="$io_ceiling" -v t="$rsa_total" 'BEGIN { printf "%.0f", 100 * c / t }')% of openssl speed), before parsing, hashing, CMS, ledger and start-up"
else
  echo "machine: file-system floor $io_note"
fi
echo "goal: esign ${es_r} docs/s vs 1000 docs/s: $(awk -v r="$es_r" 'BEGIN { print (r >= 1000 ? "met" : "NOT met") }') ($(awk -v r="$es_r" -v t="$rsa_total" 'BEGIN { printf "%.0f", 100 * r / t }')% of the RSA ceiling; scaled goal ${scaled}: $(awk -v r="$es_r" -v s="$scaled" 'BEGIN { print (r >= s ? "met" : "NOT met") }'))"
fail=0
if awk -v r="$(ratio "$es_r" "$best")" 'BEGIN { exit !(r >= 10) }'; then
  echo "check: esign >= 10x the fastest peer ($best_tool): ok ($(ratio "$es_r" "$best")x)"
else
  echo "check: esign >= 10x the fastest peer ($best_tool): FAILED ($(ratio "$es_r" "$best")x)"
  fail=3
fi
# Issue 16: RSA-2048 at >= 70% of what openssl speed signs on the same cores, >= 12x PDFBox in one
# JVM, ECDSA P-256 >= 4000 docs/s.
share=$(awk -v r="$es_r" -v t="$rsa_total" 'BEGIN { printf "%.0f", 100 * r / t }')
if ((share >= 70)); then
  echo "check: esign RSA-2048 >= 70% of openssl speed -multi 2: ok (${share}%)"
else
  echo "check: esign RSA-2048 >= 70% of openssl speed -multi 2: FAILED (${share}%)"
  fail=3
fi
if [[ -n $pdfbox_s ]]; then
  if awk -v r="$(ratio "$es_r" "$pb_r")" 'BEGIN { exit !(r >= 12) }'; then
    echo "check: esign >= 12x PDFBox: ok ($(ratio "$es_r" "$pb_r")x)"
  else
    echo "check: esign >= 12x PDFBox: FAILED ($(ratio "$es_r" "$pb_r")x)"
    fail=3
  fi
fi
if awk -v r="$ec_r" 'BEGIN { exit !(r >= 4000) }'; then
  echo "check: esign P-256 >= 4000 docs/s: ok ($ec_r)"
else
  echo "check: esign P-256 >= 4000 docs/s: FAILED ($ec_r)"
  fail=3
fi
if ((memory)); then
  mr=$(awk -v a="$rss10k" -v b="$rss1k" 'BEGIN { printf "%.2f", a / b }')
  echo "memory: peak RSS esign bulk --jobs $JOBS: 1000 files ${rss1k} kB (${mem1k_s} s), 10000 files ${rss10k} kB (${mem10k_s} s), ratio ${mr}"
  if awk -v r="$mr" 'BEGIN { exit !(r <= 1.5) }'; then
    echo "check: peak RSS 10000 files <= 1.5x 1000 files: ok"
  else
    echo "check: peak RSS 10000 files <= 1.5x 1000 files: FAILED"
    fail=3
  fi
fi
exit "$fail"
