"""The public scan: the page a consumer sees and its JSON twin, one pipeline.

Every scan passes the gate (api/scan/gate.py: throttles, the label, the
scan's record), then its story (api/scan/story.py) is rendered as the page
or as JSON. A malformed or forged serial is a 404 without a database query;
a void label answers 410 Gone with the void and nothing that reads as
genuine (GS1 resolver); a draft batch has no public page. A batch on hold
or recalled vouches for nothing (issue 32): its page and JSON offer no
certificate and no buy link and say why, and its certificate URLs answer
with the warning instead of the PDF (409 on hold, 410 recalled). A
well-formed serial unknown under a known GTIN and lot walks up (303) to the
lot's page, which then says the code is not on record. `?linkType=all` or
`Accept: application/linkset+json` returns a linkset of our pages for the
item.

Scans by signed-in users (staff, the workbench) and linkset lookups are
not consumer scans: they are answered but not counted.
"""

import functools
from dataclasses import replace

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from api.fields import DateTimeField, DecimalField, IntegerField
from api.scan import gate
from api.scan.linkset import linkset_response, wants_linkset
from api.scan.story import (
    GENUINE,
    LOT,
    NOT_ON_RECORD,
    VOID,
    ScanStory,
    StoryEntry,
    batch_story_entry,
    label_adds_warnings,
    label_facts,
    label_story,
)
from labels.choices import LabelStatus
from labels.selectors import batch_find_public, label_sold_where
from reports.selectors.certificates import certificate_public
from trace.choices import BatchStatus
from trace.models import Batch

# The public scan's routes (config/urls.py).
SCAN_PAGE_ROUTE = "t/<str:serial>"
SCAN_JSON_ROUTE = "api/v1/scan/<str:serial>"
SCAN_CERTIFICATE_ROUTE = "t/<str:serial>/certificate"
# The query a walk-up adds to the lot page it lands on.
WALKED_UP = "unknown_serial"


# The fields of a scan's body that depend on the label, not only on its batch.
PER_LABEL = frozenset({"verdict", "warnings", "label", "certificate_url"})


class WarningSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


# The project activates no time zone per request, so the label's times are
# shown in TIME_ZONE; naming it spares every scan DRF's lookup of the
# request's current zone (asgiref's context-local storage, twice a scan).
SHOWN_TIME_ZONE = timezone.get_default_timezone()


class LabelFactsSerializer(serializers.Serializer):
    serial = serializers.CharField()
    status = serializers.CharField()
    scan_count = IntegerField()
    first_scanned_at = DateTimeField(allow_null=True, default_timezone=SHOWN_TIME_ZONE)
    first_scanned_city = serializers.CharField(allow_blank=True)
    suspicious = serializers.BooleanField()
    checked_at = DateTimeField(default_timezone=SHOWN_TIME_ZONE)


class ProductSerializer(serializers.Serializer):
    name = serializers.CharField()
    brand = serializers.CharField(allow_blank=True)
    brand_kind = serializers.CharField(allow_blank=True)
    unified_brand = serializers.BooleanField(
        help_text="统一品牌：生产主体持有该产品线的有效品牌授权。"
    )
    standard = serializers.CharField(allow_blank=True)
    geographical_indication = serializers.BooleanField()
    gtin = serializers.CharField(allow_blank=True)


class BatchFactsSerializer(serializers.Serializer):
    lot = serializers.CharField()
    name = serializers.CharField(allow_blank=True)
    harvest_date = serializers.DateField()
    quantity = DecimalField(max_digits=14, decimal_places=3)
    unit = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField()
    origin = serializers.CharField()


