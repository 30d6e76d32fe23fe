"""The county clerk's registers: producers, households, links, 认定, outlets, 滞销.

An office works here within its region and below (trace.access). A county
office keeps its county's registers; a 市州 or province office reads them
and sums its counties, and finds no edit page (404), as does anyone for a
row outside their scope. Every write goes through a trace service with the
acting user and a reason, which the audit trail keeps. ID numbers show only
their last four characters here; whole, only in the county's 带贫人员名册.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reports.models import ReportPeriod, SalesEvent
from reports.services import sales_event_record
from reports.submissions import report_period_create, report_period_update
from trace import access
from trace.choices import CertificationStatus, OutletKind, RegionLevel
from trace.models import HouseholdMember, Producer, Region
from trace.personal_data import mask_id_number
from trace.selectors.batches import slow_selling_mark_list
from trace.selectors.certification import certification_list_visible_to
from trace.selectors.households import (
    benefit_link_list_visible_to,
    household_list_visible_to,
)
from trace.selectors.registry import outlet_list, producer_list_visible_to
from trace.services.batches import slow_selling_mark, slow_selling_mark_clear
from trace.services.certification import (
    certification_reinstate,
    certification_revoke,
    certification_suspend,
    producer_certify,
)
from trace.services.households import (
    benefit_link_create,
    benefit_link_end,
    benefit_link_update,
    household_create,
    household_member_add,
    household_member_remove,
    household_member_update,
    household_update,
)
from trace.services.registry import (
    outlet_authorisation_revoke,
    outlet_create,
    outlet_update,
    producer_create,
    producer_update,
)
from workbench.decorators import office_required
from workbench.forms import apply_service_errors
from workbench.register_forms import (
    BenefitLinkEndForm,
    BenefitLinkForm,
    CertifyForm,
    HouseholdForm,
    HouseholdMemberForm,
    MemberRemoveForm,
    OutletForm,
    OutletRevokeForm,
    ProducerForm,
    ReportPeriodForm,
    SalesEventForm,
    SlowSellingClearForm,
    SlowSellingMarkForm,
    StatusReasonForm,
    region_label,
)


def _keeps(user, region: Region) -> bool:
    return access.may_manage_register(user, region)


def _keeps_any(user) -> bool:
    return access.is_administrator(user) or bool(access.register_regions(user))


def _require_keeper(user, region: Region) -> None:
    """Edit pages exist only for the office that keeps the row's region."""
    if not _keeps(user, region):
        raise Http404


def history_of(row) -> list[dict]:
    """Return the row's audit trail, newest first: when, who, what, why."""
    records = list(row.history.all()[:30])
    users = {
        user.pk: user
        for user in get_user_model()
        .objects.filter(pk__in={record.history_user_id for record in records})
        .select_related("suyuan_role")
    }
    kinds = {"+": _("登记"), "~": _("修改"), "-": _("删除")}
    rows = []
    for record in records:
        user = users.get(record.history_user_id)
        role = getattr(user, "suyuan_role", None) if user else None
        rows.append(
            {
                "at": record.history_date,
                "who": (role.real_name if role and role.real_name else None)
                or (user.get_username() if user else _("系统")),
                "what": kinds.get(record.history_type, record.history_type),
                "why": record.history_change_reason or "",
            }
        )
    return rows


def _save_page(request, form, save, *, title, back, template="form.html", extra=None):
    """Validate, call the service, re-render with errors or go back to the list.

    A refusal of the user (the service's who-may) is a 404, as for any row
    outside the user's scope; other errors stay next to their fields.
    """
    if request.method == "POST" and form.is_valid():
        try:
            save(form.service_fields())
        except access.Refused:
            raise Http404 from None
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return redirect(f"{back}?saved=1")
    return render(
        request,
        f"workbench/registers/{template}",
        {
            "form": form,
            "title": title,
            "back": back,
            "saved": request.GET.get("saved") == "1",
            **(extra or {}),
        },
        status=400 if request.method == "POST" else 200,
    )


# The registers' home: the office's counties and what each holds.


