"""Middleware of the public scan."""

from api import throttling
from api.scan import (
    GATE_IN_FLIGHT,
    SCAN_JSON_ROUTE,
    SCAN_PAGE_ROUTE,
    gate_arguments,
    wants_linkset,
)
from api.throttling import scan_gate_available


def _path_prefix(route: str) -> str:
    return "/" + route.split("<", 1)[0]


_SCAN_PAGE = _path_prefix(SCAN_PAGE_ROUTE)
_SCAN_JSON = _path_prefix(SCAN_JSON_ROUTE)


class ScanGateEarlyMiddleware:
    """Send a public scan's Redis call before the rest of the middleware runs.

    Otherwise the scan's one Redis call (api/throttling.py) blocks the worker
    in the view until Redis answers. Sent here, Redis does its part while
    sessions, locale, CSRF and authentication run, and the view mostly finds
    the answer waiting (api.scan.gate_scan reads it; bench/scan.py). If the
    view never reads it (another middleware answered, or an error), the
    connection is dropped, so no later request reads a stale reply.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        in_flight = self._send(request)
        try:
            return self.get_response(request)
        finally:
            if in_flight is not None:
                in_flight.settle()
                request.META.pop(GATE_IN_FLIGHT, None)

    def _send(self, request):
        if request.method != "GET":
            return None
        path = request.path_info
        if path.startswith(_SCAN_PAGE):
            serial, record = path[len(_SCAN_PAGE) :], not wants_linkset(request)
        elif path.startswith(_SCAN_JSON):
            serial, record = path[len(_SCAN_JSON) :], True
        else:
            return None
        if not serial or "/" in serial or not scan_gate_available():
            return None
        request.get_host()  # a disallowed Host is a 400 before anything counts
        gate = gate_arguments(request, serial, record=record)
        in_flight = throttling.scan_gate_send(request, record=record, **gate)
        if in_flight is not None:
            request.META[GATE_IN_FLIGHT] = in_flight
        return in_flight
