import pytest

from inspections.models import Analyte
from tests.inspections.factories import AnalyteFactory

URL = "/api/v1/analytes/"


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_everyone_signed_in_reads(world, client_for):
    AnalyteFactory(name="铅（以 Pb 计）", is_example=True)
    for user in (world.inspector, world.operator_a, world.admin):
        response = client_for(user).get(URL)
        assert response.status_code == 200 and response.data["count"] == 1
        assert response.data["results"][0]["is_example"] is True
    assert client_for(None).get(URL).status_code in (401, 403)


def test_only_administrators_write(world, client_for):
    data = {
        "name": "铅（以 Pb 计）",
        "method": "GB 5009.12",
        "unit": "mg/kg",
        "kind": "quantitative",
        "limits": [
            {"category": "水果", "limit": "0.1"},
            {"category": "茶叶", "limit": "5.0"},
        ],
        "description": "示例数据",
        "is_example": True,
    }
    for user in (world.inspector, world.operator_a):
        assert client_for(user).post(URL, data, format="json").status_code == 403
    response = client_for(world.admin).post(URL, data, format="json")
    assert response.status_code == 201, response.data
    analyte = Analyte.objects.get()
    assert {limit.category: str(limit.limit) for limit in analyte.limits.all()} == {
        "水果": "0.100000",
        "茶叶": "5.000000",
    }
    patched = client_for(world.admin).patch(
        f"{URL}{analyte.pk}/",
        {"limits": [{"category": "水果", "limit": "0.2"}]},
        format="json",
    )
    assert patched.status_code == 200 and len(patched.data["limits"]) == 1
    assert client_for(world.inspector).delete(f"{URL}{analyte.pk}/").status_code == 403
    assert client_for(world.admin).delete(f"{URL}{analyte.pk}/").status_code == 204


def test_duplicate_categories_are_400(world, client_for):
    data = {
        "name": "铅",
        "kind": "quantitative",
        "limits": [
            {"category": "水果", "limit": "0.1"},
            {"category": "水果", "limit": "0.2"},
        ],
    }
    response = client_for(world.admin).post(URL, data, format="json")
    assert response.status_code == 400 and "limits" in response.data
    assert not Analyte.objects.exists()


def test_the_catalogue_says_which_class_a_test_screens_and_an_analyte_belongs_to(
    examples, client_for, world
):
    rows = {
        row["name"]: row
        for row in client_for(world.inspector)
        .get("/api/v1/analytes/")
        .json()["results"]
    }
    enzyme = rows["有机磷和氨基甲酸酯类农药（酶抑制率）"]
    assert enzyme["screens"] is not None and enzyme["analyte_class"] is None
    assert rows["敌敌畏"]["analyte_class"] == enzyme["screens"]
    assert rows["铅（以 Pb 计）"]["analyte_class"] is None
