"""Writes of certification (扶贫产品认定): policies, rechecks, reviews."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from trace.choices import (
    CertificationReviewStatus,
    CertificationStatus,
)
from trace.models import (
    Certification,
    CertificationPolicy,
    CertificationReview,
    Producer,
    Region,
)
from trace.public_cache import producer_story_changed
from trace.selectors.certification import (
    certification_evidence_for,
    certification_policy_for,
    producer_eligibility,
)
from trace.selectors.registry import region_subtree
from trace.services.common import (
    audit_as,
    require_register_keeper,
    validated_save,
)

# Certification (扶贫产品认定).

# 认定 is the county office's register, for the producers of its county
# (trace.access.may_manage_register); the policies, which descendants
# inherit, are the administrators'.
REGISTER_ONLY = _("扶贫产品认定由本县扶贫办（或管理员）办理。")


def _require_register_keeper(user, field: str, region: Region | None = None) -> None:
    require_register_keeper(user, region, field=field, message=REGISTER_ONLY)


@transaction.atomic
def certification_policy_set(
    *, region: Region, changed_by, **fields: Any
) -> CertificationPolicy:
    """Create or replace the 认定 policy of a region (its descendants inherit it).

    Every producer in the region that holds a current certification and
    follows this policy is re-checked against it. Raise ValidationError if
    the user does not keep the registers (trace.access.may_manage_register).
    """
    _require_register_keeper(changed_by, "region")
    policy = CertificationPolicy.objects.filter(region=region).first()
    policy = validated_save(policy or CertificationPolicy(region=region), **fields)
    producers = Producer.objects.filter(
        region_subtree(region=region, field="region"),
        certifications__status=CertificationStatus.ACTIVE,
        certifications__valid_until__gte=timezone.localdate(),
    ).distinct()
    for producer in producers.select_related("region"):
        if certification_policy_for(region=producer.region).pk == policy.pk:
            certification_recheck(producer=producer, trigger=_("认定政策变更"))
    return policy


def certification_recheck(
    *, producer: Producer, trigger: str
) -> list[CertificationReview]:
    """Re-check a producer's current certifications against its region's policy.

    For each active certification not yet expired: if the producer no
    longer qualifies, open a review for the administrators (or refresh the
    open one) with the reasons; if it qualifies again, close the open review
    as requalified. Return the reviews left open.
    """
    today = timezone.localdate()
    certifications = list(
        Certification.objects.filter(
            producer=producer,
            status=CertificationStatus.ACTIVE,
            valid_until__gte=today,
        )
    )
    if not certifications:
        return []
    eligibility = producer_eligibility(producer=producer)
    open_reviews = {
        review.certification_id: review
        for review in CertificationReview.objects.select_for_update().filter(
            certification__in=certifications, status=CertificationReviewStatus.OPEN
        )
    }
    opened = []
    for certification in certifications:
        review = open_reviews.get(certification.pk)
        if (review is None) != eligibility.qualifies:
            # 认定复核中 appears on (or leaves) the public pages.
            producer_story_changed(producer.pk)
        if eligibility.qualifies:
            if review is not None:
                validated_save(
                    review,
                    status=CertificationReviewStatus.REQUALIFIED,
                    resolved_at=timezone.now(),
                    resolution_note=_("%(trigger)s后复核：重新符合认定条件。")
                    % {"trigger": trigger},
                )
            continue
        opened.append(
            validated_save(
                review or CertificationReview(),
                certification=certification,
                producer=producer,
                trigger=trigger,
                reason="".join(eligibility.reasons),
                policy_source=eligibility.policy.source_title[:255],
            )
        )
    return opened


def certifications_recheck_all(*, trigger: str) -> int:
    """Re-check every producer holding a current certification; return how many.

    The services re-check a producer when they change what its certification
    rests on; a link that ends on a later day changes nothing that day, so
    beat runs this daily (trace.tasks.certifications_recheck_task, or the
    `recheck_certifications` command from cron) to catch it then.
    """
    producers = Producer.objects.filter(
        certifications__status=CertificationStatus.ACTIVE,
        certifications__valid_until__gte=timezone.localdate(),
    ).distinct()
    count = 0
    for producer in producers.select_related("region").iterator():
        with transaction.atomic():
            certification_recheck(producer=producer, trigger=trigger)
        count += 1
    return count


@transaction.atomic
def certification_update(
    *, certification: Certification, changed_by, **fields: Any
) -> Certification:
    """Change a certification's issuer or validity, then re-check its producer.

    Status changes go through suspend / reinstate / revoke; the producer and
    number are fixed once issued. Raise ValidationError for a validity that
    ends before it starts or overlaps another active certification, or if
    the user does not keep the registers.
    """
    _require_register_keeper(changed_by, "certification", certification.producer.region)
    for fixed in ("producer", "number", "status", "status_reason"):
        fields.pop(fixed, None)
    certification = validated_save(certification, **fields)
    overlapping = Certification.objects.filter(
        producer=certification.producer_id,
        status=CertificationStatus.ACTIVE,
        valid_from__lte=certification.valid_until,
        valid_until__gte=certification.valid_from,
    ).exclude(pk=certification.pk)
    if certification.status == CertificationStatus.ACTIVE and overlapping.exists():
        raise ValidationError({"valid_from": _("该主体在此期间已有有效认定。")})
    if "valid_from" in fields or "valid_until" in fields:
        producer_story_changed(certification.producer_id)  # the story names the end
        certification_recheck(
            producer=certification.producer, trigger=_("认定有效期修改")
        )
    return certification


def _review_close(
    review: CertificationReview, *, status: str, note: str, resolved_by
) -> CertificationReview:
    producer_story_changed(review.producer_id)  # no longer 认定复核中
    return validated_save(
        review,
        status=status,
        resolved_at=timezone.now(),
        resolved_by=resolved_by,
        resolution_note=note,
    )


def _open_review(review: CertificationReview) -> CertificationReview:
    review = CertificationReview.objects.select_for_update().get(pk=review.pk)
    if review.status != CertificationReviewStatus.OPEN:
        raise ValidationError(
            {
                "status": _("该复核已处理（%(status)s）。")
                % {"status": review.get_status_display()}
            }
        )
    return review


@transaction.atomic
def certification_review_dismiss(
    *, review: CertificationReview, note: str, resolved_by
) -> CertificationReview:
    """Keep the certification: the administrator found it still true.

    Raise ValidationError if the user does not keep the registers.
    """
    _require_register_keeper(resolved_by, "status", review.producer.region)
    if not note.strip():
        raise ValidationError({"reason": _("请说明维持认定的理由。")})
    review = _open_review(review)
    return _review_close(
        review,
        status=CertificationReviewStatus.DISMISSED,
        note=note,
        resolved_by=resolved_by,
    )


@transaction.atomic
def certification_review_suspend(
    *, review: CertificationReview, note: str, resolved_by
) -> CertificationReview:
    """Suspend the certification under review; this closes the review."""
    review = _open_review(review)
    certification_suspend(
        certification=review.certification, reason=note, changed_by=resolved_by
    )
    review.refresh_from_db()
    return review


@transaction.atomic
def certification_review_revoke(
    *, review: CertificationReview, note: str, resolved_by
) -> CertificationReview:
    """Revoke the certification under review; this closes the review."""
    review = _open_review(review)
    certification_revoke(
        certification=review.certification, reason=note, changed_by=resolved_by
    )
    review.refresh_from_db()
    return review


def eligibility_refusal(eligibility) -> str:
    """Return the refusal a decision screen shows: reasons, then the source cited."""
    return _("该主体不符合认定条件：%(reasons)s（依据：%(source)s）") % {
        "reasons": "".join(eligibility.reasons),
        "source": eligibility.policy.citation,
    }


@transaction.atomic
def producer_certify(
    *,
    producer: Producer,
    number: str,
    issuer: str,
    valid_from: datetime.date,
    valid_until: datetime.date,
    certified_by,
) -> Certification:
    """Issue an active certification to a producer that qualifies.

    Raise ValidationError if the user does not keep the registers
    (trace.access.may_manage_register), the producer does not meet the
    qualification rule or already holds an active certification for an
    overlapping period.
    """
    _require_register_keeper(certified_by, "producer", producer.region)
    Producer.objects.select_for_update().filter(pk=producer.pk).first()
    eligibility = producer_eligibility(producer=producer)
    if not eligibility.qualifies:
        raise ValidationError({"producer": eligibility_refusal(eligibility)})
    if valid_until < valid_from:
        raise ValidationError({"valid_until": _("有效期截止日期不能早于起始日期。")})
    overlapping = Certification.objects.filter(
        producer=producer,
        status=CertificationStatus.ACTIVE,
        valid_from__lte=valid_until,
        valid_until__gte=valid_from,
    )
    if overlapping.exists():
        raise ValidationError({"producer": _("该主体在此期间已有有效认定。")})
    producer_story_changed(producer.pk)
    certification = validated_save(
        Certification(),
        producer=producer,
        number=number,
        issuer=issuer,
        valid_from=valid_from,
        valid_until=valid_until,
        status=CertificationStatus.ACTIVE,
        status_changed_at=timezone.now(),
        status_changed_by=certified_by,
    )
    # The decision names the documents it rests on, as they were that day.
    certification.rests_on.set(certification_evidence_for(eligibility=eligibility))
    return certification


def certification_suspend(
    *, certification: Certification, reason: str, changed_by
) -> Certification:
    return _certification_set_status(
        certification=certification,
        status=CertificationStatus.SUSPENDED,
        allowed_from={CertificationStatus.ACTIVE},
        reason=reason,
        changed_by=changed_by,
    )


def certification_reinstate(
    *, certification: Certification, reason: str, changed_by
) -> Certification:
    return _certification_set_status(
        certification=certification,
        status=CertificationStatus.ACTIVE,
        allowed_from={CertificationStatus.SUSPENDED},
        reason=reason,
        changed_by=changed_by,
    )


def certification_revoke(
    *, certification: Certification, reason: str, changed_by
) -> Certification:
    return _certification_set_status(
        certification=certification,
        status=CertificationStatus.REVOKED,
        allowed_from={CertificationStatus.ACTIVE, CertificationStatus.SUSPENDED},
        reason=reason,
        changed_by=changed_by,
    )


def _certification_set_status(
    *,
    certification: Certification,
    status: str,
    allowed_from: set[str],
    reason: str,
    changed_by,
    by_system: bool = False,
) -> Certification:
    if not by_system:  # the county's own rule acting (an overdue review)
        _require_register_keeper(changed_by, "status", certification.producer.region)
    if not reason.strip():
        raise ValidationError({"reason": _("请说明原因。")})
    with transaction.atomic():
        certification = Certification.objects.select_for_update().get(
            pk=certification.pk
        )
        if certification.status not in allowed_from:
            raise ValidationError(
                {
                    "status": _("认定当前为“%(current)s”，不能变更为“%(target)s”。")
                    % {
                        "current": certification.get_status_display(),
                        "target": CertificationStatus(status).label,
                    }
                }
            )
        producer_story_changed(certification.producer_id)
        audit_as(certification, actor=changed_by, reason=reason[:100])
        certification = validated_save(
            certification,
            status=status,
            status_reason=reason,
            status_changed_at=timezone.now(),
            status_changed_by=changed_by,
        )
        if status != CertificationStatus.ACTIVE:
            # A suspension or revocation answers any open review of it.
            for review in CertificationReview.objects.filter(
                certification=certification, status=CertificationReviewStatus.OPEN
            ):
                _review_close(
                    review,
                    status=status,  # the review statuses share these two codes
                    note=reason,
                    resolved_by=changed_by,
                )
        return certification


def certification_reviews_suspend_overdue(*, on: datetime.date | None = None) -> int:
    """Suspend each certification whose open review outlived the county's days.

    The number of days is the county's setting
    (CertificationPolicy.review_suspend_after_days; no seed names one, so a
    county without it suspends nothing). The suspension gives the reason
    and closes the review, with no person as its author. Idempotent:
    return how many were suspended now.
    """
    on = on or timezone.localdate()
    suspended = 0
    reviews = CertificationReview.objects.filter(
        status=CertificationReviewStatus.OPEN,
        certification__status=CertificationStatus.ACTIVE,
    ).select_related("producer__region", "certification")
    for review in reviews:
        days = certification_policy_for(
            region=review.producer.region
        ).review_suspend_after_days
        opened_on = timezone.localdate(review.opened_at)
        if days is None or (on - opened_on).days < days:
            continue
        with transaction.atomic():
            _certification_set_status(
                certification=review.certification,
                status=CertificationStatus.SUSPENDED,
                allowed_from={CertificationStatus.ACTIVE},
                reason=_(
                    "认定复核自 %(opened)s 提出，超过县定 %(days)s 天未作决定，"
                    "自动暂停：%(reason)s"
                )
                % {"opened": opened_on, "days": days, "reason": review.reason},
                changed_by=None,
                by_system=True,
            )
        suspended += 1
    return suspended
