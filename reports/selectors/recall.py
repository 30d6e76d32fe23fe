"""The recall trace: the batch, its status changes, events and sales, and nothing else."""

import datetime
from collections.abc import Callable
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import timezone

from inspections.models import Inspection
from labels.selectors import (
    batch_label_summary,
)
from reports.selectors.common import ZERO
from trace.models import (
    Batch,
)
from trace.selectors.channels import sale_channel_name
from trace.selectors.registry import REGION_PATH

# The recall trace: the batch, its status changes, events and sales, and nothing else.


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _quantity(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def _local(moment: datetime.datetime | None) -> str | None:
    return None if moment is None else timezone.localtime(moment).isoformat()


def recall_trace_trace_part(*, batch: Batch) -> dict:
    """Return the trace domain's part of a batch's recall trace.

    Everything is read through the batch's own relations, so nothing from
    another batch can appear. Households are shown masked: a recall names
    products and buyers, not the people who grew them.
    """
    contributions = batch.contributions.select_related(
        f"household__village__{REGION_PATH}"
    )
    sales = batch.sales.select_related(
        "seller", f"outlet__region__{REGION_PATH}"
    ).order_by("sold_at", "id")
    events = batch.trace_events.select_related(f"location__{REGION_PATH}").order_by(
        "occurred_at", "id"
    )
    changes = batch.status_changes.select_related("actor").order_by("at", "id")
    sold = sales.aggregate(
        quantity=Sum("quantity"), amount=Sum("amount"), count=Count("id")
    )
    return {
        "batch": {
            "id": batch.pk,
            "lot_code": batch.lot_code,
            "name": batch.name,
            "product": str(batch.product_line),
            "gtin": batch.product_line.gtin,
            "producer": batch.producer.name,
            "origin": batch.origin.full_name,
            "harvest_date": batch.harvest_date.isoformat(),
            "quantity": _quantity(batch.quantity),
            "unit": batch.unit,
            "status": batch.status,
            "status_display": batch.get_status_display(),
        },
        "status_changes": [
            {
                "from_status": change.from_status,
                "to_status": change.to_status,
                "to_status_display": change.get_to_status_display(),
                "reason": change.reason,
                # The keys stay the API's: clients read changed_by/changed_at.
                "changed_by": change.actor.get_username() if change.actor else "",
                "changed_at": _local(change.at),
            }
            for change in changes
        ],
        "trace_events": [
            {
                "id": event.pk,
                "kind": event.kind,
                "kind_display": event.get_kind_display(),
                "occurred_at": _local(event.occurred_at),
                "location": event.location.full_name if event.location else "",
                "place": event.place,
                "actor": event.actor,
                "quantity": _quantity(event.quantity),
                "unit": event.unit,
                "reference_document_type": event.reference_document_type,
                "reference_document_number": event.reference_document_number,
            }
            for event in events
        ],
        "sales": [
            {
                "id": sale.pk,
                "sold_at": _local(sale.sold_at),
                "seller": sale.seller.name,
                "buyer": sale.buyer,
                "channel": sale.channel,
                "channel_display": sale_channel_name(sale),
                "outlet": (
                    {
                        "id": sale.outlet.pk,
                        "name": sale.outlet.name,
                        "kind": sale.outlet.kind,
                        "region": sale.outlet.region.full_name,
                    }
                    if sale.outlet
                    else None
                ),
                "quantity": _quantity(sale.quantity),
                "unit": sale.unit,
                "amount": _money(sale.amount),
                "note": sale.note,
            }
            for sale in sales
        ],
        "contributions": [
            {
                "household": contribution.household.masked_name,
                "village": contribution.household.village.full_name,
                "quantity": _quantity(contribution.quantity),
                "amount_paid": _money(contribution.amount_paid),
            }
            for contribution in contributions
        ],
        "totals": {
            "sales": sold["count"],
            "sold_quantity": _quantity(sold["quantity"] or ZERO),
            "sold_amount": _money(sold["amount"] or ZERO),
        },
    }


def recall_trace_labels_part(*, batch: Batch) -> dict:
    """Return the labels printed for the batch, voids, and scans per city."""
    summary = batch_label_summary(batch=batch)
    for job in summary["print_jobs"]:
        job["created_at"] = _local(job["created_at"])
    return summary


def recall_trace_inspections_part(*, batch: Batch) -> dict:
    """Return every inspection of the batch with its result items.

    Corrected (superseded) records stay listed, marked, as evidence.
    """
    inspections = (
        Inspection.objects.filter(batch=batch)
        .select_related("superseded_by")
        .prefetch_related("results")
        .order_by("sampled_at", "id")
    )
    return {
        "inspections": [
            {
                "id": inspection.pk,
                "kind_display": inspection.get_kind_display(),
                "sampled_at": _local(inspection.sampled_at),
                "organisation": inspection.organisation,
                "verdict": inspection.verdict,
                "verdict_display": inspection.get_verdict_display(),
                "signed": inspection.signed_at is not None,
                "superseded": hasattr(inspection, "superseded_by"),
                "items": "；".join(
                    f"{result.item} {result.measured_value if result.measured_value is not None else ''}"
                    f"{result.unit} {result.get_verdict_display()}".replace("  ", " ")
                    for result in inspection.results.all()
                ),
            }
            for inspection in inspections
        ]
    }


RECALL_TRACE_PARTS: tuple[Callable[..., dict], ...] = (
    recall_trace_trace_part,
    recall_trace_labels_part,
    recall_trace_inspections_part,
)


def recall_trace(*, batch: Batch) -> dict:
    """Return everything known about one batch for a recall, part by part."""
    result: dict = {}
    for part in RECALL_TRACE_PARTS:
        result.update(part(batch=batch))
    return result
