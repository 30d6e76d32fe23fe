"""Each export has exactly the seed form's columns, in order, and the right rows."""

import datetime
from decimal import Decimal

import pytest

from reports.forms import FORMS, SEED_FORMS
from reports.selectors.common import ReportFilters
from reports.tables import report_build

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
    assert rows[0][:2] == ["王小明", world.household_a.id_number()]
    assert rows[0][3] == Decimal("640.00")


def test_names_are_masked_for_non_administrators(sales):
    world = sales.world
    admin_rows = report_build(
        key="township_sales", user=world.admin, filters=ReportFilters()
    ).rows
    assert "王小明" in {row[4] for row in admin_rows}
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
    assert rows[0][8].startswith("进机关")


def test_products_for_sale_lists_remaining_stock(sales):
    rows = report_build(
        key="products_for_sale", user=sales.world.admin, filters=ReportFilters()
    ).rows
    tea = next(row for row in rows if row[3] == "古楼云雾茶")
    assert tea[4] == "486.5箱"  # 500 less 13.5 sold
    assert tea[5] == "114.48元/箱"  # 1545.50 / 13.5


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
    assert total[9] == 6


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
