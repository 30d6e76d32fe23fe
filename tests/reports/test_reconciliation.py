"""云阳's three parties per township and quarter: a planted difference appears."""

import datetime
import io
from decimal import Decimal

import pytest
import tablib

from reports.models import LeadUnit, ReconciliationTolerance
from reports.reconciliation import (
    reconciliation_for,
    unit_purchase_report,
    waybills_import,
)
from tests.factories import (
    BatchFactory,
    CertificationFactory,
    ProducerFactory,
    RegionFactory,
)
from trace.choices import RegionLevel
from trace.models import Sale
from trace.services.channels import region_channels_adopt
from trace.services.events import sale_record

pytestmark = pytest.mark.django_db
Q3 = datetime.date(2026, 7, 1)


@pytest.fixture
def yunyang(world):
    chongqing = RegionFactory(name="重庆市", level=RegionLevel.PROVINCE)
    county = RegionFactory(name="云阳县", level=RegionLevel.COUNTY, parent=chongqing)
    region_channels_adopt(
        region=county, list_key="yunyang_liuxiao", changed_by=world.admin
    )
    towns = {}
    for name in ("凤鸣镇", "双江街道"):
        town = RegionFactory(name=name, level=RegionLevel.TOWN, parent=county)
        village = RegionFactory(
            name=f"{name}一村", level=RegionLevel.VILLAGE, parent=town
        )
        producer = ProducerFactory(name=f"{name}集体经济组织", region=village)
        CertificationFactory(producer=producer)
        towns[name] = (town, BatchFactory(producer=producer, origin=village))
    education = LeadUnit.objects.create(
        county=county, name="县教委", channels=["school"]
    )
    union = LeadUnit.objects.create(
        county=county, name="县总工会", channels=["household"]
    )
    ReconciliationTolerance.objects.create(
        county=county, percent=Decimal("5"), source="云阳县商务委2026年第3号通知"
    )
    return county, towns, education, union


def sell(world, batch, channel, amount, day):
    return sale_record(
        batch=batch,
        recorded_by=world.admin,
        buyer="云阳县凤鸣中学",
        channel=channel,
        quantity=Decimal("1"),
        unit=batch.unit,
        amount=Decimal(amount),
        sold_at=datetime.datetime(2026, 8, day, 10, tzinfo=datetime.UTC),
    )


def waybill_file(rows):
    data = tablib.Dataset(
        headers=["运单号", "寄件日期", "始发乡镇", "件数", "重量（千克）"]
    )
    for row in rows:
        data.append(row)
    return io.BytesIO(data.export("csv").encode())


COLUMNS = {
    "number": "运单号",
    "shipped_on": "寄件日期",
    "township": "始发乡镇",
    "pieces": "件数",
    "weight_kg": "重量（千克）",
}


def test_a_quarter_of_yunyang_data_with_a_planted_difference_appears(world, yunyang):
    county, towns, education, union = yunyang
    fengming, fm_batch = towns["凤鸣镇"]
    shuangjiang, sj_batch = towns["双江街道"]
    agreeing = [sell(world, fm_batch, "school", "1000", day) for day in (3, 4, 5)]
    planted = [sell(world, sj_batch, "household", "500", day) for day in (6, 7)]
    # Outside the quarter: counts nowhere.
    sale_record(
        batch=sj_batch,
        recorded_by=world.admin,
        buyer="县总工会",
        channel="household",
        quantity=Decimal("1"),
        unit=sj_batch.unit,
        amount=Decimal("9999"),
        sold_at=datetime.datetime(2026, 10, 2, 10, tzinfo=datetime.UTC),
    )
    unit_purchase_report(
        unit=education,
        township=fengming,
        quarter_start=Q3,
        amount=Decimal("3000"),
        reported_by=world.admin,
    )
    # The 县总工会 reports 1,600 元 where the township recorded 1,000 元.
    unit_purchase_report(
        unit=union,
        township=shuangjiang,
        quarter_start=Q3,
        amount=Decimal("1600"),
        reported_by=world.admin,
    )
    file = waybill_file(
        [[f"YZ{n}", "2026-08-0" + str(n), "凤鸣镇", 1, "2.5"] for n in (3, 4, 5)]
        + [
            ["YZ6", "2026-08-06", "双江街道", 1, "3"],
            ["YZ7", "2026-08-07", "双江街道", 2, "6"],
        ]
        + [["YZ8", "2026-08-08", "不存在镇", 1, "1"]]
    )
    imported = waybills_import(
        county=county,
        courier="中国邮政",
        file=file,
        name="ems.csv",
        columns=COLUMNS,
        imported_by=world.admin,
    )
    assert imported == {"added": 6, "duplicates": 0, "errors": []}
    again = waybills_import(
        county=county,
        courier="中国邮政",
        file=waybill_file([["YZ3", "2026-08-03", "凤鸣镇", 1, "2.5"]]),
        name="ems.csv",
        columns=COLUMNS,
        imported_by=world.admin,
    )
    assert again == {"added": 0, "duplicates": 1, "errors": []}

    rows = {
        row.township.name: row
        for row in reconciliation_for(
            county=county, quarter_start=datetime.date(2026, 8, 15), user=world.admin
        )
    }
    assert (
        rows["凤鸣镇"].sector_sales == rows["凤鸣镇"].unit_purchases == Decimal("3000")
    )
    assert rows["凤鸣镇"].differences == []
    (difference,) = rows["双江街道"].differences
    assert difference.kind == "附件2-附件3"
    assert (difference.left, difference.right) == (Decimal("1000"), Decimal("1600"))
    assert difference.percent == Decimal("37.50")
    assert sorted(difference.sale_ids) == sorted(sale.pk for sale in planted)
    assert rows["双江街道"].pieces == 3
    assert not set(difference.sale_ids) & {sale.pk for sale in agreeing}
    assert Sale.objects.count() == 6


