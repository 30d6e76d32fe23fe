"""The app's PostgreSQL role (db_app_role) cannot bypass the evidence triggers."""

import io
import uuid

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection
from psycopg2 import errors

from inspections.models import Inspection
from inspections.services.inspections import inspection_sign
from tests.inspections.factories import record_inspection
from trace.db_roles import app_role_grants

BYPASSES = (
    "TRUNCATE inspections_inspection CASCADE",
    "TRUNCATE inspections_inspectionresult",
    "TRUNCATE trace_historicalbatch",
    "SET session_replication_role = replica",
    "ALTER TABLE inspections_inspection DISABLE TRIGGER ALL",
    "DROP TRIGGER inspections_inspection_signed_immutable ON inspections_inspection",
    "DELETE FROM trace_historicalbatch",
    "CREATE TABLE public.scratch (id int)",
)


def _connect_as(role: str):
    db = connection.settings_dict
    app = psycopg2.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        dbname=db["NAME"],
        user=role,
        password="suyuan-test-app",
    )
    app.autocommit = True
    return app


@pytest.mark.postgres
def test_as_the_app_role_truncate_and_trigger_switches_fail(transactional_db, world):
    if connection.vendor != "postgresql":
        pytest.skip("database roles exist on PostgreSQL only (DATABASE_URL)")
    inspection = record_inspection(batch=world.batch_a, user=world.inspector)
    inspection_sign(inspection=inspection, signed_by=world.inspector)
    role = f"suyuan_app_test_{uuid.uuid4().hex[:8]}"
    out = io.StringIO()
    call_command("db_app_role", role=role, password="suyuan-test-app", stdout=out)
    assert "owns none" in out.getvalue()
    app = _connect_as(role)
    try:
        with app.cursor() as cursor:
            cursor.execute("SET lock_timeout = '10s'")
            for statement in BYPASSES:
                with pytest.raises(errors.InsufficientPrivilege):
                    cursor.execute(statement)
            # Row access works, and the trigger still guards the signed record.
            cursor.execute("SELECT count(*) FROM inspections_inspection")
            assert cursor.fetchone() == (1,)
            with pytest.raises(errors.IntegrityConstraintViolation, match="signed"):
                cursor.execute(
                    "UPDATE inspections_inspection SET notes = 'x' WHERE id = %s",
                    [inspection.pk],
                )
            cursor.execute(
                "UPDATE trace_batch SET name = 'renamed' WHERE id = %s",
                [world.batch_a.pk],
            )
            assert cursor.rowcount == 1
            cursor.execute("SELECT count(*) FROM trace_historicalbatch")
    finally:
        app.close()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP OWNED BY "{role}"')
            cursor.execute(f'DROP ROLE "{role}"')
    assert Inspection.objects.get(pk=inspection.pk).notes != "x"


def test_history_tables_get_no_update_or_delete():
    statements = [
        str(statement)
        for statement in app_role_grants(
            role="app",
            database="suyuan",
            owner="owner",
            tables=["trace_batch", "trace_historicalbatch"],
        )
    ]
    batch = next(s for s in statements if "'trace_batch'" in s or '"trace_batch"' in s)
    history = next(s for s in statements if "trace_historicalbatch" in s)
    assert "UPDATE, DELETE" in batch
    assert "SELECT, INSERT" in history and "UPDATE" not in history
    assert not any("TRUNCATE" in s for s in statements)
