"""The workbench's own rows: per-user settings that belong to no domain."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from labels.models import OFFSET_VALIDATORS


class PrinterSettings(models.Model):
    """A user's printer offsets in millimetres, applied to every label sheet."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="printer_settings",
    )
    offset_x_mm = models.DecimalField(
        _("水平偏移（毫米）"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("0"),
        validators=OFFSET_VALIDATORS,
        help_text=_("正数向右移。"),
    )
    offset_y_mm = models.DecimalField(
        _("垂直偏移（毫米）"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("0"),
        validators=OFFSET_VALIDATORS,
        help_text=_("正数向下移。"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("打印机设置")
        verbose_name_plural = _("打印机设置")

    def __str__(self) -> str:
        return f"{self.user} ({self.offset_x_mm}, {self.offset_y_mm})"
