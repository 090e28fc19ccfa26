#!/usr/bin/env bash
# esign bulk end to end: a folder of good PDFs, other files (-> .p7s), a corrupt, an encrypted
# and an unreadable file, and a junk output the ledger did not write. Checks the summary, the
# exit code, one stderr line per failure, every output with the referees (pdfsig, qpdf --check,
# openssl cms), --report (CSV and JSON), audit jobs/show/verify, the input folder byte for byte;
# then resume (skip, retry, fixed input, changed input, --force, --fresh), --recursive,
# --include/--exclude, --dry-run, an output folder inside the input folder, and two processes
# at once (same output folder: refused or --wait; different output folders: both succeed).
#
# The unreadable file: tests run as root, which reads a mode-000 file, so the runs over that
# folder are made as nobody (setpriv) in a world-writable tree holding the inputs, the outputs,
# a copy of the key and the ledger.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
need_tool pdfsig qpdf openssl certutil

py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3)
sha() { sha256sum <"$1" | cut -d' ' -f1; }
# later MESSAGE: a failure reported at the end, so the checks after it still run.
later_fails=()
later() { echo "FAIL (reported at the end) $TEST_NAME: $*" >&2; later_fails+=("$*"); }
# expect_summary LINE: the last command's stdout has LINE as a whole line.
expect_summary() {
  grep -qxF -- "$1" "$LAST_STDOUT" || { _show_last; fail "stdout lacks the summary '$1'"; }
}
# job_of_last: the job id the last bulk run printed ("job N (new|continued): ...").
job_of_last() {
  local id
  id=$(sed -n 's/^job \([0-9][0-9]*\) (\(new\|continued\)): .*/\1/p' "$LAST_STDOUT" | head -n1)
  [ -n "$id" ] || { _show_last; fail "the bulk run printed no job id"; }
  printf '%s\n' "$id"
}
# stderr_lines: number of lines on the last command's stderr.
stderr_lines() { wc -l <"$LAST_STDERR" | tr -d ' '; }
# snapshot DIR: every entry of DIR with its mode, owner, size and mtime, and every file's sha256.
snapshot() {
  (cd "$1" && find . -printf '%y %m %U:%G %s %T@ %p\n' | sort && find . -type f -exec sha256sum {} + | sort -k2)
}
# no_temp DIR: no esign temporary output anywhere under DIR.
no_temp() {
  local left
  left=$(find "$1" -name '.*.esign-tmp-*' -printf '%P ')
  [ -z "$left" ] || fail "temp files left in $1: $left"
}

fpr=$(openssl x509 -in "$PKI/rsa.cert.pem" -outform DER | sha256sum | cut -d' ' -f1)

# ---------------------------------------------------------------------------------------------
# The tree nobody works in.
chmod 755 "$TEST_TMP"
U=$TEST_TMP/u
mkdir -p "$U/pki" "$U/home" "$U/in/sub/deep" "$U/out"
cp "$PKI/rsa.p12" "$PKI/p12-password.txt" "$U/pki/"
cat >"$U/pki/rsa.yaml" <<'YAML'
name: test-rsa
key:
  source: pkcs12
  path: rsa.p12
  password: file:p12-password.txt
signature:
  format: auto
  level: B-B
  digest: sha256
YAML
IN=$U/in OUT=$U/out LEDGER=$U/ledger.db PROFILE=$U/pki/rsa.yaml
good=()
for i in $(seq 1 28); do
  if ((i % 3 == 0)); then src=multipage; else src=classic; fi
  cp "$PDFS/$src.pdf" "$IN/doc$i.pdf"
  good+=("doc$i.pdf")
done
cp "$PDFS/classic.pdf" "$IN/report, final.pdf" # CSV quoting
cp "$PDFS/xrefstream.pdf" "$IN/xrefstream.pdf"
good+=("report, final.pdf" xrefstream.pdf)
[ "${#good[@]}" = 30 ] || fail "test setup: ${#good[@]} good PDFs"
printf 'plain text to sign\n' >"$IN/notes.txt"
printf 'a,b,c\n1,2,3\n' >"$IN/table.csv"
head -c 4096 /dev/urandom >"$IN/blob.bin"
others=(notes.txt table.csv blob.bin)
cp "$PDFS/corrupt.pdf" "$IN/corrupt.pdf"
cp "$PDFS/encrypted.pdf" "$IN/encrypted.pdf"
cp "$PDFS/classic.pdf" "$IN/unreadable.pdf"
cp "$PDFS/classic.pdf" "$IN/sub/s1.pdf"
cp "$PDFS/multipage.pdf" "$IN/sub/deep/s2.pdf"
# A junk output the ledger did not write.
printf 'not written by esign\n' >"$OUT/doc1.signed.pdf"
chmod -R a+rwX "$U"
chmod 644 "$U/pki/"* "$OUT/doc1.signed.pdf"
chmod 000 "$IN/unreadable.pdf"
remember "$OUT/doc1.signed.pdf"

