"""Writes of the labels domain: print jobs, serial allocation, rendering, voiding.

Services take keyword arguments and raise django.core.exceptions.ValidationError
with a message per field (the API turns it into a 400) or PermissionDenied.
"""

import datetime
import functools
import hashlib
import hmac
import io
import json
import logging
import tempfile
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import (
    ImproperlyConfigured,
    PermissionDenied,
    ValidationError,
)
from django.core.files import File
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Case, F, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.derived import from_settings
from labels import codes, rendering, scan_cache
from labels.choices import LabelStatus, PrintJobStatus
from labels.models import Label, PrintJob, ScanEvent
from labels.selectors import print_job_labels
from labels.tasks import print_job_render_task
from labels.templates import DEFAULT_LINK_FORM, TEMPLATES, template_get
from trace import access
from trace.audit import history_record
from trace.choices import BatchStatus
from trace.models import Batch
from trace.services import brand_license_is_valid, certification_is_active

logger = logging.getLogger(__name__)

ALLOCATION_CHUNK = 5000
ALLOCATION_ATTEMPTS = 3
RENDER_FAILED_MESSAGE = gettext_lazy(
    "标签文件生成失败，请稍后重新提交打印任务；"
    "如仍失败，请联系管理员（任务编号 %(id)s）。"
)


def _may_print(user, batch: Batch) -> bool:
    """Operators of the batch's producer and administrators print labels."""
    return access.may_register_batch_for(user, batch.producer)


@transaction.atomic
def print_job_create(
    *,
    batch: Batch,
    template: str,
    count: int,
    requested_by,
    start_position: int = 1,
    offset_x_mm: Decimal = Decimal("0"),
    offset_y_mm: Decimal = Decimal("0"),
    crop_marks: bool = False,
    link_form: str = DEFAULT_LINK_FORM,
    enqueue: bool = True,
) -> PrintJob:
    """Queue a label sheet for a released batch of a certified producer.

    Serials are allocated now, inside this transaction, so any re-render is
    identical; the render task is enqueued after commit. Raise
    PermissionDenied for a user who may not print for the batch's producer and
    ValidationError for an unknown template, a start position off the sheet,
    a count over SUYUAN_MAX_LABELS_PER_JOB, a batch that is not released, or a
    producer without an active certification or brand license.
    """
    # The row lock orders concurrent jobs and hold/recall of the same batch.
    batch = (
        Batch.objects.select_for_update()
        .select_related("producer", "product_line")
        .get(pk=batch.pk)
    )
    if not _may_print(requested_by, batch):
        raise PermissionDenied(_("只有该主体的操作员或管理员可以打印标签。"))
    if template not in TEMPLATES:
        raise ValidationError({"template": _("未知的标签模板。")})
    per_page = template_get(template).per_page
    if not 1 <= start_position <= per_page:
        raise ValidationError(
            {
                "start_position": _("起始位置必须在 1 到 %(max)s 之间。")
                % {"max": per_page}
            }
        )
    limit = settings.SUYUAN_MAX_LABELS_PER_JOB
    if not 1 <= count <= limit:
        raise ValidationError(
            {
                "count": _("每个打印任务的标签数量必须在 1 到 %(max)s 之间。")
                % {"max": limit}
            }
        )
    if batch.status != BatchStatus.RELEASED:
        raise ValidationError({"batch": _("只有已放行的批次可以打印标签。")})
    _check_daily_quota(batch=batch, count=count)
    if not certification_is_active(producer=batch.producer):
        raise ValidationError(
            {"batch": _("该主体没有有效的扶贫产品认定，不能打印标签。")}
        )
    if not brand_license_is_valid(
        producer=batch.producer, product_line=batch.product_line
    ):
        raise ValidationError(
            {
                "batch": _(
                    "该主体没有此产品线的有效品牌授权（统一许可授权），不能打印标签。"
                )
            }
        )
    print_job = PrintJob(
        batch=batch,
        template=template,
        count=count,
        start_position=start_position,
        offset_x_mm=offset_x_mm,
        offset_y_mm=offset_y_mm,
        crop_marks=crop_marks,
        link_form=link_form,
        requested_by=requested_by,
    )
    print_job.full_clean()  # DRF never calls Model.clean(); services do.
    print_job.save()
    labels_allocate(print_job=print_job)
    if enqueue:
        transaction.on_commit(lambda: print_job_render_task.delay(print_job.pk))
    return print_job


