"""Reads of the reporting cycle: periods, submissions, differences, roll-ups.

A submission's frozen snapshot is the form as submitted (JSON, money as
"12.50"). The roll-up of a region is the sum of its direct children's
accepted submissions: a county's from its townships, a 市州's from its
counties, the province's from its 市州. List forms (sales, purchases) are the
children's rows one after another, renumbered; the 统计表 adds its figures
row by row (keyed by 市县), as the offices add the paper forms.
"""

import datetime
import json
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePosixPath

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q, QuerySet
from django.utils import timezone

from reports.choices import SubmissionBasis, SubmissionStatus
from reports.formatting import as_amount
from reports.forms import CAMPAIGN_STATISTICS, form_for
from reports.models import ReportPeriod, Submission
from reports.selectors.common import ReportFilters
from reports.tables import report_build
from trace import access
from trace.models import Region, SaleEvidence
from trace.selectors.registry import REGION_PATH, region_subtree

# Forms whose rows are figures per region, added up row by row; the value
# names the label column. Every other form is a list of rows.
KEYED_FORMS = {CAMPAIGN_STATISTICS.key: "市县"}
NUMBER_COLUMN = "序号"
NOTE_COLUMN = "备注"
OPEN_STATES = (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)


def frozen(data: dict) -> dict:
    """Return form data as stored in a snapshot (Decimals as "12.50")."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def period_list_visible_to(*, user) -> QuerySet[ReportPeriod]:
    """Periods of the user's regions, above them (what they owe) and below."""
    periods = ReportPeriod.objects.select_related(f"region__{REGION_PATH}")
    if access.is_administrator(user):
        return periods
    regions = access.assigned_regions(user)
    if not regions or not access.has_role(user, *access.SUBMITTING_ROLES):
        return periods.none()
    condition = Q(pk__in=[])
    for region in regions:
        ancestors = [part for part in region.lineage.strip("/").split("/") if part]
        condition |= region_subtree(region=region, field="region")
        condition |= Q(region_id__in=[int(pk) for pk in ancestors])
    return periods.filter(condition)


def submission_list_visible_to(*, user) -> QuerySet[Submission]:
    return Submission.objects.filter(access.submission_scope(user)).select_related(
        "period__region", f"region__{REGION_PATH}", "submitted_by", "reviewed_by"
    )


def submission_filters(submission: Submission) -> ReportFilters:
    period = submission.period
    return ReportFilters(
        region=submission.region,
        date_from=period.starts_on,
        date_to=period.ends_on,
        year=period.ends_on.year,
    )


def submission_current_data(*, submission: Submission, user) -> dict | None:
    """Return the form as it would be submitted now (None if not the user's form)."""
    if submission.basis == SubmissionBasis.ROLLUP:
        return submission_rollup(
            period=submission.period, region=submission.region
        ).data
    report = report_build(
        key=submission.period.form_key,
        user=user,
        filters=submission_filters(submission),
    )
    return None if report is None else frozen(report.as_data())


def _comparable(data: dict) -> Counter:
    """Return the rows without their 序号, as a multiset."""
    columns = data["columns"]
    skip = columns.index(NUMBER_COLUMN) if NUMBER_COLUMN in columns else None
    return Counter(
        json.dumps([value for index, value in enumerate(row) if index != skip])
        for row in data["rows"]
    )


def _totals(data: dict) -> dict[str, Decimal]:
    totals = {}
    for column in data.get("money_columns", []):
        index = data["columns"].index(column)
        totals[column] = sum(
            (as_amount(row[index]) or Decimal("0") for row in data["rows"]),
            Decimal("0"),
        )
    return totals


def data_difference(*, submitted: dict, current: dict) -> dict:
    """Return what changed between two fillings of a form (rows and totals)."""
    before, after = _comparable(submitted), _comparable(current)
    added = [json.loads(row) for row in (after - before).elements()]
    removed = [json.loads(row) for row in (before - after).elements()]
    old_totals, new_totals = _totals(submitted), _totals(current)
    totals = [
        {
            "column": column,
            "submitted": f"{old_totals[column]:.2f}",
            "current": f"{new_totals.get(column, Decimal('0')):.2f}",
        }
        for column in old_totals
        if old_totals[column] != new_totals.get(column, Decimal("0"))
    ]
    columns = [name for name in submitted["columns"] if name != NUMBER_COLUMN]
    return {
        "changed": bool(added or removed),
        "columns": columns,
        "added": added,
        "removed": removed,
        "totals": totals,
    }


