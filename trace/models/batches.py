"""Batches, their status changes, contributions and 滞销 marks."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from trace.audit import audit_history
from trace.choices import (
    BatchStatus,
)
from trace.models.common import MONEY, NON_NEGATIVE, QUANTITY, Transition
from trace.models.households import Household
from trace.models.registry import Producer, ProductLine, Region
from trace.validators import (
    validate_calendar_date,
    validate_gs1_lot,
    validate_past_date,
)


class Batch(models.Model):
    """A lot of one product line from one producer, the unit that is labelled."""

    producer = models.ForeignKey(
        Producer,
        verbose_name=_("生产经营主体"),
        on_delete=models.PROTECT,
        related_name="batches",
    )
    product_line = models.ForeignKey(
        ProductLine,
        verbose_name=_("产品线"),
        on_delete=models.PROTECT,
        related_name="batches",
    )
    lot_code = models.CharField(
        _("批次号"), max_length=20, validators=[validate_gs1_lot]
    )
    name = models.CharField(
        _("批次名称"),
        max_length=64,
        blank=True,
        help_text=_("中文名称，可空；批次号不能含中文。"),
    )
    origin = models.ForeignKey(
        Region, verbose_name=_("产地"), on_delete=models.PROTECT, related_name="batches"
    )
    harvest_date = models.DateField(_("采收/生产日期"), validators=[validate_past_date])
    quantity = models.DecimalField(_("数量"), validators=NON_NEGATIVE, **QUANTITY)
    unit = models.CharField(_("单位"), max_length=16)
    status = models.CharField(
        _("状态"), max_length=16, choices=BatchStatus.choices, default=BatchStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = audit_history()

    class Meta:
        verbose_name = _("批次")
        verbose_name_plural = _("批次")
        ordering = ["-harvest_date", "-id"]
        constraints = [
            # GTIN + lot (GS1 Digital Link) must name one batch.
            models.UniqueConstraint(
                fields=["product_line", "lot_code"],
                name="batch_unique_lot_per_product_line",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=0), name="batch_quantity_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_line} {self.lot_code}"


class SlowSellingMark(models.Model):
    """An office's mark that a product line or a batch is 滞销 for a period.

    Sales of marked goods within the period count toward the stepped reward
    of 邵东's authorised stores ("帮助销售滞销扶贫产品", seed 001, lines 38-42).
    """

    product_line = models.ForeignKey(
        ProductLine,
        verbose_name=_("产品线"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="slow_selling_marks",
    )
    batch = models.ForeignKey(
        Batch,
        verbose_name=_("批次"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="slow_selling_marks",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("适用地区"),
        on_delete=models.PROTECT,
        related_name="slow_selling_marks",
        help_text=_("标记的扶贫办所辖地区：产自该地区（含下级）的货才算滞销产品。"),
    )
    valid_from = models.DateField(_("滞销起"), validators=[validate_calendar_date])
    valid_until = models.DateField(_("滞销至"), validators=[validate_calendar_date])
    reason = models.TextField(_("说明"), blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("标记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    marked_at = models.DateTimeField(_("标记时间"), auto_now_add=True)

    history = audit_history()

    class Meta:
        verbose_name = _("滞销标记")
        verbose_name_plural = _("滞销标记")
        ordering = ["-valid_from", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(product_line__isnull=True, batch__isnull=False)
                | Q(product_line__isnull=False, batch__isnull=True),
                name="slow_selling_mark_one_target",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")),
                name="slow_selling_mark_valid_range",
            ),
        ]

    def __str__(self) -> str:
        target = self.batch if self.batch_id else self.product_line
        return f"{target} 滞销（{self.valid_from}—{self.valid_until}）"


class BatchStatusChange(Transition):
    """One recorded transition of a batch's status, with who and why."""

    batch = models.ForeignKey(
        Batch,
        verbose_name=_("批次"),
        on_delete=models.PROTECT,
        related_name="status_changes",
    )
    from_status = models.CharField(
        _("原状态"), max_length=16, choices=BatchStatus.choices
    )
    to_status = models.CharField(
        _("新状态"), max_length=16, choices=BatchStatus.choices
    )

    class Meta:
        verbose_name = _("批次状态变更")
        verbose_name_plural = _("批次状态变更")
        ordering = ["batch", "at", "id"]

    def __str__(self) -> str:
        return f"{self.batch}: {self.from_status} → {self.to_status}"


class BatchContribution(models.Model):
    """A household's share in a batch: what it supplied and what it was paid."""

    batch = models.ForeignKey(
        Batch,
        verbose_name=_("批次"),
        on_delete=models.CASCADE,
        related_name="contributions",
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("贫困户"),
        on_delete=models.PROTECT,
        related_name="contributions",
    )
    quantity = models.DecimalField(_("供货数量"), validators=NON_NEGATIVE, **QUANTITY)
    amount_paid = models.DecimalField(
        _("支付金额（元）"), validators=NON_NEGATIVE, **MONEY
    )

    class Meta:
        verbose_name = _("带贫贡献")
        verbose_name_plural = _("带贫贡献")
        ordering = ["batch", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "household"], name="batch_contribution_unique"
            ),
            models.CheckConstraint(
                condition=Q(amount_paid__gte=0),
                name="batch_contribution_paid_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch} ← {self.household}"
