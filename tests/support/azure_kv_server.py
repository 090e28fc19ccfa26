#!/usr/bin/python3
"""A TEST SERVER standing in for Azure Key Vault and its Azure AD token endpoint (not Microsoft's code).

It implements, over plain HTTP on 127.0.0.1, the parts of the public REST API that esign uses,
with the paths, JSON field names and error bodies of Microsoft's documentation:

  POST /{tenant}/oauth2/v2.0/token     OAuth2 client credentials (application/x-www-form-urlencoded:
                                       grant_type, client_id, client_secret, scope) ->
                                       {"token_type","expires_in","access_token"}; errors as
                                       {"error","error_description","error_codes",...} (RFC 6749 §5.2)
  GET  /certificates/{name}[/{version}]?api-version=V   -> {"id","kid","sid","x5t","cer","attributes"}
  POST /keys/{name}[/{version}]/sign?api-version=V      {"alg","value"} -> {"kid","value"}
       (value: base64url of the digest in, of the signature out: RSA the raw block, ECDSA raw r||s)
  POST /keys/{name}[/{version}]/unwrapkey?api-version=V {"alg","value"} -> {"kid","value"}
       (alg RSA-OAEP-256, RSA-OAEP or RSA1_5; value: base64url of the wrapped key in, the key out)
  POST /certificates/{name}/create?api-version=V         {"policy":{"key_props","x509_props","issuer":{"name":"Unknown"}}}
       -> 202 pending operation {"id","csr","status":"inProgress",...}: a new key (RSA key_size or
       EC crv) and its PKCS#10 request for x509_props.subject (+ sans.emails/dns_names)
  GET  /certificates/{name}/pending?api-version=V        -> the pending operation (404 without one)
  POST /certificates/{name}/pending/merge?api-version=V  {"x5c":[base64 DER...]} -> 201 certificate
       bundle; 400 when x5c[0] is not the pending key's certificate
  POST /certificates/{name}/import?api-version=V         {"value": base64 PFX, "pwd"} -> 200 bundle
  Key Vault errors: {"error":{"code","message"}}; 401 with a WWW-Authenticate Bearer challenge.

Signing uses real keys through `openssl pkeyutl`. Keys live in KEYDIR as NAME.key.pem with the
certificate NAME.cert.pem (read at each request, so a test may add some while the server runs).

Test-only extras:
  GET  /aia/intermediate.cer   the --aia-issuer PEM certificate, as DER (an AIA caIssuers URL)
  GET  /_test/stats            {"token_calls","cert_calls","sign_calls","sign_failed_injected","unwrap_calls",
                               "sign_in_flight_max": the most sign requests served at once}
  POST /_test/config           JSON {"sign_429": N, "sign_503": N, "retry_after": S, "delay_ms": D,
                               "revoke_tokens": true}: the next N sign calls answer 429 (with
                               Retry-After: S) or 503; every request waits D ms; revoke_tokens
                               makes every token issued so far invalid (401 on next use).

Usage: azure_kv_server.py --keys KEYDIR --tenant T --client-id C [--aia-issuer PEM]
The client secret is read from the environment variable AZ_TEST_CLIENT_SECRET. Prints the
port it bound (127.0.0.1:0) on stdout, then serves until killed.
"""

import argparse
import base64
import hashlib
import json
import os
import secrets
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives import hashes as chashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec as cec
from cryptography.hazmat.primitives.asymmetric import padding as cpadding
from cryptography.hazmat.primitives.asymmetric import utils as cutils

HASH_LEN = {"256": 32, "384": 48, "512": 64}
EC_FIELD = {"P-256": 32, "P-384": 48, "P-521": 66}
EC_ALG = {"P-256": "ES256", "P-384": "ES384", "P-521": "ES512"}


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def der_of_pem(path):
    return subprocess.run(["openssl", "x509", "-in", path, "-outform", "DER"], check=True,
                          capture_output=True).stdout


_keys = {}
_keys_lock = threading.Lock()


def load_key(path):
    """The PEM private key at `path`, loaded once per version of the file."""
    st = os.stat(path)
    with _keys_lock:
        cached = _keys.get(path)
        if cached and cached[0] == (st.st_mtime_ns, st.st_size):
            return cached[1]
    with open(path, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), password=None)
    with _keys_lock:
        _keys[path] = ((st.st_mtime_ns, st.st_size), key)
    return key


