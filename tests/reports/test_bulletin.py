"""The quarterly 通报: totals equal the quarter's sales; frozen when issued."""

import datetime
import io
import subprocess
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from reports.bulletin import yunyang_targets_set
from reports.reconciliation import unit_purchase_report
from tests.conftest import require_tool
from tests.reports.test_reconciliation import Q3, sell, yunyang  # noqa: F401
from trace.models import Sale

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    return subprocess.run(
        [require_tool("pdftotext"), "-layout", "-", "-"],
        input=content,
        capture_output=True,
        check=True,
    ).stdout.decode()


def test_the_bulletins_totals_equal_the_sum_of_the_quarters_sales(
    world,
    yunyang,  # noqa: F811 (the fixture imported above)
    client_for,
):
    county, towns, education, union = yunyang
    fengming, fm_batch = towns["凤鸣镇"]
    shuangjiang, sj_batch = towns["双江街道"]
    yunyang_targets_set(county=county, year=2026, changed_by=world.admin)
    in_quarter = [
        sell(world, fm_batch, "school", "1200.50", 3),
        sell(world, fm_batch, "ecommerce", "300", 4),
        sell(world, sj_batch, "household", "500", 6),
        sell(world, sj_batch, "fair", "99.50", 7),
    ]
    before = Sale.objects.create(
        batch=sj_batch,
        seller=sj_batch.producer,
        buyer="县总工会",
        channel="household",
        quantity=1,
        unit=sj_batch.unit,
        amount=Decimal("7000"),
        sold_at=datetime.datetime(2026, 5, 2, tzinfo=datetime.UTC),
    )
    unit_purchase_report(
        unit=education,
        township=fengming,
        quarter_start=Q3,
        amount=Decimal("1200.50"),
        reported_by=world.admin,
    )
    admin = client_for(world.admin)
    preview = admin.get(
        "/api/v1/bulletins/", {"county": county.pk, "quarter": "2026-08-15"}
    )
    assert preview.status_code == 200, preview.json()
    data = preview.json()
    quarter_sum = sum(sale.amount for sale in in_quarter)
    assert data["title"] == "云阳县2026年第3季度消费扶贫情况通报"
    assert Decimal(data["total"]) == quarter_sum == Decimal("2100.00")
    rows = data["rows"]
    townships = [row for row in rows if row[0] == "乡镇（街道）"]
    assert sum(Decimal(row[2]) for row in townships) == quarter_sum
    channels = {row[1]: Decimal(row[2]) for row in rows if row[0] == "渠道"}
    assert channels == {
        "进学校": Decimal("1200.50"),
        "进家庭": Decimal("500"),
        "节会推介展销": Decimal("99.50"),
        "电子商务营销": Decimal("300"),
    }
    assert sum(channels.values()) == quarter_sum
    assert ["未报送", "县总工会", "", "", "未报送附件3"] in rows
    targets = {row[1]: row for row in rows if row[0] == "年度目标进度"}
    # The year to the quarter's end: May's 7,000 元 counts toward the year.
    assert (
        Decimal(targets["年度直接销售贫困户农特产品"][2]) == quarter_sum + before.amount
    )
    assert Decimal(targets["“五进”对接直销"][2]) == Decimal("8700.50")
    assert targets["“五进”对接直销"][3] == "20000000.00"
    assert Decimal(targets["电子商务营销"][2]) == Decimal("300")
    differences = [row for row in rows if row[0] == "三方数据差异"]
    assert any("双江街道 附件2-附件3" in row[1] for row in differences)

    issued = admin.post(
        "/api/v1/bulletins/", {"county": county.pk, "quarter": "2026-07-01"}
    )
    assert issued.status_code == 201, issued.json()
    bulletin_id = issued.json()["id"]
    # Frozen: a sale recorded afterwards changes the preview, not the 通报.
    sell(world, fm_batch, "school", "1000", 20)
    pdf = admin.get(f"/api/v1/bulletins/{bulletin_id}/file/?format=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "云阳县2026年第3季度消费扶贫情况通报" in text
    assert "2,100.00" in text or "2100.00" in text
    assert "3,100.00" not in text and "3100.00" not in text
    xlsx = admin.get(f"/api/v1/bulletins/{bulletin_id}/file/?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert "本季度销售额" in values
    again = admin.post(
        "/api/v1/bulletins/", {"county": county.pk, "quarter": "2026-09-30"}
    )
    assert again.status_code == 400
    assert again.json()["quarter_start"] == ["本季度的通报已签发。"]


def test_a_bulletin_is_issued_only_after_the_deadline_and_by_the_county(
    world,
    yunyang,  # noqa: F811 (the fixture imported above)
    client_for,
):
    county = yunyang[0]
    admin = client_for(world.admin)
    current = admin.post(
        "/api/v1/bulletins/",
        {"county": county.pk, "quarter": timezone.localdate().isoformat()},
    )
    assert current.status_code == 400
    assert "季度末月30日" in current.json()["quarter_start"][0]
    outsider = client_for(world.operator_a).get(
        "/api/v1/bulletins/", {"county": county.pk, "quarter": "2026-07-01"}
    )
    assert outsider.status_code == 404
