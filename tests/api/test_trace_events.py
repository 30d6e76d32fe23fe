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
    # The harvest's 300 is August's; the purchase's 450 is paid in September.
    assert [entry.paid for entry in ledger] == [300]
    september = benefit_ledger(
        user=cycle.users["admin"],
        filters=ReportFilters(
            region=cycle.village_1,
            date_from=datetime.date(2026, 9, 1),
            date_to=datetime.date(2026, 9, 30),
        ),
    )
    assert [(entry.paid, entry.unconfirmed) for entry in september] == [(450, 450)]

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


def _ship(admin, batch, at="2026-09-01T12:00:00+08:00"):
    shipped = admin.post(
        f"{API}/trace-events/",
        {"batch": batch.pk, "kind": "ship", "occurred_at": at},
        format="json",
    )
    assert shipped.status_code == 201, shipped.content


def test_a_purchase_into_a_shipped_batch_is_refused_with_nothing_written(
    cycle, client_for
):
    batch, household = cycle.batches["v1"], cycle.households["v1"]
    _ship(client_for(cycle.users["admin"]), batch)
    before = BatchContribution.objects.get(batch=batch, household=household)
    body = {
        "batch": batch.pk,
        "household": household.pk,
        "quantity": "20",
        "amount_paid": "600.00",
        "purchased_at": "2026-10-01T09:00:00+08:00",
    }
    point = client_for(cycle.users["purchase_point_v1"])
    refused = point.post(f"{API}/trace-events/purchase/", body, format="json")
    assert refused.status_code == 400
    assert refused.json() == {
        "purchased_at": [
            "该批次已于 2026-09-01 12:00 发货，不能再登记发货前的环节（收购）。"
        ]
    }
    assert not TraceEvent.objects.filter(kind="purchase").exists()
    after = BatchContribution.objects.get(pk=before.pk)
    assert (after.quantity, after.amount_paid) == (before.quantity, before.amount_paid)
    # One second before the shipment it is a purchase like any other.
    body["purchased_at"] = "2026-09-01T11:59:59+08:00"
    created = point.post(f"{API}/trace-events/purchase/", body, format="json")
    assert created.status_code == 201, created.content


def test_guidance_and_production_steps_after_the_shipment_are_400(cycle, client_for):
    batch, admin = cycle.batches["v1b"], client_for(cycle.users["admin"])
    _ship(admin, batch)
    guidance = client_for(cycle.users["technician_t1"]).post(
        f"{API}/trace-events/guidance/",
        {
            "batch": batch.pk,
            "occurred_at": "2026-10-01T09:00:00+08:00",
            "topic": "茶园冬季修剪",
        },
        format="json",
    )
    assert guidance.status_code == 400
    assert "发货前的环节（技术指导）" in guidance.json()["occurred_at"][0]

    def event(kind, at):
        return admin.post(
            f"{API}/trace-events/",
            {"batch": batch.pk, "kind": kind, "occurred_at": at},
            format="json",
        )

    packed = event("pack", "2026-09-01T12:00:00+08:00")  # at the shipment
    assert packed.status_code == 400
    assert "发货前的环节（包装）" in packed.json()["occurred_at"][0]
    assert event("receive", "2026-09-02T08:00:00+08:00").status_code == 201
    early = event("harvest", "2026-08-19T23:59:59+08:00")
    assert early.status_code == 400
    assert early.json()["occurred_at"] == [
        "该批次的采收/生产日期为 2026-08-20，不能登记此前的环节（采收）。"
    ]
    assert event("harvest", "2026-08-20T00:00:00+08:00").status_code == 201
    assert list(
        TraceEvent.objects.filter(batch=batch).values_list("kind", flat=True)
    ) == ["harvest", "ship", "receive"]
