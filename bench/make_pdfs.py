#!/usr/bin/env python3
"""Writes N distinct one-page PDFs OUTDIR/doc00001.pdf .. (shared by the bench/ scripts).

Usage: make_pdfs.py OUTDIR N [PRODUCER]

Each file is a minimal PDF 1.7 with a classic xref table whose offsets are computed exactly,
a different text, /Title and /ID, so no two inputs (and no two signed outputs) are alike.
About 900 bytes each; 10 000 of them take a second or two.
"""
import hashlib
import os
import sys


def make_pdf(i: int, n: int, producer: str) -> bytes:
    text = f"Hello esign, benchmark document {i} of {n}"
    content = f"BT\n/F1 12 Tf\n14 TL\n72 770 Td\n({text}) Tj T*\n(line two of {i}) Tj T*\nET".encode()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [ 5 0 R ] /Count 1 >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        f"<< /Title (bench {i}) /Producer ({producer}) >>".encode(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents 6 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for num, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % num + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    fid = hashlib.md5(content).hexdigest()
    out += (f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R /Info 4 0 R /ID [<{fid}> <{fid}>] >>\n"
            f"startxref\n{xref}\n%%EOF\n").encode()
    return bytes(out)


def main() -> int:
    if len(sys.argv) not in (3, 4) or not sys.argv[2].isdigit() or int(sys.argv[2]) < 1:
        print("usage: make_pdfs.py OUTDIR N>=1 [PRODUCER]", file=sys.stderr)
        return 2
    outdir, n = sys.argv[1], int(sys.argv[2])
    producer = sys.argv[3] if len(sys.argv) == 4 else "esign bench"
    os.makedirs(outdir, exist_ok=True)
    for i in range(1, n + 1):
        with open(os.path.join(outdir, f"doc{i:05d}.pdf"), "wb") as f:
            f.write(make_pdf(i, n, producer))
    return 0


if __name__ == "__main__":
    sys.exit(main())
