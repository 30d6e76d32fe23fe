"""Signed inspections are evidence: no path through Django (or SQL) changes them."""

import pytest
from django.db import DatabaseError, connection, transaction

from inspections.models import Inspection, InspectionResult, SignedRecordError
from inspections.services.inspections import inspection_sign
from tests.inspections.factories import record_inspection

INSPECTION = "inspections_inspection"
RESULT = "inspections_inspectionresult"
needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="database triggers exist on PostgreSQL only",
)


@pytest.fixture
def signed(world):
    inspection = record_inspection(
        batch=world.batch_a, user=world.inspector, notes="原始记录"
    )
    return inspection_sign(inspection=inspection, signed_by=world.inspector)


def test_unsigned_inspection_may_still_change(world):
    inspection = record_inspection(batch=world.batch_a, user=world.inspector)
    inspection.notes = "补充说明"
    inspection.save()
    inspection.results.update(unit="μg/kg")


def test_signed_inspection_save_is_refused(signed):
    signed.notes = "篡改"
    with pytest.raises(SignedRecordError):
        signed.save()
    assert Inspection.objects.get(pk=signed.pk).notes == "原始记录"


def test_signed_inspection_stale_copy_cannot_save_either(signed):
    stale = Inspection.objects.get(pk=signed.pk)
    stale.signed_at = None  # pretend to be unsigned
    with pytest.raises(SignedRecordError):
        stale.save()


def test_signed_inspection_delete_is_refused(signed):
    with pytest.raises(SignedRecordError):
        signed.delete()
    with pytest.raises(SignedRecordError):
        Inspection.objects.filter(pk=signed.pk).delete()
    assert Inspection.objects.filter(pk=signed.pk).exists()


def test_queryset_update_of_signed_rows_is_refused(signed):
    with pytest.raises(SignedRecordError):
        Inspection.objects.filter(pk=signed.pk).update(notes="篡改")
    with pytest.raises(SignedRecordError):
        Inspection.objects.all().update(signed_at=None)


def test_results_of_signed_inspection_are_frozen(signed):
    result = signed.results.get()
    result.measured_value = 0
    with pytest.raises(SignedRecordError):
        result.save()
    with pytest.raises(SignedRecordError):
        result.delete()
    with pytest.raises(SignedRecordError):
        InspectionResult.objects.filter(inspection=signed).update(measured_value=0)
    with pytest.raises(SignedRecordError):
        InspectionResult.objects.filter(inspection=signed).delete()
    with pytest.raises(SignedRecordError):
        InspectionResult(
            inspection=signed,
            item="追加",
            kind="qualitative",
            outcome="pass",
            verdict="pass",
        ).save()


@pytest.mark.postgres
@needs_postgres
@pytest.mark.parametrize(
    "sql",
    [
        f"UPDATE {INSPECTION} SET notes = 'x' WHERE id = %s",
        f"UPDATE {INSPECTION} SET signed_at = NULL, signed_by_id = NULL WHERE id = %s",
        f"DELETE FROM {INSPECTION} WHERE id = %s",
        f"UPDATE {RESULT} SET measured_value = 0 WHERE inspection_id = %s",
        f"DELETE FROM {RESULT} WHERE inspection_id = %s",
        f"INSERT INTO {RESULT} (inspection_id, item, kind, method, unit, outcome,"
        " verdict, position)"
        " VALUES (%s, 'x', 'qualitative', '', '', 'pass', 'pass', 9)",
    ],
)
def test_raw_sql_on_signed_inspection_is_refused_by_trigger(signed, sql):
    with pytest.raises(DatabaseError, match="signed"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [signed.pk])
    assert Inspection.objects.get(pk=signed.pk).notes == "原始记录"
    assert signed.results.count() == 1


@pytest.mark.postgres
@needs_postgres
def test_raw_sql_may_still_sign_and_edit_unsigned(world):
    inspection = record_inspection(batch=world.batch_a, user=world.inspector)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE inspections_inspection SET notes = 'ok' WHERE id = %s",
            [inspection.pk],
        )
        cursor.execute(
            f"UPDATE {INSPECTION} SET signed_at = now(), signed_by_id = %s"
            " WHERE id = %s",
            [world.inspector.pk, inspection.pk],
        )
    assert Inspection.objects.get(pk=inspection.pk).is_signed


@pytest.fixture
def lifted(world, examples):
    """A pesticide hold lifted by a covering lab result."""
    from inspections.choices import InspectionKind
    from tests.inspections.factories import catalogued

    record_inspection(
        batch=world.batch_a,
        user=world.inspector,
        kind=InspectionKind.RAPID_TEST,
        items=[catalogued(examples["enzyme"], "62")],
    )
    record_inspection(
        batch=world.batch_a,
        user=world.inspector,
        kind=InspectionKind.LAB_TEST,
        items=[catalogued(examples["dichlorvos"], "0.01")],
    )
    return world.batch_a


@pytest.mark.postgres
@needs_postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE inspections_holdrelease SET reason = 'x' WHERE batch_id = %s",
        "DELETE FROM inspections_holdrelease WHERE batch_id = %s",
        "UPDATE inspections_holdcause SET covered_by_id = NULL WHERE batch_id = %s",
        "UPDATE inspections_holdcause SET analyte_class_id = NULL WHERE batch_id = %s",
        "DELETE FROM inspections_holdcause WHERE batch_id = %s",
    ],
)
def test_raw_sql_cannot_rewrite_how_a_hold_was_lifted(lifted, sql):
    with pytest.raises(DatabaseError, match="signed record"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [lifted.pk])
    assert lifted.hold_releases.count() == 1
    assert lifted.hold_causes.filter(covered_by__isnull=False).count() == 1
