"""A scriptable OpenID Provider for the sign-in tests, run as its own process.

It speaks real HTTP and signs real tokens with real RSA keys; what it can be told
(through POST /control) is how to misbehave, so that every check the hub makes
on a provider's answers can be shown to fail closed: wrong issuer in discovery,
a missing or wrong ``iss`` parameter, ID tokens signed with ``alg=none``, with
HS256 keyed by the public key, by an unknown key, tampered with, expired,
addressed elsewhere, and so on.

Run: python tests/support/oidc_provider.py PORT
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

PORT = int(sys.argv[1])
BASE = f"http://127.0.0.1:{PORT}"
KEY = RSAKey.generate_key(2048, parameters={"kid": "signing-1", "use": "sig", "alg": "RS256"})
OTHER_KEY = RSAKey.generate_key(2048, parameters={"kid": "not-published", "alg": "RS256"})
LOCK = threading.Lock()

DEFAULT_SCENARIO: dict = {
    "clients": {},  # client_id -> {"secret": ..., "redirect_uris": [...]}
    "user": {"sub": "user-1", "name": "Test User", "email": "test.user@agency.example.org"},
    "discovery_issuer": None,  # override the issuer in discovery
    "iss_supported": True,
    "iss_param": "correct",  # correct | omit | wrong
    "id_token_claims": {},  # merged over the normal claims (None deletes a claim)
    "id_token_signing": "good",  # good | none | hs256-public | unknown-kid | tampered
    "token_status": 200,
    "jwks_status": 200,
    "access_token_claims": {},
}
SCENARIO = json.loads(json.dumps(DEFAULT_SCENARIO))
CODES: dict[str, dict] = {}
REQUESTS: list[dict] = []


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign(header: dict, claims: dict, how: str) -> str:
    if how == "none":
        return f"{b64(json.dumps({**header, 'alg': 'none'}).encode())}.{b64(json.dumps(claims).encode())}."
    if how == "hs256-public":
        # The classic confusion attack: HMAC keyed with the provider's public key.
        head = {**header, "alg": "HS256"}
        signing_input = f"{b64(json.dumps(head).encode())}.{b64(json.dumps(claims).encode())}"
        public_pem = KEY.as_pem(private=False)
        mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{b64(mac)}"
    key = OTHER_KEY if how == "unknown-kid" else KEY
    token = jwt.encode({**header, "alg": "RS256", "kid": key.kid}, claims, key)
    if how == "tampered":
        head, payload, signature = token.split(".")
        changed = json.loads(base64.urlsafe_b64decode(payload + "=="))
        changed["sub"] = "someone-else"
        token = f"{head}.{b64(json.dumps(changed).encode())}.{signature}"
    return token


def merged(base: dict, overrides: dict) -> dict:
    claims = dict(base)
    for name, value in overrides.items():
        if value is None:
            claims.pop(name, None)
        else:
            claims[name] = value
    return claims


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:  # quiet
        pass

    def reply(self, status: int, body: object = None, headers: dict | None = None) -> None:
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def form(self) -> dict[str, str]:
        length = int(self.headers.get("Content-Length", 0))
        raw = self.rfile.read(length).decode()
        return {k: v[0] for k, v in parse_qs(raw).items()}

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/.well-known/openid-configuration":
            self.reply(
                200,
                {
                    "issuer": SCENARIO["discovery_issuer"] or BASE,
                    "authorization_endpoint": f"{BASE}/authorize",
                    "token_endpoint": f"{BASE}/token",
                    "jwks_uri": f"{BASE}/jwks",
                    "end_session_endpoint": f"{BASE}/end_session",
                    "response_types_supported": ["code"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "authorization_response_iss_parameter_supported": SCENARIO["iss_supported"],
                },
            )
        elif url.path == "/jwks":
            if SCENARIO["jwks_status"] != 200:
                self.reply(SCENARIO["jwks_status"], {"error": "down"})
            else:
                self.reply(200, {"keys": [KEY.as_dict(private=False)]})
        elif url.path == "/authorize":
            REQUESTS.append(query)
            code = secrets.token_urlsafe(16)
            with LOCK:
                CODES[code] = {**query, "user": dict(SCENARIO["user"])}
            params = {"code": code, "state": query.get("state", "")}
            if SCENARIO["iss_param"] == "correct":
                params["iss"] = BASE
            elif SCENARIO["iss_param"] == "wrong":
                params["iss"] = "https://impostor.example.org"
            self.reply(302, None, {"Location": f"{query['redirect_uri']}?{urlencode(params)}"})
        elif url.path == "/end_session":
            self.reply(302, None, {"Location": query.get("post_logout_redirect_uri", BASE)})
        elif url.path == "/control/requests":
            self.reply(200, REQUESTS)
        else:
            self.reply(404, {"error": "not_found"})

    def client_auth(self, form: dict[str, str]) -> str | None:
        header = self.headers.get("Authorization", "")
        if header.startswith("Basic "):
            client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
        else:
            client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        registered = SCENARIO["clients"].get(client_id)
        if registered is None or not hmac.compare_digest(registered["secret"], secret):
            return None
        return client_id

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/control":
            length = int(self.headers.get("Content-Length", 0))
            changes = json.loads(self.rfile.read(length) or b"{}")
            with LOCK:
                SCENARIO.clear()
                SCENARIO.update(json.loads(json.dumps(DEFAULT_SCENARIO)))
                SCENARIO.update(changes)
                REQUESTS.clear()
            self.reply(200, SCENARIO)
            return
        if url.path != "/token":
            self.reply(404, {"error": "not_found"})
            return
        form = self.form()
        client_id = self.client_auth(form)
        if client_id is None:
            self.reply(401, {"error": "invalid_client"})
            return
        now = int(time.time())
        if form.get("grant_type") == "client_credentials":
            claims = merged(
                {
                    "iss": BASE,
                    "sub": client_id,
                    "client_id": client_id,
                    "aud": form.get("audience", ""),
                    "scope": form.get("scope", ""),
                    "iat": now,
                    "exp": now + 300,
                    "jti": secrets.token_hex(8),
                },
                SCENARIO["access_token_claims"],
            )
            token = sign({"typ": "at+jwt"}, claims, SCENARIO["id_token_signing"])
            self.reply(200, {"access_token": token, "token_type": "Bearer", "expires_in": 300})
            return
        with LOCK:
            grant = CODES.pop(form.get("code", ""), None)
        if grant is None or grant["client_id"] != client_id:
            self.reply(400, {"error": "invalid_grant"})
            return
        verifier = form.get("code_verifier", "")
        challenge = b64(hashlib.sha256(verifier.encode()).digest())
        if (
            challenge != grant.get("code_challenge")
            or form.get("redirect_uri") != grant["redirect_uri"]
        ):
            self.reply(400, {"error": "invalid_grant"})
            return
        if SCENARIO["token_status"] != 200:
            self.reply(SCENARIO["token_status"], {"oops": True})
            return
        user = grant["user"]
        claims = merged(
            {
                "iss": BASE,
                "sub": user["sub"],
                "aud": client_id,
                "iat": now,
                "exp": now + 300,
                "nonce": grant.get("nonce"),
                "name": user.get("name"),
                "email": user.get("email"),
                **{k: v for k, v in user.items() if k not in {"sub", "name", "email"}},
            },
            SCENARIO["id_token_claims"],
        )
        token = sign({}, claims, SCENARIO["id_token_signing"])
        self.reply(200, {"access_token": "opaque", "token_type": "Bearer", "id_token": token})


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
