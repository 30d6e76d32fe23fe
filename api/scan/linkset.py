"""Linksets: the links of a label, lot or product by GS1 link type (RFC 9264).

One rule says when a request asks for the linkset (`wants_linkset`), and
one function answers it (`linkset_response`), for the resolver's Digital
Link URIs (api/scan/resolver.py) and for the pages they lead to (/t/, /p/,
api/scan/views.py) alike. Every level known for a key has links by GS1
link type, one of them `gs1:defaultLink` (GS1-Conformant Resolver 1.2).
"""

import json
from dataclasses import dataclass, field

from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from labels.choices import LabelStatus
from labels.digital_link import ItemKey
from labels.selectors import batch_find_public, label_find_for_scan
from reports.selectors.certificates import certificate_public
from trace.choices import BatchStatus
from trace.models import Batch, ProductLine
from trace.selectors.registry import product_line_by_gtin

LINKSET_TYPE = "application/linkset+json"
GS1_VOCABULARY = "https://gs1.org/voc/"
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


class UnknownKey(Exception):
    """The key names no item, lot or product we know."""


def requested_link_type(request) -> str:
    """Return the `linkType` the request asks for ('' if none)."""
    if not request.META.get("QUERY_STRING"):
        return ""
    return request.GET.get("linkType", "")


def wants_linkset(request) -> bool:
    """Return whether the request asks for the linkset rather than a page.

    `?linkType=linkset` (or `all`) does; so does `Accept:
    application/linkset+json` when no other link type is asked for (an
    explicit `linkType` wins over the Accept header, GS1-Conformant Resolver
    1.2).
    """
    link_type = requested_link_type(request)
    if link_type:
        return link_type in ("linkset", "all")
    return LINKSET_TYPE in request.META.get("HTTP_ACCEPT", "")


def link_header(request, key: ItemKey, *, same_as: str | None = None) -> str:
    """Return the Link header: the linkset, and a compressed URI's twin."""
    anchor = request.build_absolute_uri(key.path())
    header = f'<{anchor}?linkType=linkset>; rel="linkset"; type="{LINKSET_TYPE}"'
    if same_as:
        header += f', <{same_as}>; rel="owl:sameAs"'
    return header


def levels_of(request, key: ItemKey):
    """Return the known levels of a key, most granular first, and its label.

    Raise UnknownKey for an unknown GTIN, a serial we did not issue or a
    label whose GTIN or lot is not the key's: a linkset describes known
    items only (a page request for an unknown serial walks up instead).
    """
    product_line = product_line_by_gtin(gtin=key.gtin)
    if product_line is None:
        raise UnknownKey
    label, batch = None, None
    if key.serial:
        label = label_find_for_scan(serial=key.serial, gs1_key=True)
        if label is None:
            raise UnknownKey
        batch = Batch.objects.select_related("product_line__brand").get(
            pk=label.batch_id
        )
        if batch.product_line_id != product_line.pk or (
            key.lot and batch.lot_code != key.lot
        ):
            raise UnknownKey
    if key.lot and batch is None:
        batch = batch_find_public(gtin=key.gtin, lot=key.lot)
    absolute = request.build_absolute_uri
    levels = []
    if label is not None:
        levels.append(_item_level(absolute, key, label, batch, product_line))
    if batch is not None and batch.status != BatchStatus.DRAFT and key.lot:
        levels.append(_lot_level(absolute, batch, product_line))
    levels.append(_product_level(absolute, product_line))
    return levels, label


def linkset_response(
    request,
    *,
    key: ItemKey | None = None,
    label=None,
    batch: Batch | None = None,
    same_as: str | None = None,
) -> HttpResponse:
    """Return the RFC 9264 linkset of a Digital Link key, or of a label or lot.

    The resolver passes the URI's `key`; a page (/t/, /p/) passes its label
    or lot, whose key is its product line's GTIN, the lot and the serial.
    Without a GTIN there is no GS1 key: the linkset is the label's own links
    anchored at its page. Raise UnknownKey for a key we do not know.
    """
    if key is None:
        product_line = ProductLine.objects.select_related("brand").get(
            pk=batch.product_line_id
        )
        if not product_line.gtin:
            levels = []
            if label is not None:
                absolute = request.build_absolute_uri
                levels.append(_item_level(absolute, None, label, batch, product_line))
            return _linkset(request, levels, links="")
        serial = label.serial if label is not None else ""
        key = ItemKey(product_line.gtin, batch.lot_code, serial)
    levels, _label = levels_of(request, key)
    return _linkset(request, levels, links=link_header(request, key, same_as=same_as))


def _linkset(request, levels: list[Level], *, links: str) -> HttpResponse:
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
    return cors(response)


def cors(response: HttpResponse, *, preflight: bool = False) -> HttpResponse:
    """Add the CORS headers GS1 resolvers send (any origin, read-only methods)."""
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "Link, Location"
    response["Access-Control-Allow-Methods"] = METHODS
    if preflight:
        response["Access-Control-Allow-Headers"] = "Accept, Accept-Language"
        response["Access-Control-Max-Age"] = "86400"
        response["Allow"] = METHODS
    return response


def _item_level(
    absolute, key: ItemKey | None, label, batch: Batch, product_line
) -> Level:
    page = absolute(reverse("scan-page", args=[label.serial]))
    description = _("%(product)s · 批次 %(lot)s · 序列号 %(serial)s") % {
        "product": product_name(product_line),
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
        "product": product_name(product_line),
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
        description=product_name(product_line),
        links=[
            Link("defaultLink", page, _("产品信息")),
            Link("pip", page, _("产品信息"), "text/html"),
        ],
    )


def product_name(product_line: ProductLine) -> str:
    brand = product_line.brand.name if product_line.brand_id else ""
    if brand and brand != product_line.name:
        return f"{brand} · {product_line.name}"
    return product_line.name
