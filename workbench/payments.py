"""Workbench pages of 带贫真实 (issue 36): the household's word on its money.

Thin views over trace.services.payments and trace.selectors.watch. The
village 信息员 records, on a visit, a household's confirmation or dispute of
a payment with the photographed 到户收益确认单; the 监督员 and the offices
read the 虚假带贫 watch list and close a line with a reason. A payment or a
line outside the user's scope is a 404. Households appear by masked name
only, never by ID number or phone.
"""

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trace import access
from trace.choices import PaymentConfirmation, Role, WatchReason
from trace.forms import InputPolicyMixin, apply_service_errors
from trace.selectors.households import household_payment_list_visible_to
from trace.selectors.watch import benefit_watch_list
from trace.services.payments import (
    benefit_watch_close,
    household_payment_confirm_on_visit,
)
from workbench.decorators import role_required


class VisitConfirmationForm(InputPolicyMixin, forms.Form):
    """What the household said on the 信息员's visit, and the slip's photo."""

    agreed = forms.TypedChoiceField(
        label=gettext_lazy("本户意见"),
        choices=[
            ("yes", gettext_lazy("本户确认已收到")),
            ("no", gettext_lazy("本户有异议（转县里复核）")),
        ],
        coerce=lambda value: value == "yes",
        initial="yes",
    )
    note = forms.CharField(
        label=gettext_lazy("确认单情况（签字或手印、照片）"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photo = forms.FileField(
        label=gettext_lazy("到户收益确认单照片"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/*,application/pdf", "capture": "environment"}
        ),
    )


class WatchCloseForm(InputPolicyMixin, forms.Form):
    """Close one watch-list line with what was found."""

    reason = forms.ChoiceField(choices=WatchReason.choices, widget=forms.HiddenInput)
    record_id = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    note = forms.CharField(
        label=gettext_lazy("处理结果（核实、说明或纠正）"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def watch_keeper_required(view):
    """Let the 监督员, the offices and administrators in; for others no page."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not access.may_watch_benefit(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _unconfirmed_payments(user):
    return household_payment_list_visible_to(user=user).filter(
        confirmation=PaymentConfirmation.UNCONFIRMED
    )


@role_required(Role.INFORMANT)
def village_payments(request):
    """The village's payments awaiting the household's word, newest first."""
    payments = _unconfirmed_payments(request.user).order_by("-paid_on", "-id")
    return render(
        request, "workbench/village_payments.html", {"payments": payments[:100]}
    )


@role_required(Role.INFORMANT)
def village_payment_confirm(request, pk):
    """Record the household's confirmation or dispute given on the visit."""
    user = request.user
    payment = get_object_or_404(_unconfirmed_payments(user), pk=pk)
    form = VisitConfirmationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        photo = data.get("photo")
        try:
            household_payment_confirm_on_visit(
                payment=payment,
                confirmed_by=user,
                note=data["note"],
                agreed=data["agreed"],
                photo=photo,
                photo_name=getattr(photo, "name", "") or "",
            )
        except access.Refused:
            raise Http404 from None
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                _("已记录本户确认。")
                if data["agreed"]
                else _("已记录本户异议，转县里复核。"),
            )
            return redirect("workbench:village_payments")
    return render(
        request,
        "workbench/village_payment.html",
        {"payment": payment, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@watch_keeper_required
def benefit_watch(request):
    """The 虚假带贫 watch list of the user's regions; close a line with a reason."""
    user = request.user
    form = WatchCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            benefit_watch_close(closed_by=user, **form.cleaned_data)
        except access.Refused:
            raise Http404 from None
        except ValidationError as error:
            if "record_id" in getattr(error, "error_dict", {}):
                raise Http404 from error  # not a line on this user's list
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已处理该条关注。"))
            return redirect("workbench:benefit_watch")
    posted = (request.POST.get("reason"), request.POST.get("record_id"))
    lines = [
        (line, form.is_bound and posted == (line.reason, str(line.record_id)))
        for line in benefit_watch_list(user=user)
    ]
    return render(
        request,
        "workbench/benefit_watch.html",
        {"lines": lines, "form": form},
        status=400 if request.method == "POST" else 200,
    )


urlpatterns = [
    path("village/payments/", village_payments, name="village_payments"),
    path(
        "village/payments/<int:pk>/",
        village_payment_confirm,
        name="village_payment_confirm",
    ),
    path("watch/", benefit_watch, name="benefit_watch"),
]
