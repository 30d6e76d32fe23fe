"""The sales resource refuses what the rules refuse, and writes nothing then."""

import io
from decimal import Decimal

import pytest
from django.utils import timezone
from PIL import Image

from tests.factories import CertificationFactory, ProducerFactory, RegionFactory
from tests.reports.factories import SaleFactory
from trace.choices import RegionLevel
from trace.models import Batch, Sale
from trace.services.certification import certification_revoke
from trace.services.registry import product_line_create

pytestmark = pytest.mark.django_db


def sale_body(batch, quantity, **overrides):
    body = {
        "batch": batch.pk,
        "buyer": "洞口县第一中学食堂",
        "channel": "school",
        "quantity": quantity,
        "unit": batch.unit,
        "amount": "100.00",
        "sold_at": "2026-10-05T10:30:00+08:00",
    }
    return body | overrides


@pytest.fixture
def batch(world):
    Batch.objects.filter(pk=world.batch_a.pk).update(quantity=Decimal("30"))
    world.batch_a.refresh_from_db()
    return world.batch_a


def test_a_1000_sale_on_a_30_batch_after_revocation_is_refused(
    world, client_for, batch
):
    certification_revoke(
        certification=world.producer_a.certifications.get(),
        reason="弄虚作假",
        changed_by=world.admin,
    )
    response = client_for(world.operator_a).post(
        "/api/v1/sales/",
        sale_body(batch, "1000", sold_at=timezone.now().isoformat()),
    )
    assert response.status_code == 400
    assert "认定不在有效期内或已暂停、撤销" in response.json()["sold_at"][0]
    assert not Sale.objects.exists()


def test_an_oversell_is_a_400_with_what_is_left(world, client_for, batch):
    client = client_for(world.operator_a)
    assert client.post("/api/v1/sales/", sale_body(batch, "25")).status_code == 201
    response = client.post("/api/v1/sales/", sale_body(batch, "6"))
    assert response.status_code == 400
    assert response.json()["quantity"] == [
        f"超出该批次剩余数量：剩余 5{batch.unit}，本次 6{batch.unit}。"
    ]
    assert Sale.objects.count() == 1
    assert client.post("/api/v1/sales/", sale_body(batch, "5")).status_code == 201


def test_a_gi_batch_from_outside_its_region_is_refused_by_the_api(world, client_for):
    # The demo's crab: 大通湖大闸蟹 registered by the 洞口 orange company's
    # operator with an origin in 洞口县 got through; it must not.
    lake = RegionFactory(name="大通湖区", level=RegionLevel.COUNTY, parent=world.hunan)
    lake_producer = CertificationFactory(producer=ProducerFactory(region=lake)).producer
    crab = product_line_create(
        created_by=world.admin,
        name="大通湖大闸蟹",
        geographical_indication=True,
        unit="只",
        producer=lake_producer,
        protected_regions=[lake],
    )
    body = {
        "product_line": crab.pk,
        "lot_code": "DTHDZX2026X",
        "origin": world.gulou_village.pk,
        "harvest_date": "2026-10-01",
        "quantity": "100",
        "unit": "只",
    }
    response = client_for(world.operator_a).post("/api/v1/batches/", body)
    assert response.status_code == 400
    assert "product_line" in response.json()
    # Even the owner may not give it an origin outside 大通湖区.
    admin = client_for(world.admin)
    response = admin.post("/api/v1/batches/", body | {"producer": lake_producer.pk})
    assert response.status_code == 400, response.json()
    assert "保护地域（大通湖区）" in response.json()["origin"][0]
    assert not Batch.objects.filter(lot_code="DTHDZX2026X").exists()


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


def test_sale_evidence_is_checked_and_its_file_served_only_to_household_viewers(
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
    # A receipt names the household who signed it: the file goes only to a
    # role that may see household names (issue 34).
    download = client_for(world.admin).get(url)
    assert download.status_code == 200
    assert download["Content-Type"] == "image/jpeg"
    assert b"".join(download.streaming_content).startswith(b"\xff\xd8")
    assert owner.get(url).status_code == 404
    assert client_for(world.inspector).get(url).status_code == 404  # 洞口县's sale
    assert stranger.get(url).status_code == 404
    assert client_for(None).get(url).status_code in (401, 403)
    # Everyone who sees the sale keeps the record, without the file.
    for client in (owner, client_for(world.inspector)):
        listed = client.get(f"{API}/sales/{sale.pk}/").json()["evidence"]
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
        "unit": cycle.batches["v1"].unit,
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
