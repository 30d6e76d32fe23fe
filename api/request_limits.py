"""Refuse oversized request bodies with 413 before anything reads them.

Django notices a body over DATA_UPLOAD_MAX_MEMORY_SIZE only when something
reads it, and then answers a bare HTML 400. Here the declared length is
checked first: API clients get a JSON 413 they can show, people a short
Chinese page. Uploads (multipart) may be as large as one evidence file
(SUYUAN_MAX_UPLOAD_BYTES) plus the form's other fields.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _


def body_limit(request) -> int | None:
    """Return the most bytes the request's body may have, or None for no limit."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is None:
        return None
    if request.META.get("CONTENT_TYPE", "").startswith("multipart/"):
        return limit + settings.SUYUAN_MAX_UPLOAD_BYTES
    return limit


def too_large(request, limit: int | None) -> HttpResponse:
    """Return the 413 answer, JSON under /api/."""
    size = f"{(limit or 0) / (1024 * 1024):.1f} MB"
    message = _("请求内容过大（上限 %(size)s）。") % {"size": size}
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=413)
    return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")


class RequestBodyLimitMiddleware:
    """Answer 413 for a body longer than `body_limit` (declared or found on reading)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = body_limit(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit:
            return too_large(request, limit)
        return self.get_response(request)

    def process_exception(self, request, exception):
        # A body without a declared length (chunked) is caught on reading.
        if isinstance(exception, RequestDataTooBig):
            return too_large(request, body_limit(request))
        return None
