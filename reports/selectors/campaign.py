"""The 统计表 and the 授权店 rule: counts per region, rolled up by lineage."""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import timezone

from reports.models import SalesEvent
from reports.selectors.common import ZERO, ReportFilters, in_period, in_region
from reports.selectors.ledger import benefit_ledger, region_at_level
from trace import access
from trace.choices import OutletKind, RegionLevel
from trace.models import (
    Outlet,
    Region,
    Sale,
)
from trace.selectors import (
    REGION_PATH,
    region_subtree,
    sale_list_visible_to,
)

# The 统计表: counts per region, rolled up by lineage (a region's lineage prefixes
# its descendants').


def _roll_up(values: dict[str, Decimal | int], region: Region) -> Decimal | int:
    return sum(
        (
            value
            for lineage, value in values.items()
            if lineage.startswith(region.lineage)
        ),
        0,
    )


@dataclass
class CampaignFigures:
    """One row of the 统计表 before formatting."""

    online_zones: int = 0
    offline_zones: int = 0
    pavilions: int = 0
    smart_cabinets: int = 0
    livestream_bases: int = 0
    events: int = 0
    sales: Decimal = ZERO
    persons_covered: int = 0


CAMPAIGN_OUTLET_KINDS = {
    OutletKind.ONLINE_ZONE: "online_zones",
    OutletKind.OFFLINE_ZONE: "offline_zones",
    OutletKind.PAVILION: "pavilions",
    OutletKind.SMART_CABINET: "smart_cabinets",
    OutletKind.LIVESTREAM_BASE: "livestream_bases",
}


def campaign_regions(*, filters: ReportFilters) -> list[tuple[Region, list[Region]]]:
    """Return the 市州 of the table, each with its 市县区, within the region filter."""
    root = filters.region
    cities = Region.objects.filter(level=RegionLevel.CITY)
    if root is not None:
        city = region_at_level(root, RegionLevel.CITY)
        cities = (
            cities.filter(pk=city.pk)
            if city is not None
            else cities.filter(region_subtree(region=root))
        )
    result = []
    for city in cities.order_by("code", "lineage"):
        counties = Region.objects.filter(
            region_subtree(region=city), level=RegionLevel.COUNTY
        )
        if root is not None and root.level in (
            RegionLevel.COUNTY,
            RegionLevel.TOWN,
            RegionLevel.VILLAGE,
        ):
            county = region_at_level(root, RegionLevel.COUNTY)
            counties = counties.filter(pk=county.pk if county else None)
        result.append((city, list(counties.order_by("code", "lineage"))))
    return result


def campaign_figures(
    *, user, filters: ReportFilters, regions: Iterable[Region]
) -> dict[Region | None, CampaignFigures]:
    """Return the 统计表's figures per region, and under None the filter's total.

    Outlets and events are public registers counted in full (they have no
    owner to scope by); sales and covered households follow the user's scope.
    Sales are counted where the product comes from (the batch's origin).
    Outlets have no opening date, so every outlet on the register counts;
    events count when held within the period.
    """
    outlets: dict[str, dict[str, int]] = defaultdict(dict)
    for row in (
        Outlet.objects.filter(
            in_region(filters, "region"), kind__in=list(CAMPAIGN_OUTLET_KINDS)
        )
        .values("region__lineage", "kind")
        .annotate(count=Count("id"))
    ):
        outlets[CAMPAIGN_OUTLET_KINDS[row["kind"]]][row["region__lineage"]] = row[
            "count"
        ]
    events = {
        row["region__lineage"]: row["count"]
        for row in SalesEvent.objects.filter(
            in_region(filters, "region"), in_period(filters, "held_on")
        )
        .values("region__lineage")
        .annotate(count=Count("id"))
    }
    sales = {
        row["batch__origin__lineage"]: row["amount"]
        for row in sale_list_visible_to(user=user)
        .filter(
            in_region(filters, "batch__origin"), in_period(filters, "sold_at__date")
        )
        .order_by()
        .values("batch__origin__lineage")
        .annotate(amount=Sum("amount"))
    }
    persons: dict[str, int] = defaultdict(int)
    for entry in benefit_ledger(user=user, filters=filters):
        persons[entry.household.village.lineage] += entry.household.members

    def figures(region: Region | None) -> CampaignFigures:
        scope = region or Region(lineage="/")
        row = CampaignFigures(
            events=_roll_up(events, scope),
            sales=Decimal(_roll_up(sales, scope)),
            persons_covered=_roll_up(persons, scope),
        )
        for name in CAMPAIGN_OUTLET_KINDS.values():
            setattr(row, name, _roll_up(outlets[name], scope))
        return row

    result = {region: figures(region) for region in regions}
    result[None] = figures(filters.region)
    return result


# The 邵东 rule applied to authorised stores.


def authorised_store_sales(
    *, user, filters: ReportFilters, year: int
) -> list[tuple[Outlet, Decimal]]:
    """Return each authorised store the user sees with its sales in the year.

    The verdict is about the store, so all its sales count, whoever's batch
    they were; administrators see every store, inspectors those in their regions.
    """
    stores = Outlet.objects.filter(
        access.region_scope(user, "region"),
        in_region(filters, "region"),
        kind=OutletKind.AUTHORISED_STORE,
    ).select_related(f"region__{REGION_PATH}")
    start = timezone.make_aware(datetime.datetime(year, 1, 1))
    end = timezone.make_aware(datetime.datetime(year + 1, 1, 1))
    amounts = dict(
        Sale.objects.filter(outlet__in=stores, sold_at__gte=start, sold_at__lt=end)
        .order_by()
        .values("outlet_id")
        .annotate(amount=Sum("amount"))
        .values_list("outlet_id", "amount")
    )
    return [
        (store, amounts.get(store.pk, ZERO))
        for store in stores.order_by("region__lineage", "name")
    ]
