"""Map domain errors to HTTP: Django's ValidationError becomes a 400 with field messages.

A service's refusal of a user who sees the object (trace.access.Refused)
becomes a 403.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext
from django.views.defaults import page_not_found
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.views import exception_handler as drf_exception_handler

from trace.access import Refused

# Renderers whose error bodies are already JSON (or the browsable API's page).
JSON_FORMATS = ("json", "api")


def exception_handler(error, context):
    if isinstance(error, Http404):
        # get_object_or_404 says "No ReportPeriod matches the given query." in
        # English and names the model; the API's 404 is one Chinese sentence.
        error = exceptions.NotFound(detail=gettext("未找到。"))
    elif isinstance(error, Refused):
        # The user sees the object but may not do this: 403 with the
        # service's words. (Outside the user's scope the service says "does
        # not exist", and the scoped queryset has already answered 404.)
        error = exceptions.PermissionDenied(detail=" ".join(error.messages))
    elif isinstance(error, DjangoValidationError):
        if hasattr(error, "error_dict"):
            detail = {
                field: [str(message) for message in messages]
                for field, messages in error.message_dict.items()
            }
            # Django's model-wide errors are keyed "__all__"; DRF calls them non_field_errors.
            if "__all__" in detail:
                detail["non_field_errors"] = detail.pop("__all__")
        else:
            detail = {"non_field_errors": [str(message) for message in error.messages]}
        error = exceptions.ValidationError(detail=detail)
    response = drf_exception_handler(error, context)
    request = context.get("request")
    renderer = getattr(request, "accepted_renderer", None)
    if response is not None and getattr(renderer, "format", "json") not in JSON_FORMATS:
        # An error is JSON even when ?format= asked for CSV, XLSX or JSON-LD:
        # clients read {"detail": …} the same way everywhere (and the schema
        # documents errors as application/json).
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type
    return response


def not_found(request, exception=None):
    """Answer a path no route matches: JSON under /api/, Django's page elsewhere.

    A client of the API (or its schema) gets the same body as any other 404,
    e.g. for /api/v1/batches/-1/ whose id the route does not accept.
    """
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": gettext("未找到。")}, status=404)
    return page_not_found(request, exception)
