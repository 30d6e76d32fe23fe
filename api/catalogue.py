"""The public 扶贫产品目录: pages at /catalogue/ and their JSON twin.

No login. Both the pages and `GET /api/v1/catalogue/` are built from one
selector (trace.selectors.catalogue.catalogue_public_facts), which never
carries a household's name, ID number or phone. The 公示 list takes objections from
anyone, limited per client by a DRF throttle in the shared cache, the same
counter for the HTML form and `POST /api/v1/objections/`.
"""

import django_filters
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

from api.fields import DecimalField, IntegerField
from labels.codes import lot_url
from trace.choices import DeliveryMethod, RegionLevel, Season
from trace.models import CatalogueEntry, Region
from trace.replica import reads_from_replica
from trace.selectors.catalogue import (
    catalogue_filter,
    catalogue_notice_list,
    catalogue_photo_public,
    catalogue_public_facts,
    catalogue_public_list,
    catalogue_search_options,
    township_notice_list,
)
from trace.selectors.registry import region_list
from trace.services.catalogue import catalogue_objection_lodge
from trace.validators import is_ascii_number, text_is_unsafe, unsafe_text_message


class ObjectionThrottle(SimpleRateThrottle):
    """Objections per client address (NUM_PROXIES decides which address)."""

    scope = "catalogue-objection"

    def get_rate(self) -> str:
        return settings.SUYUAN_OBJECTION_RATE

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {
            "scope": self.scope,
            "ident": self.get_ident(request),
        }


class ObjectionEntryThrottle(SimpleRateThrottle):
    """Objections per catalogue entry, from every address together.

    The per-address limit alone let 20 addresses lodge 100 objections to one
    product (issue 34). Counted after the entry is known, so a request for
    an entry not in 公示 uses none of it.
    """

    scope = "catalogue-objection-entry"

    def __init__(self, entry_id: int):
        self.entry_id = entry_id  # before DRF's __init__ reads the rate
        super().__init__()

    def get_rate(self) -> str:
        return settings.SUYUAN_OBJECTION_ENTRY_RATE

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.entry_id}


def objection_entry_wait(request, entry) -> float | None:
    """Return seconds to wait if the entry has had its share of objections."""
    throttle = ObjectionEntryThrottle(entry.pk)
    if throttle.allow_request(request, None):
        return None
    return throttle.wait() or 1


class CatalogueFilter(django_filters.FilterSet):
    """How buyers search the catalogue: region, category, season, delivery, text."""

    region = django_filters.ModelChoiceFilter(
        queryset=Region.objects.all(),
        method="filter_region",
        label="地区（含下级）",
    )
    category = django_filters.CharFilter(method="filter_plain", label="产品类别")
    season = django_filters.ChoiceFilter(
        choices=Season.choices, method="filter_plain", label="供应季节（含全年供应）"
    )
    delivery_method = django_filters.ChoiceFilter(
        choices=DeliveryMethod.choices, method="filter_plain", label="供货方式"
    )
    q = django_filters.CharFilter(method="filter_text", label="产品名称或类别")

    class Meta:
        model = CatalogueEntry
        fields = ["region", "category", "season", "delivery_method", "q"]

    def filter_region(self, queryset, name, value):
        return catalogue_filter(queryset, region=value)

    def filter_plain(self, queryset, name, value):
        return catalogue_filter(queryset, **{name: value})

    def filter_text(self, queryset, name, value):
        return catalogue_filter(queryset, text=value.strip()[:32])


class PublicBatchSerializer(serializers.Serializer):
    lot = serializers.CharField()
    harvest_date = serializers.DateField()
    url = serializers.CharField(allow_blank=True, help_text="该批次的公开溯源页。")


