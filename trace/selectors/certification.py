"""Reads of certification (扶贫产品认定): policies, reviews, eligibility."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from trace import access
from trace.choices import (
    BenefitKind,
    CertificationReviewStatus,
    CertificationStatus,
    PaymentConfirmation,
    ProducerKind,
    Role,
)
from trace.models import (
    BenefitEvidence,
    BenefitLink,
    Certification,
    CertificationPolicy,
    CertificationReview,
    HouseholdPayment,
    Producer,
    Region,
)
from trace.selectors.households import benefit_links_in_force
from trace.selectors.registry import REGION_PATH


def certification_list_visible_to(*, user) -> QuerySet[Certification]:
    return (
        Certification.objects.filter(access.producer_scope(user, "producer"))
        .select_related("producer")
        .prefetch_related("rests_on")
    )


def certification_policy_list() -> QuerySet[CertificationPolicy]:
    """认定 policies are the offices' published rules: anyone signed in reads them."""
    return CertificationPolicy.objects.select_related(f"region__{REGION_PATH}")


def certification_review_list_visible_to(*, user) -> QuerySet[CertificationReview]:
    """Return the review queue of the offices (and administrators) over the producers.

    The county office decides 认定 and so its reviews; a city or province
    office reads those of its counties (trace.access.may_manage_register).
    """
    if not (access.is_administrator(user) or access.has_role(user, Role.OFFICE)):
        return CertificationReview.objects.none()
    return CertificationReview.objects.filter(
        access.producer_scope(user, "producer")
    ).select_related("certification", "producer__region", "resolved_by")


def certification_policy_for(*, region: Region) -> CertificationPolicy:
    """Return the 认定 policy of the region or of its nearest ancestor that has one.

    Where no region up the chain has a policy, return an unsaved system default:
    every producer kind and benefit-link kind, one household, and the
    SUYUAN_MIN_HOUSEHOLD_INCOME setting as the yearly minimum.
    """
    ancestor_ids = [int(pk) for pk in region.lineage.strip("/").split("/") if pk]
    policies = {
        policy.region_id: policy
        for policy in CertificationPolicy.objects.filter(
            region_id__in=ancestor_ids
        ).select_related("region")
    }
    for region_id in reversed(ancestor_ids):
        if region_id in policies:
            return policies[region_id]
    return CertificationPolicy(
        region=region,
        eligible_producer_kinds=list(ProducerKind.values),
        qualifying_benefit_kinds=list(BenefitKind.values),
        min_annual_income=Decimal(settings.SUYUAN_MIN_HOUSEHOLD_INCOME),
        min_households=1,
        source_document=str(_("系统默认标准（本地区未设认定政策）")),
    )


@dataclass(frozen=True)
class Eligibility:
    """Whether a producer meets its region's 认定 policy, and why not."""

    policy: CertificationPolicy
    qualifying_households: int
    reasons: tuple[str, ...]
    # The benefit links that counted: a decision names their evidence.
    link_ids: tuple[int, ...] = ()

    @property
    def qualifies(self) -> bool:
        return not self.reasons


def _confirmed_income_by_link(
    *, link_ids: list[int], on: datetime.date
) -> dict[int, Decimal]:
    """Return, for each link with payments in the year up to `on`, the confirmed sum.

    A link without any recorded payment is absent (its declared yearly
    income stands until payments are recorded against it).
    """
    totals: dict[int, Decimal] = {}
    for link_id, confirmation, amount in (
        HouseholdPayment.objects.filter(
            benefit_link_id__in=link_ids,
            paid_on__gt=on - datetime.timedelta(days=365),
            paid_on__lte=on,
        )
        .values("benefit_link_id", "confirmation")
        .annotate(amount=Sum("amount"))
        .values_list("benefit_link_id", "confirmation", "amount")
    ):
        totals.setdefault(link_id, Decimal(0))
        if confirmation == PaymentConfirmation.CONFIRMED:
            totals[link_id] += amount or Decimal(0)
    return totals


