"""Each region's list of sales channels, in its own words (trace.channels)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from trace.models.registry import Region


class SalesChannel(models.Model):
    """One channel of a region's list; the region's descendants inherit the list."""

    region = models.ForeignKey(
        Region,
        verbose_name=_("地区"),
        on_delete=models.CASCADE,
        related_name="sales_channels",
    )
    code = models.SlugField(_("代码"), max_length=16)
    name = models.CharField(_("名称"), max_length=32)
    way = models.CharField(
        _("所属方式"),
        max_length=32,
        blank=True,
        help_text=_("如：十进、五进、六销之一。"),
    )
    outlet_kinds = models.JSONField(_("可经由的网点类型"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("销售渠道")
        verbose_name_plural = _("销售渠道")
        ordering = ["region", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "code"], name="sales_channel_unique_code"
            )
        ]

    def __str__(self) -> str:
        return self.name
