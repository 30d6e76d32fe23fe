"""The 统计表 and the 授权店 rule: counts per region, rolled up by lineage."""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from reports.models import SalesEvent
from reports.selectors.common import (
    ZERO,
    ReportFilters,
    in_period,
    in_region,
    not_a_resale,
)
from reports.selectors.ledger import paid_in_period, region_at_level
from trace import access
from trace.choices import OutletKind, RegionLevel
from trace.models import (
    Outlet,
    Region,
    Sale,
    SlowSellingMark,
)
from trace.selectors.events import sale_list_visible_to
from trace.selectors.registry import REGION_PATH, region_subtree

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


def _scope_roots(user) -> list[Region] | None:
    """Return the regions a user's 统计表 covers; None for everything.

    Administrators see every region; region-scoped roles their assigned
    regions; an operator the county of its producer (the outlets and events
    of the table are public registers, the sales and households its own).
    """
    if user is None or access.is_administrator(user):
        return None
    producer = access.operator_producer(user)
    if producer is not None:
        return [region_at_level(producer.region, RegionLevel.COUNTY) or producer.region]
    return access.assigned_regions(user)


def _overlaps(region: Region, roots: list[Region] | None) -> bool:
    """Return True if the region lies in one of the roots or contains one."""
    return roots is None or any(
        region.lineage.startswith(root.lineage)
        or root.lineage.startswith(region.lineage)
        for root in roots
    )


def _within(roots: list[Region] | None, field: str) -> Q:
    if roots is None:
        return Q()
    condition = Q(pk__in=[])
    for root in roots:
        condition |= region_subtree(region=root, field=field)
    return condition


def campaign_regions(
    *, filters: ReportFilters, user=None
) -> list[tuple[Region, list[Region]]]:
    """Return the 市州-level rows of the table, each with its 市县区.

    A 市州-level row is a city, or a county directly under a province or a
    municipality (云阳县 under 重庆市), which then has no rows below it. Only
    rows within the region filter and the user's scope are listed.
    """
    roots = [filters.region] if filters.region is not None else None
    scope = _scope_roots(user)
    units = [
        unit
        for unit in Region.objects.filter(
            Q(level=RegionLevel.CITY)
            | Q(level=RegionLevel.COUNTY, parent__level=RegionLevel.PROVINCE)
        ).order_by("code", "lineage")
        if _overlaps(unit, roots) and _overlaps(unit, scope)
    ]
    result = []
    for unit in units:
        counties = []
        if unit.level == RegionLevel.CITY:
            counties = [
                county
                for county in Region.objects.filter(
                    region_subtree(region=unit), level=RegionLevel.COUNTY
                ).order_by("code", "lineage")
                if _overlaps(county, roots) and _overlaps(county, scope)
            ]
        result.append((unit, counties))
    return result


def campaign_provinces(*, filters: ReportFilters, user=None) -> list[Region]:
    """Return the provinces (省、直辖市) the table is for, for its title.

    The province of the region asked for; without one, the user's (where
    the user's regions or producer lie); for an administrator asking for no
    region, the provinces the rows cover.
    """
    if filters.region is not None:
        regions = [filters.region]
    else:
        regions = _scope_roots(user) or [
            unit for unit, _counties in campaign_regions(filters=filters, user=user)
        ]
    provinces = {
        province.pk: province
        for region in regions
        if (province := region_at_level(region, RegionLevel.PROVINCE)) is not None
    }
    return sorted(provinces.values(), key=lambda province: (province.code, province.pk))


def campaign_figures(
    *, user, filters: ReportFilters, regions: Iterable[Region]
) -> dict[Region | None, CampaignFigures]:
    """Return the 统计表's figures per region, and under None the filter's total.

    Everything is limited to the region filter, the period (dates or year)
    and the user's scope:
    - outlets count when set up (opened_on) within the period: "设立…数";
    - events when held within the period;
    - sales by where the product comes from (the batch's origin), sold in
      the period, each box once (an outlet's resale is not counted again);
    - 覆盖贫困人口 counts people (Household.members) of the households that
      were paid for a contribution in the period (a batch harvested then),
      each household once.
    """
    scope = _scope_roots(user)
    outlets: dict[str, dict[str, int]] = defaultdict(dict)
    for row in (
        Outlet.objects.filter(
            in_region(filters, "region"),
            _within(scope, "region"),
            in_period(filters, "opened_on"),
            kind__in=list(CAMPAIGN_OUTLET_KINDS),
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
            in_region(filters, "region"),
            _within(scope, "region"),
            in_period(filters, "held_on"),
        )
        .values("region__lineage")
        .annotate(count=Count("id"))
    }
    sales = {
        row["batch__origin__lineage"]: row["amount"]
        for row in sale_list_visible_to(user=user)
        .filter(
            in_region(filters, "batch__origin"),
            _within(scope, "batch__origin"),
            in_period(filters, "sold_at__date"),
        )
        .filter(not_a_resale())
        .order_by()
        .values("batch__origin__lineage")
        .annotate(amount=Sum("amount"))
    }
    persons: dict[str, int] = defaultdict(int)
    # Persons of the households paid in the period (by the day paid).
    paid: dict[int, tuple[int, str]] = {
        row["household_id"]: (row["members"], row["lineage"])
        for row in paid_in_period(user=user, filters=filters)
        if row["paid"] > 0
    }
    for members, lineage in paid.values():
        if scope is None or any(lineage.startswith(root.lineage) for root in scope):
            persons[lineage] += members

    def figures(region: Region | None) -> CampaignFigures:
        scope_region = region or Region(lineage="/")
        row = CampaignFigures(
            events=_roll_up(events, scope_region),
            sales=Decimal(_roll_up(sales, scope_region)),
            persons_covered=_roll_up(persons, scope_region),
        )
        for name in CAMPAIGN_OUTLET_KINDS.values():
            setattr(row, name, _roll_up(outlets[name], scope_region))
        return row

    result = {region: figures(region) for region in regions}
    result[None] = figures(filters.region)
    return result


