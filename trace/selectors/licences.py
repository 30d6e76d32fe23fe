"""Reads of brand licenses (统一许可授权)."""

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from trace import access
from trace.models import (
    BrandLicense,
    Producer,
    ProductLine,
)


def brand_license_list_visible_to(*, user) -> QuerySet[BrandLicense]:
    return (
        BrandLicense.objects.filter(access.producer_scope(user, "producer"))
        .select_related("brand", "producer")
        .prefetch_related("product_lines")
    )


def brand_license_is_valid(
    *, producer: Producer, product_line: ProductLine, on: datetime.date | None = None
) -> bool:
    """Return True if the producer may use the line's brand on the given day.

    Unbranded product lines need no license.
    """
    if product_line.brand_id is None:
        return True
    on = on or timezone.localdate()
    return BrandLicense.objects.filter(
        producer=producer,
        brand_id=product_line.brand_id,
        product_lines=product_line,
        valid_from__lte=on,
        valid_until__gte=on,
        revoked_at__isnull=True,
    ).exists()
