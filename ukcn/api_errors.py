"""The API answers every error as JSON: field errors for bad input, never an HTML page."""

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.views.defaults import page_not_found
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from .refusals import Refusal


def api_exception_handler(exc, context):
    if isinstance(exc, Refusal):
        # The one mapping of a service's refusal: forbidden 403, conflict 409, invalid 400.
        set_rollback()
        return Response(exc.as_dict(), status=exc.http_status)
    if isinstance(exc, ValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail)
    response = exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"error": str(response.data["detail"]), **response.data}
    elif response is not None and isinstance(response.data, dict):
        response.data = {"error": "Invalid input.", "fields": response.data}
    elif response is not None and isinstance(response.data, list):
        response.data = {"error": "Invalid input.", "detail": response.data}
    return response


def not_found(request, exception=None):
    """404 page: JSON under /api/, like the rest of the API; Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"error": "Not found.", "detail": "Not found."}, status=404)
    return page_not_found(request, exception)
