"""Shared set-up of the benchmark scripts: Django on the benchmark database."""

import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/suyuan_perf"


def setup(*, database_url: str | None = None) -> None:
    """Point Django at PostgreSQL (DATABASE_URL or the bench default) and start it."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DATABASE_URL", database_url or DEFAULT_DATABASE_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def median(values) -> float:
    return statistics.median(values)
