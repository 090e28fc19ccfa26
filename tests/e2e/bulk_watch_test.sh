#!/usr/bin/env bash
# esign bulk --watch, the hot folder: files already there are signed at once; a file copied in
# slowly is signed only once it is complete (no output exists while it is half written), files
# dropped in later are picked up, each file is one item of the same job, and SIGTERM/SIGINT end
# the run with the summary line and exit 0: a hot folder ends with a signal by design (esign bulk
# --help: "SIGINT/SIGTERM end it (exit 0, or 1 after failures)"), unlike a batch (143/130).
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
need_tool pdfsig qpdf certutil

export ESIGN_LEDGER=$TEST_TMP/ledger.db
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3)
later_fails=()
later() { echo "FAIL (reported at the end) $TEST_NAME: $*" >&2; later_fails+=("$*"); }
PROFILE=$PKI/rsa.yaml
IN=$TEST_TMP/in
OUT=$TEST_TMP/out
mkdir -p "$IN"

# bg_start OUT ERR ARGS...: `esign ARGS...` in the background with SIGINT/SIGTERM at their
# default disposition (bash makes background commands ignore SIGINT); sets BG_PID.
bg_start() {
  local out=$1 err=$2
  shift 2
  "$py" -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL); signal.signal(signal.SIGTERM, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])' "$ESIGN" "$@" >"$out" 2>"$err" &
  BG_PID=$!
  on_exit "kill $BG_PID 2>/dev/null"
}
bg_wait() {
  BG_RC=0
  { wait "$BG_PID"; } 2>/dev/null || BG_RC=$?
}
# wait_for FILE SECONDS: waits until FILE exists.
wait_for() {
  local i
  for ((i = 0; i < $2 * 20; i++)); do
    [ -e "$1" ] && return 0
    kill -0 "$BG_PID" 2>/dev/null || fail "esign bulk --watch exited early: $(cat "$TEST_TMP/w.out" "$TEST_TMP/w.err")"
    sleep 0.05
  done
  fail "no $1 after $2 s: $(cat "$TEST_TMP/w.out" "$TEST_TMP/w.err")"
}
# signed_ok IN OUT: OUT is IN plus one valid signature (pdfsig, qpdf, esign verify).
signed_ok() {
  pdfsig_valid "$2" 1
  qpdf_ok "$2"
  cmp -s -n "$(stat -c %s "$1")" "$1" "$2" || fail "$1 is not a prefix of $2"
  expect_exit 0 esign verify --trust "$PKI/root.pem" "$2"
}

cp "$PDFS/classic.pdf" "$IN/early.pdf"
note "start --watch --settle 1"
bg_start "$TEST_TMP/w.out" "$TEST_TMP/w.err" bulk "$IN" --profile "$PROFILE" --out-dir "$OUT" --watch --settle 1
wait_for "$OUT/early.signed.pdf" 10
signed_ok "$IN/early.pdf" "$OUT/early.signed.pdf"
grep -qE '^job [0-9]+ \(new\): 1 files, [01] to sign$' "$TEST_TMP/w.out" || fail "job line: $(cat "$TEST_TMP/w.out")"
job=$(sed -n 's/^job \([0-9][0-9]*\) .*/\1/p' "$TEST_TMP/w.out")

# A slow copy that never pauses as long as the settle time: written in 6 pieces 0.3 s apart.
note "slow copy, pauses shorter than --settle"
src=$PDFS/multipage.pdf
size=$(stat -c %s "$src")
piece=$(((size + 5) / 6))
: >"$IN/slow.pdf"
for k in 0 1 2 3 4 5; do
  dd if="$src" of="$IN/slow.pdf" bs="$piece" skip=$k seek=$k count=1 conv=notrunc status=none
  sleep 0.3
  [ ! -e "$OUT/slow.signed.pdf" ] || [ "$k" = 5 ] || fail "slow.pdf was signed after $((k + 1)) of 6 pieces"
