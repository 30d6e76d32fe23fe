"""Reads of the sales channels a region uses (its own list or its ancestors')."""

from trace.channels import DEFAULT_CHANNELS, ChannelSpec
from trace.models import Region, Sale, SalesChannel


def region_channels(*, region: Region | None) -> tuple[ChannelSpec, ...]:
    """Return the channels of the nearest region up the tree that keeps a list.

    A village uses its county's list, a county without one its city's or
    province's; with none anywhere, the default 五进 and 三专 (DEFAULT_CHANNELS).
    """
    if region is None:
        return DEFAULT_CHANNELS
    ancestor_ids = [int(pk) for pk in region.lineage.strip("/").split("/") if pk]
    rows = list(
        SalesChannel.objects.filter(region_id__in=ancestor_ids).order_by(
            "position", "id"
        )
    )
    for region_id in reversed(ancestor_ids):
        own = [row for row in rows if row.region_id == region_id]
        if own:
            return tuple(
                ChannelSpec(row.code, row.name, tuple(row.outlet_kinds), row.way)
                for row in own
            )
    return DEFAULT_CHANNELS


def region_channel(*, region: Region | None, code: str) -> ChannelSpec | None:
    """Return the channel of the region's list with the code, or None."""
    return next(
        (spec for spec in region_channels(region=region) if spec.code == code), None
    )


def sale_channel_region(sale: Sale) -> Region:
    """Return the region whose list names a sale's channel: the batch's origin."""
    return sale.batch.origin


def sale_channel_name(sale: Sale) -> str:
    """Return the sale's channel under its county's own name (进车站, 进家庭)."""
    spec = region_channel(region=sale_channel_region(sale), code=sale.channel)
    return spec.name if spec else sale.channel
