import pytest

from tests.factories import make_id_number
from trace.models import Household

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["operator_a", "operator_b", "inspector"])
def test_only_administrators_reach_households(world, client_for, role):
    client = client_for(getattr(world, role))
    assert client.get("/api/v1/households/").status_code == 404
    assert client.get(f"/api/v1/households/{world.household_a.pk}/").status_code == 404
    body = {
        "village": world.gulou_village.pk,
        "head_name": "赵大山",
        "id_number": make_id_number(),
    }
    assert client.post("/api/v1/households/", body).status_code == 404
    assert Household.objects.count() == 2


def test_administrator_registers_a_household_and_sees_only_last_four(world, client_for):
    number = make_id_number()
    body = {
        "village": world.gulou_village.pk,
        "head_name": "赵大山",
        "id_number": number,
        "members": 4,
    }
    response = client_for(world.admin).post("/api/v1/households/", body)
    assert response.status_code == 201, response.json()
    text = response.content.decode()
    assert number not in text
    assert response.json()["id_number_masked"] == "*" * 14 + number[-4:]


def test_duplicate_or_invalid_id_number_is_a_field_error(world, client_for):
    client = client_for(world.admin)
    number = make_id_number()
    body = {
        "village": world.gulou_village.pk,
        "head_name": "赵大山",
        "id_number": number,
    }
    assert client.post("/api/v1/households/", body).status_code == 201
    response = client.post("/api/v1/households/", body | {"head_name": "赵小山"})
    assert response.status_code == 400
    assert "id_number" in response.json()
    assert number not in response.content.decode()
    broken = number[:-1] + ("0" if number[-1] != "0" else "1")
    response = client.post("/api/v1/households/", body | {"id_number": broken})
    assert response.status_code == 400
    assert broken not in response.content.decode()


def test_consent_is_recorded_with_who_and_when(world, client_for):
    response = client_for(world.admin).post(
        f"/api/v1/households/{world.household_a.pk}/consent/", {"consented": True}
    )
    assert response.json()["public_name_consent"] is True
    world.household_a.refresh_from_db()
    assert world.household_a.public_name_consent_by == world.admin
