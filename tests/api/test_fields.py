"""Dates the API accepts: out-of-range and overflowing ones are field errors.

Harvest, event, sale and sample dates lie in 2000-01-01 .. today + 1 day
(trace/validators.py); a naive 0001-01-01T00:00:00 has no UTC equivalent
in Asia/Shanghai and once raised OverflowError (a 500).
"""

import datetime

import pytest
from django.utils import timezone

from inspections.models import Inspection
from tests.api.test_batches import new_batch_body
from tests.api.test_inspections import body as inspection_body
from trace.models import Batch, Sale, TraceEvent

OVERFLOWING = "0001-01-01T00:00:00"
FAR_FUTURE = "9999-12-31T23:59:59+08:00"


def _event(world, occurred_at):
    return {
        "batch": world.batch_a.pk,
        "kind": "harvest",
        "occurred_at": occurred_at,
        "quantity": "10",
        "unit": "kg",
    }


def _sale(world, sold_at):
    return {
        "batch": world.batch_a.pk,
        "buyer": "洞口县第一中学",
        "channel": "school",
        "quantity": "1",
        "unit": "盒",
        "amount": "30.00",
        "sold_at": sold_at,
    }


@pytest.mark.parametrize("value", [OVERFLOWING, FAR_FUTURE, "1999-12-31T12:00:00"])
def test_trace_event_and_sale_times_out_of_range_are_400(world, client_for, value):
    client = client_for(world.operator_a)
    response = client.post("/api/v1/trace-events/", _event(world, value), format="json")
    assert response.status_code == 400 and "occurred_at" in response.json()
    response = client.post("/api/v1/sales/", _sale(world, value), format="json")
    assert response.status_code == 400 and "sold_at" in response.json()
    assert not TraceEvent.objects.exists() and not Sale.objects.exists()


@pytest.mark.parametrize("value", [OVERFLOWING, FAR_FUTURE])
def test_inspection_sampled_at_out_of_range_is_400(world, client_for, value):
    response = client_for(world.inspector).post(
        "/api/v1/inspections/",
        inspection_body(world.batch_a, sampled_at=value),
        format="json",
    )
    assert response.status_code == 400 and "sampled_at" in response.json()
    assert not Inspection.objects.exists()


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "1999-12-31"])
def test_harvest_date_out_of_range_is_400_with_the_range(world, client_for, value):
    response = client_for(world.operator_a).post(
        "/api/v1/batches/", new_batch_body(world, harvest_date=value), format="json"
    )
    assert response.status_code == 400
    [message] = response.json()["harvest_date"]
    assert "2000-01-01" in message
    assert not Batch.objects.filter(lot_code="GL2026B").exists()


def test_dates_within_the_range_are_accepted(world, client_for):
    client = client_for(world.operator_a)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        "/api/v1/batches/",
        new_batch_body(world, harvest_date=str(tomorrow)),
        format="json",
    )
    assert response.status_code == 201, response.json()
    # An event may not precede its batch's harvest date (trace/rules.py).
    Batch.objects.filter(pk=world.batch_a.pk).update(
        harvest_date=datetime.date(2000, 1, 1)
    )
    response = client.post(
        "/api/v1/trace-events/",
        _event(world, "2000-01-01T08:00:00+08:00"),
        format="json",
    )
    assert response.status_code == 201, response.json()


def test_report_period_out_of_range_is_400(world, client_for):
    response = client_for(world.admin).get(
        "/api/v1/reports/township_sales/?from=0001-01-01"
    )
    assert response.status_code == 400
    assert "2000-01-01" in response.json()["from"][0]


def test_inspection_with_too_many_result_items_is_400(world, client_for, settings):
    item = inspection_body(world.batch_a)["items"][0]
    response = client_for(world.inspector).post(
        "/api/v1/inspections/",
        inspection_body(world.batch_a, items=[item] * 5000),
        format="json",
    )
    assert response.status_code == 400
    assert "200" in response.json()["items"][0]
    assert not Inspection.objects.exists()
    settings.SUYUAN_MAX_INSPECTION_RESULTS = 2
    response = client_for(world.inspector).post(
        "/api/v1/inspections/",
        inspection_body(world.batch_a, items=[item] * 2),
        format="json",
    )
    assert response.status_code == 201, response.json()
