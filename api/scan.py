"""The public scan: the page a consumer sees and its JSON twin.

Both are built from `api.scan_story`. A malformed or forged serial is a 404
without a database query; a void label answers 410 Gone (GS1 resolver); a
well-formed unknown serial under a known GTIN and lot walks up (303) to the
lot's page; `?linkType=all` or `Accept: application/linkset+json` returns a
linkset of our pages for the item.
"""

import functools
import json
import logging

import redis
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView, exception_handler

from api.scan_story import (
    ScanStory,
    batch_story,
    batch_story_entry,
    label_adds_warnings,
    label_facts,
    scan_story,
)
from api.throttling import (
    client_ident,
    scan_gate,
    scan_gate_available,
    scan_throttle_wait,
)
from labels import codes, scan_cache
from labels.choices import LabelStatus
from labels.selectors import label_find_for_scan
from labels.services import scan_note, scan_record_tail
from reports.selectors.certificates import certificate_latest
from trace.models import Batch
from trace.validators import normalize_gtin

logger = logging.getLogger(__name__)
# The public scan's routes (config/urls.py); api.middleware matches them too.
SCAN_PAGE_ROUTE = "t/<str:serial>"
SCAN_JSON_ROUTE = "api/v1/scan/<str:serial>"
# request.META key of a gate call sent ahead (api.middleware).
GATE_IN_FLIGHT = "suyuan.gate_in_flight"
# Retry-After of a scan answered 503 because Redis did not answer.
UNAVAILABLE_RETRY_SECONDS = 30
LINKSET_TYPE = "application/linkset+json"
GS1_VOCABULARY = "https://gs1.org/voc/"


class WarningSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class LabelFactsSerializer(serializers.Serializer):
    serial = serializers.CharField()
    status = serializers.CharField()
    scan_count = serializers.IntegerField()
    first_scanned_at = serializers.DateTimeField(allow_null=True)
    first_scanned_city = serializers.CharField(allow_blank=True)
    suspicious = serializers.BooleanField()
    checked_at = serializers.DateTimeField()


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
    quantity = serializers.DecimalField(max_digits=14, decimal_places=3)
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
    certification_valid_until = serializers.DateField(allow_null=True)
    certified = serializers.BooleanField()


class InspectionFactsSerializer(serializers.Serializer):
    kind = serializers.CharField()
    kind_display = serializers.CharField()
    sampled_at = serializers.DateTimeField()
    verdict = serializers.CharField()
    verdict_display = serializers.CharField()
    organisation = serializers.CharField(allow_blank=True)


class BenefitFactsSerializer(serializers.Serializer):
    batch_households = serializers.IntegerField(
        help_text="为本批次供货或务工的建档立卡贫困户数。"
    )
    producer_households = serializers.IntegerField(
        help_text="与生产主体有利益联结的贫困户数。"
    )
    villages = serializers.ListField(child=serializers.CharField())
    amount_paid = serializers.DecimalField(max_digits=14, decimal_places=2)
    consented_names = serializers.ListField(
        child=serializers.CharField(),
        help_text="仅限已登记同意公开的农户，姓名已脱敏。",
    )


class EventFactsSerializer(serializers.Serializer):
    kind = serializers.CharField()
    kind_display = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    place = serializers.CharField(allow_blank=True)
    actor = serializers.CharField(allow_blank=True)
    quantity = serializers.DecimalField(
        max_digits=14, decimal_places=3, allow_null=True
    )
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


class NotFoundSerializer(serializers.Serializer):
    detail = serializers.CharField()


