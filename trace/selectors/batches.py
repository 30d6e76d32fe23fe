"""Reads of batches: scoped lists, what vouches, what a batch may be made of."""

import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from trace import access
from trace.choices import (
    BatchStatus,
)
from trace.models import (
    Batch,
    Producer,
    ProductLine,
    Region,
    SlowSellingMark,
)
from trace.selectors.licences import brand_license_is_valid
from trace.selectors.registry import REGION_PATH

# The statuses in which a batch vouches for its produce: a 承诺达标合格证
# may be issued and shown, and a buy link may lead to it. A batch on hold
# or recalled vouches for nothing (DESIGN.md "Batch", issue 32); a draft is
# not on sale yet.
VOUCHING_STATUSES = (BatchStatus.RELEASED,)


def batch_vouches(*, status: str) -> bool:
    """Return whether a batch in `status` vouches for its produce.

    The one test behind every certificate and buy link: the scan page and its
    JSON twin, the public certificate URLs, the GS1 linkset, the catalogue's
    batches and the issuing of a certificate (reports.certificates).
    """
    return status in VOUCHING_STATUSES


def batch_list_public(*, product_line: ProductLine) -> QuerySet[Batch]:
    """Return the lots of a product line that have a public page (not drafts)."""
    return (
        Batch.objects.filter(product_line=product_line)
        .exclude(status=BatchStatus.DRAFT)
        .select_related("producer", "origin")
        .order_by("-harvest_date", "-pk")
    )


def batch_list_visible_to(*, user) -> QuerySet[Batch]:
    return Batch.objects.filter(access.batch_scope(user)).select_related(
        "producer", "product_line__brand", f"origin__{REGION_PATH}"
    )


def lot_codes_taken(*, product_line: ProductLine | None) -> set[str]:
    """Return the lot codes already used on a product line (they are unique there)."""
    if product_line is None:
        return set()
    return set(
        Batch.objects.filter(product_line=product_line).values_list(
            "lot_code", flat=True
        )
    )


def slow_selling_mark_list() -> QuerySet[SlowSellingMark]:
    """滞销 marks are the offices' public notices: anyone signed in reads them."""
    return SlowSellingMark.objects.select_related("product_line", "batch", "region")


def product_line_refusal(
    *, producer: Producer, product_line: ProductLine, on: datetime.date | None = None
) -> str:
    """Return why the producer may not use the product line, or "" if it may.

    A branded line needs a valid license of its brand for that line
    (统一许可授权); an unbranded line that has an owner belongs to that
    owner alone; an unbranded line without an owner is a generic product
    anyone may register.
    """
    if product_line.brand_id is not None:
        if not brand_license_is_valid(
            producer=producer, product_line=product_line, on=on
        ):
            return _("该主体没有此产品线的有效品牌授权（统一许可授权）。")
        return ""
    if product_line.producer_id is not None and product_line.producer_id != producer.pk:
        return _("该产品线属于其他主体，不能使用。")
    return ""


def origin_refusal(*, product_line: ProductLine, origin: Region) -> str:
    """Return why a batch of the line may not come from the origin, or "".

    A geographical-indication product (地理标志产品) is protected for its
    region: a batch of it must originate inside one of the line's protected
    regions or their descendants. A GI line with no protected region on
    record cannot be checked, so it takes no batches until one is recorded.
    """
    if not product_line.geographical_indication:
        return ""
    regions = list(product_line.protected_regions.all())
    if not regions:
        return _("该地理标志产品线尚未登记保护地域，不能登记批次。")
    if any(origin.lineage.startswith(region.lineage) for region in regions):
        return ""
    return _("地理标志产品的产地必须在其保护地域（%(regions)s）之内。") % {
        "regions": "、".join(region.name for region in regions)
    }
