"""SAML 2.0 sign-in on djangosaml2 and pysaml2 (which checks signatures with xmlsec1).

pysaml2 verifies the assertion's signature, audience, destination, validity window and that
the response answers a request this browser made (so a replayed response is unsolicited);
djangosaml2 keeps that state in `request.saml_session`. What ukcn adds: the configuration
from SAML_* settings with the IdP metadata fetched through ukcn's hardened fetcher, the
person read from the configured attributes and provisioned by the path OpenID Connect uses,
refusals shown on the same page and audited, and single logout from ukcn's logout.
"""

import base64
import threading
import time
from pathlib import Path

import saml2
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render, reverse
from djangosaml2 import views as saml_views
from djangosaml2.cache import IdentityCache, StateCache
from djangosaml2.overrides import Saml2Client
from djangosaml2.utils import available_idps, get_location
from lxml import etree
from saml2.config import SPConfig
from saml2.response import (
    IncorrectlySigned,
    StatusError,
    UnsolicitedResponse,
)
from saml2.saml import NAMEID_FORMAT_PERSISTENT
from saml2.sigver import (
    CryptoBackendXmlSec1,
    MissingKey,
    SignatureError,
    SigverError,
    get_xmlsec_binary,
    security_context,
    verify_redirect_signature,
)
from saml2.validate import ResponseLifetimeExceed, ToEarly

from ukcn.fetch import FetchError, url_fetch

from .oidc import login_failed
from .provisioning import Identity, ProvisioningRefused, identity_provision

BACKEND = "ukcn.sso.saml.SamlBackend"
METADATA_MAX_BYTES = 5_000_000
# Clocks of the IdP and ukcn drift a little (seconds).
LEEWAY_SECONDS = 120

_metadata_lock = threading.Lock()
_metadata_cache: dict[str, tuple[float, str]] = {}


class SamlUnavailable(Exception):
    """The IdP's metadata cannot be had; the message says why, in plain words."""


def metadata_cache_clear() -> None:
    with _metadata_lock:
        _metadata_cache.clear()


def metadata_signature_check(text: str) -> str:
    """The metadata, if SAML_IDP_METADATA_CERT is unset or signed it (as the UK federation signs
    its aggregate and its MDQ answers); otherwise SamlUnavailable."""
    cert = settings.SAML_IDP_METADATA_CERT
    if not cert:
        return text
    try:
        root = etree.fromstring(text.encode(), parser=etree.XMLParser(resolve_entities=False))
        namespace, _, name = root.tag[1:].partition("}")
        backend = CryptoBackendXmlSec1(get_xmlsec_binary())
        valid = backend.validate_signature(
            text, cert_file=cert, cert_type="pem", node_name=f"{namespace}:{name}", node_id=None
        )
    except (etree.XMLSyntaxError, ValueError, SigverError, saml2.SAMLError):
        valid = False
    if not valid:
        raise SamlUnavailable(
            "the identity provider's metadata is not signed with the federation's key "
            "(SAML_IDP_METADATA_CERT)"
        )
    return text


def idp_metadata() -> str:
    """The identity provider's metadata, from the file or (cached) from the URL."""
    if settings.SAML_IDP_METADATA_FILE:
        try:
            return metadata_signature_check(
                Path(settings.SAML_IDP_METADATA_FILE).read_text(encoding="utf-8")
            )
        except OSError as exc:
            raise SamlUnavailable(
                f"the identity provider's metadata cannot be read ({exc})"
            ) from exc
    url = settings.SAML_IDP_METADATA_URL
    with _metadata_lock:
        cached = _metadata_cache.get(url)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        try:
            body = url_fetch(
                url,
                max_bytes=METADATA_MAX_BYTES,
                deadline=settings.SAML_TIMEOUT,
                accept="application/samlmetadata+xml, application/xml",
            )
        except FetchError as exc:
            raise SamlUnavailable(
                f"ukcn could not fetch the identity provider's metadata ({exc})"
            ) from exc
        text = metadata_signature_check(body.decode("utf-8", errors="replace"))
        _metadata_cache[url] = (time.monotonic() + settings.SAML_METADATA_REFRESH, text)
        return text


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def entity_id() -> str:
    return settings.SAML_ENTITY_ID or site_url(reverse("saml:metadata"))


