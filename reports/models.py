"""What the reports need beyond the trace domain: 大型产销活动, 合格证 records,
the 授权店 annual reviews and the offices' reporting cycle (periods,
submissions and their transitions).
"""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reports.choices import PeriodFrequency, SubmissionBasis, SubmissionStatus
from reports.forms import FORMS, form_title
from trace.audit import audit_history
from trace.choices import RegionLevel
from trace.models import MONEY, QUANTITY, Batch, Outlet, Region, Transition
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

    history = audit_history()

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


FORM_CHOICES = [(spec.key, spec.title) for spec in FORMS.values()]


class ReportPeriod(models.Model):
    """When a form is due from the regions of one level below an office.

    One row per reporting window (a month, a quarter, a campaign), set by an
    administrator; the seed documents' own deadlines are loaded by seed_demo.
    """

    form_key = models.CharField(_("报表"), max_length=32, choices=FORM_CHOICES)
    region = models.ForeignKey(
        Region,
        verbose_name=_("汇总地区"),
        on_delete=models.PROTECT,
        related_name="report_periods",
        help_text=_("收取并汇总报表的地区（如云阳县）。"),
    )
    submitter_level = models.CharField(
        _("填报层级"),
        max_length=16,
        choices=RegionLevel.choices,
        help_text=_("该地区下哪一级填报（如乡镇）。"),
    )
    frequency = models.CharField(
        _("周期"), max_length=16, choices=PeriodFrequency.choices
    )
    name = models.CharField(
        _("名称"), max_length=64, help_text=_("如：2026年第3季度。")
    )
    starts_on = models.DateField(_("统计起始日期"), validators=[validate_calendar_date])
    ends_on = models.DateField(_("统计截止日期"), validators=[validate_calendar_date])
    due_on = models.DateField(_("上报截止日期"), validators=[validate_calendar_date])
    recipient = models.CharField(
        _("报送单位"), max_length=128, blank=True, help_text=_("如：县商务委。")
    )
    source = models.CharField(
        _("依据"), max_length=255, blank=True, help_text=_("文件及行号。")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("设置人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("设置时间"), auto_now_add=True)

    history = audit_history()

    class Meta:
        verbose_name = _("报表周期")
        verbose_name_plural = _("报表周期")
        ordering = ["-due_on", "form_key", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["form_key", "region", "starts_on", "ends_on"],
                name="report_period_unique_window",
            ),
            models.CheckConstraint(
                condition=Q(starts_on__lte=models.F("ends_on")),
                name="report_period_starts_before_end",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region.name} {self.form_title} {self.name}"

    @property
    def form_title(self) -> str:
        """Return the form's title for this period's year and province."""
        province = next(
            (
                region.name
                for region in self.region.ancestors_and_self()
                if region.level == RegionLevel.PROVINCE
            ),
            "",
        )
        return form_title(self.form_key, year=self.starts_on.year, province=province)

    @property
    def addressee(self) -> str:
        """Return whom the forms go to: the named office, else the region."""
        return self.recipient or self.region.name


def stamped_scan_upload_to(instance: "Submission", filename: str) -> str:
    # Random names: evidence files must not be found by guessing.
    suffix = PurePosixPath(filename).suffix.lower()
    return f"submissions/{instance.period_id}/{uuid.uuid4().hex}{suffix}"


class Submission(models.Model):
    """One region's form for one period: filled, submitted, reviewed, frozen.

    On submit the rows are frozen in `snapshot` (the form as printed, JSON);
    later data changes show as a difference, never alter what was submitted.
    """

    period = models.ForeignKey(
        ReportPeriod,
        verbose_name=_("报表周期"),
        on_delete=models.PROTECT,
        related_name="submissions",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("填报地区"),
        on_delete=models.PROTECT,
        related_name="report_submissions",
    )
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.DRAFT,
    )
    basis = models.CharField(
        _("数据来源"),
        max_length=16,
        choices=SubmissionBasis.choices,
        default=SubmissionBasis.DATA,
    )
    summary = models.TextField(_("工作小结"), blank=True)
    stamped_scan = models.FileField(
        _("盖章扫描件"),
        upload_to=stamped_scan_upload_to,
        blank=True,
    )
    stamped_scan_type = models.CharField(_("扫描件类型"), max_length=64, blank=True)
    # Frozen on submit: the rows, 填报单位, 填报人 and 联系方式 as printed.
    snapshot = models.JSONField(_("上报内容"), null=True, blank=True, editable=False)
    unit_name = models.CharField(_("填报单位"), max_length=255, blank=True)
    filler_name = models.CharField(_("填报人"), max_length=64, blank=True)
    filler_phone = models.CharField(_("联系方式"), max_length=32, blank=True)
    submitted_at = models.DateTimeField(_("上报时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上报人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    return_reason = models.TextField(_("退回原因"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("报表上报")
        verbose_name_plural = _("报表上报")
        ordering = ["-period__due_on", "region__lineage", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "region"], name="submission_unique_per_region"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region.name} {self.period}"


class SubmissionTransition(Transition):
    """One move of a submission's status: who, when and why."""

    submission = models.ForeignKey(
        Submission,
        verbose_name=_("报表上报"),
        on_delete=models.PROTECT,
        related_name="transitions",
    )
    from_status = models.CharField(
        _("原状态"), max_length=16, choices=SubmissionStatus.choices, blank=True
    )
    to_status = models.CharField(
        _("新状态"), max_length=16, choices=SubmissionStatus.choices
    )
    # What was returned: a resubmission freezes anew, this keeps the old form.
    snapshot = models.JSONField(_("退回时的上报内容"), null=True, blank=True)
    # Every move of a submission is someone's: no system step here.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("上报状态变更")
        verbose_name_plural = _("上报状态变更")
        ordering = ["submission", "at", "id"]

    def __str__(self) -> str:
        return f"{self.submission}: {self.from_status} → {self.to_status}"


class AuthorisedStoreReview(models.Model):
    """An administrator's annual review of one 授权店, with the figures it rested on.

    seeds/001_baf9327039a84779.txt, lines 30-42 (邵东's 奖惩机制) and 3-5 (the
    70 % local share). A review that revokes also withdraws the outlet's
    authorisation (trace.Outlet keeps the date and the reason).
    """

    outlet = models.ForeignKey(
        Outlet,
        verbose_name=_("授权店"),
        on_delete=models.PROTECT,
        related_name="annual_reviews",
    )
    year = models.PositiveSmallIntegerField(_("考核年度"))
    annual_sales = models.DecimalField(_("全年销售扶贫产品金额（元）"), **MONEY)
    slow_selling_sales = models.DecimalField(_("其中滞销扶贫产品（元）"), **MONEY)
    local_sales = models.DecimalField(_("其中本地扶贫产品（元）"), **MONEY)
    local_share_short = models.BooleanField(_("本地产品不足 70%"))
    revoke = models.BooleanField(_("取消授权资格"))
    reward = models.DecimalField(_("奖补金额（元）"), **MONEY)
    reason = models.TextField(_("考核结论"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("考核人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("考核时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("授权店年度考核")
        verbose_name_plural = _("授权店年度考核")
        ordering = ["-year", "outlet"]
        constraints = [
            models.UniqueConstraint(
                fields=["outlet", "year"], name="authorised_store_review_once_a_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.outlet} {self.year}年度考核"


# 云阳's three parties (seed 004, line 33): "各乡镇（街道）销售数据（附件2）、各牵头
# 单位汇总系统（行业）采购数据（附件3）、邮政等快递公司物流数据于每季度末月30日前汇总
# 报送给县商务委".


class LeadUnit(models.Model):
    """A 牵头单位 (县教委, 县卫健委, 县总工会…): owes 附件3 for its own channels."""

    county = models.ForeignKey(
        Region, verbose_name=_("县"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("名称"), max_length=64)
    # Codes of the county's channel list (trace.channels): 县教委 进学校,
    # 县总工会 进家庭 (seed 004, lines 37 and 40).
    channels = models.JSONField(_("负责的销售渠道"), default=list)

    class Meta:
        verbose_name = _("牵头单位")
        verbose_name_plural = _("牵头单位")
        ordering = ["county", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "name"], name="lead_unit_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class UnitPurchase(models.Model):
    """One line of a 牵头单位's 附件3: what its system bought from a township."""

    unit = models.ForeignKey(
        LeadUnit,
        verbose_name=_("牵头单位"),
        on_delete=models.PROTECT,
        related_name="purchases",
    )
    township = models.ForeignKey(
        Region,
        verbose_name=_("乡镇（街道）"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    quarter_start = models.DateField(_("季度首日"))
    amount = models.DecimalField(_("采购金额（元）"), **MONEY)
    reported_at = models.DateTimeField(_("报送时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("牵头单位采购数据（附件3）")
        verbose_name_plural = _("牵头单位采购数据（附件3）")
        ordering = ["quarter_start", "unit", "township"]

    def __str__(self) -> str:
        return f"{self.unit} {self.quarter_start:%Y-%m} {self.amount}"


class Waybill(models.Model):
    """A courier's waybill (邮政等快递公司物流数据): date, township, pieces, weight."""

    county = models.ForeignKey(
        Region, verbose_name=_("县"), on_delete=models.PROTECT, related_name="+"
    )
    courier = models.CharField(_("快递公司"), max_length=32)
    number = models.CharField(_("运单号"), max_length=64)
    shipped_on = models.DateField(_("寄件日期"))
    township = models.ForeignKey(
        Region,
        verbose_name=_("始发乡镇"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    township_name = models.CharField(_("始发乡镇（原文）"), max_length=64)
    pieces = models.PositiveIntegerField(_("件数"))
    weight_kg = models.DecimalField(_("重量（千克）"), **QUANTITY)

    class Meta:
        verbose_name = _("物流运单")
        verbose_name_plural = _("物流运单")
        ordering = ["shipped_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["courier", "number"], name="waybill_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.courier} {self.number}"


class ReconciliationTolerance(models.Model):
    """The share by which a county lets its three sources differ before listing it.

    Seed 004 names no figure: the county sets its own and cites its source.
    """

    county = models.OneToOneField(
        Region, verbose_name=_("县"), on_delete=models.CASCADE, related_name="+"
    )
    percent = models.DecimalField(_("允许差异（%）"), max_digits=5, decimal_places=2)
    source = models.CharField(_("依据"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("三方数据允许差异")
        verbose_name_plural = _("三方数据允许差异")

    def __str__(self) -> str:
        return f"{self.county} {self.percent}%"


class TargetMeasure(models.TextChoices):
    """What a target counts: sales in yuan, 专柜 in 台, or 线下专区."""

    SALES = "sales", _("销售额（元）")
    SMART_CABINETS = "smart_cabinets", _("智能专柜（台）")
    OFFLINE_ZONES = "offline_zones", _("线下专区（个）")


class SalesTarget(models.Model):
    """A region's or unit's yearly goal, as its programme writes it.

    `amount` is in the target's `measure`: yuan for sales, 台 for 专柜, a count
    for 线下专区.
    """

    region = models.ForeignKey(
        Region, verbose_name=_("地区"), on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    name = models.CharField(_("目标"), max_length=64)
    amount = models.DecimalField(_("目标金额（元）"), **MONEY)
    # Channel codes whose sales count toward it; empty: every sale.
    channels = models.JSONField(_("计入的销售渠道"), default=list, blank=True)
    source = models.CharField(_("依据"), max_length=255)
    measure = models.CharField(
        _("计量"),
        max_length=16,
        choices=TargetMeasure.choices,
        default=TargetMeasure.SALES,
    )

    class Meta:
        verbose_name = _("销售目标")
        verbose_name_plural = _("销售目标")
        ordering = ["region", "year", "id"]

    def __str__(self) -> str:
        return f"{self.name} {self.amount}"


class QuarterlyBulletin(models.Model):
    """The 县商务委's 通报 of a quarter, frozen when issued (seed 004, line 33)."""

    county = models.ForeignKey(
        Region, verbose_name=_("县"), on_delete=models.PROTECT, related_name="+"
    )
    quarter_start = models.DateField(_("季度首日"))
    data = models.JSONField(_("通报内容"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签发人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    public = models.BooleanField(_("公开"), default=False)

    class Meta:
        verbose_name = _("消费扶贫季度通报")
        verbose_name_plural = _("消费扶贫季度通报")
        ordering = ["-quarter_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "quarter_start"], name="bulletin_once_a_quarter"
            )
        ]

    def __str__(self) -> str:
        return self.data.get("title", "")
