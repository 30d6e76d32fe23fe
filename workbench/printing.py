"""The workbench's door to labels: print jobs, serials and public scan pages.

Until the labels package is installed these answer "nothing yet", so every
other page works without it.
"""

from django.apps import apps

ENABLED = apps.is_installed("labels")


def recent_jobs(*, user) -> list:
    return []


def serial_resolver(*, user):
    return None


def public_scan_url(*, batch) -> str | None:
    return None


def demo_scan_url() -> str | None:
    return None
