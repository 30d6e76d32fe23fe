"""Abuse limits of the API: per-role throttles, body size, page size."""

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


def test_signed_in_users_are_throttled_per_user(world, client_for, settings):
    settings.SUYUAN_API_RATES_PER_ROLE = {"operator": "3/min"}
    client = client_for(world.operator_a)
    statuses = [client.get("/api/v1/batches/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    # Another user has a counter of its own.
    assert client_for(world.operator_b).get("/api/v1/batches/").status_code == 200


def test_each_role_has_its_own_rate(world, client_for, settings):
    settings.SUYUAN_API_RATES_PER_ROLE = {"operator": "2/min", "inspector": "4/min"}
    settings.SUYUAN_API_RATE_USER = "3/min"  # roles without a rate of their own

    def statuses(user, times):
        client = client_for(user)
        return [client.get("/api/v1/batches/").status_code for _ in range(times)]

    assert statuses(world.operator_a, 3) == [200, 200, 429]
    assert statuses(world.inspector, 5) == [200, 200, 200, 200, 429]
    assert statuses(world.admin, 4) == [200, 200, 200, 429]


def test_anonymous_clients_and_password_guessing_are_throttled(
    world, client_for, settings
):
    settings.SUYUAN_API_RATE_ANONYMOUS = "2/min"
    client = client_for(None)
    guess = {"username": "office", "password": "wrong"}
    statuses = [client.post("/api/v1/auth/token/", guess).status_code for _ in range(3)]
    assert statuses == [400, 400, 429]


def test_public_scan_keeps_its_own_limits(world, client_for, settings):
    settings.SUYUAN_SCAN_RATE_PER_SERIAL = "2/min"
    client = client_for(None)
    serial = "0" * 20
    statuses = [client.get(f"/api/v1/scan/{serial}").status_code for _ in range(3)]
    assert statuses[-1] == 429


def test_page_size_is_capped(world, client_for):
    response = client_for(world.admin).get("/api/v1/regions/?page_size=100000")
    assert response.status_code == 200
    from api.pagination import StandardPagination

    assert StandardPagination.max_page_size == 500
    assert len(response.json()["results"]) <= 500


def test_page_size_cap_applies_to_long_lists(world, client_for):
    from tests.factories import RegionFactory

    for index in range(510):
        RegionFactory(name=f"村{index}", parent=world.dongkou)
    response = client_for(world.admin).get("/api/v1/regions/?page_size=100000")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 500
    assert response.json()["next"]


def test_oversized_request_body_is_refused(world, client_for, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = {"village": world.gulou_village.pk, "head_name": "赵" * 20_000}
    response = client_for(world.admin).post("/api/v1/households/", body)
    assert response.status_code in (400, 413)
    assert response.status_code != 500
