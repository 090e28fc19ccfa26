#!/usr/bin/env bash
# Benchmark: `esign bulk --jobs 2` with remote keys that cost a network round trip per request
# (issue 16, "Performance"): the loopback CSC and Azure Key Vault test servers with DELAY_MS
# added to every request.
#
# Usage: bench/remote.sh [N=500]
#   ESIGN=/path/to/esign   the binary to measure (default: build/cli/esign beside this script)
#   DELAY_MS=50            added to every request by the test servers
#   MULTISIGN=100          what the CSC credential's credentials/info allows per authorization
#
# Generates N distinct one-page PDFs (bench/make_pdfs.py), then, each with `esign bulk IN
# --profile P --out-dir OUT --jobs 2 -q` (one process; outputs fsync'ed):
#   csc            credential rsa-1 (SCAL 1, RSA 2048), the profile's defaults: batches of
#                  multisign hashes per signHash call, one call at a time
#   csc-per-worker the same with `signing: {max_batch: 2}`: one request per worker, as bulk
#                  signed before the pipeline (the reference the ratio is taken against)
#   keyvault       key seal-rsa (RSA 2048), the defaults: 16 sign requests in flight
#   keyvault-2     the same with `signing: {max_in_flight: 2}`: one request per worker
# and checks the results (exit 0, N outputs, pdfsig "Signature is Valid" + "Total document
# signed" on 3 outputs of each run), and the servers' counts of signHash calls and hashes.
# Exit status: 0 all good; 1 a correctness check failed; 3 results are right but a performance
# check failed (CSC: more than 20 signHash calls or more than 2 s; Key Vault: more than 3 s).
set -euo pipefail
export LC_ALL=C

N=${1:-500}
if ! [[ $N =~ ^[0-9]+$ ]] || ((N < 1)); then
  echo "usage: $0 [N>=1]" >&2
  exit 2
fi
DELAY_MS=${DELAY_MS:-50}
MULTISIGN=${MULTISIGN:-100}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
ESIGN=${ESIGN:-$root/build/cli/esign}
PY=/usr/bin/python3
for tool in "$ESIGN" pdfsig "$PY" jq; do
  command -v "$tool" >/dev/null || { echo "bench: missing tool: $tool" >&2; exit 2; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/esign-bench.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
ledger=$tmp/ledger.db
export ESIGN_LEDGER=$ledger ESIGN_HOME=$tmp/home XDG_DATA_HOME=$tmp/xdg XDG_CACHE_HOME=$tmp/cache

# shellcheck source=lib.sh
. "$here/lib.sh"

cp "$ESIGN" "$tmp/esign" || die "cannot copy $ESIGN"
echo "bench: N=$N, delay=${DELAY_MS} ms per request, esign=$ESIGN, tmp=$tmp" >&2
ESIGN=$tmp/esign
bash "$root/tests/support/make_pki.sh" "$tmp/pki" >/dev/null 2>&1 || die "make_pki.sh failed"
pki=$tmp/pki
make_pdfs "$tmp/in" "$N" "esign bench/remote.sh"

# wait_port FILE: the port a test server printed on its first line.
wait_port() {
  local port="" i
  for ((i = 0; i < 200; i++)); do
    port=$(head -n1 "$1" 2>/dev/null || true)
    [[ -n $port ]] && break
    sleep 0.05
  done
  [[ -n $port ]] || die "a test server did not start: $(cat "$1.err" 2>/dev/null)"
  echo "$port"
}

# --- the servers ------------------------------------------------------------------------------
export CSC_PIN=12345678 CSC_SECRET=bench-client-secret AZ_SECRET=bench-az-secret
"$PY" "$root/tests/support/csc_server.py" --pki "$pki" --pin "$CSC_PIN" --client-secret "$CSC_SECRET" \
  --multisign "$MULTISIGN" --delay-ms "$DELAY_MS" >"$tmp/csc.port" 2>"$tmp/csc.port.err" &
pids+=($!)
csc_port=$(wait_port "$tmp/csc.port")
mkdir -p "$tmp/vault"
cp "$pki/rsa.key.pem" "$tmp/vault/seal-rsa.key.pem"
cp "$pki/rsa.cert.pem" "$tmp/vault/seal-rsa.cert.pem"
tenant=00000000-0000-0000-0000-0000000000b1 client=00000000-0000-0000-0000-0000000000c1
AZ_TEST_CLIENT_SECRET=$AZ_SECRET "$PY" "$root/tests/support/azure_kv_server.py" --keys "$tmp/vault" \
  --tenant "$tenant" --client-id "$client" >"$tmp/kv.port" 2>"$tmp/kv.port.err" &
pids+=($!)
kv_port=$(wait_port "$tmp/kv.port")
kv=http://127.0.0.1:$kv_port
"$PY" -c 'import sys, urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1],
  data=sys.argv[2].encode(), headers={"Content-Type": "application/json"}), timeout=10).read()' \
  "$kv/_test/config" "{\"delay_ms\": $DELAY_MS}"

