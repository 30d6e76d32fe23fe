"""Outlets and 授权店, 滞销 marks, 大型产销活动 and report periods."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from reports.models import ReportPeriod, SalesEvent
from reports.services import sales_event_record
from reports.submissions import report_period_create, report_period_update
from trace import access
from trace.choices import OutletKind
from trace.selectors.batches import slow_selling_mark_list
from trace.selectors.registry import outlet_list
from trace.services.batches import slow_selling_mark, slow_selling_mark_clear
from trace.services.registry import (
    outlet_authorisation_revoke,
    outlet_create,
    outlet_update,
)
from workbench.decorators import office_required
from workbench.forms import apply_service_errors
from workbench.registers.common import (
    history_of,
    keeps_any,
    require_keeper,
    save_page,
    user_keeps,
)
from workbench.registers.forms import (
    OutletForm,
    OutletRevokeForm,
    ReportPeriodForm,
    SalesEventForm,
    SlowSellingClearForm,
    SlowSellingMarkForm,
    region_label,
)

# Outlets and 授权店.


def outlet_list_visible_to(user):
    return outlet_list().filter(access.region_scope(user, "region"))


@office_required
def outlets(request):
    rows = outlet_list_visible_to(request.user)
    return render(
        request,
        "workbench/registers/outlets.html",
        {
            "rows": [
                {
                    "outlet": outlet,
                    "keeps": user_keeps(request.user, outlet.region),
                    "region": region_label(outlet.region),
                }
                for outlet in rows[:300]
            ],
            "keeps_any": keeps_any(request.user),
            "saved": request.GET.get("saved") == "1",
        },
    )


@office_required
def outlet_new(request):
    if not keeps_any(request.user):
        raise Http404
    form = OutletForm(request.POST or None, user=request.user)
    return save_page(
        request,
        form,
        lambda fields: outlet_create(created_by=request.user, **fields),
        title=_("登记销售网点或授权店"),
        back=reverse("workbench:register_outlets"),
    )


@office_required
def outlet_detail(request, pk: int):
    outlet = get_object_or_404(outlet_list_visible_to(request.user), pk=pk)
    require_keeper(request.user, outlet.region)
    revoke_form = OutletRevokeForm(
        request.POST if "revoke" in request.POST else None,
        initial={"revoked_on": timezone.localdate()},
    )
    if "revoke" in request.POST:
        if revoke_form.is_valid():
            try:
                outlet_authorisation_revoke(
                    outlet=outlet, changed_by=request.user, **revoke_form.cleaned_data
                )
            except access.Refused:
                raise Http404 from None
            except ValidationError as error:
                apply_service_errors(revoke_form, error)
            else:
                return redirect(f"{reverse('workbench:register_outlets')}?saved=1")
    form = OutletForm(
        None if "revoke" in request.POST else (request.POST or None),
        instance=type(outlet).objects.get(pk=pk),
        user=request.user,
    )
    return save_page(
        request,
        form,
        lambda fields: outlet_update(outlet=outlet, changed_by=request.user, **fields),
        title=outlet.name,
        back=reverse("workbench:register_outlets"),
        template="outlet.html",
        extra={
            "outlet": outlet,
            "revoke_form": revoke_form
            if outlet.kind == OutletKind.AUTHORISED_STORE and outlet.is_authorised
            else None,
            "history": history_of(outlet),
        },
    )


# 滞销 marks: the office marks the goods of its region and ends the mark.


@office_required
def slow_selling(request):
    marks = slow_selling_mark_list().filter(access.region_scope(request.user, "region"))
    form = SlowSellingMarkForm(
        request.POST or None,
        user=request.user,
        initial={"valid_from": timezone.localdate()},
    )
    status = 200
    if request.method == "POST":
        if not keeps_any(request.user):
            raise Http404
        status = 400
        if form.is_valid():
            try:
                slow_selling_mark(marked_by=request.user, **form.cleaned_data)
            except access.Refused:
                raise Http404 from None
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                return redirect(f"{reverse('workbench:register_slow_selling')}?saved=1")
    today = timezone.localdate()
    return render(
        request,
        "workbench/registers/slow_selling.html",
        {
            "form": form if keeps_any(request.user) else None,
            "rows": [
                {
                    "mark": mark,
                    "current": mark.valid_from <= today <= mark.valid_until,
                    "keeps": user_keeps(request.user, mark.region),
                    "region": region_label(mark.region),
                }
                for mark in marks[:200]
            ],
            "saved": request.GET.get("saved") == "1",
        },
        status=status,
    )


@office_required
def slow_selling_clear(request, pk: int):
    mark = get_object_or_404(
        slow_selling_mark_list().filter(access.region_scope(request.user, "region")),
        pk=pk,
    )
    require_keeper(request.user, mark.region)
    form = SlowSellingClearForm(
        request.POST or None, initial={"ended_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            slow_selling_mark_clear(
                mark=mark, cleared_by=request.user, **form.cleaned_data
            )
        except access.Refused:
            raise Http404 from None
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return redirect(f"{reverse('workbench:register_slow_selling')}?saved=1")
    return render(
        request,
        "workbench/registers/slow_selling_clear.html",
        {"form": form, "mark": mark, "history": history_of(mark)},
        status=400 if request.method == "POST" else 200,
    )


# 大型产销活动 and report periods: the county's, counted by the 统计表.


def _sales_events_visible_to(user):
    return SalesEvent.objects.filter(
        access.region_scope(user, "region")
    ).select_related("region")


@office_required
def sales_events(request):
    form = SalesEventForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if not keeps_any(request.user):
            raise Http404
        status = 400
        if form.is_valid():
            try:
                sales_event_record(recorded_by=request.user, **form.cleaned_data)
            except access.Refused:
                raise Http404 from None
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                return redirect(f"{reverse('workbench:register_sales_events')}?saved=1")
    return render(
        request,
        "workbench/registers/sales_events.html",
        {
            "form": form if keeps_any(request.user) else None,
            "events": _sales_events_visible_to(request.user)[:200],
            "saved": request.GET.get("saved") == "1",
        },
        status=status,
    )


def _periods_visible_to(user):
    return ReportPeriod.objects.filter(
        access.region_scope(user, "region")
    ).select_related("region")


@office_required
def periods(request):
    return render(
        request,
        "workbench/registers/periods.html",
        {
            "rows": [
                {"period": period, "keeps": user_keeps(request.user, period.region)}
                for period in _periods_visible_to(request.user)[:200]
            ],
            "keeps_any": keeps_any(request.user),
            "saved": request.GET.get("saved") == "1",
        },
    )


@office_required
def period_new(request):
    if not keeps_any(request.user):
        raise Http404
    form = ReportPeriodForm(request.POST or None, user=request.user)
    return save_page(
        request,
        form,
        lambda fields: report_period_create(
            created_by=request.user,
            **{name: value for name, value in fields.items() if name != "reason"},
        ),
        title=_("设置报表周期"),
        back=reverse("workbench:register_periods"),
    )


@office_required
def period_detail(request, pk: int):
    period = get_object_or_404(_periods_visible_to(request.user), pk=pk)
    require_keeper(request.user, period.region)
    form = ReportPeriodForm(
        request.POST or None,
        instance=ReportPeriod.objects.get(pk=pk),
        user=request.user,
    )
    return save_page(
        request,
        form,
        lambda fields: report_period_update(
            period=period, changed_by=request.user, **fields
        ),
        title=str(period),
        back=reverse("workbench:register_periods"),
        extra={"history": history_of(period)},
    )
