#!/usr/bin/env bash
# CAdES B-LTA for .p7s files (ETSI EN 319 122-1 §5.5.2 ats-hash-index-v3, §5.5.3
# archive-time-stamp-v3): `esign sign --level B-LTA` on a file that is not a PDF, and archive
# renewal with `esign stamp --extend`. A loopback TSA and OCSP/CRL server (tests/support) and the
# LT PKI of make_lt_pki.sh, as in ltv_test.sh. Referees: openssl cms -verify (-cades), and
# openssl ts -verify on each archive token against the imprint input this script computes
# itself from the DER (a small independent reader below, not esign's code), which also checks
# that every hash of each ats-hash-index-v3 names an item still in the signature.
source "$(dirname "$0")/lib.sh"
need_tool openssl jq
export ESIGN_LEDGER=$TEST_TMP/ledger.db
LT=$TEST_TMP/lt

# What every archived .p7s below must verify as, offline, with --require-level.
ARCHIVED=B-LTA

start_lt_pki "$LT"
stats() { curl -s "http://127.0.0.1:$REV_PORT/_stats"; }

cd "$TEST_TMP"
printf 'the minutes of the archive committee\n' >data.txt

# archive P7S DATA PREFIX: reads the DER of P7S on its own, writes each archive time-stamp's
# token and §5.5.3 imprint input to PREFIX.N.token and PREFIX.N.input (N from 1, in order of
# appearance) and a summary to PREFIX.json; fails when an ats-hash-index-v3 lists a hash that
# matches no certificate, revocation value or unsigned attribute value present.
archive() {
  /usr/bin/python3 - "$@" <<'PY' || fail "the archive time-stamps of $1 are not what EN 319 122-1 says"
import hashlib, json, sys

p7s, data, prefix = sys.argv[1:4]

def tlv(b, i):
    """(tag, start of content, end) of the DER element at b[i]: definite lengths only."""
    tag, n = b[i], b[i + 1]
    i += 2
    if n & 0x80:
        k = n & 0x7F
        assert 0 < k <= 4, "not DER"
        n = int.from_bytes(b[i:i + k], "big")
        i += k
    assert i + n <= len(b)
    return tag, i, i + n

def children(b, start, end):
    out, i = [], start
    while i < end:
        tag, s, e = tlv(b, i)
        out.append((tag, i, s, e))  # tag, whole start, content start, end
        i = e
    return out

def whole(b, c):
    return b[c[1]:c[3]]

def oid(b, c):
    v, arcs = 0, []
    for x in b[c[2]:c[3]]:
        v = (v << 7) | (x & 0x7F)
        if not x & 0x80:
            arcs.append(v)
            v = 0
    first = min(arcs[0] // 40, 2)
    return ".".join(map(str, [first, arcs[0] - 40 * first] + arcs[1:]))

HASH = {"2.16.840.1.101.3.4.2.1": "sha256", "2.16.840.1.101.3.4.2.2": "sha384", "2.16.840.1.101.3.4.2.3": "sha512"}

def signed_data(b):
    """The SignedData's fields and its signer infos (each as a list of fields)."""
    ci = children(b, *tlv(b, 0)[1:])
    assert oid(b, ci[0]) == "1.2.840.113549.1.7.2"
    sd = children(b, *tlv(b, ci[1][2])[1:])
    parts = {"encap": sd[2], "certs": [], "crls": []}
    for c in sd[3:-1]:
        parts["certs" if c[0] == 0xA0 else "crls"] = children(b, c[2], c[3])
    parts["signers"] = [children(b, s[2], s[3]) for s in children(b, sd[-1][2], sd[-1][3])]
    return parts

def attributes(b, signer):
    """(type OID, type TLV, [value TLVs]) of each unsigned attribute, in order."""
    if signer[-1][0] != 0xA1:
        return []
    out = []
    for a in children(b, signer[-1][2], signer[-1][3]):
        t, vals = children(b, a[2], a[3])
        out.append((oid(b, t), whole(b, t), [whole(b, v) for v in children(b, vals[2], vals[3])]))
    return out

b = open(p7s, "rb").read()
content = open(data, "rb").read()
sd = signed_data(b)
assert len(sd["signers"]) == 1
signer = sd["signers"][0]
attrs = attributes(b, signer)
econtent_type = whole(b, children(b, sd["encap"][2], sd["encap"][3])[0])
fields = b"".join(whole(b, f) for f in signer[:6])  # version .. signature (signedAttrs present)
assert signer[3][0] == 0xA0 and signer[5][0] == 0x04
certs = [whole(b, c) for c in sd["certs"]]
crls = [whole(b, c) for c in sd["crls"]]
summary = {"attributes": [a[0] for a in attrs], "certificates": len(certs), "crls": len(crls),
           "ocsp": sum(1 for c in sd["crls"] if c[0] == 0xA1), "archive": []}
n = 0
for type_, type_tlv, values in attrs:
    if type_ != "0.4.0.1733.2.4":
        continue
    n += 1
    assert len(values) == 1
    token = values[0]
    t = signed_data(token)
    tattrs = attributes(token, t["signers"][0])
    index = [a[2][0] for a in tattrs if a[0] == "0.4.0.19122.1.5"]
    assert len(index) == 1, tattrs
    index = index[0]
    # The token's imprint algorithm: TSTInfo.messageImprint.hashAlgorithm.
    econtent = children(token, *tlv(token, children(token, t["encap"][2], t["encap"][3])[1][2])[1:])
    tst = children(token, econtent[0][2], econtent[0][3])
    imprint_alg = HASH[oid(token, children(token, *tlv(token, tst[2][2])[1:])[0])]
    f = children(index, 0, len(index))
    f = children(index, f[0][2], f[0][3])
    alg = HASH[oid(index, children(index, f[0][2], f[0][3])[0])] if len(f) == 4 else "sha256"
    assert alg == imprint_alg, (alg, imprint_alg)
    lists = [[index[c[2]:c[3]] for c in children(index, l[2], l[3])] for l in f[-3:]]
    h = lambda x: hashlib.new(alg, x).digest()
    present = [[h(c) for c in certs], [h(c) for c in crls],
               [h(tt + v) for (_, tt, vals) in attrs for v in vals]]
    for name, listed, items in zip(["certificate", "crl", "attribute value"], lists, present):
        pool = list(items)
        for x in listed:
            assert x in pool, "the index lists a %s that is not there" % name
            pool.remove(x)
    imprint_input = econtent_type + hashlib.new(alg, content).digest() + fields + index
    open("%s.%d.token" % (prefix, n), "wb").write(token)
    open("%s.%d.input" % (prefix, n), "wb").write(imprint_input)
    summary["archive"].append({"alg": alg, "certificates": len(lists[0]), "crls": len(lists[1]),
                               "values": len(lists[2])})
json.dump(summary, open(prefix + ".json", "w"))
PY
}

# ts_ok PREFIX N CHAIN: openssl ts -verify accepts archive token N over its input.
ts_ok() {
  local out
  out=$(openssl ts -verify -data "$1.$2.input" -in "$1.$2.token" -token_in -CAfile "$3" 2>&1) ||
    fail "openssl ts -verify rejects archive time-stamp $2 of $1: $out"
  grep -q '^Verification: OK' <<<"$out" || fail "openssl ts -verify: $out"
}

# verify_level P7S LEVEL [ESIGN-VERIFY-ARGS...]: esign verify --offline --json reports LEVEL.
verify_level() {
  local f=$1 level=$2
  shift 2
  expect_exit 0 esign --json verify --offline "$f" --trust "$LT/root.pem" --require-level "$level" "$@"
  jq -e --arg l "$level" '.files[0].valid and .files[0].signatures[0].level == $l' "$LAST_STDOUT" >/dev/null ||
    fail "esign verify does not report $f at $level: $(cat "$LAST_STDOUT")"
}

# drop_first_certificate IN OUT: IN without the first certificate of its SignedData, the DER
# lengths around it re-encoded.
drop_first_certificate() {
  /usr/bin/python3 - "$1" "$2" <<'PY'
import sys

b = open(sys.argv[1], "rb").read()

def tlv(i):
    tag, n, j = b[i], b[i + 1], i + 2
    if n & 0x80:
        k = n & 0x7F
        n, j = int.from_bytes(b[j:j + k], "big"), j + k
    return tag, j, j + n

def children(start, end):
    out = []
    while start < end:
        out.append(tlv(start) + (start,))
        start = out[-1][2]
    return out

def enc(tag, content):
    n = len(content)
    length = bytes([n]) if n < 0x80 else bytes([0x80 | (n.bit_length() + 7) // 8]) + n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag]) + length + content

raw = lambda c: b[c[3]:c[2]]
ci = children(*tlv(0)[1:])                  # contentType, [0]
sd_tag, sd_start, sd_end = tlv(ci[1][1])    # the SignedData
fields = children(sd_start, sd_end)
out = b""
for f in fields:
    if f[0] == 0xA0:
        certs = children(f[1], f[2])
        out += enc(0xA0, b"".join(raw(c) for c in certs[1:]))
    else:
        out += raw(f)
open(sys.argv[2], "wb").write(enc(0x30, raw(ci[0]) + enc(0xA0, enc(0x30, out))))
PY
}

note "sign at B-LTA: B-LT (signer and signature time-stamp evidence) plus one archive-time-stamp-v3"
expect_exit 0 esign sign data.txt --profile "$LT/signer.yaml" --level B-LTA
expect_file data.txt.p7s
p7s_ok data.txt.p7s data.txt "$LT/root.pem"
p7s_ok data.txt.p7s data.txt "$LT/root.pem" -cades
archive data.txt.p7s data.txt lta
jq -e '.attributes == ["1.2.840.113549.1.9.16.2.14", "0.4.0.1733.2.4"]' lta.json >/dev/null ||
  fail "data.txt.p7s: unsigned attributes $(cat lta.json)"
# signer, intermediate, root, TSA; OCSP for the signer and the TSA, the root's CRL of the
# intermediate; all of it covered by the archive time-stamp.
jq -e '.certificates == 4 and .crls == 3 and .ocsp == 2
       and .archive == [{"alg": "sha256", "certificates": 4, "crls": 3, "values": 1}]' lta.json >/dev/null ||
  fail "data.txt.p7s: $(cat lta.json)"
ts_ok lta 1 "$LT/chain.pem"
verify_level data.txt.p7s "$ARCHIVED"

note "a SHA-512 signature gets a SHA-512 archive time-stamp"
sed 's/^  level: B-LT$/  level: B-LTA\n  digest: sha512/' "$LT/signer.yaml" >"$LT/sha512.yaml"
grep -q 'digest: sha512' "$LT/sha512.yaml" || fail "no sha512 profile: $(cat "$LT/sha512.yaml")"
expect_exit 0 esign sign data.txt --profile "$LT/sha512.yaml" -o sha512.p7s
p7s_ok sha512.p7s data.txt "$LT/root.pem" -cades
archive sha512.p7s data.txt s512
jq -e '.archive[0].alg == "sha512"' s512.json >/dev/null || fail "sha512.p7s: $(cat s512.json)"
ts_ok s512 1 "$LT/chain.pem"

note "stamp --extend: fresh evidence for the last time-stamp's TSA, then another archive time-stamp"
remember data.txt.p7s
before=$(stats)
expect_exit 0 esign stamp data.txt.p7s --profile "$LT/signer.yaml" --extend
expect_file data.txt.stamped.p7s   # the default name, as report.pdf -> report.stamped.pdf
expect_unchanged data.txt.p7s
expect_stdout_contains "stamped data.txt.p7s -> data.txt.stamped.p7s"
[ "$(stats)" != "$before" ] || fail "the renewal fetched no fresh evidence"
p7s_ok data.txt.stamped.p7s data.txt "$LT/root.pem" -cades
archive data.txt.stamped.p7s data.txt ext
jq -e '(.attributes | length) == 3 and .attributes[2] == "0.4.0.1733.2.4" and (.archive | length) == 2
       and .archive[0] == {"alg": "sha256", "certificates": 4, "crls": 3, "values": 1}
       and .archive[1].values == 2 and .archive[1].crls == .crls and .crls > 3' ext.json >/dev/null ||
  fail "data.txt.stamped.p7s: $(cat ext.json)"
ts_ok ext 1 "$LT/chain.pem"
ts_ok ext 2 "$LT/chain.pem"
cmp -s lta.1.token ext.1.token || fail "the renewal changed the first archive time-stamp"
# The data of data.txt.stamped.p7s is not beside it under that name: --data.
verify_level data.txt.stamped.p7s "$ARCHIVED" --data data.txt

note "extended again with --tsa and -o: three archive time-stamps, each over the one before"
expect_exit 0 esign stamp data.txt.stamped.p7s --tsa "$TSA_URL/tsa" --extend -o renewed.p7s
archive renewed.p7s data.txt ren
jq -e '(.archive | length) == 3 and .archive[2].values == 3' ren.json >/dev/null || fail "renewed.p7s: $(cat ren.json)"
for n in 1 2 3; do ts_ok ren $n "$LT/chain.pem"; done
expect_exit 2 esign stamp data.txt.stamped.p7s --tsa "$TSA_URL/tsa" --extend -o renewed.p7s
expect_stderr_contains "exists"
expect_exit 0 esign stamp data.txt.stamped.p7s --tsa "$TSA_URL/tsa" --extend -o renewed.p7s --force
expect_exit 2 esign stamp renewed.p7s --tsa "$TSA_URL/tsa" --extend -o renewed.p7s
expect_stderr_contains "would overwrite the input"

note "a B-T signature extended: the signer's path evidence comes first"
expect_exit 0 esign sign data.txt --profile "$LT/signer.yaml" --level B-T -o bt.p7s
archive bt.p7s data.txt bt
jq -e '.ocsp == 0 and .archive == []' bt.json >/dev/null || fail "bt.p7s: $(cat bt.json)"
expect_exit 0 esign stamp bt.p7s --profile "$LT/signer.yaml" --extend
archive bt.stamped.p7s data.txt bts
jq -e '.ocsp == 2 and .archive == [{"alg": "sha256", "certificates": 4, "crls": 3, "values": 1}]' bts.json >/dev/null ||
  fail "bt.stamped.p7s: $(cat bts.json)"
ts_ok bts 1 "$LT/chain.pem"
verify_level bt.stamped.p7s "$ARCHIVED" --data data.txt

note "what cannot be extended is refused with one line, and nothing is written"
expect_exit 0 esign sign data.txt --profile "$LT/signer.yaml" --level B-B -o bb.p7s
expect_exit 2 esign stamp bb.p7s --profile "$LT/signer.yaml" --extend
expect_stderr_contains "not at least B-T"
[ "$(wc -l <"$LAST_STDERR")" = 1 ] || fail "more than one line: $(cat "$LAST_STDERR")"
expect_no_file bb.stamped.p7s
expect_exit 2 esign stamp data.txt --profile "$LT/signer.yaml" --extend
expect_stderr_contains "this is neither"
head -c 200 renewed.p7s >truncated.p7s
expect_exit 2 esign stamp truncated.p7s --profile "$LT/signer.yaml" --extend
expect_no_file truncated.stamped.p7s

note "the ledger records each renewal"
expect_exit 0 esign --json audit log
jq -e '[.events[] | select(.operation == "stamp" and .outcome == "ok" and .detail == "cades archive timestamp")] | length >= 4' \
  "$LAST_STDOUT" >/dev/null || fail "no cades archive timestamp events: $(cat "$LAST_STDOUT")"

note "servers stopped: everything needed is embedded"
kill "$REV_PID"
wait "$REV_PID" 2>/dev/null || true
verify_level data.txt.p7s "$ARCHIVED"
verify_level renewed.p7s "$ARCHIVED" --data data.txt
verify_level bt.stamped.p7s "$ARCHIVED" --data data.txt
verify_level sha512.p7s "$ARCHIVED" --data data.txt
# A covered certificate dropped from the signature: its archive time-stamps fail, and so does
# the signature (TOTAL-FAILED, exit 1): anyone may append an unsigned attribute, but one that
# does not verify is never ignored.
drop_first_certificate renewed.p7s tampered.p7s
run esign --json verify --offline tampered.p7s --data data.txt --trust "$LT/root.pem"
[ "$LAST_EXIT" = 1 ] || fail "a signature missing a covered certificate: exit $LAST_EXIT, expected 1"
jq -e '.files[0].signatures[0].level != "B-LTA" and .files[0].indication == "TOTAL-FAILED"
       and (.files[0].signatures[0].checks.archive_timestamp.ok | not)' "$LAST_STDOUT" >/dev/null ||
  fail "a signature missing a covered certificate is still B-LTA or not TOTAL-FAILED: $(cat "$LAST_STDOUT")"
