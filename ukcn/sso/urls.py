from django.contrib.auth.decorators import login_not_required
from django.urls import path

from . import oidc, views

app_name = "sso"
urlpatterns = [
    path("oidc/login/", login_not_required(oidc.OidcLoginView.as_view()), name="oidc_login"),
    path(
        "oidc/callback/", login_not_required(oidc.OidcCallbackView.as_view()), name="oidc_callback"
    ),
    path("no-role/", views.no_role, name="no_role"),
]
