#!/usr/bin/python3
"""A TEST SERVER for esign's revocation checks: OCSP answers, CRLs and CA certificates (AIA
caIssuers) on 127.0.0.1.

It is not a responder anyone should run: no TLS, no caching, state in memory.

Usage: revocation_server.py --dir DIR
Prints the port it listens on (first line of stdout), then serves until killed. DIR is the
folder of tests/support/make_lt_pki.sh or make_time_pki.sh, which may be made after the server
starts (its certificates must name this server's port); files are read at each request.

  POST /ocsp/NAME    an OCSP request (application/ocsp-request) for certificates the CA NAME
                     issued, answered by `openssl ocsp` in responder mode (-index
                     DIR/ca/NAME/index.txt, signed by DIR/ocsp.cert.pem, nextUpdate in 60 min)
  GET  /crl/NAME     the file DIR/NAME (a DER CRL, application/pkix-crl)
  GET  /certs/NAME   the file DIR/NAME (a DER certificate, application/pkix-cert): what an AIA
                     caIssuers URL names (NAME must end in .der, .cer or .crt)
  GET  /_stats       {"ocsp": N, "crl": N, "certs": N}: requests answered so far
While the file DIR/ocsp.down (DIR/crl.down, DIR/certs.down) exists, OCSP (CRL, certificate)
requests get HTTP 503: a server that is down.

`openssl ocsp -port` would bind every interface; this wrapper keeps the responder on loopback
while the answers still come from openssl's own responder code.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

stats = {"ocsp": 0, "crl": 0, "certs": 0}
lock = threading.Lock()


def make_handler(root):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, fmt, *args):
            pass

        def reply(self, status, body, ctype):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path == "/_stats":
                with lock:
                    body = json.dumps(stats).encode()
                return self.reply(200, body, "application/json")
            if self.path.startswith("/crl/"):
                if os.path.exists(os.path.join(root, "crl.down")):
                    return self.reply(503, b"down\n", "text/plain")
                name = os.path.basename(self.path[len("/crl/"):])
                path = os.path.join(root, name)
                if not os.path.isfile(path):
                    return self.reply(404, b"no such CRL\n", "text/plain")
                with open(path, "rb") as f:
                    body = f.read()
                with lock:
                    stats["crl"] += 1
                return self.reply(200, body, "application/pkix-crl")
            if self.path.startswith("/certs/"):
                if os.path.exists(os.path.join(root, "certs.down")):
                    return self.reply(503, b"down\n", "text/plain")
                name = os.path.basename(self.path[len("/certs/"):])
                path = os.path.join(root, name)
                if not name.endswith((".der", ".cer", ".crt")) or not os.path.isfile(path):
                    return self.reply(404, b"no such certificate\n", "text/plain")
                with open(path, "rb") as f:
                    body = f.read()
                with lock:
                    stats["certs"] += 1
                return self.reply(200, body, "application/pkix-cert")
            self.reply(404, b"not found\n", "text/plain")

        def do_POST(self):
            if not self.path.startswith("/ocsp/"):
                return self.reply(404, b"not found\n", "text/plain")
            if os.path.exists(os.path.join(root, "ocsp.down")):
                return self.reply(503, b"down\n", "text/plain")
            ca = os.path.basename(self.path[len("/ocsp/"):])
            length = int(self.headers.get("Content-Length", "0"))
            request = self.rfile.read(length)
            with tempfile.TemporaryDirectory() as tmp:
                req = os.path.join(tmp, "req.der")
                resp = os.path.join(tmp, "resp.der")
                with open(req, "wb") as f:
                    f.write(request)
                done = subprocess.run(
                    ["openssl", "ocsp", "-index", os.path.join(root, "ca", ca, "index.txt"),
                     "-CA", os.path.join(root, ca + ".pem"),
                     "-rsigner", os.path.join(root, "ocsp.cert.pem"),
                     "-rkey", os.path.join(root, "ocsp.key.pem"),
                     "-reqin", req, "-respout", resp, "-nmin", "60"],
                    capture_output=True)
                if done.returncode != 0 or not os.path.exists(resp):
                    return self.reply(500, done.stderr, "text/plain")
                with open(resp, "rb") as f:
                    body = f.read()
            with lock:
                stats["ocsp"] += 1
            self.reply(200, body, "application/ocsp-response")

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(os.path.abspath(args.dir)))
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
