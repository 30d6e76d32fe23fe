"""The reporting cycle in the workbench: the forms one owes, those to review.

A 信息员, 监督员 or office sees its own region's forms with their deadline and
state and fills, submits or downloads them; the level above sees what waits
for review, what is missing and what is overdue, and accepts or returns it
(with a reason). Every write is a reports.submissions service call.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from reports import submissions as services
from reports.exports import report_xlsx
from reports.form_pdf import form_pdf
from reports.models import SubmissionTransition
from reports.selectors.informants import (
    ADVANCED_PER_YEAR,
    ADVANCED_REWARD_YUAN,
    informant_assessment,
)
from reports.selectors.submissions import (
    forms_owed_by,
    period_expected,
    period_list_collected_by,
    period_list_visible_to,
    period_status_table,
    submission_list_visible_to,
    submission_overview,
    submission_rollup,
)
from trace import access
from trace.choices import Role
from trace.selectors.registry import region_list

VERBS = {
    "submit": lambda submission, user, data: services.submission_submit(
        submission=submission, user=user
    ),
    "accept": lambda submission, user, data: services.submission_accept(
        submission=submission, user=user
    ),
    "return": lambda submission, user, data: services.submission_return(
        submission=submission, user=user, reason=data.get("reason", "")
    ),
}


def reporter_required(view):
    """Let those who fill or review forms in; for others the page does not exist."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not (
            access.is_administrator(user)
            or access.has_role(user, *access.SUBMITTING_ROLES)
        ):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


PERIODS_LISTED = 24


def _page(request, *, errors: dict | None = None, status: int = 200):
    return render(
        request,
        "workbench/submissions.html",
        {
            "owed": forms_owed_by(user=request.user),
            "overview": submission_overview(user=request.user),
            "collected": period_list_collected_by(user=request.user)[:PERIODS_LISTED],
            "office": access.is_administrator(request.user)
            or access.has_role(request.user, Role.OFFICE),
            "errors": errors or {},
        },
        status=status,
    )


@reporter_required
def submissions(request):
    """List the user's own forms and, for the level above, what to review."""
    return _page(request)


@reporter_required
@require_POST
def submission_start(request, period_pk: int, region_pk: int):
    """Open the draft of a form the user's region owes."""
    period = get_object_or_404(period_list_visible_to(user=request.user), pk=period_pk)
    region = get_object_or_404(region_list(), pk=region_pk)
    try:
        services.submission_create(
            period=period,
            region=region,
            created_by=request.user,
            summary=request.POST.get("summary", ""),
        )
    except ValidationError as error:
        return _page(request, errors={f"p{period.pk}": error.messages}, status=400)
    return redirect(reverse("workbench:submissions"))


# What each verb did, said on the page after it (the filler's and the
# reviewer's own words for it).
DONE = {
    "submit": gettext_lazy(
        "已上报：%(form)s（%(region)s），报表内容已冻结，等待%(addressee)s审核。"
    ),
    "accept": gettext_lazy("已审核通过：%(form)s（%(region)s）。"),
    "return": gettext_lazy("已退回：%(form)s（%(region)s），退回原因：%(reason)s。"),
}
# A review decides for the level below; it is asked twice (退回, 审核通过).
CONFIRMED = ("accept", "return")


@reporter_required
@require_POST
def submission_act(request, pk: int, verb: str):
    """Submit, accept or return a submission the user sees.

    审核通过 and 退回 first show what is about to happen and act only when
    confirmed (the form posts `confirmed`).
    """
    if verb not in VERBS:
        raise Http404
    submission = get_object_or_404(submission_list_visible_to(user=request.user), pk=pk)
    if verb in CONFIRMED and not request.POST.get("confirmed"):
        try:
            services.submission_review_check(submission=submission, user=request.user)
        except ValidationError as error:
            return _page(
                request, errors={f"s{submission.pk}": error.messages}, status=400
            )
        return render(
            request,
            "workbench/submission_confirm.html",
            {
                "submission": submission,
                "verb": verb,
                "reason": request.POST.get("reason", "").strip(),
            },
        )
    try:
        submission = VERBS[verb](submission, request.user, request.POST)
    except ValidationError as error:
        return _page(request, errors={f"s{submission.pk}": error.messages}, status=400)
    messages.success(
        request,
        DONE[verb]
        % {
            "form": f"{submission.period.get_form_key_display()} {submission.period.name}",
            "region": submission.region.name,
            "addressee": submission.period.addressee,
            "reason": submission.return_reason,
        },
    )
    return redirect(reverse("workbench:submissions"))


