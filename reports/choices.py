from django.db import models
from django.utils.translation import gettext_lazy as _


class CertificateBasis(models.TextChoices):
    """What a 承诺达标合格证's commitment rests on (the form's 承诺依据 boxes)."""

    COMMISSIONED_TEST = "commissioned_test", _("委托检测")
    SELF_CHECK = "self_check", _("自检")
    INTERNAL_CONTROL = "internal_control", _("内部质量控制")


class PeriodFrequency(models.TextChoices):
    """How often a form is due: the seeds' own rhythms."""

    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    CAMPAIGN = "campaign", _("专项活动")


class SubmissionStatus(models.TextChoices):
    """draft → submitted → accepted, or → returned → submitted again."""

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已上报")
    RETURNED = "returned", _("已退回")
    ACCEPTED = "accepted", _("已审核通过")


class SubmissionBasis(models.TextChoices):
    """Where a submission's rows come from."""

    DATA = "data", _("按系统数据生成")
    ROLLUP = "rollup", _("汇总下级已通过的报表")
