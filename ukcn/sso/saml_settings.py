"""The startup check of the SAML_* settings: one readable line on what is wrong.

Imported by ukcn/settings.py when SAML_ENABLED is on, so it must not import Django models.
"""

from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.core.exceptions import ImproperlyConfigured


def _readable(name: str, value: str) -> bytes:
    if not value:
        raise ImproperlyConfigured(f"SAML_ENABLED=true also needs {name}.")
    try:
        return Path(value).read_bytes()
    except OSError as exc:
        raise ImproperlyConfigured(
            f"{name}={value!r} cannot be read: {exc.strerror or exc}."
        ) from None


def saml_settings_check(
    *, metadata_url: str, metadata_file: str, metadata_cert: str, key_file: str, cert_file: str
):
    """Refuse a SAML configuration that could not work, in one line naming the setting."""
    if bool(metadata_url) == bool(metadata_file):
        raise ImproperlyConfigured(
            "SAML_ENABLED=true needs exactly one of SAML_IDP_METADATA_URL and "
            "SAML_IDP_METADATA_FILE (the identity provider's metadata)."
        )
    if metadata_url and not metadata_url.startswith(("https://", "http://")):
        raise ImproperlyConfigured(
            f"SAML_IDP_METADATA_URL={metadata_url!r} must start with https://."
        )
    if metadata_file and b"EntityDescriptor" not in _readable(
        "SAML_IDP_METADATA_FILE", metadata_file
    ):
        raise ImproperlyConfigured(
            f"SAML_IDP_METADATA_FILE={metadata_file!r} is not SAML metadata (no EntityDescriptor)."
        )
    if metadata_cert:
        try:
            x509.load_pem_x509_certificate(_readable("SAML_IDP_METADATA_CERT", metadata_cert))
        except ValueError:
            raise ImproperlyConfigured(
                f"SAML_IDP_METADATA_CERT={metadata_cert!r} is not a PEM certificate."
            ) from None
    try:
        key = serialization.load_pem_private_key(
            _readable("SAML_SP_KEY_FILE", key_file), password=None
        )
    except (ValueError, TypeError):
        raise ImproperlyConfigured(
            f"SAML_SP_KEY_FILE={key_file!r} is not an unencrypted PEM private key."
        ) from None
    try:
        cert = x509.load_pem_x509_certificate(_readable("SAML_SP_CERT_FILE", cert_file))
    except ValueError:
        raise ImproperlyConfigured(
            f"SAML_SP_CERT_FILE={cert_file!r} is not a PEM certificate."
        ) from None
    if cert.public_key().public_numbers() != key.public_key().public_numbers():
        raise ImproperlyConfigured(
            f"SAML_SP_CERT_FILE={cert_file!r} is not the certificate of SAML_SP_KEY_FILE's key."
        )
