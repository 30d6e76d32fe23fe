"""Project-wide request handling that belongs to no package.

ChosenLanguageMiddleware speaks zh-hans unless the user chose otherwise;
UnavailableMiddleware answers 503, not 500, while Redis or the database
does not answer.

The scan gate, the API's throttles and the token login need the cache
(Redis in production); every page needs the database. A request that fails
because one of them is away gets 503 Service Unavailable with Retry-After
and a Chinese message (JSON under /api/; elsewhere a page, which on the
pages a consumer scans to adds that the product is not in question), so
phones and scripts try again instead of reporting a server error. Pages
that need neither keep working.

The outage is logged once per process and service, again only when it has
lasted another OUTAGE_LOG_SECONDS: not once per request. Only the error's
type is logged: a Redis error's text may carry the command, and with it a
scan record.
"""

import logging
import time

import redis
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError

from trace import replica

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
# The pages a consumer reaches by scanning (config/urls.py's names): their
# 503 says the product is not in question; staff pages just say to retry.
SCANNED_PAGES = frozenset(
    {
        "scan-page",
        "scan-certificate",
        "digital-link",
        "digital-link-compressed",
        "product-page",
        "lot-page",
        "digital-link-certificate",
    }
)
OUTAGE_LOG_SECONDS = 300
_logged_at: dict[str, float] = {}


def outage_of(error: BaseException) -> str | None:
    """Return which service an error says is away ("redis", "database"), or None."""
    if isinstance(error, redis.RedisError | BrokerError):
        return "redis"
    if isinstance(error, OperationalError | InterfaceError):
        return "database"
    return None


def _log_once(service: str, error: BaseException) -> None:
    now = time.monotonic()
    last = _logged_at.get(service)
    if last is None or now - last >= OUTAGE_LOG_SECONDS:
        _logged_at[service] = now
        logger.error(
            "%s unavailable (%s): answering 503 until it is back",
            service,
            type(error).__name__,
        )


def unavailable_response(request, error: BaseException):
    """Return the 503 for a request that failed because a service is away."""
    _log_once(outage_of(error) or "service", error)
    if request.path_info.startswith("/api/"):
        response = JsonResponse(
            {"detail": _("服务暂时不可用，请稍后再试。")},
            status=503,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        match = getattr(request, "resolver_match", None)
        context = {
            "reason": "unavailable",
            "scanned": match is not None and match.url_name in SCANNED_PAGES,
        }
        response = render(request, "api/scan_error.html", context, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    # Logged above, once per outage: django.request would log every request.
    response._has_been_logged = True
    return response


class UnavailableMiddleware:
    """Turn a Redis or database outage into a 503 with Retry-After."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if outage_of(exception) is None:
            return None
        return unavailable_response(request, exception)


class ChosenLanguageMiddleware:
    """Speak zh-hans unless the user chose another language (the language cookie).

    Django's LocaleMiddleware follows the browser's Accept-Language, so an
    English-locale browser got "Username" and "This field is required." inside
    Chinese pages. Suyuan's users read Chinese whatever their browser says;
    a choice made with Django's set_language view (/i18n/setlang/) is kept.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = settings.LANGUAGE_CODE
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen:
            try:
                language = translation.get_supported_language_variant(chosen)
            except LookupError:
                pass  # an unknown or forged cookie: the default
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


class ReplicaPinMiddleware:
    """Read your own write (trace/replica.py): pin a client that wrote to the primary.

    A request that wrote with an unsafe method (a form's POST, an API PUT)
    sets a cookie for SUYUAN_REPLICA_PIN_SECONDS; while it lasts, the client's
    reads stay on the primary, so the page after a POST shows what it wrote
    even if the replica has not replayed it yet. Installed only with a replica.
    """

    COOKIE = "suyuan_primary"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        pinned = self.COOKIE in request.COOKIES
        with replica.request_scope(pinned=pinned):
            response = self.get_response(request)
            wrote = replica.wrote()
        if wrote and request.method not in replica.SAFE_METHODS:
            response.set_cookie(
                self.COOKIE,
                "1",
                max_age=settings.SUYUAN_REPLICA_PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response
