"""Throttles of the public scan: per client address and per serial.

Counters live in the shared cache (Redis in production), so they add up
across gunicorn workers; `NUM_PROXIES` decides which X-Forwarded-For entry
is the client, so a forged header cannot reset a limit.
"""

import hashlib

from django.conf import settings
from rest_framework.throttling import (
    AnonRateThrottle,
    SimpleRateThrottle,
    UserRateThrottle,
)

from trace import access
from trace.choices import Role


class AnonymousThrottle(AnonRateThrottle):
    """Anonymous API clients, per address (the rate is read per request)."""

    def get_rate(self) -> str:
        return settings.SUYUAN_API_RATE_ANONYMOUS


class UserThrottle(UserRateThrottle):
    """Signed-in users, per user, at their role's rate.

    An inspector syncing a day of offline records and an office exporting
    reports need more than a bookkeeper; each role's rate is a setting.
    """

    def get_rate(self) -> str:
        return settings.SUYUAN_API_RATE_USER

    def allow_request(self, request, view) -> bool:
        self.rate = role_rate(request.user)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)


def role_rate(user) -> str:
    """Return the API rate of a signed-in user's role (the user rate by default)."""
    binding = access.role_of(user)
    role = (
        Role.ADMINISTRATOR
        if access.is_administrator(user)
        else binding.role
        if binding
        else ""
    )
    return settings.SUYUAN_API_RATES_PER_ROLE.get(role) or settings.SUYUAN_API_RATE_USER


class ScanClientThrottle(SimpleRateThrottle):
    scope = "scan-client"

    def get_rate(self) -> str:
        return settings.SUYUAN_SCAN_RATE_PER_CLIENT

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {
            "scope": self.scope,
            "ident": self.get_ident(request),
        }


class ScanSerialThrottle(SimpleRateThrottle):
    """Limit one serial, so a village NAT scanning many boxes is not blocked."""

    scope = "scan-serial"

    def get_rate(self) -> str:
        return settings.SUYUAN_SCAN_RATE_PER_SERIAL

    def get_cache_key(self, request, view) -> str:
        serial = str(view.kwargs.get("serial", ""))[:80].upper()
        # Hashed: a path may hold any character, a cache key may not.
        ident = hashlib.sha256(serial.encode()).hexdigest()[:32]
        return self.cache_format % {"scope": self.scope, "ident": ident}


SCAN_THROTTLES = (ScanClientThrottle, ScanSerialThrottle)


def scan_throttle_wait(request, view) -> float | None:
    """Return seconds to wait if a scan request is over a limit, else None."""
    waits = []
    for throttle_class in SCAN_THROTTLES:
        throttle = throttle_class()
        if not throttle.allow_request(request, view):
            waits.append(throttle.wait() or 1)
    return max(waits) if waits else None