@office_required
def index(request):
    """Show the office's registers; a city or province office, its counties' sums."""
    user = request.user
    counties = _counties_of(user)
    producers = producer_list_visible_to(user=user)
    households = household_list_visible_to(user=user)
    rows = []
    for county in counties:
        within = Q(region__lineage__startswith=county.lineage)
        rows.append(
            {
                "county": county,
                "keeps": _keeps(user, county),
                "producers": producers.filter(within).count(),
                "certified": producers.filter(
                    within,
                    certifications__status=CertificationStatus.ACTIVE,
                    certifications__valid_until__gte=timezone.localdate(),
                )
                .distinct()
                .count(),
                "households": households.filter(
                    village__lineage__startswith=county.lineage
                ).count(),
                "roster": reverse("report", kwargs={"key": "beneficiary_roster"})
                + f"?format=xlsx&region={county.pk}",
            }
        )
    return render(
        request,
        "workbench/registers/index.html",
        {
            "counties": rows,
            "keeps_any": _keeps_any(user),
            "totals": {
                "producers": sum(row["producers"] for row in rows),
                "certified": sum(row["certified"] for row in rows),
                "households": sum(row["households"] for row in rows),
            },
        },
    )


def _counties_of(user) -> list[Region]:
    """Return the counties in the user's regions (its own, or those below it)."""
    counties = Region.objects.filter(level=RegionLevel.COUNTY).select_related(
        "parent__parent"
    )
    if access.is_administrator(user):
        return list(counties)
    within = Q(pk__in=[])
    for region in access.assigned_regions(user):
        within |= Q(lineage__startswith=region.lineage)
    return list(counties.filter(within))


# Producers.


@office_required
def producers(request):
    query = request.GET.get("q", "").strip()
    rows = producer_list_visible_to(user=request.user).annotate(
        active=Count(
            "certifications",
            filter=Q(
                certifications__status=CertificationStatus.ACTIVE,
                certifications__valid_until__gte=timezone.localdate(),
            ),
        )
    )
    if query:
        rows = rows.filter(Q(name__contains=query) | Q(uscc__contains=query.upper()))
    return render(
        request,
        "workbench/registers/producers.html",
        {
            "producers": rows[:200],
            "query": query,
            "keeps_any": _keeps_any(request.user),
            "saved": request.GET.get("saved") == "1",
        },
    )


@office_required
def producer_new(request):
    if not _keeps_any(request.user):
        raise Http404
    form = ProducerForm(request.POST or None, user=request.user)
    return _save_page(
        request,
        form,
        lambda fields: producer_create(created_by=request.user, **fields),
        title=_("登记生产经营主体"),
        back=reverse("workbench:register_producers"),
    )


@office_required
def producer_detail(request, pk: int):
    """A producer: its data, certifications and links; edit it if the user keeps it."""
    producer = get_object_or_404(producer_list_visible_to(user=request.user), pk=pk)
    keeps = _keeps(request.user, producer.region)
    if request.method == "POST" and not keeps:
        raise Http404
    form = None
    if keeps:
        form = ProducerForm(
            request.POST or None,
            instance=Producer.objects.get(pk=pk),
            user=request.user,
        )
        if request.method == "POST":
            return _save_page(
                request,
                form,
                lambda fields: producer_update(
                    producer=producer, changed_by=request.user, **fields
                ),
                title=producer.name,
                back=reverse("workbench:register_producer", kwargs={"pk": pk}),
                template="producer.html",
                extra=_producer_context(request, producer, keeps),
            )
    return render(
        request,
        "workbench/registers/producer.html",
        {
            "form": form,
            "title": producer.name,
            **_producer_context(request, producer, keeps),
        },
    )


def _producer_context(request, producer: Producer, keeps: bool) -> dict:
    user = request.user
    return {
        "producer": producer,
        "keeps": keeps,
        "region": region_label(producer.region),
        "certifications": certification_list_visible_to(user=user).filter(
            producer=producer
        ),
        "links": benefit_link_list_visible_to(user=user).filter(producer=producer),
        "certify_form": CertifyForm() if keeps else None,
        "history": history_of(producer),
        "saved": request.GET.get("saved") == "1",
    }


