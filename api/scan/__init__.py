"""The public scan wing: views (the page, its JSON twin, the lot pages GS1
Digital Links lead to), resolver (GS1 Digital Link URIs), linkset (the links
of a label, lot or product), gate (throttles, label, record), story (what a
scan shows) and middleware (503 while Redis or the database is away); the
scans themselves are written by labels/scans.py.

The views config/urls.py routes are importable from here.
"""

from api.scan.views import (
    SCAN_CERTIFICATE_ROUTE,
    SCAN_JSON_ROUTE,
    SCAN_PAGE_ROUTE,
    ScanView,
    digital_link_certificate,
    digital_link_lot_page,
    label_certificate,
    label_page,
    scan_page,
)

__all__ = [
    "SCAN_CERTIFICATE_ROUTE",
    "SCAN_JSON_ROUTE",
    "SCAN_PAGE_ROUTE",
    "ScanView",
    "digital_link_certificate",
    "digital_link_lot_page",
    "label_certificate",
    "label_page",
    "scan_page",
]
