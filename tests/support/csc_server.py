#!/usr/bin/python3
"""A TEST SERVER for esign's CSC key source: a small Cloud Signature Consortium API v2 service
on 127.0.0.1 that signs with real keys (openssl pkeyutl) from tests/support/make_pki.sh.

It is not a signing service: no TLS, secrets on the command line, state in memory. It follows the
public CSC API v2.0 document for what esign uses: the paths under {base}/ (info, oauth2/token,
auth/login, credentials/list, credentials/info, credentials/authorize, signatures/signHash), the
JSON field names, and error bodies {"error": ..., "error_description": ...} with HTTP 400/401.

Usage: csc_server.py --pki DIR [--otp CODE] [--pin PIN] [--multisign N] [--sad-ttl S]
                     [--token-ttl S] [--delay-ms MS] [--log FILE] [--ecdsa-raw]
                     [--max-hashes N] [--reject-hash N] [--sad-expire-after-calls N]
Prints the port it listens on (first line of stdout), then serves until killed.
The base URL is http://127.0.0.1:PORT/csc/v2.

Accounts: OAuth2 client "esign-test" (--client-secret); basic-auth users "asha" (all
credentials) and "solo" (only ec-1), password --password.
Credentials (PIN --pin for all; OTP --otp for rsa-otp):
  rsa-1      RSA 2048 (rsa.key.pem),   SCAL 1, PIN
  ec-1       EC P-256 (ec256.key.pem), SCAL 1, PIN
  rsa-otp    RSA 2048,                 SCAL 1, PIN and OTP
  rsa-scal2  RSA 2048,                 SCAL 2, PIN (signHash only for the authorized hashes)
  ec-scal2   EC P-256,                 SCAL 2, PIN
Test hooks (not CSC): GET /_stats returns calls per endpoint, every authorization's
numSignatures and hash count, every signHash call's hash count, the wrong PIN and OTP counts
and every token and SAD issued (so tests can look for them where they must not be); --log
FILE gets every request line (method, path, version), which tests search for secrets; POST
/_forget forgets every token and SAD issued (as a restart would). Faults: --max-hashes N
refuses a signHash call with more than N hashes (HTTP 400 invalid_request); --reject-hash N
refuses every call that carries the Nth distinct hash signHash was sent (counting from 1), as a
service refuses a hash it will not sign; --sad-expire-after-calls N makes every SAD expire
after N signHash calls, whatever its expiresIn said (a SAD that runs out mid-job).
Keys sign in this process (python3-cryptography), so a batch of 100 hashes costs what the
signatures cost, not 100 process starts.
"""

import argparse
import base64
import json
import os
import secrets
import sys
import threading
import time
import urllib.parse
from cryptography.hazmat.primitives import hashes as chashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec as cec
from cryptography.hazmat.primitives.asymmetric import padding as cpadding
from cryptography.hazmat.primitives.asymmetric import utils as cutils
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PREFIX = "/csc/v2/"
HASH_OIDS = {"2.16.840.1.101.3.4.2.1": ("sha256", 32), "2.16.840.1.101.3.4.2.2": ("sha384", 48),
             "2.16.840.1.101.3.4.2.3": ("sha512", 64)}
RSA_ENCRYPTION = "1.2.840.113549.1.1.1"
RSASSA_PSS = "1.2.840.113549.1.1.10"
ECDSA = {"1.2.840.10045.4.3.2": "sha256", "1.2.840.10045.4.3.3": "sha384", "1.2.840.10045.4.3.4": "sha512"}


class Refused(Exception):
    """An error answer: HTTP status, CSC error code, description."""

    def __init__(self, status, error, description):
        super().__init__(description)
        self.status, self.error, self.description = status, error, description


# ---- DER, just enough for RSASSA-PSS-params and ECDSA values -----------------------------------

def der(tag, content):
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        b = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(b)]) + b
    return bytes([tag]) + length + content


def der_oid(dotted):
    parts = [int(p) for p in dotted.split(".")]
    out = bytes([40 * parts[0] + parts[1]])
    for p in parts[2:]:
        chunk = [p & 0x7F]
        p >>= 7
        while p:
            chunk.insert(0, 0x80 | (p & 0x7F))
            p >>= 7
        out += bytes(chunk)
    return der(0x06, out)


