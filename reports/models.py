"""What the reports need beyond the trace domain: the 大型产销活动 of the 统计表."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from trace.models import Region


class SalesEvent(models.Model):
    """A large sales event (大型产销活动) held in a region, counted by the 统计表."""

    name = models.CharField(_("活动名称"), max_length=128)
    region = models.ForeignKey(
        Region,
        verbose_name=_("举办地区"),
        on_delete=models.PROTECT,
        related_name="sales_events",
    )
    held_on = models.DateField(_("举办日期"))
    organiser = models.CharField(_("主办单位"), max_length=128, blank=True)
    note = models.CharField(_("备注"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("大型产销活动")
        verbose_name_plural = _("大型产销活动")
        ordering = ["-held_on", "id"]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.name}"
