"""Reads of the labels domain, scoped by trace.access like every other read."""

import functools

from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum

from labels.choices import LabelStatus
from labels.codes import serial_normalize
from labels.models import Label, PrintJob, ScanEvent
from trace import access


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
    """Return the label alone, or None.

    One query without joins for a well-formed serial (the batch story is
    cached by batch id, api/scan_story.py; a dozen joins cost more to plan
    than to run); none for a malformed or forged one.
    """
    canonical = serial_normalize(serial)
    if canonical is None:
        return None
    if connection.vendor != "postgresql":  # SQLite needs the ORM's converters
        return next(iter(Label.objects.filter(serial=canonical).order_by()[:1]), None)
    # A fixed statement: building and compiling the ORM query cost more than
    # running it on the unique index (bench/scan.py, profiled).
    columns = [field.attname for field in Label._meta.concrete_fields]
    with connection.cursor() as cursor:
        cursor.execute(_scan_lookup_sql(), [canonical])
        row = cursor.fetchone()
    return None if row is None else Label.from_db(connection.alias, columns, row)


@functools.cache
def _scan_lookup_sql() -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in Label._meta.concrete_fields)
    return f"SELECT {columns} FROM {quote(Label._meta.db_table)} WHERE serial = %s"


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