def sp_config_dict(*, with_idp: bool = True) -> dict:
    """pysaml2's service-provider configuration, from the SAML_* settings (and the IdP's
    metadata, unless only ukcn's own metadata is wanted)."""
    keypair = {"key_file": settings.SAML_SP_KEY_FILE, "cert_file": settings.SAML_SP_CERT_FILE}
    return {
        "entityid": entity_id(),
        **keypair,
        "encryption_keypairs": [keypair],
        "allow_unknown_attributes": True,
        "accepted_time_diff": LEEWAY_SECONDS,
        "service": {
            "sp": {
                "name": "ukcn",
                "endpoints": {
                    "assertion_consumer_service": [
                        (site_url(reverse("saml:acs")), saml2.BINDING_HTTP_POST),
                    ],
                    "single_logout_service": [
                        (site_url(reverse("saml:ls")), saml2.BINDING_HTTP_REDIRECT),
                        (site_url(reverse("saml:ls_post")), saml2.BINDING_HTTP_POST),
                    ],
                },
                "allow_unsolicited": False,
                "authn_requests_signed": True,
                "logout_requests_signed": True,
                # Shibboleth signs the response by default, other IdPs the assertion: either
                # will do, nothing unsigned does.
                "want_assertions_signed": False,
                "want_response_signed": False,
                "want_assertions_or_response_signed": True,
                "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                "name_id_format_allow_create": True,
                "required_attributes": ["eduPersonPrincipalName", "mail"],
                "optional_attributes": [
                    "eduPersonUniqueId",
                    "eduPersonTargetedID",
                    "eduPersonEntitlement",
                    "givenName",
                    "sn",
                    "ou",
                ],
            }
        },
        "metadata": {"inline": [idp_metadata()]} if with_idp else {},
    }


def sp_config(request=None, *, with_idp: bool = True) -> SPConfig:
    """djangosaml2's SAML_CONFIG_LOADER."""
    config = sp_config_dict(with_idp=with_idp)
    conf = SPConfig()
    try:
        conf.load(config)
    except Exception as exc:  # pysaml2 raises plain exceptions for unusable metadata
        raise SamlUnavailable(
            f"the identity provider's metadata cannot be used ({type(exc).__name__}: {exc})"
        ) from exc
    return conf


def _text(value) -> str:
    if isinstance(value, dict):  # a NameID-valued attribute (eduPersonTargetedID)
        value = value.get("text", "")
    text = getattr(value, "text", value)
    return str(text or "").strip()


def _values(ava: dict, names: list[str]) -> tuple[str, ...]:
    found = []
    for name in names:
        found.extend(v for v in (_text(x) for x in ava.get(name, [])) if v)
    return tuple(dict.fromkeys(found))


def identity_from_session(session_info: dict) -> Identity:
    """The person a verified assertion describes, read through the configured attribute names."""
    ava = session_info.get("ava") or {}
    name_id = session_info.get("name_id")
    subject = ""
    for name in settings.SAML_USERNAME_ATTRIBUTES:
        if name == "NameID":
            if name_id is not None and name_id.format == NAMEID_FORMAT_PERSISTENT:
                subject = _text(name_id)
        else:
            subject = next(iter(_values(ava, [name])), "")
        if subject:
            break
    if not subject:
        raise ProvisioningRefused(
            "the identity provider sent none of "
            f"{', '.join(settings.SAML_USERNAME_ATTRIBUTES)} to name you by (an e-mail address "
            "or a transient NameID is not a stable identifier)"
        )

    def first(name: str) -> str:
        return next(iter(_values(ava, [name])), "")

    return Identity(
        provider="saml",
        subject=subject,
        email=first(settings.SAML_EMAIL_ATTRIBUTE),
        first_name=first(settings.SAML_GIVEN_NAME_ATTRIBUTE),
        last_name=first(settings.SAML_SURNAME_ATTRIBUTE),
        departments=_values(ava, settings.SAML_DEPARTMENT_ATTRIBUTES),
        groups=_values(ava, settings.SAML_GROUPS_ATTRIBUTES),
    )


class SamlBackend(ModelBackend):
    """Holds SAML sessions (get_user); never checks a password: the assertion consumer
    service logs the provisioned user in itself."""

    def authenticate(self, request, **kwargs):
        return None


def failure_reason(exc: BaseException | None) -> str:
    """Why pysaml2 or provisioning refused an assertion, in words a person can act on."""
    if isinstance(exc, PermissionDenied) and isinstance(exc.__cause__, ProvisioningRefused):
        return str(exc.__cause__)
    if isinstance(exc, UnsolicitedResponse):
        return (
            "this response answers no sign-in ukcn started in this browser, or was already "
            "used (a replayed response?)"
        )
    if isinstance(exc, ResponseLifetimeExceed):
        return "the assertion has expired"
    if isinstance(exc, ToEarly):
        return "the assertion is not valid yet (are the clocks right?)"
    if isinstance(exc, SignatureError | IncorrectlySigned | MissingKey | SigverError):
        return "the assertion's signature is not valid"
    if isinstance(exc, StatusError):
        return f"the identity provider refused the sign-in ({type(exc).__name__})"
    text = str(exc or "")
    if "AudienceRestrictions" in text:
        return "the assertion was issued for another service (wrong audience)"
    if "not in the list of" in text or "Destination" in text:
        return "the response was sent to another address than ukcn's (wrong destination)"
    if "signed" in text.lower() or "signature" in text.lower():
        return "the assertion's signature is not valid"
    return "the sign-in could not be verified"


