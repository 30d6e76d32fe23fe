"""A demo lot code carries its batch's harvest year (issue 39).

trace.demo.batches writes each lot code as a template, "XFMJ{year}A01"; the
seed fills the year from the harvest date it derives (today − days_ago), so a
demo seeded in 2026 never shows a lot named 2025. The template without its
year (prefix and suffix) is the demo's stable key: a database seeded in an
earlier year keeps its batches and the seed finds them again, never a twin.
"""

import datetime
import re

from trace.models import Batch


def demo_lot_code(template: str, harvest_date: datetime.date) -> str:
    """The lot code of a demo batch harvested on harvest_date."""
    return template.format(year=harvest_date.year)


def demo_lot_pattern(template: str) -> str:
    """A regex matching the template's lot code in any harvest year."""
    prefix, suffix = template.split("{year}")
    return rf"^{re.escape(prefix)}[0-9]{{4}}{re.escape(suffix)}$"


def demo_batches(template: str):
    """The demo batches seeded from this template (one on a seeded database)."""
    return Batch.objects.filter(lot_code__regex=demo_lot_pattern(template))


def demo_batch(template: str) -> Batch:
    """The seeded demo batch of a template, e.g. demo_batch("XFMJ{year}A01")."""
    return demo_batches(template).get()
