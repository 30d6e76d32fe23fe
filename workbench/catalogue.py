"""Workbench pages of the 扶贫产品目录: the queue, the application, each step.

Thin views over trace.services: who may take a step is trace.access's
answer. An entry outside the user's scope is a 404; a step not the user's
has no form on the page, and posting it anyway is a 404 as well. The 核查
and 审定 screens cite the policy the county applies (its source document
and clause) and what producer_eligibility found.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from trace import access
from trace.choices import CatalogueStatus, ObjectionStatus
from trace.files import evidence_file_response
from trace.forms import InputPolicyMixin
from trace.models import CatalogueEntry
from trace.selectors.catalogue import (
    catalogue_entry_contact,
    catalogue_entry_list_visible_to,
    catalogue_entry_status,
    catalogue_evidence_list_visible_to,
    catalogue_objection_list_visible_to,
    producer_list_for_catalogue,
    product_line_list_for_catalogue,
    region_list_for_catalogue,
)
from trace.selectors.certification import producer_eligibility
from trace.selectors.households import household_reference_list_visible_to
from trace.services.catalogue import (
    catalogue_availability_set,
    catalogue_entry_apply,
    catalogue_entry_check,
    catalogue_entry_create,
    catalogue_entry_decide,
    catalogue_entry_withdraw,
    catalogue_objection_review,
)
from trace.services.catalogue_files import (
    CATALOGUE_EVIDENCE_STATUSES,
    catalogue_evidence_add,
)
from workbench.forms import NUMBER, apply_service_errors

MONTH = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


class CatalogueEntryForm(InputPolicyMixin, forms.ModelForm):
    """The product as the applicant describes it (申报)."""

    shop_url = forms.URLField(
        label=_("网店网址"), required=False, assume_scheme="https"
    )

    class Meta:
        model = CatalogueEntry
        fields = CatalogueEntry.APPLICATION_FIELDS
        widgets = {
            "price": NUMBER,
            "planned_quantity": NUMBER,
            "households": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["producer"].queryset = producer_list_for_catalogue(user=user)
        # Only what the user may apply for (catalogue_entry_create checks too).
        self.fields["product_line"].queryset = product_line_list_for_catalogue(
            user=user
        )
        self.fields["region"].queryset = region_list_for_catalogue(user=user)
        self.fields["region"].required = False
        self.fields["region"].label_from_instance = lambda region: region.full_name
        self.fields["households"].queryset = household_reference_list_visible_to(
            user=user
        )
        self.fields["households"].label_from_instance = lambda household: (
            f"{household.masked_name}（{household.village.name}）"
        )
        informants = self.fields["informant"]
        informants.queryset = informants.queryset.filter(suyuan_role__role="informant")
        informants.label_from_instance = lambda user: (
            user.suyuan_role.real_name or user.get_username()
        )

    def _post_clean(self):
        # The service validates the whole row (and what spans rows).
        pass


class StatementForm(InputPolicyMixin, forms.Form):
    statement = forms.CharField(
        label=_("申报说明"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("带贫方式、涉及户数、供货能力等。"),
    )


class EvidenceForm(InputPolicyMixin, forms.Form):
    file = forms.FileField(
        label=_("添加文件"),
        allow_empty_file=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,application/pdf"}),
        help_text=_("营业执照、带贫协议、收购凭证等的照片或 PDF 扫描件。"),
    )
    caption = forms.CharField(label=_("说明"), max_length=255, required=False)


class CheckForm(InputPolicyMixin, forms.Form):
    passed = forms.TypedChoiceField(
        label=_("核查结论"),
        choices=[("", _("请选择")), ("1", _("核查通过")), ("0", _("核查未通过"))],
        coerce=lambda value: value == "1",
    )
    reason = forms.CharField(
        label=_("核查意见"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DecisionForm(InputPolicyMixin, forms.Form):
    approved = forms.TypedChoiceField(
        label=_("审定结论"),
        choices=[("", _("请选择")), ("1", _("通过，开始公示")), ("0", _("不通过"))],
        coerce=lambda value: value == "1",
    )
    notice_days = forms.IntegerField(
        label=_("公示天数"), required=False, min_value=1, max_value=30
    )
    reason = forms.CharField(
        label=_("审定意见"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReasonForm(InputPolicyMixin, forms.Form):
    reason = forms.CharField(
        label=_("原因"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AvailabilityForm(InputPolicyMixin, forms.Form):
    month = forms.DateField(label=_("月份"), widget=MONTH, input_formats=["%Y-%m"])
    available = forms.BooleanField(label=_("本月有货"), required=False, initial=True)
    quantity = forms.DecimalField(
        label=_("本月可供数量"),
        min_value=0,
        max_digits=14,
        decimal_places=3,
        widget=NUMBER,
    )
    note = forms.CharField(label=_("备注"), max_length=255, required=False)


class ReviewForm(InputPolicyMixin, forms.Form):
    objection = forms.IntegerField(widget=forms.HiddenInput)
    upheld = forms.TypedChoiceField(
        label=_("核实结论"),
        choices=[
            ("", _("请选择")),
            ("1", _("异议成立（不列入目录）")),
            ("0", _("异议不成立")),
        ],
        coerce=lambda value: value == "1",
    )
    note = forms.CharField(
        label=_("核实意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


# verb: (form, may, service call)
def _apply(entry, user, data):
    return catalogue_entry_apply(entry=entry, applied_by=user, **data)


def _check(entry, user, data):
    return catalogue_entry_check(entry=entry, checked_by=user, **data)


def _decide(entry, user, data):
    return catalogue_entry_decide(entry=entry, decided_by=user, **data)


def _withdraw(entry, user, data):
    return catalogue_entry_withdraw(entry=entry, withdrawn_by=user, **data)


def _availability(entry, user, data):
    return catalogue_availability_set(entry=entry, recorded_by=user, **data)


def _review(entry, user, data):
    objection = get_object_or_404(
        catalogue_objection_list_visible_to(user=user).filter(entry=entry),
        pk=data.pop("objection"),
    )
    return catalogue_objection_review(objection=objection, reviewed_by=user, **data)


STEPS = {
    "apply": (StatementForm, access.may_edit_catalogue_entry, _apply),
    "check": (CheckForm, access.may_check_catalogue_entry, _check),
    "decide": (DecisionForm, access.may_decide_catalogue_entry, _decide),
    "withdraw": (ReasonForm, access.may_withdraw_catalogue_entry, _withdraw),
    "availability": (
        AvailabilityForm,
        access.may_record_catalogue_availability,
        _availability,
    ),
    "review": (ReviewForm, access.may_review_catalogue_objection, _review),
}
# Which step each status waits for.
OPEN_STEPS = {
    CatalogueStatus.DRAFT: {"apply"},
    CatalogueStatus.REJECTED: {"apply"},
    CatalogueStatus.WITHDRAWN: {"apply"},
    CatalogueStatus.APPLIED: {"check", "withdraw"},
    CatalogueStatus.CHECKED: {"decide", "withdraw"},
    CatalogueStatus.NOTICE: {"review", "withdraw"},
    CatalogueStatus.LISTED: {"availability", "review", "withdraw"},
}


def _steps_for(user, entry, status) -> set[str]:
    return {
        verb for verb in OPEN_STEPS.get(status, set()) if STEPS[verb][1](user, entry)
    }


@login_required
def queue(request):
    """`/w/catalogue/`: the user's entries, those waiting for the user's step first."""
    entries = list(catalogue_entry_list_visible_to(user=request.user))
    mine, others = [], []
    for entry in entries:
        status = catalogue_entry_status(entry=entry)
        steps = _steps_for(request.user, entry, status) - {"withdraw", "review"}
        (mine if steps else others).append((entry, status))
    return render(
        request,
        "workbench/catalogue_queue.html",
        {
            "mine": mine,
            "others": others,
            "may_apply": producer_list_for_catalogue(user=request.user).exists(),
            "pending_objections": catalogue_objection_list_visible_to(user=request.user)
            .filter(status=ObjectionStatus.PENDING)
            .count(),
        },
    )


@login_required
def entry_new(request):
    """`/w/catalogue/new/`: a new product (a draft until it is applied)."""
    if not producer_list_for_catalogue(user=request.user).exists():
        raise Http404
    form = CatalogueEntryForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        producer = fields.pop("producer")
        try:
            entry = catalogue_entry_create(
                producer=producer, created_by=request.user, **fields
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return redirect("workbench:catalogue_entry", pk=entry.pk)
    status = 400 if form.errors else 200
    return render(
        request, "workbench/catalogue_form.html", {"form": form}, status=status
    )


def _may_add_evidence(user, entry) -> bool:
    return (
        entry.status in CATALOGUE_EVIDENCE_STATUSES
        and access.may_edit_catalogue_entry(user, entry)
    )


def _detail_context(request, entry, *, bound=None, evidence_form=None) -> dict:
    user = request.user
    status = catalogue_entry_status(entry=entry)
    steps = _steps_for(user, entry, status)
    forms_by_verb = {verb: STEPS[verb][0]() for verb in steps if verb != "review"}
    review = bound if bound is not None and bound[0] == "review" else None
    if bound is not None and review is None:
        forms_by_verb[bound[0]] = bound[1]
    objections = []
    if "review" in steps:
        objections = list(
            catalogue_objection_list_visible_to(user=user).filter(entry=entry)
        )
    contact_name, contact_phone = catalogue_entry_contact(entry=entry)
    return {
        "entry": entry,
        "status": status,
        "status_label": CatalogueStatus(status).label,
        "steps": entry.steps.select_related("actor__suyuan_role"),
        "eligibility": producer_eligibility(producer=entry.producer)
        if {"check", "decide"} & steps
        else None,
        "forms": forms_by_verb,
        "objections": objections,
        "review_form": review[1] if review else None,
        "review_for": review[1].data.get("objection") if review else None,
        "review_blank": ReviewForm(),
        "availability": entry.availability.all()[:6],
        "evidence": entry.evidence.all(),
        "evidence_form": evidence_form
        or (EvidenceForm() if _may_add_evidence(user, entry) else None),
        "contact": f"{contact_name} {contact_phone}".strip(),
        "households": [household.masked_name for household in entry.households.all()],
    }


@login_required
def entry_detail(request, pk: int):
    """`/w/catalogue/<id>/`: the entry, its history and the user's step."""
    entry = get_object_or_404(catalogue_entry_list_visible_to(user=request.user), pk=pk)
    return render(
        request, "workbench/catalogue_entry.html", _detail_context(request, entry)
    )


