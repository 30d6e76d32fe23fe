from django.db import models
from django.utils.translation import gettext_lazy as _


class LabelStatus(models.TextChoices):
    ACTIVE = "active", _("有效")
    VOID = "void", _("已作废")


class PrintJobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")
