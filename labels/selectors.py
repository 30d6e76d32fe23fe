"""Reads of the labels domain, scoped by trace.access like every other read."""

from django.db.models import Count, Q, QuerySet, Sum

from labels.choices import LabelStatus
from labels.codes import serial_normalize
from labels.models import Label, PrintJob, ScanEvent
from trace import access
from trace.selectors import REGION_PATH


def print_job_list_visible_to(*, user) -> QuerySet[PrintJob]:
    """Return the print jobs of batches the user may see."""
    return PrintJob.objects.filter(access.batch_scope(user, "batch")).select_related(
        "batch__product_line", "requested_by"
    )


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


def label_find_for_scan(*, serial: str) -> Label | None:
    """Return the label with its batch, producer and product line, or None.

    One query for a well-formed serial; none for a malformed or forged one.
    """
    canonical = serial_normalize(serial)
    if canonical is None:
        return None
    return (
        Label.objects.select_related(
            "batch__producer__region",
            "batch__product_line__brand",
            f"batch__origin__{REGION_PATH}",
        )
        .filter(serial=canonical)
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