def campaign_figures_sum(rows: Iterable[CampaignFigures]) -> CampaignFigures:
    """Return the column sums of rows (the 合计 of the 统计表)."""
    total = CampaignFigures()
    for row in rows:
        for name in CampaignFigures.__dataclass_fields__:
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return total


def campaign_figures_difference(
    whole: CampaignFigures, part: CampaignFigures
) -> CampaignFigures:
    """Return what `whole` counts beyond `part`, column by column."""
    rest = CampaignFigures()
    for name in CampaignFigures.__dataclass_fields__:
        setattr(rest, name, getattr(whole, name) - getattr(part, name))
    return rest


# The 邵东 rule applied to authorised stores.


@dataclass(frozen=True)
class StoreFigures:
    """What an authorised store sold in a year, and how much was 滞销 or local."""

    store: Outlet
    annual_sales: Decimal
    slow_selling_sales: Decimal
    local_sales: Decimal


def authorised_stores_visible_to(*, user, filters: ReportFilters) -> QuerySet[Outlet]:
    """Authorised stores: administrators see all, inspectors those in their regions."""
    return Outlet.objects.filter(
        access.region_scope(user, "region"),
        in_region(filters, "region"),
        kind=OutletKind.AUTHORISED_STORE,
    ).select_related(f"region__{REGION_PATH}")


def authorised_store_figures(
    *, user, filters: ReportFilters, year: int, stores: Iterable[Outlet] | None = None
) -> list[StoreFigures]:
    """Return each authorised store's sales in the year, its 滞销 and local parts.

    A store's sales are the sales recorded at it as the selling outlet (its
    retail), never what it bought in (a sale whose buyer_outlet it is):
    seeds/001, lines 32-34 judge "销售扶贫产品金额". All its sales count,
    whoever's batch they were. A sale is 滞销 when a 滞销 mark on its batch
    or product line covered the day of the sale and the batch came from the
    mark's region (seeds/001, lines 38-42). It is local when the batch came
    from the store's county ("本地", seeds/001, lines 3-5).
    """
    if stores is None:
        stores = authorised_stores_visible_to(user=user, filters=filters)
    stores = list(stores)
    start = timezone.make_aware(datetime.datetime(year, 1, 1))
    end = timezone.make_aware(datetime.datetime(year + 1, 1, 1))
    sales = (
        Sale.objects.filter(outlet__in=stores, sold_at__gte=start, sold_at__lt=end)
        .select_related("batch__origin")
        .order_by()
    )
    marks = list(
        SlowSellingMark.objects.filter(
            valid_from__lt=datetime.date(year + 1, 1, 1),
            valid_until__gte=datetime.date(year, 1, 1),
        ).select_related("region")
    )
    counties = {
        store.pk: region_at_level(store.region, RegionLevel.COUNTY) or store.region
        for store in stores
    }
    totals: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO])
    for sale in sales:
        day = timezone.localtime(sale.sold_at).date()
        origin = sale.batch.origin.lineage
        row = totals[sale.outlet_id]
        row[0] += sale.amount
        if any(
            (
                mark.batch_id == sale.batch_id
                or mark.product_line_id == sale.batch.product_line_id
            )
            and mark.valid_from <= day <= mark.valid_until
            and origin.startswith(mark.region.lineage)
            for mark in marks
        ):
            row[1] += sale.amount
        if origin.startswith(counties[sale.outlet_id].lineage):
            row[2] += sale.amount
    return [
        StoreFigures(store, *totals.get(store.pk, [ZERO, ZERO, ZERO]))
        for store in sorted(
            stores, key=lambda store: (store.region.lineage, store.name)
        )
    ]


def authorised_store_sales(
    *, user, filters: ReportFilters, year: int
) -> list[tuple[Outlet, Decimal]]:
    """Return each authorised store the user sees with its sales in the year."""
    return [
        (figures.store, figures.annual_sales)
        for figures in authorised_store_figures(user=user, filters=filters, year=year)
    ]
