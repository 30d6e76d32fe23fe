"""Brand licenses (统一许可授权)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from trace.models.registry import Brand, Producer, ProductLine
from trace.validators import (
    validate_calendar_date,
)


class BrandLicense(models.Model):
    """统一许可授权: a producer may use a brand for some product lines."""

    brand = models.ForeignKey(
        Brand, verbose_name=_("品牌"), on_delete=models.PROTECT, related_name="licenses"
    )
    producer = models.ForeignKey(
        Producer,
        verbose_name=_("被授权主体"),
        on_delete=models.PROTECT,
        related_name="brand_licenses",
    )
    product_lines = models.ManyToManyField(
        ProductLine, verbose_name=_("授权产品线"), related_name="licenses"
    )
    valid_from = models.DateField(_("授权起"), validators=[validate_calendar_date])
    valid_until = models.DateField(_("授权至"), validators=[validate_calendar_date])
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_reason = models.TextField(_("撤销原因"), blank=True)

    class Meta:
        verbose_name = _("品牌授权")
        verbose_name_plural = _("品牌授权")
        ordering = ["brand", "producer"]

    def __str__(self) -> str:
        return f"{self.brand} → {self.producer}"
