"""The 扶贫产品目录: products of certified producers, with price and delivery."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from trace.audit import audit_history
from trace.choices import (
    CatalogueContactKind,
    CatalogueStatus,
    CatalogueStepKind,
    DeliveryMethod,
    ObjectionStatus,
    SalePeriod,
    Season,
)
from trace.models.common import (
    MONEY,
    NON_NEGATIVE,
    QUANTITY,
    StoredEvidence,
    Transition,
    private_upload_name,
)
from trace.models.households import Household
from trace.models.registry import Producer, ProductLine, Region
from trace.validators import (
    validate_calendar_date,
)

# The 扶贫产品目录: products of certified producers, with price and delivery,
# entered by 申报 → 核查 → 审定 → 公示 (seeds 001 lines 112-118, 002 line 43,
# 004 lines 24-29 and 附件1).


class CatalogueEntry(models.Model):
    """A product offered in the 扶贫产品目录, with its price, delivery and status."""

    # What the applicant describes (申报), in the order the forms ask for it:
    # the API's serializer and the workbench's form take their fields from here.
    APPLICATION_FIELDS = (
        "producer",
        "product_line",
        "region",
        "name",
        "category",
        "specification",
        "unit",
        "price",
        "delivery_method",
        "season",
        "planned_quantity",
        "planned_period",
        "shop_url",
        "contact_kind",
        "informant",
        "households",
        "note",
    )
    # Of those, what says what the product is: fixed once the 监督员 has
    # checked it (trace.services.catalogue). The others, but the producer,
    # are what buyers need and producers update as the market moves (seed 004
    # 附件1 备注 1: 至少每月更新一次).
    IDENTITY_FIELDS = frozenset(
        {"product_line", "region", "name", "category", "unit", "households"}
    )

    producer = models.ForeignKey(
        Producer,
        verbose_name=_("生产经营主体"),
        on_delete=models.PROTECT,
        related_name="catalogue_entries",
    )
    product_line = models.ForeignKey(
        ProductLine,
        verbose_name=_("产品线"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="catalogue_entries",
        help_text=_("有产品线时，目录链接到该产品最新批次的溯源页。"),
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("产地"),
        on_delete=models.PROTECT,
        related_name="catalogue_entries",
        help_text=_("产品所在的村或乡镇；按地区查询和乡镇目录按此归类。"),
    )
    name = models.CharField(_("产品品种"), max_length=64)
    category = models.CharField(
        _("产品类别"), max_length=32, blank=True, help_text=_("如：水果、茶叶、大米。")
    )
    specification = models.CharField(
        _("规格"), max_length=64, blank=True, help_text=_("如：5斤装、礼盒 250 克。")
    )
    unit = models.CharField(_("计价单位"), max_length=16, help_text=_("如：斤、箱。"))
    price = models.DecimalField(
        _("销售价格（元/单位）"),
        validators=[MinValueValidator(Decimal("0.01"))],
        **MONEY,
    )
    delivery_method = models.CharField(
        _("供货方式"), max_length=16, choices=DeliveryMethod.choices
    )
    season = models.CharField(
        _("供应季节"),
        max_length=16,
        choices=Season.choices,
        default=Season.ALL_YEAR,
    )
    planned_quantity = models.DecimalField(
        _("计划销量"), validators=NON_NEGATIVE, **QUANTITY
    )
    planned_period = models.CharField(
        _("计划销量周期"),
        max_length=16,
        choices=SalePeriod.choices,
        default=SalePeriod.MONTH,
    )
    shop_url = models.URLField(_("网店网址"), blank=True)
    contact_kind = models.CharField(
        _("供货联系人"),
        max_length=16,
        choices=CatalogueContactKind.choices,
        default=CatalogueContactKind.PRODUCER,
    )
    informant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("村信息员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    households = models.ManyToManyField(
        Household,
        verbose_name=_("涉及贫困户"),
        blank=True,
        related_name="catalogue_entries",
        help_text=_("只出现在扶贫办的待销目录表中，从不公开。"),
    )
    note = models.CharField(_("备注"), max_length=255, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=CatalogueStatus.choices,
        default=CatalogueStatus.DRAFT,
    )
    # 公示: first and last day, both inclusive; listed from the day after.
    notice_starts_on = models.DateField(_("公示开始日期"), null=True, blank=True)
    notice_ends_on = models.DateField(_("公示截止日期"), null=True, blank=True)
    listed_on = models.DateField(_("入目录日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申报人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("申报时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = audit_history()

    class Meta:
        verbose_name = _("扶贫产品目录条目")
        verbose_name_plural = _("扶贫产品目录")
        ordering = ["region__lineage", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gt=0), name="catalogue_entry_price_positive"
            ),
            models.CheckConstraint(
                condition=Q(planned_quantity__gte=0),
                name="catalogue_entry_quantity_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(notice_ends_on__isnull=True)
                | Q(notice_ends_on__gte=models.F("notice_starts_on")),
                name="catalogue_entry_notice_range",
            ),
        ]
        indexes = [models.Index(fields=["status", "notice_ends_on"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.producer}）"

    def clean(self) -> None:
        if (
            self.contact_kind == CatalogueContactKind.INFORMANT
            and self.informant_id is None
        ):
            raise ValidationError({"informant": _("请选择村信息员。")})


class CatalogueEntryStep(Transition):
    """One step of an entry's procedure: what happened, who, when and why."""

    entry = models.ForeignKey(
        CatalogueEntry,
        verbose_name=_("目录条目"),
        on_delete=models.PROTECT,
        related_name="steps",
    )
    kind = models.CharField(_("步骤"), max_length=24, choices=CatalogueStepKind.choices)
    from_status = models.CharField(
        _("原状态"), max_length=16, choices=CatalogueStatus.choices
    )
    to_status = models.CharField(
        _("新状态"), max_length=16, choices=CatalogueStatus.choices
    )
    # At 核查: the policy applied and what producer_eligibility found.
    policy_source = models.CharField(_("依据文件"), max_length=255, blank=True)
    qualifying_households = models.PositiveIntegerField(
        _("符合条件的贫困户数"), null=True, blank=True
    )
    findings = models.JSONField(_("核查发现"), default=list, blank=True)

    class Meta:
        verbose_name = _("目录认定步骤")
        verbose_name_plural = _("目录认定步骤")
        ordering = ["entry", "at", "id"]

    def __str__(self) -> str:
        return f"{self.entry}: {self.get_kind_display()}"


