"""承诺达标合格证 facts and label-sheet notes."""

from collections import defaultdict

from inspections.choices import InspectionKind
from inspections.models import Inspection
from labels.selectors import (
    print_job_labels,
)
from labels.templates import layout, template_get
from reports.certificates import InspectionFact
from reports.models import Certificate
from trace.choices import Role
from trace.models import (
    Batch,
)
from trace.selectors.batches import batch_vouches

# 承诺达标合格证.


def certificate_inspection_facts(*, batch: Batch) -> list[InspectionFact]:
    """Return the facts of the batch's signed, current inspections for the basis rules.

    An inspection counts as the producer's own when it is a self check, was
    recorded by one of the producer's operators, or names the producer as
    its organisation.
    """
    rows = Inspection.objects.filter(
        batch=batch, signed_at__isnull=False, superseded_by__isnull=True
    ).values_list(
        "kind",
        "verdict",
        "organisation",
        "inspector__suyuan_role__role",
        "inspector__suyuan_role__producer_id",
    )
    producer_name = batch.producer.name
    return [
        InspectionFact(
            kind=kind,
            verdict=verdict,
            by_producer=kind == InspectionKind.SELF_CHECK
            or (role == Role.OPERATOR and producer_id == batch.producer_id)
            or organisation.strip() == producer_name,
        )
        for kind, verdict, organisation, role, producer_id in rows
    ]


def certificate_latest(*, batch: Batch) -> Certificate | None:
    """Return the batch's latest certificate, whatever its status (the record)."""
    return Certificate.objects.filter(batch=batch).order_by("-issued_at", "-id").first()


def certificate_public(*, batch: Batch) -> Certificate | None:
    """Return the certificate a public page may offer for the batch, or None.

    None while the batch is on hold or recalled: it vouches for nothing, so
    no page, linkset or public URL hands out a certificate issued before
    (issue 32). None too while no certificate with a PDF was issued.
    """
    if not batch_vouches(status=batch.status):
        return None
    certificate = certificate_latest(batch=batch)
    return certificate if certificate is not None and certificate.pdf else None


def print_job_sheet_notes(*, print_job) -> list[str]:
    """Return, per printed sheet of a job, a line naming its labels' serials."""
    template = template_get(print_job.template)
    serials = list(
        print_job_labels(print_job=print_job).values_list("serial", flat=True)
    )
    sheets: dict[int, list[str]] = defaultdict(list)
    cells = layout(
        template, count=len(serials), start_position=print_job.start_position
    )
    for serial, (page, _slot, _rect) in zip(serials, cells, strict=True):
        sheets[page].append(serial)
    return [
        f"随附标签：打印任务 {print_job.pk} 第 {page + 1} 页，{len(items)} 枚，"
        f"序列号 {items[0]} 至 {items[-1]}"
        for page, items in sorted(sheets.items())
    ]
