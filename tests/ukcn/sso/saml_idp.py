"""A small but real SAML 2.0 identity provider for the tests: pysaml2's `Server` behind an HTTP
server on 127.0.0.1, with its key and certificate (and ukcn's) generated here.

It publishes its metadata at /metadata, answers AuthnRequests (HTTP-Redirect) at /sso with a
signed assertion for whoever the test sets as `idp.person` (the login screen is skipped),
posted back by an auto-submitting form as Shibboleth does, and answers LogoutRequests at /slo.
It misbehaves on request (`idp.tamper`): an assertion for another audience, an expired one,
one signed with a key its metadata does not publish, an unsigned one, or a replay of the last
response; or sign the response rather than the assertion (`response_signed`), and encrypt
the assertion too (`shibboleth`), as Shibboleth does by default.
"""

import base64
import datetime
import html
import re
import tempfile
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, class_name
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor, sign_entity_descriptor
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.samlp import response_from_string
from saml2.server import Server
from saml2.sigver import pre_signature_part

from .loopback import LoopbackServer


def keypair(directory: Path, name: str) -> tuple[str, str]:
    """A fresh RSA key and a self-signed certificate for it, as PEM files in `directory`."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = directory / f"{name}.key", directory / f"{name}.crt"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(key_file), str(cert_file)


def form_fields(page: str) -> tuple[str, dict[str, str]]:
    """The action and hidden fields of an HTTP-POST binding's auto-submitting form."""
    action = html.unescape(re.search(r'<form[^>]*action="([^"]+)"', page).group(1))
    fields = {
        name: html.unescape(value)
        for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page)
    }
    return action, fields