csc_profile() {  # NAME [YAML-LINES]
  cat >"$tmp/$1.yaml" <<YAML
name: bench-$1
key:
  source: csc
  base_url: http://127.0.0.1:$csc_port/csc/v2
  credential_id: rsa-1
  client_id: esign-test
  client_secret: env:CSC_SECRET
  pin: env:CSC_PIN
  chain: $pki/chain.pem
${2:-}
YAML
}
kv_profile() {  # NAME [YAML-LINES]
  cat >"$tmp/$1.yaml" <<YAML
name: bench-$1
key:
  source: azure-keyvault
  vault_url: $kv/
  key: seal-rsa
  tenant_id: $tenant
  client_id: $client
  client_secret: env:AZ_SECRET
  authority_url: $kv
  chain: $pki/chain.pem
${2:-}
YAML
}
csc_profile csc
csc_profile csc-per-worker $'signing:\n  max_batch: 2'
kv_profile keyvault
kv_profile keyvault-2 $'signing:\n  max_in_flight: 2'

csc_stats() { "$PY" -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())' \
  "http://127.0.0.1:$csc_port/_stats"; }

# run NAME: esign bulk with profile NAME; sets SECONDS_TAKEN.
run() {
  local t0 t1 out=$tmp/out-$1 outs
  t0=$(now)
  "$ESIGN" --ledger "$ledger" --quiet bulk "$tmp/in" --profile "$tmp/$1.yaml" --out-dir "$out" --jobs 2 \
    >"$tmp/$1.log" 2>&1 || { cat "$tmp/$1.log" >&2; die "esign bulk ($1) failed"; }
  t1=$(now)
  SECONDS_TAKEN=$(elapsed "$t0" "$t1")
  outs=("$out"/*.pdf)
  ((${#outs[@]} == N)) || die "$1: ${#outs[@]} outputs for $N inputs"
  pdfsig_ok "${outs[0]}" "$1"
  pdfsig_ok "${outs[$((N / 2))]}" "$1"
  pdfsig_ok "${outs[$((N - 1))]}" "$1"
}

s0=$(csc_stats)
run csc
csc_s=$SECONDS_TAKEN
s1=$(csc_stats)
csc_calls=$(($(jq '.calls["signatures/signHash"]' <<<"$s1") - $(jq '.calls["signatures/signHash"] // 0' <<<"$s0")))
csc_auth=$(($(jq '.calls["credentials/authorize"]' <<<"$s1") - $(jq '.calls["credentials/authorize"] // 0' <<<"$s0")))
csc_hashes=$(jq --argjson k "$(jq '.signHash | length' <<<"$s0")" '.signHash[$k:] | add' <<<"$s1")
((csc_hashes == N)) || die "csc: the service signed $csc_hashes hashes for $N documents"
run csc-per-worker
csc_ref_s=$SECONDS_TAKEN
run keyvault
kv_s=$SECONDS_TAKEN
run keyvault-2
kv_ref_s=$SECONDS_TAKEN

printf '\n%-34s %10s %10s %8s\n' "esign bulk --jobs 2, $N PDFs" "seconds" "files/s" "ratio"
printf '%-34s %10s %10s %8s\n' "csc (batches, defaults)" "$csc_s" "$(rate "$N" "$csc_s")" "$(ratio "$csc_ref_s" "$csc_s")"
printf '%-34s %10s %10s %8s\n' "csc, max_batch 2 (per worker)" "$csc_ref_s" "$(rate "$N" "$csc_ref_s")" "1.0"
printf '%-34s %10s %10s %8s\n' "keyvault (16 in flight, defaults)" "$kv_s" "$(rate "$N" "$kv_s")" "$(ratio "$kv_ref_s" "$kv_s")"
printf '%-34s %10s %10s %8s\n' "keyvault, max_in_flight 2" "$kv_ref_s" "$(rate "$N" "$kv_ref_s")" "1.0"
echo "csc: $csc_calls signHash calls, $csc_auth authorizations for $N documents (multisign $MULTISIGN, ${DELAY_MS} ms per request)"

status=0
((csc_calls <= 20)) || { echo "bench: FAIL csc: $csc_calls signHash calls (at most 20)" >&2; status=3; }
awk -v s="$csc_s" 'BEGIN { exit !(s <= 2.0) }' || { echo "bench: FAIL csc: ${csc_s} s (at most 2 s)" >&2; status=3; }
awk -v s="$kv_s" 'BEGIN { exit !(s <= 3.0) }' || { echo "bench: FAIL keyvault: ${kv_s} s (at most 3 s)" >&2; status=3; }
exit $status
