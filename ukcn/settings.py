"""Settings for ukcn, read from environment variables.

Development defaults are safe and local (SQLite under var/, DEBUG on, localhost only).
With DEBUG off the app refuses to start without a real SECRET_KEY.
"""

import base64
import binascii
import hashlib
import hmac
import ipaddress
import os
import re
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105


def envbool(name: str, default: bool) -> bool:
    """Read a boolean environment variable; refuse anything that is not clearly yes or no."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean: use one of 1/0, true/false, yes/no, on/off."
    )


def envint(name: str, default: int) -> int:
    """Read an integer environment variable, failing loudly on a bad value."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def envfraction(name: str, default: float) -> float:
    """Read a number between 0 and 1 from the environment, failing loudly on a bad value."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number between 0 and 1.")
    return value


def envchoice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """Read an environment variable that must be one of `choices` (case-insensitive)."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value not in {c.lower() for c in choices}:
        raise ImproperlyConfigured(f"{name}={raw!r} is not one of {', '.join(choices)}.")
    return next(c for c in choices if c.lower() == value)


def envrate(name: str, default: str) -> str:
    """Read a throttle rate such as 120/min (a whole number per sec, min, hour or day)."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip()
    number, _, period = value.partition("/")
    if (
        not number.isdigit()
        or int(number) < 1
        or period not in {"sec", "min", "hour", "day", "s", "m", "h", "d"}
    ):
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a rate: give a whole number per sec, min, hour or day "
            "(e.g. 120/min)."
        )
    return value


def envlist(name: str, default: str) -> list[str]:
    """Read a comma-separated environment variable as a list of non-empty items."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def envnetworks(name: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Read comma-separated addresses or networks (10.0.0.1, 10.0.0.0/8, ::1), failing loudly."""
    networks = []
    for item in envlist(name, ""):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} entry {item!r} is not an IP address or network (e.g. 10.0.0.0/8)."
            ) from None
    return networks


def envkeys(name: str) -> dict[str, bytes]:
    """Read comma-separated `id:base64key` pairs (keys of 32+ bytes), failing loudly; never
    echoing a key in the error."""
    keys = {}
    for position, item in enumerate(envlist(name, ""), start=1):
        key_id, _, encoded = (part.strip() for part in item.partition(":"))
        if not encoded or not re.fullmatch(r"[A-Za-z0-9_-]{1,32}", key_id):
            raise ImproperlyConfigured(
                f"{name} entry {position} is not id:base64key (an id of letters, digits, - or _)."
            )
        try:
            key = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            raise ImproperlyConfigured(f"{name} key {key_id!r} is not base64.") from None
        if len(key) < 32:
            raise ImproperlyConfigured(
                f"{name} key {key_id!r} is too short: use 32 random bytes or more."
            )
        if key_id in keys:
            raise ImproperlyConfigured(f"{name} names the key id {key_id!r} twice.")
        keys[key_id] = key
    return keys


DEBUG = envbool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (e.g. python -c "
            "'import secrets; print(secrets.token_urlsafe(50))')."
        )
    SECRET_KEY = _DEV_SECRET_KEY
elif not DEBUG and (SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak for production: use at least 32 random characters."
    )

# The audit trail's HMAC keys live here, outside the database: someone who can write to the
# database cannot sign an event. New events are signed with AUDIT_HMAC_KEY_ID; older ids stay
# listed so that the events they signed still verify after a rotation.
AUDIT_HMAC_KEYS = envkeys("AUDIT_HMAC_KEYS")
if not AUDIT_HMAC_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured(
            'AUDIT_HMAC_KEYS must be set when DEBUG is off (e.g. python -c "import base64, '
            "secrets; print('k1:' + base64.b64encode(secrets.token_bytes(32)).decode())\")."
        )
    # Development only: derived from SECRET_KEY, so `make run` needs no configuration.
    AUDIT_HMAC_KEYS = {"dev": hmac.new(SECRET_KEY.encode(), b"ukcn audit", hashlib.sha256).digest()}
