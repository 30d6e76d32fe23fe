"""Trace domain: who produces what where, for whose benefit, and where it went."""

import uuid
from decimal import Decimal
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trace.audit import audit_history
from trace.choices import (
    BatchStatus,
    BenefitKind,
    BrandKind,
    CatalogueContactKind,
    CatalogueStatus,
    CatalogueStepKind,
    CertificationReviewStatus,
    CertificationStatus,
    DeliveryMethod,
    ObjectionStatus,
    OutletKind,
    ProducerKind,
    ReferenceDocumentType,
    RegionLevel,
    Role,
    SaleChannel,
    SalePeriod,
    Season,
    TraceEventKind,
)
from trace.personal_data import decrypt_id_number, mask_name
from trace.validators import (
    validate_calendar_date,
    validate_gs1_lot,
    validate_gtin,
    validate_past_date,
    validate_uscc,
)

MONEY = {"max_digits": 14, "decimal_places": 2}
QUANTITY = {"max_digits": 14, "decimal_places": 3}
NON_NEGATIVE = [MinValueValidator(Decimal("0"))]


class Region(models.Model):
    """An administrative area: province, city, county, town or village."""

    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("级别"), max_length=16, choices=RegionLevel.choices)
    code = models.CharField(
        _("行政区划代码"),
        max_length=12,
        blank=True,
        help_text=_("GB/T 2260 风格的代码，可空。"),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path of ids ("/1/5/23/"): descendants are one indexed prefix match.
    lineage = models.CharField(max_length=255, editable=False, db_index=True)

    class Meta:
        verbose_name = _("行政区域")
        verbose_name_plural = _("行政区域")
        ordering = ["lineage"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"], name="region_unique_name_per_parent"
            ),
            models.UniqueConstraint(
                fields=["code"], condition=~Q(code=""), name="region_unique_code"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        lineage = f"{self.parent.lineage if self.parent_id else '/'}{self.pk}/"
        if lineage != self.lineage:
            old, self.lineage = self.lineage, lineage
            Region.objects.filter(pk=self.pk).update(lineage=lineage)
            if old:  # moved: re-root every descendant's path
                for descendant in Region.objects.filter(
                    lineage__startswith=old
                ).exclude(pk=self.pk):
                    descendant.lineage = lineage + descendant.lineage[len(old) :]
                    Region.objects.filter(pk=descendant.pk).update(
                        lineage=descendant.lineage
                    )

    @property
    def full_name(self) -> str:
        """Return the whole path, e.g. 湖南省 邵阳市 洞口县 古楼乡 古楼村."""
        return " ".join(region.name for region in self.ancestors_and_self())

    def ancestors_and_self(self) -> list["Region"]:
        chain = [self]
        while chain[-1].parent_id is not None:
            chain.append(chain[-1].parent)
        return list(reversed(chain))


class Producer(models.Model):
    """An enterprise, cooperative, family farm or household that produces goods."""

    name = models.CharField(_("名称"), max_length=128)
    kind = models.CharField(_("类型"), max_length=16, choices=ProducerKind.choices)
    uscc = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_uscc],
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("所在地区"),
        on_delete=models.PROTECT,
        related_name="producers",
    )
    address = models.CharField(_("地址"), max_length=255, blank=True)
    contact_person = models.CharField(_("联系人"), max_length=64, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("生产经营主体")
        verbose_name_plural = _("生产经营主体")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Certification(models.Model):
    """A producer's 扶贫产品认定 certificate and its current status."""

    producer = models.ForeignKey(
        Producer,
        verbose_name=_("生产经营主体"),
        on_delete=models.PROTECT,
        related_name="certifications",
    )
    number = models.CharField(_("认定编号"), max_length=64, unique=True)
    issuer = models.CharField(_("认定机构"), max_length=128)
    valid_from = models.DateField(_("有效期起"), validators=[validate_calendar_date])
    valid_until = models.DateField(_("有效期至"), validators=[validate_calendar_date])
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=CertificationStatus.choices,
        default=CertificationStatus.ACTIVE,
    )
    status_reason = models.TextField(_("状态原因"), blank=True)
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("状态变更人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    history = audit_history()

    class Meta:
        verbose_name = _("扶贫产品认定")
        verbose_name_plural = _("扶贫产品认定")
        ordering = ["-valid_until"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")),
                name="certification_valid_range",
            )
        ]

    def __str__(self) -> str:
        return self.number


