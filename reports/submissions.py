"""Writes of the reporting cycle: periods, submissions and their transitions.

draft → submitted → accepted, or submitted → returned (with a reason) →
submitted again. Submitting freezes the form (rows, 填报单位 from the region,
填报人 and 联系方式 from the submitter's profile); an accepted submission is
final. Every transition is a SubmissionTransition row: who, when, why.
"""

import calendar
import datetime
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reports.choices import PeriodFrequency, SubmissionBasis, SubmissionStatus
from reports.formatting import FILLER_LABELS, filler_for, format_date
from reports.forms import SALES_EVIDENCE, SECTOR_PURCHASES, TOWNSHIP_SALES, form_for
from reports.models import ReportPeriod, Submission, SubmissionTransition
from reports.selectors import common
from reports.selectors.submissions import (
    frozen,
    submission_filters,
    submission_rollup,
)
from reports.tables import (
    SECTOR_CHANNELS,
    header_fields_for,
    report_build,
    report_visible_to,
)
from trace import access
from trace.choices import RegionLevel
from trace.models import Region
from trace.services.common import audit_as, require_register_keeper
from trace.uploads import max_upload_bytes, upload_clean, upload_too_large

# Forms whose rows are sales: their snapshot keeps the sale ids, so the
# evidence (invoices, receipts) of exactly those sales goes with them.
SALE_FORMS = {SALES_EVIDENCE.key, TOWNSHIP_SALES.key, SECTOR_PURCHASES.key}
EDITABLE = (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)


def report_period_create(
    *,
    form_key: str,
    region: Region,
    submitter_level: str,
    frequency: str,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    due_on: datetime.date,
    recipient: str = "",
    source: str = "",
    created_by,
) -> ReportPeriod:
    """Set one reporting window of a form for the regions below `region`.

    Raise ValidationError for an unknown form, a submitting level not below
    the region, or dates out of order, or if the user does not keep the
    region's registers (a county office its county's periods; the
    administrators the others: trace.access.may_manage_register).
    """
    _require_period_keeper(created_by, region)
    period = ReportPeriod(
        form_key=form_key,
        region=region,
        submitter_level=submitter_level,
        frequency=frequency,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        due_on=due_on,
        recipient=recipient,
        source=source,
        created_by=created_by,
    )
    _period_check(period)
    audit_as(period, actor=created_by)
    period.full_clean()
    period.save()
    return period


def _require_period_keeper(user, *regions: Region) -> None:
    require_register_keeper(
        user,
        *regions,
        field="region",
        message=_("报表周期由本县扶贫办（或管理员）设置。"),
    )


# Once a region has filled the form, what it filled must stay what it was.
FIXED_ONCE_FILLED = ("form_key", "region", "submitter_level", "starts_on", "ends_on")


def report_period_update(
    *, period: ReportPeriod, changed_by, reason: str = "", **fields
) -> ReportPeriod:
    """Change a reporting window; the same rules as when it was set.

    Raise ValidationError for a change of the form, the regions or the dates
    counted once a submission exists; the deadline may still move.
    """
    region = fields.get("region")
    _require_period_keeper(
        changed_by,
        period.region,
        *([region] if isinstance(region, Region) else []),
    )
    if period.submissions.exists():
        for name in FIXED_ONCE_FILLED:
            if name in fields and fields[name] != getattr(period, name):
                raise ValidationError({name: _("已有地区填报，不能再修改此项。")})
    for name, value in fields.items():
        setattr(period, name, value)
    _period_check(period)
    audit_as(period, actor=changed_by, reason=reason)
    period.full_clean()
    period.save()
    return period


