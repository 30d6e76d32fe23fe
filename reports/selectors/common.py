"""Report filters and the scoped rows every form starts from.

Scope always comes from trace.access (through trace.selectors where a selector
exists): operators see their producer's rows, inspectors their regions,
administrators everything. Region filters include every descendant region.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet

from trace import access
from trace.models import (
    Batch,
    BatchContribution,
    BenefitLink,
    Region,
    Sale,
)
from trace.selectors import (
    REGION_PATH,
    batch_list_visible_to,
    region_subtree,
    sale_list_visible_to,
)

ZERO = Decimal("0")


@dataclass(frozen=True)
class ReportFilters:
    """The filters every export and the dashboard accept (region, period, year)."""

    region: Region | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    year: int | None = None


def in_region(filters: ReportFilters, field: str) -> Q:
    if filters.region is None:
        return Q()
    return region_subtree(region=filters.region, field=field)


def in_period(filters: ReportFilters, field: str) -> Q:
    condition = Q()
    if filters.date_from is not None:
        condition &= Q(**{f"{field}__gte": filters.date_from})
    if filters.date_to is not None:
        condition &= Q(**{f"{field}__lte": filters.date_to})
    return condition


# Sales, batches, contributions and benefit links within a user's scope and the filters.


def sale_list_for_report(*, user, filters: ReportFilters) -> QuerySet[Sale]:
    """Sales of visible batches originating in the region, sold in the period."""
    return (
        sale_list_visible_to(user=user)
        .filter(
            in_region(filters, "batch__origin"), in_period(filters, "sold_at__date")
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


def benefit_link_list_for_report(
    *, user, filters: ReportFilters
) -> QuerySet[BenefitLink]:
    """Visible benefit links of households in the region, in force by the end."""
    links = BenefitLink.objects.filter(
        access.producer_scope(user, "producer"),
        in_region(filters, "household__village"),
    )
    if filters.date_to is not None:
        links = links.filter(since__lte=filters.date_to)
    return links
