"""A small but real OpenID Connect provider for the tests: an HTTP server on 127.0.0.1 that
runs the authorization-code flow and issues RS256-signed ID tokens.

It signs in whoever the test sets as `provider.person` (the consent screen is skipped), and
can misbehave on request (`provider.tamper`): a token for another audience, an expired one,
one signed with a key that is not published, or a replay of the last token it issued.
"""

import base64
import json
import secrets
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlencode, urlparse

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .loopback import LoopbackServer


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _int_b64(number: int) -> str:
    return _b64(number.to_bytes((number.bit_length() + 7) // 8, "big"))


class Provider(LoopbackServer):
    client_id = "ukcn-test"
    client_secret = "test-secret-not-for-production"

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.rogue_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "test-key-1"
        self.person: dict = {}
        self.tamper: str = ""
        self.codes: dict[str, dict] = {}
        self.issued: list[str] = []
        self.logouts: list[dict] = []
        self._serve(self._handler())
        self.issuer = self.base

    def settings(self) -> dict:
        """The ukcn settings that point at this provider."""
        return {
            "OIDC_ENABLED": True,
            "OIDC_OP_ISSUER": self.issuer,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.base}/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.base}/token",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.base}/jwks",
            "OIDC_OP_LOGOUT_ENDPOINT": f"{self.base}/logout",
            "OIDC_RP_CLIENT_ID": self.client_id,
            "OIDC_RP_CLIENT_SECRET": self.client_secret,
        }

    def jwks(self) -> dict:
        numbers = self.key.public_key().public_numbers()
        return {
            "keys": [
                {
                    "kty": "RSA",
                    "use": "sig",
                    "alg": "RS256",
                    "kid": self.kid,
                    "n": _int_b64(numbers.n),
                    "e": _int_b64(numbers.e),
                }
            ]
        }

    def sign(self, claims: dict, key=None) -> str:
        header = _b64(json.dumps({"alg": "RS256", "typ": "JWT", "kid": self.kid}).encode())
        payload = _b64(json.dumps(claims).encode())
        signing_input = f"{header}.{payload}".encode()
        signature = (key or self.key).sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
        return f"{header}.{payload}.{_b64(signature)}"

    def id_token(self, nonce: str) -> str:
        if self.tamper == "replay" and self.issued:
            return self.issued[-1]
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": "someone-else" if self.tamper == "wrong_audience" else self.client_id,
            "iat": now - 3600 if self.tamper == "expired" else now,
            "exp": now - 1800 if self.tamper == "expired" else now + 300,
            "nonce": nonce,
            **self.person,
        }
        token = self.sign(claims, self.rogue_key if self.tamper == "bad_signature" else None)
        self.issued.append(token)
        return token

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body: dict | None = None, location: str = ""):
                data = json.dumps(body or {}).encode()
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/jwks":
                    return self._send(200, provider.jwks())
                if url.path == "/authorize":
                    if query.get("client_id") != provider.client_id:
                        return self._send(400, {"error": "unauthorized_client"})
                    code = secrets.token_urlsafe(16)
                    provider.codes[code] = query
                    back = {"code": code, "state": query["state"]}
                    return self._send(302, location=f"{query['redirect_uri']}?{urlencode(back)}")
                if url.path == "/logout":
                    provider.logouts.append(query)
                    return self._send(302, location=query.get("post_logout_redirect_uri", "/"))
                return self._send(404, {"error": "not_found"})

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if urlparse(self.path).path != "/token":
                    return self._send(404, {"error": "not_found"})
                if (
                    form.get("client_id") != provider.client_id
                    or form.get("client_secret") != provider.client_secret
                ):
                    return self._send(401, {"error": "invalid_client"})
                request = provider.codes.pop(form.get("code", ""), None)
                if request is None or request["redirect_uri"] != form.get("redirect_uri"):
                    return self._send(400, {"error": "invalid_grant"})
                verifier = form.get("code_verifier", "")
                digest = hashes.Hash(hashes.SHA256())
                digest.update(verifier.encode())
                if _b64(digest.finalize()) != request.get("code_challenge"):
                    return self._send(400, {"error": "invalid_grant", "error_description": "PKCE"})
                return self._send(
                    200,
                    {
                        "access_token": secrets.token_urlsafe(16),
                        "token_type": "Bearer",
                        "expires_in": 300,
                        "id_token": provider.id_token(request.get("nonce", "")),
                    },
                )

        return Handler