AUDIT_HMAC_KEY_ID = os.environ.get("AUDIT_HMAC_KEY_ID", "").strip()
if not AUDIT_HMAC_KEY_ID and len(AUDIT_HMAC_KEYS) == 1:
    AUDIT_HMAC_KEY_ID = next(iter(AUDIT_HMAC_KEYS))
if AUDIT_HMAC_KEY_ID not in AUDIT_HMAC_KEYS:
    raise ImproperlyConfigured(
        f"AUDIT_HMAC_KEY_ID={AUDIT_HMAC_KEY_ID!r} must name one of the AUDIT_HMAC_KEYS ids "
        f"({', '.join(AUDIT_HMAC_KEYS)}): the key that signs new events."
    )
# Where the scheduler appends the audit trail's head (one JSON line per publication): a file
# the application cannot rewrite (append-only, or shipped elsewhere); empty: logged only.
AUDIT_HEAD_FILE = os.environ.get("AUDIT_HEAD_FILE", "").strip()

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
for _origin in CSRF_TRUSTED_ORIGINS:
    if not _origin.startswith(("http://", "https://")):
        raise ImproperlyConfigured(
            f"CSRF_TRUSTED_ORIGINS entry {_origin!r} must start with http:// or https://."
        )

INSTALLED_APPS = [
    "ukcn",
    "assessments",
    "guidance",
    "demo",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "ukcn.sso",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Early: hostile input (NULs, lone surrogates, over-deep JSON) gets a 400 before any view.
    "ukcn.input_guard.InputGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # request.saml_session: SAML sign-in state, in a cookie the IdP's POST carries back.
    "djangosaml2.middleware.SamlSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Marks request.user verified when this session passed a second factor (django-otp).
    "django_otp.middleware.OTPMiddleware",
    "ukcn.middleware.NoStoreForAuthenticatedMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A service's refusal a view let through: 403 page, or back with the sentence shown.
    "ukcn.middleware.RefusalMiddleware",
    # After messages: an idle or over-age session is logged out with a word on the login page.
    "ukcn.middleware.SessionTimeoutMiddleware",
    # Staff and those who decide verify a second factor before any page (ukcn/mfa.py).
    "ukcn.middleware.MfaRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ukcn.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ukcn.context_processors.roles",
                "assessments.context_processors.notifications",
            ],
        },
    },
]

# Django's renderer with <select> built in Python: option templates dominated form pages.
FORM_RENDERER = "ukcn.form_renderer.FormRenderer"

WSGI_APPLICATION = "ukcn.wsgi.application"

_default_db = f"sqlite:///{BASE_DIR / 'var' / 'ukcn.sqlite3'}"
try:
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ.get("DATABASE_URL", "") or _default_db,
            # Persistent connections in production (opening one per request cost a fifth of
            # the throughput under `make load`); none with runserver, which threads per request.
            conn_max_age=envint("DB_CONN_MAX_AGE", 0 if DEBUG else 60),
            conn_health_checks=True,
        )
    }
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Its folder is created by ukcn.apps on start-up (settings create nothing on import).
    # WAL lets readers carry on while an import writes; a busy wait beats "database is locked";
    # IMMEDIATE transactions take the write lock up front, so two writers queue instead of
    # failing when one finds its read snapshot stale (the audit chain relies on this).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL;",
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes counts failed logins (the login page, the admin's, any `authenticate` call with
# a request) and refuses a username from an address after too many; ModelBackend logs in.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend that honours LOCAL_LOGIN (local passwords for all, superusers only, or none).
    "ukcn.sso.backends.LocalPasswordBackend",
]
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", 15) / 60  # hours, as axes reads it
# Lock the pair, so a guesser cannot lock a colleague out from another address.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "ukcn.lockout.login_locked_out"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "assessments.audit.client_ip"
# The reverse proxies whose X-Forwarded-For is believed (addresses or networks); with none,
# the client's address is REMOTE_ADDR, as the web server saw it.
TRUSTED_PROXIES = envnetworks("TRUSTED_PROXIES")