@require_POST
@office_required
def producer_certify_view(request, pk: int):
    """Issue a certification; refused reasons (the county's policy) show on the page."""
    producer = get_object_or_404(producer_list_visible_to(user=request.user), pk=pk)
    _require_keeper(request.user, producer.region)
    form = CertifyForm(request.POST)
    if form.is_valid():
        try:
            producer_certify(
                producer=producer, certified_by=request.user, **form.cleaned_data
            )
        except access.Refused:
            raise Http404 from None
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            url = reverse("workbench:register_producer", kwargs={"pk": pk})
            return redirect(f"{url}?saved=1")
    context = _producer_context(request, producer, True)
    context.update(
        certify_form=form,
        form=ProducerForm(instance=producer, user=request.user),
        title=producer.name,
    )
    return render(request, "workbench/registers/producer.html", context, status=400)


CERTIFICATION_ACTIONS = {
    "suspend": (certification_suspend, _("暂停认定")),
    "reinstate": (certification_reinstate, _("恢复认定")),
    "revoke": (certification_revoke, _("撤销认定")),
}


@office_required
def certification_detail(request, pk: int):
    """A certification: its status and history; suspend, reinstate or revoke it."""
    certification = get_object_or_404(
        certification_list_visible_to(user=request.user).select_related(
            "producer__region"
        ),
        pk=pk,
    )
    keeps = _keeps(request.user, certification.producer.region)
    form = StatusReasonForm(request.POST or None)
    status = 200
    if request.method == "POST":
        action = CERTIFICATION_ACTIONS.get(request.POST.get("action", ""))
        if action is None or not keeps:
            raise Http404
        if form.is_valid():
            try:
                action[0](
                    certification=certification,
                    reason=form.cleaned_data["reason"],
                    changed_by=request.user,
                )
            except access.Refused:
                raise Http404 from None
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                url = reverse("workbench:register_certification", kwargs={"pk": pk})
                return redirect(f"{url}?saved=1")
        status = 400
    actions = {
        CertificationStatus.ACTIVE: ("suspend", "revoke"),
        CertificationStatus.SUSPENDED: ("reinstate", "revoke"),
    }.get(certification.status, ())
    return render(
        request,
        "workbench/registers/certification.html",
        {
            "certification": certification,
            "keeps": keeps,
            "form": form,
            "actions": [(key, CERTIFICATION_ACTIONS[key][1]) for key in actions],
            "history": history_of(certification),
            "saved": request.GET.get("saved") == "1",
        },
        status=status,
    )


# Households: masked everywhere here (the 名册 export alone shows IDs whole).


def household_row(user, household) -> dict:
    keeps = _keeps(user, household.village)
    return {
        "household": household,
        "keeps": keeps,
        "name": household.head_name if keeps else household.masked_name,
        "id_number": mask_id_number(household.id_number()),
        "village": region_label(household.village),
    }


@office_required
def households(request):
    rows = household_list_visible_to(user=request.user)
    village = request.GET.get("village", "")
    if village.isdigit():
        rows = rows.filter(village__lineage__contains=f"/{village}/")
    return render(
        request,
        "workbench/registers/households.html",
        {
            "rows": [household_row(request.user, row) for row in rows[:300]],
            "keeps_any": _keeps_any(request.user),
            "saved": request.GET.get("saved") == "1",
        },
    )


@office_required
def household_new(request):
    if not _keeps_any(request.user):
        raise Http404
    form = HouseholdForm(request.POST or None, user=request.user)
    return _save_page(
        request,
        form,
        lambda fields: household_create(created_by=request.user, **fields),
        title=_("登记建档立卡贫困户"),
        back=reverse("workbench:register_households"),
    )


@office_required
def household_detail(request, pk: int):
    household = get_object_or_404(household_list_visible_to(user=request.user), pk=pk)
    _require_keeper(request.user, household.village)
    form = HouseholdForm(
        request.POST or None,
        instance=type(household).objects.get(pk=pk),
        user=request.user,
    )
    return _save_page(
        request,
        form,
        lambda fields: household_update(
            household=household, changed_by=request.user, **fields
        ),
        title=_("贫困户：%(name)s") % {"name": household.head_name},
        back=reverse("workbench:register_households"),
        template="household.html",
        extra={
            "household": household,
            "history": history_of(household),
            "links": benefit_link_list_visible_to(user=request.user).filter(
                household=household
            ),
            "masked_id": mask_id_number(household.id_number()),
            "people": [
                (member, mask_id_number(member.id_number()))
                for member in household.people.all()
            ],
        },
    )


