from labels import codes, services
from labels.choices import LabelStatus
from labels.models import Label

URL = "/api/v1/labels/"


def _job(world, batch=None, count=3):
    return services.print_job_create(
        batch=batch or world.batch_a,
        template="a4-3x8",
        count=count,
        requested_by=world.admin,
    )


def test_operator_lists_only_own_labels_with_urls(
    world, client_for, django_assert_max_num_queries
):
    job = _job(world)
    _job(world, batch=world.batch_b)
    client = client_for(world.operator_a)
    with django_assert_max_num_queries(5):
        body = client.get(URL, {"print_job": job.pk}).json()
    assert body["count"] == 3
    assert all(row["url"].endswith("/t/" + row["serial"]) for row in body["results"])
    assert client.get(URL).json()["count"] == 3
    assert client.get(URL, {"batch": world.batch_b.pk}).json()["count"] == 0


def test_detail_by_serial_is_scoped(world, client_for):
    serial = _job(world).labels.first().serial
    assert client_for(world.operator_a).get(f"{URL}{serial}/").status_code == 200
    assert client_for(world.operator_b).get(f"{URL}{serial}/").status_code == 404


def test_void_a_list_of_serials(world, client_for):
    serials = list(_job(world).labels.values_list("serial", flat=True))
    client = client_for(world.operator_a)
    response = client.post(
        f"{URL}void/", {"serials": serials[:2], "reason": "破损"}, format="json"
    )
    assert response.status_code == 200 and response.json() == {"voided": 2}
    assert Label.objects.filter(status=LabelStatus.VOID).count() == 2


def test_void_rejects_foreign_and_forged_serials_as_400(world, client_for):
    serials = list(_job(world).labels.values_list("serial", flat=True))
    client = client_for(world.operator_b)
    response = client.post(
        f"{URL}void/", {"serials": serials, "reason": "x"}, format="json"
    )
    assert response.status_code == 400 and "serials" in response.json()
    forged = client_for(world.operator_a).post(
        f"{URL}void/",
        {"serials": [codes.serial_new(key="forger")], "reason": "x"},
        format="json",
    )
    assert forged.status_code == 400
    assert (
        client.post(
            f"{URL}void/", {"serials": [], "reason": "x"}, format="json"
        ).status_code
        == 400
    )
    assert not Label.objects.filter(status=LabelStatus.VOID).exists()


def test_inspector_cannot_void(world, client_for):
    serials = list(_job(world).labels.values_list("serial", flat=True))
    response = client_for(world.inspector).post(
        f"{URL}void/", {"serials": serials, "reason": "x"}, format="json"
    )
    assert response.status_code == 403
