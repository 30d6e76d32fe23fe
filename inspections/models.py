"""Inspections domain: quality checks on batches, their results and evidence.

A signed inspection is evidence: from then on neither it, its result items
nor its attachments can change, through the ORM (save, delete, QuerySet
update and delete), the admin or the API; on PostgreSQL a trigger (migration
0002) refuses raw SQL too. A correction is a new row that supersedes it.
"""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inspections import rules
from inspections.choices import (
    AlertStatus,
    AnalyteKind,
    AttachmentKind,
    ControlRule,
    HoldReleaseBasis,
    InspectionKind,
    QualitativeOutcome,
    Verdict,
)
from trace.audit import audit_history
from trace.models import (
    QUANTITY,
    Batch,
    BatchStatusChange,
    Outlet,
    Producer,
    ProductLine,
    Region,
)
from trace.validators import validate_calendar_date, validate_past_date

MEASURE = {"max_digits": 16, "decimal_places": 6}


class SignedRecordError(ValidationError):
    """Raised on any attempt to change or delete a signed inspection."""

    def __init__(self, message=None):
        super().__init__(
            message or _("检测记录已签字确认，不能修改或删除；如需更正请新建更正记录。")
        )


class AnalyteClass(models.Model):
    """A class of analytes a screening test answers for (有机磷和氨基甲酸酯类农药)."""

    name = models.CharField(_("类别名称"), max_length=128, unique=True)
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("检测项目类别")
        verbose_name_plural = _("检测项目类别")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Analyte(models.Model):
    """A catalogued test item: analyte or check, its method and default limit."""

    name = models.CharField(_("检测项目"), max_length=128)
    method = models.CharField(_("检测方法/标准"), max_length=128, blank=True)
    unit = models.CharField(_("单位"), max_length=32, blank=True)
    kind = models.CharField(
        _("定性/定量"),
        max_length=16,
        choices=AnalyteKind.choices,
        default=AnalyteKind.QUANTITATIVE,
    )
    limit = models.DecimalField(
        _("默认限量"),
        null=True,
        blank=True,
        help_text=_("未按产品类别规定限量时使用。"),
        **MEASURE,
    )
    analyte_class = models.ForeignKey(
        AnalyteClass,
        verbose_name=_("所属类别"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        help_text=_("该项目属于哪一类（如毒死蜱属于有机磷类农药）。"),
    )
    screens = models.ForeignKey(
        AnalyteClass,
        verbose_name=_("筛查的类别"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="screening_tests",
        help_text=_(
            "快检方法一次筛查的一类项目（如酶抑制法筛查有机磷和氨基甲酸酯类农药）；"
            "可疑结果须由该类别的实验室检测项目确认或排除。"
        ),
    )
    description = models.TextField(_("说明"), blank=True)
    is_example = models.BooleanField(
        _("示例数据"),
        default=False,
        help_text=_("演示用示例数据，限量值请以现行国家标准为准。"),
    )

    class Meta:
        verbose_name = _("检测项目")
        verbose_name_plural = _("检测项目")
        ordering = ["name", "method"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "method"], name="analyte_unique_name_method"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.method}）" if self.method else self.name


class AnalyteLimit(models.Model):
    """The limit of an analyte for one product category (e.g. 水果, 茶叶)."""

    analyte = models.ForeignKey(
        Analyte,
        verbose_name=_("检测项目"),
        on_delete=models.CASCADE,
        related_name="limits",
    )
    category = models.CharField(_("产品类别"), max_length=32)
    limit = models.DecimalField(_("限量"), **MEASURE)

    class Meta:
        verbose_name = _("分类限量")
        verbose_name_plural = _("分类限量")
        ordering = ["analyte", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["analyte", "category"], name="analyte_limit_unique_category"
            )
        ]

    def __str__(self) -> str:
        return f"{self.analyte} {self.category} ≤ {self.limit}"


class InspectionQuerySet(models.QuerySet):
    """Refuse bulk updates and deletes that would touch a signed inspection."""

    def update(self, **kwargs):
        if self.filter(signed_at__isnull=False).exists():
            raise SignedRecordError()
        return super().update(**kwargs)

    def delete(self):
        if self.filter(signed_at__isnull=False).exists():
            raise SignedRecordError()
        return super().delete()