def _enabled():
    if not settings.SAML_ENABLED:
        raise Http404("SAML sign-in is not configured.")


class _Enabled:
    def dispatch(self, request, *args, **kwargs):
        _enabled()
        try:
            return super().dispatch(request, *args, **kwargs)
        except SamlUnavailable as exc:
            return login_failed(request, provider="saml", reason=str(exc))


class SamlLoginView(_Enabled, saml_views.LoginView):
    def get(self, request, *args, **kwargs):
        idps = available_idps(self.get_sp_config(request))
        if len(idps) != 1:  # djangosaml2 would offer a list of institutions: not ukcn's case
            raise SamlUnavailable(
                f"the identity provider's metadata names {len(idps)} identity providers where "
                "ukcn needs exactly one (give the metadata of your institution's IdP only)"
            )
        return super().get(request, *args, **kwargs)


class SamlAcsView(_Enabled, saml_views.AssertionConsumerServiceView):
    def handle_acs_failure(self, request, exception=None, status=403, **kwargs):
        return login_failed(request, provider="saml", reason=failure_reason(exception))

    def authenticate_user(self, request, session_info, *args, **kwargs):
        from assessments.audit import client_ip

        try:
            user = identity_provision(
                identity=identity_from_session(session_info), ip=client_ip(request)
            )
        except ProvisioningRefused as exc:
            raise PermissionDenied(str(exc)) from exc
        auth.login(request, user, backend=BACKEND)
        saml_views._set_subject_id(request.saml_session, session_info["name_id"])
        return user

    def custom_redirect(self, user, relay_state, session_info):
        from ukcn.roles import user_roles

        if not user.is_superuser and not user_roles(user):
            return reverse("sso:no_role")
        return None


def _logout_request_signed(conf: SPConfig, data, binding: str) -> bool:
    """Does this LogoutRequest carry a valid signature of the IdP? (djangosaml2 does not ask
    pysaml2 to check; without it, any page could log a user out of ukcn.)"""
    certs = [
        cert
        for idp in available_idps(conf)
        for _, cert in conf.metadata.certs(idp, "idpsso", "signing")
    ]
    if binding == saml2.BINDING_HTTP_REDIRECT:
        if not (data.get("Signature") and data.get("SigAlg")):
            return False
        message = {
            k: data[k] for k in ("SAMLRequest", "RelayState", "SigAlg", "Signature") if k in data
        }
        backend = security_context(conf).sec_backend
        try:
            return any(verify_redirect_signature(message, backend, cert) for cert in certs)
        except (saml2.SAMLError, ValueError):
            return False
    # HTTP-POST: pysaml2 verifies an enveloped signature when there is one; require one.
    try:
        root = etree.fromstring(
            base64.b64decode(data["SAMLRequest"]),
            parser=etree.XMLParser(resolve_entities=False),
        )
    except (ValueError, etree.XMLSyntaxError):
        return False
    return root.find("{http://www.w3.org/2000/09/xmldsig#}Signature") is not None


class SamlLogoutServiceView(_Enabled, saml_views.LogoutView):
    """The IdP's answer to ukcn's logout request, or its own request (logout elsewhere)."""

    def do_logout_service(self, request, data, binding, *args, **kwargs):
        if "SAMLRequest" in data and not _logout_request_signed(
            self.get_sp_config(request), data, binding
        ):
            return render(request, "sso/logout_refused.html", status=403)
        return super().do_logout_service(request, data, binding, *args, **kwargs)


class SamlMetadataView(_Enabled, saml_views.MetadataView):
    """ukcn's own metadata: served even before the IdP's can be had (federation registration
    comes first)."""

    def get_sp_config(self, request):
        return sp_config(request, with_idp=False)


def provider_logout_url(request) -> str | None:
    """Where to send a browser leaving ukcn so the IdP ends its session too (SAML single
    logout, HTTP-Redirect binding), or None when there is nowhere to send it."""
    if not (settings.SAML_ENABLED and settings.SAML_SINGLE_LOGOUT):
        return None
    if request.session.get(BACKEND_SESSION_KEY) != BACKEND:
        return None
    subject_id = saml_views._get_subject_id(request.saml_session)
    if subject_id is None:
        return None
    try:
        state = StateCache(request.saml_session)
        client = Saml2Client(
            sp_config(request),
            state_cache=state,
            identity_cache=IdentityCache(request.saml_session),
        )
        result = client.global_logout(subject_id)
        state.sync()
    except (SamlUnavailable, saml2.SAMLError, saml2.s_utils.UnsupportedBinding, KeyError):
        return None
    for info in (result or {}).values():
        if isinstance(info, tuple) and info[0] == saml2.BINDING_HTTP_REDIRECT:
            return get_location(info[1])
    return None
