"""Request-wide policies that belong to no single view."""

from django.utils.cache import patch_cache_control


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