class Inspection(models.Model):
    """One quality check of a batch: who sampled what where, and the verdict."""

    batch = models.ForeignKey(
        Batch,
        verbose_name=_("批次"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    kind = models.CharField(
        _("检测类型"), max_length=16, choices=InspectionKind.choices
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("检测人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisation = models.CharField(_("检测单位"), max_length=128, blank=True)
    sampled_at = models.DateTimeField(_("抽样时间"), validators=[validate_past_date])
    region = models.ForeignKey(
        Region,
        verbose_name=_("抽样地点（区域）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    outlet = models.ForeignKey(
        Outlet,
        verbose_name=_("抽样地点（销售网点）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sample_size = models.DecimalField(_("样品数量"), null=True, blank=True, **QUANTITY)
    sample_unit = models.CharField(_("样品单位"), max_length=16, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    verdict = models.CharField(
        _("结论"), max_length=16, choices=Verdict.choices, editable=False
    )
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("更正的记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    confirms = models.ForeignKey(
        "self",
        verbose_name=_("复检的可疑记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="follow_ups",
        help_text=_("实验室检测确认或排除的快检可疑记录。"),
    )
    status_change = models.OneToOneField(
        BatchStatusChange,
        verbose_name=_("引起的批次状态变更"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="inspection",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    signed_at = models.DateTimeField(
        _("签字时间"), null=True, blank=True, editable=False
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签字人"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Idempotency-Key of the creating request and a hash of its body, so an
    # offline phone that retries gets the same record back.
    idempotency_key = models.CharField(max_length=128, blank=True, editable=False)
    request_fingerprint = models.CharField(max_length=64, blank=True, editable=False)

    objects = InspectionQuerySet.as_manager()

    history = audit_history()

    class Meta:
        verbose_name = _("检测记录")
        verbose_name_plural = _("检测记录")
        ordering = ["-sampled_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="inspection_unique_idempotency_key",
            ),
            models.CheckConstraint(
                condition=Q(region__isnull=True) | Q(outlet__isnull=True),
                name="inspection_one_place",
            ),
            models.CheckConstraint(
                condition=Q(signed_at__isnull=True, signed_by__isnull=True)
                | Q(signed_at__isnull=False, signed_by__isnull=False),
                name="inspection_signed_with_signer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} {self.batch}"

    def save(self, *args, **kwargs) -> None:
        if self._signed_in_database():
            raise SignedRecordError()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_signed or self._signed_in_database():
            raise SignedRecordError()
        return super().delete(*args, **kwargs)

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    def _signed_in_database(self) -> bool:
        return (
            self.pk is not None
            and type(self).objects.filter(pk=self.pk, signed_at__isnull=False).exists()
        )


class InspectionChildQuerySet(models.QuerySet):
    """Refuse bulk updates and deletes of rows that belong to a signed inspection."""

    def update(self, **kwargs):
        if self.filter(inspection__signed_at__isnull=False).exists():
            raise SignedRecordError()
        return super().update(**kwargs)

    def delete(self):
        if self.filter(inspection__signed_at__isnull=False).exists():
            raise SignedRecordError()
        return super().delete()


class InspectionChild(models.Model):
    """Common guard of rows that are part of an inspection's evidence."""

    objects = InspectionChildQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self._parent_signed():
            raise SignedRecordError()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._parent_signed():
            raise SignedRecordError()
        return super().delete(*args, **kwargs)

    def _parent_signed(self) -> bool:
        parent_ids = {self.inspection_id}
        if self.pk is not None:
            parent_ids |= set(
                type(self)
                .objects.filter(pk=self.pk)
                .values_list("inspection_id", flat=True)
            )
        return Inspection.objects.filter(
            pk__in=parent_ids, signed_at__isnull=False
        ).exists()


class InspectionResult(InspectionChild):
    """One result item of an inspection: analyte, method, limit, value, verdict."""

    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("检测记录"),
        on_delete=models.CASCADE,
        related_name="results",
    )
    analyte = models.ForeignKey(
        Analyte,
        verbose_name=_("目录检测项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="results",
    )
    item = models.CharField(_("检测项目"), max_length=128)
    kind = models.CharField(_("定性/定量"), max_length=16, choices=AnalyteKind.choices)
    method = models.CharField(_("检测方法/标准"), max_length=128, blank=True)
    limit = models.DecimalField(_("限量"), null=True, blank=True, **MEASURE)
    measured_value = models.DecimalField(_("检测值"), null=True, blank=True, **MEASURE)
    unit = models.CharField(_("单位"), max_length=32, blank=True)
    outcome = models.CharField(
        _("定性结果"), max_length=8, choices=QualitativeOutcome.choices, blank=True
    )
    verdict = models.CharField(
        _("单项结论"), max_length=16, choices=Verdict.choices, editable=False
    )
    position = models.PositiveSmallIntegerField(_("序号"), default=0)

    class Meta:
        verbose_name = _("检测结果")
        verbose_name_plural = _("检测结果")
        ordering = ["inspection", "position", "id"]

    def __str__(self) -> str:
        return f"{self.item}: {self.get_verdict_display()}"

    @property
    def verdict_rule(self) -> str:
        """Return the rule that decided this item's verdict, as people read it."""
        return rules.verdict_rule_text(
            kind=self.kind, method=self.method, limit=self.limit, unit=self.unit
        )


def attachment_upload_to(instance: "InspectionAttachment", filename: str) -> str:
    # Random names: evidence files must not be found by guessing.
    suffix = PurePosixPath(filename).suffix.lower()
    return f"inspections/{instance.inspection_id}/{uuid.uuid4().hex}{suffix}"


class InspectionAttachment(InspectionChild):
    """A photo (EXIF stripped) or PDF lab report attached to an inspection."""

    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("检测记录"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    kind = models.CharField(_("类型"), max_length=16, choices=AttachmentKind.choices)
    file = models.FileField(_("文件"), upload_to=attachment_upload_to)
    thumbnail = models.ImageField(
        _("缩略图"), upload_to=attachment_upload_to, blank=True
    )
    content_type = models.CharField(_("内容类型"), max_length=64)
    size = models.PositiveIntegerField(_("大小（字节）"))
    caption = models.CharField(_("说明"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("检测附件")
        verbose_name_plural = _("检测附件")
        ordering = ["inspection", "uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class ControlPoint(models.Model):
    """An inspection plan rule for a product line or a producer."""

    name = models.CharField(_("名称"), max_length=128)
    product_line = models.ForeignKey(
        ProductLine,
        verbose_name=_("产品线"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="control_points",
    )
    producer = models.ForeignKey(
        Producer,
        verbose_name=_("生产经营主体"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="control_points",
    )
    rule = models.CharField(_("抽检规则"), max_length=16, choices=ControlRule.choices)
    every_n = models.PositiveIntegerField(
        _("每 N 批"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    share_percent = models.PositiveSmallIntegerField(
        _("抽取比例（%）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    pass_streak = models.PositiveSmallIntegerField(
        _("连续合格批数 K"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
    )
    inspection_kind = models.CharField(
        _("检测类型"), max_length=16, choices=InspectionKind.choices
    )
    active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("抽检控制点")
        verbose_name_plural = _("抽检控制点")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(product_line__isnull=False) | Q(producer__isnull=False),
                name="control_point_has_target",
            )
        ]

    def __str__(self) -> str:
        return self.name


class QualityAlert(models.Model):
    """A quality alert opened by a failed inspection, closed once its CAPA is filled."""

    inspection = models.OneToOneField(
        Inspection,
        verbose_name=_("不合格检测记录"),
        on_delete=models.PROTECT,
        related_name="quality_alert",
    )
    batch = models.ForeignKey(
        Batch,
        verbose_name=_("批次"),
        on_delete=models.PROTECT,
        related_name="quality_alerts",
    )
    status = models.CharField(
        _("状态"),
        max_length=8,
        choices=AlertStatus.choices,
        default=AlertStatus.OPEN,
    )
    root_cause = models.TextField(_("原因分析"), blank=True)
    corrective_action = models.TextField(_("纠正措施"), blank=True)
    preventive_action = models.TextField(_("预防措施"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_date = models.DateField(
        _("整改期限"), null=True, blank=True, validators=[validate_calendar_date]
    )
    opened_at = models.DateTimeField(_("开启时间"), auto_now_add=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("关闭人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("质量预警")
        verbose_name_plural = _("质量预警")
        ordering = ["-opened_at", "-id"]

    def __str__(self) -> str:
        return f"{self.batch} #{self.pk}"


class HoldCause(models.Model):
    """What a hold is for: an analyte or analyte class that failed or was suspect.

    A cause with neither analyte nor class is unknown (a free-text item): no
    lab result can cover it, so only an inspector's signed release lifts it.
    `covered_by` is the passing lab result that answered it, set once.
    """

    hold = models.ForeignKey(
        BatchStatusChange,
        verbose_name=_("暂停记录"),
        on_delete=models.PROTECT,
        related_name="hold_causes",
    )
    batch = models.ForeignKey(
        Batch,
        verbose_name=_("批次"),
        on_delete=models.PROTECT,
        related_name="hold_causes",
    )
    result = models.ForeignKey(
        InspectionResult,
        verbose_name=_("不合格或可疑的检测结果"),
        on_delete=models.PROTECT,
        related_name="hold_causes",
    )
    analyte = models.ForeignKey(
        Analyte,
        verbose_name=_("检测项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    analyte_class = models.ForeignKey(
        AnalyteClass,
        verbose_name=_("检测项目类别"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    covered_by = models.ForeignKey(
        InspectionResult,
        verbose_name=_("排除该原因的实验室检测结果"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="covered_causes",
    )

    class Meta:
        verbose_name = _("暂停原因")
        verbose_name_plural = _("暂停原因")
        ordering = ["hold", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(analyte__isnull=True) | Q(analyte_class__isnull=True),
                name="hold_cause_analyte_or_class",
            ),
            models.UniqueConstraint(
                fields=["hold", "result"], name="hold_cause_unique_result"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """Return what the cause is about, as inspectors read it."""
        if self.analyte_class_id is not None:
            return self.analyte_class.name
        if self.analyte_id is not None:
            return self.analyte.name
        return self.result.item

    @property
    def is_known(self) -> bool:
        return self.analyte_id is not None or self.analyte_class_id is not None


class HoldReleaseQuerySet(models.QuerySet):
    """A release is evidence: refuse bulk changes."""

    def update(self, **kwargs):
        raise SignedRecordError(_("解除暂停记录不能修改或删除。"))

    def delete(self):
        raise SignedRecordError(_("解除暂停记录不能修改或删除。"))


class HoldRelease(models.Model):
    """How a hold was lifted: by lab results covering every cause, or signed.

    A signed release is an inspector's explicit decision with a reason, the
    only way to lift a hold of unknown cause. Once written it never changes.
    """

    batch = models.ForeignKey(
        Batch,
        verbose_name=_("批次"),
        on_delete=models.PROTECT,
        related_name="hold_releases",
    )
    hold = models.OneToOneField(
        BatchStatusChange,
        verbose_name=_("解除的暂停"),
        on_delete=models.PROTECT,
        related_name="hold_release",
    )
    status_change = models.OneToOneField(
        BatchStatusChange,
        verbose_name=_("解除暂停的状态变更"),
        on_delete=models.PROTECT,
        related_name="release_record",
    )
    basis = models.CharField(_("依据"), max_length=16, choices=HoldReleaseBasis.choices)
    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("完成覆盖的实验室检测"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hold_releases",
    )
    reason = models.TextField(_("理由"))
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("解除人"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("签字解除的检测员，或录入覆盖全部原因的实验室检测的人。"),
    )
    released_at = models.DateTimeField(_("解除时间"), auto_now_add=True)

    objects = HoldReleaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("解除暂停记录")
        verbose_name_plural = _("解除暂停记录")
        ordering = ["-released_at", "-id"]

    def __str__(self) -> str:
        return f"{self.batch} {self.get_basis_display()}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise SignedRecordError(_("解除暂停记录不能修改或删除。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise SignedRecordError(_("解除暂停记录不能修改或删除。"))