if [ "$(id -u)" = 0 ]; then
  need_tool setpriv
  setpriv --reuid=65534 --regid=65534 --clear-groups true ||
    skip "setpriv cannot drop to uid 65534 here, so no file is unreadable to esign"
  # nb ARGS...: esign as nobody, with the ledger and HOME in the world-writable tree.
  nb() {
    setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$U/home" XDG_CONFIG_HOME="$U/home/.config" \
      XDG_DATA_HOME="$U/home/.local/share" XDG_STATE_HOME="$U/home/.local/state" XDG_CACHE_HOME="$U/home/.cache" \
      ESIGN_LEDGER="$LEDGER" "$ESIGN" "$@"
  }
else
  nb() { ESIGN_LEDGER="$LEDGER" "$ESIGN" "$@"; }
fi
setpriv_cat() { if [ "$(id -u)" = 0 ]; then setpriv --reuid=65534 --regid=65534 --clear-groups cat "$1"; else cat "$1"; fi; }
! setpriv_cat "$IN/unreadable.pdf" >/dev/null 2>&1 || fail "test setup: unreadable.pdf is readable by the esign user"

before=$(snapshot "$IN")

# check_outputs: every expected output of the non-recursive run exists and the referees accept it.
check_pdf_out() { # IN OUT
  pdfsig_valid "$2" 1
  qpdf_ok "$2"
  cmp -s -n "$(stat -c %s "$1")" "$1" "$2" || fail "$1 is not a prefix of $2"
}

# ---------------------------------------------------------------------------------------------
note "first run"
expect_exit 1 nb bulk "$IN" --profile "$PROFILE" --out-dir "$OUT" --report "$U/r1.csv"
expect_summary "32 signed, 0 skipped, 4 failed"
job=$(job_of_last)
expect_stdout_contains "job $job (new): 36 files, 36 to sign"
[ "$(stderr_lines)" = 4 ] || { _show_last; fail "expected one stderr line per failure (4)"; }
for f in corrupt.pdf encrypted.pdf unreadable.pdf doc1.signed.pdf; do
  [ "$(grep -cF "$f" "$LAST_STDERR")" = 1 ] || { _show_last; fail "stderr does not name $f exactly once"; }
done
grep -F doc1.signed.pdf "$LAST_STDERR" | grep -qF -- --force || { _show_last; fail "the conflict message does not mention --force"; }
grep -F unreadable.pdf "$LAST_STDERR" | grep -qi 'permission denied' || { _show_last; fail "no reason for unreadable.pdf"; }
grep -F encrypted.pdf "$LAST_STDERR" | grep -qi 'encrypted' || { _show_last; fail "no reason for encrypted.pdf"; }
expect_unchanged "$OUT/doc1.signed.pdf"
[ "$(snapshot "$IN")" = "$before" ] || fail "the first run changed the input folder:
$(diff <(echo "$before") <(snapshot "$IN"))"

note "referees on the outputs"
for f in "${good[@]}"; do
  [ "$f" = doc1.pdf ] && continue
  check_pdf_out "$IN/$f" "$OUT/${f%.pdf}.signed.pdf"
done
for f in "${others[@]}"; do
  p7s_ok "$OUT/$f.p7s" "$IN/$f" "$PKI/chain.pem"
done
want_out=()
for f in "${good[@]}"; do want_out+=("${f%.pdf}.signed.pdf"); done
for f in "${others[@]}"; do want_out+=("$f.p7s"); done
expect_dir_contents "$OUT" "${want_out[@]}" # doc1.signed.pdf is the junk one; no sub/, no temp
no_temp "$OUT"
signed_pdfs=()
for f in "${good[@]}"; do [ "$f" = doc1.pdf ] || signed_pdfs+=("$OUT/${f%.pdf}.signed.pdf"); done
expect_exit 0 esign verify --trust "$PKI/root.pem" "${signed_pdfs[@]}"