def key_type(path):
    """('RSA', None) or ('EC', 'P-256'|'P-384'|'P-521') for a PEM private key."""
    key = load_key(path)
    if isinstance(key, cec.EllipticCurvePrivateKey):
        curves = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}
        return "EC", curves.get(key.curve.name, key.curve.name)
    return "RSA", None


def der_ecdsa_to_raw(der, n):
    """DER Ecdsa-Sig-Value -> r||s, each n bytes (what Key Vault returns, JWA RFC 7518 §3.4)."""
    def read_len(buf, i):
        first = buf[i]
        if first < 0x80:
            return first, i + 1
        count = first & 0x7F
        return int.from_bytes(buf[i + 1:i + 1 + count], "big"), i + 1 + count

    assert der[0] == 0x30
    _, i = read_len(der, 1)
    parts = []
    for _ in range(2):
        assert der[i] == 0x02
        length, i = read_len(der, i + 1)
        parts.append(int.from_bytes(der[i:i + length], "big"))
        i += length
    return b"".join(p.to_bytes(n, "big") for p in parts)


class State:
    def __init__(self, args):
        self.args = args
        self.secret = os.environ.get("AZ_TEST_CLIENT_SECRET", "")
        self.lock = threading.Lock()
        self.tokens = {}  # token -> expiry (epoch seconds)
        self.stats = {"token_calls": 0, "cert_calls": 0, "sign_calls": 0, "sign_failed_injected": 0,
                      "unwrap_calls": 0, "sign_in_flight_max": 0}
        self.signing = 0
        self.sign_429 = 0
        self.sign_503 = 0
        self.retry_after = 1
        self.delay_ms = 0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes: without TCP_NODELAY, Nagle's algorithm and the
    # client's delayed ACK add ~40 ms to every kept-alive request.
    disable_nagle_algorithm = True
    server_version = "esign-test-azure-kv/1"

    def log_message(self, fmt, *args):  # quiet: the test reads /_test/stats instead
        pass

    @property
    def state(self):
        return self.server.state

    # -- helpers ---------------------------------------------------------------------------
    def send_json(self, status, body, headers=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def kv_error(self, status, code, message, headers=None):
        self.send_json(status, {"error": {"code": code, "message": message}}, headers)

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def base(self):
        return "http://" + self.headers.get("Host", "127.0.0.1")

    def version_of(self, name):
        return hashlib.sha256(name.encode()).hexdigest()[:32]

    def authorized(self):
        auth = self.headers.get("Authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else ""
        with self.state.lock:
            expiry = self.state.tokens.get(token)
        if expiry is None or expiry < time.time():
            tenant = self.state.args.tenant
            challenge = (f'Bearer authorization="{self.base()}/{tenant}", '
                         'resource="https://vault.azure.net"')
            message = ("AKV10000: Request is missing a Bearer or PoP token." if not token
                       else "AKV10032: Invalid issuer. Expected one of https://sts.windows.net/"
                       f"{tenant}/, found an unknown or revoked token.")
            self.kv_error(401, "Unauthorized", message, {"WWW-Authenticate": challenge})
            return False
        return True

    def split(self):
        url = urllib.parse.urlsplit(self.path)
        return [p for p in url.path.split("/") if p], urllib.parse.parse_qs(url.query)

    def has_api_version(self, query):
        if not query.get("api-version", [""])[0]:
            self.kv_error(400, "BadParameter", "The request URI contains an invalid or missing api-version.")
            return False
        return True

    def key_files(self, name):
        keys = self.state.args.keys
        key, cert = os.path.join(keys, name + ".key.pem"), os.path.join(keys, name + ".cert.pem")
        return key, cert

    def delay(self):
        if self.state.delay_ms:
            time.sleep(self.state.delay_ms / 1000)

    # -- dispatch ----------------------------------------------------------------------------
    def do_GET(self):
        self.delay()
        parts, query = self.split()
        if parts == ["_test", "stats"]:
            with self.state.lock:
                return self.send_json(200, dict(self.state.stats))
        if parts == ["aia", "intermediate.cer"] and self.state.args.aia_issuer:
            data = der_of_pem(self.state.args.aia_issuer)
            self.send_response(200)
            self.send_header("Content-Type", "application/pkix-cert")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            return self.wfile.write(data)
        if len(parts) == 3 and parts[0] == "certificates" and parts[2] == "pending":
            return self.get_pending(parts[1], query)
        if len(parts) in (2, 3) and parts[0] == "certificates":
            return self.get_certificate(parts, query)
        self.kv_error(404, "NotFound", "No route for GET " + "/".join(parts))

    def do_POST(self):
        parts, query = self.split()
        signing = parts[:1] == ["keys"] and parts[-1:] == ["sign"]
        if signing:  # how many sign requests are being served at once, at most
            with self.state.lock:
                self.state.signing += 1
                self.state.stats["sign_in_flight_max"] = max(self.state.stats["sign_in_flight_max"],
                                                             self.state.signing)
        try:
            self.delay()
            self.post(parts, query)
        finally:
            if signing:
                with self.state.lock:
                    self.state.signing -= 1

    def post(self, parts, query):
        body = self.body()
        if parts == ["_test", "config"]:
            return self.configure(json.loads(body or b"{}"))
        if len(parts) == 4 and parts[1:] == ["oauth2", "v2.0", "token"]:
            return self.token(parts[0], body)
        if parts[:1] == ["keys"] and parts[-1:] == ["sign"] and len(parts) in (3, 4):
            return self.sign(parts, query, body)
        if parts[:1] == ["keys"] and parts[-1:] == ["unwrapkey"] and len(parts) in (3, 4):
            return self.unwrap(parts, query, body)
        if len(parts) == 3 and parts[0] == "certificates" and parts[2] in ("create", "import"):
            return getattr(self, "cert_" + parts[2])(parts[1], query, body)
        if parts[:1] == ["certificates"] and parts[2:] == ["pending", "merge"] and len(parts) == 4:
            return self.cert_merge(parts[1], query, body)
        self.kv_error(404, "NotFound", "No route for POST " + "/".join(parts))

    # -- endpoints -----------------------------------------------------------------------------
    def configure(self, cfg):
        with self.state.lock:
            self.state.sign_429 = int(cfg.get("sign_429", self.state.sign_429))
            self.state.sign_503 = int(cfg.get("sign_503", self.state.sign_503))
            self.state.retry_after = int(cfg.get("retry_after", self.state.retry_after))
            self.state.delay_ms = int(cfg.get("delay_ms", self.state.delay_ms))
            if cfg.get("revoke_tokens"):
                self.state.tokens.clear()
        self.send_json(200, {"ok": True})

    def token(self, tenant, body):
        with self.state.lock:
            self.state.stats["token_calls"] += 1
        form = urllib.parse.parse_qs(body.decode())
        get = lambda k: form.get(k, [""])[0]  # noqa: E731
        now = int(time.time())
        trace = str(uuid.uuid4())

        def aad_error(status, error, code, description):
            self.send_json(status, {
                "error": error,
                "error_description": f"AADSTS{code}: {description}\r\nTrace ID: {trace}\r\n"
                                     f"Correlation ID: {uuid.uuid4()}\r\nTimestamp: {time.strftime('%Y-%m-%d %H:%M:%SZ', time.gmtime())}",
                "error_codes": [code], "timestamp": time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime()),
                "trace_id": trace, "correlation_id": str(uuid.uuid4())})

        if tenant != self.state.args.tenant:
            return aad_error(400, "invalid_request", 90002, f"Tenant '{tenant}' not found.")
        if get("grant_type") != "client_credentials":
            return aad_error(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.")
        if get("scope") != "https://vault.azure.net/.default":
            return aad_error(400, "invalid_scope", 1002012, "The provided value for scope is not valid.")
        if get("client_id") != self.state.args.client_id:
            return aad_error(400, "unauthorized_client", 700016,
                             f"Application with identifier '{get('client_id')}' was not found in the directory.")
        if not self.state.secret or get("client_secret") != self.state.secret:
            return aad_error(401, "invalid_client", 7000215,
                             "Invalid client secret provided. Ensure the secret being sent in the request is the "
                             "client secret value, not the client secret ID, for a secret added to app "
                             f"'{self.state.args.client_id}'.")
        token = secrets.token_urlsafe(32)
        with self.state.lock:
            self.state.tokens[token] = now + 3599
        self.send_json(200, {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
                             "access_token": token})

    def get_certificate(self, parts, query):
        with self.state.lock:
            self.state.stats["cert_calls"] += 1
        if not self.has_api_version(query) or not self.authorized():
            return
        name = parts[1]
        _, cert = self.key_files(name)
        version = self.version_of(name)
        if not os.path.exists(cert) or (len(parts) == 3 and parts[2] != version):
            return self.kv_error(404, "CertificateNotFound",
                                 f"A certificate with (name/id) {'/'.join(parts[1:])} was not found in this key vault. "
                                 "If you recently deleted this certificate you may be able to recover it using the "
                                 "correct recovery command.")
        der = der_of_pem(cert)
        now = int(time.time())
        self.send_json(200, {
            "id": f"{self.base()}/certificates/{name}/{version}",
            "kid": f"{self.base()}/keys/{name}/{version}",
            "sid": f"{self.base()}/secrets/{name}/{version}",
            "x5t": b64url(hashlib.sha1(der).digest()),
            "cer": base64.b64encode(der).decode(),
            "attributes": {"enabled": True, "created": now, "updated": now,
                           "recoveryLevel": "Recoverable+Purgeable", "recoverableDays": 90}})

    def sign(self, parts, query, body):
        with self.state.lock:
            self.state.stats["sign_calls"] += 1
            inject = None
            if self.state.sign_429 > 0:
                self.state.sign_429 -= 1
                inject = 429
            elif self.state.sign_503 > 0:
                self.state.sign_503 -= 1
                inject = 503
            if inject:
                self.state.stats["sign_failed_injected"] += 1
        if inject == 429:
            return self.kv_error(429, "Throttled", "Operations per second is over the limit.",
                                 {"Retry-After": str(self.state.retry_after)})
        if inject == 503:
            return self.kv_error(503, "ServiceUnavailable", "The service is temporarily unavailable.")
        if not self.has_api_version(query) or not self.authorized():
            return
        name = parts[1]
        key, _ = self.key_files(name)
        version = self.version_of(name)
        if not os.path.exists(key) or (len(parts) == 4 and parts[2] != version):
            return self.kv_error(404, "KeyNotFound",
                                 f"A key with (name/id) {'/'.join(parts[1:-1])} was not found in this key vault.")
        try:
            req = json.loads(body)
            alg, value = req["alg"], b64url_decode(req["value"])
        except (ValueError, KeyError, TypeError):
            return self.kv_error(400, "BadParameter", "The request body must be JSON with alg and value.")
        kty, crv = key_type(key)
        allowed = ({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"} if kty == "RSA" else {EC_ALG[crv]})
        if alg not in allowed:
            return self.kv_error(400, "BadParameter", f"Invalid algorithm '{alg}' for a {kty} key.")
        bits = alg[2:]
        if len(value) != HASH_LEN[bits]:
            return self.kv_error(400, "BadParameter",
                                 f"Invalid digest length {len(value)} for algorithm {alg}: expected {HASH_LEN[bits]}.")
        # In this process (python3-cryptography): a bulk run's hundreds of sign calls must cost
        # what the signatures cost, not a process start each.
        algorithm = {"256": chashes.SHA256, "384": chashes.SHA384, "512": chashes.SHA512}[bits]()
        prehashed = cutils.Prehashed(algorithm)
        private = load_key(key)
        if kty == "EC":
            sig = der_ecdsa_to_raw(private.sign(value, cec.ECDSA(prehashed)), EC_FIELD[crv])
        elif alg.startswith("PS"):  # RFC 7518 §3.5: MGF1 with the same hash, salt as long as the hash
            sig = private.sign(value, cpadding.PSS(mgf=cpadding.MGF1(algorithm), salt_length=HASH_LEN[bits]), prehashed)
        else:
            sig = private.sign(value, cpadding.PKCS1v15(), prehashed)
        self.send_json(200, {"kid": f"{self.base()}/keys/{name}/{version}", "value": b64url(sig)})

    def unwrap(self, parts, query, body):
        with self.state.lock:
            self.state.stats["unwrap_calls"] += 1
        if not self.has_api_version(query) or not self.authorized():
            return
        name = parts[1]
        key, _ = self.key_files(name)
        version = self.version_of(name)
        if not os.path.exists(key) or (len(parts) == 4 and parts[2] != version):
            return self.kv_error(404, "KeyNotFound",
                                 f"A key with (name/id) {'/'.join(parts[1:-1])} was not found in this key vault.")
        try:
            req = json.loads(body)
            alg, value = req["alg"], b64url_decode(req["value"])
        except (ValueError, KeyError, TypeError):
            return self.kv_error(400, "BadParameter", "The request body must be JSON with alg and value.")
        kty, _ = key_type(key)
        options = {"RSA-OAEP-256": ["rsa_padding_mode:oaep", "rsa_oaep_md:sha256", "rsa_mgf1_md:sha256"],
                   "RSA-OAEP": ["rsa_padding_mode:oaep", "rsa_oaep_md:sha1", "rsa_mgf1_md:sha1"],
                   "RSA1_5": ["rsa_padding_mode:pkcs1"]}
        if kty != "RSA" or alg not in options:
            return self.kv_error(400, "BadParameter", f"Invalid algorithm '{alg}' for a {kty} key.")
        cmd = ["openssl", "pkeyutl", "-decrypt", "-inkey", key]
        for opt in options[alg]:
            cmd += ["-pkeyopt", opt]
        out = subprocess.run(cmd, input=value, capture_output=True)
        if out.returncode != 0:
            return self.kv_error(400, "BadParameter", "The wrapped key could not be unwrapped with this key.")
        self.send_json(200, {"kid": f"{self.base()}/keys/{name}/{version}", "value": b64url(out.stdout)})

    # -- certificate operations ------------------------------------------------------------
    def pending_files(self, name):
        keys = self.state.args.keys
        return os.path.join(keys, name + ".pending.key.pem"), os.path.join(keys, name + ".pending.csr.pem")

    def pending_json(self, name):
        _, csr = self.pending_files(name)
        der = subprocess.run(["openssl", "req", "-in", csr, "-outform", "DER"], check=True,
                             capture_output=True).stdout
        return {"id": f"{self.base()}/certificates/{name}/pending", "issuer": {"name": "Unknown"},
                "csr": base64.b64encode(der).decode(), "cancellation_requested": False,
                "status": "inProgress", "request_id": self.version_of(name + "-pending")}

    def bundle(self, name):
        _, cert = self.key_files(name)
        der = der_of_pem(cert)
        version = self.version_of(name)
        return {"id": f"{self.base()}/certificates/{name}/{version}",
                "kid": f"{self.base()}/keys/{name}/{version}", "cer": base64.b64encode(der).decode(),
                "x5t": b64url(hashlib.sha1(der).digest()), "attributes": {"enabled": True}}

    @staticmethod
    def openssl_subject(rfc2253):
        """CN=a\\, b,O=c -> /O=c/CN=a, b (RFC 2253 is written least significant first)."""
        rdns, cur, i = [], "", 0
        while i < len(rfc2253):
            ch = rfc2253[i]
            if ch == "\\" and i + 2 < len(rfc2253) + 1:
                nxt = rfc2253[i + 1:i + 3]
                if len(nxt) == 2 and all(c in "0123456789abcdefABCDEF" for c in nxt):
                    cur += "%" + nxt  # a UTF-8 byte, decoded below
                    i += 3
                    continue
                cur += rfc2253[i + 1]
                i += 2
                continue
            if ch == ",":
                rdns.append(cur)
                cur = ""
            else:
                cur += ch
            i += 1
        rdns.append(cur)
        out = ""
        for rdn in reversed(rdns):
            rdn = urllib.parse.unquote(rdn.strip())
            out += "/" + rdn.replace("/", "\\/")
        return out

    def cert_create(self, name, query, body):
        if not self.has_api_version(query) or not self.authorized():
            return
        try:
            policy = json.loads(body)["policy"]
            kp, x509 = policy["key_props"], policy["x509_props"]
            subject = x509["subject"]
        except (ValueError, KeyError, TypeError):
            return self.kv_error(400, "BadParameter", "The request body must be JSON with a policy.")
        if policy.get("issuer", {}).get("name") != "Unknown":
            return self.kv_error(400, "BadParameter", "This test vault issues through issuer Unknown only.")
        key, csr = self.pending_files(name)
        if kp.get("kty") == "RSA":
            gen = ["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", f"rsa_keygen_bits:{int(kp.get('key_size', 2048))}"]
        elif kp.get("kty") == "EC" and kp.get("crv") in ("P-256", "P-384"):
            gen = ["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", f"ec_paramgen_curve:{kp['crv']}"]
        else:
            return self.kv_error(400, "BadParameter", "Unsupported key_props.")
        subprocess.run(gen + ["-out", key], check=True, capture_output=True)
        cmd = ["openssl", "req", "-new", "-key", key, "-subj", self.openssl_subject(subject), "-utf8", "-out", csr]
        sans = x509.get("sans") or {}
        alt = [f"email:{e}" for e in sans.get("emails", [])] + [f"DNS:{d}" for d in sans.get("dns_names", [])]
        if alt:
            cmd += ["-addext", "subjectAltName=" + ",".join(alt)]
        made = subprocess.run(cmd, capture_output=True, text=True)
        if made.returncode != 0:
            return self.kv_error(400, "BadParameter", "Invalid subject: " + made.stderr.strip().splitlines()[-1])
        self.send_json(202, self.pending_json(name))

    def get_pending(self, name, query):
        if not self.has_api_version(query) or not self.authorized():
            return
        if not os.path.exists(self.pending_files(name)[1]):
            return self.kv_error(404, "PendingCertificateNotFound", f"Pending certificate not found: {name}")
        self.send_json(200, self.pending_json(name))

    def cert_merge(self, name, query, body):
        if not self.has_api_version(query) or not self.authorized():
            return
        pkey, csr = self.pending_files(name)
        if not os.path.exists(csr):
            return self.kv_error(404, "PendingCertificateNotFound", f"Pending certificate not found: {name}")
        try:
            x5c = [base64.b64decode(c) for c in json.loads(body)["x5c"]]
        except (ValueError, KeyError, TypeError):
            return self.kv_error(400, "BadParameter", "The request body must be JSON with x5c.")
        pem = "".join(subprocess.run(["openssl", "x509", "-inform", "DER"], input=c, check=True,
                                     capture_output=True).stdout.decode() for c in x5c[:1])
        cert_pub = subprocess.run(["openssl", "x509", "-noout", "-pubkey"], input=pem.encode(),
                                  capture_output=True).stdout
        key_pub = subprocess.run(["openssl", "pkey", "-in", pkey, "-pubout"], capture_output=True).stdout
        if not cert_pub or cert_pub != key_pub:
            return self.kv_error(400, "BadParameter",
                                 "Public key from x509 certificate and key of this instance doesn't match")
        key, cert = self.key_files(name)
        with open(cert, "w") as f:
            f.write(pem)
        os.replace(pkey, key)
        os.remove(csr)
        self.send_json(201, self.bundle(name))

    def cert_import(self, name, query, body):
        if not self.has_api_version(query) or not self.authorized():
            return
        try:
            req = json.loads(body)
            pfx, pwd = base64.b64decode(req["value"]), req.get("pwd", "")
        except (ValueError, KeyError, TypeError):
            return self.kv_error(400, "BadParameter", "The request body must be JSON with value.")
        key, cert = self.key_files(name)
        env = dict(os.environ, KV_PFX_PWD=pwd)
        out = {}
        for what, flag in (("key", "-nocerts"), ("cert", "-nokeys")):
            r = subprocess.run(["openssl", "pkcs12", flag, "-nodes", "-passin", "env:KV_PFX_PWD"] +
                               (["-clcerts"] if what == "cert" else []), input=pfx, env=env, capture_output=True)
            if r.returncode != 0:
                return self.kv_error(400, "BadParameter", "Private key is not specified in the specified X.509 PEM.")
            out[what] = r.stdout
        with open(key, "wb") as f:
            f.write(out["key"])
        with open(cert, "wb") as f:
            f.write(out["cert"])
        self.send_json(200, self.bundle(name))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--keys", required=True)
    p.add_argument("--tenant", required=True)
    p.add_argument("--client-id", required=True)
    p.add_argument("--aia-issuer")
    args = p.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.state = State(args)
    print(server.server_address[1], flush=True)
    sys.stdout.close()
    server.serve_forever()


if __name__ == "__main__":
    main()
