"""Each export has exactly the seed form's columns, in order, and the right rows."""

import datetime
from decimal import Decimal

import pytest

from reports.forms import FORMS, SEED_FORMS
from reports.models import ReportPeriod
from reports.selectors.common import ReportFilters
from reports.tables import report_build
from tests.factories import (
    BatchFactory,
    BenefitLinkFactory,
    BrandFactory,
    HouseholdFactory,
    ProducerFactory,
    RegionFactory,
)
from tests.reports.factories import (
    ContributionFactory,
    OutletFactory,
    SaleFactory,
    SalesEventFactory,
    local,
)
from trace.choices import OutletKind, RegionLevel

pytestmark = pytest.mark.django_db


def test_every_seed_form_is_exported(seed_forms):
    assert {spec.key for spec in SEED_FORMS} == set(seed_forms)


@pytest.mark.parametrize("key", [spec.key for spec in SEED_FORMS])
def test_columns_and_header_fields_equal_the_seed_form(sales, seed_forms, key):
    report = report_build(key=key, user=sales.world.admin, filters=ReportFilters())
    data = report.as_data()
    assert data["columns"] == seed_forms[key]["columns"]
    assert [field["label"] for field in data["header_fields"]] == seed_forms[key].get(
        "header_fields", []
    )
    assert all(len(row) == len(data["columns"]) for row in data["rows"])
    if key != "campaign_statistics":  # its title is per campaign and year
        assert data["title"] == seed_forms[key]["title"]


def test_roster_is_for_administrators_only(sales):
    world = sales.world
    for user in (world.operator_a, world.inspector):
        assert (
            report_build(key="beneficiary_roster", user=user, filters=ReportFilters())
            is None
        )
    rows = report_build(
        key="beneficiary_roster", user=world.admin, filters=ReportFilters()
    ).rows
    # A contribution entered with its batch is money nobody has confirmed.
    assert rows[0][:2] == ["王小明（待本户确认）", world.household_a.id_number()]
    assert rows[0][3] == Decimal("640.00")


def test_names_are_masked_by_one_rule_for_everyone(sales):
    world = sales.world
    admin_rows = report_build(
        key="township_sales", user=world.admin, filters=ReportFilters()
    ).rows
    # One rule for everyone, as the frozen township form prints it.
    assert {row[4] for row in admin_rows} >= {"王*明"}
    assert "王小明" not in {row[4] for row in admin_rows}
    operator_rows = report_build(
        key="township_sales", user=world.operator_a, filters=ReportFilters()
    ).rows
    assert {row[4] for row in operator_rows} == {"王*明"}
    assert len(operator_rows) == 2  # only operator A's producer's sales


def test_sales_evidence_rows(sales):
    rows = report_build(
        key="sales_evidence", user=sales.world.admin, filters=ReportFilters()
    ).rows
    assert [row[0] for row in rows] == [1, 2, 3]
    assert rows[0][2:6] == [
        "洞口县古楼茶业专业合作社",
        "洞口县人民政府机关食堂",
        "10箱",
        Decimal("1200.00"),
    ]
    assert rows[0][6] == "2026-09-01 10:00"


def test_sector_purchases_are_institutional(sales):
    rows = report_build(
        key="sector_purchases", user=sales.world.admin, filters=ReportFilters()
    ).rows
    assert {row[1] for row in rows} == {"洞口县人民政府机关食堂", "邵东市第一中学"}
    # 备注 says what the purchase was for, not the channel again (004 附件3).
    assert not any(row[8].startswith(("进机关", "进学校")) for row in rows)


def test_township_and_sector_forms_write_the_region_as_the_seed(sales):
    # Seed 004 附件2/附件3: 地区 "云阳县xx乡镇xx村", from the county, unspaced.
    for key in ("township_sales", "sector_purchases"):
        rows = report_build(key=key, user=sales.world.admin, filters=ReportFilters())
        regions = {row[3] for row in rows.rows}
        assert "洞口县古楼乡古楼村" in regions
        assert not any(" " in region or "省" in region for region in regions)


def test_every_export_names_its_filling_unit(sales):
    inspector = sales.world.inspector  # answers for 洞口县, asked for no region
    for key in ("township_sales", "sector_purchases", "products_for_sale"):
        report = report_build(key=key, user=inspector, filters=ReportFilters())
        assert report.header_fields[0][1] == "洞口县", key
        assert report.as_data()["filler"][0]["value"] == "洞口县"


