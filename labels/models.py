"""Labels domain: printed serials and the print jobs that produce them."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from labels import codes
from labels.choices import LabelStatus, PrintJobStatus
from labels.templates import (
    DEFAULT_LINK_FORM,
    DEFAULT_TEMPLATE,
    link_form_choices,
    template_choices,
)
from trace.audit import audit_history
from trace.models import Batch

# A printer's calibration offset in millimetres, declared once: the print
# job's and the remembered settings' columns (offset_field), the workbench's
# forms and the API's serializer (**OFFSET_DIGITS, **OFFSET_BOUNDS) take it
# from here. Beyond a centimetre means the wrong template, not drift.
OFFSET_LIMIT = Decimal("10")
OFFSET_DIGITS = {"max_digits": 4, "decimal_places": 1}
OFFSET_BOUNDS = {"min_value": -OFFSET_LIMIT, "max_value": OFFSET_LIMIT}
OFFSET_VALIDATORS = [MinValueValidator(-OFFSET_LIMIT), MaxValueValidator(OFFSET_LIMIT)]


def offset_field(verbose_name, *, help_text) -> models.DecimalField:
    """Return the column of a printer offset: millimetres, 0 unless calibrated."""
    return models.DecimalField(
        verbose_name,
        **OFFSET_DIGITS,
        default=Decimal("0"),
        validators=OFFSET_VALIDATORS,
        help_text=help_text,
    )


class PrintJob(models.Model):
    """A request for a label sheet PDF of one batch, rendered by a Celery task."""

    batch = models.ForeignKey(
        Batch,
        verbose_name=_("批次"),
        on_delete=models.PROTECT,
        related_name="print_jobs",
    )
    template = models.CharField(
        _("标签模板"), max_length=32, choices=template_choices, default=DEFAULT_TEMPLATE
    )
    count = models.PositiveIntegerField(
        _("标签数量"), validators=[MinValueValidator(1)]
    )
    start_position = models.PositiveSmallIntegerField(
        _("起始位置"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("第一页从第几枚标签开始（用过一部分的标签纸）。"),
    )
    offset_x_mm = offset_field(
        _("水平偏移（毫米）"), help_text=_("打印机校准：正数向右。")
    )
    offset_y_mm = offset_field(
        _("垂直偏移（毫米）"), help_text=_("打印机校准：正数向下。")
    )
    crop_marks = models.BooleanField(_("裁切线"), default=False)
    link_form = models.CharField(
        _("二维码内容"),
        max_length=16,
        choices=link_form_choices,
        default=DEFAULT_LINK_FORM,
        help_text=_("有 GTIN 的产品：标准或压缩的 GS1 数字链接，两者扫出同一页面。"),
    )
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=PrintJobStatus.choices,
        default=PrintJobStatus.QUEUED,
    )
    progress = models.PositiveSmallIntegerField(
        _("进度（%）"), default=0, validators=[MaxValueValidator(100)]
    )
    error_message = models.TextField(_("错误信息"), blank=True)
    pdf = models.FileField(_("PDF 文件"), upload_to="print-jobs/", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # The rendering worker's sign of life and the execution that holds the
    # job: a redelivered task takes over only a job whose heartbeat stopped.
    heartbeat_at = models.DateTimeField(
        _("心跳时间"), null=True, blank=True, editable=False
    )
    lease = models.CharField(_("执行标识"), max_length=32, blank=True, editable=False)

    class Meta:
        verbose_name = _("打印任务")
        verbose_name_plural = _("打印任务")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(count__gte=1), name="print_job_count_positive"
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="print_job_progress_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.batch} × {self.count}"

    @property
    def printed_links(self) -> str:
        """Return what the codes hold: the link form asked for, or "short"
        (/t/{serial}) for a product without a GTIN, whatever was asked."""
        return self.link_form if self.batch.product_line.gtin else "short"

    def pdf_name(self) -> str:
        """Return the PDF's file name: fixed by the id, so a re-render overwrites it."""
        return f"print-jobs/print-job-{self.pk}.pdf"


