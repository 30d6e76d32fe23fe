"""What a locked login answers, and the log line of each lockout.

django-axes counts failed logins per account and per address on every
login path (config/settings.py, AXES_*). A locked login gets the same
answer whether the account exists or not, and the answer never repeats
what was typed. The log line names the login path and keyed hashes of the
account and the address: enough to see one account or one address being
guessed, nothing of a person (a username field may hold anything typed).
"""

import hashlib
import hmac
import logging
import math

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from trace.services.accounts import api_token_for

logger = logging.getLogger(__name__)


def _pseudonym(value: str | None) -> str:
    """Return a short keyed hash of a value (the same value, the same hash)."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, (value or "").encode(), hashlib.sha256).hexdigest()[:12]


def lockout_message(minutes: int) -> str:
    return _(
        "登录失败次数过多，已暂时锁定。请 %(minutes)s 分钟后再试，或请管理员解除锁定。"
    ) % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """Answer a locked login: 429 with Retry-After, JSON under /api/."""
    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds()) if cool_off else 0
    message = lockout_message(max(1, math.ceil(seconds / 60)))
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": message}, status=429, json_dumps_params={"ensure_ascii": False}
        )
    else:
        response = render(
            request, "api/login_locked.html", {"message": message}, status=429
        )
    if seconds:
        response["Retry-After"] = str(seconds)
    return response


def log_lockout(sender, request, username, ip_address, **kwargs) -> None:
    """Log a lockout (axes.signals.user_locked_out) without personal data."""
    logger.warning(
        "login locked out: path=%s account=%s address=%s",
        getattr(request, "path", ""),
        _pseudonym(username),
        _pseudonym(ip_address),
    )


class TokenLoginView(ObtainAuthToken):
    """DRF's token login, counted and answered as the other login paths are.

    axes marks the request it was handed, which here is DRF's Request, so
    its middleware (reading Django's request) never sees the mark. And DRF
    never calls login(), so without `user_logged_in` a success would not
    clear the account's earlier failures (nor record its last login).
    """

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            if getattr(request, "axes_locked_out", False):
                return lockout_response(request)
            raise ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        return Response({"token": api_token_for(user=user)})
