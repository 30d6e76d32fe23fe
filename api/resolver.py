"""The GS1-Conformant resolver: GS1 Digital Link URIs of our GTINs.

What GS1-Conformant Resolver 1.2 asks, and what its test suite
(gs1/GS1DL-resolver-testsuite) checks, answered here for AI 01 and its
qualifiers, uncompressed (`/01/{gtin}/10/{lot}/21/{serial}`) or compressed
(`/{base64}`, labels/digital_link.py):

- a malformed URI (check digit, qualifier order, unknown segment) is a 400
  with a message; an unknown GTIN is a 404; a serial we never issued walks
  up (303, DESIGN.md "QR codes") to its lot's page when the lot is public,
  and that page says in red that the code is not on record and vouches for
  no item (issue 23); forged and mistyped serials alike, so the answer tells
  a forger nothing about which serials pass the keyed check. GS1 keys are
  case-sensitive (issue 32): a serial in another case than printed is one
  we never issued, a lot in another case a lot we do not know (only a
  typed serial, /t/, folds case);
- each known level (item, lot, product) has links by GS1 link type, one of
  them `gs1:defaultLink`; a request walks up from an unknown lot to the
  product and is redirected (307) to its default link, or to
  the link of the `linkType` it asks for (404 if none), passing the query on;
- `?linkType=linkset` (or `all`) or `Accept: application/linkset+json` gets
  the RFC 9264 linkset of every level, valid against GS1's linkset schema;
- every answer carries CORS headers and a `Link` header to the linkset; a
  compressed URI's also names its uncompressed twin (`owl:sameAs`);
- a void label answers 410 Gone with its warning page.

The resolver does not count scans: the label's page it redirects to does,
so a scan counts once however many hops it took.
"""

import json
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.response import HttpResponseRedirectBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from api.scan import gate, scan_page
from api.scan.story import batch_story_entry
from api.scan.views import LINKSET_TYPE, WALKED_UP
from labels import digital_link
from labels.choices import LabelStatus
from labels.digital_link import DigitalLinkError, ItemKey, UnsupportedKey
from labels.selectors import label_find_for_scan
from reports.selectors.certificates import certificate_public
from trace.choices import BatchStatus
from trace.models import Batch, ProductLine
from trace.selectors import batch_list_public, product_line_by_gtin

GS1_VOCABULARY = "https://gs1.org/voc/"
# The namespaces GS1 has used for its web vocabulary, and the CURIE prefix.
GS1_NAMESPACES = (
    "gs1:",
    "https://gs1.org/voc/",
    "http://gs1.org/voc/",
    "https://ref.gs1.org/voc/",
    "https://www.gs1.org/voc/",
)
# GS1-Conformant Resolver 1.2, linkset context (served as application/ld+json).
LINKSET_CONTEXT = "https://ref.gs1.org/standards/resolver/linkset-context"
METHODS = "GET, HEAD, OPTIONS"
# The hreflang of our pages; GS1's linkset schema takes "xx" or "xx-XX" only.
PAGE_LANGUAGE = ["zh-CN"]


@dataclass
class Link:
    """One link of a level, by GS1 link type (the name after gs1:)."""

    link_type: str
    href: str
    title: str
    media_type: str = ""
    language: bool = True

    def as_json(self) -> dict:
        # GS1-Conformant Resolver 1.2: the default link has a title and no
        # other attribute; the others say their media type and language.
        target = {"href": self.href, "title": self.title}
        if self.link_type == "defaultLink":
            return target
        if self.media_type:
            target["type"] = self.media_type
        if self.language:
            target["hreflang"] = PAGE_LANGUAGE
        return target


@dataclass
class Level:
    """An identified entity (item, lot or product) and its links."""

    key: ItemKey | None
    description: str
    links: list[Link] = field(default_factory=list)
    anchor: str = ""  # when not the key's Digital Link (a label without a GTIN)

    def link(self, link_type: str) -> Link | None:
        return next((x for x in self.links if x.link_type == link_type), None)


class _NotFound(Exception):
    pass


class TemporaryRedirect(HttpResponseRedirectBase):
    """307: the client asks the target with the same method (GS1 resolvers)."""

    status_code = 307


# Views.


@require_http_methods(["GET", "HEAD", "OPTIONS"])
def uncompressed_link(request) -> HttpResponse:
    """`/01/…`: resolve an uncompressed GS1 Digital Link URI."""
    raw_uri = request.META.get("RAW_URI") or request.META.get("REQUEST_URI")
    path = digital_link.request_path(raw_uri=raw_uri, path=request.path)
    try:
        key = digital_link.parse_path(path)
    except DigitalLinkError as error:
        key = None if raw_uri else _lot_with_slash(path)
        if key is None:
            return _error(request, str(error), status=400)
    except UnsupportedKey:
        return _error(request, _("本解析服务只解析 GTIN（AI 01）。"), status=404)
    return _resolve(request, key)