class CataloguePublicSerializer(serializers.Serializer):
    """What anyone may see of a catalogue product."""

    id = IntegerField()
    name = serializers.CharField()
    category = serializers.CharField(allow_blank=True)
    specification = serializers.CharField(allow_blank=True)
    unit = serializers.CharField()
    price = DecimalField(max_digits=14, decimal_places=2)
    price_display = serializers.CharField(help_text="如 3元/斤。")
    delivery_method = serializers.ChoiceField(choices=DeliveryMethod.choices)
    delivery_method_display = serializers.CharField()
    season = serializers.ChoiceField(choices=Season.choices)
    season_display = serializers.CharField()
    planned_quantity = DecimalField(max_digits=14, decimal_places=3)
    planned_period_display = serializers.CharField()
    region = serializers.CharField()
    township = serializers.CharField(allow_blank=True)
    producer = serializers.CharField(help_text="农户自产的产品只写村名，不写姓名。")
    producer_kind = serializers.CharField()
    contact_name = serializers.CharField(allow_blank=True)
    contact_phone = serializers.CharField(allow_blank=True)
    shop_url = serializers.CharField(allow_blank=True)
    status = serializers.CharField()
    status_display = serializers.CharField()
    notice_starts_on = serializers.DateField(allow_null=True)
    notice_ends_on = serializers.DateField(allow_null=True)
    certified = serializers.BooleanField()
    certification_under_review = serializers.BooleanField(help_text="认定复核中")
    certification_number = serializers.CharField(allow_blank=True)
    certification_valid_until = serializers.DateField(allow_null=True)
    photos = serializers.ListField(child=serializers.CharField())
    batches = PublicBatchSerializer(many=True)


def public_entries(entries) -> list[dict]:
    """Return the public facts of entries with their photo and batch links."""
    facts = catalogue_public_facts(entries=list(entries))
    for item in facts:
        item["photos"] = [f"/catalogue/photos/{pk}" for pk in item["photos"]]
        for batch in item["batches"]:
            batch["url"] = (
                lot_url(gtin=batch["gtin"], lot=batch["lot"]) if batch["gtin"] else ""
            )
    return facts


class CatalogueViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """公开的扶贫产品目录（无需登录）：按地区、类别、季节、供货方式查询。"""

    permission_classes = [AllowAny]
    serializer_class = CataloguePublicSerializer
    filterset_class = CatalogueFilter
    ordering_fields = ["price", "name"]

    def get_queryset(self):
        return catalogue_public_list()

    @reads_from_replica
    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        data = self.get_serializer(public_entries(page), many=True).data
        return self.get_paginated_response(data)

    @extend_schema(responses=CataloguePublicSerializer)
    @reads_from_replica
    def retrieve(self, request, pk=None):
        entry = (
            self.get_queryset().filter(pk=pk).first()
            if is_ascii_number(str(pk))
            else None
        )
        if entry is None:
            raise Http404
        return Response(self.get_serializer(public_entries([entry])[0]).data)


class NoticeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """公示中的产品（无需登录）：公示期内任何人可提出异议。"""

    permission_classes = [AllowAny]
    serializer_class = CataloguePublicSerializer
    pagination_class = None

    def get_queryset(self):
        return catalogue_notice_list()

    @reads_from_replica
    def list(self, request, *args, **kwargs):
        return Response(
            self.get_serializer(public_entries(self.get_queryset()), many=True).data
        )


# The pages.

# Products per page: a phone on a weak rural signal loads a page in one go.
PAGE_SIZE = 30


# The newest notices a township page shows; older ones stay in the workbench.
NOTICES_SHOWN = 5


@reads_from_replica
def catalogue_page(request):
    """`/catalogue/`: search the catalogue by region, category, season, delivery."""
    search = CatalogueFilter(request.GET, queryset=catalogue_public_list())
    found = search.qs if search.is_valid() else catalogue_public_list().none()
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    options = catalogue_search_options()
    chosen = search.form.cleaned_data.get("region") if search.is_valid() else None
    return render(
        request,
        "api/catalogue.html",
        {
            # A township's page carries its 监督员's 信息发布.
            "township": chosen if chosen and chosen.level == RegionLevel.TOWN else None,
            "township_notices": township_notice_list(township=chosen)[:NOTICES_SHOWN]
            if chosen and chosen.level == RegionLevel.TOWN
            else [],
            "entries": public_entries(page.object_list),
            "page": page,
            "query": query.urlencode(),
            "count": page.paginator.count,
            "search": search,
            "regions": [
                (region, 1 if region.level == RegionLevel.TOWN else 0)
                for region in options["regions"]
            ],
            "categories": options["categories"],
            "seasons": Season.choices,
            "deliveries": DeliveryMethod.choices,
            "notices": catalogue_notice_list().count(),
            "townships": options["townships"],
            "today": timezone.localdate(),
        },
    )