done
cmp -s "$src" "$IN/slow.pdf" || fail "test setup: the slow copy is not the source"
wait_for "$OUT/slow.signed.pdf" 10
signed_ok "$IN/slow.pdf" "$OUT/slow.signed.pdf"
grep -F slow.pdf "$TEST_TMP/w.err" && fail "slow.pdf (pauses shorter than the settle time) was tried before it was complete"

# A copy that stops half way for longer than the settle time (write half, sleep 1.5 s, the rest).
# By the settle rule the half file looks complete and may be tried (it is not a PDF yet, so it
# fails); it must not produce an output, and the complete file must be signed.
note "slow copy, a pause longer than --settle"
src=$PDFS/classic.pdf
size=$(stat -c %s "$src")
half=$((size / 2))
head -c "$half" "$src" >"$IN/halting.pdf"
sleep 1.5
[ ! -e "$OUT/halting.signed.pdf" ] || fail "the half-written halting.pdf produced an output"
tail -c +$((half + 1)) "$src" >>"$IN/halting.pdf"
cmp -s "$src" "$IN/halting.pdf" || fail "test setup: the halting copy is not the source"
for ((i = 0; i < 200; i++)); do
  [ -e "$OUT/halting.signed.pdf" ] && cmp -s -n "$size" "$IN/halting.pdf" "$OUT/halting.signed.pdf" && break
  sleep 0.05
done
signed_ok "$IN/halting.pdf" "$OUT/halting.signed.pdf"
tried_half=0
grep -qF halting.pdf "$TEST_TMP/w.err" && tried_half=1
note "the half-written file was tried while incomplete: $tried_half ($(grep -F halting.pdf "$TEST_TMP/w.err" || true))"

note "three more files"
cp "$PDFS/xrefstream.pdf" "$IN/x1.pdf"
cp "$PDFS/classic.pdf" "$IN/x2.pdf"
printf 'a text file dropped in\n' >"$IN/x3.txt"
wait_for "$OUT/x1.signed.pdf" 10
wait_for "$OUT/x2.signed.pdf" 10
wait_for "$OUT/x3.txt.p7s" 10
signed_ok "$IN/x1.pdf" "$OUT/x1.signed.pdf"
signed_ok "$IN/x2.pdf" "$OUT/x2.signed.pdf"
p7s_ok "$OUT/x3.txt.p7s" "$IN/x3.txt" "$PKI/chain.pem"
sleep 0.6 # a few more polls: nothing is signed twice
for f in early slow halting x1 x2; do pdfsig_valid "$OUT/$f.signed.pdf" 1; done
expect_dir_contents "$OUT" early.signed.pdf slow.signed.pdf halting.signed.pdf x1.signed.pdf x2.signed.pdf x3.txt.p7s

note "SIGTERM"
kill -TERM "$BG_PID"
bg_wait
summary=$(tail -n1 "$TEST_TMP/w.out")
note "SIGTERM: exit $BG_RC, summary: $summary"
grep -qE '^[0-9]+ signed, 0 skipped, [0-9]+ failed$' <<<"$summary" || fail "no summary line after SIGTERM: $(cat "$TEST_TMP/w.out")"
# Six files, six signed. A failed try of the half-written file is not a failed file: it was
# signed in the end, so the run ends as a success.
if [ "$summary" != "6 signed, 0 skipped, 0 failed" ] || [ "$BG_RC" != 0 ]; then
  { [ "$tried_half" = 1 ] && [ "$BG_RC" = 1 ] && [ "$summary" = "6 signed, 0 skipped, 1 failed" ]; } ||
    fail "--watch after SIGTERM: exit $BG_RC, '$summary', expected exit 0 and '6 signed, 0 skipped, 0 failed': $(cat "$TEST_TMP/w.out" "$TEST_TMP/w.err")"
  later "--watch after SIGTERM: exit 1 and '$summary', expected exit 0 and '6 signed, 0 skipped, 0 failed': the failed try of the half-written halting.pdf counts as a failed file although it was signed once complete"
