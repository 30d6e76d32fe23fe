"""Platform order exports brought in as sales: the job, its rows, the saved mapping."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from trace.choices import ImportRowStatus, ImportStatus
from trace.models.batches import Batch
from trace.models.common import private_upload_name
from trace.models.events import Sale
from trace.models.registry import Producer, ProductLine


class PlatformColumnMapping(models.Model):
    """Which column of a platform's export holds which sale field; kept per platform."""

    platform = models.CharField(_("平台"), max_length=32, unique=True)
    columns = models.JSONField(_("列对应"), default=dict)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("设置人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("设置时间"), auto_now=True)

    class Meta:
        verbose_name = _("平台订单列对应")
        verbose_name_plural = _("平台订单列对应")
        ordering = ["platform"]

    def __str__(self) -> str:
        return self.platform


def sales_import_upload_to(instance: "SalesImport", filename: str) -> str:
    return private_upload_name("imports", filename)


class SalesImport(models.Model):
    """One uploaded platform export: checked (dry run), then committed."""

    platform = models.CharField(_("平台"), max_length=32)
    file = models.FileField(_("文件"), upload_to=sales_import_upload_to)
    file_name = models.CharField(_("原文件名"), max_length=255, blank=True)
    columns = models.JSONField(_("列对应"), default=dict)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=ImportStatus.choices,
        default=ImportStatus.QUEUED,
    )
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理行数"), default=0)
    error = models.TextField(_("错误"), blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    committed_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("平台订单导入")
        verbose_name_plural = _("平台订单导入")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.platform} {self.file_name}"


class SalesImportRow(models.Model):
    """One order line of an import, with what it matched or why it did not."""

    sales_import = models.ForeignKey(
        SalesImport,
        verbose_name=_("导入"),
        on_delete=models.CASCADE,
        related_name="rows",
    )
    number = models.PositiveIntegerField(_("行号"))
    order_number = models.CharField(_("订单号"), max_length=96, blank=True)
    values = models.JSONField(_("内容"), default=dict)
    status = models.CharField(_("状态"), max_length=16, choices=ImportRowStatus.choices)
    message = models.CharField(_("说明"), max_length=255, blank=True)
    product_line = models.ForeignKey(
        ProductLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    batch = models.ForeignKey(
        Batch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    producer = models.ForeignKey(
        Producer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    households = models.PositiveIntegerField(_("受益贫困户数"), default=0)
    sale = models.ForeignKey(
        Sale, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("平台订单行")
        verbose_name_plural = _("平台订单行")
        ordering = ["sales_import", "number"]
        indexes = [models.Index(fields=["sales_import", "status"])]

    def __str__(self) -> str:
        return f"{self.sales_import_id}:{self.number}"
