from django.db import models
from django.utils.translation import gettext_lazy as _


class InspectionKind(models.TextChoices):
    SELF_CHECK = "self_check", _("自检")
    SPOT_CHECK = "spot_check", _("抽检")
    RAPID_TEST = "rapid_test", _("快检")
    LAB_TEST = "lab_test", _("实验室检测")


class Verdict(models.TextChoices):
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")
    SUSPECT = "suspect", _("可疑（待复检）")


class AnalyteKind(models.TextChoices):
    QUANTITATIVE = "quantitative", _("定量")
    QUALITATIVE = "qualitative", _("定性")


class QualitativeOutcome(models.TextChoices):
    """What an inspector enters for a qualitative item (appearance, labelling)."""

    PASS = "pass", _("符合")
    FAIL = "fail", _("不符合")


class BatchAction(models.TextChoices):
    """What an inspection does to its batch's status."""

    HOLD = "hold", _("暂停销售")
    RECALL = "recall", _("召回")
    RELEASE = "release", _("解除暂停")


class HoldReleaseBasis(models.TextChoices):
    """On what a hold was lifted."""

    LAB_RESULTS = "lab_results", _("实验室检测结果覆盖全部暂停原因")
    SIGNED = "signed", _("检测员签字解除")


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", _("现场照片")
    LAB_REPORT = "lab_report", _("检测报告（PDF）")


class ControlRule(models.TextChoices):
    """How a control point picks the batches to inspect."""

    EVERY_NTH = "every_nth", _("每 N 批抽检一批")
    RANDOM_SHARE = "random_share", _("随机抽取一定比例")
    AFTER_FAILURE = "after_failure", _("不合格后加严（连续 K 批合格前每批必检）")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("处理中")
    CLOSED = "closed", _("已关闭")
