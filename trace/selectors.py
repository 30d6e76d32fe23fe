"""Reads of the trace domain, scoped to what a user may see (trace.access)."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from trace import access
from trace.choices import BatchStatus, CertificationStatus
from trace.models import (
    Batch,
    BatchContribution,
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


def product_line_by_gtin(*, gtin: str) -> ProductLine | None:
    """Return the product line of a GTIN-14, with its brand, or None."""
    return (
        ProductLine.objects.select_related("brand").filter(gtin=gtin).first()
        if gtin
        else None
    )


def batch_list_public(*, product_line: ProductLine) -> QuerySet[Batch]:
    """Return the lots of a product line that have a public page (not drafts)."""
    return (
        Batch.objects.filter(product_line=product_line)
        .exclude(status=BatchStatus.DRAFT)
        .select_related("producer", "origin")
        .order_by("-harvest_date", "-pk")
    )


def outlet_list() -> QuerySet[Outlet]:
    return Outlet.objects.select_related(f"region__{REGION_PATH}")


def producer_list_visible_to(*, user) -> QuerySet[Producer]:
    return Producer.objects.filter(access.producer_scope(user)).select_related(
        f"region__{REGION_PATH}"
    )


def certification_list_visible_to(*, user) -> QuerySet[Certification]:
    return Certification.objects.filter(
        access.producer_scope(user, "producer")
    ).select_related("producer")


def household_list_visible_to(*, user) -> QuerySet[Household]:
    if not access.may_see_households(user):
        return Household.objects.none()
    return Household.objects.select_related(f"village__{REGION_PATH}")


def benefit_link_list_visible_to(*, user) -> QuerySet[BenefitLink]:
    return BenefitLink.objects.filter(
        access.producer_scope(user, "producer")
    ).select_related("producer", f"household__village__{REGION_PATH}")


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
    return TraceEvent.objects.filter(access.batch_scope(user, "batch")).select_related(
        "batch", "location"
    )


def sale_list_visible_to(*, user) -> QuerySet[Sale]:
    return Sale.objects.filter(access.batch_scope(user, "batch")).select_related(
        "batch__product_line", "seller", "outlet"
    )


def household_reference_list_visible_to(*, user) -> QuerySet[Household]:
    """Households linked to a producer the user sees, for choosing contributors."""
    return Household.objects.filter(
        pk__in=BenefitLink.objects.filter(
            access.producer_scope(user, "producer")
        ).values("household")
    )


def brand_license_is_valid(
    *, producer: Producer, product_line: ProductLine, on: datetime.date | None = None
) -> bool:
    """Return True if the producer may use the line's brand on the given day.

    Unbranded product lines need no license.
    """
    if product_line.brand_id is None:
        return True
    on = on or timezone.localdate()
    return BrandLicense.objects.filter(
        producer=producer,
        brand_id=product_line.brand_id,
        product_lines=product_line,
        valid_from__lte=on,
        valid_until__gte=on,
        revoked_at__isnull=True,
    ).exists()


def producer_qualifies(*, producer: Producer) -> bool:
    """Return True if the producer meets the 邵东 rule for 扶贫产品认定.

    Source: seeds/001 (邵东市): products of an enterprise or cooperative that
    "带动 1 名以上贫困户务工、且年收入不低于 6000 元" qualify. Income is summed
    per household over all of its links with this producer; the threshold is
    the SUYUAN_MIN_HOUSEHOLD_INCOME setting.
    """
    threshold = Decimal(settings.SUYUAN_MIN_HOUSEHOLD_INCOME)
    return (
        BenefitLink.objects.filter(producer=producer)
        .values("household")
        .annotate(income=Sum("annual_income"))
        .filter(income__gte=threshold)
        .exists()
    )


def certification_is_active(
    *, producer: Producer, on: datetime.date | None = None
) -> bool:
    """Return True if the producer holds an active certification valid on the day."""
    on = on or timezone.localdate()
    return Certification.objects.filter(
        producer=producer,
        status=CertificationStatus.ACTIVE,
        valid_from__lte=on,
        valid_until__gte=on,
    ).exists()


def batch_public_story(*, batch: Batch) -> dict:
    """Return what anyone scanning a label of the batch may see, trace part.

    Only public facts: no internal ids, no household names except the masked
    names of households whose consent is recorded, never an ID number. The
    number of queries is constant whatever the number of households or events.
    """
    product_line = batch.product_line
    producer = batch.producer
    certification = (
        Certification.objects.filter(producer=producer)
        .order_by("-status_changed_at", "-valid_until")
        .first()
    )
    contributions = list(
        BatchContribution.objects.filter(batch=batch).select_related(
            f"household__village__{REGION_PATH}"
        )
    )
    linked_households = (
        BenefitLink.objects.filter(producer=producer)
        .values("household")
        .distinct()
        .count()
    )
    events = TraceEvent.objects.filter(batch=batch).select_related(
        f"location__{REGION_PATH}"
    )
    return {
        "product": {
            "name": product_line.name,
            "brand": product_line.brand.name if product_line.brand_id else "",
            "brand_kind": product_line.brand.get_kind_display()
            if product_line.brand_id
            else "",
            "unified_brand": product_line.brand_id is not None
            and brand_license_is_valid(producer=producer, product_line=product_line),
            "standard": product_line.standard,
            "geographical_indication": product_line.geographical_indication,
            "gtin": product_line.gtin or "",
        },
        "batch": {
            "lot": batch.lot_code,
            "name": batch.name,
            "harvest_date": batch.harvest_date,
            "quantity": batch.quantity,
            "unit": batch.unit,
            "status": batch.status,
            "status_display": batch.get_status_display(),
            "origin": batch.origin.full_name,
        },
        "producer": {
            "name": producer.name,
            "kind": producer.get_kind_display(),
            "region": producer.region.full_name,
            "certification_number": certification.number if certification else "",
            "certification_issuer": certification.issuer if certification else "",
            "certification_status": certification.status if certification else "",
            "certification_status_display": certification.get_status_display()
            if certification
            else "",
            "certification_valid_until": certification.valid_until
            if certification
            else None,
            "certified": certification is not None
            and certification.status == CertificationStatus.ACTIVE
            and certification.valid_from
            <= timezone.localdate()
            <= certification.valid_until,
        },
        "benefit": {
            "batch_households": len(contributions),
            "producer_households": linked_households,
            "villages": sorted(
                {
                    contribution.household.village.full_name
                    for contribution in contributions
                }
            ),
            "amount_paid": sum(
                (contribution.amount_paid for contribution in contributions),
                Decimal("0"),
            ),
            "consented_names": sorted(
                contribution.household.masked_name
                for contribution in contributions
                if contribution.household.has_public_name_consent
            ),
        },
        "events": [
            {
                "kind": event.kind,
                "kind_display": event.get_kind_display(),
                "occurred_at": event.occurred_at,
                "place": event.place
                or (event.location.full_name if event.location_id else ""),
                "actor": event.actor,
                "quantity": event.quantity,
                "unit": event.unit,
            }
            for event in events
        ],
    }
