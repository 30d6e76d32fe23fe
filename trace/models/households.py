"""Households registered as poor (贫困户) and their benefit links with producers."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from trace.audit import audit_history
from trace.choices import (
    BenefitKind,
    PaymentConfirmation,
    PaymentKind,
    WatchReason,
)
from trace.models.common import (
    MONEY,
    NON_NEGATIVE,
    StoredEvidence,
    private_upload_name,
)
from trace.models.registry import Producer, Region
from trace.personal_data import decrypt_id_number, mask_name
from trace.validators import (
    validate_calendar_date,
)


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


class HouseholdMember(models.Model):
    """A person of a registered household besides its head (家庭成员).

    The 带贫人员名册 names people, not households, and the one a producer
    employs (务工) is often not the head. Name and ID number are sensitive as
    the head's are: the number is kept only encrypted, with a blind index.
    """

    household = models.ForeignKey(
        Household,
        verbose_name=_("贫困户"),
        on_delete=models.CASCADE,
        related_name="people",
    )
    name = models.CharField(_("姓名"), max_length=32)
    relation = models.CharField(
        _("与户主关系"), max_length=16, help_text=_("如：配偶、子女、父母。")
    )
    id_number_encrypted = models.TextField(_("身份证号（密文）"), editable=False)
    id_number_index = models.CharField(max_length=64, unique=True, editable=False)
    phone = models.CharField(_("联系方式"), max_length=32, blank=True)

    history = audit_history(excluded_fields=["id_number_encrypted", "id_number_index"])

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        ordering = ["household", "id"]

    def __str__(self) -> str:
        return f"{mask_name(self.name)}（{self.relation}）"

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    def id_number(self) -> str:
        """Return the ID number in clear; only the 名册 prints it."""
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
    full_time = models.BooleanField(
        _("全职务工"),
        default=False,
        help_text=_("务工就业时，本户一名成员在该主体全职务工。"),
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


class HouseholdPayment(models.Model):
    """Money paid to a household (a wage, a purchase, a share), with its date paid.

    Forms count it in the period it was paid; it counts toward a 认定
    threshold only once the household has confirmed it (on the 信息员's
    visit, or with the one-time code printed on its slip).
    """

    household = models.ForeignKey(
        Household,
        verbose_name=_("贫困户"),
        on_delete=models.PROTECT,
        related_name="payments",
    )
    producer = models.ForeignKey(
        Producer,
        verbose_name=_("付款主体"),
        on_delete=models.PROTECT,
        related_name="household_payments",
    )
    benefit_link = models.ForeignKey(
        BenefitLink,
        verbose_name=_("利益联结"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
    )
    batch = models.ForeignKey(
        "trace.Batch",
        verbose_name=_("批次"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="household_payments",
    )
    kind = models.CharField(_("款项"), max_length=16, choices=PaymentKind.choices)
    amount = models.DecimalField(_("金额（元）"), validators=NON_NEGATIVE, **MONEY)
    paid_on = models.DateField(_("支付日期"), validators=[validate_calendar_date])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    price_reason = models.CharField(
        _("价格偏离说明"),
        max_length=255,
        blank=True,
        help_text=_("收购单价超出县定幅度时须写明原因。"),
    )
    confirmation = models.CharField(
        _("本户确认"),
        max_length=16,
        choices=PaymentConfirmation.choices,
        default=PaymentConfirmation.UNCONFIRMED,
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("信息员入户记录；本户凭确认码确认时为空。"),
    )
    confirmation_note = models.TextField(_("确认说明"), blank=True)
    # A keyed hash of the one-time code printed on the household's slip.
    confirmation_code_hash = models.CharField(max_length=64, blank=True, editable=False)

    history = audit_history(excluded_fields=["confirmation_code_hash"])

    class Meta:
        verbose_name = _("到户收益")
        verbose_name_plural = _("到户收益")
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="household_payment_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.producer} → {self.household}：{self.amount} 元"


def benefit_evidence_upload_to(instance: "BenefitEvidence", filename: str) -> str:
    return private_upload_name("benefit", filename)


class BenefitEvidence(StoredEvidence):
    """A document behind a benefit link or a payment, stored privately.

    劳动合同 and wage records for 务工, the lease for 土地流转, the share
    agreement for 分红, purchase receipts, the photographed 到户收益确认单.
    """

    benefit_link = models.ForeignKey(
        BenefitLink,
        verbose_name=_("利益联结"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evidence",
    )
    payment = models.ForeignKey(
        HouseholdPayment,
        verbose_name=_("到户收益"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evidence",
    )
    file = models.FileField(_("文件"), upload_to=benefit_evidence_upload_to)
    caption = models.CharField(
        _("说明"),
        max_length=255,
        blank=True,
        help_text=_("如：劳动合同、工资发放记录、土地流转合同、入股协议、收购凭证。"),
    )

    class Meta:
        verbose_name = _("带贫凭证")
        verbose_name_plural = _("带贫凭证")
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(benefit_link__isnull=False) | Q(payment__isnull=False),
                name="benefit_evidence_has_a_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.caption or _('带贫凭证')} #{self.pk}"


class WatchClosure(models.Model):
    """A 虚假带贫 watch-list line closed by the 监督员 or the office, with why."""

    reason = models.CharField(_("关注原因"), max_length=32, choices=WatchReason.choices)
    record_id = models.PositiveBigIntegerField(_("记录编号"))
    note = models.TextField(_("处理说明"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("处理时间"), auto_now_add=True)

    history = audit_history()

    class Meta:
        verbose_name = _("虚假带贫关注处理")
        verbose_name_plural = _("虚假带贫关注处理")
        ordering = ["-closed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reason", "record_id"], name="watch_closure_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} #{self.record_id}"
