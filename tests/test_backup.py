"""The documented backup procedure (docs/backup.md) restores every label and inspection."""

import os
import subprocess

import psycopg2
import pytest
from django.db import connection

from inspections.models import Inspection
from labels import services as label_services
from labels.models import Label
from tests.conftest import require_tool
from tests.inspections.factories import record_inspection


def _restore_name() -> str:
    name = connection.settings_dict["NAME"]
    return name.removeprefix("test_") + "_restore"


@pytest.mark.postgres
def test_pg_dump_and_restore_keep_every_label_and_inspection(
    transactional_db, world, tmp_path
):
    if connection.vendor != "postgresql":
        pytest.skip("the backup procedure is for PostgreSQL (DATABASE_URL)")
    pg_dump, pg_restore = require_tool("pg_dump"), require_tool("pg_restore")
    label_services.print_job_create(
        batch=world.batch_a,
        template="a4-3x8",
        count=120,
        requested_by=world.operator_a,
        enqueue=False,
    )
    record_inspection(batch=world.batch_a, user=world.inspector)
    record_inspection(batch=world.batch_b, user=world.admin)

    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": db["PASSWORD"] or ""}
    common = ["-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432)]
    common += ["-U", db["USER"] or "postgres"]
    dump = tmp_path / "suyuan.dump"
    subprocess.run(
        [
            pg_dump,
            *common,
            "--format=custom",
            "--no-owner",
            "-f",
            str(dump),
            db["NAME"],
        ],
        check=True,
        env=env,
    )
    target = _restore_name()
    admin = psycopg2.connect(
        host=common[1],
        port=common[3],
        user=common[5],
        password=db["PASSWORD"] or "",
        dbname="postgres",
    )
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target}"')
            cursor.execute(f'CREATE DATABASE "{target}"')
        subprocess.run(
            [
                pg_restore,
                *common,
                "--no-owner",
                "--exit-on-error",
                "-d",
                target,
                str(dump),
            ],
            check=True,
            env=env,
        )
        restored = psycopg2.connect(
            host=common[1],
            port=common[3],
            user=common[5],
            password=db["PASSWORD"] or "",
            dbname=target,
        )
        try:
            with restored.cursor() as cursor:
                cursor.execute(
                    "SELECT serial, batch_id, print_job_id, sequence, status "
                    "FROM labels_label ORDER BY serial"
                )
                labels = cursor.fetchall()
                cursor.execute(
                    "SELECT id, batch_id, kind, verdict, inspector_id "
                    "FROM inspections_inspection ORDER BY id"
                )
                inspections = cursor.fetchall()
        finally:
            restored.close()
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target}"')
        admin.close()
    assert labels == list(
        Label.objects.order_by("serial").values_list(
            "serial", "batch_id", "print_job_id", "sequence", "status"
        )
    )
    assert len(labels) == 120
    assert inspections == list(
        Inspection.objects.order_by("id").values_list(
            "id", "batch_id", "kind", "verdict", "inspector_id"
        )
    )
    assert len(inspections) == 2
