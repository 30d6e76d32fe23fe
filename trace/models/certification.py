"""Certification of producers (扶贫产品认定), county policies and reviews."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from trace.audit import audit_history
from trace.choices import (
    BenefitKind,
    CertificationReviewStatus,
    CertificationStatus,
    ProducerKind,
)
from trace.models.common import MONEY, NON_NEGATIVE
from trace.models.registry import Producer, Region
from trace.validators import (
    validate_calendar_date,
)


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
    rests_on = models.ManyToManyField(
        "trace.BenefitEvidence",
        verbose_name=_("认定依据的凭证"),
        blank=True,
        related_name="certifications",
        help_text=_("认定时计入的利益联结及其收益所附的凭证。"),
    )

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


# A file reference in a citation: "（seeds/000，第 74–76 行）". The seed files
# are where the project found a rule; people are shown the document itself.
FILE_REFERENCE = re.compile(r"\s*[（(]\s*seeds/[^）)]*[）)]")


def document_title(source: str) -> str:
    """Return a cited source without its file reference (a title, as people cite it)."""
    return FILE_REFERENCE.sub("", source or "").strip()


class CertificationPolicy(models.Model):
    """A region's rule for 扶贫产品认定, inherited by its descendant regions.

    A producer qualifies when its kind is eligible and at least
    `min_households` households each receive at least `min_annual_income`
    yuan a year from one link of a qualifying kind (kinds are never summed).
    Where the county's document names no amount, `min_annual_income` is
    empty: a link in force that brings the household some income counts,
    and the county may later set an amount with its own source.
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
        _("每户最低年收益（元）"),
        validators=NON_NEGATIVE,
        null=True,
        blank=True,
        help_text=_("文件未写明数额的留空；县里另定数额的，在说明中写明依据。"),
        **MONEY,
    )
    min_households = models.PositiveSmallIntegerField(
        _("最少带动户数"), default=1, validators=[MinValueValidator(1)]
    )
    # The county's own settings for vouching for benefit (带贫真实). None of
    # the seed documents names these numbers, so each is empty (not applied)
    # until the county sets it and writes its source in `note`.
    purchase_price_band_percent = models.DecimalField(
        _("收购价偏离目录价的允许幅度（%）"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
        help_text=_("超出此幅度的收购须说明原因；空表示不设。"),
    )
    watch_links_per_household = models.PositiveSmallIntegerField(
        _("一户利益联结数的关注线"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("一户同期联结超过此数即列入虚假带贫关注清单；空表示不设。"),
    )
    confirmation_deadline_days = models.PositiveSmallIntegerField(
        _("到户收益确认期限（天）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("支付后超过此天数仍未经本户确认的，列入关注清单；空表示不设。"),
    )
    review_suspend_after_days = models.PositiveSmallIntegerField(
        _("认定复核未决自动暂停（天）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("复核提出后超过此天数未作决定的，自动暂停认定；空表示不设。"),
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
        return f"{self.region.name}：{self.source_title}"

    @property
    def source_title(self) -> str:
        """Return the cited document's own title, without a file reference."""
        return document_title(self.source_document)

    @property
    def citation(self) -> str:
        """Return the document's title and the clause quoted, as a screen cites it."""
        if not self.source_clause:
            return self.source_title
        return f"{self.source_title}：“{self.source_clause}”"

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
