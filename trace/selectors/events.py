"""Reads of trace events and sales, and the public story of a batch."""

from decimal import Decimal

from django.db.models import QuerySet, Subquery, Sum
from django.utils import timezone

from trace import access
from trace.choices import (
    CertificationStatus,
)
from trace.models import (
    Batch,
    BatchContribution,
    BenefitLink,
    Certification,
    Outlet,
    Sale,
    SaleEvidence,
    TraceEvent,
)
from trace.selectors.batches import batch_vouches
from trace.selectors.catalogue import catalogue_entries_of_batch
from trace.selectors.certification import certification_under_review
from trace.selectors.licences import brand_license_is_valid
from trace.selectors.registry import REGION_PATH


def trace_event_list_visible_to(*, user) -> QuerySet[TraceEvent]:
    return TraceEvent.objects.filter(access.batch_scope(user, "batch")).select_related(
        "batch", "location"
    )


def sale_list_visible_to(*, user) -> QuerySet[Sale]:
    return Sale.objects.filter(access.batch_scope(user, "batch")).select_related(
        "batch__product_line", "seller", "outlet"
    )


def batch_sold_quantity(*, batch: Batch) -> Decimal:
    """Return how much of the batch has left its producer.

    Every sale counts except an outlet's resale of goods it bought in from
    this batch (a sale at an outlet that is a buyer_outlet of the batch):
    those draw on the outlet's stock, already counted when it bought in.
    """
    sales = Sale.objects.filter(batch=batch)
    restocked = sales.filter(buyer_outlet__isnull=False).values("buyer_outlet")
    total = sales.exclude(outlet__in=restocked).aggregate(total=Sum("quantity"))
    return total["total"] or Decimal("0")


def batch_remaining(*, batch: Batch) -> Decimal:
    """Return the quantity of the batch its producer has not sold yet."""
    return batch.quantity - batch_sold_quantity(batch=batch)


def outlet_stock_of(*, batch: Batch, outlet: Outlet) -> Decimal | None:
    """Return what an outlet still holds of a batch it bought in, or None.

    None means the outlet never bought in from the batch: its sales of it
    are the producer's own sales through the outlet.
    """
    sales = Sale.objects.filter(batch=batch)
    bought = sales.filter(buyer_outlet=outlet).aggregate(total=Sum("quantity"))
    if bought["total"] is None:
        return None
    resold = sales.filter(outlet=outlet).aggregate(total=Sum("quantity"))
    return bought["total"] - (resold["total"] or Decimal("0"))


def batch_public_story(*, batch: Batch) -> dict:
    """Return what anyone scanning a label of the batch may see, trace part.

    Only public facts: no internal ids, no household names except the masked
    names of households whose consent is recorded, never an ID number. The
    number of queries is constant whatever the number of households or events.
    """
    product_line = batch.product_line
    producer = batch.producer
    certifications = Certification.objects.filter(producer=producer).annotate(
        under_review=certification_under_review()
    )
    if batch_vouches(status=batch.status):  # never a buy link through a held batch
        # Folded into this query: the story is rebuilt often (bench/scan.py).
        certifications = certifications.annotate(
            catalogue_entry=Subquery(
                catalogue_entries_of_batch(batch=batch).values("pk")[:1]
            )
        )
    certification = certifications.order_by(
        "-status_changed_at", "-valid_until"
    ).first()
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
            "title": product_line.title,
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
            # The product's page in the public 扶贫产品目录, if it is listed.
            # None while the batch is on hold or recalled (batch_vouches).
            "catalogue_entry": getattr(certification, "catalogue_entry", None),
        },
        "batch": {
            "lot": batch.lot_code,
            "name": batch.name,
            "harvest_date": batch.harvest_date,
            "date_label": product_line.date_label,
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
            # 认定复核中: the open review is public while it lasts.
            "certification_under_review": bool(
                certification is not None and certification.under_review
            ),
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


def sale_evidence_list_visible_to(*, user) -> QuerySet[SaleEvidence]:
    """Invoices and receipts of the sales the user sees (and nobody else's).

    The records: caption, type, size. Their files name households (a receipt
    signed by the household), so they go out through
    sale_evidence_file_list_visible_to.
    """
    return SaleEvidence.objects.filter(
        access.batch_scope(user, "sale__batch")
    ).select_related("sale__batch")


def sale_evidence_file_list_visible_to(*, user) -> QuerySet[SaleEvidence]:
    """The invoices and receipts whose files the user may download.

    A 销售凭证 is signed by the household (the demo's 「贫困户签字 杨桂花」), so
    its file reaches only a role that may see household names
    (access.may_see_households); the seller who uploaded it keeps the record.
    """
    if not access.may_see_households(user):
        return SaleEvidence.objects.none()
    return sale_evidence_list_visible_to(user=user)
