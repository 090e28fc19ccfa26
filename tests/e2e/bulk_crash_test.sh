#!/usr/bin/env bash
# esign bulk under fire: SIGKILL at random moments (three times, each kill landing in a re-run of
# the same command), then a run to completion: every output is a complete, valid signed document
# with exactly one signature (pdfsig, esign verify), the ledger counts are right, its chain is
# intact, no temporary file is left, and the audit log has exactly one ok sign event per output
# (an output adopted after a crash is recorded once, with a detail saying so). The same for
# detached .p7s outputs. Then SIGTERM (143) and SIGINT (130) during a run: the summary says the
# run stopped, every item marked done has its valid output, nothing else is in the output
# folder, and a re-run finishes the job.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
need_tool pdfsig openssl certutil

export ESIGN_LEDGER=$TEST_TMP/ledger.db
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3)
later_fails=()
later() { echo "FAIL (reported at the end) $TEST_NAME: $*" >&2; later_fails+=("$*"); }
PROFILE=$PKI/rsa.yaml

# bg_start OUT ERR ARGS...: starts `esign ARGS...` in the background with SIGINT and SIGTERM at
# their default disposition (bash makes background commands ignore SIGINT), stdout in OUT,
# stderr in ERR; sets BG_PID.
bg_start() {
  local out=$1 err=$2
  shift 2
  "$py" -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL); signal.signal(signal.SIGTERM, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])' "$ESIGN" "$@" >"$out" 2>"$err" &
  BG_PID=$!
}
# bg_wait: waits for BG_PID, sets BG_RC.
bg_wait() {
  BG_RC=0
  { wait "$BG_PID"; } 2>/dev/null || BG_RC=$?
}
# wait_for_line FILE REGEX [SECONDS]: waits until FILE has a line matching REGEX.
wait_for_line() {
  local i
  for ((i = 0; i < ${3:-10} * 200; i++)); do
    grep -qE -- "$2" "$1" 2>/dev/null && return 0
    sleep 0.005
  done
  fail "no line matching '$2' in $1 after ${3:-10} s: $(cat "$1")"
}
# job_json JOB FILE: audit show JOB --json into FILE.
job_json() {
  expect_exit 0 esign audit show "$1" --json
  cp "$LAST_STDOUT" "$2"
}
# temps DIR: the esign temporary outputs anywhere under DIR.
temps() { find "$1" -name '.*.esign-tmp-*' -printf '%P\n'; }
# check_final_named DIR: every file under DIR with a final name is a complete, valid signature
# (a crash never leaves a half-written output under its final name).
check_final_named() {
  local dir=$1 in=$2
  local -a pdfs=() p7s=()
  mapfile -t pdfs < <(find "$dir" -name '*.signed.pdf' ! -name '.*')
  mapfile -t p7s < <(find "$dir" -name '*.p7s' ! -name '.*')
  if [ "${#pdfs[@]}" -gt 0 ]; then
    expect_exit 0 esign verify --trust "$PKI/root.pem" "${pdfs[@]}"
  fi
  local f
  for f in "${p7s[@]}"; do
    p7s_ok "$f" "$in/$(basename "$f" .p7s)" "$PKI/chain.pem"
  done
}
# check_events JOB N OUTDIR LOG: the audit log holds exactly one ok sign event per output of
# JOB (N in all), each with the output's current sha256; prints how many were adoptions.
check_events() {
  expect_exit 0 esign audit log --json
  cp "$LAST_STDOUT" "$TEST_TMP/log.json"
  "$py" - "$TEST_TMP/log.json" "$1" "$2" "$3" <<'PY'
import hashlib, json, os, sys
ev = json.load(open(sys.argv[1]))['events']; job, n, out = sys.argv[2], int(sys.argv[3]), sys.argv[4]
pre = 'bulk job %s' % job
mine = [e for e in ev if e['operation'] == 'sign' and e['detail'].startswith(pre)
        and e['detail'][len(pre):][:1] in ('', ' ')]
ok = [e for e in mine if e['outcome'] == 'ok']
outs = {}
for e in ok: outs.setdefault(os.path.realpath(e['output_path']), []).append(e)
twice = sorted(p for p, es in outs.items() if len(es) > 1)
assert not twice, 'outputs with more than one ok sign event: %r' % twice[:5]
assert len(ok) >= n, 'only %d ok sign events for %d files' % (len(ok), n)
assert len(ok) == n, '%d ok sign events for %d files' % (len(ok), n)
adopted = 0
for p, (e,) in outs.items():
    assert os.path.exists(p), 'an event for a missing output %s' % p
    assert e['output_sha256'] == hashlib.sha256(open(p, 'rb').read()).hexdigest(), 'output %s changed after its event' % p
    if e['detail'] != pre:
        assert e['detail'] == pre + ' (output of an interrupted run, verified and kept)', e['detail']
        adopted += 1
real = {os.path.realpath(os.path.join(dp, f)) for dp, _, fs in os.walk(out) for f in fs}
assert real == set(outs), 'outputs without an event: %r' % sorted(real - set(outs))[:5]
print(adopted)
PY
}
# check_job JOB N STATE: audit jobs shows JOB with N done, 0 failed, 0 pending, in STATE.
check_job() {
  expect_exit 0 esign audit jobs --json
  cp "$LAST_STDOUT" "$TEST_TMP/jobs.json"
  "$py" - "$TEST_TMP/jobs.json" "$1" "$2" "$3" <<'PY' || fail "audit jobs: job $1: $(cat "$TEST_TMP/jobs.json")"
import json, sys
j = [j for j in json.load(open(sys.argv[1]))['jobs'] if j['id'] == int(sys.argv[2])][0]
want = (sys.argv[4], int(sys.argv[3]), 0, 0)
assert (j['state'], j['done'], j['failed'], j['pending']) == want, (j, want)
PY
}

