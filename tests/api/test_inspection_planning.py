"""API of the inspection plan: control points, due batches, quality alerts."""

from inspections.choices import AlertStatus, ControlRule, InspectionKind
from inspections.models import ControlPoint, QualityAlert
from tests.inspections.factories import quantitative, record_inspection

CONTROL_POINTS = "/api/v1/control-points/"
DUE = "/api/v1/inspections/due/"
ALERTS = "/api/v1/quality-alerts/"


def every_batch(world, **fields) -> dict:
    return {
        "name": "古楼云雾茶每批抽检",
        "product_line": world.batch_a.product_line.pk,
        "rule": ControlRule.EVERY_NTH,
        "every_n": 1,
        "inspection_kind": InspectionKind.SPOT_CHECK,
        **fields,
    }


def test_administrator_manages_control_points(world, client_for):
    client = client_for(world.admin)
    response = client.post(CONTROL_POINTS, every_batch(world), format="json")
    assert response.status_code == 201, response.json()
    url = f"{CONTROL_POINTS}{response.json()['id']}/"
    response = client.patch(url, {"every_n": 2}, format="json")
    assert response.status_code == 200
    assert response.json()["every_n"] == 2
    assert client.get(CONTROL_POINTS).json()["count"] == 1
    assert client.delete(url).status_code == 204
    assert not ControlPoint.objects.exists()


def test_missing_rule_parameter_is_a_400_with_a_field_message(world, client_for):
    response = client_for(world.admin).post(
        CONTROL_POINTS, every_batch(world, every_n=None), format="json"
    )
    assert response.status_code == 400
    assert "every_n" in response.json()


def test_control_points_do_not_exist_for_others(world, client_for):
    point = ControlPoint.objects.create(
        name="x",
        producer=world.producer_a,
        rule=ControlRule.EVERY_NTH,
        every_n=1,
        inspection_kind=InspectionKind.SPOT_CHECK,
    )
    for user in (world.operator_a, world.inspector):
        client = client_for(user)
        assert client.get(CONTROL_POINTS).status_code == 404
        assert client.get(f"{CONTROL_POINTS}{point.pk}/").status_code == 404
        assert (
            client.post(CONTROL_POINTS, every_batch(world), format="json").status_code
            == 404
        )


def test_due_list_for_inspector_and_404_for_operator(world, client_for):
    client_for(world.admin).post(CONTROL_POINTS, every_batch(world), format="json")
    response = client_for(world.inspector).get(DUE)
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["batch"] == world.batch_a.pk
    assert row["inspection_kind"] == InspectionKind.SPOT_CHECK
    assert row["reason"]
    assert client_for(world.operator_a).get(DUE).status_code == 404
    assert client_for(None).get(DUE).status_code in (401, 403)


def failed_alert(world) -> QualityAlert:
    inspection = record_inspection(
        batch=world.batch_a,
        user=world.inspector,
        items=[quantitative("2.0", limit="1.0")],
    )
    return QualityAlert.objects.get(inspection=inspection)


def test_alerts_are_scoped(world, client_for):
    alert = failed_alert(world)
    assert client_for(world.operator_a).get(ALERTS).json()["count"] == 1
    assert client_for(world.inspector).get(ALERTS).json()["count"] == 1
    assert client_for(world.operator_b).get(ALERTS).json()["count"] == 0
    assert client_for(world.operator_b).get(f"{ALERTS}{alert.pk}/").status_code == 404
    response = client_for(world.operator_b).post(f"{ALERTS}{alert.pk}/close/")
    assert response.status_code == 404


def test_closing_an_incomplete_alert_is_a_400_then_succeeds(world, client_for):
    alert = failed_alert(world)
    inspector = client_for(world.inspector)
    response = inspector.post(f"{ALERTS}{alert.pk}/close/")
    assert response.status_code == 400
    assert {"root_cause", "corrective_action", "preventive_action", "owner"} <= set(
        response.json()
    )
    response = client_for(world.operator_a).patch(
        f"{ALERTS}{alert.pk}/",
        {
            "root_cause": "未满安全间隔期采收",
            "corrective_action": "下架销毁",
            "preventive_action": "采收前核对用药记录",
            "owner": world.operator_a.pk,
            "due_date": "2026-12-31",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    response = inspector.post(f"{ALERTS}{alert.pk}/close/")
    assert response.status_code == 200
    assert response.json()["status"] == AlertStatus.CLOSED


def test_alert_status_cannot_be_mass_assigned(world, client_for):
    alert = failed_alert(world)
    response = client_for(world.operator_a).patch(
        f"{ALERTS}{alert.pk}/", {"status": AlertStatus.CLOSED}, format="json"
    )
    assert response.status_code == 200
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


def test_alert_list_query_count_does_not_grow(world, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(world.admin)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(ALERTS).status_code == 200
        return len(queries)

    failed_alert(world)
    count_queries()  # warm up: the role binding is cached on the user
    one = count_queries()
    for _ in range(3):
        failed_alert(world)
    assert count_queries() == one