def test_campaign_statistics_rows(sales):
    filters = ReportFilters(
        date_from=datetime.date(2026, 9, 1), date_to=datetime.date(2026, 10, 31)
    )
    report = report_build(
        key="campaign_statistics", user=sales.world.admin, filters=filters
    )
    assert report.title == "湖南省2026年消费扶贫月活动开展情况统计表"
    names = [row[1] for row in report.rows]
    assert names[0] == "合计"
    assert names.index("邵阳市") < names.index("洞口县") < names.index("邵东市")
    assert names.index("长沙市") < names.index("长沙县")
    total = report.rows[0]
    assert total[8] == Decimal("0.23")  # 2,345.50 yuan in 万元
    # Only household_b was paid in the period (batch_b, harvested 5 October);
    # household_a's batch was harvested on 20 August, before it.
    assert total[9] == sales.world.household_b.members


COUNT_COLUMNS = range(2, 10)  # 设立线上专区数 … 覆盖贫困人口


def unit_rows(report):
    """The 市州-level rows: numbered "1", "2", … (市县区 rows are "1.1" …)."""
    return [row for row in report.rows[1:] if "." not in row[0]]


@pytest.fixture
def yunyang(sales):
    """重庆市's 云阳县, a county directly under a municipality, with a sale."""
    chongqing = RegionFactory(name="重庆市", level=RegionLevel.PROVINCE, code="500000")
    county = RegionFactory(
        name="云阳县", level=RegionLevel.COUNTY, parent=chongqing, code="500235"
    )
    village = RegionFactory(
        name="青山村",
        level=RegionLevel.VILLAGE,
        parent=RegionFactory(name="龙角镇", level=RegionLevel.TOWN, parent=county),
    )
    producer = ProducerFactory(region=village)
    batch = BatchFactory(
        producer=producer, origin=village, harvest_date=datetime.date(2026, 9, 2)
    )
    household = HouseholdFactory(village=village, members=5)
    ContributionFactory(batch=batch, household=household, amount_paid=Decimal("90"))
    SaleFactory(batch=batch, amount=Decimal("9000"), sold_at=local(2026, 9, 3))
    OutletFactory(
        name="云阳县消费扶贫专柜",
        kind=OutletKind.SMART_CABINET,
        region=county,
        opened_on=datetime.date(2026, 9, 1),
    )
    SalesEventFactory(region=chongqing, held_on=datetime.date(2026, 9, 10))
    return county


def test_total_is_the_sum_of_the_rows_with_a_county_under_a_municipality(
    sales, yunyang
):
    filters = ReportFilters(year=2026)
    report = report_build(
        key="campaign_statistics", user=sales.world.admin, filters=filters
    )
    names = [row[1] for row in report.rows]
    assert "云阳县" in names
    (row,) = [row for row in unit_rows(report) if row[1] == "云阳县"]
    assert row[5] == 1 and row[8] == Decimal("0.90") and row[9] == 5
    # 重庆市's own event lies under no 市州-level row: it has a row of its own.
    assert report.rows[-1][1] == "省本级" and report.rows[-1][7] == 1
    total = report.rows[0]
    for column in COUNT_COLUMNS:
        assert total[column] == sum(row[column] for row in unit_rows(report))
    assert report.title == "湖南省、重庆市2026年消费扶贫月活动开展情况统计表"


def test_a_2020_filter_with_only_2026_data_gives_zeros(sales, yunyang):
    for filters in (
        ReportFilters(year=2020),
        ReportFilters(
            date_from=datetime.date(2020, 9, 1), date_to=datetime.date(2020, 9, 30)
        ),
    ):
        report = report_build(
            key="campaign_statistics", user=sales.world.admin, filters=filters
        )
        assert report.title.endswith("2020年消费扶贫月活动开展情况统计表")
        for row in report.rows:
            assert all(not row[column] for column in COUNT_COLUMNS), row


def test_a_scoped_user_gets_the_province_in_the_title_and_only_its_rows(sales, yunyang):
    report = report_build(
        key="campaign_statistics",
        user=sales.world.inspector,  # 洞口县
        filters=ReportFilters(year=2026),
    )
    assert report.title == "湖南省2026年消费扶贫月活动开展情况统计表"
    assert [row[1] for row in report.rows] == ["合计", "邵阳市", "洞口县"]
    assert report.rows[0][2:10] == report.rows[1][2:10]


def test_a_region_filter_names_its_province(sales, yunyang):
    report = report_build(
        key="campaign_statistics",
        user=sales.world.admin,
        filters=ReportFilters(region=yunyang, year=2026),
    )
    assert report.title == "重庆市2026年消费扶贫月活动开展情况统计表"
    assert [row[1] for row in report.rows] == ["合计", "云阳县"]


