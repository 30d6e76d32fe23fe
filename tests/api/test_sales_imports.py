"""A platform's order export imported as sales: dry run, commit, idempotent."""

import io
from decimal import Decimal

import pytest
import tablib

from trace.choices import ImportRowStatus, ImportStatus, SaleSource
from trace.models import Batch, PlatformColumnMapping, Sale

pytestmark = pytest.mark.django_db

# The column names of a 扶贫832 order export (预算单位采购).
COLUMNS_832 = {
    "order_number": "订单编号",
    "sold_at": "下单时间",
    "product": "商品名称",
    "quantity": "购买数量",
    "amount": "实付金额",
    "buyer": "采购单位",
}
HEADERS = [
    "订单编号",
    "下单时间",
    "商品名称",
    "购买数量",
    "实付金额",
    "采购单位",
    "收货电话",
]


def export_832(rows: int, *, product: str, unknown_every: int = 20) -> tablib.Dataset:
    """Return an 832-style export: every `unknown_every`-th row sells a product
    nobody registered; one row has a quantity that is no number."""
    data = tablib.Dataset(headers=HEADERS)
    for n in range(1, rows + 1):
        name = "神秘山货" if n % unknown_every == 0 else product
        quantity = "两箱" if n == 7 else "2"
        data.append(
            [
                f"832-2026{n:06d}",
                "2026-11-20 10:30:00",
                name,
                quantity,
                "88.00",
                "洞口县第一中学",
                "13800000000",
            ]
        )
    return data


@pytest.fixture
def post(django_capture_on_commit_callbacks):
    """POST, then run the job the request enqueued after its commit, as a
    worker would (the test's transaction never commits)."""

    def send(client, url, body=None, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, body, **kwargs)

    return send


def upload(post, client, dataset: tablib.Dataset, *, fmt="csv", columns=COLUMNS_832):
    content = dataset.export(fmt)
    body = {
        "platform": "扶贫832",
        "file": io.BytesIO(content.encode() if isinstance(content, str) else content),
    }
    body["file"].name = f"orders.{fmt}"
    if columns is not None:
        import json

        body["columns"] = json.dumps(columns, ensure_ascii=False)
    return post(client, "/api/v1/sales-imports/", body, format="multipart")


@pytest.fixture
def tea(world):
    Batch.objects.filter(pk=world.batch_a.pk).update(quantity=Decimal("100000"))
    world.batch_a.refresh_from_db()
    return world.batch_a


def all_rows(client, job_id, status=""):
    rows, url = (
        [],
        f"/api/v1/sales-imports/{job_id}/rows/?status={status}&page_size=500",
    )
    while url:
        page = client.get(url).json()
        rows += page["results"]
        url = page["next"]
    return rows


