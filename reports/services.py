"""Writes of the reports package: the few records only reports need."""

import datetime

from reports.models import SalesEvent
from trace.models import Region


def sales_event_record(
    *,
    name: str,
    region: Region,
    held_on: datetime.date,
    organiser: str = "",
    note: str = "",
) -> SalesEvent:
    """Record a large sales event (大型产销活动); the same name, place and day once."""
    event, _created = SalesEvent.objects.get_or_create(
        name=name,
        region=region,
        held_on=held_on,
        defaults={"organiser": organiser, "note": note},
    )
    return event