# Two-factor authentication (TOTP and recovery codes, ukcn/mfa.py) for staff and for those who
# decide or sign off requests: required by default with DEBUG off, not in development (so
# `make run` and the demo accounts need no app). Read from the environment here, at import:
# Django's test runner turns settings.DEBUG off later, which must not switch this on.
MFA_REQUIRED = envbool("MFA_REQUIRED", not DEBUG)
# The name authenticator apps show beside the account.
OTP_TOTP_ISSUER = os.environ.get("MFA_ISSUER", "ukcn")
# Single sign-on (ukcn/sso/). Local passwords: "all" (development), "superusers" (the
# break-glass administrators only, everyone else signs in with the identity provider), "off".
LOCAL_LOGIN = envchoice("LOCAL_LOGIN", "all", ("all", "superusers", "off"))
SSO_INSTITUTION = os.environ.get("SSO_INSTITUTION", "").strip() or "your institution"
# OpenID Connect (mozilla-django-oidc), off by default. Endpoints come from the provider's
# discovery document (e.g. Entra ID's .../v2.0/.well-known/openid-configuration).
OIDC_ENABLED = envbool("OIDC_ENABLED", False)
OIDC_OP_ISSUER = os.environ.get("OIDC_OP_ISSUER", "").strip()
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "").strip()
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "").strip()
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "").strip()
OIDC_OP_LOGOUT_ENDPOINT = os.environ.get("OIDC_OP_LOGOUT_ENDPOINT", "").strip()
OIDC_OP_USER_ENDPOINT = ""  # unused: every claim is read from the signed ID token
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "").strip()
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "").strip()
OIDC_RP_SIGN_ALGO = envchoice("OIDC_RP_SIGN_ALGO", "RS256", ("RS256", "RS384", "RS512", "ES256"))
OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid email profile").strip()
OIDC_USERNAME_CLAIM = os.environ.get("OIDC_USERNAME_CLAIM", "sub").strip()
OIDC_GROUPS_CLAIM = os.environ.get("OIDC_GROUPS_CLAIM", "groups").strip()
OIDC_DEPARTMENT_CLAIM = os.environ.get("OIDC_DEPARTMENT_CLAIM", "department").strip()
OIDC_TIMEOUT = envint("OIDC_TIMEOUT", 10)
OIDC_USE_PKCE = True
OIDC_STORE_ID_TOKEN = True  # the hint for RP-initiated logout
OIDC_AUTHENTICATION_CALLBACK_URL = "sso:oidc_callback"
_oidc_missing = [
    name
    for name in (
        "OIDC_OP_ISSUER",
        "OIDC_OP_AUTHORIZATION_ENDPOINT",
        "OIDC_OP_TOKEN_ENDPOINT",
        "OIDC_OP_JWKS_ENDPOINT",
        "OIDC_RP_CLIENT_ID",
        "OIDC_RP_CLIENT_SECRET",
    )
    if OIDC_ENABLED and not globals()[name]
]
if _oidc_missing:
    raise ImproperlyConfigured(f"OIDC_ENABLED=true also needs {', '.join(_oidc_missing)}.")
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("ukcn.sso.oidc.OidcBackend")
# SAML 2.0 (djangosaml2 on pysaml2, which calls Debian's xmlsec1), off by default. The IdP's
# metadata comes from a URL (fetched through ukcn/fetch.py's rules) or a file; the service
# provider's key and certificate sign requests and decrypt assertions; /saml/metadata/ shows
# the federation what to register. Attribute names are tried in order, first present wins.
SAML_ENABLED = envbool("SAML_ENABLED", False)
SAML_IDP_METADATA_URL = os.environ.get("SAML_IDP_METADATA_URL", "").strip()
SAML_IDP_METADATA_FILE = os.environ.get("SAML_IDP_METADATA_FILE", "").strip()
# The federation's metadata-signing certificate (PEM): when set, the IdP metadata must carry
# its valid signature (the UK federation signs its aggregate and its MDQ answers).
SAML_IDP_METADATA_CERT = os.environ.get("SAML_IDP_METADATA_CERT", "").strip()
# Seconds the IdP metadata fetched from the URL is used before it is fetched again.
SAML_METADATA_REFRESH = envint("SAML_METADATA_REFRESH", 3600)
SAML_SP_KEY_FILE = os.environ.get("SAML_SP_KEY_FILE", "").strip()
SAML_SP_CERT_FILE = os.environ.get("SAML_SP_CERT_FILE", "").strip()
# Empty: SITE_URL + /saml/metadata/, as federations like.
SAML_ENTITY_ID = os.environ.get("SAML_ENTITY_ID", "").strip()
# The stable identifier a username is made from: never the e-mail. "NameID" is a persistent
# NameID (a transient one changes at each login and is never used).
SAML_USERNAME_ATTRIBUTES = envlist(
    "SAML_USERNAME_ATTRIBUTES",
    "eduPersonUniqueId,eduPersonPrincipalName,eduPersonTargetedID,NameID",
)
SAML_GROUPS_ATTRIBUTES = envlist("SAML_GROUPS_ATTRIBUTES", "eduPersonEntitlement,isMemberOf")
SAML_DEPARTMENT_ATTRIBUTES = envlist("SAML_DEPARTMENT_ATTRIBUTES", "ou,department")
SAML_EMAIL_ATTRIBUTE = os.environ.get("SAML_EMAIL_ATTRIBUTE", "mail").strip()
SAML_GIVEN_NAME_ATTRIBUTE = os.environ.get("SAML_GIVEN_NAME_ATTRIBUTE", "givenName").strip()
SAML_SURNAME_ATTRIBUTE = os.environ.get("SAML_SURNAME_ATTRIBUTE", "sn").strip()
# Single logout: ukcn's logout also ends the IdP's session when its metadata names a
# SingleLogoutService; off, logout ends the ukcn session only.
SAML_SINGLE_LOGOUT = envbool("SAML_SINGLE_LOGOUT", True)
SAML_TIMEOUT = envint("SAML_TIMEOUT", 10)
if SAML_ENABLED:
    from ukcn.sso.saml_settings import saml_settings_check

    saml_settings_check(
        metadata_url=SAML_IDP_METADATA_URL,
        metadata_file=SAML_IDP_METADATA_FILE,
        metadata_cert=SAML_IDP_METADATA_CERT,
        key_file=SAML_SP_KEY_FILE,
        cert_file=SAML_SP_CERT_FILE,
    )
    AUTHENTICATION_BACKENDS.append("ukcn.sso.saml.SamlBackend")
