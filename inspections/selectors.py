"""Reads of the inspections domain, scoped with trace.access."""

from decimal import Decimal

from django.db.models import QuerySet

from inspections.choices import InspectionKind, Verdict
from inspections.models import Analyte, AnalyteLimit, Inspection
from trace import access
from trace.choices import BatchStatus
from trace.models import Batch, BatchStatusChange


def analyte_list() -> QuerySet[Analyte]:
    """The analyte catalogue is reference data every signed-in user may read."""
    return Analyte.objects.prefetch_related("limits")


def analyte_limit_for(*, analyte: Analyte, category: str) -> Decimal | None:
    """Return the analyte's limit for a product category, else its default limit."""
    if category:
        limit = (
            AnalyteLimit.objects.filter(analyte=analyte, category=category)
            .values_list("limit", flat=True)
            .first()
        )
        if limit is not None:
            return limit
    return analyte.limit


def inspection_list_visible_to(*, user) -> QuerySet[Inspection]:
    """Return the inspections of the batches the user may see."""
    return (
        Inspection.objects.filter(access.batch_scope(user, "batch"))
        .select_related(
            "batch__product_line",
            "inspector",
            "signed_by",
            "region",
            "outlet",
            "superseded_by",
        )
        .prefetch_related("results", "attachments")
    )


def batch_visible_to(*, user, batch_id) -> Batch | None:
    return Batch.objects.filter(access.batch_scope(user), pk=batch_id).first()


def batch_held_for_suspect(*, batch: Batch) -> bool:
    """Return True if the batch is on hold only because of a suspect inspection.

    True when the batch's latest status change is a hold caused by a suspect
    inspection and no failed inspection (other than a self check or a
    superseded one) has been recorded on the batch since.
    """
    if batch.status != BatchStatus.ON_HOLD:
        return False
    last = BatchStatusChange.objects.filter(batch=batch).order_by("-id").first()
    if last is None or last.to_status != BatchStatus.ON_HOLD:
        return False
    cause = Inspection.objects.filter(status_change=last).first()
    if cause is None or cause.verdict != Verdict.SUSPECT:
        return False
    return not (
        Inspection.objects.filter(batch=batch, verdict=Verdict.FAIL, pk__gt=cause.pk)
        .exclude(kind=InspectionKind.SELF_CHECK)
        .filter(superseded_by__isnull=True)
        .exists()
    )


def batch_public_inspections(*, batch: Batch) -> list[dict]:
    """Return the latest signed, current inspection of each kind, for the public.

    One query whatever the number of inspections. Only the organisation is
    named, never the inspector.
    """
    latest: dict[str, Inspection] = {}
    signed = (
        Inspection.objects.filter(
            batch=batch, signed_at__isnull=False, superseded_by__isnull=True
        )
        .only("kind", "verdict", "sampled_at", "organisation", "signed_at")
        .order_by("-sampled_at", "-id")
    )
    for inspection in signed:
        latest.setdefault(inspection.kind, inspection)
    order = list(InspectionKind.values)
    return [
        {
            "kind": inspection.kind,
            "kind_display": inspection.get_kind_display(),
            "sampled_at": inspection.sampled_at,
            "verdict": inspection.verdict,
            "verdict_display": inspection.get_verdict_display(),
            "organisation": inspection.organisation,
        }
        for inspection in sorted(
            latest.values(), key=lambda item: order.index(item.kind)
        )
    ]