@reads_from_replica
def catalogue_entry_page(request, pk: int):
    """`/catalogue/<id>/`: one product (listed, or in 公示) with its batches."""
    entry = catalogue_public_list().filter(pk=pk).first()
    notice = None
    if entry is None:
        entry = catalogue_notice_list().filter(pk=pk).first()
        notice = entry
    if entry is None:
        raise Http404
    return render(
        request,
        "api/catalogue_entry.html",
        {"entry": public_entries([entry])[0], "in_notice": notice is not None},
    )


@require_http_methods(["GET", "POST"])
@reads_from_replica
def notices_page(request, pk: int | None = None):
    """`/catalogue/notices/`: the 公示 list; POST lodges an objection to one entry.

    A failed submit shows the form again with what was typed and the error
    next to it; the throttle answers 429 with a page saying when to retry.
    """
    notices = list(catalogue_notice_list())
    context = {"entries": public_entries(notices), "errors": {}, "typed": {}}
    if request.method == "POST":
        entry = next((item for item in notices if item.pk == pk), None)
        if entry is None:
            raise Http404
        typed = {
            "entry": entry.pk,
            "text": request.POST.get("text", "")[:2000],
            "name": request.POST.get("name", "")[:32],
            "contact": request.POST.get("contact", "")[:64],
        }
        throttle = ObjectionThrottle()
        if not throttle.allow_request(request, None) or objection_entry_wait(
            request, entry
        ):
            context.update(typed=typed, throttled=True)
            return render(request, "api/catalogue_notices.html", context, status=429)
        unsafe = {
            name: [unsafe_text_message()]
            for name in ("text", "name", "contact")
            if text_is_unsafe(typed[name])
        }
        if unsafe:  # the API's input policy (api/parsers.py), for this form
            context.update(typed=typed, errors=unsafe)
            return render(request, "api/catalogue_notices.html", context, status=400)
        try:
            catalogue_objection_lodge(
                entry=entry,
                text=typed["text"],
                name=typed["name"],
                contact=typed["contact"],
            )
        except ValidationError as error:
            context.update(typed=typed, errors=error.message_dict)
            return render(request, "api/catalogue_notices.html", context, status=400)
        # Redirect after POST: a reload shows the receipt, not a resubmission.
        return redirect(f"{reverse('catalogue-notices')}?lodged={entry.pk}")
    lodged = request.GET.get("lodged", "")
    context["lodged"] = next(
        (item.name for item in notices if lodged.isdigit() and item.pk == int(lodged)),
        "",
    )
    return render(request, "api/catalogue_notices.html", context)


@reads_from_replica
def township_print_page(request, pk: int):
    """`/catalogue/print/<town id>/`: an A4 list of a township's products for notice boards."""
    township = region_list().filter(pk=pk, level=RegionLevel.TOWN).first()
    if township is None:
        raise Http404
    entries = catalogue_filter(catalogue_public_list(), region=township)
    return render(
        request,
        "api/catalogue_print.html",
        {
            "township": township,
            "township_notices": township_notice_list(township=township)[:NOTICES_SHOWN],
            "entries": public_entries(entries),
            "today": timezone.localdate(),
            "public_url": settings.SUYUAN_PUBLIC_BASE_URL + reverse("catalogue"),
        },
    )


def catalogue_photo(request, pk: int):
    """`/catalogue/photos/<id>`: a product photo, for public entries only."""
    photo = catalogue_photo_public(photo_id=pk)
    if photo is None or not photo.image:
        raise Http404
    response = FileResponse(photo.image.open("rb"))
    response["Cache-Control"] = "public, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response


page_urlpatterns = [
    path("", catalogue_page, name="catalogue"),
    path("<int:pk>/", catalogue_entry_page, name="catalogue-entry"),
    path("notices/", notices_page, name="catalogue-notices"),
    path("notices/<int:pk>/objection/", notices_page, name="catalogue-objection"),
    path("print/<int:pk>/", township_print_page, name="catalogue-print"),
    path("photos/<int:pk>", catalogue_photo, name="catalogue-photo"),
]