# djangosaml2: the AuthnRequest goes by redirect (a POST form would need an inline script);
# its state lives in a session of its own, whose cookie is sent with the IdP's cross-site
# POST to the assertion consumer service (SameSite=None).
SAML_DEFAULT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
SAML_LOGOUT_REQUEST_PREFERRED_BINDING = SAML_DEFAULT_BINDING  # never a SOAP back-channel
SAML_CONFIG_LOADER = "ukcn.sso.saml.sp_config"
SAML_CSP_HANDLER = ""
SAML_IGNORE_AUTHENTICATED_USERS_ON_LOGIN = True
SAML_CREATE_UNKNOWN_USER = False
if LOCAL_LOGIN != "all" and not (OIDC_ENABLED or SAML_ENABLED):
    raise ImproperlyConfigured(
        f"LOCAL_LOGIN={LOCAL_LOGIN} needs single sign-on (OIDC_ENABLED or SAML_ENABLED)."
    )

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# A browser session ends after SESSION_COOKIE_AGE in all, or SESSION_IDLE_SECONDS unused,
# whichever comes first (ukcn.middleware.SessionTimeoutMiddleware), and with the browser.
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_IDLE_SECONDS = envint("SESSION_IDLE_SECONDS", 30 * 60)
if not 60 <= SESSION_IDLE_SECONDS <= SESSION_COOKIE_AGE:
    raise ImproperlyConfigured(
        f"SESSION_IDLE_SECONDS={SESSION_IDLE_SECONDS} must be from 60 up to SESSION_COOKIE_AGE ({SESSION_COOKIE_AGE})."
    )
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
# Secure cookies in production; the load test turns them off to drive plain HTTP on loopback.
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
SAML_SESSION_COOKIE_NAME = "__Host-saml_session" if SESSION_COOKIE_SECURE else "saml_session"
# SameSite=None (so the IdP's cross-site POST carries it) needs Secure; plain-http development
# with an IdP on the same site makes do with Lax.
SAML_SESSION_COOKIE_SAMESITE = "None" if SESSION_COOKIE_SECURE else "Lax"
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
# With DEBUG off the cookies are named __Host-...: browsers then take them only when Secure,
# for path / and with no Domain, so neither a sibling subdomain nor a plain-http page can set
# or overwrite them. Both stay host-only and site-wide whatever the names.
SESSION_COOKIE_DOMAIN = CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_PATH = CSRF_COOKIE_PATH = "/"
SESSION_COOKIE_NAME = os.environ.get(
    "SESSION_COOKIE_NAME", "sessionid" if DEBUG else "__Host-sessionid"
)
CSRF_COOKIE_NAME = os.environ.get("CSRF_COOKIE_NAME", "csrftoken" if DEBUG else "__Host-csrftoken")
for _cookie, _secure in (
    (SESSION_COOKIE_NAME, SESSION_COOKIE_SECURE),
    (CSRF_COOKIE_NAME, CSRF_COOKIE_SECURE),
):
    if _cookie.startswith("__Host-") and not _secure:
        raise ImproperlyConfigured(
            f"Cookie {_cookie} needs Secure: browsers drop a __Host- cookie without it (name it without __Host- to serve plain http)."
        )
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# The preload directive only permits submission to browsers' preload list; it submits nothing.
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Scripts only from our own origin: no inline scripts, no eval, no CDN. Inline style
# attributes stay allowed because Bootstrap components and the Django admin use them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English (UK)")]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "ukcn" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))