def _check_daily_quota(*, batch: Batch, count: int) -> None:
    """Raise ValidationError if the producer would exceed today's label quota.

    Counted under the batch row lock taken by print_job_create, so two jobs
    of one batch cannot both slip under the limit.
    """
    quota = settings.SUYUAN_PRINT_JOB_DAILY_QUOTA
    since = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    used = (
        PrintJob.objects.filter(
            batch__producer_id=batch.producer_id, created_at__gte=since
        )
        .exclude(status=PrintJobStatus.FAILED)
        .aggregate(total=Sum("count"))["total"]
        or 0
    )
    if used + count > quota:
        raise ValidationError(
            {
                "count": _(
                    "超出每日标签配额：该主体今天已申请 %(used)s 枚，"
                    "每日最多 %(quota)s 枚，本次最多还可申请 %(left)s 枚。"
                )
                % {"used": used, "quota": quota, "left": max(0, quota - used)}
            }
        )


def labels_allocate(*, print_job: PrintJob) -> int:
    """Create the job's labels with fresh random serials; return how many.

    Chunked inserts: COPY on PostgreSQL (about 4x the rows per second of
    `bulk_create`, bench/allocate.py), `bulk_create` elsewhere. The unique
    index on `serial` is the guarantee that no two labels, in any job, ever
    share a serial. A chunk that collides (probability about n^2 / 2^91) is
    retried with new serials. Idempotent: a re-delivered allocation resumes
    after the job's last sequence instead of adding labels twice.
    """
    insert = (
        _labels_insert_copy
        if connection.vendor == "postgresql"
        else _labels_insert_bulk_create
    )
    created = Label.objects.filter(print_job=print_job).count()
    while created < print_job.count:
        size = min(ALLOCATION_CHUNK, print_job.count - created)
        for attempt in range(ALLOCATION_ATTEMPTS):
            try:
                with transaction.atomic():
                    insert(
                        print_job=print_job,
                        first_sequence=created + 1,
                        serials=codes.serials_new(size),
                    )
                break
            except IntegrityError:
                if attempt == ALLOCATION_ATTEMPTS - 1:
                    raise
                logger.warning(
                    "serial collision allocating print job %s; retrying the chunk",
                    print_job.pk,
                )
        created += size
    return created


def _labels_insert_bulk_create(
    *, print_job: PrintJob, first_sequence: int, serials: list[str]
) -> None:
    Label.objects.bulk_create(
        [
            Label(
                serial=serial,
                batch_id=print_job.batch_id,
                print_job=print_job,
                sequence=first_sequence + index,
            )
            for index, serial in enumerate(serials)
        ],
        batch_size=len(serials),
    )


# Every NOT NULL column, since Django's field defaults are not database defaults.
_COPY_COLUMNS = (
    "serial, batch_id, print_job_id, sequence, status, void_reason, "
    "first_scanned_city, scan_count, suspicious_reason, created_at"
)


def _labels_insert_copy(
    *, print_job: PrintJob, first_sequence: int, serials: list[str]
) -> None:
    """COPY the rows in one round trip; a duplicate serial raises IntegrityError.

    Serials are Crockford base32 and the other values are numbers, so no
    value needs COPY text escaping.
    """
    tail = f"\t{print_job.batch_id}\t{print_job.pk}\t"
    rest = f"\t{LabelStatus.ACTIVE}\t\t\t0\t\t{timezone.now().isoformat()}\n"
    data = "".join(
        f"{serial}{tail}{first_sequence + index}{rest}"
        for index, serial in enumerate(serials)
    )
    # The wrapper turns psycopg2's UniqueViolation into Django's IntegrityError.
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.cursor.copy_expert(
            f"COPY {Label._meta.db_table} ({_COPY_COLUMNS}) FROM STDIN",
            io.StringIO(data),
        )


