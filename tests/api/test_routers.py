"""api/routers.py: ids in API paths are numbers; anything else is a 404."""

import pytest

NESTED = [
    "/api/v1/print-jobs/{id}/pdf/",
    "/api/v1/sales/{id}/evidence/1/",
    "/api/v1/catalogue-entries/{id}/evidence/1/",
    "/api/v1/inspections/{id}/attachments/1/file/",
    "/api/v1/batches/{id}/",
    "/api/v1/batches/{id}/hold/",
]


@pytest.mark.parametrize("path", NESTED)
@pytest.mark.parametrize("wrong", ["abc", "1e3", "%00", "１"])
def test_a_non_numeric_id_is_404_not_500(world, client_for, path, wrong):
    response = client_for(world.admin).get(path.format(id=wrong))
    assert response.status_code == 404


def test_a_numeric_id_still_reaches_its_object(world, client_for):
    client = client_for(world.admin)
    assert client.get(f"/api/v1/batches/{world.batch_a.pk}/").status_code == 200
    assert client.get("/api/v1/batches/999999/").status_code == 404