def _period_check(period: ReportPeriod) -> None:
    """Raise ValidationError if the window contradicts itself.

    An unknown form, a submitting level not below the region, or dates out
    of order are refused.
    """
    if form_for(period.form_key) is None:
        raise ValidationError({"form_key": _("没有这个报表。")})
    levels = list(RegionLevel.values)
    if levels.index(period.submitter_level) <= levels.index(period.region.level):
        raise ValidationError({"submitter_level": _("填报层级必须低于汇总地区。")})
    if period.starts_on > period.ends_on:
        raise ValidationError({"ends_on": _("统计截止日期不能早于起始日期。")})
    if period.due_on < period.starts_on:
        raise ValidationError({"due_on": _("上报截止日期不能早于统计起始日期。")})


def _due(year: int, month: int, day: int) -> datetime.date:
    """Return the day of the month, or its last day if the month is shorter."""
    return datetime.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def report_periods_schedule(
    *,
    form_key: str,
    region: Region,
    submitter_level: str,
    frequency: str,
    year: int,
    due_day: int,
    recipient: str = "",
    source: str = "",
    created_by,
    since: datetime.date | None = None,
) -> list[ReportPeriod]:
    """Set a year of monthly or quarterly windows, due on `due_day`.

    Windows that ended before `since` are left out (a system starting in
    December does not owe January's form).

    Monthly: the month's form by its `due_day` (大通湖: the 29th, seed 003
    line 74). Quarterly: by `due_day` of the quarter's last month (云阳: the
    30th, seed 004 lines 33, 162). Existing windows are kept as they are.
    """
    if frequency == PeriodFrequency.MONTHLY:
        windows = [
            (f"{year}年{month}月", month, month, _due(year, month, due_day))
            for month in range(1, 13)
        ]
    elif frequency == PeriodFrequency.QUARTERLY:
        windows = [
            (
                f"{year}年第{quarter}季度",
                quarter * 3 - 2,
                quarter * 3,
                _due(year, quarter * 3, due_day),
            )
            for quarter in range(1, 5)
        ]
    else:
        raise ValidationError({"frequency": _("只能按月或按季度批量设置。")})
    periods = []
    for name, first, last, due_on in windows:
        starts_on = datetime.date(year, first, 1)
        ends_on = _due(year, last, 31)
        if since is not None and ends_on < since:
            continue
        period = ReportPeriod.objects.filter(
            form_key=form_key, region=region, starts_on=starts_on, ends_on=ends_on
        ).first()
        periods.append(
            period
            or report_period_create(
                form_key=form_key,
                region=region,
                submitter_level=submitter_level,
                frequency=frequency,
                name=name,
                starts_on=starts_on,
                ends_on=ends_on,
                due_on=due_on,
                recipient=recipient,
                source=source,
                created_by=created_by,
            )
        )
    return periods


def _transition(
    submission: Submission, *, to_status: str, actor, reason: str = ""
) -> None:
    SubmissionTransition.objects.create(
        submission=submission,
        from_status=submission.status,
        to_status=to_status,
        reason=reason,
        actor=actor,
        snapshot=submission.snapshot
        if to_status == SubmissionStatus.RETURNED
        else None,
    )
    submission.status = to_status


def _locked(submission: Submission) -> Submission:
    return (
        Submission.objects.select_for_update(of=("self",))
        .select_related("period", "region")
        .get(pk=submission.pk)
    )


def _visible(submission: Submission, user) -> bool:
    return Submission.objects.filter(
        access.submission_scope(user), pk=submission.pk
    ).exists()


def _require_filler(submission: Submission, user, *, field: str = "region") -> None:
    access.require(
        access.may_submit_for(user, submission.region),
        field=field,
        message=_("您不能为该地区填报。"),
        visible=lambda: _visible(submission, user),
    )


def _check_editable(submission: Submission) -> None:
    if submission.status not in EDITABLE:
        raise ValidationError(
            {
                "status": _(
                    "只有草稿或已退回的报表可以修改；已上报或已通过的报表不能修改。"
                )
            }
        )


