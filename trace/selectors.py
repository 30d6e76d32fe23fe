"""Reads of the trace domain, scoped to what a user may see (trace.access)."""

from django.db.models import Q, QuerySet

from trace import access
from trace.models import (
    Batch,
    BenefitLink,
    Brand,
    BrandLicense,
    Certification,
    Household,
    Outlet,
    Producer,
    ProductLine,
    Region,
    Sale,
    TraceEvent,
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


def brand_list() -> QuerySet[Brand]:
    return Brand.objects.all()


def product_line_list() -> QuerySet[ProductLine]:
    return ProductLine.objects.select_related("brand")


def outlet_list() -> QuerySet[Outlet]:
    return Outlet.objects.select_related(f"region__{REGION_PATH}")


def producer_list_visible_to(*, user) -> QuerySet[Producer]:
    return Producer.objects.filter(access.producer_scope(user)).select_related(f"region__{REGION_PATH}")


def certification_list_visible_to(*, user) -> QuerySet[Certification]:
    return Certification.objects.filter(access.producer_scope(user, "producer")).select_related("producer")


def household_list_visible_to(*, user) -> QuerySet[Household]:
    if not access.may_see_households(user):
        return Household.objects.none()
    return Household.objects.select_related(f"village__{REGION_PATH}")


def benefit_link_list_visible_to(*, user) -> QuerySet[BenefitLink]:
    return BenefitLink.objects.filter(access.producer_scope(user, "producer")).select_related(
        "producer", f"household__village__{REGION_PATH}"
    )


def brand_license_list_visible_to(*, user) -> QuerySet[BrandLicense]:
    return (
        BrandLicense.objects.filter(access.producer_scope(user, "producer"))
        .select_related("brand", "producer")
        .prefetch_related("product_lines")
    )


def batch_list_visible_to(*, user) -> QuerySet[Batch]:
    return Batch.objects.filter(access.batch_scope(user)).select_related(
        "producer", "product_line__brand", f"origin__{REGION_PATH}"
    )


def trace_event_list_visible_to(*, user) -> QuerySet[TraceEvent]:
    return TraceEvent.objects.filter(access.batch_scope(user, "batch")).select_related("batch", "location")


def sale_list_visible_to(*, user) -> QuerySet[Sale]:
    return Sale.objects.filter(access.batch_scope(user, "batch")).select_related(
        "batch__product_line", "seller", "outlet"
    )


def household_reference_list_visible_to(*, user) -> QuerySet[Household]:
    """Households linked to a producer the user sees, for choosing contributors."""
    return Household.objects.filter(
        pk__in=BenefitLink.objects.filter(access.producer_scope(user, "producer")).values("household")
    )