fi
expect_exit 0 esign audit jobs --json
"$py" -c 'import json, sys; j = [j for j in json.load(open(sys.argv[1]))["jobs"] if j["id"] == int(sys.argv[2])][0]
assert (j["done"], j["failed"], j["pending"]) == (6, 0, 0), j
assert j["state"] == "done", "job state %s, all 6 items done" % j["state"]' "$LAST_STDOUT" "$job" ||
  later "audit jobs after --watch: $(cat "$LAST_STDOUT")"
[ -z "$(find "$OUT" -name '.*.esign-tmp-*')" ] || fail "temp files left in $OUT"

expect_exit 0 esign audit show "$job" --json
cp "$LAST_STDOUT" "$TEST_TMP/show.json"
"$py" - "$TEST_TMP/show.json" "$IN" "$OUT" <<'PY' || fail "audit show $job: $(cat "$TEST_TMP/show.json")"
import hashlib, json, os, sys
d = json.load(open(sys.argv[1])); IN, OUT = sys.argv[2:]
sha = lambda p: hashlib.sha256(open(p, 'rb').read()).hexdigest()
paths = sorted(i['path'] for i in d['items'])
assert paths == ['early.pdf', 'halting.pdf', 'slow.pdf', 'x1.pdf', 'x2.pdf', 'x3.txt'], paths
for i in d['items']:
    assert i['state'] == 'done', i
    assert i['sha256'] == sha(os.path.join(IN, i['path'])), i
    assert i['output_sha256'] == sha(os.path.join(OUT, i['output'])), i
PY
expect_exit 0 esign audit log --json
cp "$LAST_STDOUT" "$TEST_TMP/log.json"
"$py" - "$TEST_TMP/log.json" "$job" <<'PY' || fail "audit log: more than one ok sign event for an output"
import json, os, sys
ev = json.load(open(sys.argv[1]))['events']; pre = 'bulk job %s' % sys.argv[2]
ok = [os.path.basename(e['output_path']) for e in ev if e['operation'] == 'sign' and e['outcome'] == 'ok'
      and (e['detail'] == pre or e['detail'].startswith(pre + ' '))]
assert sorted(ok) == sorted(['early.signed.pdf', 'slow.signed.pdf', 'halting.signed.pdf', 'x1.signed.pdf',
                             'x2.signed.pdf', 'x3.txt.p7s']), sorted(ok)
PY
expect_exit 0 esign audit verify

note "again, with nothing new, then SIGINT"
bg_start "$TEST_TMP/w.out" "$TEST_TMP/w.err" bulk "$IN" --profile "$PROFILE" --out-dir "$OUT" --watch --settle 1
for ((i = 0; i < 600; i++)); do grep -q '^job ' "$TEST_TMP/w.out" && break; sleep 0.05; done
grep -qxF "job $job (continued): 6 files, 0 to sign" "$TEST_TMP/w.out" || fail "watch re-run: $(cat "$TEST_TMP/w.out")"
sleep 1.5
kill -INT "$BG_PID"
bg_wait
[ "$BG_RC" = 0 ] || fail "--watch after SIGINT: exit $BG_RC, expected 0: $(cat "$TEST_TMP/w.out" "$TEST_TMP/w.err")"
grep -qxF '0 signed, 6 skipped, 0 failed' "$TEST_TMP/w.out" || fail "watch re-run summary: $(cat "$TEST_TMP/w.out")"
expect_dir_contents "$OUT" early.signed.pdf slow.signed.pdf halting.signed.pdf x1.signed.pdf x2.signed.pdf x3.txt.p7s

if [ "${#later_fails[@]}" -gt 0 ]; then
  fail "${#later_fails[@]} check(s) failed (see above): ${later_fails[*]}"
fi