note "report (CSV)"
"$py" - "$U/r1.csv" "$IN" "$OUT" <<'PY' || fail "report r1.csv: $(cat "$U/r1.csv")"
import csv, hashlib, os, sys
rep, IN, OUT = sys.argv[1:]
sha = lambda p: hashlib.sha256(open(p, 'rb').read()).hexdigest()
rows = list(csv.DictReader(open(rep, newline='')))
assert list(rows[0].keys()) == ['input', 'output', 'input_sha256', 'output_sha256', 'status', 'error', 'ms'], rows[0].keys()
ins = [r['input'] for r in rows]
assert len(ins) == 36 and len(set(ins)) == 36, 'rows %d, distinct %d' % (len(ins), len(set(ins)))
assert 'report, final.pdf' in ins, 'the comma in a name broke the CSV: %r' % ins
failed = {'corrupt.pdf', 'encrypted.pdf', 'unreadable.pdf', 'doc1.pdf'}
for r in rows:
    i = r['input']
    want_out = i[:-4] + '.signed.pdf' if i.endswith('.pdf') else i + '.p7s'
    assert r['ms'].isdigit(), (i, r['ms'])
    if i in failed:
        assert r['output'] in (want_out, ''), (i, r['output'])  # no output was written
        assert r['status'] == 'failed', (i, r['status'])
        assert r['error'], (i, 'no error text')
        assert r['output_sha256'] == '', (i, 'an output hash for a failed item')
        if i != 'unreadable.pdf' and r['input_sha256']:
            assert r['input_sha256'] == sha(os.path.join(IN, i)), (i, 'input sha256')
    else:
        assert r['output'] == want_out, (i, r['output'])
        assert r['status'] == 'signed', (i, r['status'])
        assert r['error'] == '', (i, r['error'])
        assert r['input_sha256'] == sha(os.path.join(IN, i)), (i, 'input sha256')
        assert r['output_sha256'] == sha(os.path.join(OUT, r['output'])), (i, 'output sha256')
PY

note "audit jobs / show / verify"
expect_exit 0 nb audit jobs --json
cp "$LAST_STDOUT" "$TEST_TMP/jobs.json"
"$py" - "$TEST_TMP/jobs.json" "$job" "$IN" "$OUT" <<'PY' || fail "audit jobs --json: $(cat "$TEST_TMP/jobs.json")"
import json, os, sys
d = json.load(open(sys.argv[1])); job = int(sys.argv[2])
js = [j for j in d['jobs'] if j['id'] == job]
assert len(d['jobs']) == 1 and len(js) == 1, d
j = js[0]
assert (j['done'], j['failed'], j['pending']) == (32, 4, 0), j
assert j['state'] == 'failed', j['state']
assert os.path.realpath(j['source_dir']) == os.path.realpath(sys.argv[3]), j['source_dir']
assert os.path.realpath(j['out_dir']) == os.path.realpath(sys.argv[4]), j['out_dir']
PY
expect_exit 0 nb audit show "$job" --json
cp "$LAST_STDOUT" "$TEST_TMP/show.json"
"$py" - "$TEST_TMP/show.json" "$IN" "$OUT" <<'PY' || fail "audit show --json: $(cat "$TEST_TMP/show.json")"
import hashlib, json, os, sys
d = json.load(open(sys.argv[1])); IN, OUT = sys.argv[2:]
sha = lambda p: hashlib.sha256(open(p, 'rb').read()).hexdigest()
items = d['items']
paths = [i['path'] for i in items]
assert len(paths) == 36 and len(set(paths)) == 36, sorted(paths)
assert not any(p.startswith('sub/') for p in paths), 'sub-folder items without --recursive'
failed = {'corrupt.pdf', 'encrypted.pdf', 'unreadable.pdf', 'doc1.pdf'}
for i in items:
    if i['path'] in failed:
        assert i['state'] == 'failed' and i['error'], i
    else:
        assert i['state'] == 'done', i
        assert i['sha256'] == sha(os.path.join(IN, i['path'])), i
        assert i['output_sha256'] == sha(os.path.join(OUT, i['output'])), i
        assert i['size'] == os.path.getsize(os.path.join(IN, i['path'])), i