def label_content(*, batch: Batch) -> rendering.LabelContent:
    """Return the text every label of the batch carries, apart from its serial."""
    line = batch.product_line
    brand = line.brand
    logo = None
    if brand is not None and brand.logo:
        try:
            with brand.logo.open("rb") as image:
                logo = rendering.logo_normalize(image.read())
        except OSError:
            logger.warning(
                "logo of brand %s could not be read; printing without it", brand.pk
            )
    return rendering.LabelContent(
        brand_line=f"{brand.name} {line.name}" if brand else line.name,
        unified_brand=brand is not None
        and brand_license_is_valid(producer=batch.producer, product_line=line),
        producer=batch.producer.name,
        lot=batch.lot_code,
        harvest_date=batch.harvest_date.isoformat(),
        logo=logo,
    )


def print_job_render(
    *, print_job_id: int, on_progress: Callable[[int, int], None] | None = None
) -> PrintJob:
    """Render a job's PDF from its allocated serials and mark it done.

    Idempotent: a done job returns at once; a job re-delivered after a crash
    renders the same serials again into the same file name. A failure leaves
    the job `failed` with a message for the user; the details go to the log.
    `on_progress(done, count)` is called after each page.
    """
    with transaction.atomic():
        print_job = (
            PrintJob.objects.select_for_update(of=("self",))
            .select_related("batch__producer", "batch__product_line__brand")
            .get(pk=print_job_id)
        )
        if print_job.status == PrintJobStatus.DONE:
            return print_job
        print_job.status = PrintJobStatus.RUNNING
        print_job.started_at = timezone.now()
        print_job.finished_at = None
        print_job.progress = 0
        print_job.error_message = ""
        print_job.save(
            update_fields=[
                "status",
                "started_at",
                "finished_at",
                "progress",
                "error_message",
            ]
        )
    # In the worker, not the request: the first scan of a new box then needs
    # no database read (labels/scan_cache.py).
    scan_cache.print_job_labels_publish(print_job_id=print_job.pk)
    try:
        _render(print_job, on_progress)
    except DatabaseError:
        raise  # transient: the task retries; the job's row cannot be written now
    except Exception:
        logger.exception("print job %s failed to render", print_job.pk)
        return print_job_fail(print_job_id=print_job.pk)
    print_job.status = PrintJobStatus.DONE
    print_job.progress = 100
    print_job.finished_at = timezone.now()
    print_job.save(update_fields=["pdf", "status", "progress", "finished_at"])
    return print_job


def print_job_fail(*, print_job_id: int) -> PrintJob:
    """Mark a job failed with a message for the user, unless it is already done."""
    PrintJob.objects.filter(pk=print_job_id).exclude(status=PrintJobStatus.DONE).update(
        status=PrintJobStatus.FAILED,
        error_message=str(RENDER_FAILED_MESSAGE) % {"id": print_job_id},
        finished_at=timezone.now(),
    )
    return PrintJob.objects.get(pk=print_job_id)


def print_jobs_fail_stale(*, older_than: datetime.timedelta | None = None) -> int:
    """Fail jobs stuck in `running` longer than the task time limit; return how many.

    A worker killed by the hard time limit or the OOM killer never reports
    back; run this from a periodic task or cron so users see `failed`.
    """
    older_than = older_than or datetime.timedelta(
        seconds=settings.CELERY_TASK_TIME_LIMIT
    )
    stale = PrintJob.objects.filter(
        status=PrintJobStatus.RUNNING, started_at__lt=timezone.now() - older_than
    ).values_list("pk", flat=True)
    failed = 0
    for print_job_id in list(stale):
        print_job_fail(print_job_id=print_job_id)
        failed += 1
    return failed


