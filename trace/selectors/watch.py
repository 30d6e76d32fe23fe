"""The 虚假带贫 watch list: what a household is said to receive but cannot be vouched for.

"确保扶贫产品……带贫真实，坚决防止打着消费扶贫旗号敛财牟利" (seed 002, line 71).
Each line says why, names the record (never a household's name) and stays
until the 监督员 or the office closes it with a reason (WatchClosure). The
numbers ("unusually many" links, the confirmation deadline) are the county's
settings on its CertificationPolicy; a check whose number is not set is not run.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from trace import access
from trace.choices import (
    CertificationStatus,
    PaymentConfirmation,
    PaymentKind,
    TraceEventKind,
    WatchReason,
)
from trace.models import (
    BenefitEvidence,
    BenefitLink,
    Certification,
    HouseholdPayment,
    Region,
    TraceEvent,
    WatchClosure,
)
from trace.selectors.certification import certification_policy_for, producer_eligibility
from trace.selectors.households import benefit_links_in_force


@dataclass(frozen=True)
class WatchLine:
    """One thing that cannot be vouched for, and where to look."""

    reason: str
    record_type: str  # benefit-links, household-payments, households, certifications
    record_id: int
    region: Region
    why: str

    @property
    def record_url(self) -> str:
        return f"/api/v1/{self.record_type}/{self.record_id}/"

    @property
    def reason_label(self) -> str:
        return str(WatchReason(self.reason).label)


def _policies_by_region(regions) -> dict[int, object]:
    cache: dict[int, object] = {}
    for region in regions:
        if region.pk not in cache:
            cache[region.pk] = certification_policy_for(region=region)
    return cache


def benefit_watch_list(*, user, on: datetime.date | None = None) -> list[WatchLine]:
    """Return the open watch-list lines in the user's regions (empty if not its job)."""
    if not access.may_watch_benefit(user):
        return []
    on = on or timezone.localdate()
    lines: list[WatchLine] = []
    links = BenefitLink.objects.filter(
        access.region_scope(user, "household__village"), benefit_links_in_force(on=on)
    ).select_related("household__village", "producer")

    # Households in unusually many links (the county's watch line).
    counts = (
        links.order_by()
        .values("household", "household__village")
        .annotate(links=Count("pk"))
    )
    villages = Region.objects.in_bulk({row["household__village"] for row in counts})
    policies = _policies_by_region(villages.values())
    for row in counts:
        village = villages[row["household__village"]]
        limit = policies[village.pk].watch_links_per_household
        if limit is not None and row["links"] > limit:
            lines.append(
                WatchLine(
                    WatchReason.MANY_LINKS,
                    "households",
                    row["household"],
                    village,
                    _("该户同期有 %(count)s 个利益联结，超过县定关注线 %(limit)s 个。")
                    % {"count": row["links"], "limit": limit},
                )
            )

    # Links without any evidence.
    for link in links.exclude(
        Exists(BenefitEvidence.objects.filter(benefit_link=OuterRef("pk")))
    ):
        lines.append(
            WatchLine(
                WatchReason.LINK_WITHOUT_EVIDENCE,
                "benefit-links",
                link.pk,
                link.household.village,
                _("%(producer)s的%(kind)s联结没有合同、记录或凭证。")
                % {"producer": link.producer.name, "kind": link.get_kind_display()},
            )
        )

    payments = HouseholdPayment.objects.filter(
        access.region_scope(user, "household__village")
    ).select_related("household__village", "producer")
    unconfirmed = payments.filter(confirmation=PaymentConfirmation.UNCONFIRMED)
    policies.update(
        _policies_by_region(payment.household.village for payment in unconfirmed)
    )
    for payment in unconfirmed:
        days = policies[payment.household.village_id].confirmation_deadline_days
        if days is not None and payment.paid_on < on - datetime.timedelta(days=days):
            lines.append(
                WatchLine(
                    WatchReason.UNCONFIRMED_OVERDUE,
                    "household-payments",
                    payment.pk,
                    payment.household.village,
                    _(
                        "%(date)s 支付的 %(amount)s 元超过县定 %(days)s 天仍未经本户确认。"
                    )
                    % {"date": payment.paid_on, "amount": payment.amount, "days": days},
                )
            )
    for payment in payments.filter(confirmation=PaymentConfirmation.DISPUTED):
        lines.append(
            WatchLine(
                WatchReason.DISPUTED,
                "household-payments",
                payment.pk,
                payment.household.village,
                _("本户对 %(date)s 的 %(amount)s 元有异议：%(note)s")
                % {
                    "date": payment.paid_on,
                    "amount": payment.amount,
                    "note": payment.confirmation_note,
                },
            )
        )

    # Purchases paid with no 收购 recorded on the batch that day.
    for payment in payments.filter(kind=PaymentKind.PURCHASE).exclude(
        Exists(
            TraceEvent.objects.filter(
                batch=OuterRef("batch"),
                kind=TraceEventKind.PURCHASE,
                occurred_at__date=OuterRef("paid_on"),
            )
        )
    ):
        lines.append(
            WatchLine(
                WatchReason.PURCHASE_WITHOUT_MOVEMENT,
                "household-payments",
                payment.pk,
                payment.household.village,
                _("%(date)s 的收购款 %(amount)s 元没有对应的批次收购记录。")
                % {"date": payment.paid_on, "amount": payment.amount},
            )
        )

    # Prices outside the county's band (recorded with a reason).
    for payment in payments.exclude(price_reason=""):
        lines.append(
            WatchLine(
                WatchReason.PRICE_FAR,
                "household-payments",
                payment.pk,
                payment.household.village,
                _("收购单价超出县定幅度，说明：%(reason)s")
                % {"reason": payment.price_reason},
            )
        )

    # Certifications that rest on one household.
    certifications = Certification.objects.filter(
        access.region_scope(user, "producer__region"),
        status=CertificationStatus.ACTIVE,
        valid_from__lte=on,
        valid_until__gte=on,
    ).select_related("producer__region")
    for certification in certifications:
        eligibility = producer_eligibility(producer=certification.producer, on=on)
        if eligibility.qualifying_households == 1:
            lines.append(
                WatchLine(
                    WatchReason.ONE_HOUSEHOLD,
                    "certifications",
                    certification.pk,
                    certification.producer.region,
                    _("%(producer)s的认定仅依靠一户贫困户。")
                    % {"producer": certification.producer.name},
                )
            )

    closed = set(
        WatchClosure.objects.filter(
            record_id__in={line.record_id for line in lines}
        ).values_list("reason", "record_id")
    )
    return [line for line in lines if (line.reason, line.record_id) not in closed]