class CataloguePhoto(models.Model):
    """A photo of a catalogue product, shown on the public catalogue."""

    entry = models.ForeignKey(
        CatalogueEntry,
        verbose_name=_("目录条目"),
        on_delete=models.CASCADE,
        related_name="photos",
    )
    image = models.ImageField(_("照片"), upload_to="catalogue/%Y/%m/")
    caption = models.CharField(_("说明"), max_length=64, blank=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("目录产品照片")
        verbose_name_plural = _("目录产品照片")
        ordering = ["entry", "position", "id"]

    def __str__(self) -> str:
        return f"{self.entry} #{self.position}"


def catalogue_evidence_upload_to(instance: "CatalogueEvidence", filename: str) -> str:
    return private_upload_name(f"catalogue-evidence/{instance.entry_id}", filename)


class CatalogueEvidence(StoredEvidence):
    """A document of an application (申报材料), stored privately.

    邵东 (seed 001, lines 112-118): products enter the catalogue on the
    producer's application (企业申报) checked by the township; what the
    producer sends with it (licences, contracts with households, receipts)
    is kept here for the 监督员 who checks, never published.
    """

    entry = models.ForeignKey(
        CatalogueEntry,
        verbose_name=_("目录条目"),
        on_delete=models.PROTECT,
        related_name="evidence",
    )
    file = models.FileField(_("文件"), upload_to=catalogue_evidence_upload_to)
    caption = models.CharField(
        _("说明"),
        max_length=255,
        blank=True,
        help_text=_("如：营业执照、带贫协议、收购凭证。"),
    )

    class Meta:
        verbose_name = _("申报材料")
        verbose_name_plural = _("申报材料")
        ordering = ["entry", "uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.caption or _('申报材料')} #{self.pk}"


class CatalogueAvailability(models.Model):
    """A month's availability and quantity of a product, kept by the 信息员.

    Seed 004 附件1 备注 1: the information is updated at least once a month.
    """

    entry = models.ForeignKey(
        CatalogueEntry,
        verbose_name=_("目录条目"),
        on_delete=models.CASCADE,
        related_name="availability",
    )
    month = models.DateField(
        _("月份"), help_text=_("该月的第一天。"), validators=[validate_calendar_date]
    )
    available = models.BooleanField(_("本月有货"), default=True)
    quantity = models.DecimalField(
        _("本月可供数量"), validators=NON_NEGATIVE, **QUANTITY
    )
    note = models.CharField(_("备注"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填写人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("填写时间"), auto_now=True)

    class Meta:
        verbose_name = _("月度供货情况")
        verbose_name_plural = _("月度供货情况")
        ordering = ["entry", "-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "month"], name="catalogue_availability_unique_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry} {self.month:%Y-%m}"


class CatalogueObjection(models.Model):
    """An objection to a product in 公示, lodged by anyone, reviewed by the office.

    Name and contact are optional and, like the text, never shown publicly.
    """

    entry = models.ForeignKey(
        CatalogueEntry,
        verbose_name=_("目录条目"),
        on_delete=models.PROTECT,
        related_name="objections",
    )
    text = models.TextField(_("异议内容"), max_length=2000)
    name = models.CharField(_("姓名"), max_length=32, blank=True)
    contact = models.CharField(_("联系方式"), max_length=64, blank=True)
    status = models.CharField(
        _("处理状态"),
        max_length=16,
        choices=ObjectionStatus.choices,
        default=ObjectionStatus.PENDING,
    )
    review_note = models.TextField(_("核实意见"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核实人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.entry}：{self.get_status_display()}"


class TownshipNotice(models.Model):
    """A township 监督员's 信息发布 to its producers and buyers.

    Seed 001, lines 193-195: the 监督员 is "负责辖区内扶贫产品认定的监督、
    信息发布、推广促销等工作". Shown on the public catalogue of the township.
    """

    township = models.ForeignKey(
        Region,
        verbose_name=_("乡镇"),
        on_delete=models.PROTECT,
        related_name="township_notices",
    )
    title = models.CharField(_("标题"), max_length=64)
    body = models.TextField(_("内容"), max_length=2000)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("乡镇信息发布")
        verbose_name_plural = _("乡镇信息发布")
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return f"{self.township.name}：{self.title}"