@transaction.atomic
def submission_create(
    *,
    period: ReportPeriod,
    region: Region,
    created_by,
    basis: str = SubmissionBasis.DATA,
    summary: str = "",
) -> Submission:
    """Open a draft of the period's form for one region.

    Raise ValidationError if the user may not fill the region's forms, the
    region is not one that owes the form, or it already has one.
    """
    if not access.may_submit_for(created_by, region):
        raise ValidationError({"region": _("您不能为该地区填报。")})
    if region.level != period.submitter_level or not region.lineage.startswith(
        period.region.lineage
    ):
        raise ValidationError({"region": _("该地区不在本周期的填报范围内。")})
    spec = form_for(period.form_key)
    if basis == SubmissionBasis.DATA and not report_visible_to(
        spec=spec, user=created_by
    ):
        raise ValidationError({"period": _("您无权填报此报表。")})
    submission = Submission(
        period=period,
        region=region,
        basis=basis,
        summary=summary,
        created_by=created_by,
    )
    submission.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            submission.save()
    except IntegrityError as error:
        raise ValidationError({"region": _("该地区本周期的报表已经存在。")}) from error
    return submission


@transaction.atomic
def submission_update(
    *,
    submission: Submission,
    user,
    summary: str | None = None,
    basis: str | None = None,
) -> Submission:
    """Change a draft's 工作小结 or basis; raise ValidationError once submitted."""
    submission = _locked(submission)
    _require_filler(submission, user)
    _check_editable(submission)
    if summary is not None:
        submission.summary = summary
    if basis is not None:
        submission.basis = basis
    submission.full_clean(validate_constraints=False)
    submission.save()
    return submission


@transaction.atomic
def submission_attach_scan(
    *, submission: Submission, user, file: IO[bytes], name: str = ""
) -> Submission:
    """Attach the scan or photo of the stamped paper form (盖章), privately.

    Raise ValidationError once submitted, or if the file is not a real image
    or PDF within SUYUAN_MAX_UPLOAD_BYTES.
    """
    submission = _locked(submission)
    _require_filler(submission, user, field="file")
    _check_editable(submission)
    size = getattr(file, "size", None)
    if size is not None and size > max_upload_bytes():
        raise upload_too_large()
    upload = upload_clean(
        data=file.read(max_upload_bytes() + 1),
        name=name,
        refused_message=_("请上传盖章报表的 JPEG、PNG、WebP 照片或 PDF 扫描件。"),
    )
    old = submission.stamped_scan.name
    submission.stamped_scan.save(
        f"stamped{upload.suffix}", ContentFile(upload.content), save=False
    )
    submission.stamped_scan_type = upload.content_type
    submission.save()
    if old:
        # The replaced scan was never submitted: nothing refers to it.
        transaction.on_commit(lambda: submission.stamped_scan.storage.delete(old))
    return submission


def _snapshot(submission: Submission, *, user) -> dict:
    """Return the form to freeze: rows, title and the filler block."""
    filters = submission_filters(submission)
    if submission.basis == SubmissionBasis.ROLLUP:
        rollup = submission_rollup(period=submission.period, region=submission.region)
        if not rollup.accepted and not rollup.missing:
            raise ValidationError(
                {"basis": _("该地区没有下级，不能汇总，请按系统数据填报。")}
            )
        if rollup.missing:
            raise ValidationError(
                {
                    "basis": _("下级报表尚未全部审核通过：%(names)s。")
                    % {"names": "、".join(region.name for region in rollup.missing)}
                }
            )
        data = rollup.data
        data["sale_ids"] = sorted(
            {
                sale_id
                for child in rollup.accepted
                for sale_id in child.snapshot.get("sale_ids", [])
            }
        )
    else:
        report = report_build(
            key=submission.period.form_key, user=user, filters=filters
        )
        if report is None:
            raise ValidationError({"period": _("您无权填报此报表。")})
        data = frozen(report.as_data())
        if data["key"] in SALE_FORMS:
            sales = common.sale_list_for_report(user=user, filters=filters)
            if data["key"] == SECTOR_PURCHASES.key:
                sales = sales.filter(channel__in=SECTOR_CHANNELS)
            data["sale_ids"] = sorted(sales.values_list("pk", flat=True))
    filler = filler_for(user=user, unit=submission.region.full_name)
    spec = form_for(submission.period.form_key)
    data["header_fields"] = [
        {"label": label, "value": value}
        for label, value in header_fields_for(
            spec, filler=filler, region=submission.region
        )
    ]
    data["filler"] = [
        {"label": label, "value": value}
        for label, value in zip(FILLER_LABELS, filler.values(), strict=True)
    ]
    data["summary"] = submission.summary
    data["period"] = {
        "name": submission.period.name,
        "from": format_date(submission.period.starts_on),
        "to": format_date(submission.period.ends_on),
    }
    return data


