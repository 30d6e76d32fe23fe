"""到户收益 through the API: recorded with a slip code, confirmed by the household."""

import io

import pytest
from PIL import Image

from tests.factories import make_user
from trace.choices import Role
from trace.models import BenefitEvidence, HouseholdPayment

URL = "/api/v1/household-payments/"
pytestmark = pytest.mark.django_db


def jpeg() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (80, 50), (20, 90, 160)).save(buffer, format="JPEG")
    buffer.seek(0)
    buffer.name = "确认单.jpg"
    return buffer


def wage(client, world, amount="2000.00"):
    return client.post(
        URL,
        {
            "household": world.household_a.pk,
            "producer": world.producer_a.pk,
            "kind": "wage",
            "amount": amount,
            "paid_on": "2026-11-30",
        },
        format="json",
    )


def test_a_wage_is_recorded_with_a_code_and_confirmed_by_the_household(
    world, client_for
):
    operator = client_for(world.operator_a)
    created = wage(operator, world)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["confirmation"] == "unconfirmed" and len(body["confirmation_code"]) == 8
    assert world.household_a.head_name not in created.content.decode()
    listed = operator.get(URL).json()["results"]
    assert "confirmation_code" not in listed[0]  # shown once, never again
    assert client_for(world.operator_b).get(f"{URL}{body['id']}/").status_code == 404
    refused = wage(client_for(world.operator_b), world)
    assert refused.status_code == 400

    informant = client_for(
        make_user("informant_pay", Role.INFORMANT, regions=[world.gulou_village])
    )
    wrong = informant.post(
        f"{URL}{body['id']}/confirm-code/", {"code": "x"}, format="json"
    )
    assert wrong.status_code == 400 and wrong.json() == {"code": ["确认码不正确。"]}
    confirmed = informant.post(
        f"{URL}{body['id']}/confirm-code/",
        {"code": body["confirmation_code"]},
        format="json",
    )
    assert confirmed.status_code == 200 and confirmed.json()["confirmation"] == (
        "confirmed"
    )

    second = wage(operator, world, "500.00").json()
    visited = informant.post(
        f"{URL}{second['id']}/confirm/",
        {"note": "到户收益确认单已按手印", "agreed": "true", "photo": jpeg()},
        format="multipart",
    )
    assert visited.status_code == 200, visited.content
    assert visited.json()["confirmation"] == "confirmed"
    evidence = BenefitEvidence.objects.get(payment_id=second["id"])
    assert evidence.caption == "到户收益确认单"
    third = wage(operator, world, "300.00").json()
    disputed = informant.post(
        f"{URL}{third['id']}/confirm/",
        {"note": "本户称只收到 100 元", "agreed": False},
        format="json",
    )
    assert disputed.json()["confirmation"] == "disputed"
    assert HouseholdPayment.objects.filter(confirmation="confirmed").count() == 2