# crash_loop IN OUT N KILLS [ARGS...]: KILLS runs of the same bulk command, each SIGKILLed after
# a random 0.05-0.5 s, the folder checked after each; then a run to completion. Sets JOB.
crash_loop() {
  local in=$1 out=$2 n=$3 kills=$4 k delay hit=0
  shift 4
  for ((k = 1; k <= kills; k++)); do
    delay=$(printf '0.%03d' $((50 + RANDOM % 451)))
    bg_start "$TEST_TMP/k$k.out" "$TEST_TMP/k$k.err" bulk "$in" --profile "$PROFILE" --out-dir "$out" "$@"
    sleep "$delay"
    kill -KILL "$BG_PID" 2>/dev/null || true
    bg_wait
    if [ "$BG_RC" = 137 ]; then
      hit=$((hit + 1))
      note "kill $k after ${delay}s: $(find "$out" -type f ! -name '.*' 2>/dev/null | wc -l) outputs, $(temps "$out" 2>/dev/null | wc -l) temp files"
    else
      note "kill $k after ${delay}s: the run had already ended (exit $BG_RC: $(tail -n1 "$TEST_TMP/k$k.out"))"
    fi
    [ -d "$out" ] && check_final_named "$out" "$in"
  done
  note "$hit of $kills kills landed during a run"
  run esign bulk "$in" --profile "$PROFILE" --out-dir "$out" "$@"
  JOB=$(sed -n 's/^job \([0-9][0-9]*\) .*/\1/p' "$LAST_STDOUT" | head -n1)
}

