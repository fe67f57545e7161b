from django import template
from django.conf import settings
from django.urls import reverse

register = template.Library()


@register.simple_tag
def sso_login() -> dict:
    """What the login page offers: the single sign-on buttons and the local-login mode."""
    configured = [
        (settings.OIDC_ENABLED, "sso:oidc_login", "OpenID Connect"),
        (settings.SAML_ENABLED, "saml:login", "SAML"),
    ]
    enabled = [(url, protocol) for on, url, protocol in configured if on]
    providers = [
        {
            "url": reverse(url),
            # Both at once (a migration between the two): say which is which.
            "label": settings.SSO_INSTITUTION + (f" ({protocol})" if len(enabled) > 1 else ""),
        }
        for url, protocol in enabled
    ]
    return {"providers": providers, "local_login": settings.LOCAL_LOGIN}
