"""The local-password backend, honouring LOCAL_LOGIN."""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend


def local_login_allowed(user) -> bool:
    """May this user log in with a local password under LOCAL_LOGIN?"""
    mode = settings.LOCAL_LOGIN
    return mode == "all" or (mode == "superusers" and user.is_superuser)


class LocalPasswordBackend(ModelBackend):
    """Django's ModelBackend, refusing local passwords that LOCAL_LOGIN does not allow."""

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and local_login_allowed(user)