CACHES = {
    # Each process's own memory: what any process can rebuild from the database (the
    # dashboard's portfolio figures).
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Files every worker on the machine reads: counts that must see every call once (the
    # API's rate limits), whichever worker served it.
    "shared": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": Path(os.environ.get("CACHE_DIR", BASE_DIR / "var" / "cache")),
    },
}
MEDIA_URL = "/media/"  # never served directly: attachments go through a permission check

# Guidance sharing: this instance's name in shared feeds, and the tokens peers fetch it with
# (comma-separated; empty means only logged-in users can read the feed).
GUIDANCE_INSTITUTION = os.environ.get("GUIDANCE_INSTITUTION", "This institution")
GUIDANCE_FEED_TOKENS = envlist("GUIDANCE_FEED_TOKENS", "")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ukcn@localhost")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 30)
# Where links in e-mails point: the address users reach the app at.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_URL={SITE_URL!r} must start with http:// or https://.")
# Local hour (0-23) after which the scheduler sends the daily digests.
NOTIFICATION_DIGEST_HOUR = envint("NOTIFICATION_DIGEST_HOUR", 7)
if not 0 <= NOTIFICATION_DIGEST_HOUR <= 23:
    raise ImproperlyConfigured(
        f"NOTIFICATION_DIGEST_HOUR={NOTIFICATION_DIGEST_HOUR} must be an hour from 0 to 23."
    )

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "ukcn.api_auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # The API speaks JSON only; a form-encoded body is a 415.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "assessments.api.pagination.ApiPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "assessments.api.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "ukcn.api_errors.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {"screening": envrate("API_SCREENING_RATE", "120/min")},
    "UNICODE_JSON": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ukcn API",
    "DESCRIPTION": (
        "Partnership requests, screening, assessments, watchlists and guidance, with the "
        "web interface's permissions. Errors are JSON with an `error` sentence: 400 for bad "
        "input (`fields`), 401/403/404, 409 when the workflow refuses an action on a request "
        "(`code` workflow_refused) or the `version` is stale (`code` version_conflict), 429 "
        "when screening too fast."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "TierEnum": "assessments.models.requests.Tier",
        "RequestStatusEnum": "assessments.models.requests.RequestStatus",
        "DecisionOutcomeEnum": "assessments.api.review_serializers.DECISION_OUTCOME_CHOICES",
        "MatchStatusEnum": "assessments.models.screening.MatchStatus",
        "SignOffStatusEnum": "assessments.models.requests.SignOff.Status",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": envchoice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")),
    },
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint and fontTools log every layout step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # axes logs every successful log-in at INFO; failures and lock-outs come at WARNING.
        "axes": {"level": "WARNING"},
        # pysaml2 logs each assertion's subject and attributes (personal data) at INFO, and
        # xmlschema each schema it loads.
        "saml2": {"level": "WARNING"},
        "djangosaml2": {"level": "WARNING"},
        "xmlschema": {"level": "WARNING"},
    },
}

