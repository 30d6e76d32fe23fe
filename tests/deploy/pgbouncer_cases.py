"""Cases run by test_pgbouncer.py: Django through pgbouncer in transaction mode.

DATABASE_URL is pgbouncer (pool of two server connections, transaction
mode) before a real PostgreSQL; DATABASE_POOLED=1 sets
DISABLE_SERVER_SIDE_CURSORS. One case shows why the setting is needed:
with server-side cursors, an `.iterator()` whose next FETCH lands on
another server connection fails.
"""

import os
import threading

import psycopg2
import pytest
from django.contrib.auth.models import Group
from django.db import DatabaseError, connection, connections, transaction
from rest_framework.test import APIClient

from trace.choices import BatchStatus

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = 450
CHUNK = 100


def pools() -> list[dict]:
    """pgbouncer's SHOW POOLS, from its admin console."""
    admin = psycopg2.connect(
        host="127.0.0.1",
        port=os.environ["SUYUAN_TEST_PGBOUNCER_PORT"],
        user="postgres",
        dbname="pgbouncer",
    )
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute("SHOW POOLS")
            names = [column.name for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        admin.close()


@pytest.fixture
def groups():
    Group.objects.bulk_create(Group(name=f"group {n:04d}") for n in range(ROWS))


def iterate_while_another_client_holds_a_transaction() -> int:
    """Read the groups by .iterator() while another client opens a transaction.

    The first chunk is fetched; then the other client's transaction takes
    the server connection just released (pgbouncer reuses the last one
    first); the next chunk is fetched on the other server connection.
    """
    started, release = threading.Event(), threading.Event()

    def hold_a_transaction():
        try:
            with transaction.atomic():
                Group.objects.count()
                started.set()
                release.wait(20)
        finally:
            connections.close_all()

    rows = Group.objects.order_by("pk").iterator(chunk_size=CHUNK)
    seen = [next(rows) for _ in range(CHUNK)]
    other = threading.Thread(target=hold_a_transaction)
    other.start()
    try:
        assert started.wait(20)
        seen.extend(rows)
    finally:
        release.set()
        other.join()
    return len(seen)


def test_connections_go_through_pgbouncer_in_transaction_mode():
    assert connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] is True
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        (name,) = cursor.fetchone()
    ours = [pool for pool in pools() if pool["database"] == name]
    assert ours and all(pool["pool_mode"] == "transaction" for pool in ours), pools()


def test_an_iterator_reads_every_row_across_pooled_transactions(groups):
    assert iterate_while_another_client_holds_a_transaction() == ROWS


def test_without_the_setting_a_server_side_cursor_is_lost(groups):
    connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = False
    try:
        # Django's wrapper or, from the cursor's close, psycopg2's own.
        with pytest.raises((DatabaseError, psycopg2.Error), match="does not exist"):
            iterate_while_another_client_holds_a_transaction()
    finally:
        connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = True
        connection.close()


def test_the_api_writes_and_reads_through_pgbouncer(world):
    client = APIClient()
    client.force_authenticate(world.admin)
    held = client.post(
        f"/api/v1/batches/{world.batch_a.pk}/hold/", {"reason": "快检农残疑似超标"}
    )
    assert held.status_code == 200, held.content
    trace = client.get(f"/api/v1/batches/{world.batch_a.pk}/recall-trace/").json()
    assert trace["batch"]["status"] == BatchStatus.ON_HOLD
    report = client.get("/api/v1/reports/township_sales/")
    assert report.status_code == 200, report.content
