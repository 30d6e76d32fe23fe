"""The workbench's own rows: per-user settings that belong to no domain."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from labels.models import offset_field


class PrinterSettings(models.Model):
    """A user's printer offsets in millimetres, applied to every label sheet."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="printer_settings",
    )
    offset_x_mm = offset_field(_("水平偏移（毫米）"), help_text=_("正数向右移。"))
    offset_y_mm = offset_field(_("垂直偏移（毫米）"), help_text=_("正数向下移。"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("打印机设置")
        verbose_name_plural = _("打印机设置")

    def __str__(self) -> str:
        return f"{self.user} ({self.offset_x_mm}, {self.offset_y_mm})"
