"""Request-wide policies that belong to no single view."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.defaults import permission_denied

from .refusals import FORBIDDEN, Refusal, refusal_message


class NoStoreForAuthenticatedMiddleware:
    """Tell browsers and proxies not to keep any page a logged-in user was sent.

    A response that chose its own Cache-Control (static files, an attachment) keeps it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Read after the view: the API's token authentication sets the user inside it.
        user = getattr(request, "user", None)
        if getattr(user, "is_authenticated", False) and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response


class RefusalMiddleware:
    """The web's answer to a service's `Refusal` that a view let through (the API maps its own
    in `ukcn.api_errors`): forbidden is the 403 page; a conflict or bad input goes back to the
    page the user came from with the sentence shown, or answers 409/400 when there is none."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, Refusal) or request.path.startswith("/api/"):
            return None
        if exception.kind == FORBIDDEN:
            return permission_denied(request, PermissionDenied(exception.message))
        back = request.headers.get("Referer", "")
        if back and url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            refusal_message(request, exception)
            return redirect(back)
        return HttpResponse(
            exception.message, status=exception.http_status, content_type="text/plain"
        )
