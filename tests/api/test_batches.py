import datetime

import pytest

from trace.choices import BatchStatus
from trace.models import Batch, BatchStatusChange

pytestmark = pytest.mark.django_db


def new_batch_body(world, **overrides):
    body = {
        "product_line": world.batch_a.product_line_id,
        "lot_code": "GL2026B",
        "origin": world.gulou_village.pk,
        "harvest_date": str(datetime.date.today()),
        "quantity": "120.5",
        "unit": "盒",
        "contributions": [
            {
                "household": world.household_a.pk,
                "quantity": "20",
                "amount_paid": "640.00",
            }
        ],
    }
    return body | overrides


def test_operator_gets_404_on_another_producers_batch(world, client_for):
    client = client_for(world.operator_a)
    assert client.get(f"/api/v1/batches/{world.batch_b.pk}/").status_code == 404
    assert (
        client.post(
            f"/api/v1/batches/{world.batch_b.pk}/hold/", {"reason": "x"}
        ).status_code
        == 404
    )
    assert client.get(f"/api/v1/batches/{world.batch_a.pk}/").status_code == 200


def test_operator_lists_only_own_batches(world, client_for):
    response = client_for(world.operator_a).get("/api/v1/batches/")
    assert [row["id"] for row in response.json()["results"]] == [world.batch_a.pk]


def test_operator_registers_a_draft_batch_for_own_producer(world, client_for):
    response = client_for(world.operator_a).post(
        "/api/v1/batches/", new_batch_body(world)
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == BatchStatus.DRAFT
    assert body["producer"] == world.producer_a.pk
    assert body["contributions"][0]["household_detail"]["masked_name"] == "王*明"


def test_operator_cannot_create_a_batch_for_another_producer(world, client_for):
    before = Batch.objects.count()
    response = client_for(world.operator_a).post(
        "/api/v1/batches/",
        new_batch_body(world, producer=world.producer_b.pk, contributions=[]),
    )
    assert response.status_code == 400
    assert "producer" in response.json()
    assert Batch.objects.count() == before


def test_operator_cannot_claim_another_producers_household(world, client_for):
    body = new_batch_body(
        world,
        contributions=[
            {"household": world.household_b.pk, "quantity": "1", "amount_paid": "1"}
        ],
    )
    response = client_for(world.operator_a).post("/api/v1/batches/", body)
    assert response.status_code == 400
    assert "contributions" in response.json()


def test_status_cannot_be_mass_assigned(world, client_for):
    client = client_for(world.operator_a)
    response = client.post(
        "/api/v1/batches/", new_batch_body(world, status=BatchStatus.RELEASED)
    )
    assert response.json()["status"] == BatchStatus.DRAFT
    batch_id = response.json()["id"]
    client.patch(
        f"/api/v1/batches/{batch_id}/",
        {"status": BatchStatus.RECALLED, "producer": world.producer_b.pk},
    )
    batch = Batch.objects.get(pk=batch_id)
    assert (batch.status, batch.producer_id) == (BatchStatus.DRAFT, world.producer_a.pk)


def test_bad_input_gets_field_messages(world, client_for):
    body = new_batch_body(
        world, lot_code="古楼二批", quantity="-3", harvest_date="yesterday"
    )
    response = client_for(world.operator_a).post("/api/v1/batches/", body)
    assert response.status_code == 400
    errors = response.json()
    assert {"lot_code", "quantity", "harvest_date"} <= set(errors)


def test_release_then_illegal_transition_is_400(world, client_for):
    client = client_for(world.operator_a)
    batch_id = client.post("/api/v1/batches/", new_batch_body(world)).json()["id"]
    assert (
        client.post(f"/api/v1/batches/{batch_id}/release/").json()["status"]
        == BatchStatus.RELEASED
    )
    response = client.post(f"/api/v1/batches/{batch_id}/release/")
    assert response.status_code == 400
    assert "status" in response.json()


def test_operator_cannot_lift_an_inspectors_hold(world, client_for):
    inspector = client_for(world.inspector)
    response = inspector.post(
        f"/api/v1/batches/{world.batch_a.pk}/hold/", {"reason": "快检农残疑似超标"}
    )
    assert response.json()["status"] == BatchStatus.ON_HOLD
    response = client_for(world.operator_a).post(
        f"/api/v1/batches/{world.batch_a.pk}/release/"
    )
    assert response.status_code == 403
    assert (
        inspector.post(
            f"/api/v1/batches/{world.batch_a.pk}/release/", {"reason": "复检合格"}
        ).status_code
        == 200
    )
    assert BatchStatusChange.objects.filter(batch=world.batch_a).count() == 2


def test_hold_without_reason_is_400(world, client_for):
    response = client_for(world.inspector).post(
        f"/api/v1/batches/{world.batch_a.pk}/hold/", {}
    )
    assert response.status_code == 400
    assert "reason" in response.json()


def test_inspector_sees_only_batches_in_his_regions(world, client_for):
    client = client_for(world.inspector)
    rows = client.get("/api/v1/batches/").json()["results"]
    assert [row["id"] for row in rows] == [world.batch_a.pk]
    assert client.get(f"/api/v1/batches/{world.batch_b.pk}/").status_code == 404


def test_inspector_cannot_register_batches(world, client_for):
    body = new_batch_body(world, producer=world.producer_a.pk, contributions=[])
    assert client_for(world.inspector).post("/api/v1/batches/", body).status_code == 403


def test_anonymous_is_refused(world, client_for):
    assert client_for(None).get("/api/v1/batches/").status_code == 401


def test_administrator_sees_all_batches(world, client_for):
    rows = client_for(world.admin).get("/api/v1/batches/").json()["results"]
    assert {row["id"] for row in rows} == {world.batch_a.pk, world.batch_b.pk}


def test_list_query_count_does_not_grow_with_rows(
    world, client_for, django_assert_max_num_queries
):
    from tests.factories import BatchFactory

    for index in range(10):
        BatchFactory(
            producer=world.producer_a,
            product_line=world.batch_a.product_line,
            lot_code=f"N{index}",
        )
    client = client_for(world.admin)
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/batches/")
    assert response.json()["count"] == 12