def producer_eligibility(
    *, producer: Producer, on: datetime.date | None = None
) -> Eligibility:
    """Check the producer against the 认定 policy of its region on a day.

    A household counts when one benefit link of a qualifying kind, in force
    on the day (today if not given), brings it at least the policy's yearly
    minimum: links of different kinds are not summed, since a rule such as
    邵东's names one kind of link (务工). A link that has ended, or has not
    started yet, does not count. Where the policy names no amount (洞口,
    大通湖, 云阳: their documents name none), a link counts when it brings
    the household some income.

    Only money the household has confirmed counts: once payments are
    recorded against a link, the link counts on the sum the household
    confirmed in the year up to the day (trace.services.payments).

    A household that is itself the producer counts for itself: 云阳's
    catalogue is of "贫困户可销售的农特产品" (seed 004, lines 24 and 114),
    e.g. its 附件1 row "王某某 土豆 30斤 3元/斤" (seed 004, lines 81-84).
    """
    on = on or timezone.localdate()
    policy = certification_policy_for(region=producer.region)
    reasons = []
    if producer.kind not in policy.eligible_producer_kinds:
        reasons.append(
            _("%(kind)s不在本地区可认定的主体类型之内（%(kinds)s）。")
            % {
                "kind": producer.get_kind_display(),
                "kinds": "、".join(
                    str(ProducerKind(kind).label)
                    for kind in policy.eligible_producer_kinds
                ),
            }
        )
    income = (
        Q(annual_income__gt=0)
        if policy.min_annual_income is None
        else Q(annual_income__gte=policy.min_annual_income)
    )
    links = list(
        BenefitLink.objects.filter(
            income,
            benefit_links_in_force(on=on),
            producer=producer,
            kind__in=policy.qualifying_benefit_kinds,
        ).values("pk", "household")
    )
    confirmed = _confirmed_income_by_link(
        link_ids=[link["pk"] for link in links], on=on
    )
    floor = policy.min_annual_income
    counted = [
        link
        for link in links
        # Once money is recorded against a link, only what the household
        # confirmed in the year counts; unconfirmed money does not.
        if link["pk"] not in confirmed
        or (
            confirmed[link["pk"]] >= floor
            if floor is not None
            else confirmed[link["pk"]] > 0
        )
    ]
    household_ids = {link["household"] for link in counted}
    if producer.kind == ProducerKind.HOUSEHOLD and producer.household_id:
        household_ids.add(producer.household_id)
    households = len(household_ids)
    if households < policy.min_households:
        kinds = "、".join(
            str(BenefitKind(kind).label) for kind in policy.qualifying_benefit_kinds
        )
        if policy.min_annual_income is None:
            reasons.append(
                _(
                    "以%(kinds)s方式带动、有收益的贫困户有 %(count)s 户，少于要求的 %(required)s 户。"
                )
                % {
                    "kinds": kinds,
                    "count": households,
                    "required": policy.min_households,
                }
            )
        else:
            reasons.append(
                _(
                    "以%(kinds)s方式、每户年收益不低于 %(amount)s 元的贫困户有 %(count)s 户，"
                    "少于要求的 %(required)s 户。"
                )
                % {
                    "kinds": kinds,
                    "amount": policy.min_annual_income,
                    "count": households,
                    "required": policy.min_households,
                }
            )
    return Eligibility(
        policy=policy,
        qualifying_households=households,
        reasons=tuple(reasons),
        link_ids=tuple(link["pk"] for link in counted),
    )


def certification_is_active(
    *, producer: Producer, on: datetime.date | None = None
) -> bool:
    """Return True if the producer holds an active certification valid on the day."""
    on = on or timezone.localdate()
    return Certification.objects.filter(
        producer=producer,
        status=CertificationStatus.ACTIVE,
        valid_from__lte=on,
        valid_until__gte=on,
    ).exists()


def certification_held_at(*, producer: Producer, at: datetime.datetime) -> bool:
    """Return True if the producer's certification covered the moment `at`.

    A sale entered late is judged by when it was made: the certification
    must be valid on that day and not suspended or revoked before that
    moment (a later suspension does not undo a sale made while it held).
    """
    day = timezone.localdate(at) if timezone.is_aware(at) else at.date()
    return (
        Certification.objects.filter(
            producer=producer, valid_from__lte=day, valid_until__gte=day
        )
        .filter(
            Q(status=CertificationStatus.ACTIVE)
            | Q(status_changed_at__gt=at, status_changed_at__isnull=False)
        )
        .exists()
    )


def certification_evidence_for(*, eligibility: Eligibility) -> QuerySet:
    """Return the evidence a 认定 decision rests on: that of the links counted.

    The documents of each benefit link that counted, and of the confirmed
    payments recorded against it.
    """
    return BenefitEvidence.objects.filter(
        Q(benefit_link_id__in=eligibility.link_ids)
        | Q(
            payment__benefit_link_id__in=eligibility.link_ids,
            payment__confirmation=PaymentConfirmation.CONFIRMED,
        )
    )


def certification_under_review(field: str = "pk") -> Exists:
    """Return an annotation: does the certification have an open review (认定复核中)?"""
    return Exists(
        CertificationReview.objects.filter(
            certification=OuterRef(field), status=CertificationReviewStatus.OPEN
        )
    )