# As DRF's JSONRenderer encodes (compact, UTF-8, U+2028/U+2029 escaped).
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def label_json(facts: dict) -> bytes:
    """Return the label part as LabelFactsSerializer and JSONRenderer render it.

    Built by hand because it runs on every JSON scan, where the serializer
    fields cost more than the rest of the view (a test holds the two equal).
    """
    zone = timezone.get_default_timezone()  # no view activates another zone

    def moment(value):
        if value is None:
            return None
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    text = _JSON.encode(
        {
            "serial": str(facts["serial"]),
            "status": str(facts["status"]),
            "scan_count": int(facts["scan_count"]),
            "first_scanned_at": moment(facts["first_scanned_at"]),
            "first_scanned_city": str(facts["first_scanned_city"]),
            "suspicious": bool(facts["suspicious"]),
            "checked_at": moment(facts["checked_at"]),
        }
    )
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode()


def label_section(label: dict, *, language: str | None = None) -> str:
    """Return the page's label section (the part that changes with every scan).

    Built from a per-language skeleton: this runs on every scan, and
    format_html with lazy translations cost more than the database lookup.
    """
    skeleton, first_skeleton = _label_section_skeletons(language or get_language())
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
            serial=label["serial"], count=int(label["scan_count"]), first=first
        )
    )


@functools.lru_cache(maxsize=8)
def _label_section_skeletons(language: str | None) -> tuple[str, str]:
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
        f'{{first}}\n</dl>\n<p class="muted">{note}</p>\n</section>\n'
    )
    first = f"<dt>{first}</dt><dd>{{moment}}{{city}}</dd>"
    return section, first


def client_city(request) -> str:
    """Return a coarse city the reverse proxy or the page supplied, if any."""
    meta = request.META
    city = meta.get("HTTP_X_SUYUAN_CITY") or (
        meta.get("QUERY_STRING") and request.GET.get("city")
    )
    return city.strip()[:64] if city else ""


def _scan_facts(request) -> dict:
    return {
        "client_address": client_ident(request),
        "user_agent": request.META.get("HTTP_USER_AGENT", ""),
        "city": client_city(request),
    }


def gate_scan(request, serial: str, *, record: bool = True, count: bool = True):
    """Throttle, find the label and (if allowed) record the scan: one Redis call.

    Return (seconds to wait or None, story generation, the label or None).
    The call may already be on its way (api.middleware.ScanGateEarlyMiddleware
    sent it before the other middleware ran). A label Redis does not know yet
    is read from the database and handed to Redis in a second call, which
    records the scan (labels/scan_cache.py).
    """
    reply = None
    in_flight = request.META.pop(GATE_IN_FLIGHT, None)
    if in_flight is not None:
        if in_flight.gate["serial"] == serial and count and in_flight.record == record:
            gate, reply = in_flight.gate, in_flight.reply()
        else:
            in_flight.settle()
    if reply is None:
        gate = gate_arguments(request, serial, record=record)
        reply = scan_gate(request, **gate, count=count)
    canonical = gate["canonical"]
    if reply.wait is not None or canonical is None:
        return reply.wait, reply.generation, None
    facts = reply.facts
    if facts is None:
        label = label_find_for_scan(serial=canonical)
        if label is None:
            return None, reply.generation, None
        facts = scan_gate(
            request, **gate, count=False, store=scan_cache.facts_of(label)
        ).facts
    return None, reply.generation, scan_cache.label_from_facts(canonical, facts)


def gate_arguments(request, serial: str, *, record: bool) -> dict:
    """Return the gate call's arguments for a scan of `serial` (api.throttling.scan_gate)."""
    canonical = codes.serial_normalize(serial)
    tail, now, city = "", timezone.now(), ""
    if canonical is not None and record:
        facts = _scan_facts(request)
        city = facts["city"]
        tail = scan_record_tail(now=now, **facts)
    return {
        "serial": serial,
        "canonical": canonical,
        "record_tail": tail,
        "now": now.isoformat(),
        "city": city,
    }


def record_scan(request, label) -> None:
    label_after = scan_note(label=label, **_scan_facts(request))
    label.scan_count = label_after.scan_count
    label.first_scanned_at = label_after.first_scanned_at
    label.first_scanned_city = label_after.first_scanned_city


