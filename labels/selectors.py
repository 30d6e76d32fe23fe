"""Reads of the labels domain, scoped by trace.access like every other read."""

import functools
import logging
import weakref

from django.db import InterfaceError, OperationalError, connection
from django.db.models import Count, Q, QuerySet, Sum

from labels.choices import LabelStatus
from labels.codes import serial_normalize
from labels.models import Label, PrintJob, ScanEvent
from trace import access

logger = logging.getLogger(__name__)


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
    """
    canonical = serial_normalize(serial, gs1_key=gs1_key)
    if canonical is None:
        return None
    if connection.vendor != "postgresql":  # SQLite needs the ORM's converters
        return next(iter(Label.objects.filter(serial=canonical).order_by()[:1]), None)
    row = _scan_lookup(canonical)
    return None if row is None else Label.from_db(connection.alias, _columns(), row)


# Raw psycopg2 connections on which the lookup is prepared (PREPARE lives
# as long as the session; a reconnect starts a new one).
_PREPARED: "weakref.WeakSet" = weakref.WeakSet()


def _scan_lookup(serial: str) -> tuple | None:
    """Run the prepared lookup, reconnecting once if the connection died.

    The scan is the busiest request, and on this hardware every round trip
    to PostgreSQL costs about as much CPU as a whole bare request
    (bench/scan.py). So it skips Django's per-request health check (a
    `SELECT 1` round trip) and instead retries once on a fresh connection
    when a kept connection turns out dead (PostgreSQL restarted), and it
    runs a prepared statement, which spares the server parsing and planning.
    (A PgBouncer in transaction-pooling mode would not keep it; we connect
    to PostgreSQL directly.)
    """
    for attempt in (1, 2):
        if connection.connection is not None and not connection.in_atomic_block:
            connection.health_check_done = True  # see above: the retry replaces it
        try:
            with connection.cursor() as cursor:
                raw = connection.connection
                if raw not in _PREPARED:
                    cursor.execute(_scan_prepare_sql())
                    _PREPARED.add(raw)
                cursor.execute("EXECUTE suyuan_scan_label (%s)", [serial])
                return cursor.fetchone()
        except (OperationalError, InterfaceError):
            if attempt == 2 or connection.in_atomic_block:
                raise
            logger.warning("scan lookup: database connection lost, reconnecting")
            connection.close()
    return None  # unreachable: the second attempt returns or raises


@functools.cache
def _columns() -> list[str]:
    return [field.attname for field in Label._meta.concrete_fields]


@functools.cache
def _scan_prepare_sql() -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in Label._meta.concrete_fields)
    return (
        f"PREPARE suyuan_scan_label (text) AS SELECT {columns} "
        f"FROM {quote(Label._meta.db_table)} WHERE serial = $1"
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
