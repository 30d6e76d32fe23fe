"""Progress against the targets of an office's region and the regions below it."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce

from reports.models import SalesTarget, TargetMeasure
from trace.choices import OutletKind
from trace.models import Outlet, Region
from trace.selectors.events import sale_list_visible_to


@dataclass
class TargetProgress:
    target: SalesTarget
    measured: Decimal
    percent: Decimal | None  # None for a zero target


def _measured(target: SalesTarget, *, user) -> Decimal:
    lineage = target.region.lineage
    if target.measure == TargetMeasure.SALES:
        sales = sale_list_visible_to(user=user).filter(
            batch__origin__lineage__startswith=lineage,
            sold_at__date__gte=datetime.date(target.year, 1, 1),
            sold_at__date__lt=datetime.date(target.year + 1, 1, 1),
        )
        if target.channels:
            sales = sales.filter(channel__in=target.channels)
        return sales.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    outlets = Outlet.objects.filter(region__lineage__startswith=lineage)
    if target.measure == TargetMeasure.SMART_CABINETS:
        # The seed counts 专柜 in 台 (002 line 37): an outlet's unit_count, one
        # when the count is not recorded.
        total = outlets.filter(kind=OutletKind.SMART_CABINET).aggregate(
            total=Sum(Coalesce("unit_count", 1))
        )["total"]
        return Decimal(total or 0)
    return Decimal(
        outlets.filter(kind=OutletKind.OFFLINE_ZONE).aggregate(n=Count("id"))["n"]
    )


def target_progress(*, user, region: Region | None, year: int) -> list[TargetProgress]:
    """Return the year's targets of the region and below, each with its progress.

    None (an administrator without a filter) means every region.
    """
    targets = SalesTarget.objects.filter(year=year).select_related("region")
    if region is not None:
        targets = targets.filter(region__lineage__startswith=region.lineage)
    rows = []
    for target in targets.order_by("region__lineage", "measure", "id"):
        measured = _measured(target, user=user)
        percent = (
            (measured * 100 / target.amount).quantize(Decimal("0.01"))
            if target.amount
            else None
        )
        rows.append(TargetProgress(target=target, measured=measured, percent=percent))
    return rows