def _render(
    print_job: PrintJob, on_progress: Callable[[int, int], None] | None
) -> None:
    batch = print_job.batch
    gtin, lot = batch.product_line.gtin, batch.lot_code
    serials = (
        print_job_labels(print_job=print_job)
        .values_list("serial", flat=True)
        .iterator(chunk_size=2000)
    )
    compressed = print_job.link_form == "compressed"
    pairs = (
        (
            serial,
            codes.label_url(serial=serial, gtin=gtin, lot=lot, compressed=compressed),
        )
        for serial in serials
    )
    reported = [0]

    def progress(done: int) -> None:
        percent = min(99, done * 100 // print_job.count)
        if percent > reported[0]:
            reported[0] = percent
            PrintJob.objects.filter(pk=print_job.pk).update(progress=percent)
        if on_progress:
            on_progress(done, print_job.count)

    options = rendering.SheetOptions(
        template=template_get(print_job.template),
        start_position=print_job.start_position,
        offset_x_mm=float(print_job.offset_x_mm),
        offset_y_mm=float(print_job.offset_y_mm),
        crop_marks=print_job.crop_marks,
    )
    in_parts = print_job.count > settings.SUYUAN_LABEL_PART_SIZE
    with tempfile.TemporaryFile() as output:
        arguments = {
            "output": output,
            "options": options,
            "content": label_content(batch=batch),
            "labels": pairs,
            "count": print_job.count,
            "title": f"{batch} 标签 #{print_job.pk}",
            "on_progress": progress,
        }
        if in_parts:  # a zip of PDFs keeps the memory of a large job flat
            rendering.render_label_parts(
                part_size=settings.SUYUAN_LABEL_PART_SIZE, **arguments
            )
        else:
            rendering.render_labels(**arguments)
        output.seek(0)
        name = print_job.pdf_name()
        if in_parts:
            name = name.removesuffix(".pdf") + ".zip"
        storage = print_job.pdf.storage
        if storage.exists(
            name
        ):  # a re-render replaces the file instead of adding name_x7Yz.pdf
            storage.delete(name)
        print_job.pdf.name = storage.save(name, File(output, name=name))


@transaction.atomic
def labels_void(
    *,
    voided_by,
    reason: str,
    serials: Iterable[str] | None = None,
    print_job: PrintJob | None = None,
    label: Label | None = None,
) -> int:
    """Void one label, a list of serials or a whole job; return how many changed.

    Already void labels stay as they are. Raise PermissionDenied for users
    other than administrators and the batch producer's operators, and
    ValidationError without a reason or for serials the user cannot void
    (nothing is voided then).
    """
    if not reason.strip():
        raise ValidationError({"reason": _("作废标签必须说明原因。")})
    if not (access.is_administrator(voided_by) or access.is_operator(voided_by)):
        raise PermissionDenied(_("只有该主体的操作员或管理员可以作废标签。"))
    scope = Label.objects.filter(access.batch_scope(voided_by, "batch"))
    if print_job is not None:
        if not _may_print(voided_by, print_job.batch):
            raise PermissionDenied(_("只有该主体的操作员或管理员可以作废标签。"))
        labels = scope.filter(print_job=print_job)
    elif label is not None:
        if not _may_print(voided_by, label.batch):
            raise PermissionDenied(_("只有该主体的操作员或管理员可以作废标签。"))
        labels = scope.filter(pk=label.pk)
    else:
        wanted = {codes.serial_normalize(serial) for serial in serials or ()}
        if not wanted or None in wanted:
            raise ValidationError({"serials": _("请提供有效的标签序列号。")})
        labels = scope.filter(serial__in=wanted)
        missing = len(wanted) - labels.count()
        if missing:
            raise ValidationError(
                {
                    "serials": _("有 %(count)s 个序列号不存在或不属于您可管理的批次。")
                    % {"count": missing}
                }
            )
    now = timezone.now()
    scan_cache.labels_forget(
        labels.filter(status=LabelStatus.ACTIVE).values_list("serial", flat=True)
    )
    voided = labels.filter(status=LabelStatus.ACTIVE).update(
        status=LabelStatus.VOID,
        voided_at=now,
        voided_by=voided_by,
        void_reason=reason,
    )
    # A bulk UPDATE sends no signal: write the audit trail's rows explicitly.
    history_record(
        instances=labels.filter(
            status=LabelStatus.VOID, voided_at=now, voided_by=voided_by
        ).iterator(chunk_size=2000),
        user=voided_by,
        reason=reason,
    )
    return voided


@from_settings
def _client_mac() -> hmac.HMAC:
    """The HMAC keyed for client addresses, copied per scan (as codes._serial_mac)."""
    key = f"suyuan-scan-client:{settings.SECRET_KEY}".encode()
    return hmac.new(key, digestmod=hashlib.sha256)


def client_hash(address: str) -> str:
    """Return a keyed, irreversible token for a client address (never stored raw)."""
    mac = _client_mac().copy()
    mac.update(address.encode())
    return mac.hexdigest()[:32]


def scan_record(
    *, label: Label, client_address: str, user_agent: str = "", city: str = ""
) -> Label:
    """Record one scan of a label and update its counters and clone signal.

    The counter is updated in the database (F expression), so concurrent scans
    all count. A label scanned more than SUYUAN_SCAN_ALERT_COUNT times (more
    often than a box is opened) or in SUYUAN_SCAN_ALERT_CITIES or more cities
    becomes suspicious; the flag stays for administrators to review.
    """
    now = timezone.now()
    city = city.strip()[:64]
    with transaction.atomic():
        ScanEvent.objects.create(
            label=label,
            scanned_at=now,
            client_hash=client_hash(client_address),
            user_agent=user_agent[:255],
            city=city,
        )
        # One UPDATE ... RETURNING (PostgreSQL, SQLite >= 3.35) instead of an
        # update and a re-read: the counter is raised in the database, so
        # concurrent scans all count, and we see the values it produced.
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Label._meta.db_table} SET scan_count = scan_count + 1, "
                "first_scanned_city = CASE WHEN first_scanned_at IS NULL "
                "THEN %s ELSE first_scanned_city END, "
                "first_scanned_at = COALESCE(first_scanned_at, %s) "
                "WHERE id = %s RETURNING scan_count, first_scanned_at, "
                "first_scanned_city, suspicious_since",
                [city, connection.ops.adapt_datetimefield_value(now), label.pk],
            )
            count, first_at, first_city, suspicious = cursor.fetchone()
        label.scan_count = count
        label.first_scanned_at = _db_datetime(first_at)
        label.first_scanned_city = first_city
        label.suspicious_since = _db_datetime(suspicious)
        if label.suspicious_since is None:
            reason = _clone_signal(label=label, city=city)
            if reason:
                Label.objects.filter(pk=label.pk, suspicious_since__isnull=True).update(
                    suspicious_since=now, suspicious_reason=reason
                )
                label.suspicious_since, label.suspicious_reason = now, reason
    return label