class ScanView(APIView):
    """`GET /api/v1/scan/{serial}`: the public facts of a label, as JSON."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []  # checked below: both limits in one cache round trip

    def check_throttles(self, request):
        if scan_gate_available():
            return  # counted in get(), in the same Redis call as the scan's record
        wait = scan_throttle_wait(request, self)
        if wait is not None:
            self.throttled(request, wait)

    def dispatch(self, request, *args, **kwargs):
        # With the Redis gate the scan answers outside DRF's request cycle:
        # wrapping, negotiation and rendering cost about as much as the scan
        # itself (bench/scan.py). Errors still come from DRF's exception handler.
        if request.method == "GET" and scan_gate_available():
            return _scan_json_gated(request, kwargs["serial"])
        return super().dispatch(request, *args, **kwargs)

    @extend_schema(
        responses={
            200: ScanStorySerializer,
            404: OpenApiResponse(NotFoundSerializer, description="未知或伪造的标签"),
            410: OpenApiResponse(ScanStorySerializer, description="标签已作废"),
        },
        summary="扫码查询（公开）",
    )
    def get(self, request, serial: str):
        label = label_find_for_scan(serial=serial)
        if label is None:
            raise Http404
        record_scan(request, label)
        return _scan_json(label)


class ScanUnavailable(exceptions.APIException):
    status_code = 503
    default_detail = _lazy("扫码服务暂时不可用，请稍后再试。")
    default_code = "unavailable"
    wait = UNAVAILABLE_RETRY_SECONDS  # DRF's exception handler sends it as Retry-After


def _gate_failed(error: Exception) -> None:
    # The type only: a Redis error's text may carry the command, and with it
    # the scan record (client hash, user agent).
    logger.warning("scan: Redis did not answer the gate (%s)", type(error).__name__)


def _unavailable(request, error: Exception) -> HttpResponse:
    _gate_failed(error)
    response = render(
        request, "api/scan_error.html", {"reason": "unavailable"}, status=503
    )
    response["Retry-After"] = str(UNAVAILABLE_RETRY_SECONDS)
    return response


def _scan_json_gated(request, serial: str) -> HttpResponse:
    try:
        wait, generation, label = gate_scan(request, serial)
    except redis.RedisError as error:
        _gate_failed(error)
        return _api_error(request, ScanUnavailable())
    if wait is not None:
        return _api_error(request, exceptions.Throttled(wait))
    if label is None:
        return _api_error(request, exceptions.NotFound())
    language = getattr(request, "LANGUAGE_CODE", None)
    return _scan_json(label, generation=generation, language=language)


def _api_error(request, error: exceptions.APIException) -> HttpResponse:
    """Return DRF's own answer to an API error, rendered as JSON."""
    response = exception_handler(error, {"request": request, "view": None})
    response.accepted_renderer = JSONRenderer()
    response.accepted_media_type = "application/json"
    response.renderer_context = {}
    return response.render()


def _scan_json(
    label, *, generation: int | None = None, language: str | None = None
) -> HttpResponse:
    status = 410 if label.status == LabelStatus.VOID else 200
    if label_adds_warnings(label):
        body = JSONRenderer().render(ScanStorySerializer(scan_story(label=label)).data)
        return HttpResponse(body, status=status, content_type="application/json")
    # The batch part is encoded once per story; per scan only the label part.
    entry = batch_story_entry(
        batch_id=label.batch_id, generation=generation, language=language
    )
    batch_part = entry.derived.get("json")
    if batch_part is None:
        data = dict(ScanStorySerializer(entry.story).data)
        del data["label"]
        batch_part = entry.derived["json"] = JSONRenderer().render(data)[1:]
    body = b'{"label":' + label_json(label_facts(label)) + b"," + batch_part
    return HttpResponse(body, status=status, content_type="application/json")


# Public HTML pages (plain Django views, deliberately outside DRF).


class _ThrottleView:
    def __init__(self, serial: str):
        self.kwargs = {"serial": serial}


def _too_many(request, serial: str) -> HttpResponse | None:
    return _throttled(request, scan_throttle_wait(request, _ThrottleView(serial)))