class ProducerFactsSerializer(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.CharField()
    region = serializers.CharField()
    certification_number = serializers.CharField(allow_blank=True)
    certification_issuer = serializers.CharField(allow_blank=True)
    certification_status = serializers.CharField(allow_blank=True)
    certification_status_display = serializers.CharField(allow_blank=True)
    certification_under_review = serializers.BooleanField()
    certification_valid_until = serializers.DateField(allow_null=True)
    certified = serializers.BooleanField()


class InspectionFactsSerializer(serializers.Serializer):
    kind = serializers.CharField()
    kind_display = serializers.CharField()
    sampled_at = DateTimeField()
    verdict = serializers.CharField()
    verdict_display = serializers.CharField()
    organisation = serializers.CharField(allow_blank=True)


class BenefitFactsSerializer(serializers.Serializer):
    batch_households = IntegerField(help_text="为本批次供货或务工的建档立卡贫困户数。")
    producer_households = IntegerField(help_text="与生产主体有利益联结的贫困户数。")
    villages = serializers.ListField(child=serializers.CharField())
    amount_paid = DecimalField(max_digits=14, decimal_places=2)
    consented_names = serializers.ListField(
        child=serializers.CharField(),
        help_text="仅限已登记同意公开的农户，姓名已脱敏。",
    )


class EventFactsSerializer(serializers.Serializer):
    kind = serializers.CharField()
    kind_display = serializers.CharField()
    occurred_at = DateTimeField()
    place = serializers.CharField(allow_blank=True)
    actor = serializers.CharField(allow_blank=True)
    quantity = DecimalField(max_digits=14, decimal_places=3, allow_null=True)
    unit = serializers.CharField(allow_blank=True)


class ScanStorySerializer(serializers.Serializer):
    verdict = serializers.CharField(
        help_text="genuine（正品）、warning（有警示）或 void（标签作废）。"
    )
    warnings = WarningSerializer(many=True)
    label = LabelFactsSerializer(allow_null=True)
    product = ProductSerializer()
    batch = BatchFactsSerializer()
    producer = ProducerFactsSerializer()
    inspections = InspectionFactsSerializer(many=True)
    benefit = BenefitFactsSerializer()
    events = EventFactsSerializer(many=True)
    certificate_url = serializers.CharField(
        allow_null=True,
        help_text="承诺达标合格证（PDF）的地址；没有合格证或批次暂停销售、已召回时为 null。",
    )
    catalogue_url = serializers.CharField(
        allow_null=True,
        help_text="扶贫产品目录中该产品的页面（价格和供货方式）；"
        "未入目录或批次暂停销售、已召回时为 null。",
    )
    withheld = WarningSerializer(
        allow_null=True,
        help_text="批次暂停销售或已召回时，说明为何不提供合格证和购买渠道；否则为 null。",
    )

    def to_representation(self, story: ScanStory) -> dict:
        """Return the whole body of a scan.

        Everything but the per-label fields (PER_LABEL) is the same for every
        label of the batch: with the story's entry in the context
        (`{"entry": StoryEntry}`), that part is rendered once per story and
        kept in the entry, and each scan renders only the per-label fields,
        with this serializer's fields as bound once per process
        (`_scan_fields`). A test holds the body equal to the serializer's
        without the entry.
        """
        entry = self.context.get("entry")
        if entry is None:
            return super().to_representation(story)
        kept = entry.derived.get("json")
        if kept is None:
            data = super().to_representation(story)
            kept = entry.derived["json"] = {
                name: value for name, value in data.items() if name not in PER_LABEL
            }
            return data
        data = {}
        for name, field in _scan_fields().items():
            if name in kept:
                data[name] = kept[name]
                continue
            value = field.get_attribute(story)
            data[name] = None if value is None else field.to_representation(value)
        return data


@functools.cache
def _scan_fields() -> dict:
    """Return ScanStorySerializer's fields, bound once per process.

    A serializer deep-copies its declared fields, nested serializers and
    all, the first time it reads `fields`: for this one that was more CPU
    than the rest of a JSON scan (bench/scan_cpu.py --profile). Fields keep
    no state between calls of `get_attribute` and `to_representation`.
    """
    return ScanStorySerializer().fields


class VoidLabelSerializer(serializers.Serializer):
    serial = serializers.CharField()
    status = serializers.CharField()
    voided_at = DateTimeField(allow_null=True)
    void_reason = serializers.CharField(allow_blank=True)


class VoidProductSerializer(serializers.Serializer):
    name = serializers.CharField()
    brand = serializers.CharField(allow_blank=True)


class VoidBatchSerializer(serializers.Serializer):
    lot = serializers.CharField()


class VoidScanSerializer(serializers.Serializer):
    """A void label: the void, and which product it was printed for; nothing else."""

    verdict = serializers.CharField(help_text="void（标签作废）。")
    warnings = WarningSerializer(many=True)
    label = VoidLabelSerializer()
    product = VoidProductSerializer()
    batch = VoidBatchSerializer()


class NotFoundSerializer(serializers.Serializer):
    detail = serializers.CharField()


def label_section(
    label: dict,
    *,
    language: str | None = None,
    certificate_url: str = "",
    sold_where: str = "",
) -> str:
    """Return the page's label section (the part that changes with every scan).

    Built from a per-language skeleton: this runs on every scan, and
    format_html with lazy translations cost more than the database lookup.
    """
    skeleton, first_skeleton, certificate_skeleton, sold_skeleton = (
        _label_section_skeletons(language or get_language())
    )
    first = ""
    if label["first_scanned_at"]:
        zone = timezone.get_default_timezone()  # no view activates another zone
        local = timezone.localtime(label["first_scanned_at"], zone)
        moment = local.replace(tzinfo=None).isoformat(" ", "minutes")
        city = label["first_scanned_city"]
        first = first_skeleton.format(
            moment=moment, city=f" · {escape(city)}" if city else ""
        )
    return mark_safe(
        # A serial is canonical Crockford base32 here: nothing to escape.
        skeleton.format(
            serial=label["serial"],
            count=int(label["scan_count"]),
            first=first,
            sold=sold_skeleton.format(place=escape(sold_where)) if sold_where else "",
            certificate=certificate_skeleton.format(url=escape(certificate_url))
            if certificate_url
            else "",
        )
    )


@functools.lru_cache(maxsize=8)
def _label_section_skeletons(language: str | None) -> tuple[str, str, str, str]:
    """Return the translated label section with {serial}, {count}, {first} holes."""
    braces = str.maketrans({"{": "{{", "}": "}}"})

    def text(message):
        return escape(message).translate(braces)

    title, serial, count = text(_("标签信息")), text(_("序列号")), text(_("扫码次数"))
    first = text(_("首次扫码"))
    note = text(_("若首次扫码时间不是您本人，商品可能已被他人扫过。"))
    section = (
        f"<section>\n<h2>{title}</h2>\n<dl>\n"
        f"<dt>{serial}</dt><dd>{{serial}}</dd>\n"
        f"<dt>{count}</dt><dd>{{count}}</dd>\n"
        f'{{sold}}{{first}}\n</dl>\n<p class="muted">{note}</p>\n{{certificate}}</section>\n'
    )
    first = f"<dt>{first}</dt><dd>{{moment}}{{city}}</dd>"
    certificate = text(_("查看承诺达标合格证（PDF）"))
    certificate = f'<p><a class="doc" href="{{url}}">{certificate}</a></p>\n'
    # Issue 37: the 专柜 that sold this item (never a buyer).
    sold = f"<dt>{text(_('售出地点'))}</dt><dd>{{place}}</dd>\n"
    return section, first, certificate, sold


def _signed_in(request) -> bool:
    """Return whether a signed-in user asks: staff checking a label, not a consumer.

    A request with neither a session cookie nor an Authorization header is
    anonymous without asking the session and authentication machinery:
    that is nearly every scan.
    """
    if not _has_credentials(request):
        return False
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def _has_credentials(request) -> bool:
    return (
        "HTTP_AUTHORIZATION" in request.META
        or settings.SESSION_COOKIE_NAME in request.COOKIES
    )


def _as_label_page(story: ScanStory) -> ScanStory:
    """Return the batch's story as an active label's page shows it."""
    return replace(story, verdict=GENUINE) if story.verdict == LOT else story


def _certificate_url(label, story: ScanStory) -> str:
    if not story.has_certificate:
        return ""
    return reverse("scan-certificate", args=[label.serial])


# The JSON twin.


class ScanView(APIView):
    """`GET /api/v1/scan/{serial}`: the public facts of a label, as JSON."""

    permission_classes = [AllowAny]
    throttle_classes = []  # the gate counts the scan's own limits
    renderer_classes = [JSONRenderer]
    parser_classes = []  # a scan has no body

    def perform_authentication(self, request) -> None:
        """Authenticate lazily: only a request with credentials is asked (_signed_in)."""

    def perform_content_negotiation(self, request, force=False):
        """Answer JSON whatever the Accept header says: there is nothing to choose.

        DRF's negotiation parses the Accept header on every scan; with one
        renderer it can only pick that one or refuse (406), and a scanning
        app that asks for text/html is better served JSON than an error.
        """
        renderer = self.renderer_classes[0]
        return renderer(), renderer.media_type

    @extend_schema(
        responses={
            200: ScanStorySerializer,
            404: OpenApiResponse(NotFoundSerializer, description="未知或伪造的标签"),
            410: OpenApiResponse(VoidScanSerializer, description="标签已作废"),
        },
        summary="扫码查询（公开）",
        description="消费者扫码计数；已登录用户（工作台、接口）的查询不计数。",
    )
    def get(self, request, serial: str):
        passage = gate.scan_pass(request, serial, record=not _signed_in(request))
        if passage.wait is not None:
            raise exceptions.Throttled(passage.wait)
        label = passage.label
        entry = label and _entry_of(request, passage)
        if entry is None:
            raise exceptions.NotFound
        story = label_story(label=label, entry=entry)
        if label.status == LabelStatus.VOID:
            body = VoidScanSerializer(_void_facts(label, story)).data
            return Response(body, status=410)
        story.certificate_url = _certificate_url(label, entry.story) or None
        return Response(ScanStorySerializer(story, context={"entry": entry}).data)


def _entry_of(request, passage: gate.Passage) -> StoryEntry | None:
    entry = batch_story_entry(
        batch_id=passage.label.batch_id,
        generation=passage.generation,
        language=getattr(request, "LANGUAGE_CODE", None),
    )
    if entry.story.batch["status"] == BatchStatus.DRAFT:
        return None  # no public page: a draft may still change or never ship
    return entry


def _void_facts(label, story: ScanStory) -> dict:
    return {
        "verdict": VOID,
        "warnings": story.warnings,
        "label": {
            "serial": label.serial,
            "status": label.status,
            "voided_at": label.voided_at,
            "void_reason": label.void_reason,
        },
        "product": {"name": story.product["name"], "brand": story.product["brand"]},
        "batch": {"lot": story.batch["lot"]},
    }


# The pages (plain Django views: HTML for phones, no DRF).


def scan_page(request, serial: str) -> HttpResponse:
    """`/t/{serial}`: the page a consumer sees after scanning a label."""
    linkset = wants_linkset(request)
    passage = gate.scan_pass(
        request, serial, record=not linkset and not _signed_in(request)
    )
    return label_page(request, passage)


def label_page(request, passage: gate.Passage) -> HttpResponse:
    """Return a label's page (or linkset) for a request that passed the gate."""
    if passage.wait is not None:
        return _throttled(request, passage.wait)
    label = passage.label
    entry = label and _entry_of(request, passage)
    if entry is None:
        return _not_found(request)
    if wants_linkset(request):
        return linkset_response(request, label=label, batch=label.batch)
    if label.status == LabelStatus.VOID:
        story = label_story(label=label, entry=entry)
        return _story_page(request, story, status=410, void=_void_facts(label, story))
    certificate_url = _certificate_url(label, entry.story)
    if label_adds_warnings(label):
        story = label_story(label=label, entry=entry)
        return _story_page(
            request,
            story,
            certificate_url=certificate_url,
            sold_where=_sold_where(label, entry),
        )
    # The page of a batch is rendered once per story; per scan only the label
    # section (the same one the full template gets) goes in before </main>.
    page = entry.derived.get("html")
    if page is None:
        story = _as_label_page(entry.story)
        html = render_to_string("api/scan.html", {"story": story}, request)
        head, tail = html.rsplit("</main>", 1)
        page = entry.derived["html"] = (head.encode(), ("</main>" + tail).encode())
    section = label_section(
        label_facts(label),
        language=getattr(request, "LANGUAGE_CODE", None),
        certificate_url=certificate_url,
        sold_where=_sold_where(label, entry),
    )
    response = HttpResponse(page[0] + section.encode() + page[1])
    response["Cache-Control"] = "no-store"
    return response


def _sold_where(label, entry: StoryEntry) -> str:
    """Return the 专柜 that sold the label; no query for a batch none sold."""
    if not entry.derived.get("cabinet_sold"):
        return ""
    return label_sold_where(label_id=label.pk)


def _story_page(
    request,
    story: ScanStory,
    *,
    status: int = 200,
    certificate_url: str = "",
    void: dict | None = None,
    sold_where: str = "",
) -> HttpResponse:
    context = {"story": story, "void": void}
    if story.label and void is None:
        context["label_section"] = label_section(
            story.label,
            certificate_url=certificate_url,
            sold_where=sold_where,
        )
    response = render(request, "api/scan.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _throttled(request, wait: float) -> HttpResponse:
    response = render(
        request, "api/scan_error.html", {"reason": "throttled"}, status=429
    )
    response["Retry-After"] = str(int(wait) + 1)
    return response


def _not_found(request) -> HttpResponse:
    return render(request, "api/scan_error.html", {"reason": "unknown"}, status=404)


def label_certificate(request, serial: str) -> HttpResponse:
    """`/t/{serial}/certificate`: the 承诺达标合格证 of the label's batch (PDF).

    The certificate travels with the produce, so it is public like the label,
    and answers as the label's page does: a void label is 410 Gone with the
    void, a draft batch 404, and a batch on hold or recalled the warning
    instead of the PDF (`_certificate_response`).
    """
    passage = gate.scan_pass(request, serial, record=False)
    if passage.wait is not None:
        return _throttled(request, passage.wait)
    label = passage.label
    entry = label and _entry_of(request, passage)
    if entry is None:
        return _not_found(request)
    if label.status == LabelStatus.VOID:
        story = label_story(label=label, entry=entry)
        return _story_page(request, story, status=410, void=_void_facts(label, story))
    page_url = reverse("scan-page", args=[label.serial])
    return _certificate_response(
        request, entry.story, batch_id=label.batch_id, page_url=page_url
    )


# A batch on hold may be released again: 409 Conflict, the batch's current
# state conflicts with handing out its certificate (RFC 9110 15.5.10), and
# the page says which state. A recall is final (trace.services
# BATCH_TRANSITIONS): 410 Gone, as a GS1 resolver answers for a deactivated
# code. Never 200: a script that checks for the PDF by status must not take
# the warning for it, and a phone gets a page it can show, not a download.
WITHHELD_STATUS = {BatchStatus.ON_HOLD: 409, BatchStatus.RECALLED: 410}


def _certificate_response(
    request, story: ScanStory, *, batch_id: int, page_url: str
) -> HttpResponse:
    """Return the certificate's PDF, or the warning of a batch vouching for nothing.

    The decision comes from the batch's story, the facts the scan page links
    the certificate from; the PDF is handed out only if the database agrees
    (certificate_public), so a story cached before an edit outside the
    services hands out nothing either.
    """
    if story.withheld is not None:
        response = render(
            request,
            "api/certificate_withheld.html",
            {"story": story, "page_url": page_url},
            status=WITHHELD_STATUS.get(story.batch["status"], 404),
        )
        response["Cache-Control"] = "no-store"
        return response
    certificate = None
    if story.has_certificate:
        certificate = certificate_public(batch=Batch.objects.get(pk=batch_id))
    if certificate is None:
        return _not_found(request)
    return FileResponse(
        certificate.pdf.open("rb"),
        content_type="application/pdf",
        filename=f"certificate-{certificate.number}.pdf",
    )


# Lot pages, where GS1 Digital Links lead (api/scan/resolver.py routes /01/...).


def digital_link_lot_page(request, gtin: str, lot: str) -> HttpResponse:
    """`/p/{gtin}/{lot}`: the public page of a lot, without label facts.

    It vouches for no single item; reached by a walk-up it says that the
    scanned code is not on record.
    """
    batch = batch_find_public(gtin=gtin, lot=lot)
    if batch is None:
        return _not_found(request)
    if wants_linkset(request):
        return linkset_response(request, batch=batch)
    story = batch_story_entry(
        batch_id=batch.pk, language=getattr(request, "LANGUAGE_CODE", None)
    ).story
    if request.GET.get(WALKED_UP):
        story = replace(story, verdict=NOT_ON_RECORD)
    certificate_url = (
        reverse("digital-link-certificate", args=[gtin, lot])
        if story.has_certificate
        else ""
    )
    context = {"story": story, "lot_certificate_url": certificate_url}
    response = render(request, "api/scan.html", context)
    response["Cache-Control"] = "no-store"
    return response


def digital_link_certificate(request, gtin: str, lot: str) -> HttpResponse:
    """`/p/{gtin}/{lot}/certificate`: the lot's latest 承诺达标合格证 (PDF).

    As the label's certificate URL: 404 for an unknown or draft lot, the
    warning for a lot on hold (409) or recalled (410).
    """
    batch = batch_find_public(gtin=gtin, lot=lot)
    if batch is None:
        return _not_found(request)
    story = batch_story_entry(
        batch_id=batch.pk, language=getattr(request, "LANGUAGE_CODE", None)
    ).story
    page_url = reverse("lot-page", args=[gtin, lot])
    return _certificate_response(request, story, batch_id=batch.pk, page_url=page_url)