class SamlIdp(LoopbackServer):
    def __init__(self):
        self.directory = Path(tempfile.mkdtemp(prefix="ukcn-saml-idp-"))
        self.key_file, self.cert_file = keypair(self.directory, "idp")
        self.rogue_key_file, self.rogue_cert_file = keypair(self.directory, "rogue")
        self.sp_key_file, self.sp_cert_file = keypair(self.directory, "sp")
        self.person: dict = {}
        self.tamper = ""
        self.sign_metadata = False
        self.sp_metadata = ""
        self.responses: list[str] = []  # the auto-submitting pages sent, last last
        self.logouts: list[str] = []  # NameIDs of the LogoutRequests received
        self._serve(self._handler())
        self.entity_id = f"{self.base}/idp"

    def settings(self) -> dict:
        """The ukcn settings that point at this identity provider."""
        return {
            "SAML_ENABLED": True,
            "SAML_IDP_METADATA_URL": f"{self.base}/metadata",
            "SAML_IDP_METADATA_FILE": "",
            "SAML_SP_KEY_FILE": self.sp_key_file,
            "SAML_SP_CERT_FILE": self.sp_cert_file,
        }

    def config(self, *, rogue: bool = False) -> IdPConfig:
        config = IdPConfig()
        config.load(
            {
                "entityid": self.entity_id,
                "key_file": self.rogue_key_file if rogue else self.key_file,
                "cert_file": self.rogue_cert_file if rogue else self.cert_file,
                "service": {
                    "idp": {
                        "name": "Example University test IdP",
                        "endpoints": {
                            "single_sign_on_service": [(f"{self.base}/sso", BINDING_HTTP_REDIRECT)],
                            "single_logout_service": [(f"{self.base}/slo", BINDING_HTTP_REDIRECT)],
                        },
                        "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                        "policy": {
                            "default": {
                                "lifetime": {"minutes": 5},
                                "attribute_restrictions": None,
                                "name_form": NAME_FORMAT_URI,
                            }
                        },
                    }
                },
                "metadata": {"inline": [self.sp_metadata]} if self.sp_metadata else {},
            }
        )
        return config

    def metadata(self) -> str:
        """Signed, as a federation's metadata is, when `sign_metadata` is set."""
        config = self.config()
        descriptor = entity_descriptor(config)
        if not self.sign_metadata:
            return str(descriptor)
        return sign_entity_descriptor(descriptor, None, Server(config=config).sec)[1]

    def authn_response(self, saml_request: str, relay_state: str) -> str:
        """The auto-submitting page carrying a signed response to this AuthnRequest."""
        if self.tamper == "replay" and self.responses:
            return self.responses[-1]
        server = Server(config=self.config(rogue=self.tamper == "bad_signature"))
        request = server.parse_authn_request(saml_request, BINDING_HTTP_REDIRECT).message
        args = server.response_args(request, [BINDING_HTTP_POST])
        if self.tamper == "wrong_audience":
            args["sp_entity_id"] = "https://elsewhere.example.ac.uk/shibboleth"
        person = dict(self.person)
        subject = person.pop("persistent_id", "") or "AAdzZWNyZXQxQ2u9"
        expired = self.tamper == "expired"
        response = str(
            server.create_authn_response(
                identity=person,
                userid=subject,
                name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=subject),
                authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"},
                sign_assertion=not expired
                and self.tamper not in ("unsigned", "response_signed", "shibboleth"),
                sign_response=self.tamper in ("response_signed", "shibboleth"),
                # Shibboleth's defaults: the response signed, the assertion encrypted for
                # the SP with the certificate in its metadata.
                encrypt_assertion=self.tamper == "shibboleth",
                encrypt_cert_assertion=Path(self.sp_cert_file).read_text()
                if self.tamper == "shibboleth"
                else None,
                **args,
            )
        )
        if expired:
            response = self.expired(server, response)
        page = server.apply_binding(
            BINDING_HTTP_POST, str(response), args["destination"], relay_state, response=True
        )["data"]
        self.responses.append(page)
        return page

    @staticmethod
    def expired(server: Server, response: str) -> str:
        """The response with its assertion dated an hour earlier (valid for five minutes then,
        so expired now), signed properly: an old response captured and posted again."""
        start, end = response.index("<saml:Assertion"), response.index("</saml:Assertion>")

        def earlier(match):
            moment = datetime.datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S")
            return (moment - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")

        assertion = re.sub(
            r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.\d+)?Z", earlier, response[start:end]
        )
        parsed = response_from_string(response[:start] + assertion + response[end:])
        statement = parsed.assertion[0]
        statement.signature = pre_signature_part(statement.id, server.sec.my_cert, 1)
        return server.sec.sign_statement(str(parsed), class_name(statement), node_id=statement.id)

    def logout_response(self, saml_request: str, relay_state: str) -> str:
        """Where the browser goes back with the answer to this LogoutRequest."""
        server = Server(config=self.config())
        request = server.parse_logout_request(saml_request, BINDING_HTTP_REDIRECT).message
        self.logouts.append(request.name_id.text if request.name_id else "")
        response = server.create_logout_response(request, [BINDING_HTTP_REDIRECT])
        binding, destination = server.pick_binding(
            "single_logout_service", [BINDING_HTTP_REDIRECT], "spsso", request
        )
        info = server.apply_binding(binding, str(response), destination, relay_state, response=True)
        return dict(info["headers"])["Location"]

    def logout_request_url(self, subject: str, sp_entity_id: str, *, sign: bool = True) -> str:
        """Where the IdP sends a browser to end the SP's session (the user logged out of
        another service): a LogoutRequest by HTTP-Redirect, signed unless told otherwise."""
        server = Server(config=self.config())
        binding, destination = server.pick_binding(
            "single_logout_service", [BINDING_HTTP_REDIRECT], "spsso", entity_id=sp_entity_id
        )
        _, request = server.create_logout_request(
            destination,
            self.entity_id,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=subject),
        )
        info = server.apply_binding(
            binding,
            str(request),
            destination,
            "",
            sign=sign,
            sigalg="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" if sign else None,
        )
        return dict(info["headers"])["Location"]

    def _handler(self):
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body: str = "", *, kind="text/html", location=""):
                data = body.encode()
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Type", f"{kind}; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                try:
                    if url.path == "/metadata":
                        return self._send(200, idp.metadata(), kind="application/samlmetadata+xml")
                    if url.path == "/sso":
                        page = idp.authn_response(query["SAMLRequest"], query.get("RelayState", ""))
                        return self._send(200, page)
                    if url.path == "/slo":
                        back = idp.logout_response(
                            query["SAMLRequest"], query.get("RelayState", "")
                        )
                        return self._send(302, location=back)
                except Exception as exc:  # a test IdP says what went wrong, as a 400
                    return self._send(400, f"{type(exc).__name__}: {exc}", kind="text/plain")
                return self._send(404, "not found", kind="text/plain")

        return Handler


def b64decode(value: str) -> str:
    return base64.b64decode(value).decode()