def pss_params(hash_oid, null_params):
    alg = der(0x30, der_oid(hash_oid) + (b"\x05\x00" if null_params else b""))
    mgf = der(0x30, der_oid("1.2.840.113549.1.1.8") + alg)
    salt = der(0x02, bytes([HASH_OIDS[hash_oid][1]]))
    return der(0x30, der(0xA0, alg) + der(0xA1, mgf) + der(0xA2, salt))


def der_read(data, pos):
    tag, n = data[pos], data[pos + 1]
    pos += 2
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(data[pos:pos + k], "big")
        pos += k
    return tag, data[pos:pos + n], pos + n


def ecdsa_raw(der_sig, size):
    _, seq, _ = der_read(der_sig, 0)
    _, r, pos = der_read(seq, 0)
    _, s, _ = der_read(seq, pos)
    return int.from_bytes(r, "big").to_bytes(size, "big") + int.from_bytes(s, "big").to_bytes(size, "big")


def pem_certs(path):
    out, block = [], None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line == "-----BEGIN CERTIFICATE-----":
                block = []
            elif line == "-----END CERTIFICATE-----":
                out.append("".join(block))
                block = None
            elif block is not None:
                block.append(line)
    return out  # base64 DER, as CSC carries certificates


# ---- the service --------------------------------------------------------------------------------