def submission_difference(*, submission: Submission) -> dict | None:
    """Return how today's data differs from the frozen snapshot (None if none).

    The form is rebuilt as its submitter would see it now, so only the data
    (not whose names are masked) can make a difference.
    """
    if submission.snapshot is None or submission.submitted_by is None:
        return None
    current = submission_current_data(
        submission=submission, user=submission.submitted_by
    )
    if current is None:
        return None
    return data_difference(submitted=submission.snapshot, current=current)


# The roll-up.


@dataclass
class RollUp:
    """A region's form summed from its children's accepted submissions."""

    data: dict
    accepted: list[Submission] = field(default_factory=list)
    missing: list[Region] = field(default_factory=list)


def _renumber(rows: list[list], index: int) -> None:
    """Number list rows 1..n; keep a 统计表's "1" / "1.1" levels."""
    top = sub = 0
    for row in rows:
        number = str(row[index])
        if number == "":
            continue
        if "." in number:
            sub += 1
            row[index] = f"{top}.{sub}"
        else:
            top, sub = top + 1, 0
            row[index] = str(top)


def _add(values: list) -> object:
    if all(isinstance(value, int) and not isinstance(value, bool) for value in values):
        return sum(values)
    return f"{sum((as_amount(value) or Decimal('0') for value in values), Decimal('0')):.2f}"


def rows_sum(*, key: str, columns: list[str], parts: list[list[list]]) -> list[list]:
    """Return the rows of several fillings of a form as one form."""
    number = columns.index(NUMBER_COLUMN) if NUMBER_COLUMN in columns else None
    if key not in KEYED_FORMS:
        rows = [list(row) for rows in parts for row in rows]
        if number is not None:
            for position, row in enumerate(rows, start=1):
                row[number] = position
        return rows
    label = columns.index(KEYED_FORMS[key])
    note = columns.index(NOTE_COLUMN) if NOTE_COLUMN in columns else None
    merged: dict[str, list[list]] = {}
    for rows in parts:
        for row in rows:
            merged.setdefault(row[label], []).append(row)
    result = []
    for group in merged.values():
        row = list(group[0])
        for index in range(len(columns)):
            if index in (number, label):
                continue
            if index == note:
                row[index] = "；".join(
                    dict.fromkeys(str(r[index]) for r in group if r[index])
                )
            else:
                row[index] = _add([r[index] for r in group])
        result.append(row)
    if number is not None:
        _renumber(result, number)
    return result


def submission_rollup(*, period: ReportPeriod, region: Region) -> RollUp:
    """Return the region's form summed from its children's accepted submissions.

    The children are the region's direct subdivisions; their submissions are
    those of any period of the same form over the same dates. Children with
    no accepted submission are listed as missing.
    """
    spec = form_for(period.form_key)
    children = list(region.children.order_by("code", "lineage"))
    accepted = {
        submission.region_id: submission
        for submission in Submission.objects.filter(
            period__form_key=period.form_key,
            period__starts_on=period.starts_on,
            period__ends_on=period.ends_on,
            region__in=children,
            status=SubmissionStatus.ACCEPTED,
        ).select_related("region")
    }
    ordered = [accepted[child.pk] for child in children if child.pk in accepted]
    columns = list(spec.columns)
    title = ordered[0].snapshot["title"] if ordered else period.form_title
    data = {
        "key": spec.key,
        "title": title,
        "header_fields": [],
        "columns": columns,
        "money_columns": list(spec.money_columns),
        "rows": rows_sum(
            key=spec.key,
            columns=columns,
            parts=[submission.snapshot["rows"] for submission in ordered],
        ),
        "filler": [],
    }
    return RollUp(
        data=data,
        accepted=ordered,
        missing=[child for child in children if child.pk not in accepted],
    )


