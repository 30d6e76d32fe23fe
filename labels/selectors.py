"""Reads of the labels domain, scoped by trace.access like every other read."""

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from labels.choices import LabelStatus
from labels.codes import serial_normalize
from labels.models import Label, LabelSale, PrintJob, ScanEvent
from trace import access
from trace.choices import BatchStatus
from trace.models import Batch
from trace.validators import GS1_CSET82, normalize_gtin


def print_job_list_visible_to(*, user) -> QuerySet[PrintJob]:
    """Return the print jobs of batches the user may see."""
    return PrintJob.objects.filter(access.batch_scope(user, "batch")).select_related(
        "batch__product_line", "requested_by"
    )


def print_job_list_printable_by(*, user) -> QuerySet[PrintJob]:
    """Return the print jobs whose label sheets the user may download.

    A sheet is a stack of genuine codes: only the producer's operators and
    administrators get it; inspectors see the jobs but not the sheets.
    """
    if access.is_administrator(user):
        return print_job_list_visible_to(user=user)
    producer = access.operator_producer(user)
    if producer is None:
        return PrintJob.objects.none()
    return print_job_list_visible_to(user=user).filter(batch__producer=producer)


def print_job_sheet_printable(*, user, print_job: PrintJob) -> bool:
    """Return True if the user may download the job's label sheets."""
    if access.is_administrator(user):
        return True
    producer = access.operator_producer(user)
    return producer is not None and producer.pk == print_job.batch.producer_id


def label_list_visible_to(*, user) -> QuerySet[Label]:
    """Return the labels of batches the user may see."""
    return Label.objects.filter(access.batch_scope(user, "batch")).select_related(
        "batch__product_line"
    )


def label_find(*, serial: str) -> Label | None:
    """Return the label for a scanned or typed serial, or None.

    A malformed or forged serial fails its keyed check and costs no query.
    """
    canonical = serial_normalize(serial)
    if canonical is None:
        return None
    return (
        Label.objects.select_related("batch__product_line")
        .filter(serial=canonical)
        .first()
    )


def print_job_labels(*, print_job: PrintJob) -> QuerySet[Label]:
    """Return a job's labels in print order (unscoped: for the renderer)."""
    return Label.objects.filter(print_job=print_job).order_by("sequence")


def label_find_for_scan(*, serial: str, gs1_key: bool = False) -> Label | None:
    """Return the label alone, or None.

    One query without joins for a well-formed serial (the batch story is
    cached by batch id, api/scan/story.py; a dozen joins cost more to plan
    than to run); none for a malformed or forged one. `gs1_key`: the serial
    is a Digital Link's AI (21), matched exactly (labels.codes.serial_normalize).
    In buffered mode only a label Redis does not know yet is read here.
    """
    canonical = serial_normalize(serial, gs1_key=gs1_key)
    if canonical is None:
        return None
    return Label.objects.filter(serial=canonical).order_by().first()


def batch_find_public(*, gtin: str, lot: str) -> Batch | None:
    """Return the public batch of a GTIN and lot (a Digital Link's 01 and 10).

    None for a malformed GTIN or lot, an unknown one, or a draft (drafts are
    not public). A lot outside GS1's character set 82 costs no query, which
    also keeps a NUL byte away from the database.
    """
    if not GS1_CSET82.match(lot):
        return None
    try:
        gtin = normalize_gtin(gtin)
    except ValidationError:
        return None
    return (
        Batch.objects.select_related("product_line__brand")
        .filter(product_line__gtin=gtin, lot_code=lot)
        .exclude(status=BatchStatus.DRAFT)
        .first()
    )


def suspicious_label_list_visible_to(*, user) -> QuerySet[Label]:
    """Return labels flagged as possible clones, newest flag first."""
    return (
        label_list_visible_to(user=user)
        .filter(suspicious_since__isnull=False)
        .order_by("-suspicious_since")
    )


def batch_label_summary(*, batch) -> dict:
    """Return a batch's labels for a recall: printed, void, scans per city.

    Aggregates in the database (a constant number of queries), so a batch
    with millions of scans answers as fast as one with none.
    """
    counts = Label.objects.filter(batch=batch).aggregate(
        printed=Count("id"),
        void=Count("id", filter=Q(status=LabelStatus.VOID)),
        suspicious=Count("id", filter=Q(suspicious_since__isnull=False)),
        scanned=Count("id", filter=Q(scan_count__gt=0)),
        scans=Sum("scan_count"),
    )
    per_city = (
        ScanEvent.objects.filter(label__batch=batch)
        .values("city")
        .annotate(scans=Count("id"), labels=Count("label", distinct=True))
        .order_by("-scans", "city")
    )
    jobs = PrintJob.objects.filter(batch=batch).order_by("created_at", "id")
    return {
        "labels": {
            "printed": counts["printed"],
            "void": counts["void"],
            "suspicious": counts["suspicious"],
            "scanned": counts["scanned"],
            "scans": counts["scans"] or 0,
        },
        "scans_by_city": [
            {
                "city": row["city"] or "未知",
                "scans": row["scans"],
                "labels": row["labels"],
            }
            for row in per_city
        ],
        "print_jobs": [
            {
                "id": job.pk,
                "created_at": job.created_at,
                "template": job.template,
                "count": job.count,
                "status": job.status,
            }
            for job in jobs
        ],
    }


def label_sold_where(*, label_id: int) -> str:
    """Return where a label was sold, for its public page: 专柜 and place.

    Never the buyer: a cabinet's buyer is anyone, and the page is public.
    """
    sold = (
        LabelSale.objects.filter(label_id=label_id)
        .values_list("sale__outlet__name", "sale__outlet__region__name")
        .first()
    )
    if sold is None:
        return ""
    name, place = sold
    return _("专柜 %(name)s（%(place)s）") % {"name": name, "place": place}
