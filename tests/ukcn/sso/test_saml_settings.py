"""SAML_* settings: off by default, and a configuration that could not work stops start-up with
one line naming the setting."""

import pytest

from ..test_settings import run_check
from .saml_idp import keypair


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    directory = tmp_path_factory.mktemp("saml-settings")
    key, cert = keypair(directory, "sp")
    _, other_cert = keypair(directory, "other")
    metadata = directory / "idp.xml"
    metadata.write_text('<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"/>')
    not_metadata = directory / "page.html"
    not_metadata.write_text("<html>Shibboleth</html>")
    return {
        "key": key,
        "cert": cert,
        "other_cert": other_cert,
        "metadata": str(metadata),
        "not_metadata": str(not_metadata),
    }


def saml_env(files, **changes):
    env = {
        "SAML_ENABLED": "true",
        "SAML_IDP_METADATA_FILE": files["metadata"],
        "SAML_SP_KEY_FILE": files["key"],
        "SAML_SP_CERT_FILE": files["cert"],
    }
    env.update(changes)
    return {k: v for k, v in env.items() if v is not None}


def test_a_complete_saml_configuration_starts(files):
    result = run_check(**saml_env(files), LOCAL_LOGIN="superusers")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "changes, message",
    [
        (
            {"SAML_IDP_METADATA_FILE": None},
            "SAML_ENABLED=true needs exactly one of SAML_IDP_METADATA_URL and "
            "SAML_IDP_METADATA_FILE",
        ),
        (
            {"SAML_IDP_METADATA_URL": "https://idp.example.ac.uk/idp/shibboleth"},
            "SAML_ENABLED=true needs exactly one of SAML_IDP_METADATA_URL",
        ),
        (
            {"SAML_IDP_METADATA_FILE": None, "SAML_IDP_METADATA_URL": "idp.example.ac.uk"},
            "SAML_IDP_METADATA_URL='idp.example.ac.uk' must start with https://.",
        ),
        (
            {"SAML_IDP_METADATA_FILE": "/nonexistent/idp.xml"},
            "SAML_IDP_METADATA_FILE='/nonexistent/idp.xml' cannot be read: No such file",
        ),
        ({"SAML_IDP_METADATA_FILE": "not_metadata"}, "is not SAML metadata (no EntityDescriptor)"),
        ({"SAML_SP_KEY_FILE": None}, "SAML_ENABLED=true also needs SAML_SP_KEY_FILE."),
        ({"SAML_SP_KEY_FILE": "cert"}, "is not an unencrypted PEM private key."),
        ({"SAML_SP_CERT_FILE": "key"}, "is not a PEM certificate."),
        ({"SAML_IDP_METADATA_CERT": "key"}, "SAML_IDP_METADATA_CERT="),
        ({"SAML_SP_CERT_FILE": "other_cert"}, "is not the certificate of SAML_SP_KEY_FILE's key."),
    ],
)
def test_a_bad_saml_setting_stops_start_up_with_one_line(files, changes, message):
    changes = {k: files.get(v, v) if v else v for k, v in changes.items()}
    result = run_check(**saml_env(files, **changes))
    assert result.returncode != 0
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
