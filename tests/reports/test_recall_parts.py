"""The recall trace's labels and inspections parts, and the dashboard panels."""

import pytest

from inspections.services.inspections import inspection_sign
from labels import scans
from labels import services as label_services
from labels.models import Label
from tests.inspections.factories import quantitative, record_inspection

pytestmark = pytest.mark.django_db


def labels_of(batch, user, count):
    job = label_services.print_job_create(
        batch=batch, template="a4-3x8", count=count, requested_by=user, enqueue=False
    )
    return list(Label.objects.filter(print_job=job).order_by("sequence"))


@pytest.fixture
def recalled_world(world):
    labels_a = labels_of(world.batch_a, world.operator_a, 4)
    labels_b = labels_of(world.batch_b, world.operator_b, 2)
    label_services.labels_void(
        voided_by=world.operator_a, reason="破损", label=labels_a[0]
    )
    for number, (label, city) in enumerate(
        [
            (labels_a[1], "邵阳市"),
            (labels_a[1], "邵阳市"),
            (labels_a[2], "长沙市"),
            (labels_a[3], ""),
        ]
    ):
        scans.scan_record(label=label, client_address=f"198.51.100.{number}", city=city)
    scans.scan_record(label=labels_b[0], client_address="198.51.100.5", city="深圳市")
    failing = record_inspection(
        batch=world.batch_a,
        user=world.inspector,
        items=[quantitative("2.5", limit="1.0")],
    )
    inspection_sign(inspection=failing, signed_by=world.inspector)
    record_inspection(batch=world.batch_b, user=world.admin)
    return world


def test_recall_trace_lists_labels_scans_per_city_and_inspections(
    recalled_world, client_for
):
    world = recalled_world
    body = (
        client_for(world.admin)
        .get(f"/api/v1/batches/{world.batch_a.pk}/recall-trace/")
        .json()
    )
    assert body["labels"] == {
        "printed": 4,
        "void": 1,
        "suspicious": 0,
        "scanned": 3,
        "scans": 4,
    }
    assert body["scans_by_city"] == [
        {"city": "邵阳市", "scans": 2, "labels": 1},
        {"city": "未知", "scans": 1, "labels": 1},
        {"city": "长沙市", "scans": 1, "labels": 1},
    ]
    assert [job["count"] for job in body["print_jobs"]] == [4]
    assert [item["verdict"] for item in body["inspections"]] == ["fail"]
    assert "深圳市" not in str(body)  # batch B's scan


def test_recall_trace_workbook_has_the_new_sections(recalled_world, client_for):
    import io

    import openpyxl

    world = recalled_world
    response = client_for(world.admin).get(
        f"/api/v1/batches/{world.batch_a.pk}/recall-trace/", {"format": "xlsx"}
    )
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook["扫码城市"]["A3"].value == "邵阳市"
    assert workbook["检测"]["D3"].value == "不合格"


def test_dashboard_shows_inspection_and_label_panels(recalled_world, client):
    client.force_login(recalled_world.admin)
    html = client.get("/reports/dashboard/").content.decode()
    assert 'data-panel="inspections"' in html
    assert "该统计将在相应模块启用后显示" not in html
