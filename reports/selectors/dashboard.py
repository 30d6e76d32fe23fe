"""The dashboard's figures."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from inspections.choices import Verdict
from inspections.selectors import inspection_list_visible_to
from labels.selectors import (
    suspicious_label_list_visible_to,
)
from reports.selectors.common import ZERO, ReportFilters, in_period, in_region
from reports.selectors.ledger import benefit_ledger, region_at_level
from reports.selectors.targets import target_progress
from trace.choices import RegionLevel
from trace.models import (
    Region,
)
from trace.selectors.events import sale_list_visible_to
from trace.selectors.registry import REGION_PATH

# The dashboard.


@dataclass
class DashboardPanel:
    """A dashboard panel another package fills later (a hook)."""

    key: str
    title: str
    items: list[tuple[str, Decimal | int]] = field(default_factory=list)
    pending: bool = True
    # What each item counts (a verdict), so a chart can colour it.
    keys: list[str] = field(default_factory=list)


def dashboard_extension_panels(*, user, filters: ReportFilters) -> list[DashboardPanel]:
    """Return the inspections and labels panels for the same filters."""
    inspections = inspection_list_visible_to(user=user).filter(
        in_region(filters, "batch__origin"),
        in_period(filters, "sampled_at__date"),
        signed_at__isnull=False,
    )
    verdicts = dict(
        inspections.order_by().values_list("verdict").annotate(count=Count("id"))
    )
    suspicious = suspicious_label_list_visible_to(user=user).filter(
        in_region(filters, "batch__origin")
    )
    return [
        DashboardPanel(
            key="inspections",
            title="检测合格 / 不合格",
            items=[
                (Verdict(value).label, verdicts.get(value, 0))
                for value in Verdict.values
            ],
            pending=False,
            keys=list(Verdict.values),
        ),
        DashboardPanel(
            key="suspicious_labels",
            title="可疑标签（疑似仿冒）",
            items=[("可疑标签", suspicious.count())],
            pending=False,
        ),
    ]


def dashboard_data(*, user, filters: ReportFilters) -> dict:
    """Return sales per month and per county, and the households covered."""
    sales = sale_list_visible_to(user=user).filter(
        in_region(filters, "batch__origin"), in_period(filters, "sold_at__date")
    )
    per_month = [
        (
            timezone.localtime(row["month"]).strftime("%Y-%m")
            if timezone.is_aware(row["month"])
            else row["month"].strftime("%Y-%m"),
            row["amount"],
        )
        for row in sales.order_by()
        .annotate(month=TruncMonth("sold_at"))
        .values("month")
        .annotate(amount=Sum("amount"))
        .order_by("month")
    ]
    per_origin = (
        sales.order_by()
        .values("batch__origin")
        .annotate(amount=Sum("amount"))
        .values_list("batch__origin", "amount")
    )
    origins = Region.objects.select_related(REGION_PATH).in_bulk(
        [pk for pk, _ in per_origin]
    )
    per_region: dict[str, Decimal] = defaultdict(Decimal)
    for pk, amount in per_origin:
        county = region_at_level(origins[pk], RegionLevel.COUNTY) or origins[pk]
        per_region[county.name] += amount
    entries = benefit_ledger(user=user, filters=filters)
    return {
        "sales_per_month": per_month,
        "sales_per_region": sorted(per_region.items(), key=lambda item: -item[1]),
        "sales_total": sum((amount for _, amount in per_month), ZERO),
        "households_covered": len(entries),
        "persons_covered": sum(entry.household.members for entry in entries),
        "benefit_paid": sum((entry.paid for entry in entries), ZERO),
        "panels": dashboard_extension_panels(user=user, filters=filters),
        "targets": target_progress(
            user=user, region=filters.region, year=target_year(filters)
        ),
    }


def target_year(filters: ReportFilters) -> int:
    """Return the year whose targets the dashboard shows: the filtered one, else this."""
    if filters.year is not None:
        return filters.year
    start, end = filters.period()
    day = start or end
    return day.year if day is not None else timezone.localdate().year