PY
expect_exit 0 nb audit log --json
cp "$LAST_STDOUT" "$TEST_TMP/log.json"
"$py" - "$TEST_TMP/log.json" "$job" "$fpr" <<'PY' || fail "audit log --json after the first run"
import json, sys
ev = json.load(open(sys.argv[1]))['events']; job = sys.argv[2]; fpr = sys.argv[3]
mine = [e for e in ev if e['operation'] == 'sign' and e['detail'].startswith('bulk job %s' % job)]
ok = [e for e in mine if e['outcome'] == 'ok']
assert len(ok) == 32, len(ok)
assert all(e['signer_fingerprint'] == fpr for e in ok), 'fingerprint'
assert len({e['output_path'] for e in ok}) == 32, 'an output recorded twice'
PY
expect_exit 0 nb audit verify

# ---------------------------------------------------------------------------------------------
note "re-run: done items skipped, failed ones retried"
expect_exit 1 nb bulk "$IN" --profile "$PROFILE" --out-dir "$OUT" --report "$U/r2.json"
expect_summary "0 signed, 32 skipped, 4 failed"
[ "$(job_of_last)" = "$job" ] || fail "the re-run did not continue job $job"
expect_stdout_contains "job $job (continued): 36 files, 4 to sign"
[ "$(stderr_lines)" = 4 ] || { _show_last; fail "the re-run did not retry the 4 failed items"; }
expect_unchanged "$OUT/doc1.signed.pdf"
"$py" - "$U/r2.json" "$IN" "$OUT" <<'PY' || fail "report r2.json: $(cat "$U/r2.json")"
import hashlib, json, os, sys
d = json.load(open(sys.argv[1])); IN, OUT = sys.argv[2:]
sha = lambda p: hashlib.sha256(open(p, 'rb').read()).hexdigest()
rows = d['files']
assert len(rows) == 36 and len({r['input'] for r in rows}) == 36, len(rows)
st = {}
for r in rows:
    assert set(r) == {'input', 'output', 'input_sha256', 'output_sha256', 'status', 'error', 'ms'}, r.keys()
    assert isinstance(r['ms'], int), r
    st[r['status']] = st.get(r['status'], 0) + 1
    if r['status'] == 'skipped':
        assert r['input_sha256'] == sha(os.path.join(IN, r['input'])), r
        assert r['output_sha256'] == sha(os.path.join(OUT, r['output'])), r
        assert r['error'] in (None, ''), r
    else:
        assert r['status'] == 'failed' and r['error'], r
assert st == {'skipped': 32, 'failed': 4}, st
PY
[ "$(snapshot "$IN")" = "$before" ] || fail "the re-run changed the input folder"

note "fixed input signed"
cp "$PDFS/classic.pdf" "$IN/corrupt.pdf"
expect_exit 1 nb bulk "$IN" --profile "$PROFILE" --out-dir "$OUT"
expect_summary "1 signed, 32 skipped, 3 failed"
check_pdf_out "$IN/corrupt.pdf" "$OUT/corrupt.signed.pdf"

note "changed inputs signed again"
sleep 0.02
touch "$IN/doc5.pdf"
cp "$PDFS/multipage.pdf" "$IN/doc7.pdf" # was classic.pdf
expect_exit 1 nb bulk "$IN" --profile "$PROFILE" --out-dir "$OUT"
expect_summary "2 signed, 31 skipped, 3 failed"
check_pdf_out "$IN/doc5.pdf" "$OUT/doc5.signed.pdf"
check_pdf_out "$IN/doc7.pdf" "$OUT/doc7.signed.pdf"
expect_unchanged "$OUT/doc1.signed.pdf"

note "--force overwrites the output the ledger did not write"
expect_exit 1 nb bulk "$IN" --profile "$PROFILE" --out-dir "$OUT" --force
expect_summary "1 signed, 33 skipped, 2 failed"
check_pdf_out "$IN/doc1.pdf" "$OUT/doc1.signed.pdf"
expect_exit 0 nb audit show "$job" --json
cp "$LAST_STDOUT" "$TEST_TMP/show2.json"
"$py" - "$TEST_TMP/show2.json" <<'PY' || fail "audit show after --force: $(cat "$TEST_TMP/show2.json")"
import json, sys
items = json.load(open(sys.argv[1]))['items']
st = {}
for i in items: st[i['state']] = st.get(i['state'], 0) + 1
assert len(items) == 36 and st == {'done': 34, 'failed': 2}, st
assert sorted(i['path'] for i in items if i['state'] == 'failed') == ['encrypted.pdf', 'unreadable.pdf']
PY

