"""Trace events, sales and the evidence of sales: append-only records."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from trace.choices import (
    LogisticsFeePayer,
    ReferenceDocumentType,
    SaleSource,
    TraceEventKind,
)
from trace.models.batches import Batch
from trace.models.common import (
    MONEY,
    NON_NEGATIVE,
    QUANTITY,
    StoredEvidence,
    private_upload_name,
)
from trace.models.registry import Outlet, Producer, Region
from trace.validators import (
    validate_past_date,
)


class TraceEvent(models.Model):
    """A critical tracking event (GS1 EPCIS / FSMA 204 key data elements)."""

    batch = models.ForeignKey(
        Batch,
        verbose_name=_("批次"),
        on_delete=models.PROTECT,
        related_name="trace_events",
    )
    kind = models.CharField(_("环节"), max_length=16, choices=TraceEventKind.choices)
    occurred_at = models.DateTimeField(_("发生时间"), validators=[validate_past_date])
    location = models.ForeignKey(
        Region,
        verbose_name=_("地点（区域）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    place = models.CharField(_("地点"), max_length=128, blank=True)
    actor = models.CharField(_("经办单位"), max_length=128, blank=True)
    quantity = models.DecimalField(
        _("数量"), null=True, blank=True, validators=NON_NEGATIVE, **QUANTITY
    )
    unit = models.CharField(_("单位"), max_length=16, blank=True)
    reference_document_type = models.CharField(
        _("单据类型"), max_length=24, choices=ReferenceDocumentType.choices, blank=True
    )
    reference_document_number = models.CharField(
        _("单据编号"), max_length=64, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("追溯事件")
        verbose_name_plural = _("追溯事件")
        ordering = ["batch", "occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.batch} {self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"


class Sale(models.Model):
    """A poverty-alleviation sale (消费扶贫证明材料 row)."""

    batch = models.ForeignKey(
        Batch, verbose_name=_("批次"), on_delete=models.PROTECT, related_name="sales"
    )
    seller = models.ForeignKey(
        Producer, verbose_name=_("卖方"), on_delete=models.PROTECT, related_name="sales"
    )
    buyer = models.CharField(_("买方"), max_length=128)
    outlet = models.ForeignKey(
        Outlet,
        verbose_name=_("销售网点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sales",
        help_text=_("卖出这批货的网点（如授权店的零售）。"),
    )
    buyer_outlet = models.ForeignKey(
        Outlet,
        verbose_name=_("进货网点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="purchases",
        help_text=_("买进这批货的网点（如授权店进货）；进货不计入该网点的销售额。"),
    )
    # A code of the seller's county's list (trace.channels), not fixed choices:
    # 洞口's 进车站 is no channel of 云阳.
    channel = models.CharField(_("销售渠道"), max_length=16)
    channel_reason = models.CharField(
        _("渠道与网点不符的说明"),
        max_length=255,
        blank=True,
        help_text=_("渠道与销售网点类型不符时（如进学校却经由专馆）须说明原因。"),
    )
    quantity = models.DecimalField(_("数量"), validators=NON_NEGATIVE, **QUANTITY)
    unit = models.CharField(_("单位"), max_length=16)
    amount = models.DecimalField(_("金额（元）"), validators=NON_NEGATIVE, **MONEY)
    sold_at = models.DateTimeField(_("交易时间"), validators=[validate_past_date])
    note = models.CharField(_("备注"), max_length=255, blank=True)
    logistics_fee = models.DecimalField(
        _("物流费用（元）"), default=0, validators=NON_NEGATIVE, **MONEY
    )
    logistics_fee_payer = models.CharField(
        _("物流费用承担方"),
        max_length=16,
        choices=LogisticsFeePayer.choices,
        default=LogisticsFeePayer.BUYER,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    source = models.CharField(
        _("来源"), max_length=16, choices=SaleSource.choices, default=SaleSource.HAND
    )
    # The platform's order number or the cabinet's transaction id, prefixed
    # with the platform or device: a re-import or a re-sent batch adds nothing.
    source_key = models.CharField(_("来源单号"), max_length=128, blank=True)

    class Meta:
        verbose_name = _("消费扶贫销售")
        verbose_name_plural = _("消费扶贫销售")
        ordering = ["-sold_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="sale_amount_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="sale_quantity_positive"
            ),
            models.UniqueConstraint(
                fields=["source", "source_key"],
                condition=~Q(source_key=""),
                name="sale_unique_source_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch} → {self.buyer}"


def sale_evidence_upload_to(instance: "SaleEvidence", filename: str) -> str:
    return private_upload_name(f"sales/{instance.sale_id}", filename)


class SaleEvidence(StoredEvidence):
    """An invoice or receipt of a sale (销售发票或销售凭证), stored privately.

    大通湖 (seed 003, line 74): a sale bought directly from a household is
    proven by a receipt stamped by the village and signed by the household.
    """

    sale = models.ForeignKey(
        Sale,
        verbose_name=_("销售"),
        on_delete=models.PROTECT,
        related_name="evidence",
    )
    file = models.FileField(_("文件"), upload_to=sale_evidence_upload_to)
    caption = models.CharField(
        _("说明"), max_length=255, blank=True, help_text=_("如：销售发票、收购凭证。")
    )

    class Meta:
        verbose_name = _("销售凭证")
        verbose_name_plural = _("销售凭证")
        ordering = ["sale", "uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.caption or _('销售凭证')} #{self.pk}"
