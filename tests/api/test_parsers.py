"""JSON bodies nested beyond api.parsers.MAX_DEPTH are a 400, never a 500."""

import pytest

from api.parsers import MAX_DEPTH
from trace.models import Batch

DEEP = "[" * 100_000


@pytest.mark.parametrize(
    ("who", "url"),
    [
        (None, "/api/v1/auth/token/"),
        ("operator_a", "/api/v1/batches/"),
        ("inspector", "/api/v1/inspections/"),
        ("admin", "/api/v1/producers/"),
    ],
)
def test_deeply_nested_json_is_a_400(world, client_for, who, url):
    client = client_for(getattr(world, who) if who else None)
    response = client.post(url, DEEP, content_type="application/json")
    assert response.status_code == 400
    assert "嵌套层数过多" in response.json()["detail"]


def test_nesting_just_past_the_bound_is_refused_and_writes_nothing(world, client_for):
    body = {"lot_code": "GL2026Z", "note": {"a": 1}}
    for _ in range(MAX_DEPTH):
        body = {"lot_code": "GL2026Z", "nested": body}
    before = Batch.objects.count()
    response = client_for(world.operator_a).post(
        "/api/v1/batches/", body, format="json"
    )
    assert response.status_code == 400
    assert Batch.objects.count() == before


def test_ordinary_json_still_parses(world, client_for):
    response = client_for(None).post(
        "/api/v1/auth/token/",
        {"username": "nobody", "password": "wrong"},
        format="json",
    )
    assert response.status_code == 400
    assert "嵌套" not in response.content.decode()