def _lot_with_slash(path: str) -> ItemKey | None:
    """Return the key of a decoded path whose known lot holds "/", or None."""
    regrouped = digital_link.lot_slash_path(path)
    try:
        key = digital_link.parse_path(regrouped) if regrouped else None
    except (DigitalLinkError, UnsupportedKey):
        return None
    if (
        key
        and Batch.objects.filter(product_line__gtin=key.gtin, lot_code=key.lot).exists()
    ):
        return key
    return None


@require_http_methods(["GET", "HEAD", "OPTIONS"])
def compressed_link(request, segment: str) -> HttpResponse:
    """`/{base64}`: resolve a compressed GS1 Digital Link URI like its twin."""
    try:
        key = digital_link.decompress_key(segment)
    except DigitalLinkError as error:
        return _error(request, str(error), status=400)
    except ValueError:
        return _error(request, _("找不到该页面。"), status=404)
    same_as = request.build_absolute_uri(key.path())
    return _resolve(request, key, same_as=same_as)


@require_http_methods(["GET", "HEAD", "OPTIONS"])
def description(request) -> HttpResponse:
    """`/.well-known/gs1resolver`: the resolver description file."""
    if request.method == "OPTIONS":
        return _cors(HttpResponse(status=204), preflight=True)
    root = request.build_absolute_uri("/").rstrip("/")
    document = {
        "name": _("溯源 · 消费扶贫产品 GS1 解析服务"),
        "resolverRoot": root,
        "supportedPrimaryKeys": ["01"],
        "supportedLinkType": [{"namespace": GS1_VOCABULARY, "prefix": "gs1:"}],
        "linkTypeDefaultCanBeLinkset": False,
        "jsonLdContextLocation": LINKSET_CONTEXT,
    }
    if operator := settings.SUYUAN_RESOLVER_OPERATOR:
        document["contact"] = {"fn": operator}
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False})
    return _cors(response)


def product_page(request, gtin: str) -> HttpResponse:
    """`/p/{gtin}`: the public page of a product line (its GTIN's default link)."""
    product_line = product_line_by_gtin(gtin=gtin)
    if product_line is None:
        return render(request, "api/scan_error.html", {"reason": "unknown"}, status=404)
    lots = [
        {
            "lot": batch.lot_code,
            "harvest_date": batch.harvest_date,
            "producer": batch.producer.name,
            "status": batch.status,
            "status_display": batch.get_status_display(),
            "url": reverse("lot-page", args=[gtin, batch.lot_code]),
        }
        for batch in batch_list_public(product_line=product_line)[:30]
    ]
    context = {"product_line": product_line, "lots": lots}
    return render(request, "api/product.html", context)


# Resolution.


def _resolve(request, key: ItemKey, *, same_as: str | None = None) -> HttpResponse:
    links = _link_header(request, key, same_as=same_as)
    if request.method == "OPTIONS":
        return _cors(HttpResponse(status=204, headers={"Link": links}), preflight=True)
    link_type = request.GET.get("linkType", "") if request.META["QUERY_STRING"] else ""
    wants_linkset = link_type in ("linkset", "all") or (
        not link_type and LINKSET_TYPE in request.META.get("HTTP_ACCEPT", "")
    )
    if key.serial and not link_type and not wants_linkset:
        # The common case, a phone scanning a label: the label as the scan
        # gate reads it (from Redis in buffered mode) and its batch's story as
        # the worker keeps it, so once warm no query. Neither counted nor
        # throttled here: the page it leads to counts the scan. The serial is
        # a GS1 key, the label only as printed: another case is a serial we
        # never issued and walks up (labels.codes.serial_normalize).
        passage = gate.scan_pass(
            request, key.serial, record=False, count_limits=False, gs1_key=True
        )
        label = passage.label
        if label is None:
            return _unknown_serial(request, key, links=links)
        if label.status != LabelStatus.VOID:
            story = batch_story_entry(
                batch_id=label.batch_id,
                generation=passage.generation,
                language=getattr(request, "LANGUAGE_CODE", None),
            ).story
            if story.product["gtin"] != key.gtin or (
                key.lot and story.batch["lot"] != key.lot
            ):
                return _error(request, _("查无此码。"), status=404)
            page = reverse("scan-page", args=[label.serial])
            return _redirect(request, request.build_absolute_uri(page), links=links)
    try:
        levels, label = _levels(request, key)
    except _NotFound:
        return _error(request, _("查无此码。"), status=404)
    if wants_linkset:
        return _linkset(request, levels, links=links)
    if not link_type and label is not None and label.status == LabelStatus.VOID:
        # A deactivated code is 410 Gone (GS1 resolver); its page says why.
        response = scan_page(request, label.serial)
        response["Link"] = links
        return _cors(response)
    wanted = _link_type(link_type) if link_type else "defaultLink"
    target = next((level.link(wanted) for level in levels if level.link(wanted)), None)
    if target is None:
        return _error(
            request,
            _("没有“%(type)s”类型的链接。") % {"type": link_type},
            status=404,
        )
    return _redirect(request, target.href, links=links)