class Service:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.tokens = {}  # token -> (identity, expires)
        self.sads = {}    # sad -> dict(credential, remaining, expires, hashes, hash_oid)
        self.stats = {"calls": {}, "authorize": [], "signHash": [], "bad_pin": 0, "bad_otp": 0, "issued": [],
                      "refused_batches": 0}
        self.seen_hashes = {}    # base64 hash -> order of first sight (for --reject-hash)
        self.private_keys = {}   # key file -> loaded key
        pki = args.pki
        chain = pem_certs(os.path.join(pki, "chain.pem"))  # intermediate, root
        rsa = dict(key=os.path.join(pki, "rsa.key.pem"), type="rsa", bits=2048,
                   certs=pem_certs(os.path.join(pki, "rsa.cert.pem")) + chain,
                   algo=[RSA_ENCRYPTION, RSASSA_PSS])
        ec = dict(key=os.path.join(pki, "ec256.key.pem"), type="ec", bits=256,
                  certs=pem_certs(os.path.join(pki, "ec256.cert.pem")) + chain,
                  algo=["1.2.840.10045.2.1"] + list(ECDSA))
        self.credentials = {
            "rsa-1": dict(rsa, scal="1", otp=False),
            "ec-1": dict(ec, scal="1", otp=False),
            "rsa-otp": dict(rsa, scal="1", otp=True),
            "rsa-scal2": dict(rsa, scal="2", otp=False),
            "ec-scal2": dict(ec, scal="2", otp=False),
        }

    def count(self, endpoint):
        with self.lock:
            self.stats["calls"][endpoint] = self.stats["calls"].get(endpoint, 0) + 1

    def new_token(self, identity):
        token = secrets.token_hex(24)
        with self.lock:
            self.tokens[token] = (identity, time.time() + self.args.token_ttl)
            self.stats["issued"].append(token)
        return {"access_token": token, "token_type": "Bearer", "expires_in": self.args.token_ttl}

    def identity(self, headers):
        auth = headers.get("Authorization", "")
        if not auth.startswith("Bearer "):
            raise Refused(401, "invalid_token", "The access token is missing")
        with self.lock:
            entry = self.tokens.get(auth[7:])
        if not entry or entry[1] < time.time():
            raise Refused(401, "invalid_token", "The access token is not valid")
        return entry[0]

    def visible(self, identity):
        if identity == "user:solo":
            return ["ec-1"]
        return list(self.credentials)

    def credential(self, identity, body):
        cid = body.get("credentialID")
        if not isinstance(cid, str) or cid not in self.visible(identity):
            raise Refused(400, "invalid_request", "Invalid parameter credentialID")
        return cid, self.credentials[cid]

    # -- endpoints (CSC API v2.0 section numbers in the docstrings)

    def info(self, headers, body, base):
        """11.1 info"""
        return {"specs": "2.0.0.2", "name": "esign CSC test server", "logo": "", "region": "IN", "lang": "en-US",
                "description": "A test server for esign's end-to-end tests (not a signing service)",
                "authType": ["basic", "oauth2client"], "oauth2": base,
                "methods": ["auth/login", "credentials/list", "credentials/info", "credentials/authorize",
                            "signatures/signHash", "oauth2/token"]}

    def oauth2_token(self, headers, body, base):
        """8.3.3 oauth2/token, grant_type client_credentials (RFC 6749 4.4)"""
        if body.get("grant_type") != "client_credentials":
            raise Refused(400, "unsupported_grant_type", "Only client_credentials is supported here")
        client_id, secret = body.get("client_id"), body.get("client_secret")
        auth = headers.get("Authorization", "")
        if auth.startswith("Basic "):
            client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
        if client_id != "esign-test" or secret != self.args.client_secret:
            raise Refused(400, "invalid_client", "Client authentication failed")
        return self.new_token("client:esign-test")

    def auth_login(self, headers, body, base):
        """11.2 auth/login with HTTP Basic"""
        auth = headers.get("Authorization", "")
        if not auth.startswith("Basic "):
            raise Refused(401, "invalid_request", "HTTP Basic authentication is required")
        user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
        if user not in ("asha", "solo") or password != self.args.password:
            raise Refused(401, "authentication_error", "An error occurred during authentication")
        return self.new_token("user:" + user)

    def credentials_list(self, headers, body, base):
        """11.4 credentials/list"""
        return {"credentialIDs": self.visible(self.identity(headers))}

    def credentials_info(self, headers, body, base):
        """11.5 credentials/info"""
        cid, c = self.credential(self.identity(headers), body)
        objects = [{"type": "Password", "id": "PIN", "format": "N", "label": "PIN",
                    "description": "The PIN of the signing key"}]
        if c["otp"]:
            objects.append({"type": "Password", "id": "OTP", "format": "N", "generator": "totp",
                            "label": "OTP", "description": "A one-time password"})
        certs = c["certs"]
        mode = body.get("certificates", "single")
        answer = {"description": "test credential " + cid,
                  "signatureQualifier": "eu_eidas_aes",
                  "key": {"status": "enabled", "algo": c["algo"], "len": c["bits"]},
                  "cert": {"status": "valid",
                           "certificates": certs if mode == "chain" else certs[:1] if mode == "single" else []},
                  "auth": {"mode": "explicit", "expression": "PIN AND OTP" if c["otp"] else "PIN",
                           "objects": objects},
                  "SCAL": c["scal"], "multisign": self.args.multisign, "lang": "en-US"}
        if c["type"] == "ec":
            answer["key"]["curve"] = "1.2.840.10045.3.1.7"
        return answer

    def private_key(self, path):
        with self.lock:
            if path not in self.private_keys:
                with open(path, "rb") as f:
                    self.private_keys[path] = serialization.load_pem_private_key(f.read(), password=None)
            return self.private_keys[path]

    def credentials_authorize(self, headers, body, base):
        """11.6 credentials/authorize"""
        cid, c = self.credential(self.identity(headers), body)
        n = body.get("numSignatures")
        if not isinstance(n, int) or n < 1:
            raise Refused(400, "invalid_request", "Invalid parameter numSignatures")
        if n > self.args.multisign:
            raise Refused(400, "invalid_request", "numSignatures is greater than multisign")
        auth = {o.get("id"): o.get("value") for o in body.get("authData", []) if isinstance(o, dict)}
        pin = auth.get("PIN", body.get("PIN"))
        otp = auth.get("OTP", body.get("OTP"))
        if pin != self.args.pin:
            with self.lock:
                self.stats["bad_pin"] += 1
            raise Refused(400, "invalid_pin", "The PIN is invalid")
        if c["otp"] and (self.args.otp is None or otp != self.args.otp):
            with self.lock:
                self.stats["bad_otp"] += 1
            raise Refused(400, "invalid_otp", "The OTP is invalid")
        hashes = None
        hash_oid = body.get("hashAlgorithmOID")
        if c["scal"] == "2":
            hashes = body.get("hashes")
            if not isinstance(hashes, list) or len(hashes) != n or hash_oid not in HASH_OIDS:
                raise Refused(400, "invalid_request", "SCAL 2: hashes (one per signature) and hashAlgorithmOID are required")
        sad = secrets.token_urlsafe(32)
        with self.lock:
            self.sads[sad] = dict(credential=cid, remaining=n, expires=time.time() + self.args.sad_ttl,
                                  hashes=list(hashes) if hashes is not None else None, hash_oid=hash_oid)
            self.stats["issued"].append(sad)
            self.stats["authorize"].append({"credential": cid, "numSignatures": n,
                                            "hashes": len(hashes) if hashes else 0})
        return {"SAD": sad, "expiresIn": self.args.sad_ttl}

    def signatures_sign_hash(self, headers, body, base):
        """11.9 signatures/signHash"""
        cid, c = self.credential(self.identity(headers), body)
        hashes, hash_oid, sign_algo = body.get("hashes"), body.get("hashAlgorithmOID"), body.get("signAlgo")
        if not isinstance(hashes, list) or not hashes or not all(isinstance(h, str) for h in hashes):
            raise Refused(400, "invalid_request", "Invalid parameter hashes")
        if hash_oid not in HASH_OIDS:
            raise Refused(400, "invalid_request", "Invalid parameter hashAlgorithmOID")
        digest, size = HASH_OIDS[hash_oid]
        raw_hashes = []
        for h in hashes:
            try:
                raw = base64.b64decode(h, validate=True)
            except ValueError:
                raise Refused(400, "invalid_request", "Invalid Base64 hash string parameter")
            if len(raw) != size:
                raise Refused(400, "invalid_request", "Invalid hash length for hashAlgorithmOID")
            raw_hashes.append(raw)
        options = ["-pkeyopt", "digest:" + digest]
        if c["type"] == "rsa" and sign_algo == RSA_ENCRYPTION:
            pass
        elif c["type"] == "rsa" and sign_algo == RSASSA_PSS:
            params = base64.b64decode(body.get("signAlgoParams", ""))
            if params not in (pss_params(hash_oid, False), pss_params(hash_oid, True)):
                raise Refused(400, "invalid_request", "Invalid parameter signAlgoParams")
            options += ["-pkeyopt", "rsa_padding_mode:pss", "-pkeyopt", "rsa_pss_saltlen:digest",
                        "-pkeyopt", "rsa_mgf1_md:" + digest]
        elif c["type"] == "ec" and ECDSA.get(sign_algo) == digest:
            pass
        else:
            raise Refused(400, "invalid_request", "Invalid parameter signAlgo")
        with self.lock:
            for h in hashes:
                self.seen_hashes.setdefault(h, len(self.seen_hashes) + 1)
            if self.args.max_hashes and len(hashes) > self.args.max_hashes:
                self.stats["refused_batches"] += 1
                raise Refused(400, "invalid_request", "Too many hashes: at most %d per request" % self.args.max_hashes)
            if self.args.reject_hash and any(self.seen_hashes[h] == self.args.reject_hash for h in hashes):
                self.stats["refused_batches"] += 1
                raise Refused(400, "invalid_request", "Invalid hash: this hash cannot be signed")
            sad = self.sads.get(body.get("SAD"))
            if sad and self.args.sad_expire_after_calls:
                sad["calls"] = sad.get("calls", 0) + 1
                if sad["calls"] > self.args.sad_expire_after_calls:
                    sad["expires"] = 0
            if not sad or sad["credential"] != cid:
                raise Refused(400, "invalid_request", "Invalid parameter SAD")
            if sad["expires"] < time.time():
                raise Refused(400, "invalid_request", "The SAD has expired")
            if sad["remaining"] < len(hashes):
                raise Refused(400, "invalid_request", "The SAD does not cover this many signatures")
            if sad["hashes"] is not None:
                if sad["hash_oid"] != hash_oid:
                    raise Refused(400, "invalid_request", "hashAlgorithmOID differs from the one the SAD authorized")
                left = list(sad["hashes"])
                for h in hashes:
                    if h not in left:
                        raise Refused(400, "invalid_request", "A hash was not authorized by the SAD")
                    left.remove(h)
                sad["hashes"] = left
            sad["remaining"] -= len(hashes)
            if sad["remaining"] == 0:
                del self.sads[body["SAD"]]
            self.stats["signHash"].append(len(hashes))
        signatures = []
        key = self.private_key(c["key"])
        algorithm = {"sha256": chashes.SHA256, "sha384": chashes.SHA384, "sha512": chashes.SHA512}[digest]()
        for raw in raw_hashes:
            prehashed = cutils.Prehashed(algorithm)
            if c["type"] == "ec":
                value = key.sign(raw, cec.ECDSA(prehashed))
                if self.args.ecdsa_raw:
                    value = ecdsa_raw(value, 32)
            elif sign_algo == RSASSA_PSS:
                value = key.sign(raw, cpadding.PSS(mgf=cpadding.MGF1(algorithm), salt_length=size), prehashed)
            else:
                value = key.sign(raw, cpadding.PKCS1v15(), prehashed)
            signatures.append(base64.b64encode(value).decode())
        return {"signatures": signatures}


