"""The office's registers: regions, producers, brands, product lines, outlets, user roles."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trace.audit import audit_history
from trace.choices import (
    BrandKind,
    OutletKind,
    ProducerKind,
    RegionLevel,
    Role,
)
from trace.validators import (
    validate_gtin,
    validate_past_date,
    validate_uscc,
)


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
    # Seed 004, 附件1 备注 1: "各乡镇（街道）要确定一名产品供货联系人"; line 28:
    # "村集体经济组织负责人为供货联系人". Printed on the township's forms.
    supply_contact_name = models.CharField(
        _("供货联系人"),
        max_length=32,
        blank=True,
        help_text=_("乡镇（街道）确定的产品供货联系人，印在本乡镇的销售情况表上。"),
    )
    supply_contact_phone = models.CharField(
        _("供货联系人电话"), max_length=32, blank=True
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
    # 云阳 (seed 004, line 24): "各村对贫困户可销售的农特产品进行清理摸底" —
    # a registered household may itself be the producer of what it sells.
    household = models.OneToOneField(
        "trace.Household",
        verbose_name=_("本户（建档立卡贫困户）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="as_producer",
        help_text=_("类型为农户时，可登记为自产自销的建档立卡贫困户本户。"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    history = audit_history()

    class Meta:
        verbose_name = _("生产经营主体")
        verbose_name_plural = _("生产经营主体")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.household_id is None:
            return
        if self.kind != ProducerKind.HOUSEHOLD:
            raise ValidationError(
                {"household": _("只有类型为农户的主体可以登记为贫困户本户。")}
            )
        village = self.household.village
        if self.region_id and not village.lineage.startswith(self.region.lineage):
            raise ValidationError({"household": _("该贫困户不在本主体所在地区。")})


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
    processed = models.BooleanField(
        _("加工产品"),
        default=False,
        help_text=_("茶叶、豆腐乳等加工产品：批次日期是生产日期，而不是采收日期。"),
    )
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
    def date_label(self) -> str:
        """Return what a batch's date is: 生产日期 of a processed product."""
        return str(_("生产日期") if self.processed else _("采收日期"))

    @property
    def title(self) -> str:
        """Return brand and name, the brand left out when the name says it."""
        return product_title(
            brand=self.brand.name if self.brand_id else "", name=self.name
        )


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
    # Seed 002, line 37 counts 专柜 in 台; line 73: "各地要将专柜专馆专区接入中国社会
    # 扶贫网第四方统计监测平台".
    unit_count = models.PositiveIntegerField(
        _("台数"), null=True, blank=True, help_text=_("智能专柜的台数。")
    )
    joined_social_poverty_network = models.BooleanField(
        _("已接入中国社会扶贫网"), default=False
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