# Attachments: largest accepted upload, and the file types accepted (checked by extension and
# by the file's leading bytes; see assessments/attachments.py for the known types).
ATTACHMENT_MAX_BYTES = envint("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
ATTACHMENT_ALLOWED_EXTENSIONS = envlist(
    "ATTACHMENT_ALLOWED_EXTENSIONS", "pdf,docx,xlsx,odt,doc,png,jpg,jpeg,txt,csv"
)
# Every decision sets the next review date this many days ahead (continuous engagement).
REVIEW_PERIOD_DAYS = envint("REVIEW_PERIOD_DAYS", 365)
# Background work (watchlist imports from URLs and uploads) goes through Django's tasks API:
# `manage.py db_worker` runs the queued tasks. TASKS_BACKEND=immediate runs them in-process.
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if envchoice("TASKS_BACKEND", "database", ("database", "immediate")) == "immediate"
        else "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# Every outbound fetch (watchlists, guidance feeds; ukcn/fetch.py) refuses plain http and
# hosts that resolve to anything not globally routable unless allowed here (no SSRF). The
# names say "watchlist" because watchlists were the first to fetch.
WATCHLIST_ALLOW_HTTP = envbool("WATCHLIST_ALLOW_HTTP", False)
WATCHLIST_ALLOWED_PRIVATE_HOSTS = envlist("WATCHLIST_ALLOWED_PRIVATE_HOSTS", "")
WATCHLIST_MAX_BYTES = envint("WATCHLIST_MAX_BYTES", 200 * 1024 * 1024)
WATCHLIST_CONNECT_TIMEOUT = envint("WATCHLIST_CONNECT_TIMEOUT", 10)
WATCHLIST_READ_TIMEOUT = envint("WATCHLIST_READ_TIMEOUT", 60)
WATCHLIST_MAX_REDIRECTS = envint("WATCHLIST_MAX_REDIRECTS", 3)
# The whole of a watchlist download, however slowly the server sends (seconds).
WATCHLIST_FETCH_DEADLINE = envint("WATCHLIST_FETCH_DEADLINE", 600)
# Certificate authorities outbound https trusts instead of the bundled Mozilla list (a PEM
# file, e.g. with the university's own CA for an intranet host); empty: the bundled list.
OUTBOUND_CA_BUNDLE = os.environ.get("OUTBOUND_CA_BUNDLE", "").strip()
# Extra importer classes by dotted path, besides the built-ins and the
# `ukcn.watchlist_importers` entry point group.
UKCN_WATCHLIST_IMPORTERS = envlist("UKCN_WATCHLIST_IMPORTERS", "")
# Screening: names scoring at or above this are potential matches (chosen from the evaluation
# set, see tests/data/screening_eval.json); the admin's screening settings override it.
SCREENING_THRESHOLD = envfraction("SCREENING_THRESHOLD", 0.85)
# The screening index, built when a list version activates, as files every worker of the
# machine loads (see docs/screening.md); writable only by the user the application runs as.
SCREENING_INDEX_DIR = Path(
    os.environ.get("SCREENING_INDEX_DIR", BASE_DIR / "var" / "screening-index")
)
# People on requests (docs/people.md): their personal fields are erased this many days after the
# request closed (declined or withdrawn, or an approved partnership past its end date).
PEOPLE_RETENTION_DAYS = envint("PEOPLE_RETENTION_DAYS", 6 * 365)
# A person without a required ATAS certificate whose start is this near shows "may not start";
# the reminders go this many days before a start date and before a certificate expires.
ATAS_WARNING_DAYS = envint("ATAS_WARNING_DAYS", 30)
