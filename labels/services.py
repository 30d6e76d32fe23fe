"""Writes of the labels domain: print jobs, serial allocation, rendering, voiding.

Services take keyword arguments and raise django.core.exceptions.ValidationError
with a message per field (the API turns it into a 400) or PermissionDenied.
"""

import datetime
import io
import logging
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from labels import codes, rendering, scans
from labels.choices import LabelStatus, PrintJobStatus
from labels.models import Label, LabelVoid, PrintJob
from labels.selectors import print_job_labels
from labels.tasks import print_job_render_task
from labels.templates import DEFAULT_LINK_FORM, TEMPLATES, template_get
from trace import access
from trace.audit import history_record
from trace.choices import BatchStatus
from trace.models import Batch
from trace.selectors.certification import certification_is_active
from trace.selectors.licences import brand_license_is_valid

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
        print_job_render_task.delay_on_commit(print_job.pk)
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
        brand_line=line.title,
        unified_brand=brand is not None
        and brand_license_is_valid(producer=batch.producer, product_line=line),
        producer=batch.producer.name,
        lot=batch.lot_code,
        harvest_date=batch.harvest_date.isoformat(),
        logo=logo,
        date_word="生产" if line.processed else "采收",
    )


class PrintJobBusy(Exception):
    """Another execution is rendering the job and its heartbeat is fresh."""


class PrintJobLeaseLost(Exception):
    """Another execution took the job over; this one must stop writing."""


def print_job_lease_seconds() -> int:
    """Return how long a job's heartbeat may be silent before it is taken over."""
    return settings.SUYUAN_PRINT_JOB_LEASE_SECONDS


def print_job_claim(*, print_job_id: int, lease: str) -> PrintJob:
    """Take a job for the execution named `lease`; return it as is if done.

    Raise PrintJobBusy if another execution holds it and stamped its
    heartbeat within the lease: a long job whose message the broker
    redelivered (its visibility timeout is short) must not be rendered twice
    at once. A job whose worker died stops stamping and is taken over.
    """
    with transaction.atomic():
        print_job = (
            PrintJob.objects.select_for_update(of=("self",))
            .select_related("batch__producer", "batch__product_line__brand")
            .get(pk=print_job_id)
        )
        if print_job.status == PrintJobStatus.DONE:
            return print_job
        now = timezone.now()
        silent_since = now - datetime.timedelta(seconds=print_job_lease_seconds())
        if (
            print_job.status == PrintJobStatus.RUNNING
            and print_job.lease != lease
            and print_job.heartbeat_at is not None
            and print_job.heartbeat_at > silent_since
        ):
            raise PrintJobBusy(print_job_id)
        if print_job.status == PrintJobStatus.RUNNING:
            logger.warning(
                "print job %s: heartbeat silent since %s, taking it over",
                print_job.pk,
                print_job.heartbeat_at,
            )
        print_job.status = PrintJobStatus.RUNNING
        print_job.started_at = now
        print_job.heartbeat_at = now
        print_job.lease = lease
        print_job.finished_at = None
        print_job.progress = 0
        print_job.error_message = ""
        print_job.save(
            update_fields=[
                "status",
                "started_at",
                "heartbeat_at",
                "lease",
                "finished_at",
                "progress",
                "error_message",
            ]
        )
    logger.info("print job %s: rendering (lease %s)", print_job.pk, lease)
    return print_job


def _print_job_stamp(*, print_job: PrintJob, **fields) -> None:
    """Write the heartbeat (and `fields`) if this execution still holds the job."""
    written = PrintJob.objects.filter(pk=print_job.pk, lease=print_job.lease).update(
        heartbeat_at=timezone.now(), **fields
    )
    if not written:
        raise PrintJobLeaseLost(print_job.pk)


