"""The registers' home (the office's counties and sums), producers and 认定."""

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from trace import access
from trace.choices import CertificationStatus, RegionLevel
from trace.models import Producer, Region
from trace.selectors.certification import certification_list_visible_to
from trace.selectors.households import (
    benefit_link_list_visible_to,
    household_list_visible_to,
)
from trace.selectors.registry import producer_list_visible_to
from trace.services.certification import (
    certification_reinstate,
    certification_revoke,
    certification_suspend,
    producer_certify,
)
from trace.services.registry import (
    producer_create,
    producer_update,
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
    CertifyForm,
    ProducerForm,
    StatusReasonForm,
    region_label,
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
                "keeps": user_keeps(user, county),
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
            "keeps_any": keeps_any(user),
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
            "keeps_any": keeps_any(request.user),
            "saved": request.GET.get("saved") == "1",
        },
    )


@office_required
def producer_new(request):
    if not keeps_any(request.user):
        raise Http404
    form = ProducerForm(request.POST or None, user=request.user)
    return save_page(
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
    keeps = user_keeps(request.user, producer.region)
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
            return save_page(
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
    require_keeper(request.user, producer.region)
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
    keeps = user_keeps(request.user, certification.producer.region)
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