note "--fresh starts a new job"
expect_exit 1 nb bulk "$IN" --profile "$PROFILE" --out-dir "$OUT" --fresh
job2=$(job_of_last)
[ "$job2" != "$job" ] || fail "--fresh continued job $job"
expect_stdout_contains "job $job2 (new): 36 files"
grep -qE '^[0-9]+ signed, [0-9]+ skipped, [0-9]+ failed$' "$LAST_STDOUT" || { _show_last; fail "--fresh: no summary"; }
# The new job finds the outputs of the old one: each is this signer's complete signature over
# its input, so it is kept (adopted, reported as signed), PDF and .p7s alike; only the two
# inputs that cannot be signed fail.
if ! grep -qxF "34 signed, 0 skipped, 2 failed" "$LAST_STDOUT"; then
  later "--fresh over the outputs of an earlier job: '$(tail -n1 "$LAST_STDOUT")', expected '34 signed, 0 skipped, 2 failed'; stderr: $(cat "$LAST_STDERR")"
fi
for f in "${good[@]}" corrupt.pdf; do pdfsig_valid "$OUT/${f%.pdf}.signed.pdf" 1; done
for f in "${others[@]}"; do p7s_ok "$OUT/$f.p7s" "$IN/$f" "$PKI/chain.pem"; done
expect_exit 0 nb bulk "$IN" --profile "$PROFILE" --out-dir "$OUT" --include '*.pdf' --exclude 'unreadable.pdf' --exclude 'encrypted.pdf'
# a different job? No: the job key is (input, profile, output); the filters narrow the scan.
expect_summary "0 signed, 31 skipped, 0 failed"
[ "$(job_of_last)" = "$job2" ] || fail "the filtered run did not continue the newest job $job2"
expect_exit 0 nb audit jobs --json
cp "$LAST_STDOUT" "$TEST_TMP/jobs2.json"
"$py" - "$TEST_TMP/jobs2.json" "$job" "$job2" <<'PY' || fail "audit jobs after --fresh: $(cat "$TEST_TMP/jobs2.json")"
import json, sys
d = {j['id']: j for j in json.load(open(sys.argv[1]))['jobs']}
a, b = d[int(sys.argv[2])], d[int(sys.argv[3])]
assert len(d) == 2, d
assert (a['done'], a['failed'], a['pending']) == (34, 2, 0), a
assert b['done'] + b['failed'] == 36 and b['pending'] == 0, b
PY
expect_exit 0 nb audit verify
no_temp "$OUT"
expect_dir_contents "$OUT" "${want_out[@]}" corrupt.signed.pdf

# The input folder: only the two files this test changed on purpose changed.
after=$(snapshot "$IN")
diff_lines=$(diff <(echo "$before") <(echo "$after") | grep '^[<>]' | grep -v -e ' ./corrupt.pdf$' -e ' ./doc5.pdf$' \
  -e ' ./doc7.pdf$' -e ' ./\.$' -e ' \.$' || true)
[ -z "$diff_lines" ] || fail "esign changed the input folder:
$diff_lines"

# ---------------------------------------------------------------------------------------------
# The rest runs as the test user, with its own ledger.
export ESIGN_LEDGER=$TEST_TMP/ledger.db
I2=$TEST_TMP/in2
mkdir -p "$I2/sub/deep" "$I2/.hidden"
cp "$PDFS/classic.pdf" "$I2/a.pdf"
printf 'b\n' >"$I2/b.txt"
cp "$PDFS/multipage.pdf" "$I2/sub/c.pdf"
printf 'c\n' >"$I2/sub/c.txt"
cp "$PDFS/xrefstream.pdf" "$I2/sub/deep/d.pdf"
cp "$PDFS/classic.pdf" "$I2/.hidden/e.pdf"
cp "$PDFS/classic.pdf" "$I2/.dotfile.pdf"
before2=$(snapshot "$I2")

note "--recursive mirrors sub-folders; without it they are ignored"
expect_exit 0 esign bulk "$I2" --profile "$PKI/rsa.yaml" --out-dir "$TEST_TMP/o-flat"
expect_summary "2 signed, 0 skipped, 0 failed"
expect_dir_contents "$TEST_TMP/o-flat" a.signed.pdf b.txt.p7s
expect_exit 0 esign bulk "$I2" --profile "$PKI/rsa.yaml" --out-dir "$TEST_TMP/o-rec" --recursive
expect_summary "5 signed, 0 skipped, 0 failed"
expect_dir_contents "$TEST_TMP/o-rec" a.signed.pdf b.txt.p7s sub
expect_dir_contents "$TEST_TMP/o-rec/sub" c.signed.pdf c.txt.p7s deep
expect_dir_contents "$TEST_TMP/o-rec/sub/deep" d.signed.pdf
check_pdf_out "$I2/sub/c.pdf" "$TEST_TMP/o-rec/sub/c.signed.pdf"
check_pdf_out "$I2/sub/deep/d.pdf" "$TEST_TMP/o-rec/sub/deep/d.signed.pdf"
p7s_ok "$TEST_TMP/o-rec/sub/c.txt.p7s" "$I2/sub/c.txt" "$PKI/chain.pem"
expect_exit 0 esign bulk "$I2" --profile "$PKI/rsa.yaml" --out-dir "$TEST_TMP/o-rec" --recursive
expect_summary "0 signed, 5 skipped, 0 failed"

