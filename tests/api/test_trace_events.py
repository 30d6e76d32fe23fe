import datetime

from reports.selectors.common import ReportFilters
from reports.selectors.ledger import benefit_ledger
from trace.models import BatchContribution, TraceEvent

API = "/api/v1"


def test_a_technician_records_guidance_on_the_townships_batches_only(cycle, client_for):
    technician = client_for(cycle.users["technician_t1"])
    body = {
        "batch": cycle.batches["v1b"].pk,
        "occurred_at": "2026-09-12T09:00:00+08:00",
        "topic": "春茶修剪与病虫害绿色防控",
        "organisation": "古楼乡农业综合服务站",
    }
    created = technician.post(f"{API}/trace-events/guidance/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["kind"] == "guidance"
    events = client_for(cycle.users["operator_v1"]).get(
        f"{API}/trace-events/?batch={cycle.batches['v1'].pk}"
    )
    assert events.json()["count"] == 0  # another producer's batch: not shown
    seen = client_for(cycle.users["admin"]).get(
        f"{API}/trace-events/?batch={cycle.batches['v1b'].pk}&kind=guidance"
    )
    assert seen.json()["results"][0]["place"] == "春茶修剪与病虫害绿色防控"
    other_town = technician.post(
        f"{API}/trace-events/guidance/",
        body | {"batch": cycle.batches["v2"].pk},
        format="json",
    )
    assert other_town.status_code == 400 and "batch" in other_town.json()
    informant = client_for(cycle.users["informant_v1"]).post(
        f"{API}/trace-events/guidance/",
        body | {"batch": cycle.batches["v1"].pk},
        format="json",
    )
    assert informant.status_code == 400


def test_a_purchase_point_purchase_is_a_trace_event_and_counts_for_the_household(
    cycle, client_for
):
    batch, household = cycle.batches["v1"], cycle.households["v1"]
    point = client_for(cycle.users["purchase_point_v1"])
    created = point.post(
        f"{API}/trace-events/purchase/",
        {
            "batch": batch.pk,
            "household": household.pk,
            "quantity": "30",
            "amount_paid": "450.00",
            "purchased_at": "2026-09-05T15:00:00+08:00",
            "reference_document_number": "SG-0905-01",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    event = TraceEvent.objects.get(pk=created.json()["id"])
    assert (event.kind, event.place, event.location) == (
        "purchase",
        "古楼村供销社收购点",
        cycle.village_1,
    )
    assert household.head_name not in created.content.decode()
    contribution = BatchContribution.objects.get(batch=batch, household=household)
    assert contribution.amount_paid == 750  # 300 before + 450 now
    ledger = benefit_ledger(
        user=cycle.users["admin"],
        filters=ReportFilters(
            region=cycle.village_1,
            date_from=datetime.date(2026, 8, 1),
            date_to=datetime.date(2026, 8, 31),
        ),
    )
    assert [entry.paid for entry in ledger] == [750]

    elsewhere = point.post(
        f"{API}/trace-events/purchase/",
        {
            "batch": cycle.batches["v2"].pk,
            "household": household.pk,
            "quantity": "1",
            "amount_paid": "1",
            "purchased_at": "2026-09-05T15:00:00+08:00",
        },
        format="json",
    )
    assert elsewhere.status_code == 400  # another village's batch is not in its scope
