"""Trace domain: who produces what where, for whose benefit, and where it went."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from trace.audit import audit_history
from trace.choices import (
    BatchStatus,
    BenefitKind,
    BrandKind,
    CertificationStatus,
    OutletKind,
    ProducerKind,
    ReferenceDocumentType,
    RegionLevel,
    Role,
    SaleChannel,
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
        return f"{self.brand.name} {self.name}" if self.brand_id else self.name


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

    class Meta:
        verbose_name = _("销售网点")
        verbose_name_plural = _("销售网点")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


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
