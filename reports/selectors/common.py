"""Report filters and the scoped rows every form starts from.

Scope always comes from trace.access (through trace.selectors where a selector
exists): operators see their producer's rows, inspectors their regions,
administrators everything. Region filters include every descendant region.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet

from trace import access
from trace.models import (
    Batch,
    BatchContribution,
    BenefitLink,
    HouseholdPayment,
    Region,
    Sale,
)
from trace.selectors.batches import batch_list_visible_to
from trace.selectors.events import sale_list_visible_to
from trace.selectors.registry import REGION_PATH, region_subtree

ZERO = Decimal("0")


@dataclass(frozen=True)
class ReportFilters:
    """The filters every export and the dashboard accept (region, period, year)."""

    region: Region | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    year: int | None = None

    def period(self) -> tuple[datetime.date | None, datetime.date | None]:
        """Return the first and last day the filters cover (None: open-ended).

        A year alone is that calendar year; with dates as well, the period is
        the dates within the year.
        """
        start, end = self.date_from, self.date_to
        if self.year is not None:
            first, last = (
                datetime.date(self.year, 1, 1),
                datetime.date(self.year, 12, 31),
            )
            start = max(start, first) if start else first
            end = min(end, last) if end else last
        return start, end


def in_region(filters: ReportFilters, field: str) -> Q:
    if filters.region is None:
        return Q()
    return region_subtree(region=filters.region, field=field)


def in_period(filters: ReportFilters, field: str) -> Q:
    condition = Q()
    start, end = filters.period()
    if start is not None:
        condition &= Q(**{f"{field}__gte": start})
    if end is not None:
        condition &= Q(**{f"{field}__lte": end})
    return condition


# Sales, batches, contributions and benefit links within a user's scope and the filters.


def not_a_resale() -> Q:
    """Exclude an outlet's resale of goods it bought in from the same batch.

    A 授权店's 进货 from a producer already counted the goods for the
    households once; its retail of the same goods is not counted again
    ("带贫真实", seed 002 line 71), so every form sums each box once.
    """
    return ~Exists(
        Sale.objects.filter(batch=OuterRef("batch"), buyer_outlet=OuterRef("outlet"))
    )


def sale_list_for_report(*, user, filters: ReportFilters) -> QuerySet[Sale]:
    """Sales of visible batches originating in the region, sold in the period.

    Each box counts once: an outlet's resale of what it bought in is left out
    (not_a_resale).
    """
    return (
        sale_list_visible_to(user=user)
        .filter(
            in_region(filters, "batch__origin"),
            in_period(filters, "sold_at__date"),
            not_a_resale(),
        )
        .select_related(
            "batch__product_line__brand",
            "batch__producer",
            f"batch__origin__{REGION_PATH}",
            "outlet",
        )
        .prefetch_related("batch__contributions__household")
        .order_by("sold_at", "id")
    )


def batch_list_for_report(*, user, filters: ReportFilters) -> QuerySet[Batch]:
    """Batches the user sees, originating in the region, harvested in the period."""
    return (
        batch_list_visible_to(user=user)
        .filter(in_region(filters, "origin"), in_period(filters, "harvest_date"))
        .prefetch_related("contributions__household", "sales__outlet")
        .order_by("harvest_date", "id")
    )


def contribution_list_for_report(
    *, user, filters: ReportFilters
) -> QuerySet[BatchContribution]:
    """Contributions to batches the user sees, of households in the region.

    A contribution belongs to the period of its batch's harvest (or production)
    date: that is when the household supplied and was paid.
    """
    return BatchContribution.objects.filter(
        access.batch_scope(user, "batch"),
        in_region(filters, "household__village"),
        in_period(filters, "batch__harvest_date"),
    )


def payment_list_for_report(
    *, user, filters: ReportFilters
) -> QuerySet[HouseholdPayment]:
    """Payments to households of the region, paid in the period (by paid_on).

    Money belongs to the period it was paid, not to its batch's harvest.
    """
    return HouseholdPayment.objects.filter(
        access.producer_scope(user, "producer"),
        in_region(filters, "household__village"),
        in_period(filters, "paid_on"),
    )


def benefit_link_list_for_report(
    *, user, filters: ReportFilters
) -> QuerySet[BenefitLink]:
    """Visible benefit links of households in the region, in force by the end."""
    links = BenefitLink.objects.filter(
        access.producer_scope(user, "producer"),
        in_region(filters, "household__village"),
    )
    end = filters.period()[1]
    if end is not None:
        links = links.filter(since__lte=end)
    return links
