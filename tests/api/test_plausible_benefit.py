"""Plausible by construction: what a household is said to receive fits the facts.

"确保扶贫产品质量合格、价格公道、安全可靠、带贫真实" (seeds/002, line 71).
"""

from decimal import Decimal

import pytest

from trace.models import Batch, BatchContribution, BenefitLink, TraceEvent

API = "/api/v1"
pytestmark = pytest.mark.django_db


def test_a_million_box_purchase_into_an_800_box_batch_is_refused_with_nothing_written(
    cycle, client_for
):
    batch, household = cycle.batches["v1"], cycle.households["v1"]
    Batch.objects.filter(pk=batch.pk).update(quantity=Decimal("800"), unit="盒")
    before = BatchContribution.objects.get(batch=batch, household=household)
    point = client_for(cycle.users["purchase_point_v1"])
    body = {
        "batch": batch.pk,
        "household": household.pk,
        "quantity": "1000000",
        "amount_paid": "9999999.00",
        "purchased_at": "2026-09-05T15:00:00+08:00",
    }
    refused = point.post(f"{API}/trace-events/purchase/", body, format="json")
    assert refused.status_code == 400
    message = refused.json()["quantity"][0]
    assert "不能超过批次数量：批次 800盒" in message
    assert household.head_name not in refused.content.decode()
    assert not TraceEvent.objects.filter(kind="purchase").exists()
    after = BatchContribution.objects.get(pk=before.pk)
    assert (after.quantity, after.amount_paid) == (before.quantity, before.amount_paid)
    # Exactly what is left of the 800 boxes is accepted.
    room = Decimal("800") - before.quantity
    body.update(quantity=str(room), amount_paid="100.00")
    assert (
        point.post(f"{API}/trace-events/purchase/", body, format="json").status_code
        == 201
    )
    body.update(quantity="0.001")
    assert (
        point.post(f"{API}/trace-events/purchase/", body, format="json").status_code
        == 400
    )


def test_a_household_of_four_is_not_employed_full_time_by_a_fifth_producer(
    world, client_for
):
    from tests.factories import HouseholdFactory, ProducerFactory

    household = HouseholdFactory(village=world.gulou_village, members=4)
    admin = client_for(world.admin)
    producers = [ProducerFactory(region=world.gulou_village) for _ in range(6)]

    def link(producer, **extra):
        return admin.post(
            f"{API}/benefit-links/",
            {
                "producer": producer.pk,
                "household": household.pk,
                "kind": "employment",
                "since": "2026-03-01",
                "annual_income": "6000.00",
                "full_time": True,
            }
            | extra,
            format="json",
        )

    for producer in producers[:4]:
        assert link(producer).status_code == 201
    fifth = link(producers[4])
    assert fifth.status_code == 400
    assert "家庭人口 4 人，同期已有 4 个全职务工联结" in fifth.json()["full_time"][0]
    assert household.head_name not in fifth.content.decode()
    assert BenefitLink.objects.filter(household=household).count() == 4
    # Part-time work, or a full-time job after one has ended, is another matter.
    assert link(producers[4], full_time=False).status_code == 201
    first = BenefitLink.objects.filter(household=household, full_time=True).first()
    ended = admin.patch(
        f"{API}/benefit-links/{first.pk}/", {"ended_on": "2026-06-30"}, format="json"
    )
    assert ended.status_code == 200, ended.content
    assert link(producers[5], since="2026-07-01").status_code == 201


def test_a_december_purchase_into_an_october_batch_is_in_decembers_roster(
    cycle, client_for
):
    batch, household = cycle.batches["v1"], cycle.households["v1"]
    Batch.objects.filter(pk=batch.pk).update(harvest_date="2026-10-15")
    point = client_for(cycle.users["purchase_point_v1"])
    bought = point.post(
        f"{API}/trace-events/purchase/",
        {
            "batch": batch.pk,
            "household": household.pk,
            "quantity": "10",
            "amount_paid": "450.00",
            "purchased_at": "2026-12-02T10:00:00+08:00",
        },
        format="json",
    )
    assert bought.status_code == 201, bought.content
    admin = client_for(cycle.users["admin"])

    def roster(date_from, date_to):
        response = admin.get(
            f"{API}/reports/beneficiary_roster/",
            {
                "region": cycle.village_1.pk,
                "from": date_from,
                "to": date_to,
                "format": "csv",
            },
        )
        assert response.status_code == 200, response.content
        return response.content.decode("utf-8-sig")

    december = roster("2026-12-01", "2026-12-31")
    assert household.head_name in december and "450.00" in december
    october = roster("2026-10-01", "2026-10-31")
    assert "450.00" not in october
    assert "300.00" in october  # the contribution entered with the batch


def test_a_purchase_price_outside_the_countys_band_needs_a_reason(cycle, client_for):
    from trace.choices import CatalogueStatus
    from trace.models import CatalogueEntry, CertificationPolicy, HouseholdPayment

    batch, household = cycle.batches["v1"], cycle.households["v1"]
    body = {
        "batch": batch.pk,
        "household": household.pk,
        "quantity": "10",
        "amount_paid": "1500.00",  # 150 元/箱
        "purchased_at": "2026-09-05T15:00:00+08:00",
    }
    point = client_for(cycle.users["purchase_point_v1"])
    CatalogueEntry.objects.create(
        producer=batch.producer,
        product_line=batch.product_line,
        region=batch.origin,
        name="古楼云雾茶",
        category="茶叶",
        unit=batch.unit,
        price=Decimal("88"),
        delivery_method="courier",
        season="spring",
        planned_quantity=Decimal("100"),
        status=CatalogueStatus.LISTED,
    )
    # No band set by the county: no number is invented, the purchase passes.
    assert (
        point.post(f"{API}/trace-events/purchase/", body, format="json").status_code
        == 201
    )
    CertificationPolicy.objects.create(
        region=cycle.village_1.parent.parent,
        eligible_producer_kinds=["cooperative"],
        qualifying_benefit_kinds=["employment"],
        min_households=1,
        purchase_price_band_percent=Decimal("30"),
        source_document="洞口县扶贫办（县定收购价幅度）",
    )
    refused = point.post(f"{API}/trace-events/purchase/", body, format="json")
    assert refused.status_code == 400
    assert refused.json()["price_reason"] == [
        "收购单价 150 元/箱 偏离目录价 88 元/箱 超过县定幅度 30%，请说明原因。"
    ]
    assert HouseholdPayment.objects.count() == 1
    # 88 × 1.3 = 114.4 元 is inside the band.
    inside = body | {"amount_paid": "1144.00"}
    assert (
        point.post(f"{API}/trace-events/purchase/", inside, format="json").status_code
        == 201
    )
    explained = body | {"price_reason": "明前特级茶，按质论价"}
    assert (
        point.post(
            f"{API}/trace-events/purchase/", explained, format="json"
        ).status_code
        == 201
    )
    assert HouseholdPayment.objects.filter(price_reason="明前特级茶，按质论价").exists()
