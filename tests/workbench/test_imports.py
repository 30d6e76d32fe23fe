"""The import pages: upload with a mapping, read the dry run, commit."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.api.test_sales_imports import COLUMNS_832, export_832
from trace.models import Batch, Sale

pytestmark = pytest.mark.django_db


def test_an_operator_uploads_reads_every_row_and_commits(
    client, world, django_capture_on_commit_callbacks
):
    Batch.objects.filter(pk=world.batch_a.pk).update(quantity=Decimal("1000"))
    client.force_login(world.operator_a)
    assert client.get("/w/sales/imports/").status_code == 200
    content = export_832(40, product="古楼云雾茶").export("csv").encode()
    body = {
        "platform": "扶贫832",
        "file": SimpleUploadedFile("orders.csv", content, "text/csv"),
    } | {f"column_{field}": header for field, header in COLUMNS_832.items()}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/w/sales/imports/", body)
    assert response.status_code == 302
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "已核对，待确认导入" in html
    assert "找不到产品“神秘山货”的已放行批次。" in html
    assert "数量“两箱”不是正数。" in html
    assert "古楼云雾茶 · GL2026A · 洞口县古楼茶业专业合作社" in html
    assert "13800000000" not in html
    # The mapping is kept for the platform: the next form offers it.
    form = client.get("/w/sales/imports/?platform=扶贫832").context["form"]
    assert form["column_order_number"].value() == "订单编号"
    with django_capture_on_commit_callbacks(execute=True):
        committed = client.post(response["Location"])
    assert committed.status_code == 302
    assert Sale.objects.count() == 37
    assert "已导入" in client.get(response["Location"]).content.decode()


def test_a_missing_column_shows_next_to_the_form_and_inspectors_see_no_page(
    client, world
):
    client.force_login(world.operator_a)
    content = export_832(3, product="古楼云雾茶").export("csv").encode()
    response = client.post(
        "/w/sales/imports/",
        {
            "platform": "某平台",
            "file": SimpleUploadedFile("orders.csv", content, "text/csv"),
            "column_order_number": "订单编号",
        },
    )
    assert response.status_code == 400
    assert "请指定“下单时间”所在的列。" in response.content.decode()
    client.force_login(world.inspector)
    assert client.get("/w/sales/imports/").status_code == 404
