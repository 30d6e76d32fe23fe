"""GET /api/v1/batches/{id}/epcis/: scoped like the batch."""

from tests.reports.factories import TraceEventFactory


def url(batch) -> str:
    return f"/api/v1/batches/{batch.pk}/epcis/"


def test_operator_exports_own_batch(world, client_for):
    TraceEventFactory(batch=world.batch_a)
    response = client_for(world.operator_a).get(url(world.batch_a))
    assert response.status_code == 200
    document = response.json()
    assert document["type"] == "EPCISDocument"
    assert len(document["epcisBody"]["eventList"]) == 1


def test_json_ld_media_type_is_offered(world, client_for):
    response = client_for(world.admin).get(
        url(world.batch_a), HTTP_ACCEPT="application/ld+json"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")


def test_out_of_scope_batch_is_404(world, client_for):
    assert client_for(world.operator_b).get(url(world.batch_a)).status_code == 404
    assert client_for(world.inspector).get(url(world.batch_b)).status_code == 404
    assert client_for(world.inspector).get(url(world.batch_a)).status_code == 200
    assert client_for(None).get(url(world.batch_a)).status_code in (401, 403)
