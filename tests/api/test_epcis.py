"""GET /api/v1/batches/{id}/epcis/: scoped like the batch; what was exported stays."""

import json

import pytest

from inspections.services.inspections import inspection_sign
from labels.services import print_job_create
from tests.inspections.factories import quantitative, record_inspection
from tests.reports.factories import TraceEventFactory, local
from tests.reports.test_epcis import assert_valid, epcis_validator
from trace.choices import TraceEventKind


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


# What was exported stays true (issue 32): an eventID always names the same
# content, and a later change is a new event.


@pytest.fixture(scope="module")
def validator():
    return epcis_validator()


@pytest.fixture
def exported_history(world):
    """A released batch with a harvest, a signed check and a printed sheet."""
    TraceEventFactory(
        batch=world.batch_a,
        kind=TraceEventKind.HARVEST,
        occurred_at=local(2026, 8, 20, 8),
        location=world.gulou_village,
    )
    TraceEventFactory(batch=world.batch_a, kind=TraceEventKind.PACK)
    inspection = record_inspection(
        batch=world.batch_a, user=world.inspector, items=[quantitative("0.02")]
    )
    inspection_sign(inspection=inspection, signed_by=world.inspector)
    return print_job_create(
        batch=world.batch_a,
        template="a4-3x8",
        count=3,
        requested_by=world.operator_a,
        enqueue=False,
    )


def events_by_id(document) -> dict[str, str]:
    """Return each event as canonical JSON text, keyed by its eventID."""
    events = document["epcisBody"]["eventList"]
    by_id = {
        event["eventID"]: json.dumps(event, sort_keys=True, ensure_ascii=False)
        for event in events
    }
    assert len(by_id) == len(events)  # no eventID names two events
    return by_id


def export(client, batch) -> dict:
    response = client.get(url(batch))
    assert response.status_code == 200
    return response.json()


def test_void_adds_a_decommissioning_event_and_changes_no_earlier_one(
    world, client_for, exported_history, validator
):
    client = client_for(world.operator_a)
    before = events_by_id(export(client, world.batch_a))
    voided = exported_history.labels.order_by("sequence")[1]
    response = client.post(
        "/api/v1/labels/void/",
        {"serials": [voided.serial], "reason": "印刷错位"},
        format="json",
    )
    assert response.json() == {"voided": 1}
    document = export(client, world.batch_a)
    assert_valid(validator, document)
    after = events_by_id(document)
    assert {event_id: after.get(event_id) for event_id in before} == before
    [added] = [json.loads(after[key]) for key in after.keys() - before.keys()]
    assert (added["type"], added["action"], added["bizStep"]) == (
        "ObjectEvent",
        "DELETE",
        "decommissioning",
    )
    assert added["disposition"] == "inactive"
    assert added["epcList"] == [voided.url()]
    assert "印刷错位" not in json.dumps(document, ensure_ascii=False)
    # Exporting again names the void with the same event.
    assert events_by_id(export(client, world.batch_a)) == after


def test_register_edits_hold_release_and_recall_change_no_earlier_event(
    world, client_for, exported_history, validator
):
    admin = client_for(world.admin)
    before = events_by_id(export(admin, world.batch_a))
    # A released batch is fixed; what may change are the registers around it.
    refused = admin.patch(
        f"/api/v1/batches/{world.batch_a.pk}/", {"quantity": "1"}, format="json"
    )
    assert refused.status_code == 400
    line = world.batch_a.product_line
    assert (
        admin.patch(
            f"/api/v1/product-lines/{line.pk}/", {"name": "古楼毛尖"}, format="json"
        ).status_code
        == 200
    )
    assert (
        admin.patch(
            f"/api/v1/producers/{world.producer_a.pk}/",
            {"name": "洞口县古楼茶业有限公司"},
            format="json",
        ).status_code
        == 200
    )
    world.gulou_village.name = "古楼新村"
    world.gulou_village.save()
    inspector = client_for(world.inspector)
    steps = (("hold", "群众举报"), ("release", "复查无误"), ("recall", "再次举报"))
    for step, reason in steps:
        response = inspector.post(
            f"{url(world.batch_a).removesuffix('epcis/')}{step}/",
            {"reason": reason},
            format="json",
        )
        assert response.status_code == 200, response.json()
    document = export(admin, world.batch_a)
    assert_valid(validator, document)
    after = events_by_id(document)
    assert {event_id: after.get(event_id) for event_id in before} == before
    added = [json.loads(after[key]) for key in after.keys() - before.keys()]
    assert sorted(event["disposition"] for event in added) == [
        "non_sellable_other",
        "recalled",
        "sellable_accessible",
    ]
    # Today's names travel as master data, beside the unchanged events.
    header = json.dumps(document["epcisHeader"], ensure_ascii=False)
    assert "古楼毛尖" in header and "洞口县古楼茶业有限公司" in header
    assert "古楼新村" in header
    assert "古楼毛尖" not in json.dumps(document["epcisBody"], ensure_ascii=False)