# Who is missing and who is late.


@dataclass
class ExpectedSubmission:
    """One region that owes a form for a period, and how far it has got."""

    period: ReportPeriod
    region: Region
    submission: Submission | None
    state: str  # a SubmissionStatus value, or "missing"
    overdue: bool
    late: bool


def period_expected(
    *, period: ReportPeriod, today: datetime.date | None = None
) -> list[ExpectedSubmission]:
    """Return every region that owes the period's form, with its state."""
    today = today or timezone.localdate()
    regions = Region.objects.filter(
        region_subtree(region=period.region), level=period.submitter_level
    ).order_by("lineage")
    submissions = {
        submission.region_id: submission
        for submission in period.submissions.select_related("submitted_by")
    }
    result = []
    for region in regions:
        submission = submissions.get(region.pk)
        state = submission.status if submission else "missing"
        delivered = state in (SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED)
        late = bool(
            delivered
            and submission.submitted_at
            and timezone.localdate(submission.submitted_at) > period.due_on
        )
        result.append(
            ExpectedSubmission(
                period=period,
                region=region,
                submission=submission,
                state=state,
                overdue=not delivered and today > period.due_on,
                late=late,
            )
        )
    return result


def submission_overview(*, user, today: datetime.date | None = None) -> dict:
    """Return the open periods the user collects, with missing and overdue counts.

    An office sees the periods of its region and below (the level above the
    submitters); a period counts until all its submissions are accepted.
    """
    today = today or timezone.localdate()
    if access.is_administrator(user):
        periods = ReportPeriod.objects.all()
    elif access.has_role(user, *access.REVIEWING_ROLES):
        condition = Q(pk__in=[])
        for region in access.assigned_regions(user):
            condition |= region_subtree(region=region, field="region")
        periods = ReportPeriod.objects.filter(condition)
    else:
        periods = ReportPeriod.objects.none()
    rows = []
    counts = Counter()
    for period in periods.select_related("region").order_by("due_on", "id"):
        expected = period_expected(period=period, today=today)
        if not expected or all(
            item.state == SubmissionStatus.ACCEPTED for item in expected
        ):
            continue
        missing = [item for item in expected if item.state == "missing"]
        overdue = [item for item in expected if item.overdue]
        waiting = [
            item for item in expected if item.state == SubmissionStatus.SUBMITTED
        ]
        counts.update(
            missing=len(missing), overdue=len(overdue), to_review=len(waiting)
        )
        rows.append(
            {
                "period": period,
                "expected": len(expected),
                "accepted": sum(
                    item.state == SubmissionStatus.ACCEPTED for item in expected
                ),
                "missing": missing,
                "overdue": overdue,
                "to_review": waiting,
                # Only the addressee decides; the levels above read.
                "reviewable": access.may_review_submissions_to(user, period.region),
            }
        )
    return {"periods": rows, "counts": dict(counts)}


def submission_evidence(*, submission: Submission, user) -> list[tuple[str, object]]:
    """Return the submission's files as (name in the zip, stored file).

    The stamped scan, then the invoices and receipts of exactly the sales
    the frozen form lists (大通湖: 附件 and 销售凭证 go in together, seed 003
    line 74), for a user who may see household names: a receipt is signed
    by the household (trace.access.may_see_households).
    """
    files: list[tuple[str, object]] = []
    if submission.stamped_scan:
        files.append(
            (
                f"盖章扫描件{PurePosixPath(submission.stamped_scan.name).suffix}",
                submission.stamped_scan,
            )
        )
    sale_ids = (submission.snapshot or {}).get("sale_ids", [])
    if not access.may_see_households(user):
        sale_ids = []
    for evidence in SaleEvidence.objects.filter(sale_id__in=sale_ids).order_by(
        "sale__sold_at", "sale_id", "id"
    ):
        suffix = PurePosixPath(evidence.file.name).suffix
        caption = evidence.caption or "销售凭证"
        files.append(
            (
                f"销售凭证/销售{evidence.sale_id}-{evidence.pk}-{caption}{suffix}",
                evidence.file,
            )
        )
    return files