def test_a_waybill_difference_above_the_tolerance_is_listed(world, yunyang):
    county, towns, education, union = yunyang
    fengming, batch = towns["凤鸣镇"]
    for day in range(1, 21):
        sell(world, batch, "tourism", "50", day)
    waybills_import(
        county=county,
        courier="中通快递",
        file=waybill_file(
            [[f"ZT{n}", "2026-08-10", "凤鸣镇", 1, "1"] for n in range(19)]
        ),
        name="zt.csv",
        columns=COLUMNS,
        imported_by=world.admin,
    )
    rows = reconciliation_for(county=county, quarter_start=Q3, user=world.admin)
    fm = next(row for row in rows if row.township == fengming)
    # 20 sales, 19 waybills: 5.00 % is not above the county's 5 %.
    assert fm.differences == []
    waybills_import(
        county=county,
        courier="中通快递",
        file=waybill_file(
            [
                ["ZT99", "2026-08-10", "凤鸣镇", 1, "1"],
                ["ZT98", "2026-08-11", "凤鸣镇", 1, "1"],
            ]
        ),
        name="zt.csv",
        columns=COLUMNS,
        imported_by=world.admin,
    )
    # 21 waybills against 20 sales: 4.76 %, inside; then the tolerance tightens.
    ReconciliationTolerance.objects.filter(county=county).update(percent=Decimal("4"))
    rows = reconciliation_for(county=county, quarter_start=Q3, user=world.admin)
    fm = next(row for row in rows if row.township == fengming)
    assert [d.kind for d in fm.differences] == ["附件2-物流"]
    assert len(fm.differences[0].waybill_ids) == 21


def test_a_logistics_fee_is_never_charged_to_a_household(world, client_for, yunyang):
    _county, towns, _education, _union = yunyang
    _town, batch = towns["凤鸣镇"]
    body = {
        "batch": batch.pk,
        "buyer": "云阳县人民医院",
        "channel": "hospital",
        "quantity": "1",
        "unit": batch.unit,
        "amount": "80.00",
        "sold_at": "2026-08-05T10:00:00+08:00",
        "logistics_fee": "12.00",
    }
    admin = client_for(world.admin)
    refused = admin.post("/api/v1/sales/", body | {"logistics_fee_payer": "household"})
    assert refused.status_code == 400
    assert refused.json()["logistics_fee_payer"] == [
        "物流费用由采购单位（个人）自行承担，不得向贫困户另行收取。"
    ]
    assert not Sale.objects.exists()
    free = admin.post(
        "/api/v1/sales/",
        body | {"logistics_fee": "0", "logistics_fee_payer": "household"},
    )
    assert free.status_code == 201
    paid = admin.post("/api/v1/sales/", body | {"logistics_fee_payer": "buyer"})
    assert paid.status_code == 201


def test_only_the_county_office_reconciles(world, yunyang):
    from django.core.exceptions import ValidationError

    county = yunyang[0]
    with pytest.raises(ValidationError):
        reconciliation_for(county=county, quarter_start=Q3, user=world.operator_a)


def test_the_api_imports_waybills_takes_units_lines_and_lists_the_difference(
    world, yunyang, client_for
):
    import json

    county, towns, education, union = yunyang
    shuangjiang, batch = towns["双江街道"]
    planted = [sell(world, batch, "household", "500", day) for day in (6, 7)]
    admin = client_for(world.admin)
    reported = admin.post(
        "/api/v1/unit-purchases/",
        {
            "unit": union.pk,
            "township": shuangjiang.pk,
            "quarter": "2026-07-01",
            "amount": "1600.00",
        },
    )
    assert reported.status_code == 201, reported.json()
    upload = waybill_file(
        [
            ["YZ6", "2026-08-06", "双江街道", 1, "3"],
            ["YZ7", "2026-08-07", "双江街道", 2, "6"],
        ]
    )
    upload.name = "ems.csv"
    imported = admin.post(
        "/api/v1/logistics-imports/",
        {
            "county": county.pk,
            "courier": "中国邮政",
            "file": upload,
            "columns": json.dumps(COLUMNS, ensure_ascii=False),
        },
        format="multipart",
    )
    assert imported.status_code == 201, imported.json()
    assert imported.json()["added"] == 2
    answer = admin.get(
        "/api/v1/reconciliation/", {"county": county.pk, "quarter": "2026-09-01"}
    ).json()
    row = next(row for row in answer if row["township"] == "双江街道")
    (difference,) = row["differences"]
    assert difference["kind"] == "附件2-附件3"
    assert sorted(difference["sales"]) == sorted(sale.pk for sale in planted)
    assert (difference["left"], difference["right"]) == ("1000.00", "1600.00")
    outsider = client_for(world.operator_a).get(
        "/api/v1/reconciliation/", {"county": county.pk, "quarter": "2026-09-01"}
    )
    assert outsider.status_code == 404
