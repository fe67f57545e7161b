"""Revoke a user's API tokens when their password changes or they are deactivated.

A signal rather than a call in each service: a password changes on the user's own page, in
the admin, through `manage.py changepassword` or single sign-on, and an account is
deactivated in the admin's user list, its change form or by the identity provider. Every one
of them saves the user, so this is the one place that sees them all.
"""

from django.conf import settings
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from .api_tokens import api_tokens_revoke_all

_WATCHED = {"password", "is_active"}


@receiver(pre_save, sender=settings.AUTH_USER_MODEL)
def note_credential_change(sender, instance, update_fields=None, raw=False, **kwargs):
    """Compare with the stored row: what would make the user's tokens outlive their trust."""
    instance._ukcn_credentials_changed = None
    if raw or instance.pk is None:
        return
    if update_fields is not None and not (_WATCHED & set(update_fields)):
        return  # e.g. the last-login stamp on every log-in: nothing to compare
    stored = sender.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if stored is None:
        return
    # A new password goes through set_password(), which keeps the raw one until the save; a
    # hash upgraded at log-in (same password, newer hasher) does not, and revokes nothing.
    password_set = getattr(instance, "_password", None) is not None
    if stored["is_active"] and not instance.is_active:
        instance._ukcn_credentials_changed = "the user was deactivated"
    elif stored["password"] != instance.password and (
        password_set or not instance.has_usable_password()
    ):
        instance._ukcn_credentials_changed = "the user's password changed"


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def revoke_tokens_after_credential_change(sender, instance, created=False, raw=False, **kwargs):
    reason = getattr(instance, "_ukcn_credentials_changed", None)
    if reason and not raw:
        instance._ukcn_credentials_changed = None
        api_tokens_revoke_all(user=instance, reason=reason)