@reporter_required
@require_POST
def submission_summary(request, pk: int):
    """Write or rewrite the 工作小结 of a draft or returned form."""
    submission = get_object_or_404(submission_list_visible_to(user=request.user), pk=pk)
    try:
        services.submission_update(
            submission=submission,
            user=request.user,
            summary=request.POST.get("summary", "").strip(),
        )
    except ValidationError as error:
        return _page(request, errors={f"s{submission.pk}": error.messages}, status=400)
    messages.success(request, _("工作小结已保存，上报时将印在报表上。"))
    return redirect(reverse("workbench:submissions"))


FORM_FORMATS = PREVIEW_FORMATS = {
    "pdf": ("application/pdf", form_pdf),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        report_xlsx,
    ),
}


@reporter_required
def submission_preview(request, pk: int, fmt: str):
    """Download the form exactly as 上报 would freeze it now (PDF or XLSX)."""
    if fmt not in PREVIEW_FORMATS:
        raise Http404
    submission = get_object_or_404(submission_list_visible_to(user=request.user), pk=pk)
    try:
        data = services.submission_preview(submission=submission, user=request.user)
    except ValidationError as error:
        return _page(request, errors={f"s{submission.pk}": error.messages}, status=400)
    content_type, render_form = PREVIEW_FORMATS[fmt]
    response = HttpResponse(render_form(data), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        True, f"{data['title']}（上报前预览）.{fmt}"
    )
    return response


def _download(data: dict, fmt: str, name: str) -> HttpResponse:
    if fmt not in FORM_FORMATS:
        raise Http404
    content_type, render_form = FORM_FORMATS[fmt]
    response = HttpResponse(render_form(data), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, f"{name}.{fmt}")
    return response


@reporter_required
def period_detail(request, pk: int):
    """One period for the level that collects it: who owes, the roll-up, history.

    Missing and overdue regions, each form's states with who and when (the
    accepted ones stay here), and the sum of the accepted forms, each with
    its PDF and XLSX. The addressee reviews from /w/reports/; the levels
    above read.
    """
    period = get_object_or_404(period_list_collected_by(user=request.user), pk=pk)
    expected = period_expected(period=period)
    history: dict[int, list] = {}
    for transition in SubmissionTransition.objects.filter(
        submission__period=period
    ).select_related("actor"):
        history.setdefault(transition.submission_id, []).append(transition)
    rollup = submission_rollup(period=period, region=period.region)
    return render(
        request,
        "workbench/report_period.html",
        {
            "period": period,
            "expected": [
                {
                    "item": item,
                    "history": history.get(item.submission.pk, [])
                    if item.submission
                    else [],
                }
                for item in expected
            ],
            "counts": {
                "expected": len(expected),
                "accepted": sum(item.state == "accepted" for item in expected),
                "submitted": sum(item.state == "submitted" for item in expected),
                "missing": sum(item.state == "missing" for item in expected),
                "overdue": sum(item.overdue for item in expected),
            },
            "rollup": rollup,
            "reviewable": access.may_review_submissions_to(request.user, period.region),
        },
    )


@reporter_required
def period_status_download(request, pk: int, fmt: str):
    """The period's 报送情况 (missing, overdue, accepted) as PDF or XLSX."""
    period = get_object_or_404(period_list_collected_by(user=request.user), pk=pk)
    data = period_status_table(period=period)
    return _download(data, fmt, data["title"])


@reporter_required
def period_rollup_download(request, pk: int, fmt: str):
    """The sum of the accepted forms of the period's region, as PDF or XLSX."""
    period = get_object_or_404(period_list_collected_by(user=request.user), pk=pk)
    data = submission_rollup(period=period, region=period.region).data
    return _download(data, fmt, f"{data['title']}（{period.region.name}汇总）")


@login_required
def informant_assessment_page(request):
    """The office's yearly 信息员考核: a ranked list, the first 30 先进个人.

    Seed 001, lines 47-52 ("年底评选30名消费扶贫先进个人，给予一次性奖励1200元").
    """
    user = request.user
    if not (access.is_administrator(user) or access.has_role(user, Role.OFFICE)):
        raise Http404
    this_year = timezone.localdate().year
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() else this_year
    if not 2000 <= year <= this_year:
        year = this_year
    rows = informant_assessment(user=user, year=year)
    advanced = sum(row.advanced for row in rows)
    return render(
        request,
        "workbench/informant_assessment.html",
        {
            "year": year,
            "years": range(this_year, this_year - 5, -1),
            "rows": rows,
            "advanced_per_year": ADVANCED_PER_YEAR,
            "reward": ADVANCED_REWARD_YUAN,
            "advanced": advanced,
            "reward_total": ADVANCED_REWARD_YUAN * advanced,
        },
    )