def _unknown_serial(request, key: ItemKey, *, links: str) -> HttpResponse:
    """Walk a serial we never issued up to its lot's page (303), or answer 404.

    Any unknown serial under a public lot walks up, forged or mistyped: the
    lot's page says the code is not on record, so a made-up serial under a
    real lot never reads as genuine, and the keyed check is not revealed.
    """
    if key.lot:
        batch = (
            Batch.objects.filter(product_line__gtin=key.gtin, lot_code=key.lot)
            .exclude(status=BatchStatus.DRAFT)
            .first()
        )
        if batch is not None:
            page = reverse("lot-page", args=[key.gtin, key.lot])
            response = HttpResponseRedirect(
                f"{page}?{urlencode({WALKED_UP: 1})}", status=303
            )
            response["Link"] = links
            return _cors(response)
    return _error(request, _("查无此码。"), status=404)


def _redirect(request, location: str, *, links: str) -> HttpResponse:
    """Return a 307 to the link, passing the query on (but linkType)."""
    passed_on = [
        (name, value)
        for name, values in request.GET.lists()
        if name != "linkType"
        for value in values
    ]
    if passed_on:
        location += ("&" if "?" in location else "?") + urlencode(passed_on)
    response = TemporaryRedirect(location, headers={"Link": links})
    response["Vary"] = "Accept"
    return _cors(response)


def _levels(request, key: ItemKey):
    """Return the known levels of a key, most granular first, and its label.

    Raise _NotFound for an unknown GTIN, a serial we did not issue or a label
    whose GTIN or lot is not the URI's: a linkset describes known items only
    (a page request for an unknown serial walks up in `_unknown_serial`).
    """
    product_line = product_line_by_gtin(gtin=key.gtin)
    if product_line is None:
        raise _NotFound
    label, batch = None, None
    if key.serial:
        label = label_find_for_scan(serial=key.serial, gs1_key=True)
        if label is None:
            raise _NotFound
        batch = Batch.objects.select_related("product_line__brand").get(
            pk=label.batch_id
        )
        if batch.product_line_id != product_line.pk or (
            key.lot and batch.lot_code != key.lot
        ):
            raise _NotFound
    if key.lot and batch is None:
        batch = (
            Batch.objects.filter(product_line=product_line, lot_code=key.lot)
            .exclude(status=BatchStatus.DRAFT)
            .first()
        )
    absolute = request.build_absolute_uri
    levels = []
    if label is not None:
        levels.append(_item_level(absolute, key, label, batch, product_line))
    if batch is not None and batch.status != BatchStatus.DRAFT and key.lot:
        levels.append(_lot_level(absolute, batch, product_line))
    levels.append(_product_level(absolute, product_line))
    return levels, label


def _item_level(
    absolute, key: ItemKey | None, label, batch: Batch, product_line
) -> Level:
    page = absolute(reverse("scan-page", args=[label.serial]))
    description = _("%(product)s · 批次 %(lot)s · 序列号 %(serial)s") % {
        "product": _product_name(product_line),
        "lot": batch.lot_code,
        "serial": label.serial,
    }
    if label.status == LabelStatus.VOID:
        description += _("（此标签已作废，请勿相信）")
    return Level(
        key=ItemKey(key.gtin, key.lot, label.serial) if key else None,
        anchor="" if key else page,
        description=description,
        links=[
            Link("defaultLink", page, _("扫码溯源")),
            Link("traceability", page, _("追溯信息与检测结论"), "text/html"),
            Link(
                "verificationService",
                absolute(reverse("scan", args=[label.serial])),
                _("标签真伪核验"),
                "application/json",
                language=False,
            ),
        ],
    )