def _throttled(request, wait: float | None) -> HttpResponse | None:
    if wait is None:
        return None
    response = render(
        request, "api/scan_error.html", {"reason": "throttled"}, status=429
    )
    response["Retry-After"] = str(int(wait) + 1)
    return response


def _not_found(request) -> HttpResponse:
    return render(request, "api/scan_error.html", {"reason": "unknown"}, status=404)


def wants_linkset(request) -> bool:
    if request.META.get("QUERY_STRING") and request.GET.get("linkType") in (
        "all",
        "linkset",
    ):
        return True
    return LINKSET_TYPE in request.META.get("HTTP_ACCEPT", "")


def _links(request, *, label, batch: Batch) -> dict[str, list[dict]]:
    """Return our pages for an item, by GS1 web vocabulary link type."""
    absolute = request.build_absolute_uri
    links: dict[str, list[dict]] = {}
    if batch.product_line.gtin:
        lot_page = codes.lot_url(
            gtin=batch.product_line.gtin, lot=batch.lot_code, base_url=absolute("/")
        )
        links["pip"] = [
            {
                "href": lot_page,
                "title": "产品信息",
                "type": "text/html",
                "hreflang": ["zh-Hans"],
            }
        ]
    if label is not None:
        page = absolute(reverse("scan-page", args=[label.serial]))
        links["traceability"] = [
            {
                "href": page,
                "title": "追溯信息与检测结论",
                "type": "text/html",
                "hreflang": ["zh-Hans"],
            }
        ]
        links["verificationService"] = [
            {
                "href": absolute(reverse("scan", args=[label.serial])),
                "title": "标签真伪核验",
                "type": "application/json",
            }
        ]
        links["defaultLink"] = [{"href": page, "title": "扫码溯源"}]
    if batch.product_line.gtin and certificate_latest(batch=batch) is not None:
        certificate = absolute(
            reverse(
                "digital-link-certificate",
                args=[batch.product_line.gtin, batch.lot_code],
            )
        )
        links["certificationInfo"] = [
            {"href": certificate, "title": "承诺达标合格证", "type": "application/pdf"}
        ]
    return links


def _linkset_response(request, *, label, batch: Batch) -> HttpResponse:
    """Return an RFC 9264 linkset with GS1 link types (GS1 resolver `linkType=all`)."""
    from api.resolver import linkset_for  # it imports this module

    return linkset_for(request, label=label, batch=batch)


def _story_page(request, story: ScanStory, *, status: int = 200) -> HttpResponse:
    context = {"story": story}
    if story.label:
        context["label_section"] = label_section(story.label)
    response = render(request, "api/scan.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _label_response(
    request, label, *, recorded: bool = False, generation: int | None = None
) -> HttpResponse:
    if wants_linkset(request):
        return _linkset_response(request, label=label, batch=label.batch)
    if not recorded:
        record_scan(request, label)
    if label_adds_warnings(label):
        story = scan_story(label=label)
        return _story_page(
            request, story, status=410 if label.status == LabelStatus.VOID else 200
        )
    # The page of a batch is rendered once per story; per scan only the label
    # section (the same include the full template uses) goes in before </main>.
    language = getattr(request, "LANGUAGE_CODE", None)
    entry = batch_story_entry(
        batch_id=label.batch_id, generation=generation, language=language
    )
    page = entry.derived.get("html")
    if page is None:
        html = render_to_string("api/scan.html", {"story": entry.story}, request)
        head, tail = html.rsplit("</main>", 1)
        page = entry.derived["html"] = (head.encode(), ("</main>" + tail).encode())
    section = label_section(label_facts(label), language=language).encode()
    response = HttpResponse(page[0] + section + page[1])
    response["Cache-Control"] = "no-store"
    return response


