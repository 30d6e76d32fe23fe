"""The reporting cycle in the workbench: the forms one owes, those to review.

A 信息员, 监督员 or office sees its own region's forms with their deadline and
state and fills, submits or downloads them; the level above sees what waits
for review, what is missing and what is overdue, and accepts or returns it
(with a reason). Every write is a reports.submissions service call.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from reports import submissions as services
from reports.selectors.submissions import (
    forms_owed_by,
    period_list_visible_to,
    submission_list_visible_to,
    submission_overview,
)
from trace import access
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


def _page(request, *, errors: dict | None = None, status: int = 200):
    return render(
        request,
        "workbench/submissions.html",
        {
            "owed": forms_owed_by(user=request.user),
            "overview": submission_overview(user=request.user),
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


@reporter_required
@require_POST
def submission_act(request, pk: int, verb: str):
    """Submit, accept or return a submission the user sees."""
    if verb not in VERBS:
        raise Http404
    submission = get_object_or_404(submission_list_visible_to(user=request.user), pk=pk)
    try:
        VERBS[verb](submission, request.user, request.POST)
    except ValidationError as error:
        return _page(request, errors={f"s{submission.pk}": error.messages}, status=400)
    return redirect(reverse("workbench:submissions"))