@office_required
def member_new(request, pk: int):
    """Register a person of the household (家庭成员)."""
    household = get_object_or_404(household_list_visible_to(user=request.user), pk=pk)
    _require_keeper(request.user, household.village)
    form = HouseholdMemberForm(request.POST or None, user=request.user)
    return _save_page(
        request,
        form,
        lambda fields: household_member_add(
            household=household, added_by=request.user, **fields
        ),
        title=_("登记家庭成员"),
        back=reverse("workbench:register_household", kwargs={"pk": pk}),
    )


@office_required
def member_detail(request, pk: int):
    """Change a person of the household, or take them off it, with a reason."""
    member = get_object_or_404(
        HouseholdMember.objects.filter(
            access.household_scope(request.user, "household")
        ).select_related("household__village"),
        pk=pk,
    )
    _require_keeper(request.user, member.household.village)
    back = reverse("workbench:register_household", kwargs={"pk": member.household_id})
    removing = "remove" in request.POST
    remove_form = MemberRemoveForm(request.POST if removing else None)
    if removing and remove_form.is_valid():
        try:
            household_member_remove(
                member=member, removed_by=request.user, **remove_form.cleaned_data
            )
        except access.Refused:
            raise Http404 from None
        except ValidationError as error:
            apply_service_errors(remove_form, error)
        else:
            return redirect(f"{back}?saved=1")
    form = HouseholdMemberForm(
        None if removing else (request.POST or None),
        instance=HouseholdMember.objects.get(pk=pk),
        user=request.user,
    )
    return _save_page(
        request,
        form,
        lambda fields: household_member_update(
            member=member, changed_by=request.user, **fields
        ),
        title=_("家庭成员：%(name)s") % {"name": member.name},
        back=back,
        template="member.html",
        extra={
            "remove_form": remove_form,
            "masked_id": mask_id_number(member.id_number()),
            "history": history_of(member),
        },
    )


# Benefit links (利益联结); their evidence files come with their own model.


@office_required
def links(request):
    rows = benefit_link_list_visible_to(user=request.user).filter(
        access.household_scope(request.user, "household")
    )
    return render(
        request,
        "workbench/registers/links.html",
        {
            "rows": [
                {
                    "link": link,
                    "keeps": _keeps(request.user, link.household.village),
                    "household": household_row(request.user, link.household),
                }
                for link in rows[:300]
            ],
            "keeps_any": _keeps_any(request.user),
            "saved": request.GET.get("saved") == "1",
        },
    )


@office_required
def link_new(request):
    if not _keeps_any(request.user):
        raise Http404
    form = BenefitLinkForm(request.POST or None, user=request.user)
    return _save_page(
        request,
        form,
        lambda fields: benefit_link_create(created_by=request.user, **fields),
        title=_("登记利益联结"),
        back=reverse("workbench:register_links"),
    )


def _link_in_scope(request, pk: int):
    link = get_object_or_404(
        benefit_link_list_visible_to(user=request.user).filter(
            access.household_scope(request.user, "household")
        ),
        pk=pk,
    )
    _require_keeper(request.user, link.household.village)
    return link


@office_required
def link_detail(request, pk: int):
    link = _link_in_scope(request, pk)
    form = BenefitLinkForm(
        request.POST or None,
        instance=type(link).objects.get(pk=pk),
        user=request.user,
    )
    return _save_page(
        request,
        form,
        lambda fields: benefit_link_update(
            benefit_link=link, changed_by=request.user, **fields
        ),
        title=_("利益联结：%(producer)s") % {"producer": link.producer.name},
        back=reverse("workbench:register_links"),
        template="link.html",
        extra={
            "link": link,
            "end_form": BenefitLinkEndForm(),
            "history": history_of(link),
        },
    )


