"""Log-in forms that refuse an over-long username before it reaches authentication."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator


def _limit_username(form):
    # Django sets the username field's max_length after construction, so its validator is
    # missing: an over-long name would reach the backends and django-axes, whose attempt log
    # is a varchar(255) that PostgreSQL refuses to overflow (a 500).
    field = form.fields["username"]
    field.validators.append(MaxLengthValidator(field.max_length or 150))


class LoginForm(AuthenticationForm):
    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        _limit_username(self)


class AdminLoginForm(AdminAuthenticationForm):
    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        _limit_username(self)