# ---------------------------------------------------------------------------------------------
note "SIGKILL at random moments, PDFs"
N=300
IN=$TEST_TMP/in
OUT=$TEST_TMP/out
mkdir -p "$IN"
srcs=(classic multipage xrefstream)
for i in $(seq 1 $N); do cp "$PDFS/${srcs[i % 3]}.pdf" "$IN/p$i.pdf"; done
before=$(cd "$IN" && find . -type f -printf '%m %s %T@ ' -exec sha256sum {} \; | sort)
crash_loop "$IN" "$OUT" $N 3
[ "$LAST_EXIT" = 0 ] || { _show_last; fail "the run after the crashes exited $LAST_EXIT"; }
grep -qE "^[0-9]+ signed, [0-9]+ skipped, 0 failed$" "$LAST_STDOUT" || { _show_last; fail "the final run's summary"; }
"$py" -c 'import re, sys; m = re.search(r"^(\d+) signed, (\d+) skipped, 0 failed$", open(sys.argv[1]).read(), re.M)
assert int(m[1]) + int(m[2]) == int(sys.argv[2])' "$LAST_STDOUT" $N || { _show_last; fail "signed + skipped is not $N"; }
[ -n "$JOB" ] || fail "no job id"
check_job "$JOB" $N "done"
expect_exit 0 esign audit verify
left=$(temps "$OUT")
[ -z "$left" ] || fail "temp files left in $OUT: $left"
[ "$(find "$OUT" -mindepth 1 | wc -l)" = $N ] || fail "$OUT does not hold exactly $N outputs: $(find "$OUT" -mindepth 1 -printf "%P " | head -c 300)"
for i in $(seq 1 $N); do [ -s "$OUT/p$i.signed.pdf" ] || fail "no output for p$i.pdf"; done
# The referees: esign verify on every output, each with exactly one signature dictionary (one
# /ByteRange); pdfsig (one signature, "Signature #1" and no "#2", valid, whole file) on every
# third one (~20 ms a file).
twice=$(grep -c -a '/ByteRange' "$OUT"/*.signed.pdf | grep -v ':1$' || true)
[ -z "$twice" ] || fail "outputs without exactly one signature dictionary: $twice"
export -f pdfsig_report make_nssdb
export TEST_TMP
make_nssdb "$TEST_TMP/.nssdb-empty"
# shellcheck disable=SC2016 # the script is for the inner bash
bad=$(for i in $(seq 1 3 $N); do printf '%s\0' "$OUT/p$i.signed.pdf"; done | xargs -0 -P 2 -n 20 bash -c '
  for f; do
    r=$(pdfsig_report "$f")
    n=$(grep -c "^Signature #" <<<"$r")
    v=$(grep -c "Signature Validation: Signature is Valid\." <<<"$r")
    t=$(grep -c -- "- Total document signed" <<<"$r")
    { [ "$n" = 1 ] && [ "$v" = 1 ] && [ "$t" = 1 ] && grep -q "^Signature #1" <<<"$r" && ! grep -q "^Signature #2" <<<"$r"; } ||
      echo "$f: $n signatures, $v valid, $t total"
  done' _)
[ -z "$bad" ] || fail "pdfsig rejects outputs:
$(head -n 20 <<<"$bad")"
expect_exit 0 esign verify --trust "$PKI/root.pem" --format json "$OUT"/*.signed.pdf
"$py" -c 'import json, sys; d = json.load(open(sys.argv[1]))
bad = [f["file"] if "file" in f else f for f in d["files"] if not f["valid"] or len(f["signatures"]) != 1]
assert not bad and len(d["files"]) == int(sys.argv[2]), bad[:5]' "$LAST_STDOUT" $N || fail "esign verify: an output is not one valid signature"
adopted=$(check_events "$JOB" $N "$OUT") || fail "the audit log after the crashes (job $JOB)"
note "$adopted outputs of killed runs were adopted"
job_json "$JOB" "$TEST_TMP/show.json"
"$py" - "$TEST_TMP/show.json" "$IN" "$OUT" <<'PY' || fail "audit show $JOB after the crashes"
import hashlib, json, os, sys
d = json.load(open(sys.argv[1])); IN, OUT = sys.argv[2:]
sha = lambda p: hashlib.sha256(open(p, 'rb').read()).hexdigest()
items = d['items']
assert len(items) == 300 and len({i["path"] for i in items}) == 300, len(items)
for i in items:
    assert i['state'] == 'done', i
    assert i['sha256'] == sha(os.path.join(IN, i['path'])), i
    assert i['output_sha256'] == sha(os.path.join(OUT, i['output'])), i
PY
after=$(cd "$IN" && find . -type f -printf '%m %s %T@ ' -exec sha256sum {} \; | sort)
[ "$before" = "$after" ] || fail "the input folder changed"
expect_exit 0 esign bulk "$IN" --profile "$PROFILE" --out-dir "$OUT"
grep -qxF "0 signed, $N skipped, 0 failed" "$LAST_STDOUT" || { _show_last; fail "a run after completion re-signed something"; }

# ---------------------------------------------------------------------------------------------
note "SIGKILL at random moments, detached .p7s"
M=150
IN2=$TEST_TMP/in2
OUT2=$TEST_TMP/out2
mkdir -p "$IN2"
for i in $(seq 1 $M); do printf 'document %d\n%s\n' "$i" "$(head -c 300 /dev/urandom | base64 -w0)" >"$IN2/t$i.txt"; done
crash_loop "$IN2" "$OUT2" $M 3 --jobs 1
if [ "$LAST_EXIT" != 0 ]; then
  later "after SIGKILLs, a re-run over .txt inputs exits $LAST_EXIT, expected 0: $(tail -n1 "$LAST_STDOUT"); first errors: $(head -n 3 "$LAST_STDERR")"
  # what it takes to finish: the leftover .p7s files are valid (the referee agrees)
  check_final_named "$OUT2" "$IN2"
else
  check_job "$JOB" $M "done"
  [ -z "$(temps "$OUT2")" ] || fail "temp files left in $OUT2"
  [ "$(find "$OUT2" -mindepth 1 | wc -l)" = $M ] || fail "$OUT2 does not hold exactly $M outputs"
  check_final_named "$OUT2" "$IN2"
  adopted=$(check_events "$JOB" $M "$OUT2") || fail "the audit log after the .p7s crashes"
  note "$adopted .p7s outputs of killed runs were adopted"
fi
expect_exit 0 esign audit verify

# ---------------------------------------------------------------------------------------------
# stop_test SIGNAL CODE: a run over a fresh folder, SIGNAL as soon as it has planned its items.
stop_test() {
  local sig=$1 code=$2 out=$TEST_TMP/out-$1 job
  note "$sig during a run"
  bg_start "$TEST_TMP/$sig.out" "$TEST_TMP/$sig.err" bulk "$IN" --profile "$PROFILE" --out-dir "$out" --jobs 1
  wait_for_line "$TEST_TMP/$sig.out" '^job [0-9]+ \(new\)'
  sleep 0.05
  kill -"$sig" "$BG_PID"
  bg_wait
  [ "$BG_RC" = "$code" ] || fail "$sig: exit $BG_RC, expected $code: $(cat "$TEST_TMP/$sig.out" "$TEST_TMP/$sig.err")"
  grep -qE '^[0-9]+ signed, 0 skipped, 0 failed \(stopped' "$TEST_TMP/$sig.out" ||
    fail "$sig: the summary does not say the run stopped: $(cat "$TEST_TMP/$sig.out")"
  local n_signed
  n_signed=$(sed -n 's/^\([0-9]*\) signed, .*/\1/p' "$TEST_TMP/$sig.out")
  [ "$n_signed" -lt $N ] || fail "$sig: the run signed everything before the signal arrived"
  job=$(sed -n 's/^job \([0-9][0-9]*\) .*/\1/p' "$TEST_TMP/$sig.out")
  [ -z "$(temps "$out")" ] || fail "$sig: temp files left in $out: $(temps "$out")"
  job_json "$job" "$TEST_TMP/$sig.json"
  "$py" - "$TEST_TMP/$sig.json" "$IN" "$out" "$n_signed" <<'PY' || fail "$sig: the ledger does not match the output folder"
import hashlib, json, os, sys
d = json.load(open(sys.argv[1])); IN, OUT, n = sys.argv[2], sys.argv[3], int(sys.argv[4])
sha = lambda p: hashlib.sha256(open(p, 'rb').read()).hexdigest()
assert d['state'] == 'interrupted', d['state']
items = d['items']
assert len(items) == 300, len(items)
done = [i for i in items if i['state'] == 'done']
assert len(done) == n, 'done %d, summary %d' % (len(done), n)
assert all(i['state'] in ('done', 'pending') for i in items), {i['state'] for i in items}
for i in done:
    assert i['output_sha256'] == sha(os.path.join(OUT, i['output'])), i
    assert i['sha256'] == sha(os.path.join(IN, i['path'])), i
present = {f for f in os.listdir(OUT)}
assert present == {i['output'] for i in done}, 'outputs not done in the ledger: %r' % sorted(present - {i['output'] for i in done})[:5]
PY
  check_final_named "$out" "$IN"
  note "$sig: stopped after $n_signed of $N"
  expect_exit 0 esign bulk "$IN" --profile "$PROFILE" --out-dir "$out"
  grep -qxF "$((N - n_signed)) signed, $n_signed skipped, 0 failed" "$LAST_STDOUT" || { _show_last; fail "$sig: the re-run"; }
  check_job "$job" $N "done"
  [ "$(find "$out" -mindepth 1 | wc -l)" = $N ] || fail "$sig: $out does not hold exactly $N outputs"
  adopted=$(check_events "$job" $N "$out") || fail "$sig: the audit log"
  [ "$adopted" = 0 ] || fail "$sig: $adopted outputs adopted after a clean stop (it should leave none unrecorded)"
}
stop_test TERM 143
stop_test INT 130
expect_exit 0 esign audit verify

if [ "${#later_fails[@]}" -gt 0 ]; then
  fail "${#later_fails[@]} check(s) failed (see above): ${later_fails[*]}"
fi