def test_an_832_export_of_1000_rows_imported_twice_gives_one_set_of_sales(
    world, client_for, tea, post
):
    client = client_for(world.operator_a)
    export = export_832(1000, product="古楼云雾茶")

    first = upload(post, client, export)
    assert first.status_code == 202, first.json()
    job = client.get(f"/api/v1/sales-imports/{first.json()['id']}/").json()
    assert job["status"] == ImportStatus.CHECKED
    assert job["total_rows"] == job["processed_rows"] == 1000
    assert job["summary"] == {
        "matched": 949,
        "unmatched": 50,
        "invalid": 1,
        "duplicate": 0,
        "imported": 0,
    }
    # The dry run wrote no sale, and says what each row matched.
    assert not Sale.objects.exists()
    matched = all_rows(client, job["id"], "matched")[0]
    assert matched["product"] == "古楼云雾茶"
    assert matched["lot_code"] == "GL2026A"
    assert matched["producer_name"] == "洞口县古楼茶业专业合作社"
    assert matched["households"] == 0
    invalid = all_rows(client, job["id"], "invalid")
    assert [(row["number"], row["message"]) for row in invalid] == [
        (8, "数量“两箱”不是正数。")
    ]

    committed = post(client, f"/api/v1/sales-imports/{job['id']}/commit/")
    assert committed.status_code == 202
    job = client.get(f"/api/v1/sales-imports/{job['id']}/").json()
    assert job["status"] == ImportStatus.DONE
    assert job["summary"]["imported"] == 949
    assert Sale.objects.filter(source=SaleSource.PLATFORM).count() == 949
    sale = Sale.objects.get(source_key="扶贫832:832-2026000001")
    assert (sale.channel, sale.buyer, sale.amount) == (
        "ecommerce",
        "洞口县第一中学",
        Decimal("88.00"),
    )

    # The unmatched rows are kept for the clerk, each with its reason.
    unmatched = all_rows(client, job["id"], "unmatched")
    assert len(unmatched) == 50
    assert {row["message"] for row in unmatched} == {
        "找不到产品“神秘山货”的已放行批次。"
    }
    assert unmatched[0]["values"]["product"] == "神秘山货"
    # An unmapped column (the buyer's phone) is not kept.
    assert "13800000000" not in str(all_rows(client, job["id"]))

    # The same file again, with the mapping saved last time: nothing new.
    second = upload(post, client, export, columns=None)
    assert second.status_code == 202, second.json()
    assert second.json()["columns"] == COLUMNS_832
    second_job = client.get(f"/api/v1/sales-imports/{second.json()['id']}/").json()
    assert second_job["summary"]["matched"] == 0
    assert second_job["summary"]["duplicate"] == 949
    post(client, f"/api/v1/sales-imports/{second_job['id']}/commit/")
    assert Sale.objects.filter(source=SaleSource.PLATFORM).count() == 949


def test_an_xlsx_export_is_read_too(world, client_for, tea, post):
    client = client_for(world.operator_a)
    response = upload(post, client, export_832(30, product="古楼云雾茶"), fmt="xlsx")
    assert response.status_code == 202, response.json()
    job = client.get(f"/api/v1/sales-imports/{response.json()['id']}/").json()
    assert job["summary"]["matched"] == 28
    assert job["summary"]["unmatched"] == 1


def test_a_producer_matches_only_its_own_batches(world, client_for, tea, post):
    # 玉竹 is producer B's: operator A's import does not sell B's goods.
    client = client_for(world.operator_a)
    response = upload(post, client, export_832(10, product="玉竹"))
    job = client.get(f"/api/v1/sales-imports/{response.json()['id']}/").json()
    assert job["summary"]["matched"] == 0
    assert job["summary"]["unmatched"] == 9


def test_an_unmapped_column_is_a_400_in_chinese(world, client_for, tea, post):
    client = client_for(world.operator_a)
    response = upload(
        post,
        client,
        export_832(3, product="古楼云雾茶"),
        columns=COLUMNS_832 | {"amount": "支付金额"},
    )
    assert response.status_code == 400
    assert response.json()["columns"] == ["文件中没有“支付金额”列（金额（元））。"]
    assert not PlatformColumnMapping.objects.exists()


def test_a_file_that_is_no_export_is_a_400(world, client_for):
    client = client_for(world.operator_a)
    body = {"platform": "扶贫832", "file": io.BytesIO(b"\x89PNG\r\n\x1a\n" * 10)}
    body["file"].name = "orders.xlsx"
    response = client.post("/api/v1/sales-imports/", body, format="multipart")
    assert response.status_code == 400
    assert "文件无法读取" in response.json()["file"][0]


def test_who_may_import(world, client_for, tea, post):
    response = upload(
        post, client_for(world.inspector), export_832(3, product="古楼云雾茶")
    )
    assert response.status_code == 403
    other = upload(
        post, client_for(world.operator_a), export_832(3, product="古楼云雾茶")
    )
    # Another producer's operator neither sees nor commits A's import.
    job_id = other.json()["id"]
    client_b = client_for(world.operator_b)
    assert client_b.get(f"/api/v1/sales-imports/{job_id}/").status_code == 404
    assert client_b.post(f"/api/v1/sales-imports/{job_id}/commit/").status_code == 404
    assert (
        ImportRowStatus.MATCHED
        in client_for(world.operator_a)
        .get(f"/api/v1/sales-imports/{job_id}/rows/")
        .json()["results"][0]["status"]
    )
