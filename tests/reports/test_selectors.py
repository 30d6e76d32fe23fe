import datetime
from decimal import Decimal

import pytest

from reports.selectors.campaign import (
    authorised_store_sales,
    campaign_figures,
    campaign_regions,
)
from reports.selectors.common import ReportFilters, sale_list_for_report
from reports.selectors.dashboard import dashboard_data
from reports.selectors.ledger import (
    benefit_ledger,
    benefit_ledger_by_producer,
    benefit_ledger_by_region,
)
from reports.selectors.recall import recall_trace
from tests.factories import BatchFactory, BenefitLinkFactory, HouseholdFactory
from tests.reports.factories import ContributionFactory, SaleFactory, TraceEventFactory
from trace.choices import RegionLevel

pytestmark = pytest.mark.django_db


def test_ledger_sums_contributions_and_keeps_declared_income_apart(sales):
    world = sales.world
    entries = {
        entry.household: entry
        for entry in benefit_ledger(user=world.admin, filters=ReportFilters())
    }
    assert entries[world.household_a].paid == Decimal("640.00")
    assert entries[world.household_a].declared_annual_income == Decimal("8000")
    assert entries[world.household_b].paid == Decimal("300.00")


def test_ledger_period_counts_contributions_by_harvest_date(sales):
    world = sales.world
    september = ReportFilters(
        date_from=datetime.date(2026, 8, 1), date_to=datetime.date(2026, 8, 31)
    )
    entries = {
        entry.household: entry
        for entry in benefit_ledger(user=world.admin, filters=september)
    }
    assert entries[world.household_a].paid == Decimal("640.00")
    # Linked (declared) but paid nothing in August.
    assert entries[world.household_b].paid == Decimal("0")


def test_ledger_region_filter_includes_descendants(sales):
    world = sales.world
    entries = benefit_ledger(
        user=world.admin, filters=ReportFilters(region=world.dongkou)
    )
    assert [entry.household for entry in entries] == [world.household_a]
    everything = benefit_ledger(
        user=world.admin, filters=ReportFilters(region=world.hunan)
    )
    assert {entry.household for entry in everything} == {
        world.household_a,
        world.household_b,
    }


def test_ledger_totals_per_county_and_producer(sales):
    world = sales.world
    entries = benefit_ledger(user=world.admin, filters=ReportFilters())
    per_county = benefit_ledger_by_region(entries=entries, level=RegionLevel.COUNTY)
    assert per_county[world.dongkou].paid == Decimal("640.00")
    assert per_county[world.dongkou].persons == world.household_a.members
    per_city = benefit_ledger_by_region(entries=entries, level=RegionLevel.CITY)
    assert list(per_city.values())[0].paid == Decimal("940.00")
    per_producer = benefit_ledger_by_producer(user=world.admin, filters=ReportFilters())
    assert per_producer[world.producer_b].paid == Decimal("300.00")
    assert per_producer[world.producer_b].households == 1


def test_ledger_is_scoped_for_operators(sales):
    world = sales.world
    entries = benefit_ledger(user=world.operator_a, filters=ReportFilters())
    assert [entry.household for entry in entries] == [world.household_a]


def test_sales_filters_by_region_subtree_and_period(sales):
    world = sales.world
    in_dongkou = sale_list_for_report(
        user=world.admin, filters=ReportFilters(region=world.dongkou)
    )
    assert set(in_dongkou) == {sales.sale_a_sept, sales.sale_a_oct}
    in_october = sale_list_for_report(
        user=world.admin,
        filters=ReportFilters(
            date_from=datetime.date(2026, 10, 1), date_to=datetime.date(2026, 10, 31)
        ),
    )
    assert set(in_october) == {sales.sale_a_oct, sales.sale_b}
    assert set(sale_list_for_report(user=world.inspector, filters=ReportFilters())) == {
        sales.sale_a_sept,
        sales.sale_a_oct,
    }


