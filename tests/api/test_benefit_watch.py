"""The 虚假带贫 watch list finds each planted case, says why, and closes with a reason."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import (
    BenefitLinkFactory,
    HouseholdFactory,
    ProducerFactory,
    make_user,
)
from trace.choices import PaymentKind, Role
from trace.models import CertificationPolicy, WatchClosure
from trace.services.payments import (
    household_payment_add,
    household_payment_confirm_on_visit,
)

URL = "/api/v1/benefit-watch/"
TODAY = timezone.localdate()
pytestmark = pytest.mark.django_db


def pay(household, producer, amount, *, days_ago=1, **extra):
    payment, _ = household_payment_add(
        household=household,
        producer=producer,
        kind=extra.pop("kind", PaymentKind.WAGE),
        amount=Decimal(amount),
        paid_on=TODAY - datetime.timedelta(days=days_ago),
        recorded_by=None,
        **extra,
    )
    return payment


@pytest.fixture
def planted(world):
    CertificationPolicy.objects.create(
        region=world.dongkou,
        eligible_producer_kinds=["cooperative", "enterprise"],
        qualifying_benefit_kinds=["employment", "order_purchase"],
        min_households=1,
        watch_links_per_household=2,
        confirmation_deadline_days=30,
        source_document="洞口县扶贫办关于核查带贫真实的通知（演示）",
    )
    busy = HouseholdFactory(village=world.gulou_village, head_name="赵多联")
    for _ in range(3):
        BenefitLinkFactory(
            producer=ProducerFactory(region=world.gulou_village), household=busy
        )
    overdue = pay(world.household_a, world.producer_a, "900", days_ago=40)
    disputed = pay(world.household_a, world.producer_a, "700")
    supervisor = make_user(
        "supervisor_watch", Role.SUPERVISOR, regions=[world.gulou_village.parent]
    )
    household_payment_confirm_on_visit(
        payment=disputed, confirmed_by=world.admin, note="本户称未收到", agreed=False
    )
    ghost = pay(
        world.household_a,
        world.producer_a,
        "5000",
        kind=PaymentKind.PURCHASE,
        batch=world.batch_a,
    )
    pricey = pay(
        world.household_a, world.producer_a, "300", price_reason="特级茶，按质论价"
    )
    return {
        "busy": busy,
        "overdue": overdue,
        "disputed": disputed,
        "ghost": ghost,
        "pricey": pricey,
        "supervisor": supervisor,
        "office": make_user("office_watch", Role.OFFICE, regions=[world.dongkou]),
    }


def lines(client) -> list[dict]:
    response = client.get(URL, {"page_size": 100})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_the_watch_list_finds_each_planted_case(world, planted, client_for):
    found = lines(client_for(planted["supervisor"]))
    by_reason = {}
    for line in found:
        by_reason.setdefault(line["reason"], set()).add(line["record_id"])
    assert by_reason["many_links"] == {planted["busy"].pk}
    assert world.producer_a.benefit_links.get().pk in by_reason["link_without_evidence"]
    assert by_reason["unconfirmed_overdue"] == {planted["overdue"].pk}
    assert by_reason["disputed"] == {planted["disputed"].pk}
    assert by_reason["purchase_without_movement"] == {planted["ghost"].pk}
    assert by_reason["price_far"] == {planted["pricey"].pk}
    certification = world.producer_a.certifications.get()
    assert certification.pk in by_reason["one_household"]
    many = next(line for line in found if line["reason"] == "many_links")
    assert many["why"] == "该户同期有 3 个利益联结，超过县定关注线 2 个。"
    assert many["record_url"] == f"/api/v1/households/{planted['busy'].pk}/"
    body = str(found)
    for name in ("赵多联", world.household_a.head_name):
        assert name not in body  # households stay unnamed on the list
    # The county office sees the same lines; 邵东's supervisor and an operator do not.
    assert len(lines(client_for(planted["office"]))) == len(found)
    other = make_user(
        "supervisor_sd", Role.SUPERVISOR, regions=[world.shaodong_village.parent]
    )
    assert all(line["region_name"] != "古楼村" for line in lines(client_for(other)))
    assert client_for(world.operator_a).get(URL).status_code == 404


def test_a_line_is_closed_with_a_reason(world, planted, client_for):
    supervisor = client_for(planted["supervisor"])
    body = {"reason": "price_far", "record_id": planted["pricey"].pk, "note": ""}
    blank = supervisor.post(URL, body, format="json")
    assert blank.status_code == 400 and "note" in blank.json()
    body["note"] = "核实：明前特级茶，价格合理"
    assert supervisor.post(URL, body, format="json").status_code == 204
    assert WatchClosure.objects.get().closed_by == planted["supervisor"]
    assert all(line["reason"] != "price_far" for line in lines(supervisor))
    again = supervisor.post(URL, body, format="json")
    assert again.status_code == 400  # no longer on the list
    other = make_user(
        "supervisor_sd2", Role.SUPERVISOR, regions=[world.shaodong_village.parent]
    )
    body.update(reason="disputed", record_id=planted["disputed"].pk)
    assert client_for(other).post(URL, body, format="json").status_code == 400


def test_without_county_numbers_those_checks_are_not_run(world, client_for):
    busy = HouseholdFactory(village=world.gulou_village)
    for _ in range(5):
        BenefitLinkFactory(
            producer=ProducerFactory(region=world.gulou_village), household=busy
        )
    pay(world.household_a, world.producer_a, "900", days_ago=400)
    found = lines(client_for(world.admin))
    reasons = {line["reason"] for line in found}
    assert "many_links" not in reasons and "unconfirmed_overdue" not in reasons
