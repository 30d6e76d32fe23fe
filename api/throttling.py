"""Request limits of the API and of the public scan.

Counters live in the shared cache (Redis in production), so they add up
across gunicorn workers; `NUM_PROXIES` decides which X-Forwarded-For entry
is the client, so a forged header cannot reset a limit.

When the cache does not answer, the limits fail closed: the request is
answered 503 with Retry-After (config/middleware.py), because a limit
that silently stops counting lets password guessing on the token login run
free for the length of the outage. The one exception is `SchemaThrottle`:
the API's description is a public document, served while Redis is away.

The scan limits are fixed-window counters (one INCR per request and window)
rather than DRF's history list, which for a busy client is every request
time in the window, read, unpickled and written back on each request. The
Redis gate (api/scan/gate.py) counts the same keys in its one call.
"""

import hashlib
import time

import redis
from django.conf import settings
from django.core.cache import cache
from rest_framework.settings import api_settings
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


class SchemaThrottle(AnonymousThrottle):
    """The anonymous limit, open while the cache does not answer (see above)."""

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except redis.RedisError:
            return True


class FixedWindowThrottle(SimpleRateThrottle):
    """A fixed-window counter: one cache key per key and window of `duration`."""

    def window(self, key: str, now: float) -> tuple[str, float]:
        """Return the counter's cache key at time `now` and when its window ends."""
        number = int(now // self.duration)
        return f"{key}:{number}", (number + 1) * self.duration

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        key, self.window_end = self.window(self.key, self.timer())
        cache.add(key, 0, timeout=self.duration + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr: a new window
            return True
        return count <= self.num_requests

    def wait(self) -> float:
        return max(0.0, self.window_end - self.timer())

    def timer(self) -> float:
        return time.time()


class ScanClientThrottle(FixedWindowThrottle):
    scope = "scan-client"

    def get_ident(self, request) -> str:
        return client_ident(request)

    def get_rate(self) -> str:
        return settings.SUYUAN_SCAN_RATE_PER_CLIENT

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {
            "scope": self.scope,
            "ident": self.get_ident(request),
        }


class ScanSerialThrottle(FixedWindowThrottle):
    """Limit one serial, so a village NAT scanning many boxes is not blocked."""

    scope = "scan-serial"

    def get_rate(self) -> str:
        return settings.SUYUAN_SCAN_RATE_PER_SERIAL

    def get_cache_key(self, request, view) -> str:
        return self.key_for(str(view.kwargs.get("serial", "")))

    def key_for(self, serial: str) -> str:
        return self.cache_format % {"scope": self.scope, "ident": serial_ident(serial)}


def serial_ident(serial: str) -> str:
    """Return the serial limit's key part for a path's serial.

    Hashed: a path may hold any character, a cache key may not.
    """
    return hashlib.sha256(serial[:80].upper().encode()).hexdigest()[:32]


SCAN_THROTTLES = (ScanClientThrottle, ScanSerialThrottle)
_CLIENT_IDENT = "suyuan.client_ident"


class _SerialView:
    """What the scan throttles read of a view: the path's serial."""

    def __init__(self, serial: str):
        self.kwargs = {"serial": serial}


def scan_throttle_wait(request, serial: str) -> float | None:
    """Return seconds to wait if a scan of `serial` is over a limit, else None.

    The embedded mode's check (the Redis gate counts the same keys itself).
    """
    view = _SerialView(serial)
    waits = [
        throttle.wait() or 1
        for throttle in (throttle_class() for throttle_class in SCAN_THROTTLES)
        if not throttle.allow_request(request, view)
    ]
    return max(waits) if waits else None


def client_ident(request) -> str:
    """Return the client address as DRF's throttles see it, worked out once per request.

    The same rule as SimpleRateThrottle.get_ident (NUM_PROXIES decides which
    X-Forwarded-For entry is the client), read from META: DRF's version
    builds `request.headers` from every header, which the scan, the busiest
    request, paid twice.
    """
    meta = request.META
    try:
        return meta[_CLIENT_IDENT]
    except KeyError:
        pass
    xff = meta.get("HTTP_X_FORWARDED_FOR")
    remote_addr = meta.get("REMOTE_ADDR")
    num_proxies = api_settings.NUM_PROXIES
    if num_proxies is not None:
        if num_proxies == 0 or xff is None:
            ident = remote_addr
        else:
            addresses = xff.split(",")
            ident = addresses[-min(num_proxies, len(addresses))].strip()
    else:
        ident = "".join(xff.split()) if xff else remote_addr
    meta[_CLIENT_IDENT] = ident
    return ident
