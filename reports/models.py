"""What the reports need beyond the trace domain: 大型产销活动 and 合格证 records."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from trace.models import QUANTITY, Batch, Region
from trace.validators import validate_calendar_date


class SalesEvent(models.Model):
    """A large sales event (大型产销活动) held in a region, counted by the 统计表."""

    name = models.CharField(_("活动名称"), max_length=128)
    region = models.ForeignKey(
        Region,
        verbose_name=_("举办地区"),
        on_delete=models.PROTECT,
        related_name="sales_events",
    )
    held_on = models.DateField(_("举办日期"), validators=[validate_calendar_date])
    organiser = models.CharField(_("主办单位"), max_length=128, blank=True)
    note = models.CharField(_("备注"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("大型产销活动")
        verbose_name_plural = _("大型产销活动")
        ordering = ["-held_on", "id"]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.name}"


class Certificate(models.Model):
    """One issuance of a batch's 承诺达标合格证, with what it said and its PDFs."""

    batch = models.ForeignKey(
        Batch,
        verbose_name=_("批次"),
        on_delete=models.PROTECT,
        related_name="conformity_certificates",
    )
    number = models.CharField(_("合格证编号"), max_length=32, unique=True)
    basis = models.JSONField(_("承诺依据"), default=list)
    # What the certificate said when issued: the PDF is evidence, and later
    # edits of the batch or producer must not change a reprint.
    product_name = models.CharField(_("产品名称"), max_length=160)
    quantity = models.DecimalField(_("数量（重量）"), **QUANTITY)
    unit = models.CharField(_("单位"), max_length=16)
    origin = models.CharField(_("产地"), max_length=255)
    issuing_entity = models.CharField(_("开具主体"), max_length=128)
    contact = models.CharField(_("联系方式"), max_length=64)
    qr_url = models.CharField(_("追溯二维码网址"), max_length=255, blank=True)
    issued_at = models.DateTimeField(_("开具时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("开具人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    retained_until = models.DateField(_("保存期限"))
    pdf = models.FileField(_("PDF（A6）"), upload_to="certificates/", blank=True)
    label_pdf = models.FileField(
        _("PDF（标签 70×50 mm）"), upload_to="certificates/", blank=True
    )

    class Meta:
        verbose_name = _("承诺达标合格证")
        verbose_name_plural = _("承诺达标合格证")
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return self.number
