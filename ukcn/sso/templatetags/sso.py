from django import template
from django.conf import settings
from django.urls import reverse

register = template.Library()


@register.simple_tag
def sso_login() -> dict:
    """What the login page offers: the single sign-on buttons and the local-login mode."""
    providers = []
    if settings.OIDC_ENABLED:
        providers.append({"url": reverse("sso:oidc_login"), "label": settings.SSO_INSTITUTION})
    return {"providers": providers, "local_login": settings.LOCAL_LOGIN}