def submission_preview(*, submission: Submission, user) -> dict:
    """Return the form exactly as 上报 would freeze it now, without freezing it.

    The filler sees this (PDF and XLSX) before submitting. Raise
    ValidationError as submitting would: not the user's form, not editable,
    no 填报人 or 联系方式 in the profile, a roll-up still missing forms.
    """
    _require_filler(submission, user)
    _check_editable(submission)
    _filler_binding(user)
    return _snapshot(submission, user=user)


def _filler_binding(user):
    binding = access.role_of(user)
    if binding is None or not binding.real_name or not binding.phone:
        raise ValidationError(
            {"filler": _("请先在用户资料中填写姓名和联系电话（填报人、联系方式）。")}
        )
    return binding


@transaction.atomic
def submission_submit(*, submission: Submission, user) -> Submission:
    """Freeze the form and hand it to the level above.

    Raise ValidationError if it is not a draft or returned, the user may not
    submit for the region, or the user's profile lacks a real name or phone
    (填报人 and 联系方式 are printed from it).
    """
    submission = _locked(submission)
    _require_filler(submission, user)
    _check_editable(submission)
    binding = _filler_binding(user)
    submission.snapshot = _snapshot(submission, user=user)
    submission.unit_name = submission.region.full_name
    submission.filler_name = binding.real_name
    submission.filler_phone = binding.phone
    submission.submitted_at = timezone.now()
    submission.submitted_by = user
    submission.return_reason = ""
    _transition(submission, to_status=SubmissionStatus.SUBMITTED, actor=user)
    submission.save()
    return submission


def submission_review_check(*, submission: Submission, user) -> None:
    """Raise ValidationError unless the user may accept or return it now.

    Only the addressee (the period's region) reviews, and only a submitted
    form (trace.access.may_review_submissions_to).
    """
    access.require(
        access.may_review_submissions_to(user, submission.period.region),
        field="status",
        message=_("只有报送对象（%(addressee)s）可以审核此报表。")
        % {"addressee": submission.period.addressee},
        visible=lambda: _visible(submission, user),
    )
    if submission.status != SubmissionStatus.SUBMITTED:
        raise ValidationError({"status": _("只有已上报的报表可以审核。")})


def _review(submission: Submission, *, user) -> Submission:
    submission = _locked(submission)
    submission_review_check(submission=submission, user=user)
    return submission


@transaction.atomic
def submission_return(*, submission: Submission, user, reason: str) -> Submission:
    """Send a submitted form back with a reason; it may then be submitted again."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写退回原因。")})
    submission = _review(submission, user=user)
    submission.reviewed_at, submission.reviewed_by = timezone.now(), user
    submission.return_reason = reason
    _transition(
        submission, to_status=SubmissionStatus.RETURNED, actor=user, reason=reason
    )
    submission.save()
    return submission


@transaction.atomic
def submission_accept(*, submission: Submission, user) -> Submission:
    """Accept a submitted form; it is final and counts in the roll-up."""
    submission = _review(submission, user=user)
    submission.reviewed_at, submission.reviewed_by = timezone.now(), user
    _transition(submission, to_status=SubmissionStatus.ACCEPTED, actor=user)
    submission.save()
    return submission