note "--include / --exclude"
expect_exit 0 esign bulk "$I2" --profile "$PKI/rsa.yaml" --out-dir "$TEST_TMP/o-inc" --recursive --include '*.pdf'
expect_summary "3 signed, 0 skipped, 0 failed"
expect_dir_contents "$TEST_TMP/o-inc" a.signed.pdf sub
expect_dir_contents "$TEST_TMP/o-inc/sub" c.signed.pdf deep
expect_exit 0 esign bulk "$I2" --profile "$PKI/rsa.yaml" --out-dir "$TEST_TMP/o-exc" --recursive --exclude '*.txt' --exclude 'd.pdf'
expect_summary "2 signed, 0 skipped, 0 failed"
expect_dir_contents "$TEST_TMP/o-exc" a.signed.pdf sub
expect_dir_contents "$TEST_TMP/o-exc/sub" c.signed.pdf
expect_exit 0 esign bulk "$I2" --profile "$PKI/rsa.yaml" --out-dir "$TEST_TMP/o-path" --recursive --include 'sub/*'
expect_summary "2 signed, 0 skipped, 0 failed"
expect_dir_contents "$TEST_TMP/o-path/sub" c.signed.pdf c.txt.p7s

note "--dry-run"
expect_exit 0 esign audit jobs --json
jobs_before=$(cat "$LAST_STDOUT")
expect_exit 0 esign bulk "$I2" --profile "$PKI/rsa.yaml" --out-dir "$TEST_TMP/o-dry/x" --recursive --dry-run
expect_summary "5 to sign, 0 up to date"
for f in a.pdf b.txt sub/c.pdf sub/c.txt sub/deep/d.pdf; do grep -q "^would sign $f -> " "$LAST_STDOUT" || { _show_last; fail "--dry-run does not list $f"; }; done
expect_no_file "$TEST_TMP/o-dry"
expect_exit 0 esign bulk "$I2" --profile "$PKI/rsa.yaml" --out-dir "$TEST_TMP/o-rec" --recursive --dry-run
expect_summary "0 to sign, 5 up to date"
rm "$TEST_TMP/o-rec/sub/c.signed.pdf"
expect_exit 0 esign bulk "$I2" --profile "$PKI/rsa.yaml" --out-dir "$TEST_TMP/o-rec" --recursive --dry-run
expect_summary "1 to sign, 4 up to date"
expect_no_file "$TEST_TMP/o-rec/sub/c.signed.pdf"
expect_exit 0 esign audit jobs --json
[ "$(cat "$LAST_STDOUT")" = "$jobs_before" ] || fail "--dry-run changed the ledger's jobs"
expect_exit 0 esign bulk "$I2" --profile "$PKI/rsa.yaml" --out-dir "$TEST_TMP/o-rec" --recursive
expect_summary "1 signed, 4 skipped, 0 failed"
check_pdf_out "$I2/sub/c.pdf" "$TEST_TMP/o-rec/sub/c.signed.pdf"

note "the output folder may not be the input folder or inside it"
for o in "$I2" "$I2/" "$I2/signed" "$I2/sub" "$I2/sub/new/deeper" "$TEST_TMP/in2/../in2/x"; do
  expect_exit 2 esign bulk "$I2" --profile "$PKI/rsa.yaml" --out-dir "$o"
  expect_stderr_contains "may not be the input folder or inside it"
  expect_stdout_lacks "signed,"