@require_POST
@office_required
def link_end(request, pk: int):
    link = _link_in_scope(request, pk)
    form = BenefitLinkEndForm(request.POST)
    if form.is_valid():
        try:
            benefit_link_end(
                benefit_link=link, changed_by=request.user, **form.cleaned_data
            )
        except access.Refused:
            raise Http404 from None
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return redirect(f"{reverse('workbench:register_links')}?saved=1")
    return render(
        request,
        "workbench/registers/link.html",
        {
            "form": BenefitLinkForm(instance=link, user=request.user),
            "title": _("利益联结：%(producer)s") % {"producer": link.producer.name},
            "back": reverse("workbench:register_links"),
            "link": link,
            "end_form": form,
            "history": history_of(link),
        },
        status=400,
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
                    "keeps": _keeps(request.user, outlet.region),
                    "region": region_label(outlet.region),
                }
                for outlet in rows[:300]
            ],
            "keeps_any": _keeps_any(request.user),
            "saved": request.GET.get("saved") == "1",
        },
    )


@office_required
def outlet_new(request):
    if not _keeps_any(request.user):
        raise Http404
    form = OutletForm(request.POST or None, user=request.user)
    return _save_page(
        request,
        form,
        lambda fields: outlet_create(created_by=request.user, **fields),
        title=_("登记销售网点或授权店"),
        back=reverse("workbench:register_outlets"),
    )


@office_required
def outlet_detail(request, pk: int):
    outlet = get_object_or_404(outlet_list_visible_to(request.user), pk=pk)
    _require_keeper(request.user, outlet.region)
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
    return _save_page(
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
        if not _keeps_any(request.user):
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
            "form": form if _keeps_any(request.user) else None,
            "rows": [
                {
                    "mark": mark,
                    "current": mark.valid_from <= today <= mark.valid_until,
                    "keeps": _keeps(request.user, mark.region),
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
    _require_keeper(request.user, mark.region)
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
        if not _keeps_any(request.user):
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
            "form": form if _keeps_any(request.user) else None,
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
                {"period": period, "keeps": _keeps(request.user, period.region)}
                for period in _periods_visible_to(request.user)[:200]
            ],
            "keeps_any": _keeps_any(request.user),
            "saved": request.GET.get("saved") == "1",
        },
    )


@office_required
def period_new(request):
    if not _keeps_any(request.user):
        raise Http404
    form = ReportPeriodForm(request.POST or None, user=request.user)
    return _save_page(
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
    _require_keeper(request.user, period.region)
    form = ReportPeriodForm(
        request.POST or None,
        instance=ReportPeriod.objects.get(pk=pk),
        user=request.user,
    )
    return _save_page(
        request,
        form,
        lambda fields: report_period_update(
            period=period, changed_by=request.user, **fields
        ),
        title=str(period),
        back=reverse("workbench:register_periods"),
        extra={"history": history_of(period)},
    )


urlpatterns = [
    path("registers/events/", sales_events, name="register_sales_events"),
    path("registers/periods/", periods, name="register_periods"),
    path("registers/periods/new/", period_new, name="register_period_new"),
    path("registers/periods/<int:pk>/", period_detail, name="register_period"),
    path("registers/", index, name="registers"),
    path("registers/producers/", producers, name="register_producers"),
    path("registers/producers/new/", producer_new, name="register_producer_new"),
    path("registers/producers/<int:pk>/", producer_detail, name="register_producer"),
    path(
        "registers/producers/<int:pk>/certify/",
        producer_certify_view,
        name="register_producer_certify",
    ),
    path(
        "registers/certifications/<int:pk>/",
        certification_detail,
        name="register_certification",
    ),
    path("registers/households/", households, name="register_households"),
    path("registers/households/new/", household_new, name="register_household_new"),
    path("registers/households/<int:pk>/", household_detail, name="register_household"),
    path(
        "registers/households/<int:pk>/members/new/",
        member_new,
        name="register_member_new",
    ),
    path("registers/members/<int:pk>/", member_detail, name="register_member"),
    path("registers/links/", links, name="register_links"),
    path("registers/links/new/", link_new, name="register_link_new"),
    path("registers/links/<int:pk>/", link_detail, name="register_link"),
    path("registers/links/<int:pk>/end/", link_end, name="register_link_end"),
    path("registers/outlets/", outlets, name="register_outlets"),
    path("registers/outlets/new/", outlet_new, name="register_outlet_new"),
    path("registers/outlets/<int:pk>/", outlet_detail, name="register_outlet"),
    path("registers/slow-selling/", slow_selling, name="register_slow_selling"),
    path(
        "registers/slow-selling/<int:pk>/clear/",
        slow_selling_clear,
        name="register_slow_selling_clear",
    ),
]