class CertificationPolicy(models.Model):
    """A region's rule for 扶贫产品认定, inherited by its descendant regions.

    A producer qualifies when its kind is eligible and at least
    `min_households` households each receive at least `min_annual_income`
    yuan a year from one link of a qualifying kind (kinds are never summed).
    """

    region = models.OneToOneField(
        Region,
        verbose_name=_("适用地区"),
        on_delete=models.PROTECT,
        related_name="certification_policy",
        help_text=_("本地区及其下级地区适用；下级地区可另设政策。"),
    )
    eligible_producer_kinds = models.JSONField(
        _("可认定的主体类型"),
        default=list,
        help_text=_("生产经营主体类型代码列表，如 enterprise、cooperative。"),
    )
    qualifying_benefit_kinds = models.JSONField(
        _("计入的利益联结方式"),
        default=list,
        help_text=_("利益联结方式代码列表，如 employment。"),
    )
    min_annual_income = models.DecimalField(
        _("每户最低年收益（元）"), validators=NON_NEGATIVE, **MONEY
    )
    min_households = models.PositiveSmallIntegerField(
        _("最少带动户数"), default=1, validators=[MinValueValidator(1)]
    )
    source_document = models.CharField(_("依据文件"), max_length=255)
    source_clause = models.TextField(_("依据条款原文"), blank=True)
    note = models.TextField(
        _("说明"), blank=True, help_text=_("文件未写明的数字取何值、为何。")
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = audit_history()

    class Meta:
        verbose_name = _("扶贫产品认定政策")
        verbose_name_plural = _("扶贫产品认定政策")
        ordering = ["region__lineage"]

    def __str__(self) -> str:
        return f"{self.region.name}：{self.source_document}"

    def clean(self) -> None:
        errors = {}
        for field, kinds in (
            ("eligible_producer_kinds", ProducerKind.values),
            ("qualifying_benefit_kinds", BenefitKind.values),
        ):
            value = getattr(self, field)
            if not isinstance(value, list) or not value:
                errors[field] = _("至少选择一项。")
            elif unknown := [item for item in value if item not in kinds]:
                errors[field] = _("未知的代码：%(codes)s。") % {
                    "codes": "、".join(map(str, unknown))
                }
        if errors:
            raise ValidationError(errors)


class CertificationReview(models.Model):
    """A certification whose producer no longer meets its policy, for an administrator.

    Opened by the service that changed a benefit link, a certification's
    validity or a policy; closed by an administrator who suspends, revokes
    or keeps the certification.
    """

    certification = models.ForeignKey(
        Certification,
        verbose_name=_("扶贫产品认定"),
        on_delete=models.PROTECT,
        related_name="reviews",
    )
    producer = models.ForeignKey(
        Producer,
        verbose_name=_("生产经营主体"),
        on_delete=models.PROTECT,
        related_name="certification_reviews",
    )
    trigger = models.CharField(_("触发原因"), max_length=255)
    reason = models.TextField(_("不符合的条件"))
    policy_source = models.CharField(_("依据文件"), max_length=255, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=CertificationReviewStatus.choices,
        default=CertificationReviewStatus.OPEN,
    )
    opened_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolution_note = models.TextField(_("处理说明"), blank=True)

    history = audit_history()

    class Meta:
        verbose_name = _("认定复核")
        verbose_name_plural = _("认定复核")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["certification"],
                condition=Q(status=CertificationReviewStatus.OPEN),
                name="certification_review_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.certification}：{self.get_status_display()}"


class Household(models.Model):
    """A registered poor household (建档立卡贫困户); its head's data is sensitive."""

    village = models.ForeignKey(
        Region,
        verbose_name=_("所在村"),
        on_delete=models.PROTECT,
        related_name="households",
    )
    head_name = models.CharField(_("户主姓名"), max_length=32)
    id_number_encrypted = models.TextField(_("身份证号（密文）"), editable=False)
    id_number_index = models.CharField(max_length=64, unique=True, editable=False)
    phone = models.CharField(_("联系方式"), max_length=32, blank=True)
    members = models.PositiveSmallIntegerField(_("家庭人口"), default=1)
    registered_year = models.PositiveSmallIntegerField(
        _("建档立卡年度"), null=True, blank=True
    )
    public_name_consent_at = models.DateTimeField(
        _("同意公开脱敏姓名时间"), null=True, blank=True
    )
    public_name_consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("同意记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    # The trail never holds the ID number, not even encrypted: a rotated key
    # would leave old ciphertexts behind in history rows nobody re-encrypts.
    history = audit_history(excluded_fields=["id_number_encrypted", "id_number_index"])

    class Meta:
        verbose_name = _("建档立卡贫困户")
        verbose_name_plural = _("建档立卡贫困户")
        ordering = ["village", "id"]

    def __str__(self) -> str:
        # Admin lists and logs show the masked name only.
        return f"{self.masked_name}（{self.village.name}）"

    @property
    def masked_name(self) -> str:
        return mask_name(self.head_name)

    @property
    def has_public_name_consent(self) -> bool:
        return self.public_name_consent_at is not None

    def id_number(self) -> str:
        """Return the ID number in clear; only the administrators' roster calls this."""
        return decrypt_id_number(self.id_number_encrypted)

    def id_number_last4(self) -> str:
        return self.id_number()[-4:]


class BenefitLink(models.Model):
    """利益联结: how a producer benefits a household, and the yearly income."""

    producer = models.ForeignKey(
        Producer,
        verbose_name=_("生产经营主体"),
        on_delete=models.PROTECT,
        related_name="benefit_links",
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("贫困户"),
        on_delete=models.PROTECT,
        related_name="benefit_links",
    )
    kind = models.CharField(_("联结方式"), max_length=16, choices=BenefitKind.choices)
    since = models.DateField(_("起始日期"), validators=[validate_calendar_date])
    ended_on = models.DateField(
        _("结束日期"),
        null=True,
        blank=True,
        validators=[validate_calendar_date],
        help_text=_("自该日起联结不再有效，不再计入认定条件；空表示仍有效。"),
    )
    annual_income = models.DecimalField(
        _("年收益（元）"), validators=NON_NEGATIVE, **MONEY
    )

    history = audit_history()

    class Meta:
        verbose_name = _("利益联结")
        verbose_name_plural = _("利益联结")
        ordering = ["producer", "household"]
        constraints = [
            models.UniqueConstraint(
                fields=["producer", "household", "kind"], name="benefit_link_unique"
            ),
            models.CheckConstraint(
                condition=Q(annual_income__gte=0),
                name="benefit_link_income_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("since")),
                name="benefit_link_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.producer} → {self.household}（{self.get_kind_display()}）"


class Brand(models.Model):
    """A flagship product brand or a regional public brand ("1+1+N")."""

    name = models.CharField(_("品牌名称"), max_length=64, unique=True)
    kind = models.CharField(_("品牌类型"), max_length=16, choices=BrandKind.choices)
    owner = models.CharField(_("品牌所有者"), max_length=128, blank=True)
    description = models.TextField(_("简介"), blank=True)
    logo = models.ImageField(_("标志"), upload_to="brand-logos/", blank=True)

    class Meta:
        verbose_name = _("品牌")
        verbose_name_plural = _("品牌")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def product_title(*, brand: str, name: str) -> str:
    """Return the product's name as labels, forms and pages show it.

    A flagship brand often names its product line after itself (the line
    雪峰蜜橘 of the brand 雪峰蜜橘, or 雪峰蜜橘礼盒): then the brand is not said
    twice.
    """
    if not brand or name.startswith(brand):
        return name
    return f"{brand} {name}"


class ProductLine(models.Model):
    """A product, usually under a brand, with its standard and optional GTIN."""

    brand = models.ForeignKey(
        Brand,
        verbose_name=_("品牌"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="product_lines",
    )
    name = models.CharField(_("产品名称"), max_length=64)
    category = models.CharField(
        _("产品类别"),
        max_length=32,
        blank=True,
        help_text=_("如：水果、茶叶、大米、禽蛋。"),
    )
    standard = models.CharField(_("执行标准"), max_length=64, blank=True)
    geographical_indication = models.BooleanField(_("地理标志产品"), default=False)
    protected_regions = models.ManyToManyField(
        Region,
        verbose_name=_("地理标志保护地域"),
        blank=True,
        related_name="protected_product_lines",
        help_text=_("地理标志产品的批次，产地必须在这些地区（含下级）之内。"),
    )
    producer = models.ForeignKey(
        Producer,
        verbose_name=_("所属主体"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="own_product_lines",
        help_text=_("无品牌产品线的所有者：只有它能登记该产品线的批次。"),
    )
    gtin = models.CharField(
        _("GTIN"),
        max_length=14,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_gtin],
        help_text=_("GTIN-13 或 GTIN-14，保存为 14 位。"),
    )
    unit = models.CharField(_("计量单位"), max_length=16, default="kg")

    class Meta:
        verbose_name = _("产品线")
        verbose_name_plural = _("产品线")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "name"], name="product_line_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        """Return brand and name, the brand left out when the name says it."""
        return product_title(
            brand=self.brand.name if self.brand_id else "", name=self.name
        )


class BrandLicense(models.Model):
    """统一许可授权: a producer may use a brand for some product lines."""

    brand = models.ForeignKey(
        Brand, verbose_name=_("品牌"), on_delete=models.PROTECT, related_name="licenses"
    )
    producer = models.ForeignKey(
        Producer,
        verbose_name=_("被授权主体"),
        on_delete=models.PROTECT,
        related_name="brand_licenses",
    )
    product_lines = models.ManyToManyField(
        ProductLine, verbose_name=_("授权产品线"), related_name="licenses"
    )
    valid_from = models.DateField(_("授权起"), validators=[validate_calendar_date])
    valid_until = models.DateField(_("授权至"), validators=[validate_calendar_date])
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_reason = models.TextField(_("撤销原因"), blank=True)

    class Meta:
        verbose_name = _("品牌授权")
        verbose_name_plural = _("品牌授权")
        ordering = ["brand", "producer"]

    def __str__(self) -> str:
        return f"{self.brand} → {self.producer}"


class Outlet(models.Model):
    """A sales outlet: 专柜, 专馆, online or offline 专区, authorised store, platform."""

    name = models.CharField(_("名称"), max_length=128)
    kind = models.CharField(_("类型"), max_length=24, choices=OutletKind.choices)
    region = models.ForeignKey(
        Region,
        verbose_name=_("所在地区"),
        on_delete=models.PROTECT,
        related_name="outlets",
    )
    operator_name = models.CharField(_("运营单位"), max_length=128, blank=True)
    url = models.URLField(_("网店网址"), blank=True)
    opened_on = models.DateField(
        _("设立日期"),
        default=timezone.localdate,
        validators=[validate_past_date],
        help_text=_("统计表按设立日期计入“设立…数”。"),
    )
    authorisation_revoked_on = models.DateField(
        _("取消授权日期"), null=True, blank=True
    )
    authorisation_revoked_reason = models.TextField(_("取消授权原因"), blank=True)

    history = audit_history()

    class Meta:
        verbose_name = _("销售网点")
        verbose_name_plural = _("销售网点")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_authorised(self) -> bool:
        """Return False for an 授权店 whose authorisation was withdrawn."""
        return self.authorisation_revoked_on is None


class Batch(models.Model):
    """A lot of one product line from one producer, the unit that is labelled."""

    producer = models.ForeignKey(
        Producer,
        verbose_name=_("生产经营主体"),
        on_delete=models.PROTECT,
        related_name="batches",
    )
    product_line = models.ForeignKey(
        ProductLine,
        verbose_name=_("产品线"),
        on_delete=models.PROTECT,
        related_name="batches",
    )
    lot_code = models.CharField(
        _("批次号"), max_length=20, validators=[validate_gs1_lot]
    )
    name = models.CharField(
        _("批次名称"),
        max_length=64,
        blank=True,
        help_text=_("中文名称，可空；批次号不能含中文。"),
    )
    origin = models.ForeignKey(
        Region, verbose_name=_("产地"), on_delete=models.PROTECT, related_name="batches"
    )
    harvest_date = models.DateField(_("采收/生产日期"), validators=[validate_past_date])
    quantity = models.DecimalField(_("数量"), validators=NON_NEGATIVE, **QUANTITY)
    unit = models.CharField(_("单位"), max_length=16)
    status = models.CharField(
        _("状态"), max_length=16, choices=BatchStatus.choices, default=BatchStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = audit_history()

    class Meta:
        verbose_name = _("批次")
        verbose_name_plural = _("批次")
        ordering = ["-harvest_date", "-id"]
        constraints = [
            # GTIN + lot (GS1 Digital Link) must name one batch.
            models.UniqueConstraint(
                fields=["product_line", "lot_code"],
                name="batch_unique_lot_per_product_line",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=0), name="batch_quantity_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_line} {self.lot_code}"


class SlowSellingMark(models.Model):
    """An office's mark that a product line or a batch is 滞销 for a period.

    Sales of marked goods within the period count toward the stepped reward
    of 邵东's authorised stores ("帮助销售滞销扶贫产品", seed 001, lines 38-42).
    """

    product_line = models.ForeignKey(
        ProductLine,
        verbose_name=_("产品线"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="slow_selling_marks",
    )
    batch = models.ForeignKey(
        Batch,
        verbose_name=_("批次"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="slow_selling_marks",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("适用地区"),
        on_delete=models.PROTECT,
        related_name="slow_selling_marks",
        help_text=_("标记的扶贫办所辖地区：产自该地区（含下级）的货才算滞销产品。"),
    )
    valid_from = models.DateField(_("滞销起"), validators=[validate_calendar_date])
    valid_until = models.DateField(_("滞销至"), validators=[validate_calendar_date])
    reason = models.TextField(_("说明"), blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("标记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    marked_at = models.DateTimeField(_("标记时间"), auto_now_add=True)

    history = audit_history()

    class Meta:
        verbose_name = _("滞销标记")
        verbose_name_plural = _("滞销标记")
        ordering = ["-valid_from", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(product_line__isnull=True, batch__isnull=False)
                | Q(product_line__isnull=False, batch__isnull=True),
                name="slow_selling_mark_one_target",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")),
                name="slow_selling_mark_valid_range",
            ),
        ]

    def __str__(self) -> str:
        target = self.batch if self.batch_id else self.product_line
        return f"{target} 滞销（{self.valid_from}—{self.valid_until}）"


class BatchStatusChange(models.Model):
    """One recorded transition of a batch's status, with who and why."""

    batch = models.ForeignKey(
        Batch,
        verbose_name=_("批次"),
        on_delete=models.PROTECT,
        related_name="status_changes",
    )
    from_status = models.CharField(
        _("原状态"), max_length=16, choices=BatchStatus.choices
    )
    to_status = models.CharField(
        _("新状态"), max_length=16, choices=BatchStatus.choices
    )
    reason = models.TextField(_("原因"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("批次状态变更")
        verbose_name_plural = _("批次状态变更")
        ordering = ["batch", "changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.batch}: {self.from_status} → {self.to_status}"


class BatchContribution(models.Model):
    """A household's share in a batch: what it supplied and what it was paid."""

    batch = models.ForeignKey(
        Batch,
        verbose_name=_("批次"),
        on_delete=models.CASCADE,
        related_name="contributions",
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("贫困户"),
        on_delete=models.PROTECT,
        related_name="contributions",
    )
    quantity = models.DecimalField(_("供货数量"), validators=NON_NEGATIVE, **QUANTITY)
    amount_paid = models.DecimalField(
        _("支付金额（元）"), validators=NON_NEGATIVE, **MONEY
    )

    class Meta:
        verbose_name = _("带贫贡献")
        verbose_name_plural = _("带贫贡献")
        ordering = ["batch", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "household"], name="batch_contribution_unique"
            ),
            models.CheckConstraint(
                condition=Q(amount_paid__gte=0),
                name="batch_contribution_paid_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch} ← {self.household}"


class TraceEvent(models.Model):
    """A critical tracking event (GS1 EPCIS / FSMA 204 key data elements)."""

    batch = models.ForeignKey(
        Batch,
        verbose_name=_("批次"),
        on_delete=models.PROTECT,
        related_name="trace_events",
    )
    kind = models.CharField(_("环节"), max_length=16, choices=TraceEventKind.choices)
    occurred_at = models.DateTimeField(_("发生时间"), validators=[validate_past_date])
    location = models.ForeignKey(
        Region,
        verbose_name=_("地点（区域）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    place = models.CharField(_("地点"), max_length=128, blank=True)
    actor = models.CharField(_("经办单位"), max_length=128, blank=True)
    quantity = models.DecimalField(
        _("数量"), null=True, blank=True, validators=NON_NEGATIVE, **QUANTITY
    )
    unit = models.CharField(_("单位"), max_length=16, blank=True)
    reference_document_type = models.CharField(
        _("单据类型"), max_length=24, choices=ReferenceDocumentType.choices, blank=True
    )
    reference_document_number = models.CharField(
        _("单据编号"), max_length=64, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("追溯事件")
        verbose_name_plural = _("追溯事件")
        ordering = ["batch", "occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.batch} {self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"


class Sale(models.Model):
    """A poverty-alleviation sale (消费扶贫证明材料 row)."""

    batch = models.ForeignKey(
        Batch, verbose_name=_("批次"), on_delete=models.PROTECT, related_name="sales"
    )
    seller = models.ForeignKey(
        Producer, verbose_name=_("卖方"), on_delete=models.PROTECT, related_name="sales"
    )
    buyer = models.CharField(_("买方"), max_length=128)
    outlet = models.ForeignKey(
        Outlet,
        verbose_name=_("销售网点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sales",
        help_text=_("卖出这批货的网点（如授权店的零售）。"),
    )
    buyer_outlet = models.ForeignKey(
        Outlet,
        verbose_name=_("进货网点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="purchases",
        help_text=_("买进这批货的网点（如授权店进货）；进货不计入该网点的销售额。"),
    )
    channel = models.CharField(
        _("销售渠道"), max_length=16, choices=SaleChannel.choices
    )
    quantity = models.DecimalField(_("数量"), validators=NON_NEGATIVE, **QUANTITY)
    unit = models.CharField(_("单位"), max_length=16)
    amount = models.DecimalField(_("金额（元）"), validators=NON_NEGATIVE, **MONEY)
    sold_at = models.DateTimeField(_("交易时间"), validators=[validate_past_date])
    note = models.CharField(_("备注"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("消费扶贫销售")
        verbose_name_plural = _("消费扶贫销售")
        ordering = ["-sold_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="sale_amount_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="sale_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch} → {self.buyer}"


def private_upload_name(folder: str, filename: str) -> str:
    """Return a random name in `folder`: evidence must not be found by guessing."""
    return f"{folder}/{uuid.uuid4().hex}{PurePosixPath(filename).suffix.lower()}"


class StoredEvidence(models.Model):
    """What every private evidence file records besides the file itself."""

    content_type = models.CharField(_("内容类型"), max_length=64)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        abstract = True


def sale_evidence_upload_to(instance: "SaleEvidence", filename: str) -> str:
    return private_upload_name(f"sales/{instance.sale_id}", filename)


class SaleEvidence(StoredEvidence):
    """An invoice or receipt of a sale (销售发票或销售凭证), stored privately.

    大通湖 (seed 003, line 74): a sale bought directly from a household is
    proven by a receipt stamped by the village and signed by the household.
    """

    sale = models.ForeignKey(
        Sale,
        verbose_name=_("销售"),
        on_delete=models.PROTECT,
        related_name="evidence",
    )
    file = models.FileField(_("文件"), upload_to=sale_evidence_upload_to)
    caption = models.CharField(
        _("说明"), max_length=255, blank=True, help_text=_("如：销售发票、收购凭证。")
    )

    class Meta:
        verbose_name = _("销售凭证")
        verbose_name_plural = _("销售凭证")
        ordering = ["sale", "uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.caption or _('销售凭证')} #{self.pk}"


class UserRole(models.Model):
    """The role of a user: operator of one producer, inspector of regions, or administrator."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="suyuan_role",
    )
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    producer = models.ForeignKey(
        Producer,
        verbose_name=_("所属主体"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="operators",
    )
    regions = models.ManyToManyField(
        Region,
        verbose_name=_("负责区域"),
        blank=True,
        related_name="inspectors",
        help_text=_("检查员、四员和扶贫办负责的区域，包含其下级区域。"),
    )
    outlet = models.ForeignKey(
        "Outlet",
        verbose_name=_("收购点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="operators",
        help_text=_("村级收购点的操作员所经营的网点。"),
    )
    organisation = models.CharField(_("所在单位"), max_length=128, blank=True)
    # 填报人 and 联系方式 on the offices' forms come from here, not the login name.
    real_name = models.CharField(_("姓名"), max_length=64, blank=True)
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("用户角色")
        verbose_name_plural = _("用户角色")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role=Role.OPERATOR) | Q(producer__isnull=False),
                name="operator_has_producer",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


# The 扶贫产品目录: products of certified producers, with price and delivery,
# entered by 申报 → 核查 → 审定 → 公示 (seeds 001 lines 112-118, 002 line 43,
# 004 lines 24-29 and 附件1).


class CatalogueEntry(models.Model):
    """A product offered in the 扶贫产品目录, with its price, delivery and status."""

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


class CatalogueEntryStep(models.Model):
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
    reason = models.TextField(_("理由"), blank=True)
    # At 核查: the policy applied and what producer_eligibility found.
    policy_source = models.CharField(_("依据文件"), max_length=255, blank=True)
    qualifying_households = models.PositiveIntegerField(
        _("符合条件的贫困户数"), null=True, blank=True
    )
    findings = models.JSONField(_("核查发现"), default=list, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("为空表示系统按日期自动处理。"),
    )
    occurred_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("目录认定步骤")
        verbose_name_plural = _("目录认定步骤")
        ordering = ["entry", "occurred_at", "id"]

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