def scan_page(request, serial: str) -> HttpResponse:
    """`/t/{serial}`: the page a consumer sees after scanning a label."""
    if scan_gate_available():
        # A linkset lookup is not a scan.
        try:
            wait, generation, label = gate_scan(
                request, serial, record=not wants_linkset(request)
            )
        except redis.RedisError as error:
            return _unavailable(request, error)
        if limited := _throttled(request, wait):
            return limited
        if label is None:
            return _not_found(request)
        return _label_response(request, label, recorded=True, generation=generation)
    if limited := _too_many(request, serial):
        return limited
    label = label_find_for_scan(serial=serial)
    if label is None:
        return _not_found(request)
    return _label_response(request, label)


def _batch_for(gtin: str, lot: str) -> Batch | None:
    try:
        gtin = normalize_gtin(gtin)
    except Exception:  # noqa: BLE001 - any malformed GTIN is simply unknown
        return None
    return (
        Batch.objects.select_related(
            "producer__region", "product_line__brand", "origin"
        )
        .filter(product_line__gtin=gtin, lot_code=lot)
        .first()
    )


def digital_link_page(request, gtin: str, lot: str, serial: str) -> HttpResponse:
    """`/01/{gtin}/10/{lot}/21/{serial}`: the GS1 Digital Link of a label.

    A GTIN or lot that disagrees with the serial's batch is a 404; a
    well-formed serial unknown under a known GTIN and lot walks up (303).
    """
    if scan_gate_available():
        try:
            return _digital_link_gated(request, gtin, lot, serial)
        except redis.RedisError as error:
            return _unavailable(request, error)
    if limited := _too_many(request, serial):
        return limited
    if codes.serial_normalize(serial) is None:
        return _not_found(request)
    label = label_find_for_scan(serial=serial)
    if label is None:
        return _walk_up(request, gtin, lot)
    product_gtin = label.batch.product_line.gtin or ""
    if product_gtin != gtin.zfill(14) or label.batch.lot_code != lot:
        return _not_found(request)
    return _label_response(request, label)


def _digital_link_gated(request, gtin: str, lot: str, serial: str) -> HttpResponse:
    """The Digital Link with the Redis gate: the path is checked before the scan counts."""
    wait, generation, label = gate_scan(request, serial, record=False)
    if limited := _throttled(request, wait):
        return limited
    if label is None:
        if codes.serial_normalize(serial) is None:
            return _not_found(request)
        return _walk_up(request, gtin, lot)
    story = batch_story_entry(batch_id=label.batch_id, generation=generation).story
    if story.product["gtin"] != gtin.zfill(14) or story.batch["lot"] != lot:
        return _not_found(request)
    if not wants_linkset(request):
        _wait, _generation, label = gate_scan(request, serial, count=False)
    return _label_response(request, label, recorded=True, generation=generation)


def _walk_up(request, gtin: str, lot: str) -> HttpResponse:
    """A well-formed serial unknown under a known GTIN and lot: 303 to the lot."""
    if _batch_for(gtin, lot) is None:
        return _not_found(request)
    return HttpResponseRedirect(
        codes.lot_url(gtin=gtin, lot=lot, base_url=""), status=303
    )


def digital_link_lot_page(request, gtin: str, lot: str) -> HttpResponse:
    """`/01/{gtin}/10/{lot}`: the public page of a lot, without label facts."""
    batch = _batch_for(gtin, lot)
    if batch is None:
        return _not_found(request)
    if wants_linkset(request):
        return _linkset_response(request, label=None, batch=batch)
    return _story_page(request, batch_story(batch=batch))


def digital_link_certificate(request, gtin: str, lot: str) -> HttpResponse:
    """`/01/{gtin}/10/{lot}/certificate`: the lot's latest 承诺达标合格证 (PDF).

    The certificate travels with the produce, so it is public like the label.
    """
    batch = _batch_for(gtin, lot)
    certificate = certificate_latest(batch=batch) if batch else None
    if certificate is None or not certificate.pdf:
        return _not_found(request)
    return FileResponse(
        certificate.pdf.open("rb"),
        content_type="application/pdf",
        filename=f"certificate-{certificate.number}.pdf",
    )
