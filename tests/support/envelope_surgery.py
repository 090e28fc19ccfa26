#!/usr/bin/env python3
"""Hostile CMS envelopes for the end-to-end tests: DER surgery on a good one (stdlib only).

Usage: envelope_surgery.py IN.p7m OUT.p7m [EDIT...]

IN is an (Auth)EnvelopedData, DER or BER (esign encrypt, openssl cms -encrypt [-stream]); OUT
is the same envelope, re-encoded with definite lengths, after the EDITs, applied in order:

  kek-oid=OID      every key transport recipient's keyEncryptionAlgorithm becomes OID
  kari-oid=OID     every key agreement recipient's keyEncryptionAlgorithm becomes OID
  wrap-oid=OID     every key agreement recipient's key wrap algorithm becomes OID
  content-oid=OID  the content encryption algorithm becomes OID
  mac-len=N        the AuthEnvelopedData mac: its first N bytes (N <= its length) or padded
                   with zero bytes to N
  icvlen=N         GCMParameters' aes-ICVlen becomes N; `icvlen=` removes it (DEFAULT 12,
                   though OpenSSL 3.0 cannot read GCMParameters without it)

The encrypted content is kept as it is (a constructed one is re-encoded chunk by chunk).
"""
import sys

ENVELOPED = '1.2.840.113549.1.7.3'
AUTH_ENVELOPED = '1.2.840.113549.1.9.16.1.23'


class Node:
    def __init__(self, tag, content=b'', children=None):
        self.tag = tag
        self.content = content    # primitive
        self.children = children  # constructed: a list of Nodes

    @property
    def constructed(self):
        return self.tag & 0x20 != 0


def parse(b, i=0):
    """The element at b[i] and the index after it (definite or indefinite length)."""
    tag = b[i]
    if tag & 0x1f == 0x1f:
        raise ValueError('high tag number at %d' % i)
    first = b[i + 1]
    i += 2
    if first == 0x80:
        children = []
        while b[i:i + 2] != b'\0\0':
            child, i = parse(b, i)
            children.append(child)
        return Node(tag, children=children), i + 2
    length = first
    if first & 0x80:
        n = first & 0x7f
        length = int.from_bytes(b[i:i + n], 'big')
        i += n
    end = i + length
    if not tag & 0x20:
        return Node(tag, content=b[i:end]), end
    children = []
    while i < end:
        child, i = parse(b, i)
        children.append(child)
    return Node(tag, children=children), end


def encode(node):
    body = b''.join(encode(c) for c in node.children) if node.constructed else node.content
    n = len(body)
    if n < 0x80:
        length = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, 'big')
        length = bytes([0x80 | len(raw)]) + raw
    return bytes([node.tag]) + length + body


def oid_content(dotted):
    arcs = [int(a) for a in dotted.split('.')]
    out = bytearray()
    for v in [arcs[0] * 40 + arcs[1]] + arcs[2:]:
        chunk = [v & 0x7f]
        v >>= 7
        while v:
            chunk.append(0x80 | (v & 0x7f))
            v >>= 7
        out += bytes(reversed(chunk))
    return bytes(out)


def oid_string(content):
    arcs, v = [], 0
    for byte in content:
        v = (v << 7) | (byte & 0x7f)
        if not byte & 0x80:
            arcs.append(v)
            v = 0
    first = min(arcs[0] // 40, 2)
    return '.'.join(str(a) for a in [first, arcs[0] - 40 * first] + arcs[1:])


def oid_node(dotted):
    return Node(0x06, content=oid_content(dotted))


def body_of(root):
    """The (Auth)EnvelopedData SEQUENCE and whether it is AuthEnvelopedData."""
    kind = oid_string(root.children[0].content)
    if kind not in (ENVELOPED, AUTH_ENVELOPED):
        raise ValueError('not (Auth)EnvelopedData: ' + kind)
    return root.children[1].children[0], kind == AUTH_ENVELOPED


def recipients(body):
    return next(c for c in body.children if c.tag == 0x31).children


def eci(body):
    # The first SEQUENCE after the recipientInfos SET.
    after_set = body.children[[c.tag for c in body.children].index(0x31) + 1:]
    return next(c for c in after_set if c.tag == 0x30)


def set_kek(body, dotted):
    for ri in recipients(body):
        if ri.tag == 0x30:  # KeyTransRecipientInfo: version, rid, keyEncryptionAlgorithm, encryptedKey
            ri.children[2].children[0] = oid_node(dotted)


def kari_algorithms(body):
    for ri in recipients(body):
        if ri.tag == 0xa1:  # [1] KeyAgreeRecipientInfo: version, [0] originator, [1] ukm?, alg, keys
            yield next(c for c in ri.children if c.tag == 0x30)


def set_kari(body, dotted):
    for alg in kari_algorithms(body):
        alg.children[0] = oid_node(dotted)


def set_wrap(body, dotted):
    for alg in kari_algorithms(body):
        alg.children[1].children[0] = oid_node(dotted)


def set_content(body, dotted):
    eci(body).children[1].children[0] = oid_node(dotted)


def set_mac_len(body, n):
    mac = next(c for c in body.children if c.tag in (0x04, 0x24))
    if mac.tag == 0x24:
        mac.tag, mac.content = 0x04, b''.join(c.content for c in mac.children)
    mac.content = (mac.content + b'\0' * n)[:n]


def set_icvlen(body, value):
    params = eci(body).children[1].children[1]  # GCMParameters: nonce, aes-ICVlen DEFAULT 12
    params.children = params.children[:1]
    if value != '':
        params.children.append(Node(0x02, content=int(value).to_bytes(1, 'big', signed=True)))


def main(argv):
    if len(argv) < 2 or argv[0] in ('-h', '--help'):
        sys.stdout.write(__doc__)
        return 0 if argv and argv[0] in ('-h', '--help') else 2
    src, dst, edits = argv[0], argv[1], argv[2:]
    with open(src, 'rb') as f:
        root, _ = parse(f.read())
    body, auth = body_of(root)
    actions = {'kek-oid': set_kek, 'kari-oid': set_kari, 'wrap-oid': set_wrap, 'content-oid': set_content,
               'mac-len': lambda b, v: set_mac_len(b, int(v)), 'icvlen': set_icvlen}
    for edit in edits:
        name, _, value = edit.partition('=')
        if name not in actions:
            sys.stderr.write('envelope_surgery: unknown edit %r\n' % edit)
            return 2
        if name in ('mac-len', 'icvlen') and not auth:
            sys.stderr.write('envelope_surgery: %s needs AuthEnvelopedData\n' % name)
            return 2
        actions[name](body, value)
    with open(dst, 'wb') as f:
        f.write(encode(root))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
