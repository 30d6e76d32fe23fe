"""Throttles of the public scan: per client address and per serial.

Counters live in the shared cache (Redis in production), so they add up
across gunicorn workers; `NUM_PROXIES` decides which X-Forwarded-For entry
is the client, so a forged header cannot reset a limit.

Fixed-window counters (one `incr` per request) instead of DRF's default
history list: the history of a busy client is a list of every request time
in the window, read, unpickled and written back on each request, which
made a NAT address at scan rates the slowest part of the page
(bench/scan.py).
"""

import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle


class _WindowThrottle(SimpleRateThrottle):
    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        self.window_end = (window + 1) * self.duration
        key = f"{self.key}:{window}"
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


class ScanClientThrottle(_WindowThrottle):
    scope = "scan-client"

    def get_rate(self) -> str:
        return settings.SUYUAN_SCAN_RATE_PER_CLIENT

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {
            "scope": self.scope,
            "ident": self.get_ident(request),
        }


class ScanSerialThrottle(_WindowThrottle):
    """Limit one serial, so a village NAT scanning many boxes is not blocked."""

    scope = "scan-serial"

    def get_rate(self) -> str:
        return settings.SUYUAN_SCAN_RATE_PER_SERIAL

    def get_cache_key(self, request, view) -> str:
        serial = str(view.kwargs.get("serial", ""))[:80].upper()
        return self.cache_format % {"scope": self.scope, "ident": serial}


SCAN_THROTTLES = (ScanClientThrottle, ScanSerialThrottle)


def scan_throttle_wait(request, view) -> float | None:
    """Return seconds to wait if a scan request is over a limit, else None."""
    waits = []
    for throttle_class in SCAN_THROTTLES:
        throttle = throttle_class()
        if not throttle.allow_request(request, view):
            waits.append(throttle.wait() or 1)
    return max(waits) if waits else None