def test_households_linked_but_not_paid_are_not_covered(sales):
    # household_a has a benefit link and a contribution of 640 yuan in 2026;
    # a new linked household that was paid nothing does not count.
    BenefitLinkFactory(
        producer=sales.world.producer_a,
        household=HouseholdFactory(village=sales.world.gulou_village, members=9),
    )
    report = report_build(
        key="campaign_statistics",
        user=sales.world.admin,
        filters=ReportFilters(
            date_from=datetime.date(2026, 1, 1), date_to=datetime.date(2026, 12, 31)
        ),
    )
    world = sales.world
    assert report.rows[0][9] == world.household_a.members + world.household_b.members


def test_outlet_rewards_report(sales):
    report = report_build(
        key="outlet-rewards", user=sales.world.admin, filters=ReportFilters(year=2026)
    )
    assert report.title == "2026年消费扶贫授权店年度销售及奖补情况"
    assert report.rows == [
        [
            1,
            "洞口县消费扶贫授权店",
            report.rows[0][2],
            "邵阳市供销社",
            2026,
            Decimal("345.50"),
            Decimal("0.00"),
            "100.0%",
            "否",
            "是",
            Decimal("0.00"),
            "授权中",
        ]
    ]
    assert (
        report_build(
            key="outlet_rewards", user=sales.world.operator_a, filters=ReportFilters()
        )
        is None
    )


def test_unknown_key(world):
    assert report_build(key="nope", user=world.admin, filters=ReportFilters()) is None
    assert "outlet_rewards" in FORMS


def test_sales_evidence_names_a_product_once_when_brand_and_line_share_it(sales):
    line = sales.world.batch_a.product_line
    line.brand = BrandFactory(name="古楼云雾茶")  # the line is named after its brand
    line.save()
    rows = report_build(
        key="sales_evidence", user=sales.world.admin, filters=ReportFilters()
    ).rows
    names = {row[1] for row in rows}
    assert "古楼云雾茶" in names
    assert not any("古楼云雾茶 古楼云雾茶" in name for name in names)


def test_an_outlets_resale_is_not_counted_twice(sales):
    world = sales.world
    store = OutletFactory(kind=OutletKind.AUTHORISED_STORE, region=world.dongkou)
    SaleFactory(  # the store buys in 1,000 yuan of batch_b …
        batch=world.batch_b,
        buyer_outlet=store,
        amount=Decimal("1000"),
        sold_at=local(2026, 10, 21),
    )
    SaleFactory(  # … and sells it on for 1,500
        batch=world.batch_b,
        outlet=store,
        amount=Decimal("1500"),
        sold_at=local(2026, 10, 22),
    )
    autumn = ReportFilters(
        date_from=datetime.date(2026, 9, 1), date_to=datetime.date(2026, 10, 31)
    )
    report = report_build(key="campaign_statistics", user=world.admin, filters=autumn)
    # 2,345.50 before, plus the 1,000 the store paid: 3,345.50 yuan.
    assert report.rows[0][8] == Decimal("0.33")


def test_the_campaign_table_counts_september_of_the_year_by_default(sales):
    # "（二）组织实施阶段（9月）" (seeds/002, line 61): a year alone is its
    # September; the sales of 15 and 20 October are not the 月活动's.
    report = report_build(
        key="campaign_statistics",
        user=sales.world.admin,
        filters=ReportFilters(year=2026),
    )
    assert report.rows[0][8] == Decimal("0.12")  # the 1,200 yuan of 1 September
    whole_autumn = report_build(
        key="campaign_statistics",
        user=sales.world.admin,
        filters=ReportFilters(
            date_from=datetime.date(2026, 9, 1), date_to=datetime.date(2026, 10, 31)
        ),
    )
    assert whole_autumn.rows[0][8] == Decimal("0.23")


def test_the_campaign_title_names_the_users_province_without_a_region(sales, yunyang):
    report = report_build(
        key="campaign_statistics",
        user=sales.world.inspector,  # 洞口县, 湖南省
        filters=ReportFilters(year=2026),
    )
    assert report.title == "湖南省2026年消费扶贫月活动开展情况统计表"
    asked = report_build(
        key="campaign_statistics",
        user=sales.world.admin,
        filters=ReportFilters(region=yunyang, year=2026),
    )
    assert asked.title == "重庆市2026年消费扶贫月活动开展情况统计表"


def test_a_periods_form_title_says_its_year_never_a_fixed_2020(sales):
    period = ReportPeriod(
        form_key="campaign_statistics",
        region=sales.world.hunan,
        starts_on=datetime.date(2026, 9, 1),
        ends_on=datetime.date(2026, 9, 30),
    )
    assert period.form_title == "湖南省2026年消费扶贫月活动开展情况统计表"
    period.form_key = "outlet_rewards"
    assert period.form_title == "2026年消费扶贫授权店年度销售及奖补情况"
