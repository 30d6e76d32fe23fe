import pytest
from django.contrib.auth import get_user_model

from inspections.services.inspections import inspection_sign
from tests.inspections.factories import AnalyteFactory, record_inspection


@pytest.fixture
def admin_client_(client, db):
    user = get_user_model().objects.create_superuser(
        "root", "root@example.invalid", "pw-suyuan-test"
    )
    client.force_login(user)
    return client


def test_signed_inspection_is_read_only_in_admin(world, admin_client_):
    inspection = record_inspection(
        batch=world.batch_a, user=world.inspector, notes="原始"
    )
    inspection_sign(inspection=inspection, signed_by=world.inspector)
    url = f"/admin/inspections/inspection/{inspection.pk}/change/"
    page = admin_client_.get(url)
    assert page.status_code == 200
    assert 'name="notes"' not in page.content.decode()  # shown, not editable
    admin_client_.post(url, {"notes": "篡改"})
    inspection.refresh_from_db()
    assert inspection.notes == "原始"
    assert (
        admin_client_.get(
            f"/admin/inspections/inspection/{inspection.pk}/delete/"
        ).status_code
        == 403
    )
    assert admin_client_.get("/admin/inspections/inspection/add/").status_code == 403


def test_unsigned_inspection_notes_editable_and_lists_render(world, admin_client_):
    inspection = record_inspection(batch=world.batch_a, user=world.inspector)
    page = admin_client_.get(f"/admin/inspections/inspection/{inspection.pk}/change/")
    assert 'name="notes"' in page.content.decode()
    assert admin_client_.get("/admin/inspections/inspection/").status_code == 200
    AnalyteFactory()
    assert admin_client_.get("/admin/inspections/analyte/").status_code == 200
    assert (
        "检测项目"
        in admin_client_.get("/admin/inspections/analyte/add/").content.decode()
    )


def test_plan_and_alerts_are_shown_read_only(world, admin_client_):
    from inspections.models import QualityAlert
    from tests.inspections.factories import quantitative

    failed = record_inspection(
        batch=world.batch_a,
        user=world.inspector,
        items=[quantitative("2.0", limit="1.0")],
    )
    alert = QualityAlert.objects.get(inspection=failed)
    for url in (
        "/admin/inspections/controlpoint/",
        "/admin/inspections/qualityalert/",
        f"/admin/inspections/qualityalert/{alert.pk}/change/",
        "/admin/reports/certificate/",
    ):
        assert admin_client_.get(url).status_code == 200
    assert admin_client_.get("/admin/inspections/controlpoint/add/").status_code == 403