ROUTES = {
    "info": Service.info,
    "oauth2/token": Service.oauth2_token,
    "auth/login": Service.auth_login,
    "credentials/list": Service.credentials_list,
    "credentials/info": Service.credentials_info,
    "credentials/authorize": Service.credentials_authorize,
    "signatures/signHash": Service.signatures_sign_hash,
}


def handler_for(service, log):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive: every reply has a Content-Length
        disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms Nagle stall

        def log_message(self, fmt, *args):
            pass

        def log_request_line(self):
            if log:
                with service.lock:
                    log.write(self.requestline + "\n")
                    log.flush()

        def reply(self, status, obj):
            data = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            self.log_request_line()
            if self.path == "/_stats":
                with service.lock:
                    self.reply(200, service.stats)
            else:
                self.reply(404, {"error": "invalid_request", "error_description": "Unknown path"})

        def do_POST(self):
            self.log_request_line()
            if self.path == "/_forget":
                with service.lock:
                    service.tokens.clear()
                    service.sads.clear()
                self.reply(200, {})
                return
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            path = urllib.parse.urlsplit(self.path).path
            endpoint = path[len(PREFIX):] if path.startswith(PREFIX) else None
            route = ROUTES.get(endpoint)
            if route is None:
                self.reply(404, {"error": "invalid_request", "error_description": "Unknown endpoint"})
                return
            service.count(endpoint)
            if service.args.delay_ms:
                time.sleep(service.args.delay_ms / 1000)
            try:
                ctype = self.headers.get("Content-Type", "")
                if ctype.startswith("application/x-www-form-urlencoded"):
                    body = {k: v[0] for k, v in urllib.parse.parse_qs(raw.decode()).items()}
                else:
                    body = json.loads(raw or b"{}")
                if not isinstance(body, dict):
                    raise Refused(400, "invalid_request", "The request body must be a JSON object")
            except (ValueError, UnicodeDecodeError):
                self.reply(400, {"error": "invalid_request", "error_description": "Malformed request body"})
                return
            base = "http://%s:%d%s" % (self.server.server_address[0], self.server.server_address[1], PREFIX[:-1])
            try:
                self.reply(200, route(service, self.headers, body, base))
            except Refused as e:
                self.reply(e.status, {"error": e.error, "error_description": e.description})

    return Handler


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--pki", required=True)
    p.add_argument("--pin", default="123456")
    p.add_argument("--otp")
    p.add_argument("--client-secret", default="csc-test-client-secret-4b1d")
    p.add_argument("--password", default="csc-test-user-password-93ae")
    p.add_argument("--multisign", type=int, default=5)
    p.add_argument("--sad-ttl", type=int, default=300)
    p.add_argument("--token-ttl", type=int, default=3600)
    p.add_argument("--delay-ms", type=int, default=0)
    p.add_argument("--log")
    p.add_argument("--ecdsa-raw", action="store_true", help="return ECDSA values as r||s instead of DER")
    p.add_argument("--max-hashes", type=int, default=0)
    p.add_argument("--reject-hash", type=int, default=0)
    p.add_argument("--sad-expire-after-calls", type=int, default=0)
    args = p.parse_args()
    service = Service(args)
    log = open(args.log, "a") if args.log else None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(service, log))
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()