SCAN_BUFFER_KEY = "suyuan:scan-buffer"
SCAN_FLUSH_LOCK = "suyuan:scan-buffer:flush-lock"
SCAN_FLUSH_CHUNK = 2000


def scan_note(
    *, label: Label, client_address: str, user_agent: str = "", city: str = ""
) -> Label:
    """Record a scan now or queue it, as SUYUAN_SCAN_WRITE_MODE says.

    "sync" is scan_record. "buffered" appends the scan to a Redis list (one
    round trip, no database write in the request) and shows the label's
    counters as they will be once `scan_buffer_flush` has written it; the
    flush applies the clone signals.
    """
    if settings.SUYUAN_SCAN_WRITE_MODE != "buffered":
        return scan_record(
            label=label,
            client_address=client_address,
            user_agent=user_agent,
            city=city,
        )
    record = scan_buffer_entry(
        label=label, client_address=client_address, user_agent=user_agent, city=city
    )
    _scan_buffer().rpush(SCAN_BUFFER_KEY, record)
    return label


def scan_buffer_entry(
    *, label: Label, client_address: str, user_agent: str = "", city: str = ""
) -> str:
    """Return the buffer record of a scan and show it on `label` in memory.

    The caller appends the record to SCAN_BUFFER_KEY (scan_note does; the
    public scan view has the gate build it in Redis from the label id and
    `scan_record_tail`).
    """
    now = timezone.now()
    city = city.strip()[:64]
    label.scan_count += 1
    if label.first_scanned_at is None:
        label.first_scanned_at, label.first_scanned_city = now, city
    tail = scan_record_tail(
        now=now, client_address=client_address, user_agent=user_agent, city=city
    )
    return f"[{label.pk}{tail}"