def test_campaign_figures_roll_up(sales):
    world = sales.world
    filters = ReportFilters(
        date_from=datetime.date(2026, 1, 1), date_to=datetime.date(2026, 12, 31)
    )
    tree = campaign_regions(filters=filters)
    names = [
        (city.name, [county.name for county in counties]) for city, counties in tree
    ]
    assert ("邵阳市", ["洞口县", "邵东市"]) in names and ("长沙市", ["长沙县"]) in names
    regions = [region for city, counties in tree for region in (city, *counties)]
    figures = campaign_figures(user=world.admin, filters=filters, regions=regions)
    total = figures[None]
    assert total.sales == Decimal("2345.50")
    assert (
        total.online_zones,
        total.pavilions,
        total.smart_cabinets,
        total.livestream_bases,
    ) == (1, 1, 1, 1)
    assert total.events == 1  # the 2025 event is outside the period
    assert (
        total.persons_covered == world.household_a.members + world.household_b.members
    )
    dongkou = next(region for region in regions if region.name == "洞口县")
    assert figures[dongkou].sales == Decimal("1545.50")
    assert figures[dongkou].smart_cabinets == 1 and figures[dongkou].pavilions == 0


def test_campaign_regions_for_a_county_filter(sales):
    tree = campaign_regions(filters=ReportFilters(region=sales.world.dongkou))
    assert [(city.name, [c.name for c in counties]) for city, counties in tree] == [
        ("邵阳市", ["洞口县"])
    ]


def test_authorised_store_sales_of_the_year(sales):
    world = sales.world
    rows = authorised_store_sales(user=world.admin, filters=ReportFilters(), year=2026)
    assert rows == [(sales.store, Decimal("345.50"))]
    assert (
        authorised_store_sales(user=world.admin, filters=ReportFilters(), year=2025)[0][
            1
        ]
        == 0
    )
    assert (
        authorised_store_sales(
            user=world.inspector,
            filters=ReportFilters(region=world.shaodong_village),
            year=2026,
        )
        == []
    )


def test_recall_trace_lists_every_sale_of_the_batch_and_nothing_else(sales):
    world = sales.world
    trace = recall_trace(batch=world.batch_a)
    assert {sale["id"] for sale in trace["sales"]} == {
        sales.sale_a_sept.pk,
        sales.sale_a_oct.pk,
    }
    assert len(trace["trace_events"]) == 2
    assert all(event["place"] != "廉桥村" for event in trace["trace_events"])
    assert trace["totals"] == {
        "sales": 2,
        "sold_quantity": "13.5",
        "sold_amount": "1545.50",
    }
    assert trace["sales"][1]["outlet"]["name"] == "洞口县消费扶贫授权店"
    assert trace["contributions"][0]["household"] == "王*明"


def test_recall_trace_of_a_batch_without_records(world):
    trace = recall_trace(batch=BatchFactory(producer=world.producer_a))
    assert (
        trace["sales"] == []
        and trace["trace_events"] == []
        and trace["totals"]["sales"] == 0
    )


def test_dashboard_data(sales):
    data = dashboard_data(user=sales.world.admin, filters=ReportFilters())
    assert data["sales_per_month"] == [
        ("2026-09", Decimal("1200.00")),
        ("2026-10", Decimal("1145.50")),
    ]
    assert dict(data["sales_per_region"]) == {
        "洞口县": Decimal("1545.50"),
        "邵东市": Decimal("800.00"),
    }
    assert data["households_covered"] == 2
    assert [panel.key for panel in data["panels"]] == [
        "inspections",
        "suspicious_labels",
    ]


def test_ledger_counts_each_household_once_across_producers(world):
    household = HouseholdFactory(village=world.gulou_village, members=5)
    BenefitLinkFactory(producer=world.producer_a, household=household)
    BenefitLinkFactory(producer=world.producer_b, household=household)
    ContributionFactory(
        batch=world.batch_a, household=household, amount_paid=Decimal("10")
    )
    batch = BatchFactory(producer=world.producer_b)
    ContributionFactory(batch=batch, household=household, amount_paid=Decimal("5"))
    SaleFactory(batch=batch)
    TraceEventFactory(batch=batch)
    entries = [
        entry
        for entry in benefit_ledger(user=world.admin, filters=ReportFilters())
        if entry.household == household
    ]
    assert len(entries) == 1 and entries[0].paid == Decimal("15")
    assert entries[0].producer_ids == {world.producer_a.pk, world.producer_b.pk}