def print_job_render(
    *,
    print_job_id: int,
    on_progress: Callable[[int, int], None] | None = None,
    lease: str | None = None,
) -> PrintJob:
    """Render a job's PDF from its allocated serials and mark it done.

    Idempotent: a done job returns at once; a job re-delivered after a crash
    renders the same serials again into the same file name. A failure leaves
    the job `failed` with a message for the user; the details go to the log.
    `on_progress(done, count)` is called after each page. The heartbeat is
    stamped with the progress, at least every SUYUAN_PRINT_JOB_HEARTBEAT_SECONDS
    while pages are drawn. Raise PrintJobBusy if a live execution holds the
    job, PrintJobLeaseLost if another one took it over meanwhile.
    """
    lease = lease or uuid.uuid4().hex
    print_job = print_job_claim(print_job_id=print_job_id, lease=lease)
    if print_job.status == PrintJobStatus.DONE:
        return print_job
    # In the worker, not the request: the first scan of a new box then needs
    # no database read (labels/scans.py).
    scans.print_job_labels_publish(print_job_id=print_job.pk)
    _print_job_stamp(print_job=print_job)
    try:
        _render(print_job, on_progress)
    except (DatabaseError, PrintJobLeaseLost):
        raise  # transient, or no longer ours: the task decides
    except Exception:
        logger.exception("print job %s failed to render", print_job.pk)
        return print_job_fail(print_job_id=print_job.pk)
    print_job.status = PrintJobStatus.DONE
    print_job.progress = 100
    print_job.finished_at = timezone.now()
    _print_job_stamp(
        print_job=print_job,
        pdf=print_job.pdf.name,
        status=PrintJobStatus.DONE,
        progress=100,
        finished_at=print_job.finished_at,
    )
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
    """Fail jobs whose heartbeat stopped longer ago than the task time limit.

    A killed worker's job is normally re-run within a minute when the broker
    redelivers its message (print_job_claim); this catches the rest (a
    message lost with the broker's data), from a periodic task or cron, so
    users see `failed` instead of `running` forever. Return how many.
    """
    older_than = older_than or datetime.timedelta(
        seconds=settings.CELERY_TASK_TIME_LIMIT
    )
    stale = (
        PrintJob.objects.filter(status=PrintJobStatus.RUNNING)
        .alias(last_sign=Coalesce("heartbeat_at", "started_at"))
        .filter(last_sign__lt=timezone.now() - older_than)
        .values_list("pk", flat=True)
    )
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
    stamped = [time.monotonic()]
    interval = settings.SUYUAN_PRINT_JOB_HEARTBEAT_SECONDS

    def progress(done: int) -> None:
        percent = min(99, done * 100 // print_job.count)
        now = time.monotonic()
        if percent > reported[0] or now - stamped[0] >= interval:
            reported[0], stamped[0] = max(percent, reported[0]), now
            _print_job_stamp(print_job=print_job, progress=reported[0])
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

    Already void labels stay as they are. Each batch's labels voided now get
    one LabelVoid (who, when, why), which its EPCIS export turns into one
    decommissioning event. Raise PermissionDenied for users
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
    active = labels.filter(status=LabelStatus.ACTIVE)
    scans.labels_forget(active.values_list("serial", flat=True))
    voids = []
    voided = 0
    batch_ids = active.order_by("batch_id").values_list("batch_id", flat=True)
    for batch_id in list(batch_ids.distinct()):
        # One record per batch: each batch's EPCIS export names its voiding.
        void = LabelVoid.objects.create(
            batch_id=batch_id, voided_at=now, voided_by=voided_by, reason=reason
        )
        changed = active.filter(batch_id=batch_id).update(
            status=LabelStatus.VOID,
            voided_at=now,
            voided_by=voided_by,
            void_reason=reason,
            void=void,
        )
        if changed:
            voids.append(void)
            voided += changed
        else:  # a concurrent void took them first
            void.delete()
    # A bulk UPDATE sends no signal: write the audit trail's rows explicitly.
    history_record(
        instances=Label.objects.filter(void__in=voids).iterator(chunk_size=2000),
        user=voided_by,
        reason=reason,
    )
    return voided
