"""Writes of a region's list of sales channels."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from trace import access
from trace.channels import COUNTY_LISTS, ChannelSpec
from trace.choices import OutletKind
from trace.models import Region, SalesChannel


@transaction.atomic
def region_channels_set(
    *, region: Region, channels: Iterable[ChannelSpec], changed_by
) -> list[SalesChannel]:
    """Replace the region's own list of channels; its descendants inherit it.

    Raise ValidationError, writing nothing, if the user does not keep the
    office's registers, a code repeats or an outlet kind is unknown.
    """
    access.require(
        access.may_manage_register(changed_by),
        field="region",
        message=_("只有扶贫办可以设置销售渠道。"),
    )
    channels = list(channels)
    codes = [spec.code for spec in channels]
    if len(set(codes)) != len(codes):
        raise ValidationError({"channels": _("渠道代码不能重复。")})
    for spec in channels:
        if unknown := set(spec.outlet_kinds) - set(OutletKind.values):
            raise ValidationError(
                {
                    "channels": _("未知的网点类型：%(kinds)s")
                    % {"kinds": "、".join(unknown)}
                }
            )
    SalesChannel.objects.filter(region=region).delete()
    rows = []
    for position, spec in enumerate(channels):
        row = SalesChannel(
            region=region,
            code=spec.code,
            name=spec.name,
            way=spec.way,
            outlet_kinds=list(spec.outlet_kinds),
            position=position,
        )
        row.full_clean()
        rows.append(row)
    return SalesChannel.objects.bulk_create(rows)


def region_channels_adopt(*, region: Region, list_key: str, changed_by):
    """Give the region one of the counties' lists of trace.channels.COUNTY_LISTS."""
    if list_key not in COUNTY_LISTS:
        raise ValidationError({"list_key": _("没有这个渠道清单。")})
    return region_channels_set(
        region=region, channels=COUNTY_LISTS[list_key], changed_by=changed_by
    )
