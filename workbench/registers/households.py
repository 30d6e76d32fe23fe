"""Households, their members and their benefit links (利益联结)."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from trace import access
from trace.models import HouseholdMember
from trace.personal_data import mask_id_number
from trace.selectors.households import (
    benefit_link_list_visible_to,
    household_list_visible_to,
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
from workbench.decorators import office_required
from workbench.forms import apply_service_errors
from workbench.registers.common import (
    history_of,
    household_row,
    keeps_any,
    require_keeper,
    save_page,
    user_keeps,
)
from workbench.registers.forms import (
    BenefitLinkEndForm,
    BenefitLinkForm,
    HouseholdForm,
    HouseholdMemberForm,
    MemberRemoveForm,
)

# Households: masked everywhere here (the 名册 export alone shows IDs whole).


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
            "keeps_any": keeps_any(request.user),
            "saved": request.GET.get("saved") == "1",
        },
    )


@office_required
def household_new(request):
    if not keeps_any(request.user):
        raise Http404
    form = HouseholdForm(request.POST or None, user=request.user)
    return save_page(
        request,
        form,
        lambda fields: household_create(created_by=request.user, **fields),
        title=_("登记建档立卡贫困户"),
        back=reverse("workbench:register_households"),
    )


@office_required
def household_detail(request, pk: int):
    household = get_object_or_404(household_list_visible_to(user=request.user), pk=pk)
    require_keeper(request.user, household.village)
    form = HouseholdForm(
        request.POST or None,
        instance=type(household).objects.get(pk=pk),
        user=request.user,
    )
    return save_page(
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
    require_keeper(request.user, household.village)
    form = HouseholdMemberForm(request.POST or None, user=request.user)
    return save_page(
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
    require_keeper(request.user, member.household.village)
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
    return save_page(
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
                    "keeps": user_keeps(request.user, link.household.village),
                    "household": household_row(request.user, link.household),
                }
                for link in rows[:300]
            ],
            "keeps_any": keeps_any(request.user),
            "saved": request.GET.get("saved") == "1",
        },
    )


@office_required
def link_new(request):
    if not keeps_any(request.user):
        raise Http404
    form = BenefitLinkForm(request.POST or None, user=request.user)
    return save_page(
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
    require_keeper(request.user, link.household.village)
    return link


@office_required
def link_detail(request, pk: int):
    link = _link_in_scope(request, pk)
    form = BenefitLinkForm(
        request.POST or None,
        instance=type(link).objects.get(pk=pk),
        user=request.user,
    )
    return save_page(
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
