"""The audit trail: who changed what and when; readable by administrators only."""

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from inspections.models import Inspection
from inspections.services.inspections import inspection_sign
from labels import services as label_services
from labels.models import Label
from tests.factories import UserFactory, make_id_number
from tests.inspections.factories import record_inspection
from trace.models import Batch, BenefitLink, Certification, Household
from trace.services.batches import batch_hold
from trace.services.certification import certification_suspend
from trace.services.households import benefit_link_update

pytestmark = pytest.mark.django_db


def test_household_history_records_who_and_never_the_id_number(world, client_for):
    number = make_id_number()
    client = client_for(world.admin)
    response = client.post(
        "/api/v1/households/",
        {"village": world.gulou_village.pk, "head_name": "赵大山", "id_number": number},
    )
    assert response.status_code == 201
    pk = response.json()["id"]
    assert client.patch(f"/api/v1/households/{pk}/", {"members": 5}).status_code == 200
    records = Household.history.filter(id=pk).order_by("history_id")
    assert [record.history_type for record in records] == ["+", "~"]
    assert {record.history_user_id for record in records} == {world.admin.pk}
    columns = {field.attname for field in Household.history.model._meta.fields}
    assert not columns & {"id_number_encrypted", "id_number_index"}
    household = Household.objects.get(pk=pk)
    for record in records:
        values = " ".join(str(getattr(record, name)) for name in columns)
        assert number not in values and number[-6:] not in values
        assert household.id_number_encrypted not in values


def test_audit_api_shows_changes_to_administrators(world, client_for):
    client = client_for(world.admin)
    pk = world.household_a.pk
    client.patch(f"/api/v1/households/{pk}/", {"members": 7})
    response = client.get(f"/api/v1/audit/?model=household&object={pk}")
    assert response.status_code == 200
    latest = response.json()["results"][0]
    assert latest["action"] == "changed" and latest["username"] == "office"
    assert {"field": "members", "old": latest["changes"][0]["old"], "new": "7"} in (
        latest["changes"]
    )
    assert "id_number" not in response.content.decode()


@pytest.mark.parametrize("role", ["operator_a", "inspector"])
def test_audit_api_is_hidden_from_others(world, client_for, role):
    response = client_for(getattr(world, role)).get("/api/v1/audit/?model=batch")
    assert response.status_code == 404
    assert client_for(None).get("/api/v1/audit/?model=batch").status_code == 401


def test_audit_api_has_no_write_route_and_checks_its_query(world, client_for):
    client = client_for(world.admin)
    assert client.post("/api/v1/audit/?model=batch", {}).status_code == 405
    assert client.get("/api/v1/audit/").status_code == 400
    assert client.get("/api/v1/audit/?model=user").status_code == 400
    assert client.get("/api/v1/audit/?model=batch&object=x").status_code == 400
    assert client.delete("/api/v1/audit/1/").status_code == 404


def test_batch_certification_and_benefit_link_changes_are_recorded(world):
    before = (
        Batch.history.count(),
        Certification.history.count(),
        BenefitLink.history.count(),
    )
    batch_hold(batch=world.batch_a, changed_by=world.admin, reason="抽检")
    certification = Certification.objects.filter(producer=world.producer_b).get()
    certification_suspend(
        certification=certification, reason="复核中", changed_by=world.admin
    )
    link = BenefitLink.objects.filter(producer=world.producer_a).get()
    benefit_link_update(benefit_link=link, changed_by=world.admin, annual_income=9000)
    after = (
        Batch.history.count(),
        Certification.history.count(),
        BenefitLink.history.count(),
    )
    assert all(new > old for new, old in zip(after, before, strict=True))


def test_bulk_void_and_signing_write_history_rows(world):
    job = label_services.print_job_create(
        batch=world.batch_a,
        template="a4-3x8",
        count=30,
        requested_by=world.operator_a,
        enqueue=False,
    )
    assert Label.history.count() == 0  # allocation is not a change worth a row
    voided = label_services.labels_void(
        voided_by=world.operator_a, reason="印错", print_job=job
    )
    rows = Label.history.filter(history_type="~")
    assert voided == rows.count() == 30
    assert {(r.history_user_id, r.history_change_reason, r.status) for r in rows} == {
        (world.operator_a.pk, "印错", "void")
    }
    inspection = record_inspection(batch=world.batch_a, user=world.inspector)
    inspection_sign(inspection=inspection, signed_by=world.inspector)
    signed = Inspection.history.filter(id=inspection.pk).latest()
    assert signed.signed_at is not None
    assert signed.history_user_id == world.inspector.pk


def test_admin_history_page_is_read_only(world, client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    batch_hold(batch=world.batch_a, changed_by=world.admin, reason="抽检")
    page = client.get(f"/admin/trace/batch/{world.batch_a.pk}/history/")
    assert page.status_code == 200
    record = Batch.history.filter(id=world.batch_a.pk).earliest()
    url = f"/admin/trace/batch/{world.batch_a.pk}/history/{record.history_id}/"
    assert client.post(url, {"lot_code": "CHANGED"}).status_code == 403
    world.batch_a.refresh_from_db()
    assert world.batch_a.lot_code == "GL2026A"


@pytest.mark.postgres
def test_history_tables_refuse_update_and_delete_in_the_database(world):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    batch_hold(batch=world.batch_a, changed_by=world.admin, reason="抽检")
    table = Batch.history.model._meta.db_table
    for sql in (f"UPDATE {table} SET lot_code = 'X'", f"DELETE FROM {table}"):
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql)
    assert Batch.history.filter(id=world.batch_a.pk).exists()
