"""Deployment checks of ukcn's own settings, run by `manage.py check --deploy`."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def mfa_required_check(app_configs, **kwargs):
    """Warn when production lets staff and deciding roles in with a password alone."""
    if settings.MFA_REQUIRED:
        return []
    return [
        Warning(
            "MFA_REQUIRED is off: staff and the roles that decide or sign off requests log in "
            "with a password alone.",
            hint="Unset MFA_REQUIRED (on by default with DEBUG off) or set it to true.",
            id="ukcn.W001",
        )
    ]
