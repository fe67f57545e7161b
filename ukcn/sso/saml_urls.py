"""/saml/: the service provider's endpoints (the federation registers these addresses)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from . import saml

app_name = "saml"
urlpatterns = [
    path("login/", login_not_required(saml.SamlLoginView.as_view()), name="login"),
    path("acs/", login_not_required(saml.SamlAcsView.as_view()), name="acs"),
    path("ls/", login_not_required(saml.SamlLogoutServiceView.as_view()), name="ls"),
    path("ls/post/", login_not_required(saml.SamlLogoutServiceView.as_view()), name="ls_post"),
    path("metadata/", login_not_required(saml.SamlMetadataView.as_view()), name="metadata"),
]
