"""Targets on the office's dashboard: 湖南's 40 亿元, 专柜 and 专区 (seed 002)."""

import re
from decimal import Decimal
from html import unescape

import pytest
from django.core.exceptions import ValidationError

from reports.models import SalesTarget, TargetMeasure
from reports.targets import hunan_targets_set
from tests.factories import make_user
from tests.reports.factories import OutletFactory
from trace.choices import OutletKind, Role

URL = "/reports/dashboard/"


FIELDS = ("region", "name", "target", "measured", "percent", "source")


def _targets(html: str) -> list[list[str]]:
    """Return each target on the page: region, name, target, measured, %, source."""
    rows = []
    for item in re.findall(r"<li data-target>(.*?)</li>", html, re.S):
        values = {
            field: unescape(value)
            for field, value in re.findall(r'data-field="([a-z]+)">([^<]*)<', item)
        }
        values["source"] = values["source"].removeprefix("依据 ")
        rows.append([values[field] for field in FIELDS])
    return rows


@pytest.fixture
def hunan(sales):
    world = sales.world
    OutletFactory(
        kind=OutletKind.SMART_CABINET, region=sales.changsha_county, unit_count=2400
    )
    OutletFactory(kind=OutletKind.SMART_CABINET, region=sales.changsha_city)
    OutletFactory(kind=OutletKind.OFFLINE_ZONE, region=sales.changsha_county)
    OutletFactory(kind=OutletKind.ONLINE_ZONE, region=sales.changsha_county)
    hunan_targets_set(province=world.hunan, year=2026, changed_by=world.admin)
    return sales


def test_the_seed_targets_are_recorded_for_the_province_and_each_city(hunan):
    world = hunan.world
    by_region = {
        (t.region.name, t.measure): t.amount
        for t in SalesTarget.objects.filter(year=2026)
    }
    assert by_region == {
        ("湖南省", TargetMeasure.SALES): Decimal("4000000000"),
        ("湖南省", TargetMeasure.SMART_CABINETS): Decimal("30000"),
        ("长沙市", TargetMeasure.SMART_CABINETS): Decimal("10000"),
        ("长沙市", TargetMeasure.OFFLINE_ZONES): Decimal("3"),
        ("邵阳市", TargetMeasure.SMART_CABINETS): Decimal("2000"),
        ("邵阳市", TargetMeasure.OFFLINE_ZONES): Decimal("3"),
    }
    # Idempotent: set twice, recorded once.
    hunan_targets_set(province=world.hunan, year=2026, changed_by=world.admin)
    assert SalesTarget.objects.filter(year=2026).count() == 6


def test_the_province_office_sees_its_sales_and_each_citys_counts(hunan, client):
    office = make_user("office_hn", Role.OFFICE, regions=[hunan.world.hunan])
    client.force_login(office)
    rows = _targets(client.get(URL, {"year": 2026}).content.decode())
    by_target = {(row[0], row[1]): row[2:5] for row in rows}
    # 1,200.00 + 345.50 + 800.00 sold in 2026 in the province.
    assert by_target[("湖南省", "销售贫困地区扶贫产品")] == [
        "4,000,000,000.00 元",
        "2,345.50 元",
        "<0.01%",
    ]
    # 2,400 台 in 长沙县 and one cabinet without a count in 长沙市.
    assert by_target[("长沙市", "设立消费扶贫智能专柜")] == [
        "10,000 台",
        "2,401 台",
        "24.01%",
    ]
    assert by_target[("长沙市", "商超实体店线下消费扶贫专区")] == [
        "3 个",
        "1 个",
        "33.33%",
    ]
    # 古楼专柜 in 洞口县 (邵阳市): one 台.
    assert by_target[("邵阳市", "设立消费扶贫智能专柜")] == [
        "2,000 台",
        "1 台",
        "0.05%",
    ]
    assert by_target[("湖南省", "设立消费扶贫智能专柜")][1] == "2,402 台"


def test_a_county_office_sees_its_own_targets_only(hunan, client):
    world = hunan.world
    shaodong = world.shaodong_village.parent.parent
    SalesTarget.objects.create(
        region=world.dongkou,
        year=2026,
        name="洞口县年度销售",
        amount=Decimal("10000"),
        source="演示",
    )
    SalesTarget.objects.create(
        region=shaodong,
        year=2026,
        name="邵东市年度销售",
        amount=Decimal("5000"),
        source="演示",
    )
    office = make_user("office_dk", Role.OFFICE, regions=[world.dongkou])
    client.force_login(office)
    html = client.get(URL, {"year": 2026}).content.decode()
    # 1,200.00 + 345.50 sold from 洞口县 in 2026: 15.46% of 10,000.
    assert _targets(html) == [
        ["洞口县", "洞口县年度销售", "10,000.00 元", "1,545.50 元", "15.46%", "演示"]
    ]
    assert "邵东市年度销售" not in html and "40 亿" not in html
    assert "4,000,000,000.00" not in html


def test_another_year_has_no_targets(hunan, client):
    client.force_login(make_user("office_hn", Role.OFFICE, regions=[hunan.world.hunan]))
    html = client.get(URL, {"year": 2025}).content.decode()
    assert _targets(html) == [] and "本辖区本年度尚未设定目标" in html


def test_only_an_office_over_the_province_sets_its_targets(hunan):
    world = hunan.world
    # The province is outside a county office's scope: it reads as unknown.
    for user in (
        make_user("office_dk", Role.OFFICE, regions=[world.dongkou]),
        world.operator_a,
    ):
        with pytest.raises(ValidationError) as refused:
            hunan_targets_set(province=world.hunan, year=2027, changed_by=user)
        assert "region" in refused.value.message_dict
    assert not SalesTarget.objects.filter(year=2027).exists()
    province_office = make_user("office_hn", Role.OFFICE, regions=[world.hunan])
    assert (
        len(
            hunan_targets_set(
                province=world.hunan, year=2027, changed_by=province_office
            )
        )
        == 6
    )
