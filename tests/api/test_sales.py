"""The sales resource refuses what the rules refuse, and writes nothing then."""

from decimal import Decimal

import pytest

from tests.factories import CertificationFactory, ProducerFactory, RegionFactory
from trace import services
from trace.choices import RegionLevel
from trace.models import Batch, Sale

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
    services.certification_revoke(
        certification=world.producer_a.certifications.get(),
        reason="弄虚作假",
        changed_by=world.admin,
    )
    response = client_for(world.operator_a).post(
        "/api/v1/sales/", sale_body(batch, "1000")
    )
    assert response.status_code == 400
    assert "认定已暂停、撤销或过期" in response.json()["batch"][0]
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
    crab = services.product_line_create(
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
