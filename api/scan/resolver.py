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

from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.response import HttpResponseRedirectBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from api.scan import gate
from api.scan.linkset import (
    GS1_VOCABULARY,
    LINKSET_CONTEXT,
    UnknownKey,
    cors,
    levels_of,
    link_header,
    linkset_response,
    requested_link_type,
    wants_linkset,
)
from api.scan.story import batch_story_entry
from api.scan.views import WALKED_UP, scan_page
from labels import digital_link
from labels.choices import LabelStatus
from labels.digital_link import DigitalLinkError, ItemKey, UnsupportedKey
from labels.selectors import batch_find_public
from trace.models import Batch
from trace.selectors.batches import batch_list_public
from trace.selectors.registry import product_line_by_gtin
from trace.validators import is_ascii_number

# The namespaces GS1 has used for its web vocabulary, and the CURIE prefix.
GS1_NAMESPACES = (
    "gs1:",
    "https://gs1.org/voc/",
    "http://gs1.org/voc/",
    "https://ref.gs1.org/voc/",
    "https://www.gs1.org/voc/",
)


def reads_only(view):
    """Answer GET, HEAD and OPTIONS; any other method 405 with `Allow`.

    CSRF is waived because nothing here writes: without it a POST got the
    CSRF 403 before the method check, which tells a client nothing.
    """
    return csrf_exempt(require_http_methods(["GET", "HEAD", "OPTIONS"])(view))


class TemporaryRedirect(HttpResponseRedirectBase):
    """307: the client asks the target with the same method (GS1 resolvers)."""

    status_code = 307


# Views.


@reads_only
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


@reads_only
def compressed_link(request, segment: str) -> HttpResponse:
    """`/{base64}`: resolve a compressed GS1 Digital Link URI like its twin."""
    try:
        key = digital_link.decompress_key(segment)
    except DigitalLinkError as error:
        return _error(request, str(error), status=400)
    except UnsupportedKey:
        return _error(request, _("本解析服务只解析 GTIN（AI 01）。"), status=404)
    except ValueError:
        # Not a Digital Link at all (any one-segment path reaches here): the
        # site's own 404 page.
        raise Http404 from None
    same_as = request.build_absolute_uri(key.path())
    return _resolve(request, key, same_as=same_as)


@reads_only
def description(request) -> HttpResponse:
    """`/.well-known/gs1resolver`: the resolver description file."""
    if request.method == "OPTIONS":
        return cors(HttpResponse(status=204), preflight=True)
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
    return cors(response)


def product_page(request, gtin: str) -> HttpResponse:
    """`/p/{gtin}`: the public page of a product line (its GTIN's default link).

    A GTIN that is not 14 digits is a malformed URI, a 400 like the
    resolver's; it never reaches the database (PostgreSQL refuses a NUL).
    """
    if not (is_ascii_number(gtin) and len(gtin) == 14):
        return _error(request, _("GTIN 格式错误：应为 14 位数字。"), status=400)
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
    links = link_header(request, key, same_as=same_as)
    if request.method == "OPTIONS":
        return cors(HttpResponse(status=204, headers={"Link": links}), preflight=True)
    link_type = requested_link_type(request)
    if wants_linkset(request):
        try:
            return linkset_response(request, key=key, same_as=same_as)
        except UnknownKey:
            return _error(request, _("查无此码。"), status=404)
    if key.serial and not link_type:
        # The common case, a phone scanning a label: the label as the scan
        # gate reads it (from Redis in buffered mode) and its batch's story as
        # the worker keeps it, so once warm no query. Throttled like /t/
        # (per client and per serial), so made-up serials cannot be tried
        # here without limit (issue 34); not recorded: the page it leads to
        # records the scan. The serial is a GS1 key, the label only as
        # printed: another case is a serial we never issued and walks up
        # (labels.codes.serial_normalize).
        passage = gate.scan_pass(request, key.serial, record=False, gs1_key=True)
        if passage.wait is not None:
            response = _error(request, _("扫码过于频繁，请稍后再试。"), status=429)
            response["Retry-After"] = str(int(passage.wait) + 1)
            return response
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
        levels, label = levels_of(request, key)
    except UnknownKey:
        return _error(request, _("查无此码。"), status=404)
    if not link_type and label is not None and label.status == LabelStatus.VOID:
        # A deactivated code is 410 Gone (GS1 resolver); its page says why.
        response = scan_page(request, label.serial)
        response["Link"] = links
        return cors(response)
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
        batch = batch_find_public(gtin=key.gtin, lot=key.lot)
        if batch is not None:
            page = reverse("lot-page", args=[key.gtin, key.lot])
            response = HttpResponseRedirect(
                f"{page}?{urlencode({WALKED_UP: 1})}", status=303
            )
            response["Link"] = links
            return cors(response)
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
    return cors(response)


def _link_type(requested: str) -> str:
    """Return the GS1 link type name of `gs1:pip` or its URI forms ('' if other)."""
    for namespace in GS1_NAMESPACES:
        if requested.startswith(namespace):
            return requested[len(namespace) :]
    return ""


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
    return cors(response)