@login_required
@require_POST
def entry_step(request, pk: int, verb: str):
    """Take one step; a refused or invalid step shows the page again with errors."""
    entry = get_object_or_404(catalogue_entry_list_visible_to(user=request.user), pk=pk)
    if verb not in STEPS:
        raise Http404
    form_class, may, call = STEPS[verb]
    form = form_class(request.POST)
    if not form.is_valid() and not may(request.user, entry):
        raise Http404  # the step's form is shown only to whom it is offered
    if form.is_valid():
        try:
            call(entry, request.user, dict(form.cleaned_data))
        except access.Refused:
            # The service refused the user: no button was offered, no page is.
            raise Http404 from None
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return redirect("workbench:catalogue_entry", pk=entry.pk)
    entry.refresh_from_db()
    context = _detail_context(request, entry, bound=(verb, form))
    return render(request, "workbench/catalogue_entry.html", context, status=400)


@login_required
@require_POST
def evidence_add(request, pk: int):
    """Upload a document of the application; a refused file shows the page again."""
    entry = get_object_or_404(catalogue_entry_list_visible_to(user=request.user), pk=pk)
    if not access.may_edit_catalogue_entry(request.user, entry):
        raise Http404
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            catalogue_evidence_add(
                entry=entry,
                uploaded_by=request.user,
                file=upload,
                name=upload.name or "",
                caption=form.cleaned_data["caption"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return redirect("workbench:catalogue_entry", pk=entry.pk)
    entry.refresh_from_db()
    context = _detail_context(request, entry, evidence_form=form)
    return render(request, "workbench/catalogue_entry.html", context, status=400)


@login_required
def evidence_file(request, pk: int, evidence_pk: int):
    """Send a document of the application to a user who works on the entry."""
    return evidence_file_response(
        catalogue_evidence_list_visible_to(user=request.user),
        label=f"申报材料-{pk}",
        as_attachment=False,
        pk=evidence_pk,
        entry_id=pk,
    )


urlpatterns = [
    path("catalogue/", queue, name="catalogue"),
    path("catalogue/new/", entry_new, name="catalogue_new"),
    path("catalogue/<int:pk>/", entry_detail, name="catalogue_entry"),
    # Before the steps' route, which would take "evidence" for a verb.
    path("catalogue/<int:pk>/evidence/", evidence_add, name="catalogue_evidence_add"),
    path(
        "catalogue/<int:pk>/evidence/<int:evidence_pk>/",
        evidence_file,
        name="catalogue_evidence",
    ),
    path("catalogue/<int:pk>/<slug:verb>/", entry_step, name="catalogue_entry_step"),
]