def forms_owed_by(
    *, user, today: datetime.date | None = None, limit: int = 12
) -> list[ExpectedSubmission]:
    """Return the forms the user's own region owes, newest deadline first.

    Only windows that have begun are listed; the state says how far each got.
    """
    today = today or timezone.localdate()
    result = []
    for region in access.assigned_regions(user):
        if not access.may_submit_for(user, region):
            continue
        ancestors = [int(pk) for pk in region.lineage.strip("/").split("/") if pk]
        periods = ReportPeriod.objects.filter(
            region_id__in=ancestors,
            submitter_level=region.level,
            starts_on__lte=today,
        ).select_related("region")
        submissions = {
            submission.period_id: submission
            for submission in Submission.objects.filter(
                region=region, period__in=periods
            )
        }
        for period in periods:
            submission = submissions.get(period.pk)
            state = submission.status if submission else "missing"
            delivered = state in (SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED)
            result.append(
                ExpectedSubmission(
                    period=period,
                    region=region,
                    submission=submission,
                    state=state,
                    overdue=not delivered and today > period.due_on,
                    late=False,
                )
            )
    result.sort(key=lambda item: (item.period.due_on, item.period.pk), reverse=True)
    return result[:limit]


# The pages of a period for the level that collects it.


def period_list_collected_by(*, user) -> QuerySet[ReportPeriod]:
    """Return the periods whose forms come to the user's regions or below.

    An office sees the periods of its region and of the regions below it
    (the city reads its counties'); a 监督员 its township's. Accepted ones
    stay listed, newest deadline first.
    """
    if access.is_administrator(user):
        periods = ReportPeriod.objects.all()
    elif access.has_role(user, *access.REVIEWING_ROLES):
        periods = ReportPeriod.objects.filter(access.region_scope(user, "region"))
    else:
        periods = ReportPeriod.objects.none()
    return periods.select_related(f"region__{REGION_PATH}").order_by("-due_on", "-id")


STATUS_COLUMNS = [
    "序号",
    "填报单位",
    "状态",
    "上报时间",
    "逾期",
    "审核人",
    "审核时间",
    "退回原因",
]


def period_status_table(
    *, period: ReportPeriod, today: datetime.date | None = None
) -> dict:
    """Return who owes the period's form and how far each got, as a printable table.

    The same shape as a form (`title`, `columns`, `rows`), so the PDF and
    XLSX are drawn by the form's own renderers.
    """
    expected = period_expected(period=period, today=today)
    rows = []
    for number, item in enumerate(expected, start=1):
        submission = item.submission
        state = "未填报" if submission is None else submission.get_status_display()
        if item.overdue:
            lateness = "逾期未报"
        elif item.late:
            lateness = "逾期上报"
        else:
            lateness = ""
        rows.append(
            [
                number,
                item.region.full_name,
                state,
                _moment(submission.submitted_at if submission else None),
                lateness,
                _reviewer(submission),
                _moment(submission.reviewed_at if submission else None),
                submission.return_reason if submission else "",
            ]
        )
    return {
        "key": "period_status",
        "title": f"{period.get_form_key_display()}（{period.name}）报送情况",
        "columns": STATUS_COLUMNS,
        "money_columns": [],
        "rows": rows,
        "filler": [],
        "header_fields": [
            {"label": "汇总单位", "value": period.addressee},
            {"label": "上报截止", "value": period.due_on.isoformat()},
            {
                "label": "已通过",
                "value": f"{sum(i.state == 'accepted' for i in expected)}"
                f"/{len(expected)}",
            },
            {
                "label": "缺报",
                "value": str(sum(i.state == "missing" for i in expected)),
            },
        ],
    }


def _moment(value: datetime.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _reviewer(submission: Submission | None) -> str:
    if submission is None or submission.reviewed_by is None:
        return ""
    binding = access.role_of(submission.reviewed_by)
    return (binding.real_name if binding else "") or submission.reviewed_by.username
