"""Writes of brand licenses (统一许可授权)."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from trace import access
from trace.models import (
    Brand,
    BrandLicense,
    Producer,
    ProductLine,
)
from trace.public_cache import producer_story_changed
from trace.services.common import validated_save

# Brand licenses (统一许可授权): the office's register, kept by its
# administrators (trace.access.may_manage_register).


def _require_register_keeper(user) -> None:
    access.require(
        access.may_manage_register(user),
        field=NON_FIELD_ERRORS,
        message=_("品牌授权由扶贫办（管理员）办理。"),
    )


@transaction.atomic
def brand_license_grant(
    *,
    brand: Brand,
    producer: Producer,
    product_lines: Iterable[ProductLine],
    valid_from: datetime.date,
    valid_until: datetime.date,
    created_by,
) -> BrandLicense:
    _require_register_keeper(created_by)
    product_lines = list(product_lines)
    if valid_until < valid_from:
        raise ValidationError({"valid_until": _("授权截止日期不能早于起始日期。")})
    if any(line.brand_id != brand.pk for line in product_lines):
        raise ValidationError({"product_lines": _("只能授权该品牌下的产品线。")})
    license_ = validated_save(
        BrandLicense(),
        brand=brand,
        producer=producer,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    license_.product_lines.set(product_lines)
    producer_story_changed(producer.pk)  # the 统一品牌 mark
    return license_


def brand_license_revoke(
    *, license_: BrandLicense, reason: str, changed_by
) -> BrandLicense:
    _require_register_keeper(changed_by)
    if not reason.strip():
        raise ValidationError({"reason": _("撤销授权必须说明原因。")})
    if license_.revoked_at is not None:
        raise ValidationError({"status": _("该授权已撤销。")})
    producer_story_changed(license_.producer_id)
    return validated_save(license_, revoked_at=timezone.now(), revoked_reason=reason)
