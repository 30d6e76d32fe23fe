"""Reads of the office's registers: regions, brands, product lines, outlets, producers."""

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from trace import access
from trace.models import (
    Brand,
    BrandLicense,
    Outlet,
    Producer,
    ProductLine,
    Region,
)

# Regions print their whole path (province to village): fetch it in one join.
REGION_PATH = "parent__parent__parent__parent"


def region_subtree(*, region: Region, field: str = "") -> Q:
    """Return a filter for a region and its descendants (at `field` if given)."""
    prefix = f"{field}__" if field else ""
    return Q(**{f"{prefix}lineage__startswith": region.lineage})


def region_list() -> QuerySet[Region]:
    """Regions are public reference data."""
    return Region.objects.select_related(REGION_PATH)


def region_list_in_scope(*, user) -> QuerySet[Region]:
    """Return the user's regions and those below them (all, for administrators)."""
    if access.is_administrator(user):
        return region_list()
    condition = Q(pk__in=[])
    for region in access.assigned_regions(user):
        condition |= region_subtree(region=region)
    return region_list().filter(condition)


def brand_list() -> QuerySet[Brand]:
    return Brand.objects.all()


def product_line_list() -> QuerySet[ProductLine]:
    return ProductLine.objects.select_related("brand")


def product_line_list_usable_by(
    *, producer: Producer, on: datetime.date | None = None
) -> QuerySet[ProductLine]:
    """Return the product lines the producer may register batches of.

    The same rule as `product_line_refusal`: unbranded lines it owns or that
    have no owner, and branded lines it holds a valid license for.
    """
    on = on or timezone.localdate()
    licensed = BrandLicense.objects.filter(
        producer=producer,
        valid_from__lte=on,
        valid_until__gte=on,
        revoked_at__isnull=True,
    ).values("product_lines")
    return product_line_list().filter(
        Q(brand__isnull=True, producer__isnull=True)
        | Q(brand__isnull=True, producer=producer)
        | Q(brand__isnull=False, pk__in=licensed)
    )


def product_line_by_gtin(*, gtin: str) -> ProductLine | None:
    """Return the product line of a GTIN-14, with its brand, or None."""
    return (
        ProductLine.objects.select_related("brand").filter(gtin=gtin).first()
        if gtin
        else None
    )


def outlet_list() -> QuerySet[Outlet]:
    return Outlet.objects.select_related(f"region__{REGION_PATH}")


def producer_list_visible_to(*, user) -> QuerySet[Producer]:
    return Producer.objects.filter(access.producer_scope(user)).select_related(
        f"region__{REGION_PATH}"
    )