_RECORD_JSON = json.JSONEncoder(ensure_ascii=False)


def scan_record_tail(
    *, now: datetime.datetime, client_address: str, user_agent: str, city: str
) -> str:
    """Return a buffer record after its label id: `,"time","client","agent","city"]`.

    The records are JSON lists [label id, ISO time, client hash, agent, city]
    (scans_record_many reads them).
    """
    fields = [now.isoformat(), client_hash(client_address), user_agent[:255], city]
    return "," + _RECORD_JSON.encode(fields)[1:]


@functools.cache
def _scan_buffer_client(url: str):
    import redis

    return redis.Redis.from_url(url)


def scan_buffer_url() -> str:
    """Return the Redis URL of the scan buffer ("" if none is configured)."""
    return settings.SUYUAN_SCAN_BUFFER_URL


def _scan_buffer():
    url = scan_buffer_url()
    if not url:
        raise ImproperlyConfigured(
            "SUYUAN_SCAN_WRITE_MODE=buffered needs SUYUAN_SCAN_BUFFER_URL "
            "(or SUYUAN_CACHE_URL) pointing at Redis."
        )
    return _scan_buffer_client(url)


def scan_buffer_flush(*, chunk: int | None = None) -> int:
    """Write every buffered scan to the database; return how many.

    Run it from the periodic Celery task (labels.tasks) or
    `manage.py scan_buffer_flush`. Chunks are read, written in one
    transaction and only then trimmed from the list, so a crash loses no
    scan (at worst a chunk is written twice); a Redis lock keeps two
    flushers from writing the same chunk.
    """
    chunk = chunk or SCAN_FLUSH_CHUNK
    buffer = _scan_buffer()
    lock = buffer.lock(SCAN_FLUSH_LOCK, timeout=300, blocking_timeout=60)
    if not lock.acquire():
        return 0
    written = 0
    try:
        while True:
            raw = buffer.lrange(SCAN_BUFFER_KEY, 0, chunk - 1)
            if not raw:
                return written
            scans_record_many(records=[json.loads(item) for item in raw])
            buffer.ltrim(SCAN_BUFFER_KEY, len(raw), -1)
            written += len(raw)
    finally:
        lock.release()


