from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from assessments.views.dashboard import dashboard

from . import mfa_views, views
from .login_forms import LoginForm
from .sso import views as sso_views

urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"
    ),
    path("accounts/logout/", sso_views.logout, name="logout"),
    path("sso/", include("ukcn.sso.urls")),
    path("saml/", include("ukcn.sso.saml_urls")),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/mfa/", mfa_views.mfa_manage, name="mfa_manage"),
    path("accounts/mfa/enrol/", mfa_views.mfa_enrol, name="mfa_enrol"),
    path("accounts/mfa/verify/", mfa_views.mfa_verify_view, name="mfa_verify"),
    path("accounts/mfa/recovery-codes/", mfa_views.mfa_recovery_codes, name="mfa_recovery_codes"),
    path("admin/", admin.site.urls),
    path("accounts/tokens/", views.api_tokens, name="api_tokens"),
    path(
        "accounts/tokens/<int:token_id>/revoke/",
        views.api_token_revoke_view,
        name="api_token_revoke",
    ),
    path("api/v1/", include("assessments.api.urls")),
    path("guidance/", include("guidance.urls")),
    path("", include("assessments.urls")),
]

handler404 = "ukcn.api_errors.not_found"
