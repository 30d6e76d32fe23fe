"""The county's yearly 信息员考核: a ranked list from what each 信息员 did.

Seed 001 (邵东), lines 47-52: "加强对消费扶贫信息员的考核。每年根据消费扶贫
信息提供的及时性、准确性和推广扶贫产品成效等进行综合考核，年底评选30名消费扶贫
先进个人，给予一次性奖励1200元，并颁发消费扶贫先进个人荣誉证书。"

The seed names the criteria but no weights, so the list ranks by them in a
fixed order the county may change (SUYUAN_INFORMANT_ASSESSMENT_ORDER), by
default the seed's own: timeliness, accuracy, sales.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Q, Sum
from django.utils import timezone

from reports.choices import SubmissionStatus
from reports.models import Submission, SubmissionTransition
from trace import access
from trace.choices import Role
from trace.models import CatalogueEntry, Region, Sale, SlowSellingMark, UserRole

# "年底评选30名消费扶贫先进个人，给予一次性奖励1200元" (seed 001, lines 49-50).
ADVANCED_PER_YEAR = 30
ADVANCED_REWARD_YUAN = Decimal("1200")

# The measures a county may rank by, best first for each.
MEASURES = (
    "reported_on_time",  # 及时性: forms submitted by their deadline
    "accepted_first_time",  # 准确性: forms accepted without being returned
    "sold",  # 推广扶贫产品成效: sales of the village's goods, yuan
    "recorded",  # 信息提供: catalogue entries and sales it recorded
    "slow_selling_reports",  # 滞销 reported
)
DEFAULT_ORDER = ("reported_on_time", "accepted_first_time", "sold")


@dataclass
class InformantAssessment:
    """One 信息员's year: what it recorded, reported and sold, and its rank."""

    name: str
    village: Region | None
    recorded: int
    reported: int
    reported_on_time: int
    accepted_first_time: int
    slow_selling_reports: int
    sold: Decimal
    rank: int = 0
    advanced: bool = False


def assessment_order() -> tuple[str, ...]:
    order = tuple(getattr(settings, "SUYUAN_INFORMANT_ASSESSMENT_ORDER", DEFAULT_ORDER))
    unknown = set(order) - set(MEASURES)
    if unknown:
        raise ValueError(f"Unknown assessment measures: {sorted(unknown)}")
    return order


def informant_assessment(*, user, year: int) -> list[InformantAssessment]:
    """Return the 信息员 of the user's regions for `year`, best first.

    Equal measures share a rank; the first ADVANCED_PER_YEAR ranks (at most
    that many people) are marked 先进个人.
    """
    bindings = (
        UserRole.objects.filter(role=Role.INFORMANT)
        .select_related("user")
        .prefetch_related("regions")
    )
    rows = []
    for binding in bindings:
        villages = [
            region
            for region in binding.regions.all()
            if access.region_in_scope(user, region)
        ]
        if not villages:
            continue
        rows.append(_assess(binding, villages, year))
    order = assessment_order()
    rows.sort(key=lambda row: tuple(getattr(row, name) for name in order), reverse=True)
    previous = None
    for position, row in enumerate(rows, start=1):
        key = tuple(getattr(row, name) for name in order)
        row.rank = previous[1] if previous and previous[0] == key else position
        previous = (key, row.rank)
        row.advanced = position <= ADVANCED_PER_YEAR
    return rows


def _assess(binding: UserRole, villages: list[Region], year: int):
    person = binding.user
    in_year = Q(period__ends_on__year=year)
    submissions = list(
        Submission.objects.filter(in_year, submitted_by=person).select_related("period")
    )
    returned = set(
        SubmissionTransition.objects.filter(
            submission__in=submissions, to_status=SubmissionStatus.RETURNED
        ).values_list("submission_id", flat=True)
    )
    origin = Q()
    for village in villages:
        origin |= Q(batch__origin__lineage__startswith=village.lineage)
    sold = Sale.objects.filter(origin, sold_at__year=year).aggregate(
        total=Sum("amount")
    )["total"] or Decimal("0")
    recorded = (
        CatalogueEntry.objects.filter(created_by=person, created_at__year=year).count()
        + Sale.objects.filter(recorded_by=person, recorded_at__year=year).count()
    )
    return InformantAssessment(
        name=binding.real_name or person.get_username(),
        village=villages[0],
        recorded=recorded,
        reported=len(submissions),
        reported_on_time=sum(
            1
            for submission in submissions
            if submission.submitted_at
            and _local_day(submission.submitted_at) <= submission.period.due_on
        ),
        accepted_first_time=sum(
            1
            for submission in submissions
            if submission.status == SubmissionStatus.ACCEPTED
            and submission.pk not in returned
        ),
        slow_selling_reports=SlowSellingMark.objects.filter(
            marked_by=person, valid_from__year=year
        ).count(),
        sold=sold,
    )


def _local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()