@transaction.atomic
def scans_record_many(*, records: list[list]) -> int:
    """Write queued scans [label id, ISO time, client hash, agent, city] in bulk.

    Same outcome as scan_record for each: one ScanEvent, the counter raised
    by the number of scans (an F expression, so concurrent writers add up),
    the first scan's time and city kept, clone signals applied.
    """
    events = []
    by_label: dict[int, list] = {}
    for label_id, moment, hashed, agent, city in records:
        scanned_at = datetime.datetime.fromisoformat(moment)
        events.append(
            ScanEvent(
                label_id=label_id,
                scanned_at=scanned_at,
                client_hash=hashed,
                user_agent=agent,
                city=city,
            )
        )
        by_label.setdefault(label_id, []).append((scanned_at, city))
    ScanEvent.objects.bulk_create(events, batch_size=1000)
    counts = []
    for label_id, scans in sorted(by_label.items()):
        first_at, first_city = min(scans, key=lambda scan: scan[0])
        counts.append((label_id, len(scans), first_at, first_city))
    if connection.vendor == "postgresql":
        _label_counts_add_in_one_statement(counts)
    else:
        for label_id, scans, first_at, first_city in counts:
            Label.objects.filter(pk=label_id).update(
                scan_count=F("scan_count") + scans,
                first_scanned_at=Coalesce("first_scanned_at", Value(first_at)),
                first_scanned_city=Case(
                    When(first_scanned_at__isnull=True, then=Value(first_city)),
                    default=F("first_scanned_city"),
                ),
            )
    unflagged = Label.objects.filter(
        pk__in=list(by_label), suspicious_since__isnull=True
    ).only("serial", "scan_count", "first_scanned_city", "suspicious_since")
    now = timezone.now()
    flagged = []
    for label in unflagged.iterator(chunk_size=1000):
        cities = {city for _at, city in by_label[label.pk] if city}
        reason = _clone_signal(
            label=label, city=next(iter(cities - {label.first_scanned_city}), "")
        )
        if reason:
            Label.objects.filter(pk=label.pk, suspicious_since__isnull=True).update(
                suspicious_since=now, suspicious_reason=reason
            )
            flagged.append(label.serial)
    scan_cache.labels_forget(flagged)  # the next scan shows the warning
    return len(records)


def _label_counts_add_in_one_statement(counts: list[tuple]) -> None:
    """Add (label id, scans, first time, first city) to the labels: one UPDATE per chunk.

    The same outcome as the per-label UPDATE on SQLite; one statement per
    label made the flush slower than the scans it drains (bench/scan.py).
    """
    from psycopg2.extras import execute_values

    table = connection.ops.quote_name(Label._meta.db_table)
    sql = (
        f"UPDATE {table} AS label SET scan_count = label.scan_count + counted.scans, "
        "first_scanned_at = COALESCE(label.first_scanned_at, counted.first_at), "
        "first_scanned_city = CASE WHEN label.first_scanned_at IS NULL "
        "THEN counted.first_city ELSE label.first_scanned_city END "
        "FROM (VALUES %s) AS counted (id, scans, first_at, first_city) "
        "WHERE label.id = counted.id"
    )
    with connection.cursor() as cursor, connection.wrap_database_errors:
        execute_values(
            cursor.cursor,
            sql,
            counts,
            template="(%s::bigint, %s::integer, %s::timestamptz, %s::varchar)",
            page_size=1000,
        )


def _db_datetime(value) -> datetime.datetime | None:
    """Convert a raw column value (SQLite returns text in UTC) to an aware datetime."""
    if value is None:
        return None
    if not isinstance(value, datetime.datetime):
        value = datetime.datetime.fromisoformat(str(value))
    return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)


def _clone_signal(*, label: Label, city: str) -> str:
    """Return why the label looks cloned, or "" if it does not."""
    if label.scan_count > settings.SUYUAN_SCAN_ALERT_COUNT:
        return gettext_lazy("扫码次数异常偏多（%(count)s 次）") % {
            "count": label.scan_count
        }
    if city and city != label.first_scanned_city:
        cities = (
            ScanEvent.objects.filter(label=label)
            .exclude(city="")
            .values("city")
            .distinct()
            .count()
        )
        if cities >= settings.SUYUAN_SCAN_ALERT_CITIES:
            return gettext_lazy("在 %(count)s 个不同城市被扫码") % {"count": cities}
    return ""
