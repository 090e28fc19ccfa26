#!/usr/bin/python3
"""A TEST SERVER for esign's RFC 3161 client: a time-stamping authority on 127.0.0.1 whose
answers come from `openssl ts -reply`, with hooks to make it misbehave.

It is not a TSA: no TLS, the password on the command line, state in memory.

Usage: tsa_server.py --key KEY --cert CERT --chain CHAIN --workdir DIR
                     [--username U --password P]
Prints the port it listens on (first line of stdout), then serves until killed. It writes an
openssl TSA configuration (policy 1.2.3.4.1, also accepting 1.2.3.4.2 and 1.2.3.4.3; SHA-256/384/512
imprints; accuracy 1 s; the TSA name in the token) and its serial file into DIR.

What the path of a POST selects (the body is a DER TimeStampReq, Content-Type
application/timestamp-query; the answer a DER TimeStampResp, application/timestamp-reply):
  /tsa             a proper answer
  /auth/tsa        the same, behind HTTP basic auth with --username/--password (401 otherwise)
  /reject          a rejection: status 2, text "request rejected by the test TSA", badRequest
  /wrong-nonce     a granted answer to the request with one bit of its nonce flipped
  /wrong-imprint   a granted answer to the request with one bit of its imprint flipped
  /garbage         HTTP 200 with a body that is not a TimeStampResp
GET /_stats returns {"requests": N, "unauthorized": N, "replies": N}: POSTs received, refused for
credentials, and answered by openssl.
"""

import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CONFIG = """\
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = {dir}
serial = $dir/tsa-serial
crypto_device = builtin
signer_digest = sha256
default_policy = 1.2.3.4.1
other_policies = 1.2.3.4.2, 1.2.3.4.3
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def read_tlv(buf, off):
    """(tag, content start, content end) of the DER element at buf[off]."""
    tag = buf[off]
    n = buf[off + 1]
    off += 2
    if n & 0x80:
        count = n & 0x7F
        n = int.from_bytes(buf[off:off + count], "big")
        off += count
    return tag, off, off + n


def tamper(query, what):
    """The TimeStampReq with one bit of its imprint or its nonce flipped (RFC 3161 §2.4.1)."""
    buf = bytearray(query)
    _, start, end = read_tlv(buf, 0)
    off = start
    while off < end:
        tag, cstart, cend = read_tlv(buf, off)
        if tag == 0x30 and what == "imprint":  # messageImprint: SEQUENCE { alg, OCTET STRING }
            _, astart, aend = read_tlv(buf, cstart)
            _, hstart, hend = read_tlv(buf, aend)
            buf[hend - 1] ^= 0x01
            return bytes(buf)
        if tag == 0x02 and what == "nonce" and off != start:  # the INTEGER after the version
            buf[cend - 1] ^= 0x01
            return bytes(buf)
        off = cend
    raise ValueError("no " + what + " in the request")


def der(tag, content):
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        b = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(b)]) + b
    return bytes([tag]) + length + content


def rejection():
    text = der(0x30, der(0x0C, b"request rejected by the test TSA"))
    fail_info = der(0x03, bytes([5, 0x20]))  # BIT STRING, bit 2 (badRequest)
    return der(0x30, der(0x30, der(0x02, b"\x02") + text + fail_info))


class Tsa:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.stats = {"requests": 0, "unauthorized": 0, "replies": 0}
        self.config = os.path.join(args.workdir, "tsa.cnf")
        with open(self.config, "w") as f:
            f.write(CONFIG.format(dir=args.workdir))
        with open(os.path.join(args.workdir, "tsa-serial"), "w") as f:
            f.write("01\n")

    def reply(self, query):
        with self.lock, tempfile.TemporaryDirectory(dir=self.args.workdir) as tmp:
            q, r = os.path.join(tmp, "q.tsq"), os.path.join(tmp, "r.tsr")
            with open(q, "wb") as f:
                f.write(query)
            subprocess.run(["openssl", "ts", "-reply", "-config", self.config, "-queryfile", q,
                            "-inkey", self.args.key, "-signer", self.args.cert, "-chain", self.args.chain,
                            "-out", r], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.stats["replies"] += 1
            with open(r, "rb") as f:
                return f.read()


def make_handler(tsa):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, fmt, *args):
            pass

        def answer(self, status, body, content_type):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            if status == 401:
                self.send_header("WWW-Authenticate", 'Basic realm="test-tsa"')
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path == "/_stats":
                with tsa.lock:
                    body = json.dumps(tsa.stats).encode()
                return self.answer(200, body, "application/json")
            self.answer(404, b"not found\n", "text/plain")

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            query = self.rfile.read(length)
            with tsa.lock:
                tsa.stats["requests"] += 1
            path = self.path.split("?")[0]
            if path.startswith("/auth/"):
                want = "Basic " + base64.b64encode(f"{tsa.args.username}:{tsa.args.password}".encode()).decode()
                if tsa.args.username is None or self.headers.get("Authorization") != want:
                    with tsa.lock:
                        tsa.stats["unauthorized"] += 1
                    return self.answer(401, b"unauthorized\n", "text/plain")
                path = path[len("/auth"):]
            if self.headers.get("Content-Type") != "application/timestamp-query":
                return self.answer(415, b"expected application/timestamp-query\n", "text/plain")
            try:
                if path == "/tsa":
                    body = tsa.reply(query)
                elif path == "/reject":
                    body = rejection()
                elif path == "/wrong-nonce":
                    body = tsa.reply(tamper(query, "nonce"))
                elif path == "/wrong-imprint":
                    body = tsa.reply(tamper(query, "imprint"))
                elif path == "/garbage":
                    return self.answer(200, b"<html>not a time-stamp</html>", "text/html")
                else:
                    return self.answer(404, b"not found\n", "text/plain")
            except (subprocess.CalledProcessError, ValueError, IndexError) as e:
                return self.answer(400, f"bad request: {e}\n".encode(), "text/plain")
            self.answer(200, body, "application/timestamp-reply")

    return Handler


def main():
    p = argparse.ArgumentParser(description="test RFC 3161 TSA (openssl ts -reply)")
    p.add_argument("--key", required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--chain", required=True)
    p.add_argument("--workdir", required=True)
    p.add_argument("--username")
    p.add_argument("--password")
    args = p.parse_args()
    args.workdir = os.path.abspath(args.workdir)
    os.makedirs(args.workdir, exist_ok=True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(Tsa(args)))
    print(server.server_address[1], flush=True)
    sys.stdout.close()
    server.serve_forever()


if __name__ == "__main__":
    main()