class LabelVoid(models.Model):
    """One voiding of labels of one batch: who, when, why, and which labels.

    A void is final, so the labels that name a row are exactly those voided
    then; the batch's EPCIS export makes one decommissioning event of it. A
    request that voids labels of several batches writes one row per batch.
    """

    batch = models.ForeignKey(
        Batch,
        verbose_name=_("批次"),
        on_delete=models.PROTECT,
        related_name="label_voids",
    )
    voided_at = models.DateTimeField(_("作废时间"))
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("作废人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("作废原因"))

    class Meta:
        verbose_name = _("标签作废记录")
        verbose_name_plural = _("标签作废记录")
        ordering = ["batch", "voided_at", "id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.batch} {self.voided_at:%Y-%m-%d %H:%M}"


class Label(models.Model):
    """One printed code: a serial on a box of a batch, active or void."""

    serial = models.CharField(_("序列号"), max_length=codes.SERIAL_LENGTH, unique=True)
    batch = models.ForeignKey(
        Batch, verbose_name=_("批次"), on_delete=models.PROTECT, related_name="labels"
    )
    # No index of its own: the unique (print_job, sequence) index leads with
    # it, and one index less is less index work per allocated label.
    print_job = models.ForeignKey(
        PrintJob,
        verbose_name=_("打印任务"),
        on_delete=models.PROTECT,
        related_name="labels",
        db_index=False,
    )
    # Position in the job (1-based): the render order, fixed at allocation.
    sequence = models.PositiveIntegerField(_("序号"))
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=LabelStatus.choices,
        default=LabelStatus.ACTIVE,
    )
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("作废人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    void_reason = models.TextField(_("作废原因"), blank=True)
    # The voiding that includes this label. voided_at, voided_by and
    # void_reason repeat it on the row the scan path reads without a join.
    void = models.ForeignKey(
        LabelVoid,
        verbose_name=_("作废记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="labels",
        db_index=False,
    )
    first_scanned_at = models.DateTimeField(_("首次扫码时间"), null=True, blank=True)
    first_scanned_city = models.CharField(_("首次扫码城市"), max_length=64, blank=True)
    scan_count = models.PositiveIntegerField(_("扫码次数"), default=0)
    suspicious_since = models.DateTimeField(_("疑似仿冒时间"), null=True, blank=True)
    suspicious_reason = models.CharField(_("疑似仿冒原因"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    history = audit_history()

    class Meta:
        verbose_name = _("标签")
        verbose_name_plural = _("标签")
        ordering = ["print_job", "sequence"]
        constraints = [
            # A re-delivered allocation can never add a second label for a position.
            models.UniqueConstraint(
                fields=["print_job", "sequence"], name="label_unique_sequence_per_job"
            ),
        ]
        indexes = [
            # Only void labels have one: a small index beside millions of rows.
            models.Index(
                fields=["void"],
                condition=Q(void__isnull=False),
                name="label_void_partial",
            ),
        ]

    def __str__(self) -> str:
        return self.serial

    def url(self) -> str:
        """Return the URL its QR code carries (needs batch and product line loaded)."""
        return codes.label_url(
            serial=self.serial,
            gtin=self.batch.product_line.gtin,
            lot=self.batch.lot_code,
        )


class ScanEvent(models.Model):
    """One scan of a label: time and coarse client facts, never a raw IP."""

    label = models.ForeignKey(
        Label, verbose_name=_("标签"), on_delete=models.PROTECT, related_name="scans"
    )
    scanned_at = models.DateTimeField(_("扫码时间"), default=timezone.now)
    # HMAC of the client address: counts distinct clients, cannot be reversed.
    client_hash = models.CharField(_("客户端标识（散列）"), max_length=32)
    user_agent = models.CharField(_("浏览器"), max_length=255, blank=True)
    city = models.CharField(_("城市"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("扫码记录")
        verbose_name_plural = _("扫码记录")
        ordering = ["label", "scanned_at"]
        indexes = [models.Index(fields=["label", "scanned_at"])]

    def __str__(self) -> str:
        return f"{self.label} {self.scanned_at:%Y-%m-%d %H:%M}"


class CabinetDevice(models.Model):
    """An 智能专柜 (or its operator's server) that pushes its sales with a signed key.

    The secret signs every request (HMAC-SHA256); it is shown once, when the
    office issues it, and kept to check signatures.
    """

    outlet = models.ForeignKey(
        "trace.Outlet",
        verbose_name=_("专柜"),
        on_delete=models.PROTECT,
        related_name="cabinet_devices",
    )
    key_id = models.CharField(_("设备编号"), max_length=32, unique=True)
    secret = models.CharField(_("签名密钥"), max_length=64, editable=False)
    active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发放人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("发放时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("智能专柜设备")
        verbose_name_plural = _("智能专柜设备")
        ordering = ["key_id"]

    def __str__(self) -> str:
        return self.key_id


class LabelSale(models.Model):
    """The sale of the item a cabinet scanned: where this label was sold."""

    label = models.OneToOneField(
        Label, verbose_name=_("标签"), on_delete=models.PROTECT, related_name="sale"
    )
    sale = models.OneToOneField(
        "trace.Sale",
        verbose_name=_("销售"),
        on_delete=models.PROTECT,
        related_name="label_sale",
    )

    class Meta:
        verbose_name = _("标签售出记录")
        verbose_name_plural = _("标签售出记录")

    def __str__(self) -> str:
        return f"{self.label} → {self.sale_id}"
