"""/saml/: the service provider's endpoints (the federation registers these addresses)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from . import saml

app_name = "saml"
urlpatterns = [
    path("login/", login_not_required(saml.SamlLoginView.as_view()), name="login"),
    # The IdP's signed messages arrive by cross-site POST: no CSRF token, by design; pysaml2
    # checks they answer a request of this browser's session.
    path("acs/", csrf_exempt(login_not_required(saml.SamlAcsView.as_view())), name="acs"),
    path("ls/", csrf_exempt(login_not_required(saml.SamlLogoutServiceView.as_view())), name="ls"),
    path(
        "ls/post/",
        csrf_exempt(login_not_required(saml.SamlLogoutServiceView.as_view())),
        name="ls_post",
    ),
    path("metadata/", login_not_required(saml.SamlMetadataView.as_view()), name="metadata"),
]