def _lot_level(absolute, batch: Batch, product_line) -> Level:
    page = absolute(reverse("lot-page", args=[product_line.gtin, batch.lot_code]))
    description = _("%(product)s · 批次 %(lot)s（%(status)s）") % {
        "product": _product_name(product_line),
        "lot": batch.lot_code,
        "status": batch.get_status_display(),
    }
    links = [
        Link("defaultLink", page, _("批次追溯信息")),
        Link("traceability", page, _("批次追溯信息与检测结论"), "text/html"),
    ]
    if certificate_public(batch=batch) is not None:  # none while held (issue 32)
        certificate = reverse(
            "digital-link-certificate", args=[product_line.gtin, batch.lot_code]
        )
        links.append(
            Link(
                "certificationInfo",
                absolute(certificate),
                _("承诺达标合格证"),
                "application/pdf",
            )
        )
    return Level(
        key=ItemKey(product_line.gtin, batch.lot_code),
        description=description,
        links=links,
    )


def _product_level(absolute, product_line: ProductLine) -> Level:
    page = absolute(reverse("product-page", args=[product_line.gtin]))
    return Level(
        key=ItemKey(product_line.gtin),
        description=_product_name(product_line),
        links=[
            Link("defaultLink", page, _("产品信息")),
            Link("pip", page, _("产品信息"), "text/html"),
        ],
    )


def _product_name(product_line: ProductLine) -> str:
    brand = product_line.brand.name if product_line.brand_id else ""
    if brand and brand != product_line.name:
        return f"{brand} · {product_line.name}"
    return product_line.name


def _link_type(requested: str) -> str:
    """Return the GS1 link type name of `gs1:pip` or its URI forms ('' if other)."""
    for namespace in GS1_NAMESPACES:
        if requested.startswith(namespace):
            return requested[len(namespace) :]
    return ""


def linkset_for(request, *, label, batch: Batch) -> HttpResponse:
    """Return the linkset of a label or lot asked for at its page (/t/, /p/).

    With a GTIN it is the linkset of its Digital Link; without, the label's
    own links anchored at its page (there is no GS1 key to name it by).
    """
    product_line = ProductLine.objects.select_related("brand").get(
        pk=batch.product_line_id
    )
    serial = label.serial if label is not None else ""
    if product_line.gtin:
        key = ItemKey(product_line.gtin, batch.lot_code, serial)
        levels, _label = _levels(request, key)
        return _linkset(request, levels, links=_link_header(request, key, same_as=None))
    levels = []
    if label is not None:
        levels.append(
            _item_level(request.build_absolute_uri, None, label, batch, product_line)
        )
    return _linkset(request, levels, links="")


# Answers.


def _linkset(request, levels: list[Level], *, links: str) -> HttpResponse:
    """Return the RFC 9264 linkset of the levels (GS1's linkset schema)."""
    linkset = []
    for level in levels:
        entry = {
            "anchor": level.anchor or request.build_absolute_uri(level.key.path()),
            "itemDescription": level.description,
        }
        for link in level.links:
            entry.setdefault(GS1_VOCABULARY + link.link_type, []).append(link.as_json())
        linkset.append(entry)
    body = json.dumps({"linkset": linkset}, ensure_ascii=False)
    response = HttpResponse(body, content_type=LINKSET_TYPE)
    context = (
        f'<{LINKSET_CONTEXT}>; rel="http://www.w3.org/ns/json-ld#context"; '
        'type="application/ld+json"'
    )
    response["Link"] = f"{links}, {context}" if links else context
    response["Vary"] = "Accept"
    return _cors(response)


def _link_header(request, key: ItemKey, *, same_as: str | None) -> str:
    """Return the Link header: the linkset, and a compressed URI's twin."""
    anchor = request.build_absolute_uri(key.path())
    header = f'<{anchor}?linkType=linkset>; rel="linkset"; type="{LINKSET_TYPE}"'
    if same_as:
        header += f', <{same_as}>; rel="owl:sameAs"'
    return header


def _error(request, message: str, *, status: int) -> HttpResponse:
    """Return an error as JSON for a client that asks for it, else as text.

    The message names only what the URI held (GTIN, lot, serial are printed
    on the label), never anything of a household.
    """
    accept = request.META.get("HTTP_ACCEPT", "")
    if "json" in accept:
        response = JsonResponse(
            {"detail": message},
            status=status,
            json_dumps_params={"ensure_ascii": False},
        )
    elif status == 404 and "html" in accept:
        response = render(
            request, "api/scan_error.html", {"reason": "unknown"}, status=404
        )
    else:
        response = HttpResponse(
            message + "\n", status=status, content_type="text/plain; charset=utf-8"
        )
    return _cors(response)


def _cors(response: HttpResponse, *, preflight: bool = False) -> HttpResponse:
    """Add the CORS headers GS1 resolvers send (any origin, read-only methods)."""
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "Link, Location"
    response["Access-Control-Allow-Methods"] = METHODS
    if preflight:
        response["Access-Control-Allow-Headers"] = "Accept, Accept-Language"
        response["Access-Control-Max-Age"] = "86400"
        response["Allow"] = METHODS
    return response
