import io

from PIL import Image

from tests.reports.factories import SaleFactory

API = "/api/v1"


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (80, 50), (20, 90, 160)).save(buffer, format="JPEG")
    return buffer.getvalue()


def upload(client, sale, data: bytes, name: str = "发票.jpg"):
    file = io.BytesIO(data)
    file.name = name
    return client.post(
        f"{API}/sales/{sale.pk}/evidence/",
        {"file": file, "caption": "销售发票"},
        format="multipart",
    )


def test_sale_evidence_is_checked_and_served_only_to_whom_sees_the_sale(
    world, client_for, settings
):
    sale = SaleFactory(batch=world.batch_a)
    owner = client_for(world.operator_a)
    stranger = client_for(world.operator_b)

    wrong = upload(owner, sale, b"<html>not an invoice</html>", "发票.jpg")
    assert wrong.status_code == 400 and "file" in wrong.json()
    settings.SUYUAN_MAX_UPLOAD_BYTES = 200
    big = upload(owner, sale, jpeg() + b"\0" * 400)
    assert big.status_code == 400 and "文件过大" in big.json()["file"][0]
    settings.SUYUAN_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
    assert upload(stranger, sale, jpeg()).status_code == 404

    created = upload(owner, sale, jpeg())
    assert created.status_code == 201, created.content
    evidence_id = created.json()["id"]
    url = f"{API}/sales/{sale.pk}/evidence/{evidence_id}/"
    download = owner.get(url)
    assert download.status_code == 200
    assert download["Content-Type"] == "image/jpeg"
    assert b"".join(download.streaming_content).startswith(b"\xff\xd8")
    assert stranger.get(url).status_code == 404
    assert client_for(None).get(url).status_code in (401, 403)
    assert client_for(world.inspector).get(url).status_code == 200  # 洞口县's sale
    listed = owner.get(f"{API}/sales/{sale.pk}/").json()["evidence"]
    assert [item["caption"] for item in listed] == ["销售发票"]
    assert "file" not in listed[0]  # no storage path or URL leaks


def test_sales_evidence_form_lists_the_invoices(world, client_for):
    sale = SaleFactory(batch=world.batch_a, note="进机关")
    upload(client_for(world.operator_a), sale, jpeg())
    rows = client_for(world.admin).get(f"{API}/reports/sales_evidence/").json()["rows"]
    assert rows[0][-1] == "进机关；凭证1份：销售发票"


def test_a_village_informant_records_its_villages_sales_only(cycle, client_for):
    informant = client_for(cycle.users["informant_v1"])
    body = {
        "buyer": "洞口县机关食堂",
        "channel": "government",
        "quantity": "5",
        "unit": "盒",
        "amount": "150.00",
        "sold_at": "2026-09-18T10:00:00+08:00",
    }
    own = informant.post(
        f"{API}/sales/", body | {"batch": cycle.batches["v1"].pk}, format="json"
    )
    assert own.status_code == 201, own.content
    other = informant.post(
        f"{API}/sales/", body | {"batch": cycle.batches["v2"].pk}, format="json"
    )
    assert other.status_code == 400 and "batch" in other.json()
    seen = informant.get(f"{API}/sales/").json()["results"]
    assert {sale["batch"] for sale in seen} == {cycle.batches["v1"].pk}