done
[ "$(snapshot "$I2")" = "$before2" ] || fail "esign changed the second input folder:
$(diff <(echo "$before2") <(snapshot "$I2"))"
# The same through a symlink to the input folder, the output folder not there yet.
ln -s "$I2" "$TEST_TMP/link-to-in2"
run esign bulk "$I2" --profile "$PKI/rsa.yaml" --out-dir "$TEST_TMP/link-to-in2/signed"
if [ "$LAST_EXIT" != 2 ] || ! grep -qF "may not be the input folder or inside it" "$LAST_STDERR"; then
  later "--out-dir through a symlink into the input folder (not yet existing): exit $LAST_EXIT, expected 2; stdout: $(cat "$LAST_STDOUT"); created: $(cd "$I2" && find signed 2>/dev/null | tr '\n' ' ')"
fi

# ---------------------------------------------------------------------------------------------
note "two processes, one output folder"
I3=$TEST_TMP/in3
mkdir -p "$I3"
for i in $(seq 1 300); do cp "$PDFS/classic.pdf" "$I3/f$i.pdf"; done
O3=$TEST_TMP/o3
fifo=$TEST_TMP/fifo
mkfifo "$fifo"
# The first run, stopped (SIGSTOP) as soon as it has printed its job line, that is once it holds
# the output folder and has planned its items: it stays "at work" for as long as the test likes.
"$ESIGN" bulk "$I3" --profile "$PKI/rsa.yaml" --out-dir "$O3" --jobs 1 >"$fifo" 2>"$TEST_TMP/first.err" &
first=$!
on_exit "kill -CONT $first 2>/dev/null; kill $first 2>/dev/null"
exec 3<"$fifo"
read -r line <&3
kill -STOP "$first"
case $line in "job "*" (new): 300 files, 300 to sign") ;; *) fail "first run: unexpected '$line'" ;; esac
[ "$(ps -o stat= -p "$first" | cut -c1)" = T ] || fail "the first run finished before it could be stopped"
n_first=$(find "$O3" -name '*.signed.pdf' | wc -l)
[ "$n_first" -lt 300 ] || fail "the first run had signed everything before it was stopped"
note "first run stopped with $n_first of 300 outputs written"
expect_exit 2 esign bulk "$I3" --profile "$PKI/rsa.yaml" --out-dir "$O3"
expect_stderr_contains "another bulk job is signing into this folder (use --wait to wait for it)"
expect_stdout_lacks "signed,"
"$ESIGN" bulk "$I3" --profile "$PKI/rsa.yaml" --out-dir "$O3" --wait >"$TEST_TMP/second.out" 2>"$TEST_TMP/second.err" &
second=$!
sleep 1
kill -0 "$second" 2>/dev/null || fail "the --wait run did not wait: $(cat "$TEST_TMP/second.out" "$TEST_TMP/second.err")"
[ "$(find "$O3" -name '*.signed.pdf' | wc -l)" = "$n_first" ] || fail "something signed into $O3 while the first run was stopped"
kill -CONT "$first"
rc=0
wait "$first" || rc=$?
cat <&3 >"$TEST_TMP/first.out"
exec 3<&-
[ "$rc" = 0 ] || fail "first run: exit $rc: $(cat "$TEST_TMP/first.out" "$TEST_TMP/first.err")"
grep -qxF "300 signed, 0 skipped, 0 failed" "$TEST_TMP/first.out" || fail "first run: $(cat "$TEST_TMP/first.out")"
rc=0
wait "$second" || rc=$?
[ "$rc" = 0 ] || fail "--wait run: exit $rc: $(cat "$TEST_TMP/second.out" "$TEST_TMP/second.err")"
grep -qxF "0 signed, 300 skipped, 0 failed" "$TEST_TMP/second.out" || fail "--wait run: $(cat "$TEST_TMP/second.out")"
job3=$(sed -n 's/^job \([0-9]*\) .*/\1/p' <<<"$line")
grep -q "^job $job3 (continued)" "$TEST_TMP/second.out" || fail "--wait run did not continue job $job3"
no_temp "$O3"
[ "$(find "$O3" -mindepth 1 | wc -l)" = 300 ] || fail "$O3 does not hold exactly 300 outputs"
expect_exit 0 esign verify --trust "$PKI/root.pem" "$O3"/*.signed.pdf
# Exactly one signature in each output: every file by its signature dictionaries (one
# /ByteRange each), every 10th also by pdfsig (~20 ms a file, too slow for all 300 here).
twice=$(grep -c -a '/ByteRange' "$O3"/*.signed.pdf | grep -v ':1$' || true)
[ -z "$twice" ] || fail "outputs without exactly one signature dictionary: $twice"
for i in $(seq 1 10 300) 300; do pdfsig_valid "$O3/f$i.signed.pdf" 1; done
expect_exit 0 esign audit log --json
cp "$LAST_STDOUT" "$TEST_TMP/log3.json"
"$py" - "$TEST_TMP/log3.json" "$job3" <<'PY' || fail "two processes: the ledger's events"
import json, sys
ev = json.load(open(sys.argv[1]))['events']; job = sys.argv[2]
ok = [e for e in ev if e['operation'] == 'sign' and e['outcome'] == 'ok' and e['detail'].startswith('bulk job %s' % job)
      and e['detail'][len('bulk job %s' % job):][:1] in ('', ' ')]
outs = [e['output_path'] for e in ok]
assert len(outs) == 300 and len(set(outs)) == 300, 'sign events %d, distinct outputs %d' % (len(outs), len(set(outs)))
PY

note "two processes, two output folders, one ledger"
"$ESIGN" bulk "$I3" --profile "$PKI/rsa.yaml" --out-dir "$TEST_TMP/o4a" >"$TEST_TMP/a.out" 2>"$TEST_TMP/a.err" &
pa=$!
"$ESIGN" bulk "$I3" --profile "$PKI/ec256.yaml" --out-dir "$TEST_TMP/o4b" >"$TEST_TMP/b.out" 2>"$TEST_TMP/b.err" &
pb=$!
ra=0 rb=0
wait "$pa" || ra=$?
wait "$pb" || rb=$?
[ "$ra" = 0 ] || fail "parallel run a: exit $ra: $(cat "$TEST_TMP/a.out" "$TEST_TMP/a.err")"
[ "$rb" = 0 ] || fail "parallel run b: exit $rb: $(cat "$TEST_TMP/b.out" "$TEST_TMP/b.err")"
grep -qxF "300 signed, 0 skipped, 0 failed" "$TEST_TMP/a.out" || fail "parallel run a: $(cat "$TEST_TMP/a.out")"
grep -qxF "300 signed, 0 skipped, 0 failed" "$TEST_TMP/b.out" || fail "parallel run b: $(cat "$TEST_TMP/b.out")"
for d in o4a o4b; do
  [ "$(find "$TEST_TMP/$d" -mindepth 1 | wc -l)" = 300 ] || fail "$d does not hold exactly 300 outputs"
  for i in 1 100 200 300; do pdfsig_valid "$TEST_TMP/$d/f$i.signed.pdf" 1; done
done
expect_exit 0 esign verify --trust "$PKI/root.pem" "$TEST_TMP"/o4a/*.signed.pdf "$TEST_TMP"/o4b/*.signed.pdf
expect_exit 0 esign audit jobs --json
cp "$LAST_STDOUT" "$TEST_TMP/jobs4.json"
"$py" - "$TEST_TMP/jobs4.json" <<'PY' || fail "audit jobs after the parallel runs: $(cat "$TEST_TMP/jobs4.json")"
import json, sys
js = [j for j in json.load(open(sys.argv[1]))['jobs'] if j['out_dir'].endswith(('/o4a', '/o4b'))]
assert len(js) == 2, js
for j in js: assert (j['state'], j['done'], j['failed'], j['pending']) == ('done', 300, 0, 0), j
PY
expect_exit 0 esign audit verify

note "-q keeps the summary line; an output folder that cannot take a file fails once, before signing"
expect_exit 0 esign -q bulk "$I2" --profile "$PKI/rsa.yaml" --out-dir "$TEST_TMP/o-quiet"
[ "$(cat "$LAST_STDOUT")" = "2 signed, 0 skipped, 0 failed" ] || fail "-q bulk: stdout is not the summary line: $(cat "$LAST_STDOUT")"
mkdir -p "$TEST_TMP/o-immutable"
if chattr +i "$TEST_TMP/o-immutable" 2>/dev/null; then
  on_exit "chattr -i '$TEST_TMP/o-immutable' 2>/dev/null || true"
  expect_exit 2 esign bulk "$I2" --profile "$PKI/rsa.yaml" --out-dir "$TEST_TMP/o-immutable"
  [ "$(wc -l <"$LAST_STDERR")" = 1 ] || fail "an unwritable output folder: not one error line: $(cat "$LAST_STDERR")"
  expect_stderr_contains "cannot write in the output folder"
  chattr -i "$TEST_TMP/o-immutable"
else
  note "skipped: chattr +i is not permitted here, so no folder is unwritable for root"
fi

if [ "${#later_fails[@]}" -gt 0 ]; then
  fail "${#later_fails[@]} check(s) failed (see above): ${later_fails[*]}"
fi
