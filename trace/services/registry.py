"""Writes of the office's registers: regions, producers, brands, product lines, outlets."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from trace.choices import (
    BatchStatus,
)
from trace.models import (
    Brand,
    Outlet,
    Producer,
    ProductLine,
    Region,
)
from trace.public_cache import batch_story_changed, producer_story_changed
from trace.services.common import audited_save, require_register_keeper, validated_save
from trace.validators import normalize_gtin, normalize_uscc

# Regions, producers, brands, product lines, outlets: the office's registers.
# Each write raises ValidationError (trace.access.Refused) for a user who
# does not keep them (trace.access.may_manage_register): producers and
# outlets are the county office's, within its county; regions, brands and
# product lines, which belong to no county, the administrators'.
REGISTER_ONLY = _("登记册由本县扶贫办（或管理员）维护；市州、省扶贫办只查看汇总。")


def _require_register_keeper(user, *regions: Region | None) -> None:
    require_register_keeper(user, *regions, message=REGISTER_ONLY)


def region_create(
    *,
    name: str,
    level: str,
    created_by,
    parent: Region | None = None,
    code: str = "",
    supply_contact_name: str = "",
    supply_contact_phone: str = "",
) -> Region:
    _require_register_keeper(created_by)
    return validated_save(
        Region(),
        name=name,
        level=level,
        parent=parent,
        code=code,
        supply_contact_name=supply_contact_name,
        supply_contact_phone=supply_contact_phone,
    )


def producer_create(*, created_by, reason: str = "", **fields: Any) -> Producer:
    """Register a producer in a region the user keeps."""
    _require_register_keeper(created_by, _region_field(fields, "region"))
    return audited_save(
        Producer(),
        actor=created_by,
        reason=reason,
        **_normalized_producer_fields(fields),
    )


def producer_update(
    *, producer: Producer, changed_by, reason: str = "", **fields: Any
) -> Producer:
    """Change a producer; both its region and a new one must be the user's."""
    _require_register_keeper(
        changed_by, producer.region, *_moved_to(producer, fields, "region")
    )
    producer_story_changed(producer.pk)
    return audited_save(
        producer,
        actor=changed_by,
        reason=reason,
        **_normalized_producer_fields(fields),
    )


def _region_field(fields: dict[str, Any], name: str) -> Region | None:
    """Return the region a new row names; a missing one is the model's error.

    The check of who may is on the region, so without one nobody but an
    administrator passes it; full_clean then names the missing field.
    """
    region = fields.get(name)
    return region if isinstance(region, Region) else None


def _moved_to(row, fields: dict[str, Any], name: str) -> list[Region]:
    """Return the new region a change moves the row to, if it moves it."""
    region = fields.get(name)
    if isinstance(region, Region) and region.pk != getattr(row, f"{name}_id"):
        return [region]
    return []


def _normalized_producer_fields(fields: dict[str, Any]) -> dict[str, Any]:
    if fields.get("uscc"):
        try:
            fields["uscc"] = normalize_uscc(fields["uscc"])
        except ValidationError as error:
            raise ValidationError({"uscc": error.messages}) from error
    elif "uscc" in fields:
        fields["uscc"] = None
    return fields


def brand_create(*, created_by, **fields: Any) -> Brand:
    _require_register_keeper(created_by)
    return validated_save(Brand(), **fields)


def brand_update(*, brand: Brand, changed_by, **fields: Any) -> Brand:
    _require_register_keeper(changed_by)
    return validated_save(brand, **fields)


@transaction.atomic
def product_line_create(
    *, created_by, protected_regions: Iterable[Region] = (), **fields: Any
) -> ProductLine:
    """Register a product line; a geographical-indication line names its regions.

    Raise ValidationError for a GI line without a protected region.
    """
    _require_register_keeper(created_by)
    line = validated_save(ProductLine(), **_normalized_product_line_fields(fields))
    _set_protected_regions(line, list(protected_regions))
    return line


@transaction.atomic
def product_line_update(
    *,
    product_line: ProductLine,
    changed_by,
    protected_regions: Iterable[Region] | None = None,
    **fields: Any,
) -> ProductLine:
    _require_register_keeper(changed_by)
    fields = _normalized_product_line_fields(fields)
    _check_gtin_kept(product_line=product_line, fields=fields)
    batch_story_changed(*product_line.batches.values_list("pk", flat=True))
    line = validated_save(product_line, **fields)
    _set_protected_regions(
        line,
        list(line.protected_regions.all())
        if protected_regions is None
        else list(protected_regions),
    )
    return line


def _check_gtin_kept(*, product_line: ProductLine, fields: dict[str, Any]) -> None:
    """Refuse a new GTIN once a batch of the line has left draft.

    Its labels carry the GTIN in their Digital Links and its EPCIS events in
    their lot identifiers: a new GTIN would make printed codes and exported
    events name something else (issue 32: what was said stays said).
    """
    if "gtin" not in fields:
        return
    stored = (
        ProductLine.objects.filter(pk=product_line.pk)
        .values_list("gtin", flat=True)
        .first()
    )
    if fields["gtin"] == stored:
        return
    if product_line.batches.exclude(status=BatchStatus.DRAFT).exists():
        raise ValidationError(
            {
                "gtin": _(
                    "该产品线已有放行的批次，标签和追溯数据已使用原 GTIN，不能修改；"
                    "如需新 GTIN，请登记新的产品线。"
                )
            }
        )


def _set_protected_regions(line: ProductLine, regions: list[Region]) -> None:
    # A GI product is protected for a named area (地理标志保护地域): without
    # one, no batch origin could be checked, so the line is not accepted.
    if line.geographical_indication and not regions:
        raise ValidationError(
            {"protected_regions": _("地理标志产品线必须登记保护地域。")}
        )
    line.protected_regions.set(regions)


def _normalized_product_line_fields(fields: dict[str, Any]) -> dict[str, Any]:
    if fields.get("gtin"):
        try:
            fields["gtin"] = normalize_gtin(fields["gtin"])
        except ValidationError as error:
            raise ValidationError({"gtin": error.messages}) from error
    elif "gtin" in fields:
        fields["gtin"] = None
    return fields


def outlet_create(*, created_by, reason: str = "", **fields: Any) -> Outlet:
    """Register an outlet in a region the user keeps."""
    _require_register_keeper(created_by, _region_field(fields, "region"))
    return audited_save(Outlet(), actor=created_by, reason=reason, **fields)


def outlet_update(
    *, outlet: Outlet, changed_by, reason: str = "", **fields: Any
) -> Outlet:
    _require_register_keeper(
        changed_by, outlet.region, *_moved_to(outlet, fields, "region")
    )
    return audited_save(outlet, actor=changed_by, reason=reason, **fields)


@transaction.atomic
def outlet_authorisation_revoke(
    *, outlet: Outlet, revoked_on: datetime.date, reason: str, changed_by
) -> Outlet:
    """Withdraw an outlet's authorisation (授权店 → 取消授权), keeping date and reason.

    Raise ValidationError without a reason, if it is already withdrawn, or
    if the user does not keep the outlet's register.
    """
    _require_register_keeper(changed_by, outlet.region)
    outlet = Outlet.objects.select_for_update().get(pk=outlet.pk)
    if not reason.strip():
        raise ValidationError({"reason": _("取消授权必须说明原因。")})
    if outlet.authorisation_revoked_on is not None:
        raise ValidationError({"status": _("该网点的授权已取消。")})
    return audited_save(
        outlet,
        actor=changed_by,
        reason=reason[:100],
        authorisation_revoked_on=revoked_on,
        authorisation_revoked_reason=reason,
    )
