from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from ukcn.roles import user_roles

from . import oidc, saml


@login_required
def no_role(request):
    """A signed-in user the mapping gives no role: say so, rather than an empty dashboard."""
    if request.user.is_superuser or user_roles(request.user):
        return redirect("dashboard")
    return render(request, "sso/no_role.html")


def logout(request):
    """End the local session and, after a single sign-on, the provider's too."""
    provider_url = None
    if request.method == "POST":
        provider_url = oidc.provider_logout_url(request) or saml.provider_logout_url(request)
    response = auth_views.LogoutView.as_view()(request)
    if provider_url and response.status_code in (200, 302):
        # A page rather than a redirect: the content security policy's form-action would
        # stop the browser following the logout form's redirect to another origin.
        return render(request, "sso/logged_out.html", {"provider_url": provider_url})
    return response
